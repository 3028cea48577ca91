/* Peer test of bin/faas with a Runtime API client nobody here wrote: AWS's
 * Node.js Runtime Interface Client (aws-lambda-ric, installed from the npm
 * registry by make test-peers). Handlers in tests/peers/ric/ return, throw, time
 * out, crash, fail to load and return too much; each outcome must reach the caller
 * as the right HTTP answer, and faas's log must show the right line and one REPORT
 * line per invocation - for requests one after another and on 8 connections at
 * once. Run from the repository root with ARCHBENCH_RIC set to the package's
 * executable (node_modules/.bin/aws-lambda-ric) and ARCHBENCH_RIC_ENV to one more
 * NAME=VALUE for the instances, or empty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "httpc.h"
#include "../support/proc.h"

#define SEQUENTIAL 4 /* requests one after another */
#define CONNECTIONS 8
#define PER_CONNECTION 2 /* requests on each of the 8 connections at once */
#define REQUESTS (SEQUENTIAL + CONNECTIONS * PER_CONNECTION)
#define TIMEOUT_MS "3000" /* faas's default, and Lambda's */

static char ric_env[600], extra_env[600], log_dir[256];

/* One outcome: what the caller gets, the line faas must log for each invocation
 * (one holding " faas " and log_word; a success's lines are checked per request
 * instead), and its REPORT line's Status and Error Type, as Lambda writes them
 * (NULL: a success, neither). */
struct outcome {
    const char *handler;
    int http_status;
    const char *log_word;
    const char *report_status;
    const char *error_type;
};

struct faas {
    struct proc p;
    char log[300];
};

static void faas_start(struct faas *f, const char *handler)
{
    static unsigned n;
    char bin[256], root[512];
    snprintf(f->log, sizeof f->log, "%s/faas-%u.log", log_dir, n++);
    if (getcwd(root, sizeof root - 32) == NULL)
        fail_msg("getcwd failed");
    strcat(root, "/tests/peers/ric/bootstrap");
    const char *argv[24] = {proc_bin("faas", bin, sizeof bin), "--listen", "127.0.0.1:0",
                            "--function", root, "--handler", handler,
                            "--runtime", "provided.al2023", "--env", ric_env,
                            "--timeout-ms", TIMEOUT_MS, "--threads", "1"};
    int argc = 15;
    if (extra_env[0] != '\0') {
        argv[argc++] = "--env";
        argv[argc++] = extra_env;
    }
    argv[argc] = NULL;
    if (proc_start_server(&f->p, (char *const *)argv, f->log) != 0) {
        char *text = proc_slurp(f->log, NULL);
        fail_msg("faas did not start: %s", text ? text : "(no log)");
    }
}

/* Stops faas and returns its log (stderr: its lines, REPORT lines, and the
 * instances' own output). */
static char *faas_stop(struct faas *f)
{
    proc_stop(&f->p);
    char *text = proc_slurp(f->log, NULL);
    assert_non_null(text);
    return text;
}

/* The lines of log that hold both a and b. */
static unsigned lines_with(const char *log, const char *a, const char *b)
{
    unsigned n = 0;
    for (const char *line = log; *line != '\0';) {
        size_t len = strcspn(line, "\n");
        char copy[1024];
        snprintf(copy, sizeof copy, "%.*s", (int)len, line);
        n += strstr(copy, a) != NULL && strstr(copy, b) != NULL;
        line += len + (line[len] != '\0');
    }
    return n;
}

/* The value of field name ("Status", "Error Type") in a REPORT line, where
 * Lambda ends each field with a tab: NULL when absent. */
static const char *report_field(const char *report, const char *name, char *out, size_t len)
{
    char key[32];
    snprintf(key, sizeof key, "\t%s: ", name);
    const char *v = strstr(report, key);
    if (v == NULL)
        return NULL;
    v += strlen(key);
    snprintf(out, len, "%.*s", (int)strcspn(v, "\t\n"), v);
    return out;
}

static bool same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The REPORT lines of log, checked one by one: each has o's Status and Error
 * Type (or neither); returns how many there are. */
static unsigned reports(const char *log, const struct outcome *o)
{
    unsigned n = 0;
    for (const char *line = log; *line != '\0';) {
        size_t len = strcspn(line, "\n");
        char copy[600], status[64], type[128];
        snprintf(copy, sizeof copy, "%.*s", (int)len, line);
        line += len + (line[len] != '\0');
        if (strncmp(copy, "REPORT RequestId: ", 18) != 0)
            continue;
        if (!same(report_field(copy, "Status", status, sizeof status), o->report_status) ||
            !same(report_field(copy, "Error Type", type, sizeof type), o->error_type))
            fail_msg("%s: expected Status %s, Error Type %s in:\n%s", o->handler,
                     o->report_status ? o->report_status : "(none)",
                     o->error_type ? o->error_type : "(none)", copy);
        n++;
    }
    return n;
}

/* One connection's worth of requests, one after another. */
struct caller {
    int port;
    const char *path;
    int n;
    int statuses[REQUESTS];
    char request_ids[REQUESTS][64];
};

/* GET path on a new connection, waiting up to 60 s for the answer (httpc's 5 s
 * are too few for eight Node.js cold starts on a shared core); the status or -1. */
static int get(int port, const char *path, struct http_response *r)
{
    int fd = httpc_connect(port);
    if (fd < 0)
        return -1;
    struct timeval tv = {.tv_sec = 60};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char req[256];
    int len = snprintf(req, sizeof req,
                       "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path);
    int rc = httpc_send(fd, req, (size_t)len) == 0 && httpc_read(fd, r, false) == 0 ? r->status : -1;
    close(fd);
    return rc;
}

static void *call(void *arg)
{
    struct caller *c = arg;
    for (int i = 0; i < c->n; i++) {
        struct http_response r;
        c->statuses[i] = get(c->port, c->path, &r);
        c->request_ids[i][0] = '\0';
        if (c->statuses[i] > 0) {
            httpc_header(&r, "x-request-id", c->request_ids[i], sizeof c->request_ids[i]);
            httpc_free(&r);
        }
    }
    return NULL;
}

/* For a success, every answer names its request id, and the log has that
 * invocation's START, END and REPORT lines and the handler's own line. */
static void check_success_log(const char *log, const char *request_id, const char *path)
{
    char line[200];
    if (request_id[0] == '\0')
        fail_msg("a success without x-request-id");
    snprintf(line, sizeof line, "START RequestId: %s", request_id);
    assert_non_null(strstr(log, line));
    snprintf(line, sizeof line, "END RequestId: %s", request_id);
    assert_non_null(strstr(log, line));
    snprintf(line, sizeof line, "REPORT RequestId: %s", request_id);
    assert_non_null(strstr(log, line));
    snprintf(line, sizeof line, "%s\tINFO\thandled %s", request_id, path);
    if (strstr(log, line) == NULL)
        fail_msg("no log line \"%s\"", line);
}

/* Sends the requests: first one after another, then on 8 connections at once. */
static unsigned send_all(int port, const char *path, struct caller *seq,
                         struct caller many[CONNECTIONS])
{
    *seq = (struct caller){.port = port, .path = path, .n = SEQUENTIAL};
    call(seq);
    pthread_t threads[CONNECTIONS];
    for (int i = 0; i < CONNECTIONS; i++) {
        many[i] = (struct caller){.port = port, .path = path, .n = PER_CONNECTION};
        assert_int_equal(pthread_create(&threads[i], NULL, call, &many[i]), 0);
    }
    for (int i = 0; i < CONNECTIONS; i++)
        pthread_join(threads[i], NULL);
    return REQUESTS;
}

/* Checks one answer, and for a success its log lines. */
static void check_answer(const struct outcome *o, const char *log, const char *path,
                         int status, const char *request_id)
{
    if (status != o->http_status)
        fail_msg("%s: answered %d, expected %d; log:\n%s", o->handler, status,
                 o->http_status, log);
    if (o->report_status == NULL)
        check_success_log(log, request_id, path);
}

/* Runs o's handler under faas and checks every answer, the log lines and the
 * REPORT lines. */
static void run_outcome(const struct outcome *o)
{
    struct faas f;
    faas_start(&f, o->handler);
    char path[64];
    snprintf(path, sizeof path, "/%s", strchr(o->handler, '.') + 1);
    static struct caller seq, many[CONNECTIONS];
    unsigned n = send_all(f.p.port, path, &seq, many);
    char *log = faas_stop(&f);
    for (int i = 0; i < seq.n; i++)
        check_answer(o, log, path, seq.statuses[i], seq.request_ids[i]);
    for (int c = 0; c < CONNECTIONS; c++)
        for (int i = 0; i < many[c].n; i++)
            check_answer(o, log, path, many[c].statuses[i], many[c].request_ids[i]);
    unsigned lines = o->log_word ? lines_with(log, " faas ", o->log_word) : n;
    unsigned rep = reports(log, o);
    if (lines < n || rep != n)
        fail_msg("%s: %u invocations, %u faas lines with \"%s\", %u REPORT lines; log:\n%s",
                 o->handler, n, lines, o->log_word, rep, log);
    free(log);
}

static void test_a_handler_that_returns_answers_its_result(void **state)
{
    (void)state;
    run_outcome(&(struct outcome){"handlers.returns", 201, NULL, NULL, NULL});
}

static void test_a_handler_that_throws_is_a_function_error(void **state)
{
    (void)state;
    run_outcome(&(struct outcome){"handlers.throws", 502, "TypeError", "error", "TypeError"});
}

static void test_a_handler_that_never_answers_times_out(void **state)
{
    (void)state;
    run_outcome(&(struct outcome){"handlers.hangs", 504, "timed out", "timeout", NULL});
}

static void test_a_handler_that_exits_crashes_its_instance(void **state)
{
    (void)state;
    run_outcome(&(struct outcome){"handlers.crashes", 502, "status 3", "error",
                                  "Runtime.ExitError"});
}

static void test_a_module_that_fails_to_load_is_an_init_error(void **state)
{
    (void)state;
    run_outcome(&(struct outcome){"broken.handler", 502, "Runtime.UserCodeSyntaxError", "error",
                                  "Runtime.UserCodeSyntaxError"});
}

static void test_a_result_over_6_mb_is_refused(void **state)
{
    (void)state;
    run_outcome(&(struct outcome){"handlers.oversized", 502, "Function.ResponseSizeTooLarge",
                                  "error", "Function.ResponseSizeTooLarge"});
}

static int group_setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    const char *ric = getenv("ARCHBENCH_RIC");
    const char *extra = getenv("ARCHBENCH_RIC_ENV");
    if (ric == NULL || access(ric, X_OK) != 0) {
        fprintf(stderr, "test_aws_ric: ARCHBENCH_RIC must name aws-lambda-ric's executable "
                        "(make test-peers sets it)\n");
        return -1;
    }
    char abs[512];
    if (realpath(ric, abs) == NULL)
        return -1;
    snprintf(ric_env, sizeof ric_env, "RIC=%s", abs);
    snprintf(extra_env, sizeof extra_env, "%s", extra ? extra : "");
    snprintf(log_dir, sizeof log_dir, "/tmp/archbench-ric-XXXXXX");
    return mkdtemp(log_dir) != NULL ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    proc_rmdir(log_dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_handler_that_returns_answers_its_result),
        cmocka_unit_test(test_a_handler_that_throws_is_a_function_error),
        cmocka_unit_test(test_a_handler_that_never_answers_times_out),
        cmocka_unit_test(test_a_handler_that_exits_crashes_its_instance),
        cmocka_unit_test(test_a_module_that_fails_to_load_is_an_init_error),
        cmocka_unit_test(test_a_result_over_6_mb_is_refused),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
