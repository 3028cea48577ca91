/* loadgen's open-loop schedule (see lg_sched.h). */
#include "lg_sched.h"

#include <math.h>
#include <string.h>

static const char *const names[] = {"uniform", "poisson"};

const char *lg_arrivals_name(enum lg_arrivals a) { return names[a]; }

bool lg_arrivals_parse(const char *name, enum lg_arrivals *out)
{
    for (int a = LG_ARRIVALS_UNIFORM; a <= LG_ARRIVALS_POISSON; a++)
        if (strcmp(name, names[a]) == 0) {
            *out = (enum lg_arrivals)a;
            return true;
        }
    return false;
}

/* splitmix64 (Steele, Lea and Flood 2014): one 64-bit state, passes BigCrush, and
 * seeds from consecutive integers give unrelated streams. */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* An exponential gap of mean `mean_ns`: -ln(1 - U) with U uniform in [0, 1) on 53
 * bits, so the logarithm's argument is never 0. */
static double exp_gap(struct lg_sched *s, double mean_ns)
{
    double u = (double)(splitmix64(&s->rng) >> 11) * 0x1.0p-53;
    return -log1p(-u) * mean_ns;
}

static double mean_gap_ns(const struct lg_sched *s)
{
    return 1e9 * (double)s->stride / (double)s->rate;
}

void lg_sched_init(struct lg_sched *s, enum lg_arrivals arrivals, uint64_t rate,
                   unsigned connections, unsigned index, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    s->arrivals = arrivals;
    s->rate = rate ? rate : 1;
    s->stride = connections ? connections : 1;
    s->n = index;
    /* one stream per connection: the seed and the index through splitmix64 */
    uint64_t mix = seed;
    s->rng = splitmix64(&mix) ^ (uint64_t)index * 0xD1B54A32D192ED03ULL;
    if (arrivals == LG_ARRIVALS_POISSON)
        s->at_ns = exp_gap(s, mean_gap_ns(s)); /* memoryless: the first gap is one too */
}

uint64_t lg_sched_peek(const struct lg_sched *s)
{
    if (s->arrivals == LG_ARRIVALS_POISSON)
        return (uint64_t)s->at_ns;
    /* n / rate seconds, exact in integers */
    uint64_t r = s->rate;
    return (s->n / r) * 1000000000ULL + (s->n % r) * 1000000000ULL / r;
}

void lg_sched_advance(struct lg_sched *s)
{
    if (s->arrivals == LG_ARRIVALS_POISSON)
        s->at_ns += exp_gap(s, mean_gap_ns(s));
    else
        s->n += s->stride;
}
