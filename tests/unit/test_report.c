/* Unit tests: archbench report from a synthetic run.json (numbers chosen so every
 * figure can be found in the text), per-language number formatting, and the
 * handling of missing architectures and scenarios. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "figures.h"
#include "report.h"
#include "report_text.h"
#include "sources.h"
#include "../support/proc.h"

/* A loadgen document with the fields the report reads. */
static json_t *loadgen(double thr, double p50_us, double p99_us, long long errors,
                       long long verify)
{
    return json_pack("{s:f, s:I, s:I, s:{s:I, s:I}, s:{s:f, s:f, s:f, s:f, s:f}, "
                     "s:{s:f, s:f, s:f, s:f, s:f}}",
                     "throughput_rps", thr, "requests", (json_int_t)(thr * 8),
                     "warmup_responses", (json_int_t)thr, "errors", "total",
                     (json_int_t)errors, "verify", (json_int_t)verify, "latency", "p50", p50_us,
                     "p90", p50_us * 1.5, "p99", p99_us, "p99.9", p99_us * 2, "max",
                     p99_us * 3, "latency_uncorrected", "p50", p50_us, "p90", p50_us,
                     "p99", p99_us / 2, "p99.9", p99_us, "max", p99_us);
}

static json_t *scenario(const char *name, unsigned conns, double rate, double thr,
                        double p50_us, double p99_us, double cpu_us, unsigned procs)
{
    return json_pack("{s:s, s:i, s:f, s:f, s:I, s:I, s:i, s:o}", "name", name, "connections",
                     (int)conns, "rate", rate, "cpu_us_per_request", cpu_us, "peak_rss_kb",
                     (json_int_t)(10240 * procs), "pss_kb", (json_int_t)(4096 * procs),
                     "peak_processes", (int)procs, "loadgen", loadgen(thr, p50_us, p99_us, 0, 0));
}

static json_t *arch(double thr64, double cpu, unsigned procs, double startup)
{
    json_t *sc = json_array();
    json_array_append_new(sc, scenario("floor", 1, 0, 9000, 60, 150, cpu, procs));
    json_array_append_new(sc, scenario("c64", 64, 0, thr64, 900, 2500, cpu, procs));
    json_array_append_new(sc, scenario("c256", 256, 0, thr64 * 0.95, 4000, 9000, cpu, procs));
    json_array_append_new(sc, scenario("equal", 64, 6000, 5999, 120, 800 * procs, cpu, procs));
    return json_pack("{s:[f], s:[i], s:o}", "startup_ms", startup, "idle_rss_kb", 4096,
                     "scenarios", sc);
}

/* Sets the CPU split of every scenario of arch: names[i] spent us[i] per request. */
static void split_cpu(json_t *arch, const char *const *names, const double *us, size_t n)
{
    size_t i;
    json_t *sc;
    json_array_foreach(json_object_get(arch, "scenarios"), i, sc)
    {
        json_t *o = json_object();
        for (size_t k = 0; k < n; k++)
            json_object_set_new(o, names[k], json_real(us[k]));
        json_object_set_new(sc, "cpu_us_per_request_by_process", o);
    }
}

static json_t *reports(void)
{
    json_t *r = json_array();
    json_array_append_new(r, json_pack("{s:f, s:I, s:i, s:i, s:f}", "durationMs", 0.4,
                                       "billedDurationMs", (json_int_t)1, "memorySizeMb", 128,
                                       "maxMemoryUsedMb", 6, "initDurationMs", 2.5));
    for (int i = 0; i < 3; i++)
        json_array_append_new(r, json_pack("{s:f, s:I, s:i, s:i, s:n}", "durationMs", 0.3,
                                           "billedDurationMs", (json_int_t)1, "memorySizeMb",
                                           128, "maxMemoryUsedMb", 6, "initDurationMs"));
    return r;
}

/* The machine's verdict as run.json keeps it: calibrations, steal, the warning. */
static void add_drift(json_t *doc, double fastest_ms, double slowest_ms, double steal,
                      bool warning)
{
    json_object_set_new(doc, "calibration",
                        json_pack("{s:s, s:[{s:f}, {s:f}, {s:f}], s:f}", "workload", "fixed",
                                  "rounds", "ms", fastest_ms, "ms", slowest_ms, "ms",
                                  (fastest_ms + slowest_ms) / 2, "speed_change",
                                  slowest_ms / fastest_ms - 1));
    json_object_set_new(doc, "steal", json_pack("{s:f, s:f}", "sut", steal, "sut_busy", 0.6));
    json_object_set_new(doc, "drift_warning", json_boolean(warning));
}

/* Server-Timing at the floor of arch as loadgen aggregates it: n answers, step
 * names[k] taking ms[k] each (mean and median; init only on `cold` of them), and
 * the client's latency (mean and median, us). */
#define FLOOR_ANSWERS 1000
static void add_steps(json_t *arch, double client_us, const char *const *names,
                      const double *ms, size_t n, unsigned cold)
{
    json_t *floor = json_array_get(json_object_get(arch, "scenarios"), 0);
    json_t *lg = json_object_get(floor, "loadgen");
    json_t *st = json_object();
    for (size_t k = 0; k < n; k++) {
        unsigned count = strcmp(names[k], "init") == 0 ? cold : FLOOR_ANSWERS;
        json_object_set_new(st, names[k],
                            json_pack("{s:i, s:f, s:f, s:f}", "count", (int)count, "mean_ms",
                                      ms[k], "p50_ms", ms[k], "sum_ms", ms[k] * count));
    }
    json_object_set_new(lg, "server_timing", st);
    json_t *lat = json_object_get(lg, "latency");
    json_object_set_new(lat, "count", json_integer(FLOOR_ANSWERS));
    json_object_set_new(lat, "mean", json_real(client_us));
    json_object_set_new(lat, "p50", json_real(client_us));
}

/* The exchange archbench run records with the first architecture it starts. */
static json_t *exchange(void)
{
    return json_pack("{s:s, s:s, s:i, s:s, s:s, s:{s:i, s:s, s:s, s:s}}", "url",
                     "http://127.0.0.1:8080/profile", "token", "tok_user1", "status", 200,
                     "content_type", "application/json", "body",
                     "{\"user_id\":1,\"name\":\"Ada\"}", "unauthorized", "status", 401,
                     "content_type", "application/problem+json", "www_authenticate",
                     "Bearer realm=\"archbench\"", "body", "{\"status\":401}");
}

static json_t *run_doc(bool all)
{
    json_t *archs = json_object();
    json_t *mono = arch(12345.6, 20.5, 1, 21);
    split_cpu(mono, (const char *const[]){"monolith"}, (const double[]){20.5}, 1);
    add_steps(mono, 64, (const char *const[]){"auth", "db", "render", "total"},
              (const double[]){0.004, 0.012, 0.006, 0.030}, 4, 0);
    json_object_set_new(archs, "monolith", mono);
    if (all) {
        json_t *micro_doc = arch(4115.2, 61.5, 3, 60);
        split_cpu(micro_doc, (const char *const[]){"gateway", "auth-service", "profile-service"},
                  (const double[]){24.6, 17.2, 19.7}, 3);
        add_steps(micro_doc, 160,
                  (const char *const[]){"auth-call", "auth", "auth-service", "profile-call", "db",
                                        "render", "profile-service", "total"},
                  (const double[]){0.040, 0.010, 0.016, 0.050, 0.008, 0.006, 0.020, 0.100}, 8, 0);
        json_object_set_new(archs, "microservices", micro_doc);
        json_t *sls = arch(6172.8, 41.0, 5, 15);
        split_cpu(sls, (const char *const[]){"faas", "fn-get-profile"},
                  (const double[]){28.7, 12.3}, 2);
        add_steps(sls, 150,
                  (const char *const[]){"queue", "init", "invoke", "auth", "db", "render",
                                        "function", "total"},
                  (const double[]){0.002, 5.0, 0.060, 0.004, 0.012, 0.006, 0.028, 0.080}, 8, 2);
        json_object_set_new(
            sls, "cold_starts",
            json_pack("{s:{s:[f,f,f], s:[f,f], s:o}, s:{s:[f,f,f], s:[f,f], s:o}}", "exec",
                      "cold_ms", 4.25, 4.5, 5.0, "warm_ms", 0.2, 0.2, "reports", reports(),
                      "fork-server", "cold_ms", 0.75, 0.8, 0.9, "warm_ms", 0.2, 0.21,
                      "reports", reports()));
        json_object_set_new(archs, "serverless", sls);
        json_t *micro = json_object_get(archs, "microservices");
        json_t *fault = scenario("fault", 64, 0, 5000, 300, 9000, 60, 3);
        json_object_set_new(json_object_get(fault, "loadgen"), "errors",
                            json_pack("{s:I, s:I}", "total", (json_int_t)78, "verify",
                                      (json_int_t)0));
        json_object_set_new(fault, "fault", json_string("kill -9 profile-service, restart it"));
        json_object_set_new(fault, "recovery_ms", json_real(48.6));
        json_object_set_new(fault, "error_rate", json_real(78.0 / (40000 + 78)));
        json_object_set_new(micro, "fault", fault);
    }
    return json_pack("{s:s, s:s, s:{s:s, s:s, s:I, s:s, s:s, s:s, s:[i], s:[i], s:{s:s}}, "
                     "s:{s:i}, s:f, s:f, s:b, s:o, s:o}",
                     "schema", "archbench.run/1", "profile", "quick", "environment", "date",
                     "2026-11-27T12:00:00Z", "cpu_model", "Test CPU", "cores", (json_int_t)2,
                     "memory", "24731708 kB", "kernel", "6.1.0", "git_commit", "abc1234",
                     "load_cpus", 0, "sut_cpus", 1, "libraries", "sqlite", "3.40.1",
                     "dataset", "users", 100000, "equal_rate", 6000.0, "wall_time_s", 120.0,
                     "complete", 1, "architectures", archs, "exchange", exchange());
}

static char *slurp(const char *path) { return proc_slurp(path, NULL); }

struct rendered {
    char dir[64];
    char *en, *es;
};

static void render(json_t *doc, struct rendered *r)
{
    snprintf(r->dir, sizeof r->dir, "/tmp/archbench-report-XXXXXX");
    assert_non_null(mkdtemp(r->dir));
    char path[128], err[512];
    snprintf(path, sizeof path, "%s/run.json", r->dir);
    assert_int_equal(json_dump_file(doc, path, 0), 0);
    json_decref(doc);
    if (report_render(r->dir, err, sizeof err) != 0)
        fail_msg("render: %s", err);
    snprintf(path, sizeof path, "%s/report.md", r->dir);
    r->en = slurp(path);
    snprintf(path, sizeof path, "%s/report.es.md", r->dir);
    r->es = slurp(path);
    assert_non_null(r->en);
    assert_non_null(r->es);
}

static void cleanup(struct rendered *r)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", r->dir);
    assert_int_equal(system(cmd), 0);
    free(r->en);
    free(r->es);
}

static void assert_contains(const char *text, const char *needle)
{
    if (strstr(text, needle) == NULL)
        fail_msg("expected to find \"%s\"", needle);
}

/* "nan", "inf" or "null" as a word: a number that was not there. */
static void assert_no_missing_numbers(const char *text)
{
    static const char *bad[] = {"nan", "inf", "null", "NaN", "Inf"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *p = text;
        size_t n = strlen(bad[i]);
        while ((p = strstr(p, bad[i])) != NULL) {
            bool word_start = p == text || !((p[-1] >= 'a' && p[-1] <= 'z') ||
                                             (p[-1] >= 'A' && p[-1] <= 'Z'));
            bool word_end = !((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z'));
            if (word_start && word_end)
                fail_msg("found \"%s\" in the report near: %.60s", bad[i], p > text + 20 ? p - 20 : text);
            p += n;
        }
    }
}

static void test_numbers_use_each_languages_separators(void **state)
{
    (void)state;
    assert_string_equal(report_number(0, 1234.5, 1), "1,234.5");
    assert_string_equal(report_number(0, 12345678, 0), "12,345,678");
    assert_string_equal(report_number(0, 0.31, 2), "0.31");
    assert_string_equal(report_number(1, 0.31, 2), "0,31");
    assert_string_equal(report_number(1, 1234.5, 1), "1234,5"); /* no grouping below 10 000 */
    assert_string_equal(report_number(1, 12345.6, 1), "12\xc2\xa0" "345,6");
    assert_string_equal(report_number(0, -2.5, 1), "-2.5");
}

static void test_missing_numbers_are_never_nan(void **state)
{
    (void)state;
    assert_string_equal(report_number(0, NAN, 1), "n/a");
    assert_string_equal(report_number(1, NAN, 1), "s. d.");
    assert_string_equal(report_number(0, INFINITY, 0), "n/a");
}

static void test_report_has_every_section_for_every_architecture(void **state)
{
    (void)state;
    struct rendered r;
    render(run_doc(true), &r);
    static const char *en[] = {"## Monolith", "## Microservices", "## Serverless (FaaS)"};
    static const char *es[] = {"## Monolito", "## Microservicios", "## Serverless (FaaS)"};
    for (int i = 0; i < 3; i++) {
        const char *sec = strstr(r.en, en[i]);
        assert_non_null(sec);
        const char *next = strstr(sec + 3, "\n## ");
        const char *use = strstr(sec, "### Real use case"), *diff = strstr(sec, "### Difference");
        assert_true(use && diff && (next == NULL || (use < next && diff < next)));
        assert_non_null(strstr(use, "](https://"));
        sec = strstr(r.es, es[i]);
        assert_non_null(sec);
        assert_non_null(strstr(sec, "### Caso de uso real"));
        assert_non_null(strstr(sec, "### Diferencia"));
    }
    assert_contains(r.en, "## Comparison with published results");
    assert_contains(r.es, "## Comparación con resultados publicados");
    assert_contains(r.en, "## Environment");
    assert_contains(r.en, "## Method");
    assert_contains(r.es, "## Entorno");
    assert_contains(r.es, "## Método");
    cleanup(&r);
}

static void test_difference_quotes_this_runs_numbers(void **state)
{
    (void)state;
    struct rendered r;
    render(run_doc(true), &r);
    /* throughput at 64 connections, and the ratios to the monolith */
    assert_contains(r.en, "**12,346** verified requests/s");
    assert_contains(r.es, "**12\xc2\xa0" "346** peticiones verificadas");
    assert_contains(r.en, "**4,115** verified requests/s, **0.33×** the monolith's");
    assert_contains(r.es, "**0,33×** las del monolito");
    assert_contains(r.en, "**6,173** verified requests/s, **0.50×** the monolith's");
    /* CPU ratio 61.5 / 20.5 = 3, p99 at equal load 2.4 ms vs 0.8 ms = 3 */
    assert_contains(r.en, "61.5 µs (3.00× the monolith's)");
    assert_contains(r.es, "61,5 µs (3,00× la del monolito)");
    /* cold start 4.5 ms vs warm 0.2 ms, fork-server 0.8 ms, Init Duration 2.5 ms */
    assert_contains(r.en, "cost **4.50 ms** at the client (median of 3 starts");
    assert_contains(r.es, "costó **4,50 ms**");
    assert_contains(r.en, "against **0.200 ms** for a warm request: 22.5× slower");
    assert_contains(r.en, "brought the cold start to **0.800 ms**");
    assert_contains(r.en, "had a median of 2.50 ms");
    /* Ueda et al.: 0.33x means 67 % lower */
    assert_contains(r.en, "reached 0.33× the monolith's throughput at 64 connections, that is 67% lower");
    assert_contains(r.es, "es decir, un 67\xc2\xa0% menos");
    cleanup(&r);
}

/* Three interleaved rounds at c=64 whose ratio of medians (12,000 / 5,000 = 2.40)
 * is not the median of the rounds' ratios (0.5, 0.25, 0.3: 0.30): the monolith's
 * paragraph gives the inverse of the ratio the microservices' paragraph and the
 * ratio table give, 1 / 0.30 = 3.33x, so the two agree. */
static void test_monolith_multiple_agrees_with_the_round_ratios(void **state)
{
    (void)state;
    json_t *doc = run_doc(true);
    json_t *archs = json_object_get(doc, "architectures");
    const char *names[] = {"monolith", "microservices"};
    const double thr[2][3] = {{12000, 20000, 10000}, {6000, 5000, 3000}};
    for (int a = 0; a < 2; a++) {
        json_t *list = json_object_get(json_object_get(archs, names[a]), "scenarios");
        json_array_remove(list, 1); /* the single c64 */
        for (int k = 0; k < 3; k++) {
            json_t *sc = scenario("c64", 64, 0, thr[a][k], 900, 2500, 20.5, 1);
            json_object_set_new(sc, "repeat", json_integer(k));
            json_array_append_new(list, sc);
        }
    }
    struct rendered r;
    render(doc, &r);
    assert_contains(r.en, "**5,000** verified requests/s, **0.30×** the monolith's");
    assert_contains(r.en, "(3.33× the microservices' throughput");
    assert_contains(r.es, "(3,33× las de los microservicios");
    assert_null(strstr(r.en, "2.40×"));
    cleanup(&r);
}

/* The CPU split: a table of every process, and the Difference paragraphs say where
 * the extra CPU goes (gateway 24.6 + services 36.9 = 61.5 µs against the
 * monolith's 20.5: 41.0 more, 24.6 of it the gateway and 16.4 the services;
 * faas 28.7 = 70 %, the function 12.3 = 30 %, 0.60x the monolith's 20.5). */
static void test_cpu_per_request_is_split_by_process(void **state)
{
    (void)state;
    struct rendered r;
    render(run_doc(true), &r);
    assert_contains(r.en, "| Architecture | Process | CPU per request | Share |");
    assert_contains(r.en, "| Monolith | `monolith` | 20.5 µs | 100% |");
    assert_contains(r.en, "| Microservices | `gateway` | 24.6 µs | 40% |");
    assert_contains(r.en, "|  | `auth-service` | 17.2 µs | 28% |");
    assert_contains(r.en, "|  | `profile-service` | 19.7 µs | 32% |");
    assert_contains(r.en, "| Serverless (FaaS) | `faas` | 28.7 µs | 70% |");
    assert_contains(r.en, "|  | `fn-get-profile` | 12.3 µs | 30% |");
    assert_contains(r.es, "| Microservicios | `gateway` | 24,6 µs | 40\xc2\xa0% |");
    assert_contains(r.en, "the gateway spent **24.6 µs** (40% of the total) on its two hops");
    assert_contains(r.en, "17.2 µs and profile-service 19.7 µs, 36.9 µs together");
    assert_contains(r.en, "Of the 41.0 µs per request the microservices spend beyond the "
                          "monolith, 24.6 µs is the gateway");
    assert_contains(r.en, "and 16.4 µs is the two services");
    assert_contains(r.es, "De los 41,0 µs por petición");
    assert_contains(r.en, "spent **28.7 µs** (70% of the total) and the function instances "
                          "**12.3 µs** (30%)");
    assert_contains(r.en, "the customer is billed for the function's");
    assert_contains(r.en, "The function's share alone was 0.60× the monolith's 20.5 µs");
    assert_contains(r.es, "al cliente se le factura la de la función");
    /* The same function CPU at one connection as at 64: nothing to explain. */
    assert_contains(r.en, "One invocation took 12.3 µs of the function's CPU at one connection "
                          "and 12.3 µs at 64 connections (1.00× the figure at one): in this run");
    assert_null(strstr(r.en, "take turns on one CPU, and each turn starts"));
    cleanup(&r);
    /* Nearly twice the function's CPU at 64 connections: instances taking turns on one core. */
    json_t *turns = run_doc(true);
    json_t *floor = json_array_get(
        json_object_get(json_object_get(json_object_get(turns, "architectures"), "serverless"),
                        "scenarios"),
        0);
    assert_string_equal(json_string_value(json_object_get(floor, "name")), "floor");
    json_object_set_new(json_object_get(floor, "cpu_us_per_request_by_process"),
                        "fn-get-profile", json_real(6.2));
    render(turns, &r);
    assert_contains(r.en, "one invocation took **6.2 µs** of CPU at one connection and "
                          "**12.3 µs** at 64 connections (1.98× the figure at one): at 64 "
                          "connections up to 64 instances take turns on one CPU");
    assert_contains(r.es, "una invocación gastó **6,2 µs** de CPU con una conexión y "
                          "**12,3 µs** con 64 conexiones (1,98× la cifra con una)");
    cleanup(&r);
    /* A run from before the split has neither the table nor the sentences. */
    json_t *doc = run_doc(true);
    json_t *archs = json_object_get(doc, "architectures");
    const char *k;
    json_t *a;
    json_object_foreach(archs, k, a)
    {
        size_t i;
        json_t *sc;
        json_array_foreach(json_object_get(a, "scenarios"), i, sc)
            json_object_del(sc, "cpu_us_per_request_by_process");
    }
    render(doc, &r);
    assert_null(strstr(r.en, "| Process |"));
    assert_null(strstr(r.en, "Where that CPU goes"));
    cleanup(&r);
}

static void test_fault_scenarios_are_tabled_with_recovery(void **state)
{
    (void)state;
    struct rendered r;
    render(run_doc(true), &r);
    /* 5000 req/s x 8 = 40,000 requests, 78 errors (0.195 %), recovered in 48.6 ms */
    assert_contains(r.en, "## Fault injection");
    assert_contains(r.en, "| Microservices | kill -9 profile-service, restart it | 40,000 | 78 | "
                          "0.195% | 48.6 ms |");
    assert_contains(r.es, "## Inyección de fallos");
    assert_contains(r.es, "| Microservicios | kill -9 de profile-service y rearranque | 40\xc2\xa0"
                          "000 | 78 | 0,195\xc2\xa0% | 48,6 ms |");
    /* the fault's errors are not counted as failures of the measured scenarios */
    assert_contains(r.en, "No request failed");
    cleanup(&r);
}

static void test_report_text_has_no_nan_inf_or_null(void **state)
{
    (void)state;
    struct rendered r;
    render(run_doc(true), &r);
    assert_no_missing_numbers(r.en);
    assert_no_missing_numbers(r.es);
    cleanup(&r);
    /* A run of the monolith alone: every comparison is unavailable, none is nan. */
    render(run_doc(false), &r);
    assert_no_missing_numbers(r.en);
    assert_no_missing_numbers(r.es);
    assert_null(strstr(r.en, "## Microservices"));
    assert_contains(r.en, "did not measure both of those architectures");
    cleanup(&r);
}

/* Every "%" the reader sees is one "%": a printf format's "%%" must never show. */
static void test_percent_signs_are_printed_once(void **state)
{
    (void)state;
    struct rendered r;
    render(run_doc(false), &r); /* no microservices: the comparison has no ratio */
    assert_contains(r.en, "at up to 79 % lower throughput");
    assert_contains(r.es, "hasta un 79\xc2\xa0% menos de peticiones por segundo");
    assert_null(strstr(r.en, "%%"));
    assert_null(strstr(r.es, "%%"));
    cleanup(&r);
    render(run_doc(true), &r);
    assert_null(strstr(r.en, "%%"));
    assert_null(strstr(r.es, "%%"));
    cleanup(&r);
}

/* The Spanish report as a Spanish-speaking teacher reviewed it: "peticiones por
 * segundo" rather than "rendimiento" (which reads as performance), no minimum that
 * is a median, one word for the queue and another for the tail, no calques, one
 * word for the gateway and the backend, the profile and Init Duration explained,
 * USD rather than $, and a non-breaking space before every %. */
static void test_spanish_reads_as_a_teacher_reviewed_it(void **state)
{
    (void)state;
    struct rendered r;
    /* with every paragraph the run can have: the rounds and equal utilisation, the
     * cold-start cascade, the drift warning and the cost section */
    json_t *doc = run_doc(true);
    json_object_set_new(doc, "util_share", json_real(0.5));
    json_t *sls = json_object_get(json_object_get(doc, "architectures"), "serverless");
    json_array_append_new(json_object_get(sls, "scenarios"),
                          scenario("util", 64, 3086, 3086, 150, 5000, 41, 5));
    json_t *sc = json_array_get(json_object_get(sls, "scenarios"), 3);
    json_object_set_new(sc, "cold_starts", json_pack("{s:i, s:i, s:[i,i,i], s:[i,i], s:i, s:i}",
                                                     "in_warmup", 2, "in_window", 7,
                                                     "per_second", 0, 7, 0, "window", 1, 2,
                                                     "p99_us", 41000, "p99_outside_window_us",
                                                     2600));
    add_drift(doc, 20.0, 24.6, 0.012, true);
    render(doc, &r);
    assert_contains(r.es, "una cascada de arranques en frío");
    assert_contains(r.es, "## Coste en AWS");
    assert_contains(r.es, "USD la hora");
    assert_contains(r.es, "sus latencias más lentas (el p99)");
    static const char *gone[] = {"Rendimiento", "rendimiento", "pet./s", "Latencia mínima",
                                 "latencia mínima", "escaló a cero", "paga sus horas",
                                 "back end", "el gateway", "Medianas de esta ejecución", " $",
                                 "\xc2\xa0$", "omisión coordinada corregida", "cola de latencia",
                                 "lleguen o no", "sus colas", "cola de la plataforma",
                                 "logradas", "su propia CPU"};
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++)
        if (strstr(r.es, gone[i]) != NULL)
            fail_msg("the Spanish report still says \"%s\"", gone[i]);
    assert_contains(r.es, "Peticiones por segundo, 64 conexiones");
    assert_contains(r.es, "Latencia sin carga (p50, 1 conexión)");
    assert_contains(r.es, "perfil **quick** (rápido)");
    assert_contains(r.es, "*Init Duration* (el nombre que da AWS");
    assert_contains(r.es, "crece la cola de espera");
    assert_contains(r.es, "USD por millón de peticiones");
    assert_contains(r.es, "la pasarela (`gateway`)");
    assert_contains(r.es, "Cifras de esta ejecución");
    /* every percent sign after a number has a non-breaking space before it */
    for (const char *p = strchr(r.es, '%'); p; p = strchr(p + 1, '%'))
        if (p > r.es + 1 && p[-1] >= '0' && p[-1] <= '9')
            fail_msg("a %% without a non-breaking space: %.30s", p - 20);
    cleanup(&r);
}

static void test_glossary_in_both_languages(void **state)
{
    (void)state;
    struct rendered r;
    render(run_doc(true), &r);
    assert_contains(r.en, "## Glossary\n");
    assert_contains(r.es, "## Glosario\n");
    static const char *en[] = {"**p50, p99**", "**Closed loop**", "**Open loop**",
                               "**Coordinated omission**", "**GB-s**", "**Init Duration**",
                               "**Cold start**", "**PSS**", "**Calibration and drift**",
                               "**Poisson arrivals**"};
    static const char *es[] = {"**p50, p99**", "**Bucle cerrado**", "**Bucle abierto**",
                               "**Omisión coordinada**", "**GB-s**", "**Init Duration**",
                               "**Arranque en frío**", "**PSS**", "**Calibración y deriva**",
                               "**Llegadas de Poisson**"};
    for (size_t i = 0; i < sizeof en / sizeof en[0]; i++) {
        assert_contains(strstr(r.en, "## Glossary"), en[i]);
        assert_contains(strstr(r.es, "## Glosario"), es[i]);
    }
    cleanup(&r);
}

/* In a table, every number from 1,000 on is grouped in both languages (Spanish
 * prose groups only from 10,000): 6000 req/s is "6 000" in a Spanish column. */
static void test_table_columns_group_thousands_alike(void **state)
{
    (void)state;
    struct rendered r;
    render(run_doc(true), &r);
    assert_contains(r.es, "| Monolito | 6\xc2\xa0" "000 | 5\xc2\xa0" "999 |");
    assert_contains(r.en, "| Monolith | 6,000 | 5,999 |");
    assert_contains(r.es, "A carga igual (6000 peticiones por segundo)");
    cleanup(&r);
}

/* A run with targets: a command, a URL and one left out by archbench check. */
static json_t *run_doc_with_targets(void)
{
    json_t *doc = run_doc(true);
    json_t *archs = json_object_get(doc, "architectures");
    json_t *py = arch(3000, 150, 1, 90), *far = arch(9000, 0, 0, 0);
    split_cpu(py, (const char *const[]){"py"}, (const double[]){150}, 1);
    /* a URL target: nothing of it was sampled here (archbench run writes null) */
    size_t i;
    json_t *sc;
    json_array_foreach(json_object_get(far, "scenarios"), i, sc)
        for (const char *const *k = (const char *const[]){"cpu_us_per_request", "peak_rss_kb",
                                                           "pss_kb", "peak_processes", NULL};
             *k; k++)
            json_object_set_new(sc, *k, json_null());
    json_object_set_new(far, "startup_ms", json_array());
    json_object_set_new(far, "idle_rss_kb", json_array());
    json_object_set_new(py, "target",
                        json_pack("{s:s, s:s, s:{s:i, s:i}}", "kind", "command", "command",
                                  "python3 app.py --port {port}", "check", "passed", 22,
                                  "failed", 0));
    json_object_set_new(far, "target",
                        json_pack("{s:s, s:s, s:{s:b}}", "kind", "url", "url",
                                  "http://192.0.2.1:8080", "check", "skipped", 1));
    json_object_set_new(archs, "py", py);
    json_object_set_new(archs, "far", far);
    json_t *order = json_pack("[s, s, s, s, s]", "monolith", "microservices", "serverless",
                              "py", "far");
    json_object_set_new(doc, "order", order);
    json_object_set_new(doc, "unmeasured",
                        json_pack("{s:{s:s, s:s, s:{s:i, s:i}}}", "broken", "kind", "command",
                                  "command", "x --port {port}", "check", "passed", 20,
                                  "failed", 2));
    return doc;
}

static void test_targets_appear_in_tables_and_have_a_difference(void **state)
{
    (void)state;
    struct rendered r;
    render(run_doc_with_targets(), &r);
    assert_contains(r.en, "| py | 3,000 |");
    assert_contains(r.en, "| far | 9,000 |");
    assert_contains(r.es, "| far | 9\xc2\xa0" "000 |");
    /* a URL target's CPU, memory, processes and start-up were not measured */
    assert_contains(r.en, "| not measured | not measured | not measured | not measured |");
    assert_contains(r.es, "| no medido | no medido | no medido | no medido |");
    assert_contains(r.en, "**broken** failed 2 of the 22 cases of `archbench check`");
    assert_contains(r.es, "**broken** falló 2 de los 22 casos");
    /* their own sections: how they ran, a Difference from their numbers, no use case */
    const char *py = strstr(r.en, "\n## py\n"), *far = strstr(r.en, "\n## far\n");
    assert_non_null(py);
    assert_non_null(far);
    assert_contains(py, "Started with `python3 app.py --port {port}`");
    assert_contains(py, "it served **3,000** verified requests/s, **0.24×** the monolith's");
    assert_contains(py, "was 150.0 µs (7.32× the monolith's)");
    assert_contains(py, "passed all 22 cases of `archbench check`");
    assert_contains(far, "Already running at http://192.0.2.1:8080");
    assert_contains(far, "its CPU and memory were not measured");
    assert_contains(far, "measured without `archbench check` (`--no-check`)");
    assert_true(strstr(py, "### Real use case") == NULL || strstr(py, "### Real use case") > far);
    assert_contains(strstr(r.es, "\n## py\n"), "### Diferencia");
    assert_no_missing_numbers(r.en);
    assert_no_missing_numbers(r.es);
    /* a command target's CPU is its own processes' (one line); a URL target has none */
    assert_contains(r.en, "| py | `py` | 150.0 µs | 100% |");
    assert_contains(r.en, "A target started here has one line: all of its processes together.");
    assert_null(strstr(r.en, "| far | `far` |"));
    /* cost: the command target priced as a server, the URL target left out, saying why */
    assert_contains(r.en, "| py | 4.0 MB | $0.0035 | $62.05 (1 × c6i.large) | "
                          "$62.05 (1 × c6i.large) | $62.05 (1 × c6i.large) |");
    assert_contains(r.es, "| py | 4,0 MB | 0,0035\xc2\xa0USD |");
    assert_null(strstr(strstr(r.en, "## Cost on AWS"), "| far |"));
    assert_contains(r.en, "far is measured at its URL: its CPU and memory were not measured "
                          "here, and the cost model prices those, so it has no row.");
    assert_contains(r.es, "far se midió en su URL");
    assert_contains(r.en, "A target started here is priced like the monolith");
    /* the charts have a column and a line style for each */
    char path[160];
    snprintf(path, sizeof path, "%s/charts/throughput.dat", r.dir);
    char *dat = slurp(path);
    assert_contains(dat, "# connections monolith microservices serverless py far");
    free(dat);
    snprintf(path, sizeof path, "%s/charts/throughput.en.gp", r.dir);
    char *gp = slurp(path);
    assert_contains(gp, "set style line 5 lc rgb");
    assert_contains(gp, "using 1:6 with linespoints ls 5 title 'far'");
    free(gp);
    /* the break-even chart: a line for py, none for far (nothing to price) */
    snprintf(path, sizeof path, "%s/charts/cost.dat", r.dir);
    dat = slurp(path);
    assert_contains(dat, "# req/s monolith microservices serverless py far (USD per month)");
    free(dat);
    snprintf(path, sizeof path, "%s/charts/cost.en.gp", r.dir);
    gp = slurp(path);
    assert_contains(gp, "using 1:5 with lines ls 4 title 'py'");
    assert_null(strstr(gp, "title 'far'"));
    free(gp);
    cleanup(&r);
}

/* The report's formats and how many arguments report.c passes each. */
struct format_field {
    const char *name;
    size_t at;
    unsigned nargs;
};
#define FORMAT(field, n) {#field, offsetof(struct lang, field), n}
static const struct format_field formats[] = {
    FORMAT(pct, 1),           FORMAT(generated, 3),     FORMAT(summary_intro, 1),
    FORMAT(col_thr, 1),       FORMAT(env_split, 2),     FORMAT(env_data, 2),
    FORMAT(env_wall, 1),      FORMAT(method_items, 5),  FORMAT(chart_scale, 1),
    FORMAT(caveats, 3),
    FORMAT(latency_header, 1), FORMAT(diff_mono, 10),   FORMAT(diff_mono_vs, 2),
    FORMAT(diff_micro, 11),   FORMAT(diff_sls, 11),     FORMAT(diff_sls_cold, 8),
    FORMAT(diff_micro_cpu, 9), FORMAT(diff_sls_cpu, 7), FORMAT(cpu_split_intro, 1),
    FORMAT(diff_sls_cost, 8), FORMAT(repeats_note, 8),  FORMAT(scale_note, 3),
    FORMAT(scale_item, 2),    FORMAT(published_ueda, 5), FORMAT(published_ueda_none, 2),
    FORMAT(published_cold, 9), FORMAT(errors_some, 3),  FORMAT(verify_fail, 2),
    FORMAT(faults_intro, 4),  FORMAT(faults_header, 1),  FORMAT(usd, 1),
    FORMAT(env_data_given, 2), FORMAT(unmeasured_note, 3), FORMAT(method_targets, 1),
    FORMAT(target_cmd, 2),    FORMAT(target_url, 1),    FORMAT(diff_target, 9),
    FORMAT(diff_target_vs, 1), FORMAT(diff_target_p99_vs, 1), FORMAT(diff_target_res, 5),
    FORMAT(diff_target_remote, 1), FORMAT(diff_target_checked, 1),
    FORMAT(drift_warning, 0), FORMAT(drift_detail, 8),  FORMAT(ratios_intro, 2),
    FORMAT(ratios_header, 1), FORMAT(method_rounds, 3), FORMAT(util_intro, 2),
    FORMAT(util_header, 1),   FORMAT(cascade_eq, 1),    FORMAT(cascade_util, 1),
    FORMAT(cascade_some, 7),  FORMAT(cascade_none, 4),  FORMAT(cascade_second, 1),
    FORMAT(cascade_seconds, 2), FORMAT(cascade_none_eq, 2),  FORMAT(cost_intro, 12),
    FORMAT(cost_init, 4),     FORMAT(cost_init_none, 1), FORMAT(cost_header, 1),
    FORMAT(cost_no_fit, 4),   FORMAT(cost_no_url, 1),   FORMAT(cost_targets, 0),
    FORMAT(steps_how, 1),     FORMAT(diff_steps_mono, 7), FORMAT(diff_steps_micro, 10),
    FORMAT(diff_steps_sls, 10), FORMAT(whatif_intro, 3),
};

/* A format with more than one argument numbers every one (%1$s ...), so a
 * translation can reorder them; and uses each: printf's positional arguments
 * cannot skip one. */
static void assert_format(const char *lang, const char *name, const char *fmt, unsigned nargs)
{
    bool used[16] = {false};
    for (const char *p = fmt; (p = strchr(p, '%')) != NULL;) {
        if (p[1] == '%') {
            p += 2;
            continue;
        }
        unsigned n = 1;
        int len = 0;
        if (nargs > 1)
            sscanf(p, "%%%u$s%n", &n, &len);
        else if (strncmp(p, "%s", 2) == 0)
            len = 2;
        if (len == 0 || n < 1 || n > nargs)
            fail_msg("%s %s: \"%.8s\" is not %s", lang, name, p,
                     nargs > 1 ? "%N$s with N in 1..nargs" : "%s");
        used[n] = true;
        p += len;
    }
    for (unsigned n = 1; n <= nargs; n++)
        if (!used[n])
            fail_msg("%s %s: argument %u is never used", lang, name, n);
}

static void test_formats_number_their_arguments_in_every_language(void **state)
{
    (void)state;
    for (int lang = 0; lang < LANG_N; lang++)
        for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
            const char *fmt =
                *(const char *const *)((const char *)&report_langs[lang] + formats[i].at);
            assert_non_null(fmt);
            assert_format(report_langs[lang].code, formats[i].name, fmt, formats[i].nargs);
        }
}

/* Every price and published figure has its source and the date it was read, and
 * the report quotes it from the table: its value, in each language's number
 * format, and its address. */
static void test_published_figures_come_from_the_sources_table(void **state)
{
    (void)state;
    struct rendered r;
    render(run_doc(true), &r);
    for (int i = 0; i < SOURCE_N; i++) {
        const struct source *src = &sources[i];
        assert_non_null(src->what);
        assert_int_equal(strncmp(src->url, "https://", 8), 0);
        unsigned y, m, d;
        assert_int_equal(sscanf(src->read, "%4u-%2u-%2u", &y, &m, &d), 3);
        assert_true(strlen(src->read) == 10 && m >= 1 && m <= 12 && d >= 1 && d <= 31);
        assert_contains(r.en, src->url);
        assert_contains(r.es, src->url);
        if (isnan(src->value))
            continue;
        assert_contains(r.en, report_number(0, src->value, src->decimals));
        assert_contains(r.es, report_number(1, src->value, src->decimals));
    }
    /* the cost model: 1 ms billed at 128 MB is 125 GB-s per million requests */
    char cost[32];
    snprintf(cost, sizeof cost, "**$%s per million requests**",
             report_number(0, 125 * sources[SOURCE_LAMBDA_GB_SECOND].value +
                                  sources[SOURCE_LAMBDA_REQUESTS].value, 2));
    assert_contains(r.en, cost);
    cleanup(&r);
}

/* The request step by step: the flow with the recorded exchange, a table whose
 * columns sum to the client's median latency (monolith: auth 0.004 + db 0.012 +
 * render 0.006 + other 0.008 + rest 0.034 = 0.064 ms; microservices: hops 0.040 -
 * 0.016 = 0.024 and 0.050 - 0.020 = 0.030; serverless: hand-over 0.060 - 0.028 =
 * 0.032, init 2 x 5 ms over 1,000 answers = 0.010), the chart, and the what-if:
 * the floor's p50 (0.160 ms) plus 2 round trips of 0.5 ms = 1.16 ms. */
static void test_steps_section_adds_up_in_both_languages(void **state)
{
    (void)state;
    struct rendered r;
    render(run_doc(true), &r);
    const char *en = strstr(r.en, "## The request, step by step");
    const char *es = strstr(r.es, "## Recorrido de la petición");
    assert_non_null(en);
    assert_non_null(es);
    assert_true(en < strstr(r.en, "## Monolith"));
    assert_true(es < strstr(r.es, "## Monolito"));
    assert_contains(en, "$ curl -H 'Authorization: Bearer tok_user1' http://127.0.0.1:8080/profile\n"
                        "{\"user_id\":1,\"name\":\"Ada\"}");
    assert_contains(en, "HTTP/1.1 401 Unauthorized\nWWW-Authenticate: Bearer realm=\"archbench\"");
    assert_contains(en, "| Authentication (`auth`) | 0.004 | 0.010 | 0.004 |");
    assert_contains(en, "| Hop: gateway → auth-service | — | 0.024 | — |");
    assert_contains(en, "| Hop: gateway → profile-service | — | 0.030 | — |");
    assert_contains(en, "| Platform: hand-over (`invoke` − the function's total) | — | — | 0.032 |");
    assert_contains(en, "| Cold starts' `init`, spread over every request | — | — | 0.010 |");
    assert_contains(en, "| Other work in the servers | 0.008 |");
    assert_contains(en, "| Rest: client, kernel, HTTP | 0.034 | 0.060 | 0.070 |");
    assert_contains(en, "| **Sum: median latency at the client** | 0.064 | 0.160 | 0.150 |");
    assert_contains(es, "| **Suma: latencia mediana en el cliente** | 0,064 | 0,160 | 0,150 |");
    assert_contains(en, "![Where the time of one request goes (1 connection, medians)](charts/steps.en.svg)");
    assert_contains(es, "(charts/steps.es.svg)");
    assert_contains(en, "**arithmetic on measured numbers, not a measurement**");
    assert_contains(es, "**aritmética sobre cifras medidas, no una medición**");
    assert_contains(en, "| Microservices | 2 | 0.160 | 0.360 | 1.16 | 2.16 |");
    assert_contains(es, "| Monolito | 0 | 0,064 | 0,064 | 0,064 | 0,064 |");
    assert_contains(en, "typically 21–98 ms between cities");
    /* the Differences cite the steps */
    assert_contains(r.en, "added 0.024 and 0.030 ms");
    assert_contains(r.es, "añadió 0,002 ms de cola y 0,032 ms en entregar el evento");
    assert_no_missing_numbers(en);
    assert_no_missing_numbers(es);
    char path[160];
    snprintf(path, sizeof path, "%s/charts/steps.es.svg", r.dir);
    if (access(path, R_OK) != 0)
        fail_msg("missing %s", path);
    cleanup(&r);
}

/* A run from before Server-Timing: the flow and the what-if, no table. */
static void test_steps_section_without_server_timing(void **state)
{
    (void)state;
    struct rendered r;
    json_t *doc = run_doc(true);
    json_object_del(doc, "exchange");
    const char *name;
    json_t *a;
    json_object_foreach(json_object_get(doc, "architectures"), name, a)
        json_object_del(json_object_get(json_array_get(json_object_get(a, "scenarios"), 0),
                                        "loadgen"), "server_timing");
    render(doc, &r);
    assert_contains(r.en, "This run has no figures per step");
    assert_contains(r.es, "Esta ejecución no tiene cifras por paso");
    assert_null(strstr(r.en, "$ curl"));
    assert_contains(r.en, "| Serverless (FaaS) | 2 | 0.150 | 0.350 | 1.15 | 2.15 |");
    assert_no_missing_numbers(r.en);
    assert_no_missing_numbers(r.es);
    cleanup(&r);
}

/* The steps of a real run add up (tests/fixtures/report/steps/run.json: the floor
 * scenarios of a make bench run of this code on 2026-12-03, histograms and the other
 * scenarios cut out): each column's sum, from the Server-Timing medians of the floor repeats
 * that carried them, is within 5 % of the unloaded latency the summary quotes
 * (the median over every floor repeat); the servers' own steps never exceed
 * their total (other >= 0, but for the rounding of three decimals), every hop
 * and the platform's hand-over are positive, and the client waited longer than
 * the server worked (rest > 0). */
static void test_steps_of_a_real_run_add_up(void **state)
{
    (void)state;
    json_error_t jerr;
    json_t *doc = json_load_file("tests/fixtures/report/steps/run.json", 0, &jerr);
    if (doc == NULL)
        fail_msg("tests/fixtures/report/steps/run.json: %s", jerr.text);
    struct run_figures m;
    char err[256];
    assert_true(figures_from_run(doc, &m, err, sizeof err));
    for (int i = 0; i < SUT_NARCH; i++) {
        const struct steps_figures *s = &m.arch[i].steps;
        if (!s->present)
            fail_msg("%s: no steps in the fixture", m.arch[i].name);
        double sum = steps_sum(s), floor = m.arch[i].floor_p50_ms;
        if (!(fabs(sum - floor) <= 0.05 * floor))
            fail_msg("%s: steps add up to %.3f ms, the unloaded latency is %.3f ms",
                     m.arch[i].name, sum, floor);
        assert_true(s->ms[STEP_OTHER] >= -0.002);
        assert_true(s->ms[STEP_REST] > 0);
        assert_true(s->ms[STEP_AUTH] > 0 && s->ms[STEP_DB] > 0 && s->ms[STEP_RENDER] > 0);
    }
    assert_true(m.arch[SUT_MICROSERVICES].steps.ms[STEP_HOP_AUTH] > 0);
    assert_true(m.arch[SUT_MICROSERVICES].steps.ms[STEP_HOP_PROFILE] > 0);
    assert_true(m.arch[SUT_SERVERLESS].steps.ms[STEP_INVOKE] > 0);
    json_decref(doc);
}

static void test_charts_and_their_sources_are_kept(void **state)
{
    (void)state;
    struct rendered r;
    render(run_doc(true), &r);
    const char *files[] = {"throughput.dat", "throughput.en.gp", "throughput.en.svg",
                           "throughput.es.svg", "latency.dat", "latency.es.gp",
                           "latency.en.svg", "coldwarm.dat", "coldwarm.en.svg"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[160];
        snprintf(path, sizeof path, "%s/charts/%s", r.dir, files[i]);
        if (access(path, R_OK) != 0)
            fail_msg("missing %s", path);
    }
    assert_contains(r.en, "![Throughput by number of connections](charts/throughput.en.svg)");
    assert_contains(r.es, "(charts/throughput.es.svg)");
    /* the Spanish charts use a decimal comma */
    char path[160];
    snprintf(path, sizeof path, "%s/charts/latency.es.gp", r.dir);
    char *gp = slurp(path);
    assert_contains(gp, "set decimalsign ','");
    free(gp);
    cleanup(&r);
}

static void test_not_a_run_is_refused(void **state)
{
    (void)state;
    char dir[64] = "/tmp/archbench-report-XXXXXX", path[128], err[256] = "";
    assert_non_null(mkdtemp(dir));
    assert_int_not_equal(report_render(dir, err, sizeof err), 0); /* no run.json */
    assert_non_null(strstr(err, "run.json"));
    snprintf(path, sizeof path, "%s/run.json", dir);
    FILE *f = fopen(path, "w");
    fputs("{\"schema\":\"something else\"}", f);
    fclose(f);
    assert_int_not_equal(report_render(dir, err, sizeof err), 0);
    assert_non_null(strstr(err, "archbench.run/1"));
    proc_rmdir(dir);
}

/* A run --hosts measured what the what-if table only models: the report sets the
 * microservices' rise over the monolith beside the two round trips it expects. */
static void test_hosts_run_sets_the_measured_rise_beside_the_model(void **state)
{
    (void)state;
    json_t *doc = run_doc(true);
    json_object_set_new(doc, "network",
                        json_pack("{s:s, s:f, s:o}", "topology", "hosts", "rtt_ms", 1.0,
                                  "hosts", json_object()));
    struct rendered r;
    render(doc, &r);
    assert_contains(r.en, "### The internal calls across a network");
    assert_contains(r.en, "so their median latency at one connection should be about "
                          "**2.00 ms** above the monolith's. Measured in this run: **");
    assert_contains(r.es, "### Las llamadas internas a través de una red");
    assert_contains(r.es, "debería quedar unos **2,00 ms** por encima de la del monolito");
    assert_null(strstr(r.en, "| Architecture | Internal round trips |"));
    assert_no_missing_numbers(r.en);
    assert_no_missing_numbers(r.es);
    cleanup(&r);
}

static void test_drift_sentence_is_rendered_from_run_json(void **state)
{
    (void)state;
    struct rendered r;
    json_t *doc = run_doc(true);
    add_drift(doc, 20.0, 24.6, 0.012, true); /* 23 % slower at its slowest */
    render(doc, &r);
    const char *en = "This machine's speed changed during the run; rerun before comparing.";
    const char *es = "La velocidad de esta máquina cambió durante la ejecución; repita la "
                     "medición antes de comparar.";
    assert_contains(r.en, en);
    assert_contains(r.es, es);
    /* in the summary, before its table, with what the machine did */
    assert_true(strstr(r.en, en) < strstr(r.en, "| Architecture |"));
    assert_contains(r.en, "took 20.0 to 24.6 ms (a speed change of 23%; the limit is 10%); "
                          "steal time was 1.2% of that CPU's time");
    assert_contains(r.es, "tardaron de 20,0 a 24,6 ms (un cambio de velocidad del 23\xc2\xa0%");
    cleanup(&r);
    /* a steady machine: the figures in the environment, no warning */
    doc = run_doc(true);
    add_drift(doc, 20.0, 21.0, 0.001, false);
    render(doc, &r);
    assert_null(strstr(r.en, en));
    assert_null(strstr(r.es, es));
    assert_contains(r.en, "took 20.0 to 21.0 ms (a speed change of 5.0%");
    cleanup(&r);
}

/* The cost table of the synthetic run, every figure worked out by hand at the
 * prices of sources.c: c6i.large $0.085 an hour, 2 vCPUs, at most 50 % busy;
 * Lambda $0.0000166667 per GB-s and $0.20 per million; API Gateway HTTP API $1.00
 * per million; 730 hours a month. */
static void test_cost_table_from_a_fixture(void **state)
{
    (void)state;
    json_t *doc = run_doc(true);
    json_t *archs = json_object_get(doc, "architectures");
    /* microservices at 1,500 µs of CPU per request: 1,000 req/s need 1.5 busy vCPUs,
     * two instances at 50 % */
    json_t *sc = json_array_get(json_object_get(json_object_get(archs, "microservices"),
                                                "scenarios"), 1);
    json_object_set_new(sc, "cpu_us_per_request", json_real(1500));
    /* serverless: 3 cold starts in the 47,992 requests of the equal-load window */
    sc = json_array_get(json_object_get(json_object_get(archs, "serverless"), "scenarios"), 3);
    json_object_set_new(sc, "cold_starts", json_pack("{s:i, s:i, s:[i], s:[i,i], s:i, s:i}",
                                                     "in_warmup", 1, "in_window", 3,
                                                     "per_second", 3, "window", 0, 1,
                                                     "p99_us", 4000, "p99_outside_window_us",
                                                     2500));
    struct rendered r;
    render(doc, &r);
    /* monolith, 20.5 µs: $0.085 / (2 × 0.5 × 3,600 s / 20.5 µs) × 1e6 = $0.00048; one
     * instance at every rate: 0.085 × 730 = $62.05 */
    assert_contains(r.en, "| Monolith | 4.0 MB | $0.0005 | $62.05 (1 × c6i.large) | "
                          "$62.05 (1 × c6i.large) | $62.05 (1 × c6i.large) |");
    assert_contains(r.es, "| Monolito | 4,0 MB | 0,0005\xc2\xa0USD | 62,05\xc2\xa0USD (1 × "
                          "c6i.large) |");
    /* microservices, 1,500 µs: $0.0354 per million; 2 instances at 1,000 req/s */
    assert_contains(r.en, "| Microservices | 12.0 MB | $0.0354 | $62.05 (1 × c6i.large) | "
                          "$62.05 (1 × c6i.large) | $124 (2 × c6i.large) |");
    assert_contains(r.es, "124\xc2\xa0USD (2 × c6i.large)");
    /* serverless, 128 MB, 1 ms billed: 1.20 + 0.125 GB × 0.001 s × 0.0000166667 × 1e6 =
     * $1.2021 per million; × 10 req/s × 2,628,000 s = $31.59 a month, $316, $3,159 */
    assert_contains(r.en, "| Serverless (FaaS) | 128.0 MB | $1.20 | $31.59 | $316 | $3,159 |");
    /* a table's column groups thousands in Spanish too */
    assert_contains(r.es, "| Serverless (FaaS) | 128,0 MB | 1,20\xc2\xa0USD | 31,59\xc2\xa0USD | "
                          "316\xc2\xa0USD | 3\xc2\xa0" "159\xc2\xa0USD |");
    /* INIT: 3 / 47,992 = 62.5 cold starts per million, 2.5 ms Init billed as 3 ms:
     * 62.5 x 0.003 s x 0.125 GB x $0.0000166667 = $0.00000039, in two significant
     * digits (four decimals printed $0.0000) */
    assert_contains(r.en, "started 63 instances per million requests, each with an Init "
                          "Duration of 2.50 ms (median): $0.00000039 per million");
    assert_contains(r.es, "arrancó 63 instancias por millón de peticiones");
    assert_no_missing_numbers(r.en);
    assert_no_missing_numbers(r.es);
    /* the break-even chart, in both languages */
    char path[160];
    snprintf(path, sizeof path, "%s/charts/cost.es.gp", r.dir);
    char *gp = slurp(path);
    assert_contains(gp, "set ylabel 'USD al mes'");
    free(gp);
    assert_contains(r.en, "![Monthly cost against request rate (break-even)](charts/cost.en.svg)");
    assert_contains(r.es, "(charts/cost.es.svg)");
    cleanup(&r);
}

/* The synthetic run with `cold` (stolen) as its serverless equal-load scenario's
 * cold_starts record. */
static json_t *run_with_equal_cold_starts(json_t *cold)
{
    json_t *doc = run_doc(true);
    json_t *sc = json_array_get(json_object_get(json_object_get(json_object_get(doc,
                                "architectures"), "serverless"), "scenarios"), 3);
    json_object_set_new(sc, "cold_starts", cold);
    return doc;
}

/* A cold_starts record: n instances started in the window's seconds first..last
 * (0-based, of three), warm more in the warm-up; p99 41 ms, 2.6 ms outside. */
static json_t *cascade(int warm, int n, int first, int last)
{
    return json_pack("{s:i, s:i, s:[i,i,i], s:[i,i], s:i, s:i}", "in_warmup", warm,
                     "in_window", n, "per_second", 0, n, 0, "window", first, last, "p99_us",
                     41000, "p99_outside_window_us", 2600);
}

/* The serverless tail with and without the cold-start cascade, and the caveat,
 * in the paragraph that quotes it; no bare multiple of the monolith's p99. */
static void test_cascade_is_named_with_its_caveat(void **state)
{
    (void)state;
    json_t *doc = run_with_equal_cold_starts(cascade(2, 7, 1, 2));
    struct rendered r;
    render(doc, &r);
    const char *para = strstr(r.en, "Each request goes through the platform");
    assert_non_null(para);
    const char *end = strstr(para, "\n\n");
    const char *cascade = strstr(para, "7 instances were started inside the measured window (2 "
                                       "more during its warm-up), in seconds 2 to 3 of it");
    assert_true(cascade && cascade < end);
    /* over the whole window: loadgen's p99, the latency table's (4.00 ms), not the
     * per-second histograms' 41.0 ms */
    assert_contains(para, "The p99 was 4.00 ms over the whole window and 2.60 ms outside the "
                          "cascade (the monolith's: 0.800 ms)");
    assert_contains(r.en, "| Serverless (FaaS) | 6,000 | 5,999 | 0.120 | 0.180 | 4.00 |");
    /* on AWS a 128 MB instance has a fraction of a vCPU, not one of its own */
    const char *caveat = strstr(para, "On AWS a cold start takes no CPU from the function's "
                                      "other instances, though each of them runs on a fraction "
                                      "of a vCPU");
    assert_true(caveat && caveat < end);
    assert_null(strstr(r.en, "CPU of its own"));
    assert_null(strstr(r.es, "su propia CPU"));
    assert_null(strstr(para, "the monolith's p99")); /* no bare multiple */
    assert_contains(r.es, "se arrancaron 7 instancias dentro de la ventana medida");
    cleanup(&r);
}

/* A cascade within one second is "in second N", and an equal-load scenario without
 * one does not repeat the p99s the sentence before it has just given. */
static void test_cascade_sentences_read_well(void **state)
{
    (void)state;
    json_t *doc = run_with_equal_cold_starts(cascade(0, 4, 1, 1));
    struct rendered r;
    render(doc, &r);
    assert_contains(r.en, "(0 more during its warm-up), in second 2 of it: a cold-start");
    assert_contains(r.es, "(y 0 más durante su calentamiento), en el segundo 2: una cascada");
    assert_null(strstr(r.en, "seconds 2 to 2"));
    assert_null(strstr(r.es, "segundos 2 a 2"));
    cleanup(&r);

    doc = run_with_equal_cold_starts(json_pack("{s:i, s:i, s:[i,i,i], s:n, s:i, s:i}",
                                               "in_warmup", 1, "in_window", 0, "per_second", 0,
                                               0, 0, "window", "p99_us", 4000,
                                               "p99_outside_window_us", 4000));
    render(doc, &r);
    const char *para = strstr(r.en, "Each request goes through the platform");
    assert_non_null(para);
    char *end = strstr(para, "\n\n");
    assert_non_null(end);
    *end = '\0';
    assert_contains(para, "At equal load (6,000 req/s), no instance was started inside the "
                          "measured window (1 during its warm-up).");
    const char *p99 = strstr(para, "the p99 4.00 ms");
    assert_non_null(p99);
    if (strstr(p99 + strlen("the p99 4.00 ms"), "4.00 ms") != NULL) /* given once */
        fail_msg("%s", para);
    cleanup(&r);
}

/* Golden files: a report's text and chart sources rendered from a fixed run.json
 * must not change unless the change is meant. FIXTURE names a folder under
 * tests/fixtures/report/ holding run.json (or NULL: the synthetic run_doc(true))
 * and expected/. With ARCHBENCH_UPDATE_FIXTURES=1 the test rewrites expected/
 * instead of comparing: do that only for a change to the report that is intended,
 * and read the diff before committing it. */
static const char *const golden_files[] = {
    "report.md", "report.es.md", "charts/throughput.dat", "charts/throughput.en.gp",
    "charts/throughput.es.gp", "charts/latency.dat", "charts/latency.en.gp",
    "charts/latency.es.gp", "charts/coldwarm.dat", "charts/coldwarm.en.gp",
    "charts/coldwarm.es.gp", "charts/cost.dat", "charts/cost.en.gp", "charts/cost.es.gp",
    "charts/steps.dat", "charts/steps.en.gp", "charts/steps.es.gp"};

static void assert_same_as_golden(const char *fixture, json_t *doc)
{
    char src[160];
    snprintf(src, sizeof src, "tests/fixtures/report/%s", fixture);
    if (doc == NULL) {
        char path[200];
        json_error_t jerr;
        snprintf(path, sizeof path, "%s/run.json", src);
        doc = json_load_file(path, 0, &jerr);
        if (doc == NULL)
            fail_msg("%s: %s", path, jerr.text);
    }
    struct rendered r;
    render(doc, &r);
    bool update = getenv("ARCHBENCH_UPDATE_FIXTURES") != NULL;
    for (size_t i = 0; i < sizeof golden_files / sizeof golden_files[0]; i++) {
        char got_path[200], want_path[200];
        snprintf(got_path, sizeof got_path, "%s/%s", r.dir, golden_files[i]);
        snprintf(want_path, sizeof want_path, "%s/expected/%s", src, golden_files[i]);
        size_t got_len = 0, want_len = 0;
        char *got = proc_slurp(got_path, &got_len);
        if (got == NULL && access(want_path, R_OK) != 0)
            continue; /* a chart this run has no data for (steps: a run before them) */
        if (got == NULL)
            fail_msg("the report did not write %s", golden_files[i]);
        if (update) {
            char cmd[1024];
            snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\" && cp '%s' '%s'", want_path,
                     got_path, want_path);
            assert_int_equal(system(cmd), 0);
        } else {
            char *want = proc_slurp(want_path, &want_len);
            if (want == NULL)
                fail_msg("missing golden file %s", want_path);
            if (got_len != want_len || memcmp(got, want, got_len) != 0) {
                size_t at = 0;
                while (at < got_len && at < want_len && got[at] == want[at])
                    at++;
                fail_msg("%s differs from %s at byte %zu: got \"%.40s\", expected \"%.40s\"",
                         golden_files[i], want_path, at, got + at, want + at);
            }
            free(want);
        }
        free(got);
    }
    cleanup(&r);
}

static void test_example_run_renders_the_same_bytes(void **state)
{
    (void)state;
    assert_same_as_golden("example", NULL);
}

static void test_synthetic_full_run_renders_the_same_bytes(void **state)
{
    (void)state;
    assert_same_as_golden("synthetic", run_doc(true));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_use_each_languages_separators),
        cmocka_unit_test(test_missing_numbers_are_never_nan),
        cmocka_unit_test(test_report_has_every_section_for_every_architecture),
        cmocka_unit_test(test_difference_quotes_this_runs_numbers),
        cmocka_unit_test(test_monolith_multiple_agrees_with_the_round_ratios),
        cmocka_unit_test(test_cpu_per_request_is_split_by_process),
        cmocka_unit_test(test_fault_scenarios_are_tabled_with_recovery),
        cmocka_unit_test(test_report_text_has_no_nan_inf_or_null),
        cmocka_unit_test(test_percent_signs_are_printed_once),
        cmocka_unit_test(test_formats_number_their_arguments_in_every_language),
        cmocka_unit_test(test_published_figures_come_from_the_sources_table),
        cmocka_unit_test(test_steps_section_adds_up_in_both_languages),
        cmocka_unit_test(test_steps_section_without_server_timing),
        cmocka_unit_test(test_steps_of_a_real_run_add_up),
        cmocka_unit_test(test_charts_and_their_sources_are_kept),
        cmocka_unit_test(test_not_a_run_is_refused),
        cmocka_unit_test(test_spanish_reads_as_a_teacher_reviewed_it),
        cmocka_unit_test(test_glossary_in_both_languages),
        cmocka_unit_test(test_table_columns_group_thousands_alike),
        cmocka_unit_test(test_targets_appear_in_tables_and_have_a_difference),
        cmocka_unit_test(test_drift_sentence_is_rendered_from_run_json),
        cmocka_unit_test(test_hosts_run_sets_the_measured_rise_beside_the_model),
        cmocka_unit_test(test_cost_table_from_a_fixture),
        cmocka_unit_test(test_cascade_is_named_with_its_caveat),
        cmocka_unit_test(test_cascade_sentences_read_well),
        cmocka_unit_test(test_example_run_renders_the_same_bytes),
        cmocka_unit_test(test_synthetic_full_run_renders_the_same_bytes),
    };
    return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
