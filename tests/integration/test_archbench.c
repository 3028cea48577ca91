/* Integration tests: bin/archbench run, report and up, end to end, including the
 * ways they must fail (bad usage, a missing program, a port already taken, an
 * architecture killed in the middle of a run) without leaving processes behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "httpc.h"
#include "figures.h"
#include "../support/proc.h"

static const char *const programs[] = {"monolith", "auth-service", "profile-service",
                                       "gateway", "faas", "fn-get-profile", "loadgen"};
#define NPROGRAMS (sizeof programs / sizeof programs[0])

/* The test process is a child subreaper (main), so anything archbench leaves
 * behind is re-parented to it: "ours" means a live descendant of this process. */
static bool descends_from_us(pid_t pid)
{
    for (int depth = 0; depth < 64 && pid > 1; depth++) {
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            return false;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        const char *rest = strrchr(buf, ')');
        int ppid;
        if (rest == NULL || sscanf(rest + 2, "%*c %d", &ppid) != 1)
            return false;
        if (ppid == getpid())
            return true;
        pid = ppid;
    }
    return false;
}

/* A live descendant whose command name is `only` (any name), or one of our programs
 * (only NULL); with count, how many there are. */
static pid_t scan_ours(const char *only, unsigned *count)
{
    pid_t found = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        char path[300], comm[64] = "";
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        if (fgets(comm, sizeof comm, f))
            comm[strcspn(comm, "\n")] = '\0';
        fclose(f);
        pid_t pid = atoi(e->d_name);
        bool ours = only != NULL && strcmp(only, comm) == 0;
        for (size_t i = 0; i < NPROGRAMS && only == NULL; i++)
            ours |= strcmp(comm, programs[i]) == 0;
        if (ours && proc_alive(pid) && descends_from_us(pid)) {
            found = pid;
            if (count)
                (*count)++;
        }
    }
    if (d)
        closedir(d);
    return found;
}

/* Our leftover processes (reaping re-parented zombies first). */
static unsigned count_ours(void)
{
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    unsigned n = 0;
    scan_ours(NULL, &n);
    return n;
}

static pid_t find_child_named(const char *name) { return scan_ours(name, NULL); }

struct result {
    int status;   /* exit status, or 128 + signal */
    char *out, *err;
};

static char *slurp_fd(int fd)
{
    size_t cap = 4096, len = 0;
    char *b = malloc(cap);
    lseek(fd, 0, SEEK_SET);
    ssize_t n;
    while ((n = read(fd, b + len, cap - len - 1)) > 0) {
        len += (size_t)n;
        if (len + 1 >= cap)
            b = realloc(b, cap *= 2);
    }
    b[len] = '\0';
    return b;
}

/* Starts bin/archbench with args; stdout and stderr go to temporary files. */
static pid_t start_archbench(char *const args[], const char *bindir, int *outfd, int *errfd)
{
    char o[] = "/tmp/archbench-out-XXXXXX", e[] = "/tmp/archbench-err-XXXXXX";
    *outfd = mkstemp(o);
    *errfd = mkstemp(e);
    unlink(o);
    unlink(e);
    char bin[256];
    char *argv[32];
    int n = 0;
    argv[n++] = (char *)proc_bin("archbench", bin, sizeof bin);
    for (int i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(*outfd, STDOUT_FILENO);
        dup2(*errfd, STDERR_FILENO);
        if (bindir)
            setenv("ARCHBENCH_BIN", bindir, 1);
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static struct result finish(pid_t pid, int outfd, int errfd)
{
    struct result r;
    int st;
    waitpid(pid, &st, 0);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r.out = slurp_fd(outfd);
    r.err = slurp_fd(errfd);
    close(outfd);
    close(errfd);
    return r;
}

static struct result run_archbench(char *const args[], const char *bindir)
{
    int o, e;
    pid_t pid = start_archbench(args, bindir, &o, &e);
    return finish(pid, o, e);
}

static void free_result(struct result *r)
{
    free(r->out);
    free(r->err);
}

static void rm_rf(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* dir/run.json and its figures (which point into the document: json_decref it
 * after). */
static json_t *load_figures(const char *dir, struct run_figures *m)
{
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/run.json", dir);
    json_t *doc = json_load_file(path, 0, NULL);
    assert_non_null(doc);
    if (!figures_from_run(doc, m, err, sizeof err))
        fail_msg("%s: %s", path, err);
    return doc;
}

/* Every scenario splits its CPU per request by process: the architecture's own
 * processes (sut_processes), no others, each share >= 0, adding up to the total. */
static void assert_cpu_split(json_t *doc)
{
    for (int a = 0; a < SUT_NARCH; a++) {
        json_t *arch = json_object_get(json_object_get(doc, "architectures"),
                                       sut_arch_name((enum sut_arch)a));
        const char *const *names = sut_processes((enum sut_arch)a);
        size_t nnames = 0;
        while (names[nnames] != NULL)
            nnames++;
        size_t i;
        json_t *sc;
        json_array_foreach(json_object_get(arch, "scenarios"), i, sc)
        {
            json_t *split = json_object_get(sc, "cpu_us_per_request_by_process");
            assert_true(json_is_object(split));
            assert_int_equal(json_object_size(split), nnames);
            double sum = 0;
            for (size_t k = 0; k < nnames; k++) {
                json_t *v = json_object_get(split, names[k]);
                if (!json_is_number(v) || json_number_value(v) < 0)
                    fail_msg("%s %s: no share for %s", sut_arch_name((enum sut_arch)a),
                             json_string_value(json_object_get(sc, "name")), names[k]);
                sum += json_number_value(v);
            }
            double total = json_number_value(json_object_get(sc, "cpu_us_per_request"));
            if (fabs(sum - total) > 0.001 * total + 0.01)
                fail_msg("%s %s: shares add up to %g, the total is %g",
                         sut_arch_name((enum sut_arch)a),
                         json_string_value(json_object_get(sc, "name")), sum, total);
        }
    }
}

static double jnum(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_number(v))
        fail_msg("\"%s\" is missing or not a number", key);
    return json_number_value(v);
}

/* run.json's calibration before every round and steal over the run. */
static void check_machine_fields(json_t *doc)
{
    json_t *cal = json_object_get(doc, "calibration");
    assert_non_null(json_string_value(json_object_get(cal, "workload")));
    json_t *rounds = json_object_get(cal, "rounds");
    /* 3 architectures x (2 saturation rounds + 1 open-loop round + 1 fault phase) */
    assert_int_equal(json_array_size(rounds), 12);
    size_t i;
    json_t *c;
    json_array_foreach(rounds, i, c) {
        assert_true(jnum(c, "ms") > 0);
        assert_int_equal(json_array_size(json_object_get(c, "samples_ms")), 5);
        assert_non_null(json_string_value(json_object_get(c, "arch")));
    }
    assert_true(jnum(cal, "speed_change") >= 0);
    json_t *steal = json_object_get(doc, "steal");
    double st = jnum(steal, "sut"), busy = jnum(steal, "sut_busy");
    assert_true(st >= 0 && st <= 1 && busy > 0 && busy <= 1);
    assert_true(jnum(steal, "all") >= 0);
    assert_true(json_is_boolean(json_object_get(doc, "drift_warning")));
}

/* Each scenario's steal and memory; the open loops' arrivals; the serverless
 * scenarios' cold starts. */
static void check_scenario_fields(json_t *doc)
{
    const char *key;
    json_t *arch;
    json_object_foreach(json_object_get(doc, "architectures"), key, arch) {
        /* one per start: the rounds', and the fault phase's */
        assert_int_equal(json_array_size(json_object_get(arch, "idle_pss_kb")), 2);
        assert_int_equal(json_array_size(json_object_get(arch, "startup_ms")), 2);
        size_t i;
        json_t *sc;
        json_array_foreach(json_object_get(arch, "scenarios"), i, sc) {
            assert_true(jnum(sc, "pss_kb") > 0);
            assert_true(jnum(sc, "pss_kb") <= jnum(sc, "peak_rss_kb"));
            assert_true(jnum(sc, "steal") >= 0 && jnum(sc, "sut_cpu_busy") > 0);
            if (jnum(sc, "rate") > 0) {
                assert_string_equal(json_string_value(json_object_get(sc, "arrivals")),
                                    "poisson");
                assert_string_equal(json_string_value(json_object_get(json_object_get(
                                        json_object_get(sc, "loadgen"), "config"), "arrivals")),
                                    "poisson");
            }
            json_t *cold = json_object_get(sc, "cold_starts");
            assert_true((cold != NULL) == (strcmp(key, "serverless") == 0));
            if (cold)
                assert_true(json_is_integer(json_object_get(cold, "in_window")));
        }
    }
}

static void test_smoke_run_with_faults_writes_run_json_and_both_reports(void **state)
{
    (void)state;
    unsigned before = count_ours();
    char dir[] = "/tmp/archbench-run-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *args[] = {"run", "--profile", "smoke", "--faults", "--out", dir, NULL};
    struct result r = run_archbench(args, NULL);
    if (r.status != 0)
        fail_msg("archbench run exited %d:\n%s", r.status, r.err);

    char path[256];
    struct run_figures m;
    json_t *doc = load_figures(dir, &m);
    assert_true(m.complete);
    for (int a = 0; a < SUT_NARCH; a++) {
        const struct arch_figures *am = &m.arch[a];
        assert_true(am->present);
        double figures[] = {am->thr[0], am->floor_p50_ms, am->eq_p50_ms, am->eq_p99_ms,
                            am->cpu_us, am->peak_rss_mb, am->startup_ms};
        for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++)
            if (!(isfinite(figures[i]) && figures[i] > 0))
                fail_msg("%s: summary figure %zu is %g", am->name, i, figures[i]);
        assert_int_equal(am->verify_errors, 0);
        /* the fault scenario: a process was killed and the architecture recovered */
        assert_true(am->has_fault);
        assert_true(isfinite(am->fault_recovery_ms) && am->fault_recovery_ms > 0 &&
                    am->fault_recovery_ms < 10000);
        assert_true(am->fault_requests > 0);
    }
    assert_cpu_split(doc);
    /* the gateway and both services, the platform and the function, used CPU */
    assert_int_equal(m.arch[SUT_MICROSERVICES].nprocesses, 3);
    for (unsigned p = 0; p < 3; p++)
        assert_true(m.arch[SUT_MICROSERVICES].process_cpu_us[p] > 0);
    assert_int_equal(m.arch[SUT_SERVERLESS].nprocesses, 2);
    for (unsigned p = 0; p < 2; p++)
        assert_true(m.arch[SUT_SERVERLESS].process_cpu_us[p] > 0);
    /* the interleaved rounds: a ratio to the monolith for each of the smoke's two */
    assert_int_equal(m.rounds, 2);
    assert_int_equal(m.arch[SUT_MICROSERVICES].thr_ratio.n, 2);
    assert_int_equal(m.arch[SUT_SERVERLESS].cpu_ratio.n, 2);
    check_machine_fields(doc);
    check_scenario_fields(doc);
    const struct arch_figures *sls = &m.arch[SUT_SERVERLESS];
    /* 65 processes sharing one binary and its libraries: less PSS than RSS (how much
     * less depends on the build: a sanitizer's shadow memory is private to each) */
    assert_true(sls->peak_pss_mb > 0 && sls->peak_pss_mb < sls->peak_rss_mb);
    assert_true(sls->has_cold);
    for (int k = 0; k < MODE_N; k++) {
        assert_true(isfinite(sls->cold_p50_ms[k]) && sls->cold_p50_ms[k] > 0);
        assert_true(isfinite(sls->warm_p50_ms[k]) && sls->warm_p50_ms[k] > 0);
        assert_true(isfinite(sls->init_p50_ms[k]) && sls->init_p50_ms[k] > 0);
    }
    json_decref(doc);

    static const char *files[] = {"report.md", "report.es.md", "charts/throughput.en.svg",
                                  "charts/latency.es.svg", "charts/coldwarm.en.svg",
                                  "charts/throughput.dat", "charts/latency.en.gp"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        if (access(path, R_OK) != 0)
            fail_msg("missing %s", path);
    }
    snprintf(path, sizeof path, "%s/report.es.md", dir);
    FILE *f = fopen(path, "r");
    char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_non_null(strstr(buf, "### Caso de uso real"));
    assert_non_null(strstr(buf, "### Diferencia"));
    assert_null(strstr(buf, " nan"));
    assert_true(count_ours() <= before);
    free_result(&r);
    rm_rf(dir);
}

/* The text of file dir/name (a test failure when missing); free() it. */
static char *read_in(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = proc_slurp(path, NULL);
    if (text == NULL)
        fail_msg("missing %s", path);
    return text;
}

/* The targets in the interleaved rounds: each calibrated before every round (two of
 * closed loop and one of open loop in the smoke profile), the command started once
 * and frozen between its rounds, the URL never started; ratios to the monolith per
 * round; the command's CPU under its own name and its PSS, the URL's not sampled. */
static void check_targets_in_rounds(json_t *doc, const struct run_figures *m)
{
    json_t *archs = json_object_get(doc, "architectures");
    json_t *py = json_object_get(archs, "py"), *far = json_object_get(archs, "far");
    assert_int_equal(json_array_size(json_object_get(py, "startup_ms")), 1);
    assert_int_equal(json_array_size(json_object_get(far, "startup_ms")), 0);
    unsigned calibrated[2] = {0, 0};
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(json_object_get(doc, "calibration"), "rounds"), i, c)
    {
        const char *a = json_string_value(json_object_get(c, "arch"));
        calibrated[0] += strcmp(a, "py") == 0;
        calibrated[1] += strcmp(a, "far") == 0;
    }
    assert_int_equal(calibrated[0], 3);
    assert_int_equal(calibrated[1], 3);
    const struct arch_figures *fpy = figures_arch_named(m, "py");
    const struct arch_figures *ffar = figures_arch_named(m, "far");
    assert_int_equal(fpy->thr_ratio.n, 2);
    assert_int_equal(fpy->cpu_ratio.n, 2);
    assert_int_equal(ffar->thr_ratio.n, 2);
    assert_int_equal(ffar->cpu_ratio.n, 0);
    assert_int_equal(fpy->nprocesses, 1);
    assert_string_equal(fpy->process_name[0], "py");
    assert_true(fabs(fpy->process_cpu_us[0] - fpy->cpu_us) <= 0.001 * fpy->cpu_us + 0.01);
    assert_int_equal(ffar->nprocesses, 0);
    assert_true(fpy->peak_pss_mb > 0 && fpy->peak_pss_mb <= fpy->peak_rss_mb);
    assert_true(isnan(ffar->peak_pss_mb));
    json_t *sc;
    json_array_foreach(json_object_get(far, "scenarios"), i, sc)
    {
        assert_true(json_is_null(json_object_get(sc, "cpu_us_per_request_by_process")));
        assert_true(json_is_null(json_object_get(sc, "pss_kb")));
    }
    assert_true(json_is_boolean(json_object_get(doc, "drift_warning")));
}

/* archbench run --target: a command (the Python example), a URL (a monolith this
 * test started, as an implementation running elsewhere would be), and a copy of the
 * example broken for one case, which check keeps out of the run. Both reports show
 * the measured targets in their tables with a Difference from their numbers. */
static void test_smoke_run_with_targets(void **state)
{
    (void)state;
    unsigned before = count_ours();
    char data[256], dir[] = "/tmp/archbench-run-XXXXXX", db[300], bin[256], url[128];
    assert_int_equal(proc_seed(data, sizeof data, 2000), 0);
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/app.db", data);
    char *mono[] = {(char *)proc_bin("monolith", bin, sizeof bin), "--listen", "127.0.0.1:0",
                    "--db", db, NULL};
    struct proc elsewhere;
    assert_int_equal(proc_start_server(&elsewhere, mono, NULL), 0);
    snprintf(url, sizeof url, "far=http://%s/profile", elsewhere.address);
    char *args[] = {"run", "--profile", "smoke", "--arch", "monolith", "--data", data,
                    "--target", "py=python3 examples/python/profile_server.py --port {port} "
                                "--data {data}",
                    "--target", url, "--target",
                    "broken=python3 tests/support/broken_profile_server.py --break 401-expired "
                    "--port {port} --data {data}",
                    "--out", dir, NULL};
    struct result r = run_archbench(args, NULL);
    int stopped = proc_stop(&elsewhere);
    if (r.status != 0)
        fail_msg("archbench run exited %d:\n%s", r.status, r.err);
    assert_int_equal(stopped, 0);
    assert_non_null(strstr(r.err, "  FAIL 401-expired: "));
    assert_non_null(strstr(r.err, "broken failed 1 of 22 cases of archbench check"));

    struct run_figures m;
    json_t *doc = load_figures(dir, &m);
    const struct arch_figures *py = figures_arch_named(&m, "py");
    const struct arch_figures *far = figures_arch_named(&m, "far");
    assert_non_null(py);
    assert_non_null(far);
    assert_null(figures_arch_named(&m, "broken"));
    assert_true(py->target && !py->remote && py->check_passed == 22 && py->check_failed == 0);
    assert_true(far->remote && isnan(far->cpu_us) && isnan(far->peak_rss_mb));
    assert_true(isfinite(py->cpu_us) && py->cpu_us > 0 && py->peak_rss_mb > 0);
    assert_true(figures_headline_thr(py) > 0 && figures_headline_thr(far) > 0);
    assert_int_equal(py->verify_errors + far->verify_errors, 0);
    assert_int_equal(m.nunmeasured, 1);
    check_targets_in_rounds(doc, &m);
    json_decref(doc);
    /* the command's {data}: the dataset without the services' shared secret */
    char path[512];
    snprintf(path, sizeof path, "%s/service-secret", data);
    assert_int_equal(access(path, R_OK), 0);
    snprintf(path, sizeof path, "%s/target-data/service-secret", dir);
    assert_int_equal(access(path, F_OK), -1);
    snprintf(path, sizeof path, "%s/target-data/app.db", dir);
    assert_int_equal(access(path, R_OK), 0);

    char *en = read_in(dir, "report.md"), *es = read_in(dir, "report.es.md");
    char *dat = read_in(dir, "charts/throughput.dat");
    assert_non_null(strstr(en, "| py | "));
    assert_non_null(strstr(en, "| far | "));
    assert_non_null(strstr(en, "not measured"));
    assert_non_null(strstr(es, "no medido"));
    assert_non_null(strstr(en, "## py\n"));
    assert_non_null(strstr(es, "## far\n"));
    assert_non_null(strstr(strstr(en, "## py\n"), "### Difference"));
    assert_non_null(strstr(strstr(es, "## far\n"), "### Diferencia"));
    assert_non_null(strstr(en, "**broken** failed 1 of the 22 cases"));
    assert_non_null(strstr(dat, "monolith microservices serverless py far"));
    /* the CPU split and the cost: py's own line and row; far has none, and why */
    assert_non_null(strstr(en, "| py | `py` | "));
    const char *cost = strstr(en, "## Cost on AWS");
    assert_non_null(cost);
    assert_non_null(strstr(cost, "| py | "));
    assert_null(strstr(cost, "| far | "));
    assert_non_null(strstr(cost, "far is measured at its URL"));
    char *cost_dat = read_in(dir, "charts/cost.dat");
    assert_non_null(strstr(cost_dat, "monolith microservices serverless py far"));
    free(cost_dat);
    free(en);
    free(es);
    free(dat);
    free_result(&r);
    assert_true(count_ours() <= before);
    assert_int_equal(find_child_named("python3"), 0);
    rm_rf(dir);
    proc_rmdir(data);
}

static void test_bad_targets_exit_2(void **state)
{
    (void)state;
    char *cases[][6] = {
        {"run", "--target", "py=python3 server.py", NULL},        /* no {port} */
        {"run", "--target", "monolith=http://127.0.0.1:1", NULL}, /* a taken name */
        {"run", "--target", "bad name=http://127.0.0.1:1", NULL},
        {"run", "--target", "x=https://example.com", NULL},
        {"run", "--arch", "", NULL},                              /* nothing to measure */
    };
    const char *says[] = {"{port}", "taken", "target name", "https is not supported",
                          "nothing to measure"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct result r = run_archbench(cases[i], NULL);
        if (r.status != 2 || strstr(r.err, says[i]) == NULL)
            fail_msg("case %zu: exit %d, stderr: %s", i, r.status, r.err);
        free_result(&r);
    }
}

static void test_bad_usage_exits_2(void **state)
{
    (void)state;
    char *cases[][4] = {
        {"run", "--profile", "nope", NULL}, {"run", "--arch", "mainframe", NULL},
        {"report", NULL},                   {"up", NULL},
        {"frobnicate", NULL},               {"run", "--users", "x", NULL},
        {"run", "--data", "/nonexistent-dir", NULL},
        {"report", "/nonexistent-dir", NULL},
        {"merge", "/nonexistent-dir/a.json", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct result r = run_archbench(cases[i], NULL);
        assert_int_equal(r.status, 2);
        assert_true(strlen(r.err) > 0);
        assert_non_null(strstr(r.err, "archbench")); /* "archbench run: --profile: ..." */
        free_result(&r);
    }
}

static void test_missing_program_is_reported(void **state)
{
    (void)state;
    char bindir[] = "/tmp/archbench-bin-XXXXXX";
    assert_non_null(mkdtemp(bindir));
    char cwd[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    for (size_t i = 0; i < NPROGRAMS; i++) {
        if (strcmp(programs[i], "gateway") == 0)
            continue; /* the one that is missing */
        char from[1400], to[400];
        snprintf(from, sizeof from, "%s/bin/%s", cwd, programs[i]);
        snprintf(to, sizeof to, "%s/%s", bindir, programs[i]);
        assert_int_equal(symlink(from, to), 0);
    }
    char *args[] = {"run", "--profile", "smoke", "--out", "/tmp/archbench-never", NULL};
    struct result r = run_archbench(args, bindir);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "gateway is missing"));
    assert_int_equal(access("/tmp/archbench-never/run.json", F_OK), -1);
    free_result(&r);
    rm_rf(bindir);
    rm_rf("/tmp/archbench-never");
}

/* A server that prints its address and then exits before answering /health is
 * reported as dead, with its exit status and last log line (not as one that did not
 * answer /health in time). */
static void test_server_dying_at_start_up_is_reported(void **state)
{
    (void)state;
    unsigned before = count_ours();
    char bindir[] = "/tmp/archbench-bin-XXXXXX";
    assert_non_null(mkdtemp(bindir));
    char cwd[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    for (size_t i = 0; i < NPROGRAMS; i++) {
        char from[1400], to[400];
        snprintf(from, sizeof from, "%s/bin/%s", cwd, programs[i]);
        snprintf(to, sizeof to, "%s/%s", bindir, programs[i]);
        if (strcmp(programs[i], "monolith") != 0) {
            assert_int_equal(symlink(from, to), 0);
            continue;
        }
        FILE *f = fopen(to, "w");
        assert_non_null(f);
        /* port 1: nothing answers there */
        fputs("#!/bin/sh\necho 'listening on 127.0.0.1:1'\n"
              "echo 'monolith: the database went away' >&2\nexit 3\n", f);
        fclose(f);
        assert_int_equal(chmod(to, 0755), 0);
    }
    char dir[] = "/tmp/archbench-run-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *args[] = {"run", "--arch", "monolith", "--profile", "smoke", "--out", dir, NULL};
    struct result r = run_archbench(args, bindir);
    assert_int_equal(r.status, 1);
    if (strstr(r.err, "monolith died during start-up (status 3): monolith: the database "
                      "went away") == NULL)
        fail_msg("unexpected message:\n%s", r.err);
    assert_true(count_ours() <= before);
    free_result(&r);
    rm_rf(dir);
    rm_rf(bindir);
}

static void test_architecture_killed_mid_run_fails_cleanly(void **state)
{
    (void)state;
    unsigned before = count_ours();
    char dir[] = "/tmp/archbench-run-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *args[] = {"run", "--arch", "monolith", "--profile", "smoke", "--out", dir, NULL};
    int o, e;
    pid_t pid = start_archbench(args, NULL, &o, &e);
    pid_t victim = 0;
    for (int i = 0; i < 1000 && victim == 0; i++) { /* up to 10 s */
        victim = find_child_named("monolith");
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    assert_true(victim > 0);
    struct timespec ts = {0, 300 * 1000 * 1000}; /* into the load */
    nanosleep(&ts, NULL);
    assert_int_equal(kill(victim, SIGKILL), 0);
    struct result r = finish(pid, o, e);
    if (r.status != 1)
        fail_msg("archbench exited %d after monolith %d was killed:\n%s", r.status, (int)victim,
                 r.err);
    assert_non_null(strstr(r.err, "monolith"));
    assert_non_null(strstr(r.err, "died"));
    assert_true(count_ours() <= before);
    free_result(&r);
    rm_rf(dir);
}

static void test_up_reports_a_port_already_taken(void **state)
{
    (void)state;
    unsigned before = count_ours();
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(8080),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    /* Taken by us, or already by someone else: either way it is taken. */
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0)
        assert_int_equal(listen(fd, 1), 0);
    char *args[] = {"up", "monolith", NULL};
    struct result r = run_archbench(args, NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "Address already in use"));
    assert_true(count_ours() <= before);
    free_result(&r);
    close(fd);
}

static void test_up_serves_until_interrupted(void **state)
{
    (void)state;
    unsigned before = count_ours();
    char *args[] = {"up", "monolith", NULL};
    int o, e;
    pid_t pid = start_archbench(args, NULL, &o, &e);
    /* wait for the ready message */
    char *out = NULL;
    for (int i = 0; i < 1000; i++) {
        free(out);
        out = slurp_fd(o);
        if (strstr(out, "Ctrl-C"))
            break;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    assert_non_null(strstr(out, "http://127.0.0.1:8080/profile"));
    /* the printed curl line carries a real token: use it */
    char token[64] = "";
    const char *b = strstr(out, "Bearer ");
    assert_non_null(b);
    sscanf(b + 7, "%63[A-Za-z0-9_-]", token);
    char hdr[128];
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", token);
    struct http_response resp;
    assert_int_equal(httpc_request(8080, "GET", "/profile", hdr, &resp), 0);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "\"id\":1,"));
    httpc_free(&resp);
    free(out);
    kill(pid, SIGINT);
    struct result r = finish(pid, o, e);
    assert_int_equal(r.status, 0);
    assert_true(count_ours() <= before);
    free_result(&r);
}

int main(void)
{
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_usage_exits_2),
        cmocka_unit_test(test_missing_program_is_reported),
        cmocka_unit_test(test_up_reports_a_port_already_taken),
        cmocka_unit_test(test_up_serves_until_interrupted),
        cmocka_unit_test(test_server_dying_at_start_up_is_reported),
        cmocka_unit_test(test_architecture_killed_mid_run_fails_cleanly),
        cmocka_unit_test(test_smoke_run_with_faults_writes_run_json_and_both_reports),
        cmocka_unit_test(test_bad_targets_exit_2),
        cmocka_unit_test(test_smoke_run_with_targets),
    };
    return cmocka_run_group_tests_name("archbench", tests, NULL, NULL);
}
