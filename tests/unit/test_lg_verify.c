/* loadgen --tokens/--verify: only valid sessions are loaded from tokens.tsv, and the
 * user id is read from the top level of a profile body wherever it stands, never
 * from a nested object or a string that happens to contain "id". */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lg_verify.h"

static bool id_of(const char *body, int64_t *id)
{
    return lg_verify_body_id(body, strlen(body), id);
}

static void test_profile_body_id(void **state)
{
    (void)state;
    int64_t id = 0;
    assert_true(id_of("{\"id\":42,\"username\":\"jose\",\"display_name\":\"Jos\xc3\xa9\"}", &id));
    assert_int_equal(id, 42);
    assert_true(id_of(" { \"id\" : 7 } ", &id));
    assert_int_equal(id, 7);
}

static void test_id_after_nested_values_and_tricky_strings(void **state)
{
    (void)state;
    int64_t id = 0;
    assert_true(id_of("{\"bio\":\"say \\\"id\\\":1, {[\",\"nested\":{\"id\":5,\"a\":[1,{\"id\":6}]},"
                      "\"list\":[\"}\"],\"id\":99}", &id));
    assert_int_equal(id, 99);
}

static void test_missing_or_bad_ids_are_rejected(void **state)
{
    (void)state;
    int64_t id;
    assert_false(id_of("{\"username\":\"x\"}", &id));
    assert_false(id_of("{\"nested\":{\"id\":5}}", &id));
    assert_false(id_of("{\"id\":\"42\"}", &id));
    assert_false(id_of("{\"id\":4.2}", &id));
    assert_false(id_of("{\"id\":42e1}", &id));
    assert_false(id_of("{\"id\":}", &id));
    assert_false(id_of("[{\"id\":1}]", &id));
    assert_false(id_of("", &id));
    assert_false(id_of("{\"id\":99999999999999999999}", &id));
    /* A body cut off inside the number is not an answer. */
    assert_false(lg_verify_body_id("{\"id\":42,", 7, &id));
    assert_true(lg_verify_body_id("{\"id\":42,", 9, &id));
    assert_int_equal(id, 42);
}

static void test_every_prefix_is_safe(void **state)
{
    (void)state;
    const char *body = "{\"a\":[1,\"x\\\\\",{\"b\":null}],\"s\":\"\\u00e9\",\"id\":-3}";
    int64_t id;
    size_t n = strlen(body);
    for (size_t i = 0; i < n; i++) {
        char *copy = malloc(i ? i : 1);
        assert_non_null(copy);
        memcpy(copy, body, i);
        assert_false(lg_verify_body_id(copy, i, &id));
        free(copy);
    }
    assert_true(lg_verify_body_id(body, n, &id));
    assert_int_equal(id, -3);
}

static char *write_temp(const char *content)
{
    char *path = strdup("/tmp/test_lg_verify_XXXXXX");
    assert_non_null(path);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    close(fd);
    return path;
}

static void test_only_valid_tokens_are_loaded(void **state)
{
    (void)state;
    char *path = write_temp("user_id\ttoken\tstatus\n"
                            "1\tAAAA\tvalid\n"
                            "2\tBBBB\texpired\n"
                            "3\tCCCC\trevoked\n"
                            "4\tDDDD\tvalid\n");
    struct lg_tokens t;
    char err[256];
    assert_true(lg_verify_load_tokens(path, &t, err, sizeof err));
    assert_int_equal(t.count, 2);
    assert_int_equal(t.items[0].user_id, 1);
    assert_string_equal(t.items[0].token, "AAAA");
    assert_int_equal(t.items[1].user_id, 4);
    assert_string_equal(t.items[1].token, "DDDD");
    lg_verify_free_tokens(&t);
    unlink(path);
    free(path);
}

static void test_bad_token_files_are_refused(void **state)
{
    (void)state;
    const char *bad[] = {
        "id\ttok\n1\tA\tvalid\n",                  /* wrong header */
        "user_id\ttoken\tstatus\nx\tA\tvalid\n",   /* id not a number */
        "user_id\ttoken\tstatus\n1\t\tvalid\n",    /* empty token */
        "user_id\ttoken\tstatus\n1\tA\texpired\n", /* no valid row */
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *path = write_temp(bad[i]);
        struct lg_tokens t;
        char err[256] = "";
        assert_false(lg_verify_load_tokens(path, &t, err, sizeof err));
        assert_true(err[0] != '\0');
        unlink(path);
        free(path);
    }
    struct lg_tokens t;
    char err[256] = "";
    assert_false(lg_verify_load_tokens("/nonexistent/tokens.tsv", &t, err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/tokens.tsv"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profile_body_id),
        cmocka_unit_test(test_id_after_nested_values_and_tricky_strings),
        cmocka_unit_test(test_missing_or_bad_ids_are_rejected),
        cmocka_unit_test(test_every_prefix_is_safe),
        cmocka_unit_test(test_only_valid_tokens_are_loaded),
        cmocka_unit_test(test_bad_token_files_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
