/* Read-only sqlite access for the servers: one connection per worker thread, its
 * statements prepared once. Lookups return rows whose strings point into sqlite's
 * memory: they stay valid until the next call on the same struct db or
 * db_release(), which servers call as soon as the body is rendered. */
#ifndef ARCHBENCH_DB_H
#define ARCHBENCH_DB_H

#include <stddef.h>
#include <stdint.h>

#include "profile.h"
#include "token.h"

/* Which tables a connection needs; statements are prepared only for those, so a
 * service fails at start-up, not per request, when its database lacks a table. */
enum {
    DB_SESSIONS = 1 << 0,
    DB_USERS = 1 << 1,
};

enum db_status { DB_OK, DB_NOT_FOUND, DB_ERROR };

struct db;

/* Process-wide sqlite set-up; call once before any thread opens a connection. */
void db_global_init(void);

/* Opens path read-only with the pragmas that keep lookups in memory (mmap, page
 * cache). On failure returns NULL and writes the reason into err. */
struct db *db_open(const char *path, unsigned tables, char *err, size_t errlen);
void db_close(struct db *db);

/* sessions: the user and expiry of the session whose token hashes to hash. */
enum db_status db_session_lookup(struct db *db, const unsigned char hash[TOKEN_HASH_LEN],
                                 int64_t *user_id, int64_t *expires_at);

/* users: the profile of user id. */
enum db_status db_user_lookup(struct db *db, int64_t id, struct profile *out);

/* Both tables in one query (monolith and function): the profile of the session's
 * user and the session's expiry. */
enum db_status db_profile_by_token(struct db *db, const unsigned char hash[TOKEN_HASH_LEN],
                                   struct profile *out, int64_t *expires_at);

/* Ends the current row's lifetime (resets the statement, releasing the read lock). */
void db_release(struct db *db);

/* The last sqlite error message on this connection. */
const char *db_errmsg(struct db *db);

#endif
