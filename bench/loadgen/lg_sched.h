/* loadgen's open-loop schedule: when each connection's next request is planned.
 *
 * uniform: request n of the run is planned at n / rate, and connection g of c sends
 * requests g, g + c, g + 2c, ...: a metronome.
 * poisson: each connection is a Poisson process of rate / c with exponential gaps
 * drawn from its own seeded generator; the superposition of c independent Poisson
 * processes is a Poisson process of the full rate, so the run's arrivals are
 * Poisson (exponential inter-arrival times of mean 1 / rate) with no shared state
 * between threads, and the same seed plans the same times. */
#ifndef LG_SCHED_H
#define LG_SCHED_H

#include <stdbool.h>
#include <stdint.h>

enum lg_arrivals { LG_ARRIVALS_UNIFORM, LG_ARRIVALS_POISSON };

/* "uniform" / "poisson" */
const char *lg_arrivals_name(enum lg_arrivals a);
bool lg_arrivals_parse(const char *name, enum lg_arrivals *out);

struct lg_sched {
    enum lg_arrivals arrivals;
    uint64_t rate;      /* requests/s of the whole run */
    unsigned stride;    /* connections of the whole run */
    uint64_t n;         /* uniform: the run-wide number of the next request */
    double at_ns;       /* poisson: the next planned offset */
    uint64_t rng;       /* poisson: splitmix64 state */
};

/* Connection `index` of `connections`, at `rate` requests/s for the whole run. */
void lg_sched_init(struct lg_sched *s, enum lg_arrivals arrivals, uint64_t rate,
                   unsigned connections, unsigned index, uint64_t seed);

/* The planned offset (ns from the run's start) of this connection's next request,
 * without moving on. */
uint64_t lg_sched_peek(const struct lg_sched *s);

/* Moves on to this connection's following request. */
void lg_sched_advance(struct lg_sched *s);

#endif
