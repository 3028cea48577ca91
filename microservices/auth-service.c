/* bin/auth-service: verifies session tokens for the gateway (DESIGN §4). It owns
 * auth.db (the sessions table) and nothing else: GET /v1/verify runs the token half
 * of the profile flow (common/flow.c) and answers 200 {"user_id":N} with
 * X-User-Id: N, or exactly the monolith's 401 problem+json, so the gateway (or
 * nginx auth_request, Envoy ext_authz) can pass it through. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "db_service.h"

#define PROGRAM "auth-service"

static enum MHD_Result handle_verify(const struct server_request *req)
{
    struct db_worker *w = req->worker;
    struct flow_answer a;
    struct flow_timing ft;
    if (flow_session_by_bearer(w->db, server_authorization(req->conn), &a,
                               db_service_timing(req, &ft)) != MHD_HTTP_OK)
        return db_service_reply(req, &a, &ft);
    if (req->timing != NULL)
        flow_timing_report(&ft, req->timing);

    char id[24];
    snprintf(id, sizeof id, "%" PRId64, a.user_id);
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
    enum MHD_Result ret = server_queue(req->conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: " PROGRAM " --db FILE --service-secret FILE [options]\n"
            "Serves GET /v1/verify (Authorization: Bearer TOKEN -> {\"user_id\":N} and\n"
            "X-User-Id, or 401), GET /health and GET /metrics.\n\n"
            "  --listen HOST:PORT     address to listen on (default 127.0.0.1:9101;\n"
            "                         port 0 picks a free port, printed on stdout)\n"
            "  --db FILE              auth.db written by 'archbench seed' (required)\n"
            DB_SERVICE_SECRET_HELP
            SERVER_OPTIONS_HELP,
            SERVER_HELP_ARGS);
}

int main(int argc, char **argv)
{
    static const struct server_route routes[] = {
        {.path = "/v1/verify", .methods = SERVER_GET | SERVER_HEAD, .handler = handle_verify},
        {.path = "/metrics", .methods = SERVER_GET | SERVER_HEAD, .handler = db_service_metrics},
    };
    struct db_service svc = {.program = PROGRAM, .tables = DB_SESSIONS, .metrics = true,
                             .internal = true};
    struct server_config cfg = {.listen = "127.0.0.1:9101"};
    return db_service_main(&svc, &cfg, routes, sizeof routes / sizeof routes[0], argc, argv,
                           usage);
}
