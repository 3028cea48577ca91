/* Lambda's environment for function instances (see lambda_env.h). Names and
 * values follow AWS's "Defined runtime environment variables" (Lambda developer
 * guide) and what AWS's runtime interface emulator passes a runtime. */
#include "lambda_env.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static const char *const reserved[] = {
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ",
};

/* Where Lambda keeps its runtime's own files; nothing is there on this machine,
 * but LD_LIBRARY_PATH names it as on Lambda. */
#define LAMBDA_RUNTIME_DIR "/var/runtime"

bool lambda_env_reserved(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strlen(reserved[i]) == len && memcmp(reserved[i], name, len) == 0)
            return true;
    return false;
}

bool lambda_env_region_valid(const char *region)
{
    /* Two or more dash-separated lower-case words, then a number: us-east-1,
     * ap-southeast-2, us-gov-west-1. */
    const char *p = region;
    unsigned words = 0;
    while (islower((unsigned char)*p)) {
        while (islower((unsigned char)*p))
            p++;
        words++;
        if (*p++ != '-')
            return false;
    }
    if (words < 2 || !isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p))
        p++;
    return *p == '\0' && strlen(region) < 32;
}

static char *format(const char *fmt, const char *a, const char *b)
{
    size_t n = strlen(fmt) + strlen(a) + 2 * strlen(b) + 1;
    char *s = malloc(n);
    if (s != NULL)
        snprintf(s, n, fmt, a, b, b);
    return s;
}

/* Adds "NAME=value" to env (k entries), replacing an entry of the same name. */
static void put(char **env, size_t *k, char *entry)
{
    if (entry == NULL)
        return;
    size_t name_len = strcspn(entry, "=") + 1;
    for (size_t j = 0; j < *k; j++) {
        if (strncmp(env[j], entry, name_len) == 0) {
            free(env[j]);
            env[j] = entry;
            return;
        }
    }
    env[(*k)++] = entry;
}

char **lambda_env_build(const struct lambda_env_options *o)
{
    char memory[16];
    snprintf(memory, sizeof memory, "%u", o->memory_mb);
    /* AWS_EXECUTION_ENV: "not defined for OS-only runtimes (the provided runtime
     * family)", AWS_Lambda_<runtime> for the others. */
    bool os_only = strncmp(o->runtime, "provided", 8) == 0;
    char *fixed[] = {
        format("_HANDLER=%s", o->handler, ""),
        format("LAMBDA_TASK_ROOT=%s", o->task_root, ""),
        format("LAMBDA_RUNTIME_DIR=%s", LAMBDA_RUNTIME_DIR, ""),
        format("AWS_LAMBDA_FUNCTION_NAME=%s", o->function_name, ""),
        format("AWS_LAMBDA_FUNCTION_VERSION=%s", "$LATEST", ""),
        format("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%s", memory, ""),
        format("AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/%s", o->function_name, ""),
        format("AWS_REGION=%s", o->region, ""),
        format("AWS_DEFAULT_REGION=%s", o->region, ""),
        format("TZ=%s", ":UTC", ""),
        format("LANG=%s", "en_US.UTF-8", ""),
        format("PATH=%s", "/usr/local/bin:/usr/bin/:/bin:/opt/bin", ""),
        /* positional: %1$s the runtime directory, %2$s the task root */
        format("LD_LIBRARY_PATH=/var/lang/lib:/lib64:/usr/lib64:%1$s:%1$s/lib:%2$s:%2$s/lib:"
               "/opt/lib",
               LAMBDA_RUNTIME_DIR, o->task_root),
        os_only ? strdup("") : format("AWS_EXECUTION_ENV=AWS_Lambda_%s", o->runtime, ""),
    };
    size_t nfixed = sizeof fixed / sizeof fixed[0];
    char **env = calloc(nfixed + o->nextra + 1, sizeof *env);
    size_t k = 0;
    bool ok = env != NULL;
    for (size_t i = 0; i < nfixed; i++) {
        ok = ok && fixed[i] != NULL;
        if (ok && fixed[i][0] != '\0')
            put(env, &k, fixed[i]);
        else
            free(fixed[i]);
    }
    for (size_t i = 0; ok && i < o->nextra; i++) {
        char *copy = strdup(o->extra[i]);
        ok = copy != NULL;
        put(env, &k, copy);
    }
    if (!ok) {
        lambda_env_free(env);
        return NULL;
    }
    return env;
}

void lambda_env_free(char **env)
{
    for (size_t i = 0; env != NULL && env[i] != NULL; i++)
        free(env[i]);
    free(env);
}

void lambda_env_instance(struct lambda_env_instance *out, const char *runtime_api,
                         bool provisioned)
{
    /* A log stream per execution environment: "2026/12/03/[$LATEST]" and 32 hex
     * digits, as Lambda names them. */
    unsigned char r[16] = {0};
    if (getrandom(r, sizeof r, 0) != sizeof r)
        memset(r, 0, sizeof r);
    static const char digits[] = "0123456789abcdef";
    char hex[33], day[16];
    for (int i = 0; i < 16; i++) {
        hex[2 * i] = digits[r[i] >> 4];
        hex[2 * i + 1] = digits[r[i] & 15];
    }
    hex[32] = '\0';
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(day, sizeof day, "%Y/%m/%d", &tm);
    snprintf(out->runtime_api, sizeof out->runtime_api, "AWS_LAMBDA_RUNTIME_API=%s",
             runtime_api);
    snprintf(out->log_stream, sizeof out->log_stream,
             "AWS_LAMBDA_LOG_STREAM_NAME=%s/[$LATEST]%s", day, hex);
    snprintf(out->init_type, sizeof out->init_type, "AWS_LAMBDA_INITIALIZATION_TYPE=%s",
             provisioned ? "provisioned-concurrency" : "on-demand");
    out->vars[0] = out->runtime_api;
    out->vars[1] = out->log_stream;
    out->vars[2] = out->init_type;
    out->vars[3] = NULL;
}
