/* xorshift128+: the fast per-thread generator for ids that must be unique, not
 * secret (request ids, W3C trace and span ids). Seed it from the kernel
 * (rng_seed), one state per thread: it has no lock. */
#ifndef ARCHBENCH_RNG_H
#define ARCHBENCH_RNG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/random.h>

static inline uint64_t rng_next(uint64_t s[2])
{
    uint64_t a = s[0], b = s[1];
    s[0] = b;
    a ^= a << 23;
    s[1] = a ^ b ^ (a >> 17) ^ (b >> 26);
    return s[1] + b;
}

/* Seeds s from getrandom(2); false when the kernel gave no random bytes. */
static inline bool rng_seed(uint64_t s[2])
{
    if (getrandom(s, 2 * sizeof *s, 0) != (ssize_t)(2 * sizeof *s))
        return false;
    s[0] |= 1; /* xorshift must not start from all zeros */
    return true;
}

#endif
