/* bin/archbench: the orchestrator's command line. Subcommands:
 *   seed    write the databases and tokens every architecture reads
 *   up      one architecture in the foreground (up.c)
 *   run     every architecture through a profile's scenarios (run.c)
 *   report  the bilingual report of a run (report.c)
 *   check   the endpoint's contract against any HTTP server (check.c)
 *   merge   combine loadgen JSON reports from several hosts into one */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "db.h"
#include "lg_result.h"
#include "log.h"
#include "opts.h"
#include "report.h"
#include "run.h"
#include "up.h"
#include "seed.h"

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: archbench COMMAND [options]\n\n"
            "Commands:\n"
            "  seed [--users N] [--seed S] [--dir DIR] [--journal wal|delete]\n"
            "        write DIR/app.db, DIR/auth.db, DIR/profiles.db and DIR/tokens.tsv\n"
            "        (defaults: %d users, seed %d, dir var; N accepts k/m suffixes;\n"
            "        --journal delete for databases served from a read-only mount)\n"
            "  up monolith|microservices|serverless\n"
            "        start one architecture on its default ports until Ctrl-C\n"
            "  run [--arch LIST] [--profile smoke|quick|full] [--out DIR] [--users N]\n"
            "      [--data DIR] [--target NAME=COMMAND|NAME=URL]... [--no-check]\n"
            "        measure the architectures (and anyone's implementation beside\n"
            "        them), write results/<timestamp>/run.json (run --help)\n"
            "  check [--data DIR] [--json FILE] [--junit FILE] URL\n"
            "        check that the server at URL keeps the contract of GET /profile\n"
            "        (any language, here or remote); exit 0 when every case passes\n"
            "  report RUN_DIR\n"
            "        write RUN_DIR/report.md, report.es.md and charts from run.json\n"
            "  merge A.json B.json ... > C.json\n"
            "        merge loadgen --json reports of runs made side by side (several\n"
            "        hosts): counts summed, histograms merged, percentiles recomputed\n\n"
            "Options:\n"
            "  -h, --help      show this help\n"
            "  -V, --version   show the version\n",
            SEED_DEFAULT_USERS, SEED_DEFAULT);
}

static int cmd_seed(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"users", required_argument, NULL, 'u'},
        {"seed", required_argument, NULL, 's'},
        {"dir", required_argument, NULL, 'd'},
        {"journal", required_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct seed_options opt = {.users = SEED_DEFAULT_USERS, .seed = SEED_DEFAULT, .dir = "var"};
    int c;
    optind = 1;
    opterr = 0; /* opts_unknown says it in one line */
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'u':
            if (!opts_parse_u64(optarg, 1, 100000000, true, &opt.users))
                opts_usage_error("archbench seed", "--users: expected 1..100m, got '%s'",
                                 optarg);
            break;
        case 's':
            if (!opts_parse_u64(optarg, 0, UINT64_MAX, false, &opt.seed))
                opts_usage_error("archbench seed", "--seed: expected a number, got '%s'",
                                 optarg);
            break;
        case 'd': opt.dir = optarg; break;
        case 'j':
            if (strcmp(optarg, "wal") != 0 && strcmp(optarg, "delete") != 0)
                opts_usage_error("archbench seed", "--journal: expected wal or delete, got '%s'",
                                 optarg);
            opt.rollback_journal = strcmp(optarg, "delete") == 0;
            break;
        case 'h': usage(stdout); return 0;
        default: opts_unknown("archbench seed", argv);
        }
    }
    if (optind < argc)
        opts_usage_error("archbench seed", "unexpected argument '%s'", argv[optind]);

    double t0 = clock_now_s();
    char err[1024];
    if (seed_run(&opt, err, sizeof err) != 0) {
        log_error("seed: %s", err);
        return 1;
    }
    double secs = clock_now_s() - t0;
    uint64_t extra = seed_extra_tokens(opt.users);
    printf("seeded %llu users (+%llu expired, %llu revoked tokens) with seed %llu in %.1f s\n"
           "  %s/app.db %s/auth.db %s/profiles.db %s/tokens.tsv\n",
           (unsigned long long)opt.users, (unsigned long long)extra,
           (unsigned long long)extra, (unsigned long long)opt.seed, secs, opt.dir, opt.dir,
           opt.dir, opt.dir);
    return 0;
}

/* archbench merge: the runs are assumed to have loaded the same system at the same
 * time from several hosts, so rates add up and the window is the longest one. */
static int cmd_merge(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': usage(stdout); return 0;
        default: opts_usage_error("archbench merge", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        opts_usage_error("archbench merge", "at least one loadgen JSON file is required");
    for (int i = optind; i < argc; i++) /* a file that is not there is bad usage */
        if (access(argv[i], R_OK) != 0)
            opts_usage_error("archbench merge", "cannot read '%s': %s", argv[i], strerror(errno));

    struct lg_run total = {0};
    char err[512];
    int rc = 0;
    for (int i = optind; i < argc && rc == 0; i++) {
        json_error_t jerr;
        json_t *doc = json_load_file(argv[i], 0, &jerr);
        if (doc == NULL) {
            if (jerr.line > 0)
                log_error("%s:%d: %s", argv[i], jerr.line, jerr.text);
            else
                log_error("%s", jerr.text);
            rc = 1;
            break;
        }
        struct lg_run run;
        bool ok = lg_result_from_json(doc, i == optind ? &total : &run, err, sizeof err);
        json_decref(doc);
        if (!ok) {
            log_error("%s: %s", argv[i], err);
            if (i != optind)
                lg_run_free(&run);
            rc = 1;
            break;
        }
        if (i == optind)
            continue;
        ok = lg_result_merge(&total, &run, err, sizeof err);
        lg_run_free(&run);
        if (!ok) {
            log_error("%s: %s", argv[i], err);
            rc = 1;
        }
    }
    if (rc == 0) {
        json_t *doc = lg_result_json(&total);
        if (doc == NULL || json_dumpf(doc, stdout, JSON_COMPACT) != 0 || fputc('\n', stdout) == EOF ||
            fflush(stdout) != 0) {
            log_error("cannot write the merged report");
            rc = 1;
        }
        json_decref(doc);
    }
    lg_run_free(&total);
    return rc;
}

int main(int argc, char **argv)
{
    log_init("archbench", LOG_INFO);
    if (argc < 2)
        opts_usage_error("archbench", "a command is required (seed, up, run, check, report, merge)");
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        opts_print_version("archbench");
        return 0;
    }
    db_global_init();
    if (strcmp(cmd, "seed") == 0)
        return cmd_seed(argc - 1, argv + 1);
    if (strcmp(cmd, "up") == 0)
        return up_main(argc - 1, argv + 1);
    if (strcmp(cmd, "run") == 0)
        return run_main(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return report_main(argc - 1, argv + 1);
    if (strcmp(cmd, "check") == 0)
        return check_main(argc - 1, argv + 1);
    if (strcmp(cmd, "merge") == 0)
        return cmd_merge(argc - 1, argv + 1);
    opts_usage_error("archbench", "unknown command '%s'", cmd);
}
