/* Integration tests of archbench check: it passes the three architectures and the
 * Python example, and it fails a copy of the example broken for each rule it
 * checks (tests/support/broken_profile_server.py), naming that rule. Its JSON and
 * JUnit reports, and the ways it must refuse to run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "../support/proc.h"
#include "../support/stack.h"

#define USERS 500

static char data[256];

static int setup(void **state)
{
    (void)state;
    return proc_seed(data, sizeof data, USERS);
}

static int teardown(void **state)
{
    (void)state;
    proc_rmdir(data);
    return 0;
}

struct checked {
    int status;
    char *out, *err;
};

/* bin/archbench check with args (NULL-terminated) and --data data first. */
static struct checked run_check(const char *url, const char *extra1, const char *extra2)
{
    char bin[256];
    char *argv[12] = {(char *)proc_bin("archbench", bin, sizeof bin), "check", "--data", data};
    int n = 4;
    if (extra1)
        argv[n++] = (char *)extra1;
    if (extra2)
        argv[n++] = (char *)extra2;
    argv[n++] = (char *)url;
    argv[n] = NULL;
    struct checked c;
    c.status = proc_capture(argv, &c.out, &c.err);
    return c;
}

static void free_checked(struct checked *c)
{
    free(c->out);
    free(c->err);
}

/* The line of out that starts with prefix, or NULL. */
static const char *line_starting(const char *out, const char *prefix)
{
    for (const char *l = out; l != NULL && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, prefix, strlen(prefix)) == 0)
            return l;
    return NULL;
}

/* Checks url, then stops p (the server, so a failure leaves nothing behind); every
 * case must have passed: exit 0 and the summary line. */
static void assert_all_pass(const char *url, struct proc *p)
{
    struct checked c = run_check(url, NULL, NULL);
    int stopped = p ? proc_stop(p) : 0;
    char summary[64];
    snprintf(summary, sizeof summary, "check: %zu passed, 0 failed\n", check_ncases);
    if (c.status != 0 || strstr(c.out, summary) == NULL)
        fail_msg("check %s exited %d:\n%s%s", url, c.status, c.out, c.err);
    assert_int_equal(stopped, 0);
    free_checked(&c);
}

static void url_of(const struct proc *p, char *url, size_t len)
{
    snprintf(url, len, "http://%s", p->address);
}

static void test_check_passes_the_monolith(void **state)
{
    (void)state;
    char bin[256], db[300], url[128];
    snprintf(db, sizeof db, "%s/app.db", data);
    char *argv[] = {(char *)proc_bin("monolith", bin, sizeof bin), "--listen", "127.0.0.1:0",
                    "--db", db, NULL};
    struct proc p;
    assert_int_equal(proc_start_server(&p, argv, NULL), 0);
    url_of(&p, url, sizeof url);
    assert_all_pass(url, &p);
}

static void test_check_passes_the_microservices(void **state)
{
    (void)state;
    struct stack s;
    char url[128];
    assert_int_equal(stack_start(&s, data, 1000, 1), 0);
    url_of(&s.gateway, url, sizeof url);
    struct checked c = run_check(url, NULL, NULL);
    int stopped = stack_stop(&s);
    if (c.status != 0)
        fail_msg("check %s exited %d:\n%s%s", url, c.status, c.out, c.err);
    assert_int_equal(stopped, 0);
    free_checked(&c);
}

static void test_check_passes_the_serverless_platform(void **state)
{
    (void)state;
    char bin[256], fn[256], env[320], url[128];
    snprintf(env, sizeof env, "ARCHBENCH_DB=%s/app.db", data);
    char *argv[] = {(char *)proc_bin("faas", bin, sizeof bin), "--listen", "127.0.0.1:0",
                    "--function", (char *)proc_bin("fn-get-profile", fn, sizeof fn), "--env",
                    env, NULL};
    struct proc p;
    assert_int_equal(proc_start_server(&p, argv, NULL), 0);
    url_of(&p, url, sizeof url);
    assert_all_pass(url, &p);
}

/* The Python example, or its copy broken for one case (breaks: NULL for none), or
 * the one that answers with chunked bodies (breaks: "chunked"). */
static int start_python(struct proc *p, const char *breaks)
{
    char *argv[12] = {"/usr/bin/env", "python3"};
    int n = 2;
    if (breaks && strcmp(breaks, "chunked") == 0) {
        argv[n++] = "tests/support/chunked_profile_server.py";
    } else if (breaks) {
        argv[n++] = "tests/support/broken_profile_server.py";
        argv[n++] = "--break";
        argv[n++] = (char *)breaks;
    } else {
        argv[n++] = "examples/python/profile_server.py";
    }
    argv[n++] = "--data";
    argv[n++] = data;
    argv[n++] = "--port";
    argv[n++] = "0";
    argv[n] = NULL;
    char log[512];
    const char *logs = getenv("ARCHBENCH_TEST_LOGS");
    snprintf(log, sizeof log, "%s/profile_server.log", logs && *logs ? logs : "/tmp");
    return proc_start_server(p, argv, log);
}

static void test_check_passes_the_python_example(void **state)
{
    (void)state;
    struct proc p;
    char url[128];
    assert_int_equal(start_python(&p, NULL), 0);
    url_of(&p, url, sizeof url);
    assert_all_pass(url, &p);
}

/* Student servers' frameworks often stream their answers with chunked framing; the
 * contract fixes the bodies' bytes, not their framing, so every case passes. */
static void test_check_passes_chunked_bodies(void **state)
{
    (void)state;
    struct proc p;
    char url[128];
    assert_int_equal(start_python(&p, "chunked"), 0);
    url_of(&p, url, sizeof url);
    assert_all_pass(url, &p);
}

/* The endpoint's own URL works as well as the server's, and a path prefix is
 * kept: http://HOST:PORT/profile checks the same server. */
static void test_check_takes_the_endpoint_url_too(void **state)
{
    (void)state;
    struct proc p;
    char url[160];
    assert_int_equal(start_python(&p, NULL), 0);
    snprintf(url, sizeof url, "http://%s/profile", p.address);
    assert_all_pass(url, &p);
}

/* Each case fails a server with the bug it exists to catch, and says which rule
 * was broken: one copy of the example per case, in check_cases' order. */
static void test_check_fails_each_rule_broken_in_a_copy_of_the_example(void **state)
{
    (void)state;
    for (size_t i = 0; i < check_ncases; i++) {
        const struct check_case *k = &check_cases[i];
        struct proc p;
        char url[128], line[128];
        if (start_python(&p, k->name) != 0)
            fail_msg("broken_profile_server.py --break %s did not start (no such break?)",
                     k->name);
        url_of(&p, url, sizeof url);
        struct checked c = run_check(url, NULL, NULL);
        proc_stop(&p);
        snprintf(line, sizeof line, "FAIL %s: ", k->name);
        const char *fail = line_starting(c.out, line);
        if (c.status != 1 || fail == NULL)
            fail_msg("a server broken for %s: check exited %d without failing it:\n%s",
                     k->name, c.status, c.out);
        const char *eol = strchr(fail, '\n');
        const char *rule = strstr(fail, "; rule: ");
        if (rule == NULL || rule > eol || strncmp(rule + 8, k->rule, strlen(k->rule)) != 0)
            fail_msg("%s: the failure does not name its rule: %.*s", k->name,
                     (int)(eol - fail), fail);
        free_checked(&c);
    }
}

static void test_check_writes_json_and_junit(void **state)
{
    (void)state;
    struct proc p;
    char url[128], json[] = "/tmp/archbench-check-XXXXXX", junit[64], opt[2][96];
    assert_int_equal(start_python(&p, "401-expired"), 0);
    url_of(&p, url, sizeof url);
    close(mkstemp(json));
    snprintf(junit, sizeof junit, "%s.xml", json);
    snprintf(opt[0], sizeof opt[0], "--json=%s", json);
    snprintf(opt[1], sizeof opt[1], "--junit=%s", junit);
    struct checked c = run_check(url, opt[0], opt[1]);
    proc_stop(&p);
    assert_int_equal(c.status, 1);
    json_t *doc = json_load_file(json, 0, NULL);
    assert_non_null(doc);
    assert_int_equal(json_integer_value(json_object_get(doc, "failed")), 1);
    assert_int_equal(json_integer_value(json_object_get(doc, "passed")), check_ncases - 1);
    json_t *cases = json_object_get(doc, "cases"), *k;
    size_t i, failed = 0;
    json_array_foreach(cases, i, k) if (!json_is_true(json_object_get(k, "passed")))
    {
        failed++;
        assert_string_equal(json_string_value(json_object_get(k, "name")), "401-expired");
        assert_non_null(strstr(json_string_value(json_object_get(k, "message")), "got 200"));
        assert_non_null(json_string_value(json_object_get(k, "rule")));
    }
    assert_int_equal(failed, 1);
    json_decref(doc);
    char *xml = proc_slurp(junit, NULL);
    assert_non_null(xml);
    char want[96];
    snprintf(want, sizeof want, "tests=\"%zu\" failures=\"1\"", check_ncases);
    assert_non_null(strstr(xml, want));
    assert_non_null(strstr(xml, "name=\"401-expired\" time=\""));
    assert_non_null(strstr(xml, "<failure type=\"contract\" message=\""));
    assert_null(strstr(xml, "\"id\":")); /* quotes in messages are escaped */
    free(xml);
    unlink(json);
    unlink(junit);
    free_checked(&c);
}

/* Nothing listening: every case fails, saying so; exit 1. */
static void test_check_with_no_server_fails_every_case(void **state)
{
    (void)state;
    struct checked c = run_check("http://127.0.0.1:1", NULL, NULL);
    char summary[64];
    snprintf(summary, sizeof summary, "check: 0 passed, %zu failed\n", check_ncases);
    assert_int_equal(c.status, 1);
    assert_non_null(strstr(c.out, summary));
    assert_non_null(strstr(c.out, "FAIL health: expected a server at 127.0.0.1:1, got no "
                                  "connection"));
    free_checked(&c);
}

static void test_check_bad_usage_exits_2(void **state)
{
    (void)state;
    char bin[256];
    char *cases[][6] = {
        {"check", NULL},
        {"check", "http://127.0.0.1:1", "http://127.0.0.1:2", NULL},
        {"check", "https://example.com", NULL},
        {"check", "--nope", "http://127.0.0.1:1", NULL},
        {"check", "--data", "/nonexistent/folder", "http://127.0.0.1:1", NULL},
    };
    const char *says[] = {"a URL is required", "expected one URL", "https is not supported",
                          "--nope", "/nonexistent/folder"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *argv[8] = {(char *)proc_bin("archbench", bin, sizeof bin)};
        for (int j = 0; cases[i][j]; j++)
            argv[j + 1] = cases[i][j];
        char *out, *err;
        int st = proc_capture(argv, &out, &err);
        if (st != 2 || strstr(err, says[i]) == NULL)
            fail_msg("case %zu: exit %d, stderr: %s", i, st, err);
        free(out);
        free(err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_bad_usage_exits_2),
        cmocka_unit_test(test_check_with_no_server_fails_every_case),
        cmocka_unit_test(test_check_passes_the_monolith),
        cmocka_unit_test(test_check_passes_the_microservices),
        cmocka_unit_test(test_check_passes_the_serverless_platform),
        cmocka_unit_test(test_check_passes_the_python_example),
        cmocka_unit_test(test_check_passes_chunked_bodies),
        cmocka_unit_test(test_check_takes_the_endpoint_url_too),
        cmocka_unit_test(test_check_fails_each_rule_broken_in_a_copy_of_the_example),
        cmocka_unit_test(test_check_writes_json_and_junit),
    };
    return cmocka_run_group_tests_name("check", tests, setup, teardown);
}
