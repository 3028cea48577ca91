/* bin/archbench: the orchestrator's command line. Subcommands:
 *   seed    write the databases and tokens every architecture reads
 *   up      one architecture in the foreground (run.c)
 *   run     every architecture through a profile's scenarios (run.c)
 *   report  the bilingual report of a run (render.c) */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "opts.h"
#include "render.h"
#include "run.h"
#include "seed.h"

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: archbench COMMAND [options]\n\n"
            "Commands:\n"
            "  seed [--users N] [--seed S] [--dir DIR]\n"
            "        write DIR/app.db, DIR/auth.db, DIR/profiles.db and DIR/tokens.tsv\n"
            "        (defaults: 10000 users, seed 42, dir var; N accepts k/m suffixes)\n"
            "  up monolith|microservices|serverless\n"
            "        start one architecture on its default ports until Ctrl-C\n"
            "  run [--arch LIST] [--profile smoke|quick|full] [--out DIR] [--users N]\n"
            "        measure the architectures, write results/<timestamp>/run.json\n"
            "  report RUN_DIR\n"
            "        write RUN_DIR/report.md, report.es.md and charts from run.json\n\n"
            "Options:\n"
            "  -h, --help      show this help\n"
            "  -V, --version   show the version\n");
}

static int cmd_seed(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"users", required_argument, NULL, 'u'},
        {"seed", required_argument, NULL, 's'},
        {"dir", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct seed_options opt = {.users = 10000, .seed = 42, .dir = "var"};
    int c;
    optind = 1;
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
        case 'h': usage(stdout); return 0;
        default: opts_usage_error("archbench seed", "unknown option");
        }
    }
    if (optind < argc)
        opts_usage_error("archbench seed", "unexpected argument '%s'", argv[optind]);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char err[1024];
    if (seed_run(&opt, err, sizeof err) != 0) {
        log_error("seed: %s", err);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    uint64_t extra = seed_extra_tokens(opt.users);
    printf("seeded %llu users (+%llu expired, %llu revoked tokens) with seed %llu in %.1f s\n"
           "  %s/app.db %s/auth.db %s/profiles.db %s/tokens.tsv\n",
           (unsigned long long)opt.users, (unsigned long long)extra,
           (unsigned long long)extra, (unsigned long long)opt.seed, secs, opt.dir, opt.dir,
           opt.dir, opt.dir);
    return 0;
}

int main(int argc, char **argv)
{
    log_init("archbench", LOG_INFO);
    if (argc < 2)
        opts_usage_error("archbench", "a command is required (seed, up, run, report)");
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
        return render_main(argc - 1, argv + 1);
    opts_usage_error("archbench", "unknown command '%s'", cmd);
}
