/* The libmicrohttpd server shared by every archbench server.
 *
 * Each worker thread runs its own MHD daemon in epoll mode from its own loop (wait
 * on the daemon's epoll fd for at most MHD_get_timeout(), then MHD_run()), with its
 * own SO_REUSEPORT listening socket. MHD 0.9.75's internal epoll thread stalls once
 * 128+ keep-alive connections are open (docs/server.md); this loop does not.
 *
 * The server owns what every server needs: listen address and the "listening on"
 * line, routing by exact path with 404 and 405 + Allow, GET /health, a bound on
 * request bodies (413), the RFC 9112 checks of a request head libmicrohttpd leaves
 * out (http_head.h), a deadline for a request's headers and an inactivity timeout
 * against slow clients, a connection limit, answering on the second handler call so
 * keep-alive holds, and a clean stop on SIGINT/SIGTERM. Applications supply routes
 * and per-thread state. */
#ifndef ARCHBENCH_SERVER_H
#define ARCHBENCH_SERVER_H

#include <getopt.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "server_timing.h"
#include "service_secret.h"
#include "token.h"

enum {
    SERVER_GET = 1 << 0,
    SERVER_HEAD = 1 << 1,
    SERVER_POST = 1 << 2,
    SERVER_OTHER = 1 << 3, /* any other method (PUT, DELETE, ...): catch-all routes */
    SERVER_ANY = SERVER_GET | SERVER_HEAD | SERVER_POST | SERVER_OTHER,
};

struct server_request {
    struct MHD_Connection *conn;
    const char *method;
    const char *url;
    void *worker; /* the application's per-thread state (worker_init's result) */
    /* Per-request slot for the application, NULL on the first dispatch. A handler
     * that suspends the connection (MHD_suspend_connection) is called again after
     * server_resume with the same slot; state_free, when set, is called on
     * the slot once the request ends, however it ends. */
    void **state;
    void (**state_free)(void *state);
    /* The request body, for routes with keep_body (NUL-terminated, body_len bytes
     * before the NUL); NULL and 0 otherwise or when there was none. */
    const char *body;
    size_t body_len;
    /* Routes with handle_oversize: the body was over the route's limit, read and
     * dropped (body is NULL, body_len counts what was received); the handler answers. */
    bool body_too_large;
    /* The request's Server-Timing steps (server_timing_add), or NULL when the site
     * does not time (--no-server-timing). Every answer queued through this server
     * (server_queue, server_queue_fixed, server_reply_*) carries them, followed by
     * total: the time from the request's headers in to its answer queued. Valid
     * until the request ends. */
    struct server_timing *timing;
    /* Sites with raw_query: the query as the client sent it (after the '?', not
     * decoded; "" when the target had none); NULL on other sites. */
    const char *raw_query;
};

typedef enum MHD_Result (*server_handler)(const struct server_request *req);

struct server_route {
    const char *path;   /* exact match, or a prefix when prefix is true */
    bool prefix;
    unsigned methods;   /* SERVER_GET | SERVER_HEAD ... */
    server_handler handler;
    /* Routes that read their request body (the FaaS trigger and Runtime API) set
     * keep_body: the body is collected and handed to the handler. max_body, when
     * non-zero, replaces the server's limit for this route (413 beyond it). */
    bool keep_body;
    size_t max_body;
    /* A body over the limit is not refused by the server (413 problem+json, the
     * connection closed): it is read to its end and dropped, and the handler is
     * called with body_too_large set, to answer as its protocol says (the Lambda
     * Runtime API: 413 and the invocation recorded as failed) on a connection
     * that stays open. For peers the application trusts; the body is not kept. */
    bool handle_oversize;
};

struct server_config {
    const char *listen;          /* "HOST:PORT"; port 0 picks a free one */
    unsigned threads;            /* 0: one per CPU this process may run on */
    unsigned max_connections;    /* total over all threads */
    unsigned timeout_s;          /* inactivity timeout per connection */
    /* A connection that has not sent a request's complete headers this long after
     * its accept, or after the end of its previous request, is closed. */
    unsigned header_timeout_ms;
    size_t max_body;             /* larger request bodies get 413 */
    /* Bytes of request bodies the keep_body routes may hold at once, over all
     * workers (0: no cap); a body that would take them past it gets 503. */
    size_t max_body_memory;
    const struct server_route *routes;
    size_t nroutes;
    /* Per-thread state: called once per worker before the server starts (a failure
     * stops start-up with err printed), released after the workers stopped. */
    void *(*worker_init)(void *app, unsigned index, char *err, size_t errlen);
    void (*worker_fini)(void *worker);
    void *app;

    /* Asynchronous handlers (gateway, FaaS trigger): allow suspending connections.
     * Resume them with server_resume (from any thread), not MHD_resume_connection
     * alone: without an internal thread MHD only marks the connection, and the
     * worker's loop has to be woken to run MHD_run(). */
    bool suspend_resume;
    /* Optional per-worker event source polled beside MHD in the worker's loop (a
     * curl multi's epoll fd, an eventfd): worker_fd gives the fd (-1: none),
     * worker_timeout_ms caps the wait (-1: no cap), worker_run is called after
     * every wake-up of that worker's loop, in that worker's thread. */
    int (*worker_fd)(void *worker);
    long (*worker_timeout_ms)(void *worker);
    void (*worker_run)(void *worker);
    /* Called in the worker's thread when its loop ends on a stop, before the
     * daemons are stopped: an application that suspends connections must resume
     * them all here (MHD aborts the process when a daemon stops with a connection
     * still suspended). */
    void (*worker_stop)(void *worker);

    /* Optional, for metrics: called when a request ends (in the worker's thread, or
     * in server_stop's for connections still open then) with the HTTP status sent
     * (0 when none was) and the microseconds from its headers' arrival to the end
     * of its response (0 when refused before the headers were accepted). */
    void (*request_done)(void *worker, unsigned status, unsigned long long elapsed_us);

    /* Internal services (auth-service, profile-service): when set, every request
     * but GET /health must carry this secret in one SERVICE_SECRET_HEADER, or is
     * answered 401 before any route (unknown paths included) is looked at. */
    const struct service_secret *service_secret;

    /* With several workers, each binds a port of its own (worker 0 the one given,
     * the others free ones on the same host; see server_address) instead of all
     * sharing one in an SO_REUSEPORT group, so a client chooses the worker that
     * serves it by the port it connects to. */
    bool port_per_worker;
    /* The site has no listening socket: the application accepts connections
     * itself (for instance on sockets of its own, polled through worker_fd) and
     * hands them to its worker with server_add_connection. */
    bool no_listen;
    /* Called in the worker's thread, after worker_run, when worker_fd is readable
     * (worker_run is called on every wake-up of the loop). */
    void (*worker_fd_ready)(void *worker);

    /* No Server-Timing header on this site's answers (--no-server-timing; sites
     * that speak another protocol, such as faas's Runtime API, set it too). */
    bool no_server_timing;
    /* Keep each request's query as sent (server_request.raw_query): libmicrohttpd
     * decodes it in place, so its bytes are gone by the handler's call. */
    bool raw_query;
};

#define SERVER_DEFAULT_MAX_CONNECTIONS 10000
#define SERVER_DEFAULT_TIMEOUT_S 15
#define SERVER_DEFAULT_HEADER_TIMEOUT_MS 10000
#define SERVER_DEFAULT_MAX_BODY 8192

/* The options every server takes, for its getopt_long table (the caller adds its
 * own, such as --db, and the terminating entry): --listen, --threads,
 * --max-connections, --conn-timeout, --header-timeout, --no-server-timing,
 * --verbose, --help, --version. */
#define SERVER_LONGOPTS                                                                   \
    {"listen", required_argument, NULL, 'l'}, {"threads", required_argument, NULL, 't'},   \
        {"max-connections", required_argument, NULL, 'm'},                                 \
        {"conn-timeout", required_argument, NULL, 'T'},                                    \
        {"header-timeout", required_argument, NULL, 'H'},                                  \
        {"no-server-timing", no_argument, NULL, 'N'},                                      \
        {"verbose", no_argument, NULL, 'v'}, {"help", no_argument, NULL, 'h'},              \
        {"version", no_argument, NULL, 'V'}

/* The --help lines of SERVER_LONGOPTS after --listen (whose default each program
 * states itself); printf arguments: SERVER_HELP_ARGS. */
#define SERVER_OPTIONS_HELP                                                              \
    "  --threads N            worker threads (default: one per usable CPU)\n"            \
    "  --max-connections N    open connections at most (default %u)\n"                    \
    "  --conn-timeout DUR     close connections idle this long (default %us)\n"           \
    "  --header-timeout DUR   close connections that take longer to send a request's\n"   \
    "                         headers, counted from accept or the previous answer\n"     \
    "                         (default %us)\n"                                           \
    "  --no-server-timing     answer without the Server-Timing header (its steps are\n"  \
    "                         then not timed at all)\n"                                  \
    "  -v, --verbose          log debug messages\n"                                       \
    "  -h, --help             show this help\n"                                           \
    "  -V, --version          show the version\n"
#define SERVER_HELP_ARGS                                                                 \
    SERVER_DEFAULT_MAX_CONNECTIONS, SERVER_DEFAULT_TIMEOUT_S,                            \
        SERVER_DEFAULT_HEADER_TIMEOUT_MS / 1000

/* Applies option c of SERVER_LONGOPTS (except --help and --version, which the
 * program answers itself) to cfg. Returns false when c is not one of them; a bad
 * value exits 2 with a one-line message naming the program. */
bool server_option(int c, const char *arg, struct server_config *cfg, const char *program);

/* A server's whole command line. longopts lists the program's own options, then
 * SERVER_LONGOPTS and the terminating entry; own(c, optarg, ctx) applies the
 * program's own (false: not one of them) and server_option the others into cfg,
 * which first gets the servers' default limits (the caller has set its listen
 * address). --help prints usage(stdout) and --version the version, both exiting
 * 0; an unknown option, a bad value or an extra argument exits 2 with one line. */
void server_parse_args(int argc, char **argv, const struct option *longopts,
                       struct server_config *cfg, const char *program,
                       void (*usage)(FILE *out),
                       bool (*own)(int c, const char *arg, void *ctx), void *ctx);

/* Number of CPUs in this process's affinity mask (at least 1). */
unsigned server_cpu_count(void);

/* Starts the server, prints "listening on ADDR" on stdout, serves until SIGINT or
 * SIGTERM. Returns 0 after a clean stop, 1 when it could not start. */
int server_run(const struct server_config *cfg);

/* The pieces of server_run. server_start binds, starts the workers and writes the
 * bound address ("127.0.0.1:PORT") into bound; it returns NULL (reason logged) on
 * failure. server_wait_signal blocks until SIGINT or SIGTERM and returns it;
 * server_stop stops the workers and frees everything. SIGINT/SIGTERM are blocked
 * in every thread a server starts, so call server_start before creating other
 * threads or block them there too (server_block_signals). */
struct server;
struct server *server_start(const struct server_config *cfg, char *bound, size_t boundlen);
void server_stop(struct server *s);
void server_block_signals(void);
int server_wait_signal(void);

/* Several sites (each a server_config: listen address, routes, limits, hooks)
 * served by one set of worker threads: each worker drives one daemon per site
 * from its single poll loop, so a handler of one site that resumes a connection
 * of another (faas: a trigger request handing an invocation to a parked Runtime
 * API /next, and the /response handing the result back) has it served by the
 * same thread, without a wake-up or a context switch. The number of workers is
 * sites[0]->threads. server_open binds and prepares everything (worker_init
 * included) without starting a thread, so the bound addresses can be given to
 * whatever the handlers need before any request is served; server_serve then
 * starts the workers. NULL / -1 on failure, reason logged; stop with server_stop.
 * At most 4 sites. */
struct server *server_open(const struct server_config *const *sites, size_t nsites);
int server_serve(struct server *s);
unsigned server_threads(const struct server *s);
/* The address ("127.0.0.1:PORT") worker `worker` of site `site` listens on. */
const char *server_address(const struct server *s, size_t site, unsigned worker);

/* Resumes a suspended connection from any thread and has the worker that owns it
 * serve it: from another thread through a wake-up, from that worker's own thread
 * before its loop sleeps again (requires suspend_resume). */
void server_resume(struct MHD_Connection *conn);

/* From a worker's thread (a worker_fd_ready hook, a handler): hands fd, an
 * accepted connection, to this worker's daemon of the site whose configuration is
 * site; libmicrohttpd owns (and closes) it from then on, also on failure. 0, or -1
 * when the daemon refused it (connection limit, out of memory). */
int server_add_connection(const struct server_config *site, int fd,
                          const struct sockaddr *addr, socklen_t addrlen);

/* A fixed answer built once at start-up (/health, 404, the 401s ...): a response
 * shared by every worker (MHD reference-counts it), queued as it is when the
 * request is not timed, and the body it was made from, for a per-request copy
 * that can carry the request's own Server-Timing header when it is. */
struct server_fixed {
    struct MHD_Response *shared;
    char *body;
    size_t len;
};

/* A fixed answer of this content type (with Cache-Control: no-store); body is
 * copied. 0, or -1 when out of memory. */
int server_fixed_init(struct server_fixed *f, const char *content_type, const char *body,
                      size_t len);
/* A fixed problem+json answer; header_name/value may add one header
 * (WWW-Authenticate, Allow) or be NULL. 0, or -1 when out of memory. */
int server_fixed_problem(struct server_fixed *f, unsigned status, const char *detail,
                         const char *header_name, const char *header_value);
void server_fixed_free(struct server_fixed *f);

/* Queues a fixed answer: the shared response, or a copy of it with the request's
 * Server-Timing when the request is timed. */
enum MHD_Result server_queue_fixed(struct MHD_Connection *conn, unsigned status,
                                   const struct server_fixed *f);

/* Queues r, a response made for this request alone, after adding the request's
 * Server-Timing header when it is timed (never pass a shared response). */
enum MHD_Result server_queue(struct MHD_Connection *conn, unsigned status,
                             struct MHD_Response *r);

/* Queues an answer of this content type with Cache-Control: no-store; takes
 * ownership of body (malloc'd). */
enum MHD_Result server_reply_owned(struct MHD_Connection *conn, unsigned status,
                                   const char *content_type, char *body, size_t len);

/* Queues a 200-style JSON answer; takes ownership of body (malloc'd). */
enum MHD_Result server_reply_json(struct MHD_Connection *conn, unsigned status, char *body,
                                  size_t len);
/* Queues a one-off problem+json answer. */
enum MHD_Result server_reply_problem(struct MHD_Connection *conn, unsigned status,
                                     const char *detail);

/* The fixed 401 answers, one per failed token_result, with their detail and
 * WWW-Authenticate; the same in every architecture. 0, or -1 when out of memory
 * (what was built is released). */
int server_unauthorized_init(struct server_fixed r[TOKEN_EXPIRED + 1]);
void server_unauthorized_free(struct server_fixed r[TOKEN_EXPIRED + 1]);

/* The value of request header name, or NULL; *count receives how many times it was
 * sent (a second Authorization header makes a request ambiguous). */
const char *server_header(struct MHD_Connection *conn, const char *name, unsigned *count);

/* The request's Authorization value for token_parse_authorization: NULL when none
 * was sent. Two field lines are one comma-separated list (RFC 9110 §5.3), as API
 * Gateway hands them to a function, which is never exactly one bearer token: the
 * request is then ambiguous (TOKEN_MALFORMED). */
const char *server_authorization(struct MHD_Connection *conn);

#endif
