/* Unit tests of the function's Runtime API client (serverless/function/runtime.c)
 * against a scripted Runtime API in a thread: what goes on the wire for each
 * call, with the URLs the client keeps pre-parsed between invocations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "../../serverless/function/runtime.h"

/* The scripted platform: for each connection, a NULL-terminated list of
 * answers, one per request; HANG_UP closes the connection after reading the
 * request, without a word. */
static const char HANG_UP[] = "";
#define MAX_REQUESTS 8
struct platform {
    int listener;
    const char *const *script[2]; /* per accepted connection */
    char requests[MAX_REQUESTS][256]; /* request lines received, in order */
    int nrequests;
};

static const char NEXT_ANSWER[] = "HTTP/1.1 200 OK\r\n"
                                  "Lambda-Runtime-Aws-Request-Id: rid-%d\r\n"
                                  "Lambda-Runtime-Deadline-Ms: 4102444800000\r\n"
                                  "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:x\r\n"
                                  "Content-Length: 7\r\n\r\n{\"n\":%d}";
static const char ACCEPTED[] = "HTTP/1.1 202 Accepted\r\nContent-Length: 15\r\n\r\n"
                               "{\"status\":\"OK\"}";

/* Reads one request (head and Content-Length body); its first line goes to
 * p->requests. 0, or -1 when the connection ended first. */
static int read_request(struct platform *p, int fd)
{
    char buf[8192];
    size_t len = 0;
    char *end = NULL;
    while (end == NULL) {
        ssize_t n = recv(fd, buf + len, sizeof buf - 1 - len, 0);
        if (n <= 0)
            return -1;
        len += (size_t)n;
        buf[len] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    const char *cl = strcasestr(buf, "\r\nContent-Length:");
    size_t body = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
    while (len < (size_t)(end + 4 - buf) + body) {
        ssize_t n = recv(fd, buf + len, sizeof buf - 1 - len, 0);
        if (n <= 0)
            return -1;
        len += (size_t)n;
    }
    if (p->nrequests < MAX_REQUESTS)
        snprintf(p->requests[p->nrequests++], sizeof p->requests[0], "%.*s",
                 (int)strcspn(buf, "\r\n"), buf);
    return 0;
}

static void *platform_main(void *arg)
{
    struct platform *p = arg;
    for (int c = 0; c < 2 && p->script[c] != NULL; c++) {
        int fd = accept(p->listener, NULL, NULL);
        if (fd < 0)
            return NULL;
        struct timeval tv = {.tv_sec = 5};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        for (int i = 0; p->script[c][i] != NULL; i++) {
            const char *answer = p->script[c][i];
            if (read_request(p, fd) != 0 || answer == HANG_UP)
                break;
            char out[1024];
            int n = snprintf(out, sizeof out, answer, p->nrequests, p->nrequests);
            if (send(fd, out, (size_t)n, MSG_NOSIGNAL) != n)
                break;
        }
        close(fd);
    }
    return NULL;
}

static void platform_start(struct platform *p, pthread_t *thread)
{
    p->listener = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(p->listener >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    assert_int_equal(bind(p->listener, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(p->listener, 4), 0);
    assert_int_equal(getsockname(p->listener, (struct sockaddr *)&a, &alen), 0);
    char api[64];
    snprintf(api, sizeof api, "127.0.0.1:%u", ntohs(a.sin_port));
    setenv("AWS_LAMBDA_RUNTIME_API", api, 1);
    assert_int_equal(pthread_create(thread, NULL, platform_main, p), 0);
}

static void platform_stop(struct platform *p, pthread_t thread)
{
    shutdown(p->listener, SHUT_RDWR);
    pthread_join(thread, NULL);
    close(p->listener);
}

/* The scripted platform started, and a client of it, with its first invocation. */
static struct runtime *client_start(struct platform *p, pthread_t *thread,
                                    struct runtime_invocation *inv)
{
    platform_start(p, thread);
    char err[256];
    struct runtime *rt = runtime_open(err, sizeof err);
    if (rt == NULL)
        fail_msg("runtime_open: %s", err);
    if (runtime_next(rt, inv, err, sizeof err) != 0)
        fail_msg("runtime_next: %s", err);
    assert_string_equal(inv->request_id, "rid-1");
    return rt;
}

static void client_stop(struct runtime *rt, struct platform *p, pthread_t thread)
{
    runtime_close(rt);
    platform_stop(p, thread);
}

/* Three invocations on one connection: each request goes to its own URL, though
 * the client only changes a path in a URL parsed once. */
static void test_each_call_goes_to_its_url(void **state)
{
    (void)state;
    static const char *const conn[] = {NEXT_ANSWER, ACCEPTED, NEXT_ANSWER, ACCEPTED,
                                       NEXT_ANSWER, ACCEPTED, NULL};
    struct platform p = {.script = {conn, NULL}};
    pthread_t thread;
    struct runtime_invocation inv;
    struct runtime *rt = client_start(&p, &thread, &inv);
    char err[256];
    for (int i = 0; i < 3; i++) {
        char want[32];
        snprintf(want, sizeof want, "rid-%d", 2 * i + 1);
        assert_string_equal(inv.request_id, want);
        snprintf(want, sizeof want, "{\"n\":%d}", 2 * i + 1);
        assert_string_equal(inv.event, want);
        long st = runtime_respond(rt, inv.request_id, "{}", 2, err, sizeof err);
        if (st != 202)
            fail_msg("respond: %ld %s", st, err);
        if (i < 2 && runtime_next(rt, &inv, err, sizeof err) != 0)
            fail_msg("runtime_next: %s", err);
    }
    client_stop(rt, &p, thread);
    assert_int_equal(p.nrequests, 6);
    for (int i = 0; i < 3; i++) {
        char want[128];
        assert_string_equal(p.requests[2 * i], "GET /2018-06-01/runtime/invocation/next HTTP/1.1");
        snprintf(want, sizeof want, "POST /2018-06-01/runtime/invocation/rid-%d/response HTTP/1.1",
                 2 * i + 1);
        assert_string_equal(p.requests[2 * i + 1], want);
    }
}

/* The platform closes the kept-alive connection when the response arrives,
 * without answering: libcurl sends the request again on a new connection, and it
 * must go to the response URL, not to the previous call's. */
static void test_a_request_sent_again_keeps_its_url(void **state)
{
    (void)state;
    static const char *const first[] = {NEXT_ANSWER, HANG_UP, NULL};
    static const char *const second[] = {ACCEPTED, NULL};
    struct platform p = {.script = {first, second}};
    pthread_t thread;
    struct runtime_invocation inv;
    struct runtime *rt = client_start(&p, &thread, &inv);
    char err[256];
    long st = runtime_respond(rt, inv.request_id, "{}", 2, err, sizeof err);
    if (st != 202)
        fail_msg("respond: %ld %s", st, err);
    client_stop(rt, &p, thread);
    assert_int_equal(p.nrequests, 3);
    assert_string_equal(p.requests[1], "POST /2018-06-01/runtime/invocation/rid-1/response HTTP/1.1");
    assert_string_equal(p.requests[2], "POST /2018-06-01/runtime/invocation/rid-1/response HTTP/1.1");
}

/* An error report and an init error go to their own paths after a next. */
static void test_errors_go_to_their_urls(void **state)
{
    (void)state;
    static const char *const conn[] = {NEXT_ANSWER, ACCEPTED, ACCEPTED, NULL};
    struct platform p = {.script = {conn, NULL}};
    pthread_t thread;
    struct runtime_invocation inv;
    struct runtime *rt = client_start(&p, &thread, &inv);
    char err[256];
    assert_int_equal(runtime_fail(rt, inv.request_id, "Runtime.X", "m", err, sizeof err), 202);
    assert_int_equal(runtime_init_error(rt, "Runtime.Y", "m", err, sizeof err), 202);
    client_stop(rt, &p, thread);
    assert_int_equal(p.nrequests, 3);
    assert_string_equal(p.requests[1], "POST /2018-06-01/runtime/invocation/rid-1/error HTTP/1.1");
    assert_string_equal(p.requests[2], "POST /2018-06-01/runtime/init/error HTTP/1.1");
}

static void test_runtime_api_must_be_host_and_port(void **state)
{
    (void)state;
    char err[256];
    unsetenv("AWS_LAMBDA_RUNTIME_API");
    assert_null(runtime_open(err, sizeof err));
    assert_non_null(strstr(err, "AWS_LAMBDA_RUNTIME_API"));
    setenv("AWS_LAMBDA_RUNTIME_API", "not a host:port", 1);
    assert_null(runtime_open(err, sizeof err));
    assert_non_null(strstr(err, "AWS_LAMBDA_RUNTIME_API"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_call_goes_to_its_url),
        cmocka_unit_test(test_a_request_sent_again_keeps_its_url),
        cmocka_unit_test(test_errors_go_to_their_urls),
        cmocka_unit_test(test_runtime_api_must_be_host_and_port),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
