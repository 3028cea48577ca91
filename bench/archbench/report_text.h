/* Everything the report says in words, in English and in Spanish. Sentences with
 * numbers are printf formats whose arguments are already-formatted strings
 * (report.c formats numbers per language: 0.31 / 0,31), so a translation can
 * reorder nothing and must keep every %s. */
#ifndef ARCHBENCH_REPORT_TEXT_H
#define ARCHBENCH_REPORT_TEXT_H

enum { LANG_EN, LANG_ES, LANG_N };

struct use_case {
    const char *text[LANG_N]; /* markdown, one paragraph */
    const char *source;       /* URL */
};

struct lang {
    const char *code;            /* "en", "es" */
    char decimal, group[4];      /* '.' ","  /  ',' "\u00a0" */
    unsigned group_min;          /* group thousands from this value on */
    const char *na;              /* a missing number */
    const char *title, *generated, *incomplete;
    const char *h_summary, *h_env, *h_method, *h_charts, *h_arch[3], *h_use, *h_diff,
        *h_published, *h_reading, *h_errors;
    const char *arch_name[3];
    /* summary table */
    const char *col_arch, *col_thr, *col_floor, *col_eq, *col_cpu, *col_rss, *col_procs,
        *col_start, *col_cold;
    const char *summary_intro;   /* %s rate */
    /* environment */
    const char *env_cpu, *env_cores, *env_mem, *env_kernel, *env_commit, *env_profile,
        *env_split, *env_shared_cpu, *env_data, *env_libs, *env_wall;
    const char *method_items;    /* markdown list, %s: equal rate */
    const char *caveats;         /* markdown list */
    /* charts */
    const char *chart_thr, *chart_lat, *chart_cold, *chart_curve, *chart_scale;
    const char *ax_conns, *ax_thr, *ax_lat, *ax_pct, *ax_ms, *ax_users, *ax_p99;
    const char *lbl_cold_exec, *lbl_cold_fork, *lbl_warm;
    /* differences */
    const char *diff_mono, *diff_mono_vs, *diff_micro, *diff_sls, *diff_sls_cold,
        *diff_sls_cost;
    const char *struct_mono, *struct_micro, *struct_sls;
    const char *repeats_note;    /* %s n, %s arch, %s median, %s min, %s max, %s lo, %s hi */
    const char *scale_note;      /* %s arch, %s list */
    const char *published_ueda, *published_ueda_none, *published_cold;
    const char *reading;
    const char *errors_none, *errors_some, *verify_fail;
    const char *h_faults, *faults_intro, *faults_header;
};

extern const struct lang report_langs[LANG_N];

/* Real, well-known deployments per architecture (index: enum sut_arch). */
extern const struct use_case report_use_cases[3][3];

#endif
