/* The report's charts (see charts.h): one data writer and one script writer per
 * chart, listed in `charts`; charts_write runs them and gnuplot. */
#include "charts.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cost.h"
#include "log.h"
#include "report.h"
#include "report_text.h"

/* The part of a "plot" clause after the file name, for system arch (an
 * architecture, or a target from SUT_NARCH on) called title. */
typedef void (*clause_fn)(char *out, size_t len, int arch, const char *title, bool first,
                          int lang);

struct chart {
    unsigned bit;     /* CHART_* */
    const char *name; /* NAME.dat, NAME.LANG.gp, NAME.LANG.svg */
    /* Whether m has the data at all (NULL: always); without it no file is written. */
    bool (*wanted)(const struct run_figures *m);
    /* Writes NAME.dat; false when it holds nothing to draw. */
    bool (*data)(FILE *f, const struct run_figures *m);
    /* One plot clause per system present (NULL: the script plots alone)... */
    clause_fn clause;
    /* ... that has data in this chart (NULL: every one present). */
    bool (*has)(const struct run_figures *m, int i);
    /* Writes NAME.LANG.gp (starting with gp_begin); plot is "plot 'NAME.dat' ..." */
    void (*script)(FILE *f, const struct chart *c, const struct run_figures *m, int lang,
                   const char *plot);
};

/* ---- files and gnuplot ------------------------------------------------------ */

static int run_gnuplot(const char *dir, const char *script)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(127);
        /* gnuplot's warnings go to charts/gnuplot.log, not into archbench's output */
        int fd = open("gnuplot.log", O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0)
            dup2(fd, STDERR_FILENO);
        execlp("gnuplot", "gnuplot", script, (char *)NULL);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return -1;
    return 0;
}

static FILE *open_in(const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        log_error("cannot write %s: %s", path, strerror(errno));
    return f;
}

static void gp_value(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, " %.6g", v);
    else
        fprintf(f, " ?");
}

static const char *gp_head =
    "set terminal svg size 760,420 dynamic enhanced font 'sans,12' background '#ffffff'\n"
    "set datafile missing '?'\nset grid\nset key top right\n"
    "set style line 1 lc rgb '#1f77b4' lw 2 pt 7\nset style line 2 lc rgb '#d62728' lw 2 pt 5\n"
    "set style line 3 lc rgb '#2ca02c' lw 2 pt 9\n";

/* One colour per system: the architectures', then the targets'. */
static const char *const colors[SUT_MAX] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                            "#ff7f0e", "#8c564b", "#e377c2"};

/* The highest index of a system m has, so data files have a column up to it (and
 * a run without targets keeps the three columns it always had). */
static int last_system(const struct run_figures *m)
{
    int last = SUT_NARCH - 1;
    for (int i = SUT_NARCH; i < SUT_MAX; i++)
        if (m->arch[i].present)
            last = i;
    return last;
}

/* A data file's first line: the first column, one column per system, the unit. */
static void dat_header(FILE *f, const struct run_figures *m, const char *first,
                       const char *unit)
{
    fprintf(f, "# %s", first);
    for (int i = 0; i <= last_system(m); i++)
        fprintf(f, " %s", i < SUT_NARCH ? sut_arch_name((enum sut_arch)i) : m->arch[i].name);
    fprintf(f, " (%s)\n", unit);
}

/* What every script starts with: the style (a line style per target too), the
 * language's decimal sign, the output file and the title. */
static void gp_begin(FILE *f, const struct chart *c, const struct run_figures *m, int lang,
                     const char *title)
{
    const struct lang *L = &report_langs[lang];
    char decimal[32] = "";
    if (L->decimal != '.')
        snprintf(decimal, sizeof decimal, "set decimalsign '%c'\n", L->decimal);
    fprintf(f, "%s", gp_head);
    for (int i = SUT_NARCH; i <= last_system(m); i++)
        fprintf(f, "set style line %d lc rgb '%s' lw 2 pt %d\n", i + 1, colors[i], 2 * i + 1);
    fprintf(f, "%sset output '%s.%s.svg'\nset title '%s'\n", decimal, c->name, L->code, title);
}

/* ---- axes: tics labelled as the report's tables write numbers ---------------- */

#define MAX_TICS 16

/* "set xtics (...)": a tic at each value, labelled in lang's column format (grouped
 * thousands, the language's decimal sign), so the charts read like the tables
 * beside them; gnuplot's own labels have no thousands separator. */
static void gp_tics(FILE *f, char axis, int lang, const double *v, unsigned n)
{
    if (n == 0)
        return;
    fprintf(f, "set %ctics (", axis);
    for (unsigned i = 0; i < n; i++) {
        int decimals = v[i] >= 1 || v[i] <= 0 ? 0 : (int)ceil(-log10(v[i]) - 1e-9);
        fprintf(f, "%s\"%s\" %.6g", i ? ", " : "", report_cell(lang, v[i], decimals), v[i]);
    }
    fprintf(f, ")\n");
}

/* "set yrange [0:TOP]": the top a little above max, so the highest point and the
 * key stay clear of the border. */
static void gp_yrange_from_zero(FILE *f, double max)
{
    if (max > 0 && isfinite(max))
        fprintf(f, "set yrange [0:%.6g]\n", max * 1.15);
    else
        fprintf(f, "set yrange [0:*]\n");
}

/* Round steps (1, 2 or 5 times a power of ten) from 0 past max: at most 8. */
static unsigned linear_tics(double max, double *v)
{
    if (!(max > 0 && isfinite(max)))
        return 0;
    double unit = pow(10, floor(log10(max / 8))), step = unit;
    static const double mult[] = {1, 2, 5, 10};
    for (int i = 0; i < 4 && max / step > 8; i++)
        step = unit * mult[i];
    unsigned n = 0;
    for (double t = 0; t <= max + step && n < MAX_TICS; t += step)
        v[n++] = t;
    return n;
}

/* The powers of ten from below lo to above hi, for a log axis. */
static unsigned decade_tics(double lo, double hi, double *v)
{
    if (!(lo > 0 && hi >= lo && isfinite(hi)))
        return 0;
    unsigned n = 0;
    for (double t = pow(10, floor(log10(lo))); t < hi * 10 && n < MAX_TICS; t *= 10)
        v[n++] = t;
    return n;
}

/* The range of the finite, positive values of a chart. */
struct extent {
    double lo, hi;
};

static void extend(struct extent *e, double v)
{
    if (isfinite(v) && v > 0) {
        e->lo = e->lo > 0 && e->lo < v ? e->lo : v;
        e->hi = e->hi > v ? e->hi : v;
    }
}

/* "plot FILE CLAUSE, '' CLAUSE ..." over the systems present that c has data of. */
static void plot_clauses(char *out, size_t len, const struct run_figures *m, const char *file,
                         const struct chart *c, int lang)
{
    size_t n = 0;
    bool any = false;
    out[0] = '\0';
    for (int i = 0; i < SUT_MAX && n < len; i++) {
        if (!m->arch[i].present || (c->has && !c->has(m, i)))
            continue;
        char text[256];
        c->clause(text, sizeof text, i, report_system_title(lang, m, i), !any, lang);
        n += (size_t)snprintf(out + n, len - n, "%s%s%s", any ? ", " : "plot ",
                              any ? "''" : file, text);
        any = true;
    }
}

/* Column arch + 2 of the file, drawn in the architecture's line style. */
static void line_clause(char *out, size_t len, int arch, const char *title, bool first,
                        int lang)
{
    (void)first;
    (void)lang;
    snprintf(out, len, " using 1:%d with linespoints ls %d title '%s'", arch + 2, arch + 1,
             title);
}

/* ---- throughput by connections ---------------------------------------------- */

static bool throughput_data(FILE *f, const struct run_figures *m)
{
    dat_header(f, m, "connections", "verified req/s");
    unsigned all[FIGURES_MAX_CONNS * SUT_MAX];
    unsigned n = figures_all_conns(m, all, FIGURES_MAX_CONNS * SUT_MAX);
    for (unsigned j = 0; j < n; j++) {
        fprintf(f, "%u", all[j]);
        for (int i = 0; i <= last_system(m); i++)
            gp_value(f, figures_thr_at(figures_arch(m, i), all[j]));
        fprintf(f, "\n");
    }
    return n > 0;
}

static void throughput_script(FILE *f, const struct chart *c, const struct run_figures *m,
                              int lang, const char *plot)
{
    const struct lang *L = &report_langs[lang];
    unsigned all[FIGURES_MAX_CONNS * SUT_MAX];
    unsigned n = figures_all_conns(m, all, FIGURES_MAX_CONNS * SUT_MAX), lo = all[0],
             hi = all[0];
    for (unsigned j = 1; j < n; j++) {
        lo = all[j] < lo ? all[j] : lo;
        hi = all[j] > hi ? all[j] : hi;
    }
    /* room around the points, so the first and last tics are inside the range (and
     * a single concurrency is not a point on the border) */
    char xrange[96];
    snprintf(xrange, sizeof xrange, "set xrange [%g:%g]\n", lo / 1.5, hi * 1.5);
    double x[MAX_TICS], y[MAX_TICS];
    struct extent thr = {0, 0};
    for (unsigned j = 0; j < n && j < MAX_TICS; j++) {
        x[j] = all[j];
        for (int i = 0; i < SUT_MAX; i++)
            extend(&thr, figures_thr_at(figures_arch(m, i), all[j]));
    }
    gp_begin(f, c, m, lang, L->chart_thr);
    gp_tics(f, 'x', lang, x, n < MAX_TICS ? n : MAX_TICS);
    gp_tics(f, 'y', lang, y, linear_tics(thr.hi, y));
    gp_yrange_from_zero(f, thr.hi);
    fprintf(f, "set xlabel '%s'\nset ylabel '%s'\nset logscale x 2\n%s%s\n", L->ax_conns,
            L->ax_thr, xrange, plot);
}

/* ---- latency percentiles at equal load --------------------------------------- */

static bool latency_data(FILE *f, const struct run_figures *m)
{
    dat_header(f, m, "percentile", "ms, equal load");
    static const char *names[] = {"p50", "p90", "p99", "p99.9"};
    for (int p = 0; p < 4; p++) {
        fprintf(f, "%s", names[p]);
        for (int i = 0; i <= last_system(m); i++) {
            const struct arch_figures *a = figures_arch(m, i);
            double v = !a ? NAN
                       : p == 0 ? a->eq_p50_ms
                       : p == 1 ? a->eq_p90_ms
                       : p == 2 ? a->eq_p99_ms
                                : a->eq_p999_ms;
            gp_value(f, v);
        }
        fprintf(f, "\n");
    }
    return true;
}

/* Bars of column arch + 2 in the architecture's colour; the first clause labels
 * the x axis with the percentile names. */
static void bar_clause(char *out, size_t len, int arch, const char *title, bool first,
                       int lang)
{
    const char *xtic = first ? report_langs[lang].gp_pct_xtic : "";
    snprintf(out, len, " using %d%s lc rgb '%s' title '%s'", arch + 2, xtic, colors[arch], title);
}

static void latency_script(FILE *f, const struct chart *c, const struct run_figures *m, int lang,
                          const char *plot)
{
    const struct lang *L = &report_langs[lang];
    struct extent ms = {0, 0};
    for (int i = 0; i < SUT_MAX; i++) {
        const struct arch_figures *a = figures_arch(m, i);
        if (a) {
            extend(&ms, a->eq_p50_ms);
            extend(&ms, a->eq_p999_ms);
        }
    }
    double y[MAX_TICS];
    gp_begin(f, c, m, lang, L->chart_lat);
    gp_tics(f, 'y', lang, y, decade_tics(ms.lo, ms.hi, y));
    fprintf(f, "set xlabel '%s'\nset ylabel '%s'\nset logscale y\n"
               "set style data histograms\nset style histogram clustered gap 1\n"
               "set style fill solid 0.85 border -1\nset key top left\n%s\n",
            L->ax_pct, L->ax_lat, plot);
}

/* ---- serverless cold and warm requests --------------------------------------- */

static bool coldwarm_wanted(const struct run_figures *m)
{
    const struct arch_figures *sls = figures_arch(m, SUT_SERVERLESS);
    return sls && sls->has_cold;
}

static bool coldwarm_data(FILE *f, const struct run_figures *m)
{
    const struct arch_figures *sls = &m->arch[SUT_SERVERLESS];
    fprintf(f, "# case ms: cold exec, cold fork-server, warm (client, p50)\n");
    fprintf(f, "0");
    gp_value(f, sls->cold_p50_ms[MODE_EXEC]);
    fprintf(f, "\n1");
    gp_value(f, sls->cold_p50_ms[MODE_FORK_SERVER]);
    fprintf(f, "\n2");
    gp_value(f, sls->warm_p50_ms[MODE_EXEC]);
    fprintf(f, "\n");
    return true;
}

static void coldwarm_script(FILE *f, const struct chart *c, const struct run_figures *m,
                            int lang, const char *plot)
{
    (void)plot;
    const struct lang *L = &report_langs[lang];
    const struct arch_figures *sls = &m->arch[SUT_SERVERLESS];
    struct extent ms = {0, 0};
    extend(&ms, sls->cold_p50_ms[MODE_EXEC]);
    extend(&ms, sls->cold_p50_ms[MODE_FORK_SERVER]);
    extend(&ms, sls->warm_p50_ms[MODE_EXEC]);
    double y[MAX_TICS];
    gp_begin(f, c, m, lang, L->chart_cold);
    gp_tics(f, 'y', lang, y, decade_tics(ms.lo, ms.hi, y));
    fprintf(f, "set ylabel '%s'\nset logscale y\nset style fill solid 0.85 border -1\n"
               "set boxwidth 0.6\nset xrange [-0.6:2.6]\nunset key\n"
               "set xtics ('%s' 0, '%s' 1, '%s' 2)\n"
               "plot 'coldwarm.dat' using 1:2 with boxes lc rgb '#2ca02c'\n",
            L->ax_ms, L->lbl_cold_exec, L->lbl_cold_fork, L->lbl_warm);
}

/* ---- latency against throughput (open loop) ---------------------------------- */

static bool curve_wanted(const struct run_figures *m)
{
    bool curve = false;
    for (int i = 0; i < SUT_MAX; i++)
        curve |= m->arch[i].ncurve > 1;
    return curve;
}

static bool curve_data(FILE *f, const struct run_figures *m)
{
    for (int i = 0; i <= last_system(m); i++) {
        fprintf(f, "# %s: offered achieved p99_ms\n", m->arch[i].name);
        for (unsigned k = 0; k < m->arch[i].ncurve; k++) {
            fprintf(f, "%.0f", m->arch[i].curve_offered[k]);
            gp_value(f, m->arch[i].curve_thr[k]);
            gp_value(f, m->arch[i].curve_p99_ms[k]);
            fprintf(f, "\n");
        }
        fprintf(f, "\n\n"); /* gnuplot index separator */
    }
    return true;
}

/* curve.dat has one block per architecture, present or not: index = arch. */
static void curve_clause(char *out, size_t len, int arch, const char *title, bool first,
                         int lang)
{
    (void)first;
    (void)lang;
    snprintf(out, len, " index %d using 2:3 with linespoints ls %d title '%s'", arch, arch + 1,
             title);
}

static void curve_script(FILE *f, const struct chart *c, const struct run_figures *m, int lang,
                          const char *plot)
{
    const struct lang *L = &report_langs[lang];
    struct extent thr = {0, 0}, p99 = {0, 0};
    for (int i = 0; i < SUT_MAX; i++)
        for (unsigned k = 0; k < m->arch[i].ncurve; k++) {
            extend(&thr, m->arch[i].curve_thr[k]);
            extend(&p99, m->arch[i].curve_p99_ms[k]);
        }
    double x[MAX_TICS], y[MAX_TICS];
    gp_begin(f, c, m, lang, L->chart_curve);
    gp_tics(f, 'x', lang, x, linear_tics(thr.hi, x));
    gp_tics(f, 'y', lang, y, decade_tics(p99.lo, p99.hi, y));
    fprintf(f, "set xlabel '%s'\nset ylabel '%s'\nset logscale y\nset key top left\n%s\n",
            L->ax_thr, L->ax_p99, plot);
}

/* ---- throughput by dataset size ---------------------------------------------- */

static bool scale_wanted(const struct run_figures *m)
{
    bool scale = false;
    for (int i = 0; i < SUT_MAX; i++)
        scale |= m->arch[i].nscale > 0;
    return scale;
}

/* The dataset sizes, ascending: the other datasets and the main one. */
static unsigned scale_users(const struct run_figures *m, unsigned users[FIGURES_MAX_SCALE + 1])
{
    unsigned n = 0;
    for (int i = 0; i < SUT_MAX && n == 0; i++)
        for (unsigned k = 0; k < m->arch[i].nscale; k++)
            users[n++] = m->arch[i].scale_users[k];
    users[n++] = m->users;
    for (unsigned j = 1; j < n; j++) /* sort */
        for (unsigned k = j; k > 0 && users[k - 1] > users[k]; k--) {
            unsigned t = users[k];
            users[k] = users[k - 1];
            users[k - 1] = t;
        }
    return n;
}

static bool scale_data(FILE *f, const struct run_figures *m)
{
    char unit[64];
    snprintf(unit, sizeof unit, "req/s at %d connections", SCENARIO_HEADLINE_CONNS);
    dat_header(f, m, "users", unit);
    /* the main dataset's headline figure is the middle point */
    unsigned users[FIGURES_MAX_SCALE + 1];
    unsigned n = scale_users(m, users);
    for (unsigned j = 0; j < n; j++) {
        fprintf(f, "%u", users[j]);
        for (int i = 0; i <= last_system(m); i++) {
            double v = NAN;
            if (users[j] == m->users)
                v = figures_headline_thr(figures_arch(m, i));
            for (unsigned k = 0; k < m->arch[i].nscale; k++)
                if (m->arch[i].scale_users[k] == users[j])
                    v = m->arch[i].scale_thr[k];
            gp_value(f, v);
        }
        fprintf(f, "\n");
    }
    return true;
}

static void scale_script(FILE *f, const struct chart *c, const struct run_figures *m, int lang,
                          const char *plot)
{
    const struct lang *L = &report_langs[lang];
    char title[256];
    snprintf(title, sizeof title, L->chart_scale,
             report_number(lang, SCENARIO_HEADLINE_CONNS, 0));
    unsigned users[FIGURES_MAX_SCALE + 1];
    unsigned n = scale_users(m, users);
    double x[FIGURES_MAX_SCALE + 1], y[MAX_TICS];
    struct extent thr = {0, 0};
    for (unsigned j = 0; j < n; j++)
        x[j] = users[j];
    for (int i = 0; i < SUT_MAX; i++) {
        extend(&thr, figures_headline_thr(figures_arch(m, i)));
        for (unsigned k = 0; k < m->arch[i].nscale; k++)
            extend(&thr, m->arch[i].scale_thr[k]);
    }
    gp_begin(f, c, m, lang, title);
    gp_tics(f, 'x', lang, x, n);
    gp_tics(f, 'y', lang, y, linear_tics(thr.hi, y));
    gp_yrange_from_zero(f, thr.hi);
    fprintf(f, "set xlabel '%s'\nset ylabel '%s'\nset logscale x 10\n%s\n", L->ax_users,
            L->ax_thr, plot);
}

/* ---- monthly cost against request rate (break-even) ------------------------------ */

/* Whether system i can be priced (a URL target cannot: no CPU measured). */
static bool cost_has(const struct run_figures *m, int i)
{
    return isfinite(cost_month_at(m, i, 1));
}

static bool cost_wanted(const struct run_figures *m)
{
    for (int i = 0; i < SUT_MAX; i++)
        if (cost_has(m, i))
            return true;
    return false;
}

/* The break-even chart's request rates: 1 to 10,000 req/s, 20 points a decade, so
 * the servers' steps (one more instance) and the serverless line's slope both show. */
#define COST_CHART_DECADES 4
#define COST_CHART_POINTS (20 * COST_CHART_DECADES)

static double cost_chart_rps(int k) { return pow(10, k / 20.0); }

static bool cost_data(FILE *f, const struct run_figures *m)
{
    dat_header(f, m, "req/s", "USD per month");
    for (int k = 0; k <= COST_CHART_POINTS; k++) {
        fprintf(f, "%.6g", cost_chart_rps(k));
        for (int i = 0; i <= last_system(m); i++)
            gp_value(f, cost_month_at(m, i, cost_chart_rps(k)));
        fprintf(f, "\n");
    }
    return true;
}

static void cost_script(FILE *f, const struct chart *c, const struct run_figures *m, int lang,
                        const char *plot)
{
    const struct lang *L = &report_langs[lang];
    struct extent usd = {0, 0};
    for (int i = 0; i < SUT_MAX; i++)
        for (int k = 0; k <= COST_CHART_POINTS; k += COST_CHART_POINTS)
            extend(&usd, cost_month_at(m, i, cost_chart_rps(k)));
    double x[MAX_TICS], y[MAX_TICS];
    gp_begin(f, c, m, lang, L->chart_cost);
    gp_tics(f, 'x', lang, x, decade_tics(1, cost_chart_rps(COST_CHART_POINTS), x));
    gp_tics(f, 'y', lang, y, decade_tics(usd.lo, usd.hi, y));
    fprintf(f, "set xlabel '%s'\nset ylabel '%s'\nset logscale x 10\nset logscale y 10\n"
               "set key top left\n%s\n",
            L->ax_rps, L->ax_usd, plot);
}

/* Column arch + 2 as a line: the break-even chart has no points to mark. */
static void cost_clause(char *out, size_t len, int arch, const char *title, bool first,
                        int lang)
{
    (void)first;
    (void)lang;
    snprintf(out, len, " using 1:%d with lines ls %d title '%s'", arch + 2, arch + 1, title);
}

/* ---- the request step by step ---------------------------------------------- */

/* Whether any architecture's answers carried Server-Timing at the floor. */
static bool steps_wanted(const struct run_figures *m)
{
    for (int i = 0; i < SUT_NARCH; i++)
        if (m->arch[i].present && m->arch[i].steps.present)
            return true;
    return false;
}

/* Whether row r is a step of any architecture drawn (a column worth a key). */
static bool steps_row_used(const struct run_figures *m, int r)
{
    for (int i = 0; i < SUT_NARCH; i++)
        if (m->arch[i].present && m->arch[i].steps.present && isfinite(m->arch[i].steps.ms[r]))
            return true;
    return false;
}

/* One line per architecture with steps: its index, then every row in ms (a step
 * it does not have, or a remainder below zero by rounding, is 0: no bar). */
static bool steps_data(FILE *f, const struct run_figures *m)
{
    static const char *const column[STEP_NROWS] = {
        "auth", "db", "render", "hop_auth", "hop_profile", "queue", "handover", "init",
        "other", "rest"};
    fprintf(f, "# architecture");
    for (int r = 0; r < STEP_NROWS; r++)
        fprintf(f, " %s", column[r]);
    fprintf(f, " (ms, medians at 1 connection)\n");
    for (int i = 0; i < SUT_NARCH; i++) {
        const struct steps_figures *s = &m->arch[i].steps;
        if (!m->arch[i].present || !s->present)
            continue;
        fprintf(f, "%s", sut_arch_name((enum sut_arch)i));
        for (int r = 0; r < STEP_NROWS; r++)
            gp_value(f, isfinite(s->ms[r]) && s->ms[r] > 0 ? s->ms[r] : 0);
        fprintf(f, "\n");
    }
    return true;
}

static const char *const step_colors[STEP_NROWS] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#bcbd22", "#7f7f7f", "#17becf"};

static void steps_script(FILE *f, const struct chart *c, const struct run_figures *m, int lang,
                         const char *plot)
{
    (void)plot;
    const struct lang *L = &report_langs[lang];
    gp_begin(f, c, m, lang, L->chart_steps);
    fprintf(f, "set ylabel '%s'\nset yrange [0:*]\nset style data histograms\n"
               "set style histogram rowstacked\nset style fill solid 0.85 border -1\n"
               "set boxwidth 0.6\nset key outside right top\nset xtics (",
            L->ax_ms);
    int n = 0;
    for (int i = 0; i < SUT_NARCH; i++) {
        if (m->arch[i].present && m->arch[i].steps.present) {
            fprintf(f, "%s'%s' %d", n ? ", " : "", L->h_arch[i], n);
            n++;
        }
    }
    fprintf(f, ")\nplot ");
    bool first = true;
    for (int r = 0; r < STEP_NROWS; r++) {
        if (!steps_row_used(m, r))
            continue;
        fprintf(f, "%s%s using %d lc rgb '%s' title '%s'", first ? "" : ", ",
                first ? "'steps.dat'" : "''", r + 2, step_colors[r], L->step_key[r]);
        first = false;
    }
    fprintf(f, "\n");
}

/* ---- all of them --------------------------------------------------------------- */

static const struct chart charts[] = {
    {CHART_THR, "throughput", NULL, throughput_data, line_clause, NULL, throughput_script},
    {CHART_LAT, "latency", NULL, latency_data, bar_clause, NULL, latency_script},
    {CHART_COLD, "coldwarm", coldwarm_wanted, coldwarm_data, NULL, NULL, coldwarm_script},
    {CHART_CURVE, "curve", curve_wanted, curve_data, curve_clause, NULL, curve_script},
    {CHART_SCALE, "scale", scale_wanted, scale_data, line_clause, NULL, scale_script},
    {CHART_COST, "cost", cost_wanted, cost_data, cost_clause, cost_has, cost_script},
    {CHART_STEPS, "steps", steps_wanted, steps_data, NULL, NULL, steps_script},
};

#define NCHARTS (sizeof charts / sizeof charts[0])

/* Writes c's script for lang and draws it; false when either failed. */
static bool draw(const char *dir, const struct chart *c, const struct run_figures *m, int lang)
{
    char name[64], file[64], plot[1024] = "";
    snprintf(name, sizeof name, "%s.%s.gp", c->name, report_langs[lang].code);
    snprintf(file, sizeof file, "'%s.dat'", c->name);
    if (c->clause)
        plot_clauses(plot, sizeof plot, m, file, c, lang);
    FILE *f = open_in(dir, name);
    if (f == NULL)
        return false;
    c->script(f, c, m, lang, plot);
    fclose(f);
    return run_gnuplot(dir, name) == 0;
}

unsigned charts_write(const char *dir, const struct run_figures *m)
{
    unsigned made = 0;
    for (size_t i = 0; i < NCHARTS; i++) {
        const struct chart *c = &charts[i];
        char name[64];
        snprintf(name, sizeof name, "%s.dat", c->name);
        FILE *f;
        if ((c->wanted && !c->wanted(m)) || (f = open_in(dir, name)) == NULL)
            continue;
        bool any = c->data(f, m);
        fclose(f);
        if (any)
            made |= c->bit;
    }
    /* A chart gnuplot could not draw in one language is left out of both. */
    for (int lang = 0; lang < LANG_N; lang++)
        for (size_t i = 0; i < NCHARTS; i++)
            if ((made & charts[i].bit) && !draw(dir, &charts[i], m, lang))
                made &= ~charts[i].bit;
    return made;
}
