/* bin/monolith: the whole GET /profile flow in one process against one database.
 * Each worker thread has its own read-only connection; the token check and the
 * profile lookup are one indexed join (DESIGN §4). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "opts.h"
#include "profile.h"
#include "server.h"
#include "token.h"

struct monolith {
    const char *db_path;
    /* 401 answers are fixed, built once; indexed by enum token_result. */
    struct MHD_Response *unauthorized[TOKEN_EXPIRED + 1];
};

struct monolith_worker {
    struct monolith *app;
    struct db *db;
};

static void *worker_init(void *app, unsigned index, char *err, size_t errlen)
{
    (void)index;
    struct monolith_worker *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->app = app;
    w->db = db_open(w->app->db_path, DB_SESSIONS | DB_USERS, err, errlen);
    if (w->db == NULL) {
        free(w);
        return NULL;
    }
    return w;
}

static void worker_fini(void *worker)
{
    struct monolith_worker *w = worker;
    db_close(w->db);
    free(w);
}

static enum MHD_Result unauthorized(struct monolith_worker *w, struct MHD_Connection *c,
                                    enum token_result r)
{
    return MHD_queue_response(c, MHD_HTTP_UNAUTHORIZED, w->app->unauthorized[r]);
}

static enum MHD_Result handle_profile(const struct server_request *req)
{
    struct monolith_worker *w = req->worker;
    unsigned char hash[TOKEN_HASH_LEN];
    enum token_result r = server_bearer_hash(req->conn, hash);
    if (r != TOKEN_OK)
        return unauthorized(w, req->conn, r);
    struct profile p;
    int64_t expires_at;
    switch (db_profile_by_token(w->db, hash, &p, &expires_at)) {
    case DB_NOT_FOUND:
        return unauthorized(w, req->conn, TOKEN_UNKNOWN);
    case DB_ERROR:
        log_error("profile lookup: %s", db_errmsg(w->db));
        return server_reply_problem(req->conn, MHD_HTTP_SERVICE_UNAVAILABLE,
                                    "the database is unavailable");
    case DB_OK:
        break;
    }
    if (token_check_expiry(expires_at, (int64_t)time(NULL)) != TOKEN_OK) {
        db_release(w->db);
        return unauthorized(w, req->conn, TOKEN_EXPIRED);
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

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: monolith --db FILE [options]\n"
            "Serves GET /profile (Authorization: Bearer TOKEN) and GET /health.\n\n"
            "  --listen HOST:PORT     address to listen on (default 127.0.0.1:8080;\n"
            "                         port 0 picks a free port, printed on stdout)\n"
            "  --db FILE              app.db written by 'archbench seed' (required)\n"
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
    struct monolith app = {0};
    struct server_config cfg = {
        .listen = "127.0.0.1:8080",
        .max_body = SERVER_DEFAULT_MAX_BODY,
        .timeout_s = SERVER_DEFAULT_TIMEOUT_S,
        .max_connections = SERVER_DEFAULT_MAX_CONNECTIONS,
    };
    log_init("monolith", LOG_INFO);
    int c;
    opterr = 0; /* opts_unknown says it in one line */
    while ((c = getopt_long(argc, argv, "vhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': app.db_path = optarg; break;
        case 'h': usage(stdout); return 0;
        case 'V': opts_print_version("monolith"); return 0;
        default:
            if (!server_option(c, optarg, &cfg, "monolith"))
                opts_unknown("monolith", argv);
        }
    }
    if (optind < argc)
        opts_usage_error("monolith", "unexpected argument '%s'", argv[optind]);
    if (app.db_path == NULL)
        opts_usage_error("monolith", "--db FILE is required");

    if (server_unauthorized_init(app.unauthorized) != 0) {
        log_error("out of memory");
        return 1;
    }
    static const struct server_route routes[] = {
        {.path = "/profile", .methods = SERVER_GET | SERVER_HEAD, .handler = handle_profile},
    };
    cfg.routes = routes;
    cfg.nroutes = sizeof routes / sizeof routes[0];
    cfg.worker_init = worker_init;
    cfg.worker_fini = worker_fini;
    cfg.app = &app;

    db_global_init();
    int rc = server_run(&cfg);
    server_unauthorized_free(app.unauthorized);
    return rc;
}
