/* archbench check URL: the endpoint's contract (docs/design.md §2) as a
 * conformance suite against any running HTTP server, in any language, here or
 * on another machine. A seeded data folder gives the tokens and, through the
 * project's own renderer, the bytes every 200 must carry. check.c loads the
 * data, runs the cases and writes the text, JSON and JUnit reports;
 * check_cases.c holds the cases, each with the rule it checks. */
#ifndef ARCHBENCH_CHECK_H
#define ARCHBENCH_CHECK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "url.h"

/* A seeded user and the 200 body the contract asks for with its token. */
struct check_user {
    int64_t id;
    char token[64];
    char *body;       /* rendered by common/profile.c from the data folder */
    size_t len;
    bool non_ascii;   /* the body holds UTF-8 beyond ASCII */
};

/* How many users the 200-body cases ask for, of each kind (ASCII rows, which
 * include the JSON escapes of the seeded bios, and non-ASCII rows). */
#define CHECK_USERS_PER_KIND 25

struct check_ctx {
    struct url url;
    char prefix[512];          /* the URL's path without a trailing '/': "" or "/stage" */
    struct check_user *users;  /* ASCII rows first (nascii), then non-ASCII ones */
    size_t nusers, nascii;
    char expired[64], revoked[64], unknown[64];
    char five_xx[300];         /* the first request answered 5xx (other than 501), or "" */
};

/* One case: true when the server passed it; otherwise msg says "expected ...,
 * got ...". */
typedef bool (*check_fn)(struct check_ctx *c, char *msg, size_t len);

struct check_case {
    const char *name;
    const char *rule;          /* the rule, named on a failure */
    check_fn fn;
};

extern const struct check_case check_cases[];
extern const size_t check_ncases;

struct check_summary {
    unsigned passed, failed;
    json_t *cases;             /* [{name, passed, rule, message, ms}] (the caller's) */
};

/* Runs every case against url with the data in data_dir, printing one line per
 * case to lines (NULL: none). Returns 0, or -1 with err set when the URL or the
 * data folder cannot be used (nothing was run). */
int check_run(const char *url, const char *data_dir, FILE *lines, struct check_summary *out,
              char *err, size_t errlen);

/* archbench check [--data DIR] [--json FILE] [--junit FILE] URL */
int check_main(int argc, char **argv);

#endif
