/* What the database-backed servers (bin/monolith, bin/auth-service,
 * bin/profile-service) share: a command line of --db FILE plus the server options
 * (SERVER_LONGOPTS), one read-only database connection per worker thread and,
 * for the services, per-thread request metrics answered on GET /metrics. */
#ifndef ARCHBENCH_SERVICE_H
#define ARCHBENCH_SERVICE_H

#include <stdbool.h>
#include <stdio.h>

#include "db.h"
#include "metrics.h"
#include "server.h"

struct db_service {
    /* Set by the program. */
    const char *program; /* for messages and /metrics */
    unsigned tables;     /* what each worker's db_open prepares: DB_SESSIONS | DB_USERS */
    bool metrics;        /* count requests per worker; db_service_metrics answers them */
    void *app;           /* the program's own state, for its handlers */

    /* Set by db_service_parse and db_service_init. */
    const char *db_path;
    unsigned nthreads;
    struct metrics_http **http; /* one per worker when metrics */
};

/* A worker thread's state: its connection (and metrics). req->worker in handlers. */
struct db_worker {
    struct db_service *svc;
    struct db *db;
    struct metrics_http *http;
};

/* Parses --db FILE (required) and SERVER_LONGOPTS into s and cfg, whose listen
 * address the caller has set to the program's default; the other limits get the
 * servers' defaults. --help prints usage(stdout) and --version the version, both
 * exiting 0; bad usage exits 2 with a one-line message. */
void db_service_parse(struct db_service *s, struct server_config *cfg, int argc, char **argv,
                      void (*usage)(FILE *out));

/* Sizes the workers, allocates the metrics and sets cfg's worker hooks and app;
 * -1 when out of memory (release with db_service_free either way). */
int db_service_init(struct db_service *s, struct server_config *cfg);
void db_service_free(struct db_service *s);

/* The route handler of GET /metrics for a service with metrics. */
enum MHD_Result db_service_metrics(const struct server_request *req);

#endif
