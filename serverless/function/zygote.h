/* Fork-server ("zygote") mode for function binaries, as in SOCK (ATC '18): faas
 * starts the binary once as a template with ARCHBENCH_FN_TEMPLATE_FD set; the
 * template initialises (opens its database, prepares statements) and then forks
 * one pre-initialised child per cold start on request, so a cold start costs a
 * fork instead of exec + dynamic loading + init.
 *
 * Protocol on the SOCK_SEQPACKET socket whose number is in the variable:
 *   template -> faas  struct zygote_ready       once, after init
 *   faas -> template  struct zygote_request     one per instance
 *   template -> faas  struct zygote_reply       + the child's pidfd (SCM_RIGHTS)
 * The template ignores SIGCHLD, so the kernel reaps its children; faas watches
 * each child through the pidfd and kills it by pid. EOF on the socket ends the
 * template. */
#ifndef ARCHBENCH_ZYGOTE_H
#define ARCHBENCH_ZYGOTE_H

#include <stdint.h>
#include <sys/types.h>

#define ZYGOTE_ENV "ARCHBENCH_FN_TEMPLATE_FD"
/* The value of LD_BIND_NOW faas gives a template; zygote_serve unsets the
 * variable when it has this value, so instances see the function's environment. */
#define ZYGOTE_BIND_NOW "fork-server-template"

struct zygote_ready {
    uint32_t magic;
};
#define ZYGOTE_MAGIC 0x7a79676fu /* "zygo" */

struct zygote_request {
    /* The child's own variables (AWS_LAMBDA_RUNTIME_API and the others that differ
     * per instance): "NAME=value" strings, each NUL-terminated, then an empty one. */
    char env[1024];
    uint64_t memory_limit;   /* RLIMIT_DATA in bytes, 0: none */
};

struct zygote_reply {
    int32_t pid;             /* -1: fork failed, errno_value says why */
    int32_t errno_value;
};

/* In a function's main, after its init: when ZYGOTE_ENV is not set, returns 0 at
 * once (plain bootstrap). Otherwise serves fork requests and returns 0 only in a
 * forked child, with its own variables and its memory limit set; the template
 * itself exits inside (status 0 at EOF, 1 on errors). */
int zygote_serve(void);

#endif
