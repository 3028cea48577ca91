/* Per-thread and per-run counters (see lg_stats.h). */
#include "lg_stats.h"

#include <stdlib.h>
#include <string.h>

const char *const lg_error_names[LG_ERR_COUNT] = {
    "connect", "read", "write", "timeout", "status", "verify",
};

bool lg_stats_init(struct lg_stats *s, size_t nseconds)
{
    memset(s, 0, sizeof *s);
    if (!lg_hist_init(&s->latency, LG_HIST_BITS) || !lg_hist_init(&s->uncorrected, LG_HIST_BITS)) {
        lg_stats_free(s);
        return false;
    }
    if (!lg_stats_grow(s, nseconds)) {
        lg_stats_free(s);
        return false;
    }
    return true;
}

void lg_stats_free(struct lg_stats *s)
{
    lg_hist_free(&s->latency);
    lg_hist_free(&s->uncorrected);
    lg_steps_free(&s->steps);
    for (size_t i = 0; i < s->nseconds; i++)
        lg_hist_free(&s->timeline[i].latency);
    free(s->timeline);
    s->timeline = NULL;
    s->nseconds = 0;
}

bool lg_stats_grow(struct lg_stats *s, size_t n)
{
    if (n <= s->nseconds)
        return true;
    struct lg_second *t = realloc(s->timeline, n * sizeof *t);
    if (t == NULL)
        return false;
    memset(t + s->nseconds, 0, (n - s->nseconds) * sizeof *t);
    s->timeline = t;
    s->nseconds = n;
    return true;
}

static struct lg_second *lg_stats_second(struct lg_stats *s, size_t second)
{
    if (s->nseconds == 0)
        return NULL;
    /* Requests planned at the very end of the window land in its last second. */
    return &s->timeline[second < s->nseconds ? second : s->nseconds - 1];
}

bool lg_stats_response(struct lg_stats *s, size_t second, unsigned status, enum lg_error err,
                       uint64_t latency_us, uint64_t uncorrected_us)
{
    s->requests++;
    if (status < LG_STATUS_SLOTS)
        s->status[status]++;
    if (err == LG_ERR_COUNT)
        s->successes++;
    else
        s->errors[err]++;
    lg_hist_record(&s->latency, latency_us);
    lg_hist_record(&s->uncorrected, uncorrected_us);
    struct lg_second *sec = lg_stats_second(s, second);
    if (sec == NULL)
        return true;
    sec->requests++;
    if (err != LG_ERR_COUNT)
        sec->errors++;
    if (sec->latency.counts == NULL && !lg_hist_init(&sec->latency, LG_HIST_TIMELINE_BITS))
        return false;
    lg_hist_record(&sec->latency, latency_us);
    return true;
}

void lg_stats_error(struct lg_stats *s, size_t second, enum lg_error err)
{
    s->errors[err]++;
    struct lg_second *sec = lg_stats_second(s, second);
    if (sec != NULL)
        sec->errors++;
}

uint64_t lg_stats_errors_total(const struct lg_stats *s)
{
    uint64_t n = 0;
    for (int i = 0; i < LG_ERR_COUNT; i++)
        n += s->errors[i];
    return n;
}

bool lg_stats_add(struct lg_stats *dst, const struct lg_stats *src)
{
    dst->requests += src->requests;
    dst->successes += src->successes;
    for (int i = 0; i < LG_ERR_COUNT; i++)
        dst->errors[i] += src->errors[i];
    for (int i = 0; i < LG_STATUS_SLOTS; i++)
        dst->status[i] += src->status[i];
    dst->bytes += src->bytes;
    if (!lg_hist_add(&dst->latency, &src->latency) ||
        !lg_hist_add(&dst->uncorrected, &src->uncorrected) ||
        !lg_steps_add(&dst->steps, &src->steps) || !lg_stats_grow(dst, src->nseconds))
        return false;
    for (size_t i = 0; i < src->nseconds; i++) {
        struct lg_second *d = &dst->timeline[i];
        const struct lg_second *from = &src->timeline[i];
        d->requests += from->requests;
        d->errors += from->errors;
        if (from->latency.counts == NULL)
            continue;
        if (d->latency.counts == NULL && !lg_hist_init(&d->latency, LG_HIST_TIMELINE_BITS))
            return false;
        if (!lg_hist_add(&d->latency, &from->latency))
            return false;
    }
    return true;
}
