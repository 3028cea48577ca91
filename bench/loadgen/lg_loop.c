/* One event loop per thread (see lg_loop.h).
 *
 * The loop is built to cost the client as few system calls per request as possible,
 * because on this kind of machine a system call is about a microsecond: sockets are
 * registered once, level-triggered, for input only, and stay registered for their
 * whole life; a request is one send(), a response usually one recv(); EPOLLOUT is
 * asked for only while connecting or after a short write. (wrk re-registers the
 * socket for writing on every request: two epoll_ctl calls per request.)
 *
 * Time-outs, reconnect back-off and the end of the run are checked by a sweep on a
 * periodic 10 ms timerfd instead of a timer per request: a time-out is seconds long,
 * so 10 ms of slack does not matter. A closed loop therefore waits in epoll with no
 * timeout at all; arming a timer on every wait costs about a microsecond on a VM
 * (the timer hardware is emulated), which showed up in the one-connection latency.
 * Open-loop connections waiting for their next planned send sit in a min-heap keyed
 * by that time, and the loop sleeps with epoll_pwait2's nanosecond timeout until the
 * earliest one.
 *
 * A response's Server-Timing is kept by the response parser (one more name to
 * compare per header line) and read only when the response has one: against a
 * server that sends none, the loop does nothing more per request. */
#include "clock.h"
#include "lg_loop.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "http_response.h"

#define LG_LOOP_SWEEP_NS 10000000ULL       /* time-out and reconnect sweep: 10 ms */
#define LG_LOOP_RETRY_MIN_NS 10000000ULL   /* first reconnect delay after a refusal */
#define LG_LOOP_RETRY_MAX_NS 500000000ULL  /* ... doubling up to this */
#define LG_LOOP_EVENTS 512
#define LG_LOOP_RECV_BUF 65536
#define LG_LOOP_BODY_CAP 4096              /* body prefix kept for --verify */
#define LG_LOOP_AUTH "Authorization: Bearer "
/* The one response header loadgen keeps. */
static const char *const lg_loop_kept[] = {"Server-Timing"};

volatile sig_atomic_t lg_loop_interrupted;

enum lg_conn_state { CS_CLOSED, CS_CONNECTING, CS_IDLE, CS_WRITING, CS_READING };

struct lg_conn {
    int fd;
    enum lg_conn_state state;
    unsigned global;          /* index over all threads' connections */
    uint64_t intended_ns;     /* the request in flight: planned send time */
    uint64_t sent_ns;         /* ... actual send time (or connect start) */
    struct lg_sched sched;    /* open loop: this connection's share of the schedule */
    uint64_t next_ns;         /* open loop: its next request's planned time */
    uint64_t retry_ns;        /* CS_CLOSED: reconnect at */
    uint64_t retry_delay;
    uint64_t resp_bytes;
    int64_t expect_user;
    const char *req;
    size_t req_len, req_off;
    bool want_out;            /* EPOLLOUT is registered */
    size_t heap_pos;          /* SIZE_MAX when not in the heap */
    bool queued;              /* closed loop: in the loop's ready list */
    char *wbuf;               /* per-connection request (with --tokens) */
    char *body;               /* body prefix (with --verify) */
    struct http_response_parser parser;
};

struct lg_loop {
    struct lg_thread *t;
    const struct lg_config *cfg;
    int ep;
    int tick;                 /* periodic timerfd: the sweep */
    struct lg_conn *conns;
    struct lg_conn **heap;
    size_t heap_len;
    unsigned inflight;
    uint64_t window_start, end_ns;
    bool ending;
    const char *shared_req;   /* without --tokens every request is the same bytes */
    size_t shared_len;
    size_t next_token;
    char *rbuf;
    /* Closed loop: connections whose response completed during the current batch
     * of events; their next requests are sent together once the batch is done. */
    struct lg_conn **ready;
    size_t nready;
    bool in_batch;
};

/* ---- open-loop schedule ------------------------------------------------------ */

/* Planned time of connection c's next request. */
static uint64_t lg_loop_planned(const struct lg_loop *l, const struct lg_conn *c)
{
    return l->t->start_ns + lg_sched_peek(&c->sched);
}

static void lg_heap_swap(struct lg_loop *l, size_t a, size_t b)
{
    struct lg_conn *x = l->heap[a];
    l->heap[a] = l->heap[b];
    l->heap[b] = x;
    l->heap[a]->heap_pos = a;
    l->heap[b]->heap_pos = b;
}

static void lg_heap_up(struct lg_loop *l, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (l->heap[p]->next_ns <= l->heap[i]->next_ns)
            break;
        lg_heap_swap(l, i, p);
        i = p;
    }
}

static void lg_heap_down(struct lg_loop *l, size_t i)
{
    for (;;) {
        size_t a = 2 * i + 1, b = a + 1, m = i;
        if (a < l->heap_len && l->heap[a]->next_ns < l->heap[m]->next_ns)
            m = a;
        if (b < l->heap_len && l->heap[b]->next_ns < l->heap[m]->next_ns)
            m = b;
        if (m == i)
            return;
        lg_heap_swap(l, i, m);
        i = m;
    }
}

static void lg_heap_push(struct lg_loop *l, struct lg_conn *c)
{
    c->heap_pos = l->heap_len;
    l->heap[l->heap_len++] = c;
    lg_heap_up(l, c->heap_pos);
}

static void lg_heap_remove(struct lg_loop *l, struct lg_conn *c)
{
    size_t i = c->heap_pos;
    if (i == SIZE_MAX)
        return;
    c->heap_pos = SIZE_MAX;
    if (--l->heap_len == i)
        return;
    l->heap[i] = l->heap[l->heap_len];
    l->heap[i]->heap_pos = i;
    lg_heap_down(l, i);
    lg_heap_up(l, i);
}

/* ---- accounting ------------------------------------------------------------- */

static bool lg_loop_measured(const struct lg_loop *l, uint64_t at)
{
    return at >= l->window_start && at < l->end_ns;
}

static size_t lg_loop_second(const struct lg_loop *l, uint64_t at)
{
    return (size_t)((at - l->window_start) / 1000000000ULL);
}

static void lg_loop_count_error(struct lg_loop *l, uint64_t at, enum lg_error e)
{
    if (lg_loop_measured(l, at))
        lg_stats_error(&l->t->stats, lg_loop_second(l, at), e);
}

/* ---- connections ------------------------------------------------------------ */

static void lg_conn_next(struct lg_loop *l, struct lg_conn *c, uint64_t now);
static void lg_conn_open(struct lg_loop *l, struct lg_conn *c, uint64_t now);

static void lg_conn_close(struct lg_loop *l, struct lg_conn *c)
{
    lg_heap_remove(l, c);
    if (c->fd >= 0) {
        /* close() removes the socket from the epoll set. */
        close(c->fd);
        c->fd = -1;
    }
    if (c->state == CS_WRITING || c->state == CS_READING)
        l->inflight--;
    c->state = CS_CLOSED;
    c->want_out = false;
}

/* Still wanted: before the end, or (open loop) while a planned request is owed. */
static bool lg_conn_wanted(const struct lg_loop *l, const struct lg_conn *c)
{
    if (l->cfg->rate)
        return c->next_ns < l->end_ns;
    return !l->ending;
}

/* The request in flight (or the connection attempt) failed: count it once, drop
 * the connection and let the sweep reconnect it: at its next pass, or after a
 * growing back-off when the connection itself could not be made. */
static void lg_conn_fail(struct lg_loop *l, struct lg_conn *c, enum lg_error e, uint64_t now)
{
    if (c->state == CS_WRITING || c->state == CS_READING)
        lg_loop_count_error(l, c->intended_ns, e);
    else
        lg_loop_count_error(l, now, e);
    lg_conn_close(l, c);
    if (e == LG_ERR_CONNECT) {
        c->retry_delay = c->retry_delay ? c->retry_delay * 2 : LG_LOOP_RETRY_MIN_NS;
        if (c->retry_delay > LG_LOOP_RETRY_MAX_NS)
            c->retry_delay = LG_LOOP_RETRY_MAX_NS;
        c->retry_ns = now + c->retry_delay;
    } else {
        /* Reconnect from the next sweep, not from here: a server that resets every
         * connection would otherwise recurse open -> send -> fail -> open. */
        c->retry_ns = now;
    }
}

static void lg_conn_want_out(struct lg_loop *l, struct lg_conn *c, bool on)
{
    if (c->want_out == on)
        return;
    struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c};
    epoll_ctl(l->ep, EPOLL_CTL_MOD, c->fd, &ev);
    c->want_out = on;
}

static void lg_conn_connected(struct lg_loop *l, struct lg_conn *c, uint64_t now)
{
    c->state = CS_IDLE;
    c->retry_delay = 0;
    l->t->connected_once = true;
    lg_conn_want_out(l, c, false);
    lg_conn_next(l, c, now);
}

static void lg_conn_open(struct lg_loop *l, struct lg_conn *c, uint64_t now)
{
    const struct lg_config *cfg = l->cfg;
    c->sent_ns = now;
    c->fd = socket(cfg->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        c->state = CS_CONNECTING; /* so the failure is counted as this attempt's */
        lg_conn_fail(l, c, LG_ERR_CONNECT, now);
        return;
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int rc = connect(c->fd, (const struct sockaddr *)&cfg->addr, cfg->addrlen);
    if (rc != 0 && errno != EINPROGRESS) {
        c->state = CS_CONNECTING;
        lg_conn_fail(l, c, LG_ERR_CONNECT, now);
        return;
    }
    c->want_out = rc != 0;
    struct epoll_event ev = {.events = EPOLLIN | (c->want_out ? EPOLLOUT : 0), .data.ptr = c};
    if (epoll_ctl(l->ep, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
        c->state = CS_CONNECTING;
        lg_conn_fail(l, c, LG_ERR_CONNECT, now);
        return;
    }
    c->state = CS_CONNECTING;
    if (rc == 0)
        lg_conn_connected(l, c, now);
}

static void lg_conn_write(struct lg_loop *l, struct lg_conn *c, uint64_t now)
{
    ssize_t n = send(c->fd, c->req + c->req_off, c->req_len - c->req_off, MSG_NOSIGNAL);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            lg_conn_want_out(l, c, true);
            return;
        }
        lg_conn_fail(l, c, LG_ERR_WRITE, now);
        return;
    }
    c->req_off += (size_t)n;
    if (c->req_off < c->req_len) {
        lg_conn_want_out(l, c, true);
        return;
    }
    lg_conn_want_out(l, c, false);
    c->state = CS_READING;
}

/* Sends the next request on an idle connection; intended is its planned time. */
static void lg_conn_send(struct lg_loop *l, struct lg_conn *c, uint64_t intended, uint64_t now)
{
    const struct lg_config *cfg = l->cfg;
    if (cfg->tokens) {
        const struct lg_token *tok = &cfg->tokens->items[l->next_token];
        if (++l->next_token == cfg->tokens->count)
            l->next_token = 0;
        size_t tl = strlen(tok->token);
        char *w = c->wbuf + cfg->request_head_len;
        memcpy(w, LG_LOOP_AUTH, sizeof LG_LOOP_AUTH - 1);
        w += sizeof LG_LOOP_AUTH - 1;
        memcpy(w, tok->token, tl);
        w += tl;
        memcpy(w, "\r\n\r\n", 4);
        w += 4;
        c->req = c->wbuf;
        c->req_len = (size_t)(w - c->wbuf);
        c->expect_user = tok->user_id;
    } else {
        c->req = l->shared_req;
        c->req_len = l->shared_len;
    }
    c->req_off = 0;
    c->intended_ns = intended;
    c->sent_ns = now;
    c->resp_bytes = 0;
    http_response_reset(&c->parser);
    c->state = CS_WRITING;
    l->inflight++;
    lg_conn_write(l, c, now);
}

/* An idle, connected connection decides what to do next. */
static void lg_conn_next(struct lg_loop *l, struct lg_conn *c, uint64_t now)
{
    if (l->cfg->rate == 0) {
        if (l->ending || now >= l->end_ns)
            return;
        /* Like wrk, send after the whole batch of events has been read rather than
         * in the middle of it: the server then finds its requests together instead
         * of being woken once per request (at 256 connections nginx spent ~10 %
         * more CPU per request when each request was sent as soon as its
         * connection became free). */
        if (l->in_batch) {
            if (!c->queued) {
                c->queued = true;
                l->ready[l->nready++] = c;
            }
            return;
        }
        lg_conn_send(l, c, now, now);
        return;
    }
    if (c->next_ns >= l->end_ns)
        return; /* this connection's share of the schedule is done */
    if (c->next_ns <= now) {
        uint64_t intended = c->next_ns;
        lg_sched_advance(&c->sched);
        c->next_ns = lg_loop_planned(l, c);
        lg_conn_send(l, c, intended, now);
    } else if (c->heap_pos == SIZE_MAX) {
        lg_heap_push(l, c);
    }
}

/* A whole response is in: account for it, then carry on or reconnect. */
static void lg_conn_complete(struct lg_loop *l, struct lg_conn *c)
{
    uint64_t now = clock_now_ns();
    const struct http_response_parser *p = &c->parser;
    if (lg_loop_measured(l, c->intended_ns)) {
        enum lg_error e = LG_ERR_COUNT;
        if (p->status < 200 || p->status >= 400) {
            e = LG_ERR_STATUS;
        } else if (l->cfg->verify && p->status == 200) {
            int64_t id;
            if (!lg_verify_body_id(c->body, p->body_stored, &id) || id != c->expect_user)
                e = LG_ERR_VERIFY;
        }
        struct lg_stats *s = &l->t->stats;
        s->bytes += c->resp_bytes;
        const char *timing = http_response_header(p, 0);
        if (timing != NULL) {
            lg_steps_record(&s->steps, timing, strlen(timing));
            if (s->steps.oom && !l->t->error[0])
                snprintf(l->t->error, sizeof l->t->error,
                         "thread %u: out of memory for the Server-Timing steps", l->t->index);
        }
        if (!lg_stats_response(s, lg_loop_second(l, c->intended_ns), p->status, e,
                               (now - c->intended_ns + 500) / 1000,
                               (now - c->sent_ns + 500) / 1000) && !l->t->error[0])
            snprintf(l->t->error, sizeof l->t->error,
                     "thread %u: out of memory for the per-second timeline", l->t->index);
    } else {
        l->t->warmup_responses++;
    }
    l->inflight--;
    c->state = CS_IDLE;
    /* An early answer (the server replied before the whole request was written)
     * leaves the rest of our request on the wire: that connection cannot be reused. */
    if (!p->keep_alive || c->req_off < c->req_len) {
        lg_conn_close(l, c);
        if (lg_conn_wanted(l, c))
            lg_conn_open(l, c, now);
        return;
    }
    lg_conn_next(l, c, now);
}

static void lg_conn_read(struct lg_loop *l, struct lg_conn *c)
{
    ssize_t n = recv(c->fd, l->rbuf, LG_LOOP_RECV_BUF, 0);
    bool busy = c->state == CS_WRITING || c->state == CS_READING;
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return;
        uint64_t now = clock_now_ns();
        if (busy) {
            lg_conn_fail(l, c, LG_ERR_READ, now);
        } else {
            lg_conn_close(l, c);
            if (lg_conn_wanted(l, c))
                lg_conn_open(l, c, now);
        }
        return;
    }
    if (n == 0) {
        uint64_t now = clock_now_ns();
        if (!busy) {
            /* The server closed an idle keep-alive connection: not an error. */
            lg_conn_close(l, c);
            if (lg_conn_wanted(l, c))
                lg_conn_open(l, c, now);
        } else if (http_response_finish(&c->parser) == HTTP_RESPONSE_DONE) {
            lg_conn_complete(l, c);
        } else {
            lg_conn_fail(l, c, LG_ERR_READ, now);
        }
        return;
    }
    if (!busy) {
        /* Bytes nobody asked for: the connection's framing is lost. */
        uint64_t now = clock_now_ns();
        lg_loop_count_error(l, now, LG_ERR_READ);
        lg_conn_close(l, c);
        if (lg_conn_wanted(l, c))
            lg_conn_open(l, c, now);
        return;
    }
    /* A response may start before the request is fully written (an early 4xx). */
    if (c->state == CS_WRITING) {
        lg_conn_want_out(l, c, false);
        c->state = CS_READING;
    }
    c->resp_bytes += (uint64_t)n;
    size_t used;
    switch (http_response_parse(&c->parser, l->rbuf, (size_t)n, &used)) {
    case HTTP_RESPONSE_MORE:
        return;
    case HTTP_RESPONSE_ERROR:
        lg_conn_fail(l, c, LG_ERR_READ, clock_now_ns());
        return;
    case HTTP_RESPONSE_DONE:
        break;
    }
    if (used < (size_t)n) {
        /* More than one response to one request. */
        c->parser.keep_alive = false;
        lg_conn_complete(l, c);
        lg_loop_count_error(l, clock_now_ns(), LG_ERR_READ);
        return;
    }
    lg_conn_complete(l, c);
}

static void lg_conn_event(struct lg_loop *l, struct lg_conn *c, uint32_t ev)
{
    switch (c->state) {
    case CS_CONNECTING: {
        int err = 0;
        socklen_t len = sizeof err;
        uint64_t now = clock_now_ns();
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0)
            lg_conn_fail(l, c, LG_ERR_CONNECT, now);
        else if (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP))
            lg_conn_connected(l, c, now);
        return;
    }
    case CS_WRITING:
        if (ev & EPOLLOUT) {
            lg_conn_write(l, c, clock_now_ns());
            if (c->state != CS_READING)
                return;
        }
        if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP))
            lg_conn_read(l, c);
        return;
    case CS_READING:
    case CS_IDLE:
        lg_conn_read(l, c);
        return;
    case CS_CLOSED:
        return;
    }
}

/* Time-outs, reconnects after a refusal. */
static void lg_loop_sweep(struct lg_loop *l, uint64_t now)
{
    uint64_t limit = l->cfg->timeout_ns;
    for (unsigned i = 0; i < l->t->nconns; i++) {
        struct lg_conn *c = &l->conns[i];
        switch (c->state) {
        case CS_CONNECTING:
            if (now - c->sent_ns >= limit)
                lg_conn_fail(l, c, LG_ERR_CONNECT, now);
            break;
        case CS_WRITING:
        case CS_READING:
            if (now - c->sent_ns >= limit)
                lg_conn_fail(l, c, LG_ERR_TIMEOUT, now);
            break;
        case CS_CLOSED:
            if (now >= c->retry_ns && lg_conn_wanted(l, c))
                lg_conn_open(l, c, now);
            break;
        case CS_IDLE:
            break;
        }
    }
}

/* True while a request is in flight or (open loop) a planned one is still owed by a
 * connection that is (re)connecting. */
static bool lg_loop_busy(const struct lg_loop *l)
{
    if (l->inflight > 0)
        return true;
    if (l->cfg->rate == 0)
        return false;
    for (unsigned i = 0; i < l->t->nconns; i++) {
        const struct lg_conn *c = &l->conns[i];
        if (c->next_ns < l->end_ns && c->state != CS_IDLE)
            return true;
    }
    return false;
}

static bool lg_loop_setup(struct lg_loop *l, struct lg_thread *t)
{
    const struct lg_config *cfg = t->cfg;
    memset(l, 0, sizeof *l);
    l->t = t;
    l->cfg = cfg;
    l->ep = epoll_create1(EPOLL_CLOEXEC);
    l->tick = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (l->ep >= 0 && l->tick >= 0) {
        struct itimerspec its = {.it_interval = {0, (long)LG_LOOP_SWEEP_NS},
                                 .it_value = {0, (long)LG_LOOP_SWEEP_NS}};
        /* data.ptr NULL marks the tick; connections carry their own pointer. */
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
        if (timerfd_settime(l->tick, 0, &its, NULL) != 0 ||
            epoll_ctl(l->ep, EPOLL_CTL_ADD, l->tick, &ev) != 0) {
            close(l->tick);
            l->tick = -1;
        }
    }
    l->conns = calloc(t->nconns, sizeof *l->conns);
    l->heap = calloc(t->nconns ? t->nconns : 1, sizeof *l->heap);
    l->ready = calloc(t->nconns ? t->nconns : 1, sizeof *l->ready);
    l->rbuf = malloc(LG_LOOP_RECV_BUF);
    char *shared = cfg->tokens ? NULL : malloc(cfg->request_head_len + 2);
    if (l->ep < 0 || l->tick < 0 || !l->conns || !l->heap || !l->ready || !l->rbuf ||
        (!cfg->tokens && !shared)) {
        free(shared);
        snprintf(t->error, sizeof t->error, "thread %u: out of memory or epoll: %s", t->index,
                 strerror(errno));
        return false;
    }
    if (shared) {
        memcpy(shared, cfg->request_head, cfg->request_head_len);
        memcpy(shared + cfg->request_head_len, "\r\n", 2);
        l->shared_req = shared;
        l->shared_len = cfg->request_head_len + 2;
    }
    if (cfg->tokens)
        l->next_token = (size_t)((uint64_t)cfg->tokens->count * t->index / cfg->threads);
    l->window_start = t->start_ns + cfg->warmup_ns;
    l->end_ns = l->window_start + cfg->duration_ns;
    for (unsigned i = 0; i < t->nconns; i++) {
        struct lg_conn *c = &l->conns[i];
        c->fd = -1;
        c->heap_pos = SIZE_MAX;
        c->global = t->first_conn + i;
        http_response_capture(&c->parser, lg_loop_kept, 1);
        http_response_capture_lists(&c->parser, 1);
        if (cfg->rate) {
            lg_sched_init(&c->sched, cfg->arrivals, cfg->rate, cfg->connections, c->global,
                          cfg->seed);
            c->next_ns = lg_loop_planned(l, c);
        }
        if (cfg->tokens) {
            c->wbuf = malloc(cfg->request_head_len + sizeof LG_LOOP_AUTH + 64 + 4);
            if (c->wbuf == NULL)
                goto oom;
            memcpy(c->wbuf, cfg->request_head, cfg->request_head_len);
        }
        if (cfg->verify) {
            c->body = malloc(LG_LOOP_BODY_CAP);
            if (c->body == NULL)
                goto oom;
            c->parser.body_buf = c->body;
            c->parser.body_cap = LG_LOOP_BODY_CAP;
        }
    }
    return true;
oom:
    snprintf(t->error, sizeof t->error, "thread %u: out of memory", t->index);
    return false;
}

static void lg_loop_teardown(struct lg_loop *l)
{
    if (l->conns) {
        for (unsigned i = 0; i < l->t->nconns; i++) {
            if (l->conns[i].fd >= 0)
                close(l->conns[i].fd);
            free(l->conns[i].wbuf);
            free(l->conns[i].body);
        }
    }
    if (l->ep >= 0)
        close(l->ep);
    if (l->tick >= 0)
        close(l->tick);
    free(l->conns);
    free(l->heap);
    free(l->ready);
    free(l->rbuf);
    free((char *)l->shared_req);
}

void *lg_loop_thread(void *arg)
{
    struct lg_thread *t = arg;
    struct lg_loop loop, *l = &loop;
    if (!lg_loop_setup(l, t)) {
        lg_loop_teardown(l);
        return NULL;
    }
    /* The default 50 µs timer slack would make every open-loop send that much late,
     * and that lateness would be charged to the server as latency. */
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    /* Wait for the common start so every thread's window is the same. */
    uint64_t now = clock_now_ns();
    if (now < t->start_ns) {
        uint64_t d = t->start_ns - now;
        struct timespec ts = {.tv_sec = (time_t)(d / 1000000000ULL),
                              .tv_nsec = (long)(d % 1000000000ULL)};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !lg_loop_interrupted) {
        }
        now = clock_now_ns();
    }
    for (unsigned i = 0; i < t->nconns; i++)
        lg_conn_open(l, &l->conns[i], now);

    struct epoll_event events[LG_LOOP_EVENTS];
    uint64_t next_sweep = now + LG_LOOP_SWEEP_NS;
    uint64_t drain_until = 0;
    for (;;) {
        now = clock_now_ns();
        if (!l->ending && (lg_loop_interrupted || now >= l->end_ns)) {
            /* The window closes: nothing new is sent (open loop: nothing planned
             * later), requests in flight get up to one time-out to finish. */
            l->ending = true;
            if (now < l->end_ns)
                l->end_ns = now > l->window_start ? now : l->window_start;
            drain_until = now + l->cfg->timeout_ns;
        }
        if (l->ending && (!lg_loop_busy(l) || now >= drain_until))
            break;

        int n;
        if (l->heap_len > 0) {
            uint64_t wake = l->heap[0]->next_ns;
            uint64_t d = wake > now ? wake - now : 0;
            struct timespec ts = {.tv_sec = (time_t)(d / 1000000000ULL),
                                  .tv_nsec = (long)(d % 1000000000ULL)};
            n = epoll_pwait2(l->ep, events, LG_LOOP_EVENTS, &ts, NULL);
        } else {
            n = epoll_wait(l->ep, events, LG_LOOP_EVENTS, -1);
        }
        if (n < 0 && errno != EINTR) {
            snprintf(t->error, sizeof t->error, "epoll_wait: %s", strerror(errno));
            break;
        }
        l->in_batch = true;
        for (int i = 0; i < n; i++) {
            if (events[i].data.ptr == NULL) {
                uint64_t ticks;
                ssize_t r = read(l->tick, &ticks, sizeof ticks);
                (void)r;
                continue;
            }
            lg_conn_event(l, events[i].data.ptr, events[i].events);
        }
        l->in_batch = false;
        for (size_t i = 0; i < l->nready; i++) {
            struct lg_conn *c = l->ready[i];
            c->queued = false;
            if (c->state == CS_IDLE) /* not closed or reconnecting since */
                lg_conn_next(l, c, clock_now_ns());
        }
        l->nready = 0;
        if (l->heap_len > 0) {
            now = clock_now_ns();
            while (l->heap_len > 0 && l->heap[0]->next_ns <= now) {
                struct lg_conn *c = l->heap[0];
                lg_heap_remove(l, c);
                lg_conn_next(l, c, now);
            }
        }
        now = clock_now_ns();
        if (now >= next_sweep) {
            lg_loop_sweep(l, now);
            next_sweep = now + LG_LOOP_SWEEP_NS;
        }
    }
    /* Requests still unanswered when the drain gave up are time-outs. */
    for (unsigned i = 0; i < t->nconns; i++) {
        struct lg_conn *c = &l->conns[i];
        if (c->state == CS_WRITING || c->state == CS_READING)
            lg_loop_count_error(l, c->intended_ns, LG_ERR_TIMEOUT);
    }
    t->end_ns = l->end_ns;
    lg_loop_teardown(l);
    return NULL;
}
