/* spawn-floor: the raw cost of starting a program and waiting for it, the floor
 * under any exec-mode cold start. Runs ARGV N times (posix_spawn + waitpid, the
 * way faas starts instances), prints the median and p90 in ms.
 *   spawn-floor [-n 100] PROGRAM [ARGS...]   (environment passed through) */
#include <fcntl.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "opts.h"

extern char **environ;

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    unsigned n = 100;
    int c;
    while ((c = getopt(argc, argv, "+n:h")) != -1) {
        switch (c) {
        case 'n':
            if (!opts_parse_unsigned(optarg, 1, 100000, &n))
                opts_usage_error("spawn-floor", "-n: expected 1..100000, got '%s'", optarg);
            break;
        case 'h':
            printf("Usage: spawn-floor [-n 100] PROGRAM [ARGS...]\n");
            return 0;
        default: opts_usage_error("spawn-floor", "unknown option");
        }
    }
    if (optind >= argc)
        opts_usage_error("spawn-floor", "PROGRAM is required");
    double *ms = calloc(n, sizeof *ms);
    if (ms == NULL)
        return 1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    for (unsigned i = 0; i < n; i++) {
        double a = clock_now_ms();
        pid_t pid;
        if (posix_spawn(&pid, argv[optind], &fa, NULL, argv + optind, environ) != 0) {
            perror("posix_spawn");
            return 1;
        }
        waitpid(pid, NULL, 0);
        ms[i] = clock_now_ms() - a;
    }
    qsort(ms, n, sizeof *ms, cmp);
    printf("spawn+wait of %s: n=%u p50=%.3f ms p90=%.3f ms min=%.3f ms\n", argv[optind], n,
           ms[n / 2], ms[(n * 9) / 10], ms[0]);
    posix_spawn_file_actions_destroy(&fa);
    free(ms);
    return 0;
}
