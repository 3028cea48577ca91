/* archbench report: the bilingual report and its charts from a run's run.json. */
#ifndef ARCHBENCH_REPORT_H
#define ARCHBENCH_REPORT_H

#include <stddef.h>

/* Writes RUN_DIR/report.md, RUN_DIR/report.es.md and RUN_DIR/charts/. Returns 0,
 * or -1 with the reason in err. */
int report_render(const char *run_dir, char *err, size_t errlen);

/* A number formatted for language lang (0 English, 1 Spanish): grouping, decimal
 * sign, "n/a" / "s. d." for NAN and infinities. */
const char *report_number(int lang, double v, int decimals);

/* The same for a table's column or a chart's axis: grouped from 1,000 on in every
 * language, so a column reads alike. */
const char *report_cell(int lang, double v, int decimals);

struct run_figures;

/* How the report names system i of m: an architecture's heading in language lang,
 * or a target's own name. */
const char *report_system_title(int lang, const struct run_figures *m, int i);

int report_main(int argc, char **argv);

#endif
