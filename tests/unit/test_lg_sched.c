/* loadgen's open-loop schedule: a seeded Poisson schedule over all connections has
 * exponential inter-arrival times (mean 1/rate, variance 1/rate^2) and the expected
 * count; the same seed plans the same times and another seed does not; the uniform
 * schedule is the metronome it always was. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "lg_sched.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Every planned offset below window_ns of every connection, sorted; *n of them. */
static uint64_t *merged(enum lg_arrivals kind, uint64_t rate, unsigned conns, uint64_t seed,
                        uint64_t window_ns, size_t *n)
{
    size_t cap = (size_t)(rate * (window_ns / 1000000000ULL)) * 2 + 1024, len = 0;
    uint64_t *v = malloc(cap * sizeof *v);
    assert_non_null(v);
    for (unsigned g = 0; g < conns; g++) {
        struct lg_sched s;
        lg_sched_init(&s, kind, rate, conns, g, seed);
        for (uint64_t t; (t = lg_sched_peek(&s)) < window_ns; lg_sched_advance(&s)) {
            assert_true(len < cap);
            v[len++] = t;
        }
    }
    qsort(v, len, sizeof *v, cmp_u64);
    *n = len;
    return v;
}

/* Mean and variance of the gaps between consecutive arrivals, in seconds. */
static void gap_stats(const uint64_t *v, size_t n, double *mean, double *var)
{
    double sum = 0, sq = 0;
    for (size_t i = 1; i < n; i++) {
        double g = (double)(v[i] - v[i - 1]) / 1e9;
        sum += g;
        sq += g * g;
    }
    *mean = sum / (double)(n - 1);
    *var = sq / (double)(n - 1) - *mean * *mean;
}

static void test_poisson_gaps_have_exponential_mean_and_variance(void **state)
{
    (void)state;
    /* 5,000 req/s over 64 connections for 40 s: about 200,000 arrivals */
    const uint64_t rate = 5000, window = 40ULL * 1000000000ULL;
    size_t n;
    uint64_t *v = merged(LG_ARRIVALS_POISSON, rate, 64, 42, window, &n);
    /* a Poisson count: 200,000 expected, standard deviation 447 */
    assert_true(fabs((double)n - 200000) < 5 * 447);
    double mean, var;
    gap_stats(v, n, &mean, &var);
    double want = 1.0 / (double)rate;
    /* the mean's standard error is want / sqrt(n), 0.22 %; the variance's about 0.5 % */
    if (fabs(mean / want - 1) > 0.01)
        fail_msg("mean gap %g s, expected %g", mean, want);
    if (fabs(var / (want * want) - 1) > 0.03)
        fail_msg("gap variance %g s^2, expected %g (exponential)", var, want * want);
    /* memoryless: about e^-1 of the gaps are longer than the mean */
    size_t longer = 0;
    for (size_t i = 1; i < n; i++)
        longer += (double)(v[i] - v[i - 1]) / 1e9 > want;
    assert_true(fabs((double)longer / (double)(n - 1) - exp(-1)) < 0.01);
    free(v);
}

static void test_the_same_seed_plans_the_same_times(void **state)
{
    (void)state;
    size_t n1, n2, n3;
    uint64_t *a = merged(LG_ARRIVALS_POISSON, 1000, 8, 7, 2000000000ULL, &n1);
    uint64_t *b = merged(LG_ARRIVALS_POISSON, 1000, 8, 7, 2000000000ULL, &n2);
    uint64_t *c = merged(LG_ARRIVALS_POISSON, 1000, 8, 8, 2000000000ULL, &n3);
    assert_int_equal(n1, n2);
    for (size_t i = 0; i < n1; i++)
        assert_int_equal(a[i], b[i]);
    size_t same = 0;
    for (size_t i = 0; i < n1 && i < n3; i++)
        same += a[i] == c[i];
    assert_true(same < n1 / 100);
    free(a);
    free(b);
    free(c);
}

static void test_uniform_is_a_metronome(void **state)
{
    (void)state;
    size_t n;
    uint64_t *v = merged(LG_ARRIVALS_UNIFORM, 150, 5, 1, 2000000000ULL, &n);
    assert_int_equal(n, 300);
    for (size_t i = 0; i < n; i++) /* request i at i / 150 s, exactly */
        assert_int_equal(v[i], (uint64_t)i * 1000000000ULL / 150);
    double mean, var;
    gap_stats(v, n, &mean, &var);
    assert_true(var < 1e-12);
    free(v);
}

static void test_arrival_names_parse_both_ways(void **state)
{
    (void)state;
    enum lg_arrivals a;
    assert_true(lg_arrivals_parse("poisson", &a) && a == LG_ARRIVALS_POISSON);
    assert_true(lg_arrivals_parse("uniform", &a) && a == LG_ARRIVALS_UNIFORM);
    assert_false(lg_arrivals_parse("Poisson", &a));
    assert_string_equal(lg_arrivals_name(LG_ARRIVALS_POISSON), "poisson");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_poisson_gaps_have_exponential_mean_and_variance),
        cmocka_unit_test(test_the_same_seed_plans_the_same_times),
        cmocka_unit_test(test_uniform_is_a_metronome),
        cmocka_unit_test(test_arrival_names_parse_both_ways),
    };
    return cmocka_run_group_tests_name("lg_sched", tests, NULL, NULL);
}
