/* Tokens file loading and the "whose profile is this" check.
 *
 * The body check is a small scanner rather than a JSON parse: it walks the top-level
 * object's members, skipping strings (escapes included) and nested values, until it
 * meets the key "id". DESIGN §2 puts id first, so it usually stops after a few
 * bytes, but a body with id elsewhere is still checked correctly. */
#include "lg_verify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool lg_verify_load_tokens(const char *path, struct lg_tokens *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "open %s: %s", path, strerror(errno));
        return false;
    }
    char line[512];
    size_t cap = 0, lineno = 0;
    bool ok = true;
    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        size_t n = strlen(line);
        if (n > 0 && line[n - 1] == '\n')
            line[--n] = '\0';
        else if (!feof(f)) {
            snprintf(err, errlen, "%s:%zu: line too long", path, lineno);
            ok = false;
            break;
        }
        if (n > 0 && line[n - 1] == '\r')
            line[--n] = '\0';
        if (lineno == 1) {
            if (strncmp(line, "user_id\ttoken", 13) != 0) {
                snprintf(err, errlen, "%s: expected a 'user_id<TAB>token<TAB>status' header",
                         path);
                ok = false;
                break;
            }
            continue;
        }
        if (n == 0)
            continue;
        char *tab1 = strchr(line, '\t');
        char *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
        char *end;
        errno = 0;
        long long id = tab1 ? strtoll(line, &end, 10) : 0;
        if (tab1 == NULL || end != tab1 || errno != 0 || tab1 == line) {
            snprintf(err, errlen, "%s:%zu: expected user_id<TAB>token<TAB>status", path,
                     lineno);
            ok = false;
            break;
        }
        const char *status = tab2 ? tab2 + 1 : "valid";
        size_t toklen = tab2 ? (size_t)(tab2 - tab1 - 1) : strlen(tab1 + 1);
        if (strcmp(status, "valid") != 0)
            continue;
        if (toklen == 0 || toklen >= sizeof out->items[0].token) {
            snprintf(err, errlen, "%s:%zu: bad token length %zu", path, lineno, toklen);
            ok = false;
            break;
        }
        if (out->count == cap) {
            cap = cap ? cap * 2 : 1024;
            struct lg_token *grown = realloc(out->items, cap * sizeof *grown);
            if (grown == NULL) {
                snprintf(err, errlen, "out of memory reading %s", path);
                ok = false;
                break;
            }
            out->items = grown;
        }
        struct lg_token *t = &out->items[out->count++];
        t->user_id = id;
        memcpy(t->token, tab1 + 1, toklen);
        t->token[toklen] = '\0';
    }
    if (ok && ferror(f)) {
        snprintf(err, errlen, "read %s: %s", path, strerror(errno));
        ok = false;
    }
    fclose(f);
    if (ok && out->count == 0) {
        snprintf(err, errlen, "%s: no valid tokens", path);
        ok = false;
    }
    if (!ok)
        lg_verify_free_tokens(out);
    return ok;
}

void lg_verify_free_tokens(struct lg_tokens *t)
{
    free(t->items);
    t->items = NULL;
    t->count = 0;
}

static size_t lg_verify_ws(const char *s, size_t i, size_t len)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* Skips the string starting at s[i] == '"'; returns the index after its closing
 * quote, or len when it is cut off. */
static size_t lg_verify_skip_string(const char *s, size_t i, size_t len)
{
    for (i++; i < len; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i + 1;
    }
    return len;
}

/* Skips one value (scalar, string, array or object) starting at s[i]; returns the
 * index after it, or len when it is cut off. */
static size_t lg_verify_skip_value(const char *s, size_t i, size_t len)
{
    if (i < len && s[i] == '"')
        return lg_verify_skip_string(s, i, len);
    if (i < len && (s[i] == '{' || s[i] == '[')) {
        unsigned depth = 0;
        while (i < len) {
            char c = s[i];
            if (c == '"') {
                i = lg_verify_skip_string(s, i, len);
                continue;
            }
            if (c == '{' || c == '[')
                depth++;
            else if ((c == '}' || c == ']') && --depth == 0)
                return i + 1;
            i++;
        }
        return len;
    }
    while (i < len && s[i] != ',' && s[i] != '}' && s[i] != ']')
        i++;
    return i;
}

bool lg_verify_body_id(const char *s, size_t len, int64_t *id)
{
    size_t i = lg_verify_ws(s, 0, len);
    if (i >= len || s[i] != '{')
        return false;
    i++;
    for (;;) {
        i = lg_verify_ws(s, i, len);
        if (i >= len || s[i] != '"')
            return false;
        size_t key = i + 1;
        i = lg_verify_skip_string(s, i, len);
        if (i >= len)
            return false;
        size_t keylen = i - 1 - key;
        i = lg_verify_ws(s, i, len);
        if (i >= len || s[i] != ':')
            return false;
        i = lg_verify_ws(s, i + 1, len);
        if (keylen == 2 && memcmp(s + key, "id", 2) == 0) {
            bool neg = i < len && s[i] == '-';
            if (neg)
                i++;
            if (i >= len || s[i] < '0' || s[i] > '9')
                return false;
            uint64_t v = 0;
            while (i < len && s[i] >= '0' && s[i] <= '9') {
                if (v > (uint64_t)INT64_MAX / 10)
                    return false;
                v = v * 10 + (uint64_t)(s[i] - '0');
                i++;
            }
            /* The number must end here: a cut-off "4" of "42" is not an answer, and
             * "42.5" or "42e3" is not an id. */
            if (i >= len)
                return false;
            i = lg_verify_ws(s, i, len);
            if (i >= len || (s[i] != ',' && s[i] != '}') || v > (uint64_t)INT64_MAX)
                return false;
            *id = neg ? -(int64_t)v : (int64_t)v;
            return true;
        }
        i = lg_verify_skip_value(s, i, len);
        i = lg_verify_ws(s, i, len);
        if (i >= len || s[i] != ',')
            return false;
        i++;
    }
}
