/* bin/profile-service: serves user profiles for the gateway (DESIGN §4). It owns
 * profiles.db (the users table) and nothing else: GET /v1/users/{id} answers the
 * profile JSON rendered by profile_render, byte for byte what the monolith sends,
 * so the gateway can relay it unchanged. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "profile.h"
#include "db_service.h"

#define PROGRAM "profile-service"
#define USERS_PREFIX "/v1/users/"

struct users_app {
    struct MHD_Response *bad_id;    /* 400: the id is not a number */
    struct MHD_Response *no_user;   /* 404: no such user */
    struct MHD_Response *not_found; /* 404: a path below a user */
};

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
    struct db_worker *w = req->worker;
    struct users_app *app = w->svc->app;
    const char *rest = req->url + strlen(USERS_PREFIX);
    if (strchr(rest, '/') != NULL)
        return MHD_queue_response(req->conn, MHD_HTTP_NOT_FOUND, app->not_found);
    int64_t id;
    if (!parse_user_id(rest, &id))
        return MHD_queue_response(req->conn, MHD_HTTP_BAD_REQUEST, app->bad_id);

    struct profile p;
    switch (db_user_lookup(w->db, id, &p)) {
    case DB_NOT_FOUND:
        return MHD_queue_response(req->conn, MHD_HTTP_NOT_FOUND, app->no_user);
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
    struct users_app app = {0};
    struct db_service svc = {
        .program = PROGRAM, .tables = DB_USERS, .metrics = true, .app = &app};
    struct server_config cfg = {.listen = "127.0.0.1:9102"};
    log_init(PROGRAM, LOG_INFO);
    db_service_parse(&svc, &cfg, argc, argv, usage);

    int rc = 1;
    app.bad_id = server_problem_response(400, "user id must be a decimal integer", NULL, NULL);
    app.no_user = server_problem_response(404, "no such user", NULL, NULL);
    app.not_found = server_problem_response(404, "no such resource", NULL, NULL);
    if (db_service_init(&svc, &cfg) != 0 || !app.bad_id || !app.no_user || !app.not_found) {
        log_error("out of memory");
        goto out;
    }
    static const struct server_route routes[] = {
        {.path = USERS_PREFIX, .prefix = true, .methods = SERVER_GET | SERVER_HEAD,
         .handler = handle_user},
        {.path = "/metrics", .methods = SERVER_GET | SERVER_HEAD, .handler = db_service_metrics},
    };
    cfg.routes = routes;
    cfg.nroutes = sizeof routes / sizeof routes[0];
    db_global_init();
    rc = server_run(&cfg);
out:;
    struct MHD_Response *fixed[] = {app.bad_id, app.no_user, app.not_found};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (fixed[i])
            MHD_destroy_response(fixed[i]);
    db_service_free(&svc);
    return rc;
}
