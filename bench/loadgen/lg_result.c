/* Text and JSON output, JSON input and merging of loadgen runs (see lg_result.h). */
#include "lg_result.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

static const struct {
    const char *key;
    double p;
} lg_result_percentiles[] = {
    {"p50", 50}, {"p75", 75}, {"p90", 90}, {"p99", 99}, {"p99.9", 99.9}, {"p99.99", 99.99},
};
#define LG_RESULT_NPCT (sizeof lg_result_percentiles / sizeof lg_result_percentiles[0])

void lg_run_free(struct lg_run *r)
{
    free(r->url);
    free(r->mode);
    free(r->start_time);
    r->url = r->mode = r->start_time = NULL;
    lg_stats_free(&r->stats);
}

void lg_result_finish(struct lg_run *r)
{
    double s = r->elapsed_s > 0 ? r->elapsed_s : 1;
    r->requests_per_s = (double)r->stats.requests / s;
    r->successes_per_s = (double)r->stats.successes / s;
    r->bytes_per_s = (double)r->stats.bytes / s;
}

void lg_result_format_us(double us, char *out, size_t outlen)
{
    if (us < 1000)
        snprintf(out, outlen, "%.2fus", us);
    else if (us < 1000000)
        snprintf(out, outlen, "%.2fms", us / 1000);
    else
        snprintf(out, outlen, "%.2fs", us / 1000000);
}

static void lg_result_format_bytes(double b, char *out, size_t outlen)
{
    static const char *units[] = {"B", "KB", "MB", "GB", "TB"};
    int u = 0;
    while (b >= 1024 && u < 4) {
        b /= 1024;
        u++;
    }
    snprintf(out, outlen, "%.2f%s", b, units[u]);
}

/* ---- text ------------------------------------------------------------------- */

/* A line per Server-Timing step, when the answers carried the header. */
static void lg_result_text_steps(FILE *out, const struct lg_steps *st)
{
    if (st->n == 0)
        return;
    fprintf(out, "  Server-Timing          count      mean       p50        p99\n");
    for (unsigned i = 0; i < st->n; i++) {
        const struct lg_step *s = &st->s[i];
        char a[32], b[32], c[32];
        uint64_t n = s->hist.total;
        lg_result_format_us(n ? (double)s->sum_ns / (double)n / 1000 : 0, a, sizeof a);
        lg_result_format_us((double)lg_hist_percentile(&s->hist, 50), b, sizeof b);
        lg_result_format_us((double)lg_hist_percentile(&s->hist, 99), c, sizeof c);
        fprintf(out, "    %-18s %9llu  %-10s %-10s %-10s\n", s->name, (unsigned long long)n, a,
                b, c);
    }
    if (st->dropped > 0)
        fprintf(out, "    (%llu entries under other names not kept)\n",
                (unsigned long long)st->dropped);
}

void lg_result_text(FILE *out, const struct lg_run *r)
{
    const struct lg_stats *s = &r->stats;
    char a[32], b[32], c[32];
    fprintf(out, "Running %gs test @ %s\n", r->duration_s, r->url);
    if (r->rate > 0)
        fprintf(out, "  %u threads and %u connections, open loop at %.0f requests/s (%s)",
                r->threads, r->connections, r->rate,
                r->arrivals[0] ? r->arrivals : "uniform");
    else
        fprintf(out, "  %u threads and %u connections, closed loop", r->threads, r->connections);
    fprintf(out, ", %.1fs warm-up%s\n", r->warmup_s,
            r->verify ? ", every 200 verified against its token's user" : "");

    fprintf(out, "  Latency%s      Avg        Stdev      Max\n",
            r->rate > 0 ? " (from planned send)" : "");
    lg_result_format_us(lg_hist_mean(&s->latency), a, sizeof a);
    lg_result_format_us(lg_hist_stdev(&s->latency), b, sizeof b);
    lg_result_format_us((double)s->latency.max, c, sizeof c);
    fprintf(out, "  %-*s %-10s %-10s %-10s\n", r->rate > 0 ? 26 : 12, "", a, b, c);
    fprintf(out, "  Latency Distribution   corrected  uncorrected\n");
    for (size_t i = 0; i < LG_RESULT_NPCT; i++) {
        lg_result_format_us((double)lg_hist_percentile(&s->latency, lg_result_percentiles[i].p),
                            a, sizeof a);
        lg_result_format_us(
            (double)lg_hist_percentile(&s->uncorrected, lg_result_percentiles[i].p), b, sizeof b);
        fprintf(out, "    %8.3f%%           %-10s %-10s\n", lg_result_percentiles[i].p, a, b);
    }
    lg_result_format_us((double)s->latency.max, a, sizeof a);
    lg_result_format_us((double)s->uncorrected.max, b, sizeof b);
    fprintf(out, "    %9s           %-10s %-10s\n", "max", a, b);

    lg_result_format_bytes((double)s->bytes, a, sizeof a);
    fprintf(out, "  %llu requests in %.2fs, %s read", (unsigned long long)s->requests,
            r->elapsed_s, a);
    if (r->runs > 1)
        fprintf(out, " (%u runs merged)", r->runs);
    fputc('\n', out);

    uint64_t errs = lg_stats_errors_total(s);
    fprintf(out, "  Errors: %llu", (unsigned long long)errs);
    const char *sep = " (";
    for (int e = 0; e < LG_ERR_COUNT; e++) {
        fprintf(out, "%s%s %llu", sep, lg_error_names[e], (unsigned long long)s->errors[e]);
        sep = ", ";
    }
    fprintf(out, ")\n  Status codes:");
    bool any = false;
    for (int i = 0; i < LG_STATUS_SLOTS; i++) {
        if (s->status[i]) {
            fprintf(out, " %d: %llu", i, (unsigned long long)s->status[i]);
            any = true;
        }
    }
    fprintf(out, "%s\n", any ? "" : " none");
    lg_result_text_steps(out, &s->steps);
    if (s->errors[LG_ERR_VERIFY] > 0) {
        fprintf(out,
                "  !!! SECURITY FAILURE: %llu responses (%.3f%% of %llu) carried ANOTHER user's "
                "profile !!!\n",
                (unsigned long long)s->errors[LG_ERR_VERIFY],
                s->requests ? 100.0 * (double)s->errors[LG_ERR_VERIFY] / (double)s->requests : 0,
                (unsigned long long)s->requests);
    }
    fprintf(out, "Requests/sec: %10.2f\n", r->requests_per_s);
    fprintf(out, "Successes/sec:%10.2f%s\n", r->successes_per_s,
            r->verify ? " (verified)" : "");
    lg_result_format_bytes(r->bytes_per_s, a, sizeof a);
    fprintf(out, "Transfer/sec: %10s\n", a);
}

/* ---- JSON out --------------------------------------------------------------- */

static json_t *lg_result_buckets(const struct lg_hist *h)
{
    json_t *arr = json_array();
    size_t it = 0;
    uint64_t v, n;
    while (arr && lg_hist_next(h, &it, &v, &n))
        json_array_append_new(arr, json_pack("[II]", (json_int_t)v, (json_int_t)n));
    return arr;
}

static json_t *lg_result_latency(const struct lg_hist *h)
{
    json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:f, s:f}", "unit", "us", "count",
                          (json_int_t)h->total, "min", (json_int_t)h->min, "max",
                          (json_int_t)h->max, "mean", lg_hist_mean(h), "stdev", lg_hist_stdev(h));
    if (o == NULL)
        return NULL;
    for (size_t i = 0; i < LG_RESULT_NPCT; i++)
        json_object_set_new(o, lg_result_percentiles[i].key,
                            json_integer((json_int_t)lg_hist_percentile(h, lg_result_percentiles[i].p)));
    json_object_set_new(o, "histogram",
                        json_pack("{s:i, s:I, s:I, s:o}", "bits", (int)h->bits, "max_us",
                                  (json_int_t)LG_HIST_MAX_US, "clamped", (json_int_t)h->clamped,
                                  "buckets", lg_result_buckets(h)));
    return o;
}

/* "server_timing": {"<name>": {"count", "mean_ms", "p50_ms", "p99_ms", "sum_ms",
 * "histogram"}}: the histogram (µs) travels so that merged runs lose nothing. */
static json_t *lg_result_steps(const struct lg_steps *st)
{
    json_t *o = json_object();
    for (unsigned i = 0; o && i < st->n; i++) {
        const struct lg_step *s = &st->s[i];
        uint64_t n = s->hist.total;
        json_object_set_new(
            o, s->name,
            json_pack("{s:I, s:f, s:f, s:f, s:f, s:{s:i, s:o}}", "count", (json_int_t)n,
                      "mean_ms", n ? (double)s->sum_ns / (double)n / 1e6 : 0.0, "p50_ms",
                      (double)lg_hist_percentile(&s->hist, 50) / 1000, "p99_ms",
                      (double)lg_hist_percentile(&s->hist, 99) / 1000, "sum_ms",
                      (double)s->sum_ns / 1e6, "histogram", "bits", (int)s->hist.bits,
                      "buckets", lg_result_buckets(&s->hist)));
    }
    return o;
}

json_t *lg_result_json(const struct lg_run *r)
{
    const struct lg_stats *s = &r->stats;
    json_t *errors = json_object();
    for (int e = 0; e < LG_ERR_COUNT; e++)
        json_object_set_new(errors, lg_error_names[e], json_integer((json_int_t)s->errors[e]));
    json_object_set_new(errors, "total", json_integer((json_int_t)lg_stats_errors_total(s)));

    json_t *status = json_object();
    for (int i = 0; i < LG_STATUS_SLOTS; i++) {
        if (s->status[i]) {
            char k[16];
            snprintf(k, sizeof k, "%d", i);
            json_object_set_new(status, k, json_integer((json_int_t)s->status[i]));
        }
    }

    json_t *timeline = json_array();
    for (size_t i = 0; i < s->nseconds; i++) {
        const struct lg_second *sec = &s->timeline[i];
        bool has = sec->latency.counts != NULL;
        json_t *e = json_pack("{s:I, s:I, s:I, s:I, s:I}", "second", (json_int_t)i, "requests",
                              (json_int_t)sec->requests, "errors", (json_int_t)sec->errors,
                              "p50_us",
                              (json_int_t)(has ? lg_hist_percentile(&sec->latency, 50) : 0),
                              "p99_us",
                              (json_int_t)(has ? lg_hist_percentile(&sec->latency, 99) : 0));
        json_object_set_new(e, "buckets", has ? lg_result_buckets(&sec->latency) : json_array());
        json_array_append_new(timeline, e);
    }

    json_t *config = json_pack(
        "{s:I, s:I, s:f, s:f, s:f, s:f, s:b, s:I}", "connections", (json_int_t)r->connections,
        "threads", (json_int_t)r->threads, "duration_s", r->duration_s, "warmup_s", r->warmup_s,
        "timeout_s", r->timeout_s, "rate", r->rate, "verify", r->verify, "tokens",
        (json_int_t)r->tokens);
    /* the schedule of an open loop: null in a closed loop, which has none */
    json_object_set_new(config, "arrivals",
                        r->arrivals[0] ? json_string(r->arrivals) : json_null());
    json_object_set_new(config, "seed", r->arrivals[0] ? json_integer((json_int_t)r->seed)
                                                       : json_null());

    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:o, s:f, s:I, s:I, s:I, s:o, s:o, s:I, s:f, s:f, "
        "s:f, s:o, s:o, s:o, s:I}",
        "schema", LG_RESULT_SCHEMA, "tool", "loadgen", "version", ARCHBENCH_VERSION, "runs",
        (json_int_t)r->runs, "url", r->url, "mode", r->mode, "start_time", r->start_time,
        "config", config, "elapsed_s", r->elapsed_s, "requests", (json_int_t)s->requests,
        "successes", (json_int_t)s->successes, "warmup_responses",
        (json_int_t)r->warmup_responses, "errors", errors, "status", status, "bytes",
        (json_int_t)s->bytes, "requests_per_s", r->requests_per_s, "throughput_rps",
        r->successes_per_s, "bytes_per_s", r->bytes_per_s, "latency",
        lg_result_latency(&s->latency), "latency_uncorrected",
        lg_result_latency(&s->uncorrected), "timeline", timeline, "timeline_bits",
        (json_int_t)LG_HIST_TIMELINE_BITS);
    if (doc != NULL && s->steps.n > 0)
        json_object_set_new(doc, "server_timing", lg_result_steps(&s->steps));
    if (doc != NULL && s->steps.dropped > 0)
        json_object_set_new(doc, "server_timing_dropped",
                            json_integer((json_int_t)s->steps.dropped));
    return doc;
}

bool lg_result_write_json(const struct lg_run *r, const char *path, char *err, size_t errlen)
{
    json_t *doc = lg_result_json(r);
    if (doc == NULL) {
        snprintf(err, errlen, "out of memory building the JSON report");
        return false;
    }
    /* Written to a temporary name and renamed, so a reader never sees half a file. */
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int rc = json_dump_file(doc, tmp, JSON_COMPACT);
    json_decref(doc);
    if (rc != 0 || rename(tmp, path) != 0) {
        snprintf(err, errlen, "write %s: %s", path, strerror(errno));
        remove(tmp);
        return false;
    }
    return true;
}

/* ---- JSON in ---------------------------------------------------------------- */

static bool lg_result_get_u64(const json_t *o, const char *key, uint64_t *v, char *err,
                              size_t errlen)
{
    json_t *x = json_object_get(o, key);
    if (!json_is_integer(x) || json_integer_value(x) < 0) {
        snprintf(err, errlen, "'%s' is missing or not a non-negative integer", key);
        return false;
    }
    *v = (uint64_t)json_integer_value(x);
    return true;
}

static bool lg_result_get_num(const json_t *o, const char *key, double *v, char *err,
                              size_t errlen)
{
    json_t *x = json_object_get(o, key);
    if (!json_is_number(x)) {
        snprintf(err, errlen, "'%s' is missing or not a number", key);
        return false;
    }
    *v = json_number_value(x);
    return true;
}

static bool lg_result_read_buckets(const json_t *arr, struct lg_hist *h, char *err,
                                   size_t errlen)
{
    if (!json_is_array(arr)) {
        snprintf(err, errlen, "'buckets' is not an array");
        return false;
    }
    size_t i;
    json_t *b;
    json_array_foreach(arr, i, b) {
        json_t *v = json_array_get(b, 0), *n = json_array_get(b, 1);
        if (json_array_size(b) != 2 || !json_is_integer(v) || !json_is_integer(n) ||
            json_integer_value(v) < 0 || json_integer_value(n) < 0 ||
            (uint64_t)json_integer_value(v) > LG_HIST_MAX_US) {
            snprintf(err, errlen, "bucket %zu is not [value_us, count] within range", i);
            return false;
        }
        lg_hist_record_n(h, (uint64_t)json_integer_value(v), (uint64_t)json_integer_value(n));
    }
    return true;
}

static bool lg_result_read_latency(const json_t *o, struct lg_hist *h, char *err, size_t errlen)
{
    const json_t *hist = json_object_get(o, "histogram");
    json_t *bits = json_object_get(hist, "bits");
    if (!json_is_object(o) || !json_is_object(hist) || !json_is_integer(bits) ||
        json_integer_value(bits) != (json_int_t)h->bits) {
        snprintf(err, errlen, "latency histogram missing or not %u-bit", h->bits);
        return false;
    }
    if (!lg_result_read_buckets(json_object_get(hist, "buckets"), h, err, errlen))
        return false;
    /* The exact extremes travel beside the buckets (buckets only know their range). */
    uint64_t count, min, max, clamped;
    if (!lg_result_get_u64(o, "count", &count, err, errlen) ||
        !lg_result_get_u64(o, "min", &min, err, errlen) ||
        !lg_result_get_u64(o, "max", &max, err, errlen) ||
        !lg_result_get_u64(hist, "clamped", &clamped, err, errlen))
        return false;
    if (count != h->total) {
        snprintf(err, errlen, "latency count %llu does not match its buckets (%llu)",
                 (unsigned long long)count, (unsigned long long)h->total);
        return false;
    }
    if (h->total > 0) {
        if (lg_hist_slot(h->bits, min) != lg_hist_slot(h->bits, h->min) ||
            lg_hist_slot(h->bits, max) != lg_hist_slot(h->bits, h->max)) {
            snprintf(err, errlen, "latency min/max do not match the buckets");
            return false;
        }
        h->min = min;
        h->max = max;
    }
    h->clamped = clamped;
    return true;
}

static char *lg_result_dup(const json_t *o, const char *key, char *err, size_t errlen)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (s == NULL) {
        snprintf(err, errlen, "'%s' is missing or not a string", key);
        return NULL;
    }
    char *d = strdup(s);
    if (d == NULL)
        snprintf(err, errlen, "out of memory");
    return d;
}

/* The run's description: url, mode, start time, runs and the "config" object. */
static bool lg_result_read_config(const json_t *j, const json_t *cfg, struct lg_run *r,
                                  char *err, size_t errlen)
{
    uint64_t u;
    if (!(r->url = lg_result_dup(j, "url", err, errlen)) ||
        !(r->mode = lg_result_dup(j, "mode", err, errlen)) ||
        !(r->start_time = lg_result_dup(j, "start_time", err, errlen)))
        return false;
    if (!lg_result_get_u64(j, "runs", &u, err, errlen))
        return false;
    r->runs = (unsigned)u;
    if (!lg_result_get_u64(cfg, "connections", &u, err, errlen))
        return false;
    r->connections = (unsigned)u;
    if (!lg_result_get_u64(cfg, "threads", &u, err, errlen))
        return false;
    r->threads = (unsigned)u;
    if (!lg_result_get_u64(cfg, "tokens", &u, err, errlen))
        return false;
    r->tokens = u;
    json_t *verify = json_object_get(cfg, "verify");
    if (!json_is_boolean(verify)) {
        snprintf(err, errlen, "'verify' is missing or not a boolean");
        return false;
    }
    r->verify = json_is_true(verify);
    if (!lg_result_get_num(cfg, "duration_s", &r->duration_s, err, errlen) ||
        !lg_result_get_num(cfg, "warmup_s", &r->warmup_s, err, errlen) ||
        !lg_result_get_num(cfg, "timeout_s", &r->timeout_s, err, errlen) ||
        !lg_result_get_num(cfg, "rate", &r->rate, err, errlen))
        return false;
    /* optional: files written before the schedules had names are uniform */
    const char *arrivals = json_string_value(json_object_get(cfg, "arrivals"));
    snprintf(r->arrivals, sizeof r->arrivals, "%s",
             arrivals ? arrivals : r->rate > 0 ? "uniform" : "");
    json_t *seed = json_object_get(cfg, "seed");
    r->seed = json_is_integer(seed) ? (unsigned long long)json_integer_value(seed) : 0;
    return true;
}

/* The totals: rates, counts, errors by class, status counts, both latencies. */
static bool lg_result_read_totals(const json_t *j, const json_t *errors, const json_t *status,
                                  struct lg_run *r, char *err, size_t errlen)
{
    uint64_t u;
    struct lg_stats *s = &r->stats;
    if (!lg_result_get_num(j, "elapsed_s", &r->elapsed_s, err, errlen) ||
        !lg_result_get_num(j, "requests_per_s", &r->requests_per_s, err, errlen) ||
        !lg_result_get_num(j, "throughput_rps", &r->successes_per_s, err, errlen) ||
        !lg_result_get_num(j, "bytes_per_s", &r->bytes_per_s, err, errlen))
        return false;
    if (!lg_result_get_u64(j, "requests", &s->requests, err, errlen) ||
        !lg_result_get_u64(j, "successes", &s->successes, err, errlen) ||
        !lg_result_get_u64(j, "bytes", &s->bytes, err, errlen) ||
        !lg_result_get_u64(j, "warmup_responses", &u, err, errlen))
        return false;
    r->warmup_responses = u;
    for (int e = 0; e < LG_ERR_COUNT; e++)
        if (!lg_result_get_u64(errors, lg_error_names[e], &s->errors[e], err, errlen))
            return false;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)status, key, val) {
        char *end;
        long code = strtol(key, &end, 10);
        if (*end != '\0' || code < 100 || code >= LG_STATUS_SLOTS || !json_is_integer(val) ||
            json_integer_value(val) < 0) {
            snprintf(err, errlen, "bad status count '%s'", key);
            return false;
        }
        s->status[code] = (uint64_t)json_integer_value(val);
    }
    return lg_result_read_latency(json_object_get(j, "latency"), &s->latency, err, errlen) &&
           lg_result_read_latency(json_object_get(j, "latency_uncorrected"), &s->uncorrected,
                                  err, errlen);
}

/* The per-second timeline, each second with its own small histogram. */
static bool lg_result_read_timeline(const json_t *j, const json_t *timeline, struct lg_stats *s,
                                    char *err, size_t errlen)
{
    json_t *tb = json_object_get(j, "timeline_bits");
    if (!json_is_integer(tb) || json_integer_value(tb) != LG_HIST_TIMELINE_BITS) {
        snprintf(err, errlen, "timeline histograms are not %d-bit", LG_HIST_TIMELINE_BITS);
        return false;
    }
    if (!lg_stats_grow(s, json_array_size(timeline))) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    size_t i;
    json_t *val;
    json_array_foreach(timeline, i, val) {
        struct lg_second *sec = &s->timeline[i];
        if (!lg_result_get_u64(val, "requests", &sec->requests, err, errlen) ||
            !lg_result_get_u64(val, "errors", &sec->errors, err, errlen))
            return false;
        json_t *b = json_object_get(val, "buckets");
        if (json_array_size(b) == 0)
            continue;
        if (!lg_hist_init(&sec->latency, LG_HIST_TIMELINE_BITS)) {
            snprintf(err, errlen, "out of memory");
            return false;
        }
        if (!lg_result_read_buckets(b, &sec->latency, err, errlen))
            return false;
    }
    return true;
}

/* The optional "server_timing" object, step by step. */
static bool lg_result_read_steps(const json_t *j, struct lg_steps *st, char *err, size_t errlen)
{
    const json_t *o = json_object_get(j, "server_timing");
    json_t *dropped = json_object_get(j, "server_timing_dropped");
    if (json_is_integer(dropped) && json_integer_value(dropped) > 0)
        st->dropped = (uint64_t)json_integer_value(dropped);
    if (o == NULL)
        return true;
    if (!json_is_object(o)) {
        snprintf(err, errlen, "'server_timing' is not an object");
        return false;
    }
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)o, name, v) {
        const json_t *hist = json_object_get(v, "histogram");
        json_t *bits = json_object_get(hist, "bits");
        double sum_ms;
        uint64_t count;
        if (!json_is_integer(bits) || json_integer_value(bits) != LG_HIST_BITS) {
            snprintf(err, errlen, "server_timing '%s': histogram missing or not %d-bit", name,
                     LG_HIST_BITS);
            return false;
        }
        if (!lg_result_get_num(v, "sum_ms", &sum_ms, err, errlen) ||
            !lg_result_get_u64(v, "count", &count, err, errlen))
            return false;
        struct lg_step *s = lg_steps_get(st, name, strlen(name));
        if (s == NULL || s->hist.total != 0) {
            snprintf(err, errlen, "server_timing '%s': %s", name,
                     s ? "named twice" : "name too long, too many names or out of memory");
            return false;
        }
        if (!lg_result_read_buckets(json_object_get(hist, "buckets"), &s->hist, err, errlen))
            return false;
        if (s->hist.total != count) {
            snprintf(err, errlen, "server_timing '%s': count does not match its buckets", name);
            return false;
        }
        s->sum_ns = sum_ms > 0 ? (uint64_t)(sum_ms * 1e6 + 0.5) : 0;
    }
    return true;
}

bool lg_result_from_json(const json_t *j, struct lg_run *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    if (!lg_stats_init(&r->stats, 0)) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    const char *schema = json_string_value(json_object_get(j, "schema"));
    if (schema == NULL || strcmp(schema, LG_RESULT_SCHEMA) != 0) {
        snprintf(err, errlen, "not a loadgen report (schema is not %s)", LG_RESULT_SCHEMA);
        return false;
    }
    const json_t *cfg = json_object_get(j, "config");
    const json_t *errors = json_object_get(j, "errors");
    const json_t *status = json_object_get(j, "status");
    const json_t *timeline = json_object_get(j, "timeline");
    if (!json_is_object(cfg) || !json_is_object(errors) || !json_is_object(status) ||
        !json_is_array(timeline)) {
        snprintf(err, errlen, "config, errors, status or timeline missing");
        return false;
    }
    return lg_result_read_config(j, cfg, r, err, errlen) &&
           lg_result_read_totals(j, errors, status, r, err, errlen) &&
           lg_result_read_timeline(j, timeline, &r->stats, err, errlen) &&
           lg_result_read_steps(j, &r->stats.steps, err, errlen);
}

/* ---- merge ------------------------------------------------------------------ */

static bool lg_result_merge_str(char **dst, const char *src, const char *differ)
{
    if (strcmp(*dst, src) == 0)
        return true;
    char *d = strdup(differ);
    if (d == NULL)
        return false;
    free(*dst);
    *dst = d;
    return true;
}

bool lg_result_merge(struct lg_run *dst, const struct lg_run *src, char *err, size_t errlen)
{
    if (!lg_result_merge_str(&dst->url, src->url, "(several URLs)") ||
        !lg_result_merge_str(&dst->mode, src->mode, "mixed")) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    if (strcmp(src->start_time, dst->start_time) < 0) {
        char *d = strdup(src->start_time);
        if (d == NULL) {
            snprintf(err, errlen, "out of memory");
            return false;
        }
        free(dst->start_time);
        dst->start_time = d;
    }
    dst->runs += src->runs;
    dst->connections += src->connections;
    dst->threads += src->threads;
    dst->rate += src->rate;
    if (strcmp(dst->arrivals, src->arrivals) != 0)
        snprintf(dst->arrivals, sizeof dst->arrivals, "%s",
                 dst->arrivals[0] && src->arrivals[0] ? "mixed" : dst->arrivals[0] ? dst->arrivals
                                                                                   : src->arrivals);
    dst->duration_s = fmax(dst->duration_s, src->duration_s);
    dst->warmup_s = fmax(dst->warmup_s, src->warmup_s);
    dst->timeout_s = fmax(dst->timeout_s, src->timeout_s);
    dst->elapsed_s = fmax(dst->elapsed_s, src->elapsed_s);
    dst->verify = dst->verify && src->verify;
    if (src->tokens > dst->tokens)
        dst->tokens = src->tokens;
    dst->requests_per_s += src->requests_per_s;
    dst->successes_per_s += src->successes_per_s;
    dst->bytes_per_s += src->bytes_per_s;
    dst->warmup_responses += src->warmup_responses;
    if (!lg_stats_add(&dst->stats, &src->stats)) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    return true;
}
