/* bin/auth-service: verifies session tokens for the gateway (DESIGN §4). It owns
 * auth.db (the sessions table) and nothing else: GET /v1/verify answers 200
 * {"user_id":N} with X-User-Id: N, or exactly the monolith's 401 problem+json, so
 * the gateway (or nginx auth_request, Envoy ext_authz) can pass it through. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "metrics.h"
#include "opts.h"
#include "server.h"
#include "token.h"

#define PROGRAM "auth-service"

struct auth_app {
    const char *db_path;
    /* 401 answers are fixed, built once; indexed by enum token_result. */
    struct MHD_Response *unauthorized[TOKEN_EXPIRED + 1];
    struct metrics_http **metrics; /* one per worker thread */
    unsigned nthreads;
};

struct auth_worker {
    struct auth_app *app;
    struct db *db;
    struct metrics_http *metrics;
};

static void *worker_init(void *app, unsigned index, char *err, size_t errlen)
{
    struct auth_app *a = app;
    struct auth_worker *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->app = a;
    w->metrics = a->metrics[index];
    w->db = db_open(a->db_path, DB_SESSIONS, err, errlen);
    if (w->db == NULL) {
        free(w);
        return NULL;
    }
    return w;
}

static void worker_fini(void *worker)
{
    struct auth_worker *w = worker;
    db_close(w->db);
    free(w);
}

static void request_done(void *worker, unsigned status, unsigned long long elapsed_us)
{
    struct auth_worker *w = worker;
    metrics_http_record(w->metrics, status, elapsed_us);
}

static enum MHD_Result unauthorized(struct auth_worker *w, struct MHD_Connection *c,
                                    enum token_result r)
{
    return MHD_queue_response(c, MHD_HTTP_UNAUTHORIZED, w->app->unauthorized[r]);
}

/* The same checks, in the same order, as the monolith's GET /profile, so that every
 * credential gets the same 401 detail through the gateway as from the monolith. */
static enum MHD_Result handle_verify(const struct server_request *req)
{
    struct auth_worker *w = req->worker;
    unsigned char hash[TOKEN_HASH_LEN];
    enum token_result r = server_bearer_hash(req->conn, hash);
    if (r != TOKEN_OK)
        return unauthorized(w, req->conn, r);
    int64_t user_id, expires_at;
    switch (db_session_lookup(w->db, hash, &user_id, &expires_at)) {
    case DB_NOT_FOUND:
        return unauthorized(w, req->conn, TOKEN_UNKNOWN);
    case DB_ERROR:
        log_error("session lookup: %s", db_errmsg(w->db));
        return server_reply_problem(req->conn, MHD_HTTP_SERVICE_UNAVAILABLE,
                                    "the session database is unavailable");
    case DB_OK:
        break;
    }
    if (token_check_expiry(expires_at, (int64_t)time(NULL)) != TOKEN_OK)
        return unauthorized(w, req->conn, TOKEN_EXPIRED);

    char id[24];
    snprintf(id, sizeof id, "%" PRId64, user_id);
    char *body = malloc(32);
    if (body == NULL)
        return MHD_NO;
    int len = snprintf(body, 32, "{\"user_id\":%s}", id);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer((size_t)len, body, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(resp, "X-User-Id", id);
    enum MHD_Result ret = MHD_queue_response(req->conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result handle_metrics(const struct server_request *req)
{
    struct auth_worker *w = req->worker;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return MHD_NO;
    metrics_write_http(f, PROGRAM, w->app->metrics, w->app->nthreads);
    if (fclose(f) != 0) {
        free(text);
        return MHD_NO;
    }
    return metrics_reply(req->conn, text, len);
}

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: " PROGRAM " --db FILE [options]\n"
            "Serves GET /v1/verify (Authorization: Bearer TOKEN -> {\"user_id\":N} and\n"
            "X-User-Id, or 401), GET /health and GET /metrics.\n\n"
            "  --listen HOST:PORT     address to listen on (default 127.0.0.1:9101;\n"
            "                         port 0 picks a free port, printed on stdout)\n"
            "  --db FILE              auth.db written by 'archbench seed' (required)\n"
            SERVER_OPTIONS_HELP,
            SERVER_HELP_ARGS);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        SERVER_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    struct auth_app app = {0};
    struct server_config cfg = {
        .listen = "127.0.0.1:9101",
        .max_body = SERVER_DEFAULT_MAX_BODY,
        .timeout_s = SERVER_DEFAULT_TIMEOUT_S,
        .max_connections = SERVER_DEFAULT_MAX_CONNECTIONS,
    };
    log_init(PROGRAM, LOG_INFO);
    int c;
    opterr = 0; /* opts_unknown says it in one line */
    while ((c = getopt_long(argc, argv, "vhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': app.db_path = optarg; break;
        case 'h': usage(stdout); return 0;
        case 'V': opts_print_version(PROGRAM); return 0;
        default:
            if (!server_option(c, optarg, &cfg, PROGRAM))
                opts_unknown(PROGRAM, argv);
        }
    }
    if (optind < argc)
        opts_usage_error(PROGRAM, "unexpected argument '%s'", argv[optind]);
    if (app.db_path == NULL)
        opts_usage_error(PROGRAM, "--db FILE is required");

    int rc = 1;
    app.nthreads = cfg.threads ? cfg.threads : server_cpu_count();
    cfg.threads = app.nthreads;
    app.metrics = metrics_http_new(app.nthreads);
    if (app.metrics == NULL || server_unauthorized_init(app.unauthorized) != 0)
        goto oom;
    static const struct server_route routes[] = {
        {.path = "/v1/verify", .methods = SERVER_GET | SERVER_HEAD, .handler = handle_verify},
        {.path = "/metrics", .methods = SERVER_GET | SERVER_HEAD, .handler = handle_metrics},
    };
    cfg.routes = routes;
    cfg.nroutes = sizeof routes / sizeof routes[0];
    cfg.worker_init = worker_init;
    cfg.worker_fini = worker_fini;
    cfg.request_done = request_done;
    cfg.app = &app;

    db_global_init();
    rc = server_run(&cfg);
    goto out;
oom:
    log_error("out of memory");
out:
    server_unauthorized_free(app.unauthorized);
    metrics_http_free(app.metrics, app.nthreads);
    return rc;
}
