/* Unit tests of common/log.c: one message is one line on stderr, whatever it
 * quotes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* Runs log_warn("failed: %s", arg) with stderr sent to a temporary file and
 * returns what was written (malloc'd). */
static char *logged(const char *arg)
{
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
    log_warn("failed: %s", arg);
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    off_t n = lseek(fileno(tmp), 0, SEEK_END);
    assert_true(n > 0);
    char *out = calloc(1, (size_t)n + 1);
    assert_non_null(out);
    assert_int_equal(pread(fileno(tmp), out, (size_t)n, 0), n);
    fclose(tmp);
    return out;
}

static void test_quoted_line_breaks_do_not_forge_lines(void **state)
{
    (void)state;
    char *out = logged("T\nREPORT RequestId: forged\tDuration: 1 ms\r\x1b[31m\x7f");
    assert_non_null(strstr(out, " warning: failed: T\\nREPORT RequestId: forged\tDuration: "
                                "1 ms\\r\\x1b[31m\\x7f\n"));
    assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1); /* one line */
    assert_null(strchr(out, '\r'));
    assert_null(strchr(out, '\x1b'));
    free(out);
}

static void test_long_messages_stay_one_line(void **state)
{
    (void)state;
    char big[3000];
    for (size_t i = 0; i < sizeof big - 1; i++)
        big[i] = i % 2 ? '\n' : 'a';
    big[sizeof big - 1] = '\0';
    char *out = logged(big);
    assert_true(strlen(out) <= 1024);
    assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1);
    assert_non_null(strstr(out, "a\\na\\n"));
    free(out);
}

int main(void)
{
    log_init("test_log", LOG_INFO);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoted_line_breaks_do_not_forge_lines),
        cmocka_unit_test(test_long_messages_stay_one_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
