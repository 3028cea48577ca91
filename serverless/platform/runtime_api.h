/* The AWS Lambda Runtime API (2018-06-01) served by faas to its instances, on a
 * loopback port of its own. Instance <name> uses the base path /i/<name>:
 *   GET  /i/<name>/2018-06-01/runtime/invocation/next        long poll
 *   POST /i/<name>/2018-06-01/runtime/invocation/<id>/response
 *   POST /i/<name>/2018-06-01/runtime/invocation/<id>/error
 *   POST /i/<name>/2018-06-01/runtime/init/error
 * with AWS's answers: 202 {"status":"OK"}; 400 InvalidRequestID (not the request
 * in progress); 403 InvalidStateTransition (nothing in progress, e.g. a second
 * response); 413 for a payload over 6 MB. */
#ifndef ARCHBENCH_RUNTIME_API_H
#define ARCHBENCH_RUNTIME_API_H

#include "instances.h"
#include "server.h"

/* Fills cfg (routes, suspend/resume, body limits) for the Runtime API server;
 * pool is read at request time through *pool_ref (set once it exists). */
void runtime_api_configure(struct server_config *cfg, struct instances **pool_ref,
                           const char *function_name);

#endif
