/* A small AWS Lambda Runtime API client (2018-06-01) for custom-runtime bootstraps
 * written in C: next invocation, response, invocation error, init error. Blocking
 * libcurl calls on one reused handle (one keep-alive connection): a function
 * instance handles one invocation at a time, so there is nothing to overlap.
 * The endpoint comes from AWS_LAMBDA_RUNTIME_API, exactly as on AWS Lambda. */
#ifndef ARCHBENCH_RUNTIME_H
#define ARCHBENCH_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

/* AWS's limit on a synchronous invocation's response payload. */
#define RUNTIME_MAX_RESPONSE (6u * 1024 * 1024)

struct runtime;

struct runtime_invocation {
    char request_id[128];    /* Lambda-Runtime-Aws-Request-Id */
    int64_t deadline_ms;     /* Lambda-Runtime-Deadline-Ms (unix ms), 0 if absent */
    char function_arn[256];  /* Lambda-Runtime-Invoked-Function-Arn */
    char trace_id[256];      /* Lambda-Runtime-Trace-Id */
    char *event;             /* the event document, NUL-terminated (runtime owns it) */
    size_t event_len;
};

/* Process-wide libcurl set-up (TLS libraries and all, several milliseconds). Call
 * it during init: a fork-server template then pays it once for all its children.
 * runtime_open calls it too when nobody did. */
void runtime_global_init(void);

/* Reads AWS_LAMBDA_RUNTIME_API ("host:port") and prepares the client. NULL with err
 * set when the variable is missing or libcurl cannot start. */
struct runtime *runtime_open(char *err, size_t errlen);
void runtime_close(struct runtime *rt);

/* GET /runtime/invocation/next, without a timeout (AWS: the call blocks until an
 * event arrives, possibly for a long time). Fills inv; inv->event stays valid until
 * the next runtime_next. Returns 0, or -1 with err set (platform gone: exit). */
int runtime_next(struct runtime *rt, struct runtime_invocation *inv, char *err,
                 size_t errlen);

/* POST /runtime/invocation/{id}/response with body. Returns the HTTP status the
 * platform answered (202 accepted, 400 unknown id, 403 wrong state, 413 too
 * large), or -1 with err set when the call itself failed. */
long runtime_respond(struct runtime *rt, const char *request_id, const char *body,
                     size_t len, char *err, size_t errlen);

/* POST /runtime/invocation/{id}/error with AWS's error document
 * {"errorMessage":..,"errorType":..} and Lambda-Runtime-Function-Error-Type. */
long runtime_fail(struct runtime *rt, const char *request_id, const char *error_type,
                  const char *message, char *err, size_t errlen);

/* POST /runtime/init/error: initialisation failed; the caller then exits. */
long runtime_init_error(struct runtime *rt, const char *error_type, const char *message,
                        char *err, size_t errlen);

#endif
