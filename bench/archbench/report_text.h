/* Everything the report says in words, in English and in Spanish. Sentences with
 * numbers are printf formats whose arguments are already-formatted strings
 * (report.c formats numbers per language: 0.31 / 0,31). A format with more than
 * one argument numbers them (%1$s, %2$s, ...), so a translation may put them in
 * any order; it must use every one. Prices and published figures are arguments
 * too: they come from sources.c. */
#ifndef ARCHBENCH_REPORT_TEXT_H
#define ARCHBENCH_REPORT_TEXT_H

#include "sources.h"
#include "steps.h"

enum { LANG_EN, LANG_ES, LANG_N };

struct use_case {
    const char *text[LANG_N]; /* markdown, one paragraph */
    enum source_id source;
};

struct lang {
    const char *code;            /* "en", "es" */
    const char *file;            /* the report's file name */
    char decimal, group[4];      /* '.' ","  /  ',' "\u00a0" */
    unsigned group_min;          /* group thousands from this value on */
    const char *na;              /* a missing number */
    const char *pct;             /* a percentage: %s the number */
    const char *usd;             /* US dollars: %s the number */
    const char *title, *incomplete;
    const char *profile_gloss[3]; /* the profiles smoke, quick, full in words (NULL: the
                                   * name says it) */
    const char *generated;       /* %1$s profile, %2$s date, %3$s commit */
    const char *h_summary, *h_env, *h_method, *h_caveats, *h_charts, *h_arch[3], *h_use,
        *h_diff, *h_published, *h_reading, *h_errors, *h_glossary;
    const char *arch_name[3];
    const char *source_link;     /* the link text after a use case */
    /* summary table */
    const char *col_arch, *col_floor, *col_eq, *col_cpu, *col_rss, *col_procs, *col_start,
        *col_cold;
    const char *col_thr;         /* %s the headline concurrency */
    /* CPU per request by process */
    const char *cpu_split_intro; /* %s the headline concurrency */
    const char *cpu_split_targets; /* after it when a target started here has a line */
    const char *col_process, *col_share;
    const char *summary_intro;   /* %s equal rate */
    /* environment */
    const char *env_cpu, *env_cores, *env_mem, *env_kernel, *env_commit, *env_profile,
        *env_shared_cpu, *env_libs;
    const char *env_split;       /* %1$s load CPUs, %2$s system-under-test CPUs */
    const char *env_data;        /* %1$s users, %2$s the seed */
    const char *env_wall;        /* %s seconds */
    const char *env_hosts;       /* archbench run --hosts: %1$s ms per round trip */
    const char *method_items;    /* markdown list: %1$s load CPUs, %2$s SUT CPUs, %3$s equal
                                  * rate, %4$s the headline concurrency, %5$s the idle timeout
                                  * of the cold starts (ms) */
    const char *caveats;         /* markdown list: %1$s the MB of memory that buy a whole
                                  * Lambda vCPU, %2$s the share of one a 128 MB instance
                                  * gets, %3$s their source */
    /* charts and their tables */
    const char *chart_thr, *chart_lat, *chart_cold, *chart_curve;
    const char *chart_scale;     /* %s the headline concurrency */
    const char *ax_conns, *ax_thr, *ax_lat, *ax_pct, *ax_ms, *ax_users, *ax_p99;
    const char *lbl_cold_exec, *lbl_cold_fork, *lbl_warm;
    const char *gp_pct_xtic;     /* gnuplot: the latency chart's x labels from column 1 */
    const char *latency_header;  /* the equal-load table's header row: %s the first column */
    const char *cold_header;     /* the cold-start table's header row */
    /* differences */
    const char *diff_mono;       /* %1$s req/s at the headline concurrency, %2$s diff_mono_vs
                                  * or "", %3$s equal rate, %4$s p50, %5$s p99, %6$s CPU µs,
                                  * %7$s MB, %8$s processes, %9$s start-up ms, %10$s the
                                  * headline concurrency */
    const char *diff_mono_vs;    /* %1$s ratio to the microservices, %2$s to serverless */
    const char *diff_micro;      /* %1$s req/s at the headline concurrency, %2$s its ratio to
                                  * the monolith's, %3$s equal rate, %4$s p50, %5$s p99, %6$s
                                  * p99 ratio, %7$s CPU µs, %8$s CPU ratio, %9$s MB, %10$s
                                  * start-up ms, %11$s the headline concurrency */
    const char *diff_micro_cpu;  /* %1$s gateway µs, %2$s its share, %3$s auth-service µs, %4$s
                                  * profile-service µs, %5$s both services µs, %6$s the
                                  * monolith's µs, %7$s the microservices' µs beyond it, %8$s
                                  * the services' µs beyond the monolith's, %9$s the headline
                                  * concurrency */
    const char *diff_sls;        /* as diff_micro, but %10$s the most processes */
    const char *diff_sls_cpu;    /* %1$s platform µs, %2$s its share, %3$s function µs, %4$s its
                                  * share, %5$s the monolith's µs, %6$s function / monolith,
                                  * %7$s the headline concurrency */
    const char *diff_sls_turns;  /* %1$s function µs at 1 connection, %2$s at the headline
                                  * concurrency %3$s, %4$s their ratio */
    const char *diff_sls_turns_flat; /* the same, when the two differ by less than 10 % */
    const char *diff_sls_cold;   /* %1$s cold p50, %2$s starts, %3$s cold p90, %4$s warm p50,
                                  * %5$s cold/warm ratio, %6$s Init Duration p50, %7$s
                                  * fork-server cold p50, %8$s its Init Duration p50 */
    const char *diff_sls_cost;   /* %1$s duration p50, %2$s billed mean, %3$s MB, %4$s GB-s per
                                  * million, %5$s USD per million, %6$s USD per GB-s, %7$s USD
                                  * per million requests, %8$s the price's URL */
    const char *struct_mono, *struct_micro, *struct_sls;
    const char *repeats_note;    /* %1$s n, %2$s arch, %3$s median, %4$s min, %5$s max, %6$s lo,
                                  * %7$s hi, %8$s the headline concurrency */
    const char *scale_note;      /* %1$s arch, %2$s list of scale_item, %3$s the headline
                                  * concurrency */
    const char *scale_item;      /* %1$s users, %2$s req/s */
    const char *published_ueda;  /* %1$s URL, %2$s their loss (%), %3$s this run's ratio,
                                  * %4$s this run's loss, %5$s the headline concurrency */
    const char *published_ueda_none; /* %1$s URL, %2$s their loss (%) */
    const char *published_cold;  /* %1$s–%2$s Rust Init Durations (ms), %3$s–%4$s C++ ones,
                                  * %5$s their URL, %6$s what Lambda's Init Duration covers
                                  * (URL), %7$s Firecracker's boot (ms), %8$s its URL,
                                  * %9$s this run's cold start */
    const char *reading;
    const char *glossary;        /* markdown list, printed as it is (no format) */
    const char *errors_none;
    const char *errors_some;     /* %1$s arch, %2$s failed, %3$s requests */
    const char *verify_fail;     /* %1$s arch, %2$s responses */
    const char *h_faults;
    const char *faults_intro;    /* %1$s connections, %2$s seconds, %3$s the kill after (s),
                                  * %4$s the probe's interval (ms) */
    const char *faults_header;   /* %s the first column */
    const char *fault_what[3];   /* what the fault scenario kills, per architecture */
    /* targets (archbench run --target) */
    const char *not_measured;    /* a cell a URL target leaves empty */
    const char *env_data_given;  /* %1$s users, %2$s the folder */
    const char *unmeasured_note; /* %1$s name, %2$s cases failed, %3$s cases */
    const char *method_targets;  /* a list item: %s the system-under-test CPUs */
    const char *target_cmd;      /* %1$s the command, %2$s the system-under-test CPUs */
    const char *target_url;      /* %s the URL */
    const char *diff_target;     /* %1$s the headline concurrency, %2$s req/s, %3$s
                                  * diff_target_vs or "", %4$s equal rate, %5$s p50, %6$s
                                  * p99, %7$s diff_target_p99_vs or "", %8$s
                                  * diff_target_res or diff_target_remote, %9$s
                                  * diff_target_checked or diff_target_unchecked */
    const char *diff_target_vs;  /* %s its throughput's ratio to the monolith's */
    const char *diff_target_p99_vs; /* %s its p99's ratio to the monolith's */
    const char *diff_target_res; /* %1$s CPU µs, %2$s its ratio to the monolith's, %3$s MB,
                                  * %4$s processes, %5$s start-up ms */
    const char *diff_target_remote; /* %s the URL */
    const char *diff_target_checked; /* %s how many cases */
    const char *diff_target_unchecked;
    /* rounds, drift, equal utilisation, the cold-start cascade, cost */
    const char *drift_warning;   /* one plain sentence */
    const char *drift_detail;    /* %1$s calibrations, %2$s fastest (ms), %3$s slowest (ms),
                                  * %4$s speed change, %5$s its limit, %6$s steal, %7$s its
                                  * limit, %8$s busy share of the system-under-test CPU */
    const char *ratios_intro;    /* %1$s rounds, %2$s the headline concurrency */
    const char *ratios_header;   /* %s the first column */
    const char *method_rounds;   /* markdown list items: %1$s rounds, %2$s the equal-
                                  * utilisation share, %3$s the headline concurrency */
    const char *util_intro;      /* %1$s the share, %2$s the headline concurrency */
    const char *util_header;     /* %s the first column */
    const char *cascade_eq, *cascade_util; /* %s the rate (req/s) */
    const char *cascade_some;    /* %1$s cascade_eq or _util, %2$s cold starts in the
                                  * window, %3$s in its warm-up, %4$s cascade_second(s),
                                  * %5$s p99 (ms), %6$s p99 outside (ms), %7$s the
                                  * monolith's p99 there (ms) */
    const char *cascade_second;  /* %s the one second of the cascade */
    const char *cascade_seconds; /* %1$s its first second, %2$s its last */
    const char *cascade_none;    /* %1$s cascade_eq or _util, %2$s cold starts in the
                                  * warm-up, %3$s p99 (ms), %4$s the monolith's (ms) */
    const char *cascade_none_eq; /* the same at equal load, whose p99s the sentence
                                  * before gives: %1$s cascade_eq, %2$s in the warm-up */
    const char *h_cost;
    const char *cost_intro;      /* %1$s instance type (a link to its specification), %2$s
                                  * its vCPUs, %3$s its GiB, %4$s USD per hour, %5$s its URL, %6$s target utilisation, %7$s
                                  * minimum instances, %8$s Lambda USD per GB-s, %9$s Lambda
                                  * USD per million requests, %10$s API Gateway USD per
                                  * million, %11$s Lambda's URL, %12$s API Gateway's URL */
    const char *cost_init;       /* %1$s cold starts per million requests measured, %2$s Init
                                  * Duration (ms), %3$s USD per million requests it adds,
                                  * %4$s the URL of the INIT billing */
    const char *cost_init_none;  /* %s the URL of the INIT billing */
    const char *cost_header;     /* %s the first column */
    const char *cost_no_fit;     /* %1$s arch, %2$s MB, %3$s GiB, %4$s instance type */
    const char *cost_no_url;     /* %s a URL target's name: why it has no cost row */
    const char *cost_targets;    /* how a target started here is priced */
    const char *chart_cost, *ax_rps, *ax_usd;
    /* the request, step by step (steps.h: the rows, in enum step_row's order) */
    const char *h_steps, *col_step;
    const char *steps_intro;     /* the flow in words */
    const char *steps_diagram;   /* the flow drawn, a code block's lines */
    const char *steps_exchange;  /* before the recorded request and answers */
    const char *steps_how;       /* %s answers: how the table is made */
    const char *steps_join;      /* how the monolith's single join is attributed */
    const char *steps_none;      /* a run without Server-Timing */
    const char *step_row[STEP_NROWS], *step_key[STEP_NROWS]; /* table, chart legend */
    const char *steps_sum, *steps_init;
    const char *chart_steps;
    const char *diff_steps_mono; /* %1$s auth, %2$s db, %3$s render, %4$s other, %5$s
                                  * rest, %6$s the sum (ms), %7$s h_steps */
    const char *diff_steps_micro; /* %1$s auth, %2$s db, %3$s render, %4$s hop to
                                  * auth-service, %5$s hop to profile-service, %6$s
                                  * other, %7$s rest, %8$s the sum, %9$s h_steps, %10$s
                                  * the monolith's sum (ms) */
    const char *diff_steps_sls;  /* %1$s auth, %2$s db, %3$s render, %4$s queue, %5$s
                                  * invoke overhead, %6$s other, %7$s rest, %8$s the sum,
                                  * %9$s h_steps, %10$s the monolith's sum (ms) */
    /* the network what-if */
    const char *h_whatif;
    const char *whatif_intro;    /* %1$s–%2$s a user's internet round trip (ms), %3$s its
                                  * source's URL */
    const char *whatif_header;   /* the table's header rows */
    const char *h_whatif_hosts;  /* the same heading for a run --hosts */
    const char *whatif_hosts;    /* %1$s the round trip between hosts (ms), %2$s the rise the
                                  * model expects, %3$s the rise measured, %4$s the
                                  * microservices' and %5$s the monolith's p50 at 1 conn. */
    const char *whatif_hosts_na; /* the same without both p50s; %1$s the round trip */
};

extern const struct lang report_langs[LANG_N];

/* Real, well-known deployments per architecture (index: enum sut_arch). */
extern const struct use_case report_use_cases[3][3];

#endif
