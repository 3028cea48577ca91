/* The environment of a function instance: the variables AWS Lambda defines, then
 * the function's own (--env), and nothing of faas's own environment. Reserved
 * names (Lambda refuses them in a function's configuration) cannot be set with
 * --env; the unreserved defaults (LANG, PATH, LD_LIBRARY_PATH) can.
 * Three variables differ per instance: AWS_LAMBDA_RUNTIME_API (its own endpoint),
 * AWS_LAMBDA_LOG_STREAM_NAME and AWS_LAMBDA_INITIALIZATION_TYPE. */
#ifndef ARCHBENCH_LAMBDA_ENV_H
#define ARCHBENCH_LAMBDA_ENV_H

#include <stdbool.h>
#include <stddef.h>

struct lambda_env_options {
    const char *function_name; /* AWS_LAMBDA_FUNCTION_NAME and the log group */
    const char *handler;       /* _HANDLER */
    const char *task_root;     /* LAMBDA_TASK_ROOT, an absolute path */
    const char *runtime;       /* "provided.al2023", "nodejs20.x": AWS_EXECUTION_ENV */
    const char *region;        /* AWS_REGION, AWS_DEFAULT_REGION */
    unsigned memory_mb;
    char *const *extra;        /* --env NAME=VALUE entries, later ones win */
    size_t nextra;
};

/* Whether Lambda reserves name (a --env entry may not set it). */
bool lambda_env_reserved(const char *name, size_t len);

/* Whether region has the shape of an AWS region name ("us-east-1"). */
bool lambda_env_region_valid(const char *region);

/* The environment shared by every instance: a malloc'd NULL-terminated array of
 * malloc'd "NAME=value" strings (free with lambda_env_free), or NULL. */
char **lambda_env_build(const struct lambda_env_options *o);
void lambda_env_free(char **env);

/* The per-instance variables of one instance, as three "NAME=value" strings in
 * store (NULL-terminated in vars[4]). */
struct lambda_env_instance {
    char runtime_api[96];
    char log_stream[128];
    char init_type[64];
    char *vars[4];
};
void lambda_env_instance(struct lambda_env_instance *out, const char *runtime_api,
                         bool provisioned);

#endif
