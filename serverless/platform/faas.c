/* bin/faas: a local function platform modelled on AWS Lambda (DESIGN §4): an HTTP
 * trigger (API Gateway HTTP API v2.0 events), the Lambda Runtime API on a loopback
 * endpoint per instance, and an instance manager that starts, reuses, times out
 * and stops function instances. The function is an unmodified custom-runtime
 * bootstrap, run in Lambda's environment. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "instances.h"
#include "lambda_env.h"
#include "log.h"
#include "net.h"
#include "opts.h"
#include "lambda_log.h"
#include "memlimit.h"
#include "runtime_api.h"
#include "server.h"
#include "spawner.h"
#include "trigger.h"

/* Request bodies the trigger may hold at once. Without a cap, 20 clients each
 * sending a 6 MB body took faas from 6 to 153 MB (7.4 MB each): the default
 * 10,000 connections could ask for tens of GB. 256 MB is 42 bodies of 6 MB; the
 * events built from them (about as large again) come on top. */
#define FAAS_DEFAULT_BODY_MEMORY_MB 256u

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: faas --function FILE [options]\n"
            "Runs FILE, an AWS Lambda custom-runtime bootstrap, behind an HTTP trigger:\n"
            "every request becomes an API Gateway HTTP API (2.0) event.\n\n"
            "  --listen HOST:PORT       trigger address (default 127.0.0.1:8082; port 0\n"
            "                           picks a free port, printed on stdout)\n"
            "  --function FILE          the function's bootstrap executable (required)\n"
            "  --handler NAME           _HANDLER (default: FILE's name)\n"
            "  --task-root DIR          LAMBDA_TASK_ROOT (default: FILE's directory)\n"
            "  --runtime ID             the Lambda runtime: provided.al2023 (default) or a\n"
            "                           managed one such as nodejs20.x, which sets\n"
            "                           AWS_EXECUTION_ENV=AWS_Lambda_ID\n"
            "  --region NAME            AWS_REGION and AWS_DEFAULT_REGION (default us-east-1)\n"
            "  --env KEY=VALUE          add to the instances' environment (repeatable); it\n"
            "                           holds Lambda's variables and these, nothing of\n"
            "                           faas's own; Lambda's reserved names are refused\n"
            "  --max-concurrency N      instances at most (default 64)\n"
            "  --max-queue N            invocations waiting for an instance at most;\n"
            "                           beyond, or after --timeout-ms waiting: 429\n"
            "                           (default 1024)\n"
            "  --idle-timeout-ms MS     stop an instance idle this long (default 10000)\n"
            "  --timeout-ms MS          per-invocation timeout: 504, instance replaced\n"
            "                           (default 3000)\n"
            "  --memory-mb MB           memory size, on memory actually used: a memory\n"
            "                           cgroup per instance where one can be made, else\n"
            "                           a peak-RSS watchdog (the log says which); an\n"
            "                           instance over it is stopped (502); reported in\n"
            "                           REPORT lines (default 128)\n"
            "  --provisioned N          instances kept initialised (default 0)\n"
            "  --start exec|fork-server exec: posix_spawn per cold start (default);\n"
            "                           fork-server: a template instance initialises\n"
            "                           once and forks instances (the function must\n"
            "                           support it, see serverless/function/zygote.h)\n"
            "  --report-log FILE        append one JSON object per invocation\n"
            "  --max-body-memory-mb MB  request bodies (up to 6 MB each) the trigger holds\n"
            "                           at once; a body beyond gets 503 (default %u)\n"
            "  --runtime-listen HOST:0  the host of the instances' Runtime API endpoints\n"
            "                           (default 127.0.0.1:0; each gets a free port)\n"
            "The server options (each worker thread serves the trigger and the Runtime\n"
            "API; the connection limits are the trigger's):\n"
            SERVER_OPTIONS_HELP
            "\nEach instance gets an endpoint of its own, AWS_LAMBDA_RUNTIME_API=HOST:PORT,\n"
            "which only the instance's own processes may use. START, END and REPORT lines\n"
            "go to stderr.\n",
            FAAS_DEFAULT_BODY_MEMORY_MB, SERVER_HELP_ARGS);
}

/* What the command line sets: the trigger's server options (SERVER_LONGOPTS, as
 * every server takes them), the function and the instance manager's limits. */
struct faas_options {
    struct server_config trigger;
    struct server_config runtime_api; /* --runtime-listen; the rest set by faas */
    const char *function;
    const char *report_path;
    char **env;   /* --env KEY=VALUE entries */
    size_t nenv;
    struct lambda_env_options lambda;  /* what the instances' environment says */
    char task_root[PATH_MAX];
    enum spawn_mode mode;
    struct instances_config pool;
};

/* faas's own options; the server options use SERVER_LONGOPTS's letters. */
enum {
    OPT_FUNCTION = 256,
    OPT_ENV,
    OPT_MAX_CONCURRENCY,
    OPT_MAX_QUEUE,
    OPT_IDLE_TIMEOUT_MS,
    OPT_TIMEOUT_MS,
    OPT_MEMORY_MB,
    OPT_PROVISIONED,
    OPT_START,
    OPT_REPORT_LOG,
    OPT_RUNTIME_LISTEN,
    OPT_HANDLER,
    OPT_TASK_ROOT,
    OPT_RUNTIME,
    OPT_REGION,
    OPT_MAX_BODY_MEMORY_MB,
};

static unsigned faas_unsigned(const char *name, const char *arg, unsigned min, unsigned max)
{
    unsigned v;
    if (!opts_parse_unsigned(arg, min, max, &v))
        opts_usage_error("faas", "--%s: expected %u..%u, got '%s'", name, min, max, arg);
    return v;
}

static uint64_t faas_ms(const char *name, const char *arg, uint64_t max)
{
    uint64_t v;
    if (!opts_parse_u64(arg, 1, max, false, &v))
        opts_usage_error("faas", "--%s: expected 1..%llu, got '%s'", name,
                         (unsigned long long)max, arg);
    return v;
}

/* Applies faas's own option c; false when c is not one of them. */
static bool faas_option(int c, const char *arg, void *ctx)
{
    struct faas_options *o = ctx;
    struct instances_config *p = &o->pool;
    switch (c) {
    case OPT_FUNCTION: o->function = arg; return true;
    case OPT_ENV:
        if (strchr(arg, '=') == NULL || arg[0] == '=')
            opts_usage_error("faas", "--env: expected KEY=VALUE, got '%s'", arg);
        if (lambda_env_reserved(arg, strcspn(arg, "=")))
            opts_usage_error("faas", "--env: %.*s is reserved by Lambda and set by faas "
                             "(see --help)", (int)strcspn(arg, "="), arg);
        o->env[o->nenv++] = (char *)arg;
        return true;
    case OPT_HANDLER: o->lambda.handler = arg; return true;
    case OPT_TASK_ROOT: o->lambda.task_root = arg; return true;
    case OPT_RUNTIME:
        if (arg[0] == '\0' || strspn(arg, "abcdefghijklmnopqrstuvwxyz0123456789.") != strlen(arg))
            opts_usage_error("faas", "--runtime: expected a runtime id such as "
                             "provided.al2023 or nodejs20.x, got '%s'", arg);
        o->lambda.runtime = arg;
        return true;
    case OPT_REGION:
        if (!lambda_env_region_valid(arg))
            opts_usage_error("faas", "--region: expected a region name such as us-east-1, "
                             "got '%s'", arg);
        o->lambda.region = arg;
        return true;
    case OPT_MAX_CONCURRENCY:
        p->max_concurrency = faas_unsigned("max-concurrency", arg, 1, 10000);
        return true;
    case OPT_MAX_QUEUE: p->max_queue = faas_unsigned("max-queue", arg, 0, 1000000); return true;
    case OPT_IDLE_TIMEOUT_MS:
        p->idle_ms = faas_ms("idle-timeout-ms", arg, 24ULL * 3600 * 1000);
        return true;
    case OPT_TIMEOUT_MS: p->timeout_ms = faas_ms("timeout-ms", arg, 900000); return true;
    case OPT_MEMORY_MB: p->memory_mb = faas_unsigned("memory-mb", arg, 16, 10240); return true;
    case OPT_PROVISIONED:
        p->provisioned = faas_unsigned("provisioned", arg, 0, 10000);
        return true;
    case OPT_START:
        if (strcmp(arg, "exec") == 0)
            o->mode = SPAWN_EXEC;
        else if (strcmp(arg, "fork-server") == 0)
            o->mode = SPAWN_FORK_SERVER;
        else
            opts_usage_error("faas", "--start: expected exec or fork-server, got '%s'", arg);
        return true;
    case OPT_REPORT_LOG: o->report_path = arg; return true;
    case OPT_RUNTIME_LISTEN: o->runtime_api.listen = arg; return true;
    case OPT_MAX_BODY_MEMORY_MB:
        o->trigger.max_body_memory =
            (size_t)faas_unsigned("max-body-memory-mb", arg, 6, 1048576) << 20;
        return true;
    default: return false;
    }
}

/* What the instances' environment says, from --function where not given: the
 * handler is the file's name, the task root its directory. */
static void faas_lambda_defaults(struct faas_options *o)
{
    struct lambda_env_options *l = &o->lambda;
    const char *slash = strrchr(o->function, '/');
    l->function_name = slash ? slash + 1 : o->function;
    if (l->handler == NULL)
        l->handler = l->function_name;
    char path[PATH_MAX];
    if (l->task_root != NULL && realpath(l->task_root, o->task_root) == NULL)
        opts_usage_error("faas", "--task-root %s: %s", l->task_root, strerror(errno));
    if (l->task_root == NULL) {
        if (realpath(o->function, path) == NULL)
            opts_usage_error("faas", "--function %s: %s", o->function, strerror(errno));
        *strrchr(path, '/') = '\0';
        snprintf(o->task_root, sizeof o->task_root, "%s", path[0] ? path : "/");
    }
    l->task_root = o->task_root;
    l->memory_mb = o->pool.memory_mb;
    l->extra = o->env;
    l->nextra = o->nenv;
}

/* Parses the command line into o (o->env is malloc'd); bad usage exits 2. */
static void faas_parse_args(int argc, char **argv, struct faas_options *o)
{
    static const struct option longopts[] = {
        {"function", required_argument, NULL, OPT_FUNCTION},
        {"env", required_argument, NULL, OPT_ENV},
        {"max-concurrency", required_argument, NULL, OPT_MAX_CONCURRENCY},
        {"max-queue", required_argument, NULL, OPT_MAX_QUEUE},
        {"idle-timeout-ms", required_argument, NULL, OPT_IDLE_TIMEOUT_MS},
        {"timeout-ms", required_argument, NULL, OPT_TIMEOUT_MS},
        {"memory-mb", required_argument, NULL, OPT_MEMORY_MB},
        {"provisioned", required_argument, NULL, OPT_PROVISIONED},
        {"start", required_argument, NULL, OPT_START},
        {"report-log", required_argument, NULL, OPT_REPORT_LOG},
        {"runtime-listen", required_argument, NULL, OPT_RUNTIME_LISTEN},
        {"handler", required_argument, NULL, OPT_HANDLER},
        {"task-root", required_argument, NULL, OPT_TASK_ROOT},
        {"runtime", required_argument, NULL, OPT_RUNTIME},
        {"region", required_argument, NULL, OPT_REGION},
        {"max-body-memory-mb", required_argument, NULL, OPT_MAX_BODY_MEMORY_MB},
        SERVER_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    *o = (struct faas_options){
        .trigger = {.listen = "127.0.0.1:8082",
                    .max_body_memory = (size_t)FAAS_DEFAULT_BODY_MEMORY_MB << 20},
        .runtime_api = {.listen = "127.0.0.1:0"},
        .env = calloc((size_t)argc + 1, sizeof *o->env),
        .mode = SPAWN_EXEC,
        .lambda = {.runtime = "provided.al2023", .region = "us-east-1"},
        .pool = {.max_concurrency = 64, .max_queue = 1024, .idle_ms = 10000,
                 .timeout_ms = 3000, .memory_mb = 128}};
    if (o->env == NULL) {
        log_error("out of memory");
        exit(1);
    }
    server_parse_args(argc, argv, longopts, &o->trigger, "faas", usage, faas_option, o);
    if (o->function == NULL)
        opts_usage_error("faas", "--function FILE is required");
    char aerr[256];
    if (!net_parse_address(o->runtime_api.listen, &o->pool.runtime_addr,
                           &o->pool.runtime_addrlen, aerr, sizeof aerr))
        opts_usage_error("faas", "--runtime-listen: %s", aerr);
    if (((struct sockaddr_in *)&o->pool.runtime_addr)->sin_port != 0)
        opts_usage_error("faas", "--runtime-listen: the port must be 0 (every instance gets "
                         "a free port of its own), got '%s'", o->runtime_api.listen);
    if (o->pool.provisioned > o->pool.max_concurrency)
        opts_usage_error("faas", "--provisioned %u exceeds --max-concurrency %u",
                         o->pool.provisioned, o->pool.max_concurrency);
    faas_lambda_defaults(o);
}

/* Opens the two sites, the trigger and the Runtime API, on one set of worker
 * threads: each worker's loop drives its trigger daemon and its Runtime API daemon,
 * which takes the connections of that worker's instances' endpoints, so an
 * invocation goes from a trigger request to a parked /next and back without a
 * thread hand-off. The handlers find the instance manager through *pool once it
 * is started. */
static struct server *faas_open_sites(struct faas_options *o, struct instances **pool)
{
    unsigned nthreads = o->trigger.threads ? o->trigger.threads : server_cpu_count();
    o->trigger.threads = nthreads;
    trigger_configure(&o->trigger, pool);
    struct server_config *api = &o->runtime_api;
    /* Any worker may own every instance. */
    api->max_connections = (o->pool.max_concurrency * 2 + 64) * nthreads;
    /* A function may hold its keep-alive connection idle for a whole invocation
     * (up to --timeout-ms); parked /next calls are suspended and never time out.
     * Only the instances' own processes get this far (peer.h). */
    api->timeout_s = 3600;
    api->header_timeout_ms = 3600 * 1000;
    char arn[320];
    snprintf(arn, sizeof arn, "arn:aws:lambda:%s:000000000000:function:%s", o->lambda.region,
             o->lambda.function_name);
    runtime_api_configure(api, pool, arn, o->pool.report);
    const struct server_config *sites[] = {&o->trigger, api};
    return server_open(sites, 2);
}

/* Starts the sites and the instance manager, serves until SIGINT or SIGTERM, then
 * stops everything. Returns the exit code. */
static int faas_serve(struct faas_options *o, const char *memory_how)
{
    char err[512];
    int rc = 1;
    struct instances *pool = NULL;
    struct server *server = faas_open_sites(o, &pool);
    unsigned nthreads = o->trigger.threads;
    int *sets = calloc(nthreads, sizeof *sets);
    if (server == NULL || sets == NULL)
        goto out;
    for (unsigned i = 0; i < nthreads; i++)
        sets[i] = runtime_api_accept_set(i);
    o->pool.accept_sets = sets;
    o->pool.workers = nthreads;
    pool = instances_start(&o->pool, err, sizeof err);
    if (pool == NULL) {
        log_error("%s", err);
        goto out;
    }
    if (server_serve(server) != 0)
        goto out;
    log_info("function %s (%s, handler %s, task root %s), start mode %s; Runtime API: an "
             "endpoint per instance on %s; memory limit: %s",
             o->function, o->lambda.runtime, o->lambda.handler, o->lambda.task_root,
             o->mode == SPAWN_EXEC ? "exec" : "fork-server", o->runtime_api.listen,
             memory_how);
    printf("listening on %s\n", server_address(server, 0, 0));
    fflush(stdout);
    server_wait_signal();
    rc = 0;
out:
    /* Instances first: that ends every suspended connection, which the server
     * needs before it can stop. */
    if (pool)
        instances_stop(pool);
    server_stop(server);
    instances_free(pool);
    free(sets);
    return rc;
}

/* The spawner and the memory limits around faas_serve. */
static int faas_run(struct faas_options *o, char **env)
{
    char err[512], how[640];
    /* Before any thread exists, so that every thread has SIGINT/SIGTERM blocked. */
    server_block_signals();
    o->pool.spawner = spawner_open(o->mode, o->function, env, err, sizeof err);
    if (o->pool.spawner == NULL) {
        log_error("%s", err);
        return 1;
    }
    o->pool.memory = memlimit_open(o->pool.memory_mb, o->pool.max_concurrency, how, sizeof how);
    int rc = 1;
    if (o->pool.memory == NULL)
        log_error("out of memory");
    else
        rc = faas_serve(o, how);
    memlimit_close(o->pool.memory);
    spawner_close(o->pool.spawner);
    return rc;
}

int main(int argc, char **argv)
{
    log_init("faas", LOG_INFO);
    struct faas_options o;
    faas_parse_args(argc, argv, &o);
    char err[512];
    int rc = 1;
    char **env = lambda_env_build(&o.lambda);
    o.pool.report = env ? lambda_log_open(o.report_path, err, sizeof err) : NULL;
    if (o.pool.report == NULL)
        log_error("%s", env ? err : "out of memory");
    else
        rc = faas_run(&o, env);
    lambda_log_close(o.pool.report);
    lambda_env_free(env);
    free(o.env);
    return rc;
}
