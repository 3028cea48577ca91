/* Session tokens: 32 random bytes, base64url without padding (43 characters).
 * Only SHA-256(token text) is stored. Parsing the Authorization header rejects
 * anything that is not exactly one well-formed token before any database work. */
#ifndef ARCHBENCH_TOKEN_H
#define ARCHBENCH_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOKEN_RAW_LEN 32
#define TOKEN_LEN 43
#define TOKEN_HASH_LEN 32

/* The outcome of checking a request's credentials, shared by every architecture so
 * that all three give the same 401 details. */
enum token_result {
    TOKEN_OK,
    TOKEN_MISSING,   /* no Authorization header */
    TOKEN_MALFORMED, /* not "Bearer <43 base64url chars>" */
    TOKEN_UNKNOWN,   /* well-formed, but no such session */
    TOKEN_EXPIRED,   /* the session's expires_at has passed */
};

/* Extracts the token from an Authorization header value. The scheme "Bearer" is
 * case-insensitive (RFC 7235); one or more spaces separate it from the token;
 * surrounding white space is ignored. On TOKEN_OK *token points at the 43
 * characters inside header (not NUL-terminated). header may be NULL (missing). */
enum token_result token_parse_authorization(const char *header, const char **token);

/* True when s[0..len) is exactly TOKEN_LEN base64url characters. */
bool token_is_wellformed(const char *s, size_t len);

/* SHA-256 of the token's 43 characters: the key stored in sessions.token_sha256. */
void token_hash(const char *token, unsigned char hash[TOKEN_HASH_LEN]);

/* Encodes 32 raw bytes as a 43-character base64url token plus a NUL. */
void token_encode(const unsigned char raw[TOKEN_RAW_LEN], char out[TOKEN_LEN + 1]);

/* TOKEN_EXPIRED when the session has expired at unix time now, else TOKEN_OK.
 * Inline: every request of every architecture asks it. */
static inline enum token_result token_check_expiry(int64_t expires_at, int64_t now)
{
    return expires_at <= now ? TOKEN_EXPIRED : TOKEN_OK;
}

/* The problem+json "detail" for a failed check, identical in every architecture. */
const char *token_result_detail(enum token_result r);

/* The WWW-Authenticate value to send with the 401 for r (RFC 6750 §3). */
const char *token_result_challenge(enum token_result r);

#endif
