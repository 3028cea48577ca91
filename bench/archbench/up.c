/* archbench up (see up.h): seeds var/ if it is empty, starts the architecture on
 * the default ports of DESIGN §7, prints how to call it, and stops every process
 * it started on SIGINT or SIGTERM, or when one of them exits on its own. */
#include "up.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"
#include "opts.h"
#include "seed.h"
#include "sut.h"

static void usage(void)
{
    printf("Usage: archbench up monolith|microservices|serverless\n"
           "Starts one architecture on its default ports (monolith 8080, gateway 8081,\n"
           "faas 8082) against var/ (seeded with %d users if empty) and runs until\n"
           "Ctrl-C, which stops every process it started.\n", SEED_DEFAULT_USERS);
}

static void print_ready(const struct sut *s)
{
    char tok[64];
    seed_first_token("var", tok, sizeof tok);
    printf("%s is up in %.0f ms: %s\n", sut_arch_name(s->arch), s->startup_ms, s->url);
    for (unsigned i = 0; i < s->nprocs; i++)
        printf("  %-16s pid %-7d http://%s  log: var/logs/%s.log\n", s->procs[i].name,
               (int)s->procs[i].pid, s->procs[i].address, s->procs[i].name);
    printf("try (user 1):\n  curl -i -H 'Authorization: Bearer %s' %s\n"
           "Ctrl-C stops it.\n", tok, s->url);
    fflush(stdout);
}

/* Until one of `stop` arrives (blocked, so it waits here) or a process exits;
 * then stops the rest. Returns the exit status. */
static int serve(struct sut *s, const sigset_t *stop)
{
    struct timespec tick = {0, 200 * 1000 * 1000};
    char which[64];
    for (;;) {
        if (!sut_alive(s, which, sizeof which)) {
            log_error("%s exited; stopping the rest (see var/logs/%s.log)", which, which);
            sut_stop(s);
            return 1;
        }
        if (sigtimedwait(stop, NULL, &tick) > 0)
            break;
    }
    int left = sut_stop(s);
    printf("stopped%s\n", left ? " (some processes had to be killed)" : "");
    return left ? 1 : 0;
}

int up_main(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        usage();
        return 0;
    }
    enum sut_arch a;
    if (argc != 2)
        opts_usage_error("archbench up", "expected one architecture: monolith, microservices "
                                         "or serverless");
    if (!sut_arch_parse(argv[1], &a))
        opts_usage_error("archbench up", "unknown architecture '%s'", argv[1]);
    char err[1024];
    if (seed_ensure("var", SEED_DEFAULT_USERS, err, sizeof err) != 0) {
        log_error("seed: %s", err);
        return 1;
    }
    mkdir("var/logs", 0755);
    const char *bindir = getenv("ARCHBENCH_BIN");
    struct sut_options o = {.bin_dir = bindir && *bindir ? bindir : "bin", .data_dir = "var",
                            .log_dir = "var/logs", .fixed_ports = true};
    sched_getaffinity(0, sizeof o.cpus, &o.cpus);
    /* Blocked from here on, and taken by sigtimedwait in serve(); the servers
     * start with every signal unblocked (sut.c). */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigprocmask(SIG_BLOCK, &stop, NULL);

    struct sut s;
    if (sut_start(&s, a, &o, err, sizeof err) != 0) {
        log_error("%s", err);
        return 1;
    }
    print_ready(&s);
    return serve(&s, &stop);
}
