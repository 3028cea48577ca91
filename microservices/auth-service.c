/* bin/auth-service: verifies session tokens for the gateway (DESIGN §4). It owns
 * auth.db (the sessions table) and nothing else: GET /v1/verify answers 200
 * {"user_id":N} with X-User-Id: N, or exactly the monolith's 401 problem+json, so
 * the gateway (or nginx auth_request, Envoy ext_authz) can pass it through. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"
#include "db_service.h"
#include "token.h"

#define PROGRAM "auth-service"

struct auth_app {
    /* 401 answers are fixed, built once; indexed by enum token_result. */
    struct MHD_Response *unauthorized[TOKEN_EXPIRED + 1];
};

static enum MHD_Result unauthorized(struct db_worker *w, struct MHD_Connection *c,
                                    enum token_result r)
{
    struct auth_app *app = w->svc->app;
    return MHD_queue_response(c, MHD_HTTP_UNAUTHORIZED, app->unauthorized[r]);
}

/* The same checks, in the same order, as the monolith's GET /profile, so that every
 * credential gets the same 401 detail through the gateway as from the monolith. */
static enum MHD_Result handle_verify(const struct server_request *req)
{
    struct db_worker *w = req->worker;
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
    struct auth_app app = {0};
    struct db_service svc = {
        .program = PROGRAM, .tables = DB_SESSIONS, .metrics = true, .app = &app};
    struct server_config cfg = {.listen = "127.0.0.1:9101"};
    log_init(PROGRAM, LOG_INFO);
    db_service_parse(&svc, &cfg, argc, argv, usage);

    int rc = 1;
    if (db_service_init(&svc, &cfg) != 0 || server_unauthorized_init(app.unauthorized) != 0) {
        log_error("out of memory");
        goto out;
    }
    static const struct server_route routes[] = {
        {.path = "/v1/verify", .methods = SERVER_GET | SERVER_HEAD, .handler = handle_verify},
        {.path = "/metrics", .methods = SERVER_GET | SERVER_HEAD, .handler = db_service_metrics},
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
