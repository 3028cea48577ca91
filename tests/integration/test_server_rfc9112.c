/* Integration tests: request heads RFC 9112 asks a server to refuse, sent over raw
 * sockets to bin/monolith (every server shares common/server.c). Each is answered
 * 400 (501 for a transfer coding it does not implement) with problem+json and
 * Connection: close, and the connection is closed; valid variants are served. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "httpc.h"
#include "../support/proc.h"

static struct {
    char dir[64];
    struct proc server;
    char auth[128]; /* "Authorization: Bearer <a valid token>\r\n" */
} fx;

static int setup(void **state)
{
    (void)state;
    if (proc_seed(fx.dir, sizeof fx.dir, 20) != 0)
        return -1;
    char path[128], bin[256], db[128];
    snprintf(path, sizeof path, "%s/tokens.tsv", fx.dir);
    FILE *f = fopen(path, "r");
    char line[256], token[64] = "", status[16];
    long long id;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "%lld\t%63s\t%15s", &id, token, status) == 3 &&
            strcmp(status, "valid") == 0)
            break;
    if (f)
        fclose(f);
    snprintf(fx.auth, sizeof fx.auth, "Authorization: Bearer %s\r\n", token);
    snprintf(db, sizeof db, "%s/app.db", fx.dir);
    char *argv[] = {(char *)proc_bin("monolith", bin, sizeof bin), "--listen", "127.0.0.1:0",
                    "--db", db, "--threads", "1", NULL};
    return proc_start_server(&fx.server, argv, NULL);
}

static int teardown(void **state)
{
    (void)state;
    int rc = proc_stop(&fx.server);
    proc_rmdir(fx.dir);
    return rc == 0 ? 0 : -1;
}

/* Sends the raw request (len bytes), reads one answer into r. Returns the fd. */
static int exchange(const char *req, size_t len, struct http_response *r)
{
    int fd = httpc_connect(fx.server.port);
    assert_true(fd >= 0);
    assert_int_equal(httpc_send(fd, req, len), 0);
    assert_int_equal(httpc_read(fd, r, false), 0);
    return fd;
}

/* True when the server closes fd within a second. */
static bool closed_soon(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    char c;
    return poll(&p, 1, 1000) == 1 && recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

/* The request is answered with this status (whatever the body). */
static void assert_answered(const char *req, size_t len, int status)
{
    struct http_response r;
    int fd = exchange(req, len, &r);
    assert_int_equal(r.status, status);
    httpc_free(&r);
    close(fd);
}

/* The request (its head ends where it says; a body may follow) is refused with
 * this status, as problem+json with Connection: close, and the connection closes. */
static void assert_refused_len(const char *req, size_t len, int status)
{
    struct http_response r;
    int fd = exchange(req, len, &r);
    assert_int_equal(r.status, status);
    char v[64];
    assert_true(httpc_header(&r, "Content-Type", v, sizeof v));
    assert_string_equal(v, "application/problem+json");
    assert_true(httpc_header(&r, "Connection", v, sizeof v));
    assert_string_equal(v, "close");
    char want[32];
    snprintf(want, sizeof want, "\"status\":%d", status);
    assert_non_null(strstr(r.body, want));
    httpc_free(&r);
    assert_true(closed_soon(fd));
    close(fd);
}

static void assert_refused(const char *req, int status)
{
    assert_refused_len(req, strlen(req), status);
}

/* GET /profile with head lines `lines` (each ending in CRLF) and the valid
 * token is answered 200. */
static void assert_profile_served(const char *version, const char *lines, const char *eol)
{
    char req[512];
    size_t alen = strlen(fx.auth) - 2;
    int n = snprintf(req, sizeof req, "GET /profile %s%s%s%.*s%s%s", version, eol, lines,
                     (int)alen, fx.auth, eol, eol);
    assert_answered(req, (size_t)n, 200);
}

static void test_http11_request_without_host_gets_400(void **state)
{
    (void)state;
    char req[256];
    snprintf(req, sizeof req, "GET /profile HTTP/1.1\r\n%s\r\n", fx.auth);
    assert_refused(req, 400);
}

static void test_several_or_invalid_host_fields_get_400(void **state)
{
    (void)state;
    char req[256];
    snprintf(req, sizeof req, "GET /profile HTTP/1.1\r\nHost: a\r\nHost: b\r\n%s\r\n", fx.auth);
    assert_refused(req, 400);
    snprintf(req, sizeof req, "GET /profile HTTP/1.1\r\nHost: a b/c\r\n%s\r\n", fx.auth);
    assert_refused(req, 400);
}

static void test_conflicting_content_lengths_get_400(void **state)
{
    (void)state;
    assert_refused("POST /profile HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                   "Content-Length: 5\r\n\r\nabcde",
                   400);
}

static void test_content_length_with_transfer_encoding_gets_400(void **state)
{
    (void)state;
    assert_refused("POST /profile HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                   400);
    assert_refused("POST /profile HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                   "Content-Length: 4\r\n\r\n0\r\n\r\n",
                   400);
}

static void test_unknown_transfer_coding_gets_400_at_once(void **state)
{
    (void)state;
    /* The body length cannot be known: answered at once, not after 15 s. */
    assert_refused("POST /profile HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n"
                   "0\r\n\r\n",
                   400);
    assert_refused("POST /profile HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                   "Transfer-Encoding: gzip\r\n\r\n0\r\n\r\n",
                   400);
    assert_refused("POST /profile HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
}

static void test_coding_before_chunked_gets_501(void **state)
{
    (void)state;
    assert_refused("POST /profile HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                   "0\r\n\r\n",
                   501);
}

static void test_nul_in_field_value_gets_400(void **state)
{
    (void)state;
    /* libmicrohttpd would keep "Bearer <token>" and drop what follows the NUL. */
    char req[256];
    int n = snprintf(req, sizeof req, "GET /profile HTTP/1.1\r\nHost: x\r\n%.*s", 
                     (int)strlen(fx.auth) - 2, fx.auth);
    memcpy(req + n, "\0junk\r\n\r\n", 9);
    assert_refused_len(req, (size_t)n + 9, 400);
}

static void test_control_bytes_in_field_value_get_400(void **state)
{
    (void)state;
    const char *values[] = {"a\001b", "a\177b", "a\rb", "a\033b"};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char req[256];
        snprintf(req, sizeof req, "GET /profile HTTP/1.1\r\nHost: x\r\nX-Test: %s\r\n%s\r\n",
                 values[i], fx.auth);
        assert_refused(req, 400);
    }
}

static void test_whitespace_before_colon_gets_400(void **state)
{
    (void)state;
    char req[256];
    snprintf(req, sizeof req, "GET /profile HTTP/1.1\r\nHost : x\r\n%s\r\n", fx.auth);
    assert_refused(req, 400);
}

static void test_folded_field_line_gets_400(void **state)
{
    (void)state;
    char req[256];
    snprintf(req, sizeof req, "GET /profile HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n%s\r\n",
             fx.auth);
    assert_refused(req, 400);
}

/* An unparsable Content-Length is refused by libmicrohttpd itself before any
 * handler runs (400, its own body, connection closed): documented in
 * docs/server.md. */
static void test_unparsable_content_length_is_refused_by_libmicrohttpd(void **state)
{
    (void)state;
    const char *values[] = {"3, 5", "+3", "3x"};
    for (size_t i = 0; i < 3; i++) {
        char req[256];
        snprintf(req, sizeof req,
                 "POST /profile HTTP/1.1\r\nHost: x\r\nContent-Length: %s\r\n\r\nabcde",
                 values[i]);
        struct http_response r;
        int fd = exchange(req, strlen(req), &r);
        assert_int_equal(r.status, 400);
        httpc_free(&r);
        assert_true(closed_soon(fd));
        close(fd);
    }
}

static void test_encoded_nul_in_target_matches_no_route(void **state)
{
    (void)state;
    char req[256];
    snprintf(req, sizeof req, "GET /profile%%00x HTTP/1.1\r\nHost: x\r\n%s\r\n", fx.auth);
    assert_answered(req, strlen(req), 404);
}

/* RFC 9112 §3.2.2: a server MUST accept the absolute-form; it was answered 404. */
static void test_absolute_form_target_is_served(void **state)
{
    (void)state;
    char req[512];
    snprintf(req, sizeof req, "GET http://api.example:8080/profile?x=http://y/z HTTP/1.1\r\n"
                              "Host: api.example:8080\r\n%s\r\n", fx.auth);
    assert_answered(req, strlen(req), 200);
    snprintf(req, sizeof req, "GET HTTPS://api.example/health HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_answered(req, strlen(req), 200);
    snprintf(req, sizeof req, "GET http://api.example/nope HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_answered(req, strlen(req), 404);
    snprintf(req, sizeof req, "GET http://api.example HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_answered(req, strlen(req), 404); /* "/": no route */
}

static void test_valid_variants_are_served(void **state)
{
    (void)state;
    assert_profile_served("HTTP/1.1", "Host: x\r\n", "\r\n");
    assert_profile_served("HTTP/1.1", "Host: x\n", "\n");                /* bare LF */
    assert_profile_served("HTTP/1.0", "", "\r\n");                       /* no Host */
    assert_profile_served("HTTP/1.1", "Host:\r\n", "\r\n");              /* empty Host */
    assert_profile_served("HTTP/1.1", "Host: [::1]:8080\r\n", "\r\n");
    assert_profile_served("HTTP/1.1", "Host: x\r\nX-Tab: a\tb\r\n", "\r\n");
    assert_profile_served("HTTP/1.1", "Host: x\r\nX-Utf8: caf\xc3\xa9\r\n", "\r\n");
    assert_profile_served("HTTP/1.1", "Host: x\r\nContent-Length: 0\r\nContent-Length: 0\r\n",
                          "\r\n");
    assert_profile_served("HTTP/1.1", "Host:x\r\nX-Empty:\r\nX-Spaces:   \r\n", "\r\n");
    /* A chunked body within the limit. */
    char req[512];
    int n = snprintf(req, sizeof req,
                     "GET /profile HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n%s\r\n"
                     "3\r\nabc\r\n0\r\n\r\n",
                     fx.auth);
    assert_answered(req, (size_t)n, 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http11_request_without_host_gets_400),
        cmocka_unit_test(test_several_or_invalid_host_fields_get_400),
        cmocka_unit_test(test_conflicting_content_lengths_get_400),
        cmocka_unit_test(test_content_length_with_transfer_encoding_gets_400),
        cmocka_unit_test(test_unknown_transfer_coding_gets_400_at_once),
        cmocka_unit_test(test_coding_before_chunked_gets_501),
        cmocka_unit_test(test_nul_in_field_value_gets_400),
        cmocka_unit_test(test_control_bytes_in_field_value_get_400),
        cmocka_unit_test(test_whitespace_before_colon_gets_400),
        cmocka_unit_test(test_folded_field_line_gets_400),
        cmocka_unit_test(test_unparsable_content_length_is_refused_by_libmicrohttpd),
        cmocka_unit_test(test_encoded_nul_in_target_matches_no_route),
        cmocka_unit_test(test_absolute_form_target_is_served),
        cmocka_unit_test(test_valid_variants_are_served),
    };
    return cmocka_run_group_tests_name("server_rfc9112", tests, setup, teardown);
}
