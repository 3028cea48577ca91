/* How steady the machine was during a run: a fixed calibration workload timed on
 * the system-under-test CPU before every round, and the CPU time /proc/stat counts
 * as stolen by the hypervisor (and busy) on those CPUs. A virtual machine's speed
 * drifts; when it moved more than DRIFT_SPEED_LIMIT or steal exceeded
 * DRIFT_STEAL_LIMIT, the run's figures must not be compared, and the report and
 * `make bench` say so. */
#ifndef ARCHBENCH_DRIFT_H
#define ARCHBENCH_DRIFT_H

#include <sched.h>
#include <stdbool.h>

/* The warning's thresholds: speed change (slowest calibration over fastest,
 * minus one) and steal time, as fractions. */
#define DRIFT_SPEED_LIMIT 0.10
#define DRIFT_STEAL_LIMIT 0.05

/* One calibration: DRIFT_SAMPLES timings of the same fixed work. */
#define DRIFT_SAMPLES 5

/* What the calibration computes: integer mixing and lookups in a 64 KiB table, a
 * fixed number of times (about 25 ms here), for run.json. */
extern const char drift_workload[];

/* Runs the workload DRIFT_SAMPLES times on the first CPU of `cpus` (the calling
 * thread moves there and back); each sample's wall time in ms into samples.
 * Returns their median. */
double drift_calibrate(const cpu_set_t *cpus, double samples[DRIFT_SAMPLES]);

/* /proc/stat's counters summed over a set of CPUs, in clock ticks. */
struct drift_cpu {
    unsigned long long total, busy, steal;
};

/* Reads them now; false when /proc/stat cannot be read. */
bool drift_cpu_read(const cpu_set_t *cpus, struct drift_cpu *out);

/* Between two readings: steal and busy time (user, nice, system, irq, softirq)
 * as fractions of all the time; NAN when no time passed. */
double drift_steal(const struct drift_cpu *before, const struct drift_cpu *after);
double drift_busy(const struct drift_cpu *before, const struct drift_cpu *after);

/* The speed change over a run's calibrations (ms): slowest / fastest - 1. */
double drift_speed_change(const double *ms, unsigned n);

/* Whether a run with this speed change and steal must not be compared. */
bool drift_warns(double speed_change, double steal);

#endif
