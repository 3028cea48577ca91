/* How the gateway calls auth-service and profile-service: its own asynchronous
 * HTTP/1.1 client, one per worker thread, driven from that worker's loop.
 *
 * Each client keeps a bounded pool of keep-alive connections per upstream, an
 * epoll set (its fd is polled by the worker loop beside the MHD daemon) and the
 * calls in flight ordered by deadline. A call takes an idle connection (or opens
 * one), sends one pre-built GET, and frames the answer with the project's response
 * parser (common/http_response.c). A pooled connection found dead before any byte
 * of the answer arrived is retried once on a fresh connection, as nginx does for
 * idempotent requests; never twice, never after bytes arrived. Nothing here blocks:
 * names are resolved off the loop (upstream_target.h), there is no proxy support
 * (service-to-service calls never go through one, whatever the environment says).
 *
 * The second half is pure logic, unit-tested: checking upstream answers and
 * mapping failures to the gateway's public status. */
#ifndef ARCHBENCH_UPSTREAM_H
#define ARCHBENCH_UPSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "upstream_target.h"

/* How a call ended, as far as the transport is concerned. */
enum upstream_outcome {
    UPSTREAM_OK,           /* an HTTP response arrived (any status) */
    UPSTREAM_REFUSED,      /* nobody listening, or the host is unknown: down */
    UPSTREAM_TIMEOUT,      /* no complete answer within the call's time limit */
    UPSTREAM_BAD_RESPONSE, /* not HTTP, truncated, oversized, connection dropped */
};
#define UPSTREAM_NOUTCOMES 4

/* Upstream answers with a larger body are refused (bodies here are < 1 KiB). */
#define UPSTREAM_MAX_BODY (64 * 1024)
/* The request line and headers of one call (the gateway's are < 9 KiB: the
 * server refuses requests with more than 8 KiB of headers). */
#define UPSTREAM_MAX_REQUEST (16 * 1024)

/* The response headers a call keeps, for upstream_header. */
enum upstream_header {
    UPSTREAM_CONTENT_TYPE,
    UPSTREAM_WWW_AUTHENTICATE,
    UPSTREAM_X_USER_ID,
    UPSTREAM_SERVER_TIMING, /* every field line, joined (a list) */
};

struct upstream_client;
struct upstream_pool;
struct upstream_conn;
struct upstream_call;

typedef void (*upstream_done_fn)(struct upstream_call *call);

/* One HTTP GET. The caller owns the struct (it lives in the request's state) and
 * fills the first block; upstream_start fills the rest, and done runs in the
 * worker's thread when the call ends, whatever the outcome. */
struct upstream_call {
    struct upstream_target *target;
    const char *path;      /* after the target's path prefix; caller-owned until done */
    const char *headers;   /* extra request header lines, each "Name: value\r\n" */
    size_t headers_len;
    long timeout_ms;       /* connect and total limit, >= 1 */
    upstream_done_fn done;
    void *data;            /* for done */

    enum upstream_outcome outcome;
    const char *error;     /* why, when outcome is not UPSTREAM_OK (static text) */
    long status;           /* HTTP status when outcome is UPSTREAM_OK */
    char *body;            /* malloc'd, NUL-terminated; take it or leave it */
    size_t body_len, body_cap;
    uint64_t elapsed_us;

    /* private */
    struct upstream_client *client;
    struct upstream_pool *pool;
    struct upstream_conn *conn;
    struct upstream_call *prev, *next; /* on the client's running or finished list */
    int state;
    unsigned addr_tries;   /* addresses tried for the current connect */
    uint32_t kept_at[4];   /* kept header values: offsets into body (0: absent) */
    uint64_t start_us, deadline_us;
};

/* A worker's client. max_idle bounds the idle keep-alive connections kept per
 * upstream (more in flight at once are closed when their call ends). NULL with
 * err set on failure. */
struct upstream_client *upstream_client_new(unsigned max_idle, char *err, size_t errlen);
/* Cancels the calls in flight (without calling their done), closes every
 * connection and frees everything. */
void upstream_client_free(struct upstream_client *c);

/* For the worker loop: the fd to poll, how long the loop may sleep (-1: no limit),
 * and the work to do after each wake-up (socket events, deadlines, finished calls). */
int upstream_client_fd(const struct upstream_client *c);
long upstream_client_timeout_ms(const struct upstream_client *c);
void upstream_client_run(struct upstream_client *c);

/* Starts call; returns 0, or -1 when it cannot be taken (out of memory, too many
 * upstreams, request over UPSTREAM_MAX_REQUEST): then done is not called. Done is
 * never called from within upstream_start, even for a call that fails at once. */
int upstream_start(struct upstream_client *c, struct upstream_call *call);

/* Abandons a call in flight (its request went away); done is not called. Safe on a
 * call that is not running. Frees call->body. */
void upstream_cancel(struct upstream_call *call);

/* While done runs: the first value of a kept response header, or NULL. */
const char *upstream_header(const struct upstream_call *call, enum upstream_header h);

/* Cancels every call in flight, then calls fn on each (shutting down: the caller
 * answers their requests without waiting for the upstreams). */
void upstream_client_cancel_all(struct upstream_client *c, upstream_done_fn fn);

/* Idle connections kept for target, and connections opened so far (for tests). */
unsigned upstream_client_idle(const struct upstream_client *c,
                              const struct upstream_target *target);
unsigned long upstream_client_connects(const struct upstream_client *c);


/* ---- pure helpers ---- */

/* The public status for an upstream call that did not give the answer the gateway
 * needs: 503 when the upstream is down or says it is (503), 504 when it timed out
 * or says a dependency did (504), 502 for garbage and any other status. */
unsigned upstream_failure_status(enum upstream_outcome outcome, long http_status);

/* Parses auth-service's 200 body {"user_id":N} (white space allowed, nothing else):
 * true with *id > 0, or false for anything else. */
bool upstream_parse_user_id(const char *body, size_t len, int64_t *id);

/* True when body is a JSON object that starts with "id":id, the shape
 * profile_render gives: the cheap check that profile-service sent the requested
 * user's profile and not a wrong or truncated one. */
bool upstream_profile_is_user(const char *body, size_t len, int64_t id);

/* Short names for logs and metrics labels. */
const char *upstream_outcome_name(enum upstream_outcome o);

#endif
