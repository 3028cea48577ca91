/* The machine's drift (see drift.h). */
#include "drift.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

const char drift_workload[] =
    "2,000,000 steps of xorshift64 mixing with a load and a store in a 64 KiB table, "
    "timed 5 times on the first system-under-test CPU; the median wall time";

#define DRIFT_STEPS 2000000u
#define DRIFT_TABLE 8192u /* 64 KiB of uint64_t: L1/L2, not memory bandwidth */

/* The fixed work; the result keeps the compiler from dropping it. */
static uint64_t drift_work(void)
{
    static uint64_t table[DRIFT_TABLE];
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (unsigned i = 0; i < DRIFT_STEPS; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint64_t *slot = &table[x & (DRIFT_TABLE - 1)];
        *slot += x;
        x += *slot >> 3;
    }
    return x;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double drift_calibrate(const cpu_set_t *cpus, double samples[DRIFT_SAMPLES])
{
    cpu_set_t was, one;
    sched_getaffinity(0, sizeof was, &was);
    CPU_ZERO(&one);
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, cpus)) {
            CPU_SET(c, &one);
            break;
        }
    sched_setaffinity(0, sizeof one, &one);
    volatile uint64_t sink = 0;
    for (int i = 0; i < DRIFT_SAMPLES; i++) {
        double t = clock_now_ms();
        sink += drift_work();
        samples[i] = clock_now_ms() - t;
    }
    (void)sink;
    sched_setaffinity(0, sizeof was, &was);
    double sorted[DRIFT_SAMPLES];
    memcpy(sorted, samples, sizeof sorted);
    qsort(sorted, DRIFT_SAMPLES, sizeof sorted[0], cmp_double);
    return sorted[DRIFT_SAMPLES / 2];
}

bool drift_cpu_read(const cpu_set_t *cpus, struct drift_cpu *out)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen("/proc/stat", "r");
    if (f == NULL)
        return false;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        int cpu;
        /* user nice system idle iowait irq softirq steal */
        unsigned long long v[8] = {0};
        if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &v[0], &v[1],
                   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 9 || cpu < 0 ||
            cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, cpus))
            continue;
        for (int i = 0; i < 8; i++)
            out->total += v[i];
        out->busy += v[0] + v[1] + v[2] + v[5] + v[6];
        out->steal += v[7];
    }
    fclose(f);
    return out->total > 0;
}

static double share(unsigned long long part, const struct drift_cpu *a,
                    const struct drift_cpu *b)
{
    unsigned long long total = b->total - a->total;
    return total > 0 ? (double)part / (double)total : NAN;
}

double drift_steal(const struct drift_cpu *before, const struct drift_cpu *after)
{
    return share(after->steal - before->steal, before, after);
}

double drift_busy(const struct drift_cpu *before, const struct drift_cpu *after)
{
    return share(after->busy - before->busy, before, after);
}

double drift_speed_change(const double *ms, unsigned n)
{
    double lo = INFINITY, hi = 0;
    for (unsigned i = 0; i < n; i++)
        if (isfinite(ms[i]) && ms[i] > 0) {
            lo = fmin(lo, ms[i]);
            hi = fmax(hi, ms[i]);
        }
    return hi > 0 ? hi / lo - 1 : NAN;
}

bool drift_warns(double speed_change, double steal)
{
    return (isfinite(speed_change) && speed_change > DRIFT_SPEED_LIMIT) ||
           (isfinite(steal) && steal > DRIFT_STEAL_LIMIT);
}
