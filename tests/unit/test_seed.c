/* Unit tests: archbench seed (determinism, token statuses) and the read-only
 * database lookups the servers use on its output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "seed.h"
#include "service_secret.h"
#include "token.h"
#include "../support/proc.h"

struct tmpdirs {
    char a[64], b[64], c[64];
};

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return proc_slurp(path, len);
}

static void seed_into(char *dir, uint64_t users, uint64_t seed)
{
    snprintf(dir, 64, "/tmp/archbench-seed-XXXXXX");
    assert_non_null(mkdtemp(dir));
    struct seed_options opt = {.users = users, .seed = seed, .dir = dir};
    char err[512];
    int rc = seed_run(&opt, err, sizeof err);
    if (rc != 0)
        fail_msg("seed: %s", err);
}

static int setup(void **state)
{
    struct tmpdirs *t = calloc(1, sizeof *t);
    seed_into(t->a, 500, 7);
    seed_into(t->b, 500, 7);
    seed_into(t->c, 500, 8);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct tmpdirs *t = *state;
    proc_rmdir(t->a);
    proc_rmdir(t->b);
    proc_rmdir(t->c);
    free(t);
    return 0;
}

static void test_same_seed_gives_identical_files(void **state)
{
    struct tmpdirs *t = *state;
    const char *files[] = {"app.db", "auth.db", "profiles.db", "tokens.tsv"};
    for (size_t i = 0; i < 4; i++) {
        size_t la, lb;
        char *a = slurp(t->a, files[i], &la), *b = slurp(t->b, files[i], &lb);
        assert_non_null(a);
        assert_non_null(b);
        assert_int_equal(la, lb);
        assert_memory_equal(a, b, la);
        free(a);
        free(b);
    }
}

static void test_other_seed_gives_other_tokens(void **state)
{
    struct tmpdirs *t = *state;
    size_t la, lc;
    char *a = slurp(t->a, "tokens.tsv", &la), *c = slurp(t->c, "tokens.tsv", &lc);
    assert_non_null(a);
    assert_non_null(c);
    assert_false(la == lc && memcmp(a, c, la) == 0);
    free(a);
    free(c);
}

/* tokens.tsv rows: the header, 500 valid, then expired and revoked ones. */
static void test_tokens_file_lists_valid_expired_and_revoked(void **state)
{
    struct tmpdirs *t = *state;
    size_t len;
    char *tsv = slurp(t->a, "tokens.tsv", &len);
    assert_non_null(tsv);
    assert_memory_equal(tsv, "user_id\ttoken\tstatus\n", 21);
    unsigned valid = 0, expired = 0, revoked = 0, lines = 0;
    char *save, *line = strtok_r(tsv + 21, "\n", &save);
    for (; line; line = strtok_r(NULL, "\n", &save), lines++) {
        unsigned long id;
        char tok[64], status[16];
        assert_int_equal(sscanf(line, "%lu\t%63s\t%15s", &id, tok, status), 3);
        assert_true(token_is_wellformed(tok, strlen(tok)));
        valid += strcmp(status, "valid") == 0;
        expired += strcmp(status, "expired") == 0;
        revoked += strcmp(status, "revoked") == 0;
    }
    assert_int_equal(valid, 500);
    assert_int_equal(expired, seed_extra_tokens(500));
    assert_int_equal(revoked, seed_extra_tokens(500));
    assert_int_equal(lines, valid + expired + revoked);
    free(tsv);
}

/* Every token of tokens.tsv, looked up as a server would: valid ones find their
 * user with a future expiry, expired ones a past expiry, revoked ones nothing. */
static void test_databases_agree_with_tokens_file(void **state)
{
    struct tmpdirs *t = *state;
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/app.db", t->a);
    struct db *app = db_open(path, DB_SESSIONS | DB_USERS, err, sizeof err);
    snprintf(path, sizeof path, "%s/auth.db", t->a);
    struct db *auth = db_open(path, DB_SESSIONS, err, sizeof err);
    snprintf(path, sizeof path, "%s/profiles.db", t->a);
    struct db *prof = db_open(path, DB_USERS, err, sizeof err);
    assert_non_null(app);
    assert_non_null(auth);
    assert_non_null(prof);

    size_t len;
    char *tsv = slurp(t->a, "tokens.tsv", &len);
    char *save, *line = strtok_r(tsv + 21, "\n", &save);
    for (; line; line = strtok_r(NULL, "\n", &save)) {
        long long id;
        char tok[64], status[16];
        assert_int_equal(sscanf(line, "%lld\t%63s\t%15s", &id, tok, status), 3);
        unsigned char hash[TOKEN_HASH_LEN];
        token_hash(tok, hash);
        int64_t uid = 0, exp = 0, exp2 = 0;
        struct profile p, q;
        enum db_status s1 = db_session_lookup(auth, hash, &uid, &exp);
        enum db_status s2 = db_profile_by_token(app, hash, &p, &exp2);
        if (strcmp(status, "revoked") == 0) {
            assert_int_equal(s1, DB_NOT_FOUND);
            assert_int_equal(s2, DB_NOT_FOUND);
            continue;
        }
        assert_int_equal(s1, DB_OK);
        assert_int_equal(s2, DB_OK);
        assert_int_equal(uid, id);
        assert_int_equal(p.id, id);
        assert_int_equal(exp, exp2);
        assert_int_equal(token_check_expiry(exp, 1764000000),
                         strcmp(status, "valid") == 0 ? TOKEN_OK : TOKEN_EXPIRED);
        /* The profile from profiles.db is the same row as app.db's. */
        assert_int_equal(db_user_lookup(prof, id, &q), DB_OK);
        assert_int_equal(q.bio_len, p.bio_len);
        assert_memory_equal(q.bio, p.bio, p.bio_len);
        assert_memory_equal(q.display_name, p.display_name, p.display_name_len);
        db_release(app);
        db_release(prof);
    }
    struct profile p;
    assert_int_equal(db_user_lookup(prof, 501, &p), DB_NOT_FOUND);
    free(tsv);
    db_close(app);
    db_close(auth);
    db_close(prof);
}

static void test_seeded_text_includes_non_ascii(void **state)
{
    struct tmpdirs *t = *state;
    size_t len;
    char *db = slurp(t->a, "profiles.db", &len);
    assert_non_null(db);
    assert_non_null(memmem(db, len, "N\xc3\xba\xc3\xb1" "ez", 6));  /* Núñez */
    assert_non_null(memmem(db, len, "\xe6\x9d\xb1\xe4\xba\xac", 6)); /* 東京 */
    assert_non_null(memmem(db, len, "\xf0\x9f", 2));                /* an emoji */
    free(db);
}

static void test_opening_the_wrong_database_fails_clearly(void **state)
{
    struct tmpdirs *t = *state;
    char path[128], err[256] = "";
    snprintf(path, sizeof path, "%s/auth.db", t->a);
    assert_null(db_open(path, DB_USERS, err, sizeof err));
    assert_non_null(strstr(err, "no such table"));
    snprintf(path, sizeof path, "%s/missing.db", t->a);
    assert_null(db_open(path, DB_SESSIONS, err, sizeof err));
    assert_non_null(strstr(err, "missing.db"));
}

/* archbench run and up read user 1's token from tokens.tsv to call the
 * architecture themselves: the first valid row, whatever lies around it. */
static void test_first_token_is_user_1s(void **state)
{
    struct tmpdirs *t = *state;
    char path[128], tok[64], want[64] = "";
    char *tsv = slurp(t->a, "tokens.tsv", NULL);
    assert_non_null(tsv);
    assert_int_equal(sscanf(strchr(tsv, '\n') + 1, "1\t%63s\tvalid", want), 1);
    free(tsv);
    seed_first_token(t->a, tok, sizeof tok);
    assert_string_equal(tok, want);
    snprintf(path, sizeof path, "%s/no-such-dir", t->a);
    seed_first_token(path, tok, sizeof tok);
    assert_string_equal(tok, "");
}

/* seed_ensure seeds an empty directory once and then leaves it alone, so a run
 * never rewrites the dataset another run measured. */
static void test_ensure_seeds_only_what_is_missing(void **state)
{
    (void)state;
    char dir[64] = "/tmp/archbench-seed-XXXXXX", err[256] = "", sub[96];
    assert_non_null(mkdtemp(dir));
    snprintf(sub, sizeof sub, "%s/data", dir);
    assert_int_equal(seed_ensure(sub, 200, err, sizeof err), 0);
    size_t len;
    char *before = slurp(sub, "tokens.tsv", &len);
    assert_non_null(before);
    assert_non_null(strstr(before, "\n200\t"));
    /* asked again for another size: the dataset there is kept as it is */
    assert_int_equal(seed_ensure(sub, 300, err, sizeof err), 0);
    size_t len2;
    char *after = slurp(sub, "tokens.tsv", &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(after, before, len);
    assert_null(strstr(after, "\n201\t"));
    free(before);
    free(after);
    /* and a directory it cannot create is an error, not a crash */
    assert_int_equal(seed_ensure("/proc/archbench-no/data", 10, err, sizeof err), -1);
    assert_non_null(strstr(err, "/proc/archbench-no/data"));
    proc_rmdir(dir);
}

/* tokens.tsv holds clear-text bearer tokens, the databases e-mail addresses and
 * service-secret the microservices' credential: owner-only, whatever the caller's
 * umask. */
static void test_seeded_files_are_readable_by_their_owner_only(void **state)
{
    (void)state;
    char parent[64] = "/tmp/archbench-seed-XXXXXX", dir[96];
    assert_non_null(mkdtemp(parent));
    snprintf(dir, sizeof dir, "%s/var", parent);
    mode_t old = umask(022);
    struct seed_options opt = {.users = 50, .seed = 7, .dir = dir};
    char err[512];
    int rc = seed_run(&opt, err, sizeof err);
    assert_int_equal(umask(old), 022); /* the seed gave the caller's umask back */
    if (rc != 0)
        fail_msg("seed: %s", err);
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);
    static const char *files[] = {"app.db", "auth.db", "profiles.db", "tokens.tsv",
                                  "service-secret"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[160];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        assert_int_equal(stat(path, &st), 0);
        if ((st.st_mode & 07777) != 0600)
            fail_msg("%s has mode %o, expected 600", files[i], st.st_mode & 07777);
    }
    proc_rmdir(parent);
}

/* A random secret (not derived from the public --seed) the services accept, kept
 * when the data is seeded again. */
static void test_seed_writes_a_service_secret_and_keeps_it(void **state)
{
    (void)state;
    char dir[64] = "/tmp/archbench-secret-XXXXXX", path[128], err[512];
    assert_non_null(mkdtemp(dir));
    struct seed_options opt = {.users = 20, .seed = 7, .dir = dir};
    struct service_secret a, b;
    assert_int_equal(seed_run(&opt, err, sizeof err), 0);
    seed_secret_path(dir, path, sizeof path);
    if (!service_secret_load(path, &a, err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(a.len, 64);
    assert_int_equal(seed_run(&opt, err, sizeof err), 0);
    assert_true(service_secret_load(path, &b, err, sizeof err));
    assert_string_equal(a.value, b.value);
    proc_rmdir(dir);
}

int main(void)
{
    db_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seeded_files_are_readable_by_their_owner_only),
        cmocka_unit_test(test_seed_writes_a_service_secret_and_keeps_it),
        cmocka_unit_test(test_same_seed_gives_identical_files),
        cmocka_unit_test(test_other_seed_gives_other_tokens),
        cmocka_unit_test(test_tokens_file_lists_valid_expired_and_revoked),
        cmocka_unit_test(test_databases_agree_with_tokens_file),
        cmocka_unit_test(test_seeded_text_includes_non_ascii),
        cmocka_unit_test(test_opening_the_wrong_database_fails_clearly),
        cmocka_unit_test(test_first_token_is_user_1s),
        cmocka_unit_test(test_ensure_seeds_only_what_is_missing),
    };
    return cmocka_run_group_tests_name("seed", tests, setup, teardown);
}
