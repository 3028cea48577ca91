/* The shared skeleton of the database-backed servers (see db_service.h). */
#include "db_service.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "opts.h"

/* The options beyond the server's: --db, and for internal services the secret. */
struct db_options {
    struct db_service *s;
    const char *secret_path;
    bool insecure;
};

static bool db_option(int c, const char *arg, void *ctx)
{
    struct db_options *o = ctx;
    switch (c) {
    case 'd': o->s->db_path = arg; return true;
    case 'S': o->secret_path = arg; return o->s->internal;
    case 'I': o->insecure = true; return o->s->internal;
    default: return false;
    }
}

void db_service_parse(struct db_service *s, struct server_config *cfg, int argc, char **argv,
                      void (*usage)(FILE *out))
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"service-secret", required_argument, NULL, 'S'},
        {"insecure-no-service-secret", no_argument, NULL, 'I'},
        SERVER_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    struct db_options o = {.s = s};
    server_parse_args(argc, argv, longopts, cfg, s->program, usage, db_option, &o);
    if (s->db_path == NULL)
        opts_usage_error(s->program, "--db FILE is required");
    if (access(s->db_path, R_OK) != 0) /* a missing file is bad usage, like --service-secret's */
        opts_usage_error(s->program, "--db %s: %s", s->db_path, strerror(errno));
    if (s->internal)
        cfg->service_secret = service_secret_option(s->program, o.secret_path, o.insecure,
                                                    &s->secret);
}

static void *worker_init(void *app, unsigned index, char *err, size_t errlen)
{
    struct db_service *s = app;
    struct db_worker *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->svc = s;
    w->http = s->http ? s->http[index] : NULL;
    w->db = db_open(s->db_path, s->tables, err, errlen);
    if (w->db == NULL) {
        free(w);
        return NULL;
    }
    return w;
}

static void worker_fini(void *worker)
{
    struct db_worker *w = worker;
    db_close(w->db);
    free(w);
}

static void request_done(void *worker, unsigned status, unsigned long long elapsed_us)
{
    metrics_http_record(((struct db_worker *)worker)->http, status, elapsed_us);
}

int db_service_init(struct db_service *s, struct server_config *cfg)
{
    if ((s->tables & DB_SESSIONS) && server_unauthorized_init(s->unauthorized) != 0)
        return -1;
    s->nthreads = cfg->threads ? cfg->threads : server_cpu_count();
    cfg->threads = s->nthreads;
    cfg->worker_init = worker_init;
    cfg->worker_fini = worker_fini;
    cfg->app = s;
    if (s->metrics) {
        cfg->request_done = request_done;
        s->http = metrics_http_new(s->nthreads);
        if (s->http == NULL)
            return -1;
    }
    return 0;
}

void db_service_free(struct db_service *s)
{
    metrics_http_free(s->http, s->nthreads);
    s->http = NULL;
    server_unauthorized_free(s->unauthorized);
}

int db_service_main(struct db_service *s, struct server_config *cfg,
                    const struct server_route *routes, size_t nroutes, int argc, char **argv,
                    void (*usage)(FILE *out))
{
    log_init(s->program, LOG_INFO);
    db_service_parse(s, cfg, argc, argv, usage);
    int rc = 1;
    if (db_service_init(s, cfg) != 0) {
        log_error("out of memory");
    } else {
        cfg->routes = routes;
        cfg->nroutes = nroutes;
        db_global_init();
        rc = server_run(cfg);
    }
    db_service_free(s);
    return rc;
}

enum MHD_Result db_service_reply(const struct server_request *req, struct flow_answer *a,
                                 const struct flow_timing *ft)
{
    struct db_worker *w = req->worker;
    if (req->timing != NULL && ft != NULL)
        flow_timing_report(ft, req->timing);
    if (a->status == MHD_HTTP_OK && a->body != NULL)
        return server_reply_owned(req->conn, MHD_HTTP_OK, "application/json", a->body, a->len);
    if (a->status == MHD_HTTP_UNAUTHORIZED && w->svc->unauthorized[a->token].shared != NULL)
        return server_queue_fixed(req->conn, MHD_HTTP_UNAUTHORIZED,
                                  &w->svc->unauthorized[a->token]);
    return server_reply_problem(req->conn, a->status, a->detail);
}

enum MHD_Result db_service_metrics(const struct server_request *req)
{
    struct db_service *s = ((struct db_worker *)req->worker)->svc;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return MHD_NO;
    metrics_write_http(f, s->program, s->http, s->nthreads);
    if (fclose(f) != 0) {
        free(text);
        return MHD_NO;
    }
    return metrics_reply(req->conn, text, len);
}
