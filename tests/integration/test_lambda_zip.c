/* Integration tests of the deployment zip (mk/lambda-zip.sh, make lambda-zip):
 * unzipped into a read-only task root, run under bin/faas as an unprivileged user
 * with nothing of the test's environment, it serves GET /profile; the traps it
 * avoids (a WAL database, glibc's version, the handler argument) are shown to be
 * real. Run from the repository root, as root (the test drops to nobody). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "httpc.h"
#include "../support/proc.h"
#include "../support/stack.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#else
#define SANITIZED 0
#endif

static char data_dir[256]; /* seeded data (mode 0700, root's) */
static bool packaged;      /* the zip was built and unzipped (not in a sanitizer build) */
static char root[256];     /* world-readable: faas, the zip, task roots */
static char uid_opt[32], gid_opt[32];
static struct stack_token *tokens;
static size_t ntokens;

static int run(const char *const argv[]) { return proc_run_shown((char *const *)argv); }

/* Unzips zip into dir and makes the whole tree read-only. */
static int unzip_read_only(const char *zip, const char *dir)
{
    const char *unzip[] = {"unzip", "-q", "-o", zip, "-d", dir, NULL};
    const char *ro[] = {"chmod", "-R", "a-w", dir, NULL};
    return run(unzip) == 0 && run(ro) == 0 ? 0 : -1;
}

/* Idempotent: cmocka runs it after a failed setup too. */
static int group_teardown(void **state)
{
    (void)state;
    if (root[0] != '\0') {
        const char *rw[] = {"chmod", "-R", "u+w", root, NULL};
        const char *rm[] = {"rm", "-rf", root, NULL};
        run(rw);
        run(rm);
    }
    if (data_dir[0] != '\0') {
        const char *rm[] = {"rm", "-rf", data_dir, NULL};
        run(rm);
    }
    root[0] = data_dir[0] = '\0';
    free(tokens);
    tokens = NULL;
    return 0;
}

static int group_setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    struct passwd *nobody = getpwnam("nobody");
    if (geteuid() != 0 || nobody == NULL) {
        fprintf(stderr, "test_lambda_zip: needs root and a 'nobody' user\n");
        return -1;
    }
    snprintf(uid_opt, sizeof uid_opt, "--reuid=%u", (unsigned)nobody->pw_uid);
    snprintf(gid_opt, sizeof gid_opt, "--regid=%u", (unsigned)nobody->pw_gid);
    snprintf(root, sizeof root, "/tmp/archbench-lambda-XXXXXX");
    if (mkdtemp(root) == NULL) {
        root[0] = '\0';
        return -1;
    }
    if (proc_seed(data_dir, sizeof data_dir, 20) != 0 || chmod(root, 0755) != 0 ||
        (tokens = stack_tokens(data_dir, &ntokens)) == NULL)
        return -1;
    char faas_bin[256], fn_bin[256], faas[300], db[300], zip[300], task[300];
    snprintf(faas, sizeof faas, "%s/faas", root);
    snprintf(db, sizeof db, "%s/app.db", data_dir);
    snprintf(zip, sizeof zip, "%s/function.zip", root);
    snprintf(task, sizeof task, "%s/task", root);
    const char *copy[] = {"cp", proc_bin("faas", faas_bin, sizeof faas_bin), faas, NULL};
    const char *package[] = {"mk/lambda-zip.sh", "--binary",
                             proc_bin("fn-get-profile", fn_bin, sizeof fn_bin), "--db", db, "--out",
                             zip, NULL};
    if (run(copy) != 0)
        return -1;
    if (SANITIZED) {
        /* libasan brings libstdc++ and libgcc_s, which need glibc 2.35 and 2.36:
         * such a binary cannot run on Lambda, and the package is refused. */
        fprintf(stderr, "(a sanitizer build: the package must be refused, and the tests "
                        "that run it are skipped)\n");
        return run(package) == 1 ? 0 : -1;
    }
    if (run(package) != 0 || unzip_read_only(zip, task) != 0)
        return -1;
    packaged = true;
    return 0;
}

/* faas from root, as nobody, with an empty environment, running bootstrap;
 * extra arguments (NULL-terminated) follow. */
static void faas_start(struct proc *p, const char *bootstrap, ...)
{
    char faas[300], log[300];
    snprintf(faas, sizeof faas, "%s/faas", root);
    snprintf(log, sizeof log, "%s/faas.log", data_dir);
    const char *argv[24] = {"/usr/bin/setpriv", uid_opt, gid_opt, "--clear-groups",
                            "/usr/bin/env", "-i", faas, "--listen", "127.0.0.1:0",
                            "--function", bootstrap, "--threads", "1"};
    int argc = 13;
    va_list ap;
    va_start(ap, bootstrap);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && argc < 22)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    if (proc_start_server(p, (char *const *)argv, log) != 0) {
        char *text = proc_slurp(log, NULL);
        fail_msg("faas did not start: %s", text ? text : "(no log)");
    }
}

static int get_profile(int port, const char *token, struct http_response *r)
{
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", token);
    return httpc_request(port, "GET", "/profile", auth, r);
}

static void test_zip_holds_bootstrap_binary_libraries_and_a_rollback_journal_db(void **state)
{
    (void)state;
    if (!packaged)
        skip();
    char path[400];
    struct stat st;
    snprintf(path, sizeof path, "%s/task/bootstrap", root);
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode) && (st.st_mode & 0111) == 0111);
    snprintf(path, sizeof path, "%s/task/bin/fn-get-profile", root);
    assert_int_equal(access(path, X_OK), 0);
    snprintf(path, sizeof path, "%s/task/lib/libcurl.so.4", root);
    assert_int_equal(access(path, R_OK), 0);
    static const char *const glibc[] = {"libc.so.6", "libm.so.6", "ld-linux-x86-64.so.2",
                                        "libresolv.so.2"};
    for (size_t i = 0; i < sizeof glibc / sizeof *glibc; i++) {
        snprintf(path, sizeof path, "%s/task/lib/%s", root, glibc[i]);
        assert_int_not_equal(access(path, F_OK), 0);
    }
    /* sqlite's header: bytes 18 and 19 are 1 in rollback-journal mode, 2 in WAL. */
    snprintf(path, sizeof path, "%s/task/app.db", root);
    size_t len;
    unsigned char *db = (unsigned char *)proc_slurp(path, &len);
    assert_non_null(db);
    assert_true(len > 100);
    assert_int_equal(db[18], 1);
    assert_int_equal(db[19], 1);
    free(db);
}

/* The deployment as Lambda runs it: read-only task root, unprivileged user, no
 * inherited environment, no --env: the bootstrap finds its libraries and its
 * database itself. */
static void test_unzipped_function_serves_profile_as_nobody_from_read_only_root(void **state)
{
    (void)state;
    if (!packaged)
        skip();
    char bootstrap[300];
    snprintf(bootstrap, sizeof bootstrap, "%s/task/bootstrap", root);
    struct proc p;
    faas_start(&p, bootstrap, NULL);
    const struct stack_token *t = stack_token_with(tokens, ntokens, STACK_VALID);
    assert_non_null(t);
    for (int i = 0; i < 2; i++) { /* cold, then warm */
        struct http_response r;
        assert_int_equal(get_profile(p.port, t->token, &r), 0);
        if (r.status != 200)
            fail_msg("GET /profile: %d %s", r.status, r.body);
        char want[64];
        snprintf(want, sizeof want, "\"id\":%lld,", t->user_id);
        assert_non_null(strstr(r.body, want));
        httpc_free(&r);
    }
    assert_int_equal(proc_stop(&p), 0);
    char journal[300];
    snprintf(journal, sizeof journal, "%s/task/app.db-journal", root);
    assert_int_not_equal(access(journal, F_OK), 0);
}

/* The trap the conversion avoids: the same database still in WAL mode, read-only,
 * as nobody, fails the function's init (a 502), so the test above can fail. */
static void test_a_wal_database_in_a_read_only_root_fails(void **state)
{
    (void)state;
    if (!packaged)
        skip();
    char dir[300], db[300], env[320], bootstrap[300];
    snprintf(dir, sizeof dir, "%s/wal", root);
    snprintf(db, sizeof db, "%s/app.db", data_dir);
    snprintf(bootstrap, sizeof bootstrap, "%s/task/bootstrap", root);
    const char *mk[] = {"mkdir", "-p", dir, NULL};
    const char *cp[] = {"cp", db, dir, NULL};
    const char *ro[] = {"chmod", "-R", "a=rX", dir, NULL}; /* readable, as in the zip */
    assert_int_equal(run(mk), 0);
    assert_int_equal(run(cp), 0);
    assert_int_equal(run(ro), 0);
    snprintf(env, sizeof env, "ARCHBENCH_DB=%s/app.db", dir);
    struct proc p;
    faas_start(&p, bootstrap, "--env", env, NULL);
    const struct stack_token *t = stack_token_with(tokens, ntokens, STACK_VALID);
    struct http_response r;
    assert_int_equal(get_profile(p.port, t->token, &r), 0);
    assert_int_equal(r.status, 502);
    httpc_free(&r);
    proc_stop(&p);
    char log[300];
    snprintf(log, sizeof log, "%s/faas.log", data_dir);
    char *text = proc_slurp(log, NULL);
    assert_non_null(text);
    if (strstr(text, "it is in WAL mode and its directory is read-only") == NULL)
        fail_msg("no read-only WAL error in faas's log:\n%s", text);
    free(text);
}

/* aws-lambda-cpp's packaged bootstrap passes $_HANDLER to the binary: one operand
 * is accepted (the run then fails for want of a Runtime API: 1, not 2). */
static void test_the_handler_argument_is_accepted(void **state)
{
    (void)state;
    char bin[256], bootstrap[300];
    snprintf(bootstrap, sizeof bootstrap, "%s/task/bootstrap", root);
    const char *one[] = {proc_bin("fn-get-profile", bin, sizeof bin), "index.handler", NULL};
    const char *two[] = {bin, "index.handler", "extra", NULL};
    const char *via_bootstrap[] = {"/usr/bin/env", "-i", "_HANDLER=index.handler", bootstrap,
                                   "index.handler", NULL};
    unsetenv("AWS_LAMBDA_RUNTIME_API");
    assert_int_equal(run(one), 1);
    assert_int_equal(run(two), 2);
    if (packaged)
        assert_int_equal(run(via_bootstrap), 1);
}

/* A binary that needs glibc 2.36 (arc4random) is refused, and no zip is written. */
static void test_a_binary_needing_newer_glibc_is_refused(void **state)
{
    (void)state;
    char src[300], exe[300], db[300], zip[300];
    snprintf(src, sizeof src, "%s/new-glibc.c", data_dir);
    snprintf(exe, sizeof exe, "%s/new-glibc", data_dir);
    snprintf(db, sizeof db, "%s/app.db", data_dir);
    snprintf(zip, sizeof zip, "%s/refused.zip", data_dir);
    FILE *f = fopen(src, "w");
    assert_non_null(f);
    fputs("#include <stdio.h>\n#include <stdlib.h>\n"
          "int main(void) { printf(\"%u\\n\", arc4random()); return 0; }\n", f);
    fclose(f);
    const char *cc[] = {"cc", "-o", exe, src, NULL};
    if (run(cc) != 0)
        skip(); /* a glibc older than 2.36 has no arc4random: nothing to refuse */
    const char *package[] = {"mk/lambda-zip.sh", "--binary", exe, "--db", db, "--out", zip,
                             NULL};
    assert_int_equal(run(package), 1);
    assert_int_not_equal(access(zip, F_OK), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zip_holds_bootstrap_binary_libraries_and_a_rollback_journal_db),
        cmocka_unit_test(test_unzipped_function_serves_profile_as_nobody_from_read_only_root),
        cmocka_unit_test(test_a_wal_database_in_a_read_only_root_fails),
        cmocka_unit_test(test_the_handler_argument_is_accepted),
        cmocka_unit_test(test_a_binary_needing_newer_glibc_is_refused),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
