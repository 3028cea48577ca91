/* The "view profile" flow of DESIGN §2, written once for all three architectures:
 * check the bearer token, look the profile up, render it. The programs only carry
 * the answer over their transport (an MHD connection, an API Gateway result), so
 * the bodies and errors are the same bytes by construction. The microservices
 * split the flow at their network hop: auth-service runs the token half
 * (flow_session_by_bearer), profile-service the lookup-and-render half
 * (flow_profile_by_id); the monolith and the function run it whole
 * (flow_profile_by_bearer) with one indexed join instead of two lookups.
 *
 * Every flow runs the same steps in order, each one call in flow.c: auth (parse
 * and hash the token: flow_token), db (one db_* lookup), render (flow_render), so
 * a per-step timer can be put around each. */
#ifndef ARCHBENCH_FLOW_H
#define ARCHBENCH_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "token.h"

/* What to answer. A 200 carries body (the profile flows) or user_id (the token
 * half); anything else is a problem+json with detail, and a 401 names the failed
 * check (token) and its WWW-Authenticate value (challenge). */
struct flow_answer {
    unsigned status;         /* 200, 401, 404, 500 or 503 */
    const char *detail;      /* status != 200: the problem's detail (static) */
    enum token_result token; /* 401: which check failed; TOKEN_OK otherwise */
    const char *challenge;   /* 401: the WWW-Authenticate value; NULL otherwise */
    int64_t user_id;         /* 200 from flow_session_by_bearer: the session's user */
    char *body;              /* 200 from a profile flow: the JSON, malloc'd (the caller's) */
    size_t len;
};

/* GET /profile whole: authorization is the Authorization header's value (NULL when
 * none was sent). Returns out->status. */
unsigned flow_profile_by_bearer(struct db *db, const char *authorization,
                                struct flow_answer *out);

/* The token half (auth-service's GET /v1/verify): the same checks in the same order,
 * so each credential gets the same 401 from every architecture. */
unsigned flow_session_by_bearer(struct db *db, const char *authorization,
                                struct flow_answer *out);

/* The lookup-and-render half (profile-service's GET /v1/users/{id}); 404 for an
 * unknown user. */
unsigned flow_profile_by_id(struct db *db, int64_t id, struct flow_answer *out);

#endif
