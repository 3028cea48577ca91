/* Unit tests: the Server-Timing header written, read (W3C's grammar: parameters,
 * quoted strings, malformed metrics skipped) and relayed (total renamed, capped). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "server_timing.h"

static void test_entries_are_milliseconds_with_three_decimals(void **state)
{
    (void)state;
    struct server_timing t = {.n = 0};
    server_timing_add(&t, "auth", 12345);         /* 12.345 us -> 0.012 ms */
    server_timing_add(&t, "db", 4500);            /* rounds half up to 0.005 */
    server_timing_add(&t, "render", 0);
    server_timing_add(&t, "slow", 1234567891234); /* 1234567.891 ms */
    char out[SERVER_TIMING_FORMAT_MAX];
    size_t n = server_timing_format(&t, 31000000, out);
    assert_string_equal(out, "auth;dur=0.012, db;dur=0.005, render;dur=0.000, "
                             "slow;dur=1234567.891, total;dur=31.000");
    assert_int_equal(n, strlen(out));
}

static void test_no_total_and_no_entries(void **state)
{
    (void)state;
    char out[SERVER_TIMING_FORMAT_MAX];
    assert_int_equal(server_timing_format(NULL, UINT64_MAX, out), 0);
    assert_string_equal(out, "");
    assert_int_equal(server_timing_format(NULL, 999, out), strlen("total;dur=0.001"));
    assert_string_equal(out, "total;dur=0.001");
}

static void test_full_list_and_long_names_are_dropped(void **state)
{
    (void)state;
    struct server_timing t = {.n = 0};
    server_timing_add(&t, "a-name-of-sixteen", 1); /* 17 bytes: too long */
    server_timing_add(&t, "", 1);
    assert_int_equal(t.n, 0);
    server_timing_add(&t, "profile-service", 1); /* 15: fits */
    for (int i = 0; i < 2 * SERVER_TIMING_MAX; i++)
        server_timing_add(&t, "x", 1);
    assert_int_equal(t.n, SERVER_TIMING_MAX);
    server_timing_add(NULL, "x", 1); /* no crash */
    /* The longest list with the longest durations still fits the buffer. */
    struct server_timing big = {.n = 0};
    for (int i = 0; i < SERVER_TIMING_MAX; i++)
        server_timing_add(&big, "profile-service", UINT64_MAX - 1);
    char out[SERVER_TIMING_FORMAT_MAX];
    assert_true(server_timing_format(&big, UINT64_MAX - 1, out) < sizeof out);
}

struct seen {
    char names[16][32];
    uint64_t ns[16];
    bool has[16];
    unsigned n;
};

static bool collect(void *ctx, const char *name, size_t nlen, uint64_t ns, bool has_dur)
{
    struct seen *s = ctx;
    snprintf(s->names[s->n], sizeof s->names[0], "%.*s", (int)nlen, name);
    s->ns[s->n] = ns;
    s->has[s->n] = has_dur;
    s->n++;
    return true;
}

static struct seen parse(const char *v)
{
    struct seen s = {.n = 0};
    unsigned n = server_timing_parse(v, strlen(v), collect, &s);
    assert_int_equal(n, s.n);
    return s;
}

static void test_parse_reads_w3c_metrics(void **state)
{
    (void)state;
    struct seen s = parse("miss, db;dur=53, app;dur=47.2 , cache;desc=\"Cache Read\";dur=23.2,"
                          "total;DUR=.5;desc=\"a, b; c\"");
    assert_int_equal(s.n, 5);
    assert_string_equal(s.names[0], "miss");
    assert_false(s.has[0]);
    assert_string_equal(s.names[1], "db");
    assert_int_equal(s.ns[1], 53000000);
    assert_int_equal(s.ns[2], 47200000);
    assert_string_equal(s.names[3], "cache");
    assert_int_equal(s.ns[3], 23200000);
    assert_string_equal(s.names[4], "total");
    assert_int_equal(s.ns[4], 500000);
}

static void test_parse_takes_the_first_dur_and_refuses_bad_numbers(void **state)
{
    (void)state;
    struct seen s = parse("a;dur=1;dur=2, b;dur=-1, c;dur=1e3, d;dur=x;dur=5, e;dur=\"0.25\","
                          "f;dur=0.0000019");
    assert_int_equal(s.n, 6);
    assert_int_equal(s.ns[0], 1000000);
    assert_false(s.has[1]);
    assert_false(s.has[2]);
    assert_false(s.has[3]); /* the first dur counts, even an invalid one */
    assert_true(s.has[4]);
    assert_int_equal(s.ns[4], 250000);
    assert_int_equal(s.ns[5], 1); /* past the sixth decimal: dropped */
}

static void test_parse_skips_malformed_metrics(void **state)
{
    (void)state;
    struct seen s = parse(" ,, \"quoted\";dur=1, x y;dur=2, ok;dur=3, broken;dur=\"open, "
                          "still;dur=4");
    /* "quoted" is no token, "x y" has junk after the name, the open quote runs to
     * the end: only ok is left. */
    assert_int_equal(s.n, 1);
    assert_string_equal(s.names[0], "ok");
    assert_int_equal(s.ns[0], 3000000);
    assert_int_equal(parse("").n, 0);
    assert_int_equal(parse(";dur=1").n, 0);
}

static void test_relay_renames_total_and_caps_durations(void **state)
{
    (void)state;
    struct server_timing t = {.n = 0};
    server_timing_add(&t, "auth-call", 80000);
    unsigned added = server_timing_relay(
        &t, "auth;dur=0.010, cache;desc=hit, total;dur=0.050, liar;dur=9999", "auth-service",
        80000);
    assert_int_equal(added, 3);
    char out[SERVER_TIMING_FORMAT_MAX];
    server_timing_format(&t, UINT64_MAX, out);
    assert_string_equal(out, "auth-call;dur=0.080, auth;dur=0.010, auth-service;dur=0.050, "
                             "liar;dur=0.080");
    /* No total_as: the callee's total is dropped. */
    struct server_timing u = {.n = 0};
    assert_int_equal(server_timing_relay(&u, "total;dur=1, db;dur=1", NULL, UINT64_MAX), 1);
    assert_string_equal(u.e[0].name, "db");
    assert_int_equal(server_timing_relay(&u, NULL, "x", 1), 0);
}

/* A name is a token: every byte RFC 9110 calls a tchar, and nothing else, is
 * part of one ("a?b" is found exactly when ? is a tchar). */
static void test_names_are_exactly_rfc9110_tokens(void **state)
{
    (void)state;
    const char *tchars = "!#$%&'*+-.^_`|~0123456789"
                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (int c = 1; c < 256; c++) {
        char value[32], name[4] = {'a', (char)c, 'b', 0};
        snprintf(value, sizeof value, "%s;dur=1", name);
        uint64_t ns = 0;
        bool token = strchr(tchars, c) != NULL;
        if (server_timing_find(value, name, &ns) != token)
            fail_msg("byte %d: %s", c, token ? "a tchar refused" : "taken for a tchar");
    }
}

static void test_find(void **state)
{
    (void)state;
    uint64_t ns = 0;
    assert_true(server_timing_find("auth;dur=1, total;dur=2.5", "total", &ns));
    assert_int_equal(ns, 2500000);
    assert_false(server_timing_find("auth;dur=1, totals;dur=2", "total", &ns));
    assert_false(server_timing_find(NULL, "total", &ns));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entries_are_milliseconds_with_three_decimals),
        cmocka_unit_test(test_no_total_and_no_entries),
        cmocka_unit_test(test_full_list_and_long_names_are_dropped),
        cmocka_unit_test(test_parse_reads_w3c_metrics),
        cmocka_unit_test(test_parse_takes_the_first_dur_and_refuses_bad_numbers),
        cmocka_unit_test(test_parse_skips_malformed_metrics),
        cmocka_unit_test(test_relay_renames_total_and_caps_durations),
        cmocka_unit_test(test_names_are_exactly_rfc9110_tokens),
        cmocka_unit_test(test_find),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
