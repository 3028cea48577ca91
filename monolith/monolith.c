/* bin/monolith: the whole GET /profile flow (common/flow.c) in one process against
 * one database. Each worker thread has its own read-only connection; the token
 * check and the profile lookup are one indexed join (DESIGN §4). */
#include <stdio.h>

#include "db_service.h"

static enum MHD_Result handle_profile(const struct server_request *req)
{
    struct db_worker *w = req->worker;
    struct flow_answer a;
    struct flow_timing ft;
    flow_profile_by_bearer(w->db, server_authorization(req->conn), &a,
                           db_service_timing(req, &ft));
    return db_service_reply(req, &a, &ft);
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
    static const struct server_route routes[] = {
        {.path = "/profile", .methods = SERVER_GET | SERVER_HEAD, .handler = handle_profile},
    };
    struct db_service svc = {.program = "monolith", .tables = DB_SESSIONS | DB_USERS};
    struct server_config cfg = {.listen = "127.0.0.1:8080"};
    return db_service_main(&svc, &cfg, routes, sizeof routes / sizeof routes[0], argc, argv,
                           usage);
}
