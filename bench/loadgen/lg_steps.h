/* loadgen's view of the servers' Server-Timing: one histogram per step name
 * ("auth", "db", "total" ...), filled from every measured response that carries
 * the header, merged across threads and runs like the latency histograms. A
 * thread owns its lg_steps until it is joined, so recording needs no atomics;
 * a name's histogram is allocated the first time the name is seen, never per
 * request. */
#ifndef LG_STEPS_H
#define LG_STEPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lg_hist.h"

#define LG_STEPS_MAX 24   /* step names kept; entries of other names are counted */
#define LG_STEP_NAME 32   /* a name's bytes with its NUL; longer ones are counted */

struct lg_step {
    char name[LG_STEP_NAME];
    size_t len;
    uint64_t sum_ns;      /* exact sum, for the mean (the histogram is per µs) */
    struct lg_hist hist;  /* durations in µs, LG_HIST_BITS */
};

struct lg_steps {
    unsigned n;
    unsigned hint;        /* where the next entry's name is looked for first */
    uint64_t dropped;     /* entries whose name did not fit (too long, too many) */
    bool oom;             /* a histogram could not be allocated */
    struct lg_step s[LG_STEPS_MAX];
};

/* Records every entry with a duration of one response's Server-Timing value. */
void lg_steps_record(struct lg_steps *st, const char *value, size_t len);

/* Records one duration under name (len bytes); false when it was dropped. */
bool lg_steps_record_one(struct lg_steps *st, const char *name, size_t len, uint64_t ns);

/* The step called name (len bytes), made empty when new; NULL when the name does
 * not fit (too long, too many names) or out of memory. */
struct lg_step *lg_steps_get(struct lg_steps *st, const char *name, size_t len);

/* The step called name, or NULL. */
const struct lg_step *lg_steps_find(const struct lg_steps *st, const char *name);

/* Adds src into dst, step by step by name; false when out of memory. */
bool lg_steps_add(struct lg_steps *dst, const struct lg_steps *src);

void lg_steps_free(struct lg_steps *st);

#endif
