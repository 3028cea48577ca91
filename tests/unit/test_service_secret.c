/* Unit tests of common/service_secret.c: what a secret file that cannot serve is
 * told as. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "service_secret.h"

/* A directory given as the secret file was reported as a secret of the wrong
 * length ("has 16 to 256 characters"): the read error is named instead. */
static void test_a_directory_is_not_read_as_an_empty_secret(void **state)
{
    (void)state;
    char dir[64] = "/tmp/archbench-secret-dir-XXXXXX", err[512] = "";
    assert_non_null(mkdtemp(dir));
    struct service_secret s;
    assert_false(service_secret_load(dir, &s, err, sizeof err));
    rmdir(dir);
    if (strstr(err, "cannot read") == NULL || strstr(err, "Is a directory") == NULL)
        fail_msg("unclear error: %s", err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_directory_is_not_read_as_an_empty_secret),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
