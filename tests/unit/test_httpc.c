/* Unit tests of common/httpc.c's response reading over a socket pair: the head and
 * the body as the parser frames them, whatever segments they arrive in (archbench
 * check reads servers in any language, and many frameworks answer chunked). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "httpc.h"

/* Writes each of the NULL-terminated parts with a send of its own, then reads one
 * response from the other end of the pair. */
static int read_parts(const char *const *parts, struct http_response *r)
{
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    for (const char *const *p = parts; *p; p++)
        assert_int_equal(send(sv[1], *p, strlen(*p), 0), (ssize_t)strlen(*p));
    shutdown(sv[1], SHUT_WR);
    int rc = httpc_read(sv[0], r, false);
    close(sv[0]);
    close(sv[1]);
    return rc;
}

#define HEAD "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" \
             "Transfer-Encoding: chunked\r\nCache-Control: no-store\r\n\r\n"

static void assert_chunked_read(const char *const *parts)
{
    struct http_response r;
    assert_int_equal(read_parts(parts, &r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, strlen("{\"id\":1}"));
    assert_memory_equal(r.body, "{\"id\":1}", r.body_len);
    assert_string_equal(r.head, HEAD); /* the head alone, no chunk line after it */
    char v[64];
    assert_true(httpc_header(&r, "Cache-Control", v, sizeof v));
    assert_string_equal(v, "no-store");
    httpc_free(&r);
}

/* The head in a segment of its own, then the chunks: the parser's header_bytes
 * goes on to count the trailer section, which once made this a failure. */
static void test_chunked_body_after_a_head_of_its_own(void **state)
{
    (void)state;
    const char *const parts[] = {HEAD, "4;ext=1\r\n{\"id\r\n", "4\r\n\":1}\r\n", "0\r\n\r\n",
                                 NULL};
    assert_chunked_read(parts);
}

static void test_chunked_body_in_one_segment_with_its_head(void **state)
{
    (void)state;
    const char *const parts[] = {HEAD "4\r\n{\"id\r\n4\r\n\":1}\r\n0\r\nX-Trailer: 1\r\n\r\n",
                                 NULL};
    assert_chunked_read(parts);
}

static void test_head_split_across_segments(void **state)
{
    (void)state;
    const char *const parts[] = {"HTTP/1.1 200 OK\r\nContent-Type: appl",
                                 "ication/json\r\nTransfer-Encoding: chunked\r\n"
                                 "Cache-Control: no-store\r\n",
                                 "\r\n8\r\n{\"id\":1}\r\n0\r\n\r\n", NULL};
    assert_chunked_read(parts);
}

static void test_content_length_and_until_close_bodies(void **state)
{
    (void)state;
    struct http_response r;
    const char *const length[] = {"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n", "{}",
                                  NULL};
    assert_int_equal(read_parts(length, &r), 0);
    assert_int_equal(r.status, 404);
    assert_int_equal(r.body_len, 2);
    httpc_free(&r);
    const char *const until_close[] = {"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", "ab",
                                       "c", NULL};
    assert_int_equal(read_parts(until_close, &r), 0);
    assert_int_equal(r.body_len, 3);
    assert_memory_equal(r.body, "abc", 3);
    httpc_free(&r);
}

/* A response cut short is no response. */
static void test_cut_short_chunked_body_is_an_error(void **state)
{
    (void)state;
    struct http_response r;
    const char *const parts[] = {HEAD, "8\r\n{\"id\"", NULL};
    assert_int_equal(read_parts(parts, &r), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chunked_body_after_a_head_of_its_own),
        cmocka_unit_test(test_chunked_body_in_one_segment_with_its_head),
        cmocka_unit_test(test_head_split_across_segments),
        cmocka_unit_test(test_content_length_and_until_close_bodies),
        cmocka_unit_test(test_cut_short_chunked_body_is_an_error),
    };
    return cmocka_run_group_tests_name("httpc", tests, NULL, NULL);
}
