/* Test support: Server-Timing as archbench's servers write it, checked. */
#ifndef ARCHBENCH_TEST_TIMING_H
#define ARCHBENCH_TEST_TIMING_H

#include "httpc.h"

/* NULL when r has exactly one Server-Timing header whose value is entries
 * "name;dur=D.DDD" (digits, a dot, three decimals) joined by ", ", with exactly
 * the names given (a NULL-terminated list) in that order, the last of them
 * "total", and no entry longer than total; else what is wrong (a static buffer). */
const char *timing_expect(const struct http_response *r, const char *const names[]);

/* Entry name of r's Server-Timing in milliseconds, or -1 when absent. */
double timing_ms(const struct http_response *r, const char *name);

/* Asserts timing_expect(r, the names...) with the reason on failure. */
#define assert_timing(r, ...)                                                           \
    do {                                                                                \
        const char *const names_[] = {__VA_ARGS__, NULL};                               \
        const char *why_ = timing_expect((r), names_);                                  \
        if (why_ != NULL)                                                               \
            fail_msg("Server-Timing: %s", why_);                                        \
    } while (0)

#endif
