/* A growable, NUL-terminated byte buffer kept as (buf, len, cap): the capacity
 * starts at `initial` and doubles, so appending n bytes in pieces costs about
 * log2(n / initial) reallocations. Inline: it sits on request hot paths. */
#ifndef ARCHBENCH_BUF_H
#define ARCHBENCH_BUF_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Makes room for n more bytes and a NUL after the first len; false when out of
 * memory (the buffer is left as it was). */
static inline bool buf_reserve(char **buf, size_t len, size_t *cap, size_t n, size_t initial)
{
    if (len + n + 1 <= *cap)
        return true;
    size_t c = *cap ? *cap : initial;
    while (c < len + n + 1)
        c *= 2;
    char *b = realloc(*buf, c);
    if (b == NULL)
        return false;
    *buf = b;
    *cap = c;
    return true;
}

/* Appends n bytes of data and keeps the buffer NUL-terminated. */
static inline bool buf_append(char **buf, size_t *len, size_t *cap, const char *data, size_t n,
                              size_t initial)
{
    if (!buf_reserve(buf, *len, cap, n, initial))
        return false;
    memcpy(*buf + *len, data, n);
    *len += n;
    (*buf)[*len] = '\0';
    return true;
}

#endif
