/* Unit tests: the databases on a read-only mount (Docker :ro, a Kubernetes read-only
 * volume, Lambda's task root). The test process moves into a mount namespace of its
 * own and bind-mounts a seeded folder read-only, so it needs root; elsewhere it skips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "db.h"
#include "seed.h"
#include "token.h"
#include "../support/proc.h"

struct ro {
    char wal[64];      /* seeded as archbench seed does by default */
    char rollback[64]; /* archbench seed --journal delete */
    bool mounted;
};

/* Seeds dir, then makes it a read-only bind mount of itself. */
static void seed_read_only(char *dir, bool rollback, struct ro *t)
{
    snprintf(dir, 64, "/tmp/archbench-ro-XXXXXX");
    assert_non_null(mkdtemp(dir));
    struct seed_options opt = {.users = 50, .seed = 42, .dir = dir, .rollback_journal = rollback};
    char err[512];
    if (seed_run(&opt, err, sizeof err) != 0)
        fail_msg("seed: %s", err);
    if (mount(dir, dir, NULL, MS_BIND, NULL) != 0 ||
        mount(NULL, dir, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) != 0)
        fail_msg("read-only bind mount of %s: %s", dir, strerror(errno));
    t->mounted = true;
}

static int setup(void **state)
{
    struct ro *t = calloc(1, sizeof *t);
    *state = t;
    /* A private mount namespace: nothing mounted here is seen outside this process. */
    if (geteuid() != 0 || unshare(CLONE_NEWNS) != 0 ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        return 0;
    seed_read_only(t->wal, false, t);
    seed_read_only(t->rollback, true, t);
    return 0;
}

static int teardown(void **state)
{
    struct ro *t = *state;
    if (t->mounted) {
        umount(t->wal);
        umount(t->rollback);
        proc_rmdir(t->wal);
        proc_rmdir(t->rollback);
    }
    free(t);
    return 0;
}

static void test_wal_database_on_read_only_mount_names_cause_and_remedy(void **state)
{
    struct ro *t = *state;
    if (!t->mounted)
        skip(); /* not root, or no mount namespaces */
    char path[128], err[1024];
    snprintf(path, sizeof path, "%s/app.db", t->wal);
    struct db *db = db_open(path, DB_SESSIONS | DB_USERS, err, sizeof err);
    assert_null(db);
    if (strstr(err, "WAL mode") == NULL || strstr(err, "read-only") == NULL ||
        strstr(err, "--journal delete") == NULL)
        fail_msg("unhelpful error: %s", err);
}

/* What --journal delete is for: the same lookups as ever, from a read-only mount. */
static void test_rollback_journal_database_serves_from_read_only_mount(void **state)
{
    struct ro *t = *state;
    if (!t->mounted)
        skip();
    char path[128], err[1024], line[256], tok[64] = "";
    snprintf(path, sizeof path, "%s/tokens.tsv", t->rollback);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f) && sscanf(line, "1\t%63s\tvalid", tok) != 1)
        ;
    fclose(f);
    unsigned char hash[TOKEN_HASH_LEN];
    assert_int_equal(strlen(tok), TOKEN_LEN);
    token_hash(tok, hash);
    snprintf(path, sizeof path, "%s/app.db", t->rollback);
    struct db *db = db_open(path, DB_SESSIONS | DB_USERS, err, sizeof err);
    if (db == NULL)
        fail_msg("%s", err);
    struct profile p;
    int64_t expires;
    assert_int_equal(db_profile_by_token(db, hash, &p, &expires), DB_OK);
    assert_int_equal(p.id, 1);
    db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wal_database_on_read_only_mount_names_cause_and_remedy),
        cmocka_unit_test(test_rollback_journal_database_serves_from_read_only_mount),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
