/* The HTTP trigger of faas (see trigger.h). */
#include "trigger.h"

#include <arpa/inet.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "apigw.h"
#include "log.h"
#include "rng.h"

static struct instances **trigger_pool;

/* Per worker thread: its index, which instances_submit uses to keep the
 * invocation in this thread, and its generator of span ids. */
struct trigger_worker {
    unsigned index;
    uint64_t rng[2];
};
static char id_prefix[32]; /* "xxxxxxxx-xxxx-4xxx-xxxx-", random per process */
static atomic_uint_fast64_t id_counter;

void trigger_request_id(char out[40])
{
    /* Random per process, a counter per request: unique, and shaped like AWS's.
     * The prefix is formatted once, the counter's 12 hex digits by hand. */
    static const char hex[] = "0123456789abcdef";
    uint64_t n = atomic_fetch_add(&id_counter, 1);
    memcpy(out, id_prefix, 24);
    for (int i = 11; i >= 0; i--, n >>= 4)
        out[24 + i] = hex[n & 15];
    out[36] = '\0';
}

struct header_list {
    struct apigw_header *h;
    size_t n, cap;
    bool oom;
    /* The client's trace context, kept out of the list (trace_headers). */
    const char *traceparent, *tracestate;
    unsigned ntraceparent, ntracestate;
};

static bool header_push(struct header_list *l, const char *name, const char *value)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct apigw_header *h = realloc(l->h, cap * sizeof *h);
        if (h == NULL) {
            l->oom = true;
            return false;
        }
        l->h = h;
        l->cap = cap;
    }
    l->h[l->n++] = (struct apigw_header){name, value};
    return true;
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    struct header_list *l = cls;
    value = value ? value : "";
    if (strcasecmp(key, "traceparent") == 0) {
        if (l->ntraceparent++ == 0)
            l->traceparent = value;
        return MHD_YES;
    }
    if (strcasecmp(key, "tracestate") == 0) {
        if (l->ntracestate++ == 0)
            l->tracestate = value;
        return MHD_YES;
    }
    return header_push(l, key, value) ? MHD_YES : MHD_NO;
}

/* The event's trace context, as a W3C participant passes it on: the client's one
 * valid traceparent continued (with its tracestate when that is one plain value),
 * else a new trace; faas's span is the parent. Also kept in *trace, for the
 * Runtime API's Lambda-Runtime-Trace-Id. value holds the header's text. */
static void trace_headers(struct trigger_worker *w, struct header_list *l,
                          struct traceparent *trace, char value[TRACEPARENT_LEN + 1])
{
    struct traceparent in;
    bool continued = l->ntraceparent == 1 && traceparent_parse(l->traceparent, &in);
    if (!continued) {
        uint64_t r1 = rng_next(w->rng);
        traceparent_start_now(&in, r1, rng_next(w->rng));
    }
    traceparent_child(&in, rng_next(w->rng), trace);
    traceparent_format(trace, value);
    header_push(l, "traceparent", value);
    if (continued && l->ntracestate == 1 && traceparent_state_ok(l->tracestate))
        header_push(l, "tracestate", l->tracestate);
}

static char *build_event(const struct server_request *req, const char *id,
                         struct traceparent *trace, size_t *len)
{
    struct header_list hl = {0};
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, collect_header, &hl);
    char traceparent[TRACEPARENT_LEN + 1];
    trace_headers(req->worker, &hl, trace, traceparent);
    char ip[INET6_ADDRSTRLEN] = "127.0.0.1";
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ip, sizeof ip);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, ip, sizeof ip);
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct apigw_request r = {
        .method = req->method, .path = req->url, .query = req->raw_query,
        .protocol = "HTTP/1.1", .source_ip = ip, .request_id = id,
        .time_epoch_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000,
        .headers = hl.h, .nheaders = hl.n, .body = req->body, .body_len = req->body_len};
    char *event = hl.oom ? NULL : apigw_event_render(&r, len);
    free(hl.h);
    return event;
}

/* Headers the HTTP layer owns; a function's values for them are not relayed. */
static bool hop_header(const char *name)
{
    return strcasecmp(name, "content-length") == 0 ||
           strcasecmp(name, "transfer-encoding") == 0 || strcasecmp(name, "connection") == 0;
}

/* The platform's steps of inv into t (NULL: not timed). */
static void time_invocation(const struct invocation *inv, struct server_timing *t)
{
    if (t == NULL || inv->delivered_ns == 0)
        return;
    int64_t queue = inv->delivered_ns - inv->submitted_ns - inv->init_ns;
    server_timing_add(t, "queue", queue > 0 ? (uint64_t)queue : 0);
    if (inv->init_ns > 0)
        server_timing_add(t, "init", (uint64_t)inv->init_ns);
    if (inv->result_ns > 0)
        server_timing_add(t, "invoke", (uint64_t)(inv->result_ns - inv->delivered_ns));
}

/* A result header that is faas's to write when it times the request: the
 * function's server-timing is relayed into faas's own instead. */
static bool timing_header(const char *name, const struct server_timing *t)
{
    return t != NULL && strcasecmp(name, SERVER_TIMING_HEADER) == 0;
}

static enum MHD_Result reply_result(struct MHD_Connection *conn, struct invocation *inv,
                                    struct server_timing *t)
{
    time_invocation(inv, t);
    if (inv->status != 0)
        return server_reply_problem(conn, inv->status, inv->detail);
    struct apigw_result res;
    char err[160];
    if (apigw_result_parse(inv->result, inv->result_len, &res, err, sizeof err) != 0) {
        log_warn("invocation %s: the function returned an invalid result: %s", inv->id, err);
        char detail[256];
        snprintf(detail, sizeof detail, "the function returned an invalid result: %s", err);
        return server_reply_problem(conn, 502, detail);
    }
    struct MHD_Response *r =
        MHD_create_response_from_buffer(res.body_len, res.body, MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        apigw_result_free(&res);
        return MHD_NO;
    }
    res.body = NULL; /* MHD owns it now */
    uint64_t invoke = (uint64_t)(inv->result_ns - inv->delivered_ns);
    for (size_t i = 0; i < res.nheaders; i++) {
        if (timing_header(res.headers[i].name, t))
            server_timing_relay(t, res.headers[i].value, "function", invoke);
        else if (!hop_header(res.headers[i].name))
            MHD_add_response_header(r, res.headers[i].name, res.headers[i].value);
    }
    MHD_add_response_header(r, "Apigw-Requestid", inv->id);
    enum MHD_Result ret = server_queue(conn, res.status, r);
    MHD_destroy_response(r);
    apigw_result_free(&res);
    return ret;
}

static enum MHD_Result handle(const struct server_request *req)
{
    struct invocation *inv = *req->state;
    if (inv != NULL) {
        /* Resumed: the invocation has ended (done is written before the resume). */
        if (!inv->done) {
            MHD_suspend_connection(req->conn);
            return MHD_YES;
        }
        return reply_result(req->conn, inv, req->timing);
    }
    char id[40];
    trigger_request_id(id);
    size_t len = 0;
    struct traceparent trace;
    char *event = build_event(req, id, &trace, &len);
    inv = event ? invocation_new(id, event, len) : NULL;
    if (inv == NULL) {
        free(event);
        return server_reply_problem(req->conn, 503, "out of memory");
    }
    inv->trace = trace;
    inv->conn = req->conn;
    inv->worker = ((const struct trigger_worker *)req->worker)->index;
    *req->state = inv;
    *req->state_free = invocation_unref;
    MHD_suspend_connection(req->conn);
    instances_submit(*trigger_pool, inv);
    return MHD_YES;
}

static void *worker_init(void *app, unsigned index, char *err, size_t errlen)
{
    (void)app;
    struct trigger_worker *w = calloc(1, sizeof *w);
    if (w == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    w->index = index;
    if (!rng_seed(w->rng)) {
        snprintf(err, errlen, "getrandom failed: no random seed for trace ids");
        free(w);
        return NULL;
    }
    return w;
}

void trigger_configure(struct server_config *cfg, struct instances **pool_ref)
{
    static const struct server_route routes[] = {
        {.path = "/", .prefix = true, .methods = SERVER_ANY, .handler = handle,
         .keep_body = true, .max_body = TRIGGER_MAX_BODY},
    };
    trigger_pool = pool_ref;
    uint64_t r;
    if (getrandom(&r, sizeof r, 0) != sizeof r)
        r = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL;
    snprintf(id_prefix, sizeof id_prefix, "%08x-%04x-4%03x-%04x-", (unsigned)(r >> 32),
             (unsigned)(r >> 16) & 0xffff, (unsigned)r & 0xfff,
             0x8000u | (unsigned)((r >> 48) & 0x3fff));
    cfg->routes = routes;
    cfg->nroutes = 1;
    cfg->suspend_resume = true;
    cfg->raw_query = true; /* rawQueryString: the bytes the client sent */
    cfg->worker_init = worker_init;
    cfg->worker_fini = free;
}
