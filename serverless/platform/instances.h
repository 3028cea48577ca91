/* The instance manager of faas: function instances (processes) and the
 * invocations given to them, modelled on AWS Lambda.
 *
 * An invocation goes to an idle warm instance; else a new instance is started for
 * it (cold start) while fewer than max_concurrency exist; else it waits in a
 * bounded queue (429 when the queue is full or the wait exceeds the timeout). An
 * instance runs one invocation at a time, stays warm while used, and is stopped
 * after idle_ms without work (scale to zero; `provisioned` instances are kept).
 * An invocation that exceeds timeout_ms gets 504 and its instance is killed and
 * replaced; an instance that dies mid-invocation fails only that one (502).
 *
 * Instances are told apart by their Runtime API address: instance <slot>-<gen>
 * gets AWS_LAMBDA_RUNTIME_API=127.0.0.1:PORT/i/<slot>-<gen>, so every call it
 * makes says who it is (a Runtime API client appends /2018-06-01/... to it).
 *
 * Threads: faas's worker threads call in, each serving the trigger and the
 * Runtime API from one loop; every instance belongs to one worker (its Runtime
 * API address is that worker's port) and an invocation goes to an idle instance
 * of the worker that received it when there is one, so handing it over and back
 * stays in that thread. One manager thread starts and reaps processes (pidfds)
 * and enforces deadlines. One mutex guards it all; suspended connections are
 * resumed (server_resume) while it is held, which is safe because MHD never
 * calls back into this module holding its own locks. */
#ifndef ARCHBENCH_INSTANCES_H
#define ARCHBENCH_INSTANCES_H

#include <microhttpd.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lambda_log.h"
#include "spawner.h"

/* One invocation, shared (refcounted) by the trigger request and the manager. */
struct invocation {
    atomic_int refs;
    char id[40];
    char *event;
    size_t event_len;
    struct MHD_Connection *conn;  /* the suspended trigger connection */
    unsigned worker;              /* the faas worker thread that serves conn */
    /* Outcome, complete when done is set (under the manager's mutex; read by the
     * trigger after the resume): status 0 means `result` holds the function's
     * response, otherwise a problem+json status and detail. */
    bool done;
    unsigned status;
    char detail[200];
    char *result;
    size_t result_len;
    /* Manager bookkeeping. */
    int state;
    int64_t deadline_ns;
    int64_t delivered_ns;
    struct invocation *next;
};

/* A new invocation holding one reference; event is taken over (malloc'd). */
struct invocation *invocation_new(const char *id, char *event, size_t event_len);
void invocation_unref(void *inv);

struct instances_config {
    /* "127.0.0.1:PORT" of the Runtime API, one per worker thread. */
    const char *const *runtime_api;
    unsigned workers;
    unsigned max_concurrency;
    unsigned max_queue;
    uint64_t idle_ms;
    uint64_t timeout_ms;
    unsigned memory_mb;
    unsigned provisioned;
    const char *function_name;     /* for the invoked function ARN */
    struct spawner *spawner;
    struct lambda_log *report;
};

struct instances;

struct instances *instances_start(const struct instances_config *cfg, char *err,
                                  size_t errlen);
/* Stops everything: pending invocations get 503, instances are killed and
 * reaped, parked connections are resumed. Call before stopping the servers. */
void instances_stop(struct instances *p);
void instances_free(struct instances *p);

/* Trigger: hands inv over (takes a reference); inv->conn must be suspended already
 * and inv->worker say which worker serves it. The connection is resumed once inv
 * is done, possibly before this returns. */
void instances_submit(struct instances *p, struct invocation *inv);

/* Runtime API. instance is the "<slot>-<gen>" path element. */
enum instances_next {
    NEXT_DELIVER,   /* *inv (a new reference) is the event to hand out */
    NEXT_PARKED,    /* conn was suspended; it is resumed when there is work */
    NEXT_FORBIDDEN, /* unknown or stopped instance */
};
enum instances_next instances_next(struct instances *p, const char *instance,
                                   struct MHD_Connection *conn, struct invocation **inv,
                                   int64_t *deadline_unix_ms);

/* A result for request id: is_error for .../error (error_type from the header or
 * body). Returns the HTTP status AWS gives: 202, 400 (not the current request id),
 * 403 (no invocation in progress: e.g. a second response). */
unsigned instances_result(struct instances *p, const char *instance, const char *id,
                          bool is_error, const char *body, size_t len,
                          const char *error_type);

/* POST /runtime/init/error: 202, or 403 when the instance is not initialising. */
unsigned instances_init_error(struct instances *p, const char *instance, const char *body,
                              size_t len, const char *error_type);

/* Live instance processes (for /health details and tests). */
unsigned instances_count(struct instances *p);

#endif
