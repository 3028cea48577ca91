/* Prometheus text-format metrics (see metrics.h). */
#include "metrics.h"

#include <stdlib.h>

#include "server.h"

/* 50 µs .. 10 s: the services answer in tens of microseconds when healthy, and the
 * gateway's failures end at its timeout (1 s by default). */
const uint64_t metrics_bucket_us[METRICS_NBUCKETS] = {
    50,     100,    250,    500,     1000,    2500,    5000,    10000,    25000,
    50000,  100000, 250000, 500000,  1000000, 2500000, 5000000, 10000000,
};

void metrics_observe(struct metrics_histogram *h, uint64_t us)
{
    size_t i = 0;
    while (i < METRICS_NBUCKETS && us > metrics_bucket_us[i])
        i++;
    metrics_add(&h->bucket[i], 1);
    metrics_add(&h->sum_us, us);
}

void metrics_http_record(struct metrics_http *m, unsigned status, uint64_t elapsed_us)
{
    unsigned slot = status >= 100 && status < 100 + METRICS_NSTATUS - 1
                        ? status - 100
                        : METRICS_NSTATUS - 1;
    metrics_add(&m->responses[slot], 1);
    metrics_observe(&m->latency, elapsed_us);
}

static uint64_t load(const _Atomic uint64_t *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

void metrics_write_http(FILE *f, const char *service, struct metrics_http *const *threads,
                        size_t n)
{
    fprintf(f, "# HELP archbench_http_responses_total HTTP responses sent, by status.\n"
               "# TYPE archbench_http_responses_total counter\n");
    for (unsigned slot = 0; slot < METRICS_NSTATUS; slot++) {
        uint64_t total = 0;
        for (size_t t = 0; t < n; t++)
            total += load(&threads[t]->responses[slot]);
        if (total == 0)
            continue;
        if (slot == METRICS_NSTATUS - 1)
            fprintf(f, "archbench_http_responses_total{service=\"%s\",code=\"none\"} %llu\n",
                    service, (unsigned long long)total);
        else
            fprintf(f, "archbench_http_responses_total{service=\"%s\",code=\"%u\"} %llu\n",
                    service, slot + 100, (unsigned long long)total);
    }
    struct metrics_histogram *h[n ? n : 1];
    for (size_t t = 0; t < n; t++)
        h[t] = &threads[t]->latency;
    metrics_write_histogram_header(
        f, "archbench_http_request_duration_seconds",
        "Time from a request's headers to the end of its response.");
    char labels[128];
    snprintf(labels, sizeof labels, "service=\"%s\"", service);
    metrics_write_histogram(f, "archbench_http_request_duration_seconds", labels, h, n);
}

void metrics_write_histogram_header(FILE *f, const char *name, const char *help)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
}

void metrics_write_histogram(FILE *f, const char *name, const char *labels,
                             struct metrics_histogram *const *h, size_t n)
{
    const char *sep = labels[0] ? "," : "";
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= METRICS_NBUCKETS; b++) {
        for (size_t t = 0; t < n; t++)
            cumulative += load(&h[t]->bucket[b]);
        if (b < METRICS_NBUCKETS)
            fprintf(f, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, sep,
                    (double)metrics_bucket_us[b] / 1e6, (unsigned long long)cumulative);
        else
            fprintf(f, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep,
                    (unsigned long long)cumulative);
    }
    uint64_t sum = 0;
    for (size_t t = 0; t < n; t++)
        sum += load(&h[t]->sum_us);
    fprintf(f, "%s_sum{%s} %.6f\n%s_count{%s} %llu\n", name, labels, (double)sum / 1e6, name,
            labels, (unsigned long long)cumulative);
}

enum MHD_Result metrics_reply(struct MHD_Connection *conn, char *text, size_t len)
{
    return server_reply_owned(conn, MHD_HTTP_OK, "text/plain; version=0.0.4", text, len);
}

struct metrics_http **metrics_http_new(unsigned nthreads)
{
    struct metrics_http **m = calloc(nthreads, sizeof *m);
    if (m == NULL)
        return NULL;
    for (unsigned i = 0; i < nthreads; i++)
        if ((m[i] = calloc(1, sizeof **m)) == NULL) {
            metrics_http_free(m, nthreads);
            return NULL;
        }
    return m;
}

void metrics_http_free(struct metrics_http **m, unsigned nthreads)
{
    if (m == NULL)
        return;
    for (unsigned i = 0; i < nthreads; i++)
        free(m[i]);
    free(m);
}
