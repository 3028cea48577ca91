/* bin/loadgen: the load generator (DESIGN §5). This file holds the command line,
 * the start-up checks and the run; lg_loop.c drives the connections, lg_result.c
 * prints and writes the results. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "lg_loop.h"
#include "lg_result.h"
#include "lg_verify.h"
#include "log.h"
#include "net.h"
#include "opts.h"
#include "url.h"

#define LG_PROGRAM "loadgen"
#define LG_MAX_HEADERS_BYTES 8192

struct lg_options {
    unsigned connections, threads;
    uint64_t duration_ms, warmup_ms, timeout_ms;
    uint64_t rate;
    enum lg_arrivals arrivals;
    uint64_t seed;
    const char *headers[64];
    unsigned nheaders;
    const char *tokens_path;
    bool verify;
    const char *json_path;
    double max_error_rate; /* < 0: not checked */
    const char *url;
};

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: loadgen [options] URL\n"
            "Sends GET requests to URL (http://HOST[:PORT]/PATH) over keep-alive\n"
            "connections and reports throughput, latency percentiles and errors.\n\n"
            "  -c, --connections N   connections in total (default 16; k suffix ok)\n"
            "  -t, --threads N       threads, each with its own event loop (default 1)\n"
            "  -d, --duration DUR    measured duration (default 10s; 500ms, 10s, 2m)\n"
            "  -R, --rate N          open loop: N requests/s in total, latency measured\n"
            "                        from each request's planned send time (default:\n"
            "                        closed loop, each connection sends when answered)\n"
            "      --arrivals KIND   open loop schedule: uniform (default; one request every\n"
            "                        1/N s) or poisson (exponential gaps of mean 1/N s)\n"
            "      --seed N          poisson: the generator's seed (default 1); the same\n"
            "                        seed plans the same send times\n"
            "      --warmup DUR      run this long before measuring (default 2s)\n"
            "      --timeout DUR     a request unanswered this long is an error (default 2s)\n"
            "  -H, --header 'K: V'   add a request header (repeatable)\n"
            "      --tokens FILE     tokens.tsv from 'archbench seed': send each request as\n"
            "                        a different user (Authorization: Bearer TOKEN)\n"
            "      --verify          check that every 200 body's \"id\" is the token's user\n"
            "                        (a mismatch is a verify error: a security failure)\n"
            "      --json FILE       write every result, histograms included, to FILE\n"
            "      --max-error-rate X  exit 1 when errors exceed X of all attempts\n"
            "                        (0.01 or 1%%)\n"
            "  -h, --help            show this help\n"
            "  -V, --version         show the version\n\n"
            "Exit status: 0 the run completed, 1 it could not (nothing listening, no\n"
            "response, too many errors), 2 bad usage.\n");
}

static void lg_on_signal(int sig)
{
    (void)sig;
    lg_loop_interrupted = 1;
}

static bool lg_resolve(const struct url *u, struct lg_config *cfg, char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res;
    int rc = getaddrinfo(u->host, u->port, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "cannot resolve '%s': %s", u->host, gai_strerror(rc));
        return false;
    }
    memcpy(&cfg->addr, res->ai_addr, res->ai_addrlen);
    cfg->addrlen = res->ai_addrlen;
    freeaddrinfo(res);
    return true;
}

/* wrk's habit: one connection before the run, so "nothing is listening" is a clear
 * one-line failure instead of a run full of connect errors. */
static bool lg_preflight(const struct lg_config *cfg, uint64_t timeout_ms, char *err,
                         size_t errlen)
{
    char where[80];
    net_format_address((const struct sockaddr *)&cfg->addr, where, sizeof where);
    int fd = socket(cfg->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return false;
    }
    int rc = connect(fd, (const struct sockaddr *)&cfg->addr, cfg->addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        int n = poll(&pfd, 1, timeout_ms > 60000 ? 60000 : (int)timeout_ms);
        int soerr = 0;
        socklen_t len = sizeof soerr;
        if (n == 0) {
            errno = ETIMEDOUT;
        } else if (n > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0) {
            errno = soerr;
            rc = soerr == 0 ? 0 : -1;
        }
    }
    if (rc != 0) {
        snprintf(err, errlen, "cannot connect to %s: %s", where, strerror(errno));
        close(fd);
        return false;
    }
    close(fd);
    return true;
}

static char *lg_build_request(const struct lg_options *o, const struct url *u, size_t *len)
{
    size_t cap = strlen(u->path) + strlen(u->hostport) + 64 + LG_MAX_HEADERS_BYTES;
    char *buf = malloc(cap);
    if (buf == NULL)
        return NULL;
    bool host_given = false;
    for (unsigned i = 0; i < o->nheaders; i++)
        if (strncasecmp(o->headers[i], "host:", 5) == 0)
            host_given = true;
    int n = snprintf(buf, cap, "GET %s HTTP/1.1\r\n", u->path);
    if (!host_given)
        n += snprintf(buf + n, cap - (size_t)n, "Host: %s\r\n", u->hostport);
    for (unsigned i = 0; i < o->nheaders; i++)
        n += snprintf(buf + n, cap - (size_t)n, "%s\r\n", o->headers[i]);
    *len = (size_t)n;
    return buf;
}

static bool lg_parse_rate_fraction(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno != 0)
        return false;
    if (strcmp(end, "%") == 0)
        v /= 100;
    else if (*end != '\0')
        return false;
    if (!(v >= 0 && v <= 1))
        return false;
    *out = v;
    return true;
}

/* -H: one "Name: value" header, the whole set bounded by LG_MAX_HEADERS_BYTES. */
static void lg_add_header(struct lg_options *o, const char *arg, size_t *header_bytes)
{
    const char *colon = strchr(arg, ':');
    if (colon == NULL || colon == arg || strpbrk(arg, "\r\n") != NULL)
        opts_usage_error(LG_PROGRAM, "-H: expected 'Name: value', got '%s'", arg);
    *header_bytes += strlen(arg) + 2;
    if (o->nheaders == sizeof o->headers / sizeof o->headers[0] ||
        *header_bytes > LG_MAX_HEADERS_BYTES - 512)
        opts_usage_error(LG_PROGRAM, "-H: too many or too long headers");
    o->headers[o->nheaders++] = arg;
}

/* Applies option c (its value in optarg) to o; bad values exit 2. */
static void lg_option(int c, char **argv, struct lg_options *o, size_t *header_bytes)
{
    uint64_t v;
    switch (c) {
    case 'c':
        if (!opts_parse_u64(optarg, 1, 1000000, true, &v))
            opts_usage_error(LG_PROGRAM, "-c: expected 1..1m connections, got '%s'", optarg);
        o->connections = (unsigned)v;
        break;
    case 't':
        if (!opts_parse_unsigned(optarg, 1, 1024, &o->threads))
            opts_usage_error(LG_PROGRAM, "-t: expected 1..1024 threads, got '%s'", optarg);
        break;
    case 'd':
        if (!opts_parse_duration_ms(optarg, &o->duration_ms) || o->duration_ms == 0 ||
            o->duration_ms > 24ULL * 3600 * 1000)
            opts_usage_error(LG_PROGRAM, "-d: expected a duration like 500ms, 10s, 2m, got '%s'",
                             optarg);
        break;
    case 'R':
        if (!opts_parse_u64(optarg, 1, 100000000, true, &o->rate))
            opts_usage_error(LG_PROGRAM, "-R: expected 1..100m requests/s, got '%s'", optarg);
        break;
    case 'w':
        if (!opts_parse_duration_ms(optarg, &o->warmup_ms) || o->warmup_ms > 3600 * 1000)
            opts_usage_error(LG_PROGRAM, "--warmup: expected a duration like 2s, got '%s'",
                             optarg);
        break;
    case 'T':
        if (!opts_parse_duration_ms(optarg, &o->timeout_ms) || o->timeout_ms == 0 ||
            o->timeout_ms > 3600 * 1000)
            opts_usage_error(LG_PROGRAM, "--timeout: expected a duration like 2s, got '%s'",
                             optarg);
        break;
    case 'a':
        if (!lg_arrivals_parse(optarg, &o->arrivals))
            opts_usage_error(LG_PROGRAM, "--arrivals: expected uniform or poisson, got '%s'",
                             optarg);
        break;
    case 's':
        if (!opts_parse_u64(optarg, 0, UINT64_MAX, false, &o->seed))
            opts_usage_error(LG_PROGRAM, "--seed: expected a number, got '%s'", optarg);
        break;
    case 'H': lg_add_header(o, optarg, header_bytes); break;
    case 'k': o->tokens_path = optarg; break;
    case 'v': o->verify = true; break;
    case 'j': o->json_path = optarg; break;
    case 'e':
        if (!lg_parse_rate_fraction(optarg, &o->max_error_rate))
            opts_usage_error(LG_PROGRAM,
                             "--max-error-rate: expected 0..1 or 0%%..100%%, got '%s'", optarg);
        break;
    case 'h': usage(stdout); exit(0);
    case 'V': opts_print_version(LG_PROGRAM); exit(0);
    case ':':
        opts_usage_error(LG_PROGRAM, "option '%s' needs a value", argv[optind - 1]);
    default:
        if (optopt)
            opts_usage_error(LG_PROGRAM, "unknown option '-%c'", optopt);
        opts_usage_error(LG_PROGRAM, "unknown option '%s'", argv[optind - 1]);
    }
}

/* --json FILE is written after the run (FILE.tmp, then renamed): a path that
 * cannot be written is bad usage found now, not after a minute of load. */
static void lg_check_json_path(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST)
        opts_usage_error(LG_PROGRAM, "--json %s: %s", path, strerror(errno));
    if (fd >= 0) {
        close(fd);
        unlink(tmp);
    }
}

static void lg_parse_args(int argc, char **argv, struct lg_options *o)
{
    static const struct option longopts[] = {
        {"connections", required_argument, NULL, 'c'},
        {"threads", required_argument, NULL, 't'},
        {"duration", required_argument, NULL, 'd'},
        {"rate", required_argument, NULL, 'R'},
        {"arrivals", required_argument, NULL, 'a'},
        {"seed", required_argument, NULL, 's'},
        {"warmup", required_argument, NULL, 'w'},
        {"timeout", required_argument, NULL, 'T'},
        {"header", required_argument, NULL, 'H'},
        {"tokens", required_argument, NULL, 'k'},
        {"verify", no_argument, NULL, 'v'},
        {"json", required_argument, NULL, 'j'},
        {"max-error-rate", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    *o = (struct lg_options){.connections = 16, .threads = 1, .duration_ms = 10000,
                             .warmup_ms = 2000, .timeout_ms = 2000, .max_error_rate = -1,
                             .arrivals = LG_ARRIVALS_UNIFORM, .seed = 1};
    int c;
    size_t header_bytes = 0;
    /* getopt's own messages would not follow the one-line "loadgen: ..." form. */
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":c:t:d:R:H:hV", longopts, NULL)) != -1)
        lg_option(c, argv, o, &header_bytes);
    if (optind >= argc)
        opts_usage_error(LG_PROGRAM, "a URL is required");
    if (optind + 1 < argc)
        opts_usage_error(LG_PROGRAM, "unexpected argument '%s'", argv[optind + 1]);
    o->url = argv[optind];
    if (o->connections < o->threads)
        opts_usage_error(LG_PROGRAM, "-c %u is fewer connections than -t %u threads",
                         o->connections, o->threads);
    if (o->verify && o->tokens_path == NULL)
        opts_usage_error(LG_PROGRAM, "--verify needs --tokens FILE");
    if (o->arrivals != LG_ARRIVALS_UNIFORM && o->rate == 0)
        opts_usage_error(LG_PROGRAM, "--arrivals %s needs -R RATE (an open loop)",
                         lg_arrivals_name(o->arrivals));
    if (o->json_path)
        lg_check_json_path(o->json_path);
    if (o->tokens_path && access(o->tokens_path, R_OK) != 0)
        opts_usage_error(LG_PROGRAM, "--tokens %s: %s", o->tokens_path, strerror(errno));
}

static void lg_iso_time(time_t t, char *out, size_t outlen)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Everything the run needs before its first thread: the address (with one
 * connection tried), the tokens and the request head. 0, or 1 with the reason
 * logged; a bad URL or too many connections is bad usage (exit 2). */
static int lg_prepare(const struct lg_options *o, struct lg_config *cfg,
                      struct lg_tokens *tokens)
{
    char err[512];
    struct url url;
    if (!url_parse(o->url, &url, err, sizeof err))
        opts_usage_error(LG_PROGRAM, "%s", err);
    unsigned long fds = net_raise_fd_limit();
    if (fds != 0 && (unsigned long)o->connections + 32 > fds)
        opts_usage_error(LG_PROGRAM, "-c %u needs more open files than the limit (%lu)",
                         o->connections, fds);
    *cfg = (struct lg_config){
        .connections = o->connections,
        .threads = o->threads,
        .warmup_ns = o->warmup_ms * 1000000ULL,
        .duration_ns = o->duration_ms * 1000000ULL,
        .timeout_ns = o->timeout_ms * 1000000ULL,
        .rate = o->rate,
        .arrivals = o->arrivals,
        .seed = o->seed,
        .verify = o->verify,
    };
    if (!lg_resolve(&url, cfg, err, sizeof err)) {
        log_error("%s", err);
        return 1;
    }
    if (o->tokens_path) {
        if (!lg_verify_load_tokens(o->tokens_path, tokens, err, sizeof err)) {
            log_error("%s", err);
            return 1;
        }
        cfg->tokens = tokens;
    }
    char *request = lg_build_request(o, &url, &cfg->request_head_len);
    if (request == NULL) {
        log_error("out of memory");
        return 1;
    }
    cfg->request_head = request;
    if (!lg_preflight(cfg, o->timeout_ms, err, sizeof err)) {
        log_error("%s", err);
        return 1;
    }
    return 0;
}

/* Starts the threads, their connections split evenly, on a common start a few
 * milliseconds ahead, so every thread's window (and the open-loop schedule) is the
 * same however long thread creation takes. Returns how many started; when fewer
 * than asked, the reason is logged and the run interrupted. */
static unsigned lg_start(const struct lg_config *cfg, struct lg_thread *threads,
                         size_t nseconds, uint64_t start_ns)
{
    unsigned first = 0, started = 0;
    for (unsigned i = 0; i < cfg->threads; i++) {
        struct lg_thread *t = &threads[i];
        t->cfg = cfg;
        t->index = i;
        t->start_ns = start_ns;
        t->first_conn = first;
        t->nconns = cfg->connections / cfg->threads + (i < cfg->connections % cfg->threads);
        first += t->nconns;
        if (!lg_stats_init(&t->stats, nseconds)) {
            log_error("out of memory");
            break;
        }
        int e = pthread_create(&t->tid, NULL, lg_loop_thread, t);
        if (e != 0) {
            log_error("pthread_create: %s", strerror(e));
            lg_stats_free(&t->stats);
            break;
        }
        started++;
    }
    if (started < cfg->threads)
        lg_loop_interrupted = 1;
    return started;
}

/* Joins the started threads and merges their results into run (whose stats are
 * initialised here); *connected tells whether any connection was established.
 * 0, or 1 when a thread failed or memory ran out. */
static int lg_join(struct lg_thread *threads, unsigned started, size_t nseconds,
                   struct lg_run *run, bool *connected)
{
    int rc = 0;
    bool ok = lg_stats_init(&run->stats, nseconds);
    uint64_t end_ns = UINT64_MAX;
    *connected = false;
    for (unsigned i = 0; i < started; i++) {
        struct lg_thread *t = &threads[i];
        pthread_join(t->tid, NULL);
        if (t->error[0]) {
            log_error("%s", t->error);
            rc = 1;
        }
        *connected |= t->connected_once;
        if (t->end_ns < end_ns)
            end_ns = t->end_ns;
        run->warmup_responses += t->warmup_responses;
        if (ok && !lg_stats_add(&run->stats, &t->stats))
            ok = false;
        lg_stats_free(&t->stats);
    }
    if (!ok) {
        log_error("out of memory merging the threads' results");
        rc = 1;
    }
    uint64_t window_start = started ? threads[0].start_ns + threads[0].cfg->warmup_ns : 0;
    run->elapsed_s = end_ns != UINT64_MAX && end_ns > window_start
                         ? (double)(end_ns - window_start) / 1e9 : 0;
    return rc;
}

/* Prints the summary and writes the JSON; then the exit status the result
 * deserves: 1 when nothing connected, nothing was answered or the errors exceed
 * --max-error-rate (a wrong user's profile is always called out). */
static int lg_summarize(const struct lg_options *o, struct lg_run *run, bool connected)
{
    char err[512];
    if (run->elapsed_s == 0) {
        log_error("interrupted before the measurement started");
        return 1;
    }
    lg_result_finish(run);
    lg_result_text(stdout, run);
    fflush(stdout);
    if (o->json_path && !lg_result_write_json(run, o->json_path, err, sizeof err)) {
        log_error("%s", err);
        return 1;
    }
    const struct lg_stats *s = &run->stats;
    uint64_t errors = lg_stats_errors_total(s);
    uint64_t lost = errors - s->errors[LG_ERR_STATUS] - s->errors[LG_ERR_VERIFY];
    if (s->errors[LG_ERR_VERIFY] > 0)
        log_error("SECURITY FAILURE: %llu responses carried another user's profile",
                  (unsigned long long)s->errors[LG_ERR_VERIFY]);
    if (!connected) {
        log_error("no connection could be established");
        return 1;
    }
    if (s->requests == 0) {
        log_error("no response received (%llu errors)", (unsigned long long)errors);
        return 1;
    }
    if (o->max_error_rate >= 0 &&
        (double)errors > o->max_error_rate * (double)(s->requests + lost)) {
        log_error("error rate %.4f exceeds --max-error-rate %.4f",
                  (double)errors / (double)(s->requests + lost), o->max_error_rate);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    log_init(LG_PROGRAM, LOG_INFO);
    struct lg_options o;
    lg_parse_args(argc, argv, &o);
    struct lg_config cfg = {0};
    struct lg_tokens tokens = {0};
    size_t nseconds = (size_t)((o.duration_ms + 999) / 1000);
    struct lg_thread *threads = calloc(o.threads, sizeof *threads);
    int rc = threads ? lg_prepare(&o, &cfg, &tokens) : 1;
    if (threads == NULL)
        log_error("out of memory");
    if (rc != 0)
        goto out;

    struct sigaction sa = {.sa_handler = lg_on_signal, .sa_flags = SA_RESETHAND};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    uint64_t start_ns = clock_now_ns() + 5000000ULL;
    time_t start_wall = time(NULL) + (time_t)((o.warmup_ms + 5) / 1000);
    unsigned started = lg_start(&cfg, threads, nseconds, start_ns);
    struct lg_run run = {.runs = 1, .connections = o.connections, .threads = o.threads,
                         .duration_s = (double)o.duration_ms / 1000,
                         .warmup_s = (double)o.warmup_ms / 1000,
                         .timeout_s = (double)o.timeout_ms / 1000, .rate = (double)o.rate,
                         .verify = o.verify, .tokens = tokens.count,
                         .seed = o.rate ? o.seed : 0};
    if (o.rate)
        snprintf(run.arrivals, sizeof run.arrivals, "%s", lg_arrivals_name(o.arrivals));
    bool connected;
    rc = lg_join(threads, started, nseconds, &run, &connected);
    if (started < o.threads)
        rc = 1;
    char when[32];
    lg_iso_time(start_wall, when, sizeof when);
    run.url = strdup(o.url);
    run.mode = strdup(o.rate ? "open" : "closed");
    run.start_time = strdup(when);
    if (!run.url || !run.mode || !run.start_time) {
        log_error("out of memory");
        rc = 1;
    }
    if (rc == 0)
        rc = lg_summarize(&o, &run, connected);
    lg_run_free(&run);
out:
    free(threads);
    free((char *)cfg.request_head);
    lg_verify_free_tokens(&tokens);
    return rc;
}
