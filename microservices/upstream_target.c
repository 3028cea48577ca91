/* The gateway's upstream base URLs and their addresses (see upstream_target.h). */
#include "upstream_target.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "log.h"

/* A name is resolved again at most this often, however many connects fail. */
#define REFRESH_INTERVAL_US 1000000u

struct upstream_target {
    char url[1024];
    char host[256];      /* for the resolver: no brackets */
    char port[6];
    char authority[300]; /* the Host header */
    char path[1024];     /* prefix, no trailing slash */
    bool numeric;
    upstream_resolve_fn resolve;

    pthread_mutex_t lock;
    struct sockaddr_storage addrs[UPSTREAM_TARGET_MAX_ADDRS];
    socklen_t lens[UPSTREAM_TARGET_MAX_ADDRS];
    unsigned naddrs;
    unsigned resolutions;

    /* The helper thread (names only) and what it is asked to do. */
    pthread_t thread;
    pthread_cond_t wake;
    bool thread_started, want, stop;
    uint64_t requested_us;
};

struct parsed_url {
    char host[256], port[6], authority[300], path[1024];
    bool numeric;
};

static bool is_unreserved(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* RFC 3986 path characters: unreserved, sub-delims, ':', '@', '/', %XX. */
static bool path_valid(const char *p)
{
    for (; *p; p++) {
        if (is_unreserved(*p) || strchr("!$&'()*+,;=:@/", *p) != NULL)
            continue;
        if (*p == '%' && is_hex(p[1]) && is_hex(p[2])) {
            p += 2;
            continue;
        }
        return false;
    }
    return true;
}

/* "HOST[:PORT]" or "[IPV6][:PORT]" into u; false with err set. */
static bool parse_authority(const char *a, size_t n, const char *base, struct parsed_url *u,
                            char *err, size_t errlen)
{
    const char *host = a, *host_end, *port = NULL;
    if (n > 0 && a[0] == '[') {
        const char *close = memchr(a, ']', n);
        if (close == NULL) {
            snprintf(err, errlen, "'%s': unterminated IPv6 address", base);
            return false;
        }
        host = a + 1;
        host_end = close;
        if (close + 1 < a + n) {
            if (close[1] != ':') {
                snprintf(err, errlen, "'%s' is not a URL", base);
                return false;
            }
            port = close + 2;
        }
    } else {
        const char *colon = memchr(a, ':', n);
        host_end = colon ? colon : a + n;
        port = colon ? colon + 1 : NULL;
        for (const char *c = host; c < host_end; c++)
            if (!is_unreserved(*c)) {
                snprintf(err, errlen, "'%s': '%c' is not allowed in a host name", base, *c);
                return false;
            }
    }
    size_t hlen = (size_t)(host_end - host);
    if (hlen == 0 || hlen >= sizeof u->host) {
        snprintf(err, errlen, "'%s' has no host", base);
        return false;
    }
    memcpy(u->host, host, hlen);
    u->host[hlen] = '\0';
    unsigned char buf[sizeof(struct in6_addr)];
    if (a[0] == '[' && inet_pton(AF_INET6, u->host, buf) != 1) {
        snprintf(err, errlen, "'%s': '%s' is not an IPv6 address", base, u->host);
        return false;
    }
    u->numeric = a[0] == '[' || inet_pton(AF_INET, u->host, buf) == 1;
    snprintf(u->port, sizeof u->port, "80");
    if (port != NULL) {
        size_t plen = (size_t)(a + n - port);
        unsigned long v = 0;
        for (size_t i = 0; i < plen && v <= 65535; i++)
            v = port[i] >= '0' && port[i] <= '9' ? v * 10 + (unsigned long)(port[i] - '0')
                                                 : 65536;
        if (plen == 0 || v == 0 || v > 65535) {
            snprintf(err, errlen, "'%s': the port must be 1..65535", base);
            return false;
        }
        snprintf(u->port, sizeof u->port, "%lu", v);
    }
    snprintf(u->authority, sizeof u->authority, "%.*s", (int)n, a);
    return true;
}

static bool parse_url(const char *base, struct parsed_url *u, char *err, size_t errlen)
{
    memset(u, 0, sizeof *u);
    if (strncasecmp(base, "https://", 8) == 0) {
        snprintf(err, errlen, "'%s': https:// is not supported; the gateway's client speaks "
                              "plain HTTP/1.1 (terminate TLS in a sidecar or mesh)", base);
        return false;
    }
    if (strncasecmp(base, "http://", 7) != 0) {
        snprintf(err, errlen, "'%s': only http:// URLs are supported", base);
        return false;
    }
    const char *a = base + 7;
    size_t n = strcspn(a, "/?#");
    if (memchr(a, '@', n) != NULL) {
        snprintf(err, errlen, "'%s': a base URL takes no user information", base);
        return false;
    }
    if (!parse_authority(a, n, base, u, err, errlen))
        return false;
    const char *path = a + n;
    if (strpbrk(path, "?#") != NULL) {
        snprintf(err, errlen, "'%s': a base URL takes no query or fragment", base);
        return false;
    }
    if (!path_valid(path)) {
        snprintf(err, errlen, "'%s': the path has characters that need percent-encoding", base);
        return false;
    }
    size_t plen = strlen(path);
    while (plen > 0 && path[plen - 1] == '/')
        plen--;
    if (plen >= sizeof u->path) {
        snprintf(err, errlen, "'%s': the path is too long", base);
        return false;
    }
    memcpy(u->path, path, plen);
    u->path[plen] = '\0';
    return true;
}

bool upstream_base_url_valid(const char *base, char *err, size_t errlen)
{
    struct parsed_url u;
    if (strlen(base) >= sizeof ((struct upstream_target *)0)->url) {
        snprintf(err, errlen, "the URL is too long");
        return false;
    }
    return parse_url(base, &u, err, errlen);
}

static int resolve_getaddrinfo(const char *host, const char *port,
                               struct sockaddr_storage *addrs, socklen_t *lens, unsigned max,
                               char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "%s", gai_strerror(rc));
        return -1;
    }
    unsigned n = 0;
    for (struct addrinfo *ai = res; ai != NULL && n < max; ai = ai->ai_next) {
        if (ai->ai_addrlen > sizeof addrs[n])
            continue;
        memcpy(&addrs[n], ai->ai_addr, ai->ai_addrlen);
        lens[n++] = ai->ai_addrlen;
    }
    freeaddrinfo(res);
    return (int)n;
}

/* Resolves t's host (without holding the lock) and installs the result. A failed
 * resolution keeps the addresses known: a DNS hiccup must not take a working
 * upstream away. */
static void resolve_now(struct upstream_target *t)
{
    struct sockaddr_storage addrs[UPSTREAM_TARGET_MAX_ADDRS];
    socklen_t lens[UPSTREAM_TARGET_MAX_ADDRS];
    char err[256] = "no address";
    int n = t->resolve(t->host, t->port, addrs, lens, UPSTREAM_TARGET_MAX_ADDRS, err,
                       sizeof err);
    pthread_mutex_lock(&t->lock);
    if (n > 0) {
        memcpy(t->addrs, addrs, (size_t)n * sizeof addrs[0]);
        memcpy(t->lens, lens, (size_t)n * sizeof lens[0]);
        t->naddrs = (unsigned)n;
    }
    t->resolutions++;
    unsigned known = t->naddrs;
    pthread_mutex_unlock(&t->lock);
    if (n <= 0)
        log_warn("cannot resolve '%s' of %s: %s%s", t->host, t->url, n == 0 ? "no address" : err,
                 known ? " (keeping the addresses known)" : "; its calls fail as unavailable");
}

static void *resolver_main(void *arg)
{
    struct upstream_target *t = arg;
    pthread_mutex_lock(&t->lock);
    for (;;) {
        while (!t->want && !t->stop)
            pthread_cond_wait(&t->wake, &t->lock);
        if (t->stop)
            break;
        t->want = false;
        pthread_mutex_unlock(&t->lock);
        resolve_now(t);
        pthread_mutex_lock(&t->lock);
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

/* The helper thread must not take SIGINT/SIGTERM (they belong to the server's
 * signal wait), so it starts with every signal blocked. */
static bool start_resolver(struct upstream_target *t)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    bool ok = pthread_create(&t->thread, NULL, resolver_main, t) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    t->thread_started = ok;
    return ok;
}

struct upstream_target *upstream_target_new(const char *base, upstream_resolve_fn resolve,
                                            char *err, size_t errlen)
{
    struct parsed_url u;
    if (!upstream_base_url_valid(base, err, errlen) || !parse_url(base, &u, err, errlen))
        return NULL;
    struct upstream_target *t = calloc(1, sizeof *t);
    if (t == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(t->url, sizeof t->url, "%s", base);
    memcpy(t->host, u.host, sizeof t->host);
    memcpy(t->port, u.port, sizeof t->port);
    memcpy(t->authority, u.authority, sizeof t->authority);
    memcpy(t->path, u.path, sizeof t->path);
    t->numeric = u.numeric;
    t->resolve = resolve ? resolve : resolve_getaddrinfo;
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->wake, NULL);
    resolve_now(t);
    if (!t->numeric && !start_resolver(t)) {
        snprintf(err, errlen, "cannot start the resolver thread for %s", base);
        upstream_target_free(t);
        return NULL;
    }
    return t;
}

void upstream_target_free(struct upstream_target *t)
{
    if (t == NULL)
        return;
    if (t->thread_started) {
        /* Waits for a resolution in progress, if any (bounded by the resolver's
         * own time-outs). */
        pthread_mutex_lock(&t->lock);
        t->stop = true;
        pthread_cond_signal(&t->wake);
        pthread_mutex_unlock(&t->lock);
        pthread_join(t->thread, NULL);
    }
    pthread_cond_destroy(&t->wake);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

const char *upstream_target_authority(const struct upstream_target *t) { return t->authority; }
const char *upstream_target_path(const struct upstream_target *t) { return t->path; }
const char *upstream_target_url(const struct upstream_target *t) { return t->url; }

unsigned upstream_target_address(struct upstream_target *t, unsigned i,
                                 struct sockaddr_storage *addr, socklen_t *len)
{
    pthread_mutex_lock(&t->lock);
    unsigned n = t->naddrs;
    if (n > 0) {
        memcpy(addr, &t->addrs[i % n], t->lens[i % n]);
        *len = t->lens[i % n];
    }
    pthread_mutex_unlock(&t->lock);
    return n;
}

void upstream_target_refresh(struct upstream_target *t)
{
    if (!t->thread_started)
        return;
    uint64_t now = clock_now_us();
    pthread_mutex_lock(&t->lock);
    if (!t->want && (t->requested_us == 0 || now - t->requested_us >= REFRESH_INTERVAL_US)) {
        t->want = true;
        t->requested_us = now;
        pthread_cond_signal(&t->wake);
    }
    pthread_mutex_unlock(&t->lock);
}

unsigned upstream_target_resolutions(struct upstream_target *t)
{
    pthread_mutex_lock(&t->lock);
    unsigned n = t->resolutions;
    pthread_mutex_unlock(&t->lock);
    return n;
}
