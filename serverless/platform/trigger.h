/* The HTTP trigger of faas: every request (any path, any method) becomes an API
 * Gateway HTTP API v2.0 event for the function; the connection is suspended
 * until the invocation ends and resumed by whichever thread ends it; the
 * function's result (or the platform's 429/502/503/504) becomes the response. */
#ifndef ARCHBENCH_TRIGGER_H
#define ARCHBENCH_TRIGGER_H

#include "instances.h"
#include "server.h"

/* AWS's limit on a synchronous invocation's request payload. */
#define TRIGGER_MAX_BODY (6u * 1024 * 1024)

/* Fills cfg's routes and hooks; pool is read through *pool_ref at request time. */
void trigger_configure(struct server_config *cfg, struct instances **pool_ref);

/* A new request id (UUID-shaped, unique within this process) into out[37]. */
void trigger_request_id(char out[40]);

#endif
