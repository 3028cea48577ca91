/* loadgen's counters: what one thread measured, and (after lg_stats_add) what a whole
 * run measured. Each thread owns one lg_stats and nobody else touches it until the
 * thread has been joined, so recording needs no atomics. */
#ifndef LG_STATS_H
#define LG_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lg_hist.h"
#include "lg_steps.h"

/* Error classes. connect/read/write/timeout lose the response; status and verify are
 * responses that arrived but are not successes. */
enum lg_error {
    LG_ERR_CONNECT, LG_ERR_READ, LG_ERR_WRITE, LG_ERR_TIMEOUT, LG_ERR_STATUS, LG_ERR_VERIFY,
    LG_ERR_COUNT
};
extern const char *const lg_error_names[LG_ERR_COUNT];

#define LG_STATUS_SLOTS 600 /* status codes 100..599 are counted by value */

/* One second of the measured window. The histogram is allocated on first use. */
struct lg_second {
    uint64_t requests, errors;
    struct lg_hist latency; /* LG_HIST_TIMELINE_BITS; counts == NULL while empty */
};

struct lg_stats {
    uint64_t requests;      /* responses received (successes + status + verify errors) */
    uint64_t successes;     /* 2xx/3xx responses that passed --verify */
    uint64_t errors[LG_ERR_COUNT];
    uint64_t status[LG_STATUS_SLOTS];
    uint64_t bytes;         /* response bytes read, headers included */
    struct lg_hist latency;     /* from the intended send time (coordinated omission) */
    struct lg_hist uncorrected; /* from the actual send time */
    size_t nseconds;
    struct lg_second *timeline;
    struct lg_steps steps;  /* the responses' Server-Timing steps */
};

bool lg_stats_init(struct lg_stats *s, size_t nseconds);
void lg_stats_free(struct lg_stats *s);

/* A response was received for a request planned in second `second` of the window.
 * err is LG_ERR_COUNT for a success, else LG_ERR_STATUS or LG_ERR_VERIFY. Returns
 * false only when a timeline histogram could not be allocated. */
bool lg_stats_response(struct lg_stats *s, size_t second, unsigned status, enum lg_error err,
                       uint64_t latency_us, uint64_t uncorrected_us);
/* A request (or connection attempt) failed without a response. */
void lg_stats_error(struct lg_stats *s, size_t second, enum lg_error err);

uint64_t lg_stats_errors_total(const struct lg_stats *s);

/* Adds src into dst: counts are summed, histograms merged, timelines aligned by
 * second (dst grows when src is longer). False when out of memory or when the
 * histograms' precisions differ. */
bool lg_stats_add(struct lg_stats *dst, const struct lg_stats *src);

/* Makes sure dst has at least n seconds of timeline. */
bool lg_stats_grow(struct lg_stats *s, size_t n);

#endif
