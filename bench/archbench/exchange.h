/* One real request and answer of the endpoint, kept in run.json ("exchange") so
 * the report can show the flow with what was actually sent and received: GET
 * /profile with user 1's token (200 and its JSON) and without one (401). */
#ifndef ARCHBENCH_EXCHANGE_H
#define ARCHBENCH_EXCHANGE_H

#include <jansson.h>

/* Sends both requests to address ("IPv4:PORT"); token is user 1's. Returns
 * {"url", "token", "status", "content_type", "body", "unauthorized": {"status",
 * "www_authenticate", "content_type", "body"}}, or NULL when the server did not
 * answer both. */
json_t *exchange_record(const char *address, const char *token);

#endif
