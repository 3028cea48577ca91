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
            "  --start exec|fork-server exec: fork+exec per cold start (default);\n"
            "                           fork-server: a template instance initialises\n"
            "                           once and forks instances (the function must\n"
            "                           support it, see serverless/function/zygote.h)\n"
            "  --report-log FILE        append one JSON object per invocation\n"
            "  --runtime-listen H:P     Runtime API address (default 127.0.0.1:0); with\n"
            "                           several threads the other workers listen on\n"
            "                           free ports of the same host\n"
            "  --threads N              worker threads, each serving the trigger and\n"
            "                           the Runtime API (default: one per CPU)\n"
            "  -v, --verbose            log debug messages\n"
            "  -h, --help               show this help\n"
            "  -V, --version            show the version\n\n"
            "Instance <slot>-<gen> gets AWS_LAMBDA_RUNTIME_API=HOST:PORT/i/<slot>-<gen>,\n"
            "so each Runtime API call names its instance. REPORT lines go to stderr.\n");
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

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"function", required_argument, NULL, 'f'},
        {"env", required_argument, NULL, 'e'},
        {"max-concurrency", required_argument, NULL, 'c'},
        {"max-queue", required_argument, NULL, 'q'},
        {"idle-timeout-ms", required_argument, NULL, 'i'},
        {"timeout-ms", required_argument, NULL, 't'},
        {"memory-mb", required_argument, NULL, 'm'},
        {"provisioned", required_argument, NULL, 'p'},
        {"start", required_argument, NULL, 's'},
        {"report-log", required_argument, NULL, 'r'},
        {"runtime-listen", required_argument, NULL, 'R'},
        {"threads", required_argument, NULL, 'T'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    log_init("faas", LOG_INFO);
    const char *listen = "127.0.0.1:8082", *runtime_listen = "127.0.0.1:0";
    const char *function = NULL, *report_path = NULL;
    char **extra = calloc((size_t)argc + 1, sizeof *extra);
    size_t nextra = 0;
    unsigned max_concurrency = 64, max_queue = 1024, memory_mb = 128, provisioned = 0;
    unsigned threads = 0;
    uint64_t idle_ms = 10000, timeout_ms = 3000;
    enum spawn_mode mode = SPAWN_EXEC;
    if (extra == NULL)
        return 1;
    int c;
    opterr = 0; /* opts_unknown says it in one line */
    while ((c = getopt_long(argc, argv, "vhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'l': listen = optarg; break;
        case 'f': function = optarg; break;
        case 'e':
            if (strchr(optarg, '=') == NULL || optarg[0] == '=')
                opts_usage_error("faas", "--env: expected KEY=VALUE, got '%s'", optarg);
            extra[nextra++] = optarg;
            break;
        case 'c':
            if (!opts_parse_unsigned(optarg, 1, 10000, &max_concurrency))
                opts_usage_error("faas", "--max-concurrency: expected 1..10000, got '%s'",
                                 optarg);
            break;
        case 'q':
            if (!opts_parse_unsigned(optarg, 0, 1000000, &max_queue))
                opts_usage_error("faas", "--max-queue: expected 0..1000000, got '%s'", optarg);
            break;
        case 'i':
            if (!opts_parse_u64(optarg, 1, 24ULL * 3600 * 1000, false, &idle_ms))
                opts_usage_error("faas", "--idle-timeout-ms: expected 1..86400000, got '%s'",
                                 optarg);
            break;
        case 't':
            if (!opts_parse_u64(optarg, 1, 900000, false, &timeout_ms))
                opts_usage_error("faas", "--timeout-ms: expected 1..900000, got '%s'", optarg);
            break;
        case 'm':
            if (!opts_parse_unsigned(optarg, 16, 10240, &memory_mb))
                opts_usage_error("faas", "--memory-mb: expected 16..10240, got '%s'", optarg);
            break;
        case 'p':
            if (!opts_parse_unsigned(optarg, 0, 10000, &provisioned))
                opts_usage_error("faas", "--provisioned: expected 0..10000, got '%s'", optarg);
            break;
        case 's':
            if (strcmp(optarg, "exec") == 0)
                mode = SPAWN_EXEC;
            else if (strcmp(optarg, "fork-server") == 0)
                mode = SPAWN_FORK_SERVER;
            else
                opts_usage_error("faas", "--start: expected exec or fork-server, got '%s'",
                                 optarg);
            break;
        case 'r': report_path = optarg; break;
        case 'R': runtime_listen = optarg; break;
        case 'T':
            if (!opts_parse_unsigned(optarg, 1, 1024, &threads))
                opts_usage_error("faas", "--threads: expected 1..1024, got '%s'", optarg);
            break;
        case 'v': log_set_level(LOG_DEBUG); break;
        case 'h': usage(stdout); free(extra); return 0;
        case 'V': opts_print_version("faas"); free(extra); return 0;
        default: opts_unknown("faas", argv);
        }
    }
    if (optind < argc)
        opts_usage_error("faas", "unexpected argument '%s'", argv[optind]);
    if (function == NULL)
        opts_usage_error("faas", "--function FILE is required");
    struct sockaddr_storage ss;
    socklen_t sslen;
    char aerr[256];
    if (!net_parse_address(listen, &ss, &sslen, aerr, sizeof aerr))
        opts_usage_error("faas", "--listen: %s", aerr);
    if (!net_parse_address(runtime_listen, &ss, &sslen, aerr, sizeof aerr))
        opts_usage_error("faas", "--runtime-listen: %s", aerr);
    if (provisioned > max_concurrency)
        opts_usage_error("faas", "--provisioned %u exceeds --max-concurrency %u", provisioned,
                         max_concurrency);

    char err[512];
    int rc = 1;
    char **env = build_env(extra, nextra, function, memory_mb);
    struct lambda_log *report = env ? lambda_log_open(report_path, err, sizeof err) : NULL;
    if (report == NULL) {
        log_error("%s", env ? err : "out of memory");
        free(env);
        free(extra);
        return 1;
    }
    /* Before any thread exists, so that every thread has SIGINT/SIGTERM blocked. */
    server_block_signals();
    struct spawner *spawner =
        spawner_open(mode, function, env, (uint64_t)memory_mb << 20, err, sizeof err);
    struct instances *pool = NULL;
    struct server *server = NULL;
    const char **api_addrs = NULL;
    if (spawner == NULL) {
        log_error("%s", err);
        goto out;
    }
    const char *slash = strrchr(function, '/');
    /* One set of worker threads serves both sites: each worker's loop drives its
     * trigger daemon and its Runtime API daemon (on a port of its own, which its
     * instances call), so an invocation goes from a trigger request to a parked
     * /next and back without a thread hand-off. */
    unsigned nthreads = threads ? threads : server_cpu_count();
    struct server_config trig_cfg = {
        .listen = listen, .threads = nthreads,
        .max_connections = SERVER_DEFAULT_MAX_CONNECTIONS,
        .timeout_s = SERVER_DEFAULT_TIMEOUT_S, .max_body = SERVER_DEFAULT_MAX_BODY};
    trigger_configure(&trig_cfg, &pool);
    struct server_config api_cfg = {
        .listen = runtime_listen, .port_per_worker = true,
        /* Any worker may own every instance. */
        .max_connections = (max_concurrency * 2 + 64) * nthreads,
        /* A function may hold its keep-alive connection idle for a whole
         * invocation; parked /next calls are suspended and never time out. */
        .timeout_s = 3600, .max_body = SERVER_DEFAULT_MAX_BODY};
    runtime_api_configure(&api_cfg, &pool, slash ? slash + 1 : function);
    const struct server_config *sites[] = {&trig_cfg, &api_cfg};
    server = server_open(sites, 2);
    api_addrs = calloc(nthreads, sizeof *api_addrs);
    if (server == NULL || api_addrs == NULL)
        goto out;
    for (unsigned i = 0; i < nthreads; i++)
        api_addrs[i] = server_address(server, 1, i);
    struct instances_config icfg = {
        .runtime_api = api_addrs, .workers = nthreads, .max_concurrency = max_concurrency,
        .max_queue = max_queue, .idle_ms = idle_ms, .timeout_ms = timeout_ms,
        .memory_mb = memory_mb, .provisioned = provisioned,
        .function_name = slash ? slash + 1 : function, .spawner = spawner, .report = report};
    pool = instances_start(&icfg, err, sizeof err);
    if (pool == NULL) {
        log_error("%s", err);
        goto out;
    }
    if (server_serve(server) != 0)
        goto out;
    const char *bound = server_address(server, 0, 0);
    log_info("Runtime API on %s%s, function %s, start mode %s", api_addrs[0],
             nthreads > 1 ? " (and one port per further worker)" : "", function,
             mode == SPAWN_EXEC ? "exec" : "fork-server");
    printf("listening on %s\n", bound);
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
    spawner_close(spawner);
    lambda_log_close(report);
    free(env);
    free(extra);
    return rc;
}
