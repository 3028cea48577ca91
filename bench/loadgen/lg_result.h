/* loadgen's results: the human summary (wrk style, on stdout), the JSON document
 * (docs/loadgen.md describes every field), reading that document back, and merging
 * runs. A run's JSON carries its histograms bucket by bucket, so merging runs from
 * several load-generating hosts loses nothing: counts add up, histograms merge, and
 * percentiles are recomputed from the merged histograms. */
#ifndef LG_RESULT_H
#define LG_RESULT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lg_stats.h"

#define LG_RESULT_SCHEMA "archbench.loadgen/1"

struct lg_run {
    char *url;
    char *mode;              /* "closed" or "open" ("mixed" after merging both) */
    char *start_time;        /* UTC, ISO 8601 */
    unsigned runs;           /* 1, or how many runs were merged */
    unsigned connections, threads;
    double duration_s;       /* requested measurement window */
    double warmup_s, timeout_s;
    double rate;             /* open loop: requests per second asked for; else 0 */
    char arrivals[16];       /* open loop: "uniform" or "poisson" ("mixed" after merging
                              * both); closed loop: "" */
    unsigned long long seed; /* open loop, poisson: the generators' seed */
    bool verify;
    unsigned long long tokens;
    double elapsed_s;        /* measured window actually run (shorter if interrupted) */
    /* Rates are sums over merged runs: merged runs ran side by side on several hosts. */
    double requests_per_s, successes_per_s, bytes_per_s;
    unsigned long long warmup_responses;
    struct lg_stats stats;
};

/* Fills the rates from stats and elapsed_s (a single run). */
void lg_result_finish(struct lg_run *r);

void lg_result_text(FILE *out, const struct lg_run *r);

/* The whole run as JSON (NULL when out of memory). */
json_t *lg_result_json(const struct lg_run *r);
bool lg_result_write_json(const struct lg_run *r, const char *path, char *err, size_t errlen);

/* Reads a document written by lg_result_json. r is initialised here. */
bool lg_result_from_json(const json_t *j, struct lg_run *r, char *err, size_t errlen);

/* Adds src into dst (summed counts, merged histograms and timelines). */
bool lg_result_merge(struct lg_run *dst, const struct lg_run *src, char *err, size_t errlen);

void lg_run_free(struct lg_run *r);

/* "812.00us", "1.23ms", "2.01s" */
void lg_result_format_us(double us, char *out, size_t outlen);

#endif
