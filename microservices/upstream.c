/* The gateway's asynchronous HTTP client (see upstream.h). */
#include "clock.h"
#include "upstream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"

/* Idle easy handles kept per worker: one per call in flight is the most ever used
 * at once; beyond this, finished handles are freed instead of pooled. */
#define POOL_MAX 1024

/* What our epoll set holds for one socket. curl drops its interest in a keep-alive
 * connection after every transfer and takes it up again on the next one; following
 * that literally costs two epoll_ctl calls per upstream call. Instead a socket stays
 * in the set until curl closes it (CURLOPT_CLOSESOCKETFUNCTION) or it reports an
 * event nobody wants (an idle connection closed by its server), whichever is first. */
struct watch {
    unsigned char in_set; /* registered in the epoll set */
    unsigned char events; /* EPOLLIN/EPOLLOUT registered */
    unsigned char wanted; /* curl's current interest; 0 = none */
};

enum call_state { CALL_IDLE, CALL_RUNNING, CALL_FINISHED };

struct upstream_client {
    CURLM *multi;
    int epfd;
    bool has_deadline; /* curl asked for a tick at deadline_us */
    uint64_t deadline_us;
    CURL **pool;
    size_t npool;
    struct watch *watch; /* indexed by fd */
    size_t nwatch;
    /* Calls on the multi handle, and calls finished whose done has not run yet. */
    struct upstream_call *running, *finished, *finished_tail;
};

static struct watch *watch_of(struct upstream_client *c, curl_socket_t s)
{
    if (s < 0)
        return NULL;
    if ((size_t)s >= c->nwatch) {
        size_t n = c->nwatch ? c->nwatch : 256;
        while (n <= (size_t)s)
            n *= 2;
        struct watch *w = realloc(c->watch, n * sizeof *w);
        if (w == NULL)
            return NULL;
        memset(w + c->nwatch, 0, (n - c->nwatch) * sizeof *w);
        c->watch = w;
        c->nwatch = n;
    }
    return &c->watch[s];
}

/* CURLMOPT_SOCKETFUNCTION: mirror curl's interest into the epoll set (level-
 * triggered, so a socket curl did not drain is reported again). */
static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    (void)easy;
    (void)socketp;
    struct upstream_client *c = userp;
    struct watch *w = watch_of(c, s);
    if (w == NULL)
        return -1;
    if (what == CURL_POLL_REMOVE) {
        w->wanted = 0; /* stays in the set: see struct watch */
        return 0;
    }
    unsigned char events = (unsigned char)(((what & CURL_POLL_IN) ? EPOLLIN : 0) |
                                           ((what & CURL_POLL_OUT) ? EPOLLOUT : 0));
    w->wanted = events;
    if (w->in_set && w->events == events)
        return 0;
    struct epoll_event ev = {.events = events, .data.fd = s};
    if (w->in_set) {
        if (epoll_ctl(c->epfd, EPOLL_CTL_MOD, s, &ev) != 0)
            return -1;
    } else if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, s, &ev) != 0) {
        return -1;
    }
    w->in_set = 1;
    w->events = events;
    return 0;
}

/* CURLOPT_CLOSESOCKETFUNCTION: closing removes the socket from the epoll set; the
 * fd number may come back as another socket, which must start unregistered. */
static int on_close(void *clientp, curl_socket_t s)
{
    struct upstream_client *c = clientp;
    if (s >= 0 && (size_t)s < c->nwatch)
        c->watch[s] = (struct watch){0};
    return close(s);
}

/* CURLMOPT_TIMERFUNCTION: -1 cancels, 0 means "as soon as possible", which the
 * worker loop honours by not sleeping (curl must not be re-entered from here). */
static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    struct upstream_client *c = userp;
    if (timeout_ms < 0) {
        c->has_deadline = false;
        return 0;
    }
    c->has_deadline = true;
    c->deadline_us = clock_now_us() + (uint64_t)timeout_ms * 1000u;
    return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    struct upstream_call *call = userp;
    size_t n = size * nmemb;
    if (call->body_len + n > UPSTREAM_MAX_BODY)
        return 0; /* CURLE_WRITE_ERROR: an oversized answer is garbage here */
    if (!buf_append(&call->body, &call->body_len, &call->body_cap, data, n, 1024))
        return 0;
    return n;
}

struct upstream_client *upstream_client_new(long max_idle_connections, char *err,
                                            size_t errlen)
{
    struct upstream_client *c = calloc(1, sizeof *c);
    if (c == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->epfd = epoll_create1(EPOLL_CLOEXEC);
    c->multi = curl_multi_init();
    c->pool = calloc(POOL_MAX, sizeof *c->pool);
    if (c->epfd < 0 || c->multi == NULL || c->pool == NULL) {
        snprintf(err, errlen, "upstream client: %s",
                 c->epfd < 0 ? strerror(errno) : "out of memory");
        upstream_client_free(c);
        return NULL;
    }
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
    curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, max_idle_connections);
    return c;
}

static void list_push(struct upstream_call **head, struct upstream_call **tail,
                      struct upstream_call *call)
{
    call->next = NULL;
    call->prev = tail ? *tail : NULL;
    if (tail) {
        if (*tail)
            (*tail)->next = call;
        else
            *head = call;
        *tail = call;
    } else {
        call->next = *head;
        if (*head)
            (*head)->prev = call;
        *head = call;
    }
}

static void list_unlink(struct upstream_call **head, struct upstream_call **tail,
                        struct upstream_call *call)
{
    if (call->prev)
        call->prev->next = call->next;
    else
        *head = call->next;
    if (call->next)
        call->next->prev = call->prev;
    else if (tail)
        *tail = call->prev;
    call->prev = call->next = NULL;
}

static void easy_put(struct upstream_client *c, CURL *e)
{
    if (c->npool < POOL_MAX)
        c->pool[c->npool++] = e;
    else
        curl_easy_cleanup(e);
}

void upstream_cancel(struct upstream_call *call)
{
    struct upstream_client *c = call->client;
    if (call->state == CALL_RUNNING) {
        curl_multi_remove_handle(c->multi, call->easy);
        list_unlink(&c->running, NULL, call);
    } else if (call->state == CALL_FINISHED) {
        list_unlink(&c->finished, &c->finished_tail, call);
    }
    if (call->easy != NULL)
        easy_put(c, call->easy);
    call->easy = NULL;
    call->state = CALL_IDLE;
    free(call->body);
    call->body = NULL;
    call->body_len = call->body_cap = 0;
}

void upstream_client_free(struct upstream_client *c)
{
    if (c == NULL)
        return;
    /* Calls still here belong to requests being torn down: detach them. */
    while (c->running != NULL)
        upstream_cancel(c->running);
    while (c->finished != NULL)
        upstream_cancel(c->finished);
    for (size_t i = 0; i < c->npool; i++)
        curl_easy_cleanup(c->pool[i]);
    free(c->pool);
    if (c->multi)
        curl_multi_cleanup(c->multi);
    if (c->epfd >= 0)
        close(c->epfd);
    free(c->watch);
    free(c);
}

int upstream_client_fd(const struct upstream_client *c) { return c->epfd; }

long upstream_client_timeout_ms(const struct upstream_client *c)
{
    if (c->finished != NULL)
        return 0;
    if (!c->has_deadline)
        return -1;
    uint64_t now = clock_now_us();
    if (now >= c->deadline_us)
        return 0;
    return (long)((c->deadline_us - now + 999) / 1000);
}

/* Options that never change are set once per easy handle; connections are kept in
 * the multi's cache, so a pooled handle is only a saving of set-up work. */
static CURL *easy_get(struct upstream_client *c)
{
    if (c->npool > 0)
        return c->pool[--c->npool];
    CURL *e = curl_easy_init();
    if (e == NULL)
        return NULL;
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    /* Service-to-service calls go straight to the service, never through a proxy
     * named in the environment (http_proxy would otherwise apply, and libcurl
     * would look it up on every transfer). */
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    /* Upstream connections idle for long stretches between bursts: let the kernel
     * notice a vanished host instead of our next request. */
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, 30L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 10L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, on_close);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, c);
    return e;
}

/* Moves the transfers curl reports finished from the running list to the finished
 * list, recording how they ended; their done callbacks run from collect_finished. */
static void take_finished(struct upstream_client *c)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(c->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *e = msg->easy_handle;
        CURLcode code = msg->data.result;
        struct upstream_call *call = NULL;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&call);
        curl_multi_remove_handle(c->multi, e);
        list_unlink(&c->running, NULL, call);
        call->curl_code = code;
        call->outcome = upstream_classify(code);
        if (call->outcome == UPSTREAM_OK)
            curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &call->status);
        call->elapsed_us = clock_now_us() - call->start_us;
        call->state = CALL_FINISHED;
        list_push(&c->finished, &c->finished_tail, call);
    }
}

/* Runs curl on whatever is due now: a transfer just added starts (connects, or
 * sends its request on a cached connection) without waiting for another turn of
 * the worker loop. */
static void kick(struct upstream_client *c)
{
    int running;
    curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    take_finished(c);
}

int upstream_start(struct upstream_client *c, struct upstream_call *call)
{
    CURL *e = easy_get(c);
    if (e == NULL)
        return -1;
    call->client = c;
    call->easy = e;
    call->outcome = UPSTREAM_OK;
    call->curl_code = CURLE_OK;
    call->status = 0;
    call->body_len = 0;
    if (call->body)
        call->body[0] = '\0';
    call->start_us = clock_now_us();
    curl_easy_setopt(e, CURLOPT_URL, call->url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, (struct curl_slist *)call->headers);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, call->timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, call->timeout_ms);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, call);
    curl_easy_setopt(e, CURLOPT_PRIVATE, call);
    if (curl_multi_add_handle(c->multi, e) != CURLM_OK) {
        call->easy = NULL;
        easy_put(c, e);
        return -1;
    }
    call->state = CALL_RUNNING;
    list_push(&c->running, NULL, call);
    kick(c);
    return 0;
}

/* Runs done for every finished call, oldest first. The easy handle stays with the
 * call while done runs, so done may read its response headers (upstream_header),
 * and goes back to the pool after. done may start other calls, which may finish
 * at once and join the list. */
static void collect_finished(struct upstream_client *c)
{
    while (c->finished != NULL) {
        struct upstream_call *call = c->finished;
        list_unlink(&c->finished, &c->finished_tail, call);
        call->state = CALL_IDLE;
        call->done(call);
        if (call->easy != NULL && call->state == CALL_IDLE) {
            easy_put(c, call->easy);
            call->easy = NULL;
        }
    }
}

void upstream_client_cancel_all(struct upstream_client *c, upstream_done_fn fn)
{
    for (;;) {
        collect_finished(c); /* their done may start calls that end at once */
        if (c->running == NULL)
            break;
        struct upstream_call *call = c->running;
        upstream_cancel(call);
        fn(call);
    }
}

void upstream_client_run(struct upstream_client *c)
{
    struct epoll_event ev[64];
    int running;
    int n = epoll_wait(c->epfd, ev, 64, 0);
    for (int i = 0; i < n; i++) {
        int fd = ev[i].data.fd;
        if ((size_t)fd < c->nwatch && c->watch[fd].wanted == 0) {
            /* An idle keep-alive connection woke up (its server closed it): stop
             * watching; curl notices the close when it next considers reusing it. */
            if (c->watch[fd].in_set)
                epoll_ctl(c->epfd, EPOLL_CTL_DEL, fd, NULL);
            c->watch[fd].in_set = 0;
            continue;
        }
        int mask = 0;
        if (ev[i].events & EPOLLIN)
            mask |= CURL_CSELECT_IN;
        if (ev[i].events & EPOLLOUT)
            mask |= CURL_CSELECT_OUT;
        if (ev[i].events & (EPOLLERR | EPOLLHUP))
            mask |= CURL_CSELECT_ERR;
        curl_multi_socket_action(c->multi, fd, mask, &running);
    }
    if (c->has_deadline && clock_now_us() >= c->deadline_us) {
        c->has_deadline = false;
        curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    take_finished(c);
    collect_finished(c);
}

const char *upstream_header(struct upstream_call *call, const char *name)
{
    struct curl_header *h;
    if (call->easy == NULL ||
        curl_easy_header(call->easy, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
        return NULL;
    return h->value;
}

const char *upstream_content_type(struct upstream_call *call)
{
    char *ct = NULL;
    if (call->easy == NULL ||
        curl_easy_getinfo(call->easy, CURLINFO_CONTENT_TYPE, &ct) != CURLE_OK)
        return NULL;
    return ct;
}

/* ---- pure helpers ---- */

bool upstream_base_url_valid(const char *base, char *err, size_t errlen)
{
    CURLU *u = curl_url();
    if (u == NULL) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    bool ok = false;
    char *scheme = NULL, *host = NULL, *part = NULL;
    if (curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK) {
        snprintf(err, errlen, "'%s' is not a URL", base);
    } else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
               (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
        snprintf(err, errlen, "'%s': only http:// and https:// URLs are supported", base);
    } else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host[0] == '\0') {
        snprintf(err, errlen, "'%s' has no host", base);
    } else if (curl_url_get(u, CURLUPART_QUERY, &part, 0) == CURLUE_OK ||
               curl_url_get(u, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK ||
               curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK) {
        snprintf(err, errlen, "'%s': a base URL takes no query, fragment or user", base);
    } else {
        ok = true;
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(part);
    curl_url_cleanup(u);
    return ok;
}

int upstream_url(char *out, size_t outlen, const char *base, const char *path)
{
    size_t blen = strlen(base);
    while (blen > 0 && base[blen - 1] == '/')
        blen--;
    int n = snprintf(out, outlen, "%.*s%s", (int)blen, base, path);
    return n < 0 || (size_t)n >= outlen ? -1 : n;
}

enum upstream_outcome upstream_classify(CURLcode code)
{
    switch (code) {
    case CURLE_OK:
        return UPSTREAM_OK;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return UPSTREAM_REFUSED;
    case CURLE_OPERATION_TIMEDOUT:
        return UPSTREAM_TIMEOUT;
    default:
        /* Malformed or HTTP/0.9 answers, truncated bodies, oversized answers,
         * connections reset mid-answer: the upstream misbehaved. */
        return UPSTREAM_BAD_RESPONSE;
    }
}

unsigned upstream_failure_status(enum upstream_outcome outcome, long http_status)
{
    switch (outcome) {
    case UPSTREAM_REFUSED: return 503;
    case UPSTREAM_TIMEOUT: return 504;
    case UPSTREAM_BAD_RESPONSE: return 502;
    case UPSTREAM_OK: break;
    }
    if (http_status == 503)
        return 503;
    if (http_status == 504)
        return 504;
    return 502;
}

static size_t skip_ws(const char *s, size_t i, size_t len)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* A positive int64 without sign or leading zeros at s[*i]; advances *i. */
static bool parse_positive(const char *s, size_t *i, size_t len, int64_t *out)
{
    size_t start = *i;
    if (start >= len || s[start] < '1' || s[start] > '9')
        return false;
    uint64_t v = 0;
    size_t j = start;
    for (; j < len && s[j] >= '0' && s[j] <= '9'; j++) {
        if (j - start >= 19)
            return false;
        v = v * 10 + (uint64_t)(s[j] - '0');
    }
    if (v > (uint64_t)INT64_MAX)
        return false;
    *out = (int64_t)v;
    *i = j;
    return true;
}

bool upstream_parse_user_id(const char *body, size_t len, int64_t *id)
{
    static const char key[] = "\"user_id\"";
    size_t i = skip_ws(body, 0, len);
    if (i >= len || body[i++] != '{')
        return false;
    i = skip_ws(body, i, len);
    if (len - i < sizeof key - 1 || memcmp(body + i, key, sizeof key - 1) != 0)
        return false;
    i = skip_ws(body, i + sizeof key - 1, len);
    if (i >= len || body[i++] != ':')
        return false;
    i = skip_ws(body, i, len);
    int64_t v;
    if (!parse_positive(body, &i, len, &v))
        return false;
    i = skip_ws(body, i, len);
    if (i >= len || body[i++] != '}')
        return false;
    if (skip_ws(body, i, len) != len)
        return false;
    *id = v;
    return true;
}

bool upstream_profile_is_user(const char *body, size_t len, int64_t id)
{
    char prefix[40];
    int n = snprintf(prefix, sizeof prefix, "{\"id\":%lld", (long long)id);
    if (n < 0 || len < (size_t)n + 1 || memcmp(body, prefix, (size_t)n) != 0)
        return false;
    char next = body[n];
    return (next == ',' || next == '}') && body[len - 1] == '}';
}

const char *upstream_outcome_name(enum upstream_outcome o)
{
    switch (o) {
    case UPSTREAM_OK: return "ok";
    case UPSTREAM_REFUSED: return "refused";
    case UPSTREAM_TIMEOUT: return "timeout";
    case UPSTREAM_BAD_RESPONSE: return "bad_response";
    }
    return "unknown";
}
