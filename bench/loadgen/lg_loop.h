/* loadgen's engine: one epoll event loop per thread driving that thread's share of
 * the connections, each with at most one request in flight (no pipelining).
 *
 * Closed loop: a connection sends its next request as soon as the previous response
 * is in. Open loop: each connection follows its share of the run's schedule
 * (lg_sched.h: uniform, request n at start + n / rate, or Poisson arrivals) and
 * sends each request at its planned time, or at once when it is behind; latency is
 * counted from the planned time, so a stalled server cannot hide its stall by
 * slowing the client down (coordinated omission, as in wrk2), whichever the
 * schedule. The latency from the actual send is kept too. */
#ifndef LG_LOOP_H
#define LG_LOOP_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "lg_sched.h"
#include "lg_stats.h"
#include "lg_verify.h"

struct lg_config {
    struct sockaddr_storage addr;
    socklen_t addrlen;
    /* "GET /path HTTP/1.1\r\nHost: ...\r\n" plus the -H headers, without the final
     * empty line; the loop appends Authorization (with --tokens) and "\r\n". */
    const char *request_head;
    size_t request_head_len;
    unsigned connections, threads;
    uint64_t warmup_ns, duration_ns, timeout_ns;
    uint64_t rate;                 /* requests per second in total; 0 = closed loop */
    enum lg_arrivals arrivals;     /* open loop: the schedule */
    uint64_t seed;                 /* open loop, poisson: the generators' seed */
    const struct lg_tokens *tokens; /* NULL: no Authorization header */
    bool verify;
};

struct lg_thread {
    const struct lg_config *cfg;
    unsigned index;
    unsigned first_conn, nconns;   /* global indexes of this thread's connections */
    uint64_t start_ns;             /* CLOCK_MONOTONIC time the run starts (shared) */
    uint64_t end_ns;               /* out: when this thread's window ended */
    struct lg_stats stats;         /* the measured window only */
    uint64_t warmup_responses;     /* responses to warm-up requests (not in stats) */
    bool connected_once;           /* out: at least one connection was established */
    char error[256];               /* out: set when the thread could not run at all */
    pthread_t tid;
};

/* Set from a signal handler: every loop ends its window now and drains. */
extern volatile sig_atomic_t lg_loop_interrupted;


/* The thread body: runs the thread's connections until the window (warm-up +
 * duration) is over and the requests in flight are answered or timed out. */
void *lg_loop_thread(void *thread);

#endif
