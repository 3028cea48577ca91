/* Prometheus text-format metrics for the services: responses by status and latency
 * histograms. Each worker thread owns its counters and is their only writer (relaxed
 * atomic load + store, no locked instruction on the hot path); a scrape sums the
 * threads' counters, so it may be a few requests behind but never torn. */
#ifndef ARCHBENCH_METRICS_H
#define ARCHBENCH_METRICS_H

#include <microhttpd.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Upper bounds of the histogram buckets in microseconds (+Inf is implicit). */
#define METRICS_NBUCKETS 17
extern const uint64_t metrics_bucket_us[METRICS_NBUCKETS];

struct metrics_histogram {
    _Atomic uint64_t bucket[METRICS_NBUCKETS + 1]; /* not cumulative; last is +Inf */
    _Atomic uint64_t sum_us;
};

/* Statuses 100..599 each get a counter; anything else (0: no response) is counted
 * under code="none". */
#define METRICS_NSTATUS 501

/* One worker thread's HTTP server counters. */
struct metrics_http {
    _Atomic uint64_t responses[METRICS_NSTATUS];
    struct metrics_histogram latency;
};

/* A single-writer increment: plain load and store, which is all one owner needs. */
static inline void metrics_add(_Atomic uint64_t *c, uint64_t n)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

/* One zeroed struct metrics_http per worker thread (NULL when out of memory), and
 * its release. */
struct metrics_http **metrics_http_new(unsigned nthreads);
void metrics_http_free(struct metrics_http **m, unsigned nthreads);

void metrics_observe(struct metrics_histogram *h, uint64_t us);

/* Counts one response (the server's request_done hook calls this). */
void metrics_http_record(struct metrics_http *m, unsigned status, uint64_t elapsed_us);

/* Writes archbench_http_responses_total{service,code} and
 * archbench_http_request_duration_seconds{service} summed over n threads. */
void metrics_write_http(FILE *f, const char *service, struct metrics_http *const *threads,
                        size_t n);

/* Writes the HELP and TYPE lines of a histogram family. */
void metrics_write_histogram_header(FILE *f, const char *name, const char *help);

/* Writes one histogram's series (name_bucket / _sum / _count) with extra labels
 * ("k=\"v\"", may be empty) summed over n per-thread histograms. */
void metrics_write_histogram(FILE *f, const char *name, const char *labels,
                             struct metrics_histogram *const *h, size_t n);

/* Queues text (malloc'd, ownership taken) as a 200 text/plain; version=0.0.4 answer. */
enum MHD_Result metrics_reply(struct MHD_Connection *conn, char *text, size_t len);

#endif
