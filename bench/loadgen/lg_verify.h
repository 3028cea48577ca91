/* loadgen's users: the tokens it sends and the check that each answer belongs to the
 * user whose token was sent. A 200 carrying another user's profile is the worst bug a
 * profile endpoint can have, so --verify treats it as a failure, never a success. */
#ifndef LG_VERIFY_H
#define LG_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lg_token {
    int64_t user_id;
    char token[64];
};

struct lg_tokens {
    struct lg_token *items;
    size_t count;
};

/* Reads tokens.tsv ("user_id<TAB>token<TAB>status" header, then one session per
 * line) and keeps the rows whose status is "valid". Returns false with err set when
 * the file cannot be read, is malformed, or has no valid row. */
bool lg_verify_load_tokens(const char *path, struct lg_tokens *out, char *err, size_t errlen);
void lg_verify_free_tokens(struct lg_tokens *t);

/* Finds the top-level "id" member of a JSON object in body[0..len) (which may be a
 * prefix of a longer body) and parses it as an integer. False when the body is not
 * an object, has no such member before len, or the value is not an integer. */
bool lg_verify_body_id(const char *body, size_t len, int64_t *id);

#endif
