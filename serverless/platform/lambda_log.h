/* Lambda-style REPORT lines, one per invocation: a human line on stderr
 *   REPORT RequestId: <id> Duration: 0.41 ms Billed Duration: 1 ms Memory Size: 128 MB
 *   Max Memory Used: 6 MB Init Duration: 2.10 ms
 * and the same data as one JSON object per line in an optional report log, which
 * the orchestrator's cost model reads. */
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
    pid_t pid;                 /* the instance */
    const char *instance;      /* "slot-generation" */
};

struct lambda_log;

/* path may be NULL (stderr lines only). NULL with err set when it cannot open. */
struct lambda_log *lambda_log_open(const char *path, char *err, size_t errlen);
void lambda_log_close(struct lambda_log *r);

/* Billed duration: the duration rounded up to a whole millisecond, at least 1. */
unsigned long lambda_log_billed_ms(double duration_ms);

/* Writes the line and the JSON record, each with one write(2) (thread-safe). */
void lambda_log_write(struct lambda_log *r, const struct lambda_log_entry *e);

#endif
