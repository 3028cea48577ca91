/* archbench's sampling of a process group: memory as PSS (pages shared by a forked
 * child count once over the group, where RSS counts them in each process), and
 * freezing a group (SIGSTOP) stops its CPU time until it is thawed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sut.h"

#define SHARED_MB 32

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A process group of two: a leader that wrote SHARED_MB of memory, and a child it
 * forked afterwards, which shares those pages copy-on-write. spin: both busy-loop
 * instead of sleeping. Returns the group's id. */
static pid_t start_sharing_pair(bool spin)
{
    pid_t leader = fork();
    assert_true(leader >= 0);
    if (leader == 0) {
        setpgid(0, 0);
        size_t len = (size_t)SHARED_MB << 20;
        char *mem = malloc(len);
        if (mem == NULL)
            _exit(1);
        memset(mem, 0x5a, len);
        __asm__ volatile("" : : "r"(mem) : "memory"); /* the writes must happen */
        if (fork() < 0)
            _exit(1);
        for (volatile unsigned long i = 0;; i++)
            if (!spin)
                pause();
    }
    setpgid(leader, leader);
    struct sut s = {.pgid = leader};
    for (int i = 0; i < 500; i++) { /* both alive, the memory written */
        struct sut_sample smp;
        sut_sample(&s, &smp);
        if (smp.nprocs == 2 && smp.rss_kb >= 2 * SHARED_MB * 1024)
            return leader;
        sleep_ms(10);
    }
    struct sut_sample last;
    sut_sample(&s, &last);
    kill(-leader, SIGKILL);
    kill(-leader, SIGCONT);
    waitpid(leader, NULL, 0);
    fail_msg("the pair did not start: %u processes, RSS %llu kB", last.nprocs,
             (unsigned long long)last.rss_kb);
    return -1;
}

static void stop_pair(pid_t pgid)
{
    kill(-pgid, SIGKILL);
    kill(-pgid, SIGCONT);
    waitpid(pgid, NULL, 0);
}

static void test_pss_counts_shared_pages_once(void **state)
{
    (void)state;
    pid_t g = start_sharing_pair(false);
    struct sut s = {.pgid = g};
    struct sut_sample smp;
    sut_sample_pss(&s, &smp);
    stop_pair(g);
    const uint64_t shared_kb = SHARED_MB * 1024;
    /* RSS counts the shared pages in both processes; PSS half in each, once in all */
    assert_true(smp.rss_kb >= 2 * shared_kb);
    if (!(smp.pss_kb >= shared_kb && smp.pss_kb < shared_kb + shared_kb / 4))
        fail_msg("PSS %llu kB, RSS %llu kB, %u kB written and shared",
                 (unsigned long long)smp.pss_kb, (unsigned long long)smp.rss_kb,
                 (unsigned)shared_kb);
    assert_true(smp.pss_kb * 10 < smp.rss_kb * 6);
}

static void test_a_frozen_group_takes_no_cpu_until_thawed(void **state)
{
    (void)state;
    pid_t g = start_sharing_pair(true);
    struct sut s = {.pgid = g};
    assert_true(sut_freeze(&s));
    struct sut_sample a, b, c;
    sut_sample(&s, &a);
    sleep_ms(300);
    sut_sample(&s, &b);
    sut_thaw(&s);
    sleep_ms(300);
    sut_sample(&s, &c);
    stop_pair(g);
    assert_int_equal(b.nprocs, 2);
    assert_true(b.cpu_s == a.cpu_s); /* a stopped process accrues no tick at all */
    assert_true(c.cpu_s > b.cpu_s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pss_counts_shared_pages_once),
        cmocka_unit_test(test_a_frozen_group_takes_no_cpu_until_thawed),
    };
    return cmocka_run_group_tests_name("sut_sample", tests, NULL, NULL);
}
