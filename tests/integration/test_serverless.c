/* Integration tests of bin/faas: conformance of bin/fn-get-profile with the
 * monolith, and the instance lifecycle (cold, warm, idle, concurrency, timeout,
 * crash, init error, Runtime API misuse, leaks) with build/tests/fn-test.
 * Run from the repository root. Time bounds here are correctness bounds with
 * generous slack, never performance assertions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "httpc.h"
#include "../support/proc.h"
#include "../support/timing.h"

#define FN_TEST "build/tests/fn-test"

static char data_dir[256];

/* Every server a test starts, so that a failed assertion (which leaves the test
 * early) does not leave it running: the per-test teardown stops what is left. */
static struct proc started[8];
static unsigned nstarted;

static void track(const struct proc *p)
{
    if (nstarted < sizeof started / sizeof started[0])
        started[nstarted++] = *p;
}

static int test_teardown(void **state)
{
    (void)state;
    for (unsigned i = 0; i < nstarted; i++)
        if (started[i].pid > 0 && proc_alive(started[i].pid))
            proc_stop(&started[i]);
    nstarted = 0;
    return 0;
}

struct token {
    int user_id;
    char token[64];
    char status[16];
};
static struct token *tokens;
static size_t ntokens;

struct faas {
    struct proc p;
    char stderr_path[512];
    char report_path[512];
    bool fork_server;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static int load_tokens(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/tokens.tsv", data_dir);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    char line[256];
    size_t cap = 0;
    if (fgets(line, sizeof line, f) == NULL) { /* header */
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        if (ntokens == cap) {
            cap = cap ? cap * 2 : 512;
            tokens = realloc(tokens, cap * sizeof *tokens);
        }
        struct token *t = &tokens[ntokens];
        if (sscanf(line, "%d\t%63s\t%15s", &t->user_id, t->token, t->status) == 3)
            ntokens++;
    }
    fclose(f);
    return ntokens > 0 ? 0 : -1;
}

static const struct token *find_token(const char *status, size_t skip)
{
    for (size_t i = 0; i < ntokens; i++)
        if (strcmp(tokens[i].status, status) == 0 && skip-- == 0)
            return &tokens[i];
    return NULL;
}

static int group_setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    if (proc_seed(data_dir, sizeof data_dir, 300) != 0 || load_tokens() != 0)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    proc_rmdir(data_dir);
    free(tokens);
    return 0;
}

/* Starts faas with function and extra arguments (NULL-terminated). */
static void faas_start(struct faas *f, const char *function, bool fork_server, ...)
{
    static unsigned counter;
    memset(f, 0, sizeof *f);
    f->fork_server = fork_server;
    unsigned n = counter++;
    snprintf(f->stderr_path, sizeof f->stderr_path, "%s/faas-%u.log", data_dir, n);
    snprintf(f->report_path, sizeof f->report_path, "%s/report-%u.jsonl", data_dir, n);
    char bin[256], db_env[600];
    snprintf(db_env, sizeof db_env, "ARCHBENCH_DB=%s/app.db", data_dir);
    char *argv[40] = {(char *)proc_bin("faas", bin, sizeof bin), "--listen", "127.0.0.1:0",
                      "--function", (char *)function, "--env", db_env, "--report-log",
                      f->report_path, "--start", fork_server ? "fork-server" : "exec"};
    int argc = 11;
    va_list ap;
    va_start(ap, fork_server);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && argc < 38)
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    assert_int_equal(proc_start_server(&f->p, argv, f->stderr_path), 0);
    track(&f->p);
}

/* The processes whose parent is pid and that are not zombies (zombies counted
 * separately). */
static unsigned children_of(pid_t pid, unsigned *zombies, pid_t *first)
{
    unsigned n = 0;
    if (zombies)
        *zombies = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char path[300], buf[512];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        size_t len = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[len] = '\0';
        char *paren = strrchr(buf, ')');
        char state;
        int ppid;
        if (paren == NULL || sscanf(paren + 2, "%c %d", &state, &ppid) != 2 || ppid != pid)
            continue;
        if (state == 'Z') {
            if (zombies)
                (*zombies)++;
            continue;
        }
        if (first && n == 0)
            *first = atoi(e->d_name);
        n++;
    }
    if (d)
        closedir(d);
    return n;
}

/* Function instances of f: children of faas (exec) or of its template. */
static unsigned instances_of(const struct faas *f, unsigned *zombies)
{
    if (!f->fork_server)
        return children_of(f->p.pid, zombies, NULL);
    pid_t template_pid = 0;
    children_of(f->p.pid, zombies, &template_pid);
    return template_pid ? children_of(template_pid, NULL, NULL) : 0;
}

static unsigned open_fds(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(path);
    unsigned n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    if (d)
        closedir(d);
    return n;
}

static json_t *report_lines(const struct faas *f)
{
    json_t *all = json_array();
    FILE *in = fopen(f->report_path, "r");
    char line[1024];
    while (in && fgets(line, sizeof line, in))
        json_array_append_new(all, json_loads(line, 0, NULL));
    if (in)
        fclose(in);
    return all;
}

static bool log_contains(const struct faas *f, const char *needle)
{
    FILE *in = fopen(f->stderr_path, "r");
    char line[2048];
    bool found = false;
    while (!found && in && fgets(line, sizeof line, in))
        found = strstr(line, needle) != NULL;
    if (in)
        fclose(in);
    return found;
}

/* Stops faas (SIGTERM) and checks it exited cleanly: status 0, and nothing from
 * the sanitizers (SAN=1 builds) in its log, which also holds the instances' output. */
static void faas_stop(struct faas *f)
{
    assert_int_equal(proc_stop(&f->p), 0);
    assert_false(log_contains(f, "Sanitizer"));
    assert_false(log_contains(f, "runtime error:"));
}

static int get(int port, const char *path, const char *headers, struct http_response *r)
{
    return httpc_request(port, "GET", path, headers, r);
}

static int get_pid(int port, const char *path)
{
    struct http_response r;
    if (get(port, path, NULL, &r) != 0)
        return -1;
    int pid = r.status == 200 ? atoi(r.body) : -r.status;
    httpc_free(&r);
    return pid;
}

/* ---- conformance with the monolith ---- */

static void compare(int mono, int faas, const char *method, const char *path,
                    const char *headers, const char *what)
{
    struct http_response a, b;
    assert_int_equal(httpc_request(mono, method, path, headers, &a), 0);
    assert_int_equal(httpc_request(faas, method, path, headers, &b), 0);
    if (a.status != b.status || a.body_len != b.body_len ||
        memcmp(a.body, b.body, a.body_len) != 0)
        fail_msg("%s: monolith %d '%s' vs faas %d '%s'", what, a.status, a.body, b.status,
                 b.body);
    static const char *hdrs[] = {"Content-Type", "Cache-Control", "WWW-Authenticate",
                                 "Allow"};
    for (size_t i = 0; i < sizeof hdrs / sizeof hdrs[0]; i++) {
        char va[256] = "", vb[256] = "";
        bool ha = httpc_header(&a, hdrs[i], va, sizeof va);
        bool hb = httpc_header(&b, hdrs[i], vb, sizeof vb);
        if (ha != hb || strcmp(va, vb) != 0)
            fail_msg("%s: header %s: monolith '%s' vs faas '%s'", what, hdrs[i], va, vb);
    }
    httpc_free(&a);
    httpc_free(&b);
}

static void conformance(bool fork_server)
{
    struct proc mono;
    char bin[256], db[512];
    snprintf(db, sizeof db, "%s/app.db", data_dir);
    char *margv[] = {(char *)proc_bin("monolith", bin, sizeof bin), "--listen", "127.0.0.1:0",
                     "--db", db, NULL};
    assert_int_equal(proc_start_server(&mono, margv, NULL), 0);
    track(&mono);
    struct faas f;
    char fn[256];
    faas_start(&f, proc_bin("fn-get-profile", fn, sizeof fn), fork_server, NULL);

    char h[256];
    unsigned checked = 0;
    for (size_t i = 0; i < ntokens && checked < 200; i++) {
        if (strcmp(tokens[i].status, "valid") != 0)
            continue;
        snprintf(h, sizeof h, "Authorization: Bearer %s\r\n", tokens[i].token);
        compare(mono.port, f.p.port, "GET", "/profile", h, "valid token");
        checked++;
    }
    assert_int_equal(checked, 200);

    const struct token *expired = find_token("expired", 0), *revoked = find_token("revoked", 0);
    assert_non_null(expired);
    assert_non_null(revoked);
    const struct token *valid = find_token("valid", 0);
    struct {
        const char *what, *method, *path;
        char headers[256];
    } cases[] = {
        {"no token", "GET", "/profile", ""},
        {"not bearer", "GET", "/profile", "Authorization: Basic dXNlcjpwYXNz\r\n"},
        {"short token", "GET", "/profile", "Authorization: Bearer abc\r\n"},
        {"unknown token", "GET", "/profile",
         "Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n"},
        {"expired token", "GET", "/profile", ""},
        {"revoked token", "GET", "/profile", ""},
        {"two tokens", "GET", "/profile", ""},
        {"lower-case scheme", "GET", "/profile", ""},
        {"HEAD", "HEAD", "/profile", ""},
        {"unknown path", "GET", "/nope", ""},
        {"unknown path, POST", "POST", "/nope", "Content-Length: 0\r\n"},
        {"POST", "POST", "/profile", "Content-Length: 0\r\n"},
        {"DELETE", "DELETE", "/profile", ""},
        {"query string", "GET", "/profile?x=1", ""},
        {"health", "GET", "/health", ""},
        {"empty Authorization, then a valid one", "GET", "/profile", ""},
        {"valid Authorization, then an empty one", "GET", "/profile", ""},
    };
    snprintf(cases[4].headers, sizeof cases[4].headers, "Authorization: Bearer %s\r\n",
             expired->token);
    snprintf(cases[5].headers, sizeof cases[5].headers, "Authorization: Bearer %s\r\n",
             revoked->token);
    snprintf(cases[6].headers, sizeof cases[6].headers,
             "Authorization: Bearer %s\r\nAuthorization: Bearer %s\r\n", valid->token,
             valid->token);
    snprintf(cases[7].headers, sizeof cases[7].headers, "Authorization: bearer %s\r\n",
             valid->token);
    snprintf(cases[8].headers, sizeof cases[8].headers, "Authorization: Bearer %s\r\n",
             valid->token);
    snprintf(cases[13].headers, sizeof cases[13].headers, "Authorization: Bearer %s\r\n",
             valid->token);
    snprintf(cases[15].headers, sizeof cases[15].headers,
             "Authorization:\r\nAuthorization: Bearer %s\r\n", valid->token);
    snprintf(cases[16].headers, sizeof cases[16].headers,
             "Authorization: Bearer %s\r\nAuthorization:\r\n", valid->token);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        compare(mono.port, f.p.port, cases[i].method, cases[i].path, cases[i].headers,
                cases[i].what);
    /* Two Authorization lines are no credential, in every architecture. */
    struct http_response r;
    assert_int_equal(httpc_request(f.p.port, "GET", "/profile", cases[15].headers, &r), 0);
    assert_int_equal(r.status, 401);
    httpc_free(&r);
    faas_stop(&f);
    proc_stop(&mono);
}

static void test_fn_get_profile_matches_the_monolith(void **state)
{
    (void)state;
    conformance(false);
}

static void test_fn_get_profile_matches_the_monolith_fork_server(void **state)
{
    (void)state;
    conformance(true);
}

/* ---- fork-server templates ---- */

/* Whether pid has a descriptor or a mapping of a file whose path ends in name. */
static bool holds_file(pid_t pid, const char *name)
{
    char path[300], target[512];
    size_t nlen = strlen(name);
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(path);
    struct dirent *e;
    bool found = false;
    while (!found && d && (e = readdir(d)) != NULL) {
        char link[600];
        snprintf(link, sizeof link, "%s/%s", path, e->d_name);
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n <= 0)
            continue;
        target[n] = '\0';
        found = (size_t)n >= nlen && strcmp(target + n - nlen, name) == 0;
    }
    if (d)
        closedir(d);
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    FILE *maps = fopen(path, "r");
    char line[1024];
    while (!found && maps && fgets(line, sizeof line, maps)) {
        line[strcspn(line, "\n")] = '\0';
        size_t n = strlen(line);
        found = n >= nlen && strcmp(line + n - nlen, name) == 0;
    }
    if (maps)
        fclose(maps);
    return found;
}

/* sqlite forbids using a connection across fork(): the template must not hold
 * one for its children to inherit; each instance opens its own. */
static void test_fork_server_template_holds_no_database_connection(void **state)
{
    (void)state;
    struct faas f;
    char fn[256], h[256];
    faas_start(&f, proc_bin("fn-get-profile", fn, sizeof fn), true, NULL);
    const struct token *valid = find_token("valid", 0);
    assert_non_null(valid);
    snprintf(h, sizeof h, "Authorization: Bearer %s\r\n", valid->token);
    struct http_response r;
    assert_int_equal(get(f.p.port, "/profile", h, &r), 0);
    assert_int_equal(r.status, 200);
    httpc_free(&r);

    pid_t template_pid = 0, instance_pid = 0;
    assert_int_equal(children_of(f.p.pid, NULL, &template_pid), 1);
    assert_int_equal(children_of(template_pid, NULL, &instance_pid), 1);
    assert_false(holds_file(template_pid, "/app.db"));
    assert_true(holds_file(instance_pid, "/app.db"));
    faas_stop(&f);
}

/* faas starts a template with LD_BIND_NOW (its children then inherit resolved
 * symbols); instances still get exactly the function's environment. */
static void test_fork_server_instance_environment_is_the_functions(void **state)
{
    (void)state;
    struct faas f;
    struct http_response r;
    faas_start(&f, FN_TEST, true, NULL);
    assert_int_equal(get(f.p.port, "/getenv?name=LD_BIND_NOW", NULL, &r), 0);
    assert_string_equal(r.body, "(unset)");
    httpc_free(&r);
    assert_int_equal(get(f.p.port, "/getenv?name=ARCHBENCH_FN_TEMPLATE_FD", NULL, &r), 0);
    assert_string_equal(r.body, "(unset)");
    httpc_free(&r);
    faas_stop(&f);

    faas_start(&f, FN_TEST, true, "--env", "LD_BIND_NOW=yes", NULL);
    assert_int_equal(get(f.p.port, "/getenv?name=LD_BIND_NOW", NULL, &r), 0);
    assert_string_equal(r.body, "yes");
    httpc_free(&r);
    faas_stop(&f);
}

/* ---- lifecycle ---- */

static void cold_then_warm(bool fork_server)
{
    struct faas f;
    faas_start(&f, FN_TEST, fork_server, NULL);
    int pid1 = get_pid(f.p.port, "/pid");
    int pid2 = get_pid(f.p.port, "/pid");
    assert_true(pid1 > 0);
    assert_int_equal(pid1, pid2);
    assert_int_equal(instances_of(&f, NULL), 1);
    faas_stop(&f);
    assert_false(proc_alive(pid1));

    json_t *lines = report_lines(&f);
    assert_int_equal(json_array_size(lines), 2);
    json_t *first = json_array_get(lines, 0), *second = json_array_get(lines, 1);
    assert_true(json_is_real(json_object_get(first, "initDurationMs")));
    assert_true(json_is_null(json_object_get(second, "initDurationMs")));
    assert_int_equal(json_integer_value(json_object_get(first, "pid")), pid1);
    assert_string_equal(json_string_value(json_object_get(second, "status")), "success");
    json_decref(lines);
    assert_true(log_contains(&f, "Init Duration: "));
    assert_true(log_contains(&f, "\tMemory Size: 128 MB\tMax Memory Used: "));
}

static void test_first_request_is_cold_second_is_warm(void **state)
{
    (void)state;
    cold_then_warm(false);
}

static void test_first_request_is_cold_second_is_warm_fork_server(void **state)
{
    (void)state;
    cold_then_warm(true);
}

static void test_idle_instance_is_stopped(void **state)
{
    (void)state;
    struct faas f;
    faas_start(&f, FN_TEST, false, "--idle-timeout-ms", "200", NULL);
    int pid = get_pid(f.p.port, "/pid");
    assert_true(pid > 0);
    double start = now_s();
    while (proc_alive(pid) && now_s() - start < 10)
        sleep_ms(20);
    assert_false(proc_alive(pid));
    unsigned zombies;
    sleep_ms(50);
    assert_int_equal(instances_of(&f, &zombies), 0);
    assert_int_equal(zombies, 0);
    /* Scaled to zero, the next request is a cold start again. */
    int pid2 = get_pid(f.p.port, "/pid");
    assert_true(pid2 > 0 && pid2 != pid);
    faas_stop(&f);
}

struct burst {
    int port;
    const char *path;
    int status;
    int pid;
};

static void *burst_one(void *arg)
{
    struct burst *b = arg;
    struct http_response r;
    if (get(b->port, b->path, NULL, &r) == 0) {
        b->status = r.status;
        b->pid = r.status == 200 ? atoi(r.body) : 0;
        httpc_free(&r);
    }
    return NULL;
}

static void test_max_concurrency_bounds_instances(void **state)
{
    (void)state;
    struct faas f;
    faas_start(&f, FN_TEST, false, "--max-concurrency", "2", NULL);
    enum { N = 10 };
    struct burst b[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        b[i] = (struct burst){.port = f.p.port, .path = "/sleep?ms=150"};
        pthread_create(&t[i], NULL, burst_one, &b[i]);
    }
    unsigned most = 0;
    double start = now_s();
    while (now_s() - start < 1.0) {
        unsigned n = instances_of(&f, NULL);
        most = n > most ? n : most;
        sleep_ms(5);
    }
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    assert_true(most >= 1 && most <= 2);
    int pids[2] = {0, 0};
    for (int i = 0; i < N; i++) {
        assert_int_equal(b[i].status, 200);
        if (b[i].pid == pids[0] || b[i].pid == pids[1])
            continue;
        assert_int_equal(pids[1], 0); /* a third distinct pid would fail here */
        pids[pids[0] ? 1 : 0] = b[i].pid;
    }
    faas_stop(&f);
}

static void test_full_queue_gives_429(void **state)
{
    (void)state;
    struct faas f;
    faas_start(&f, FN_TEST, false, "--max-concurrency", "1", "--max-queue", "1", NULL);
    assert_true(get_pid(f.p.port, "/pid") > 0); /* warm, so the burst is not a cold start */
    enum { N = 3 };
    struct burst b[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        b[i] = (struct burst){.port = f.p.port, .path = "/sleep?ms=600"};
        pthread_create(&t[i], NULL, burst_one, &b[i]);
        sleep_ms(100); /* in order: running, queued, refused */
    }
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(b[0].status, 200);
    assert_int_equal(b[1].status, 200);
    assert_int_equal(b[2].status, 429);
    faas_stop(&f);
}

/* Sends GET path and closes the connection 100 ms later, without the answer. */
static void abandon(int port, const char *path)
{
    int fd = httpc_connect(port);
    assert_true(fd >= 0);
    char req[256];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
    assert_int_equal(httpc_send(fd, req, (size_t)n), 0);
    sleep_ms(100);
    close(fd);
}

static int count_in_file(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[1024];
    int n = 0;
    while (fgets(line, sizeof line, f))
        n += strstr(line, needle) != NULL;
    fclose(f);
    return n;
}

/* Queued invocations whose clients have left are not run and hold no place in
 * the queue: two of them filled it, and the next client got 429 while they ran
 * for nobody. */
static void test_queued_invocations_of_clients_that_left_are_dropped(void **state)
{
    (void)state;
    struct faas f;
    faas_start(&f, FN_TEST, false, "--max-concurrency", "1", "--max-queue", "2", NULL);
    assert_true(get_pid(f.p.port, "/pid") > 0); /* warm */
    struct burst running = {.port = f.p.port, .path = "/sleep?ms=1500"}, late;
    pthread_t t1, t2;
    pthread_create(&t1, NULL, burst_one, &running);
    sleep_ms(100);
    abandon(f.p.port, "/sleep?ms=1500"); /* queued, then gone: the queue is full */
    abandon(f.p.port, "/sleep?ms=1500");
    late = (struct burst){.port = f.p.port, .path = "/pid"};
    pthread_create(&t2, NULL, burst_one, &late);
    sleep_ms(100);
    abandon(f.p.port, "/sleep?ms=1500"); /* queued behind late, then gone */
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    assert_int_equal(running.status, 200);
    assert_int_equal(late.status, 200);
    sleep_ms(300); /* the abandoned third would have started by now */
    /* The warm-up, the running one and the late one; none of the abandoned. */
    assert_int_equal(count_in_file(f.stderr_path, "START RequestId"), 3);
    faas_stop(&f);
}

static void test_hanging_invocation_gets_504_and_instance_is_replaced(void **state)
{
    (void)state;
    struct faas f;
    faas_start(&f, FN_TEST, false, "--timeout-ms", "500", NULL);
    int pid1 = get_pid(f.p.port, "/pid");
    assert_true(pid1 > 0);
    struct http_response r;
    double start = now_s();
    assert_int_equal(get(f.p.port, "/hang", NULL, &r), 0);
    double took = now_s() - start;
    assert_int_equal(r.status, 504);
    assert_non_null(strstr(r.body, "\"status\":504"));
    httpc_free(&r);
    assert_true(took >= 0.45 && took < 4.0);
    int pid2 = get_pid(f.p.port, "/pid");
    assert_true(pid2 > 0 && pid2 != pid1);
    assert_false(proc_alive(pid1));
    faas_stop(&f);
    assert_true(log_contains(&f, "Status: timeout"));
}

static void crash(bool fork_server)
{
    struct faas f;
    faas_start(&f, FN_TEST, fork_server, NULL);
    int pid1 = get_pid(f.p.port, "/pid");
    assert_int_equal(get_pid(f.p.port, "/crash"), -502);
    int pid2 = get_pid(f.p.port, "/pid");
    assert_true(pid2 > 0 && pid2 != pid1);
    unsigned zombies;
    assert_int_equal(instances_of(&f, &zombies), 1);
    assert_int_equal(zombies, 0);
    faas_stop(&f);
    assert_true(log_contains(&f, "crashed"));
}

static void test_crash_gives_502_then_next_request_succeeds(void **state)
{
    (void)state;
    crash(false);
}

static void test_crash_gives_502_then_next_request_succeeds_fork_server(void **state)
{
    (void)state;
    crash(true);
}

static void test_init_error_gives_502_and_is_logged(void **state)
{
    (void)state;
    struct faas f;
    faas_start(&f, FN_TEST, false, "--env", "FN_TEST_INIT_ERROR=1", NULL);
    assert_int_equal(get_pid(f.p.port, "/pid"), -502);
    assert_int_equal(get_pid(f.p.port, "/pid"), -502);
    faas_stop(&f);
    assert_true(log_contains(&f, "failed to initialise: Test.InitFailure"));
    json_t *lines = report_lines(&f);
    assert_int_equal(json_array_size(lines), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(lines, 0), "status")),
                        "init_error");
    json_decref(lines);
}

static void test_missing_database_is_an_init_error(void **state)
{
    (void)state;
    struct faas f;
    char fn[256];
    faas_start(&f, proc_bin("fn-get-profile", fn, sizeof fn), false, "--env",
               "ARCHBENCH_DB=/nonexistent/app.db", NULL);
    assert_int_equal(get_pid(f.p.port, "/profile"), -502);
    faas_stop(&f);
    assert_true(log_contains(&f, "Runtime.InitError"));
}

static void test_runtime_api_misuse_gets_aws_status_codes(void **state)
{
    (void)state;
    struct faas f;
    faas_start(&f, FN_TEST, false, "--max-concurrency", "1", NULL);
    struct http_response r;
    /* Unknown request id while an invocation is in progress: 400. */
    assert_int_equal(get(f.p.port, "/misuse", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "400");
    httpc_free(&r);
    /* A second response for the same request: 403 (no invocation in progress). */
    assert_int_equal(get(f.p.port, "/misuse-last", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "403");
    httpc_free(&r);
    faas_stop(&f);
}

static void test_results_map_back_to_http(void **state)
{
    (void)state;
    struct faas f;
    faas_start(&f, FN_TEST, false, NULL);
    struct http_response r;
    char v[256];
    /* Plain JSON without statusCode: a 200 application/json with it as body. */
    assert_int_equal(get(f.p.port, "/nostatus", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"hello\":\"world\"}");
    assert_true(httpc_header(&r, "Content-Type", v, sizeof v));
    assert_string_equal(v, "application/json");
    httpc_free(&r);
    /* Base64 body, status, headers and cookies. */
    assert_int_equal(get(f.p.port, "/binary", NULL, &r), 0);
    assert_int_equal(r.status, 201);
    assert_int_equal(r.body_len, 4);
    assert_memory_equal(r.body, "\x00\x01\x02\xff", 4);
    assert_non_null(strstr(r.head, "set-cookie: a=1\r\n"));
    assert_non_null(strstr(r.head, "set-cookie: b=2\r\n"));
    httpc_free(&r);
    /* Garbage and handler errors: 502. */
    assert_int_equal(get_pid(f.p.port, "/garbage"), -502);
    assert_int_equal(get_pid(f.p.port, "/error"), -502);
    /* Over 6 MB: the platform refuses the payload, the invocation fails. */
    assert_int_equal(get_pid(f.p.port, "/big?mb=7"), -502);
    /* The event: v2.0, lower-cased headers, query, request context. */
    assert_int_equal(get(f.p.port, "/echo?b=2&a=x%20y",
                         "X-Custom: One\r\nx-custom: Two\r\nCookie: c=1; d=2\r\n", &r), 0);
    assert_int_equal(r.status, 200);
    json_t *ev = json_loads(r.body, 0, NULL);
    assert_non_null(ev);
    assert_string_equal(json_string_value(json_object_get(ev, "version")), "2.0");
    assert_string_equal(json_string_value(json_object_get(ev, "routeKey")), "$default");
    assert_string_equal(json_string_value(json_object_get(ev, "rawPath")), "/echo");
    assert_string_equal(json_string_value(json_object_get(ev, "rawQueryString")),
                        "b=2&a=x%20y");
    json_decref(ev);
    httpc_free(&r);
    /* rawQueryString is the bytes sent, not the query decoded and encoded again
     * ("k=a%20b&c=~%2F"); the parameters are decoded as API Gateway decodes them. */
    assert_int_equal(get(f.p.port, "/echo?k=a+b&c=%7e%2f", NULL, &r), 0);
    ev = json_loads(r.body, 0, NULL);
    assert_non_null(ev);
    assert_string_equal(json_string_value(json_object_get(ev, "rawQueryString")),
                        "k=a+b&c=%7e%2f");
    json_t *params = json_object_get(ev, "queryStringParameters");
    assert_string_equal(json_string_value(json_object_get(params, "k")), "a b");
    assert_string_equal(json_string_value(json_object_get(params, "c")), "~/");
    json_decref(ev);
    httpc_free(&r);
    assert_int_equal(get(f.p.port, "/echo?b=2&a=x%20y",
                         "X-Custom: One\r\nx-custom: Two\r\nCookie: c=1; d=2\r\n", &r), 0);
    ev = json_loads(r.body, 0, NULL);
    assert_non_null(ev);
    json_t *headers = json_object_get(ev, "headers");
    assert_string_equal(json_string_value(json_object_get(headers, "x-custom")), "One,Two");
    assert_null(json_object_get(headers, "cookie"));
    assert_int_equal(json_array_size(json_object_get(ev, "cookies")), 2);
    json_t *http = json_object_get(json_object_get(ev, "requestContext"), "http");
    assert_string_equal(json_string_value(json_object_get(http, "method")), "GET");
    assert_string_equal(json_string_value(json_object_get(http, "sourceIp")), "127.0.0.1");
    assert_true(json_is_integer(
        json_object_get(json_object_get(ev, "requestContext"), "timeEpoch")));
    assert_true(json_is_false(json_object_get(ev, "isBase64Encoded")));
    char rid[64];
    assert_true(httpc_header(&r, "Apigw-Requestid", rid, sizeof rid));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(ev, "requestContext"), "requestId")),
                        rid);
    json_decref(ev);
    httpc_free(&r);
    faas_stop(&f);
}

/* POSTs result to fn-test's /result, which returns it as its own result. */
static int post_result(int port, const char *result, struct http_response *r)
{
    int fd = httpc_connect(port);
    if (fd < 0)
        return -1;
    char head[256];
    int n = snprintf(head, sizeof head,
                     "POST /result HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                     "application/json\r\nContent-Length: %zu\r\n\r\n",
                     strlen(result));
    int rc = httpc_send(fd, head, (size_t)n) == 0 && httpc_send(fd, result, strlen(result)) == 0
                 ? httpc_read(fd, r, false)
                 : -1;
    close(fd);
    return rc;
}

/* A result HTTP cannot carry gets a 502 problem+json: a 1xx statusCode (sent as it
 * was, the client waited for a final answer for ever), a header with CR LF (it was
 * dropped silently), a header too large for the response head (the connection was
 * closed without an answer). */
static void test_results_http_cannot_carry_get_502(void **state)
{
    (void)state;
    struct faas f;
    faas_start(&f, FN_TEST, false, NULL);
    static char big[20000];
    int n = snprintf(big, sizeof big, "{\"statusCode\":200,\"headers\":{\"x-big\":\"");
    memset(big + n, 'v', 16000);
    strcpy(big + n + 16000, "\"},\"body\":\"x\"}");
    const char *results[] = {
        "{\"statusCode\":100,\"body\":\"x\"}",
        "{\"statusCode\":200,\"headers\":{\"x-a\":\"b\\r\\nInjected: 1\"},\"body\":\"x\"}",
        big,
    };
    for (size_t i = 0; i < sizeof results / sizeof results[0]; i++) {
        struct http_response r;
        if (post_result(f.p.port, results[i], &r) != 0)
            fail_msg("result %zu: no answer", i);
        if (r.status != 502)
            fail_msg("result %zu: status %d", i, r.status);
        char v[128];
        assert_true(httpc_header(&r, "Content-Type", v, sizeof v));
        assert_string_equal(v, "application/problem+json");
        assert_null(strstr(r.head, "Injected"));
        httpc_free(&r);
    }
    /* The instance still serves: the same path with a result HTTP can carry. */
    struct http_response r;
    assert_int_equal(post_result(f.p.port, "{\"statusCode\":201,\"body\":\"ok\"}", &r), 0);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.body, "ok");
    httpc_free(&r);
    faas_stop(&f);
}

/* Opens a connection and sends a POST /result head announcing total body bytes,
 * then the first sent of them: a result fn-test returns as it is, padded with
 * spaces. Returns the socket. */
static int post_result_start(int port, size_t total, size_t sent)
{
    static const char result[] = "{\"statusCode\":200,\"body\":\"ok\"}";
    int fd = httpc_connect(port);
    assert_true(fd >= 0);
    char head[256];
    int n = snprintf(head, sizeof head,
                     "POST /result HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                     "application/json\r\nContent-Length: %zu\r\n\r\n", total);
    char *body = malloc(total);
    assert_non_null(body);
    memset(body, ' ', total);
    memcpy(body, result, sizeof result - 1);
    assert_int_equal(httpc_send(fd, head, (size_t)n), 0);
    assert_int_equal(httpc_send(fd, body, sent), 0);
    free(body);
    return fd;
}

/* Waits (at most 10 s) until the server has read every byte sent on fd: the
 * server's end of the connection has nothing left in its receive queue and ours
 * nothing in its send queue (/proc/net/tcp, IPv4 loopback). */
static void wait_server_read_all(int fd)
{
    struct sockaddr_in me, peer;
    socklen_t len = sizeof me;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&me, &len), 0);
    len = sizeof peer;
    assert_int_equal(getpeername(fd, (struct sockaddr *)&peer, &len), 0);
    unsigned mine = ntohs(me.sin_port), theirs = ntohs(peer.sin_port);
    for (int i = 0; i < 1000; i++) {
        FILE *f = fopen("/proc/net/tcp", "r");
        assert_non_null(f);
        char line[256];
        unsigned long queued = 0;
        while (fgets(line, sizeof line, f)) {
            unsigned lport, rport;
            unsigned long tx, rx;
            if (sscanf(line, " %*d: %*x:%x %*x:%x %*x %lx:%lx", &lport, &rport, &tx, &rx) != 4)
                continue;
            if (lport == theirs && rport == mine)
                queued += rx;
            if (lport == mine && rport == theirs)
                queued += tx;
        }
        fclose(f);
        if (queued == 0)
            return;
        sleep_ms(10);
    }
    fail_msg("the server did not read what was sent within 10 s");
}

static void post_result_finish(int fd, size_t rest)
{
    char *pad = malloc(rest);
    assert_non_null(pad);
    memset(pad, ' ', rest);
    assert_int_equal(httpc_send(fd, pad, rest), 0);
    free(pad);
}

/* Request bodies held at once are capped (--max-body-memory-mb): 20 clients with
 * a 6 MB body each took faas from 6 to 153 MB, and nothing bounded the total. With
 * a 6 MB budget, a body that would go past it gets 503 problem+json while the one
 * already held is served, and the budget is given back when requests end. */
static void test_request_bodies_held_at_once_are_capped(void **state)
{
    (void)state;
    struct faas f;
    faas_start(&f, FN_TEST, false, "--max-body-memory-mb", "6", NULL);
    const size_t total = 4000000;
    int a = post_result_start(f.p.port, total, 3500000);
    wait_server_read_all(a); /* faas holds A's 3.5 MB first */
    int b = post_result_start(f.p.port, total, 3000000); /* past 6 MB at 2.5 MB */
    struct http_response r;
    assert_int_equal(httpc_read(b, &r, false), 0);
    assert_int_equal(r.status, 503);
    char v[128];
    assert_true(httpc_header(&r, "Content-Type", v, sizeof v));
    assert_string_equal(v, "application/problem+json");
    httpc_free(&r);
    close(b);
    post_result_finish(a, total - 3500000);
    assert_int_equal(httpc_read(a, &r, false), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "ok");
    httpc_free(&r);
    close(a);
    /* Both gave their share back: a whole 4 MB body fits again. */
    int c = post_result_start(f.p.port, total, total);
    assert_int_equal(httpc_read(c, &r, false), 0);
    assert_int_equal(r.status, 200);
    httpc_free(&r);
    close(c);
    faas_stop(&f);
}

static void test_provisioned_instances_start_ahead_of_demand(void **state)
{
    (void)state;
    struct faas f;
    faas_start(&f, FN_TEST, false, "--provisioned", "2", "--idle-timeout-ms", "100", NULL);
    double start = now_s();
    while (instances_of(&f, NULL) < 2 && now_s() - start < 10)
        sleep_ms(20);
    assert_int_equal(instances_of(&f, NULL), 2);
    sleep_ms(400); /* past the idle timeout: provisioned instances stay */
    assert_int_equal(instances_of(&f, NULL), 2);
    assert_true(get_pid(f.p.port, "/pid") > 0);
    faas_stop(&f);
    json_t *lines = report_lines(&f);
    assert_true(json_is_null(json_object_get(json_array_get(lines, 0), "initDurationMs")));
    json_decref(lines);
}

static void test_sigterm_stops_every_instance(void **state)
{
    (void)state;
    struct faas f;
    faas_start(&f, FN_TEST, false, NULL);
    enum { N = 4 };
    struct burst b[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        b[i] = (struct burst){.port = f.p.port, .path = "/sleep?ms=300"};
        pthread_create(&t[i], NULL, burst_one, &b[i]);
    }
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    int pids[N];
    for (int i = 0; i < N; i++) {
        assert_int_equal(b[i].status, 200);
        pids[i] = b[i].pid;
    }
    faas_stop(&f);
    for (int i = 0; i < N; i++)
        assert_false(proc_alive(pids[i]));
}

struct hammer {
    int port;
    unsigned n;
    unsigned ok;
};

/* Keep-alive requests on one connection, reconnecting when it drops. */
static void *hammer(void *arg)
{
    struct hammer *h = arg;
    int fd = -1;
    static const char req[] = "GET /pid HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    for (unsigned i = 0; i < h->n; i++) {
        if (fd < 0)
            fd = httpc_connect(h->port);
        struct http_response r;
        if (fd < 0 || httpc_send(fd, req, sizeof req - 1) != 0 || httpc_read(fd, &r, false) != 0) {
            if (fd >= 0)
                close(fd);
            fd = -1;
            continue;
        }
        if (r.status == 200)
            h->ok++;
        httpc_free(&r);
        /* A pause now and then outlasts the 1 ms idle timeout: cold starts. */
        if (i % 10 == 9)
            sleep_ms(5);
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

static void test_many_cold_starts_leave_no_processes_or_descriptors(void **state)
{
    (void)state;
    struct faas f;
    faas_start(&f, FN_TEST, false, "--idle-timeout-ms", "1", NULL);
    assert_true(get_pid(f.p.port, "/pid") > 0);
    sleep_ms(200);
    unsigned fds_before = open_fds(f.p.pid);
    enum { THREADS = 4, PER_THREAD = 2500 };
    struct hammer h[THREADS];
    pthread_t t[THREADS];
    double start = now_s();
    for (int i = 0; i < THREADS; i++) {
        h[i] = (struct hammer){.port = f.p.port, .n = PER_THREAD};
        pthread_create(&t[i], NULL, hammer, &h[i]);
    }
    unsigned ok = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        ok += h[i].ok;
    }
    assert_int_equal(ok, THREADS * PER_THREAD);
    /* Scale to zero, then count what is left. */
    while (instances_of(&f, NULL) > 0 && now_s() - start < 300)
        sleep_ms(20);
    sleep_ms(100);
    unsigned zombies;
    assert_int_equal(instances_of(&f, &zombies), 0);
    assert_int_equal(zombies, 0);
    assert_int_equal(open_fds(f.p.pid), fds_before);
    json_t *lines = report_lines(&f);
    size_t cold = 0, i;
    json_t *line;
    json_array_foreach(lines, i, line)
        if (json_is_real(json_object_get(line, "initDurationMs")))
            cold++;
    json_decref(lines);
    print_message("%u invocations, %zu cold starts\n", ok, cold);
    assert_true(cold >= 100);
    faas_stop(&f);
}

/* ---- the Runtime API's endpoints: nobody but the instance takes or answers ---- */

static bool read_text(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    size_t n = fread(buf, 1, len - 1, f);
    fclose(f);
    buf[n] = '\0';
    return n > 0;
}

/* Waits (at most 8 s) for a file to get some content. */
static bool wait_text(const char *path, char *buf, size_t len)
{
    double start = now_s();
    while (!read_text(path, buf, len) && now_s() - start < 8)
        sleep_ms(20);
    return buf[0] != '\0';
}

/* The value of name in process pid's environment. */
static bool proc_env(pid_t pid, const char *name, char *out, size_t outlen)
{
    char path[64], buf[16384];
    snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f), nlen = strlen(name);
    fclose(f);
    buf[n] = '\0';
    for (char *e = buf; e < buf + n; e += strlen(e) + 1) {
        if (strncmp(e, name, nlen) == 0 && e[nlen] == '=') {
            snprintf(out, outlen, "%s", e + nlen + 1);
            return true;
        }
    }
    return false;
}

/* A Runtime API call made by hand on a new connection to api ("HOST:PORT", or the
 * former "HOST:PORT/path"): the status, -1 when refused, closed or unanswered in
 * 5 s. */
static int api_call(const char *api, const char *method, const char *what, const char *body,
                    char *got, size_t gotlen)
{
    const char *colon = strrchr(api, ':');
    char *prefix;
    int port = (int)strtol(colon + 1, &prefix, 10);
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "%s %s/2018-06-01/runtime/%s HTTP/1.1\r\nHost: x\r\n"
                     "Content-Length: %zu\r\n\r\n%s",
                     method, prefix, what, body ? strlen(body) : 0, body ? body : "");
    int fd = httpc_connect(port);
    struct http_response r;
    int status = fd >= 0 && httpc_send(fd, req, (size_t)n) == 0 &&
                         httpc_read(fd, &r, false) == 0 ? r.status : -1;
    if (fd >= 0)
        close(fd);
    if (got != NULL)
        snprintf(got, gotlen, "%s", status >= 0 ? r.body : "");
    if (status >= 0)
        httpc_free(&r);
    return status;
}

static void test_runtime_api_address_is_host_and_port(void **state)
{
    (void)state;
    struct faas f;
    struct http_response r;
    faas_start(&f, FN_TEST, false, NULL);
    assert_int_equal(get(f.p.port, "/getenv?name=AWS_LAMBDA_RUNTIME_API", NULL, &r), 0);
    unsigned port = 0;
    char rest[8] = "";
    assert_int_equal(sscanf(r.body, "127.0.0.1:%u%7s", &port, rest), 1);
    assert_true(port > 0 && port < 65536);
    httpc_free(&r);
    faas_stop(&f);
}

struct victim {
    int port;
    const char *path;
    char headers[256];
    int status;
    char body[4096];
};

static void *victim_request(void *arg)
{
    struct victim *v = arg;
    struct http_response r;
    v->status = -1;
    if (get(v->port, v->path, v->headers, &r) == 0) {
        v->status = r.status;
        snprintf(v->body, sizeof v->body, "%s", r.body);
        httpc_free(&r);
    }
    return NULL;
}

struct thief {
    char api[128];
    int status;
    char got[8192];
};

static void *thief_next(void *arg)
{
    struct thief *t = arg;
    t->status = api_call(t->api, "GET", "invocation/next", NULL, t->got, sizeof t->got);
    return NULL;
}

/* Another local process parks its own /next on a live instance's endpoint (found
 * in the instance's environment, as a port scan would find it) and forges a
 * response: it never sees the next user's event, and that user gets their own
 * profile from the real instance. */
static void test_a_process_that_is_not_the_instance_takes_no_invocation(void **state)
{
    (void)state;
    struct faas f;
    char fn[256], h[256];
    faas_start(&f, proc_bin("fn-get-profile", fn, sizeof fn), false, NULL);
    const struct token *victim = find_token("valid", 3);
    snprintf(h, sizeof h, "Authorization: Bearer %s\r\n", find_token("valid", 0)->token);
    struct http_response r;
    assert_int_equal(get(f.p.port, "/profile", h, &r), 0);
    assert_int_equal(r.status, 200);
    httpc_free(&r);
    pid_t instance = 0;
    assert_int_equal(children_of(f.p.pid, NULL, &instance), 1);
    struct thief t = {.status = 0};
    assert_true(proc_env(instance, "AWS_LAMBDA_RUNTIME_API", t.api, sizeof t.api));
    pthread_t th;
    pthread_create(&th, NULL, thief_next, &t);
    sleep_ms(300); /* the thief's /next is in before the victim's request */
    struct victim v = {.port = f.p.port, .path = "/profile"};
    snprintf(v.headers, sizeof v.headers, "Authorization: Bearer %s\r\n", victim->token);
    victim_request(&v);
    pthread_join(th, NULL);
    assert_int_equal(v.status, 200);
    char want[32];
    snprintf(want, sizeof want, "{\"id\":%d,", victim->user_id);
    assert_memory_equal(v.body, want, strlen(want));
    assert_true(t.status != 200);
    assert_null(strstr(t.got, victim->token));
    /* A forged response for a request id it guessed gets nowhere either. */
    char got[512];
    assert_true(api_call(t.api, "POST", "invocation/x/response", "{\"forged\":true}", got,
                         sizeof got) != 202);
    faas_stop(&f);
    assert_true(log_contains(&f, "refused a Runtime API connection"));
}

/* A child of the instance (it passes the owner check) calls /next while the
 * instance waits in its own: it is refused, the waiting call keeps its place and
 * the next request is answered by the instance. */
static void test_a_second_next_of_an_instance_is_refused(void **state)
{
    (void)state;
    struct faas f;
    char out[600], path[700], got[4096] = "";
    snprintf(out, sizeof out, "%s/thief-next.txt", data_dir);
    unlink(out);
    snprintf(path, sizeof path, "/thief-next?out=%s", out);
    faas_start(&f, FN_TEST, false, NULL);
    int pid = get_pid(f.p.port, path);
    assert_true(pid > 0);
    sleep_ms(500); /* the child calls /next 200 ms after the instance's answer */
    struct victim v = {.port = f.p.port, .path = "/echo"};
    snprintf(v.headers, sizeof v.headers, "X-Victim: its own event\r\n");
    victim_request(&v);
    assert_int_equal(v.status, 200);
    assert_true(wait_text(out, got, sizeof got));
    assert_non_null(strstr(v.body, "its own event"));
    assert_int_equal(atoi(got), 403);
    assert_null(strstr(got, "its own event"));
    assert_int_equal(get_pid(f.p.port, "/pid"), pid);
    faas_stop(&f);
}

/* Instance B posts a response for an invocation given to instance A, on A's
 * endpoint and on its own: both are refused and A's caller gets A's answer. */
static void test_an_instance_cannot_answer_another_instances_invocation(void **state)
{
    (void)state;
    struct faas f;
    struct http_response r;
    char idfile[600], path[1024], api[128], id[64] = "";
    snprintf(idfile, sizeof idfile, "%s/hold-id.txt", data_dir);
    unlink(idfile);
    faas_start(&f, FN_TEST, false, "--max-concurrency", "2", NULL);
    assert_int_equal(get(f.p.port, "/getenv?name=AWS_LAMBDA_RUNTIME_API", NULL, &r), 0);
    snprintf(api, sizeof api, "%s", r.body);
    httpc_free(&r);
    int a = get_pid(f.p.port, "/pid");
    struct victim v = {.port = f.p.port, .path = path};
    snprintf(path, sizeof path, "/hold?ms=1500&idfile=%s", idfile);
    pthread_t th;
    pthread_create(&th, NULL, victim_request, &v);
    assert_true(wait_text(idfile, id, sizeof id));
    char steal[1024];
    snprintf(steal, sizeof steal, "/steal?id=%s&api=%s", id, api);
    assert_int_equal(get(f.p.port, steal, NULL, &r), 0); /* served by B, a cold start */
    assert_int_equal(r.status, 200);
    int other = -2, own = -2;
    assert_int_equal(sscanf(r.body, "other=%d own=%d", &other, &own), 2);
    httpc_free(&r);
    pthread_join(th, NULL);
    assert_int_equal(v.status, 200);
    assert_int_equal(atoi(v.body), a);
    assert_true(other != 202);
    assert_int_equal(own, 400);
    faas_stop(&f);
}

/* ---- oversized responses, environment, memory, logs ---- */

/* A runtime that posts a response over the limit and reports nothing (as AWS's
 * Node.js client does) gets 413; the invocation fails at once with
 * Function.ResponseSizeTooLarge and the instance serves the next request warm. */
static void test_oversized_response_fails_at_once_without_a_cold_start(void **state)
{
    (void)state;
    struct faas f;
    struct http_response r;
    faas_start(&f, FN_TEST, false, "--timeout-ms", "20000", NULL);
    int pid = get_pid(f.p.port, "/pid");
    double start = now_s();
    assert_int_equal(get(f.p.port, "/big-raw?mb=7", NULL, &r), 0);
    assert_true(now_s() - start < 10);
    assert_int_equal(r.status, 502);
    assert_non_null(strstr(r.body, "Function.ResponseSizeTooLarge"));
    httpc_free(&r);
    assert_int_equal(get_pid(f.p.port, "/pid"), pid);
    faas_stop(&f);
    json_t *lines = report_lines(&f);
    json_t *big = json_array_get(lines, 1);
    assert_string_equal(json_string_value(json_object_get(big, "status")), "error");
    assert_string_equal(json_string_value(json_object_get(big, "errorType")),
                        "Function.ResponseSizeTooLarge");
    assert_true(json_is_null(json_object_get(json_array_get(lines, 2), "initDurationMs")));
    json_decref(lines);
}

/* Whether the newline-separated environment text holds exactly the names given
 * (NULL-terminated). */
static void assert_names(const char *text, const char *const *names)
{
    size_t want = 0, got = 0;
    while (names[want] != NULL)
        want++;
    for (const char *line = text; *line != '\0'; line += strcspn(line, "\n") + 1) {
        size_t len = strcspn(line, "=");
        bool known = false;
        for (size_t i = 0; i < want && !known; i++)
            known = strlen(names[i]) == len && strncmp(names[i], line, len) == 0;
        if (!known)
            fail_msg("unexpected variable: %.*s", (int)strcspn(line, "\n"), line);
        got++;
        if (line[strcspn(line, "\n")] == '\0')
            break;
    }
    assert_int_equal(got, want);
}

static void env_value(int port, const char *name, char *out, size_t outlen)
{
    char path[128];
    struct http_response r;
    snprintf(path, sizeof path, "/getenv?name=%s", name);
    assert_int_equal(get(port, path, NULL, &r), 0);
    snprintf(out, outlen, "%s", r.body);
    httpc_free(&r);
}

/* Instances see Lambda's variables and --env, nothing of faas's own environment. */
static void test_instances_get_lambdas_environment_only(void **state)
{
    (void)state;
    static const char *const names[] = {
        "_HANDLER", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_REGION",
        "AWS_DEFAULT_REGION", "TZ", "LANG", "PATH", "LD_LIBRARY_PATH", "AWS_LAMBDA_RUNTIME_API",
        "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_EXECUTION_ENV", "ARCHBENCH_DB", "EXTRA", NULL};
    setenv("FAAS_OWN_VARIABLE", "not for instances", 1);
    struct faas f;
    struct http_response r;
    char v[512], root[512];
    faas_start(&f, FN_TEST, false, "--env", "EXTRA=1", "--env", "LANG=C.UTF-8", "--region",
               "eu-west-1", "--runtime", "nodejs20.x", "--handler", "index.handler", NULL);
    unsetenv("FAAS_OWN_VARIABLE");
    assert_int_equal(get(f.p.port, "/environ", NULL, &r), 0);
    assert_names(r.body, names);
    httpc_free(&r);
    env_value(f.p.port, "AWS_REGION", v, sizeof v);
    assert_string_equal(v, "eu-west-1");
    env_value(f.p.port, "_HANDLER", v, sizeof v);
    assert_string_equal(v, "index.handler");
    env_value(f.p.port, "AWS_EXECUTION_ENV", v, sizeof v);
    assert_string_equal(v, "AWS_Lambda_nodejs20.x");
    env_value(f.p.port, "LANG", v, sizeof v);
    assert_string_equal(v, "C.UTF-8");
    env_value(f.p.port, "AWS_LAMBDA_INITIALIZATION_TYPE", v, sizeof v);
    assert_string_equal(v, "on-demand");
    env_value(f.p.port, "AWS_LAMBDA_LOG_GROUP_NAME", v, sizeof v);
    assert_string_equal(v, "/aws/lambda/fn-test");
    env_value(f.p.port, "AWS_LAMBDA_LOG_STREAM_NAME", v, sizeof v);
    unsigned y, m, d;
    char hex[40] = "";
    assert_int_equal(sscanf(v, "%4u/%2u/%2u/[$LATEST]%39s", &y, &m, &d, hex), 4);
    assert_int_equal(strlen(hex), 32);
    assert_non_null(realpath("build/tests", root));
    env_value(f.p.port, "LAMBDA_TASK_ROOT", v, sizeof v);
    assert_string_equal(v, root);
    env_value(f.p.port, "LD_LIBRARY_PATH", v, sizeof v);
    strcat(root, "/lib");
    assert_non_null(strstr(v, root));
    faas_stop(&f);

    /* A provided runtime has no AWS_EXECUTION_ENV; defaults; provisioned type. */
    faas_start(&f, FN_TEST, false, "--provisioned", "1", NULL);
    /* A request that arrives while the provisioned instance still initialises goes
     * to a new on-demand one, as on Lambda: wait until it is ready. */
    double start = now_s();
    while (!log_contains(&f, "initialised in") && now_s() - start < 10)
        sleep_ms(20);
    env_value(f.p.port, "AWS_EXECUTION_ENV", v, sizeof v);
    assert_string_equal(v, "(unset)");
    env_value(f.p.port, "AWS_REGION", v, sizeof v);
    assert_string_equal(v, "us-east-1");
    env_value(f.p.port, "AWS_LAMBDA_INITIALIZATION_TYPE", v, sizeof v);
    assert_string_equal(v, "provisioned-concurrency");
    faas_stop(&f);

    /* Reserved names cannot be set. */
    char bin[256];
    char *argv[] = {(char *)proc_bin("faas", bin, sizeof bin), "--function", FN_TEST,
                    "--env", "AWS_REGION=x", NULL};
    assert_int_equal(proc_run(argv), 2);
}

/* The memory size limits memory used: a function that reserves far more address
 * space than its size runs; one that touches more is stopped (502, REPORT status
 * Runtime.OutOfMemory) and the next request gets a new instance. */
static void test_memory_limit_counts_memory_used_not_address_space(void **state)
{
    (void)state;
    struct faas f;
    faas_start(&f, FN_TEST, false, "--memory-mb", "128", NULL);
    int pid1 = get_pid(f.p.port, "/reserve?mb=4096");
    assert_true(pid1 > 0);
    assert_int_equal(get_pid(f.p.port, "/alloc?mb=32"), pid1);
    assert_int_equal(get_pid(f.p.port, "/alloc?mb=400"), -502);
    int pid2 = get_pid(f.p.port, "/pid");
    assert_true(pid2 > 0 && pid2 != pid1);
    faas_stop(&f);
    json_t *lines = report_lines(&f);
    json_t *oom = json_array_get(lines, 2);
    assert_string_equal(json_string_value(json_object_get(oom, "status")), "crash");
    assert_string_equal(json_string_value(json_object_get(oom, "errorType")),
                        "Runtime.OutOfMemory");
    assert_int_equal(json_integer_value(json_object_get(oom, "memorySizeMb")), 128);
    assert_true(json_integer_value(json_object_get(oom, "maxMemoryUsedMb")) >= 100);
    json_decref(lines);
    assert_true(log_contains(&f, "Status: error\tError Type: Runtime.OutOfMemory"));
    assert_true(log_contains(&f, "memory limit: "));
}

/* Where faas cannot make a memory cgroup (here: run as an ordinary user), the
 * watchdog stops an instance whose peak resident memory went over its size, and
 * address space still does not count. */
static void test_memory_watchdog_without_a_cgroup(void **state)
{
    (void)state;
    char bin[256], log[400];
    snprintf(log, sizeof log, "%.300s/faas-watchdog.log", data_dir);
    char *argv[] = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    (char *)proc_bin("faas", bin, sizeof bin), "--listen", "127.0.0.1:0",
                    "--function", FN_TEST, "--memory-mb", "128", NULL};
    if (geteuid() != 0 || access(argv[0], X_OK) != 0)
        skip(); /* needs root to become another user */
    struct faas f = {.p = {0}};
    snprintf(f.stderr_path, sizeof f.stderr_path, "%s", log);
    assert_int_equal(proc_start_server(&f.p, argv, log), 0);
    track(&f.p);
    int pid1 = get_pid(f.p.port, "/reserve?mb=4096");
    assert_true(pid1 > 0);
    assert_int_equal(get_pid(f.p.port, "/hold-memory?mb=300&then=hang"), -502);
    assert_true(get_pid(f.p.port, "/pid") > 0);
    faas_stop(&f);
    assert_true(log_contains(&f, "memory limit: a peak-RSS watchdog"));
    assert_true(log_contains(&f, "Status: error\tError Type: Runtime.OutOfMemory"));
}

/* Max Memory Used is the instance's real peak on timeouts and crashes too. */
static void test_max_memory_used_is_right_on_failures(void **state)
{
    (void)state;
    struct faas f;
    faas_start(&f, FN_TEST, false, "--timeout-ms", "1000", NULL);
    assert_int_equal(get_pid(f.p.port, "/hold-memory?mb=48&then=crash"), -502);
    assert_int_equal(get_pid(f.p.port, "/hold-memory?mb=48&then=hang"), -504);
    faas_stop(&f);
    json_t *lines = report_lines(&f);
    assert_int_equal(json_array_size(lines), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *l = json_array_get(lines, i);
        assert_true(json_integer_value(json_object_get(l, "maxMemoryUsedMb")) >= 48);
    }
    assert_string_equal(json_string_value(json_object_get(json_array_get(lines, 0), "status")),
                        "crash");
    assert_string_equal(json_string_value(json_object_get(json_array_get(lines, 1), "status")),
                        "timeout");
    json_decref(lines);
}

/* An instance that answered, then stopped asking for invocations: the next request
 * gets 504 with that reason, not an init timeout. */
static void test_instance_that_stopped_polling_gets_the_right_504(void **state)
{
    (void)state;
    struct faas f;
    struct http_response r;
    faas_start(&f, FN_TEST, false, "--timeout-ms", "500", NULL);
    assert_true(get_pid(f.p.port, "/stall") > 0);
    assert_int_equal(get(f.p.port, "/pid", NULL, &r), 0);
    assert_int_equal(r.status, 504);
    assert_non_null(strstr(r.body, "stopped polling"));
    assert_null(strstr(r.body, "initialise"));
    httpc_free(&r);
    assert_true(get_pid(f.p.port, "/pid") > 0);
    faas_stop(&f);
}

/* Server-Timing from faas: queue, init only on a cold start, invoke, the
 * function's own steps relayed (its total as "function"), total; on 200s and on
 * the function's 401 and 404 alike. */
static void server_timing_cold_and_warm(bool fork_server)
{
    struct faas f;
    char fn[256], h[128];
    faas_start(&f, proc_bin("fn-get-profile", fn, sizeof fn), fork_server, "--threads", "1",
               "--idle-timeout-ms", "300", NULL);
    snprintf(h, sizeof h, "Authorization: Bearer %s\r\n", find_token("valid", 0)->token);
    struct http_response r;
    assert_int_equal(get(f.p.port, "/profile", h, &r), 0);
    assert_int_equal(r.status, 200);
    assert_timing(&r, "queue", "init", "invoke", "auth", "db", "render", "function", "total");
    assert_true(timing_ms(&r, "init") + timing_ms(&r, "invoke") <= timing_ms(&r, "total") + 0.002);
    httpc_free(&r);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(get(f.p.port, "/profile", h, &r), 0);
        assert_timing(&r, "queue", "invoke", "auth", "db", "render", "function", "total");
        assert_true(timing_ms(&r, "auth") + timing_ms(&r, "db") + timing_ms(&r, "render") <=
                    timing_ms(&r, "function") + 0.003);
        assert_true(timing_ms(&r, "function") <= timing_ms(&r, "invoke"));
        httpc_free(&r);
    }
    assert_int_equal(get(f.p.port, "/profile", NULL, &r), 0);
    assert_int_equal(r.status, 401);
    assert_timing(&r, "queue", "invoke", "auth", "function", "total");
    httpc_free(&r);
    assert_int_equal(get(f.p.port, "/nope", NULL, &r), 0);
    assert_int_equal(r.status, 404);
    assert_timing(&r, "queue", "invoke", "function", "total");
    httpc_free(&r);
    /* Scaled to zero: the next request is cold again, and says so. */
    sleep_ms(1200);
    assert_int_equal(instances_of(&f, NULL), 0);
    assert_int_equal(get(f.p.port, "/profile", h, &r), 0);
    assert_timing(&r, "queue", "init", "invoke", "auth", "db", "render", "function", "total");
    httpc_free(&r);
    faas_stop(&f);
    /* Exactly the invocations with an init in their header had an Init Duration. */
    json_t *lines = report_lines(&f);
    assert_int_equal(json_array_size(lines), 7);
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(json_is_real(json_object_get(json_array_get(lines, i), "initDurationMs")),
                         i == 0 || i == 6);
    json_decref(lines);
}

static void test_server_timing_cold_and_warm(void **state)
{
    (void)state;
    server_timing_cold_and_warm(false);
}

static void test_server_timing_cold_and_warm_fork_server(void **state)
{
    (void)state;
    server_timing_cold_and_warm(true);
}

/* --no-server-timing: faas adds nothing and passes the function's own
 * server-timing on as API Gateway would; ARCHBENCH_SERVER_TIMING=0 silences the
 * function too. */
static void test_no_server_timing(void **state)
{
    (void)state;
    struct faas f;
    char fn[256], h[128];
    snprintf(h, sizeof h, "Authorization: Bearer %s\r\n", find_token("valid", 1)->token);
    faas_start(&f, proc_bin("fn-get-profile", fn, sizeof fn), false, "--no-server-timing", NULL);
    struct http_response r;
    assert_int_equal(get(f.p.port, "/profile", h, &r), 0);
    assert_int_equal(r.status, 200);
    assert_timing(&r, "auth", "db", "render", "total");
    httpc_free(&r);
    faas_stop(&f);
    faas_start(&f, proc_bin("fn-get-profile", fn, sizeof fn), false, "--no-server-timing",
               "--env", "ARCHBENCH_SERVER_TIMING=0", NULL);
    assert_int_equal(get(f.p.port, "/profile", h, &r), 0);
    assert_int_equal(r.status, 200);
    assert_null(strcasestr(r.head, "server-timing"));
    httpc_free(&r);
    faas_stop(&f);
}

/* faas's own errors carry its steps too: an invalid result (502) has been
 * invoked; a crash (502) never gave a result, so there is no invoke. */
static void test_platform_errors_carry_server_timing(void **state)
{
    (void)state;
    struct faas f;
    faas_start(&f, FN_TEST, false, NULL);
    struct http_response r;
    assert_int_equal(get(f.p.port, "/garbage", NULL, &r), 0);
    assert_int_equal(r.status, 502);
    assert_timing(&r, "queue", "init", "invoke", "total");
    httpc_free(&r);
    assert_int_equal(get(f.p.port, "/crash", NULL, &r), 0);
    assert_int_equal(r.status, 502);
    assert_timing(&r, "queue", "total");
    httpc_free(&r);
    faas_stop(&f);
}

/* W3C trace context: the event's traceparent continues the client's trace with
 * faas's span as the parent, and the Runtime API's Lambda-Runtime-Trace-Id is the
 * same trace and span in X-Ray's form. */
static void test_trace_context_reaches_the_function(void **state)
{
    (void)state;
    struct faas f;
    faas_start(&f, FN_TEST, false, NULL);
    const char *given = "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n"
                        "tracestate: rojo=00f067aa0ba902b7\r\n";
    struct http_response r;
    assert_int_equal(get(f.p.port, "/echo", given, &r), 0);
    json_t *ev = json_loadb(r.body, r.body_len, 0, NULL);
    assert_non_null(ev);
    json_t *headers = json_object_get(ev, "headers");
    const char *tp = json_string_value(json_object_get(headers, "traceparent"));
    assert_non_null(tp);
    assert_int_equal(strlen(tp), 55);
    assert_memory_equal(tp, "00-4bf92f3577b34da6a3ce929d0e0e4736-", 36);
    assert_memory_not_equal(tp + 36, "00f067aa0ba902b7", 16);
    assert_string_equal(tp + 52, "-01");
    assert_string_equal(json_string_value(json_object_get(headers, "tracestate")),
                        "rojo=00f067aa0ba902b7");
    json_decref(ev);
    httpc_free(&r);
    assert_int_equal(get(f.p.port, "/trace", given, &r), 0);
    assert_memory_equal(r.body, "Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=", 48);
    assert_string_equal(r.body + 64, ";Sampled=1");
    httpc_free(&r);
    /* No traceparent (or a broken one): a new trace, its own tracestate dropped. */
    assert_int_equal(get(f.p.port, "/echo", "traceparent: nonsense\r\ntracestate: a=b\r\n", &r), 0);
    ev = json_loadb(r.body, r.body_len, 0, NULL);
    headers = json_object_get(ev, "headers");
    tp = json_string_value(json_object_get(headers, "traceparent"));
    assert_non_null(tp);
    assert_int_equal(strlen(tp), 55);
    assert_null(json_object_get(headers, "tracestate"));
    json_decref(ev);
    httpc_free(&r);
    faas_stop(&f);
}

/* START, END and REPORT as Lambda prints them; Billed Duration includes INIT on a
 * cold start; the trace header has X-Ray's shape. */
static void test_logs_billing_and_trace_header_are_lambdas(void **state)
{
    (void)state;
    struct faas f;
    struct http_response r;
    faas_start(&f, FN_TEST, false, NULL);
    assert_int_equal(get(f.p.port, "/trace", NULL, &r), 0);
    unsigned epoch;
    char root[32] = "", parent[32] = "", rest[16] = "";
    assert_int_equal(sscanf(r.body, "Root=1-%8x-%24[0-9a-f];Parent=%16[0-9a-f];%15s", &epoch,
                            root, parent, rest), 4);
    assert_int_equal(strlen(root), 24);
    assert_int_equal(strlen(parent), 16);
    assert_string_equal(rest, "Sampled=0");
    assert_true(labs((long)epoch - (long)time(NULL)) < 60);
    httpc_free(&r);
    assert_true(get_pid(f.p.port, "/pid") > 0);
    faas_stop(&f);
    json_t *lines = report_lines(&f);
    json_t *cold = json_array_get(lines, 0);
    const char *id = json_string_value(json_object_get(cold, "requestId"));
    double billed = json_number_value(json_object_get(cold, "billedDurationMs"));
    double sum = json_number_value(json_object_get(cold, "durationMs")) +
                 json_number_value(json_object_get(cold, "initDurationMs"));
    assert_true(billed >= sum && billed < sum + 1.01);
    char want[128];
    snprintf(want, sizeof want, "START RequestId: %s Version: $LATEST", id);
    assert_true(log_contains(&f, want));
    snprintf(want, sizeof want, "END RequestId: %s\n", id);
    assert_true(log_contains(&f, want));
    snprintf(want, sizeof want, "REPORT RequestId: %s\tDuration: ", id);
    assert_true(log_contains(&f, want));
    json_decref(lines);
}

/* --start fork-server with a function that cannot be a template (any runtime that
 * does not call zygote_serve): faas says so as soon as it has exited, even while
 * a process it left behind holds the template's socket open. */
static void test_fork_server_template_that_exits_is_reported_at_once(void **state)
{
    (void)state;
    char script[600], pidfile[600], log[600], bin[256];
    snprintf(script, sizeof script, "%s/not-a-template.sh", data_dir);
    snprintf(pidfile, sizeof pidfile, "%s/not-a-template.pid", data_dir);
    snprintf(log, sizeof log, "%s/not-a-template.log", data_dir);
    FILE *sh = fopen(script, "w");
    assert_non_null(sh);
    fprintf(sh, "#!/bin/sh\nsleep 20 &\necho $! > %s\nexit 3\n", pidfile);
    fclose(sh);
    chmod(script, 0755);
    char *argv[] = {(char *)proc_bin("faas", bin, sizeof bin), "--listen", "127.0.0.1:0",
                    "--function", script, "--start", "fork-server", NULL};
    double start = now_s();
    struct proc p;
    assert_int_equal(proc_start_server(&p, argv, log), -1);
    double took = now_s() - start;
    char pid_text[32] = "";
    if (wait_text(pidfile, pid_text, sizeof pid_text))
        kill(atoi(pid_text), SIGKILL);
    assert_true(took < 5);
    FILE *in = fopen(log, "r");
    char line[1024];
    bool said = false;
    while (in && fgets(line, sizeof line, in))
        said |= strstr(line, "exited (status 3) before it was ready") != NULL;
    if (in)
        fclose(in);
    assert_true(said);
}

/* A bad option gets one line naming it (and the pointer to --help), exit 2. */
static void test_fn_get_profile_bad_option_is_one_line(void **state)
{
    (void)state;
    char fn[256];
    char *argv[] = {(char *)proc_bin("fn-get-profile", fn, sizeof fn), "--bogus", NULL};
    char *out = NULL, *err = NULL;
    assert_int_equal(proc_capture(argv, &out, &err), 2);
    assert_string_equal(err, "fn-get-profile: unknown option '--bogus'\n"
                             "Try 'fn-get-profile --help'.\n");
    free(out);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fn_get_profile_bad_option_is_one_line),
        cmocka_unit_test_teardown(test_fn_get_profile_matches_the_monolith, test_teardown),
        cmocka_unit_test_teardown(test_fn_get_profile_matches_the_monolith_fork_server, test_teardown),
        cmocka_unit_test_teardown(test_first_request_is_cold_second_is_warm, test_teardown),
        cmocka_unit_test_teardown(test_first_request_is_cold_second_is_warm_fork_server, test_teardown),
        cmocka_unit_test_teardown(test_server_timing_cold_and_warm, test_teardown),
        cmocka_unit_test_teardown(test_server_timing_cold_and_warm_fork_server, test_teardown),
        cmocka_unit_test_teardown(test_no_server_timing, test_teardown),
        cmocka_unit_test_teardown(test_platform_errors_carry_server_timing, test_teardown),
        cmocka_unit_test_teardown(test_trace_context_reaches_the_function, test_teardown),
        cmocka_unit_test_teardown(test_fork_server_template_holds_no_database_connection,
                                  test_teardown),
        cmocka_unit_test_teardown(test_fork_server_instance_environment_is_the_functions,
                                  test_teardown),
        cmocka_unit_test_teardown(test_idle_instance_is_stopped, test_teardown),
        cmocka_unit_test_teardown(test_max_concurrency_bounds_instances, test_teardown),
        cmocka_unit_test_teardown(test_full_queue_gives_429, test_teardown),
        cmocka_unit_test_teardown(test_queued_invocations_of_clients_that_left_are_dropped,
                                  test_teardown),
        cmocka_unit_test_teardown(test_hanging_invocation_gets_504_and_instance_is_replaced, test_teardown),
        cmocka_unit_test_teardown(test_crash_gives_502_then_next_request_succeeds, test_teardown),
        cmocka_unit_test_teardown(test_crash_gives_502_then_next_request_succeeds_fork_server, test_teardown),
        cmocka_unit_test_teardown(test_init_error_gives_502_and_is_logged, test_teardown),
        cmocka_unit_test_teardown(test_missing_database_is_an_init_error, test_teardown),
        cmocka_unit_test_teardown(test_runtime_api_misuse_gets_aws_status_codes, test_teardown),
        cmocka_unit_test_teardown(test_results_map_back_to_http, test_teardown),
        cmocka_unit_test_teardown(test_results_http_cannot_carry_get_502, test_teardown),
        cmocka_unit_test_teardown(test_request_bodies_held_at_once_are_capped, test_teardown),
        cmocka_unit_test_teardown(test_provisioned_instances_start_ahead_of_demand, test_teardown),
        cmocka_unit_test_teardown(test_sigterm_stops_every_instance, test_teardown),
        cmocka_unit_test_teardown(test_many_cold_starts_leave_no_processes_or_descriptors, test_teardown),
        cmocka_unit_test_teardown(test_runtime_api_address_is_host_and_port, test_teardown),
        cmocka_unit_test_teardown(test_a_process_that_is_not_the_instance_takes_no_invocation,
                                  test_teardown),
        cmocka_unit_test_teardown(test_a_second_next_of_an_instance_is_refused, test_teardown),
        cmocka_unit_test_teardown(test_an_instance_cannot_answer_another_instances_invocation,
                                  test_teardown),
        cmocka_unit_test_teardown(test_oversized_response_fails_at_once_without_a_cold_start,
                                  test_teardown),
        cmocka_unit_test_teardown(test_instances_get_lambdas_environment_only, test_teardown),
        cmocka_unit_test_teardown(test_memory_limit_counts_memory_used_not_address_space,
                                  test_teardown),
        cmocka_unit_test_teardown(test_memory_watchdog_without_a_cgroup, test_teardown),
        cmocka_unit_test_teardown(test_max_memory_used_is_right_on_failures, test_teardown),
        cmocka_unit_test_teardown(test_instance_that_stopped_polling_gets_the_right_504,
                                  test_teardown),
        cmocka_unit_test_teardown(test_logs_billing_and_trace_header_are_lambdas,
                                  test_teardown),
        cmocka_unit_test_teardown(test_fork_server_template_that_exits_is_reported_at_once,
                                  test_teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
