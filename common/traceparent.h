/* W3C Trace Context (https://www.w3.org/TR/trace-context/): the traceparent header
 * that lets a request be followed across processes ("00-<trace-id>-<parent-id>-
 * <flags>"). The gateway and faas accept a valid one from the client or start a
 * trace, and pass it on with their own span as the parent: to the services in a
 * header, to the function in its event (and, as Lambda does, in the Runtime
 * API's Lambda-Runtime-Trace-Id in X-Ray's form). Nothing is recorded or
 * sampled here: the ids are logged beside the request id. */
#ifndef ARCHBENCH_TRACEPARENT_H
#define ARCHBENCH_TRACEPARENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACEPARENT_HEADER "traceparent"
#define TRACESTATE_HEADER "tracestate"
#define TRACEPARENT_LEN 55 /* version 00, without the NUL */
#define TRACESTATE_MAX 512 /* W3C: a vendor may drop a longer tracestate */

struct traceparent {
    char trace_id[33];  /* 32 lower-case hex digits, not all zero */
    char parent_id[17]; /* 16 lower-case hex digits, not all zero */
    unsigned char flags;
};

/* A received traceparent, as W3C says to read it: version 00 exactly 55
 * characters; a higher version (not ff) at least that long, its fields read the
 * same way and followed by the end or a '-'; lower-case hex only; neither id all
 * zeros. False for anything else (the caller then starts a new trace). */
bool traceparent_parse(const char *value, struct traceparent *out);

/* A new trace from 128 random bits (made non-zero) with flags 00. */
void traceparent_start(struct traceparent *out, uint64_t hi, uint64_t lo);

/* A new trace whose first 8 digits are the current Unix time in seconds and the
 * other 24 random (r1's low 32 bits, r2): the trace id X-Ray also accepts, since
 * it reads those digits as the trace's start (AWS generates W3C ids so). */
void traceparent_start_now(struct traceparent *out, uint64_t r1, uint64_t r2);

/* The same trace with span (made non-zero) as the parent: what a caller sends on. */
void traceparent_child(const struct traceparent *in, uint64_t span, struct traceparent *out);

/* The header value (version 00), TRACEPARENT_LEN characters and a NUL. */
void traceparent_format(const struct traceparent *tp, char out[TRACEPARENT_LEN + 1]);

/* The same ids as an X-Ray trace header, the form of Lambda's
 * Lambda-Runtime-Trace-Id: "Root=1-<first 8 hex>-<other 24>;Parent=<16>;Sampled=<0|1>"
 * (X-Ray's trace id is the W3C one cut after its first 8 digits). */
#define TRACEPARENT_XRAY_LEN 74
void traceparent_xray(const struct traceparent *tp, char out[TRACEPARENT_XRAY_LEN + 1]);

/* A tracestate value worth passing on with a valid traceparent: 1..TRACESTATE_MAX
 * printable ASCII characters (W3C lets a vendor drop anything else). */
bool traceparent_state_ok(const char *value);

#endif
