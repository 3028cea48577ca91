/* bin/profile-service: serves user profiles for the gateway (DESIGN §4). It owns
 * profiles.db (the users table) and nothing else: GET /v1/users/{id} runs the
 * lookup-and-render half of the profile flow (common/flow.c), byte for byte what
 * the monolith sends, so the gateway can relay it unchanged. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_service.h"

#define PROGRAM "profile-service"
#define USERS_PREFIX "/v1/users/"

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
    const char *rest = req->url + strlen(USERS_PREFIX);
    if (strchr(rest, '/') != NULL)
        return server_reply_problem(req->conn, MHD_HTTP_NOT_FOUND, "no such resource");
    int64_t id;
    if (!parse_user_id(rest, &id))
        return server_reply_problem(req->conn, MHD_HTTP_BAD_REQUEST,
                                    "user id must be a decimal integer");
    struct flow_answer a;
    struct flow_timing ft;
    flow_profile_by_id(w->db, id, &a, db_service_timing(req, &ft));
    return db_service_reply(req, &a, &ft);
}

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: " PROGRAM " --db FILE --service-secret FILE [options]\n"
            "Serves GET /v1/users/{id} (the user's profile JSON, 404 for an unknown\n"
            "id, 400 for an id that is not a number), GET /health and GET /metrics.\n\n"
            "  --listen HOST:PORT     address to listen on (default 127.0.0.1:9102;\n"
            "                         port 0 picks a free port, printed on stdout)\n"
            "  --db FILE              profiles.db written by 'archbench seed' (required)\n"
            DB_SERVICE_SECRET_HELP
            SERVER_OPTIONS_HELP,
            SERVER_HELP_ARGS);
}

int main(int argc, char **argv)
{
    static const struct server_route routes[] = {
        {.path = USERS_PREFIX, .prefix = true, .methods = SERVER_GET | SERVER_HEAD,
         .handler = handle_user},
        {.path = "/metrics", .methods = SERVER_GET | SERVER_HEAD, .handler = db_service_metrics},
    };
    struct db_service svc = {.program = PROGRAM, .tables = DB_USERS, .metrics = true,
                             .internal = true};
    struct server_config cfg = {.listen = "127.0.0.1:9102"};
    return db_service_main(&svc, &cfg, routes, sizeof routes / sizeof routes[0], argc, argv,
                           usage);
}
