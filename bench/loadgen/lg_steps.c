/* Per-step histograms from Server-Timing (see lg_steps.h). The entries of one
 * server come in the same order on every response, so each name is looked for
 * first where the previous entry's successor was: one comparison per entry on
 * the usual path. */
#include "lg_steps.h"

#include <stdlib.h>
#include <string.h>

#include "server_timing.h"

struct lg_step *lg_steps_get(struct lg_steps *st, const char *name, size_t len)
{
    if (st->hint < st->n && st->s[st->hint].len == len &&
        memcmp(st->s[st->hint].name, name, len) == 0)
        return &st->s[st->hint++];
    for (unsigned i = 0; i < st->n; i++) {
        if (st->s[i].len == len && memcmp(st->s[i].name, name, len) == 0) {
            st->hint = i + 1;
            return &st->s[i];
        }
    }
    if (st->n == LG_STEPS_MAX || len >= LG_STEP_NAME)
        return NULL;
    struct lg_step *s = &st->s[st->n];
    memset(s, 0, sizeof *s);
    if (!lg_hist_init(&s->hist, LG_HIST_BITS)) {
        st->oom = true;
        return NULL;
    }
    memcpy(s->name, name, len);
    s->len = len;
    st->hint = ++st->n;
    return s;
}

bool lg_steps_record_one(struct lg_steps *st, const char *name, size_t len, uint64_t ns)
{
    struct lg_step *s = lg_steps_get(st, name, len);
    if (s == NULL) {
        st->dropped++;
        return false;
    }
    s->sum_ns += ns;
    lg_hist_record(&s->hist, ns / 1000 + (ns % 1000 >= 500));
    return true;
}

static bool lg_steps_entry(void *ctx, const char *name, size_t nlen, uint64_t ns, bool has_dur)
{
    if (has_dur) /* a metric without a duration (cache;desc=hit) is no step */
        lg_steps_record_one(ctx, name, nlen, ns);
    return true;
}

void lg_steps_record(struct lg_steps *st, const char *value, size_t len)
{
    st->hint = 0;
    server_timing_parse(value, len, lg_steps_entry, st);
}

const struct lg_step *lg_steps_find(const struct lg_steps *st, const char *name)
{
    size_t len = strlen(name);
    for (unsigned i = 0; i < st->n; i++)
        if (st->s[i].len == len && memcmp(st->s[i].name, name, len) == 0)
            return &st->s[i];
    return NULL;
}

bool lg_steps_add(struct lg_steps *dst, const struct lg_steps *src)
{
    dst->dropped += src->dropped;
    for (unsigned i = 0; i < src->n; i++) {
        const struct lg_step *from = &src->s[i];
        struct lg_step *to = lg_steps_get(dst, from->name, from->len);
        if (to == NULL) {
            if (dst->oom)
                return false;
            dst->dropped += from->hist.total;
            continue;
        }
        to->sum_ns += from->sum_ns;
        if (!lg_hist_add(&to->hist, &from->hist))
            return false;
    }
    return !dst->oom && !src->oom;
}

void lg_steps_free(struct lg_steps *st)
{
    for (unsigned i = 0; i < st->n; i++)
        lg_hist_free(&st->s[i].hist);
    st->n = 0;
}
