/* The instance manager of faas: function instances (processes) and the
 * invocations given to them, modelled on AWS Lambda.
 *
 * An invocation goes to an idle warm instance; else a new instance is started for
 * it (cold start) while fewer than max_concurrency exist; else it waits in a
 * bounded queue (429 when the queue is full or the wait exceeds the timeout). An
 * instance runs one invocation at a time, stays warm while used, and is stopped
 * after idle_ms without work (scale to zero; `provisioned` instances are kept).
 * An invocation that exceeds timeout_ms gets 504 and its instance is killed and
 * replaced; an instance that dies mid-invocation fails only that one (502).
 *
 * Instances are told apart by their Runtime API endpoint: instance <slot>-<gen>
 * gets a loopback listening socket of its own, and AWS_LAMBDA_RUNTIME_API=
 * 127.0.0.1:PORT (host:port, as on Lambda). The worker that owns the instance
 * accepts its connections (instances_accept), lets through only those of the
 * instance's own processes (peer.h), and knows each connection's instance from
 * then on: a call names its instance by the connection it comes on.
 *
 * Threads: faas's worker threads call in, each serving the trigger and the
 * Runtime API from one loop; every instance belongs to one worker (which accepts
 * on its endpoint) and an invocation goes to an idle instance
 * of the worker that received it when there is one, so handing it over and back
 * stays in that thread. One manager thread starts and reaps processes (pidfds)
 * and enforces deadlines. One mutex guards it all; suspended connections are
 * resumed (server_resume) while it is held, which is safe because MHD never
 * calls back into this module holding its own locks. */
#ifndef ARCHBENCH_INSTANCES_H
#define ARCHBENCH_INSTANCES_H

#include <microhttpd.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "lambda_log.h"
#include "memlimit.h"
#include "spawner.h"
#include "traceparent.h"

/* The largest response a function may post: AWS's runtime interface emulator's
 * limit (6 MiB and 100 bytes). */
#define RUNTIME_API_MAX_PAYLOAD (6u * 1024 * 1024 + 100)

/* One invocation, shared (refcounted) by the trigger request and the manager. */
struct invocation {
    atomic_int refs;
    char id[40];
    char *event;
    size_t event_len;
    struct MHD_Connection *conn;  /* the suspended trigger connection */
    unsigned worker;              /* the faas worker thread that serves conn */
    struct traceparent trace;     /* its W3C trace, faas's span as the parent */
    /* Outcome, complete when done is set (under the manager's mutex; read by the
     * trigger after the resume): status 0 means `result` holds the function's
     * response, otherwise a problem+json status and detail. */
    bool done;
    unsigned status;
    char detail[200];
    char *result;
    size_t result_len;
    /* Where its time went (CLOCK_MONOTONIC ns; 0: did not happen), written under
     * the manager's mutex like the outcome: handed to faas, the Init Duration of
     * the cold start it waited for, handed to the instance, its result back. */
    int64_t submitted_ns, init_ns, delivered_ns, result_ns;
    /* Manager bookkeeping. */
    int state;
    int64_t deadline_ns;
    struct invocation *next;
};

/* A new invocation holding one reference; event is taken over (malloc'd). */
struct invocation *invocation_new(const char *id, char *event, size_t event_len);
void invocation_unref(void *inv);

struct instances_config {
    /* Where endpoints listen: the Runtime API's host, port 0. */
    struct sockaddr_storage runtime_addr;
    socklen_t runtime_addrlen;
    const int *accept_sets;    /* per worker: the epoll set its Runtime API accepts from */
    unsigned workers;
    unsigned max_concurrency;
    unsigned max_queue;
    uint64_t idle_ms;
    uint64_t timeout_ms;
    unsigned memory_mb;
    unsigned provisioned;
    struct spawner *spawner;
    struct memlimit *memory;
    struct lambda_log *report;
};

struct instances;

struct instances *instances_start(const struct instances_config *cfg, char *err,
                                  size_t errlen);
/* Stops everything: pending invocations get 503, instances are killed and
 * reaped, parked connections are resumed. Call before stopping the servers. */
void instances_stop(struct instances *p);
void instances_free(struct instances *p);

/* Trigger: hands inv over (takes a reference); inv->conn must be suspended already
 * and inv->worker say which worker serves it. The connection is resumed once inv
 * is done, possibly before this returns. */
void instances_submit(struct instances *p, struct invocation *inv);

/* Runtime API. An instance is named by its key (slot << 32 | generation), the
 * data its endpoint was registered with in the accept set. */

/* The instance's endpoint is readable: accepts up to max waiting connections into
 * fds, with the instance's pid and a duplicate of its pidfd (or -1; the caller
 * closes it) for the peer check. Returns how many; 0 when none, or when the
 * instance is gone or stopping (its connections are then closed here). */
int instances_accept(struct instances *p, uint64_t key, int *fds, int max, pid_t *pid,
                     int *pidfd);

enum instances_next {
    NEXT_DELIVER,   /* *inv (a new reference) is the event to hand out */
    NEXT_PARKED,    /* conn was suspended; it is resumed when there is work */
    NEXT_FORBIDDEN, /* unknown or stopped instance, or an invocation in progress */
    NEXT_WAITING,   /* another /next of this instance is waiting already: it keeps
                     * its place (a waiting call whose connection closed is replaced) */
};
/* resumed: conn is a parked call coming back (after server_resume). */
enum instances_next instances_next(struct instances *p, uint64_t key,
                                   struct MHD_Connection *conn, bool resumed,
                                   struct invocation **inv, int64_t *deadline_unix_ms);

/* A result for request id: is_error for .../error (error_type from the header or
 * body). Returns the HTTP status AWS gives: 202, 400 (not the current request id),
 * 403 (no invocation in progress: e.g. a second response). */
unsigned instances_result(struct instances *p, uint64_t key, const char *id, bool is_error,
                          const char *body, size_t len, const char *error_type);

/* A response of len bytes, over the limit, for request id: as AWS's emulator does,
 * the invocation fails (Function.ResponseSizeTooLarge; the caller gets 502) and the
 * runtime is answered 413; the instance goes on to its next invocation. 400 or 403
 * as above when id is not the invocation in progress. */
unsigned instances_result_too_large(struct instances *p, uint64_t key, const char *id,
                                    size_t len);

/* POST /runtime/init/error: 202, or 403 when the instance is not initialising. */
unsigned instances_init_error(struct instances *p, uint64_t key, const char *body,
                              size_t len, const char *error_type);

/* Live instance processes (for /health details and tests). */
unsigned instances_count(struct instances *p);

#endif
