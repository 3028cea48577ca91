/* loadgen's latency histogram: log-linear buckets over integer microseconds, in the
 * manner of HdrHistogram. Values below 2^bits are counted exactly; above that every
 * power-of-two range is cut into 2^(bits-1) equal buckets, so a bucket is never
 * wider than 1/2^(bits-1) of the values in it. With bits = 11 (LG_HIST_BITS) that is
 * better than 0.1 %, i.e. 3 significant digits, over 1 µs .. 60 s in 134 KiB. */
#ifndef LG_HIST_H
#define LG_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LG_HIST_BITS 11              /* 3 significant digits: the run's histograms */
#define LG_HIST_TIMELINE_BITS 7      /* ~1 %: the per-second timeline's histograms */
#define LG_HIST_MAX_US 60000000ULL   /* 60 s; larger values are clamped to it */

struct lg_hist {
    unsigned bits;      /* sub-bucket bits: 2^bits exact values, then 2^(bits-1) per octave */
    size_t nslots;
    uint64_t total;     /* values recorded */
    uint64_t clamped;   /* values above LG_HIST_MAX_US, recorded as LG_HIST_MAX_US */
    uint64_t min, max;  /* exact extremes of what was recorded (after clamping) */
    uint64_t *counts;
};

/* Allocates the counters; false when out of memory. */
bool lg_hist_init(struct lg_hist *h, unsigned bits);
void lg_hist_free(struct lg_hist *h);
void lg_hist_reset(struct lg_hist *h);

/* Records count occurrences of value_us. */
void lg_hist_record_n(struct lg_hist *h, uint64_t value_us, uint64_t count);
static inline void lg_hist_record(struct lg_hist *h, uint64_t value_us)
{
    lg_hist_record_n(h, value_us, 1);
}

/* Adds every count of src into dst (same bits; false otherwise). */
bool lg_hist_add(struct lg_hist *dst, const struct lg_hist *src);

/* The value at percentile p (0..100] by nearest rank: the highest value of the bucket
 * holding the ceil(p/100 * total)-th smallest value, never above max. 0 when empty. */
uint64_t lg_hist_percentile(const struct lg_hist *h, double p);
double lg_hist_mean(const struct lg_hist *h);
double lg_hist_stdev(const struct lg_hist *h);

/* Iteration over non-empty buckets: *it starts at 0; returns false at the end.
 * *lowest is the smallest value that falls into the bucket (recording it again
 * lands in the same bucket, which is how a histogram travels through JSON). */
bool lg_hist_next(const struct lg_hist *h, size_t *it, uint64_t *lowest, uint64_t *count);

/* Bucket arithmetic, exposed for tests: the slot of a value and a slot's range. */
size_t lg_hist_slot(unsigned bits, uint64_t value_us);
uint64_t lg_hist_slot_lowest(unsigned bits, size_t slot);
uint64_t lg_hist_slot_highest(unsigned bits, size_t slot);

#endif
