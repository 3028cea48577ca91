/* loadgen's histogram: percentiles agree with an exact sort within the stated
 * precision (3 significant digits) for random and adversarial data, and merging
 * histograms of a split data set gives exactly the histogram of the whole. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lg_hist.h"

static const double percentiles[] = {0.001, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 99.999, 100};

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Records values, then checks every percentile against the sorted values: the
 * histogram's answer must be the top of the exact value's bucket or the exact max,
 * i.e. never below the truth and above it by less than 1/1024 of it. */
static void check_against_sort(uint64_t *values, size_t n)
{
    struct lg_hist h;
    assert_true(lg_hist_init(&h, LG_HIST_BITS));
    for (size_t i = 0; i < n; i++)
        lg_hist_record(&h, values[i]);
    for (size_t i = 0; i < n; i++)
        if (values[i] > LG_HIST_MAX_US)
            values[i] = LG_HIST_MAX_US;
    qsort(values, n, sizeof values[0], cmp_u64);
    assert_int_equal(h.total, n);
    assert_int_equal(h.min, values[0]);
    assert_int_equal(h.max, values[n - 1]);
    for (size_t i = 0; i < sizeof percentiles / sizeof percentiles[0]; i++) {
        double p = percentiles[i];
        size_t rank = (size_t)ceil(p / 100.0 * (double)n - 1e-9);
        if (rank < 1)
            rank = 1;
        uint64_t exact = values[rank - 1];
        uint64_t got = lg_hist_percentile(&h, p);
        if (got < exact || (double)(got - exact) > (double)exact / 1024.0) {
            fail_msg("p%g of %zu values: histogram %llu, exact %llu", p, n,
                     (unsigned long long)got, (unsigned long long)exact);
        }
    }
    /* Mean and standard deviation from bucket midpoints: within 0.1 %. */
    double sum = 0, sq = 0;
    for (size_t i = 0; i < n; i++)
        sum += (double)values[i];
    double mean = sum / (double)n;
    for (size_t i = 0; i < n; i++)
        sq += ((double)values[i] - mean) * ((double)values[i] - mean);
    double sd = sqrt(sq / (double)n);
    assert_true(fabs(lg_hist_mean(&h) - mean) <= mean / 1000 + 0.5);
    assert_true(fabs(lg_hist_stdev(&h) - sd) <= sd / 1000 + mean / 1000 + 0.5);
    lg_hist_free(&h);
}

static void test_slots_cover_values_in_order(void **state)
{
    (void)state;
    size_t prev = 0;
    for (uint64_t v = 0; v <= 5000000; v += 1 + v / 3000) {
        size_t s = lg_hist_slot(LG_HIST_BITS, v);
        assert_true(s >= prev);
        prev = s;
        assert_true(lg_hist_slot_lowest(LG_HIST_BITS, s) <= v);
        assert_true(lg_hist_slot_highest(LG_HIST_BITS, s) >= v);
        assert_int_equal(lg_hist_slot(LG_HIST_BITS, lg_hist_slot_lowest(LG_HIST_BITS, s)), s);
        /* 3 significant digits: a bucket is at most 1/1024 as wide as its values. */
        uint64_t width = lg_hist_slot_highest(LG_HIST_BITS, s) - lg_hist_slot_lowest(LG_HIST_BITS, s);
        assert_true(width == 0 || (double)width <= (double)v / 1024.0);
    }
    /* Consecutive slots are consecutive ranges: no value falls between two slots. */
    for (size_t s = 0; s + 1 < lg_hist_slot(LG_HIST_BITS, LG_HIST_MAX_US); s++)
        assert_int_equal(lg_hist_slot_highest(LG_HIST_BITS, s) + 1,
                         lg_hist_slot_lowest(LG_HIST_BITS, s + 1));
}

static void test_memory_is_small(void **state)
{
    (void)state;
    struct lg_hist h;
    assert_true(lg_hist_init(&h, LG_HIST_BITS));
    assert_true(h.nslots * sizeof h.counts[0] <= 160 * 1024);
    lg_hist_free(&h);
}

static void test_random_log_uniform_matches_sort(void **state)
{
    (void)state;
    size_t n = 200000;
    uint64_t *v = malloc(n * sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++) {
        /* log-uniform over 1 µs .. 60 s */
        double x = exp((double)(rng() % 1000000) / 1000000.0 * log(6e7));
        v[i] = (uint64_t)x;
    }
    check_against_sort(v, n);
    free(v);
}

static void test_random_narrow_latencies_match_sort(void **state)
{
    (void)state;
    size_t n = 100000;
    uint64_t *v = malloc(n * sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++)
        v[i] = 40 + rng() % 200 + (rng() % 1000 == 0 ? 5000 + rng() % 100000 : 0);
    check_against_sort(v, n);
    free(v);
}

static void test_adversarial_data_matches_sort(void **state)
{
    (void)state;
    uint64_t v[4096];
    size_t n;

    /* All equal. */
    for (n = 0; n < 1000; n++)
        v[n] = 123457;
    check_against_sort(v, n);

    /* One value. */
    v[0] = 0;
    check_against_sort(v, 1);

    /* Two clusters at the ends of the range. */
    for (n = 0; n < 2000; n++)
        v[n] = n % 2 ? 1 : 59999999;
    check_against_sort(v, n);

    /* Bucket edges: 2^k - 1, 2^k, 2^k + 1 for every octave. */
    n = 0;
    for (unsigned k = 1; k < 26; k++) {
        v[n++] = (1ULL << k) - 1;
        v[n++] = 1ULL << k;
        v[n++] = (1ULL << k) + 1;
    }
    check_against_sort(v, n);

    /* Beyond 60 s: clamped, and counted as clamped. */
    for (n = 0; n < 100; n++)
        v[n] = n < 90 ? 1000 : 3600000000ULL;
    check_against_sort(v, n);

    /* A tail of one: p99.99 of 10001 values is the single outlier's neighbour. */
    for (n = 0; n < 4001; n++)
        v[n] = n == 4000 ? 30000000 : 50;
    check_against_sort(v, n);
}

static void test_clamped_values_are_counted(void **state)
{
    (void)state;
    struct lg_hist h;
    assert_true(lg_hist_init(&h, LG_HIST_BITS));
    lg_hist_record(&h, LG_HIST_MAX_US + 1);
    lg_hist_record(&h, 5);
    assert_int_equal(h.clamped, 1);
    assert_int_equal(h.max, LG_HIST_MAX_US);
    assert_int_equal(lg_hist_percentile(&h, 100), LG_HIST_MAX_US);
    assert_int_equal(lg_hist_percentile(&h, 50), 5);
    lg_hist_free(&h);
}

static void test_empty_histogram_is_zero(void **state)
{
    (void)state;
    struct lg_hist h;
    assert_true(lg_hist_init(&h, LG_HIST_BITS));
    assert_int_equal(lg_hist_percentile(&h, 99), 0);
    assert_true(lg_hist_mean(&h) == 0 && lg_hist_stdev(&h) == 0);
    size_t it = 0;
    uint64_t a, b;
    assert_false(lg_hist_next(&h, &it, &a, &b));
    lg_hist_free(&h);
}

static void merge_split_equals_whole(unsigned bits)
{
    struct lg_hist whole, parts[5], merged;
    assert_true(lg_hist_init(&whole, bits));
    assert_true(lg_hist_init(&merged, bits));
    for (int i = 0; i < 5; i++)
        assert_true(lg_hist_init(&parts[i], bits));
    for (int i = 0; i < 300000; i++) {
        uint64_t v = rng() % 3 == 0 ? rng() % 100000000ULL : 20 + rng() % 5000;
        lg_hist_record(&whole, v);
        lg_hist_record(&parts[rng() % 5], v);
    }
    for (int i = 0; i < 5; i++)
        assert_true(lg_hist_add(&merged, &parts[i]));
    assert_int_equal(merged.total, whole.total);
    assert_int_equal(merged.min, whole.min);
    assert_int_equal(merged.max, whole.max);
    assert_int_equal(merged.clamped, whole.clamped);
    assert_memory_equal(merged.counts, whole.counts, whole.nslots * sizeof whole.counts[0]);
    for (size_t i = 0; i < sizeof percentiles / sizeof percentiles[0]; i++)
        assert_int_equal(lg_hist_percentile(&merged, percentiles[i]),
                         lg_hist_percentile(&whole, percentiles[i]));
    assert_true(lg_hist_mean(&merged) == lg_hist_mean(&whole));

    /* Through the bucket list (how JSON carries it): the same histogram again. */
    struct lg_hist copy;
    assert_true(lg_hist_init(&copy, bits));
    size_t it = 0;
    uint64_t v, n;
    while (lg_hist_next(&whole, &it, &v, &n))
        lg_hist_record_n(&copy, v, n);
    assert_memory_equal(copy.counts, whole.counts, whole.nslots * sizeof whole.counts[0]);
    lg_hist_free(&copy);

    for (int i = 0; i < 5; i++)
        lg_hist_free(&parts[i]);
    lg_hist_free(&whole);
    lg_hist_free(&merged);
}

static void test_merge_of_split_data_equals_whole(void **state)
{
    (void)state;
    merge_split_equals_whole(LG_HIST_BITS);
    merge_split_equals_whole(LG_HIST_TIMELINE_BITS);
}

static void test_merge_refuses_different_precision(void **state)
{
    (void)state;
    struct lg_hist a, b;
    assert_true(lg_hist_init(&a, LG_HIST_BITS));
    assert_true(lg_hist_init(&b, LG_HIST_TIMELINE_BITS));
    lg_hist_record(&b, 7);
    assert_false(lg_hist_add(&a, &b));
    assert_int_equal(a.total, 0);
    lg_hist_free(&a);
    lg_hist_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slots_cover_values_in_order),
        cmocka_unit_test(test_memory_is_small),
        cmocka_unit_test(test_random_log_uniform_matches_sort),
        cmocka_unit_test(test_random_narrow_latencies_match_sort),
        cmocka_unit_test(test_adversarial_data_matches_sort),
        cmocka_unit_test(test_clamped_values_are_counted),
        cmocka_unit_test(test_empty_histogram_is_zero),
        cmocka_unit_test(test_merge_of_split_data_equals_whole),
        cmocka_unit_test(test_merge_refuses_different_precision),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
