/* Lambda's platform lines on stderr, as Lambda writes them to a function's log:
 *   START RequestId: <id> Version: $LATEST                  (the event handed out)
 *   END RequestId: <id>
 *   REPORT RequestId: <id>\tDuration: 0.41 ms\tBilled Duration: 3 ms\tMemory Size:
 *   128 MB\tMax Memory Used: 6 MB\tInit Duration: 2.10 ms\t
 * (fields separated and ended by tabs; a failed invocation adds "Status: timeout"
 * or "Status: error" and its "Error Type: ..."), and the same data as one JSON
 * object per line in an optional report log, which the orchestrator reads. */
#ifndef ARCHBENCH_LAMBDA_LOG_H
#define ARCHBENCH_LAMBDA_LOG_H

#include <stdbool.h>
#include <sys/types.h>

struct lambda_log_entry {
    const char *request_id;
    double duration_ms;        /* event handed out -> result received */
    double init_ms;            /* spawn -> first /next; < 0 on a warm start */
    unsigned memory_mb;        /* the configured memory size */
    unsigned max_memory_mb;    /* peak resident memory of the instance */
    const char *status;        /* success, error, timeout, crash, init_error */
    const char *error_type;    /* Runtime.ExitError, Function.ResponseSizeTooLarge... or NULL */
    pid_t pid;                 /* the instance */
    const char *instance;      /* "slot-generation" */
};

struct lambda_log;

/* path may be NULL (stderr lines only). NULL with err set when it cannot open. */
struct lambda_log *lambda_log_open(const char *path, char *err, size_t errlen);
void lambda_log_close(struct lambda_log *r);

/* Billed duration as AWS bills it (the Lambda pricing page and AWS's notice that
 * INIT is billed for every configuration from 2025-08-01): the invocation's
 * duration plus, on a cold start, its Init Duration, rounded up to a whole
 * millisecond, at least 1. init_ms < 0: a warm start. */
unsigned long lambda_log_billed_ms(double duration_ms, double init_ms);

/* START, when an invocation's event is handed out (one write(2)). */
void lambda_log_start(struct lambda_log *r, const char *request_id);

/* END and REPORT on stderr with one write(2), and the JSON record (thread-safe). */
void lambda_log_write(struct lambda_log *r, const struct lambda_log_entry *e);

#endif
