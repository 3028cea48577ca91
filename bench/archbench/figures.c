/* Report numbers from run.json (see figures.h). */
#include "figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seed.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double figures_median(double *v, unsigned n)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

const struct arch_figures *figures_arch(const struct run_figures *m, int a)
{
    return a >= 0 && a < SUT_MAX && m->arch[a].present ? &m->arch[a] : NULL;
}

const struct arch_figures *figures_arch_named(const struct run_figures *m, const char *name)
{
    for (int a = 0; a < SUT_MAX; a++)
        if (m->arch[a].present && strcmp(m->arch[a].name, name) == 0)
            return &m->arch[a];
    return NULL;
}

double figures_thr_at(const struct arch_figures *a, unsigned conns)
{
    if (a == NULL)
        return NAN;
    for (unsigned i = 0; i < a->nconns; i++)
        if (a->conns[i] == conns)
            return a->thr[i];
    return NAN;
}

double figures_headline_thr(const struct arch_figures *a)
{
    return figures_thr_at(a, SCENARIO_HEADLINE_CONNS);
}

unsigned figures_all_conns(const struct run_figures *m, unsigned *out, unsigned cap)
{
    unsigned n = 0;
    for (int i = 0; i < SUT_MAX; i++)
        for (unsigned k = 0; k < m->arch[i].nconns; k++) {
            bool have = false;
            for (unsigned j = 0; j < n; j++)
                have |= out[j] == m->arch[i].conns[k];
            if (!have && n < cap)
                out[n++] = m->arch[i].conns[k];
        }
    return n;
}

static double pct_of(double *v, unsigned n, double p)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    unsigned i = (unsigned)ceil(p / 100.0 * n);
    return v[i == 0 ? 0 : i - 1];
}

/* Student's t for a two-sided 95 % interval with df degrees of freedom. */
static double t95(unsigned df)
{
    static const double t[] = {0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                               2.262, 2.228};
    return df < sizeof t / sizeof t[0] ? t[df] : 1.96;
}

static double num(json_t *o, const char *k) { return json_number_value(json_object_get(o, k)); }

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "unknown";
}

static double lat_ms(json_t *lg, const char *hist, const char *key)
{
    json_t *h = json_object_get(lg, hist);
    json_t *v = json_object_get(h, key);
    return v ? json_number_value(v) / 1000.0 : NAN;
}

static void cpus_text(json_t *arr, char *out, size_t len)
{
    size_t i, n = 0;
    json_t *v;
    out[0] = '\0';
    json_array_foreach(arr, i, v)
    {
        int w = snprintf(out + n, len - n, "%s%lld", i ? ", " : "", json_integer_value(v));
        if (w < 0 || (size_t)w >= len - n)
            break;
        n += (size_t)w;
    }
}

/* Collects field `get` of every scenario named `name` into v (at most cap). */
typedef double (*scen_get)(json_t *sc);
static unsigned collect(json_t *scenarios, const char *name, scen_get get, double *v,
                        unsigned cap)
{
    unsigned n = 0;
    size_t i;
    json_t *sc;
    json_array_foreach(scenarios, i, sc)
    {
        if (n < cap && strcmp(str(sc, "name"), name) == 0) {
            double x = get(sc);
            if (!isnan(x))
                v[n++] = x;
        }
    }
    return n;
}

static double get_thr(json_t *sc) { return num(json_object_get(sc, "loadgen"), "throughput_rps"); }
/* null for a URL target, which nothing here sampled */
static double get_cpu(json_t *sc)
{
    json_t *v = json_object_get(sc, "cpu_us_per_request");
    return json_is_number(v) ? json_number_value(v) : NAN;
}
static double get_p50(json_t *sc) { return lat_ms(json_object_get(sc, "loadgen"), "latency", "p50"); }
static double get_p90(json_t *sc) { return lat_ms(json_object_get(sc, "loadgen"), "latency", "p90"); }
static double get_p99(json_t *sc) { return lat_ms(json_object_get(sc, "loadgen"), "latency", "p99"); }
static double get_p999(json_t *sc) { return lat_ms(json_object_get(sc, "loadgen"), "latency", "p99.9"); }
static double get_max(json_t *sc) { return lat_ms(json_object_get(sc, "loadgen"), "latency", "max"); }
static double get_p99u(json_t *sc)
{
    return lat_ms(json_object_get(sc, "loadgen"), "latency_uncorrected", "p99");
}
static double get_rate(json_t *sc) { return num(sc, "rate"); }

#define MAXV 64

static double median_field(json_t *scenarios, const char *name, scen_get get)
{
    double v[MAXV];
    unsigned n = collect(scenarios, name, get, v, MAXV);
    return figures_median(v, n);
}

static void throughput_stats(json_t *scenarios, const char *name, struct arch_figures *a,
                             unsigned k)
{
    double v[MAXV];
    unsigned n = collect(scenarios, name, get_thr, v, MAXV);
    a->thr[k] = figures_median(v, n); /* sorts v */
    a->thr_min[k] = n ? v[0] : NAN;
    a->thr_max[k] = n ? v[n - 1] : NAN;
    a->thr_ci_lo[k] = a->thr_ci_hi[k] = NAN;
    if (n >= 2) {
        double mean = 0, var = 0;
        for (unsigned i = 0; i < n; i++)
            mean += v[i] / n;
        for (unsigned i = 0; i < n; i++)
            var += (v[i] - mean) * (v[i] - mean) / (n - 1);
        double half = t95(n - 1) * sqrt(var / n);
        a->thr_ci_lo[k] = mean - half > 0 ? mean - half : 0; /* a rate is never negative */
        a->thr_ci_hi[k] = mean + half;
    }
    if (n > a->repeats)
        a->repeats = n;
}

static void add_unique(unsigned *list, unsigned *n, unsigned cap, unsigned v)
{
    for (unsigned i = 0; i < *n; i++)
        if (list[i] == v)
            return;
    if (*n < cap) {
        unsigned i = (*n)++;
        while (i > 0 && list[i - 1] > v) {
            list[i] = list[i - 1];
            i--;
        }
        list[i] = v;
    }
}

/* The numbers of a JSON array, each times `scale`, into v (at most cap). */
static unsigned numbers(json_t *arr, double scale, double *v, unsigned cap)
{
    unsigned n = 0;
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x) if (n < cap) v[n++] = json_number_value(x) * scale;
    return n;
}

static void cold_starts(json_t *arch, struct arch_figures *a)
{
    json_t *cs = json_object_get(arch, "cold_starts");
    double durations[4096], billed_sum = 0;
    unsigned nd = 0, nb = 0;
    for (int m = 0; m < MODE_N; m++) {
        a->cold_p50_ms[m] = a->cold_p90_ms[m] = a->warm_p50_ms[m] = a->init_p50_ms[m] = NAN;
        json_t *mode = json_object_get(cs, scenario_start_mode(m));
        if (mode == NULL)
            continue;
        a->has_cold = true;
        double v[4096];
        unsigned n = numbers(json_object_get(mode, "cold_ms"), 1, v, 4096);
        a->cold_n[m] = n;
        a->cold_p90_ms[m] = pct_of(v, n, 90);
        a->cold_p50_ms[m] = figures_median(v, n);
        n = numbers(json_object_get(mode, "warm_ms"), 1, v, 4096);
        a->warm_p50_ms[m] = figures_median(v, n);
        n = 0;
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(mode, "reports"), i, x)
        {
            json_t *init = json_object_get(x, "initDurationMs");
            if (json_is_number(init) && n < 4096)
                v[n++] = json_number_value(init);
            else if (m == MODE_EXEC && nd < 4096) { /* warm invocations: the cost model */
                durations[nd++] = num(x, "durationMs");
                billed_sum += num(x, "billedDurationMs");
                nb++;
            }
            if (json_integer_value(json_object_get(x, "memorySizeMb")) > 0)
                a->memory_mb = (unsigned)json_integer_value(json_object_get(x, "memorySizeMb"));
            unsigned used = (unsigned)json_integer_value(json_object_get(x, "maxMemoryUsedMb"));
            if (used > a->max_memory_used_mb)
                a->max_memory_used_mb = used;
        }
        a->init_p50_ms[m] = figures_median(v, n);
    }
    a->duration_p50_ms = figures_median(durations, nd);
    a->billed_mean_ms = nb ? billed_sum / nb : NAN;
}

/* Which concurrencies, open-loop rates (into rates, rounded, to dedupe) and dataset
 * sizes were run, and the totals over every scenario. Returns how many rates. */
static unsigned scan_scenarios(json_t *sc_list, struct arch_figures *a,
                               unsigned rates[FIGURES_MAX_RATES])
{
    unsigned nrates = 0;
    size_t i;
    json_t *sc;
    json_array_foreach(sc_list, i, sc)
    {
        const char *name = str(sc, "name");
        unsigned c, users;
        if (scenario_closed_parse(name, &c))
            add_unique(a->conns, &a->nconns, FIGURES_MAX_CONNS, c);
        else if (scenario_scale_parse(name, &users))
            add_unique(a->scale_users, &a->nscale, FIGURES_MAX_SCALE, users);
        else if (num(sc, "rate") > 0)
            add_unique(rates, &nrates, FIGURES_MAX_RATES, (unsigned)(num(sc, "rate") + 0.5));
        json_t *lg = json_object_get(sc, "loadgen");
        json_t *errs = json_object_get(lg, "errors");
        a->requests += (unsigned long long)json_integer_value(json_object_get(lg, "requests"));
        a->errors += (unsigned long long)json_integer_value(json_object_get(errs, "total"));
        a->verify_errors +=
            (unsigned long long)json_integer_value(json_object_get(errs, "verify"));
        double rss = num(sc, "peak_rss_kb") / 1024.0;
        if (rss > a->peak_rss_mb)
            a->peak_rss_mb = rss;
        /* runs from before PSS was sampled have none: n/a, not 0 */
        json_t *pss = json_object_get(sc, "pss_kb");
        double pss_mb = json_number_value(pss) / 1024.0;
        if (json_is_number(pss) && (isnan(a->peak_pss_mb) || pss_mb > a->peak_pss_mb))
            a->peak_pss_mb = pss_mb;
        json_t *cold = json_object_get(sc, "cold_starts");
        if (cold) {
            a->measured_cold += (unsigned long long)json_integer_value(
                json_object_get(cold, "in_window"));
            a->measured_requests += (double)json_integer_value(json_object_get(lg, "requests"));
        }
        unsigned procs = (unsigned)json_integer_value(json_object_get(sc, "peak_processes"));
        if (procs > a->processes)
            a->processes = procs;
    }
    return nrates;
}

/* CPU per request by process in scenario `name`: the median over its repeats of
 * each process's share (run.json's cpu_us_per_request_by_process) into us[];
 * returns how many processes had one (0: a run from before the split). */
static unsigned process_figures(json_t *sc_list, const char *name, const char *const *names,
                                double *us)
{
    unsigned i;
    for (i = 0; names[i] != NULL; i++) {
        double v[MAXV];
        unsigned n = 0;
        size_t k;
        json_t *sc;
        json_array_foreach(sc_list, k, sc)
        {
            json_t *x = json_object_get(json_object_get(sc, "cpu_us_per_request_by_process"),
                                        names[i]);
            if (n < MAXV && strcmp(str(sc, "name"), name) == 0 && json_is_number(x))
                v[n++] = json_number_value(x);
        }
        if (n == 0)
            return 0;
        us[i] = figures_median(v, n);
    }
    return i;
}

/* The cold starts of the first scenario named `name` (the open-loop scenarios run
 * once in the quick profile; in the full one, the first repeat speaks for all). */
static void cascade_figures(json_t *sc_list, const char *name, struct cascade_figures *c)
{
    memset(c, 0, sizeof *c);
    c->first = c->last = -1;
    c->p99_ms = c->p99_outside_ms = NAN;
    size_t i;
    json_t *sc;
    json_array_foreach(sc_list, i, sc)
    {
        json_t *cold = json_object_get(sc, "cold_starts");
        if (strcmp(str(sc, "name"), name) != 0 || cold == NULL)
            continue;
        c->watched = true;
        c->cold = (unsigned)json_integer_value(json_object_get(cold, "in_window"));
        c->warmup_cold = (unsigned)json_integer_value(json_object_get(cold, "in_warmup"));
        json_t *w = json_object_get(cold, "window");
        if (json_is_array(w)) {
            c->first = (int)json_integer_value(json_array_get(w, 0));
            c->last = (int)json_integer_value(json_array_get(w, 1));
        }
        /* The whole window's p99 is loadgen's own, the one the latency tables give;
         * only the p99 outside the cascade needs the per-second histograms, about 1 %
         * coarser (504 ms there beside the table's 501 ms in one run). */
        json_t *p = json_object_get(cold, "p99_us");
        c->p99_ms = get_p99(sc);
        if (isnan(c->p99_ms))
            c->p99_ms = json_is_number(p) ? json_number_value(p) / 1000 : NAN;
        p = json_object_get(cold, "p99_outside_window_us");
        c->p99_outside_ms = json_is_number(p) ? json_number_value(p) / 1000 : NAN;
        return;
    }
}

/* The latency floor, closed-loop throughput and the equal-load figures. */
static void scenario_figures(json_t *sc_list, const char *const *processes,
                             struct arch_figures *a)
{
    char name[32];
    for (unsigned k = 0; k < a->nconns; k++) {
        scenario_closed_name(name, sizeof name, a->conns[k]);
        throughput_stats(sc_list, name, a, k);
    }
    a->floor_p50_ms = median_field(sc_list, SCENARIO_FLOOR, get_p50);
    a->floor_p99_ms = median_field(sc_list, SCENARIO_FLOOR, get_p99);
    a->eq_rate = median_field(sc_list, SCENARIO_EQUAL, get_rate);
    a->eq_thr = median_field(sc_list, SCENARIO_EQUAL, get_thr);
    a->eq_p50_ms = median_field(sc_list, SCENARIO_EQUAL, get_p50);
    a->eq_p90_ms = median_field(sc_list, SCENARIO_EQUAL, get_p90);
    a->eq_p99_ms = median_field(sc_list, SCENARIO_EQUAL, get_p99);
    a->eq_p999_ms = median_field(sc_list, SCENARIO_EQUAL, get_p999);
    a->eq_max_ms = median_field(sc_list, SCENARIO_EQUAL, get_max);
    a->eq_p99_uncorrected_ms = median_field(sc_list, SCENARIO_EQUAL, get_p99u);
    a->util_rate = median_field(sc_list, SCENARIO_UTIL, get_rate);
    a->util_thr = median_field(sc_list, SCENARIO_UTIL, get_thr);
    a->util_p50_ms = median_field(sc_list, SCENARIO_UTIL, get_p50);
    a->util_p99_ms = median_field(sc_list, SCENARIO_UTIL, get_p99);
    a->util_p999_ms = median_field(sc_list, SCENARIO_UTIL, get_p999);
    cascade_figures(sc_list, SCENARIO_EQUAL, &a->eq_cascade);
    cascade_figures(sc_list, SCENARIO_UTIL, &a->util_cascade);
    scenario_closed_name(name, sizeof name, SCENARIO_HEADLINE_CONNS);
    double v[MAXV];
    unsigned n = collect(sc_list, name, get_cpu, v, MAXV);
    a->cpu_us = figures_median(v, n); /* sorts v */
    a->cpu_min = n ? v[0] : NAN;
    a->cpu_max = n ? v[n - 1] : NAN;
    a->nprocesses = process_figures(sc_list, name, processes, a->process_cpu_us);
    for (unsigned i = 0; i < a->nprocesses; i++)
        a->process_name[i] = processes[i];
    if (process_figures(sc_list, SCENARIO_FLOOR, processes, a->process_floor_cpu_us) !=
        a->nprocesses)
        for (unsigned i = 0; i < a->nprocesses; i++)
            a->process_floor_cpu_us[i] = NAN;
    for (unsigned k = 0; k < a->nscale; k++) {
        scenario_scale_name(name, sizeof name, a->scale_users[k]);
        a->scale_thr[k] = median_field(sc_list, name, get_thr);
    }
}

/* The open-loop curve: every open-loop scenario, by offered rate. */
static void curve_figures(json_t *sc_list, struct arch_figures *a, const unsigned *rates,
                          unsigned nrates)
{
    for (unsigned k = 0; k < nrates; k++) {
        double thr[MAXV], p99[MAXV];
        unsigned n1 = 0, n2 = 0;
        size_t i;
        json_t *sc;
        json_array_foreach(sc_list, i, sc)
        {
            if (fabs(num(sc, "rate") - rates[k]) < 1 && num(sc, "rate") > 0 && n1 < MAXV) {
                thr[n1++] = get_thr(sc);
                p99[n2++] = get_p99(sc);
            }
        }
        a->curve_offered[a->ncurve] = rates[k];
        a->curve_thr[a->ncurve] = figures_median(thr, n1);
        a->curve_p99_ms[a->ncurve] = figures_median(p99, n2);
        a->ncurve++;
    }
}

static void fault_figures(json_t *fault, struct arch_figures *a)
{
    json_t *lg = json_object_get(fault, "loadgen");
    a->has_fault = true;
    a->fault_what = str(fault, "fault");
    a->fault_recovery_ms = num(fault, "recovery_ms");
    a->fault_error_rate = num(fault, "error_rate");
    a->fault_requests = (unsigned long long)json_integer_value(json_object_get(lg, "requests"));
    a->fault_errors = (unsigned long long)json_integer_value(
        json_object_get(json_object_get(lg, "errors"), "total"));
}

/* What archbench run recorded of a target: its command or URL and its check. */
static void target_figures(json_t *target, struct arch_figures *a)
{
    json_t *check = json_object_get(target, "check");
    a->target = true;
    a->remote = strcmp(str(target, "kind"), "url") == 0;
    a->spec = str(target, a->remote ? "url" : "command");
    a->check_skipped = json_is_true(json_object_get(check, "skipped"));
    a->check_passed = (unsigned)json_integer_value(json_object_get(check, "passed"));
    a->check_failed = (unsigned)json_integer_value(json_object_get(check, "failed"));
    if (a->remote) { /* sampled nothing: not measured, not zero */
        a->cpu_us = a->cpu_min = a->cpu_max = NAN;
        a->peak_rss_mb = a->idle_rss_mb = a->peak_pss_mb = a->idle_pss_mb = NAN;
        a->startup_ms = NAN;
        a->processes = a->nprocesses = 0;
    }
}

/* processes: the names run.json splits the system's CPU by (sut_processes for an
 * architecture; a target's own name for a target, all of its processes). */
static void arch_metrics(json_t *arch_json, const char *const *processes,
                         struct arch_figures *a)
{
    json_t *sc_list = json_object_get(arch_json, "scenarios");
    a->present = true;
    unsigned rates[FIGURES_MAX_RATES];
    a->peak_pss_mb = NAN;
    unsigned nrates = scan_scenarios(sc_list, a, rates);
    scenario_figures(sc_list, processes, a);
    curve_figures(sc_list, a, rates, nrates);
    double v[MAXV];
    unsigned n = numbers(json_object_get(arch_json, "startup_ms"), 1, v, MAXV);
    a->startup_ms = figures_median(v, n);
    n = numbers(json_object_get(arch_json, "idle_rss_kb"), 1 / 1024.0, v, MAXV);
    a->idle_rss_mb = figures_median(v, n);
    n = numbers(json_object_get(arch_json, "idle_pss_kb"), 1 / 1024.0, v, MAXV);
    a->idle_pss_mb = figures_median(v, n);
    cold_starts(arch_json, a);
    json_t *fault = json_object_get(arch_json, "fault");
    if (fault)
        fault_figures(fault, a);
    json_t *target = json_object_get(arch_json, "target");
    if (target)
        target_figures(target, a);
}

/* The targets, after the architectures, in the run's order; and those left out. */
static void targets_from_run(json_t *doc, struct run_figures *m)
{
    json_t *archs = json_object_get(doc, "architectures"), *v;
    size_t i;
    int next = SUT_NARCH;
    json_array_foreach(json_object_get(doc, "order"), i, v)
    {
        enum sut_arch a;
        const char *name = json_string_value(v);
        json_t *arch = name ? json_object_get(archs, name) : NULL;
        if (arch == NULL || sut_arch_parse(name, &a) || next == SUT_MAX)
            continue;
        struct arch_figures *t = &m->arch[next++];
        t->name = name;
        t->own_process[0] = name; /* its CPU is split by nothing but itself */
        arch_metrics(arch, t->own_process, t);
    }
    const char *name;
    json_object_foreach(json_object_get(doc, "unmeasured"), name, v)
    {
        if (m->nunmeasured == SUT_MAX_TARGETS)
            break;
        struct arch_figures t = {0};
        target_figures(v, &t);
        m->unmeasured[m->nunmeasured++] = (struct unmeasured){name, t.spec, t.check_passed,
                                                              t.check_failed};
    }
}

/* The headline scenario's field `get` of round r, or NAN. */
static double round_value(json_t *arch, unsigned r, scen_get get)
{
    char name[32];
    scenario_closed_name(name, sizeof name, SCENARIO_HEADLINE_CONNS);
    size_t i;
    json_t *sc;
    json_array_foreach(json_object_get(arch, "scenarios"), i, sc)
    {
        if (strcmp(str(sc, "name"), name) == 0 &&
            json_integer_value(json_object_get(sc, "repeat")) == (json_int_t)r)
            return get(sc);
    }
    return NAN;
}

/* x's field over the monolith's, round by round: each ratio compares figures taken
 * seconds apart, so the machine's drift cancels in it; then their median. */
static void round_ratios(json_t *x, json_t *mono, scen_get get, unsigned rounds,
                         struct round_ratio *out)
{
    double v[MAXV];
    unsigned n = 0;
    for (unsigned r = 0; r < rounds && n < MAXV; r++) {
        double a = round_value(x, r, get), b = round_value(mono, r, get);
        if (isfinite(a) && isfinite(b) && b > 0)
            v[n++] = a / b;
    }
    out->n = n;
    out->median = figures_median(v, n);
    out->min = n ? v[0] : NAN;
    out->max = n ? v[n - 1] : NAN;
}

/* The machine's steadiness: calibrations and steal (drift.h). Runs made before
 * they were recorded have none: NAN, no warning. */
static void machine_figures(json_t *doc, struct run_figures *m)
{
    json_t *cal = json_object_get(doc, "calibration");
    double v[4096];
    unsigned n = 0;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(cal, "rounds"), i, c) if (n < 4096) v[n++] =
        num(c, "ms");
    figures_median(v, n); /* sorts */
    m->ncalib = n;
    m->calib_min_ms = n ? v[0] : NAN;
    m->calib_max_ms = n ? v[n - 1] : NAN;
    json_t *sc = json_object_get(cal, "speed_change");
    m->speed_change = json_is_number(sc) ? json_number_value(sc) : NAN;
    json_t *steal = json_object_get(doc, "steal");
    json_t *st = json_object_get(steal, "sut"), *busy = json_object_get(steal, "sut_busy");
    m->steal = json_is_number(st) ? json_number_value(st) : NAN;
    m->sut_busy = json_is_number(busy) ? json_number_value(busy) : NAN;
    m->drift_warning = json_is_true(json_object_get(doc, "drift_warning"));
}

/* The recorded exchange's strings (NULL when absent: the report then leaves the
 * real bytes out). */
static void exchange_figures(json_t *ex, struct exchange_figures *x)
{
    json_t *denied = json_object_get(ex, "unauthorized");
    x->url = json_string_value(json_object_get(ex, "url"));
    x->token = json_string_value(json_object_get(ex, "token"));
    x->content_type = json_string_value(json_object_get(ex, "content_type"));
    x->body = json_string_value(json_object_get(ex, "body"));
    x->status = (int)json_integer_value(json_object_get(ex, "status"));
    x->denied_type = json_string_value(json_object_get(denied, "content_type"));
    x->denied_body = json_string_value(json_object_get(denied, "body"));
    x->denied_challenge = json_string_value(json_object_get(denied, "www_authenticate"));
    x->denied_status = (int)json_integer_value(json_object_get(denied, "status"));
}

/* The rounds of the headline scenario, and every ratio to the monolith (targets'
 * too: they run in the same interleaved rounds). */
static void ratio_figures(json_t *archs, struct run_figures *m)
{
    json_t *mono = json_object_get(archs, sut_arch_name(SUT_MONOLITH));
    for (int a = 0; a < SUT_MAX; a++) {
        json_t *x = m->arch[a].present ? json_object_get(archs, m->arch[a].name) : NULL;
        if (x && m->arch[a].repeats > m->rounds)
            m->rounds = m->arch[a].repeats;
        if (x == NULL || mono == NULL || a == SUT_MONOLITH)
            continue;
        round_ratios(x, mono, get_thr, MAXV, &m->arch[a].thr_ratio);
        round_ratios(x, mono, get_cpu, MAXV, &m->arch[a].cpu_ratio);
    }
}

bool figures_from_run(json_t *doc, struct run_figures *m, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    if (strcmp(str(doc, "schema"), "archbench.run/1") != 0) {
        snprintf(err, errlen, "not an archbench run.json (schema is not archbench.run/1)");
        return false;
    }
    json_t *env = json_object_get(doc, "environment");
    m->profile = str(doc, "profile");
    m->date = str(env, "date");
    m->cpu_model = str(env, "cpu_model");
    m->kernel = str(env, "kernel");
    m->commit = str(env, "git_commit");
    m->memory = str(env, "memory");
    m->cores = json_integer_value(json_object_get(env, "cores"));
    m->libraries = json_object_get(env, "libraries");
    cpus_text(json_object_get(env, "load_cpus"), m->load_cpus, sizeof m->load_cpus);
    cpus_text(json_object_get(env, "sut_cpus"), m->sut_cpus, sizeof m->sut_cpus);
    json_t *dataset = json_object_get(doc, "dataset");
    m->users = (unsigned)json_integer_value(json_object_get(dataset, "users"));
    /* archbench run always seeds with the default, and records it */
    json_t *seed = json_object_get(dataset, "seed");
    m->seed = json_is_integer(seed) ? (unsigned long long)json_integer_value(seed) : SEED_DEFAULT;
    m->data_given = json_is_true(json_object_get(dataset, "given"));
    m->data_dir = str(dataset, "dir");
    m->equal_rate = json_number_value(json_object_get(doc, "equal_rate"));
    json_t *util = json_object_get(doc, "util_share");
    m->util_share = json_is_number(util) ? json_number_value(util) : NAN;
    machine_figures(doc, m);
    m->wall_s = json_number_value(json_object_get(doc, "wall_time_s"));
    m->complete = json_is_true(json_object_get(doc, "complete"));
    json_t *net = json_object_get(doc, "network"); /* absent before --hosts existed */
    m->hosts = json_is_string(json_object_get(net, "topology")) &&
               strcmp(json_string_value(json_object_get(net, "topology")), "hosts") == 0;
    m->rtt_ms = json_number_value(json_object_get(net, "rtt_ms"));
    json_t *archs = json_object_get(doc, "architectures");
    if (!json_is_object(archs) || json_object_size(archs) == 0) {
        snprintf(err, errlen, "run.json has no architectures");
        return false;
    }
    for (int a = 0; a < SUT_NARCH; a++) {
        struct arch_figures *am = &m->arch[a];
        am->name = sut_arch_name((enum sut_arch)a);
        json_t *arch = json_object_get(archs, am->name);
        if (arch) {
            arch_metrics(arch, sut_processes((enum sut_arch)a), am);
            steps_from_scenarios(json_object_get(arch, "scenarios"), a, &am->steps);
        }
    }
    exchange_figures(json_object_get(doc, "exchange"), &m->exchange);
    targets_from_run(doc, m);
    ratio_figures(archs, m);
    return true;
}
