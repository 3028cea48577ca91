/* The cases of archbench check (see check.h), in the order they run: one function
 * per case and, in check_cases[], the rule of docs/design.md §2 it checks, which
 * a failure names. A case accepts whatever the contract allows (any problem
 * "detail", any header order, extra headers) and refuses the rest. */
#include "check_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The first and second user of the selection: "A" asks, "B" is the one whose
 * profile must never come back to A. */
#define USER_A(c) (&(c)->users[0])
#define USER_B(c) (&(c)->users[(c)->nusers - 1])

static bool case_health(struct check_ctx *c, char *msg, size_t len)
{
    struct http_response r;
    if (check_request(c, "GET", "/health", NULL, &r) != 0)
        return check_no_answer(msg, len, "200 {\"status\":\"ok\"}");
    json_t *o = json_loadb(r.body, r.body_len, 0, NULL);
    json_t *st = json_object_get(o, "status");
    bool ok = r.status == 200 && json_is_string(st) && strcmp(json_string_value(st), "ok") == 0;
    json_decref(o);
    if (!ok) {
        char got[400];
        check_describe(&r, got, sizeof got);
        snprintf(msg, len, "expected 200 {\"status\":\"ok\"}, got %s", got);
    }
    httpc_free(&r);
    return ok;
}

/* GET /profile for users[from, to), each with its own token. */
static bool bodies(struct check_ctx *c, size_t from, size_t to, char *msg, size_t len)
{
    if (from == to) {
        snprintf(msg, len, "expected users of this kind in the data folder, found none");
        return false;
    }
    for (size_t i = from; i < to; i++) {
        char auth[128];
        check_bearer(auth, sizeof auth, c->users[i].token);
        if (!check_profile_with(c, "/profile", &c->users[i], auth, NULL, msg, len))
            return false;
    }
    return true;
}

static bool case_body_ascii(struct check_ctx *c, char *msg, size_t len)
{
    return bodies(c, 0, c->nascii, msg, len);
}

static bool case_body_non_ascii(struct check_ctx *c, char *msg, size_t len)
{
    return bodies(c, c->nascii, c->nusers, msg, len);
}

/* User A's 200, for the header cases. */
static int answer_200(struct check_ctx *c, struct http_response *r)
{
    char auth[128];
    check_bearer(auth, sizeof auth, USER_A(c)->token);
    return check_request(c, "GET", "/profile", auth, r);
}

static bool case_content_type(struct check_ctx *c, char *msg, size_t len)
{
    struct http_response r;
    char v[256] = "none";
    if (answer_200(c, &r) != 0)
        return check_no_answer(msg, len, "200 application/json");
    bool ok = r.status == 200 && httpc_header(&r, "Content-Type", v, sizeof v) &&
              check_media_type_is(v, "application/json");
    if (!ok)
        snprintf(msg, len, "expected 200 with Content-Type: application/json, got %d with %s",
                 r.status, v);
    httpc_free(&r);
    return ok;
}

/* A Cache-Control field (of possibly several) lists the no-store directive. */
static bool lists_no_store(const struct http_response *r)
{
    char v[256];
    for (unsigned i = 0; httpc_header_at(r, "Cache-Control", i, v, sizeof v); i++)
        for (char *save, *d = strtok_r(v, ",", &save); d; d = strtok_r(NULL, ",", &save)) {
            d += strspn(d, " \t");
            size_t n = strcspn(d, " \t=");
            if (n == 8 && strncasecmp(d, "no-store", 8) == 0)
                return true;
        }
    return false;
}

static bool case_cache_control(struct check_ctx *c, char *msg, size_t len)
{
    struct http_response r;
    char v[256] = "none";
    if (answer_200(c, &r) != 0)
        return check_no_answer(msg, len, "200 with Cache-Control: no-store");
    bool ok = r.status == 200 && lists_no_store(&r);
    if (!ok) {
        httpc_header(&r, "Cache-Control", v, sizeof v);
        snprintf(msg, len, "expected 200 with Cache-Control: no-store, got %d with %s", r.status,
                 v);
    }
    httpc_free(&r);
    return ok;
}

static bool case_missing(struct check_ctx *c, char *msg, size_t len)
{
    return check_unauthorized_with(c, NULL, "no Authorization header", msg, len);
}

static bool case_malformed(struct check_ctx *c, char *msg, size_t len)
{
    char h[3][160];
    snprintf(h[0], sizeof h[0], "Authorization: Bearer not-a-token\r\n");
    /* 43 characters, but '+' and '/' are base64, not base64url */
    snprintf(h[1], sizeof h[1], "Authorization: Bearer %.41s+/\r\n", USER_A(c)->token);
    snprintf(h[2], sizeof h[2], "Authorization: Bearer %sA\r\n", USER_A(c)->token);
    static const char *what[] = {"a short token", "43 characters that are not base64url",
                                 "a valid token with one character more"};
    for (int i = 0; i < 3; i++)
        if (!check_unauthorized_with(c, h[i], what[i], msg, len))
            return false;
    return true;
}

static bool case_token(struct check_ctx *c, const char *token, const char *what, char *msg,
                       size_t len)
{
    char h[128];
    check_bearer(h, sizeof h, token);
    return check_unauthorized_with(c, h, what, msg, len);
}

static bool case_unknown(struct check_ctx *c, char *msg, size_t len)
{
    return case_token(c, c->unknown, "a well-formed token of no session", msg, len);
}

static bool case_expired(struct check_ctx *c, char *msg, size_t len)
{
    return case_token(c, c->expired, "the token of an expired session", msg, len);
}

static bool case_revoked(struct check_ctx *c, char *msg, size_t len)
{
    return case_token(c, c->revoked, "a revoked token", msg, len);
}

static bool case_two_headers(struct check_ctx *c, char *msg, size_t len)
{
    char h[256];
    snprintf(h, sizeof h, "Authorization: Bearer %s\r\nAuthorization: Bearer %s\r\n",
             USER_A(c)->token, USER_B(c)->token);
    return check_unauthorized_with(c, h, "two Authorization headers with valid tokens", msg,
                                   len);
}

static bool case_empty_then_valid(struct check_ctx *c, char *msg, size_t len)
{
    char h[256];
    snprintf(h, sizeof h, "Authorization:\r\nAuthorization: Bearer %s\r\n", USER_A(c)->token);
    return check_unauthorized_with(c, h, "an empty Authorization header, then a valid one",
                                   msg, len);
}

static bool case_wrong_scheme(struct check_ctx *c, char *msg, size_t len)
{
    char h[2][160];
    snprintf(h[0], sizeof h[0], "Authorization: Basic dXNlcjpwYXNzd29yZA==\r\n");
    snprintf(h[1], sizeof h[1], "Authorization: Token %s\r\n", USER_A(c)->token);
    return check_unauthorized_with(c, h[0], "Basic credentials", msg, len) &&
           check_unauthorized_with(c, h[1], "a valid token under the scheme Token", msg, len);
}

static bool case_scheme_case(struct check_ctx *c, char *msg, size_t len)
{
    static const char *schemes[] = {"bearer", "BEARER", "bEaReR"};
    for (int i = 0; i < 3; i++) {
        char auth[128], m[700];
        snprintf(auth, sizeof auth, "Authorization: %s %s\r\n", schemes[i], USER_A(c)->token);
        if (!check_profile_with(c, "/profile", USER_A(c), auth, NULL, m, sizeof m)) {
            snprintf(msg, len, "\"%s\": %s", schemes[i], m);
            return false;
        }
    }
    return true;
}

/* A's token and a query naming B: A's own profile, or a 4xx; never B's. */
static bool case_query(struct check_ctx *c, char *msg, size_t len)
{
    char auth[128], target[128], got[400];
    check_bearer(auth, sizeof auth, USER_A(c)->token);
    long long b = (long long)USER_B(c)->id;
    snprintf(target, sizeof target, "/profile?id=%lld&user_id=%lld&user=%lld", b, b, b);
    struct http_response r;
    if (check_request(c, "GET", target, auth, &r) != 0)
        return check_no_answer(msg, len, "the token's own profile or a 4xx");
    bool ok = (r.status >= 400 && r.status < 500) ||
              (r.status == 200 && check_expect_profile(&r, USER_A(c), msg, len));
    if (!ok && r.status != 200) {
        check_describe(&r, got, sizeof got);
        snprintf(msg, len, "GET %s: expected user %lld's own profile or a 4xx, got %s", target,
                 (long long)USER_A(c)->id, got);
    }
    httpc_free(&r);
    return ok;
}

/* GET target with these header lines must get status as a problem. */
static bool problem_at(struct check_ctx *c, const char *target, const char *headers,
                       int status, char *msg, size_t len)
{
    struct http_response r;
    char m[700];
    if (check_request(c, "GET", target, headers, &r) != 0)
        return check_no_answer(msg, len, "a problem+json answer");
    bool ok = check_expect_problem(&r, status, m, sizeof m);
    httpc_free(&r);
    if (!ok)
        snprintf(msg, len, "GET %s: %s", target, m);
    return ok;
}

/* A path naming B is an unknown path: 404, whatever token comes with it. */
static bool case_path(struct check_ctx *c, char *msg, size_t len)
{
    char auth[128], target[2][64];
    check_bearer(auth, sizeof auth, USER_A(c)->token);
    snprintf(target[0], sizeof target[0], "/profile/%lld", (long long)USER_B(c)->id);
    snprintf(target[1], sizeof target[1], "/users/%lld", (long long)USER_B(c)->id);
    return problem_at(c, target[0], auth, 404, msg, len) &&
           problem_at(c, target[1], auth, 404, msg, len);
}

/* X-User-Id naming B: ignored with A's token, and no substitute for a token. */
static bool case_user_header(struct check_ctx *c, char *msg, size_t len)
{
    char auth[128], xuser[64], m[700];
    check_bearer(auth, sizeof auth, USER_A(c)->token);
    snprintf(xuser, sizeof xuser, "X-User-Id: %lld\r\n", (long long)USER_B(c)->id);
    if (!check_profile_with(c, "/profile", USER_A(c), auth, xuser, m, sizeof m)) {
        snprintf(msg, len, "with A's token and %.*s: %s", (int)strlen(xuser) - 2, xuser, m);
        return false;
    }
    return check_unauthorized_with(c, xuser, "X-User-Id and no token", msg, len);
}

static bool case_not_found(struct check_ctx *c, char *msg, size_t len)
{
    return problem_at(c, "/no-such-path", NULL, 404, msg, len);
}

/* An Allow value lists GET. */
static bool allows_get(const char *v)
{
    for (const char *p = v; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] != '\0')) {
        p += strspn(p, " \t");
        if (strncmp(p, "GET", 3) == 0 && strchr(" \t,", p[3]) != NULL)
            return true;
    }
    return false;
}

static bool case_method(struct check_ctx *c, char *msg, size_t len)
{
    char headers[160];
    snprintf(headers, sizeof headers, "Authorization: Bearer %s\r\nContent-Length: 0\r\n",
             USER_A(c)->token);
    static const char *methods[] = {"POST", "DELETE", "PUT"};
    for (int i = 0; i < 3; i++) {
        struct http_response r;
        char m[700], allow[128] = "";
        if (check_request(c, methods[i], "/profile", headers, &r) != 0)
            return check_no_answer(msg, len, "405 problem+json with Allow");
        bool ok = check_expect_problem(&r, 405, m, sizeof m);
        if (ok && !(httpc_header(&r, "Allow", allow, sizeof allow) && allows_get(allow))) {
            snprintf(m, sizeof m, "expected an Allow header listing GET, got %s",
                     allow[0] ? allow : "none");
            ok = false;
        }
        httpc_free(&r);
        if (!ok) {
            snprintf(msg, len, "%s /profile: %s", methods[i], m);
            return false;
        }
    }
    return true;
}

#define KEEP_ALIVE_REQUESTS 100

/* Request i on fd: user i's profile, verified; false with msg on anything else. */
static bool keep_alive_one(struct check_ctx *c, int fd, unsigned i, char *msg, size_t len)
{
    const struct check_user *u = &c->users[i % c->nusers];
    char req[512], m[700], conn[64] = "";
    int n = snprintf(req, sizeof req, "GET %s/profile HTTP/1.1\r\nHost: %s\r\n"
                     "Authorization: Bearer %s\r\n\r\n", c->prefix, c->url.hostport, u->token);
    struct http_response r;
    check_send_all(fd, req, (size_t)n);
    if (check_read_answer(c, fd, "GET /profile (keep-alive)", false, &r) != 0) {
        snprintf(msg, len, "expected %d answers on one connection, got %u: the connection "
                           "closed or stalled", KEEP_ALIVE_REQUESTS, i);
        return false;
    }
    bool ok = check_expect_profile(&r, u, m, sizeof m);
    if (ok && i + 1 < KEEP_ALIVE_REQUESTS && httpc_header(&r, "Connection", conn, sizeof conn) &&
        strcasecmp(conn, "close") == 0) {
        snprintf(m, sizeof m, "expected the connection kept open, got Connection: close");
        ok = false;
    }
    httpc_free(&r);
    if (!ok)
        snprintf(msg, len, "request %u of %d on one connection: %s", i + 1, KEEP_ALIVE_REQUESTS, m);
    return ok;
}

static bool case_keep_alive(struct check_ctx *c, char *msg, size_t len)
{
    int fd = httpc_connect_host(c->url.host, c->url.port);
    if (fd < 0)
        return check_no_answer(msg, len, "a connection");
    bool ok = true;
    for (unsigned i = 0; i < KEEP_ALIVE_REQUESTS && ok; i++)
        ok = keep_alive_one(c, fd, i, msg, len);
    close(fd);
    return ok;
}

/* Larger than any server library's default limit on a request head (nginx 8 KiB
 * a line, Node.js 16 KiB, libmicrohttpd 32 KiB, Python's http.server 64 KiB a
 * line, Go's net/http 1 MiB). */
#define OVERSIZED_HEAD (1088 * 1024)

static bool case_oversized(struct check_ctx *c, char *msg, size_t len)
{
    size_t cap = OVERSIZED_HEAD + 1024, n;
    char *req = malloc(cap), got[400];
    if (req == NULL)
        return check_no_answer(msg, len, "a 4xx (out of memory here)");
    n = (size_t)snprintf(req, cap, "GET %s/profile HTTP/1.1\r\nHost: %s\r\n"
                         "Authorization: Bearer %s\r\nX-Filler: ", c->prefix, c->url.hostport,
                         USER_A(c)->token);
    memset(req + n, 'a', OVERSIZED_HEAD);
    n += OVERSIZED_HEAD;
    memcpy(req + n, "\r\n\r\n", 4);
    struct http_response r;
    int rc = check_send_raw(c, req, n + 4, "a request with 1 MiB of headers", false, &r);
    free(req);
    if (rc != 0)
        return check_no_answer(msg, len, "a 4xx for 1 MiB of headers");
    bool ok = r.status >= 400 && r.status < 500;
    check_describe(&r, got, sizeof got);
    httpc_free(&r);
    if (!ok) {
        snprintf(msg, len, "expected a 4xx (413, 431 ...) for 1 MiB of headers, got %s", got);
        return false;
    }
    char auth[128], m[700];
    check_bearer(auth, sizeof auth, USER_A(c)->token);
    if (!check_profile_with(c, "/profile", USER_A(c), auth, NULL, m, sizeof m)) {
        snprintf(msg, len, "after the oversized request: %s", m);
        return false;
    }
    return true;
}

/* Requests a client may send and the server may refuse, but never with a 5xx:
 * %1$s is the URL's path prefix, %2$s its host, %3$s a 5,000-character token. */
static const struct probe {
    const char *what;
    const char *fmt;
    bool head;
} probes[] = {
    {"a token of non-ASCII bytes", "GET %1$s/profile HTTP/1.1\r\nHost: %2$s\r\n"
     "Authorization: Bearer \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
     "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
     "\xc3\xa9\xc3\xa9\xff\r\n\r\n", false},
    {"a 5,000-character token", "GET %1$s/profile HTTP/1.1\r\nHost: %2$s\r\n"
     "Authorization: Bearer %3$s\r\n\r\n", false},
    {"a query of broken percent-escapes", "GET %1$s/profile?%%ff%%00%%zz=%%%% HTTP/1.1\r\n"
     "Host: %2$s\r\n\r\n", false},
    {"a path that climbs", "GET %1$s/../../etc/passwd HTTP/1.1\r\nHost: %2$s\r\n\r\n", false},
    {"HEAD /profile", "HEAD %1$s/profile HTTP/1.1\r\nHost: %2$s\r\n\r\n", true},
    {"HTTP/1.0 without Host", "GET %1$s/profile HTTP/1.0\r\nX-Host-Was: %2$s\r\n\r\n", false},
    {"a GET with a body", "GET %1$s/profile HTTP/1.1\r\nHost: %2$s\r\nContent-Length: 5\r\n"
     "\r\nhello", false},
    {"a method nobody implements", "BREW %1$s/profile HTTP/1.1\r\nHost: %2$s\r\n\r\n", false},
    {"a coding nobody implements", "GET %1$s/profile HTTP/1.1\r\nHost: %2$s\r\n"
     "Transfer-Encoding: x-unknown, chunked\r\n\r\n0\r\n\r\n", false},
    {"a header name with a space", "GET %1$s/profile HTTP/1.1\r\nHost: %2$s\r\n"
     "Bad Header: x\r\n\r\n", false},
    {"OPTIONS", "OPTIONS %1$s/profile HTTP/1.1\r\nHost: %2$s\r\n\r\n", false},
};

#define PROBE_TOKEN_LEN 5000

/* Probe p, then /health: false when the probe got a 5xx or the server stopped
 * answering. A probe may go unanswered (a server may close on a request it
 * cannot parse, RFC 9112 §2.2); a 5xx is noted by check_read_answer. */
static bool probe_one(struct check_ctx *c, const struct probe *p, const char *token, char *msg,
                      size_t len)
{
    char req[PROBE_TOKEN_LEN + 1024];
    int n = snprintf(req, sizeof req, p->fmt, c->prefix, c->url.hostport, token);
    struct http_response r;
    if (n > 0 && (size_t)n < sizeof req &&
        check_send_raw(c, req, (size_t)n, p->what, p->head, &r) == 0)
        httpc_free(&r);
    if (check_request(c, "GET", "/health", NULL, &r) != 0) {
        snprintf(msg, len, "expected the server to keep answering after %s, got no answer to "
                           "GET /health", p->what);
        return false;
    }
    httpc_free(&r);
    return true;
}

static bool case_no_5xx(struct check_ctx *c, char *msg, size_t len)
{
    char *token = malloc(PROBE_TOKEN_LEN + 1);
    if (token == NULL)
        return check_no_answer(msg, len, "no 5xx (out of memory here)");
    memset(token, 'A', PROBE_TOKEN_LEN);
    token[PROBE_TOKEN_LEN] = '\0';
    bool ok = true;
    for (size_t i = 0; i < sizeof probes / sizeof probes[0] && ok; i++)
        ok = probe_one(c, &probes[i], token, msg, len);
    free(token);
    if (ok && c->five_xx[0] != '\0') {
        snprintf(msg, len, "expected no 5xx for anything a client sends, got one: %s", c->five_xx);
        ok = false;
    }
    return ok;
}

const struct check_case check_cases[] = {
    {"health", "GET /health answers 200 {\"status\":\"ok\"}", case_health},
    {"profile-body-ascii",
     "a valid token gets 200 and its user's profile byte for byte: compact JSON, fields in "
     "order, UTF-8 unescaped, no trailing newline (ASCII rows, JSON escapes included)",
     case_body_ascii},
    {"profile-body-non-ascii", "the same for rows with non-ASCII text (José, 東京, emoji)",
     case_body_non_ascii},
    {"content-type", "a 200 carries Content-Type: application/json", case_content_type},
    {"cache-control", "a 200 carries Cache-Control: no-store", case_cache_control},
    {"401-missing", "no token: 401 problem+json with WWW-Authenticate: Bearer", case_missing},
    {"401-malformed", "a token that is not 43 base64url characters: 401 problem+json with a "
     "Bearer challenge, before any database work", case_malformed},
    {"401-unknown", "a token of no session: 401 problem+json with a Bearer challenge",
     case_unknown},
    {"401-expired", "an expired session's token: 401 problem+json with a Bearer challenge",
     case_expired},
    {"401-revoked", "a revoked token: 401 problem+json with a Bearer challenge", case_revoked},
    {"401-two-headers", "two Authorization headers: 401, never either user's profile",
     case_two_headers},
    {"401-empty-then-valid", "an empty Authorization header and a valid one: 401 (two "
     "headers, whatever the first holds)", case_empty_then_valid},
    {"401-wrong-scheme", "a scheme other than Bearer: 401 with a Bearer challenge",
     case_wrong_scheme},
    {"scheme-case-insensitive", "the scheme is case-insensitive (RFC 9110 §11.1): bearer and "
     "BEARER work as Bearer", case_scheme_case},
    {"no-user-in-query", "the token alone chooses the profile: a user id in the query string "
     "is ignored or refused", case_query},
    {"no-user-in-path", "the token alone chooses the profile: /profile/{id} is an unknown "
     "path, 404 problem+json", case_path},
    {"no-user-in-header", "the token alone chooses the profile: X-User-Id from a client is "
     "ignored, and no substitute for a token", case_user_header},
    {"404", "an unknown path: 404 problem+json", case_not_found},
    {"405", "a method other than GET on /profile: 405 problem+json with Allow listing GET",
     case_method},
    {"keep-alive", "one HTTP/1.1 connection serves 100 requests in a row (RFC 9112 §9.3)",
     case_keep_alive},
    {"oversized-headers", "an oversized request head gets a 4xx (413/414/431) and the server "
     "keeps answering", case_oversized},
    {"no-5xx", "nothing a client sends gets a 5xx (501 only for a method or coding the server "
     "does not implement, RFC 9110 §15.6.2), and the server keeps answering", case_no_5xx},
};

const size_t check_ncases = sizeof check_cases / sizeof check_cases[0];
