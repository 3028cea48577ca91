/* Log-linear latency histogram (see lg_hist.h for the layout).
 *
 * Slot layout for bits = b and half = 2^(b-1): values v < 2^b use slot v. A larger v
 * has its top bit at position m >= b; shifting it right by s = m - b + 1 leaves a
 * "sub" in [half, 2^b), and the slot is s * half + sub. Each octave therefore owns
 * half consecutive slots right after the previous one, and slot order is value
 * order, which makes percentiles a single cumulative walk. */
#include "lg_hist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static unsigned lg_hist_shift(unsigned bits, uint64_t v)
{
    if (v < (1ULL << bits))
        return 0;
    unsigned msb = 63u - (unsigned)__builtin_clzll(v);
    return msb - bits + 1;
}

size_t lg_hist_slot(unsigned bits, uint64_t v)
{
    unsigned s = lg_hist_shift(bits, v);
    return ((size_t)s << (bits - 1)) + (size_t)(v >> s);
}

uint64_t lg_hist_slot_lowest(unsigned bits, size_t slot)
{
    size_t half = (size_t)1 << (bits - 1);
    if (slot < ((size_t)1 << bits))
        return slot;
    /* slot = s*half + sub with sub in [half, 2*half): s = slot/half - 1. */
    size_t s = slot / half - 1;
    uint64_t sub = slot - s * half;
    return sub << s;
}

uint64_t lg_hist_slot_highest(unsigned bits, size_t slot)
{
    size_t half = (size_t)1 << (bits - 1);
    if (slot < ((size_t)1 << bits))
        return slot;
    size_t s = slot / half - 1;
    return lg_hist_slot_lowest(bits, slot) + (1ULL << s) - 1;
}

bool lg_hist_init(struct lg_hist *h, unsigned bits)
{
    memset(h, 0, sizeof *h);
    if (bits < 2 || bits > 20)
        return false;
    h->bits = bits;
    h->nslots = lg_hist_slot(bits, LG_HIST_MAX_US) + 1;
    h->counts = calloc(h->nslots, sizeof h->counts[0]);
    return h->counts != NULL;
}

void lg_hist_free(struct lg_hist *h)
{
    free(h->counts);
    h->counts = NULL;
    h->nslots = 0;
}

void lg_hist_reset(struct lg_hist *h)
{
    memset(h->counts, 0, h->nslots * sizeof h->counts[0]);
    h->total = h->clamped = h->min = h->max = 0;
}

void lg_hist_record_n(struct lg_hist *h, uint64_t v, uint64_t count)
{
    if (count == 0)
        return;
    if (v > LG_HIST_MAX_US) {
        v = LG_HIST_MAX_US;
        h->clamped += count;
    }
    h->counts[lg_hist_slot(h->bits, v)] += count;
    if (h->total == 0 || v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
    h->total += count;
}

bool lg_hist_add(struct lg_hist *dst, const struct lg_hist *src)
{
    if (dst->bits != src->bits)
        return false;
    if (src->total == 0)
        return true;
    for (size_t i = 0; i < src->nslots; i++)
        dst->counts[i] += src->counts[i];
    if (dst->total == 0 || src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
    dst->total += src->total;
    dst->clamped += src->clamped;
    return true;
}

uint64_t lg_hist_percentile(const struct lg_hist *h, double p)
{
    if (h->total == 0)
        return 0;
    if (p > 100)
        p = 100;
    /* Nearest rank; the small epsilon keeps 99.9 % of 1000 at rank 999, not 1000,
     * despite 99.9/100*1000 being 999.0000000000001 in binary floating point. */
    double r = ceil(p / 100.0 * (double)h->total - 1e-9);
    uint64_t rank = r < 1 ? 1 : (uint64_t)r;
    if (rank > h->total)
        rank = h->total;
    uint64_t seen = 0;
    for (size_t i = 0; i < h->nslots; i++) {
        seen += h->counts[i];
        if (seen >= rank) {
            uint64_t v = lg_hist_slot_highest(h->bits, i);
            if (v > h->max)
                v = h->max;
            if (v < h->min)
                v = h->min;
            return v;
        }
    }
    return h->max;
}

/* Mean and standard deviation use each bucket's midpoint, so they follow from the
 * counts alone and a merged histogram gives the same figures as the whole run. */
static double lg_hist_mid(unsigned bits, size_t slot)
{
    return ((double)lg_hist_slot_lowest(bits, slot) + (double)lg_hist_slot_highest(bits, slot)) / 2;
}

double lg_hist_mean(const struct lg_hist *h)
{
    if (h->total == 0)
        return 0;
    double sum = 0;
    for (size_t i = 0; i < h->nslots; i++)
        if (h->counts[i])
            sum += lg_hist_mid(h->bits, i) * (double)h->counts[i];
    return sum / (double)h->total;
}

double lg_hist_stdev(const struct lg_hist *h)
{
    if (h->total == 0)
        return 0;
    double mean = lg_hist_mean(h), acc = 0;
    for (size_t i = 0; i < h->nslots; i++) {
        if (h->counts[i]) {
            double d = lg_hist_mid(h->bits, i) - mean;
            acc += d * d * (double)h->counts[i];
        }
    }
    return sqrt(acc / (double)h->total);
}

bool lg_hist_next(const struct lg_hist *h, size_t *it, uint64_t *lowest, uint64_t *count)
{
    for (size_t i = *it; i < h->nslots; i++) {
        if (h->counts[i]) {
            *lowest = lg_hist_slot_lowest(h->bits, i);
            *count = h->counts[i];
            *it = i + 1;
            return true;
        }
    }
    *it = h->nslots;
    return false;
}
