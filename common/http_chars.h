/* The character classes of RFC 9110 every HTTP reader and writer here asks about:
 * tchar (header names, methods, codings, Server-Timing names) and the control
 * characters a field value must not hold. One definition for the request checks,
 * the response parser, Server-Timing and the function results faas turns into
 * HTTP. */
#ifndef ARCHBENCH_HTTP_CHARS_H
#define ARCHBENCH_HTTP_CHARS_H

#include <stdbool.h>

/* A table, not strchr over the punctuation: asked for every byte of every header
 * name, and strchr cost the gateway 1,700 instructions a request (callgrind), a
 * switch still 1,100. */
static const bool http_tchar_table[256] = {
    ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1, ['*'] = 1,
    ['+'] = 1, ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1, ['|'] = 1, ['~'] = 1,
    ['0' ... '9'] = 1, ['A' ... 'Z'] = 1, ['a' ... 'z'] = 1,
};

static inline bool http_tchar(unsigned char c) { return http_tchar_table[c]; }

/* A control character but HTAB (NUL and DEL included): not allowed in a field
 * value, and a line break in a logged or relayed value would forge lines. */
static inline bool http_ctl(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; }

#endif
