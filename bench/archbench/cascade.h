/* The serverless cold-start cascade, counted inside a measured scenario: faas
 * appends one REPORT record per invocation to its report log, with an Init
 * Duration when the invocation started an instance. While loadgen runs, archbench
 * reads the new records every sample and files each cold start under the second of
 * the measured window it began in: when the record was seen (within the 100 ms
 * sampling) minus its Init Duration and its first invocation's duration. The cascade
 * window is the seconds from the first cold start to the one after the last (the
 * queue drains in it); the tail is computed with and without those seconds, from
 * loadgen's per-second histograms. */
#ifndef ARCHBENCH_CASCADE_H
#define ARCHBENCH_CASCADE_H

#include <jansson.h>
#include <stdbool.h>

#define CASCADE_MAX_SECONDS 256

struct cascade_watch {
    int fd;                    /* the report log, read from where it ended; -1: none */
    char buf[4096];            /* a partial last line */
    size_t len;
    double window_start_s;     /* clock_now_s() of the measured window's start */
    double duration_s;
    unsigned warmup_cold;      /* cold starts before the window */
    unsigned window_cold;      /* ... and in it */
    unsigned per_second[CASCADE_MAX_SECONDS];
};

/* Starts watching report_log (NULL: nothing to watch) for a window that begins at
 * window_start_s and lasts duration_s. */
void cascade_watch_open(struct cascade_watch *w, const char *report_log, double window_start_s,
                        double duration_s);

/* Reads the records appended since the last call (seen at now_s); each cold
 * start is filed under now_s minus its init and first invocation. */
void cascade_watch_poll(struct cascade_watch *w, double now_s);

void cascade_watch_close(struct cascade_watch *w);

/* The scenario's "cold_starts" object for run.json: the counts, the per-second
 * cold starts, the cascade window and the p99 over all seconds and outside the
 * window (µs, from loadgen's per-second histograms: timeline of its --json).
 * NULL when nothing was watched. */
json_t *cascade_record(const struct cascade_watch *w, json_t *timeline);

#endif
