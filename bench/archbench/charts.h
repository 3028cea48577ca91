/* The report's charts: for each chart a language-neutral NAME.dat, and per
 * language a gnuplot script NAME.LANG.gp that draws NAME.LANG.svg. The scripts
 * and data are kept beside the SVGs so a chart can be redrawn or restyled. */
#ifndef ARCHBENCH_CHARTS_H
#define ARCHBENCH_CHARTS_H

#include "figures.h"

/* One bit per chart, in the order the report shows them. */
enum {
    CHART_THR = 1, CHART_LAT = 2, CHART_COLD = 4, CHART_CURVE = 8, CHART_SCALE = 16,
    CHART_COST = 32, CHART_STEPS = 64
};

/* Writes the charts m has data for into dir (which must exist) and runs gnuplot
 * on each script; returns the CHART_* bits of the charts drawn in every language. */
unsigned charts_write(const char *dir, const struct run_figures *m);

#endif
