/* The Runtime API server of faas (see runtime_api.h). */
#include "runtime_api.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "runtime.h"

#define API_PREFIX "/2018-06-01/runtime/"

struct runtime_api {
    struct instances **pool;
    char function_arn[256];
    struct MHD_Response *accepted; /* 202 {"status":"OK"}, built once, shared */
    unsigned workers;              /* started workers: the last one frees it */
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
    switch (status) {
    case 202:
        return MHD_queue_response(conn, 202, api_state.accepted);
    case 400:
        return reply_error(conn, 400, "InvalidRequestID", "Invalid request ID");
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
    char deadline[32], trace[128];
    snprintf(deadline, sizeof deadline, "%" PRId64, deadline_ms);
    /* An X-Ray-shaped trace id derived from the request id (no tracing here). */
    snprintf(trace, sizeof trace, "Root=1-%.8s-%.24s;Parent=%.16s;Sampled=0", inv->id,
             inv->id + 9, inv->id + 19);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(r, "Lambda-Runtime-Aws-Request-Id", inv->id);
    MHD_add_response_header(r, "Lambda-Runtime-Deadline-Ms", deadline);
    MHD_add_response_header(r, "Lambda-Runtime-Invoked-Function-Arn", api_state.function_arn);
    MHD_add_response_header(r, "Lambda-Runtime-Trace-Id", trace);
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    invocation_unref(inv);
    return ret;
}

/* The marker in a parked /next's request slot: it was suspended once. */
static char parked_marker;

static enum MHD_Result handle(const struct server_request *req)
{
    struct instances *pool = *api_state.pool;
    /* /i/<name>/2018-06-01/runtime/<rest> */
    const char *name = req->url + 3;
    const char *slash = strchr(name, '/');
    char instance[24];
    if (slash == NULL || (size_t)(slash - name) >= sizeof instance ||
        strncmp(slash, API_PREFIX, strlen(API_PREFIX)) != 0 || pool == NULL)
        return reply_error(req->conn, 404, "NotFound", "no such Runtime API resource");
    memcpy(instance, name, (size_t)(slash - name));
    instance[slash - name] = '\0';
    const char *rest = slash + strlen(API_PREFIX);
    bool post = strcmp(req->method, MHD_HTTP_METHOD_POST) == 0;

    if (strcmp(rest, "invocation/next") == 0) {
        if (post)
            return reply_error(req->conn, 405, "MethodNotAllowed", "use GET");
        struct invocation *inv = NULL;
        int64_t deadline = 0;
        switch (instances_next(pool, instance, req->conn, &inv, &deadline)) {
        case NEXT_DELIVER:
            return deliver(req->conn, inv, deadline);
        case NEXT_PARKED:
            *req->state = &parked_marker;
            return MHD_YES;
        case NEXT_FORBIDDEN:
            break;
        }
        return reply_status(req->conn, 403);
    }
    if (strcmp(rest, "init/error") == 0) {
        if (!post)
            return reply_error(req->conn, 405, "MethodNotAllowed", "use POST");
        const char *type =
            MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
                                        "Lambda-Runtime-Function-Error-Type");
        return reply_status(req->conn, instances_init_error(pool, instance, req->body,
                                                            req->body_len, type));
    }
    if (strncmp(rest, "invocation/", 11) == 0) {
        const char *id = rest + 11;
        const char *tail = strchr(id, '/');
        char rid[64];
        if (tail == NULL || (size_t)(tail - id) >= sizeof rid)
            return reply_status(req->conn, 400);
        memcpy(rid, id, (size_t)(tail - id));
        rid[tail - id] = '\0';
        bool is_error = strcmp(tail, "/error") == 0;
        if (!is_error && strcmp(tail, "/response") != 0)
            return reply_error(req->conn, 404, "NotFound", "no such Runtime API resource");
        if (!post)
            return reply_error(req->conn, 405, "MethodNotAllowed", "use POST");
        char type[128] = "";
        const char *htype = MHD_lookup_connection_value(
            req->conn, MHD_HEADER_KIND, "Lambda-Runtime-Function-Error-Type");
        if (is_error) {
            json_t *doc = json_loadb(req->body ? req->body : "", req->body_len, 0, NULL);
            const char *btype = json_string_value(json_object_get(doc, "errorType"));
            snprintf(type, sizeof type, "%s", btype ? btype : htype ? htype : "");
            json_decref(doc);
        }
        return reply_status(req->conn,
                            instances_result(pool, instance, rid, is_error,
                                             req->body ? req->body : "", req->body_len,
                                             type));
    }
    return reply_error(req->conn, 404, "NotFound", "no such Runtime API resource");
}

static void *worker_init(void *app, unsigned index, char *err, size_t errlen)
{
    (void)index;
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
    return app;
}

static void worker_fini(void *app)
{
    struct runtime_api *api = app;
    if (--api->workers == 0 && api->accepted != NULL) {
        MHD_destroy_response(api->accepted);
        api->accepted = NULL;
    }
}

void runtime_api_configure(struct server_config *cfg, struct instances **pool_ref,
                           const char *function_name)
{
    static const struct server_route routes[] = {
        {.path = "/i/", .prefix = true, .methods = SERVER_GET | SERVER_POST,
         .handler = handle, .keep_body = true, .max_body = RUNTIME_MAX_RESPONSE},
    };
    api_state.pool = pool_ref;
    snprintf(api_state.function_arn, sizeof api_state.function_arn,
             "arn:aws:lambda:local:000000000000:function:%s", function_name);
    cfg->routes = routes;
    cfg->nroutes = 1;
    cfg->suspend_resume = true;
    cfg->worker_init = worker_init;
    cfg->worker_fini = worker_fini;
    cfg->app = &api_state;
}
