/* archbench seed: deterministic users, sessions and tokens.
 *
 * Names mix scripts and accents (José Núñez, 田中, Søren), bios carry emoji,
 * quotes, backslashes, tabs and newlines, so every JSON escaping path is exercised.
 * Random choices come from splitmix64 seeded with --seed; tokens come from
 * SHA-256(seed, index), so the same seed always gives the same files. Sessions are
 * inserted in key order (sorted hashes) so a million rows load in seconds. */
#include "seed.h"

#include <errno.h>
#include <openssl/sha.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "service_secret.h"
#include "token.h"

struct name {
    const char *text;  /* as shown */
    const char *ascii; /* for usernames and emails */
};

static const struct name first_names[] = {
    {"José", "jose"},     {"María", "maria"},     {"Zoë", "zoe"},
    {"Søren", "soren"},   {"Łukasz", "lukasz"},   {"Chloé", "chloe"},
    {"Jürgen", "jurgen"}, {"Ana", "ana"},         {"Wei", "wei"},
    {"Yuki", "yuki"},     {"さくら", "sakura"},   {"明", "ming"},
    {"Olusegun", "olusegun"}, {"Amara", "amara"}, {"Priya", "priya"},
    {"Arjun", "arjun"},   {"Fátima", "fatima"},   {"Omar", "omar"},
    {"Noah", "noah"},     {"Emma", "emma"},       {"Liam", "liam"},
    {"Olivia", "olivia"}, {"Mateo", "mateo"},     {"Sofía", "sofia"},
    {"Björn", "bjorn"},   {"Ingrid", "ingrid"},   {"François", "francois"},
    {"Renée", "renee"},   {"Иван", "ivan"},       {"Анна", "anna"},
    {"Θεόδωρος", "theodoros"}, {"Nguyễn", "nguyen"}, {"Aoife", "aoife"},
    {"Kwame", "kwame"},   {"Lucía", "lucia"},     {"Ahmet", "ahmet"},
};

static const struct name last_names[] = {
    {"Núñez", "nunez"},       {"García", "garcia"},   {"Müller", "muller"},
    {"Østergaard", "ostergaard"}, {"Kowalski", "kowalski"}, {"Dubois", "dubois"},
    {"Smith", "smith"},       {"Nakamura", "nakamura"}, {"田中", "tanaka"},
    {"Okafor", "okafor"},     {"Patel", "patel"},     {"Haddad", "haddad"},
    {"O'Brien", "obrien"},    {"Иванов", "ivanov"},   {"Papadopoulos", "papadopoulos"},
    {"Fernández", "fernandez"}, {"Søndergaard", "sondergaard"}, {"Yılmaz", "yilmaz"},
    {"Lefèvre", "lefevre"},   {"Kim", "kim"},         {"Chen", "chen"},
    {"Silva", "silva"},       {"Rossi", "rossi"},     {"Novák", "novak"},
    {"Ó Súilleabháin", "osullivan"}, {"Mensah", "mensah"}, {"Andersson", "andersson"},
    {"Schröder", "schroder"}, {"Tanaka-Pérez", "tanakaperez"}, {"Van der Berg", "vanderberg"},
};

static const char *const roles[] = {
    "Backend developer", "Computer science student", "Site reliability engineer",
    "Data engineer", "Profesora de bases de datos", "Ingeniero de software",
    "Mobile developer", "Teaching assistant", "Security researcher",
    "Desarrolladora full-stack", "Platform engineer", "Hobbyist programmer",
};

static const char *const cities[] = {
    "Madrid", "Ciudad de México", "東京", "São Paulo", "Zürich", "Kraków",
    "Reykjavík", "Lagos", "Bengaluru", "Москва", "Montréal", "Şanlıurfa",
    "Buenos Aires", "서울", "Καλαμάτα", "Medellín",
};

static const char *const hobbies[] = {
    "Loves ☕ and 🚲.",
    "Writes \"clean\" C, mostly.",
    "Collects vinyl 🎶.",
    "Path of choice: C:\\Users\\me (yes, Windows).",
    "Line one.\nLine two.",
    "Tabs\tand spaces, both.",
    "日本語を勉強中。",
    "Fan of 🦀 and 🐍.",
    "<b>not html</b> & friends",
    "Me encanta el café y la montaña ⛰️.",
    "Ask me about B-trees 🌳.",
    "On call this week 📟.",
    "Runs 10 km every Sunday 🏃‍♀️.",
    "Bakes sourdough; 100% hydration is a lie.",
};

static const char *const domains[] = {"example.com", "example.org", "example.net",
                                      "mail.example"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* splitmix64: tiny, fast and fully determined by its state. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static size_t rng_below(uint64_t *s, size_t n) { return (size_t)(rng_next(s) % n); }

uint64_t seed_extra_tokens(uint64_t users)
{
    uint64_t n = users / 1000;
    if (n < 3)
        n = 3;
    if (n > 100)
        n = 100;
    return n > users ? users : n;
}

/* Token number i of this seed: SHA-256("archbench-token", seed, i) as 32 raw bytes. */
static void make_token(uint64_t seed, uint64_t i, char out[TOKEN_LEN + 1])
{
    unsigned char in[15 + 16];
    memcpy(in, "archbench-token", 15);
    for (int b = 0; b < 8; b++) {
        in[15 + b] = (unsigned char)(seed >> (8 * b));
        in[23 + b] = (unsigned char)(i >> (8 * b));
    }
    unsigned char raw[TOKEN_RAW_LEN];
    SHA256(in, sizeof in, raw);
    token_encode(raw, out);
}

struct session_row {
    unsigned char hash[TOKEN_HASH_LEN];
    int64_t user_id;
    int64_t expires_at;
};

static int cmp_session(const void *a, const void *b)
{
    return memcmp(((const struct session_row *)a)->hash,
                  ((const struct session_row *)b)->hash, TOKEN_HASH_LEN);
}

static int exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static const char schema_users[] =
    "CREATE TABLE users(id INTEGER PRIMARY KEY, username TEXT UNIQUE NOT NULL,"
    " display_name TEXT NOT NULL, email TEXT NOT NULL, bio TEXT NOT NULL,"
    " created_at TEXT NOT NULL);";
static const char schema_sessions[] =
    "CREATE TABLE sessions(token_sha256 BLOB PRIMARY KEY, user_id INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL) WITHOUT ROWID;";

/* Bulk-load settings: the file is renamed into place only when complete, so a
 * journal buys nothing here. */
static const char bulk_pragmas[] =
    "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;";

static int open_new(const char *path, sqlite3 **db, char *err, size_t errlen)
{
    unlink(path);
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "open %s: %s", path, sqlite3_errmsg(*db));
        return -1;
    }
    return exec(*db, bulk_pragmas, err, errlen);
}

static int write_users(sqlite3 *db, const struct seed_options *opt, char *err,
                       size_t errlen)
{
    sqlite3_stmt *ins;
    if (sqlite3_prepare_v2(db, "INSERT INTO users VALUES(?1,?2,?3,?4,?5,?6)", -1, &ins,
                           NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        return -1;
    }
    uint64_t rng = opt->seed ^ 0x5eed5eed5eed5eedULL;
    /* created_at spreads over 2015-01-01 .. 2025-12-31. */
    const int64_t t0 = 1420070400, span = 1767139200 - 1420070400;
    int rc = 0;
    for (uint64_t id = 1; id <= opt->users && rc == 0; id++) {
        const struct name *f = &first_names[rng_below(&rng, COUNT(first_names))];
        const struct name *l = &last_names[rng_below(&rng, COUNT(last_names))];
        char username[96], display[128], email[160], bio[512], created[32];
        snprintf(username, sizeof username, "%s.%s%llu", f->ascii, l->ascii,
                 (unsigned long long)id);
        snprintf(display, sizeof display, "%s %s", f->text, l->text);
        snprintf(email, sizeof email, "%s@%s", username,
                 domains[rng_below(&rng, COUNT(domains))]);
        snprintf(bio, sizeof bio, "%s in %s. %s", roles[rng_below(&rng, COUNT(roles))],
                 cities[rng_below(&rng, COUNT(cities))],
                 hobbies[rng_below(&rng, COUNT(hobbies))]);
        time_t t = (time_t)(t0 + (int64_t)(rng_next(&rng) % (uint64_t)span));
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);

        sqlite3_bind_int64(ins, 1, (sqlite3_int64)id);
        sqlite3_bind_text(ins, 2, username, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, display, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, email, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 5, bio, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 6, created, -1, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            snprintf(err, errlen, "insert user %llu: %s", (unsigned long long)id,
                     sqlite3_errmsg(db));
            rc = -1;
        }
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    return rc;
}

static int write_sessions(sqlite3 *db, const struct session_row *rows, size_t n,
                          char *err, size_t errlen)
{
    sqlite3_stmt *ins;
    if (sqlite3_prepare_v2(db, "INSERT INTO sessions VALUES(?1,?2,?3)", -1, &ins, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        sqlite3_bind_blob(ins, 1, rows[i].hash, TOKEN_HASH_LEN, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 2, rows[i].user_id);
        sqlite3_bind_int64(ins, 3, rows[i].expires_at);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            snprintf(err, errlen, "insert session: %s", sqlite3_errmsg(db));
            rc = -1;
        }
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    return rc;
}

/* One database file built under a temporary name. */
struct out_db {
    const char *name; /* app.db, auth.db, profiles.db */
    int users, sessions;
    char tmp[4096], final[4096];
};

static int build_db(struct out_db *o, const struct seed_options *opt,
                    const struct session_row *rows, size_t nrows, char *err,
                    size_t errlen)
{
    sqlite3 *db = NULL;
    int rc = open_new(o->tmp, &db, err, errlen);
    if (rc == 0)
        rc = exec(db, "BEGIN", err, errlen);
    if (rc == 0 && o->users)
        rc = exec(db, schema_users, err, errlen);
    if (rc == 0 && o->sessions)
        rc = exec(db, schema_sessions, err, errlen);
    if (rc == 0 && o->users)
        rc = write_users(db, opt, err, errlen);
    if (rc == 0 && o->sessions)
        rc = write_sessions(db, rows, nrows, err, errlen);
    if (rc == 0)
        rc = exec(db, "COMMIT", err, errlen);
    /* Servers read in WAL mode: a read transaction then costs two fcntl() calls
     * instead of four plus three stat() calls for the hot-journal check (measured
     * with strace -c on the monolith), and readers never block a writer. A
     * read-only mount needs the rollback journal (see seed.h). */
    if (rc == 0 && !opt->rollback_journal)
        rc = exec(db, "PRAGMA journal_mode = WAL", err, errlen);
    if (sqlite3_close(db) != SQLITE_OK && rc == 0) {
        snprintf(err, errlen, "close %s: %s", o->tmp, sqlite3_errmsg(db));
        rc = -1;
    }
    if (rc != 0) {
        /* name the file in the message; keep the sqlite reason */
        char reason[512];
        snprintf(reason, sizeof reason, "%s", err);
        snprintf(err, errlen, "%s: %s", o->final, reason);
        unlink(o->tmp);
    }
    return rc;
}

static int write_tokens(const char *path, const struct seed_options *opt,
                        uint64_t nextra, char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        snprintf(err, errlen, "open %s: %s", path, strerror(errno));
        return -1;
    }
    fputs("user_id\ttoken\tstatus\n", f);
    char tok[TOKEN_LEN + 1];
    uint64_t i = 0;
    for (uint64_t id = 1; id <= opt->users; id++, i++) {
        make_token(opt->seed, i, tok);
        fprintf(f, "%llu\t%s\tvalid\n", (unsigned long long)id, tok);
    }
    for (uint64_t k = 1; k <= nextra; k++, i++) {
        make_token(opt->seed, i, tok);
        fprintf(f, "%llu\t%s\texpired\n", (unsigned long long)k, tok);
    }
    for (uint64_t k = 1; k <= nextra; k++, i++) {
        make_token(opt->seed, i, tok);
        fprintf(f, "%llu\t%s\trevoked\n", (unsigned long long)k, tok);
    }
    if (fclose(f) != 0) {
        snprintf(err, errlen, "write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* tokens.tsv holds every user's bearer token in clear text, and the databases
 * every user's e-mail address: only their owner may read them. umask 077 covers
 * every file the seed (and sqlite, for its journals) creates; a folder that
 * already exists keeps its mode (it may be /tmp), a new one is 0700. */
static int seed_files(const struct seed_options *opt, char *err, size_t errlen);

int seed_run(const struct seed_options *opt, char *err, size_t errlen)
{
    mode_t old = umask(077);
    int rc = seed_files(opt, err, errlen);
    umask(old);
    return rc;
}

static int seed_files(const struct seed_options *opt, char *err, size_t errlen)
{
    if (mkdir(opt->dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "mkdir %s: %s", opt->dir, strerror(errno));
        return -1;
    }
    /* Sessions: one valid per user (token i-1 for user i), then the expired ones
     * for users 1..nextra. Revoked tokens exist only in tokens.tsv. */
    uint64_t nextra = seed_extra_tokens(opt->users);
    size_t nrows = (size_t)(opt->users + nextra);
    struct session_row *rows = malloc(nrows * sizeof *rows);
    if (rows == NULL) {
        snprintf(err, errlen, "out of memory for %zu sessions", nrows);
        return -1;
    }
    char tok[TOKEN_LEN + 1];
    for (size_t i = 0; i < nrows; i++) {
        make_token(opt->seed, i, tok);
        token_hash(tok, rows[i].hash);
        bool valid = i < opt->users;
        rows[i].user_id = valid ? (int64_t)i + 1 : (int64_t)(i - opt->users) + 1;
        rows[i].expires_at = valid ? SEED_VALID_UNTIL : SEED_EXPIRED_AT;
    }
    qsort(rows, nrows, sizeof *rows, cmp_session);

    struct out_db dbs[] = {
        {.name = "app.db", .users = 1, .sessions = 1},
        {.name = "auth.db", .users = 0, .sessions = 1},
        {.name = "profiles.db", .users = 1, .sessions = 0},
    };
    int rc = 0;
    for (size_t i = 0; i < COUNT(dbs) && rc == 0; i++) {
        snprintf(dbs[i].final, sizeof dbs[i].final, "%s/%s", opt->dir, dbs[i].name);
        snprintf(dbs[i].tmp, sizeof dbs[i].tmp, "%s/.%s.tmp", opt->dir, dbs[i].name);
        rc = build_db(&dbs[i], opt, rows, nrows, err, errlen);
    }
    free(rows);

    char tokens[4096], tokens_tmp[4096];
    seed_tokens_path(opt->dir, tokens, sizeof tokens);
    snprintf(tokens_tmp, sizeof tokens_tmp, "%s/.tokens.tsv.tmp", opt->dir);
    if (rc == 0)
        rc = write_tokens(tokens_tmp, opt, nextra, err, errlen);
    /* Everything was written: move it into place, databases first. */
    for (size_t i = 0; i < COUNT(dbs) && rc == 0; i++)
        if (rename(dbs[i].tmp, dbs[i].final) != 0) {
            snprintf(err, errlen, "rename %s: %s", dbs[i].final, strerror(errno));
            rc = -1;
        }
    if (rc == 0 && rename(tokens_tmp, tokens) != 0) {
        snprintf(err, errlen, "rename %s: %s", tokens, strerror(errno));
        rc = -1;
    }
    if (rc != 0) {
        for (size_t i = 0; i < COUNT(dbs); i++)
            unlink(dbs[i].tmp);
        unlink(tokens_tmp);
    }
    /* The microservices' shared secret: random, not derived from --seed (which is
     * public), and kept when it exists, so a reseed does not change it. */
    char secret[4096];
    seed_secret_path(opt->dir, secret, sizeof secret);
    if (rc == 0 && !service_secret_ensure(secret, err, errlen))
        rc = -1;
    return rc;
}

void seed_secret_path(const char *dir, char *out, size_t len)
{
    snprintf(out, len, "%s/service-secret", dir);
}

void seed_tokens_path(const char *dir, char *out, size_t len)
{
    snprintf(out, len, "%s/tokens.tsv", dir);
}

int seed_ensure(const char *dir, uint64_t users, char *err, size_t errlen)
{
    char tokens[4096];
    seed_tokens_path(dir, tokens, sizeof tokens);
    if (access(tokens, R_OK) == 0)
        return 0;
    fprintf(stderr, "seeding %llu users into %s\n", (unsigned long long)users, dir);
    struct seed_options so = {.users = users, .seed = SEED_DEFAULT, .dir = dir};
    return seed_run(&so, err, errlen);
}

uint64_t seed_count_users(const char *dir)
{
    char path[4096], line[256];
    seed_tokens_path(dir, path, sizeof path);
    FILE *f = fopen(path, "r");
    uint64_t n = 0;
    while (f && fgets(line, sizeof line, f))
        n += strstr(line, "\tvalid") != NULL;
    if (f)
        fclose(f);
    return n;
}

void seed_first_token(const char *dir, char *tok, size_t len)
{
    char path[4096];
    seed_tokens_path(dir, path, sizeof path);
    snprintf(tok, len, "%s", "");
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    char line[256], t[64];
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%*u\t%63s\tvalid", t) == 1) {
            snprintf(tok, len, "%s", t);
            break;
        }
    fclose(f);
}
