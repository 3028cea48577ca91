/* Read-only sqlite access with prepared statements. A connection is used by one
 * thread only, so it is opened with SQLITE_OPEN_NOMUTEX; memory statistics are off
 * because they take a global mutex on every allocation. */
#include "db.h"

#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct db {
    sqlite3 *conn;
    sqlite3_stmt *session;
    sqlite3_stmt *user;
    sqlite3_stmt *profile_by_token;
    sqlite3_stmt *active; /* statement holding the current row, if any */
};

#define USER_COLUMNS "u.id, u.username, u.display_name, u.email, u.bio, u.created_at"

void db_global_init(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_initialize();
}

static int prepare(struct db *db, const char *sql, sqlite3_stmt **stmt, char *err,
                   size_t errlen)
{
    if (sqlite3_prepare_v3(db->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db->conn));
        return -1;
    }
    return 0;
}

/* True when path is a WAL-mode database (header bytes 18 and 19 are 2) in a directory
 * this process cannot write: sqlite must create PATH-shm there even to read such a
 * file, so it fails with the bare "unable to open database file". A read-only
 * mount (Docker :ro, a Kubernetes read-only volume, Lambda's task root) is the
 * usual cause. */
static bool wal_in_readonly_dir(const char *path)
{
    unsigned char hdr[20];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool wal = read(fd, hdr, sizeof hdr) == (ssize_t)sizeof hdr && hdr[18] == 2 && hdr[19] == 2;
    close(fd);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    return wal && access(dirname(dir), W_OK) != 0;
}

/* The reason an open failed, with the remedy when it is the read-only WAL case. */
static void open_error(const char *path, const char *why, char *err, size_t errlen)
{
    if (wal_in_readonly_dir(path))
        snprintf(err, errlen,
                 "open %s: %s: it is in WAL mode and its directory is read-only (sqlite "
                 "must create %s-shm there); for a read-only mount seed it with "
                 "'archbench seed --journal delete'",
                 path, why, path);
    else
        snprintf(err, errlen, "open %s: %s", path, why);
}

struct db *db_open(const char *path, unsigned tables, char *err, size_t errlen)
{
    struct db *db = calloc(1, sizeof *db);
    if (db == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    int rc = sqlite3_open_v2(path, &db->conn,
                             SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        open_error(path, db->conn ? sqlite3_errmsg(db->conn) : sqlite3_errstr(rc), err, errlen);
        goto fail;
    }
    /* mmap lets lookups read pages without a copy into the page cache (+21 % on
     * this machine); the cache keeps interior B-tree pages hot either way. */
    static const char pragmas[] = "PRAGMA mmap_size = 1073741824;"
                                  "PRAGMA cache_size = -16384;"
                                  "PRAGMA query_only = 1;";
    char *msg = NULL;
    if (sqlite3_exec(db->conn, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
        /* the first statement is where sqlite reads the file, and so where a
         * read-only WAL database fails */
        open_error(path, msg ? msg : "pragma failed", err, errlen);
        sqlite3_free(msg);
        goto fail;
    }
    char perr[256];
    if ((tables & DB_SESSIONS) &&
        prepare(db, "SELECT user_id, expires_at FROM sessions WHERE token_sha256 = ?1",
                &db->session, perr, sizeof perr) != 0)
        goto fail_prepare;
    if ((tables & DB_USERS) &&
        prepare(db, "SELECT " USER_COLUMNS " FROM users u WHERE u.id = ?1", &db->user,
                perr, sizeof perr) != 0)
        goto fail_prepare;
    if ((tables & DB_SESSIONS) && (tables & DB_USERS) &&
        prepare(db,
                "SELECT " USER_COLUMNS ", s.expires_at FROM sessions s"
                " JOIN users u ON u.id = s.user_id WHERE s.token_sha256 = ?1",
                &db->profile_by_token, perr, sizeof perr) != 0)
        goto fail_prepare;
    return db;

fail_prepare:
    /* Usually "no such table": the wrong database file for this service. */
    snprintf(err, errlen, "%s: %s (is this the right database? run 'bin/archbench seed')",
             path, perr);
fail:
    db_close(db);
    return NULL;
}

void db_close(struct db *db)
{
    if (db == NULL)
        return;
    sqlite3_finalize(db->session);
    sqlite3_finalize(db->user);
    sqlite3_finalize(db->profile_by_token);
    sqlite3_close(db->conn);
    free(db);
}

void db_release(struct db *db)
{
    if (db->active != NULL) {
        sqlite3_reset(db->active);
        db->active = NULL;
    }
}

const char *db_errmsg(struct db *db) { return sqlite3_errmsg(db->conn); }

/* Runs stmt (already bound) to its first row. */
static enum db_status step(struct db *db, sqlite3_stmt *stmt)
{
    db->active = stmt;
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        return DB_OK;
    db_release(db);
    return rc == SQLITE_DONE ? DB_NOT_FOUND : DB_ERROR;
}

static void read_profile(sqlite3_stmt *s, struct profile *p)
{
    p->id = sqlite3_column_int64(s, 0);
    p->username = (const char *)sqlite3_column_text(s, 1);
    p->username_len = (size_t)sqlite3_column_bytes(s, 1);
    p->display_name = (const char *)sqlite3_column_text(s, 2);
    p->display_name_len = (size_t)sqlite3_column_bytes(s, 2);
    p->email = (const char *)sqlite3_column_text(s, 3);
    p->email_len = (size_t)sqlite3_column_bytes(s, 3);
    p->bio = (const char *)sqlite3_column_text(s, 4);
    p->bio_len = (size_t)sqlite3_column_bytes(s, 4);
    p->created_at = (const char *)sqlite3_column_text(s, 5);
    p->created_at_len = (size_t)sqlite3_column_bytes(s, 5);
}

enum db_status db_session_lookup(struct db *db, const unsigned char hash[TOKEN_HASH_LEN],
                                 int64_t *user_id, int64_t *expires_at)
{
    db_release(db);
    sqlite3_bind_blob(db->session, 1, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
    enum db_status st = step(db, db->session);
    if (st == DB_OK) {
        *user_id = sqlite3_column_int64(db->session, 0);
        *expires_at = sqlite3_column_int64(db->session, 1);
        db_release(db); /* plain integers: nothing to keep alive */
    }
    return st;
}

enum db_status db_user_lookup(struct db *db, int64_t id, struct profile *out)
{
    db_release(db);
    sqlite3_bind_int64(db->user, 1, id);
    enum db_status st = step(db, db->user);
    if (st == DB_OK)
        read_profile(db->user, out);
    return st;
}

enum db_status db_profile_by_token(struct db *db, const unsigned char hash[TOKEN_HASH_LEN],
                                   struct profile *out, int64_t *expires_at)
{
    db_release(db);
    sqlite3_bind_blob(db->profile_by_token, 1, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
    enum db_status st = step(db, db->profile_by_token);
    if (st == DB_OK) {
        read_profile(db->profile_by_token, out);
        *expires_at = sqlite3_column_int64(db->profile_by_token, 6);
    }
    return st;
}
