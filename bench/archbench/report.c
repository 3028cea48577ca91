/* archbench report RUN_DIR: report.md (English) and report.es.md (Spanish), with
 * gnuplot charts (SVG, their .dat and .gp kept in RUN_DIR/charts), from run.json
 * alone. Every number in the text is formatted here, per language; a value the
 * run does not have is printed as "n/a" / "s. d.", never as nan or inf. */
#include "report.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "charts.h"
#include "cost.h"
#include "drift.h"
#include "figures.h"
#include "opts.h"
#include "report_text.h"
#include "sources.h"

/* ---- numbers ----------------------------------------------------------- */

/* Formatted numbers live in a ring of buffers, so one printf may take several. */
static char *ring(void)
{
    static char bufs[32][96];
    static unsigned next;
    return bufs[next++ % 32];
}

/* A number in lang's format. In a column (a table's, a chart axis's) every number
 * from 1,000 on is grouped, so a column reads alike; prose follows the language's
 * own rule (Spanish groups four-digit numbers only beside larger ones: 1580 but
 * 41 321). */
static const char *format_number(int lang, double v, int decimals, bool column)
{
    const struct lang *L = &report_langs[lang];
    if (!isfinite(v))
        return L->na;
    if (fabs(v) >= 1e15) { /* no run measures this much: keep the buffers bounded */
        char *big = ring();
        snprintf(big, 96, "%.3g", v);
        return big;
    }
    char raw[64];
    snprintf(raw, sizeof raw, "%.*f", decimals, fabs(v));
    char *dot = strchr(raw, '.');
    size_t intlen = dot ? (size_t)(dot - raw) : strlen(raw);
    char *out = ring(), *o = out;
    if (v < 0 && strspn(raw, "0.") != strlen(raw))
        *o++ = '-';
    bool group = fabs(v) >= (column ? 1000 : L->group_min);
    for (size_t i = 0; i < intlen; i++) {
        if (group && i > 0 && (intlen - i) % 3 == 0)
            o += sprintf(o, "%s", L->group);
        *o++ = raw[i];
    }
    if (dot) {
        *o++ = L->decimal;
        strcpy(o, dot + 1);
    } else {
        *o = '\0';
    }
    return out;
}

const char *report_number(int lang, double v, int decimals)
{
    return format_number(lang, v, decimals, false);
}

const char *report_cell(int lang, double v, int decimals)
{
    return format_number(lang, v, decimals, true);
}

/* Milliseconds with the precision a reader needs: 0.087, 1.24, 12.4, 124. */
static int ms_decimals(double v)
{
    return !isfinite(v) ? 0 : v < 1 ? 3 : v < 10 ? 2 : v < 100 ? 1 : 0;
}

static const char *fmt_ms(int lang, double v)
{
    return report_number(lang, v, ms_decimals(v));
}

static const char *cell_ms(int lang, double v)
{
    return report_cell(lang, v, ms_decimals(v));
}

const char *report_ms(int lang, double v) { return fmt_ms(lang, v); }

const char *report_cell_ms(int lang, double v) { return cell_ms(lang, v); }

/* Two significant digits at least: 0.073, 0.26, 3.76, 13.2. */
static int ratio_decimals(double v) { return v < 0.1 ? 3 : v < 10 ? 2 : 1; }

static const char *fmt_ratio(int lang, double v)
{
    if (!isfinite(v))
        return report_langs[lang].na;
    char *out = ring();
    snprintf(out, 96, "%s×", report_number(lang, v, ratio_decimals(v)));
    return out;
}

static const char *fmt_pct(int lang, double v)
{
    if (!isfinite(v))
        return report_langs[lang].na;
    char *out = ring();
    int d = v == 0 || v >= 10 ? 0 : v >= 1 ? 1 : 3; /* 0.039 % of errors is not 0 % */
    snprintf(out, 96, report_langs[lang].pct, report_number(lang, v, d));
    return out;
}

/* A price or published figure, as its row in sources.c says to print it. */
static const char *source_value(int lang, enum source_id id)
{
    return report_number(lang, sources[id].value, sources[id].decimals);
}

/* The concurrency of the headline figures, as the text quotes it. */
static const char *headline_conns(int lang)
{
    return report_number(lang, SCENARIO_HEADLINE_CONNS, 0);
}

static double ratio(double a, double b)
{
    return isfinite(a) && isfinite(b) && b > 0 ? a / b : NAN;
}

/* ---- markdown output ----------------------------------------------------- */

static void out(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
}

const char *report_system_title(int lang, const struct run_figures *m, int i)
{
    return i < SUT_NARCH ? report_langs[lang].h_arch[i] : m->arch[i].name;
}

/* A cell of a measure a URL target does not have: "not measured". */
static const char *local(int lang, const struct arch_figures *a, const char *value)
{
    return a->remote ? report_langs[lang].not_measured : value;
}

/* "12,346 (12,001–12,600)": a median with its range over the rounds, or the
 * median alone when there was one round; a table's cell (report_cell). */
static const char *with_range(int lang, double med, double lo, double hi, int decimals)
{
    const char *v = report_cell(lang, med, decimals);
    if (!(isfinite(lo) && isfinite(hi)) || hi <= lo)
        return v;
    char *out = ring();
    snprintf(out, 96, "%s (%s–%s)", v, report_cell(lang, lo, decimals),
             report_cell(lang, hi, decimals));
    return out;
}

/* A ratio to the monolith: the median of the rounds' ratios with their range. */
static const char *ratio_range(int lang, const struct round_ratio *r)
{
    if (r->n == 0)
        return report_langs[lang].na;
    char *out = ring();
    if (r->n < 2 || r->max <= r->min)
        snprintf(out, 96, "%s", fmt_ratio(lang, r->median));
    else
        snprintf(out, 96, "%s (%s–%s)", fmt_ratio(lang, r->median),
                 report_number(lang, r->min, ratio_decimals(r->median)),
                 report_number(lang, r->max, ratio_decimals(r->median)));
    return out;
}

/* US dollars in a table's cell: four decimals below one (a server's marginal cost
 * per million requests is a fraction of a cent), cents below 100, whole dollars
 * above. */
static const char *cell_usd(int lang, double v)
{
    if (!isfinite(v))
        return report_langs[lang].na;
    char *out = ring();
    snprintf(out, 96, report_langs[lang].usd, report_cell(lang, v, v < 1 ? 4 : v < 100 ? 2 : 0));
    return out;
}

static double cold_p50(const struct arch_figures *a)
{
    return a && a->has_cold ? a->cold_p50_ms[MODE_EXEC] : NAN;
}

/* ---- tables ---------------------------------------------------------------- */

static void summary_table(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    char col_thr[128];
    snprintf(col_thr, sizeof col_thr, L->col_thr, headline_conns(lang));
    out(f, L->summary_intro, report_number(lang, m->equal_rate, 0));
    out(f, "\n\n| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", L->col_arch, col_thr,
        L->col_floor, L->col_eq, L->col_cpu, L->col_rss, L->col_procs, L->col_start,
        L->col_cold);
    out(f, "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < SUT_MAX; i++) {
        const struct arch_figures *a = figures_arch(m, i);
        if (a == NULL)
            continue;
        unsigned k = 0;
        while (k < a->nconns && a->conns[k] != SCENARIO_HEADLINE_CONNS)
            k++;
        double lo = k < a->nconns ? a->thr_min[k] : NAN, hi = k < a->nconns ? a->thr_max[k] : NAN;
        char cold[64], cpu[96], mem[96], procs[16], start[64];
        snprintf(cold, sizeof cold, "%s ms", cell_ms(lang, cold_p50(a)));
        snprintf(cpu, sizeof cpu, "%s µs", with_range(lang, a->cpu_us, a->cpu_min, a->cpu_max, 1));
        snprintf(mem, sizeof mem, "%s MB (RSS %s)", report_cell(lang, a->peak_pss_mb, 1),
                 report_cell(lang, a->peak_rss_mb, 1));
        snprintf(procs, sizeof procs, "%u", a->processes);
        snprintf(start, sizeof start, "%s ms", cell_ms(lang, a->startup_ms));
        out(f, "| %s | %s | %s ms | %s / %s ms | %s | %s | %s | %s | %s |\n",
            report_system_title(lang, m, i), with_range(lang, figures_headline_thr(a), lo, hi, 0),
            cell_ms(lang, a->floor_p50_ms), cell_ms(lang, a->eq_p50_ms), cell_ms(lang, a->eq_p99_ms),
            local(lang, a, cpu), local(lang, a, mem), local(lang, a, procs),
            local(lang, a, start), a->has_cold ? cold : "—");
    }
    out(f, "\n");
    for (unsigned k = 0; k < m->nunmeasured; k++) {
        char failed[16], cases[16];
        snprintf(failed, sizeof failed, "%u", m->unmeasured[k].failed);
        snprintf(cases, sizeof cases, "%u", m->unmeasured[k].passed + m->unmeasured[k].failed);
        out(f, L->unmeasured_note, m->unmeasured[k].name, failed, cases);
        out(f, "\n\n");
    }
}

/* The sum of a's CPU per request over its processes (NAN without the split). */
static double process_total(const struct arch_figures *a)
{
    double total = a->nprocesses ? 0 : NAN;
    for (unsigned p = 0; p < a->nprocesses; p++)
        total += a->process_cpu_us[p];
    return total;
}

/* Where each system's CPU per request goes, process by process (runs from before
 * the split was recorded have no table; a URL target has no row: nothing of it
 * ran here). */
static void cpu_split_table(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    bool any = false, targets = false;
    for (int i = 0; i < SUT_MAX; i++) {
        bool split = figures_arch(m, i) != NULL && m->arch[i].nprocesses > 0;
        any |= split;
        targets |= split && i >= SUT_NARCH;
    }
    if (!any)
        return;
    out(f, L->cpu_split_intro, headline_conns(lang));
    if (targets)
        out(f, " %s", L->cpu_split_targets);
    out(f, "\n\n| %s | %s | %s | %s |\n|---|---|---:|---:|\n", L->col_arch, L->col_process,
        L->col_cpu, L->col_share);
    for (int i = 0; i < SUT_MAX; i++) {
        const struct arch_figures *a = figures_arch(m, i);
        if (a == NULL)
            continue;
        double total = process_total(a);
        for (unsigned p = 0; p < a->nprocesses; p++)
            out(f, "| %s | `%s` | %s µs | %s |\n", p == 0 ? report_system_title(lang, m, i) : "",
                a->process_name[p], report_cell(lang, a->process_cpu_us[p], 1),
                fmt_pct(lang, 100 * ratio(a->process_cpu_us[p], total)));
    }
    out(f, "\n");
}

/* Throughput and CPU per request over the monolith's, round by round. */
static void ratios_table(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    bool any = false;
    for (int i = 0; i < SUT_MAX; i++)
        any |= figures_arch(m, i) && m->arch[i].thr_ratio.n > 0;
    if (!any || m->rounds < 2) /* one round: the differences quote the ratio */
        return;
    char rounds[16];
    snprintf(rounds, sizeof rounds, "%u", m->rounds);
    out(f, L->ratios_intro, rounds, headline_conns(lang));
    out(f, "\n\n");
    out(f, L->ratios_header, L->col_arch);
    out(f, "|---|---:|---:|\n");
    for (int i = 0; i < SUT_MAX; i++) {
        const struct arch_figures *a = figures_arch(m, i);
        if (a && a->thr_ratio.n > 0)
            out(f, "| %s | %s | %s |\n", report_system_title(lang, m, i),
                ratio_range(lang, &a->thr_ratio), local(lang, a, ratio_range(lang, &a->cpu_ratio)));
    }
    out(f, "\n");
}

/* The drift warning: one plain sentence, then what the machine did. */
static void drift_detail(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    char n[16];
    snprintf(n, sizeof n, "%u", m->ncalib);
    out(f, L->drift_detail, n, fmt_ms(lang, m->calib_min_ms), fmt_ms(lang, m->calib_max_ms),
        fmt_pct(lang, m->speed_change * 100), fmt_pct(lang, DRIFT_SPEED_LIMIT * 100),
        fmt_pct(lang, m->steal * 100), fmt_pct(lang, DRIFT_STEAL_LIMIT * 100),
        fmt_pct(lang, m->sut_busy * 100));
}

static void drift_warning(FILE *f, int lang, const struct run_figures *m)
{
    if (!m->drift_warning)
        return;
    out(f, "> **%s** ", report_langs[lang].drift_warning);
    drift_detail(f, lang, m);
    out(f, "\n\n");
}

static void throughput_table(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    unsigned conns[FIGURES_MAX_CONNS];
    unsigned n = figures_all_conns(m, conns, FIGURES_MAX_CONNS);
    out(f, "| %s |", L->col_arch);
    for (unsigned j = 0; j < n; j++)
        out(f, " %s %s |", report_cell(lang, conns[j], 0), L->ax_conns);
    out(f, "\n|---|");
    for (unsigned j = 0; j < n; j++)
        out(f, "---:|");
    out(f, "\n");
    for (int i = 0; i < SUT_MAX; i++) {
        const struct arch_figures *a = figures_arch(m, i);
        if (!a)
            continue;
        out(f, "| %s |", report_system_title(lang, m, i));
        for (unsigned j = 0; j < n; j++)
            out(f, " %s |", report_cell(lang, figures_thr_at(a, conns[j]), 0));
        out(f, "\n");
    }
    out(f, "\n");
}

static void latency_table(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    out(f, L->latency_header, L->col_arch);
    out(f, "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < SUT_MAX; i++) {
        const struct arch_figures *a = figures_arch(m, i);
        if (!a)
            continue;
        out(f, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", report_system_title(lang, m, i),
            report_cell(lang, a->eq_rate, 0), report_cell(lang, a->eq_thr, 0),
            cell_ms(lang, a->eq_p50_ms), cell_ms(lang, a->eq_p90_ms), cell_ms(lang, a->eq_p99_ms),
            cell_ms(lang, a->eq_p999_ms), cell_ms(lang, a->eq_max_ms),
            cell_ms(lang, a->eq_p99_uncorrected_ms));
    }
    out(f, "\n");
}

/* Equal utilisation: each at the same share of its own headline throughput. */
static void util_table(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    bool any = false;
    for (int i = 0; i < SUT_MAX; i++)
        any |= figures_arch(m, i) && isfinite(m->arch[i].util_rate);
    if (!any)
        return;
    out(f, L->util_intro, fmt_pct(lang, m->util_share * 100), headline_conns(lang));
    out(f, "\n\n");
    out(f, L->util_header, L->col_arch);
    out(f, "|---|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < SUT_MAX; i++) {
        const struct arch_figures *a = figures_arch(m, i);
        if (a && isfinite(a->util_rate))
            out(f, "| %s | %s | %s | %s | %s | %s |\n", report_system_title(lang, m, i),
                report_cell(lang, a->util_rate, 0), report_cell(lang, a->util_thr, 0),
                cell_ms(lang, a->util_p50_ms), cell_ms(lang, a->util_p99_ms),
                cell_ms(lang, a->util_p999_ms));
    }
    out(f, "\n");
}

static void cold_table(FILE *f, int lang, const struct arch_figures *a)
{
    out(f, "%s|---|---:|---:|---:|---:|---:|\n", report_langs[lang].cold_header);
    for (int k = 0; k < MODE_N; k++)
        out(f, "| `--start %s` | %u | %s | %s | %s | %s |\n", scenario_start_mode(k), a->cold_n[k],
            cell_ms(lang, a->cold_p50_ms[k]), cell_ms(lang, a->cold_p90_ms[k]),
            cell_ms(lang, a->init_p50_ms[k]), cell_ms(lang, a->warm_p50_ms[k]));
    out(f, "\n");
}

static void faults_table(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    out(f, L->faults_header, L->col_arch);
    out(f, "|---|---|---:|---:|---:|---:|\n");
    for (int i = 0; i < SUT_NARCH; i++) {
        const struct arch_figures *a = figures_arch(m, i);
        if (!a || !a->has_fault)
            continue;
        out(f, "| %s | %s | %s | %s | %s | %s ms |\n", L->h_arch[i], L->fault_what[i],
            report_cell(lang, (double)a->fault_requests, 0),
            report_cell(lang, (double)a->fault_errors, 0),
            fmt_pct(lang, a->fault_error_rate * 100), cell_ms(lang, a->fault_recovery_ms));
    }
    out(f, "\n");
}

/* ---- each architecture's difference ------------------------------------------- */

static double to_monolith(const struct round_ratio *r, double x, double mono);

/* The monolith's throughput as a multiple of a's: the inverse of the ratio a's own
 * paragraph and the ratio table give (the median of the rounds' ratios), so that
 * "3.39x the microservices'" and their "0.30x the monolith's" agree; the ratio of
 * the two medians said 3.14x beside that 0.30x in one run. */
static double monolith_multiple(const struct arch_figures *a, double mono_thr)
{
    return a ? ratio(1, to_monolith(&a->thr_ratio, figures_headline_thr(a), mono_thr)) : NAN;
}

static void difference_monolith(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    const struct arch_figures *a = figures_arch(m, SUT_MONOLITH);
    const struct arch_figures *micro = figures_arch(m, SUT_MICROSERVICES);
    const struct arch_figures *sls = figures_arch(m, SUT_SERVERLESS);
    double thr = figures_headline_thr(a);
    char vs[512] = "", procs[16];
    if (micro || sls)
        snprintf(vs, sizeof vs, L->diff_mono_vs, fmt_ratio(lang, monolith_multiple(micro, thr)),
                 fmt_ratio(lang, monolith_multiple(sls, thr)));
    snprintf(procs, sizeof procs, "%u", a->processes);
    out(f, L->diff_mono, report_number(lang, thr, 0), vs, report_number(lang, a->eq_rate, 0),
        fmt_ms(lang, a->eq_p50_ms), fmt_ms(lang, a->eq_p99_ms), report_number(lang, a->cpu_us, 1),
        report_number(lang, a->peak_pss_mb, 1), procs, fmt_ms(lang, a->startup_ms),
        headline_conns(lang));
}

/* A ratio to the monolith: the median of the rounds' ratios when the run has
 * them (drift cancels in each), else the ratio of the medians. */
static double to_monolith(const struct round_ratio *r, double x, double mono)
{
    return r->n > 0 ? r->median : ratio(x, mono);
}

/* The microservices' and the serverless paragraphs say the same things of their
 * architecture, compared with the monolith, and end differently (`last`). The
 * serverless one quotes the monolith's p99 beside its own rather than a multiple
 * of it: its tail depends on the cold-start cascade, which its next sentences
 * measure (cascade_paragraph). */
static void difference_vs_monolith(FILE *f, int lang, const struct run_figures *m, int arch,
                                   const char *fmt, const char *last)
{
    const struct arch_figures *a = figures_arch(m, arch), *mono = figures_arch(m, SUT_MONOLITH);
    double thr = figures_headline_thr(a), mono_p99 = mono ? mono->eq_p99_ms : NAN;
    out(f, fmt, report_number(lang, thr, 0),
        fmt_ratio(lang, to_monolith(&a->thr_ratio, thr, figures_headline_thr(mono))),
        report_number(lang, a->eq_rate, 0), fmt_ms(lang, a->eq_p50_ms),
        fmt_ms(lang, a->eq_p99_ms),
        arch == SUT_SERVERLESS ? fmt_ms(lang, mono_p99)
                               : fmt_ratio(lang, ratio(a->eq_p99_ms, mono_p99)),
        report_number(lang, a->cpu_us, 1),
        fmt_ratio(lang, to_monolith(&a->cpu_ratio, a->cpu_us, mono ? mono->cpu_us : NAN)),
        report_number(lang, a->peak_pss_mb, 1), last, headline_conns(lang));
}

/* The serverless tail in one open-loop scenario, with and without the seconds in
 * which instances were started, and the caveat, in the same paragraph as the
 * figures it qualifies. */
static void cascade_sentences(FILE *f, int lang, const struct cascade_figures *c,
                              const char *label_fmt, double rate, double mono_p99)
{
    const struct lang *L = &report_langs[lang];
    if (!c->watched)
        return;
    char label[128], n[16], warm[16], first[16], last[16], span[96];
    snprintf(label, sizeof label, label_fmt, report_number(lang, rate, 0));
    snprintf(n, sizeof n, "%u", c->cold);
    snprintf(warm, sizeof warm, "%u", c->warmup_cold);
    snprintf(first, sizeof first, "%d", c->first + 1); /* seconds counted from 1 */
    snprintf(last, sizeof last, "%d", c->last + 1);
    if (c->first == c->last) /* "in second 5", not "in seconds 5 to 5" */
        snprintf(span, sizeof span, L->cascade_second, first);
    else
        snprintf(span, sizeof span, L->cascade_seconds, first, last);
    out(f, " ");
    if (c->cold > 0)
        out(f, L->cascade_some, label, n, warm, span, fmt_ms(lang, c->p99_ms),
            fmt_ms(lang, c->p99_outside_ms), fmt_ms(lang, mono_p99));
    else if (label_fmt == L->cascade_eq) /* its p99s end the sentence before */
        out(f, L->cascade_none_eq, label, warm);
    else
        out(f, L->cascade_none, label, warm, fmt_ms(lang, c->p99_ms), fmt_ms(lang, mono_p99));
}

static void cascade_paragraph(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    const struct arch_figures *a = figures_arch(m, SUT_SERVERLESS);
    const struct arch_figures *mono = figures_arch(m, SUT_MONOLITH);
    cascade_sentences(f, lang, &a->eq_cascade, L->cascade_eq, a->eq_rate,
                      mono ? mono->eq_p99_ms : NAN);
    cascade_sentences(f, lang, &a->util_cascade, L->cascade_util, a->util_rate,
                      mono ? mono->util_p99_ms : NAN);
}

/* Where the microservices' CPU goes: the gateway's hops against the services' own
 * work, and what the split adds up to beyond the monolith. */
static void micro_cpu_split(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    const struct arch_figures *a = figures_arch(m, SUT_MICROSERVICES);
    const struct arch_figures *mono = figures_arch(m, SUT_MONOLITH);
    if (a->nprocesses != 3)
        return;
    double total = process_total(a), gw = a->process_cpu_us[0];
    double services = a->process_cpu_us[1] + a->process_cpu_us[2];
    double mono_us = mono ? mono->cpu_us : NAN;
    out(f, "\n\n");
    out(f, L->diff_micro_cpu, report_number(lang, gw, 1), fmt_pct(lang, 100 * ratio(gw, total)),
        report_number(lang, a->process_cpu_us[1], 1), report_number(lang, a->process_cpu_us[2], 1),
        report_number(lang, services, 1), report_number(lang, mono_us, 1),
        report_number(lang, total - mono_us, 1), report_number(lang, services - mono_us, 1),
        headline_conns(lang));
}

/* Where the serverless CPU goes: the platform's share (the provider's) against the
 * function's (the customer's bill). */
static void sls_cpu_split(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    const struct arch_figures *a = figures_arch(m, SUT_SERVERLESS);
    const struct arch_figures *mono = figures_arch(m, SUT_MONOLITH);
    if (a->nprocesses != 2)
        return;
    double total = process_total(a), platform = a->process_cpu_us[0];
    double function = a->process_cpu_us[1];
    out(f, "\n\n");
    out(f, L->diff_sls_cpu, report_number(lang, platform, 1),
        fmt_pct(lang, 100 * ratio(platform, total)), report_number(lang, function, 1),
        fmt_pct(lang, 100 * ratio(function, total)),
        report_number(lang, mono ? mono->cpu_us : NAN, 1),
        fmt_ratio(lang, ratio(function, mono ? mono->cpu_us : NAN)), headline_conns(lang));
    double floor = a->process_floor_cpu_us[1], turns = ratio(function, floor);
    if (isfinite(turns))
        out(f, turns >= 1.1 ? L->diff_sls_turns : L->diff_sls_turns_flat,
            report_number(lang, floor, 1), report_number(lang, function, 1),
            headline_conns(lang), fmt_ratio(lang, turns));
}

/* GB-s per million requests and the dollar cost at the published price. */
static void serverless_cost(FILE *f, int lang, const struct arch_figures *a)
{
    const struct lang *L = &report_langs[lang];
    double gbs = a->billed_mean_ms / 1000.0 * (a->memory_mb / 1024.0) * 1e6;
    double cost = gbs * sources[SOURCE_LAMBDA_GB_SECOND].value +
                  sources[SOURCE_LAMBDA_REQUESTS].value;
    char mem[16];
    snprintf(mem, sizeof mem, "%u", a->memory_mb);
    out(f, "\n\n");
    out(f, L->diff_sls_cost, fmt_ms(lang, a->duration_p50_ms),
        report_number(lang, a->billed_mean_ms, 2), mem, report_number(lang, gbs, 0),
        report_number(lang, cost, 2), source_value(lang, SOURCE_LAMBDA_GB_SECOND),
        source_value(lang, SOURCE_LAMBDA_REQUESTS), sources[SOURCE_LAMBDA_GB_SECOND].url);
}

static void serverless_cold(FILE *f, int lang, const struct arch_figures *a)
{
    const struct lang *L = &report_langs[lang];
    char n[16];
    snprintf(n, sizeof n, "%u", a->cold_n[MODE_EXEC]);
    out(f, "\n\n");
    out(f, L->diff_sls_cold, fmt_ms(lang, a->cold_p50_ms[MODE_EXEC]), n,
        fmt_ms(lang, a->cold_p90_ms[MODE_EXEC]), fmt_ms(lang, a->warm_p50_ms[MODE_EXEC]),
        fmt_ratio(lang, ratio(a->cold_p50_ms[MODE_EXEC], a->warm_p50_ms[MODE_EXEC])),
        fmt_ms(lang, a->init_p50_ms[MODE_EXEC]), fmt_ms(lang, a->cold_p50_ms[MODE_FORK_SERVER]),
        fmt_ms(lang, a->init_p50_ms[MODE_FORK_SERVER]));
    if (isfinite(a->billed_mean_ms) && a->memory_mb > 0)
        serverless_cost(f, lang, a);
}

/* Repeats (full profile): the spread of the headline throughput. */
static void repeats_note(FILE *f, int lang, const struct arch_figures *a, int arch)
{
    const struct lang *L = &report_langs[lang];
    for (unsigned k = 0; k < a->nconns; k++)
        if (a->conns[k] == SCENARIO_HEADLINE_CONNS) {
            char n[16];
            snprintf(n, sizeof n, "%u", a->repeats);
            out(f, "\n");
            out(f, L->repeats_note, n, L->arch_name[arch], report_number(lang, a->thr[k], 0),
                report_number(lang, a->thr_min[k], 0), report_number(lang, a->thr_max[k], 0),
                report_number(lang, a->thr_ci_lo[k], 0), report_number(lang, a->thr_ci_hi[k], 0),
                headline_conns(lang));
            out(f, "\n");
        }
}

/* Dataset sizes (full profile): the headline throughput on each. */
static void scale_note(FILE *f, int lang, const struct arch_figures *a, int arch)
{
    const struct lang *L = &report_langs[lang];
    char list[512] = "";
    size_t used = 0;
    for (unsigned k = 0; k < a->nscale && used < sizeof list; k++) {
        if (k > 0)
            used += (size_t)snprintf(list + used, sizeof list - used, "; ");
        if (used < sizeof list)
            used += (size_t)snprintf(list + used, sizeof list - used, L->scale_item,
                                     report_number(lang, a->scale_users[k], 0),
                                     report_number(lang, a->scale_thr[k], 0));
    }
    out(f, "\n");
    out(f, L->scale_note, L->arch_name[arch], list, headline_conns(lang));
    out(f, "\n");
}

static void difference(FILE *f, int lang, const struct run_figures *m, int arch)
{
    const struct lang *L = &report_langs[lang];
    const struct arch_figures *a = figures_arch(m, arch);
    char last[16];
    switch (arch) {
    case SUT_MONOLITH:
        difference_monolith(f, lang, m);
        report_steps_difference(f, lang, m, arch);
        out(f, "\n\n%s", L->struct_mono);
        break;
    case SUT_MICROSERVICES:
        difference_vs_monolith(f, lang, m, arch, L->diff_micro, fmt_ms(lang, a->startup_ms));
        micro_cpu_split(f, lang, m);
        report_steps_difference(f, lang, m, arch);
        out(f, "\n\n%s", L->struct_micro);
        break;
    case SUT_SERVERLESS:
        snprintf(last, sizeof last, "%u", a->processes);
        difference_vs_monolith(f, lang, m, arch, L->diff_sls, last);
        cascade_paragraph(f, lang, m); /* continues the paragraph above */
        sls_cpu_split(f, lang, m);
        if (a->has_cold)
            serverless_cold(f, lang, a);
        report_steps_difference(f, lang, m, arch);
        out(f, "\n\n%s", L->struct_sls);
        break;
    }
    if (a->repeats >= 2)
        repeats_note(f, lang, a, arch);
    if (a->nscale > 0)
        scale_note(f, lang, a, arch);
}

/* ---- the report's sections ------------------------------------------------------ */

/* "**quick**", and in a language that translates it, "**quick** (rápido)": the
 * profile keeps the name the command line takes. */
static const char *profile_text(int lang, const char *profile)
{
    static const char *const names[] = {"smoke", "quick", "full"};
    const char *gloss = NULL;
    for (int i = 0; i < 3; i++)
        if (strcmp(profile, names[i]) == 0)
            gloss = report_langs[lang].profile_gloss[i];
    char *out = ring();
    snprintf(out, 96, gloss ? "**%s** (%s)" : "**%s**", profile, gloss);
    return out;
}

static void section_title(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    out(f, "# %s\n\n", L->title);
    out(f, L->generated, profile_text(lang, m->profile), m->date, m->commit);
    out(f, "\n\n");
    if (!m->complete)
        out(f, "%s\n\n", L->incomplete);
    out(f, "## %s\n\n", L->h_summary);
    drift_warning(f, lang, m);
    summary_table(f, lang, m);
    cpu_split_table(f, lang, m);
    ratios_table(f, lang, m);
}

static void section_environment(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    out(f, "## %s\n\n", L->h_env);
    char cores[32], users[64], mem[64], seed[32];
    snprintf(cores, sizeof cores, "%lld", m->cores);
    snprintf(seed, sizeof seed, "%llu", m->seed);
    snprintf(users, sizeof users, "%s", report_number(lang, m->users, 0));
    snprintf(mem, sizeof mem, "%s GiB", report_number(lang, atof(m->memory) / 1048576.0, 1));
    out(f, "- %s: %s\n- %s: %s\n- %s: %s\n- %s: %s\n- %s: `%s`\n- %s: %s\n", L->env_cpu,
        m->cpu_model, L->env_cores, cores, L->env_mem, mem, L->env_kernel, m->kernel,
        L->env_commit, m->commit, L->env_profile, profile_text(lang, m->profile));
    out(f, "- ");
    out(f, L->env_split, m->load_cpus, m->sut_cpus);
    out(f, "\n- ");
    if (m->data_given)
        out(f, L->env_data_given, users, m->data_dir);
    else
        out(f, L->env_data, users, seed);
    out(f, "\n- ");
    out(f, L->env_wall, report_number(lang, m->wall_s, 0));
    if (m->hosts) {
        out(f, "\n- ");
        out(f, L->env_hosts, report_number(lang, m->rtt_ms, (double)(long)m->rtt_ms == m->rtt_ms ? 0 : 1));
    }
    if (m->ncalib > 0) {
        out(f, "\n- ");
        drift_detail(f, lang, m);
    }
    out(f, "\n- %s:", L->env_libs);
    const char *k;
    json_t *v;
    bool first = true;
    json_object_foreach(m->libraries, k, v)
    {
        out(f, "%s %s %s", first ? "" : ",", k, json_string_value(v) ? json_string_value(v) : "?");
        first = false;
    }
    out(f, "\n");
    if (strcmp(m->load_cpus, m->sut_cpus) == 0)
        out(f, "\n> %s\n", L->env_shared_cpu);
}

static void section_method(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    out(f, "\n## %s\n\n", L->h_method);
    out(f, L->method_items, m->load_cpus, m->sut_cpus, report_number(lang, m->equal_rate, 0),
        headline_conns(lang), report_number(lang, SCENARIO_COLD_IDLE_TIMEOUT_MS, 0));
    if (m->rounds >= 2 || isfinite(m->util_share)) {
        char rounds[16];
        snprintf(rounds, sizeof rounds, "%u", m->rounds);
        out(f, L->method_rounds, rounds, fmt_pct(lang, m->util_share * 100),
            headline_conns(lang));
    }
    bool targets = false;
    for (int i = SUT_NARCH; i < SUT_MAX; i++)
        targets |= figures_arch(m, i) != NULL;
    if (targets || m->nunmeasured > 0)
        out(f, L->method_targets, m->sut_cpus);
    out(f, "\n**%s**\n\n", L->h_caveats);
    /* the share of a vCPU Lambda gives the platform's default memory size */
    double share = 100.0 * SCENARIO_FAAS_MEMORY_MB / sources[SOURCE_LAMBDA_VCPU_MB].value;
    out(f, L->caveats, source_value(lang, SOURCE_LAMBDA_VCPU_MB), fmt_pct(lang, share),
        sources[SOURCE_LAMBDA_VCPU_MB].url);
    out(f, "\n");
}

static void section_charts(FILE *f, int lang, const struct run_figures *m, unsigned made)
{
    const struct lang *L = &report_langs[lang];
    const char *lc = L->code;
    out(f, "## %s\n\n", L->h_charts);
    if (made & CHART_THR)
        out(f, "![%s](charts/throughput.%s.svg)\n\n", L->chart_thr, lc);
    throughput_table(f, lang, m);
    if (made & CHART_LAT)
        out(f, "![%s](charts/latency.%s.svg)\n\n", L->chart_lat, lc);
    latency_table(f, lang, m);
    util_table(f, lang, m);
    const struct arch_figures *sls = figures_arch(m, SUT_SERVERLESS);
    if (made & CHART_COLD)
        out(f, "![%s](charts/coldwarm.%s.svg)\n\n", L->chart_cold, lc);
    if (sls && sls->has_cold)
        cold_table(f, lang, sls);
    if (made & CHART_CURVE)
        out(f, "![%s](charts/curve.%s.svg)\n\n", L->chart_curve, lc);
    char scale_title[256];
    snprintf(scale_title, sizeof scale_title, L->chart_scale, headline_conns(lang));
    if (made & CHART_SCALE)
        out(f, "![%s](charts/scale.%s.svg)\n\n", scale_title, lc);
}

/* A target's Difference: its numbers, beside the monolith's when the run has it,
 * then how it was run and whether archbench check passed it. No use case: a
 * target is somebody's implementation, not a deployment to cite. */
static void difference_target(FILE *f, int lang, const struct run_figures *m,
                              const struct arch_figures *a)
{
    const struct lang *L = &report_langs[lang];
    const struct arch_figures *mono = figures_arch(m, SUT_MONOLITH);
    double thr = figures_headline_thr(a);
    char vs[256] = "", p99vs[256] = "", res[1024], checked[512], n[16], procs[16];
    if (mono) {
        snprintf(vs, sizeof vs, L->diff_target_vs,
                 fmt_ratio(lang, to_monolith(&a->thr_ratio, thr, figures_headline_thr(mono))));
        snprintf(p99vs, sizeof p99vs, L->diff_target_p99_vs,
                 fmt_ratio(lang, ratio(a->eq_p99_ms, mono->eq_p99_ms)));
    }
    snprintf(procs, sizeof procs, "%u", a->processes);
    if (a->remote)
        snprintf(res, sizeof res, L->diff_target_remote, a->spec);
    else
        snprintf(res, sizeof res, L->diff_target_res, report_number(lang, a->cpu_us, 1),
                 fmt_ratio(lang, to_monolith(&a->cpu_ratio, a->cpu_us, mono ? mono->cpu_us : NAN)),
                 report_number(lang, a->peak_pss_mb, 1), procs, fmt_ms(lang, a->startup_ms));
    snprintf(n, sizeof n, "%u", a->check_passed + a->check_failed);
    snprintf(checked, sizeof checked, a->check_skipped ? L->diff_target_unchecked
                                                       : L->diff_target_checked, n);
    out(f, L->diff_target, headline_conns(lang), report_number(lang, thr, 0), vs,
        report_number(lang, a->eq_rate, 0), fmt_ms(lang, a->eq_p50_ms),
        fmt_ms(lang, a->eq_p99_ms), p99vs, res, checked);
    out(f, "\n");
}

static void section_target(FILE *f, int lang, const struct run_figures *m, int i)
{
    const struct lang *L = &report_langs[lang];
    const struct arch_figures *a = figures_arch(m, i);
    out(f, "## %s\n\n", a->name);
    if (a->remote)
        out(f, L->target_url, a->spec);
    else
        out(f, L->target_cmd, a->spec, m->sut_cpus);
    out(f, "\n\n### %s\n\n", L->h_diff);
    difference_target(f, lang, m, a);
    out(f, "\n");
}

static void section_architectures(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    for (int i = 0; i < SUT_NARCH; i++) {
        if (!figures_arch(m, i))
            continue;
        out(f, "## %s\n\n### %s\n\n", L->h_arch[i], L->h_use);
        for (int u = 0; u < 3; u++)
            out(f, "- %s [%s](%s)\n", report_use_cases[i][u].text[lang], L->source_link,
                sources[report_use_cases[i][u].source].url);
        out(f, "\n### %s\n\n", L->h_diff);
        difference(f, lang, m, i);
        out(f, "\n");
    }
    for (int i = SUT_NARCH; i < SUT_MAX; i++)
        if (figures_arch(m, i))
            section_target(f, lang, m, i);
}

static void section_faults(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    bool faults = false;
    for (int i = 0; i < SUT_NARCH; i++)
        faults |= figures_arch(m, i) && m->arch[i].has_fault;
    if (!faults)
        return;
    out(f, "## %s\n\n", L->h_faults);
    out(f, L->faults_intro, headline_conns(lang),
        report_number(lang, SCENARIO_FAULT_DURATION_S, 0),
        report_number(lang, SCENARIO_FAULT_AT_S, 0),
        report_number(lang, SCENARIO_FAULT_PROBE_MS, 0));
    out(f, "\n\n");
    faults_table(f, lang, m);
}

/* ---- cost ---------------------------------------------------------------------- */

static void cost_table(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    out(f, L->cost_header, L->col_arch);
    out(f, "|---|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < SUT_MAX; i++) {
        struct cost_arch c;
        cost_of(m, i, &c);
        if (!c.present)
            continue;
        out(f, "| %s | %s MB | %s |", report_system_title(lang, m, i),
            report_cell(lang, c.memory_mb, 1), cell_usd(lang, c.per_million));
        for (int k = 0; k < COST_NRATES; k++) {
            char n[32] = "";
            if (isfinite(c.instances[k]))
                snprintf(n, sizeof n, " (%s × %s)", report_cell(lang, c.instances[k], 0),
                         SOURCE_EC2_INSTANCE);
            out(f, " %s%s |", cell_usd(lang, c.month[k]), n);
        }
        out(f, "\n");
    }
    out(f, "\n");
}

/* What the serverless cold starts add now that AWS bills INIT. */
static void cost_init_note(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    struct cost_arch c;
    cost_of(m, SUT_SERVERLESS, &c);
    if (!c.present)
        return;
    if (!isfinite(c.cold_per_million)) { /* runs that did not count them */
        out(f, L->cost_init_none, sources[SOURCE_LAMBDA_INIT_BILLING].url);
        out(f, "\n\n");
        return;
    }
    /* Two significant digits at least: four decimals printed "$0.0000" for the
     * $0.00001 of a quick run, which reads as nothing at all. */
    double usd = c.init_per_million;
    int decimals = usd > 0 && usd < 0.001 ? 1 - (int)floor(log10(usd)) : 4;
    out(f, L->cost_init, report_number(lang, c.cold_per_million, 0),
        fmt_ms(lang, m->arch[SUT_SERVERLESS].init_p50_ms[MODE_EXEC]),
        report_number(lang, usd, decimals), sources[SOURCE_LAMBDA_INIT_BILLING].url);
    out(f, "\n\n");
}

/* Targets: one started here is priced as a server; a URL target has no row, and
 * the report says why. */
static void cost_targets_note(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    bool started = false;
    for (int i = SUT_NARCH; i < SUT_MAX; i++) {
        const struct arch_figures *a = figures_arch(m, i);
        started |= a && !a->remote;
        if (a && a->remote) {
            out(f, L->cost_no_url, a->name);
            out(f, "\n\n");
        }
    }
    if (started) {
        out(f, "%s", L->cost_targets);
        out(f, "\n\n");
    }
}

static void section_cost(FILE *f, int lang, const struct run_figures *m, unsigned made)
{
    const struct lang *L = &report_langs[lang];
    bool any = false;
    for (int i = 0; i < SUT_MAX; i++) {
        struct cost_arch c;
        cost_of(m, i, &c);
        any |= c.present;
    }
    if (!any)
        return;
    out(f, "## %s\n\n", L->h_cost);
    char minimum[16];
    snprintf(minimum, sizeof minimum, "%d", COST_MIN_INSTANCES);
    char instance[256];
    snprintf(instance, sizeof instance, "[`%s`](%s)", SOURCE_EC2_INSTANCE,
             sources[SOURCE_EC2_VCPUS].url);
    out(f, L->cost_intro, instance, source_value(lang, SOURCE_EC2_VCPUS),
        source_value(lang, SOURCE_EC2_MEMORY_GIB), source_value(lang, SOURCE_EC2_HOURLY),
        sources[SOURCE_EC2_HOURLY].url, fmt_pct(lang, COST_TARGET_UTIL * 100), minimum,
        source_value(lang, SOURCE_LAMBDA_GB_SECOND), source_value(lang, SOURCE_LAMBDA_REQUESTS),
        source_value(lang, SOURCE_APIGW_HTTP_REQUESTS), sources[SOURCE_LAMBDA_GB_SECOND].url,
        sources[SOURCE_APIGW_HTTP_REQUESTS].url);
    out(f, "\n\n");
    cost_targets_note(f, lang, m);
    cost_table(f, lang, m);
    cost_init_note(f, lang, m);
    for (int i = 0; i < SUT_MAX; i++) {
        struct cost_arch c;
        cost_of(m, i, &c);
        if (c.present && !c.fits) {
            out(f, L->cost_no_fit, report_system_title(lang, m, i),
                report_number(lang, c.memory_mb, 1),
                source_value(lang, SOURCE_EC2_MEMORY_GIB), SOURCE_EC2_INSTANCE);
            out(f, "\n\n");
        }
    }
    if (made & CHART_COST)
        out(f, "![%s](charts/cost.%s.svg)\n\n", L->chart_cost, L->code);
}

static void section_published(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    out(f, "## %s\n\n", L->h_published);
    const struct arch_figures *micro = figures_arch(m, SUT_MICROSERVICES);
    double r = micro ? to_monolith(&micro->thr_ratio, figures_headline_thr(micro),
                                   figures_headline_thr(figures_arch(m, SUT_MONOLITH)))
                     : NAN;
    const char *ueda = sources[SOURCE_UEDA_THROUGHPUT_LOSS].url;
    const char *ueda_loss = source_value(lang, SOURCE_UEDA_THROUGHPUT_LOSS);
    if (isfinite(r))
        out(f, L->published_ueda, ueda, ueda_loss, fmt_ratio(lang, r), fmt_pct(lang, (1 - r) * 100),
            headline_conns(lang));
    else
        out(f, L->published_ueda_none, ueda, ueda_loss);
    out(f, "\n\n");
    const struct arch_figures *sls = figures_arch(m, SUT_SERVERLESS);
    if (sls && sls->has_cold) {
        out(f, L->published_cold, source_value(lang, SOURCE_RUST_INIT_LOW),
            source_value(lang, SOURCE_RUST_INIT_HIGH), source_value(lang, SOURCE_CPP_INIT_LOW),
            source_value(lang, SOURCE_CPP_INIT_HIGH), sources[SOURCE_RUST_INIT_LOW].url,
            sources[SOURCE_LAMBDA_INIT_PHASE].url, source_value(lang, SOURCE_FIRECRACKER_BOOT),
            sources[SOURCE_FIRECRACKER_BOOT].url, fmt_ms(lang, sls->cold_p50_ms[MODE_EXEC]));
        out(f, "\n\n");
    }
}

static void section_reading(FILE *f, int lang)
{
    const struct lang *L = &report_langs[lang];
    out(f, "## %s\n\n%s\n\n", L->h_reading, L->reading);
    out(f, "## %s\n\n%s\n", L->h_glossary, L->glossary);
}

static void section_errors(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    out(f, "## %s\n\n", L->h_errors);
    bool any = false;
    for (int i = 0; i < SUT_MAX; i++) {
        const struct arch_figures *a = figures_arch(m, i);
        if (!a)
            continue;
        if (a->verify_errors > 0) {
            char n[32];
            snprintf(n, sizeof n, "%llu", a->verify_errors);
            out(f, "- ");
            out(f, L->verify_fail, report_system_title(lang, m, i), n);
            out(f, "\n");
            any = true;
        }
        if (a->errors > 0) {
            out(f, "- ");
            out(f, L->errors_some, report_system_title(lang, m, i), report_number(lang, (double)a->errors, 0),
                report_number(lang, (double)(a->requests), 0));
            out(f, "\n");
            any = true;
        }
    }
    if (!any)
        out(f, "%s\n", L->errors_none);
}

static void write_report(FILE *f, int lang, const struct run_figures *m, unsigned made)
{
    section_title(f, lang, m);
    section_environment(f, lang, m);
    section_method(f, lang, m);
    section_charts(f, lang, m, made);
    report_steps_section(f, lang, m, made & CHART_STEPS);
    section_architectures(f, lang, m);
    section_cost(f, lang, m, made);
    section_faults(f, lang, m);
    section_published(f, lang, m);
    section_reading(f, lang);
    section_errors(f, lang, m);
}

int report_render(const char *run_dir, char *err, size_t errlen)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/run.json", run_dir);
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    if (doc == NULL) {
        snprintf(err, errlen, "%s: %s", path, je.text);
        return -1;
    }
    struct run_figures m;
    if (!figures_from_run(doc, &m, err, errlen)) {
        json_decref(doc);
        return -1;
    }
    char charts_dir[4200];
    snprintf(charts_dir, sizeof charts_dir, "%s/charts", run_dir);
    mkdir(charts_dir, 0755);
    unsigned made = charts_write(charts_dir, &m);
    int rc = 0;
    for (int lang = 0; lang < LANG_N && rc == 0; lang++) {
        snprintf(path, sizeof path, "%s/%s", run_dir, report_langs[lang].file);
        FILE *f = fopen(path, "w");
        if (f == NULL) {
            snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
            rc = -1;
            break;
        }
        write_report(f, lang, &m, made);
        if (fclose(f) != 0) {
            snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
            rc = -1;
        }
    }
    if (rc == 0 && made == 0)
        log_warn("no chart was drawn (is gnuplot installed?)");
    json_decref(doc);
    return rc;
}

int report_main(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        printf("Usage: archbench report RUN_DIR\n"
               "Writes RUN_DIR/report.md (English), RUN_DIR/report.es.md (Spanish) and the\n"
               "charts in RUN_DIR/charts (SVG, with their .dat and .gp files) from\n"
               "RUN_DIR/run.json alone.\n");
        return 0;
    }
    if (argc != 2)
        opts_usage_error("archbench report", "expected one argument: the run directory");
    char path[4096];
    snprintf(path, sizeof path, "%s/run.json", argv[1]);
    if (access(path, R_OK) != 0) /* no run there: bad usage, as for the other commands */
        opts_usage_error("archbench report", "cannot read '%s': %s", path, strerror(errno));
    char err[4400];
    if (report_render(argv[1], err, sizeof err) != 0) {
        log_error("report: %s", err);
        return 1;
    }
    printf("%s/report.md\n%s/report.es.md\n", argv[1], argv[1]);
    return 0;
}
