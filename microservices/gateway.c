/* bin/gateway: the public face of the microservices architecture (DESIGN §4).
 * GET /profile asks auth-service who the bearer is, then asks profile-service for
 * that user's profile and relays its body unchanged.
 *
 * Asynchronous, like nginx: the MHD connection is suspended while the two upstream
 * calls run on the worker's own HTTP client (upstream.c), and resumed when the
 * answer is known; a worker thread never waits for an upstream. Each request has one
 * deadline (--timeout-ms) that bounds both calls together, so every answer, 502/503/
 * 504 included, leaves within the timeout.
 *
 * Its Server-Timing has each call as the gateway saw it (auth-call, profile-call:
 * network included), the services' own steps relayed (auth; db, render) with
 * each service's own total renamed after it (auth-service, profile-service), and
 * its total. A W3C traceparent from the client is continued (or a trace started)
 * and sent to both services with the gateway's span as parent; its trace id is
 * logged beside the request id. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clock.h"
#include "http_chars.h"
#include "log.h"
#include "metrics.h"
#include "net.h"
#include "opts.h"
#include "problem.h"
#include "rng.h"
#include "server.h"
#include "token.h"
#include "traceparent.h"
#include "upstream.h"

#define PROGRAM "gateway"
#define REQUEST_ID_HEADER "X-Request-Id"
#define REQUEST_ID_MAX 64
/* Authorization headers forwarded: two are enough for auth-service to refuse an
 * ambiguous request, as the monolith does. */
#define MAX_AUTH_HEADERS 2
/* Error lines each worker may log per second; the rest are counted and summarised. */
#define LOG_PER_SECOND 10

enum gw_upstream { GW_AUTH, GW_PROFILE };
static const char *const gw_upstream_name[] = {"auth-service", "profile-service"};

/* One worker's gateway counters (single writer: the worker; summed by /metrics). */
struct gw_stats {
    _Atomic uint64_t calls[2][UPSTREAM_NOUTCOMES];
    _Atomic uint64_t failures[2][3]; /* calls that became a public 502, 503, 504 */
    struct metrics_histogram latency[2];
};

struct gw_app {
    struct upstream_target *auth, *profile;
    struct service_secret secret;
    bool send_secret;        /* false: --insecure-no-service-secret */
    long timeout_ms;
    unsigned max_idle;
    struct metrics_http **http; /* per worker */
    struct gw_stats **stats;    /* per worker */
    unsigned nthreads;
};

struct gw_worker {
    struct gw_app *app;
    struct upstream_client *client;
    struct metrics_http *http;
    struct gw_stats *stats;
    uint64_t rng[2];           /* xorshift128+ (rng.h) for request, trace and span ids */
    time_t log_second;
    unsigned log_lines, log_dropped;
};

enum gw_stage { STAGE_AUTH, STAGE_PROFILE, STAGE_DONE };

/* The per-request state (server_request.state) of a GET /profile. */
struct gw_request {
    struct gw_worker *w;
    struct MHD_Connection *conn;
    enum gw_stage stage;
    uint64_t deadline_us;
    int64_t user_id;         /* from auth-service */
    char request_id[REQUEST_ID_MAX + 1];
    char trace_id[33];       /* the W3C trace this request belongs to */
    struct server_timing *timing; /* the public request's steps, or NULL */
    char profile_path[40];   /* "/v1/users/N" */
    struct upstream_call call[2];
    /* Request header lines of both calls, one allocation: the Authorization lines
     * (auth-service's call only), then X-Request-Id, traceparent (and tracestate)
     * and X-Service-Secret. */
    char *headers;
    size_t auth_len, headers_len;
    /* The answer, ready when stage is STAGE_DONE. */
    unsigned status;
    struct MHD_Response *response;
};

/* ---- request ids ---- */

/* A client's own id is kept when it is short and plain (it ends up in logs and
 * in headers to other services); otherwise 16 random bytes in hex. */
static void request_id(struct gw_worker *w, struct MHD_Connection *conn, char *out)
{
    const char *given = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, REQUEST_ID_HEADER);
    if (given != NULL) {
        size_t n = strlen(given);
        if (n > 0 && n <= REQUEST_ID_MAX &&
            strspn(given, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                          "0123456789-_.:") == n) {
            memcpy(out, given, n + 1);
            return;
        }
    }
    static const char hex[] = "0123456789abcdef";
    for (int half = 0; half < 2; half++) {
        uint64_t r = rng_next(w->rng);
        for (int i = 0; i < 16; i++, r >>= 4)
            out[half * 16 + i] = hex[r & 15];
    }
    out[32] = '\0';
}

/* ---- logging, rate-limited per worker ---- */

static void gw_log(struct gw_worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void gw_log(struct gw_worker *w, const char *fmt, ...)
{
    time_t now = time(NULL);
    if (now != w->log_second) {
        if (w->log_dropped > 0)
            log_warn("%u more upstream errors in the last second not logged", w->log_dropped);
        w->log_second = now;
        w->log_lines = w->log_dropped = 0;
    }
    if (w->log_lines >= LOG_PER_SECOND) {
        w->log_dropped++;
        return;
    }
    w->log_lines++;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_warn("%s", msg);
}

/* ---- answers ---- */

static void add_common_headers(struct MHD_Response *r, const char *content_type,
                               const char *rid)
{
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, REQUEST_ID_HEADER, rid);
}

/* Ends the request's upstream work with a response and wakes its connection. */
static void finish(struct gw_request *rq, unsigned status, struct MHD_Response *r)
{
    rq->stage = STAGE_DONE;
    rq->status = status;
    rq->response = r;
    server_resume(rq->conn);
}

/* A problem+json answer with the gateway's headers (and one more when header is
 * not NULL); NULL when out of memory. */
static struct MHD_Response *problem_response(const struct gw_request *rq, unsigned status,
                                             const char *detail, const char *header,
                                             const char *value)
{
    size_t len;
    char *body = problem_render(status, detail, &len);
    struct MHD_Response *r =
        body ? MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE) : NULL;
    if (r == NULL) {
        free(body);
        return NULL;
    }
    add_common_headers(r, PROBLEM_CONTENT_TYPE, rq->request_id);
    if (header != NULL)
        MHD_add_response_header(r, header, value);
    return r;
}

static void finish_problem(struct gw_request *rq, unsigned status, const char *detail,
                           const char *header, const char *value)
{
    finish(rq, status, problem_response(rq, status, detail, header, value));
}

/* Passes the upstream's body on unchanged (the buffer changes hands, no copy). */
static void finish_relay(struct gw_request *rq, struct upstream_call *call, unsigned status,
                         const char *content_type, const char *www_authenticate)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(call->body_len, call->body, MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        finish(rq, status, NULL);
        return;
    }
    call->body = NULL;
    call->body_len = call->body_cap = 0;
    add_common_headers(r, content_type, rq->request_id);
    if (www_authenticate != NULL)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, www_authenticate);
    finish(rq, status, r);
}

/* An upstream call that did not give the answer needed: count it, log it with the
 * request id, and answer 502/503/504. */
static void finish_failure(struct gw_request *rq, enum gw_upstream which,
                           struct upstream_call *call, const char *why)
{
    unsigned status = upstream_failure_status(call->outcome, call->status);
    struct gw_worker *w = rq->w;
    metrics_add(&w->stats->failures[which][status == 502 ? 0 : status == 503 ? 1 : 2], 1);
    const char *name = gw_upstream_name[which];
    char detail[160];
    if (call->outcome != UPSTREAM_OK) {
        gw_log(w, "request %s trace %s: %s: %s (%s) after %llu ms -> %u", rq->request_id,
               rq->trace_id, name, upstream_outcome_name(call->outcome),
               call->error ? call->error : "", (unsigned long long)(call->elapsed_us / 1000),
               status);
        snprintf(detail, sizeof detail, "%s %s", name,
                 status == 503   ? "is unavailable"
                 : status == 504 ? "did not answer in time"
                                 : "sent an invalid answer");
    } else {
        gw_log(w, "request %s trace %s: %s: status %ld, %s -> %u", rq->request_id,
               rq->trace_id, name, call->status, why, status);
        snprintf(detail, sizeof detail, "%s %s", name,
                 status == 503   ? "is unavailable"
                 : status == 504 ? "reported a time-out"
                                 : "sent an unexpected answer");
    }
    finish_problem(rq, status, detail, NULL, NULL);
}

static bool is_json(const char *content_type, const char *type)
{
    size_t n = strlen(type);
    return content_type != NULL && strncasecmp(content_type, type, n) == 0 &&
           (content_type[n] == '\0' || content_type[n] == ';');
}

static long remaining_ms(const struct gw_request *rq)
{
    uint64_t now = clock_now_us();
    return now >= rq->deadline_us ? 0 : (long)((rq->deadline_us - now + 999) / 1000);
}

/* A call ended: counted, and timed as the gateway saw it, with what the service
 * says it spent itself relayed (its total under the service's name). */
static void count_call(struct gw_request *rq, enum gw_upstream which,
                       const struct upstream_call *call)
{
    static const char *const call_name[] = {"auth-call", "profile-call"};
    metrics_add(&rq->w->stats->calls[which][call->outcome], 1);
    metrics_observe(&rq->w->stats->latency[which], call->elapsed_us);
    if (rq->timing == NULL)
        return;
    uint64_t ns = call->elapsed_us * 1000;
    server_timing_add(rq->timing, call_name[which], ns);
    if (call->outcome == UPSTREAM_OK)
        server_timing_relay(rq->timing, upstream_header(call, UPSTREAM_SERVER_TIMING),
                            gw_upstream_name[which], ns);
}

static void profile_done(struct upstream_call *call)
{
    struct gw_request *rq = call->data;
    count_call(rq, GW_PROFILE, call);
    if (call->outcome != UPSTREAM_OK) {
        finish_failure(rq, GW_PROFILE, call, NULL);
    } else if (call->status == 200) {
        if (is_json(upstream_header(call, UPSTREAM_CONTENT_TYPE), "application/json") &&
            upstream_profile_is_user(call->body, call->body_len, rq->user_id))
            finish_relay(rq, call, 200, "application/json", NULL);
        else
            finish_failure(rq, GW_PROFILE, call, "not the requested user's profile");
    } else if (call->status == 404) {
        /* A session whose user is gone: the monolith's join finds no row for it
         * and calls the token unknown, so the gateway does too. */
        finish_problem(rq, 401, token_result_detail(TOKEN_UNKNOWN),
                       MHD_HTTP_HEADER_WWW_AUTHENTICATE, token_result_challenge(TOKEN_UNKNOWN));
    } else {
        finish_failure(rq, GW_PROFILE, call,
                       call->status == 401 ? "the service secret was refused"
                                           : "unexpected status");
    }
}

/* "/v1/users/N" into out (at least 30 bytes; N > 0 from upstream_parse_user_id). */
static void format_user_path(char *out, int64_t id)
{
    static const char prefix[] = "/v1/users/";
    char digits[20];
    int n = 0;
    for (uint64_t v = (uint64_t)id; v > 0 || n == 0; v /= 10)
        digits[n++] = (char)('0' + v % 10);
    memcpy(out, prefix, sizeof prefix - 1);
    char *w = out + sizeof prefix - 1;
    while (n > 0)
        *w++ = digits[--n];
    *w = '\0';
}

static void start_profile(struct gw_request *rq)
{
    format_user_path(rq->profile_path, rq->user_id);
    struct upstream_call *call = &rq->call[GW_PROFILE];
    call->target = rq->w->app->profile;
    call->path = rq->profile_path;
    call->headers = rq->headers + rq->auth_len; /* no credentials to profile-service */
    call->headers_len = rq->headers_len - rq->auth_len;
    call->timeout_ms = remaining_ms(rq);
    if (call->timeout_ms <= 0) {
        /* The auth call used up the whole budget. */
        call->outcome = UPSTREAM_TIMEOUT;
        call->error = "no time left after the auth call";
        call->elapsed_us = 0;
        finish_failure(rq, GW_PROFILE, call, NULL);
        return;
    }
    rq->stage = STAGE_PROFILE;
    if (upstream_start(rq->w->client, call) != 0)
        finish_problem(rq, 503, "the gateway is out of resources", NULL, NULL);
}

/* A 401 about the user's token carries a Bearer challenge; one about the gateway's
 * own credential carries SERVICE_SECRET_CHALLENGE. */
static bool is_bearer_challenge(const struct upstream_call *call)
{
    const char *c = upstream_header(call, UPSTREAM_WWW_AUTHENTICATE);
    return c != NULL && strncasecmp(c, "Bearer", 6) == 0 && (c[6] == ' ' || c[6] == '\0');
}

static void auth_done(struct upstream_call *call)
{
    struct gw_request *rq = call->data;
    count_call(rq, GW_AUTH, call);
    if (call->outcome != UPSTREAM_OK) {
        finish_failure(rq, GW_AUTH, call, NULL);
    } else if (call->status == 200) {
        if (upstream_parse_user_id(call->body, call->body_len, &rq->user_id))
            start_profile(rq);
        else
            finish_failure(rq, GW_AUTH, call, "body is not {\"user_id\":N}");
    } else if (call->status == 401 && !is_bearer_challenge(call)) {
        /* auth-service refused the gateway itself, not the user's token. */
        finish_failure(rq, GW_AUTH, call, "the service secret was refused");
    } else if (call->status == 401) {
        /* The public 401 is auth-service's, byte for byte, challenge included. */
        const char *ct = upstream_header(call, UPSTREAM_CONTENT_TYPE);
        finish_relay(rq, call, 401, ct ? ct : PROBLEM_CONTENT_TYPE,
                     upstream_header(call, UPSTREAM_WWW_AUTHENTICATE));
    } else {
        finish_failure(rq, GW_AUTH, call, "unexpected status");
    }
}

/* ---- request set-up ---- */

struct auth_collect {
    struct gw_request *rq;
    unsigned n;
    size_t used;
    bool control; /* a value held a control character */
};

static bool has_control(const char *v)
{
    for (; *v; v++)
        if (http_ctl((unsigned char)*v))
            return true;
    return false;
}

/* Appends "name: value\r\n" to buf at used; returns the new length. (printf cost
 * ~1,000 instructions a line here, a tenth of the gateway's own code per request.) */
static size_t append_line(char *buf, size_t used, const char *name, const char *value)
{
    size_t n = strlen(name), v = strlen(value);
    char *w = buf + used;
    memcpy(w, name, n);
    memcpy(w + n, ": ", 2);
    memcpy(w + n + 2, value, v);
    memcpy(w + n + 2 + v, "\r\n", 2);
    return used + n + v + 4;
}

/* Copies each Authorization header as a request line "Authorization: value". */
static enum MHD_Result collect_auth(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    struct auth_collect *ac = cls;
    if (strcasecmp(key, MHD_HTTP_HEADER_AUTHORIZATION) != 0)
        return MHD_YES;
    if (ac->n == MAX_AUTH_HEADERS)
        return MHD_NO;
    if (has_control(value)) {
        ac->control = true;
        return MHD_NO;
    }
    ac->used = append_line(ac->rq->headers, ac->used, MHD_HTTP_HEADER_AUTHORIZATION, value);
    ac->n++;
    return MHD_YES;
}

/* What one pass over the request's headers finds: the room its Authorization
 * lines need, and its trace context. */
struct head_scan {
    size_t auth_bytes;
    const char *traceparent, *tracestate;
    unsigned ntraceparent, ntracestate;
};

static enum MHD_Result scan_head(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    (void)kind;
    struct head_scan *h = cls;
    if (strcasecmp(key, MHD_HTTP_HEADER_AUTHORIZATION) == 0) {
        h->auth_bytes += strlen(value) + sizeof "Authorization: \r\n";
    } else if (strcasecmp(key, TRACEPARENT_HEADER) == 0) {
        if (h->ntraceparent++ == 0)
            h->traceparent = value;
    } else if (strcasecmp(key, TRACESTATE_HEADER) == 0) {
        if (h->ntracestate++ == 0)
            h->tracestate = value;
    }
    return MHD_YES;
}

/* The traceparent the services get: the client's trace continued when it sent
 * one valid traceparent (with its tracestate when that is one plain value), else
 * a new trace; the gateway's own span is the parent. *state is the tracestate to
 * pass on, or NULL. */
static void trace_context(struct gw_worker *w, const struct head_scan *h, struct gw_request *rq,
                          char out[TRACEPARENT_LEN + 1], const char **state)
{
    struct traceparent in;
    bool continued = h->ntraceparent == 1 && traceparent_parse(h->traceparent, &in);
    if (!continued) {
        uint64_t r1 = rng_next(w->rng);
        traceparent_start_now(&in, r1, rng_next(w->rng));
    }
    traceparent_child(&in, rng_next(w->rng), &in);
    traceparent_format(&in, out);
    memcpy(rq->trace_id, in.trace_id, sizeof rq->trace_id);
    *state = continued && h->ntracestate == 1 && traceparent_state_ok(h->tracestate)
                 ? h->tracestate
                 : NULL;
}

static void request_free(void *state)
{
    struct gw_request *rq = state;
    upstream_cancel(&rq->call[GW_AUTH]);
    upstream_cancel(&rq->call[GW_PROFILE]);
    if (rq->response)
        MHD_destroy_response(rq->response);
    free(rq->headers);
    free(rq);
}

_Static_assert(sizeof(struct gw_request) < 1024, "keep struct gw_request below 1 KiB");

/* The per-request state with its header lines; NULL when out of memory. *control
 * tells that an Authorization value held a control character (the request is then
 * answered at once: forwarding it could split the upstream request's headers). */
static struct gw_request *request_new(struct gw_worker *w, const struct server_request *req,
                                      bool *control)
{
    struct MHD_Connection *conn = req->conn;
    struct gw_request *rq = calloc(1, sizeof *rq);
    if (rq == NULL)
        return NULL;
    rq->w = w;
    rq->conn = conn;
    rq->timing = req->timing;
    rq->deadline_us = clock_now_us() + (uint64_t)w->app->timeout_ms * 1000u;
    request_id(w, conn, rq->request_id);

    const struct gw_app *app = w->app;
    struct head_scan h = {0};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, scan_head, &h);
    char traceparent[TRACEPARENT_LEN + 1];
    const char *tracestate;
    trace_context(w, &h, rq, traceparent, &tracestate);
    size_t total = h.auth_bytes + sizeof REQUEST_ID_HEADER ": \r\n" + REQUEST_ID_MAX +
                   sizeof TRACEPARENT_HEADER ": \r\n" + TRACEPARENT_LEN +
                   (tracestate ? sizeof TRACESTATE_HEADER ": \r\n" + strlen(tracestate) : 0) +
                   sizeof SERVICE_SECRET_HEADER ": \r\n" + app->secret.len;
    rq->headers = malloc(total);
    if (rq->headers == NULL) {
        free(rq);
        return NULL;
    }
    struct auth_collect ac = {.rq = rq};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_auth, &ac);
    *control = ac.control;
    rq->auth_len = ac.used;
    rq->headers_len = append_line(rq->headers, ac.used, REQUEST_ID_HEADER, rq->request_id);
    rq->headers_len = append_line(rq->headers, rq->headers_len, TRACEPARENT_HEADER, traceparent);
    if (tracestate != NULL)
        rq->headers_len =
            append_line(rq->headers, rq->headers_len, TRACESTATE_HEADER, tracestate);
    if (app->send_secret)
        rq->headers_len = append_line(rq->headers, rq->headers_len, SERVICE_SECRET_HEADER,
                                      app->secret.value);
    for (int i = 0; i < 2; i++)
        rq->call[i].data = rq;
    rq->call[GW_AUTH].done = auth_done;
    rq->call[GW_PROFILE].done = profile_done;
    return rq;
}

static enum MHD_Result handle_profile(const struct server_request *req)
{
    struct gw_worker *w = req->worker;
    struct gw_request *rq = *req->state;
    if (rq != NULL) {
        /* Called again after server_resume: the answer is ready. */
        if (rq->stage != STAGE_DONE || rq->response == NULL)
            return MHD_NO; /* out of memory while building it: drop the connection */
        return server_queue(req->conn, rq->status, rq->response);
    }
    bool control;
    rq = request_new(w, req, &control);
    if (rq == NULL)
        return MHD_NO;
    *req->state = rq;
    *req->state_free = request_free;
    if (control) { /* what the monolith calls such a credential */
        struct MHD_Response *r = problem_response(
            rq, 401, token_result_detail(TOKEN_MALFORMED), MHD_HTTP_HEADER_WWW_AUTHENTICATE,
            token_result_challenge(TOKEN_MALFORMED));
        if (r == NULL)
            return MHD_NO;
        enum MHD_Result ret = server_queue(req->conn, 401, r);
        MHD_destroy_response(r);
        return ret;
    }

    struct upstream_call *call = &rq->call[GW_AUTH];
    call->target = w->app->auth;
    call->path = "/v1/verify";
    call->headers = rq->headers;
    call->headers_len = rq->headers_len;
    call->timeout_ms = w->app->timeout_ms;
    if (upstream_start(w->client, call) != 0)
        return server_reply_problem(req->conn, 503, "the gateway is out of resources");
    MHD_suspend_connection(req->conn);
    return MHD_YES;
}

/* ---- metrics ---- */

static enum MHD_Result handle_metrics(const struct server_request *req)
{
    struct gw_app *app = ((struct gw_worker *)req->worker)->app;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return MHD_NO;
    metrics_write_http(f, PROGRAM, app->http, app->nthreads);
    fprintf(f, "# HELP archbench_upstream_calls_total Calls from the gateway to its "
               "upstreams, by how the transport ended.\n"
               "# TYPE archbench_upstream_calls_total counter\n");
    for (int u = 0; u < 2; u++)
        for (int o = 0; o < UPSTREAM_NOUTCOMES; o++) {
            uint64_t n = 0;
            for (unsigned t = 0; t < app->nthreads; t++)
                n += atomic_load_explicit(&app->stats[t]->calls[u][o], memory_order_relaxed);
            fprintf(f, "archbench_upstream_calls_total{upstream=\"%s\",outcome=\"%s\"} %llu\n",
                    gw_upstream_name[u], upstream_outcome_name(o), (unsigned long long)n);
        }
    static const char *const codes[] = {"502", "503", "504"};
    fprintf(f, "# HELP archbench_upstream_errors_total Upstream calls that became a public "
               "error, by that error's status.\n"
               "# TYPE archbench_upstream_errors_total counter\n");
    for (int u = 0; u < 2; u++)
        for (int k = 0; k < 3; k++) {
            uint64_t n = 0;
            for (unsigned t = 0; t < app->nthreads; t++)
                n += atomic_load_explicit(&app->stats[t]->failures[u][k], memory_order_relaxed);
            fprintf(f, "archbench_upstream_errors_total{upstream=\"%s\",code=\"%s\"} %llu\n",
                    gw_upstream_name[u], codes[k], (unsigned long long)n);
        }
    metrics_write_histogram_header(f, "archbench_upstream_duration_seconds",
                                   "Duration of the gateway's upstream calls.");
    for (int u = 0; u < 2; u++) {
        struct metrics_histogram *h[app->nthreads];
        for (unsigned t = 0; t < app->nthreads; t++)
            h[t] = &app->stats[t]->latency[u];
        char labels[64];
        snprintf(labels, sizeof labels, "upstream=\"%s\"", gw_upstream_name[u]);
        metrics_write_histogram(f, "archbench_upstream_duration_seconds", labels, h,
                                app->nthreads);
    }
    if (fclose(f) != 0) {
        free(text);
        return MHD_NO;
    }
    return metrics_reply(req->conn, text, len);
}

/* ---- workers ---- */

static void *worker_init(void *app, unsigned index, char *err, size_t errlen)
{
    struct gw_app *a = app;
    struct gw_worker *w = calloc(1, sizeof *w);
    if (w == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    w->app = a;
    w->http = a->http[index];
    w->stats = a->stats[index];
    if (!rng_seed(w->rng)) {
        snprintf(err, errlen, "getrandom failed: no random seed for request and trace ids");
        free(w);
        return NULL;
    }
    w->client = upstream_client_new(a->max_idle, err, errlen);
    if (w->client == NULL) {
        free(w);
        return NULL;
    }
    return w;
}

static void worker_fini(void *worker)
{
    struct gw_worker *w = worker;
    upstream_client_free(w->client);
    free(w);
}

static int worker_fd(void *worker)
{
    return upstream_client_fd(((struct gw_worker *)worker)->client);
}

static long worker_timeout_ms(void *worker)
{
    return upstream_client_timeout_ms(((struct gw_worker *)worker)->client);
}

static void worker_run(void *worker)
{
    upstream_client_run(((struct gw_worker *)worker)->client);
}

static void abandoned(struct upstream_call *call)
{
    finish_problem(call->data, 503, "the gateway is shutting down", NULL, NULL);
}

/* Stopping: requests still waiting for an upstream are resumed (MHD then closes
 * them), since a daemon must not stop with suspended connections. */
static void worker_stop(void *worker)
{
    upstream_client_cancel_all(((struct gw_worker *)worker)->client, abandoned);
}

static void request_done(void *worker, unsigned status, unsigned long long elapsed_us)
{
    metrics_http_record(((struct gw_worker *)worker)->http, status, elapsed_us);
}

/* ---- command line ---- */

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: " PROGRAM " --service-secret FILE [options]\n"
            "Serves GET /profile (Authorization: Bearer TOKEN) by asking auth-service\n"
            "who the bearer is and profile-service for that user's profile; also\n"
            "GET /health. Its own metrics (GET /metrics) are served only on an address\n"
            "of their own, when --metrics-listen gives one.\n\n"
            "  --listen HOST:PORT     address to listen on (default 127.0.0.1:8081;\n"
            "                         port 0 picks a free port, printed on stdout)\n"
            "  --auth-url URL         auth-service base URL (default http://127.0.0.1:9101)\n"
            "  --profile-url URL      profile-service base URL (default http://127.0.0.1:9102)\n"
            "  --timeout-ms N         budget for both upstream calls of a request, connects\n"
            "                         included; then 504 (default 1000)\n"
            "  --max-idle-upstream N  idle keep-alive connections kept per worker and\n"
            "                         upstream (default 1024)\n"
            "  --service-secret FILE  the shared secret sent to both services in\n"
            "                         X-Service-Secret (their --service-secret FILE)\n"
            "  --insecure-no-service-secret\n"
            "                         send none (services that trust every caller)\n"
            "  --metrics-listen HOST:PORT\n"
            "                         serve GET /metrics (Prometheus text) there, not on the\n"
            "                         public address (default: no metrics; port 0 picks a\n"
            "                         free port, printed as \"metrics on ADDR\")\n"
            SERVER_OPTIONS_HELP,
            SERVER_HELP_ARGS);
}

/* The gateway's command line before the upstream URLs are checked. */
struct gw_options {
    struct gw_app *app;
    const char *auth_base, *profile_base, *secret_path;
    const char *metrics_listen; /* NULL: no metrics listener */
    bool insecure;
};

static bool gw_option(int c, const char *arg, void *ctx)
{
    struct gw_options *o = ctx;
    uint64_t v;
    unsigned u;
    switch (c) {
    case 'a': o->auth_base = arg; return true;
    case 'p': o->profile_base = arg; return true;
    case 'S': o->secret_path = arg; return true;
    case 'I': o->insecure = true; return true;
    case 'M': o->metrics_listen = arg; return true;
    case 'o':
        if (!opts_parse_u64(arg, 1, 600000, false, &v))
            opts_usage_error(PROGRAM, "--timeout-ms: expected 1..600000, got '%s'", arg);
        o->app->timeout_ms = (long)v;
        return true;
    case 'i':
        if (!opts_parse_unsigned(arg, 0, 100000, &u))
            opts_usage_error(PROGRAM, "--max-idle-upstream: expected 0..100000, got '%s'", arg);
        o->app->max_idle = u;
        return true;
    default: return false;
    }
}

/* Parses the command line into app, cfg and *metrics_listen, checks the upstream
 * URLs (bad usage exits 2) and resolves their hosts (exit 1 when out of resources). */
static void gw_parse_args(int argc, char **argv, struct gw_app *app, struct server_config *cfg,
                          const char **metrics_listen)
{
    static const struct option longopts[] = {
        {"auth-url", required_argument, NULL, 'a'},
        {"profile-url", required_argument, NULL, 'p'},
        {"timeout-ms", required_argument, NULL, 'o'},
        {"max-idle-upstream", required_argument, NULL, 'i'},
        {"service-secret", required_argument, NULL, 'S'},
        {"insecure-no-service-secret", no_argument, NULL, 'I'},
        {"metrics-listen", required_argument, NULL, 'M'},
        SERVER_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    struct gw_options o = {.app = app, .auth_base = "http://127.0.0.1:9101",
                           .profile_base = "http://127.0.0.1:9102"};
    server_parse_args(argc, argv, longopts, cfg, PROGRAM, usage, gw_option, &o);
    *metrics_listen = o.metrics_listen;
    char err[512];
    struct sockaddr_storage addr;
    socklen_t addrlen;
    if (o.metrics_listen &&
        !net_parse_address(o.metrics_listen, &addr, &addrlen, err, sizeof err))
        opts_usage_error(PROGRAM, "--metrics-listen: %s", err);
    app->send_secret = service_secret_option(PROGRAM, o.secret_path, o.insecure, &app->secret);
    if (!upstream_base_url_valid(o.auth_base, err, sizeof err))
        opts_usage_error(PROGRAM, "--auth-url: %s", err);
    if (!upstream_base_url_valid(o.profile_base, err, sizeof err))
        opts_usage_error(PROGRAM, "--profile-url: %s", err);
    /* Resolves the hosts now, before the workers run; later resolutions happen on
     * a helper thread of each target, never in a worker's loop. */
    app->auth = upstream_target_new(o.auth_base, NULL, err, sizeof err);
    app->profile = app->auth ? upstream_target_new(o.profile_base, NULL, err, sizeof err) : NULL;
    if (app->profile == NULL) {
        log_error("%s", err);
        upstream_target_free(app->auth);
        exit(1);
    }
}

/* The per-worker metrics and counters; false when out of memory (release with
 * gw_app_free either way). */
static bool gw_app_init(struct gw_app *app, unsigned nthreads)
{
    app->nthreads = nthreads;
    app->http = metrics_http_new(nthreads);
    app->stats = calloc(nthreads, sizeof *app->stats);
    if (app->http == NULL || app->stats == NULL)
        return false;
    for (unsigned i = 0; i < nthreads; i++)
        if ((app->stats[i] = calloc(1, sizeof **app->stats)) == NULL)
            return false;
    return true;
}

static void gw_app_free(struct gw_app *app)
{
    metrics_http_free(app->http, app->nthreads);
    for (unsigned i = 0; app->stats && i < app->nthreads; i++)
        free(app->stats[i]);
    free(app->stats);
}

/* The metrics listener's workers only need the application: handle_metrics reads
 * every worker's counters through it. */
static void *metrics_worker_init(void *app, unsigned index, char *err, size_t errlen)
{
    (void)index;
    struct gw_worker *w = calloc(1, sizeof *w);
    if (w == NULL)
        snprintf(err, errlen, "out of memory");
    else
        w->app = app;
    return w;
}

/* Serves the public site, and the metrics site when metrics is set, until SIGINT
 * or SIGTERM; prints "listening on ADDR" (and "metrics on ADDR") first. */
static int gw_serve(const struct server_config *cfg, const struct server_config *metrics)
{
    const struct server_config *sites[] = {cfg, metrics};
    struct server *s = server_open(sites, metrics ? 2 : 1);
    if (s == NULL)
        return 1;
    if (server_serve(s) != 0) {
        server_stop(s);
        return 1;
    }
    /* One write, so a reader of the first line finds the second beside it. */
    if (metrics)
        printf("listening on %s\nmetrics on %s\n", server_address(s, 0, 0),
               server_address(s, 1, 0));
    else
        printf("listening on %s\n", server_address(s, 0, 0));
    fflush(stdout);
    server_wait_signal();
    server_stop(s);
    return 0;
}

int main(int argc, char **argv)
{
    static const struct server_route routes[] = {
        {.path = "/profile", .methods = SERVER_GET | SERVER_HEAD, .handler = handle_profile},
    };
    /* Internal counters stay off the public address: they are for the operator. */
    static const struct server_route metrics_routes[] = {
        {.path = "/metrics", .methods = SERVER_GET | SERVER_HEAD, .handler = handle_metrics},
    };
    struct gw_app app = {.timeout_ms = 1000, .max_idle = 1024};
    struct server_config cfg = {
        .listen = "127.0.0.1:8081",
        .routes = routes,
        .nroutes = sizeof routes / sizeof routes[0],
        .worker_init = worker_init,
        .worker_fini = worker_fini,
        .worker_fd = worker_fd,
        .worker_timeout_ms = worker_timeout_ms,
        .worker_run = worker_run,
        .worker_stop = worker_stop,
        .request_done = request_done,
        .suspend_resume = true,
        .app = &app,
    };
    const char *metrics_listen = NULL;
    log_init(PROGRAM, LOG_INFO);
    gw_parse_args(argc, argv, &app, &cfg, &metrics_listen);
    cfg.threads = cfg.threads ? cfg.threads : server_cpu_count();
    struct server_config metrics = {
        .listen = metrics_listen,
        .routes = metrics_routes,
        .nroutes = sizeof metrics_routes / sizeof metrics_routes[0],
        .worker_init = metrics_worker_init,
        .worker_fini = free,
        .threads = cfg.threads,
        .max_connections = 64,
        .app = &app,
    };
    int rc = 1;
    if (gw_app_init(&app, cfg.threads))
        rc = gw_serve(&cfg, metrics_listen ? &metrics : NULL);
    else
        log_error("out of memory");
    gw_app_free(&app);
    upstream_target_free(app.auth);
    upstream_target_free(app.profile);
    return rc;
}
