/* How the gateway calls auth-service and profile-service: asynchronous HTTP calls on
 * one libcurl multi handle per worker thread, driven from that worker's loop.
 *
 * curl tells us which sockets it wants watched (CURLMOPT_SOCKETFUNCTION) and when
 * it next needs a tick (CURLMOPT_TIMERFUNCTION); we keep the sockets in an epoll set
 * whose fd the worker loop polls beside its MHD daemon, and the timer as a deadline
 * the loop's wait is capped by. Connections live in the multi's cache, so
 * keep-alive reuse spans requests; easy handles are pooled so their options are set
 * once. Nothing here blocks.
 *
 * The second half is pure logic, unit-tested: joining URLs, classifying failures,
 * checking upstream answers, and mapping failures to the gateway's public status. */
#ifndef ARCHBENCH_UPSTREAM_H
#define ARCHBENCH_UPSTREAM_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How a call ended, as far as the transport is concerned. */
enum upstream_outcome {
    UPSTREAM_OK,           /* an HTTP response arrived (any status) */
    UPSTREAM_REFUSED,      /* nobody listening, or the host is unknown: down */
    UPSTREAM_TIMEOUT,      /* no complete answer within the call's time limit */
    UPSTREAM_BAD_RESPONSE, /* not HTTP, truncated, oversized, connection dropped */
};
#define UPSTREAM_NOUTCOMES 4

/* Upstream answers larger than this are refused (bodies here are < 1 KiB). */
#define UPSTREAM_MAX_BODY (64 * 1024)

struct upstream_client;
struct upstream_call;

typedef void (*upstream_done_fn)(struct upstream_call *call);

/* One HTTP GET. The caller owns the struct (it lives in the request's state) and
 * fills the first block; upstream_start fills the rest, and done runs in the
 * worker's thread when the call ends, whatever the outcome. */
struct upstream_call {
    const char *url;                  /* copied by upstream_start */
    const struct curl_slist *headers; /* extra request headers, caller-owned */
    long timeout_ms;                  /* connect and total limit, >= 1 */
    upstream_done_fn done;
    void *data;                       /* for done */

    enum upstream_outcome outcome;
    CURLcode curl_code;
    long status;                      /* HTTP status when outcome is UPSTREAM_OK */
    char *body;                       /* malloc'd, NUL-terminated; take it or leave it */
    size_t body_len, body_cap;
    uint64_t elapsed_us;

    /* private */
    CURL *easy;
    struct upstream_client *client;
    struct upstream_call *prev, *next; /* on the client's running or finished list */
    int state;
    uint64_t start_us;
};

/* A worker's client: a curl multi handle, its epoll set and its easy-handle pool.
 * max_idle_connections bounds the keep-alive cache (per worker, all upstreams). */
struct upstream_client *upstream_client_new(long max_idle_connections, char *err,
                                            size_t errlen);
/* Cancels the calls in flight (without calling their done) and frees everything. */
void upstream_client_free(struct upstream_client *c);

/* For the worker loop: the fd to poll, how long the loop may sleep (-1: no limit),
 * and the work to do after each wake-up (socket events, timers, finished calls). */
int upstream_client_fd(const struct upstream_client *c);
long upstream_client_timeout_ms(const struct upstream_client *c);
void upstream_client_run(struct upstream_client *c);

/* Starts call; returns 0, or -1 when curl could not take it (out of memory): then
 * done is not called. */
int upstream_start(struct upstream_client *c, struct upstream_call *call);

/* Abandons a call in flight (its request went away); done is not called. Safe on a
 * call that is not running. Frees call->body. */
void upstream_cancel(struct upstream_call *call);

/* While done runs: the first value of response header name, and the response's
 * Content-Type, or NULL. The strings are curl's, valid until done returns. */
const char *upstream_header(struct upstream_call *call, const char *name);
const char *upstream_content_type(struct upstream_call *call);

/* Cancels every call in flight, then calls fn on each (shutting down: the caller
 * answers their requests without waiting for the upstreams). */
void upstream_client_cancel_all(struct upstream_client *c, upstream_done_fn fn);


/* ---- pure helpers ---- */

/* Checks a --auth-url / --profile-url value: http:// or https://, a host, no query,
 * fragment or user info. On failure writes the reason into err. */
bool upstream_base_url_valid(const char *base, char *err, size_t errlen);

/* base (trailing slashes ignored) + path (starting with '/') into out. Returns the
 * length, or -1 when it does not fit. */
int upstream_url(char *out, size_t outlen, const char *base, const char *path);

/* The outcome a finished transfer's CURLcode stands for. */
enum upstream_outcome upstream_classify(CURLcode code);

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
