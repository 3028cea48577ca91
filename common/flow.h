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
 * and hash the token: flow_token), db (one db_* lookup), render (flow_render), and
 * times them when given a flow_timing: the steps of the Server-Timing header, with
 * the same names in every architecture. Where a step's time goes:
 *   auth   the Authorization header parsed, the token hashed; in auth-service also
 *          the session lookup and the expiry check (its db is the sessions table)
 *   db     the profile lookup and the end of its read (db_release); in the
 *          monolith and the function the one indexed join that finds session and
 *          profile at once (and the expiry check on its row): it is not split, so
 *          their auth has no lookup in it (docs/design.md §2)
 *   render the JSON of the profile (profile_render)
 * A step that did not run (a malformed token never reaches db) is not reported. */
#ifndef ARCHBENCH_FLOW_H
#define ARCHBENCH_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "server_timing.h"
#include "token.h"

enum flow_step { FLOW_AUTH, FLOW_DB, FLOW_RENDER, FLOW_NSTEPS };
extern const char *const flow_step_names[FLOW_NSTEPS]; /* "auth", "db", "render" */

/* The steps a flow ran and how long each took (CLOCK_MONOTONIC). */
struct flow_timing {
    uint64_t ns[FLOW_NSTEPS];
    unsigned ran; /* bit 1 << step for each step that ran */
};

/* Adds the steps that ran to t, in order and under their names (t may be NULL). */
void flow_timing_report(const struct flow_timing *ft, struct server_timing *t);

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
 * none was sent). Returns out->status. Each flow times its steps into timing
 * when it is not NULL (it is then reset first). */
unsigned flow_profile_by_bearer(struct db *db, const char *authorization,
                                struct flow_answer *out, struct flow_timing *timing);

/* The token half (auth-service's GET /v1/verify): the same checks in the same order,
 * so each credential gets the same 401 from every architecture. */
unsigned flow_session_by_bearer(struct db *db, const char *authorization,
                                struct flow_answer *out, struct flow_timing *timing);

/* The lookup-and-render half (profile-service's GET /v1/users/{id}); 404 for an
 * unknown user. */
unsigned flow_profile_by_id(struct db *db, int64_t id, struct flow_answer *out,
                            struct flow_timing *timing);

#endif
