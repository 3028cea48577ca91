/* Integration tests: the microservices stack against the monolith on one seeded
 * dataset. The gateway must give the same status, content type, problem type and
 * title, and byte-identical bodies as the monolith for the same request; the two
 * services must honour their own contracts; every program handles its command line. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "httpc.h"
#include "../support/proc.h"
#include "../support/stack.h"
#include "../support/timing.h"

#define USERS 300
#define CONFORMANCE_USERS 200

static char dir[256];
static struct stack stack;
static struct proc monolith;
static struct stack_token *tokens;
static size_t ntokens;
/* A second gateway some tests start: here so that the group teardown stops one left
 * running by a failed assertion. */
static struct stack named;

static int setup(void **state)
{
    (void)state;
    if (proc_seed(dir, sizeof dir, USERS) != 0) {
        fprintf(stderr, "seeding failed (is bin/archbench built?)\n");
        return -1;
    }
    tokens = stack_tokens(dir, &ntokens);
    if (tokens == NULL || stack_start(&stack, dir, 2000, 2) != 0) {
        fprintf(stderr, "cannot start the microservices stack (log: %s)\n", stack.log);
        return -1;
    }
    char bin[256], db[320];
    snprintf(db, sizeof db, "%s/app.db", dir);
    char *argv[] = {(char *)proc_bin("monolith", bin, sizeof bin), "--listen", "127.0.0.1:0",
                    "--db", db, "--threads", "1", NULL};
    if (proc_start_server(&monolith, argv, stack.log) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (named.gateway.pid > 0)
        proc_stop(&named.gateway);
    proc_stop(&monolith);
    int rc = stack_stop(&stack);
    free(tokens);
    proc_rmdir(dir);
    /* Every service stops cleanly on SIGTERM. */
    return rc == 0 ? 0 : -1;
}

/* Requests path with extra header lines from both servers; fails the test unless
 * status, Content-Type, the WWW-Authenticate and Allow headers, and the body bytes
 * are identical (for problem+json: the same type and title, and here the same
 * detail too since both render it from the same strings). Returns the status. */
static int compare_at(int gateway_port, const char *method, const char *path,
                      const char *headers)
{
    struct http_response g, m;
    if (httpc_request(gateway_port, method, path, headers, &g) != 0)
        fail_msg("gateway: no answer to %s %s", method, path);
    if (httpc_request(monolith.port, method, path, headers, &m) != 0)
        fail_msg("monolith: no answer to %s %s", method, path);
    if (g.status != m.status)
        fail_msg("%s %s [%s]: gateway %d, monolith %d (%s)", method, path,
                 headers ? headers : "", g.status, m.status, g.body);
    const char *names[] = {"Content-Type", "WWW-Authenticate", "Allow", "Cache-Control"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char gv[256] = "", mv[256] = "";
        bool gh = httpc_header(&g, names[i], gv, sizeof gv);
        bool mh = httpc_header(&m, names[i], mv, sizeof mv);
        if (gh != mh || strcmp(gv, mv) != 0)
            fail_msg("%s %s: %s differs: gateway '%s', monolith '%s'", method, path, names[i],
                     gv, mv);
    }
    char ct[128] = "";
    httpc_header(&g, "Content-Type", ct, sizeof ct);
    if (strcmp(ct, "application/problem+json") == 0 && strcmp(method, "HEAD") != 0) {
        json_t *gj = json_loadb(g.body, g.body_len, 0, NULL);
        json_t *mj = json_loadb(m.body, m.body_len, 0, NULL);
        assert_non_null(gj);
        assert_non_null(mj);
        assert_string_equal(json_string_value(json_object_get(gj, "type")),
                            json_string_value(json_object_get(mj, "type")));
        assert_string_equal(json_string_value(json_object_get(gj, "title")),
                            json_string_value(json_object_get(mj, "title")));
        assert_int_equal(json_integer_value(json_object_get(gj, "status")), g.status);
        json_decref(gj);
        json_decref(mj);
    }
    if (g.body_len != m.body_len || memcmp(g.body, m.body, g.body_len) != 0)
        fail_msg("%s %s: bodies differ:\n gateway  %s\n monolith %s", method, path, g.body,
                 m.body);
    int status = g.status;
    httpc_free(&g);
    httpc_free(&m);
    return status;
}

static int compare(const char *method, const char *path, const char *headers)
{
    return compare_at(stack.gateway.port, method, path, headers);
}

static int compare_token_at(int gateway_port, const char *authorization_value)
{
    char h[512];
    snprintf(h, sizeof h, "Authorization: %s\r\n", authorization_value);
    return compare_at(gateway_port, "GET", "/profile", h);
}

static int compare_token(const char *authorization_value)
{
    return compare_token_at(stack.gateway.port, authorization_value);
}

static void test_200_bodies_are_byte_identical_for_200_users(void **state)
{
    (void)state;
    size_t done = 0;
    for (size_t i = 0; i < ntokens && done < CONFORMANCE_USERS; i++) {
        if (tokens[i].status != STACK_VALID)
            continue;
        char v[128];
        snprintf(v, sizeof v, "Bearer %s", tokens[i].token);
        assert_int_equal(compare_token(v), 200);
        done++;
    }
    assert_int_equal(done, CONFORMANCE_USERS);
}

static void test_missing_token_gets_the_same_401(void **state)
{
    (void)state;
    assert_int_equal(compare("GET", "/profile", NULL), 401);
    assert_int_equal(compare("GET", "/profile", "Authorization:\r\n"), 401);
    assert_int_equal(compare("GET", "/profile", "Authorization:    \r\n"), 401);
}

static void test_malformed_tokens_get_the_same_401(void **state)
{
    (void)state;
    const struct stack_token *t = stack_token_with(tokens, ntokens, STACK_VALID);
    char v[256];
    const char *fixed[] = {"Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer short",
                           "Bearer !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
                           "Token abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        assert_int_equal(compare_token(fixed[i]), 401);
    snprintf(v, sizeof v, "Bearer %s=", t->token); /* padding */
    assert_int_equal(compare_token(v), 401);
    snprintf(v, sizeof v, "Bearer %s %s", t->token, t->token); /* two credentials */
    assert_int_equal(compare_token(v), 401);
    snprintf(v, sizeof v, "Bearer %.42s", t->token); /* one character short */
    assert_int_equal(compare_token(v), 401);
    snprintf(v, sizeof v, "Bearer  %s  ", t->token); /* extra spaces are fine */
    assert_int_equal(compare_token(v), 200);
    snprintf(v, sizeof v, "bearer %s", t->token); /* the scheme is case-insensitive */
    assert_int_equal(compare_token(v), 200);
}

static void test_unknown_expired_and_revoked_tokens_get_the_same_401(void **state)
{
    (void)state;
    assert_int_equal(compare_token("Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), 401);
    const struct stack_token *exp = stack_token_with(tokens, ntokens, STACK_EXPIRED);
    const struct stack_token *rev = stack_token_with(tokens, ntokens, STACK_REVOKED);
    assert_non_null(exp);
    assert_non_null(rev);
    char v[128];
    snprintf(v, sizeof v, "Bearer %s", exp->token);
    assert_int_equal(compare_token(v), 401);
    snprintf(v, sizeof v, "Bearer %s", rev->token);
    assert_int_equal(compare_token(v), 401);
}

static void test_two_authorization_headers_get_the_same_401(void **state)
{
    (void)state;
    const struct stack_token *t = stack_token_with(tokens, ntokens, STACK_VALID);
    char h[512];
    snprintf(h, sizeof h, "Authorization: Bearer %s\r\nAuthorization: Bearer %s\r\n", t->token,
             t->token);
    assert_int_equal(compare("GET", "/profile", h), 401);
    snprintf(h, sizeof h, "Authorization: Bearer %s\r\nAuthorization:\r\n", t->token);
    assert_int_equal(compare("GET", "/profile", h), 401);
    snprintf(h, sizeof h, "Authorization:\r\nAuthorization: Bearer %s\r\n", t->token);
    assert_int_equal(compare("GET", "/profile", h), 401);
}

/* Refused before any upstream call (RFC 9112 §5.5, common/server.c), as by the
 * monolith: nothing of it reaches auth-service's request headers. */
static void test_control_characters_in_a_credential_get_the_same_400(void **state)
{
    (void)state;
    const struct stack_token *t = stack_token_with(tokens, ntokens, STACK_VALID);
    char v[256];
    snprintf(v, sizeof v, "Bearer %.20s\x01%s", t->token, t->token + 20);
    assert_int_equal(compare_token(v), 400);
    snprintf(v, sizeof v, "Bearer %s\x0bX-Injected: 1", t->token);
    assert_int_equal(compare_token(v), 400);
}

/* Compose and Kubernetes give services names: the gateway must reach them by name
 * (it once failed every call when --auth-url named a host). */
static void test_upstreams_given_by_host_name(void **state)
{
    (void)state;
    char host[256], auth_url[320], profile_url[320];
    const char *name = stack_loopback_name(host, sizeof host);
    snprintf(auth_url, sizeof auth_url, "http://%s:%d", name, stack.auth.port);
    snprintf(profile_url, sizeof profile_url, "http://%s:%d/", name, stack.profile.port);
    named = stack;
    named.gateway.pid = 0;
    assert_int_equal(stack_start_gateway(&named, auth_url, profile_url, 2000, 1), 0);
    int port = named.gateway.port;
    for (size_t i = 0, n = 0; i < ntokens && n < 20; i++) {
        if (tokens[i].status != STACK_VALID)
            continue;
        char v[128];
        snprintf(v, sizeof v, "Bearer %s", tokens[i].token);
        assert_int_equal(compare_token_at(port, v), 200);
        n++;
    }
    assert_int_equal(compare_token_at(port, "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                     401);
    assert_int_equal(proc_stop(&named.gateway), 0);
}

static void test_unknown_paths_methods_and_health_match(void **state)
{
    (void)state;
    assert_int_equal(compare("GET", "/nope", NULL), 404);
    assert_int_equal(compare("GET", "/profile/1", NULL), 404);
    assert_int_equal(compare("GET", "/", NULL), 404);
    assert_int_equal(compare("POST", "/profile", "Content-Length: 0\r\n"), 405);
    assert_int_equal(compare("DELETE", "/profile", NULL), 405);
    assert_int_equal(compare("POST", "/health", "Content-Length: 0\r\n"), 405);
    assert_int_equal(compare("GET", "/health", NULL), 200);
    assert_int_equal(compare("GET", "/profile?x=1", NULL), 401);
}

static void test_head_profile_matches(void **state)
{
    (void)state;
    const struct stack_token *t = stack_token_with(tokens, ntokens, STACK_VALID);
    char h[256];
    snprintf(h, sizeof h, "Authorization: Bearer %s\r\n", t->token);
    assert_int_equal(compare("HEAD", "/profile", h), 200);
    assert_int_equal(compare("HEAD", "/profile", NULL), 401);
}

static void test_oversized_body_gets_413_like_the_monolith(void **state)
{
    (void)state;
    assert_int_equal(compare("POST", "/profile", "Content-Length: 100000\r\n"), 413);
}

static void test_keep_alive_connection_serves_many_requests(void **state)
{
    (void)state;
    int fd = httpc_connect(stack.gateway.port);
    assert_true(fd >= 0);
    for (size_t i = 0, n = 0; i < ntokens && n < 50; i++) {
        if (tokens[i].status != STACK_VALID)
            continue;
        char req[512];
        int len = snprintf(req, sizeof req,
                           "GET /profile HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n",
                           tokens[i].token);
        assert_int_equal(httpc_send(fd, req, (size_t)len), 0);
        struct http_response r;
        assert_int_equal(httpc_read(fd, &r, false), 0);
        assert_int_equal(r.status, 200);
        char prefix[48];
        snprintf(prefix, sizeof prefix, "{\"id\":%lld,", tokens[i].user_id);
        assert_memory_equal(r.body, prefix, strlen(prefix));
        httpc_free(&r);
        n++;
    }
    close(fd);
}

static void test_request_id_is_generated_or_propagated(void **state)
{
    (void)state;
    struct http_response r;
    char id[128];
    assert_int_equal(httpc_request(stack.gateway.port, "GET", "/profile", NULL, &r), 0);
    assert_true(httpc_header(&r, "X-Request-Id", id, sizeof id));
    assert_int_equal(strlen(id), 32);
    assert_int_equal(strspn(id, "0123456789abcdef"), 32);
    httpc_free(&r);
    char other[128];
    assert_int_equal(httpc_request(stack.gateway.port, "GET", "/profile", NULL, &r), 0);
    assert_true(httpc_header(&r, "X-Request-Id", other, sizeof other));
    assert_string_not_equal(id, other);
    httpc_free(&r);

    assert_int_equal(httpc_request(stack.gateway.port, "GET", "/profile",
                                   "X-Request-Id: trace-abc.123\r\n", &r),
                     0);
    assert_true(httpc_header(&r, "X-Request-Id", id, sizeof id));
    assert_string_equal(id, "trace-abc.123");
    httpc_free(&r);
    /* An id that is not plain text is replaced, not echoed. */
    assert_int_equal(httpc_request(stack.gateway.port, "GET", "/profile",
                                   "X-Request-Id: a b<c>\r\n", &r),
                     0);
    assert_true(httpc_header(&r, "X-Request-Id", id, sizeof id));
    assert_int_equal(strlen(id), 32);
    httpc_free(&r);
}

/* Server-Timing through the gateway: each call as the gateway saw it, the
 * services' steps relayed, each service's own total under its name, then the
 * gateway's total; no relayed step exceeds the call it came with. */
static void test_server_timing_through_the_gateway(void **state)
{
    (void)state;
    const struct stack_token *t = stack_token_with(tokens, ntokens, STACK_VALID);
    char h[512];
    snprintf(h, sizeof h, "Authorization: Bearer %s\r\n", t->token);
    struct http_response r;
    for (int i = 0; i < 20; i++) {
        assert_int_equal(httpc_request(stack.gateway.port, "GET", "/profile", h, &r), 0);
        assert_int_equal(r.status, 200);
        assert_timing(&r, "auth-call", "auth", "auth-service", "profile-call", "db", "render",
                      "profile-service", "total");
        double auth_call = timing_ms(&r, "auth-call"), profile_call = timing_ms(&r, "profile-call");
        assert_true(timing_ms(&r, "auth") <= timing_ms(&r, "auth-service"));
        assert_true(timing_ms(&r, "auth-service") <= auth_call);
        assert_true(timing_ms(&r, "db") + timing_ms(&r, "render") <=
                    timing_ms(&r, "profile-service") + 0.002); /* two roundings */
        assert_true(timing_ms(&r, "profile-service") <= profile_call);
        assert_true(auth_call + profile_call <= timing_ms(&r, "total") + 0.002);
        httpc_free(&r);
    }
    /* A 401 from auth-service carries what it timed; none of profile-service. */
    assert_int_equal(httpc_request(stack.gateway.port, "GET", "/profile", NULL, &r), 0);
    assert_int_equal(r.status, 401);
    assert_timing(&r, "auth-call", "auth", "auth-service", "total");
    httpc_free(&r);
    /* The services' own headers: their steps and total. */
    snprintf(h, sizeof h, "Authorization: Bearer %s\r\n%s", t->token, stack.secret_header);
    assert_int_equal(httpc_request(stack.auth.port, "GET", "/v1/verify", h, &r), 0);
    assert_timing(&r, "auth", "total");
    httpc_free(&r);
    char path[64];
    snprintf(path, sizeof path, "/v1/users/%lld", t->user_id);
    assert_int_equal(httpc_request(stack.profile.port, "GET", path, stack.secret_header, &r), 0);
    assert_timing(&r, "db", "render", "total");
    httpc_free(&r);
    assert_int_equal(httpc_request(stack.profile.port, "GET", "/v1/users/999999",
                                   stack.secret_header, &r), 0);
    assert_int_equal(r.status, 404);
    assert_timing(&r, "db", "total");
    httpc_free(&r);
}

static void test_auth_service_verify_contract(void **state)
{
    (void)state;
    const struct stack_token *t = stack_token_with(tokens, ntokens, STACK_VALID);
    char h[512], v[64], body[64];
    snprintf(h, sizeof h, "Authorization: Bearer %s\r\n%s", t->token, stack.secret_header);
    struct http_response r;
    assert_int_equal(httpc_request(stack.auth.port, "GET", "/v1/verify", h, &r), 0);
    assert_int_equal(r.status, 200);
    snprintf(body, sizeof body, "{\"user_id\":%lld}", t->user_id);
    assert_string_equal(r.body, body);
    assert_true(httpc_header(&r, "X-User-Id", v, sizeof v));
    assert_int_equal(atoll(v), t->user_id);
    assert_true(httpc_header(&r, "Content-Type", v, sizeof v));
    assert_string_equal(v, "application/json");
    httpc_free(&r);

    assert_int_equal(httpc_request(stack.auth.port, "GET", "/v1/verify", stack.secret_header,
                                   &r), 0);
    assert_int_equal(r.status, 401);
    assert_false(httpc_header(&r, "X-User-Id", v, sizeof v));
    assert_true(httpc_header(&r, "WWW-Authenticate", v, sizeof v));
    assert_memory_equal(v, "Bearer ", 7);
    httpc_free(&r);
    assert_int_equal(httpc_request(stack.auth.port, "GET", "/v1/users/1", stack.secret_header,
                                   &r), 0);
    assert_int_equal(r.status, 404);
    httpc_free(&r);
}

static void test_profile_service_users_contract(void **state)
{
    (void)state;
    struct http_response r, m;
    const struct stack_token *t = stack_token_with(tokens, ntokens, STACK_VALID);
    char path[64], h[512];
    const char *secret = stack.secret_header;
    snprintf(path, sizeof path, "/v1/users/%lld", t->user_id);
    assert_int_equal(httpc_request(stack.profile.port, "GET", path, secret, &r), 0);
    assert_int_equal(r.status, 200);
    snprintf(h, sizeof h, "Authorization: Bearer %s\r\n", t->token);
    assert_int_equal(httpc_request(monolith.port, "GET", "/profile", h, &m), 0);
    assert_int_equal(r.body_len, m.body_len);
    assert_memory_equal(r.body, m.body, r.body_len);
    httpc_free(&r);
    httpc_free(&m);

    struct { const char *path; int status; } cases[] = {
        {"/v1/users/999999", 404}, {"/v1/users/0", 404},     {"/v1/users/abc", 400},
        {"/v1/users/-1", 400},     {"/v1/users/", 400},      {"/v1/users/1x", 400},
        {"/v1/users/0x10", 400},   {"/v1/users/99999999999999999999", 400},
        {"/v1/users/1/posts", 404}, {"/v1/user/1", 404},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(httpc_request(stack.profile.port, "GET", cases[i].path, secret, &r), 0);
        if (r.status != cases[i].status)
            fail_msg("%s: %d, expected %d", cases[i].path, r.status, cases[i].status);
        char ct[64];
        assert_true(httpc_header(&r, "Content-Type", ct, sizeof ct));
        assert_string_equal(ct, "application/problem+json");
        httpc_free(&r);
    }
    snprintf(h, sizeof h, "Content-Length: 0\r\n%s", secret);
    assert_int_equal(httpc_request(stack.profile.port, "POST", "/v1/users/1", h, &r), 0);
    assert_int_equal(r.status, 405);
    httpc_free(&r);
}

static void test_every_service_has_health_and_metrics(void **state)
{
    (void)state;
    /* The gateway's metrics are on their own listener, never on its public port. */
    assert_true(stack.gateway.metrics_port > 0);
    struct { int port; const char *service; } all[] = {
        {stack.auth.port, "auth-service"},
        {stack.profile.port, "profile-service"},
        {stack.gateway.metrics_port, "gateway"},
    };
    for (size_t i = 0; i < 3; i++) {
        struct http_response r;
        assert_int_equal(httpc_request(all[i].port, "GET", "/health", NULL, &r), 0);
        assert_int_equal(r.status, 200);
        assert_string_equal(r.body, "{\"status\":\"ok\"}");
        httpc_free(&r);
        assert_int_equal(httpc_request(all[i].port, "GET", "/metrics", stack.secret_header, &r),
                         0);
        assert_int_equal(r.status, 200);
        char ct[64], want[160];
        assert_true(httpc_header(&r, "Content-Type", ct, sizeof ct));
        assert_string_equal(ct, "text/plain; version=0.0.4");
        /* The /health answered just before is counted. */
        snprintf(want, sizeof want, "archbench_http_responses_total{service=\"%s\",code=\"200\"} ",
                 all[i].service);
        assert_non_null(strstr(r.body, want));
        snprintf(want, sizeof want,
                 "archbench_http_request_duration_seconds_bucket{service=\"%s\",le=\"+Inf\"} ",
                 all[i].service);
        assert_non_null(strstr(r.body, want));
        httpc_free(&r);
    }
    struct http_response r;
    assert_int_equal(httpc_request(stack.gateway.port, "GET", "/metrics", NULL, &r), 0);
    assert_int_equal(r.status, 404);
    httpc_free(&r);
    assert_int_equal(httpc_request(stack.gateway.metrics_port, "GET", "/metrics", NULL, &r), 0);
    const char *ok = strstr(r.body,
                            "archbench_upstream_calls_total{upstream=\"auth-service\",outcome=\"ok\"} ");
    assert_non_null(ok);
    assert_true(atoll(strchr(ok, '}') + 2) >= CONFORMANCE_USERS);
    assert_non_null(strstr(r.body, "archbench_upstream_errors_total{upstream=\"profile-service\","
                                   "code=\"503\"} "));
    assert_non_null(strstr(r.body, "archbench_upstream_duration_seconds_count{upstream=\"profile-service\"} "));
    httpc_free(&r);
}

/* A request straight to a service; its status, after checking that a 401 is the
 * service-credential one (problem+json, the Service-Secret challenge). */
static int to_service(int port, const char *path, const char *headers)
{
    struct http_response r;
    assert_int_equal(httpc_request(port, "GET", path, headers, &r), 0);
    int status = r.status;
    char v[128] = "";
    if (status == 401 && strstr(path, "/v1/verify") == NULL) {
        assert_true(httpc_header(&r, "WWW-Authenticate", v, sizeof v));
        assert_string_equal(v, SERVICE_SECRET_CHALLENGE);
        assert_true(httpc_header(&r, "Content-Type", v, sizeof v));
        assert_string_equal(v, "application/problem+json");
    }
    httpc_free(&r);
    return status;
}

/* The internal services trust nobody without the shared secret: not the user
 * data (any id, however spelled), not the token oracle, not their metrics; only
 * /health is open. */
static void test_services_answer_only_callers_with_the_service_secret(void **state)
{
    (void)state;
    const struct stack_token *t = stack_token_with(tokens, ntokens, STACK_VALID);
    char bearer[128], wrong[256], twice[1024], with[1024], path[64];
    snprintf(bearer, sizeof bearer, "Authorization: Bearer %s\r\n", t->token);
    snprintf(wrong, sizeof wrong, "%sX-Service-Secret: %s\r\n", bearer,
             "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    snprintf(twice, sizeof twice, "%s%s%s", bearer, stack.secret_header, stack.secret_header);
    snprintf(with, sizeof with, "%s%s", bearer, stack.secret_header);
    snprintf(path, sizeof path, "/v1/users/%lld", t->user_id);
    const struct { int port; const char *path; } guarded[] = {
        {stack.auth.port, "/v1/verify"}, {stack.auth.port, "/metrics"},
        {stack.auth.port, "/nope"},      {stack.profile.port, path},
        {stack.profile.port, "/v1/users/%32"}, {stack.profile.port, "/v1/users/02"},
        {stack.profile.port, "/metrics"}, {stack.profile.port, "/nope"},
    };
    for (size_t i = 0; i < sizeof guarded / sizeof guarded[0]; i++) {
        int port = guarded[i].port;
        const char *p = guarded[i].path;
        if (to_service(port, p, bearer) != 401 || to_service(port, p, wrong) != 401 ||
            to_service(port, p, twice) != 401)
            fail_msg("%s on port %d answered a caller without the secret", p, port);
        assert_int_equal(to_service(port, "/health", NULL), 200);
    }
    /* With it, the same requests get their usual answers. */
    assert_int_equal(to_service(stack.auth.port, "/v1/verify", with), 200);
    assert_int_equal(to_service(stack.profile.port, path, with), 200);
    assert_int_equal(to_service(stack.profile.port, "/nope", with), 404);
}

/* A gateway whose secret the services refuse fails its calls (502), and does not
 * pass the services' 401 off as the user's. */
static void test_gateway_with_a_wrong_secret_gets_502(void **state)
{
    (void)state;
    char wrong[320];
    snprintf(wrong, sizeof wrong, "%s/wrong-secret", dir);
    FILE *f = fopen(wrong, "w");
    assert_non_null(f);
    fputs("not-the-services-secret-at-all\n", f);
    fclose(f);
    char auth_url[128], profile_url[128], h[256];
    snprintf(auth_url, sizeof auth_url, "http://%s", stack.auth.address);
    snprintf(profile_url, sizeof profile_url, "http://%s", stack.profile.address);
    named = stack;
    named.gateway.pid = 0;
    snprintf(named.secret, sizeof named.secret, "%s", wrong);
    assert_int_equal(stack_start_gateway(&named, auth_url, profile_url, 2000, 1), 0);
    const struct stack_token *t = stack_token_with(tokens, ntokens, STACK_VALID);
    snprintf(h, sizeof h, "Authorization: Bearer %s\r\n", t->token);
    struct http_response r;
    assert_int_equal(httpc_request(named.gateway.port, "GET", "/profile", h, &r), 0);
    assert_int_equal(r.status, 502);
    httpc_free(&r);
    assert_int_equal(proc_stop(&named.gateway), 0);
}

static int run_cli(const char *prog, const char *a1, const char *a2, const char *a3)
{
    char bin[256];
    char *argv[] = {(char *)proc_bin(prog, bin, sizeof bin), (char *)a1, (char *)a2,
                    (char *)a3, NULL};
    return proc_run(argv);
}

/* The credential options: one of the two is required, not both; the file must hold
 * a usable secret; the monolith has no such option. */
static void test_service_secret_options(void **state)
{
    (void)state;
    char db[320], bin[256], shorty[320];
    snprintf(db, sizeof db, "%s/auth.db", dir);
    snprintf(shorty, sizeof shorty, "%s/short-secret", dir);
    FILE *f = fopen(shorty, "w");
    assert_non_null(f);
    fputs("too-short\n", f);
    fclose(f);
    const char *cases[][2] = {
        {NULL, NULL},                              /* neither */
        {"--service-secret", shorty},              /* too short */
        {"--service-secret", "/nonexistent/secret"},
        {"--insecure-no-service-secret", "--service-secret"}, /* both */
    };
    const char *progs[] = {"auth-service", "profile-service", "gateway"};
    for (size_t p = 0; p < 3; p++)
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            char *argv[] = {(char *)proc_bin(progs[p], bin, sizeof bin), "--db", db,
                            "--listen", "127.0.0.1:0", (char *)cases[i][0],
                            (char *)cases[i][1], i == 3 ? stack.secret : NULL, NULL};
            if (p == 2) /* the gateway takes no --db */
                argv[1] = "--timeout-ms", argv[2] = "100";
            if (proc_run(argv) != 2)
                fail_msg("%s with case %zu did not exit 2", progs[p], i);
        }
    assert_int_equal(run_cli("monolith", "--service-secret", stack.secret, NULL), 2);
}

static void test_command_lines(void **state)
{
    (void)state;
    const char *progs[] = {"gateway", "auth-service", "profile-service"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(run_cli(progs[i], "--help", NULL, NULL), 0);
        assert_int_equal(run_cli(progs[i], "--version", NULL, NULL), 0);
        assert_int_equal(run_cli(progs[i], "--bogus", NULL, NULL), 2);
        assert_int_equal(run_cli(progs[i], "--threads", "0", NULL), 2);
        assert_int_equal(run_cli(progs[i], "extra-argument", NULL, NULL), 2);
    }
    assert_int_equal(run_cli("auth-service", "--listen", "127.0.0.1:0", NULL), 2); /* no --db */
    assert_int_equal(run_cli("profile-service", "--listen", "127.0.0.1:0", NULL), 2);
    assert_int_equal(run_cli("gateway", "--timeout-ms", "0", NULL), 2);
    assert_int_equal(run_cli("gateway", "--timeout-ms", "1s", NULL), 2);
    const char *insecure = "--insecure-no-service-secret"; /* so the URL is what fails */
    assert_int_equal(run_cli("gateway", insecure, "--auth-url", "ftp://127.0.0.1/"), 2);
    assert_int_equal(run_cli("gateway", insecure, "--profile-url", "127.0.0.1:9102"), 2);
    assert_int_equal(run_cli("gateway", insecure, "--auth-url", "https://127.0.0.1/"), 2);
    /* A database without the service's table is refused at start-up. */
    char db[320];
    snprintf(db, sizeof db, "%s/profiles.db", dir);
    char bin[256];
    char *argv[] = {(char *)proc_bin("auth-service", bin, sizeof bin), "--listen",
                    "127.0.0.1:0", "--db", db, "--service-secret", stack.secret, NULL};
    assert_int_equal(proc_run(argv), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_200_bodies_are_byte_identical_for_200_users),
        cmocka_unit_test(test_missing_token_gets_the_same_401),
        cmocka_unit_test(test_malformed_tokens_get_the_same_401),
        cmocka_unit_test(test_unknown_expired_and_revoked_tokens_get_the_same_401),
        cmocka_unit_test(test_two_authorization_headers_get_the_same_401),
        cmocka_unit_test(test_control_characters_in_a_credential_get_the_same_400),
        cmocka_unit_test(test_upstreams_given_by_host_name),
        cmocka_unit_test(test_unknown_paths_methods_and_health_match),
        cmocka_unit_test(test_head_profile_matches),
        cmocka_unit_test(test_oversized_body_gets_413_like_the_monolith),
        cmocka_unit_test(test_keep_alive_connection_serves_many_requests),
        cmocka_unit_test(test_request_id_is_generated_or_propagated),
        cmocka_unit_test(test_server_timing_through_the_gateway),
        cmocka_unit_test(test_auth_service_verify_contract),
        cmocka_unit_test(test_profile_service_users_contract),
        cmocka_unit_test(test_every_service_has_health_and_metrics),
        cmocka_unit_test(test_services_answer_only_callers_with_the_service_secret),
        cmocka_unit_test(test_gateway_with_a_wrong_secret_gets_502),
        cmocka_unit_test(test_command_lines),
        cmocka_unit_test(test_service_secret_options),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
