/* bin/faas: a local function platform modelled on AWS Lambda (DESIGN §4): an HTTP
 * trigger (API Gateway HTTP API v2.0 events), the Lambda Runtime API on a second
 * loopback port, and an instance manager that starts, reuses, times out and stops
 * function instances. The function is an unmodified custom-runtime bootstrap. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "instances.h"
#include "log.h"
#include "net.h"
#include "opts.h"
#include "lambda_log.h"
#include "runtime_api.h"
#include "server.h"
#include "spawner.h"
#include "trigger.h"

extern char **environ;

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: faas --function FILE [options]\n"
            "Runs FILE, an AWS Lambda custom-runtime bootstrap, behind an HTTP trigger:\n"
            "every request becomes an API Gateway HTTP API (2.0) event.\n\n"
            "  --listen HOST:PORT       trigger address (default 127.0.0.1:8082; port 0\n"
            "                           picks a free port, printed on stdout)\n"
            "  --function FILE          the function's bootstrap executable (required)\n"
            "  --env KEY=VALUE          add to the instances' environment (repeatable)\n"
            "  --max-concurrency N      instances at most (default 64)\n"
            "  --max-queue N            invocations waiting for an instance at most;\n"
            "                           beyond, or after --timeout-ms waiting: 429\n"
            "                           (default 1024)\n"
            "  --idle-timeout-ms MS     stop an instance idle this long (default 10000)\n"
            "  --timeout-ms MS          per-invocation timeout: 504, instance replaced\n"
            "                           (default 3000)\n"
            "  --memory-mb MB           memory size: RLIMIT_DATA of each instance (heap\n"
            "                           and private writable mappings, what a function\n"
            "                           allocates; RLIMIT_AS would also count mapped\n"
            "                           files and reserved address space), plus a peak\n"
            "                           RSS check after invocations; reported in REPORT\n"
            "                           lines (default 128)\n"
            "  --provisioned N          instances kept initialised (default 0)\n"
            "  --start exec|fork-server exec: posix_spawn per cold start (default);\n"
            "                           fork-server: a template instance initialises\n"
            "                           once and forks instances (the function must\n"
            "                           support it, see serverless/function/zygote.h)\n"
            "  --report-log FILE        append one JSON object per invocation\n"
            "  --runtime-listen H:P     Runtime API address (default 127.0.0.1:0); with\n"
            "                           several threads the other workers listen on\n"
            "                           free ports of the same host\n"
            "The server options (each worker thread serves the trigger and the Runtime\n"
            "API; the connection limits are the trigger's):\n"
            SERVER_OPTIONS_HELP
            "\nInstance <slot>-<gen> gets AWS_LAMBDA_RUNTIME_API=HOST:PORT/i/<slot>-<gen>,\n"
            "so each Runtime API call names its instance. REPORT lines go to stderr.\n",
            SERVER_HELP_ARGS);
}

/* environ + the --env entries (later ones replace earlier and inherited ones) +
 * the variables Lambda sets for every function. */
static char **build_env(char **extra, size_t nextra, const char *function,
                        unsigned memory_mb)
{
    size_t n = 0;
    while (environ[n] != NULL)
        n++;
    char **env = calloc(n + nextra + 8, sizeof *env);
    if (env == NULL)
        return NULL;
    static char name_var[300], memory_var[64];
    const char *base = strrchr(function, '/');
    snprintf(name_var, sizeof name_var, "AWS_LAMBDA_FUNCTION_NAME=%s", base ? base + 1 : function);
    snprintf(memory_var, sizeof memory_var, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%u", memory_mb);
    char *fixed[] = {name_var, memory_var, "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
                     "AWS_REGION=local"};
    size_t k = 0;
    char **all[] = {environ, fixed, extra};
    size_t counts[] = {n, sizeof fixed / sizeof fixed[0], nextra};
    for (size_t g = 0; g < 3; g++) {
        for (size_t i = 0; i < counts[g]; i++) {
            char *e = all[g][i];
            size_t name_len = strcspn(e, "=") + 1;
            if (strncmp(e, "AWS_LAMBDA_RUNTIME_API=", name_len) == 0)
                continue; /* set per instance */
            size_t j = 0;
            while (j < k && strncmp(env[j], e, name_len) != 0)
                j++;
            env[j] = e;
            if (j == k)
                k++;
        }
    }
    env[k] = NULL;
    return env;
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
        o->env[o->nenv++] = (char *)arg;
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
    default: return false;
    }
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
        SERVER_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    *o = (struct faas_options){
        .trigger = {.listen = "127.0.0.1:8082"},
        .runtime_api = {.listen = "127.0.0.1:0"},
        .env = calloc((size_t)argc + 1, sizeof *o->env),
        .mode = SPAWN_EXEC,
        .pool = {.max_concurrency = 64, .max_queue = 1024, .idle_ms = 10000,
                 .timeout_ms = 3000, .memory_mb = 128}};
    if (o->env == NULL) {
        log_error("out of memory");
        exit(1);
    }
    server_parse_args(argc, argv, longopts, &o->trigger, "faas", usage, faas_option, o);
    if (o->function == NULL)
        opts_usage_error("faas", "--function FILE is required");
    struct sockaddr_storage ss;
    socklen_t sslen;
    char aerr[256];
    if (!net_parse_address(o->trigger.listen, &ss, &sslen, aerr, sizeof aerr))
        opts_usage_error("faas", "--listen: %s", aerr);
    if (!net_parse_address(o->runtime_api.listen, &ss, &sslen, aerr, sizeof aerr))
        opts_usage_error("faas", "--runtime-listen: %s", aerr);
    if (o->pool.provisioned > o->pool.max_concurrency)
        opts_usage_error("faas", "--provisioned %u exceeds --max-concurrency %u",
                         o->pool.provisioned, o->pool.max_concurrency);
}

/* Opens the two sites, the trigger and the Runtime API, on one set of worker
 * threads: each worker's loop drives its trigger daemon and its Runtime API daemon
 * (on a port of its own, which its instances call), so an invocation goes from a
 * trigger request to a parked /next and back without a thread hand-off. The
 * handlers find the instance manager through *pool once it is started. */
static struct server *faas_open_sites(struct faas_options *o, struct instances **pool)
{
    unsigned nthreads = o->trigger.threads ? o->trigger.threads : server_cpu_count();
    o->trigger.threads = nthreads;
    trigger_configure(&o->trigger, pool);
    struct server_config *api = &o->runtime_api;
    api->port_per_worker = true;
    /* Any worker may own every instance. */
    api->max_connections = (o->pool.max_concurrency * 2 + 64) * nthreads;
    /* A function may hold its keep-alive connection idle for a whole invocation;
     * parked /next calls are suspended and never time out. */
    api->timeout_s = 3600;
    api->max_body = SERVER_DEFAULT_MAX_BODY;
    runtime_api_configure(api, pool, o->pool.function_name);
    const struct server_config *sites[] = {&o->trigger, api};
    return server_open(sites, 2);
}

/* Starts the spawner, the sites and the instance manager, serves until SIGINT or
 * SIGTERM, then stops everything. Returns the exit code. */
static int faas_run(struct faas_options *o, char **env)
{
    char err[512];
    int rc = 1;
    /* Before any thread exists, so that every thread has SIGINT/SIGTERM blocked. */
    server_block_signals();
    o->pool.spawner = spawner_open(o->mode, o->function, env,
                                   (uint64_t)o->pool.memory_mb << 20, err, sizeof err);
    struct instances *pool = NULL;
    struct server *server = NULL;
    const char **api_addrs = NULL;
    if (o->pool.spawner == NULL) {
        log_error("%s", err);
        goto out;
    }
    server = faas_open_sites(o, &pool);
    unsigned nthreads = o->trigger.threads;
    api_addrs = calloc(nthreads, sizeof *api_addrs);
    if (server == NULL || api_addrs == NULL)
        goto out;
    for (unsigned i = 0; i < nthreads; i++)
        api_addrs[i] = server_address(server, 1, i);
    o->pool.runtime_api = api_addrs;
    o->pool.workers = nthreads;
    pool = instances_start(&o->pool, err, sizeof err);
    if (pool == NULL) {
        log_error("%s", err);
        goto out;
    }
    if (server_serve(server) != 0)
        goto out;
    log_info("Runtime API on %s%s, function %s, start mode %s", api_addrs[0],
             nthreads > 1 ? " (and one port per further worker)" : "", o->function,
             o->mode == SPAWN_EXEC ? "exec" : "fork-server");
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
    free(api_addrs);
    spawner_close(o->pool.spawner);
    return rc;
}

int main(int argc, char **argv)
{
    log_init("faas", LOG_INFO);
    struct faas_options o;
    faas_parse_args(argc, argv, &o);
    const char *slash = strrchr(o.function, '/');
    o.pool.function_name = slash ? slash + 1 : o.function;
    char err[512];
    int rc = 1;
    char **env = build_env(o.env, o.nenv, o.function, o.pool.memory_mb);
    o.pool.report = env ? lambda_log_open(o.report_path, err, sizeof err) : NULL;
    if (o.pool.report == NULL) {
        log_error("%s", env ? err : "out of memory");
    } else {
        rc = faas_run(&o, env);
    }
    lambda_log_close(o.pool.report);
    free(env);
    free(o.env);
    return rc;
}
