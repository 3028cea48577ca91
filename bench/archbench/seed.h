/* archbench seed: writes the benchmark's databases and tokens (DESIGN §3).
 * Deterministic for a given seed: the same seed gives byte-identical files. */
#ifndef ARCHBENCH_SEED_H
#define ARCHBENCH_SEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* archbench seed's defaults; every dataset archbench run and up write uses the
 * default seed (run.json records it). */
#define SEED_DEFAULT 42
#define SEED_DEFAULT_USERS 10000

struct seed_options {
    uint64_t users;
    uint64_t seed;
    const char *dir;
    /* Leave the databases in rollback-journal mode instead of WAL: for a read-only
     * mount, where sqlite cannot create a WAL database's -shm file. */
    bool rollback_journal;
};

/* Expiry of every valid session: 2100-01-01T00:00:00Z (fixed, so files are
 * reproducible); expired sessions use SEED_EXPIRED_AT, 2023-11-14. */
#define SEED_VALID_UNTIL 4102444800LL
#define SEED_EXPIRED_AT 1700000000LL

/* How many expired and how many revoked tokens a seed of `users` users writes. */
uint64_t seed_extra_tokens(uint64_t users);

/* Writes DIR/app.db, DIR/auth.db, DIR/profiles.db and DIR/tokens.tsv (each to a
 * temporary name first, renamed when complete). Returns 0, or -1 with err set. */
int seed_run(const struct seed_options *opt, char *err, size_t errlen);

/* Seeds DIR with `users` users (SEED_DEFAULT) unless DIR/tokens.tsv is there already,
 * saying so on stderr. Returns 0, or -1 with err set. */
int seed_ensure(const char *dir, uint64_t users, char *err, size_t errlen);

/* DIR/tokens.tsv, the tokens of the dataset in DIR (loadgen --tokens reads it). */
void seed_tokens_path(const char *dir, char *out, size_t len);

/* How many valid sessions (one per user) DIR/tokens.tsv lists; 0 when it cannot be
 * read. */
uint64_t seed_count_users(const char *dir);

/* DIR/service-secret, the secret the gateway presents to the services (the seed
 * writes one, 0600, when there is none). */
void seed_secret_path(const char *dir, char *out, size_t len);

/* The first valid token of the dataset in DIR (user 1's) into tok; "" when its
 * tokens.tsv has none or cannot be read. */
void seed_first_token(const char *dir, char *tok, size_t len);

#endif
