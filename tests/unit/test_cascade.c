/* Unit tests: the cold-start cascade watch (bench/archbench/cascade.c) files each
 * cold start under the second of the window it began in, from faas's REPORT log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "cascade.h"

static void append(const char *path, const char *line)
{
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    fputs(line, f);
    fclose(f);
}

/* A record seen 4.8 s into the window for an instance that took 2,000 ms to
 * initialise and 300 ms to answer began 2.5 s in: second 2, not second 4. */
static void test_cold_start_is_filed_under_the_second_it_began(void **state)
{
    (void)state;
    char path[] = "/tmp/archbench-cascade-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    append(path, "{\"requestId\":\"before\",\"durationMs\":1.0,\"initDurationMs\":5.0}\n");
    struct cascade_watch w;
    cascade_watch_open(&w, path, 100.0, 5.0);
    append(path, "{\"requestId\":\"a\",\"durationMs\":300.0,\"initDurationMs\":2000.0}\n"
                 "{\"requestId\":\"b\",\"durationMs\":0.2,\"initDurationMs\":null}\n"
                 "{\"requestId\":\"c\",\"durationMs\":100.0,\"initDurationMs\":500.0}\n");
    cascade_watch_poll(&w, 104.8);
    /* Began 0.3 s before the window: a warm-up cold start. */
    append(path, "{\"requestId\":\"d\",\"durationMs\":100.0,\"initDurationMs\":1000.0}\n");
    cascade_watch_poll(&w, 100.8);
    assert_int_equal(w.window_cold, 2);
    assert_int_equal(w.warmup_cold, 1);
    assert_int_equal(w.per_second[2], 1); /* a: 104.8 - 2.3 = 102.5 */
    assert_int_equal(w.per_second[4], 1); /* c: 104.8 - 0.6 = 104.2 */
    assert_int_equal(w.per_second[3], 0);

    json_t *timeline = json_array();
    json_t *rec = cascade_record(&w, timeline); /* before the close: NULL after it */
    cascade_watch_close(&w);
    unlink(path);
    assert_non_null(rec);
    json_t *win = json_object_get(rec, "window");
    assert_int_equal(json_integer_value(json_array_get(win, 0)), 2);
    assert_int_equal(json_integer_value(json_array_get(win, 1)), 4);
    json_decref(rec);
    json_decref(timeline);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cold_start_is_filed_under_the_second_it_began),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
