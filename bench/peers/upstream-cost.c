/* upstream-cost: the client-side CPU of one service-to-service HTTP call, made the
 * gateway's way (microservices/upstream.c: libcurl's multi interface driven from
 * epoll) and made with the fewest system calls a client can use (one send and one
 * recv on a kept-alive socket, the response framed by loadgen's parser). The
 * difference is what libcurl costs per call, the figure that bounds the gateway
 * from below (docs/microservices.md).
 *
 *   upstream-cost [-n CALLS] [-k INFLIGHT] raw|curl URL
 *
 * Keeps INFLIGHT calls running on as many keep-alive connections until CALLS have
 * finished, all answered 200, and prints one line:
 *   MODE calls=N inflight=K user_us=U sys_us=S per call
 * CPU is this thread's (RUSAGE_THREAD): run the server on another CPU. */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http_response.h"
#include "opts.h"
#include "upstream.h"

#define PROG "upstream-cost"

static void die(const char *what)
{
    fprintf(stderr, PROG ": %s\n", what);
    exit(1);
}

static void thread_cpu_us(double *user, double *sys)
{
    struct rusage r;
    getrusage(RUSAGE_THREAD, &r);
    *user = (double)r.ru_utime.tv_sec * 1e6 + (double)r.ru_utime.tv_usec;
    *sys = (double)r.ru_stime.tv_sec * 1e6 + (double)r.ru_stime.tv_usec;
}

/* The gateway's request headers: a bearer token and a request id. */
static const char TOKEN_HEADER[] = "Authorization: Bearer 6q2vY0pXh1u4Qk0cJm8Zr3Wb7Tn5Ls9A";
static const char ID_HEADER[] = "X-Request-Id: 9f1c2a7e4b3d8f60";

/* ---- the gateway's client ---- */

static unsigned curl_left, curl_done;

static void on_done(struct upstream_call *call)
{
    if (call->outcome != UPSTREAM_OK || call->status != 200)
        die("a call failed (is the server answering 200?)");
    curl_done++;
    if (curl_left > 0) {
        curl_left--;
        if (upstream_start(call->client, call) != 0)
            die("upstream_start failed");
    }
}

static void run_curl(const char *url, unsigned n, unsigned k)
{
    char err[256];
    struct upstream_client *c = upstream_client_new((long)k, err, sizeof err);
    if (c == NULL)
        die(err);
    struct curl_slist *h = curl_slist_append(NULL, TOKEN_HEADER);
    h = curl_slist_append(h, ID_HEADER);
    struct upstream_call *calls = calloc(k, sizeof *calls);
    if (h == NULL || calls == NULL)
        die("out of memory");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN};
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, upstream_client_fd(c), &ev) != 0)
        die(strerror(errno));
    curl_left = n - k;
    for (unsigned i = 0; i < k; i++) {
        calls[i] = (struct upstream_call){
            .url = url, .headers = h, .timeout_ms = 5000, .done = on_done};
        if (upstream_start(c, &calls[i]) != 0)
            die("upstream_start failed");
    }
    while (curl_done < n) {
        long t = upstream_client_timeout_ms(c);
        if (epoll_wait(ep, &ev, 1, t < 0 ? 1000 : (int)t) < 0 && errno != EINTR)
            die(strerror(errno));
        upstream_client_run(c);
    }
    for (unsigned i = 0; i < k; i++)
        free(calls[i].body);
    free(calls);
    curl_slist_free_all(h);
    upstream_client_free(c);
    close(ep);
}

/* ---- the floor: send and recv on kept-alive sockets ---- */

struct raw_conn {
    int fd;
    struct http_response_parser http; /* loadgen's response parser */
};

static void run_raw(const char *url, unsigned n, unsigned k)
{
    char host[256], port[16] = "80", path[1024] = "/";
    if (sscanf(url, "http://%255[^:/]:%15[0-9]%1023s", host, port, path) < 2 &&
        sscanf(url, "http://%255[^:/]%1023s", host, path) < 1)
        die("raw mode takes http://HOST[:PORT]/PATH");
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai;
    if (getaddrinfo(host, port, &hints, &ai) != 0)
        die("cannot resolve the host");
    char req[2048];
    int reqlen = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s:%s\r\n%s\r\n%s\r\n\r\n",
                          path, host, port, TOKEN_HEADER, ID_HEADER);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct raw_conn *conns = calloc(k, sizeof *conns);
    if (ep < 0 || conns == NULL)
        die("out of memory");
    for (unsigned i = 0; i < k; i++) {
        int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0)
            die("cannot connect");
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        conns[i].fd = fd;
        http_response_reset(&conns[i].http);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &conns[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        if (send(fd, req, (size_t)reqlen, MSG_NOSIGNAL) != reqlen)
            die("send failed");
    }
    freeaddrinfo(ai);
    unsigned started = k, done = 0;
    struct epoll_event evs[64];
    while (done < n) {
        int m = epoll_wait(ep, evs, 64, 1000);
        for (int i = 0; i < m; i++) {
            struct raw_conn *rc = evs[i].data.ptr;
            char buf[4096];
            ssize_t r = recv(rc->fd, buf, sizeof buf, 0);
            if (r <= 0)
                die("the server closed a connection (raise its keep-alive request limit)");
            size_t used;
            enum http_response_result res = http_response_parse(&rc->http, buf, (size_t)r, &used);
            if (res == HTTP_RESPONSE_ERROR)
                die(rc->http.error);
            if (res == HTTP_RESPONSE_MORE)
                continue;
            if (used != (size_t)r)
                die("unexpected bytes after a response");
            if (rc->http.status != 200 || !rc->http.keep_alive)
                die("a call failed (is the server answering 200 and keeping the connection?)");
            http_response_reset(&rc->http);
            done++;
            if (started < n) {
                started++;
                if (send(rc->fd, req, (size_t)reqlen, MSG_NOSIGNAL) != reqlen)
                    die("send failed");
            }
        }
    }
    for (unsigned i = 0; i < k; i++)
        close(conns[i].fd);
    free(conns);
    close(ep);
}

int main(int argc, char **argv)
{
    unsigned n = 100000, k = 1;
    int c;
    while ((c = getopt(argc, argv, "+n:k:h")) != -1) {
        switch (c) {
        case 'n':
            if (!opts_parse_unsigned(optarg, 1, 100000000, &n))
                opts_usage_error(PROG, "-n: expected 1..100000000, got '%s'", optarg);
            break;
        case 'k':
            if (!opts_parse_unsigned(optarg, 1, 1024, &k))
                opts_usage_error(PROG, "-k: expected 1..1024, got '%s'", optarg);
            break;
        case 'h':
            printf("Usage: " PROG " [-n CALLS] [-k INFLIGHT] raw|curl URL\n");
            return 0;
        default: opts_usage_error(PROG, "unknown option");
        }
    }
    if (argc - optind != 2 || (strcmp(argv[optind], "raw") != 0 && strcmp(argv[optind], "curl") != 0))
        opts_usage_error(PROG, "expected raw|curl URL");
    if (k > n)
        k = n;
    const char *mode = argv[optind], *url = argv[optind + 1];
    curl_global_init(CURL_GLOBAL_DEFAULT);
    double u0, s0, u1, s1;
    thread_cpu_us(&u0, &s0);
    if (strcmp(mode, "raw") == 0)
        run_raw(url, n, k);
    else
        run_curl(url, n, k);
    thread_cpu_us(&u1, &s1);
    printf("%s calls=%u inflight=%u user_us=%.2f sys_us=%.2f\n", mode, n, k, (u1 - u0) / n,
           (s1 - s0) / n);
    curl_global_cleanup();
    return 0;
}
