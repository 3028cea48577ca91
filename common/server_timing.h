/* W3C Server Timing (https://www.w3.org/TR/server-timing/): the steps a server
 * timed for one request, written as a Server-Timing header ("auth;dur=0.012,
 * db;dur=0.004"), and such a header read back, by the gateway and faas (which
 * relay what their callees timed) and by loadgen (which aggregates the steps).
 * Pure functions over bytes, no allocation: they sit on every request's path. */
#ifndef ARCHBENCH_SERVER_TIMING_H
#define ARCHBENCH_SERVER_TIMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERVER_TIMING_HEADER "Server-Timing"
#define SERVER_TIMING_MAX 16  /* entries per request; more are dropped */
#define SERVER_TIMING_NAME 16 /* a name's bytes with its NUL: "profile-service" fits */
/* The longest header server_timing_format writes: SERVER_TIMING_MAX entries and a
 * total, each at most 15 + ";dur=" + 20 digits + ", ". */
#define SERVER_TIMING_FORMAT_MAX ((SERVER_TIMING_MAX + 1) * 48)

struct server_timing_entry {
    char name[SERVER_TIMING_NAME];
    uint64_t ns;
};

/* One request's steps, in the order they were added. */
struct server_timing {
    unsigned n;
    struct server_timing_entry e[SERVER_TIMING_MAX];
};

/* Adds a step (a no-op on NULL, which is how a server with --no-server-timing
 * passes its timing around; a name of SERVER_TIMING_NAME bytes or more, or a
 * full list, drops the entry). */
void server_timing_add(struct server_timing *t, const char *name, uint64_t ns);

/* The header value: each entry as "name;dur=MS" with MS in milliseconds and three
 * decimals, ", " between them, then "total;dur=MS" when total_ns is not
 * UINT64_MAX. t may be NULL. Returns the length written (NUL-terminated); out
 * must hold SERVER_TIMING_FORMAT_MAX bytes. */
size_t server_timing_format(const struct server_timing *t, uint64_t total_ns, char *out);

/* Parses a Server-Timing field value (several field lines joined with commas are
 * one value), calling fn for every well-formed metric in order: its name (a
 * token, not NUL-terminated), and its first dur parameter in nanoseconds
 * (has_dur false when there is none or it is not a non-negative decimal number:
 * W3C reads such a duration as 0). Parameters may be tokens or quoted strings
 * (desc="a, b"); a malformed metric is skipped up to the next comma outside a
 * quoted string. fn returns false to stop. Returns the number of metrics passed
 * to fn. */
typedef bool (*server_timing_fn)(void *ctx, const char *name, size_t nlen, uint64_t dur_ns,
                                 bool has_dur);
unsigned server_timing_parse(const char *value, size_t len, server_timing_fn fn, void *ctx);

/* Relays a callee's Server-Timing value into t: every metric with a duration,
 * its "total" renamed total_as (dropped when total_as is NULL), each duration
 * capped at max_ns (what the caller itself saw the call take: a callee cannot
 * have spent longer than its call, and a lying or confused one must not make
 * the caller's header claim so). value may be NULL. Returns the entries added. */
unsigned server_timing_relay(struct server_timing *t, const char *value, const char *total_as,
                             uint64_t max_ns);

/* The duration of metric name in value, in nanoseconds: false when value is
 * NULL or has no such metric with a duration (tests and tools). */
bool server_timing_find(const char *value, const char *name, uint64_t *ns);

#endif
