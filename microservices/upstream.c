/* The gateway's asynchronous HTTP/1.1 client (see upstream.h).
 *
 * A connection is in one of a few states: connecting, sending its request,
 * reading the answer, or idle in its pool. Every socket stays in the client's
 * epoll set (level-triggered) from connect to close with EPOLLIN, so an idle
 * connection that its server closes is noticed and dropped at once, and a call on
 * a pooled connection costs no epoll_ctl at all: one send and, usually, one recv. */
#include "upstream.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "http_response.h"

/* Upstreams one client talks to (the gateway has two). */
#define MAX_TARGETS 8
/* One recv per answer in the common case: the services' answers are < 1 KiB. */
#define RECV_BUF 16384
/* A body buffer's first size: the services' answers and the kept headers fit.
 * Below 1 KiB on purpose: a glibc malloc of 1 KiB or more first consolidates the
 * fast bins (malloc_consolidate was 1 % of the gateway's instructions). */
#define BODY_INITIAL 512
/* Events taken per epoll_wait. */
#define MAX_EVENTS 64

/* The response headers kept, in enum upstream_header's order. */
static const char *const kept_names[] = {"Content-Type", "WWW-Authenticate", "X-User-Id",
                                         "Server-Timing"};
#define NKEPT (sizeof kept_names / sizeof kept_names[0])
_Static_assert(NKEPT <= HTTP_RESPONSE_MAX_CAPTURE, "the response parser keeps this many");

enum call_state { CALL_IDLE, CALL_RUNNING, CALL_FINISHED };
enum conn_state { CONN_CONNECTING, CONN_SENDING, CONN_READING, CONN_IDLE, CONN_CLOSED };

struct upstream_pool {
    struct upstream_target *target;
    struct upstream_conn *idle; /* most recently used first */
    unsigned nidle;
    unsigned preferred;         /* the address that connected last */
    /* The fixed parts of the request: "GET " + prefix, and " HTTP/1.1\r\nHost: ...\r\n". */
    char head[1100], host_line[320];
    size_t head_len, host_line_len;
};

struct upstream_conn {
    int fd;
    enum conn_state state;
    struct upstream_pool *pool;
    struct upstream_call *call;
    struct upstream_conn *prev, *next; /* the pool's idle list, or the closed list */
    bool reused;    /* has answered before: may turn out dead when taken from the pool */
    bool got_bytes; /* a byte of the current answer arrived */
    bool want_out;  /* EPOLLOUT registered */
    unsigned addr_index;
    char *out;      /* request bytes a full socket buffer did not take (rare) */
    size_t out_len, out_off;
    struct http_response_parser parser;
};

struct upstream_client {
    int epfd;
    unsigned max_idle;
    unsigned long connects;
    struct upstream_pool pools[MAX_TARGETS];
    size_t npools;
    /* Calls in flight, earliest deadline first; calls whose done has not run yet. */
    struct upstream_call *running, *running_tail;
    struct upstream_call *finished, *finished_tail;
    /* Connections closed during a run, freed at its end: an event for one of them
     * may still sit in the batch epoll_wait returned. */
    struct upstream_conn *closed;
    char req[UPSTREAM_MAX_REQUEST];
    char rbuf[RECV_BUF];
};

/* ---- lists ---- */

static void call_unlink(struct upstream_call **head, struct upstream_call **tail,
                        struct upstream_call *call)
{
    if (call->prev)
        call->prev->next = call->next;
    else
        *head = call->next;
    if (call->next)
        call->next->prev = call->prev;
    else
        *tail = call->prev;
    call->prev = call->next = NULL;
}

static void call_append(struct upstream_call **head, struct upstream_call **tail,
                        struct upstream_call *call)
{
    call->next = NULL;
    call->prev = *tail;
    if (*tail)
        (*tail)->next = call;
    else
        *head = call;
    *tail = call;
}

/* Deadlines mostly arrive in order (each request's calls share its deadline, and
 * requests start in order), so the search from the tail is one step. */
static void running_insert(struct upstream_client *c, struct upstream_call *call)
{
    struct upstream_call *after = c->running_tail;
    while (after != NULL && after->deadline_us > call->deadline_us)
        after = after->prev;
    call->prev = after;
    call->next = after ? after->next : c->running;
    if (call->next)
        call->next->prev = call;
    else
        c->running_tail = call;
    if (after)
        after->next = call;
    else
        c->running = call;
}

static void idle_unlink(struct upstream_pool *p, struct upstream_conn *conn)
{
    if (conn->prev)
        conn->prev->next = conn->next;
    else
        p->idle = conn->next;
    if (conn->next)
        conn->next->prev = conn->prev;
    conn->prev = conn->next = NULL;
    p->nidle--;
}

/* ---- connections ---- */

static void conn_close(struct upstream_client *c, struct upstream_conn *conn)
{
    if (conn->state == CONN_CLOSED)
        return;
    if (conn->state == CONN_IDLE)
        idle_unlink(conn->pool, conn);
    close(conn->fd); /* also leaves the epoll set */
    conn->fd = -1;
    conn->state = CONN_CLOSED;
    if (conn->call != NULL)
        conn->call->conn = NULL;
    conn->call = NULL;
    free(conn->out);
    conn->out = NULL;
    conn->next = c->closed;
    c->closed = conn;
}

static void free_closed(struct upstream_client *c)
{
    while (c->closed != NULL) {
        struct upstream_conn *conn = c->closed;
        c->closed = conn->next;
        free(conn);
    }
}

static bool conn_watch(struct upstream_client *c, struct upstream_conn *conn, bool out, int op)
{
    struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0), .data.ptr = conn};
    if (epoll_ctl(c->epfd, op, conn->fd, &ev) != 0)
        return false;
    conn->want_out = out;
    return true;
}

/* An answered connection goes back to its pool, most recently used first, unless
 * the pool is full or the answer said it would close. */
static void conn_release(struct upstream_client *c, struct upstream_conn *conn, bool reusable)
{
    struct upstream_pool *p = conn->pool;
    if (conn->call != NULL)
        conn->call->conn = NULL;
    conn->call = NULL;
    if (!reusable || p->nidle >= c->max_idle || conn->want_out) {
        conn_close(c, conn);
        return;
    }
    conn->state = CONN_IDLE;
    conn->reused = true;
    conn->prev = NULL;
    conn->next = p->idle;
    if (p->idle)
        p->idle->prev = conn;
    p->idle = conn;
    p->nidle++;
}

/* ---- finishing calls ---- */

/* The kept response headers go after the body's NUL in the body's own buffer, so
 * the connection can return to its pool before done runs. */
static bool keep_headers(struct upstream_call *call, const struct http_response_parser *p)
{
    size_t at = call->body_len + 1;
    if (!buf_reserve(&call->body, call->body_len, &call->body_cap, 0, BODY_INITIAL))
        return false;
    call->body[call->body_len] = '\0';
    for (unsigned i = 0; i < NKEPT; i++) {
        const char *v = http_response_header(p, i);
        call->kept_at[i] = 0;
        if (v == NULL)
            continue;
        size_t n = strlen(v);
        if (!buf_reserve(&call->body, at, &call->body_cap, n, BODY_INITIAL))
            return false;
        memcpy(call->body + at, v, n + 1);
        call->kept_at[i] = (uint32_t)at;
        at += n + 1;
    }
    return true;
}

/* Ends a call: off the running list, its connection closed unless the answer came
 * complete, onto the finished list (done runs from collect_finished). */
static void call_finish(struct upstream_client *c, struct upstream_call *call,
                        enum upstream_outcome outcome, const char *why)
{
    if (call->state == CALL_RUNNING)
        call_unlink(&c->running, &c->running_tail, call);
    call->outcome = outcome;
    call->error = why;
    call->elapsed_us = clock_now_us() - call->start_us;
    if (call->conn != NULL)
        conn_close(c, call->conn);
    call->state = CALL_FINISHED;
    call_append(&c->finished, &c->finished_tail, call);
}

/* A complete answer arrived; clean: nothing followed it on the connection. */
static void conn_answered(struct upstream_client *c, struct upstream_conn *conn, bool clean)
{
    struct upstream_call *call = conn->call;
    const struct http_response_parser *p = &conn->parser;
    call->status = (long)p->status;
    if (!keep_headers(call, p)) {
        call_finish(c, call, UPSTREAM_BAD_RESPONSE, "out of memory for the answer");
        return;
    }
    /* An answer before the whole request was sent leaves the rest of the request
     * on the wire: that connection cannot carry another call. */
    conn_release(c, conn, clean && p->keep_alive && conn->out == NULL);
    call_finish(c, call, UPSTREAM_OK, NULL);
}

/* ---- one call's way through its connection ---- */

static void call_connect(struct upstream_client *c, struct upstream_call *call);

static size_t request_length(const struct upstream_call *call)
{
    const struct upstream_pool *p = call->pool;
    return p->head_len + strlen(call->path) + p->host_line_len + call->headers_len + 2;
}

/* The request into c->req: GET, the target's path prefix and the call's path,
 * Host, the caller's header lines (upstream_start checked the length). */
static size_t build_request(struct upstream_client *c, const struct upstream_call *call)
{
    const struct upstream_pool *p = call->pool;
    char *w = c->req;
    size_t plen = strlen(call->path);
    memcpy(w, p->head, p->head_len);
    w += p->head_len;
    memcpy(w, call->path, plen);
    w += plen;
    memcpy(w, p->host_line, p->host_line_len);
    w += p->host_line_len;
    if (call->headers_len > 0)
        memcpy(w, call->headers, call->headers_len);
    w += call->headers_len;
    memcpy(w, "\r\n", 2);
    return (size_t)(w + 2 - c->req);
}

/* The connection failed before a complete answer. A pooled connection that died
 * before any byte of the answer (its server closed it, or restarted) gets the
 * call once more on a fresh connection (never twice: a fresh connection is not a
 * pooled one); anything else is a bad answer. */
static void conn_failed(struct upstream_client *c, struct upstream_conn *conn, const char *why)
{
    struct upstream_call *call = conn->call;
    bool retry = conn->reused && !conn->got_bytes; /* a fresh one is never reused */
    conn_close(c, conn);
    if (!retry) {
        call_finish(c, call, UPSTREAM_BAD_RESPONSE, why);
        return;
    }
    call->addr_tries = 0;
    call_connect(c, call);
}

static void conn_send(struct upstream_client *c, struct upstream_conn *conn)
{
    struct upstream_call *call = conn->call;
    size_t len = build_request(c, call);
    ssize_t n = send(conn->fd, c->req, len, MSG_NOSIGNAL);
    if (n == (ssize_t)len) {
        conn->state = CONN_READING;
        return;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        conn_failed(c, conn, "connection reset while sending the request");
        return;
    }
    /* The socket buffer is full (the upstream stopped reading): keep the rest. */
    size_t sent = n > 0 ? (size_t)n : 0;
    conn->out = malloc(len - sent);
    if (conn->out == NULL || !conn_watch(c, conn, true, EPOLL_CTL_MOD)) {
        call_finish(c, call, UPSTREAM_BAD_RESPONSE, "out of resources while sending");
        return;
    }
    memcpy(conn->out, c->req + sent, len - sent);
    conn->out_len = len - sent;
    conn->out_off = 0;
    conn->state = CONN_SENDING;
}

static void conn_send_more(struct upstream_client *c, struct upstream_conn *conn)
{
    ssize_t n = send(conn->fd, conn->out + conn->out_off, conn->out_len - conn->out_off,
                     MSG_NOSIGNAL);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            conn_failed(c, conn, "connection reset while sending the request");
        return;
    }
    conn->out_off += (size_t)n;
    if (conn->out_off < conn->out_len)
        return;
    free(conn->out);
    conn->out = NULL;
    if (conn->state == CONN_SENDING)
        conn->state = CONN_READING;
    if (!conn_watch(c, conn, false, EPOLL_CTL_MOD))
        call_finish(c, conn->call, UPSTREAM_BAD_RESPONSE, "out of resources");
}

static bool body_sink(void *ctx, const char *data, size_t len)
{
    struct upstream_call *call = ctx;
    return buf_append(&call->body, &call->body_len, &call->body_cap, data, len, BODY_INITIAL);
}

static void conn_attach(struct upstream_conn *conn, struct upstream_call *call)
{
    conn->call = call;
    call->conn = conn;
    conn->got_bytes = false;
    conn->parser.body_ctx = call;
    http_response_reset(&conn->parser);
}

static void conn_read(struct upstream_client *c, struct upstream_conn *conn)
{
    for (;;) {
        ssize_t n = recv(conn->fd, c->rbuf, sizeof c->rbuf, 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return;
        if (n <= 0) {
            if (n == 0 && conn->got_bytes &&
                http_response_finish(&conn->parser) == HTTP_RESPONSE_DONE)
                conn_answered(c, conn, false); /* a body that ran until the close */
            else
                conn_failed(c, conn, !conn->got_bytes ? "connection closed before an answer"
                                     : n == 0     ? "connection closed in the middle of the answer"
                                                  : "connection reset during the answer");
            return;
        }
        conn->got_bytes = true;
        size_t used;
        switch (http_response_parse(&conn->parser, c->rbuf, (size_t)n, &used)) {
        case HTTP_RESPONSE_MORE:
            if ((size_t)n == sizeof c->rbuf)
                continue; /* there may be more waiting */
            return;
        case HTTP_RESPONSE_ERROR:
            call_finish(c, conn->call, UPSTREAM_BAD_RESPONSE, conn->parser.error);
            return;
        case HTTP_RESPONSE_DONE:
            conn_answered(c, conn, used == (size_t)n);
            return;
        }
    }
}

/* A connect finished (EPOLLOUT or an error): send, or try the next address. */
static void conn_connected(struct upstream_client *c, struct upstream_conn *conn)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(conn->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
    struct upstream_call *call = conn->call;
    if (err != 0) {
        conn_close(c, conn);
        call_connect(c, call);
        return;
    }
    conn->pool->preferred = conn->addr_index;
    if (!conn_watch(c, conn, false, EPOLL_CTL_MOD)) {
        call_finish(c, call, UPSTREAM_REFUSED, "out of resources");
        return;
    }
    conn->state = CONN_SENDING;
    conn_send(c, conn);
}

static void set_socket_options(int fd)
{
    int one = 1, idle = 30, intvl = 10;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    /* Upstream connections idle for long stretches between bursts: let the kernel
     * notice a vanished host instead of our next request. */
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
}

/* A socket connecting (or connected) to addr, or -1 when that failed at once
 * (a refused loopback connect fails inside connect()). */
static int open_socket(const struct sockaddr_storage *addr, socklen_t len)
{
    int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    set_socket_options(fd);
    if (connect(fd, (const struct sockaddr *)addr, len) == 0 || errno == EINPROGRESS)
        return fd;
    close(fd);
    return -1;
}

static struct upstream_conn *conn_new(struct upstream_pool *p, int fd, unsigned addr_index)
{
    struct upstream_conn *conn = malloc(sizeof *conn);
    if (conn == NULL)
        return NULL;
    /* The parser's line buffer needs no clearing: 4 KiB less to write per connect. */
    memset(conn, 0, offsetof(struct upstream_conn, parser) +
                        offsetof(struct http_response_parser, line));
    conn->fd = fd;
    conn->pool = p;
    conn->addr_index = addr_index;
    conn->state = CONN_CONNECTING;
    conn->parser.body_fn = body_sink;
    conn->parser.max_body = UPSTREAM_MAX_BODY;
    http_response_capture(&conn->parser, kept_names, NKEPT);
    http_response_capture_lists(&conn->parser, 1u << UPSTREAM_SERVER_TIMING);
    return conn;
}

/* Opens a fresh connection for call, trying the target's addresses in turn from
 * the one that connected last. When none connects, the name is resolved again
 * (off the loop) for the calls that follow. */
static void call_connect(struct upstream_client *c, struct upstream_call *call)
{
    struct upstream_pool *p = call->pool;
    for (;;) {
        struct sockaddr_storage addr;
        socklen_t len;
        unsigned index = p->preferred + call->addr_tries;
        unsigned naddrs = upstream_target_address(call->target, index, &addr, &len);
        if (naddrs == 0 || call->addr_tries >= naddrs) {
            upstream_target_refresh(call->target);
            call_finish(c, call, UPSTREAM_REFUSED,
                        naddrs == 0 ? "the host name does not resolve" : "connection refused");
            return;
        }
        call->addr_tries++;
        int fd = open_socket(&addr, len);
        if (fd < 0)
            continue;
        struct upstream_conn *conn = conn_new(p, fd, index % naddrs);
        if (conn == NULL) {
            close(fd);
            call_finish(c, call, UPSTREAM_REFUSED, "out of memory");
            return;
        }
        conn_attach(conn, call);
        c->connects++;
        if (!conn_watch(c, conn, true, EPOLL_CTL_ADD))
            call_finish(c, call, UPSTREAM_REFUSED, "out of resources");
        return; /* conn_connected runs on EPOLLOUT (at once when already connected) */
    }
}

/* ---- the client ---- */

struct upstream_client *upstream_client_new(unsigned max_idle, char *err, size_t errlen)
{
    struct upstream_client *c = calloc(1, sizeof *c);
    if (c == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->max_idle = max_idle;
    c->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (c->epfd < 0) {
        snprintf(err, errlen, "upstream client: epoll_create1: %s", strerror(errno));
        free(c);
        return NULL;
    }
    return c;
}

static struct upstream_pool *pool_of(struct upstream_client *c, struct upstream_target *t)
{
    for (size_t i = 0; i < c->npools; i++)
        if (c->pools[i].target == t)
            return &c->pools[i];
    if (c->npools == MAX_TARGETS)
        return NULL;
    struct upstream_pool *p = &c->pools[c->npools];
    int h = snprintf(p->head, sizeof p->head, "GET %s", upstream_target_path(t));
    int l = snprintf(p->host_line, sizeof p->host_line, " HTTP/1.1\r\nHost: %s\r\n",
                     upstream_target_authority(t));
    if (h < 0 || (size_t)h >= sizeof p->head || l < 0 || (size_t)l >= sizeof p->host_line)
        return NULL;
    p->target = t;
    p->head_len = (size_t)h;
    p->host_line_len = (size_t)l;
    c->npools++;
    return p;
}

int upstream_start(struct upstream_client *c, struct upstream_call *call)
{
    struct upstream_pool *p = pool_of(c, call->target);
    if (p == NULL)
        return -1;
    call->pool = p;
    if ((call->headers_len > 0 && call->headers == NULL) ||
        request_length(call) > sizeof c->req)
        return -1;
    call->client = c;
    call->conn = NULL;
    call->outcome = UPSTREAM_OK;
    call->error = NULL;
    call->status = 0;
    call->body_len = 0;
    if (call->body)
        call->body[0] = '\0';
    call->addr_tries = 0;
    memset(call->kept_at, 0, sizeof call->kept_at);
    call->start_us = clock_now_us();
    call->deadline_us = call->start_us + (uint64_t)call->timeout_ms * 1000u;
    call->state = CALL_RUNNING;
    running_insert(c, call);
    if (p->idle != NULL) {
        struct upstream_conn *conn = p->idle;
        idle_unlink(p, conn);
        conn->state = CONN_SENDING;
        conn_attach(conn, call);
        conn_send(c, conn);
    } else {
        call_connect(c, call);
    }
    return 0;
}

void upstream_cancel(struct upstream_call *call)
{
    struct upstream_client *c = call->client;
    if (call->state == CALL_RUNNING) {
        call_unlink(&c->running, &c->running_tail, call);
        if (call->conn != NULL)
            conn_close(c, call->conn); /* its answer may still come: not reusable */
    } else if (call->state == CALL_FINISHED) {
        call_unlink(&c->finished, &c->finished_tail, call);
    }
    call->state = CALL_IDLE;
    free(call->body);
    call->body = NULL;
    call->body_len = call->body_cap = 0;
}

void upstream_client_free(struct upstream_client *c)
{
    if (c == NULL)
        return;
    /* Calls still here belong to requests being torn down: detach them. */
    while (c->running != NULL)
        upstream_cancel(c->running);
    while (c->finished != NULL)
        upstream_cancel(c->finished);
    for (size_t i = 0; i < c->npools; i++)
        while (c->pools[i].idle != NULL)
            conn_close(c, c->pools[i].idle);
    free_closed(c);
    close(c->epfd);
    free(c);
}

int upstream_client_fd(const struct upstream_client *c) { return c->epfd; }

long upstream_client_timeout_ms(const struct upstream_client *c)
{
    if (c->finished != NULL)
        return 0;
    if (c->running == NULL)
        return -1;
    uint64_t now = clock_now_us();
    if (now >= c->running->deadline_us)
        return 0;
    return (long)((c->running->deadline_us - now + 999) / 1000);
}

/* Runs done for every finished call, oldest first. done may start other calls,
 * which may finish at once and join the list. */
static void collect_finished(struct upstream_client *c)
{
    while (c->finished != NULL) {
        struct upstream_call *call = c->finished;
        call_unlink(&c->finished, &c->finished_tail, call);
        call->state = CALL_IDLE;
        call->done(call);
    }
}

static void conn_event(struct upstream_client *c, struct upstream_conn *conn, uint32_t ev)
{
    switch (conn->state) {
    case CONN_CLOSED:
        return;
    case CONN_IDLE:
        /* Its server closed it (or sent bytes nobody asked for): drop it now rather
         * than find out on the next call. */
        conn_close(c, conn);
        return;
    case CONN_CONNECTING:
        conn_connected(c, conn);
        return;
    case CONN_SENDING:
    case CONN_READING:
        if ((ev & EPOLLOUT) && conn->out != NULL)
            conn_send_more(c, conn);
        if (conn->state != CONN_CLOSED && conn->call != NULL &&
            (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)))
            conn_read(c, conn);
        return;
    }
}

void upstream_client_run(struct upstream_client *c)
{
    struct epoll_event ev[MAX_EVENTS];
    int n;
    do {
        n = epoll_wait(c->epfd, ev, MAX_EVENTS, 0);
        for (int i = 0; i < n; i++)
            conn_event(c, ev[i].data.ptr, ev[i].events);
    } while (n == MAX_EVENTS);
    uint64_t now = clock_now_us();
    while (c->running != NULL && c->running->deadline_us <= now) {
        struct upstream_call *call = c->running;
        if (call->conn != NULL && call->conn->state == CONN_CONNECTING)
            upstream_target_refresh(call->target);
        call_finish(c, call, UPSTREAM_TIMEOUT, "no complete answer within the time limit");
    }
    collect_finished(c);
    free_closed(c);
}

void upstream_client_cancel_all(struct upstream_client *c, upstream_done_fn fn)
{
    for (;;) {
        collect_finished(c); /* their done may start calls that end at once */
        if (c->running == NULL)
            break;
        struct upstream_call *call = c->running;
        upstream_cancel(call);
        fn(call);
    }
    free_closed(c);
}

const char *upstream_header(const struct upstream_call *call, enum upstream_header h)
{
    if ((unsigned)h >= NKEPT || call->body == NULL || call->kept_at[h] == 0)
        return NULL;
    return call->body + call->kept_at[h];
}

unsigned upstream_client_idle(const struct upstream_client *c,
                              const struct upstream_target *target)
{
    for (size_t i = 0; i < c->npools; i++)
        if (c->pools[i].target == target)
            return c->pools[i].nidle;
    return 0;
}

unsigned long upstream_client_connects(const struct upstream_client *c) { return c->connects; }

/* ---- pure helpers ---- */

unsigned upstream_failure_status(enum upstream_outcome outcome, long http_status)
{
    switch (outcome) {
    case UPSTREAM_REFUSED: return 503;
    case UPSTREAM_TIMEOUT: return 504;
    case UPSTREAM_BAD_RESPONSE: return 502;
    case UPSTREAM_OK: break;
    }
    if (http_status == 503)
        return 503;
    if (http_status == 504)
        return 504;
    return 502;
}

static size_t skip_ws(const char *s, size_t i, size_t len)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* A positive int64 without sign or leading zeros at s[*i]; advances *i. */
static bool parse_positive(const char *s, size_t *i, size_t len, int64_t *out)
{
    size_t start = *i;
    if (start >= len || s[start] < '1' || s[start] > '9')
        return false;
    uint64_t v = 0;
    size_t j = start;
    for (; j < len && s[j] >= '0' && s[j] <= '9'; j++) {
        if (j - start >= 19)
            return false;
        v = v * 10 + (uint64_t)(s[j] - '0');
    }
    if (v > (uint64_t)INT64_MAX)
        return false;
    *out = (int64_t)v;
    *i = j;
    return true;
}

bool upstream_parse_user_id(const char *body, size_t len, int64_t *id)
{
    static const char key[] = "\"user_id\"";
    size_t i = skip_ws(body, 0, len);
    if (i >= len || body[i++] != '{')
        return false;
    i = skip_ws(body, i, len);
    if (len - i < sizeof key - 1 || memcmp(body + i, key, sizeof key - 1) != 0)
        return false;
    i = skip_ws(body, i + sizeof key - 1, len);
    if (i >= len || body[i++] != ':')
        return false;
    i = skip_ws(body, i, len);
    int64_t v;
    if (!parse_positive(body, &i, len, &v))
        return false;
    i = skip_ws(body, i, len);
    if (i >= len || body[i++] != '}')
        return false;
    if (skip_ws(body, i, len) != len)
        return false;
    *id = v;
    return true;
}

bool upstream_profile_is_user(const char *body, size_t len, int64_t id)
{
    char prefix[40];
    int n = snprintf(prefix, sizeof prefix, "{\"id\":%lld", (long long)id);
    if (n < 0 || len < (size_t)n + 1 || memcmp(body, prefix, (size_t)n) != 0)
        return false;
    char next = body[n];
    return (next == ',' || next == '}') && body[len - 1] == '}';
}

const char *upstream_outcome_name(enum upstream_outcome o)
{
    switch (o) {
    case UPSTREAM_OK: return "ok";
    case UPSTREAM_REFUSED: return "refused";
    case UPSTREAM_TIMEOUT: return "timeout";
    case UPSTREAM_BAD_RESPONSE: return "bad_response";
    }
    return "unknown";
}
