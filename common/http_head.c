/* Request-head checks of RFC 9112 that libmicrohttpd 0.9.75 leaves out (see
 * http_head.h). They run on every request, so the control-character scan tests
 * sixteen bytes at a time over the whole block of header lines at once (about 80
 * bytes in the monolith's requests) instead of field by field. */
#include "http_head.h"

#include <string.h>
#include <strings.h>

#include "http_chars.h"

static uint32_t load4(const char *s)
{
    uint32_t x;
    memcpy(&x, s, sizeof x);
    return x;
}

/* Sixteen bytes at a time (SSE2 on x86-64). */
typedef unsigned char u8x16 __attribute__((vector_size(16)));

#define SPLAT(c) {c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c}

static bool block_has_ctl(const char *s)
{
    static const u8x16 space = SPLAT(0x20), nul = SPLAT(0), tab = SPLAT('\t'),
                       del = SPLAT(0x7f);
    u8x16 v;
    memcpy(&v, s, sizeof v);
    u8x16 bad = (u8x16)(((v < space) & (v != nul) & (v != tab)) | (v == del));
    uint64_t w[2];
    memcpy(w, &bad, sizeof w);
    return (w[0] | w[1]) != 0;
}

static bool byte_is_ctl(unsigned char c)
{
    return c != '\0' && http_ctl(c);
}

bool http_head_has_ctl(const char *s, size_t len)
{
    if (len < 16) {
        for (size_t i = 0; i < len; i++)
            if (byte_is_ctl((unsigned char)s[i]))
                return true;
        return false;
    }
    for (size_t i = 0; i + 16 <= len; i += 16)
        if (block_has_ctl(s + i))
            return true;
    return block_has_ctl(s + len - 16); /* the tail, overlapping the block before */
}

/* uri-host [ ":" port ] (RFC 9110 §7.2): reg-name, IPv4 or a bracketed IPv6
 * literal, checked by character class only (empty is allowed). */
static const bool host_chars[256] = {
    ['a' ... 'z'] = true, ['A' ... 'Z'] = true, ['0' ... '9'] = true,
    ['-'] = true, ['.'] = true, ['_'] = true, ['~'] = true, ['!'] = true, ['$'] = true,
    ['&'] = true, ['\''] = true, ['('] = true, [')'] = true, ['*'] = true, ['+'] = true,
    [','] = true, [';'] = true, ['='] = true, [':'] = true, ['['] = true, [']'] = true,
    ['%'] = true,
};

static bool host_ok(const char *v, size_t len)
{
    bool ok = true;
    for (size_t i = 0; i < len; i++)
        ok &= host_chars[(unsigned char)v[i]];
    return ok;
}

static bool digits_only(const char *v, size_t len, uint64_t *out)
{
    if (len == 0 || len > 19) /* 19 digits always fit in 64 bits */
        return false;
    uint64_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        n = n * 10 + (uint64_t)(v[i] - '0');
    }
    *out = n;
    return true;
}

/* True when the last comma-separated coding in v is "chunked". */
static bool ends_with_chunked(const char *v, size_t len)
{
    while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
        len--;
    size_t start = len;
    while (start > 0 && v[start - 1] != ',')
        start--;
    while (start < len && (v[start] == ' ' || v[start] == '\t'))
        start++;
    return len - start == 7 && strncasecmp(v + start, "chunked", 7) == 0;
}

void http_head_init(struct http_head *h)
{
    memset(h, 0, sizeof *h);
}

void http_head_field(struct http_head *h, const char *name, size_t name_len,
                     const char *value, size_t value_len)
{
    h->bytes += name_len + value_len + 4;
    /* No white space between name and colon (RFC 9112 §5.1), nor before the first
     * name (§2.2). Control characters are the caller's scan (http_head_has_ctl). */
    if (name_len == 0 || name[0] == ' ' || name[0] == '\t' || name[name_len - 1] == ' ' ||
        name[name_len - 1] == '\t') {
        h->bad_field = true;
        return;
    }
    switch (name_len) {
    case 4:
        if ((load4(name) | 0x20202020u) == load4("host")) {
            h->hosts++;
            h->bad_host |= !host_ok(value, value_len);
        }
        break;
    case 14:
        if (strncasecmp(name, "content-length", 14) == 0) {
            uint64_t n;
            if (h->lengths++ == 0) {
                h->length = value;
                h->length_len = value_len;
                if (digits_only(value, value_len, &n))
                    h->content_length = n;
                else
                    h->bad_length = true;
            } else if (value_len != h->length_len || memcmp(value, h->length, value_len) != 0) {
                h->bad_length = true; /* identical repeats are harmless (§6.3) */
            }
        }
        break;
    case 17:
        if (strncasecmp(name, "transfer-encoding", 17) == 0) {
            h->codings++;
            /* libmicrohttpd decodes a body as chunked only when the first field is
             * exactly "chunked": anything else it would read until the
             * connection closes. */
            h->plain_chunked = h->codings == 1 && value_len == 7 &&
                               strncasecmp(value, "chunked", 7) == 0;
            h->last_chunked = ends_with_chunked(value, value_len);
            h->several_codings |= h->codings > 1 || memchr(value, ',', value_len) != NULL;
        }
        break;
    default:
        break;
    }
}

enum http_head_verdict http_head_verdict(const struct http_head *h, bool http11)
{
    if (h->bad_field)
        return HTTP_HEAD_BAD_FIELD;
    if (http11 && h->hosts == 0)
        return HTTP_HEAD_NO_HOST;
    if (h->hosts > 1 || h->bad_host)
        return HTTP_HEAD_BAD_HOST;
    if (h->codings > 0) {
        if (h->lengths > 0)
            return HTTP_HEAD_LENGTH_AND_CODING;
        if (!http11 || !h->last_chunked)
            return HTTP_HEAD_BAD_CODING;
        if (h->several_codings)
            return HTTP_HEAD_UNKNOWN_CODING;
        if (!h->plain_chunked) /* "chunked " with trailing white space, say */
            return HTTP_HEAD_BAD_CODING;
    }
    if (h->bad_length)
        return HTTP_HEAD_BAD_LENGTH;
    return HTTP_HEAD_OK;
}

unsigned http_head_status(enum http_head_verdict v)
{
    return v == HTTP_HEAD_UNKNOWN_CODING ? 501 : 400;
}

const char *http_head_detail(enum http_head_verdict v)
{
    switch (v) {
    case HTTP_HEAD_BAD_FIELD:
        return "malformed header field (a control character, or white space in a name)";
    case HTTP_HEAD_NO_HOST:
        return "HTTP/1.1 request without Host";
    case HTTP_HEAD_BAD_HOST:
        return "more than one Host, or a Host that is not host[:port]";
    case HTTP_HEAD_BAD_LENGTH:
        return "Content-Length is not one decimal number";
    case HTTP_HEAD_LENGTH_AND_CODING:
        return "both Content-Length and Transfer-Encoding";
    case HTTP_HEAD_BAD_CODING:
        return "unsupported Transfer-Encoding (only chunked, in HTTP/1.1)";
    case HTTP_HEAD_UNKNOWN_CODING:
        return "transfer coding not implemented (only chunked)";
    case HTTP_HEAD_OK:
        break;
    }
    return "ok";
}
