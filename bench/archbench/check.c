/* archbench check (see check.h): the data folder's users and tokens, the run of
 * every case, and the three reports: one line per case on stdout, --json and
 * --junit (JUnit XML, which CI systems and classroom autograders read). */
#include "check.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "db.h"
#include "httpc.h"
#include "opts.h"
#include "profile.h"
#include "seed.h"
#include "token.h"

/* ---- the data folder ------------------------------------------------------------ */

/* A well-formed token (43 base64url characters) that no seed writes: SHA-256
 * outputs are never this regular. */
static const char check_unknown_token[] = "checkUnknownToken0000000000000000000000000Q";
_Static_assert(sizeof check_unknown_token == TOKEN_LEN + 1, "a token is 43 characters");

/* The profile of user id in the shape the contract renders it, or NULL. */
static char *expected_body(struct db *db, int64_t id, size_t *len)
{
    struct profile p;
    if (db_user_lookup(db, id, &p) != DB_OK)
        return NULL;
    char *body = profile_render(&p, len);
    db_release(db);
    return body;
}

static bool has_non_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return true;
    return false;
}

/* Keeps user id (token tok) when its kind still wants users: ASCII ones at the
 * front of c->users, non-ASCII ones in more[]. */
static void select_user(struct check_ctx *c, struct db *db, int64_t id, const char *tok,
                        struct check_user *more, size_t *nmore)
{
    size_t len;
    char *body = expected_body(db, id, &len);
    if (body == NULL)
        return;
    bool non_ascii = has_non_ascii(body, len);
    struct check_user *u = NULL;
    if (non_ascii && *nmore < CHECK_USERS_PER_KIND)
        u = &more[(*nmore)++];
    else if (!non_ascii && c->nascii < CHECK_USERS_PER_KIND)
        u = &c->users[c->nascii++];
    if (u == NULL) {
        free(body);
        return;
    }
    *u = (struct check_user){.id = id, .body = body, .len = len, .non_ascii = non_ascii};
    snprintf(u->token, sizeof u->token, "%s", tok);
}

/* Reads tokens.tsv: the users of the 200-body cases, an expired and a revoked
 * token. */
static int read_tokens(struct check_ctx *c, struct db *db, FILE *f, char *err, size_t errlen)
{
    struct check_user more[CHECK_USERS_PER_KIND];
    size_t nmore = 0;
    char line[256], tok[64], status[16];
    long long id;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%lld\t%63s\t%15s", &id, tok, status) != 3)
            continue; /* the header line */
        if (strcmp(status, "expired") == 0 && c->expired[0] == '\0')
            snprintf(c->expired, sizeof c->expired, "%s", tok);
        else if (strcmp(status, "revoked") == 0 && c->revoked[0] == '\0')
            snprintf(c->revoked, sizeof c->revoked, "%s", tok);
        else if (strcmp(status, "valid") == 0 &&
                 (c->nascii < CHECK_USERS_PER_KIND || nmore < CHECK_USERS_PER_KIND))
            select_user(c, db, id, tok, more, &nmore);
    }
    memcpy(&c->users[c->nascii], more, nmore * sizeof more[0]);
    c->nusers = c->nascii + nmore;
    if (c->nusers < 2 || !c->expired[0] || !c->revoked[0]) {
        snprintf(err, errlen, "its tokens.tsv lacks valid (2 at least), expired or revoked "
                              "tokens whose users are in its database");
        return -1;
    }
    return 0;
}

/* The users' database: app.db (monolith, serverless) or profiles.db. */
static struct db *open_users(const char *dir, char *err, size_t errlen)
{
    static const char *files[] = {"app.db", "profiles.db"};
    for (int i = 0; i < 2; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        if (access(path, R_OK) == 0)
            return db_open(path, DB_USERS, err, errlen);
    }
    snprintf(err, errlen, "no app.db or profiles.db");
    return NULL;
}

static int load_data(struct check_ctx *c, const char *dir, char *err, size_t errlen)
{
    char path[4200], why[4400];
    seed_tokens_path(dir, path, sizeof path);
    FILE *f = fopen(path, "r");
    struct db *db = f ? open_users(dir, why, sizeof why) : NULL;
    c->users = calloc(2 * CHECK_USERS_PER_KIND, sizeof *c->users);
    int rc = -1;
    if (f == NULL)
        snprintf(why, sizeof why, "%s: %s", path, strerror(errno));
    else if (db != NULL && c->users != NULL)
        rc = read_tokens(c, db, f, why, sizeof why);
    if (rc != 0)
        snprintf(err, errlen, "--data %s: %s (a folder written by 'archbench seed --dir %s')",
                 dir, why, dir);
    if (f)
        fclose(f);
    db_close(db);
    snprintf(c->unknown, sizeof c->unknown, "%s", check_unknown_token);
    return rc;
}

static void free_ctx(struct check_ctx *c)
{
    for (size_t i = 0; i < c->nusers; i++)
        free(c->users[i].body);
    free(c->users);
}

/* The URL's path is a prefix the requests go under ("http://h/stage" asks for
 * /stage/profile); a trailing /profile is dropped, so the endpoint's own URL works
 * too. */
static int parse_target(struct check_ctx *c, const char *url, char *err, size_t errlen)
{
    if (!url_parse(url, &c->url, err, errlen))
        return -1;
    size_t n = url_base_len(&c->url);
    if (n >= sizeof c->prefix) {
        snprintf(err, errlen, "the URL's path is too long");
        return -1;
    }
    memcpy(c->prefix, c->url.path, n);
    c->prefix[n] = '\0';
    return 0;
}

/* ---- running the cases --------------------------------------------------------- */

static void record(struct check_summary *out, FILE *lines, const struct check_case *k, bool ok,
                   const char *msg, double ms)
{
    if (ok)
        out->passed++;
    else
        out->failed++;
    if (lines && ok)
        fprintf(lines, "ok   %s\n", k->name);
    else if (lines)
        fprintf(lines, "FAIL %s: %s; rule: %s\n", k->name, msg, k->rule);
    json_array_append_new(out->cases, json_pack("{s:s, s:b, s:s, s:s?, s:f}", "name", k->name,
                                                "passed", ok, "rule", k->rule, "message",
                                                ok ? NULL : msg, "ms", ms));
}

int check_run(const char *url, const char *data_dir, FILE *lines, struct check_summary *out,
              char *err, size_t errlen)
{
    struct check_ctx c = {0};
    *out = (struct check_summary){.cases = json_array()};
    if (parse_target(&c, url, err, errlen) != 0 || load_data(&c, data_dir, err, errlen) != 0) {
        free_ctx(&c);
        return -1;
    }
    errno = 0;
    int fd = httpc_connect_host(c.url.host, c.url.port);
    char refused[512];
    snprintf(refused, sizeof refused, "expected a server at %s, got no connection%s%s%s",
             c.url.hostport, errno ? " (" : "", errno ? strerror(errno) : "", errno ? ")" : "");
    if (fd >= 0)
        close(fd);
    for (size_t i = 0; i < check_ncases; i++) {
        char msg[1400] = "";
        double t0 = clock_now_ms();
        bool ok = fd >= 0 && check_cases[i].fn(&c, msg, sizeof msg);
        record(out, lines, &check_cases[i], ok, fd >= 0 ? msg : refused, clock_now_ms() - t0);
    }
    if (lines)
        fprintf(lines, "check: %u passed, %u failed\n", out->passed, out->failed);
    free_ctx(&c);
    return 0;
}

/* ---- reports ---------------------------------------------------------------------- */

static int write_json(const char *path, const char *url, const char *data,
                      const struct check_summary *s)
{
    json_t *doc = json_pack("{s:s, s:s, s:s, s:i, s:i, s:O}", "schema", "archbench.check/1",
                            "url", url, "data", data, "passed", (int)s->passed, "failed",
                            (int)s->failed, "cases", s->cases);
    int rc = doc ? json_dump_file(doc, path, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : -1;
    json_decref(doc);
    return rc;
}

/* s as XML character data or attribute value: the five entities escaped, and
 * the control characters XML 1.0 forbids as '?' (messages show bytes as \xNN
 * already; this is a second guard). */
static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default: fputc((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n' ? '?' : *s, f);
        }
    }
}

static void junit_case(FILE *f, json_t *k)
{
    const char *name = json_string_value(json_object_get(k, "name"));
    fputs("    <testcase classname=\"archbench.check\" name=\"", f);
    xml_text(f, name);
    fprintf(f, "\" time=\"%.3f\"", json_real_value(json_object_get(k, "ms")) / 1000);
    if (json_is_true(json_object_get(k, "passed"))) {
        fputs("/>\n", f);
        return;
    }
    fputs(">\n      <failure type=\"contract\" message=\"", f);
    xml_text(f, json_string_value(json_object_get(k, "message")));
    fputs("\">rule: ", f);
    xml_text(f, json_string_value(json_object_get(k, "rule")));
    fputs("</failure>\n    </testcase>\n", f);
}

static int write_junit(const char *path, const char *url, const struct check_summary *s)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    double total = 0;
    size_t i;
    json_t *k;
    json_array_foreach(s->cases, i, k) total += json_real_value(json_object_get(k, "ms"));
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"archbench check\" "
               "tests=\"%u\" failures=\"%u\" time=\"%.3f\">\n  <testsuite name=\"",
            s->passed + s->failed, s->failed, total / 1000);
    xml_text(f, url);
    fprintf(f, "\" tests=\"%u\" failures=\"%u\" errors=\"0\" skipped=\"0\" time=\"%.3f\">\n",
            s->passed + s->failed, s->failed, total / 1000);
    json_array_foreach(s->cases, i, k) junit_case(f, k);
    fputs("  </testsuite>\n</testsuites>\n", f);
    return fclose(f) == 0 ? 0 : -1;
}

/* ---- the command ------------------------------------------------------------------ */

static void usage(void)
{
    printf("Usage: archbench check [--data DIR] [--json FILE] [--junit FILE] URL\n"
           "Checks that the HTTP server at URL (http://HOST[:PORT][/PREFIX]) keeps the\n"
           "contract of GET /profile (docs/design.md section 2), whatever it is written in.\n"
           "DIR is the folder it serves, seeded by 'archbench seed' (default var): its\n"
           "tokens.tsv gives the tokens, its database the exact bodies to expect.\n"
           "Prints one line per case and 'check: N passed, M failed'; exit status 0 when\n"
           "every case passed, 1 when one failed, 2 on bad usage.\n\n"
           "  --data DIR     the seeded data folder the server reads (default var)\n"
           "  --json FILE    also write the results as JSON\n"
           "  --junit FILE   also write them as JUnit XML (CI systems, autograders)\n");
}

struct check_options {
    const char *data, *json, *junit, *url;
};

static void parse_options(int argc, char **argv, struct check_options *o)
{
    static const struct option longopts[] = {
        {"data", required_argument, NULL, 'd'}, {"json", required_argument, NULL, 'j'},
        {"junit", required_argument, NULL, 'x'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *o = (struct check_options){.data = "var"};
    int ch;
    optind = 1;
    opterr = 0; /* opts_unknown says it in one line */
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'd': o->data = optarg; break;
        case 'j': o->json = optarg; break;
        case 'x': o->junit = optarg; break;
        case 'h': usage(); exit(0);
        default: opts_unknown("archbench check", argv);
        }
    }
    if (optind != argc - 1)
        opts_usage_error("archbench check", optind < argc ? "expected one URL, got more"
                                                          : "a URL is required");
    o->url = argv[optind];
}

int check_main(int argc, char **argv)
{
    struct check_options o;
    parse_options(argc, argv, &o);
    struct check_summary s;
    char err[1024];
    if (check_run(o.url, o.data, stdout, &s, err, sizeof err) != 0) {
        json_decref(s.cases);
        opts_usage_error("archbench check", "%s", err);
    }
    int rc = s.failed ? 1 : 0;
    if (o.json && write_json(o.json, o.url, o.data, &s) != 0) {
        fprintf(stderr, "archbench check: cannot write %s: %s\n", o.json, strerror(errno));
        rc = 2;
    }
    if (o.junit && write_junit(o.junit, o.url, &s) != 0) {
        fprintf(stderr, "archbench check: cannot write %s: %s\n", o.junit, strerror(errno));
        rc = 2;
    }
    json_decref(s.cases);
    return rc;
}
