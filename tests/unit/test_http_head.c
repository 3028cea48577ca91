/* Unit tests for the request-head checks (common/http_head.c): the word-at-a-time
 * scans agree with a byte-by-byte reference, and each RFC 9112 rule gives its
 * verdict. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "http_head.h"

static bool ref_has_ctl(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((s[i] != 0 && s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
            return true;
    return false;
}

/* Every byte value at every position of strings of 0..40 bytes (the word and
 * the sixteen-byte paths, with their overlapping tails). */
static void test_ctl_scan_matches_reference(void **state)
{
    (void)state;
    unsigned char buf[48];
    for (size_t len = 0; len <= 40; len++)
        for (size_t pos = 0; pos < (len ? len : 1); pos++)
            for (unsigned b = 0; b < 256; b++) {
                memset(buf, 'a', sizeof buf);
                if (len)
                    buf[pos] = (unsigned char)b;
                buf[len] = 0x01; /* just past the end: must not count */
                assert_int_equal(http_head_has_ctl((const char *)buf, len),
                                 ref_has_ctl(buf, len));
            }
}

static enum http_head_verdict verdict_of(const char *const *fields, size_t n, bool http11)
{
    struct http_head h;
    http_head_init(&h);
    for (size_t i = 0; i + 1 < n; i += 2)
        http_head_field(&h, fields[i], strlen(fields[i]), fields[i + 1], strlen(fields[i + 1]));
    return http_head_verdict(&h, http11);
}

#define VERDICT(http11, ...)                                                                \
    verdict_of((const char *const[]){__VA_ARGS__},                                         \
               sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *), http11)

static void test_names_with_white_space_at_either_end_are_bad(void **state)
{
    (void)state;
    assert_int_equal(VERDICT(true, "Host", "x", "X-A ", "1"), HTTP_HEAD_BAD_FIELD);
    assert_int_equal(VERDICT(true, "Host", "x", "X-A\t", "1"), HTTP_HEAD_BAD_FIELD);
    assert_int_equal(VERDICT(true, " Host", "x"), HTTP_HEAD_BAD_FIELD);
    assert_int_equal(VERDICT(true, "Host", "x", "", "1"), HTTP_HEAD_BAD_FIELD);
    assert_int_equal(VERDICT(true, "Host", "x", "X-Long-Header-Name-Ok", "a\tb"), HTTP_HEAD_OK);
}

static void test_host_rules(void **state)
{
    (void)state;
    assert_int_equal(VERDICT(true, "Accept", "*/*"), HTTP_HEAD_NO_HOST);
    assert_int_equal(VERDICT(false, "Accept", "*/*"), HTTP_HEAD_OK);
    assert_int_equal(VERDICT(true, "host", "a", "HOST", "a"), HTTP_HEAD_BAD_HOST);
    assert_int_equal(VERDICT(true, "Host", "a b"), HTTP_HEAD_BAD_HOST);
    assert_int_equal(VERDICT(true, "Host", "a/b"), HTTP_HEAD_BAD_HOST);
    assert_int_equal(VERDICT(true, "Host", "[::1]:8080"), HTTP_HEAD_OK);
    assert_int_equal(VERDICT(true, "Host", ""), HTTP_HEAD_OK);
}

static void test_length_rules(void **state)
{
    (void)state;
    assert_int_equal(VERDICT(true, "Host", "x", "Content-Length", "5", "content-length", "6"),
                     HTTP_HEAD_BAD_LENGTH);
    assert_int_equal(VERDICT(true, "Host", "x", "Content-Length", "5", "Content-Length", "5"),
                     HTTP_HEAD_OK);
    assert_int_equal(VERDICT(true, "Host", "x", "Content-Length", "12345678901234567890"),
                     HTTP_HEAD_BAD_LENGTH);
    struct http_head h;
    http_head_init(&h);
    http_head_field(&h, "Content-Length", 14, "1234567890123456789", 19);
    assert_true(h.content_length == 1234567890123456789ull);
}

static void test_coding_rules(void **state)
{
    (void)state;
    assert_int_equal(VERDICT(true, "Host", "x", "Transfer-Encoding", "chunked"), HTTP_HEAD_OK);
    assert_int_equal(VERDICT(true, "Host", "x", "Transfer-Encoding", "CHUNKED"), HTTP_HEAD_OK);
    assert_int_equal(VERDICT(true, "Host", "x", "Transfer-Encoding", "chunked", "Content-Length",
                             "0"),
                     HTTP_HEAD_LENGTH_AND_CODING);
    assert_int_equal(VERDICT(true, "Host", "x", "Transfer-Encoding", "xchunked"),
                     HTTP_HEAD_BAD_CODING);
    assert_int_equal(VERDICT(true, "Host", "x", "Transfer-Encoding", "chunked, gzip"),
                     HTTP_HEAD_BAD_CODING);
    assert_int_equal(VERDICT(true, "Host", "x", "Transfer-Encoding", "chunked "),
                     HTTP_HEAD_BAD_CODING);
    assert_int_equal(VERDICT(false, "Transfer-Encoding", "chunked"), HTTP_HEAD_BAD_CODING);
    assert_int_equal(VERDICT(true, "Host", "x", "Transfer-Encoding", "gzip, chunked"),
                     HTTP_HEAD_UNKNOWN_CODING);
    assert_int_equal(VERDICT(true, "Host", "x", "Transfer-Encoding", "gzip",
                             "Transfer-Encoding", "chunked"),
                     HTTP_HEAD_UNKNOWN_CODING);
    assert_int_equal(http_head_status(HTTP_HEAD_UNKNOWN_CODING), 501);
    assert_int_equal(http_head_status(HTTP_HEAD_BAD_CODING), 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ctl_scan_matches_reference),
        cmocka_unit_test(test_names_with_white_space_at_either_end_are_bad),
        cmocka_unit_test(test_host_rules),
        cmocka_unit_test(test_length_rules),
        cmocka_unit_test(test_coding_rules),
    };
    return cmocka_run_group_tests_name("http_head", tests, NULL, NULL);
}
