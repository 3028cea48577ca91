/* Unit tests: W3C traceparent accepted or refused as the Trace Context spec says,
 * continued with a new parent, and written in X-Ray's form for Lambda. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "traceparent.h"

#define TRACE "4bf92f3577b34da6a3ce929d0e0e4736"
#define GOOD "00-" TRACE "-00f067aa0ba902b7-01"

static void test_valid_traceparent_is_read(void **state)
{
    (void)state;
    struct traceparent tp;
    assert_true(traceparent_parse(GOOD, &tp));
    assert_string_equal(tp.trace_id, TRACE);
    assert_string_equal(tp.parent_id, "00f067aa0ba902b7");
    assert_int_equal(tp.flags, 1);
    char out[TRACEPARENT_LEN + 1];
    traceparent_format(&tp, out);
    assert_string_equal(out, GOOD);
}

static void test_invalid_traceparents_are_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        NULL, "", "00-" TRACE "-00f067aa0ba902b7-0",     /* short */
        GOOD "-",                                        /* version 00 has nothing after */
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", /* upper case */
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01", /* zero trace id */
        "00-" TRACE "-0000000000000000-01",              /* zero parent id */
        "ff-" TRACE "-00f067aa0ba902b7-01",              /* version ff */
        "00_" TRACE "-00f067aa0ba902b7-01",
        "00-" TRACE "-00f067aa0ba902b7-0g",
        "01-" TRACE "-00f067aa0ba902b7-01x",             /* a later version: '-' or end */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct traceparent tp;
        assert_false(traceparent_parse(bad[i], &tp));
    }
}

static void test_a_later_version_is_read_as_far_as_known(void **state)
{
    (void)state;
    struct traceparent tp;
    assert_true(traceparent_parse("cc-" TRACE "-00f067aa0ba902b7-09-what-the-future-holds", &tp));
    assert_string_equal(tp.trace_id, TRACE);
    assert_int_equal(tp.flags, 9);
    assert_true(traceparent_parse("01-" TRACE "-00f067aa0ba902b7-01", &tp));
}

static void test_child_keeps_the_trace_and_replaces_the_parent(void **state)
{
    (void)state;
    struct traceparent in, out;
    assert_true(traceparent_parse(GOOD, &in));
    traceparent_child(&in, 0x1122334455667788ULL, &out);
    char s[TRACEPARENT_LEN + 1];
    traceparent_format(&out, s);
    assert_string_equal(s, "00-" TRACE "-1122334455667788-01");
    traceparent_child(&in, 0, &out); /* a zero span id is never sent */
    assert_string_equal(out.parent_id, "0000000000000001");
}

static void test_a_new_trace_is_valid(void **state)
{
    (void)state;
    struct traceparent tp, back;
    traceparent_start(&tp, 0, 0);
    traceparent_child(&tp, 42, &tp);
    char s[TRACEPARENT_LEN + 1];
    traceparent_format(&tp, s);
    assert_true(traceparent_parse(s, &back));
    traceparent_start(&tp, 0x0123456789abcdefULL, 0xfedcba9876543210ULL);
    assert_string_equal(tp.trace_id, "0123456789abcdeffedcba9876543210");
    assert_int_equal(tp.flags, 0);
    /* X-Ray's reading: the first 8 digits are the epoch second. */
    unsigned long before = (unsigned long)time(NULL);
    traceparent_start_now(&tp, 0xffffffff89abcdefULL, 0xfedcba9876543210ULL);
    unsigned long epoch = strtoul((char[9]){tp.trace_id[0], tp.trace_id[1], tp.trace_id[2],
                                            tp.trace_id[3], tp.trace_id[4], tp.trace_id[5],
                                            tp.trace_id[6], tp.trace_id[7], 0},
                                  NULL, 16);
    assert_true(epoch >= before && epoch <= (unsigned long)time(NULL));
    assert_string_equal(tp.trace_id + 8, "89abcdeffedcba9876543210");
}

static void test_xray_form(void **state)
{
    (void)state;
    struct traceparent tp;
    assert_true(traceparent_parse(GOOD, &tp));
    char x[TRACEPARENT_XRAY_LEN + 1];
    traceparent_xray(&tp, x);
    assert_string_equal(x, "Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=00f067aa0ba902b7;"
                           "Sampled=1");
    assert_int_equal(strlen(x), TRACEPARENT_XRAY_LEN);
}

static void test_tracestate_is_passed_on_only_when_plain(void **state)
{
    (void)state;
    char big[TRACESTATE_MAX + 2];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_true(traceparent_state_ok("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"));
    assert_false(traceparent_state_ok(""));
    assert_false(traceparent_state_ok(NULL));
    assert_false(traceparent_state_ok("a=b\r\nX-Evil: 1"));
    assert_false(traceparent_state_ok(big));
    big[TRACESTATE_MAX] = '\0';
    assert_true(traceparent_state_ok(big));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_traceparent_is_read),
        cmocka_unit_test(test_invalid_traceparents_are_refused),
        cmocka_unit_test(test_a_later_version_is_read_as_far_as_known),
        cmocka_unit_test(test_child_keeps_the_trace_and_replaces_the_parent),
        cmocka_unit_test(test_a_new_trace_is_valid),
        cmocka_unit_test(test_xray_form),
        cmocka_unit_test(test_tracestate_is_passed_on_only_when_plain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
