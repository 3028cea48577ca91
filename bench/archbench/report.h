/* archbench report: the bilingual report and its charts from a run's run.json. */
#ifndef ARCHBENCH_REPORT_H
#define ARCHBENCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Writes RUN_DIR/report.md, RUN_DIR/report.es.md and RUN_DIR/charts/. Returns 0,
 * or -1 with the reason in err. */
int report_render(const char *run_dir, char *err, size_t errlen);

/* A number formatted for language lang (0 English, 1 Spanish): grouping, decimal
 * sign, "n/a" / "s. d." for NAN and infinities. */
const char *report_number(int lang, double v, int decimals);

/* The same for a table's column or a chart's axis: grouped from 1,000 on in every
 * language, so a column reads alike. */
const char *report_cell(int lang, double v, int decimals);

/* Milliseconds with the precision a reader needs (0.087, 1.24, 12.4, 124): in
 * prose, and in a table's column. */
const char *report_ms(int lang, double v);
const char *report_cell_ms(int lang, double v);

struct run_figures;

/* The section "The request, step by step" (report_steps.c): the flow, the real
 * exchange, the steps' chart (when made) and table, and the network what-if. */
void report_steps_section(FILE *f, int lang, const struct run_figures *m, bool chart);

/* The sentence of architecture arch's Difference that cites its steps (nothing
 * when the run has none for it). */
void report_steps_difference(FILE *f, int lang, const struct run_figures *m, int arch);

/* How the report names system i of m: an architecture's heading in language lang,
 * or a target's own name. */
const char *report_system_title(int lang, const struct run_figures *m, int i);

int report_main(int argc, char **argv);

#endif
