/* bin/loadgen and bin/archbench merge against real servers started by the test:
 * bin/monolith on a small seeded database, and a tiny in-process server that can
 * misbehave on purpose (another user's profile, no answer, garbage, chunked bodies,
 * Connection: close). Counts are checked, never timings. Run from the repository
 * root after `make` (bin/ must hold the programs). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lg_hist.h"
#include "lg_sched.h"

static char tmpdir[256];

/* ---- child processes -------------------------------------------------------- */

/* Runs argv with stdout and stderr into files; returns the exit status, or -1 when it
 * had to be killed after limit_s seconds. */
static int run(char *const argv[], const char *out, const char *err, int limit_s)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o < 0 || e < 0)
            _exit(127);
        dup2(o, 1);
        dup2(e, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    for (int i = 0; i < limit_s * 100; i++) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void tmp_path(char *out, size_t len, const char *name)
{
    snprintf(out, len, "%s/%s", tmpdir, name);
}

/* ---- bin/monolith on a seeded database ---------------------------------------- */

static pid_t monolith_pid;
static char monolith_url[128];
static char seeded_tokens[300];

static void start_monolith(void)
{
    char out[300], err[300], db[300];
    tmp_path(out, sizeof out, "seed.out");
    tmp_path(err, sizeof err, "seed.err");
    char *seed[] = {"bin/archbench", "seed", "--users", "200", "--dir", tmpdir, NULL};
    assert_int_equal(run(seed, out, err, 60), 0);
    tmp_path(db, sizeof db, "app.db");
    tmp_path(seeded_tokens, sizeof seeded_tokens, "tokens.tsv");

    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    monolith_pid = fork();
    assert_true(monolith_pid >= 0);
    if (monolith_pid == 0) {
        dup2(pfd[1], 1);
        close(pfd[0]);
        execl("bin/monolith", "bin/monolith", "--listen", "127.0.0.1:0", "--db", db, "--threads",
              "1", (char *)NULL);
        _exit(127);
    }
    close(pfd[1]);
    char line[128];
    size_t n = 0;
    while (n < sizeof line - 1) {
        struct pollfd p = {.fd = pfd[0], .events = POLLIN};
        assert_int_equal(poll(&p, 1, 10000), 1);
        ssize_t r = read(pfd[0], line + n, 1);
        assert_int_equal(r, 1);
        if (line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    close(pfd[0]);
    unsigned port;
    assert_int_equal(sscanf(line, "listening on 127.0.0.1:%u", &port), 1);
    snprintf(monolith_url, sizeof monolith_url, "http://127.0.0.1:%u/profile", port);
}

static void stop_monolith(void)
{
    if (monolith_pid > 0) {
        kill(monolith_pid, SIGTERM);
        waitpid(monolith_pid, NULL, 0);
        monolith_pid = 0;
    }
}

/* ---- a small misbehaving server ---------------------------------------------- */

/* Users 1..10 with tokens "tok-<id>-...". User 3 gets user 4's profile (the bug
 * --verify exists for); with `nasty`, user 5 gets no answer at all and user 6 gets
 * garbage. Bodies alternate between Content-Length and chunked framing, and every
 * seventh response closes the connection. */
#define TS_USERS 10
#define TS_MAX_CLIENTS 64

struct test_server {
    int listen_fd;
    int wake[2];
    unsigned port;
    bool nasty;
    pthread_t tid;
    unsigned long responses;
    unsigned long tagged; /* requests with the -H header and a Host header */
    unsigned long stall_at; /* > 0: before answering this response, stall ... */
    unsigned stall_ms;      /* ... this long: every connection waits (one thread) */
    /* Server-Timing with known durations: "a" is the user id in ms, "b" always
     * 0.25 ms, an entry without a duration, and on every even response a second
     * header line with "total" (the response number in µs). */
    bool timing;
    unsigned long a_sum_ms, totals, total_sum_us;
};

struct ts_client {
    int fd;
    char buf[8192];
    size_t len;
};

static void ts_token(unsigned id, char *out, size_t len)
{
    snprintf(out, len, "tok-%02u-abcdefghijklmnopqrstuvwxyz0123456789", id);
}

static void ts_write_tokens(const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "user_id\ttoken\tstatus\n");
    for (unsigned id = 1; id <= TS_USERS; id++) {
        char tok[64];
        ts_token(id, tok, sizeof tok);
        fprintf(f, "%u\t%s\tvalid\n", id, tok);
    }
    fprintf(f, "99\ttok-99-expired\texpired\n");
    fclose(f);
}

static void ts_send_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

/* Answers one request; returns false when the connection must be closed. */
static bool ts_answer(struct test_server *ts, int fd, const char *req)
{
    unsigned id = 0;
    if (strstr(req, "\r\nX-Loadgen-Test: yes") && strstr(req, "\r\nHost: 127.0.0.1:"))
        ts->tagged++;
    const char *auth = strstr(req, "Authorization: Bearer tok-");
    if (auth)
        id = (unsigned)atoi(auth + strlen("Authorization: Bearer tok-"));
    if (ts->nasty && id == 5)
        return true; /* silence: the client must time out */
    if (ts->nasty && id == 6) {
        const char *bad = "HTTP/1.1 2x0 broken\r\n\r\n";
        ts_send_all(fd, bad, strlen(bad));
        return false;
    }
    if (ts->stall_at && ts->responses == ts->stall_at) {
        struct timespec st = {ts->stall_ms / 1000, (long)(ts->stall_ms % 1000) * 1000000L};
        nanosleep(&st, NULL);
    }
    unsigned shown = id == 3 ? 4 : id;
    char body[128], resp[512];
    int bl = snprintf(body, sizeof body, "{\"id\":%u,\"username\":\"user%u\"}", shown, shown);
    unsigned long k = ts->responses++;
    bool close_after = k % 7 == 6;
    char timing[160] = "";
    if (ts->timing) {
        int t = snprintf(timing, sizeof timing,
                         "Server-Timing: a;dur=%u.000, cache;desc=\"hit, or not\", b;dur=0.25\r\n",
                         id);
        if (k % 2 == 0)
            snprintf(timing + t, sizeof timing - (size_t)t,
                     "server-timing: total;desc=x;dur=0.%03lu\r\n", k % 1000);
        ts->a_sum_ms += id;
        ts->totals += k % 2 == 0;
        ts->total_sum_us += k % 2 == 0 ? k % 1000 : 0;
    }
    int n;
    if (k % 2 == 0)
        n = snprintf(resp, sizeof resp,
                     "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                     "%s%s\r\n%s",
                     bl, timing, close_after ? "Connection: close\r\n" : "", body);
    else
        n = snprintf(resp, sizeof resp,
                     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n%s%s\r\n"
                     "5;x=y\r\n%.5s\r\n%x\r\n%s\r\n0\r\nX-T: 1\r\n\r\n",
                     timing, close_after ? "Connection: close\r\n" : "", body, bl - 5, body + 5);
    ts_send_all(fd, resp, (size_t)n);
    return !close_after;
}

static void *ts_main(void *arg)
{
    struct test_server *ts = arg;
    struct ts_client *cl = calloc(TS_MAX_CLIENTS, sizeof *cl);
    assert_non_null(cl);
    for (int i = 0; i < TS_MAX_CLIENTS; i++)
        cl[i].fd = -1;
    for (;;) {
        struct pollfd p[TS_MAX_CLIENTS + 2];
        int map[TS_MAX_CLIENTS + 2];
        nfds_t n = 0;
        p[n] = (struct pollfd){.fd = ts->wake[0], .events = POLLIN};
        map[n++] = -2;
        p[n] = (struct pollfd){.fd = ts->listen_fd, .events = POLLIN};
        map[n++] = -1;
        for (int i = 0; i < TS_MAX_CLIENTS; i++) {
            if (cl[i].fd >= 0) {
                p[n] = (struct pollfd){.fd = cl[i].fd, .events = POLLIN};
                map[n++] = i;
            }
        }
        if (poll(p, n, 1000) < 0 && errno != EINTR)
            break;
        if (p[0].revents)
            break;
        for (nfds_t j = 1; j < n; j++) {
            if (!p[j].revents)
                continue;
            if (map[j] == -1) {
                int fd = accept(ts->listen_fd, NULL, NULL);
                int slot = -1;
                for (int i = 0; i < TS_MAX_CLIENTS && fd >= 0; i++)
                    if (cl[i].fd < 0) {
                        slot = i;
                        break;
                    }
                if (slot < 0) {
                    if (fd >= 0)
                        close(fd);
                    continue;
                }
                cl[slot].fd = fd;
                cl[slot].len = 0;
                continue;
            }
            struct ts_client *c = &cl[map[j]];
            ssize_t r = recv(c->fd, c->buf + c->len, sizeof c->buf - 1 - c->len, 0);
            if (r <= 0) {
                close(c->fd);
                c->fd = -1;
                continue;
            }
            c->len += (size_t)r;
            c->buf[c->len] = '\0';
            char *end;
            while (c->fd >= 0 && (end = strstr(c->buf, "\r\n\r\n")) != NULL) {
                *end = '\0';
                bool keep = ts_answer(ts, c->fd, c->buf);
                size_t used = (size_t)(end + 4 - c->buf);
                memmove(c->buf, c->buf + used, c->len - used + 1);
                c->len -= used;
                if (!keep) {
                    close(c->fd);
                    c->fd = -1;
                }
            }
        }
    }
    for (int i = 0; i < TS_MAX_CLIENTS; i++)
        if (cl[i].fd >= 0)
            close(cl[i].fd);
    free(cl);
    return NULL;
}

static void ts_start(struct test_server *ts, bool nasty)
{
    memset(ts, 0, sizeof *ts);
    ts->nasty = nasty;
    ts->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(ts->listen_fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(ts->listen_fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(ts->listen_fd, 128), 0);
    socklen_t len = sizeof a;
    getsockname(ts->listen_fd, (struct sockaddr *)&a, &len);
    ts->port = ntohs(a.sin_port);
    assert_int_equal(pipe(ts->wake), 0);
    assert_int_equal(pthread_create(&ts->tid, NULL, ts_main, ts), 0);
}

static void ts_stop(struct test_server *ts)
{
    assert_int_equal(write(ts->wake[1], "x", 1), 1);
    pthread_join(ts->tid, NULL);
    close(ts->listen_fd);
    close(ts->wake[0]);
    close(ts->wake[1]);
}

/* ---- JSON helpers ------------------------------------------------------------- */

static json_t *load_json(const char *path)
{
    json_error_t e;
    json_t *j = json_load_file(path, 0, &e);
    if (j == NULL)
        fail_msg("%s:%d: %s", path, e.line, e.text);
    return j;
}

static json_int_t jint(const json_t *o, const char *path)
{
    char key[128];
    snprintf(key, sizeof key, "%s", path);
    const json_t *cur = o;
    for (char *tok = strtok(key, "/"); tok; tok = strtok(NULL, "/"))
        cur = json_object_get(cur, tok);
    if (!json_is_integer(cur))
        fail_msg("%s is not an integer", path);
    return json_integer_value(cur);
}

static json_int_t timeline_sum(const json_t *doc, const char *field)
{
    json_int_t sum = 0;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "timeline"), i, e)
        sum += jint(e, field);
    return sum;
}

/* ---- tests -------------------------------------------------------------------- */

static int loadgen(const char *json, const char *stdout_file, const char *stderr_file,
                   const char *const *args)
{
    char *argv[40];
    int n = 0;
    argv[n++] = "bin/loadgen";
    for (; *args; args++)
        argv[n++] = (char *)*args;
    if (json) {
        argv[n++] = "--json";
        argv[n++] = (char *)json;
    }
    argv[n] = NULL;
    /* Runs are a second or two; the bound only matters if loadgen hangs. */
    return run(argv, stdout_file, stderr_file, 60);
}

/* The tokens file of the test server (written) and a test's output files. */
static void ts_files(const char *name, char tokens[300], char json[300], char out[300],
                     char err[300])
{
    char file[40]; /* with tmpdir, fits the 300 bytes */
    tmp_path(tokens, 300, "ts_tokens.tsv");
    snprintf(file, sizeof file, "%s.json", name);
    tmp_path(json, 300, file);
    snprintf(file, sizeof file, "%s.out", name);
    tmp_path(out, 300, file);
    snprintf(file, sizeof file, "%s.err", name);
    tmp_path(err, 300, file);
    ts_write_tokens(tokens);
}

static void test_wrong_user_bodies_are_verify_errors(void **state)
{
    (void)state;
    struct test_server ts;
    ts_start(&ts, false);
    char tokens[300], json[300], out[300], err[300], url[64];
    ts_files("verify", tokens, json, out, err);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/profile", ts.port);
    const char *args[] = {"-c", "4", "-d", "1s", "--warmup", "0", "--tokens", tokens, "--verify",
                          url, NULL};
    int rc = loadgen(json, out, err, args);
    ts_stop(&ts);
    assert_int_equal(rc, 0);

    json_t *doc = load_json(json);
    json_int_t requests = jint(doc, "requests");
    json_int_t verify = jint(doc, "errors/verify");
    assert_true(requests > 20);
    assert_int_equal(jint(doc, "errors/connect") + jint(doc, "errors/read") +
                         jint(doc, "errors/write") + jint(doc, "errors/timeout") +
                         jint(doc, "errors/status"), 0);
    /* One thread walks the tokens in order from the first, so user 3's token was the
     * third of every ten requests: exactly those are verify errors. */
    assert_int_equal(verify, requests >= 3 ? (requests - 3) / 10 + 1 : 0);
    assert_int_equal(jint(doc, "successes"), requests - verify);
    assert_int_equal(jint(doc, "errors/total"), verify);
    assert_non_null(strstr(slurp(out), "SECURITY FAILURE"));
    json_decref(doc);

    /* The same run with --max-error-rate 1% fails. */
    ts_start(&ts, false);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/profile", ts.port);
    const char *args2[] = {"-c", "2", "-d", "500ms", "--warmup", "0", "--tokens", tokens,
                           "--verify", "--max-error-rate", "1%", url, NULL};
    rc = loadgen(NULL, out, err, args2);
    ts_stop(&ts);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(slurp(err), "max-error-rate"));
}

static double jreal(const json_t *o, const char *path)
{
    const json_t *cur = o;
    char key[128];
    snprintf(key, sizeof key, "%s", path);
    for (char *tok = strtok(key, "/"); tok; tok = strtok(NULL, "/"))
        cur = json_object_get(cur, tok);
    if (!json_is_number(cur))
        fail_msg("%s is not a number", path);
    return json_number_value(cur);
}

/* Server-Timing durations the server scripted come back per name: counts, exact
 * means, percentiles, entries without a duration left out, repeated header lines
 * joined; the text summary has a line per step. */
static void test_server_timing_steps_are_aggregated_per_name(void **state)
{
    (void)state;
    struct test_server ts;
    ts_start(&ts, false);
    ts.timing = true;
    char tokens[300], json[300], out[300], err[300], url[64];
    ts_files("steps", tokens, json, out, err);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/profile", ts.port);
    const char *args[] = {"-c", "3", "-d", "1s", "--warmup", "0", "--tokens", tokens, url, NULL};
    int rc = loadgen(json, out, err, args);
    ts_stop(&ts);
    assert_int_equal(rc, 0);
    json_t *doc = load_json(json);
    json_int_t requests = jint(doc, "requests");
    assert_true(requests > 20);
    /* Every answer the window counted was one the server timed (no warm-up, and a
     * request in flight at the end is drained, not dropped). */
    assert_int_equal((unsigned long)requests, ts.responses);
    assert_int_equal(jint(doc, "server_timing/a/count"), requests);
    assert_int_equal(jint(doc, "server_timing/b/count"), requests);
    assert_int_equal(jint(doc, "server_timing/total/count"), (json_int_t)ts.totals);
    assert_null(json_object_get(json_object_get(doc, "server_timing"), "cache"));
    assert_true(fabs(jreal(doc, "server_timing/a/mean_ms") -
                     (double)ts.a_sum_ms / (double)requests) < 1e-9);
    assert_true(fabs(jreal(doc, "server_timing/a/sum_ms") - (double)ts.a_sum_ms) < 1e-6);
    assert_true(fabs(jreal(doc, "server_timing/total/sum_ms") - ts.total_sum_us / 1000.0) < 1e-6);
    assert_true(fabs(jreal(doc, "server_timing/b/mean_ms") - 0.25) < 1e-9);
    assert_true(fabs(jreal(doc, "server_timing/b/p50_ms") - 0.25) < 1e-9);
    assert_true(fabs(jreal(doc, "server_timing/b/p99_ms") - 0.25) < 1e-9);
    /* "a" is 1..10 ms, user after user: the median is 5 or 6 ms, p99 10 ms, each
     * within the histogram's 0.1 %. */
    double p50 = jreal(doc, "server_timing/a/p50_ms"), p99 = jreal(doc, "server_timing/a/p99_ms");
    assert_true((p50 >= 5.0 && p50 <= 5.005) || (p50 >= 6.0 && p50 <= 6.006));
    assert_true(p99 >= 10.0 && p99 <= 10.01);
    json_decref(doc);
    const char *text = slurp(out);
    assert_non_null(strstr(text, "Server-Timing"));
    assert_non_null(strstr(text, "\n    a "));
    assert_non_null(strstr(text, "\n    total "));
}

static void test_no_server_timing_no_field(void **state)
{
    (void)state;
    struct test_server ts;
    ts_start(&ts, false);
    char tokens[300], json[300], out[300], err[300], url[64];
    ts_files("nosteps", tokens, json, out, err);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/profile", ts.port);
    const char *args[] = {"-c", "2", "-d", "300ms", "--warmup", "0", "--tokens", tokens, url,
                          NULL};
    int rc = loadgen(json, out, err, args);
    ts_stop(&ts);
    assert_int_equal(rc, 0);
    json_t *doc = load_json(json);
    assert_null(json_object_get(doc, "server_timing"));
    json_decref(doc);
    assert_null(strstr(slurp(out), "Server-Timing"));
}

static void test_open_loop_sends_rate_times_duration(void **state)
{
    (void)state;
    struct test_server ts;
    ts_start(&ts, false);
    char tokens[300], json[300], out[300], err[300], url[64];
    ts_files("open", tokens, json, out, err);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/profile", ts.port);
    const char *args[] = {"-c", "5", "-t", "2", "-R", "150", "-d", "2s", "--warmup", "500ms",
                          "--tokens", tokens, "-H", "X-Loadgen-Test: yes", url, NULL};
    int rc = loadgen(json, out, err, args);
    ts_stop(&ts);
    assert_int_equal(rc, 0);
    /* Warm-up and window together: 375 requests, each with the -H header. */
    assert_int_equal(ts.responses, 375);
    assert_int_equal(ts.tagged, 375);
    json_t *doc = load_json(json);
    /* 150 requests/s for 2 s: exactly 300 planned in the window, all answered. */
    assert_int_equal(jint(doc, "requests"), 300);
    assert_int_equal(jint(doc, "errors/total"), 0);
    assert_int_equal(jint(doc, "latency/count"), 300);
    assert_int_equal(jint(doc, "latency_uncorrected/count"), 300);
    assert_true(jint(doc, "warmup_responses") == 75);
    assert_int_equal(json_array_size(json_object_get(doc, "timeline")), 2);
    assert_int_equal(timeline_sum(doc, "requests"), 300);
    assert_string_equal(json_string_value(json_object_get(doc, "mode")), "open");
    json_decref(doc);
}

/* A seeded Poisson run sends exactly the requests its schedule plans in the window
 * (the test plans them with the same seed), and a server stall still shows in the
 * latency from the planned send times (coordinated omission corrected) while the
 * latency from the actual sends hides it. */
static void test_poisson_open_loop_follows_its_seed_and_counts_stalls(void **state)
{
    (void)state;
    struct test_server ts;
    ts_start(&ts, false);
    ts.stall_at = 150; /* about 0.25 s into the window */
    ts.stall_ms = 400;
    char tokens[300], json[300], out[300], err[300], url[64];
    ts_files("poisson", tokens, json, out, err);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/profile", ts.port);
    const char *args[] = {"-c", "4", "-R", "200", "-d", "1s", "--warmup", "500ms",
                          "--arrivals", "poisson", "--seed", "1234", "--tokens", tokens, url,
                          NULL};
    int rc = loadgen(json, out, err, args);
    ts_stop(&ts);
    assert_int_equal(rc, 0);
    /* the planned arrivals of the window [0.5 s, 1.5 s), over the 4 connections */
    json_int_t planned = 0;
    for (unsigned g = 0; g < 4; g++) {
        struct lg_sched s;
        lg_sched_init(&s, LG_ARRIVALS_POISSON, 200, 4, g, 1234);
        for (uint64_t t; (t = lg_sched_peek(&s)) < 1500000000ULL; lg_sched_advance(&s))
            planned += t >= 500000000ULL;
    }
    json_t *doc = load_json(json);
    assert_int_equal(jint(doc, "requests"), planned);
    assert_int_equal(jint(doc, "errors/total"), 0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "config"), "arrivals")), "poisson");
    assert_int_equal(jint(doc, "config/seed"), 1234);
    /* about 80 requests were planned during the 400 ms stall: more than 10 % of the
     * window waited over 100 ms from their planned time; from their actual send only
     * the 4 in flight when it began did */
    json_int_t p90 = jint(doc, "latency/p90"), p90u = jint(doc, "latency_uncorrected/p90");
    if (!(p90 > 100000 && p90u < 100000))
        fail_msg("p90 from the planned send %lld us, from the actual send %lld us",
                 (long long)p90, (long long)p90u);
    assert_true(jint(doc, "latency/max") >= 350000);
    json_decref(doc);
}

static void test_timeouts_and_garbage_are_counted_and_survived(void **state)
{
    (void)state;
    struct test_server ts;
    ts_start(&ts, true);
    char tokens[300], json[300], out[300], err[300], url[64];
    ts_files("nasty", tokens, json, out, err);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/profile", ts.port);
    const char *args[] = {"-c", "4", "-d", "1500ms", "--warmup", "0", "--timeout", "100ms",
                          "--tokens", tokens, "--verify", url, NULL};
    int rc = loadgen(json, out, err, args);
    ts_stop(&ts);
    assert_int_equal(rc, 0);
    json_t *doc = load_json(json);
    assert_true(jint(doc, "errors/timeout") > 0);
    assert_true(jint(doc, "errors/read") > 0);
    assert_true(jint(doc, "errors/verify") > 0);
    assert_true(jint(doc, "successes") > 0);
    assert_int_equal(jint(doc, "successes") + jint(doc, "errors/verify") +
                         jint(doc, "errors/status"), jint(doc, "requests"));
    assert_int_equal(timeline_sum(doc, "errors"), jint(doc, "errors/total"));
    json_decref(doc);
}

/* Every field docs/loadgen.md documents, with its JSON type. */
static const struct {
    const char *path;
    json_type type;
} documented[] = {
    {"schema", JSON_STRING}, {"tool", JSON_STRING}, {"version", JSON_STRING},
    {"runs", JSON_INTEGER}, {"url", JSON_STRING}, {"mode", JSON_STRING},
    {"start_time", JSON_STRING}, {"config", JSON_OBJECT},
    {"config/connections", JSON_INTEGER}, {"config/threads", JSON_INTEGER},
    {"config/duration_s", JSON_REAL}, {"config/warmup_s", JSON_REAL},
    {"config/timeout_s", JSON_REAL}, {"config/rate", JSON_REAL},
    {"config/verify", JSON_TRUE}, {"config/tokens", JSON_INTEGER},
    {"config/arrivals", JSON_NULL}, {"config/seed", JSON_NULL}, /* closed loop */
    {"elapsed_s", JSON_REAL}, {"requests", JSON_INTEGER}, {"successes", JSON_INTEGER},
    {"warmup_responses", JSON_INTEGER}, {"errors", JSON_OBJECT},
    {"errors/connect", JSON_INTEGER}, {"errors/read", JSON_INTEGER},
    {"errors/write", JSON_INTEGER}, {"errors/timeout", JSON_INTEGER},
    {"errors/status", JSON_INTEGER}, {"errors/verify", JSON_INTEGER},
    {"errors/total", JSON_INTEGER}, {"status", JSON_OBJECT}, {"status/200", JSON_INTEGER},
    {"bytes", JSON_INTEGER}, {"requests_per_s", JSON_REAL}, {"throughput_rps", JSON_REAL},
    {"bytes_per_s", JSON_REAL}, {"latency", JSON_OBJECT}, {"latency/unit", JSON_STRING},
    {"latency/count", JSON_INTEGER}, {"latency/min", JSON_INTEGER},
    {"latency/max", JSON_INTEGER}, {"latency/mean", JSON_REAL},
    {"latency/stdev", JSON_REAL}, {"latency/p50", JSON_INTEGER},
    {"latency/p75", JSON_INTEGER}, {"latency/p90", JSON_INTEGER},
    {"latency/p99", JSON_INTEGER}, {"latency/p99.9", JSON_INTEGER},
    {"latency/p99.99", JSON_INTEGER}, {"latency/histogram", JSON_OBJECT},
    {"latency/histogram/bits", JSON_INTEGER}, {"latency/histogram/max_us", JSON_INTEGER},
    {"latency/histogram/clamped", JSON_INTEGER}, {"latency/histogram/buckets", JSON_ARRAY},
    {"latency_uncorrected", JSON_OBJECT}, {"latency_uncorrected/p99", JSON_INTEGER},
    {"latency_uncorrected/histogram/buckets", JSON_ARRAY},
    {"timeline", JSON_ARRAY}, {"timeline_bits", JSON_INTEGER},
    /* the monolith sends Server-Timing */
    {"server_timing", JSON_OBJECT}, {"server_timing/auth/count", JSON_INTEGER},
    {"server_timing/db/mean_ms", JSON_REAL}, {"server_timing/render/p50_ms", JSON_REAL},
    {"server_timing/total/p99_ms", JSON_REAL}, {"server_timing/total/sum_ms", JSON_REAL},
    {"server_timing/total/histogram/bits", JSON_INTEGER},
    {"server_timing/total/histogram/buckets", JSON_ARRAY},
};
static const char *const timeline_fields[] = {"second", "requests", "errors", "p50_us",
                                              "p99_us"};

static const json_t *jget(const json_t *o, const char *path)
{
    char key[128];
    snprintf(key, sizeof key, "%s", path);
    const json_t *cur = o;
    for (char *tok = strtok(key, "/"); tok && cur; tok = strtok(NULL, "/"))
        cur = json_object_get(cur, tok);
    return cur;
}

static void run_monolith(const char *name, const char *duration)
{
    char json[300], out[300], err[300];
    snprintf(json, sizeof json, "%s/%s.json", tmpdir, name);
    snprintf(out, sizeof out, "%s/%s.out", tmpdir, name);
    snprintf(err, sizeof err, "%s/%s.err", tmpdir, name);
    const char *args[] = {"-c", "4", "-t", "2", "-d", duration, "--warmup", "200ms", "--tokens",
                          seeded_tokens, "--verify", monolith_url, NULL};
    int rc = loadgen(json, out, err, args);
    if (rc != 0)
        fail_msg("loadgen exited %d: %s", rc, slurp(err));
}

static void test_json_has_every_documented_field(void **state)
{
    (void)state;
    run_monolith("fields", "1s");
    char path[300];
    tmp_path(path, sizeof path, "fields.json");
    json_t *doc = load_json(path);
    for (size_t i = 0; i < sizeof documented / sizeof documented[0]; i++) {
        const json_t *v = jget(doc, documented[i].path);
        if (v == NULL || json_typeof(v) != documented[i].type)
            fail_msg("%s missing or of the wrong type", documented[i].path);
    }
    const json_t *tl = json_object_get(doc, "timeline");
    assert_true(json_array_size(tl) == 1);
    size_t i;
    json_t *e;
    json_array_foreach(tl, i, e) {
        for (size_t f = 0; f < sizeof timeline_fields / sizeof timeline_fields[0]; f++)
            if (!json_is_integer(json_object_get(e, timeline_fields[f])))
                fail_msg("timeline[%zu].%s missing", i, timeline_fields[f]);
        assert_true(json_is_array(json_object_get(e, "buckets")));
    }
    /* A real server, real tokens: every response verified, none wrong. */
    json_int_t requests = jint(doc, "requests");
    assert_true(requests > 0);
    assert_int_equal(jint(doc, "successes"), requests);
    assert_int_equal(jint(doc, "status/200"), requests);
    assert_int_equal(jint(doc, "errors/total"), 0);
    assert_int_equal(jint(doc, "config/tokens"), 200);
    assert_int_equal(timeline_sum(doc, "requests"), requests);
    json_decref(doc);
}

static void hist_from_json(const json_t *lat, struct lg_hist *h)
{
    assert_true(lg_hist_init(h, LG_HIST_BITS));
    size_t i;
    json_t *b;
    json_array_foreach(jget(lat, "histogram/buckets"), i, b)
        lg_hist_record_n(h, (uint64_t)json_integer_value(json_array_get(b, 0)),
                         (uint64_t)json_integer_value(json_array_get(b, 1)));
    h->max = (uint64_t)jint(lat, "max");
    h->min = (uint64_t)jint(lat, "min");
}

static void test_merge_of_two_runs_equals_their_sum(void **state)
{
    (void)state;
    run_monolith("m1", "700ms");
    run_monolith("m2", "700ms");
    char a[300], b[300], c[300], err[300];
    tmp_path(a, sizeof a, "m1.json");
    tmp_path(b, sizeof b, "m2.json");
    tmp_path(c, sizeof c, "merged.json");
    tmp_path(err, sizeof err, "merge.err");
    char *argv[] = {"bin/archbench", "merge", a, b, NULL};
    assert_int_equal(run(argv, c, err, 30), 0);
    json_t *ja = load_json(a), *jb = load_json(b), *jc = load_json(c);

    static const char *const sums[] = {
        "requests", "successes", "bytes", "warmup_responses", "errors/total", "errors/verify",
        "status/200", "latency/count", "latency_uncorrected/count", "config/connections",
        "config/threads", "runs",
    };
    for (size_t i = 0; i < sizeof sums / sizeof sums[0]; i++)
        if (jint(jc, sums[i]) != jint(ja, sums[i]) + jint(jb, sums[i]))
            fail_msg("merged %s is not the sum", sums[i]);
    /* Server-Timing steps: counts and sums add up, the means follow. */
    static const char *const steps[] = {"auth", "db", "render", "total"};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        char count[64], sum[64], mean[64];
        snprintf(count, sizeof count, "server_timing/%s/count", steps[i]);
        snprintf(sum, sizeof sum, "server_timing/%s/sum_ms", steps[i]);
        snprintf(mean, sizeof mean, "server_timing/%s/mean_ms", steps[i]);
        assert_true(jint(ja, count) > 0);
        assert_int_equal(jint(jc, count), jint(ja, count) + jint(jb, count));
        double s = jreal(ja, sum) + jreal(jb, sum);
        assert_true(fabs(jreal(jc, sum) - s) < 1e-6);
        assert_true(fabs(jreal(jc, mean) - s / (double)jint(jc, count)) < 1e-9);
    }
    assert_int_equal(jint(jc, "latency/max"),
                     jint(ja, "latency/max") > jint(jb, "latency/max") ? jint(ja, "latency/max")
                                                                       : jint(jb, "latency/max"));

    /* Histograms: the merged one is the two added; its percentiles are recomputed. */
    struct lg_hist ha, hb, hc;
    hist_from_json(json_object_get(ja, "latency"), &ha);
    hist_from_json(json_object_get(jb, "latency"), &hb);
    hist_from_json(json_object_get(jc, "latency"), &hc);
    assert_true(lg_hist_add(&ha, &hb));
    assert_memory_equal(ha.counts, hc.counts, ha.nslots * sizeof ha.counts[0]);
    static const struct {
        const char *key;
        double p;
    } pct[] = {{"latency/p50", 50}, {"latency/p75", 75}, {"latency/p90", 90},
               {"latency/p99", 99}, {"latency/p99.9", 99.9}, {"latency/p99.99", 99.99}};
    for (size_t i = 0; i < sizeof pct / sizeof pct[0]; i++)
        assert_int_equal(jint(jc, pct[i].key), (json_int_t)lg_hist_percentile(&ha, pct[i].p));
    lg_hist_free(&ha);
    lg_hist_free(&hb);
    lg_hist_free(&hc);

    /* Timelines add up second by second. */
    const json_t *ta = json_object_get(ja, "timeline"), *tb = json_object_get(jb, "timeline"),
                 *tc = json_object_get(jc, "timeline");
    assert_int_equal(json_array_size(tc), json_array_size(ta));
    for (size_t i = 0; i < json_array_size(tc); i++)
        assert_int_equal(jint(json_array_get(tc, i), "requests"),
                         jint(json_array_get(ta, i), "requests") +
                             jint(json_array_get(tb, i), "requests"));
    assert_true(fabs(json_real_value(json_object_get(jc, "throughput_rps")) -
                     json_real_value(json_object_get(ja, "throughput_rps")) -
                     json_real_value(json_object_get(jb, "throughput_rps"))) < 1e-6);

    /* Merging is associative with itself: merging the merge with nothing changes
     * nothing. */
    char d[300];
    tmp_path(d, sizeof d, "merged2.json");
    char *argv2[] = {"bin/archbench", "merge", c, NULL};
    assert_int_equal(run(argv2, d, err, 30), 0);
    json_t *jd = load_json(d);
    assert_true(json_equal(jc, jd));
    json_decref(ja);
    json_decref(jb);
    json_decref(jc);
    json_decref(jd);
}

static void test_merge_rejects_what_is_not_a_report(void **state)
{
    (void)state;
    char bad[300], out[300], err[300];
    tmp_path(bad, sizeof bad, "bad.json");
    tmp_path(out, sizeof out, "bad.out");
    tmp_path(err, sizeof err, "bad.err");
    FILE *f = fopen(bad, "w");
    assert_non_null(f);
    fputs("{\"schema\":\"something else\"}", f);
    fclose(f);
    char *argv[] = {"bin/archbench", "merge", bad, NULL};
    assert_int_equal(run(argv, out, err, 30), 1);
    assert_non_null(strstr(slurp(err), "not a loadgen report"));
    char *argv2[] = {"bin/archbench", "merge", NULL};
    assert_int_equal(run(argv2, out, err, 30), 2);
}

static void test_nothing_listening_exits_1(void **state)
{
    (void)state;
    /* A port that was free a moment ago. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    char url[64], out[300], err[300];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/", ntohs(a.sin_port));
    tmp_path(out, sizeof out, "refused.out");
    tmp_path(err, sizeof err, "refused.err");
    const char *args[] = {"-d", "1s", url, NULL};
    assert_int_equal(loadgen(NULL, out, err, args), 1);
    assert_non_null(strstr(slurp(err), "cannot connect"));
}

static void test_bad_usage_exits_2_with_one_line(void **state)
{
    (void)state;
    static const char *const bad[][8] = {
        {NULL},
        {"-c", "0", "http://127.0.0.1:1/", NULL},
        {"-c", "2", "-t", "4", "http://127.0.0.1:1/", NULL},
        {"-d", "10x", "http://127.0.0.1:1/", NULL},
        {"-R", "fast", "http://127.0.0.1:1/", NULL},
        {"--verify", "http://127.0.0.1:1/", NULL},
        {"-H", "no colon", "http://127.0.0.1:1/", NULL},
        {"https://127.0.0.1:1/", NULL},
        {"http://127.0.0.1:99999/", NULL},
        {"--max-error-rate", "2", "http://127.0.0.1:1/", NULL},
        {"--no-such-option", "http://127.0.0.1:1/", NULL},
        {"http://127.0.0.1:1/", "-c", NULL},
        {"http://127.0.0.1:1/", "extra", NULL},
        {"--arrivals", "poisson", "http://127.0.0.1:1/", NULL},
        {"--json", "/nonexistent-dir/run.json", "http://127.0.0.1:1/", NULL},
        {"--tokens", "/nonexistent-dir/tokens.tsv", "http://127.0.0.1:1/", NULL},
    };
    char out[300], err[300];
    tmp_path(out, sizeof out, "usage.out");
    tmp_path(err, sizeof err, "usage.err");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = loadgen(NULL, out, err, bad[i]);
        if (rc != 2)
            fail_msg("case %zu exited %d, not 2", i, rc);
        const char *e = slurp(err);
        assert_true(strncmp(e, "loadgen: ", 9) == 0);
    }
    const char *help[] = {"--help", NULL};
    assert_int_equal(loadgen(NULL, out, err, help), 0);
    assert_non_null(strstr(slurp(out), "Usage: loadgen"));
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_loadgen_XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    start_monolith();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    stop_monolith();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrong_user_bodies_are_verify_errors),
        cmocka_unit_test(test_server_timing_steps_are_aggregated_per_name),
        cmocka_unit_test(test_no_server_timing_no_field),
        cmocka_unit_test(test_open_loop_sends_rate_times_duration),
        cmocka_unit_test(test_poisson_open_loop_follows_its_seed_and_counts_stalls),
        cmocka_unit_test(test_timeouts_and_garbage_are_counted_and_survived),
        cmocka_unit_test(test_json_has_every_documented_field),
        cmocka_unit_test(test_merge_of_two_runs_equals_their_sum),
        cmocka_unit_test(test_merge_rejects_what_is_not_a_report),
        cmocka_unit_test(test_nothing_listening_exits_1),
        cmocka_unit_test(test_bad_usage_exits_2_with_one_line),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
