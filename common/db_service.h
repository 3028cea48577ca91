/* What the database-backed servers (bin/monolith, bin/auth-service,
 * bin/profile-service) share: a command line of --db FILE plus the server options
 * (SERVER_LONGOPTS), one read-only database connection per worker thread and,
 * for the services, per-thread request metrics answered on GET /metrics. */
#ifndef ARCHBENCH_DB_SERVICE_H
#define ARCHBENCH_DB_SERVICE_H

#include <stdbool.h>
#include <stdio.h>

#include "db.h"
#include "flow.h"
#include "metrics.h"
#include "server.h"

struct db_service {
    /* Set by the program. */
    const char *program; /* for messages and /metrics */
    unsigned tables;     /* what each worker's db_open prepares: DB_SESSIONS | DB_USERS */
    bool metrics;        /* count requests per worker; db_service_metrics answers them */
    /* An internal service: takes --service-secret FILE (or, explicitly,
     * --insecure-no-service-secret) and answers only callers presenting it. */
    bool internal;

    /* Set by db_service_parse and db_service_init. */
    const char *db_path;
    struct service_secret secret;
    unsigned nthreads;
    struct metrics_http **http; /* one per worker when metrics */
    /* With DB_SESSIONS: the fixed 401 answers, one per failed token_result. */
    struct server_fixed unauthorized[TOKEN_EXPIRED + 1];
};

/* A worker thread's state: its connection (and metrics). req->worker in handlers. */
struct db_worker {
    struct db_service *svc;
    struct db *db;
    struct metrics_http *http;
};

/* Parses --db FILE (required) and SERVER_LONGOPTS into s and cfg, whose listen
 * address the caller has set to the program's default; the other limits get the
 * servers' defaults. An internal service also requires --service-secret FILE (read
 * here) or --insecure-no-service-secret. --help prints usage(stdout) and --version
 * the version, both exiting 0; bad usage exits 2 with a one-line message. */
void db_service_parse(struct db_service *s, struct server_config *cfg, int argc, char **argv,
                      void (*usage)(FILE *out));

/* Sizes the workers, allocates the metrics and the 401 answers and sets cfg's
 * worker hooks and app; -1 when out of memory (release with db_service_free
 * either way). */
int db_service_init(struct db_service *s, struct server_config *cfg);
void db_service_free(struct db_service *s);

/* A whole program: db_service_parse (cfg's listen address is the program's
 * default), db_service_init, then server_run with routes until SIGINT or SIGTERM.
 * Returns the exit code. */
int db_service_main(struct db_service *s, struct server_config *cfg,
                    const struct server_route *routes, size_t nroutes, int argc, char **argv,
                    void (*usage)(FILE *out));

/* The flow_timing a handler hands its flow: ft when the request is timed, NULL
 * (the flow reads no clock) when it is not. */
static inline struct flow_timing *db_service_timing(const struct server_request *req,
                                                    struct flow_timing *ft)
{
    return req->timing ? ft : NULL;
}

/* Sends a flow's answer: a 200's JSON body (whose ownership it takes), a 401 as
 * the fixed answer for its check, anything else as a one-off problem+json; the
 * flow's steps (ft, from db_service_timing) go into its Server-Timing. */
enum MHD_Result db_service_reply(const struct server_request *req, struct flow_answer *a,
                                 const struct flow_timing *ft);

/* The --help lines of the internal services' credential options. */
#define DB_SERVICE_SECRET_HELP                                                             \
    "  --service-secret FILE  answer only callers presenting this shared secret in\n"     \
    "                         X-Service-Secret (the gateway's --service-secret FILE)\n"  \
    "  --insecure-no-service-secret\n"                                                  \
    "                         answer anyone who can reach the port (a trusted host only)\n"

/* The route handler of GET /metrics for a service with metrics. */
enum MHD_Result db_service_metrics(const struct server_request *req);

#endif
