/* Unit tests: the exact bytes of the profile JSON and of problem+json bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "problem.h"
#include "profile.h"

#define S(x) x, sizeof(x) - 1

static void assert_renders(const struct profile *p, const char *expect)
{
    size_t len = 0;
    char *body = profile_render(p, &len);
    assert_non_null(body);
    assert_string_equal(body, expect);
    assert_int_equal(len, strlen(expect));
    free(body);
}

static void test_ascii_profile_bytes_are_exact(void **state)
{
    (void)state;
    struct profile p = {42, S("ada.lovelace42"), S("Ada Lovelace"),
                        S("ada.lovelace42@example.com"), S("First programmer."),
                        S("2024-03-01T12:00:00Z")};
    assert_renders(&p, "{\"id\":42,\"username\":\"ada.lovelace42\","
                       "\"display_name\":\"Ada Lovelace\","
                       "\"email\":\"ada.lovelace42@example.com\","
                       "\"bio\":\"First programmer.\","
                       "\"created_at\":\"2024-03-01T12:00:00Z\"}");
}

static void test_non_ascii_stays_utf8_and_specials_are_escaped(void **state)
{
    (void)state;
    struct profile p = {7, S("jose.nunez7"), S("José Núñez 田中"),
                        S("jose.nunez7@example.org"),
                        S("東京 ☕🚲 \"quoted\" C:\\path\nline\ttab </b>"),
                        S("2015-01-01T00:00:00Z")};
    assert_renders(&p, "{\"id\":7,\"username\":\"jose.nunez7\","
                       "\"display_name\":\"José Núñez 田中\","
                       "\"email\":\"jose.nunez7@example.org\","
                       "\"bio\":\"東京 ☕🚲 \\\"quoted\\\" C:\\\\path\\nline\\ttab </b>\","
                       "\"created_at\":\"2015-01-01T00:00:00Z\"}");
}

static void test_large_ids_render_as_integers(void **state)
{
    (void)state;
    struct profile p = {9007199254740993LL, S("u"), S("U"), S("u@example.com"), S(""),
                        S("2024-01-01T00:00:00Z")};
    assert_renders(&p, "{\"id\":9007199254740993,\"username\":\"u\",\"display_name\":\"U\","
                       "\"email\":\"u@example.com\",\"bio\":\"\","
                       "\"created_at\":\"2024-01-01T00:00:00Z\"}");
}

static void test_invalid_utf8_is_refused(void **state)
{
    (void)state;
    struct profile p = {1, S("u"), S("bad \xc3\x28 byte"), S("u@example.com"), S("b"),
                        S("2024-01-01T00:00:00Z")};
    size_t len;
    assert_null(profile_render(&p, &len));
}

static void test_problem_body_bytes_are_exact(void **state)
{
    (void)state;
    size_t len;
    char *body = problem_render(401, "missing bearer token", &len);
    assert_non_null(body);
    assert_string_equal(body, "{\"type\":\"about:blank\",\"title\":\"Unauthorized\","
                              "\"status\":401,\"detail\":\"missing bearer token\"}");
    assert_int_equal(len, strlen(body));
    free(body);
}

static void test_problem_detail_is_escaped(void **state)
{
    (void)state;
    size_t len;
    char *body = problem_render(502, "upstream said \"no\"\n", &len);
    assert_non_null(body);
    assert_string_equal(body, "{\"type\":\"about:blank\",\"title\":\"Bad Gateway\","
                              "\"status\":502,\"detail\":\"upstream said \\\"no\\\"\\n\"}");
    free(body);
}

static void test_problem_titles_are_reason_phrases(void **state)
{
    (void)state;
    assert_string_equal(problem_title(404), "Not Found");
    assert_string_equal(problem_title(405), "Method Not Allowed");
    assert_string_equal(problem_title(413), "Content Too Large");
    assert_string_equal(problem_title(431), "Request Header Fields Too Large");
    assert_string_equal(problem_title(503), "Service Unavailable");
    assert_string_equal(problem_title(504), "Gateway Timeout");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii_profile_bytes_are_exact),
        cmocka_unit_test(test_non_ascii_stays_utf8_and_specials_are_escaped),
        cmocka_unit_test(test_large_ids_render_as_integers),
        cmocka_unit_test(test_invalid_utf8_is_refused),
        cmocka_unit_test(test_problem_body_bytes_are_exact),
        cmocka_unit_test(test_problem_detail_is_escaped),
        cmocka_unit_test(test_problem_titles_are_reason_phrases),
    };
    return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}
