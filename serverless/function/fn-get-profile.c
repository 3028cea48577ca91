/* bin/fn-get-profile: GET /profile as an AWS Lambda custom-runtime bootstrap.
 * Unmodified, the same binary runs under bin/faas and on AWS Lambda
 * (provided.al2023, with ARCHBENCH_DB pointing at app.db in the deployment
 * package or a layer): it only speaks the Runtime API at AWS_LAMBDA_RUNTIME_API.
 *
 * Init once per instance (open the database, prepare its statements), then loop:
 * next event -> the monolith's flow (common/flow.c: same token check, same profile
 * bytes, same problem+json errors) -> an API Gateway v2.0 result. The result
 * carries a server-timing header with the flow's steps and the function's own
 * total (event in -> result rendered), which faas relays and API Gateway would
 * pass on as it is; ARCHBENCH_SERVER_TIMING=0 leaves it out (and the clock
 * unread). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "apigw.h"
#include "clock.h"
#include "db.h"
#include "flow.h"
#include "log.h"
#include "opts.h"
#include "problem.h"
#include "runtime.h"
#include "zygote.h"

struct fn {
    struct db *db;
    bool timed;           /* results carry server-timing */
    char init_error[512]; /* non-empty: init failed, reported on the first /next */
};

/* One invocation's timing: its start and the flow's steps, when timed. */
struct fn_call {
    bool timed;
    uint64_t start_ns;
    struct flow_timing ft;
    bool flow_ran;
};

/* Renders a result with content-type, cache-control, one optional extra header
 * and, for a timed call, server-timing. */
static char *render_result(struct fn_call *call, unsigned status, const char *content_type,
                           const char *extra_name, const char *extra_value, const char *body,
                           size_t blen, size_t *len)
{
    struct apigw_header h[4] = {{"content-type", content_type}, {"cache-control", "no-store"}};
    size_t n = 2;
    if (extra_name != NULL)
        h[n++] = (struct apigw_header){extra_name, extra_value};
    char timing[SERVER_TIMING_FORMAT_MAX];
    if (call->timed) {
        struct server_timing t = {.n = 0};
        if (call->flow_ran)
            flow_timing_report(&call->ft, &t);
        server_timing_format(&t, clock_now_ns() - call->start_ns, timing);
        h[n++] = (struct apigw_header){"server-timing", timing};
    }
    return apigw_result_render(status, h, n, body, blen, len);
}

/* Renders a problem+json result; extra_name/value may add one header. */
static char *problem_result(struct fn_call *call, unsigned status, const char *detail,
                            const char *extra_name, const char *extra_value, size_t *len)
{
    size_t blen;
    char *body = problem_render(status, detail, &blen);
    if (body == NULL)
        return NULL;
    char *out = render_result(call, status, PROBLEM_CONTENT_TYPE, extra_name, extra_value, body,
                              blen, len);
    free(body);
    return out;
}

/* The profile flow's answer as an API Gateway result: the monolith's handler with
 * the event in place of the connection. */
static char *profile_result(struct fn *f, struct fn_call *call, const char *authorization,
                            size_t *len)
{
    struct flow_answer a;
    call->flow_ran = true;
    if (flow_profile_by_bearer(f->db, authorization, &a, call->timed ? &call->ft : NULL) != 200)
        return problem_result(call, a.status, a.detail,
                              a.challenge ? "www-authenticate" : NULL, a.challenge, len);
    char *out = render_result(call, 200, "application/json", NULL, NULL, a.body, a.len, len);
    free(a.body);
    return out;
}

/* Handles one event. Returns the result JSON, or NULL with error_type/message set
 * when the event is not an API Gateway v2.0 HTTP event (a handler failure). */
static char *handle(struct fn *f, const char *event, size_t event_len, size_t *len,
                    const char **error_type, const char **message)
{
    struct fn_call call = {.timed = f->timed};
    if (call.timed)
        call.start_ns = clock_now_ns();
    struct apigw_event ev;
    if (apigw_event_parse(event, event_len, &ev) != 0) {
        *error_type = "Runtime.InvalidEvent";
        *message = "the event is not an API Gateway HTTP API (2.0) event";
        return NULL;
    }
    char *out;
    if (strcmp(ev.path, "/profile") != 0)
        out = problem_result(&call, 404, "no such resource", NULL, NULL, len);
    else if (strcmp(ev.method, "GET") != 0 && strcmp(ev.method, "HEAD") != 0)
        out = problem_result(&call, 405, "method not allowed on this resource", "allow",
                             "GET, HEAD", len);
    else
        out = profile_result(f, &call, ev.authorization, len);
    apigw_event_free(&ev);
    if (out == NULL) {
        *error_type = "Runtime.OutOfMemory";
        *message = "cannot render the result";
    }
    return out;
}

/* Opens ARCHBENCH_DB and prepares its statements; a failure goes to
 * f->init_error, reported on the first /next as AWS's init error. */
static void open_db(struct fn *f)
{
    const char *path = getenv("ARCHBENCH_DB");
    if (path == NULL || *path == '\0') {
        snprintf(f->init_error, sizeof f->init_error, "ARCHBENCH_DB is not set");
        return;
    }
    f->db = db_open(path, DB_SESSIONS | DB_USERS, f->init_error, sizeof f->init_error);
    if (f->db == NULL)
        return;
    f->init_error[0] = '\0';
    /* One lookup now pulls the index pages into this connection's cache during
     * init, not during the first invocation. */
    static const unsigned char none[TOKEN_HASH_LEN];
    struct profile p;
    int64_t expires_at;
    if (db_profile_by_token(f->db, none, &p, &expires_at) == DB_OK)
        db_release(f->db);
}

/* The invocation loop: next event, its result posted back, until the Runtime API
 * fails (on AWS Lambda and under faas the instance is then stopped). */
static void serve(struct runtime *rt, struct fn *f)
{
    char err[512];
    for (;;) {
        struct runtime_invocation inv;
        if (runtime_next(rt, &inv, err, sizeof err) != 0) {
            log_error("%s", err);
            break;
        }
        size_t len;
        const char *error_type = NULL, *message = NULL;
        char *result = handle(f, inv.event, inv.event_len, &len, &error_type, &message);
        long status;
        if (result != NULL) {
            status = runtime_respond(rt, inv.request_id, result, len, err, sizeof err);
            free(result);
            /* Over 6 MB the platform refuses the payload; the invocation then fails
             * as on AWS (cannot happen with profiles, which are < 1 KiB). */
            if (status == 413)
                status = runtime_fail(rt, inv.request_id, "Function.ResponseSizeTooLarge",
                                      "response payload exceeds 6 MB", err, sizeof err);
        } else {
            status = runtime_fail(rt, inv.request_id, error_type, message, err, sizeof err);
        }
        if (status < 0) {
            log_error("%s", err);
            break;
        }
        if (status != 202)
            log_warn("the platform refused the result of %s: HTTP %ld", inv.request_id,
                     status);
    }
}

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: fn-get-profile [HANDLER]\n"
            "GET /profile as an AWS Lambda custom runtime (bootstrap). Started by\n"
            "bin/faas or by AWS Lambda, never by hand. HANDLER (a packaged bootstrap\n"
            "passes $_HANDLER) is accepted and not used: there is one handler. It reads:\n"
            "  AWS_LAMBDA_RUNTIME_API   host:port of the Lambda Runtime API\n"
            "  ARCHBENCH_DB             app.db written by 'archbench seed'\n"
            "  ARCHBENCH_SERVER_TIMING  0 or off: results without server-timing\n"
            "  %s  (faas --start fork-server) template mode\n\n"
            "  -h, --help      show this help\n"
            "  -V, --version   show the version\n",
            ZYGOTE_ENV);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    log_init("fn-get-profile", LOG_INFO);
    int c;
    opterr = 0; /* one message, ours, not getopt's as well */
    while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': usage(stdout); return 0;
        case 'V': opts_print_version("fn-get-profile"); return 0;
        default: opts_usage_error("fn-get-profile", "unknown option '%s'", argv[optind - 1]);
        }
    }
    /* One operand is the handler: AWS's packaged bootstraps (aws-lambda-cpp's
     * packager) pass $_HANDLER, which Lambda always sets. This binary has one
     * handler, so its value is not used. */
    if (optind + 1 < argc)
        opts_usage_error("fn-get-profile", "unexpected argument '%s'", argv[optind + 1]);

    /* Init: everything an invocation needs that does not depend on the event.
     * Process-wide state (sqlite's and libcurl's global init) comes first: a
     * fork-server template does that much and then only forks. The database
     * connection is per instance, opened after zygote_serve in every child:
     * sqlite forbids using a connection across fork(). */
    db_global_init();
    runtime_global_init();
    zygote_serve();

    struct fn f = {0};
    const char *timing = getenv("ARCHBENCH_SERVER_TIMING");
    f.timed = timing == NULL || (strcmp(timing, "0") != 0 && strcasecmp(timing, "off") != 0);
    open_db(&f);
    char err[512];
    struct runtime *rt = runtime_open(err, sizeof err);
    if (rt == NULL) {
        log_error("%s", err);
        return 1;
    }
    if (f.init_error[0] != '\0') {
        log_error("init: %s", f.init_error);
        if (runtime_init_error(rt, "Runtime.InitError", f.init_error, err, sizeof err) < 0)
            log_error("%s", err);
        runtime_close(rt);
        return 1;
    }
    serve(rt, &f);
    runtime_close(rt);
    db_close(f.db);
    return 1;
}
