/* The libmicrohttpd server shared by every archbench server (see server.h). */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "http_head.h"
#include "log.h"
#include "net.h"
#include "opts.h"
#include "problem.h"

struct server_worker;
struct server_daemon;

/* One open connection (MHD's socket context). While it waits for a request's
 * headers it sits in its daemon's waiting list, oldest first, so the header
 * deadline is checked at the list's head only. */
struct server_conn {
    struct server_daemon *d;
    int fd;
    bool timed;                  /* its answers carry Server-Timing */
    uint64_t start_ns;           /* timed: the current request's headers in */
    struct server_timing *timing; /* timed: the current request's steps, or NULL */
    bool waiting;
    uint64_t since_ms;           /* waiting since (the worker's loop clock) */
    struct server_conn *prev, *next;
    /* server_config.raw_query: the query check_target copied for the request
     * whose head is arriving (start_request takes it over), or NULL; lost: the
     * copy failed for want of memory. */
    char *raw_query;
    bool raw_query_lost;
};

/* One site (listen address, routes) as served by one worker thread: one MHD
 * daemon. on_request, on_completed and server_resume find it through their cls
 * or the connection's socket context. */
struct server_daemon {
    const struct server_config *cfg;
    struct server_shared *shared;
    struct MHD_Daemon *daemon;
    int listen_fd;
    void *app_worker;
    struct server_worker *worker;    /* the thread that drives this daemon */
    atomic_bool resumed;         /* server_resume marked a connection: run MHD */
    char address[80];            /* what listen_fd is bound to */
    unsigned connections;        /* open now (MHD's connection notifications) */
    unsigned limit;              /* MHD_OPTION_CONNECTION_LIMIT of this daemon */
    bool at_limit;               /* MHD may have taken its listening socket out of epoll */
    uint64_t header_timeout_ms;
    struct server_conn *waiting_head, *waiting_tail;
};

/* One worker thread: it drives one daemon per site from a single poll loop. */
struct server_worker {
    struct server_daemon **daemons; /* one per site */
    size_t ndaemons;
    int stop_fd;                 /* read end of the server's stop pipe */
    int wake_fd;                 /* eventfd: server_resume from other threads (-1: none) */
    bool rerun;                  /* a daemon was resumed from this very thread */
    uint64_t now_ms;             /* the loop's clock, read once per wake-up */
    pthread_t thread;
    bool started;
};

/* Responses built once at start-up and shared by all workers of a site. */
struct server_shared {
    struct server_fixed health;
    struct server_fixed not_found;
    struct server_fixed too_large;
    struct server_fixed headers_too_large;
    struct server_fixed uri_too_long;
    struct server_fixed *not_allowed; /* one per route (its Allow differs) */
    struct server_fixed health_not_allowed;
    struct server_fixed no_credential; /* 401: service secret missing or wrong */
    /* Request-body bytes its keep_body routes hold now, over all workers: see
     * server_config.max_body_memory. */
    atomic_size_t body_held;
};

/* *con_cls of every request: answers wait for the second handler call, because
 * MHD 0.9.75 closes the connection after a response queued on the first. */
struct request_state {
    const struct server_route *route; /* NULL: /health or no route matched */
    size_t body_seen;               /* request body bytes received */
    char *body;                     /* kept body (keep_body routes), NUL-terminated */
    size_t body_cap;
    void *app;                      /* server_request.state */
    void (*app_free)(void *app);    /* server_request.state_free */
    unsigned long long start_us;    /* headers in (CLOCK_MONOTONIC), for request_done */
    unsigned raw_status;            /* answered past MHD (send_raw_problem), or 0 */
    size_t body_held;               /* what this body adds to server_shared.body_held */
    size_t dropped;                 /* body bytes read and dropped after raw_status */
    bool oversize;                  /* handle_oversize route: body over the limit */
    char *raw_query;                /* server_config.raw_query: as sent, or NULL */
    /* Last, and allocated only for a timed request (about 400 bytes). */
    struct server_timing timing;
};

bool server_option(int c, const char *arg, struct server_config *cfg, const char *program)
{
    uint64_t ms;
    switch (c) {
    case 'l': {
        /* A malformed address is bad usage (exit 2), found before anything starts. */
        struct sockaddr_storage addr;
        socklen_t len;
        char err[256];
        if (!net_parse_address(arg, &addr, &len, err, sizeof err))
            opts_usage_error(program, "--listen: %s", err);
        cfg->listen = arg;
        return true;
    }
    case 't':
        if (!opts_parse_unsigned(arg, 1, 1024, &cfg->threads))
            opts_usage_error(program, "--threads: expected 1..1024, got '%s'", arg);
        return true;
    case 'm':
        if (!opts_parse_unsigned(arg, 1, 1000000, &cfg->max_connections))
            opts_usage_error(program, "--max-connections: expected 1..1000000, got '%s'", arg);
        return true;
    case 'T':
        if (!opts_parse_duration_ms(arg, &ms) || ms < 1000 || ms > 3600 * 1000)
            opts_usage_error(program, "--conn-timeout: expected 1s..1h, got '%s'", arg);
        cfg->timeout_s = (unsigned)(ms / 1000);
        return true;
    case 'H':
        if (!opts_parse_duration_ms(arg, &ms) || ms < 100 || ms > 3600 * 1000)
            opts_usage_error(program, "--header-timeout: expected 100ms..1h, got '%s'", arg);
        cfg->header_timeout_ms = (unsigned)ms;
        return true;
    case 'N':
        cfg->no_server_timing = true;
        return true;
    case 'v':
        log_set_level(LOG_DEBUG);
        return true;
    default:
        return false;
    }
}

void server_parse_args(int argc, char **argv, const struct option *longopts,
                       struct server_config *cfg, const char *program,
                       void (*usage)(FILE *out),
                       bool (*own)(int c, const char *arg, void *ctx), void *ctx)
{
    cfg->max_body = SERVER_DEFAULT_MAX_BODY;
    cfg->timeout_s = SERVER_DEFAULT_TIMEOUT_S;
    cfg->max_connections = SERVER_DEFAULT_MAX_CONNECTIONS;
    int c;
    opterr = 0; /* opts_unknown says it in one line */
    while ((c = getopt_long(argc, argv, "vhV", longopts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            exit(0);
        }
        if (c == 'V') {
            opts_print_version(program);
            exit(0);
        }
        if (!own(c, optarg, ctx) && !server_option(c, optarg, cfg, program))
            opts_unknown(program, argv);
    }
    if (optind < argc)
        opts_usage_error(program, "unexpected argument '%s'", argv[optind]);
}

unsigned server_cpu_count(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0)
            return (unsigned)n;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

/* The connection's own state (its socket context), or NULL when it had none. */
static struct server_conn *conn_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* The Server-Timing value of the connection's current request into out
 * (SERVER_TIMING_FORMAT_MAX bytes); false when it is not timed. */
static bool timing_value(struct MHD_Connection *conn, char *out)
{
    struct server_conn *c = conn_of(conn);
    if (c == NULL || !c->timed)
        return false;
    server_timing_format(c->timing, clock_now_ns() - c->start_ns, out);
    return true;
}

enum MHD_Result server_queue(struct MHD_Connection *conn, unsigned status,
                             struct MHD_Response *r)
{
    char v[SERVER_TIMING_FORMAT_MAX];
    if (timing_value(conn, v))
        MHD_add_response_header(r, SERVER_TIMING_HEADER, v);
    return MHD_queue_response(conn, status, r);
}

int server_fixed_init(struct server_fixed *f, const char *content_type, const char *body,
                      size_t len)
{
    *f = (struct server_fixed){.len = len};
    f->body = malloc(len ? len : 1);
    if (f->body == NULL)
        return -1;
    memcpy(f->body, body, len);
    f->shared = MHD_create_response_from_buffer(len, f->body, MHD_RESPMEM_PERSISTENT);
    if (f->shared == NULL) {
        server_fixed_free(f);
        return -1;
    }
    MHD_add_response_header(f->shared, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(f->shared, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    return 0;
}

int server_fixed_problem(struct server_fixed *f, unsigned status, const char *detail,
                         const char *header_name, const char *header_value)
{
    size_t len;
    char *body = problem_render(status, detail, &len);
    if (body == NULL) {
        *f = (struct server_fixed){0};
        return -1;
    }
    int rc = server_fixed_init(f, PROBLEM_CONTENT_TYPE, body, len);
    free(body);
    if (rc == 0 && header_name != NULL)
        MHD_add_response_header(f->shared, header_name, header_value);
    return rc;
}

void server_fixed_free(struct server_fixed *f)
{
    if (f->shared)
        MHD_destroy_response(f->shared);
    free(f->body);
    *f = (struct server_fixed){0};
}

static enum MHD_Result copy_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    MHD_add_response_header(cls, key, value);
    return MHD_YES;
}

enum MHD_Result server_queue_fixed(struct MHD_Connection *conn, unsigned status,
                                   const struct server_fixed *f)
{
    char v[SERVER_TIMING_FORMAT_MAX];
    if (!timing_value(conn, v))
        return MHD_queue_response(conn, status, f->shared);
    /* The body stays the fixed one's (it lives as long as the server); the
     * headers are copied, then this request's timing added. */
    struct MHD_Response *r =
        MHD_create_response_from_buffer(f->len, f->body, MHD_RESPMEM_PERSISTENT);
    if (r == NULL)
        return MHD_NO;
    MHD_get_response_headers(f->shared, copy_header, r);
    MHD_add_response_header(r, SERVER_TIMING_HEADER, v);
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

enum MHD_Result server_reply_owned(struct MHD_Connection *conn, unsigned status,
                                   const char *content_type, char *body, size_t len)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ret = server_queue(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

enum MHD_Result server_reply_json(struct MHD_Connection *conn, unsigned status, char *body,
                                  size_t len)
{
    return server_reply_owned(conn, status, "application/json", body, len);
}

enum MHD_Result server_reply_problem(struct MHD_Connection *conn, unsigned status,
                                     const char *detail)
{
    size_t len;
    char *body = problem_render(status, detail, &len);
    if (body == NULL)
        return MHD_NO;
    return server_reply_owned(conn, status, PROBLEM_CONTENT_TYPE, body, len);
}

struct header_count {
    const char *name;
    const char *first;
    unsigned count;
};

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    struct header_count *hc = cls;
    if (strcasecmp(key, hc->name) == 0) {
        if (hc->count++ == 0)
            hc->first = value;
    }
    return MHD_YES;
}

const char *server_header(struct MHD_Connection *conn, const char *name, unsigned *count)
{
    struct header_count hc = {.name = name};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &hc);
    if (count != NULL)
        *count = hc.count;
    return hc.first;
}

const char *server_authorization(struct MHD_Connection *conn)
{
    unsigned count;
    const char *value = server_header(conn, MHD_HTTP_HEADER_AUTHORIZATION, &count);
    return count > 1 ? "," : value;
}

int server_unauthorized_init(struct server_fixed r[TOKEN_EXPIRED + 1])
{
    memset(r, 0, (TOKEN_EXPIRED + 1) * sizeof *r);
    for (int i = TOKEN_MISSING; i <= TOKEN_EXPIRED; i++) {
        if (server_fixed_problem(&r[i], MHD_HTTP_UNAUTHORIZED, token_result_detail(i),
                                 MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                 token_result_challenge(i)) != 0) {
            server_unauthorized_free(r);
            return -1;
        }
    }
    return 0;
}

void server_unauthorized_free(struct server_fixed r[TOKEN_EXPIRED + 1])
{
    for (int i = TOKEN_MISSING; i <= TOKEN_EXPIRED; i++)
        server_fixed_free(&r[i]);
}

static unsigned method_bit(const char *method)
{
    if (strcmp(method, MHD_HTTP_METHOD_GET) == 0)
        return SERVER_GET;
    if (strcmp(method, MHD_HTTP_METHOD_HEAD) == 0)
        return SERVER_HEAD;
    if (strcmp(method, MHD_HTTP_METHOD_POST) == 0)
        return SERVER_POST;
    return SERVER_OTHER;
}

static void format_allow(unsigned methods, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s%s%s%s%s", (methods & SERVER_GET) ? "GET" : "",
             (methods & SERVER_GET) && (methods & ~SERVER_GET) ? ", " : "",
             (methods & SERVER_HEAD) ? "HEAD" : "",
             (methods & SERVER_HEAD) && (methods & SERVER_POST) ? ", " : "",
             (methods & SERVER_POST) ? "POST" : "");
}

/* MHD keeps each connection's request in a memory pool of this size, and zeroes
 * the whole pool before every request on a keep-alive connection: at MHD's default
 * of 32 KiB that memset was 5-8 % of the monolith's CPU and grew with the number
 * of connections (cache misses), so the pool is 16 KiB. The header and URL limits
 * below are checked by the server itself, under the pool size, so that oversized
 * input gets a problem+json answer; input too large even for the pool is answered
 * by libmicrohttpd itself (431/414 with its own HTML body) before any handler. */
#define SERVER_CONNECTION_MEMORY 16384
#define SERVER_MAX_HEADER_BYTES 8192
#define SERVER_MAX_URL_BYTES 4096
#define SERVER_MAX_QUERY_PARAMS 32

/* A chunked body that outgrows its limit is answered 413 at once (written to the
 * socket, see send_raw_problem), and then up to this much more of it is read and
 * dropped before the connection is closed: a client still sending gets to finish
 * its write and read the answer instead of a reset. */
#define SERVER_LINGER_BYTES (1024 * 1024)

/* The header deadline: a connection waits for a request's headers from its accept,
 * or from the end of its previous request, for at most header_timeout_ms. */
static void waiting_add(struct server_conn *c)
{
    struct server_daemon *d = c->d;
    c->waiting = true;
    c->since_ms = d->worker->now_ms;
    c->next = NULL;
    c->prev = d->waiting_tail;
    if (d->waiting_tail)
        d->waiting_tail->next = c;
    else
        d->waiting_head = c;
    d->waiting_tail = c;
}

static void waiting_remove(struct server_conn *c)
{
    if (!c->waiting)
        return;
    struct server_daemon *d = c->d;
    if (c->prev)
        c->prev->next = c->next;
    else
        d->waiting_head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        d->waiting_tail = c->prev;
    c->waiting = false;
}

/* Closes the connections whose headers are overdue. MHD 0.9.75 has no call to
 * close a connection from outside its handlers, so the socket is shut down: MHD
 * then reads end-of-file and closes it in its next run (the shutdown wakes the
 * daemon's epoll set). Its inactivity timeout alone lets a client that sends a
 * byte every few seconds hold a slot for ever. */
static void expire_waiting(struct server_daemon *d, uint64_t now)
{
    struct server_conn *c;
    while ((c = d->waiting_head) != NULL && now - c->since_ms >= d->header_timeout_ms) {
        waiting_remove(c);
        shutdown(c->fd, SHUT_RDWR);
        log_debug("closing a connection that sent no complete request headers in %llu ms",
                  (unsigned long long)d->header_timeout_ms);
    }
}

/* Milliseconds until the oldest waiting connection is overdue, or -1. */
static long waiting_timeout(const struct server_daemon *d, uint64_t now)
{
    const struct server_conn *c = d->waiting_head;
    if (c == NULL)
        return -1;
    uint64_t due = c->since_ms + d->header_timeout_ms;
    return due <= now ? 0 : (long)(due - now);
}

/* What check_target returns for a target it refused: the request's first
 * handler call finds it in *con_cls and answers 414. */
static char target_refused;

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    struct server_daemon *d = cls;
    /* With a URI log callback (check_target) libmicrohttpd reports every request
     * whose request line it parsed, also those that ended before a handler call:
     * a refused target's marker is no state, and one without an answer (the
     * client left mid-head) is not counted, as before. */
    struct request_state *st = *con_cls == &target_refused ? NULL : *con_cls;
    if (d->cfg->request_done != NULL) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_HTTP_STATUS);
        unsigned status = st && st->raw_status ? st->raw_status : ci ? ci->http_status : 0;
        if (st != NULL || status != 0)
            d->cfg->request_done(d->app_worker, status, st ? clock_now_us() - st->start_us : 0);
    }
    /* A keep-alive connection now waits for its next request's headers. */
    struct server_conn *c = conn_of(conn);
    if (c != NULL) {
        c->timing = NULL;
        if (!c->waiting)
            waiting_add(c);
    }
    if (st == NULL) {
        *con_cls = NULL;
        return;
    }
    if (st->app_free != NULL && st->app != NULL)
        st->app_free(st->app);
    atomic_fetch_sub(&d->shared->body_held, st->body_held);
    free(st->raw_query);
    free(st->body);
    free(st);
    *con_cls = NULL;
}

static const struct server_route *find_route(const struct server_config *cfg,
                                            const char *url)
{
    for (size_t i = 0; i < cfg->nroutes; i++) {
        const struct server_route *rt = &cfg->routes[i];
        bool match = rt->prefix ? strncmp(url, rt->path, strlen(rt->path)) == 0
                                : strcmp(url, rt->path) == 0;
        if (match)
            return rt;
    }
    return NULL;
}

static size_t route_max_body(const struct server_config *cfg, const struct server_route *rt)
{
    return rt != NULL && rt->max_body != 0 ? rt->max_body : cfg->max_body;
}

static void too_large_detail(size_t limit, char *out, size_t len)
{
    snprintf(out, len, "request body larger than %zu bytes", limit);
}

/* The shared 413 answer states the server's limit; a route with its own limit gets
 * a one-off answer naming that one. */
static enum MHD_Result reply_too_large(struct server_daemon *d, struct MHD_Connection *conn,
                                       const struct server_route *rt)
{
    if (rt == NULL || rt->max_body == 0)
        return server_queue_fixed(conn, MHD_HTTP_CONTENT_TOO_LARGE, &d->shared->too_large);
    char detail[96];
    too_large_detail(rt->max_body, detail, sizeof detail);
    return server_reply_problem(conn, MHD_HTTP_CONTENT_TOO_LARGE, detail);
}

/* Writes a whole problem+json answer with Connection: close straight to the
 * socket and ends the sending side, for a request libmicrohttpd can no longer
 * answer: 0.9.75 queues responses only before a request's body or after all of it.
 * The client has had no byte of an answer yet, so one small write fits in the
 * socket's send buffer. */
static void send_raw_problem(struct MHD_Connection *conn, unsigned status, const char *detail)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    size_t blen;
    char *body = problem_render(status, detail, &blen);
    if (ci == NULL || body == NULL) {
        free(body);
        return;
    }
    char timing[SERVER_TIMING_FORMAT_MAX];
    bool timed = timing_value(conn, timing);
    char head[256 + SERVER_TIMING_FORMAT_MAX];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %u %s\r\nContent-Type: %s\r\nCache-Control: no-store\r\n"
                     "Connection: close\r\nContent-Length: %zu\r\n%s%s%s\r\n",
                     status, problem_title(status), PROBLEM_CONTENT_TYPE, blen,
                     timed ? SERVER_TIMING_HEADER ": " : "", timed ? timing : "",
                     timed ? "\r\n" : "");
    struct iovec iov[2] = {{head, (size_t)n}, {body, blen}};
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
    ssize_t w = sendmsg(ci->connect_fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w != (ssize_t)((size_t)n + blen))
        log_debug("a %u answer could not be written whole", status);
    shutdown(ci->connect_fd, SHUT_WR);
    free(body);
}

/* Appends body bytes for a keep_body route; the buffer doubles, so a 6 MB body
 * arriving in 16 KiB pieces costs about ten reallocations. */
static bool keep_body(struct request_state *st, const char *data, size_t len)
{
    size_t seen = st->body_seen; /* the caller counts the bytes */
    return buf_append(&st->body, &seen, &st->body_cap, data, len, 1024);
}

/* Answers a request whose body is still coming with status, written past
 * libmicrohttpd (send_raw_problem); the rest of the body is read and dropped,
 * up to SERVER_LINGER_BYTES, before the connection is closed. What was kept of
 * the body goes at once, and its share of the site's budget with it. */
static void answer_mid_body(struct server_daemon *d, struct MHD_Connection *conn,
                            struct request_state *st, unsigned status, const char *detail)
{
    send_raw_problem(conn, status, detail);
    st->raw_status = status;
    atomic_fetch_sub(&d->shared->body_held, st->body_held);
    st->body_held = 0;
    free(st->body);
    st->body = NULL;
    st->body_cap = 0;
}

/* Reserves len bytes of the site's body budget for st's kept body; false when
 * that would take the site over max_body_memory (0: no budget). Compare and swap,
 * not add then take back: two workers adding at once could each see the other's
 * tentative bytes and both refuse, where one of the two bodies fitted. */
static bool hold_body(struct server_daemon *d, struct request_state *st, size_t len)
{
    size_t max = d->cfg->max_body_memory;
    if (max == 0)
        return true;
    size_t held = atomic_load(&d->shared->body_held);
    do {
        if (len > max - (held < max ? held : max))
            return false;
    } while (!atomic_compare_exchange_weak(&d->shared->body_held, &held, held + len));
    st->body_held += len;
    return true;
}

/* Body bytes (a chunked body has no Content-Length to check up front): kept for
 * keep_body routes, otherwise counted and dropped; past the limit answered 413,
 * past the site's body budget 503. */
static enum MHD_Result take_body(struct server_daemon *d, struct MHD_Connection *conn,
                                 struct request_state *st, const char *data, size_t len)
{
    size_t limit = route_max_body(d->cfg, st->route);
    if (st->raw_status != 0) { /* answered already: drop, then close */
        st->dropped = st->dropped > SIZE_MAX - len ? SIZE_MAX : st->dropped + len;
        return st->dropped > SERVER_LINGER_BYTES ? MHD_NO : MHD_YES;
    }
    if (st->route != NULL && st->route->handle_oversize &&
        (st->oversize || st->body_seen + len > limit)) {
        if (!st->oversize) { /* counted from here on, not kept */
            free(st->body);
            st->body = NULL;
            st->oversize = true;
        }
        st->body_seen = st->body_seen > SIZE_MAX - len ? SIZE_MAX : st->body_seen + len;
        return MHD_YES;
    }
    if (st->body_seen + len > limit) {
        char detail[96];
        too_large_detail(limit, detail, sizeof detail);
        answer_mid_body(d, conn, st, MHD_HTTP_CONTENT_TOO_LARGE, detail);
        return MHD_YES;
    }
    bool keep = st->route != NULL && st->route->keep_body;
    if (keep && !hold_body(d, st, len)) {
        answer_mid_body(d, conn, st, MHD_HTTP_SERVICE_UNAVAILABLE,
                        "the server holds as many request bodies as it may; try again later");
        return MHD_YES;
    }
    if (keep && !keep_body(st, data, len))
        return MHD_NO;
    st->body_seen += len;
    return MHD_YES;
}

/* What the checks of the request head look at, fed field by field. */
struct head_scan {
    struct http_head h;
    const char *first;    /* the first field's name: the start of the header lines */
    const char *prev_end; /* where the previous field's value ends */
    bool hidden;          /* the head held bytes libmicrohttpd dropped */
};

/* True when end..next holds only the NULs libmicrohttpd 0.9.75 leaves of a line
 * break. It parses the head in place in its read buffer, turning each CR LF (or
 * bare LF) into NULs, and keeps names and values as pointers into that buffer, cut
 * at their first NUL. Anything else between one value and the next name is input
 * it silently dropped: a NUL inside a value (and the rest of that value; RFC 9112
 * §5.5 asks to reject or replace it) or an obs-fold line (which it glues to the
 * name; §5.2 asks to reject or replace it). */
static bool only_line_break(const char *end, const char *next, size_t min, size_t max)
{
    uintptr_t gap = (uintptr_t)next - (uintptr_t)end;
    if (gap < min || gap > max)
        return false;
    for (uintptr_t i = 0; i < gap; i++)
        if (end[i] != '\0')
            return false;
    return true;
}

static enum MHD_Result scan_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                  size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    struct head_scan *s = cls;
    if (value == NULL)
        value = "";
    http_head_field(&s->h, key, key_size, value, value_size);
    if (s->prev_end == NULL)
        s->first = key;
    else if (!only_line_break(s->prev_end, key, 1, 2))
        s->hidden = true;
    s->prev_end = value + value_size;
    return MHD_YES;
}

/* Checks a request's head before any work: sizes (414, 431), the RFC 9112 rules
 * of http_head.h (400, 501) and a body announced too large (413). Returns NULL
 * when the request may go on, else the problem to answer (status in *status, a
 * shared response in *shared when there is one). The connection is then closed:
 * an answer queued on the first handler call gets Connection: close. */
static const char *check_head(struct server_daemon *d, struct MHD_Connection *conn,
                              const char *url, const char *method, const char *version,
                              const struct server_route *rt, unsigned *status,
                              const struct server_fixed **shared)
{
    *shared = NULL;
    if (strlen(url) > SERVER_MAX_URL_BYTES) {
        *status = MHD_HTTP_URI_TOO_LONG;
        *shared = &d->shared->uri_too_long;
        return "";
    }
    struct head_scan s = {.prev_end = NULL};
    http_head_init(&s.h);
    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, scan_field, &s);
    if (s.h.bytes > SERVER_MAX_HEADER_BYTES) {
        *status = MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE;
        *shared = &d->shared->headers_too_large;
        return "";
    }
    if (s.prev_end != NULL) {
        /* After the last field: its line break, then an empty line. The header
         * lines are then one block, scanned at once for control characters. */
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
        const char *end = ci ? method + ci->header_size : NULL;
        if (end == NULL || (uintptr_t)s.first > (uintptr_t)end ||
            !only_line_break(s.prev_end, end, 2, 4))
            s.hidden = true;
        else if (http_head_has_ctl(s.first, (size_t)(end - s.first)))
            s.h.bad_field = true;
    }
    if (s.hidden) {
        *status = MHD_HTTP_BAD_REQUEST;
        return "malformed header field (a NUL byte, or a line folded onto the next)";
    }
    enum http_head_verdict v =
        http_head_verdict(&s.h, strcmp(version, MHD_HTTP_VERSION_1_0) != 0);
    if (v != HTTP_HEAD_OK) {
        *status = http_head_status(v);
        return http_head_detail(v);
    }
    if (s.h.lengths > 0 && s.h.content_length > route_max_body(d->cfg, rt) &&
        (rt == NULL || !rt->handle_oversize)) {
        *status = MHD_HTTP_CONTENT_TOO_LARGE;
        if (rt == NULL || rt->max_body == 0)
            *shared = &d->shared->too_large;
        return "";
    }
    return NULL;
}

/* libmicrohttpd 0.9.75 records every query parameter in the connection's 16 KiB
 * memory pool while it parses the request line, and when the pool runs out the
 * 431 it then queues is lost: the parser goes on to wait for headers it has no
 * room for. So GET /profile?k0=v&...&k249=v (a 2 KB request line) got no answer
 * at all until the header deadline closed the connection 10 s later, and 60
 * parameters of 200 bytes had it closed at once without one. Called with the raw
 * target before the parameters are parsed: a target over SERVER_MAX_URL_BYTES
 * (the path alone used to be checked, so a 15 KB query passed) or with more than
 * SERVER_MAX_QUERY_PARAMS parameters has its query emptied in place (the request
 * line, in MHD's read buffer), and is answered 414 by start_request. Each
 * parameter takes a record in the pool: beside a 4 KiB target and a 7.9 KiB header
 * 56 parameters were still answered and 64 were not, hence 32. */
static void *check_target(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct server_daemon *d = cls;
    struct server_conn *c = d->cfg->raw_query ? conn_of(conn) : NULL;
    if (c != NULL) { /* left by a request that ended before its handler */
        free(c->raw_query);
        c->raw_query = NULL;
        c->raw_query_lost = false;
    }
    char *query = strchr(uri, '?');
    if (query == NULL)
        return NULL; /* a path alone: check_head measures it */
    size_t params = 1;
    for (const char *p = query; *p != '\0'; p++)
        params += *p == '&';
    if (params <= SERVER_MAX_QUERY_PARAMS && (size_t)(query - uri) + strlen(query) <=
                                                 SERVER_MAX_URL_BYTES) {
        if (c != NULL) { /* before libmicrohttpd decodes it in place */
            c->raw_query = strdup(query + 1);
            c->raw_query_lost = c->raw_query == NULL;
        }
        return NULL;
    }
    query[1] = '\0';
    return &target_refused;
}

/* First handler call: the headers are in. Refused requests are answered at once
 * (MHD then closes the connection, as it should after a bad head or before an
 * unwanted body); others get their per-request state. */
static enum MHD_Result start_request(struct server_daemon *d, struct MHD_Connection *conn,
                                     const char *url, const char *method,
                                     const char *version, void **con_cls)
{
    const struct server_config *cfg = d->cfg;
    bool timed = !cfg->no_server_timing;
    uint64_t start_ns = timed || cfg->request_done != NULL ? clock_now_ns() : 0;
    struct server_conn *c = conn_of(conn);
    if (c != NULL) {
        waiting_remove(c);
        c->timed = timed;
        c->start_ns = start_ns;
        c->timing = NULL;
    }
    if (*con_cls == &target_refused) {
        *con_cls = NULL;
        return server_queue_fixed(conn, MHD_HTTP_URI_TOO_LONG, &d->shared->uri_too_long);
    }
    const struct server_route *rt = strcmp(url, "/health") == 0 ? NULL : find_route(cfg, url);
    unsigned status;
    const struct server_fixed *shared;
    const char *detail = check_head(d, conn, url, method, version, rt, &status, &shared);
    if (detail != NULL) {
        if (shared != NULL)
            return server_queue_fixed(conn, status, shared);
        if (status == MHD_HTTP_CONTENT_TOO_LARGE)
            return reply_too_large(d, conn, rt);
        return server_reply_problem(conn, status, detail);
    }
    /* Untimed requests do not allocate the timing's entries. */
    size_t size = timed ? sizeof(struct request_state) : offsetof(struct request_state, timing);
    struct request_state *st = malloc(size);
    if (st == NULL)
        return MHD_NO;
    memset(st, 0, offsetof(struct request_state, timing));
    if (cfg->raw_query && c != NULL) {
        if (c->raw_query_lost) { /* out of memory, as for st: close */
            free(st);
            return MHD_NO;
        }
        st->raw_query = c->raw_query;
        c->raw_query = NULL;
    }
    st->route = rt;
    st->start_us = start_ns / 1000;
    if (timed) {
        st->timing.n = 0;
        if (c != NULL)
            c->timing = &st->timing;
    }
    *con_cls = st;
    return MHD_YES;
}

/* Exactly one service-secret header, with the right value. */
static bool caller_presents_secret(struct MHD_Connection *conn,
                                   const struct service_secret *secret)
{
    unsigned count;
    const char *v = server_header(conn, SERVICE_SECRET_HEADER, &count);
    return count == 1 && service_secret_matches(secret, v);
}

/* The path of an absolute-form target ("http://host:port/profile"), which RFC 9112
 * §3.2.2 says a server MUST accept; libmicrohttpd passes the target on as it came,
 * so such a request for /profile got 404. Other targets are returned unchanged. */
static const char *origin_path(const char *url)
{
    if (url[0] == '/')
        return url; /* origin-form, nearly every request: no compare */
    size_t scheme = strncasecmp(url, "http://", 7) == 0    ? 7
                    : strncasecmp(url, "https://", 8) == 0 ? 8
                                                           : 0;
    if (scheme == 0)
        return url;
    const char *path = strchr(url + scheme, '/');
    return path != NULL ? path : "/";
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    struct server_daemon *d = cls;
    const struct server_config *cfg = d->cfg;
    url = origin_path(url);

    if (*con_cls == NULL || *con_cls == &target_refused)
        return start_request(d, conn, url, method, version, con_cls);
    struct request_state *st = *con_cls;
    if (*upload_data_size > 0) {
        size_t len = *upload_data_size;
        *upload_data_size = 0;
        return take_body(d, conn, st, upload_data, len);
    }
    if (st->raw_status != 0) /* answered 413 or 503 already: close */
        return MHD_NO;

    unsigned m = method_bit(method);
    if (strcmp(url, "/health") == 0) {
        if (m != SERVER_GET && m != SERVER_HEAD)
            return server_queue_fixed(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
                                      &d->shared->health_not_allowed);
        return server_queue_fixed(conn, MHD_HTTP_OK, &d->shared->health);
    }
    if (cfg->service_secret != NULL && !caller_presents_secret(conn, cfg->service_secret))
        return server_queue_fixed(conn, MHD_HTTP_UNAUTHORIZED, &d->shared->no_credential);
    const struct server_route *rt = st->route;
    if (rt == NULL)
        return server_queue_fixed(conn, MHD_HTTP_NOT_FOUND, &d->shared->not_found);
    if ((rt->methods & m) == 0)
        return server_queue_fixed(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
                                  &d->shared->not_allowed[rt - cfg->routes]);
    struct server_request req = {.conn = conn, .method = method, .url = url,
                                 .worker = d->app_worker, .state = &st->app,
                                 .state_free = &st->app_free, .body = st->body,
                                 .body_len = st->body || st->oversize ? st->body_seen : 0,
                                 .body_too_large = st->oversize,
                                 .timing = cfg->no_server_timing ? NULL : &st->timing};
    if (cfg->raw_query)
        req.raw_query = st->raw_query ? st->raw_query : "";
    return rt->handler(&req);
}

/* MHD's own messages are client trouble most of the time (bad requests, resets):
 * log them, but at most a few per second so a misbehaving client cannot flood. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    static struct log_budget budget;
    if (!log_budget_take(&budget))
        return;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_warn("libmicrohttpd: %s", msg);
}

/* libmicrohttpd decodes %XX in the request target in place and hands the path on
 * as a C string, so "/profile%00x" arrived as "/profile": a path routed to a
 * resource it does not name. A target holding %00 is left undecoded instead, so it
 * matches no route (404). Also called for query arguments, which no route reads. */
static size_t unescape_target(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    for (const char *p = strchr(s, '%'); p != NULL; p = strchr(p + 1, '%'))
        if (p[1] == '0' && p[2] == '0')
            return strlen(s);
    return MHD_http_unescape(s);
}

/* Every connection gets its server_conn: its daemon (server_resume wakes that
 * daemon's worker) and its place in the header-deadline list. The daemon counts
 * its connections here to know when MHD stops and resumes accepting. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct server_daemon *d = cls;
    struct server_conn *c = *socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        d->connections--;
        if (c != NULL) {
            waiting_remove(c);
            free(c->raw_query);
            free(c);
        }
        *socket_context = NULL;
        return;
    }
    d->connections++;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    c = calloc(1, sizeof *c);
    if (c == NULL || ci == NULL) { /* out of memory: no state, no connection */
        free(c);
        if (ci != NULL)
            shutdown(ci->connect_fd, SHUT_RDWR);
        return;
    }
    c->d = d;
    c->fd = ci->connect_fd;
    waiting_add(c);
    *socket_context = c;
}

/* The worker this thread runs, if it is one: server_resume from inside a
 * handler needs no wake-up, the loop runs the daemon again before it sleeps. */
static _Thread_local struct server_worker *current_worker;

/* MHD 0.9.75 without an internal thread only marks a connection as resuming: the
 * loop that owns the daemon must run MHD_run() afterwards. From another thread
 * that takes a wake-up (eventfd); from the loop's own thread (a trigger request
 * handing work to a parked Runtime API call, and back) only a flag. */
void server_resume(struct MHD_Connection *conn)
{
    struct server_conn *c = conn_of(conn);
    MHD_resume_connection(conn);
    if (c == NULL)
        return;
    struct server_daemon *d = c->d;
    atomic_store(&d->resumed, true);
    struct server_worker *wk = d->worker;
    if (wk == current_worker) {
        wk->rerun = true;
    } else if (wk->wake_fd >= 0) {
        uint64_t one = 1;
        ssize_t n = write(wk->wake_fd, &one, sizeof one);
        (void)n;
    }
}

int server_add_connection(const struct server_config *site, int fd,
                          const struct sockaddr *addr, socklen_t addrlen)
{
    struct server_worker *wk = current_worker;
    struct server_daemon *d = NULL;
    for (size_t i = 0; wk != NULL && i < wk->ndaemons && d == NULL; i++)
        if (wk->daemons[i]->cfg == site)
            d = wk->daemons[i];
    if (d == NULL) {
        close(fd);
        return -1;
    }
    /* MHD closes fd itself when it refuses it. The new connection is read in
     * this loop pass, before the worker sleeps again. */
    if (MHD_add_connection(d->daemon, fd, addr, addrlen) != MHD_YES)
        return -1;
    atomic_store(&d->resumed, true);
    wk->rerun = true;
    return 0;
}

/* The most sites one server serves (faas: the trigger and the Runtime API). */
#define SERVER_MAX_SITES 4

/* The loop's clock: a coarse monotonic one (a few ms of resolution, cheaper to
 * read), enough for deadlines counted in seconds. */
static uint64_t loop_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* MHD_run, then accepting again if the run left the daemon below its connection
 * limit. MHD 0.9.75 takes its listening socket out of its epoll set when a run
 * starts at the limit, and puts it back only at the start of a later run below
 * it; the connections that close in a run are counted off only at its end. So
 * when the last connections of a full daemon close, nothing is left in its epoll
 * set to wake the loop: the daemon stopped accepting for good, while SO_REUSEPORT
 * kept queueing new connections on its socket. One more run puts it back. */
static void daemon_run(struct server_daemon *d)
{
    MHD_run(d->daemon);
    bool was_at_limit = d->at_limit;
    d->at_limit = d->connections >= d->limit;
    if (was_at_limit && !d->at_limit) {
        MHD_run(d->daemon);
        d->at_limit = d->connections >= d->limit;
    }
}

static void *worker_main(void *arg)
{
    struct server_worker *wk = arg;
    current_worker = wk;
    wk->now_ms = loop_clock_ms();
    size_t nd = wk->ndaemons;
    /* fds: stop pipe, wake eventfd, then per daemon its epoll fd and its app fd. */
    struct pollfd fds[2 + 2 * SERVER_MAX_SITES];
    int epoll_at[SERVER_MAX_SITES], app_at[SERVER_MAX_SITES];
    nfds_t nfds = 0;
    fds[nfds++] = (struct pollfd){.fd = wk->stop_fd, .events = POLLIN};
    fds[nfds++] = (struct pollfd){.fd = wk->wake_fd, .events = POLLIN}; /* -1: ignored */
    for (size_t i = 0; i < nd; i++) {
        struct server_daemon *d = wk->daemons[i];
        const union MHD_DaemonInfo *info =
            MHD_get_daemon_info(d->daemon, MHD_DAEMON_INFO_EPOLL_FD);
        epoll_at[i] = (int)nfds;
        fds[nfds++] = (struct pollfd){.fd = info->epoll_fd, .events = POLLIN};
        int app_fd = d->cfg->worker_fd ? d->cfg->worker_fd(d->app_worker) : -1;
        app_at[i] = app_fd >= 0 ? (int)nfds : -1;
        if (app_fd >= 0)
            fds[nfds++] = (struct pollfd){.fd = app_fd, .events = POLLIN};
    }
    for (;;) {
        /* MHD_get_timeout() is 0 while MHD still has buffered work: honouring it is
         * what keeps edge-triggered connections from being forgotten. */
        long timeout = -1;
        bool due[SERVER_MAX_SITES];
        for (size_t i = 0; i < nd; i++) {
            struct server_daemon *d = wk->daemons[i];
            MHD_UNSIGNED_LONG_LONG to;
            long t = -1;
            if (MHD_get_timeout(d->daemon, &to) == MHD_YES)
                t = to > INT_MAX ? INT_MAX : (long)to;
            if (d->cfg->worker_timeout_ms) {
                long app_to = d->cfg->worker_timeout_ms(d->app_worker);
                if (app_to >= 0 && (t < 0 || app_to < t))
                    t = app_to;
            }
            due[i] = t == 0;
            long hdr = waiting_timeout(d, wk->now_ms);
            if (hdr >= 0 && (t < 0 || hdr < t))
                t = hdr;
            if (t >= 0 && (timeout < 0 || t < timeout))
                timeout = t;
        }
        int ready = poll(fds, nfds, (int)timeout);
        wk->now_ms = loop_clock_ms();
        if (ready < 0 && errno != EINTR) {
            log_error("poll: %s", strerror(errno));
            break;
        }
        if (fds[0].revents != 0)
            break;
        if (fds[1].revents != 0) {
            uint64_t v;
            ssize_t n = read(wk->wake_fd, &v, sizeof v);
            (void)n;
        }
        /* A daemon runs when its sockets or its application fd woke the loop, a
         * connection of it was resumed, or its timeout is due; the others are left
         * alone (MHD_run costs an epoll_wait even with nothing to do). MHD keeps a
         * resumed connection in its ready list for a pass or two after serving it
         * (MHD_get_timeout is 0 meanwhile), so zero timeouts are frequent: only a
         * timed-out wait of some length runs every daemon. */
        bool waited_out = ready == 0 && timeout > 0;
        for (size_t i = 0; i < nd; i++) {
            struct server_daemon *d = wk->daemons[i];
            bool app_ready = app_at[i] >= 0 && fds[app_at[i]].revents != 0;
            if (d->cfg->worker_run)
                d->cfg->worker_run(d->app_worker);
            if (app_ready && d->cfg->worker_fd_ready)
                d->cfg->worker_fd_ready(d->app_worker);
            bool run = waited_out || due[i] || fds[epoll_at[i]].revents != 0 || app_ready;
            if (atomic_exchange(&d->resumed, false) || run)
                daemon_run(d);
        }
        /* Handlers of one daemon resumed connections of another (or its own):
         * serve them now, in this thread, before sleeping. */
        while (wk->rerun) {
            wk->rerun = false;
            for (size_t i = 0; i < nd; i++)
                if (atomic_exchange(&wk->daemons[i]->resumed, false))
                    daemon_run(wk->daemons[i]);
        }
        for (size_t i = 0; i < nd; i++)
            expire_waiting(wk->daemons[i], wk->now_ms);
    }
    for (size_t i = 0; i < nd; i++)
        if (wk->daemons[i]->cfg->worker_stop)
            wk->daemons[i]->cfg->worker_stop(wk->daemons[i]->app_worker);
    return NULL;
}

static int shared_init(struct server_shared *s, const struct server_config *cfg)
{
    static const char health[] = "{\"status\":\"ok\"}";
    int rc = server_fixed_init(&s->health, "application/json", health, sizeof health - 1);
    rc |= server_fixed_problem(&s->not_found, 404, "no such resource", NULL, NULL);
    char detail[96];
    too_large_detail(cfg->max_body, detail, sizeof detail);
    rc |= server_fixed_problem(&s->too_large, 413, detail, NULL, NULL);
    snprintf(detail, sizeof detail, "request headers larger than %d bytes",
             SERVER_MAX_HEADER_BYTES);
    rc |= server_fixed_problem(&s->headers_too_large, 431, detail, NULL, NULL);
    snprintf(detail, sizeof detail,
             "request target longer than %d bytes or with more than %d query parameters",
             SERVER_MAX_URL_BYTES, SERVER_MAX_QUERY_PARAMS);
    rc |= server_fixed_problem(&s->uri_too_long, 414, detail, NULL, NULL);
    rc |= server_fixed_problem(&s->health_not_allowed, 405,
                               "method not allowed on this resource", MHD_HTTP_HEADER_ALLOW,
                               "GET, HEAD");
    /* RFC 9110 asks a 401 for a challenge: the scheme names the header to send. */
    rc |= server_fixed_problem(
        &s->no_credential, 401,
        "this internal service answers only callers with the service secret",
        MHD_HTTP_HEADER_WWW_AUTHENTICATE, SERVICE_SECRET_CHALLENGE);
    s->not_allowed = calloc(cfg->nroutes ? cfg->nroutes : 1, sizeof *s->not_allowed);
    if (rc != 0 || !s->not_allowed)
        return -1;
    for (size_t i = 0; i < cfg->nroutes; i++) {
        char allow[32];
        format_allow(cfg->routes[i].methods, allow, sizeof allow);
        if (server_fixed_problem(&s->not_allowed[i], 405, "method not allowed on this resource",
                                 MHD_HTTP_HEADER_ALLOW, allow) != 0)
            return -1;
    }
    return 0;
}

static void shared_fini(struct server_shared *s, size_t nroutes)
{
    struct server_fixed *all[] = {&s->health, &s->not_found, &s->too_large,
                                  &s->health_not_allowed, &s->headers_too_large,
                                  &s->uri_too_long, &s->no_credential};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        server_fixed_free(all[i]);
    if (s->not_allowed)
        for (size_t i = 0; i < nroutes; i++)
            server_fixed_free(&s->not_allowed[i]);
    free(s->not_allowed);
}

/* Binds one socket per worker. With several workers they form an SO_REUSEPORT
 * group; since such a group would also admit a stale server of ours on the same
 * port, a fixed port is first probed with a plain bind so "address in use" is
 * reported instead of silently sharing the traffic. With port_per_worker each
 * worker binds a port of its own instead (the first the given one, the others
 * free ones), so a client chooses its worker by port. */
static int bind_daemons(struct server_daemon *ds, unsigned n, const struct server_config *cfg)
{
    struct sockaddr_storage addr;
    socklen_t len;
    char err[256];
    if (!net_parse_address(cfg->listen, &addr, &len, err, sizeof err)) {
        log_error("--listen: %s", err);
        return -1;
    }
    if (cfg->no_listen)
        return 0;
    bool shared_port = n > 1 && !cfg->port_per_worker;
    bool fixed_port = ((struct sockaddr_in *)&addr)->sin_port != 0;
    if (shared_port && fixed_port) {
        int probe = net_listen((struct sockaddr *)&addr, len, false, err, sizeof err);
        if (probe < 0) {
            log_error("%s", err);
            return -1;
        }
        close(probe);
    }
    for (unsigned i = 0; i < n; i++) {
        ds[i].listen_fd = net_listen((struct sockaddr *)&addr, len, shared_port, err, sizeof err);
        if (ds[i].listen_fd < 0) {
            log_error("%s", err);
            return -1;
        }
        socklen_t blen = sizeof addr;
        struct sockaddr_storage got;
        getsockname(ds[i].listen_fd, (struct sockaddr *)&got, &blen);
        net_format_address((struct sockaddr *)&got, ds[i].address, sizeof ds[i].address);
        if (shared_port) /* port 0: the others join the port the kernel picked */
            addr = got;
        else /* each its own port: the others take free ones */
            ((struct sockaddr_in *)&addr)->sin_port = 0;
    }
    return 0;
}

struct server {
    const struct server_config *sites[SERVER_MAX_SITES];
    size_t nsites;
    struct server_shared shared[SERVER_MAX_SITES];
    struct server_daemon *daemons; /* site-major: daemons[site * nworkers + worker] */
    struct server_worker *workers;
    unsigned nworkers;
    int stop_pipe[2];
};

void server_block_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int server_wait_signal(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sig = 0;
    sigwait(&set, &sig);
    log_info("%s received, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
    return sig;
}

void server_stop(struct server *s)
{
    if (s == NULL)
        return;
    if (s->stop_pipe[1] >= 0) {
        ssize_t wr = write(s->stop_pipe[1], "x", 1);
        (void)wr;
    }
    for (unsigned i = 0; i < s->nworkers; i++)
        if (s->workers[i].started)
            pthread_join(s->workers[i].thread, NULL);
    for (size_t i = 0; i < s->nsites * s->nworkers; i++) {
        struct server_daemon *d = &s->daemons[i];
        if (d->daemon)
            MHD_stop_daemon(d->daemon);
        if (d->listen_fd >= 0)
            close(d->listen_fd);
        if (d->app_worker && d->cfg->worker_fini)
            d->cfg->worker_fini(d->app_worker);
    }
    for (unsigned i = 0; i < s->nworkers; i++) {
        if (s->workers[i].wake_fd >= 0)
            close(s->workers[i].wake_fd);
        free(s->workers[i].daemons);
    }
    for (size_t i = 0; i < s->nsites; i++)
        shared_fini(&s->shared[i], s->sites[i]->nroutes);
    if (s->stop_pipe[0] >= 0) {
        close(s->stop_pipe[0]);
        close(s->stop_pipe[1]);
    }
    free(s->daemons);
    free(s->workers);
    free(s);
}

/* The daemon of one site in one worker (bound already). */
static int daemon_open(struct server_daemon *d, unsigned index, unsigned per_worker)
{
    const struct server_config *cfg = d->cfg;
    if (cfg->worker_init) {
        char err[512] = "";
        d->app_worker = cfg->worker_init(cfg->app, index, err, sizeof err);
        if (d->app_worker == NULL) {
            log_error("%s", err[0] ? err : "worker start-up failed");
            return -1;
        }
    }
    unsigned flags = MHD_USE_EPOLL | MHD_USE_TURBO | MHD_USE_ERROR_LOG;
    if (cfg->suspend_resume)
        flags |= MHD_ALLOW_SUSPEND_RESUME;
    /* A site without a listening socket gets its connections from
     * server_add_connection: no MHD_OPTION_LISTEN_SOCKET then. */
    struct MHD_OptionItem listen_opt[] = {
        {cfg->no_listen ? MHD_OPTION_END : MHD_OPTION_LISTEN_SOCKET, d->listen_fd, NULL},
        {MHD_OPTION_END, 0, NULL}};
    if (cfg->no_listen)
        flags |= MHD_USE_NO_LISTEN_SOCKET;
    d->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, d,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, /* first, or MHD warns */
        MHD_OPTION_ARRAY, listen_opt,
        MHD_OPTION_CONNECTION_LIMIT, per_worker,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVER_CONNECTION_MEMORY,
        MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)(cfg->timeout_s ? cfg->timeout_s : SERVER_DEFAULT_TIMEOUT_S),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, d,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, d,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape_target, NULL,
        MHD_OPTION_URI_LOG_CALLBACK, check_target, d, MHD_OPTION_END);
    if (d->daemon == NULL) {
        log_error("cannot start the HTTP daemon for worker %u", index);
        return -1;
    }
    d->listen_fd = -1; /* the daemon owns it now */
    d->limit = per_worker;
    d->header_timeout_ms = cfg->header_timeout_ms ? cfg->header_timeout_ms
                                                  : SERVER_DEFAULT_HEADER_TIMEOUT_MS;
    return 0;
}

struct server *server_open(const struct server_config *const *sites, size_t nsites)
{
    if (nsites == 0 || nsites > SERVER_MAX_SITES)
        return NULL;
    struct server *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->nsites = nsites;
    memcpy(s->sites, sites, nsites * sizeof *sites);
    s->stop_pipe[0] = s->stop_pipe[1] = -1;
    unsigned n = sites[0]->threads ? sites[0]->threads : server_cpu_count();
    s->nworkers = n;
    s->daemons = calloc(nsites * n, sizeof *s->daemons);
    s->workers = calloc(n, sizeof *s->workers);
    if (s->daemons == NULL || s->workers == NULL) {
        free(s->daemons);
        free(s->workers);
        free(s);
        return NULL;
    }
    for (size_t i = 0; i < nsites * n; i++)
        s->daemons[i].listen_fd = -1;
    for (unsigned i = 0; i < n; i++)
        s->workers[i].wake_fd = -1;

    /* Workers inherit the mask: SIGINT/SIGTERM reach only server_wait_signal. */
    server_block_signals();
    unsigned long fds = net_raise_fd_limit(), max_total = 0;
    bool suspend = false;
    for (size_t k = 0; k < nsites; k++) {
        max_total += sites[k]->max_connections ? sites[k]->max_connections
                                               : SERVER_DEFAULT_MAX_CONNECTIONS;
        suspend |= sites[k]->suspend_resume;
    }
    if (fds < max_total + 64)
        log_warn("open file limit is %lu, below the connection limit %lu", fds, max_total);

    if (pipe2(s->stop_pipe, O_CLOEXEC) != 0) {
        log_error("start-up: out of resources");
        goto fail;
    }
    for (unsigned i = 0; i < n; i++) {
        struct server_worker *wk = &s->workers[i];
        wk->stop_fd = s->stop_pipe[0];
        wk->ndaemons = nsites;
        wk->daemons = calloc(nsites, sizeof *wk->daemons);
        if (wk->daemons == NULL)
            goto fail;
        if (suspend && (wk->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
            log_error("eventfd: %s", strerror(errno));
            goto fail;
        }
    }
    for (size_t k = 0; k < nsites; k++) {
        const struct server_config *cfg = sites[k];
        struct server_daemon *ds = &s->daemons[k * n];
        unsigned max_conn = cfg->max_connections ? cfg->max_connections
                                                 : SERVER_DEFAULT_MAX_CONNECTIONS;
        unsigned per_worker = max_conn / n ? max_conn / n : 1;
        if (shared_init(&s->shared[k], cfg) != 0) {
            log_error("start-up: out of resources");
            goto fail;
        }
        if (bind_daemons(ds, n, cfg) != 0)
            goto fail;
        for (unsigned i = 0; i < n; i++) {
            ds[i].cfg = cfg;
            ds[i].shared = &s->shared[k];
            ds[i].worker = &s->workers[i];
            s->workers[i].daemons[k] = &ds[i];
            if (daemon_open(&ds[i], i, per_worker) != 0)
                goto fail;
        }
    }
    return s;

fail:
    server_stop(s);
    return NULL;
}

const char *server_address(const struct server *s, size_t site, unsigned worker)
{
    return s->daemons[site * s->nworkers + worker].address;
}

unsigned server_threads(const struct server *s)
{
    return s->nworkers;
}

int server_serve(struct server *s)
{
    for (unsigned i = 0; i < s->nworkers; i++) {
        if (pthread_create(&s->workers[i].thread, NULL, worker_main, &s->workers[i]) != 0) {
            log_error("cannot start worker thread %u", i);
            return -1;
        }
        s->workers[i].started = true;
    }
    for (size_t k = 0; k < s->nsites; k++)
        if (!s->sites[k]->no_listen)
            log_info("listening on %s with %u worker thread%s", server_address(s, k, 0),
                     s->nworkers, s->nworkers == 1 ? "" : "s");
    return 0;
}

struct server *server_start(const struct server_config *cfg, char *bound, size_t boundlen)
{
    struct server *s = server_open(&cfg, 1);
    if (s == NULL)
        return NULL;
    if (server_serve(s) != 0) {
        server_stop(s);
        return NULL;
    }
    snprintf(bound, boundlen, "%s", server_address(s, 0, 0));
    return s;
}

int server_run(const struct server_config *cfg)
{
    char bound[80];
    struct server *s = server_start(cfg, bound, sizeof bound);
    if (s == NULL)
        return 1;
    printf("listening on %s\n", bound);
    fflush(stdout);
    server_wait_signal();
    server_stop(s);
    return 0;
}
