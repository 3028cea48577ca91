/* upstream-cost: the client-side CPU of one service-to-service HTTP call, made
 * three ways against the same server: with the gateway's own client
 * (microservices/upstream.c), with libcurl's multi interface driven from epoll the
 * way the gateway used it before (kept here only as the reference that client is
 * measured against), and with the fewest system calls a client can use (one send
 * and one recv on a kept-alive socket, the response framed by the project's parser:
 * the floor). bench/peers/bench-upstream.sh turns the three into the table that
 * justifies the gateway's choice of client (docs/microservices.md).
 *
 *   upstream-cost [-n CALLS] [-k INFLIGHT] raw|client|curl URL
 *
 * Keeps INFLIGHT calls running on as many keep-alive connections until CALLS have
 * finished, all answered 200, and prints one line:
 *   MODE calls=N inflight=K user_us=U sys_us=S per call
 * CPU is this thread's (RUSAGE_THREAD): run the server on another CPU. */
#include <curl/curl.h>
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

#include "clock.h"
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

/* Splits http://HOST[:PORT]/PATH into its base ("http://HOST[:PORT]") and path. */
static void split_url(const char *url, char *base, size_t blen, const char **path)
{
    const char *p = strncmp(url, "http://", 7) == 0 ? strchr(url + 7, '/') : NULL;
    if (p == NULL || (size_t)(p - url) >= blen)
        die("expected http://HOST[:PORT]/PATH");
    memcpy(base, url, (size_t)(p - url));
    base[p - url] = '\0';
    *path = p;
}

/* ---- the gateway's client ---- */

static unsigned client_left, client_done;

static void on_done(struct upstream_call *call)
{
    if (call->outcome != UPSTREAM_OK || call->status != 200)
        die("a call failed (is the server answering 200?)");
    client_done++;
    if (client_left > 0) {
        client_left--;
        if (upstream_start(call->client, call) != 0)
            die("upstream_start failed");
    }
}

static void run_client(const char *url, unsigned n, unsigned k)
{
    char err[256], base[512], headers[256];
    const char *path;
    split_url(url, base, sizeof base, &path);
    struct upstream_target *t = upstream_target_new(base, NULL, err, sizeof err);
    struct upstream_client *c = t ? upstream_client_new(k, err, sizeof err) : NULL;
    if (c == NULL)
        die(err);
    int hlen = snprintf(headers, sizeof headers, "%s\r\n%s\r\n", TOKEN_HEADER, ID_HEADER);
    struct upstream_call *calls = calloc(k, sizeof *calls);
    if (calls == NULL)
        die("out of memory");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN};
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, upstream_client_fd(c), &ev) != 0)
        die(strerror(errno));
    client_left = n - k;
    for (unsigned i = 0; i < k; i++) {
        calls[i] = (struct upstream_call){.target = t, .path = path, .headers = headers,
                                          .headers_len = (size_t)hlen, .timeout_ms = 5000,
                                          .done = on_done};
        if (upstream_start(c, &calls[i]) != 0)
            die("upstream_start failed");
    }
    while (client_done < n) {
        long to = upstream_client_timeout_ms(c);
        if (epoll_wait(ep, &ev, 1, to < 0 ? 1000 : (int)to) < 0 && errno != EINTR)
            die(strerror(errno));
        upstream_client_run(c);
    }
    for (unsigned i = 0; i < k; i++)
        upstream_cancel(&calls[i]);
    free(calls);
    upstream_client_free(c);
    upstream_target_free(t);
    close(ep);
}

/* ---- the reference: libcurl's multi interface, as the gateway drove it ----
 *
 * curl says which sockets it wants watched (CURLMOPT_SOCKETFUNCTION) and when it
 * next needs a tick (CURLMOPT_TIMERFUNCTION); the sockets live in an epoll set and
 * stay there between transfers (saving two epoll_ctl per call), easy handles are
 * pooled with their options set once, a new transfer is started at once. */

struct curl_ref {
    CURLM *multi;
    int epfd;
    bool has_deadline;
    uint64_t deadline_us;
    unsigned char *in_set; /* by fd: registered in the epoll set */
    unsigned char *events; /* by fd: EPOLLIN/EPOLLOUT registered */
    size_t nfds;
    CURL **pool;
    unsigned npool, left, done;
    struct curl_slist *headers;
    const char *url;
};

static int curl_on_socket(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
    (void)e, (void)socketp;
    struct curl_ref *r = userp;
    if ((size_t)s >= r->nfds)
        die("socket number out of range");
    if (what == CURL_POLL_REMOVE)
        return 0; /* stays in the set until curl closes it */
    unsigned char ev = (unsigned char)(((what & CURL_POLL_IN) ? EPOLLIN : 0) |
                                       ((what & CURL_POLL_OUT) ? EPOLLOUT : 0));
    if (r->in_set[s] && r->events[s] == ev)
        return 0;
    struct epoll_event e2 = {.events = ev, .data.fd = s};
    if (epoll_ctl(r->epfd, r->in_set[s] ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, s, &e2) != 0)
        return -1;
    r->in_set[s] = 1;
    r->events[s] = ev;
    return 0;
}

static int curl_on_close(void *clientp, curl_socket_t s)
{
    struct curl_ref *r = clientp;
    if ((size_t)s < r->nfds)
        r->in_set[s] = r->events[s] = 0;
    return close(s);
}

static int curl_on_timer(CURLM *m, long timeout_ms, void *userp)
{
    (void)m;
    struct curl_ref *r = userp;
    r->has_deadline = timeout_ms >= 0;
    r->deadline_us = clock_now_us() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000u;
    return 0;
}

static size_t curl_on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    (void)data, (void)userp;
    return size * nmemb;
}

static void curl_start(struct curl_ref *r)
{
    CURL *e = r->npool > 0 ? r->pool[--r->npool] : NULL;
    if (e == NULL) { /* options that never change, once per handle */
        if ((e = curl_easy_init()) == NULL)
            die("curl_easy_init failed");
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http");
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
        curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
        curl_easy_setopt(e, CURLOPT_PROXY, "");
        curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, curl_on_body);
        curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, curl_on_close);
        curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, r);
    }
    curl_easy_setopt(e, CURLOPT_URL, r->url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    if (curl_multi_add_handle(r->multi, e) != CURLM_OK)
        die("curl_multi_add_handle failed");
    int running;
    curl_multi_socket_action(r->multi, CURL_SOCKET_TIMEOUT, 0, &running);
}

static void curl_collect(struct curl_ref *r)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(r->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        long status = 0;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
        if (msg->data.result != CURLE_OK || status != 200)
            die("a call failed (is the server answering 200?)");
        CURL *e = msg->easy_handle;
        curl_multi_remove_handle(r->multi, e);
        r->pool[r->npool++] = e;
        r->done++;
        if (r->left > 0) {
            r->left--;
            curl_start(r);
        }
    }
}

static void run_curl(const char *url, unsigned n, unsigned k)
{
    struct curl_ref r = {.url = url, .left = n - k, .nfds = 65536};
    r.multi = curl_multi_init();
    r.epfd = epoll_create1(EPOLL_CLOEXEC);
    r.in_set = calloc(r.nfds, 1);
    r.events = calloc(r.nfds, 1);
    r.pool = calloc(k, sizeof *r.pool);
    r.headers = curl_slist_append(curl_slist_append(curl_slist_append(NULL, TOKEN_HEADER),
                                                    ID_HEADER), "Accept:");
    if (!r.multi || r.epfd < 0 || !r.in_set || !r.events || !r.pool || !r.headers)
        die("out of memory");
    curl_multi_setopt(r.multi, CURLMOPT_SOCKETFUNCTION, curl_on_socket);
    curl_multi_setopt(r.multi, CURLMOPT_SOCKETDATA, &r);
    curl_multi_setopt(r.multi, CURLMOPT_TIMERFUNCTION, curl_on_timer);
    curl_multi_setopt(r.multi, CURLMOPT_TIMERDATA, &r);
    curl_multi_setopt(r.multi, CURLMOPT_MAXCONNECTS, (long)k);
    for (unsigned i = 0; i < k; i++)
        curl_start(&r);
    struct epoll_event ev[64];
    int running;
    while (r.done < n) {
        uint64_t now = clock_now_us();
        int wait = !r.has_deadline ? 1000
                   : r.deadline_us <= now ? 0 : (int)((r.deadline_us - now + 999) / 1000);
        int m = epoll_wait(r.epfd, ev, 64, wait);
        for (int i = 0; i < m; i++) {
            int mask = ((ev[i].events & EPOLLIN) ? CURL_CSELECT_IN : 0) |
                       ((ev[i].events & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
                       ((ev[i].events & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);
            curl_multi_socket_action(r.multi, ev[i].data.fd, mask, &running);
        }
        if (r.has_deadline && clock_now_us() >= r.deadline_us) {
            r.has_deadline = false;
            curl_multi_socket_action(r.multi, CURL_SOCKET_TIMEOUT, 0, &running);
        }
        curl_collect(&r);
    }
    for (unsigned i = 0; i < r.npool; i++)
        curl_easy_cleanup(r.pool[i]);
    curl_multi_cleanup(r.multi);
    curl_slist_free_all(r.headers);
    free(r.in_set);
    free(r.events);
    free(r.pool);
    close(r.epfd);
}

/* ---- the floor: send and recv on kept-alive sockets ---- */

struct raw_conn {
    int fd;
    struct http_response_parser http; /* the project's response parser */
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
            printf("Usage: " PROG " [-n CALLS] [-k INFLIGHT] raw|client|curl URL\n");
            return 0;
        default: opts_usage_error(PROG, "unknown option");
        }
    }
    const char *modes[] = {"raw", "client", "curl"};
    int mode = -1;
    for (int i = 0; i < 3 && argc - optind == 2; i++)
        if (strcmp(argv[optind], modes[i]) == 0)
            mode = i;
    if (mode < 0)
        opts_usage_error(PROG, "expected raw|client|curl URL");
    if (k > n)
        k = n;
    const char *url = argv[optind + 1];
    curl_global_init(CURL_GLOBAL_DEFAULT);
    double u0, s0, u1, s1;
    thread_cpu_us(&u0, &s0);
    if (mode == 0)
        run_raw(url, n, k);
    else if (mode == 1)
        run_client(url, n, k);
    else
        run_curl(url, n, k);
    thread_cpu_us(&u1, &s1);
    printf("%s calls=%u inflight=%u user_us=%.2f sys_us=%.2f\n", modes[mode], n, k,
           (u1 - u0) / n, (s1 - s0) / n);
    curl_global_cleanup();
    return 0;
}
