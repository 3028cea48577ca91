/* The gateway's HTTP/1.1 client (microservices/upstream.c) against a scripted
 * upstream: a listening socket this test drives byte by byte from the same thread
 * as the client's loop, so every split, close and silence happens exactly where the
 * test puts it. Answers split at every byte, chunked, Connection: close, oversized,
 * truncated, slow; a dead pooled connection is retried once on a fresh one, a dead
 * fresh connection is not retried, nor is one that had sent bytes; idle
 * connections are pooled (bounded) and dropped when their server closes them; the
 * request carries Host and the caller's headers and never goes to a proxy; names
 * resolve, and are resolved again after a refused connect. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "../support/stack.h"
#include "../../microservices/upstream.h"

/* ---- the scripted upstream ---- */

static int listen_loopback(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 64), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

/* A port nobody listens on (bound, then closed). */
static int dead_port(void)
{
    int port;
    close(listen_loopback(&port));
    return port;
}

struct result {
    bool done;
    enum upstream_outcome outcome;
    long status;
    size_t body_len;
    char body[128];
    char content_type[64], user_id[32];
};

static void on_done(struct upstream_call *call)
{
    struct result *r = call->data;
    r->done = true;
    r->outcome = call->outcome;
    r->status = call->status;
    r->body_len = call->body_len;
    snprintf(r->body, sizeof r->body, "%s", call->body ? call->body : "");
    const char *ct = upstream_header(call, UPSTREAM_CONTENT_TYPE);
    const char *uid = upstream_header(call, UPSTREAM_X_USER_ID);
    snprintf(r->content_type, sizeof r->content_type, "%s", ct ? ct : "-");
    snprintf(r->user_id, sizeof r->user_id, "%s", uid ? uid : "-");
}

/* One turn of the client's loop: wait for its fd up to ms, then run it. */
static void turn(struct upstream_client *c, int ms)
{
    long t = upstream_client_timeout_ms(c);
    struct pollfd p = {.fd = upstream_client_fd(c), .events = POLLIN};
    poll(&p, 1, t >= 0 && t < ms ? (int)t : ms);
    upstream_client_run(c);
}

/* Turns the loop until the call is done (at most about 5 s). */
static void wait_done(struct upstream_client *c, const struct result *r)
{
    for (int i = 0; i < 500 && !r->done; i++)
        turn(c, 10);
    assert_true(r->done);
}

/* Accepts a connection (turning the client's loop meanwhile, so that its connect
 * and send proceed), or returns -1 after about ms. */
static int accept_within(struct upstream_client *c, int lfd, int ms)
{
    uint64_t end = clock_now_us() + (uint64_t)ms * 1000u;
    do {
        struct pollfd p = {.fd = lfd, .events = POLLIN};
        if (poll(&p, 1, 0) == 1)
            return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        turn(c, 2);
    } while (clock_now_us() < end);
    return -1;
}

/* Reads one request (up to its blank line) from fd into buf, turning the client's
 * loop meanwhile; asserts it arrived. */
static void read_request(struct upstream_client *c, int fd, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < 500 && strstr(buf, "\r\n\r\n") == NULL; i++) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 0) == 1) {
            ssize_t k = recv(fd, buf + n, cap - 1 - n, 0);
            assert_true(k > 0);
            n += (size_t)k;
            buf[n] = '\0';
        } else {
            turn(c, 5);
        }
    }
    assert_non_null(strstr(buf, "\r\n\r\n"));
}

static void send_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t k = send(fd, data, len, MSG_NOSIGNAL);
        assert_true(k > 0);
        data += k;
        len -= (size_t)k;
    }
}

/* ---- fixtures ---- */

struct fixture {
    int lfd, port;
    struct upstream_target *target;
    struct upstream_client *client;
    struct upstream_call call;
    struct result r;
};

static struct fixture *fixture_new(const char *path_prefix, unsigned max_idle)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->lfd = listen_loopback(&f->port);
    char url[128], err[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", f->port, path_prefix);
    f->target = upstream_target_new(url, NULL, err, sizeof err);
    assert_non_null(f->target);
    f->client = upstream_client_new(max_idle, err, sizeof err);
    assert_non_null(f->client);
    return f;
}

static void fixture_free(struct fixture *f)
{
    upstream_cancel(&f->call);
    upstream_client_free(f->client);
    upstream_target_free(f->target);
    close(f->lfd);
    free(f);
}

static void start(struct fixture *f, long timeout_ms)
{
    static const char headers[] = "X-Request-Id: abc\r\n";
    memset(&f->r, 0, sizeof f->r);
    f->call.target = f->target;
    f->call.path = "/v1/verify";
    f->call.headers = headers;
    f->call.headers_len = sizeof headers - 1;
    f->call.timeout_ms = timeout_ms;
    f->call.done = on_done;
    f->call.data = &f->r;
    assert_int_equal(upstream_start(f->client, &f->call), 0);
}

static const char OK_ANSWER[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                "X-User-Id: 7\r\nContent-Length: 13\r\n\r\n{\"user_id\":7}";

static void expect_ok(const struct result *r, const char *body)
{
    if (r->outcome != UPSTREAM_OK)
        fail_msg("outcome %s", upstream_outcome_name(r->outcome));
    assert_int_equal(r->status, 200);
    assert_string_equal(r->body, body);
    assert_int_equal(r->body_len, strlen(body));
}

/* Accepts the client's next connection and reads its request into req. */
static int accept_request(struct fixture *f, char *req, size_t cap)
{
    int fd = accept_within(f->client, f->lfd, 2000);
    assert_true(fd >= 0);
    read_request(f->client, fd, req, cap);
    return fd;
}

/* Answers OK_ANSWER on fd and checks the call got it. */
static void answer_ok(struct fixture *f, int fd)
{
    send_all(fd, OK_ANSWER, sizeof OK_ANSWER - 1);
    wait_done(f->client, &f->r);
    expect_ok(&f->r, "{\"user_id\":7}");
}

/* One call answered with OK_ANSWER on connection *fd (accepted when -1). */
static void call_ok(struct fixture *f, int *fd)
{
    char req[2048];
    start(f, 2000);
    if (*fd < 0)
        *fd = accept_request(f, req, sizeof req);
    else
        read_request(f->client, *fd, req, sizeof req);
    answer_ok(f, *fd);
}

/* ---- tests ---- */

static void test_answer_split_at_every_byte_on_one_connection(void **state)
{
    (void)state;
    struct fixture *f = fixture_new("", 8);
    int fd = -1;
    char req[2048];
    size_t len = sizeof OK_ANSWER - 1;
    for (size_t k = 0; k <= len; k++) {
        start(f, 2000);
        if (fd < 0)
            fd = accept_within(f->client, f->lfd, 2000);
        assert_true(fd >= 0);
        read_request(f->client, fd, req, sizeof req);
        send_all(fd, OK_ANSWER, k);
        turn(f->client, 20); /* the client reads exactly the first k bytes */
        assert_false(f->r.done && k < len);
        send_all(fd, OK_ANSWER + k, len - k);
        wait_done(f->client, &f->r);
        expect_ok(&f->r, "{\"user_id\":7}");
        assert_string_equal(f->r.content_type, "application/json");
        assert_string_equal(f->r.user_id, "7");
    }
    /* Every call went over the one keep-alive connection. */
    assert_int_equal(upstream_client_connects(f->client), 1);
    assert_int_equal(upstream_client_idle(f->client, f->target), 1);
    close(fd);
    fixture_free(f);
}

static void test_chunked_answer_in_pieces(void **state)
{
    (void)state;
    struct fixture *f = fixture_new("", 8);
    static const char *pieces[] = {
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n",
        "5;ext=1\r\n{\"id\"", "\r\n", "3\r\n:42\r\n", "1\r\n}\r\n0\r\n", "X-Trailer: t\r\n\r\n"};
    char req[2048];
    start(f, 2000);
    int fd = accept_within(f->client, f->lfd, 2000);
    read_request(f->client, fd, req, sizeof req);
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
        send_all(fd, pieces[i], strlen(pieces[i]));
        turn(f->client, 10);
    }
    wait_done(f->client, &f->r);
    expect_ok(&f->r, "{\"id\":42}");
    assert_int_equal(upstream_client_idle(f->client, f->target), 1);
    close(fd);
    fixture_free(f);
}

static void test_connection_close_answer_is_not_reused(void **state)
{
    (void)state;
    struct fixture *f = fixture_new("", 8);
    static const char answer[] = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok";
    char req[2048];
    for (int i = 0; i < 2; i++) {
        start(f, 2000);
        int fd = accept_within(f->client, f->lfd, 2000);
        assert_true(fd >= 0);
        read_request(f->client, fd, req, sizeof req);
        send_all(fd, answer, sizeof answer - 1);
        wait_done(f->client, &f->r);
        expect_ok(&f->r, "ok");
        assert_int_equal(upstream_client_idle(f->client, f->target), 0);
        close(fd);
    }
    assert_int_equal(upstream_client_connects(f->client), 2);
    fixture_free(f);
}

static void expect_bad_answer(const char *answer, size_t len, bool close_after)
{
    struct fixture *f = fixture_new("", 8);
    char req[2048];
    start(f, 2000);
    int fd = accept_within(f->client, f->lfd, 2000);
    read_request(f->client, fd, req, sizeof req);
    send_all(fd, answer, len);
    if (close_after)
        close(fd);
    wait_done(f->client, &f->r);
    if (f->r.outcome != UPSTREAM_BAD_RESPONSE)
        fail_msg("%.40s...: outcome %s", answer, upstream_outcome_name(f->r.outcome));
    assert_int_equal(upstream_client_idle(f->client, f->target), 0);
    if (!close_after)
        close(fd);
    fixture_free(f);
}

static void test_oversized_answers_are_refused(void **state)
{
    (void)state;
    char head[256];
    int n = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n",
                     UPSTREAM_MAX_BODY + 1);
    expect_bad_answer(head, (size_t)n, false); /* refused before the body comes */
    static const char chunked[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                  "10001\r\n";
    expect_bad_answer(chunked, sizeof chunked - 1, false);
    /* A body until the close that runs past the cap. */
    size_t big = UPSTREAM_MAX_BODY + 100;
    char *until_close = malloc(big + 64);
    assert_non_null(until_close);
    n = snprintf(until_close, 64, "HTTP/1.1 200 OK\r\n\r\n");
    memset(until_close + n, 'x', big);
    expect_bad_answer(until_close, (size_t)n + big, true);
    free(until_close);
}

static void test_exactly_the_cap_is_accepted(void **state)
{
    (void)state;
    struct fixture *f = fixture_new("", 8);
    char *answer = malloc(UPSTREAM_MAX_BODY + 128);
    assert_non_null(answer);
    int n = snprintf(answer, 128, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n",
                     UPSTREAM_MAX_BODY);
    memset(answer + n, 'y', UPSTREAM_MAX_BODY);
    char req[2048];
    start(f, 2000);
    int fd = accept_within(f->client, f->lfd, 2000);
    read_request(f->client, fd, req, sizeof req);
    send_all(fd, answer, (size_t)n + UPSTREAM_MAX_BODY);
    wait_done(f->client, &f->r);
    assert_int_equal(f->r.outcome, UPSTREAM_OK);
    assert_int_equal(f->r.body_len, UPSTREAM_MAX_BODY);
    free(answer);
    close(fd);
    fixture_free(f);
}

static void test_garbage_and_truncated_answers_are_bad(void **state)
{
    (void)state;
    static const char garbage[] = "HELLO THERE\r\n\r\n";
    expect_bad_answer(garbage, sizeof garbage - 1, false);
    static const char truncated[] = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"user_id\":";
    expect_bad_answer(truncated, sizeof truncated - 1, true);
    static const char cut_chunk[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab";
    expect_bad_answer(cut_chunk, sizeof cut_chunk - 1, true);
    static const char headers_only[] = "HTTP/1.1 200 OK\r\nContent-Le";
    expect_bad_answer(headers_only, sizeof headers_only - 1, true);
}

static void test_slow_upstream(void **state)
{
    (void)state;
    struct fixture *f = fixture_new("", 8);
    char req[2048];
    /* Slow but within the time limit: one byte every few milliseconds. */
    start(f, 5000);
    int fd = accept_within(f->client, f->lfd, 2000);
    read_request(f->client, fd, req, sizeof req);
    for (size_t i = 0; i < sizeof OK_ANSWER - 1; i++) {
        send_all(fd, OK_ANSWER + i, 1);
        turn(f->client, 1);
    }
    wait_done(f->client, &f->r);
    expect_ok(&f->r, "{\"user_id\":7}");
    /* Silent after the headers: the time limit ends it, and the connection (whose
     * answer may still come) is not kept. */
    uint64_t t0 = clock_now_us();
    start(f, 150);
    read_request(f->client, fd, req, sizeof req);
    send_all(fd, "HTTP/1.1 200 OK\r\n", 17);
    wait_done(f->client, &f->r);
    assert_int_equal(f->r.outcome, UPSTREAM_TIMEOUT);
    assert_true(clock_now_us() - t0 >= 150000);
    assert_int_equal(upstream_client_idle(f->client, f->target), 0);
    close(fd);
    fixture_free(f);
}

/* The second call goes out on the pooled connection; the server reads it and
 * closes without a byte of answer (a restarted upstream, or one that closed an
 * idle connection just as the call went out). */
static void test_dead_pooled_connection_is_retried_once_on_a_fresh_one(void **state)
{
    (void)state;
    struct fixture *f = fixture_new("", 8);
    int fd = -1;
    char req[2048], again[2048];
    call_ok(f, &fd);
    start(f, 2000);
    read_request(f->client, fd, req, sizeof req);
    close(fd);
    int fresh = accept_request(f, again, sizeof again);
    assert_string_equal(req, again); /* the same request, once more */
    answer_ok(f, fresh);
    assert_int_equal(upstream_client_connects(f->client), 2);
    close(fresh);
    fixture_free(f);
}

/* The server closed its end while the client's loop was not running, so the
 * client finds out only when it uses the connection. */
static void test_connection_closed_while_idle_is_retried(void **state)
{
    (void)state;
    struct fixture *f = fixture_new("", 8);
    int fd = -1;
    char req[2048];
    call_ok(f, &fd);
    close(fd);
    start(f, 2000); /* the send may even succeed: the close is not known yet */
    int fresh = accept_request(f, req, sizeof req);
    answer_ok(f, fresh);
    close(fresh);
    fixture_free(f);
}

static void test_retry_happens_at_most_once(void **state)
{
    (void)state;
    struct fixture *f = fixture_new("", 8);
    int fd = -1;
    char req[2048];
    call_ok(f, &fd);
    start(f, 2000);
    read_request(f->client, fd, req, sizeof req);
    close(fd);
    int fresh = accept_request(f, req, sizeof req);
    close(fresh); /* the fresh connection dies too */
    wait_done(f->client, &f->r);
    assert_int_equal(f->r.outcome, UPSTREAM_BAD_RESPONSE);
    assert_int_equal(accept_within(f->client, f->lfd, 200), -1); /* no third try */
    assert_int_equal(upstream_client_connects(f->client), 2);
    fixture_free(f);
}

static void test_dead_fresh_connection_is_not_retried(void **state)
{
    (void)state;
    struct fixture *f = fixture_new("", 8);
    char req[2048];
    start(f, 2000);
    int fd = accept_within(f->client, f->lfd, 2000);
    read_request(f->client, fd, req, sizeof req);
    close(fd);
    wait_done(f->client, &f->r);
    assert_int_equal(f->r.outcome, UPSTREAM_BAD_RESPONSE);
    assert_int_equal(accept_within(f->client, f->lfd, 200), -1);
    assert_int_equal(upstream_client_connects(f->client), 1);
    fixture_free(f);
}

static void test_pooled_connection_that_sent_bytes_is_not_retried(void **state)
{
    (void)state;
    struct fixture *f = fixture_new("", 8);
    int fd = -1;
    char req[2048];
    call_ok(f, &fd);
    start(f, 2000);
    read_request(f->client, fd, req, sizeof req);
    send_all(fd, "HTTP/1.1 200 OK\r\nContent-", 26);
    turn(f->client, 20);
    close(fd);
    wait_done(f->client, &f->r);
    assert_int_equal(f->r.outcome, UPSTREAM_BAD_RESPONSE);
    assert_int_equal(accept_within(f->client, f->lfd, 200), -1);
    fixture_free(f);
}

static void test_nobody_listening_is_refused(void **state)
{
    (void)state;
    char url[64], err[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", dead_port());
    struct upstream_target *t = upstream_target_new(url, NULL, err, sizeof err);
    struct upstream_client *c = upstream_client_new(8, err, sizeof err);
    assert_non_null(t);
    assert_non_null(c);
    struct result r = {0};
    struct upstream_call call = {.target = t, .path = "/", .timeout_ms = 2000,
                                 .done = on_done, .data = &r};
    assert_int_equal(upstream_start(c, &call), 0);
    assert_false(r.done); /* never from inside upstream_start */
    wait_done(c, &r);
    assert_int_equal(r.outcome, UPSTREAM_REFUSED);
    upstream_cancel(&call);
    upstream_client_free(c);
    upstream_target_free(t);
}

static void test_idle_connection_closed_by_its_server_is_dropped(void **state)
{
    (void)state;
    struct fixture *f = fixture_new("", 8);
    int fd = -1;
    call_ok(f, &fd);
    assert_int_equal(upstream_client_idle(f->client, f->target), 1);
    close(fd);
    for (int i = 0; i < 100 && upstream_client_idle(f->client, f->target) > 0; i++)
        turn(f->client, 10);
    assert_int_equal(upstream_client_idle(f->client, f->target), 0);
    fixture_free(f);
}

static void test_idle_pool_is_bounded(void **state)
{
    (void)state;
    struct fixture *f = fixture_new("", 2);
    struct upstream_call calls[4];
    struct result r[4];
    int fds[4];
    char req[2048];
    memset(calls, 0, sizeof calls);
    memset(r, 0, sizeof r);
    for (int i = 0; i < 4; i++) {
        calls[i] = (struct upstream_call){.target = f->target, .path = "/x", .timeout_ms = 2000,
                                          .done = on_done, .data = &r[i]};
        assert_int_equal(upstream_start(f->client, &calls[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        fds[i] = accept_within(f->client, f->lfd, 2000);
        assert_true(fds[i] >= 0);
        read_request(f->client, fds[i], req, sizeof req);
        send_all(fds[i], OK_ANSWER, sizeof OK_ANSWER - 1);
    }
    for (int i = 0; i < 4; i++) {
        wait_done(f->client, &r[i]);
        assert_int_equal(r[i].outcome, UPSTREAM_OK);
    }
    assert_int_equal(upstream_client_connects(f->client), 4);
    assert_int_equal(upstream_client_idle(f->client, f->target), 2);
    for (int i = 0; i < 4; i++) {
        upstream_cancel(&calls[i]);
        close(fds[i]);
    }
    fixture_free(f);
}

static void test_cancelled_call_does_not_leave_its_connection_in_the_pool(void **state)
{
    (void)state;
    struct fixture *f = fixture_new("", 8);
    char req[2048];
    start(f, 2000);
    int fd = accept_within(f->client, f->lfd, 2000);
    read_request(f->client, fd, req, sizeof req);
    upstream_cancel(&f->call);
    send_all(fd, OK_ANSWER, sizeof OK_ANSWER - 1); /* the answer nobody wants */
    turn(f->client, 10);
    assert_false(f->r.done);
    assert_int_equal(upstream_client_idle(f->client, f->target), 0);
    int fresh = -1;
    call_ok(f, &fresh); /* a new connection, not the one with a stale answer */
    assert_int_equal(upstream_client_connects(f->client), 2);
    close(fd);
    close(fresh);
    fixture_free(f);
}

static void test_request_has_host_path_and_headers_and_no_proxy(void **state)
{
    (void)state;
    int proxy_port;
    int proxy = listen_loopback(&proxy_port);
    char proxy_url[64];
    snprintf(proxy_url, sizeof proxy_url, "http://127.0.0.1:%d", proxy_port);
    const char *vars[] = {"http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"};
    for (size_t i = 0; i < 4; i++)
        setenv(vars[i], proxy_url, 1);
    struct fixture *f = fixture_new("/api//", 8);
    int fd = accept_within(f->client, f->lfd, 0);
    assert_int_equal(fd, -1);
    char req[2048], want[256];
    start(f, 2000);
    fd = accept_within(f->client, f->lfd, 2000);
    assert_true(fd >= 0);
    read_request(f->client, fd, req, sizeof req);
    snprintf(want, sizeof want,
             "GET /api/v1/verify HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Request-Id: abc\r\n\r\n",
             f->port);
    assert_string_equal(req, want);
    send_all(fd, OK_ANSWER, sizeof OK_ANSWER - 1);
    wait_done(f->client, &f->r);
    expect_ok(&f->r, "{\"user_id\":7}");
    struct pollfd p = {.fd = proxy, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 0), 0); /* the proxy saw nothing */
    for (size_t i = 0; i < 4; i++)
        unsetenv(vars[i]);
    close(proxy);
    close(fd);
    fixture_free(f);
}

static void test_upstream_given_by_name(void **state)
{
    (void)state;
    int port;
    int lfd = listen_loopback(&port);
    char host[256], url[300], err[256], req[2048];
    snprintf(url, sizeof url, "http://%s:%d", stack_loopback_name(host, sizeof host), port);
    struct upstream_target *t = upstream_target_new(url, NULL, err, sizeof err);
    assert_non_null(t);
    struct upstream_client *c = upstream_client_new(8, err, sizeof err);
    struct result r = {0};
    struct upstream_call call = {.target = t, .path = "/v1/verify", .timeout_ms = 2000,
                                 .done = on_done, .data = &r};
    assert_int_equal(upstream_start(c, &call), 0);
    int fd = accept_within(c, lfd, 2000);
    assert_true(fd >= 0);
    read_request(c, fd, req, sizeof req);
    char host_line[300];
    snprintf(host_line, sizeof host_line, "\r\nHost: %s:%d\r\n", host, port);
    assert_non_null(strstr(req, host_line));
    send_all(fd, OK_ANSWER, sizeof OK_ANSWER - 1);
    wait_done(c, &r);
    expect_ok(&r, "{\"user_id\":7}");
    upstream_cancel(&call);
    close(fd);
    upstream_client_free(c);
    upstream_target_free(t);
    close(lfd);
}

/* A resolver under the test's control: "moving.test" first resolves to a port
 * nobody listens on, then (from the second resolution on) to a live one. */
static int moved_from, moved_to;
static unsigned resolved;

static int moving_resolver(const char *host, const char *port, struct sockaddr_storage *addrs,
                           socklen_t *lens, unsigned max, char *err, size_t errlen)
{
    (void)port;
    (void)max;
    if (strcmp(host, "moving.test") != 0) {
        snprintf(err, errlen, "unknown host");
        return -1;
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    a.sin_port = htons((uint16_t)(resolved++ == 0 ? moved_from : moved_to));
    memcpy(&addrs[0], &a, sizeof a);
    lens[0] = sizeof a;
    return 1;
}

static void test_name_is_resolved_again_after_a_refused_connect(void **state)
{
    (void)state;
    moved_from = dead_port();
    int lfd = listen_loopback(&moved_to);
    char err[256], req[2048];
    struct upstream_target *t = upstream_target_new("http://moving.test", moving_resolver,
                                                    err, sizeof err);
    assert_non_null(t);
    assert_int_equal(upstream_target_resolutions(t), 1);
    struct upstream_client *c = upstream_client_new(8, err, sizeof err);
    struct result r = {0};
    struct upstream_call call = {.target = t, .path = "/", .timeout_ms = 2000,
                                 .done = on_done, .data = &r};
    assert_int_equal(upstream_start(c, &call), 0);
    wait_done(c, &r);
    assert_int_equal(r.outcome, UPSTREAM_REFUSED);
    for (int i = 0; i < 300 && upstream_target_resolutions(t) < 2; i++)
        turn(c, 10);
    assert_int_equal(upstream_target_resolutions(t), 2); /* on the helper thread */
    memset(&r, 0, sizeof r);
    assert_int_equal(upstream_start(c, &call), 0);
    int fd = accept_within(c, lfd, 2000);
    assert_true(fd >= 0);
    read_request(c, fd, req, sizeof req);
    send_all(fd, OK_ANSWER, sizeof OK_ANSWER - 1);
    wait_done(c, &r);
    expect_ok(&r, "{\"user_id\":7}");
    upstream_cancel(&call);
    close(fd);
    upstream_client_free(c);
    upstream_target_free(t);
    close(lfd);
}

static int no_address(const char *host, const char *port, struct sockaddr_storage *addrs,
                      socklen_t *lens, unsigned max, char *err, size_t errlen)
{
    (void)host, (void)port, (void)addrs, (void)lens, (void)max;
    snprintf(err, errlen, "Name or service not known");
    return -1;
}

static void test_name_that_does_not_resolve_is_refused(void **state)
{
    (void)state;
    char err[256];
    struct upstream_target *t = upstream_target_new("http://nowhere.test:80", no_address, err,
                                                    sizeof err);
    assert_non_null(t); /* it may resolve later */
    struct upstream_client *c = upstream_client_new(8, err, sizeof err);
    struct result r = {0};
    struct upstream_call call = {.target = t, .path = "/", .timeout_ms = 2000,
                                 .done = on_done, .data = &r};
    assert_int_equal(upstream_start(c, &call), 0);
    wait_done(c, &r);
    assert_int_equal(r.outcome, UPSTREAM_REFUSED);
    upstream_cancel(&call);
    upstream_client_free(c);
    upstream_target_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answer_split_at_every_byte_on_one_connection),
        cmocka_unit_test(test_chunked_answer_in_pieces),
        cmocka_unit_test(test_connection_close_answer_is_not_reused),
        cmocka_unit_test(test_oversized_answers_are_refused),
        cmocka_unit_test(test_exactly_the_cap_is_accepted),
        cmocka_unit_test(test_garbage_and_truncated_answers_are_bad),
        cmocka_unit_test(test_slow_upstream),
        cmocka_unit_test(test_dead_pooled_connection_is_retried_once_on_a_fresh_one),
        cmocka_unit_test(test_connection_closed_while_idle_is_retried),
        cmocka_unit_test(test_retry_happens_at_most_once),
        cmocka_unit_test(test_dead_fresh_connection_is_not_retried),
        cmocka_unit_test(test_pooled_connection_that_sent_bytes_is_not_retried),
        cmocka_unit_test(test_nobody_listening_is_refused),
        cmocka_unit_test(test_idle_connection_closed_by_its_server_is_dropped),
        cmocka_unit_test(test_idle_pool_is_bounded),
        cmocka_unit_test(test_cancelled_call_does_not_leave_its_connection_in_the_pool),
        cmocka_unit_test(test_request_has_host_path_and_headers_and_no_proxy),
        cmocka_unit_test(test_upstream_given_by_name),
        cmocka_unit_test(test_name_is_resolved_again_after_a_refused_connect),
        cmocka_unit_test(test_name_that_does_not_resolve_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
