/* Unit tests for the gateway's pure upstream logic (microservices/upstream.c and
 * upstream_target.c): base URLs and their parts, failures and their public status,
 * and the checks on auth-service's and profile-service's answers. (The client
 * itself: test_upstream_client.c.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include <cmocka.h>

#include "../../microservices/upstream.h"

static void test_base_url_validation(void **state)
{
    (void)state;
    char err[256];
    const char *good[] = {"http://127.0.0.1:9101", "http://auth.internal/prefix",
                          "http://[::1]:9102/", "HTTP://Auth-Service:80/a/b%20c/",
                          "http://auth_service.svc.cluster.local:9101"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!upstream_base_url_valid(good[i], err, sizeof err))
            fail_msg("refused '%s': %s", good[i], err);

    const char *bad[] = {"", "127.0.0.1:9101", "ftp://h/", "http://", "http://h/?q=1",
                         "http://h/#frag", "http://user:pw@h/", "not a url",
                         "https://auth.example.com/", "http://h:0/", "http://h:65536/",
                         "http://h:/", "http://h:80x/", "http://[::1/", "http://[zz]:1/",
                         "http://h/a b", "http://h/%zz", "http://h\r\n/", "http://a,b/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        if (upstream_base_url_valid(bad[i], err, sizeof err))
            fail_msg("accepted '%s'", bad[i]);
        assert_true(strlen(err) > 0);
    }
}

static void test_target_parts(void **state)
{
    (void)state;
    char err[256];
    struct upstream_target *t = upstream_target_new("http://[::1]:9102/api//", NULL, err,
                                                    sizeof err);
    assert_non_null(t);
    assert_string_equal(upstream_target_authority(t), "[::1]:9102");
    assert_string_equal(upstream_target_path(t), "/api");
    struct sockaddr_storage a;
    socklen_t len;
    assert_int_equal(upstream_target_address(t, 0, &a, &len), 1);
    assert_int_equal(a.ss_family, AF_INET6);
    upstream_target_free(t);
    t = upstream_target_new("http://127.0.0.1", NULL, err, sizeof err);
    assert_non_null(t);
    assert_string_equal(upstream_target_authority(t), "127.0.0.1");
    assert_string_equal(upstream_target_path(t), "");
    assert_int_equal(upstream_target_address(t, 0, &a, &len), 1);
    assert_int_equal(ntohs(((struct sockaddr_in *)&a)->sin_port), 80);
    upstream_target_free(t);
}

static void test_failure_status_mapping(void **state)
{
    (void)state;
    assert_int_equal(upstream_failure_status(UPSTREAM_REFUSED, 0), 503);
    assert_int_equal(upstream_failure_status(UPSTREAM_TIMEOUT, 0), 504);
    assert_int_equal(upstream_failure_status(UPSTREAM_BAD_RESPONSE, 0), 502);
    /* An upstream that answers: its own 503/504 carry over, anything else the
     * gateway did not expect is a bad gateway. */
    assert_int_equal(upstream_failure_status(UPSTREAM_OK, 503), 503);
    assert_int_equal(upstream_failure_status(UPSTREAM_OK, 504), 504);
    assert_int_equal(upstream_failure_status(UPSTREAM_OK, 500), 502);
    assert_int_equal(upstream_failure_status(UPSTREAM_OK, 418), 502);
    assert_int_equal(upstream_failure_status(UPSTREAM_OK, 200), 502);
    assert_int_equal(upstream_failure_status(UPSTREAM_OK, 302), 502);
}

static bool parse(const char *s, int64_t *id) { return upstream_parse_user_id(s, strlen(s), id); }

static void test_parse_user_id_accepts_the_contract(void **state)
{
    (void)state;
    int64_t id = 0;
    assert_true(parse("{\"user_id\":42}", &id));
    assert_int_equal(id, 42);
    assert_true(parse(" { \"user_id\" : 7 }\n", &id));
    assert_int_equal(id, 7);
    assert_true(parse("{\"user_id\":9223372036854775807}", &id));
    assert_int_equal(id, INT64_MAX);
}

static void test_parse_user_id_refuses_everything_else(void **state)
{
    (void)state;
    const char *bad[] = {
        "", "{}", "{\"user_id\":}", "{\"user_id\":0}", "{\"user_id\":-1}",
        "{\"user_id\":042}", "{\"user_id\":\"42\"}", "{\"user_id\":4.2}",
        "{\"user_id\":42", "{\"user_id\":42}}", "{\"user_id\":42,\"x\":1}",
        "{\"userid\":42}", "[42]", "{\"user_id\":9223372036854775808}",
        "{\"user_id\":12345678901234567890}", "<html>42</html>", "{\"user_id\":42}x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t id = -5;
        if (parse(bad[i], &id))
            fail_msg("accepted '%s'", bad[i]);
        assert_int_equal(id, -5);
    }
    /* A NUL inside the body is not the end of it. */
    int64_t id;
    assert_false(upstream_parse_user_id("{\"user_id\":1}\0junk", 18, &id));
}

static void test_profile_is_user(void **state)
{
    (void)state;
    const char *p = "{\"id\":42,\"username\":\"a\"}";
    assert_true(upstream_profile_is_user(p, strlen(p), 42));
    assert_false(upstream_profile_is_user(p, strlen(p), 4));
    assert_false(upstream_profile_is_user(p, strlen(p), 421));
    const char *q = "{\"id\":421,\"username\":\"a\"}";
    assert_false(upstream_profile_is_user(q, strlen(q), 42));
    /* truncated, not an object, empty */
    assert_false(upstream_profile_is_user(p, strlen(p) - 1, 42));
    assert_false(upstream_profile_is_user("{\"id\":42", 8, 42));
    assert_false(upstream_profile_is_user("", 0, 42));
    assert_false(upstream_profile_is_user("[1]", 3, 1));
}

static void test_outcome_names_are_distinct(void **state)
{
    (void)state;
    for (int a = 0; a < UPSTREAM_NOUTCOMES; a++)
        for (int b = a + 1; b < UPSTREAM_NOUTCOMES; b++)
            assert_string_not_equal(upstream_outcome_name(a), upstream_outcome_name(b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base_url_validation),
        cmocka_unit_test(test_target_parts),
        cmocka_unit_test(test_failure_status_mapping),
        cmocka_unit_test(test_parse_user_id_accepts_the_contract),
        cmocka_unit_test(test_parse_user_id_refuses_everything_else),
        cmocka_unit_test(test_profile_is_user),
        cmocka_unit_test(test_outcome_names_are_distinct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
