/* The cold-start cascade of a measured scenario (see cascade.h). */
#include "cascade.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "lg_hist.h"

void cascade_watch_open(struct cascade_watch *w, const char *report_log, double window_start_s,
                        double duration_s)
{
    memset(w, 0, sizeof *w);
    w->window_start_s = window_start_s;
    w->duration_s = duration_s;
    w->fd = report_log ? open(report_log, O_RDONLY | O_CLOEXEC) : -1;
    if (w->fd >= 0)
        lseek(w->fd, 0, SEEK_END); /* what earlier scenarios left is not this one's */
}

/* One REPORT record: a cold start when its initDurationMs is a number. faas
 * writes it when the instance's first invocation ends, which in a cascade is
 * seconds after the instance was started (64 instances initialising on one CPU):
 * the cold start is filed under the second it began, its init and its first
 * invocation's duration before the record was seen. */
static void file_line(struct cascade_watch *w, const char *line, double now_s)
{
    json_t *j = json_loads(line, 0, NULL);
    json_t *init = j ? json_object_get(j, "initDurationMs") : NULL;
    bool cold = json_is_number(init);
    double took_ms = cold ? json_number_value(init) : 0;
    json_t *dur = j ? json_object_get(j, "durationMs") : NULL;
    if (cold && json_is_number(dur))
        took_ms += json_number_value(dur);
    json_decref(j);
    if (!cold)
        return;
    double at = now_s - took_ms / 1000 - w->window_start_s;
    if (at < 0) {
        w->warmup_cold++;
        return;
    }
    unsigned s = (unsigned)at;
    if (at >= w->duration_s || s >= CASCADE_MAX_SECONDS)
        return; /* after the window: the drain */
    w->window_cold++;
    w->per_second[s]++;
}

void cascade_watch_poll(struct cascade_watch *w, double now_s)
{
    if (w->fd < 0)
        return;
    for (;;) {
        ssize_t n = read(w->fd, w->buf + w->len, sizeof w->buf - 1 - w->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        w->len += (size_t)n;
        w->buf[w->len] = '\0';
        char *start = w->buf, *nl;
        while ((nl = strchr(start, '\n')) != NULL) {
            *nl = '\0';
            file_line(w, start, now_s);
            start = nl + 1;
        }
        w->len -= (size_t)(start - w->buf);
        memmove(w->buf, start, w->len);
        if (w->len == sizeof w->buf - 1)
            w->len = 0; /* a line this long is no REPORT record */
    }
}

void cascade_watch_close(struct cascade_watch *w)
{
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
}

/* Adds second i's histogram (buckets [[lowest, count], ...]) into h. */
static void add_second(struct lg_hist *h, json_t *second)
{
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(second, "buckets"), i, b)
        lg_hist_record_n(h, (uint64_t)json_integer_value(json_array_get(b, 0)),
                         (uint64_t)json_integer_value(json_array_get(b, 1)));
}

static json_t *p99_or_null(const struct lg_hist *h)
{
    return h->total ? json_integer((json_int_t)lg_hist_percentile(h, 99)) : json_null();
}

json_t *cascade_record(const struct cascade_watch *w, json_t *timeline)
{
    if (w->fd < 0)
        return NULL;
    int first = -1, last = -1;
    json_t *seconds = json_array();
    for (unsigned s = 0; s < CASCADE_MAX_SECONDS && s < w->duration_s; s++) {
        json_array_append_new(seconds, json_integer(w->per_second[s]));
        if (w->per_second[s]) {
            first = first < 0 ? (int)s : first;
            last = (int)s;
        }
    }
    int end = last; /* the queue drains in the next second, if the window has one */
    if (last >= 0 && last + 1 < (int)ceil(w->duration_s))
        end = last + 1;
    struct lg_hist all, outside;
    if (!lg_hist_init(&all, LG_HIST_TIMELINE_BITS) ||
        !lg_hist_init(&outside, LG_HIST_TIMELINE_BITS)) {
        lg_hist_free(&all);
        json_decref(seconds);
        return NULL;
    }
    size_t i;
    json_t *sec;
    json_array_foreach(timeline, i, sec)
    {
        add_second(&all, sec);
        if (first < 0 || (int)i < first || (int)i > end)
            add_second(&outside, sec);
    }
    json_t *rec = json_pack("{s:i, s:i, s:o, s:o, s:o, s:o, s:I}", "in_warmup",
                            (int)w->warmup_cold, "in_window", (int)w->window_cold,
                            "per_second", seconds, "window",
                            first < 0 ? json_null() : json_pack("[i,i]", first, end),
                            "p99_us", p99_or_null(&all), "p99_outside_window_us",
                            p99_or_null(&outside), "requests_outside_window",
                            (json_int_t)outside.total);
    lg_hist_free(&all);
    lg_hist_free(&outside);
    return rec;
}
