/* libFuzzer target for the token parser (make fuzz-token).
 *
 * The input, NUL-terminated, is an Authorization header value. Whatever the bytes,
 * token_parse_authorization must not crash or read past the value, and its answer
 * must agree with the grammar: TOKEN_OK only for optional white space, "Bearer"
 * in any case, one or more spaces, exactly one 43-character base64url token and
 * optional white space; then the token points inside the value, token_hash runs
 * on it, and encoding any 32 bytes gives a token that parses back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "token.h"

static int is_ws(char c) { return c == ' ' || c == '\t'; }

/* The grammar again, written differently (index arithmetic, no pointer walk). */
static enum token_result expected(const char *v, size_t len)
{
    size_t i = 0;
    while (i < len && is_ws(v[i]))
        i++;
    if (i == len)
        return TOKEN_MISSING;
    if (len - i < 7 || strncasecmp(v + i, "bearer", 6) != 0 || v[i + 6] != ' ')
        return TOKEN_MALFORMED;
    i += 6;
    while (i < len && v[i] == ' ')
        i++;
    size_t end = len;
    while (end > i && is_ws(v[end - 1]))
        end--;
    return token_is_wellformed(v + i, end - i) ? TOKEN_OK : TOKEN_MALFORMED;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *v = malloc(size + 1); /* exact size: ASan catches any read past the NUL */
    if (v == NULL)
        return 0;
    memcpy(v, data, size);
    v[size] = '\0';
    size_t len = strlen(v); /* the header value ends at the first NUL */
    const char *tok = NULL;
    enum token_result r = token_parse_authorization(v, &tok);
    if (r != expected(v, len))
        abort();
    if (r == TOKEN_OK) {
        if (tok < v || tok + TOKEN_LEN > v + len || !token_is_wellformed(tok, TOKEN_LEN))
            abort();
        unsigned char hash[TOKEN_HASH_LEN];
        token_hash(tok, hash);
    }
    if (size >= TOKEN_RAW_LEN) {
        char enc[TOKEN_LEN + 1], hdr[TOKEN_LEN + 8];
        token_encode(data, enc);
        memcpy(hdr, "Bearer ", 7);
        memcpy(hdr + 7, enc, TOKEN_LEN + 1);
        if (token_parse_authorization(hdr, &tok) != TOKEN_OK || memcmp(tok, enc, TOKEN_LEN) != 0)
            abort();
    }
    free(v);
    return 0;
}
