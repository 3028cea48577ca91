/* Integration tests: how the gateway fails and recovers. A dead upstream gives 503
 * and a stopped one 504, both within --timeout-ms (plus generous slack: these are
 * correctness bounds, not performance measurements), while /health stays 200; the
 * gateway answers 200 again once the upstream is back, without a restart; an
 * upstream that answers garbage (a fake one inside this test) gives 502; and the
 * gateway stops cleanly with requests still waiting for an upstream. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "httpc.h"
#include "../support/proc.h"
#include "../support/stack.h"
#include "../support/timing.h"

#define TIMEOUT_MS 300
/* Slack on top of the timeout for a loaded machine or a sanitizer build. */
#define SLACK_MS 1500

static char dir[256];
static struct stack stack;
static struct stack_token *tokens;
static size_t ntokens;
static char auth_header[256];
/* The extra gateways some tests start: here so that the group teardown stops one
 * left running by a failed assertion. */
static struct stack other;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int setup(void **state)
{
    (void)state;
    if (proc_seed(dir, sizeof dir, 50) != 0)
        return -1;
    tokens = stack_tokens(dir, &ntokens);
    if (tokens == NULL || stack_start(&stack, dir, TIMEOUT_MS, 1) != 0)
        return -1;
    const struct stack_token *t = stack_token_with(tokens, ntokens, STACK_VALID);
    snprintf(auth_header, sizeof auth_header, "Authorization: Bearer %s\r\n", t->token);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (other.gateway.pid > 0)
        proc_stop(&other.gateway);
    int rc = stack_stop(&stack);
    free(tokens);
    proc_rmdir(dir);
    return rc == 0 ? 0 : -1;
}

/* GET /profile through gateway port; returns the status (0: no answer) and the
 * elapsed milliseconds; checks that every error is problem+json with the status in
 * its body. */
static int profile(int port, int64_t *elapsed_ms)
{
    struct http_response r;
    int64_t t0 = now_ms();
    int rc = httpc_request(port, "GET", "/profile", auth_header, &r);
    if (elapsed_ms)
        *elapsed_ms = now_ms() - t0;
    if (rc != 0)
        return 0;
    int status = r.status;
    if (status != 200) {
        char ct[64] = "";
        httpc_header(&r, "Content-Type", ct, sizeof ct);
        assert_string_equal(ct, "application/problem+json");
        json_t *j = json_loadb(r.body, r.body_len, 0, NULL);
        assert_non_null(j);
        assert_int_equal(json_integer_value(json_object_get(j, "status")), status);
        json_decref(j);
    }
    httpc_free(&r);
    return status;
}

/* Asks until the answer is 200, for at most about 5 s. */
static int profile_until_200(int port)
{
    int status = 0;
    for (int i = 0; i < 100 && status != 200; i++) {
        status = profile(port, NULL);
        if (status != 200)
            sleep_ms(50);
    }
    return status;
}

/* True when every thread of pid is stopped ('T' in /proc/PID/task/TID/stat). */
static bool all_threads_stopped(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (d == NULL)
        return false;
    bool stopped = true;
    struct dirent *e;
    while (stopped && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char stat[340], buf[512];
        snprintf(stat, sizeof stat, "%s/%s/stat", path, e->d_name);
        FILE *f = fopen(stat, "r");
        size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (f)
            fclose(f);
        buf[n] = '\0';
        const char *paren = strrchr(buf, ')');
        stopped = paren != NULL && paren[1] == ' ' && paren[2] == 'T';
    }
    closedir(d);
    return stopped;
}

/* SIGSTOP, then waits until the stop has taken effect: the kernel wakes one
 * thread to begin a group stop, and on a busy machine the others may serve a
 * request or two before they are told. */
static void stop_process(pid_t pid)
{
    kill(pid, SIGSTOP);
    for (int i = 0; i < 500 && !all_threads_stopped(pid); i++)
        sleep_ms(10);
    assert_true(all_threads_stopped(pid));
}

static int health(int port)
{
    struct http_response r;
    if (httpc_request(port, "GET", "/health", NULL, &r) != 0)
        return 0;
    int status = r.status;
    httpc_free(&r);
    return status;
}

/* Starts a service on a fixed address (the restarted upstream keeps its URL). */
static int start_service(struct proc *p, const char *name, const char *db,
                         const char *address)
{
    char bin[256], path[320];
    snprintf(path, sizeof path, "%s/%s", dir, db);
    char *argv[] = {(char *)proc_bin(name, bin, sizeof bin), "--listen", (char *)address,
                    "--db", path, "--threads", "1", "--service-secret", stack.secret, NULL};
    for (int i = 0; i < 50; i++) { /* the old socket may linger for a moment */
        if (proc_start_server(p, argv, stack.log) == 0)
            return 0;
        sleep_ms(100);
    }
    return -1;
}

static void kill_and_restart(struct proc *p, const char *name, const char *db, int expect)
{
    assert_int_equal(profile_until_200(stack.gateway.port), 200); /* warm connections */
    char address[80];
    snprintf(address, sizeof address, "%s", p->address);
    kill(p->pid, SIGKILL);
    waitpid(p->pid, NULL, 0);
    p->pid = 0;
    for (int i = 0; i < 3; i++) {
        int64_t ms;
        assert_int_equal(profile(stack.gateway.port, &ms), expect);
        if (ms > TIMEOUT_MS + SLACK_MS)
            fail_msg("%d took %lld ms with --timeout-ms %d", expect, (long long)ms, TIMEOUT_MS);
        assert_int_equal(health(stack.gateway.port), 200);
    }
    assert_int_equal(start_service(p, name, db, address), 0);
    assert_int_equal(profile_until_200(stack.gateway.port), 200);
}

static void test_killed_profile_service_gives_503_then_recovers(void **state)
{
    (void)state;
    kill_and_restart(&stack.profile, "profile-service", "profiles.db", 503);
}

static void test_killed_auth_service_gives_503_then_recovers(void **state)
{
    (void)state;
    kill_and_restart(&stack.auth, "auth-service", "auth.db", 503);
}

static void stop_and_continue(struct proc *p)
{
    assert_int_equal(profile_until_200(stack.gateway.port), 200);
    stop_process(p->pid);
    for (int i = 0; i < 2; i++) {
        int64_t ms;
        int status = profile(stack.gateway.port, &ms);
        if (status != 504) {
            kill(p->pid, SIGCONT);
            fail_msg("expected 504, got %d", status);
        }
        if (ms > TIMEOUT_MS + SLACK_MS || ms < TIMEOUT_MS - 50) {
            kill(p->pid, SIGCONT);
            fail_msg("504 after %lld ms with --timeout-ms %d", (long long)ms, TIMEOUT_MS);
        }
        assert_int_equal(health(stack.gateway.port), 200);
    }
    kill(p->pid, SIGCONT);
    assert_int_equal(profile_until_200(stack.gateway.port), 200);
}

static void test_stopped_auth_service_gives_504_within_the_timeout(void **state)
{
    (void)state;
    stop_and_continue(&stack.auth);
}

static void test_stopped_profile_service_gives_504_within_the_timeout(void **state)
{
    (void)state;
    stop_and_continue(&stack.profile);
}

/* ---- a fake upstream that answers garbage ---- */

struct fake {
    int fd;
    int port;
    _Atomic int stop;
    const char *_Atomic reply; /* the bytes sent to every request */
    pthread_t thread;
    pthread_mutex_t mu;
    char last[4096];            /* the last request's head, under mu */
};

static void *fake_loop(void *arg)
{
    struct fake *f = arg;
    while (!atomic_load(&f->stop)) {
        struct pollfd p = {.fd = f->fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        int c = accept(f->fd, NULL, NULL);
        if (c < 0)
            continue;
        struct timeval tv = {2, 0};
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char buf[4096] = "";
        size_t n = 0;
        while (n < sizeof buf - 1) {
            ssize_t k = recv(c, buf + n, sizeof buf - 1 - n, 0);
            if (k <= 0)
                break;
            n += (size_t)k;
            buf[n] = '\0';
            if (strstr(buf, "\r\n\r\n"))
                break;
        }
        pthread_mutex_lock(&f->mu);
        memcpy(f->last, buf, n + 1);
        pthread_mutex_unlock(&f->mu);
        const char *reply = atomic_load(&f->reply);
        if (send(c, reply, strlen(reply), MSG_NOSIGNAL) < 0) {
            /* the gateway gave up already; nothing to do */
        }
        close(c);
    }
    return NULL;
}

static int fake_start(struct fake *f)
{
    memset(f, 0, sizeof *f);
    f->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (f->fd < 0 || bind(f->fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(f->fd, 64) != 0 || getsockname(f->fd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    f->port = ntohs(a.sin_port);
    f->reply = "";
    pthread_mutex_init(&f->mu, NULL);
    return pthread_create(&f->thread, NULL, fake_loop, f) == 0 ? 0 : -1;
}

static void fake_stop(struct fake *f)
{
    atomic_store(&f->stop, 1);
    pthread_join(f->thread, NULL);
    close(f->fd);
}

/* Starts the fake and a second gateway ("other") whose auth (or profile) URL
 * points at it; the other URL is the real service's. */
static void gateway_before_fake(struct fake *f, bool fake_is_auth)
{
    assert_int_equal(fake_start(f), 0);
    char fake_url[64], auth_url[128], profile_url[128];
    snprintf(fake_url, sizeof fake_url, "http://127.0.0.1:%d", f->port);
    snprintf(auth_url, sizeof auth_url, "http://%s", stack.auth.address);
    snprintf(profile_url, sizeof profile_url, "http://%s", stack.profile.address);
    other = stack;
    other.gateway.pid = 0;
    assert_int_equal(stack_start_gateway(&other, fake_is_auth ? fake_url : auth_url,
                                         fake_is_auth ? profile_url : fake_url, TIMEOUT_MS, 1),
                     0);
}

struct garbage {
    const char *what;
    const char *reply;
};

/* Points a second gateway's auth (or profile) URL at the fake and checks that each
 * kind of garbage gives 502. */
static void expect_502_from(bool fake_is_auth, const struct garbage *g, size_t n)
{
    struct fake f;
    gateway_before_fake(&f, fake_is_auth);
    for (size_t i = 0; i < n; i++) {
        atomic_store(&f.reply, g[i].reply);
        int64_t ms;
        int status = profile(other.gateway.port, &ms);
        if (status != 502)
            fail_msg("%s from %s: got %d, expected 502", g[i].what,
                     fake_is_auth ? "auth-service" : "profile-service", status);
        if (ms > TIMEOUT_MS + SLACK_MS)
            fail_msg("%s: 502 took %lld ms", g[i].what, (long long)ms);
    }
    assert_int_equal(proc_stop(&other.gateway), 0);
    fake_stop(&f);
}

static void test_garbage_from_auth_service_gives_502(void **state)
{
    (void)state;
    static const struct garbage g[] = {
        {"not HTTP", "HELLO THERE\r\n\r\n"},
        {"nothing", ""},
        {"a truncated body",
         "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
         "{\"user_id\":"},
        {"bad JSON",
         "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n"
         "Connection: close\r\n\r\n{\"user_id\":"},
        {"a JSON string id",
         "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n"
         "Connection: close\r\n\r\n{\"user_id\":\"1\"}"},
        {"an unexpected status",
         "HTTP/1.1 418 I'm a teapot\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"},
        {"a 500", "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"},
        {"a redirect",
         "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/\r\nContent-Length: 0\r\n"
         "Connection: close\r\n\r\n"},
        {"a bad status line", "HTTP/1.1 abc\r\nContent-Length: 0\r\n\r\n"},
    };
    expect_502_from(true, g, sizeof g / sizeof g[0]);
}

static void test_garbage_from_profile_service_gives_502(void **state)
{
    (void)state;
    static const struct garbage g[] = {
        {"not HTTP", "garbage\r\n\r\n"},
        {"another user's profile",
         "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n"
         "Connection: close\r\n\r\n{\"id\":999999}"},
        {"HTML", "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 7\r\n"
                 "Connection: close\r\n\r\n<html/>"},
        {"bad JSON", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 3\r\n"
                     "Connection: close\r\n\r\n{\"i"},
        {"a 500", "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"},
    };
    expect_502_from(false, g, sizeof g / sizeof g[0]);
}

/* The value of header name in the fake's last request into out ("" when absent). */
static void fake_header(struct fake *f, const char *name, char *out, size_t len)
{
    pthread_mutex_lock(&f->mu);
    const char *h = strcasestr(f->last, name);
    out[0] = '\0';
    if (h != NULL && h[strlen(name)] == ':') {
        h += strlen(name) + 2;
        snprintf(out, len, "%.*s", (int)strcspn(h, "\r\n"), h);
    }
    pthread_mutex_unlock(&f->mu);
}

#define TRACE_ID "4bf92f3577b34da6a3ce929d0e0e4736"

/* W3C trace context through the gateway: a valid traceparent is continued with
 * the gateway's span as parent (tracestate along), an invalid or missing one
 * replaced by a new trace; the trace id is in the gateway's error lines. And a
 * service that claims more time than its call took is capped at the call. */
static void test_trace_context_and_capped_timing_through_the_gateway(void **state)
{
    (void)state;
    struct fake f;
    gateway_before_fake(&f, true);
    atomic_store(&f.reply, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                           "Server-Timing: auth;dur=99999.000\r\n"
                           "Server-Timing: total;dur=99999.000\r\n"
                           "Content-Length: 13\r\nConnection: close\r\n\r\n{\"user_id\":1}");
    struct http_response r;
    assert_int_equal(httpc_request(other.gateway.port, "GET", "/profile",
                                   "traceparent: 00-" TRACE_ID "-00f067aa0ba902b7-01\r\n"
                                   "tracestate: congo=t61rcWkgMzE\r\n", &r), 0);
    assert_int_equal(r.status, 200);
    assert_timing(&r, "auth-call", "auth", "auth-service", "profile-call", "db", "render",
                  "profile-service", "total");
    assert_true(timing_ms(&r, "auth") <= timing_ms(&r, "auth-call"));
    assert_true(timing_ms(&r, "auth-service") <= timing_ms(&r, "auth-call"));
    httpc_free(&r);
    char tp[128], ts[128];
    fake_header(&f, "traceparent", tp, sizeof tp);
    fake_header(&f, "tracestate", ts, sizeof ts);
    assert_int_equal(strlen(tp), 55);
    assert_memory_equal(tp, "00-" TRACE_ID "-", 36);
    assert_memory_not_equal(tp + 36, "00f067aa0ba902b7", 16); /* the gateway's own span */
    assert_string_equal(tp + 52, "-01");
    assert_string_equal(ts, "congo=t61rcWkgMzE");

    /* Upper case is no valid traceparent: a new trace, no tracestate. */
    assert_int_equal(httpc_request(other.gateway.port, "GET", "/profile",
                                   "traceparent: 00-4BF92F3577B34DA6A3CE929D0E0E4736-"
                                   "00f067aa0ba902b7-01\r\ntracestate: a=b\r\n", &r), 0);
    httpc_free(&r);
    fake_header(&f, "traceparent", tp, sizeof tp);
    fake_header(&f, "tracestate", ts, sizeof ts);
    assert_int_equal(strlen(tp), 55);
    assert_memory_not_equal(tp + 3, TRACE_ID, 32);
    assert_string_equal(tp + 52, "-00");
    assert_string_equal(ts, "");

    /* An error line names the trace. */
    atomic_store(&f.reply, "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    assert_int_equal(httpc_request(other.gateway.port, "GET", "/profile",
                                   "traceparent: 00-" TRACE_ID "-00f067aa0ba902b7-01\r\n", &r), 0);
    assert_int_equal(r.status, 502);
    assert_timing(&r, "auth-call", "total");
    httpc_free(&r);
    assert_int_equal(proc_stop(&other.gateway), 0);
    fake_stop(&f);
    char *log = proc_slurp(other.log, NULL);
    assert_non_null(log);
    assert_non_null(strstr(log, "trace " TRACE_ID ": auth-service: status 500"));
    free(log);
}

static void test_upstream_503_and_504_carry_over(void **state)
{
    (void)state;
    struct fake f;
    gateway_before_fake(&f, true);
    atomic_store(&f.reply, "HTTP/1.1 503 Busy\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    assert_int_equal(profile(other.gateway.port, NULL), 503);
    atomic_store(&f.reply, "HTTP/1.1 504 Late\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    assert_int_equal(profile(other.gateway.port, NULL), 504);
    assert_int_equal(proc_stop(&other.gateway), 0);
    fake_stop(&f);
}

static void test_unresolvable_upstream_gives_503(void **state)
{
    (void)state;
    other = stack;
    other.gateway.pid = 0;
    char auth_url[128];
    snprintf(auth_url, sizeof auth_url, "http://%s", stack.auth.address);
    assert_int_equal(stack_start_gateway(&other, auth_url, "http://no-such-host.invalid:9102",
                                         TIMEOUT_MS, 1),
                     0);
    int64_t ms;
    assert_int_equal(profile(other.gateway.port, &ms), 503);
    assert_true(ms <= TIMEOUT_MS + SLACK_MS);
    assert_int_equal(proc_stop(&other.gateway), 0);
}

/* A request still waiting for a stopped upstream must not keep the gateway from
 * stopping cleanly (libmicrohttpd aborts on a daemon stopped with suspended
 * connections). */
static void test_gateway_stops_cleanly_with_requests_in_flight(void **state)
{
    (void)state;
    other = stack;
    other.gateway.pid = 0;
    char auth_url[128], profile_url[128];
    snprintf(auth_url, sizeof auth_url, "http://%s", stack.auth.address);
    snprintf(profile_url, sizeof profile_url, "http://%s", stack.profile.address);
    assert_int_equal(stack_start_gateway(&other, auth_url, profile_url, 10000, 1), 0);
    stop_process(stack.auth.pid);
    int fds[3];
    for (int i = 0; i < 3; i++) {
        fds[i] = httpc_connect(other.gateway.port);
        assert_true(fds[i] >= 0);
        char req[512];
        int len = snprintf(req, sizeof req, "GET /profile HTTP/1.1\r\nHost: x\r\n%s\r\n",
                           auth_header);
        assert_int_equal(httpc_send(fds[i], req, (size_t)len), 0);
    }
    sleep_ms(200);
    int rc = proc_stop(&other.gateway);
    kill(stack.auth.pid, SIGCONT);
    for (int i = 0; i < 3; i++)
        close(fds[i]);
    assert_int_equal(rc, 0);
    assert_int_equal(profile_until_200(stack.gateway.port), 200);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_killed_profile_service_gives_503_then_recovers),
        cmocka_unit_test(test_killed_auth_service_gives_503_then_recovers),
        cmocka_unit_test(test_stopped_auth_service_gives_504_within_the_timeout),
        cmocka_unit_test(test_stopped_profile_service_gives_504_within_the_timeout),
        cmocka_unit_test(test_garbage_from_auth_service_gives_502),
        cmocka_unit_test(test_garbage_from_profile_service_gives_502),
        cmocka_unit_test(test_trace_context_and_capped_timing_through_the_gateway),
        cmocka_unit_test(test_upstream_503_and_504_carry_over),
        cmocka_unit_test(test_unresolvable_upstream_gives_503),
        cmocka_unit_test(test_gateway_stops_cleanly_with_requests_in_flight),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
