/* Monotonic time: the one clock every program measures intervals with
 * (CLOCK_MONOTONIC, so wall-clock steps never show up as latency). */
#ifndef ARCHBENCH_CLOCK_H
#define ARCHBENCH_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t clock_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t clock_now_us(void) { return clock_now_ns() / 1000u; }

static inline double clock_now_ms(void) { return (double)clock_now_ns() / 1e6; }

static inline double clock_now_s(void) { return (double)clock_now_ns() / 1e9; }

#endif
