/* bin/monolith: the whole GET /profile flow in one process against one database.
 * Each worker thread has its own read-only connection; the token check and the
 * profile lookup are one indexed join (DESIGN §4). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"
#include "profile.h"
#include "db_service.h"
#include "token.h"

struct monolith {
    /* 401 answers are fixed, built once; indexed by enum token_result. */
    struct MHD_Response *unauthorized[TOKEN_EXPIRED + 1];
};

static enum MHD_Result unauthorized(struct db_worker *w, struct MHD_Connection *c,
                                    enum token_result r)
{
    struct monolith *app = w->svc->app;
    return MHD_queue_response(c, MHD_HTTP_UNAUTHORIZED, app->unauthorized[r]);
}

static enum MHD_Result handle_profile(const struct server_request *req)
{
    struct db_worker *w = req->worker;
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
    struct monolith app = {0};
    struct db_service svc = {.program = "monolith", .tables = DB_SESSIONS | DB_USERS, .app = &app};
    struct server_config cfg = {.listen = "127.0.0.1:8080"};
    log_init("monolith", LOG_INFO);
    db_service_parse(&svc, &cfg, argc, argv, usage);

    int rc = 1;
    if (db_service_init(&svc, &cfg) != 0 || server_unauthorized_init(app.unauthorized) != 0) {
        log_error("out of memory");
        goto out;
    }
    static const struct server_route routes[] = {
        {.path = "/profile", .methods = SERVER_GET | SERVER_HEAD, .handler = handle_profile},
    };
    cfg.routes = routes;
    cfg.nroutes = sizeof routes / sizeof routes[0];
    db_global_init();
    rc = server_run(&cfg);
out:
    server_unauthorized_free(app.unauthorized);
    db_service_free(&svc);
    return rc;
}
