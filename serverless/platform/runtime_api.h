/* The AWS Lambda Runtime API (2018-06-01) served by faas to its instances. Each
 * instance has an endpoint of its own (a loopback port, AWS_LAMBDA_RUNTIME_API=
 * host:port as on Lambda), accepted by the worker that owns the instance, which
 * lets through only connections from the instance's own processes (peer.h):
 *   GET  /2018-06-01/runtime/invocation/next        long poll
 *   POST /2018-06-01/runtime/invocation/<id>/response
 *   POST /2018-06-01/runtime/invocation/<id>/error
 *   POST /2018-06-01/runtime/init/error
 * with AWS's answers: 202 {"status":"OK"}; 400 InvalidRequestID (not the request
 * in progress); 403 InvalidStateTransition (nothing in progress, e.g. a second
 * response; or a second /next while one waits); 413 RequestEntityTooLarge for a
 * response over RUNTIME_API_MAX_PAYLOAD, which fails the invocation. */
#ifndef ARCHBENCH_RUNTIME_API_H
#define ARCHBENCH_RUNTIME_API_H

#include "instances.h"
#include "lambda_log.h"
#include "server.h"

/* Fills cfg (routes, no listening socket of its own, suspend/resume, the accept
 * hooks) for the Runtime API site; pool is read at request time through *pool_ref
 * (set once it exists). function_arn names the function in every event. */
void runtime_api_configure(struct server_config *cfg, struct instances **pool_ref,
                           const char *function_arn, struct lambda_log *log);

/* After server_open: worker's accept set (an epoll fd), where the instance manager
 * puts the endpoints of that worker's instances. */
int runtime_api_accept_set(unsigned worker);

#endif
