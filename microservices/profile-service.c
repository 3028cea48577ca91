/* bin/profile-service: serves user profiles for the gateway (DESIGN §4). It owns
 * profiles.db (the users table) and nothing else: GET /v1/users/{id} answers the
 * profile JSON rendered by profile_render, byte for byte what the monolith sends,
 * so the gateway can relay it unchanged. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "metrics.h"
#include "opts.h"
#include "profile.h"
#include "server.h"

#define PROGRAM "profile-service"
#define USERS_PREFIX "/v1/users/"

struct users_app {
    const char *db_path;
    struct MHD_Response *bad_id;    /* 400: the id is not a number */
    struct MHD_Response *no_user;   /* 404: no such user */
    struct MHD_Response *not_found; /* 404: a path below a user */
    struct metrics_http **metrics;  /* one per worker thread */
    unsigned nthreads;
};

struct users_worker {
    struct users_app *app;
    struct db *db;
    struct metrics_http *metrics;
};

static void *worker_init(void *app, unsigned index, char *err, size_t errlen)
{
    struct users_app *a = app;
    struct users_worker *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->app = a;
    w->metrics = a->metrics[index];
    w->db = db_open(a->db_path, DB_USERS, err, errlen);
    if (w->db == NULL) {
        free(w);
        return NULL;
    }
    return w;
}

static void worker_fini(void *worker)
{
    struct users_worker *w = worker;
    db_close(w->db);
    free(w);
}

static void request_done(void *worker, unsigned status, unsigned long long elapsed_us)
{
    struct users_worker *w = worker;
    metrics_http_record(w->metrics, status, elapsed_us);
}

/* A user id is 1 to 19 decimal digits that fit in int64 ("42"); signs, spaces,
 * hex and empty ids are refused with 400 before any database work. */
static bool parse_user_id(const char *s, int64_t *id)
{
    size_t n = strlen(s);
    if (n == 0 || n > 19 || strspn(s, "0123456789") != n)
        return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *id = v;
    return true;
}

static enum MHD_Result handle_user(const struct server_request *req)
{
    struct users_worker *w = req->worker;
    const char *rest = req->url + strlen(USERS_PREFIX);
    if (strchr(rest, '/') != NULL)
        return MHD_queue_response(req->conn, MHD_HTTP_NOT_FOUND, w->app->not_found);
    int64_t id;
    if (!parse_user_id(rest, &id))
        return MHD_queue_response(req->conn, MHD_HTTP_BAD_REQUEST, w->app->bad_id);

    struct profile p;
    switch (db_user_lookup(w->db, id, &p)) {
    case DB_NOT_FOUND:
        return MHD_queue_response(req->conn, MHD_HTTP_NOT_FOUND, w->app->no_user);
    case DB_ERROR:
        log_error("user lookup: %s", db_errmsg(w->db));
        return server_reply_problem(req->conn, MHD_HTTP_SERVICE_UNAVAILABLE,
                                    "the profile database is unavailable");
    case DB_OK:
        break;
    }
    size_t len;
    char *body = profile_render(&p, &len);
    db_release(w->db);
    if (body == NULL) {
        log_error("cannot render the profile of user %lld", (long long)p.id);
        return server_reply_problem(req->conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
                                    "the profile could not be rendered");
    }
    return server_reply_json(req->conn, MHD_HTTP_OK, body, len);
}

static enum MHD_Result handle_metrics(const struct server_request *req)
{
    struct users_worker *w = req->worker;
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
            "Serves GET /v1/users/{id} (the user's profile JSON, 404 for an unknown\n"
            "id, 400 for an id that is not a number), GET /health and GET /metrics.\n\n"
            "  --listen HOST:PORT     address to listen on (default 127.0.0.1:9102;\n"
            "                         port 0 picks a free port, printed on stdout)\n"
            "  --db FILE              profiles.db written by 'archbench seed' (required)\n"
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
    struct users_app app = {0};
    struct server_config cfg = {
        .listen = "127.0.0.1:9102",
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
    if (app.metrics == NULL)
        goto oom;
    app.bad_id = server_problem_response(400, "user id must be a decimal integer", NULL, NULL);
    app.no_user = server_problem_response(404, "no such user", NULL, NULL);
    app.not_found = server_problem_response(404, "no such resource", NULL, NULL);
    if (!app.bad_id || !app.no_user || !app.not_found)
        goto oom;
    static const struct server_route routes[] = {
        {.path = USERS_PREFIX, .prefix = true, .methods = SERVER_GET | SERVER_HEAD,
         .handler = handle_user},
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
    struct MHD_Response *fixed[] = {app.bad_id, app.no_user, app.not_found};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (fixed[i])
            MHD_destroy_response(fixed[i]);
    metrics_http_free(app.metrics, app.nthreads);
    return rc;
}
