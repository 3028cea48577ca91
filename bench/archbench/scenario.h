/* The scenarios of a run as run.json names them, and the parameters the report
 * describes in words: run.c runs and names them, figures.c finds them by these
 * names and report.c quotes these parameters, so all three take them from here. */
#ifndef ARCHBENCH_SCENARIO_H
#define ARCHBENCH_SCENARIO_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Latency floor: 1 connection, closed loop. */
#define SCENARIO_FLOOR "floor"
/* Equal load: open loop at the same rate for every architecture. */
#define SCENARIO_EQUAL "equal"
/* Equal utilisation: open loop at SCENARIO_UTIL_SHARE of the architecture's own
 * headline throughput (its median over the rounds), so tails compare at the same
 * utilisation rather than at the same rate. */
#define SCENARIO_UTIL "util"
#define SCENARIO_UTIL_SHARE 0.5
/* Unrecorded load after each start. */
#define SCENARIO_WARMUP "warmup"
/* Fault injection: recorded as the architecture's "fault", not among its scenarios. */
#define SCENARIO_FAULT "fault"

/* The concurrency of the headline figures: the summary's throughput and CPU per
 * request, the ratios between architectures, the base of the equal-load rate;
 * the fault and dataset-size scenarios run at it too. */
#define SCENARIO_HEADLINE_CONNS 64

/* The equal-load rate as a share of the slowest architecture's headline
 * throughput (the report says "half"): below every architecture's saturation. */
#define SCENARIO_EQUAL_SHARE 0.5

/* The fault scenario: the headline concurrency for 6 s, the kill 2 s in; the
 * recovery is timed with a probe every 2 ms, for at most 10 s. */
#define SCENARIO_FAULT_DURATION_S 6
#define SCENARIO_FAULT_AT_S 2
#define SCENARIO_FAULT_PROBE_MS 2
#define SCENARIO_FAULT_RECOVERY_LIMIT_S 10

/* The cold-start phase: faas's idle timeout, short so that every instance has
 * stopped before the next cold start. */
#define SCENARIO_COLD_IDLE_TIMEOUT_MS 100

/* faas's default --memory-mb, which archbench run leaves as it is: the memory size
 * the caveats quote Lambda's CPU share for. */
#define SCENARIO_FAAS_MEMORY_MB 128

/* The cold-start phase runs once per faas start mode, in this order; run.json
 * keeps each under its faas --start name. */
enum { MODE_EXEC, MODE_FORK_SERVER, MODE_N };

static inline const char *scenario_start_mode(int mode)
{
    return mode == MODE_EXEC ? "exec" : "fork-server";
}

/* "c64": closed loop at 64 connections. */
static inline void scenario_closed_name(char *out, size_t len, unsigned conns)
{
    snprintf(out, len, "c%u", conns);
}

static inline bool scenario_closed_parse(const char *name, unsigned *conns)
{
    return sscanf(name, "c%u", conns) == 1;
}

/* "rate25": open loop at 25 % of the equal-load base rate. */
static inline void scenario_rate_name(char *out, size_t len, double share)
{
    snprintf(out, len, "rate%.0f", share * 100);
}

/* "scale-1000000": the headline concurrency against a dataset of that many users. */
static inline void scenario_scale_name(char *out, size_t len, unsigned users)
{
    snprintf(out, len, "scale-%u", users);
}

static inline bool scenario_scale_parse(const char *name, unsigned *users)
{
    if (strncmp(name, "scale-", 6) != 0)
        return false;
    *users = (unsigned)atoi(name + 6);
    return true;
}

#endif
