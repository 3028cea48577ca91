/* The "view profile" flow and its two halves (see flow.h). Each step is a call of
 * its own here (flow_token, a db_* lookup, flow_render) so its cost can be timed
 * without touching the transports. */
#include "flow.h"

#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "profile.h"

const char *const flow_step_names[FLOW_NSTEPS] = {"auth", "db", "render"};

/* Adds now - since to step and returns now. The clock is read only when the flow
 * is timed: an untimed flow (a server started with --no-server-timing) costs
 * nothing more than before. */
static inline uint64_t flow_step(struct flow_timing *t, enum flow_step step, uint64_t since)
{
    if (t == NULL)
        return 0;
    uint64_t now = clock_now_ns();
    t->ns[step] += now - since;
    t->ran |= 1u << step;
    return now;
}

static inline uint64_t flow_start(struct flow_timing *t)
{
    if (t == NULL)
        return 0;
    *t = (struct flow_timing){.ran = 0};
    return clock_now_ns();
}

void flow_timing_report(const struct flow_timing *ft, struct server_timing *t)
{
    for (int i = 0; i < FLOW_NSTEPS; i++)
        if (ft->ran & (1u << i))
            server_timing_add(t, flow_step_names[i], ft->ns[i]);
}

static unsigned answer_problem(struct flow_answer *out, unsigned status, const char *detail)
{
    *out = (struct flow_answer){.status = status, .detail = detail};
    return status;
}

static unsigned answer_unauthorized(struct flow_answer *out, enum token_result r)
{
    *out = (struct flow_answer){.status = 401, .detail = token_result_detail(r), .token = r,
                                .challenge = token_result_challenge(r)};
    return 401;
}

/* auth: exactly one well-formed bearer token, hashed into the sessions' key. */
static enum token_result flow_token(const char *authorization,
                                    unsigned char hash[TOKEN_HASH_LEN])
{
    const char *token = NULL;
    enum token_result r = token_parse_authorization(authorization, &token);
    if (r == TOKEN_OK)
        token_hash(token, hash);
    return r;
}

/* render: the profile JSON of the row the last lookup returned, which it then
 * releases (db: ending the read can take a system call). Inline: as a call of its
 * own it cost the monolith 21 instructions a request (callgrind). */
static inline unsigned flow_render(struct db *db, const struct profile *p, struct flow_answer *out,
                                   struct flow_timing *t, uint64_t since)
{
    size_t len;
    char *body = profile_render(p, &len);
    since = flow_step(t, FLOW_RENDER, since);
    db_release(db);
    flow_step(t, FLOW_DB, since);
    if (body == NULL) {
        log_error("cannot render the profile of user %lld", (long long)p->id);
        return answer_problem(out, 500, "the profile could not be rendered");
    }
    *out = (struct flow_answer){.status = 200, .user_id = p->id, .body = body, .len = len};
    return 200;
}

unsigned flow_profile_by_bearer(struct db *db, const char *authorization,
                                struct flow_answer *out, struct flow_timing *t)
{
    uint64_t at = flow_start(t);
    unsigned char hash[TOKEN_HASH_LEN];
    enum token_result r = flow_token(authorization, hash);
    at = flow_step(t, FLOW_AUTH, at);
    if (r != TOKEN_OK)
        return answer_unauthorized(out, r);
    struct profile p;
    int64_t expires_at;
    enum db_status found = db_profile_by_token(db, hash, &p, &expires_at);
    bool expired = found == DB_OK && token_check_expiry(expires_at, (int64_t)time(NULL)) != TOKEN_OK;
    if (expired)
        db_release(db);
    at = flow_step(t, FLOW_DB, at);
    switch (found) {
    case DB_NOT_FOUND:
        return answer_unauthorized(out, TOKEN_UNKNOWN);
    case DB_ERROR:
        log_error("profile lookup: %s", db_errmsg(db));
        return answer_problem(out, 503, "the database is unavailable");
    case DB_OK:
        break;
    }
    if (expired)
        return answer_unauthorized(out, TOKEN_EXPIRED);
    return flow_render(db, &p, out, t, at);
}

unsigned flow_session_by_bearer(struct db *db, const char *authorization,
                                struct flow_answer *out, struct flow_timing *t)
{
    uint64_t at = flow_start(t);
    unsigned char hash[TOKEN_HASH_LEN];
    enum token_result r = flow_token(authorization, hash);
    int64_t user_id = 0, expires_at = 0;
    enum db_status found = r == TOKEN_OK ? db_session_lookup(db, hash, &user_id, &expires_at)
                                         : DB_NOT_FOUND;
    bool expired = found == DB_OK && token_check_expiry(expires_at, (int64_t)time(NULL)) != TOKEN_OK;
    flow_step(t, FLOW_AUTH, at); /* the session lookup is auth's here */
    if (r != TOKEN_OK)
        return answer_unauthorized(out, r);
    switch (found) {
    case DB_NOT_FOUND:
        return answer_unauthorized(out, TOKEN_UNKNOWN);
    case DB_ERROR:
        log_error("session lookup: %s", db_errmsg(db));
        return answer_problem(out, 503, "the session database is unavailable");
    case DB_OK:
        break;
    }
    if (expired)
        return answer_unauthorized(out, TOKEN_EXPIRED);
    *out = (struct flow_answer){.status = 200, .user_id = user_id};
    return 200;
}

unsigned flow_profile_by_id(struct db *db, int64_t id, struct flow_answer *out,
                            struct flow_timing *t)
{
    uint64_t at = flow_start(t);
    struct profile p;
    enum db_status found = db_user_lookup(db, id, &p);
    at = flow_step(t, FLOW_DB, at);
    switch (found) {
    case DB_NOT_FOUND:
        return answer_problem(out, 404, "no such user");
    case DB_ERROR:
        log_error("user lookup: %s", db_errmsg(db));
        return answer_problem(out, 503, "the profile database is unavailable");
    case DB_OK:
        break;
    }
    return flow_render(db, &p, out, t, at);
}
