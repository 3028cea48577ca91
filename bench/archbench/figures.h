/* The numbers a report quotes, computed from run.json alone: medians over
 * repeats per architecture and scenario. Missing values are NAN (a scenario the
 * profile did not run, an architecture left out); the report prints them as
 * "n/a", never as nan. */
#ifndef ARCHBENCH_FIGURES_H
#define ARCHBENCH_FIGURES_H

#include <jansson.h>
#include <stdbool.h>

#include "scenario.h"
#include "steps.h"
#include "sut.h"

#define FIGURES_MAX_CONNS 8
#define FIGURES_MAX_RATES 8
#define FIGURES_MAX_SCALE 4

/* The serverless cold starts inside one open-loop scenario (cascade.h). */
struct cascade_figures {
    bool watched;                  /* the run counted them */
    unsigned cold, warmup_cold;    /* in the measured window, and in its warm-up */
    int first, last;               /* the cascade window's seconds; -1 without one */
    double p99_ms;                 /* from the per-second histograms, all seconds */
    double p99_outside_ms;         /* ... outside the window (NAN: no second outside) */
};

/* A ratio to the monolith, per interleaved round, then the median of the rounds'. */
struct round_ratio {
    unsigned n;                    /* rounds with both architectures */
    double median, min, max;
};

struct arch_figures {
    bool present;
    const char *name;
    /* a target (archbench run --target): its command or URL; a URL target ran
     * elsewhere, so its CPU, memory, processes and start-up are NAN / 0 */
    bool target, remote;
    const char *spec;
    bool check_skipped;                  /* --no-check */
    unsigned check_passed, check_failed;
    unsigned nconns;
    unsigned conns[FIGURES_MAX_CONNS];   /* closed-loop concurrencies, ascending */
    double thr[FIGURES_MAX_CONNS];       /* median verified req/s */
    double thr_min[FIGURES_MAX_CONNS], thr_max[FIGURES_MAX_CONNS];
    double thr_ci_lo[FIGURES_MAX_CONNS], thr_ci_hi[FIGURES_MAX_CONNS]; /* 95 % of the mean */
    unsigned repeats;
    double floor_p50_ms, floor_p99_ms;   /* 1 connection */
    double eq_rate, eq_thr;              /* offered and achieved at equal load */
    double eq_p50_ms, eq_p90_ms, eq_p99_ms, eq_p999_ms, eq_max_ms;
    double eq_p99_uncorrected_ms;
    double cpu_us;                       /* server CPU per request, headline concurrency */
    /* The same by process (sut_processes' names and order); nprocesses is 0 when the
     * run did not record the split. */
    unsigned nprocesses;
    const char *process_name[SUT_MAX_PROCESSES];
    const char *own_process[2];          /* a target's list of names: itself, NULL */
    double process_cpu_us[SUT_MAX_PROCESSES];
    double process_floor_cpu_us[SUT_MAX_PROCESSES]; /* the same at 1 connection, or NAN */
    double cpu_min, cpu_max;             /* ... its range over the rounds */
    struct round_ratio thr_ratio, cpu_ratio; /* headline throughput and CPU ÷ the monolith's */
    double peak_rss_mb, idle_rss_mb;
    double peak_pss_mb, idle_pss_mb;     /* PSS: shared pages counted once over the group */
    /* equal utilisation: open loop at util_share of its own headline throughput */
    double util_rate, util_thr, util_p50_ms, util_p99_ms, util_p999_ms;
    struct cascade_figures eq_cascade, util_cascade;
    unsigned long long measured_cold;    /* cold starts in every measured window ... */
    double measured_requests;            /* ... and the requests of those windows */
    unsigned processes;                  /* most processes seen at once */
    double startup_ms;
    unsigned long long requests, errors, verify_errors;
    unsigned ncurve;                     /* open-loop points, by offered rate */
    double curve_offered[FIGURES_MAX_RATES], curve_thr[FIGURES_MAX_RATES],
        curve_p99_ms[FIGURES_MAX_RATES];
    unsigned nscale;
    unsigned scale_users[FIGURES_MAX_SCALE];
    double scale_thr[FIGURES_MAX_SCALE];
    /* fault scenario (full profile or --faults) */
    bool has_fault;
    const char *fault_what;
    double fault_recovery_ms, fault_error_rate;
    unsigned long long fault_requests, fault_errors;
    /* serverless only */
    bool has_cold;
    double cold_p50_ms[MODE_N], cold_p90_ms[MODE_N], warm_p50_ms[MODE_N], init_p50_ms[MODE_N];
    unsigned cold_n[MODE_N];
    double duration_p50_ms, billed_mean_ms;
    unsigned memory_mb, max_memory_used_mb;
    /* the request step by step at the latency floor (architectures only) */
    struct steps_figures steps;
};

/* One real exchange with the endpoint (run.json "exchange"): its strings are
 * NULL in a run from before it was recorded. */
struct exchange_figures {
    const char *url, *token, *content_type, *body;
    int status;
    const char *denied_type, *denied_body, *denied_challenge;
    int denied_status;
};

struct run_figures {
    const char *profile, *date, *cpu_model, *kernel, *commit, *memory;
    long long cores;
    char load_cpus[64], sut_cpus[64];
    unsigned users;
    unsigned long long seed;             /* of the dataset */
    double equal_rate, wall_s, util_share;
    bool complete;
    bool hosts;      /* archbench run --hosts: every process on a host of its own */
    double rtt_ms;   /* --rtt: added to every round trip between those hosts */
    /* the machine: calibrations before every round, steal over the run */
    unsigned ncalib;
    double calib_min_ms, calib_max_ms, speed_change; /* slowest / fastest - 1 */
    double steal, sut_busy;              /* fractions, system-under-test CPUs */
    bool drift_warning;
    unsigned rounds;                     /* interleaved rounds of the headline scenario */
    json_t *libraries; /* borrowed from the document */
    struct exchange_figures exchange;
    bool data_given;   /* archbench run --data: a dataset seeded elsewhere */
    const char *data_dir;
    /* the architectures at their enum sut_arch index, then the targets in the
     * run's order from SUT_NARCH on */
    struct arch_figures arch[SUT_MAX];
    /* targets left out because they failed archbench check */
    unsigned nunmeasured;
    struct unmeasured {
        const char *name, *spec;
        unsigned passed, failed;
    } unmeasured[SUT_MAX_TARGETS];
};

/* Fills m from a run.json document (kept alive by the caller: strings point into
 * it). Returns false with err set when the document is not an archbench run. */
bool figures_from_run(json_t *doc, struct run_figures *m, char *err, size_t errlen);

/* Median of n values (sorted in place). NAN for n == 0. */
double figures_median(double *v, unsigned n);

/* Architecture or target a's figures, or NULL when the run left it out. */
const struct arch_figures *figures_arch(const struct run_figures *m, int a);

/* The figures of the system called name (an architecture or a target), or NULL. */
const struct arch_figures *figures_arch_named(const struct run_figures *m, const char *name);

/* a's median throughput at `conns` connections; NAN when a is NULL or did not run
 * that concurrency. */
double figures_thr_at(const struct arch_figures *a, unsigned conns);

/* figures_thr_at the headline concurrency (SCENARIO_HEADLINE_CONNS). */
double figures_headline_thr(const struct arch_figures *a);

/* The closed-loop concurrencies of every architecture present, each once, in the
 * order first seen (at most cap). Returns how many. */
unsigned figures_all_conns(const struct run_figures *m, unsigned *out, unsigned cap);

#endif
