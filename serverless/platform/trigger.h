/* The HTTP trigger of faas: every request (any path, any method) becomes an API
 * Gateway HTTP API v2.0 event for the function; the connection is suspended
 * until the invocation ends and resumed by whichever thread ends it; the
 * function's result (or the platform's 429/502/503/504) becomes the response.
 *
 * The event's traceparent is the client's W3C trace continued (or a new one)
 * with faas's span as the parent. The response's Server-Timing has queue (handed
 * to faas -> handed to an instance, less a cold start's init), init (the Init
 * Duration of the cold start it waited for; only then), invoke (event handed to
 * the instance -> result back: Lambda's Duration), the function's own entries
 * from its result's server-timing header (its total renamed "function"), and
 * total. */
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
