/* The report's section "The request, step by step" and the sentences of the
 * Differences that cite it (see report.h): the numbers from steps.c, the words
 * from report_text.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "figures.h"
#include "report.h"
#include "report_text.h"
#include "sources.h"
#include "steps.h"

/* The round-trip times between hosts the what-if assumes (ms). */
static const double whatif_rtt_ms[] = {0.1, 0.5, 1.0};

static const struct steps_figures *steps_of(const struct run_figures *m, int arch)
{
    const struct arch_figures *a = figures_arch(m, arch);
    return a && a->steps.present ? &a->steps : NULL;
}

/* The recorded request and the answers, as curl would show them. */
static void exchange_block(FILE *f, int lang, const struct exchange_figures *x)
{
    if (x->url == NULL || x->body == NULL || x->denied_body == NULL)
        return;
    fprintf(f, "%s\n\n```console\n$ curl -H 'Authorization: Bearer %s' %s\n%s\n",
            report_langs[lang].steps_exchange, x->token ? x->token : "", x->url, x->body);
    fprintf(f, "$ curl -i %s\nHTTP/1.1 %d Unauthorized\n", x->url, x->denied_status);
    if (x->denied_challenge)
        fprintf(f, "WWW-Authenticate: %s\n", x->denied_challenge);
    fprintf(f, "Content-Type: %s\n\n%s\n```\n\n", x->denied_type ? x->denied_type : "",
            x->denied_body);
}

/* A row of the steps table: label, then each architecture's cell ("—" where it
 * has no such step). */
static void table_row(FILE *f, int lang, const struct run_figures *m, const char *label,
                      const double v[SUT_NARCH])
{
    fprintf(f, "| %s |", label);
    for (int i = 0; i < SUT_NARCH; i++)
        if (steps_of(m, i))
            fprintf(f, " %s |", isfinite(v[i]) ? report_cell_ms(lang, v[i]) : "—");
    fprintf(f, "\n");
}

static void steps_table(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    fprintf(f, "| %s |", L->col_step);
    for (int i = 0; i < SUT_NARCH; i++)
        if (steps_of(m, i))
            fprintf(f, " %s |", L->h_arch[i]);
    fprintf(f, "\n|---|");
    for (int i = 0; i < SUT_NARCH; i++)
        if (steps_of(m, i))
            fprintf(f, "---:|");
    fprintf(f, "\n");
    double v[SUT_NARCH];
    for (int r = 0; r < STEP_NROWS; r++) {
        bool any = false;
        for (int i = 0; i < SUT_NARCH; i++) {
            const struct steps_figures *s = steps_of(m, i);
            v[i] = s ? s->ms[r] : NAN;
            any |= isfinite(v[i]);
        }
        if (any)
            table_row(f, lang, m, L->step_row[r], v);
    }
    for (int i = 0; i < SUT_NARCH; i++)
        v[i] = steps_of(m, i) ? steps_sum(steps_of(m, i)) : NAN;
    table_row(f, lang, m, L->steps_sum, v);
    const struct arch_figures *sls = figures_arch(m, SUT_SERVERLESS);
    if (steps_of(m, SUT_SERVERLESS) && sls->has_cold) {
        v[SUT_MONOLITH] = v[SUT_MICROSERVICES] = NAN;
        v[SUT_SERVERLESS] = sls->init_p50_ms[MODE_EXEC];
        table_row(f, lang, m, L->steps_init, v);
    }
    fprintf(f, "\n");
}

/* The fewest answers an architecture's steps come from. */
static double fewest_answers(const struct run_figures *m)
{
    double n = INFINITY;
    for (int i = 0; i < SUT_NARCH; i++)
        if (steps_of(m, i) && (double)steps_of(m, i)->answers < n)
            n = (double)steps_of(m, i)->answers;
    return n;
}

static void whatif_table(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    fprintf(f, "### %s\n\n", L->h_whatif);
    fprintf(f, L->whatif_intro,
            report_number(lang, sources[SOURCE_INTERNET_RTT_LOW].value,
                          sources[SOURCE_INTERNET_RTT_LOW].decimals),
            report_number(lang, sources[SOURCE_INTERNET_RTT_HIGH].value,
                          sources[SOURCE_INTERNET_RTT_HIGH].decimals),
            sources[SOURCE_INTERNET_RTT_LOW].url);
    fprintf(f, "\n\n%s", L->whatif_header);
    for (int i = 0; i < SUT_NARCH; i++) {
        const struct arch_figures *a = figures_arch(m, i);
        if (a == NULL)
            continue;
        unsigned trips = steps_round_trips(i);
        fprintf(f, "| %s | %u | %s |", L->h_arch[i], trips, report_cell_ms(lang, a->floor_p50_ms));
        for (size_t k = 0; k < sizeof whatif_rtt_ms / sizeof whatif_rtt_ms[0]; k++)
            fprintf(f, " %s |", report_cell_ms(lang, a->floor_p50_ms + trips * whatif_rtt_ms[k]));
        fprintf(f, "\n");
    }
    fprintf(f, "\n");
}

/* A run --hosts measured what the table would only model: set the two side by side. */
static void whatif_hosts(FILE *f, int lang, const struct run_figures *m)
{
    const struct lang *L = &report_langs[lang];
    const struct arch_figures *mono = figures_arch(m, SUT_MONOLITH);
    const struct arch_figures *micro = figures_arch(m, SUT_MICROSERVICES);
    const char *rtt = report_number(lang, m->rtt_ms, m->rtt_ms == (double)(long)m->rtt_ms ? 0 : 1);
    fprintf(f, "### %s\n\n", L->h_whatif_hosts);
    if (mono && micro && isfinite(mono->floor_p50_ms) && isfinite(micro->floor_p50_ms))
        fprintf(f, L->whatif_hosts, rtt,
                report_ms(lang, steps_round_trips(SUT_MICROSERVICES) * m->rtt_ms),
                report_ms(lang, micro->floor_p50_ms - mono->floor_p50_ms),
                report_ms(lang, micro->floor_p50_ms), report_ms(lang, mono->floor_p50_ms));
    else
        fprintf(f, L->whatif_hosts_na, rtt);
    fprintf(f, "\n\n");
}

void report_steps_section(FILE *f, int lang, const struct run_figures *m, bool chart)
{
    const struct lang *L = &report_langs[lang];
    fprintf(f, "## %s\n\n%s\n\n```text\n%s```\n\n", L->h_steps, L->steps_intro, L->steps_diagram);
    exchange_block(f, lang, &m->exchange);
    if (isfinite(fewest_answers(m))) {
        if (chart)
            fprintf(f, "![%s](charts/steps.%s.svg)\n\n", L->chart_steps, L->code);
        fprintf(f, L->steps_how, report_number(lang, fewest_answers(m), 0));
        fprintf(f, "\n\n");
        steps_table(f, lang, m);
        if (steps_of(m, SUT_MONOLITH))
            fprintf(f, "%s\n\n", L->steps_join);
    } else {
        fprintf(f, "%s\n\n", L->steps_none);
    }
    if (m->hosts)
        whatif_hosts(f, lang, m);
    else
        whatif_table(f, lang, m);
}

void report_steps_difference(FILE *f, int lang, const struct run_figures *m, int arch)
{
    const struct lang *L = &report_langs[lang];
    const struct steps_figures *s = steps_of(m, arch), *mono = steps_of(m, SUT_MONOLITH);
    if (s == NULL)
        return;
    const double *ms = s->ms;
    const char *mono_sum = report_ms(lang, mono ? steps_sum(mono) : NAN);
    fprintf(f, "\n\n");
    if (arch == SUT_MONOLITH)
        fprintf(f, L->diff_steps_mono, report_ms(lang, ms[STEP_AUTH]), report_ms(lang, ms[STEP_DB]),
                report_ms(lang, ms[STEP_RENDER]), report_ms(lang, ms[STEP_OTHER]),
                report_ms(lang, ms[STEP_REST]), report_ms(lang, steps_sum(s)), L->h_steps);
    else if (arch == SUT_MICROSERVICES)
        fprintf(f, L->diff_steps_micro, report_ms(lang, ms[STEP_AUTH]),
                report_ms(lang, ms[STEP_DB]), report_ms(lang, ms[STEP_RENDER]),
                report_ms(lang, ms[STEP_HOP_AUTH]), report_ms(lang, ms[STEP_HOP_PROFILE]),
                report_ms(lang, ms[STEP_OTHER]), report_ms(lang, ms[STEP_REST]),
                report_ms(lang, steps_sum(s)), L->h_steps, mono_sum);
    else
        fprintf(f, L->diff_steps_sls, report_ms(lang, ms[STEP_AUTH]), report_ms(lang, ms[STEP_DB]),
                report_ms(lang, ms[STEP_RENDER]), report_ms(lang, ms[STEP_QUEUE]),
                report_ms(lang, ms[STEP_INVOKE]), report_ms(lang, ms[STEP_OTHER]),
                report_ms(lang, ms[STEP_REST]), report_ms(lang, steps_sum(s)), L->h_steps,
                mono_sum);
}
