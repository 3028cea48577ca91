/* The Runtime API server of faas (see runtime_api.h). */
#include "runtime_api.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "peer.h"

#define API_PREFIX "/2018-06-01/runtime/"
#define MAX_WORKERS 1024

/* Per worker: the endpoints of its instances and who each connection is. */
struct api_worker {
    int accept_set;            /* epoll: the instances' listening sockets */
    struct peer_checker *peer;
    uint64_t *owner;           /* by connection fd: its instance's key (0: none) */
    size_t nowner;
};

struct runtime_api {
    struct instances **pool;
    const struct server_config *site;
    struct lambda_log *log;
    char function_arn[256];
    struct MHD_Response *accepted; /* 202 {"status":"OK"}, built once, shared */
    unsigned workers;              /* started workers: the last one frees it */
    struct api_worker *worker[MAX_WORKERS];
};

static struct runtime_api api_state;

/* AWS's error document for the Runtime API's own errors. */
static enum MHD_Result reply_error(struct MHD_Connection *conn, unsigned status,
                                   const char *type, const char *message)
{
    char body[512];
    json_t *doc = json_pack("{s:s, s:s}", "errorMessage", message, "errorType", type);
    char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(doc);
    snprintf(body, sizeof body, "%s", text ? text : "{}");
    free(text);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result reply_status(struct MHD_Connection *conn, unsigned status)
{
    char message[128];
    switch (status) {
    case 202:
        return MHD_queue_response(conn, 202, api_state.accepted);
    case 400:
        return reply_error(conn, 400, "InvalidRequestID", "Invalid request ID");
    case 413:
        /* As AWS's emulator words it. */
        snprintf(message, sizeof message, "Exceeded maximum allowed payload size (%u bytes).",
                 RUNTIME_API_MAX_PAYLOAD);
        return reply_error(conn, 413, "RequestEntityTooLarge", message);
    default:
        return reply_error(conn, 403, "InvalidStateTransition",
                           "State transition failed for runtime: no invocation in "
                           "progress for this request");
    }
}

static enum MHD_Result deliver(struct MHD_Connection *conn, struct invocation *inv,
                               int64_t deadline_ms)
{
    /* An event is delivered once (no retries), so MHD takes the buffer over
     * instead of copying it. */
    struct MHD_Response *r =
        MHD_create_response_from_buffer(inv->event_len, inv->event, MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        invocation_unref(inv);
        return MHD_NO;
    }
    inv->event = NULL;
    /* Lambda's trace header in X-Ray's form: the invocation's W3C trace (the one
     * in its event's traceparent), faas's span as the parent. */
    char deadline[32], trace[TRACEPARENT_XRAY_LEN + 1];
    snprintf(deadline, sizeof deadline, "%" PRId64, deadline_ms);
    traceparent_xray(&inv->trace, trace);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(r, "Lambda-Runtime-Aws-Request-Id", inv->id);
    MHD_add_response_header(r, "Lambda-Runtime-Deadline-Ms", deadline);
    MHD_add_response_header(r, "Lambda-Runtime-Invoked-Function-Arn", api_state.function_arn);
    MHD_add_response_header(r, "Lambda-Runtime-Trace-Id", trace);
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    lambda_log_start(api_state.log, inv->id);
    invocation_unref(inv);
    return ret;
}

/* The marker in a parked /next's request slot: it was suspended once. */
static char parked_marker;

/* The instance whose endpoint the request's connection came in on (0: none, a key
 * no instance has: generations start at 1). */
static uint64_t caller(const struct server_request *req)
{
    const struct api_worker *w = req->worker;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (ci == NULL || ci->connect_fd < 0 || (size_t)ci->connect_fd >= w->nowner)
        return 0;
    return w->owner[ci->connect_fd];
}

static enum MHD_Result next(const struct server_request *req, struct instances *pool,
                            uint64_t key)
{
    struct invocation *inv = NULL;
    int64_t deadline = 0;
    bool resumed = *req->state == &parked_marker;
    switch (instances_next(pool, key, req->conn, resumed, &inv, &deadline)) {
    case NEXT_DELIVER:
        return deliver(req->conn, inv, deadline);
    case NEXT_PARKED:
        *req->state = &parked_marker;
        return MHD_YES;
    case NEXT_WAITING:
        return reply_error(req->conn, 403, "InvalidStateTransition",
                           "State transition failed for runtime: another "
                           "/runtime/invocation/next call of this instance is waiting");
    case NEXT_FORBIDDEN:
        break;
    }
    return reply_status(req->conn, 403);
}

static const char *error_type_header(const struct server_request *req)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
                                       "Lambda-Runtime-Function-Error-Type");
}

/* POST /runtime/invocation/<id>/response or /error (rest is "<id>/..."). */
static enum MHD_Result result(const struct server_request *req, struct instances *pool,
                              uint64_t key, const char *rest)
{
    const char *tail = strchr(rest, '/');
    char rid[64];
    if (tail == NULL || (size_t)(tail - rest) >= sizeof rid)
        return reply_status(req->conn, 400);
    memcpy(rid, rest, (size_t)(tail - rest));
    rid[tail - rest] = '\0';
    bool is_error = strcmp(tail, "/error") == 0;
    if (!is_error && strcmp(tail, "/response") != 0)
        return reply_error(req->conn, 404, "NotFound", "no such Runtime API resource");
    if (strcmp(req->method, MHD_HTTP_METHOD_POST) != 0)
        return reply_error(req->conn, 405, "MethodNotAllowed", "use POST");
    if (!is_error && req->body_too_large)
        return reply_status(req->conn,
                            instances_result_too_large(pool, key, rid, req->body_len));
    const char *body = req->body_too_large || req->body == NULL ? "" : req->body;
    size_t len = req->body_too_large ? 0 : req->body_len;
    char type[128] = "";
    if (is_error) {
        json_t *doc = json_loadb(body, len, 0, NULL);
        const char *btype = json_string_value(json_object_get(doc, "errorType"));
        const char *htype = error_type_header(req);
        snprintf(type, sizeof type, "%s", btype ? btype : htype ? htype : "");
        json_decref(doc);
    }
    return reply_status(req->conn, instances_result(pool, key, rid, is_error, body, len, type));
}

static enum MHD_Result handle(const struct server_request *req)
{
    struct instances *pool = *api_state.pool;
    uint64_t key = caller(req);
    if (pool == NULL || strncmp(req->url, API_PREFIX, strlen(API_PREFIX)) != 0)
        return reply_error(req->conn, 404, "NotFound", "no such Runtime API resource");
    const char *rest = req->url + strlen(API_PREFIX);
    bool post = strcmp(req->method, MHD_HTTP_METHOD_POST) == 0;
    if (strcmp(rest, "invocation/next") == 0) {
        if (post)
            return reply_error(req->conn, 405, "MethodNotAllowed", "use GET");
        return next(req, pool, key);
    }
    if (strcmp(rest, "init/error") == 0) {
        if (!post)
            return reply_error(req->conn, 405, "MethodNotAllowed", "use POST");
        const char *body = req->body_too_large || req->body == NULL ? "" : req->body;
        size_t len = req->body_too_large ? 0 : req->body_len;
        return reply_status(req->conn, instances_init_error(pool, key, body, len,
                                                            error_type_header(req)));
    }
    if (strncmp(rest, "invocation/", 11) == 0)
        return result(req, pool, key, rest + 11);
    return reply_error(req->conn, 404, "NotFound", "no such Runtime API resource");
}

/* Notes which instance the connection on fd belongs to. */
static bool set_owner(struct api_worker *w, int fd, uint64_t key)
{
    size_t need = (size_t)fd + 1;
    if (need > w->nowner) {
        size_t n = need < 256 ? 256 : need * 2;
        uint64_t *o = realloc(w->owner, n * sizeof *o);
        if (o == NULL)
            return false;
        memset(o + w->nowner, 0, (n - w->nowner) * sizeof *o);
        w->owner = o;
        w->nowner = n;
    }
    w->owner[fd] = key;
    return true;
}

/* Logs a refused connection, at most a few per second (a port scan must not flood
 * the log). */
static void log_refused(uint64_t key, const char *why)
{
    static struct log_budget budget;
    if (log_budget_take(&budget))
        log_warn("refused a Runtime API connection to instance %u-%u: %s",
                 (unsigned)(key >> 32), (unsigned)key, why);
}

/* Takes the connections waiting on instance key's endpoint: those of the
 * instance's own processes go to this worker's daemon, the others are closed. */
static void adopt(struct api_worker *w, struct instances *pool, uint64_t key)
{
    int fds[8];
    pid_t pid = 0;
    int pidfd = -1;
    int n = instances_accept(pool, key, fds, 8, &pid, &pidfd);
    for (int i = 0; i < n; i++) {
        char why[200];
        struct sockaddr_storage a;
        socklen_t alen = sizeof a;
        uint64_t t0 = clock_now_ns();
        enum peer_verdict verdict = peer_check(w->peer, fds[i], pid, pidfd, why, sizeof why);
        log_debug("Runtime API connection to instance %u-%u: owner checked in %.1f us",
                  (unsigned)(key >> 32), (unsigned)key, (clock_now_ns() - t0) / 1e3);
        if (verdict != PEER_OWNED) {
            log_refused(key, why);
            close(fds[i]);
        } else if (getpeername(fds[i], (struct sockaddr *)&a, &alen) != 0 ||
                   !set_owner(w, fds[i], key)) {
            close(fds[i]);
        } else {
            server_add_connection(api_state.site, fds[i], (struct sockaddr *)&a, alen);
        }
    }
    if (pidfd >= 0)
        close(pidfd);
}

/* The worker's accept set is readable: some of its instances' endpoints have
 * connections waiting. */
static void accept_ready(void *worker)
{
    struct api_worker *w = worker;
    struct instances *pool = *api_state.pool;
    struct epoll_event ev[16];
    int n = epoll_wait(w->accept_set, ev, 16, 0);
    for (int i = 0; i < n && pool != NULL; i++)
        adopt(w, pool, ev[i].data.u64);
}

static int accept_fd(void *worker)
{
    return ((struct api_worker *)worker)->accept_set;
}

static void worker_fini(void *worker)
{
    struct api_worker *w = worker;
    struct runtime_api *api = &api_state;
    if (--api->workers == 0 && api->accepted != NULL) {
        MHD_destroy_response(api->accepted);
        api->accepted = NULL;
    }
    if (w->accept_set >= 0)
        close(w->accept_set);
    peer_checker_free(w->peer);
    free(w->owner);
    free(w);
}

static void *worker_init(void *app, unsigned index, char *err, size_t errlen)
{
    struct runtime_api *api = app;
    if (api->accepted == NULL) { /* workers start one after the other */
        static const char ok[] = "{\"status\":\"OK\"}";
        api->accepted =
            MHD_create_response_from_buffer(sizeof ok - 1, (void *)ok, MHD_RESPMEM_PERSISTENT);
        if (api->accepted == NULL ||
            MHD_add_response_header(api->accepted, MHD_HTTP_HEADER_CONTENT_TYPE,
                                    "application/json") != MHD_YES) {
            snprintf(err, errlen, "out of memory");
            return NULL;
        }
    }
    api->workers++;
    struct api_worker *w = calloc(1, sizeof *w);
    if (w != NULL) {
        w->accept_set = epoll_create1(EPOLL_CLOEXEC);
        w->peer = peer_checker_new();
    }
    if (w == NULL || w->accept_set < 0 || w->peer == NULL || index >= MAX_WORKERS) {
        snprintf(err, errlen, "Runtime API worker %u: out of resources", index);
        if (w != NULL)
            worker_fini(w);
        else
            api->workers--;
        return NULL;
    }
    api->worker[index] = w;
    return w;
}

int runtime_api_accept_set(unsigned worker)
{
    return worker < MAX_WORKERS && api_state.worker[worker] ? api_state.worker[worker]->accept_set
                                                            : -1;
}

void runtime_api_configure(struct server_config *cfg, struct instances **pool_ref,
                           const char *function_arn, struct lambda_log *log)
{
    /* A response over the limit is read and dropped, then answered 413 here, so
     * the invocation is recorded as failed and the connection stays open. */
    static const struct server_route routes[] = {
        {.path = API_PREFIX, .prefix = true, .methods = SERVER_GET | SERVER_POST,
         .handler = handle, .keep_body = true, .max_body = RUNTIME_API_MAX_PAYLOAD,
         .handle_oversize = true},
    };
    api_state.pool = pool_ref;
    api_state.site = cfg;
    api_state.log = log;
    snprintf(api_state.function_arn, sizeof api_state.function_arn, "%s", function_arn);
    cfg->routes = routes;
    cfg->nroutes = 1;
    cfg->no_listen = true;
    /* The Runtime API is Lambda's protocol with the function: no Server-Timing
     * (AWS's has none, and the function's time is measured from faas's side). */
    cfg->no_server_timing = true;
    cfg->suspend_resume = true;
    cfg->worker_init = worker_init;
    cfg->worker_fini = worker_fini;
    cfg->worker_fd = accept_fd;
    cfg->worker_fd_ready = accept_ready;
    cfg->app = &api_state;
}
