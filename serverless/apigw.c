/* API Gateway HTTP API payload 2.0 mapping (see apigw.h). */
#include "apigw.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "http_chars.h"

char *apigw_base64_encode(const void *data, size_t len, size_t *outlen)
{
    size_t cap = 4 * ((len + 2) / 3) + 1;
    char *out = malloc(cap);
    if (out == NULL || len > (size_t)INT32_MAX) {
        free(out);
        return NULL;
    }
    int n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    *outlen = (size_t)n;
    return out;
}

char *apigw_base64_decode(const char *text, size_t len, size_t *outlen)
{
    if (len % 4 != 0 || len > (size_t)INT32_MAX)
        return NULL;
    char *out = malloc(len / 4 * 3 + 1);
    if (out == NULL)
        return NULL;
    int n = len ? EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)text,
                                  (int)len)
                : 0;
    if (n < 0) {
        free(out);
        return NULL;
    }
    /* EVP_DecodeBlock counts padding as zero bytes; take them off again. */
    if (len >= 1 && text[len - 1] == '=')
        n--;
    if (len >= 2 && text[len - 2] == '=')
        n--;
    out[n] = '\0';
    *outlen = (size_t)n;
    return out;
}

/* The event is written by hand rather than built as a jansson tree and dumped:
 * it is made once per request on the trigger's hot path, and pack + dump cost
 * about a fifth of faas's CPU time per request. */
struct out {
    char *buf;
    size_t len, cap;
    bool oom;
};

static void out_reserve(struct out *o, size_t n)
{
    if (!o->oom && !buf_reserve(&o->buf, o->len, &o->cap, n, 2048))
        o->oom = true;
}

static void out_raw(struct out *o, const char *s, size_t n)
{
    if (!o->oom && !buf_append(&o->buf, &o->len, &o->cap, s, n, 2048))
        o->oom = true;
}

static void out_lit(struct out *o, const char *s) { out_raw(o, s, strlen(s)); }

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t len = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (len == 0 || len > n || (s[0] >= 0xf0 && len != 4))
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
        (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
        return 0; /* overlong, surrogate, beyond U+10FFFF */
    return len;
}

static bool utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        if (p[i] == 0)
            return false; /* a NUL byte: send it base64-encoded */
        size_t k = utf8_seq(p + i, n - i);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

/* Appends the JSON string for s[0..n), optionally lower-cased (header names);
 * invalid UTF-8 becomes U+FFFD, as a browser would show it. */
static void out_str(struct out *o, const char *s, size_t n, bool lower)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    out_reserve(o, n + 2);
    out_raw(o, "\"", 1);
    size_t run = 0; /* bytes copied as they are, flushed in one go */
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && !(lower && c >= 'A' && c <= 'Z')) {
            run++; /* printable ASCII, the usual byte, without utf8_seq's call */
            i++;
            continue;
        }
        size_t k = utf8_seq(p + i, n - i);
        bool plain = k > 0 && c >= 0x20 && c != '"' && c != '\\' && !(lower && c >= 'A' && c <= 'Z');
        if (plain) {
            run += k;
            i += k;
            continue;
        }
        out_raw(o, s + i - run, run);
        run = 0;
        if (k == 0) {
            out_lit(o, "\xef\xbf\xbd");
            i++;
            continue;
        }
        char esc[8];
        if (lower && c >= 'A' && c <= 'Z') {
            esc[0] = (char)(c + 32);
            out_raw(o, esc, 1);
        } else if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            out_raw(o, esc, 2);
        } else {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            out_raw(o, esc, 6);
        }
        i++;
    }
    out_raw(o, s + n - run, run);
    out_raw(o, "\"", 1);
}

static void out_cstr(struct out *o, const char *s) { out_str(o, s, strlen(s), false); }

/* "key": "value" with a leading comma unless first. */
static void out_field(struct out *o, bool *first, const char *key, const char *value)
{
    if (!*first)
        out_raw(o, ",", 1);
    *first = false;
    out_cstr(o, key);
    out_raw(o, ":", 1);
    out_cstr(o, value);
}

/* API Gateway's time format: 12/Mar/2020:19:03:58 +0000. It changes once a
 * second, and gmtime_r + strftime per request showed in faas's profile, so each
 * thread keeps the last one. */
static void format_time(int64_t ms, char *out, size_t outlen)
{
    static _Thread_local time_t last = -1;
    static _Thread_local char text[64];
    time_t t = (time_t)(ms / 1000);
    if (t != last) {
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(text, sizeof text, "%d/%b/%Y:%H:%M:%S +0000", &tm);
        last = t;
    }
    snprintf(out, outlen, "%s", text);
}

/* The value of the n hex digits at p, or -1 when one is not a hex digit. */
static int hex_digits(const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* The byte the %XX at p stands for, or -1 when p is not a valid escape. %00 is
 * not taken for one: a NUL cannot be in a JSON object key for most parsers
 * (jansson refuses the whole document), and the server leaves request targets
 * holding %00 undecoded as well. */
static int pct_byte(const char *p, size_t left)
{
    int b = left >= 3 && p[0] == '%' ? hex_digits(p + 1, 2) : -1;
    return b > 0 ? b : -1;
}

/* Appends s[0..n) decoded as API Gateway decodes query keys and values: %XX is the
 * byte it names and '+' a space (form encoding); an invalid escape, and %00, stay
 * as they are. */
static void out_decoded(struct out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int b = pct_byte(s + i, n - i);
        char c = b >= 0 ? (char)b : s[i] == '+' ? ' ' : s[i];
        out_raw(o, &c, 1);
        if (b >= 0)
            i += 2;
    }
}

/* "queryStringParameters": the query's key=value pairs decoded, the values of a
 * repeated key joined with commas in their order (an empty value too: "a=&a=2" is
 * ",2"), as API Gateway's payload 2.0 has them. At most 64 distinct pairs are
 * looked at; rawQueryString carries the whole query. */
static void out_params(struct out *o, const char *q)
{
    struct kv {
        const char *k, *v;
        size_t klen, vlen;
    } kv[64];
    size_t n = 0;
    while (*q != '\0' && n < sizeof kv / sizeof kv[0]) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', len);
        size_t klen = eq ? (size_t)(eq - q) : len;
        if (klen > 0)
            kv[n++] = (struct kv){q, eq ? eq + 1 : q + len, klen, eq ? len - klen - 1 : 0};
        q += len + (amp ? 1 : 0);
    }
    if (n == 0)
        return;
    out_lit(o, ",\"queryStringParameters\":{");
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = kv[j].klen == kv[i].klen && memcmp(kv[j].k, kv[i].k, kv[i].klen) == 0;
        if (seen)
            continue;
        if (!first)
            out_raw(o, ",", 1);
        first = false;
        /* Decoded first, then escaped as one JSON string. */
        struct out text = {0};
        out_decoded(&text, kv[i].k, kv[i].klen);
        out_str(o, text.buf ? text.buf : "", text.len, false);
        out_raw(o, ":", 1);
        text.len = 0;
        bool more = false;
        for (size_t j = i; j < n; j++) {
            if (kv[j].klen != kv[i].klen || memcmp(kv[j].k, kv[i].k, kv[i].klen) != 0)
                continue;
            if (more)
                out_raw(&text, ",", 1);
            more = true;
            out_decoded(&text, kv[j].v, kv[j].vlen);
        }
        out_str(o, text.buf ? text.buf : "", text.len, false);
        o->oom |= text.oom;
        free(text.buf);
    }
    out_raw(o, "}", 1);
}

/* The value of the i-th header, with the later headers of the same name joined to
 * it by commas (RFC 9110 §5.3). */
static void out_header_value(struct out *o, const struct apigw_request *r, size_t i)
{
    const char *name = r->headers[i].name;
    const char *value = r->headers[i].value ? r->headers[i].value : "";
    size_t repeats = 0;
    for (size_t j = i + 1; j < r->nheaders; j++)
        repeats += strcasecmp(r->headers[j].name, name) == 0;
    if (repeats == 0) {
        out_cstr(o, value);
        return;
    }
    /* A comma between every two values, empty ones included: an empty field line
     * followed by "Bearer x" is ",Bearer x", which no token check takes for one
     * credential (the monolith and the gateway see two lines and refuse too). */
    struct out joined = {0};
    bool after_first = false;
    for (size_t j = i; j < r->nheaders; j++) {
        if (strcasecmp(r->headers[j].name, name) != 0)
            continue;
        if (after_first)
            out_raw(&joined, ",", 1);
        after_first = true;
        out_lit(&joined, r->headers[j].value ? r->headers[j].value : "");
    }
    out_str(o, joined.buf ? joined.buf : "", joined.len, false);
    o->oom |= joined.oom;
    free(joined.buf);
}

/* "headers": names lower-cased, repeated ones joined; Cookie goes to "cookies"
 * instead. Notes the headers requestContext repeats. */
static void out_headers(struct out *o, const struct apigw_request *r, const char **user_agent,
                        const char **host, const char **cookie)
{
    out_lit(o, ",\"headers\":{");
    bool first = true;
    for (size_t i = 0; i < r->nheaders; i++) {
        const char *name = r->headers[i].name;
        const char *value = r->headers[i].value ? r->headers[i].value : "";
        if (strcasecmp(name, "cookie") == 0) {
            *cookie = value;
            continue;
        }
        if (strcasecmp(name, "user-agent") == 0)
            *user_agent = value;
        else if (strcasecmp(name, "host") == 0)
            *host = value;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcasecmp(r->headers[j].name, name) == 0;
        if (seen)
            continue;
        if (!first)
            out_raw(o, ",", 1);
        first = false;
        out_str(o, name, strlen(name), true);
        out_raw(o, ":", 1);
        out_header_value(o, r, i);
    }
    out_raw(o, "}", 1);
}

/* "a=1; b=2" -> "cookies":["a=1","b=2"], as API Gateway fills it. */
static void out_cookies(struct out *o, const char *cookie)
{
    out_lit(o, ",\"cookies\":[");
    const char *p = cookie;
    bool first = true;
    while (*p != '\0') {
        while (*p == ' ' || *p == ';')
            p++;
        size_t n = strcspn(p, ";");
        size_t m = n;
        while (m > 0 && p[m - 1] == ' ')
            m--;
        if (m > 0) {
            if (!first)
                out_raw(o, ",", 1);
            first = false;
            out_str(o, p, m, false);
        }
        p += n;
    }
    out_raw(o, "]", 1);
}

static void out_request_context(struct out *o, const struct apigw_request *r,
                                const char *host, const char *user_agent)
{
    char timebuf[64], epoch[32], prefix[128];
    format_time(r->time_epoch_ms, timebuf, sizeof timebuf);
    snprintf(epoch, sizeof epoch, "%lld", (long long)r->time_epoch_ms);
    snprintf(prefix, sizeof prefix, "%s", host);
    char *dot = strchr(prefix, '.'), *colon = strchr(prefix, ':');
    if (dot)
        *dot = '\0';
    else if (colon)
        *colon = '\0';
    out_lit(o, ",\"requestContext\":{");
    bool first = true;
    out_field(o, &first, "accountId", "anonymous");
    out_field(o, &first, "apiId", "archbench");
    out_field(o, &first, "domainName", host);
    out_field(o, &first, "domainPrefix", prefix);
    out_lit(o, ",\"http\":{");
    first = true;
    out_field(o, &first, "method", r->method);
    out_field(o, &first, "path", r->path);
    out_field(o, &first, "protocol", r->protocol);
    out_field(o, &first, "sourceIp", r->source_ip);
    out_field(o, &first, "userAgent", user_agent);
    out_raw(o, "}", 1);
    first = false;
    out_field(o, &first, "requestId", r->request_id);
    out_field(o, &first, "routeKey", "$default");
    out_field(o, &first, "stage", "$default");
    out_field(o, &first, "time", timebuf);
    out_lit(o, ",\"timeEpoch\":");
    out_lit(o, epoch);
    out_raw(o, "}", 1);
}

/* "body" as text when it is valid UTF-8 without NUL bytes, else base64; then
 * "isBase64Encoded" and the event's closing brace. */
static void out_body(struct out *o, const struct apigw_request *r)
{
    if (r->body == NULL) {
        out_lit(o, ",\"isBase64Encoded\":false}");
        return;
    }
    bool text = utf8_valid(r->body, r->body_len);
    out_lit(o, ",\"body\":");
    if (text) {
        out_str(o, r->body, r->body_len, false);
    } else {
        size_t blen;
        char *b64 = apigw_base64_encode(r->body, r->body_len, &blen);
        if (b64 == NULL)
            o->oom = true;
        else
            out_str(o, b64, blen, false);
        free(b64);
    }
    out_lit(o, text ? ",\"isBase64Encoded\":false}" : ",\"isBase64Encoded\":true}");
}

char *apigw_event_render(const struct apigw_request *r, size_t *len)
{
    struct out o = {0};
    const char *user_agent = "", *host = "localhost", *cookie = NULL;
    out_lit(&o, "{\"version\":\"2.0\",\"routeKey\":\"$default\",\"rawPath\":");
    out_cstr(&o, r->path);
    out_lit(&o, ",\"rawQueryString\":");
    out_cstr(&o, r->query ? r->query : "");
    out_headers(&o, r, &user_agent, &host, &cookie);
    out_params(&o, r->query ? r->query : "");
    if (cookie != NULL)
        out_cookies(&o, cookie);
    out_request_context(&o, r, host, user_agent);
    out_body(&o, r);
    if (o.oom) {
        free(o.buf);
        return NULL;
    }
    *len = o.len;
    return o.buf;
}

void apigw_result_free(struct apigw_result *r)
{
    free(r->headers);
    free(r->body);
    free(r->strings);
    json_decref(r->doc);
    memset(r, 0, sizeof *r);
}

/* Results are parsed once per invocation on faas's hot path, and building a
 * jansson tree for them was about an eighth of faas's CPU per request. So the
 * shape functions return - one object with statusCode, headers, cookies, body and
 * isBase64Encoded, each at most once and of the expected type - is parsed by hand
 * here, and anything else (other JSON, unusual members, errors) is left to the
 * jansson parser below, which decides it as before. The scan declines rather
 * than guesses: it returns false for whatever it does not take, and the two
 * agree on everything it takes (tests/unit/test_apigw.c compares them). */
struct scan {
    const char *p, *end;
    char *strings; /* unescaped strings, each NUL-terminated; len + 1 bytes */
    size_t used;
};

static void scan_space(struct scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static bool scan_char(struct scan *s, char c)
{
    scan_space(s);
    if (s->p >= s->end || *s->p != c)
        return false;
    s->p++;
    return true;
}

static bool scan_word(struct scan *s, const char *word)
{
    size_t n = strlen(word);
    scan_space(s);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
        return false;
    s->p += n;
    return true;
}

/* The code point of the \u escape(s) at s->p (just after "\u"), a surrogate pair
 * taken as one; -1 for what jansson refuses (lone surrogates) or this scan does
 * not take (U+0000). */
static long scan_escape_u(struct scan *s)
{
    if (s->end - s->p < 4)
        return -1;
    long cp = hex_digits(s->p, 4);
    s->p += 4;
    if (cp >= 0xdc00 && cp <= 0xdfff)
        return -1;
    if (cp >= 0xd800 && cp <= 0xdbff) {
        if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u')
            return -1;
        long lo = hex_digits(s->p + 2, 4);
        if (lo < 0xdc00 || lo > 0xdfff)
            return -1;
        s->p += 6;
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
    }
    return cp > 0 ? cp : -1;
}

static char *put_utf8(char *o, long cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xc0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xe0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *o++ = (char)(0xf0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    }
    return o;
}

/* A JSON string, unescaped into the strings buffer (never longer than its JSON
 * form, so the buffer cannot overflow); NULL when declined. */
static const char *scan_string(struct scan *s, size_t *len)
{
    if (!scan_char(s, '"'))
        return NULL;
    char *start = s->strings + s->used, *o = start;
    while (s->p < s->end) {
        /* A run of printable ASCII without quote or backslash, copied in one go:
         * events and results are mostly that, and a byte at a time through
         * utf8_seq cost ~30 instructions a byte. */
        const char *run = s->p;
        while (s->p < s->end && (unsigned char)*s->p >= 0x20 && (unsigned char)*s->p < 0x80 &&
               *s->p != '"' && *s->p != '\\')
            s->p++;
        if (s->p > run) {
            memcpy(o, run, (size_t)(s->p - run));
            o += s->p - run;
            continue;
        }
        const unsigned char c = (unsigned char)*s->p;
        if (c == '"') {
            s->p++;
            *o = '\0';
            *len = (size_t)(o - start);
            s->used += *len + 1;
            return start;
        }
        if (c < 0x20)
            return NULL;
        if (c != '\\') {
            size_t k = utf8_seq((const unsigned char *)s->p, (size_t)(s->end - s->p));
            if (k == 0)
                return NULL;
            memcpy(o, s->p, k);
            o += k;
            s->p += k;
            continue;
        }
        if (s->end - s->p < 2)
            return NULL;
        char e = s->p[1];
        s->p += 2;
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *hit = e != '\0' ? strchr(from, e) : NULL;
        if (hit != NULL) {
            *o++ = to[hit - from];
        } else if (e == 'u') {
            long cp = scan_escape_u(s);
            if (cp < 0)
                return NULL;
            o = put_utf8(o, cp);
        } else {
            return NULL;
        }
    }
    return NULL;
}

/* statusCode: a plain integer of final HTTP status range (200-599); anything else
 * is declined. */
static bool scan_status(struct scan *s, unsigned *status)
{
    scan_space(s);
    unsigned v = 0, digits = 0;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9' && digits < 4) {
        v = v * 10 + (unsigned)(*s->p++ - '0');
        digits++;
    }
    bool ends = s->p < s->end && strchr(" \t\n\r,}", *s->p) != NULL;
    *status = v;
    return digits == 3 && ends && v >= APIGW_STATUS_MIN && v <= 599;
}

static bool add_header(struct apigw_result *out, size_t *cap, const char *name,
                       const char *value)
{
    if (out->nheaders == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        struct apigw_header *h = realloc(out->headers, ncap * sizeof *h);
        if (h == NULL)
            return false;
        out->headers = h;
        *cap = ncap;
    }
    out->headers[out->nheaders++] = (struct apigw_header){name, value};
    return true;
}

/* headers: null or an object of string values with distinct names. */
static bool scan_headers(struct scan *s, struct apigw_result *out, size_t *cap)
{
    if (scan_word(s, "null"))
        return true;
    if (!scan_char(s, '{'))
        return false;
    if (scan_char(s, '}'))
        return true;
    do {
        size_t n;
        const char *name = scan_string(s, &n), *value = NULL;
        if (name == NULL || !scan_char(s, ':') || (value = scan_string(s, &n)) == NULL)
            return false;
        for (size_t i = 0; i < out->nheaders; i++)
            if (strcmp(out->headers[i].name, name) == 0)
                return false; /* jansson's rule for repeats decides */
        if (!add_header(out, cap, name, value))
            return false;
    } while (scan_char(s, ','));
    return scan_char(s, '}');
}

/* cookies: null or an array of strings, kept apart until the headers are in. */
static bool scan_cookies(struct scan *s, const char **first, const char **after)
{
    if (scan_word(s, "null"))
        return true;
    if (!scan_char(s, '['))
        return false;
    *first = s->strings + s->used;
    if (scan_char(s, ']')) {
        *after = *first;
        return true;
    }
    do {
        size_t n;
        if (scan_string(s, &n) == NULL)
            return false;
    } while (scan_char(s, ','));
    *after = s->strings + s->used;
    return scan_char(s, ']');
}

static bool result_scan(struct scan *s, struct apigw_result *out)
{
    enum { STATUS = 1, HEADERS = 2, COOKIES = 4, BODY = 8, BASE64 = 16 };
    unsigned seen = 0;
    size_t cap = 0, body_len = 0;
    const char *body = NULL, *cookies = NULL, *cookies_end = NULL;
    bool base64 = false;
    if (!scan_char(s, '{'))
        return false;
    do {
        size_t n;
        const char *key = scan_string(s, &n);
        if (key == NULL || !scan_char(s, ':'))
            return false;
        unsigned member = strcmp(key, "statusCode") == 0        ? STATUS
                          : strcmp(key, "headers") == 0         ? HEADERS
                          : strcmp(key, "cookies") == 0         ? COOKIES
                          : strcmp(key, "body") == 0            ? BODY
                          : strcmp(key, "isBase64Encoded") == 0 ? BASE64 : 0;
        if (member == 0 || (seen & member) != 0)
            return false;
        seen |= member;
        bool ok = false;
        switch (member) {
        case STATUS: ok = scan_status(s, &out->status); break;
        case HEADERS: ok = scan_headers(s, out, &cap); break;
        case COOKIES: ok = scan_cookies(s, &cookies, &cookies_end); break;
        case BODY:
            ok = scan_word(s, "null") || (body = scan_string(s, &body_len)) != NULL;
            break;
        case BASE64:
            ok = scan_word(s, "false") || (base64 = scan_word(s, "true"));
            break;
        }
        if (!ok)
            return false;
    } while (scan_char(s, ','));
    if (!scan_char(s, '}') || (seen & STATUS) == 0)
        return false;
    scan_space(s);
    if (s->p != s->end)
        return false;
    for (const char *c = cookies; c != NULL && c < cookies_end; c += strlen(c) + 1)
        if (!add_header(out, &cap, "set-cookie", c))
            return false;
    if (out->headers == NULL && (out->headers = calloc(1, sizeof *out->headers)) == NULL)
        return false;
    if (base64)
        out->body = apigw_base64_decode(body ? body : "", body ? body_len : 0, &out->body_len);
    else if ((out->body = malloc(body_len + 1)) != NULL) {
        memcpy(out->body, body ? body : "", body_len);
        out->body[body_len] = '\0';
        out->body_len = body_len;
    }
    return out->body != NULL;
}

static int fail(struct apigw_result *out, char *err, size_t errlen, const char *msg)
{
    snprintf(err, errlen, "%s", msg);
    apigw_result_free(out);
    return -1;
}

/* RFC 9110 field names are tokens; values hold no control character but HTAB. */
static bool field_name_ok(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++)
        if (!http_tchar((unsigned char)*s))
            return false;
    return true;
}

static bool field_value_ok(const char *s, size_t *bytes)
{
    for (; *s != '\0'; s++, (*bytes)++)
        if (http_ctl((unsigned char)*s))
            return false;
    return true;
}

/* The headers of a parsed result must be fields HTTP can carry: a CR or LF would
 * split the response, and libmicrohttpd silently dropped such fields (and cut a
 * value at a NUL). Their size is bounded too: faas's HTTP layer builds the head
 * in the connection's 16 KiB memory pool, beside the request; measured, a 16,000
 * byte header got the client's connection closed without any answer, and beside a
 * 7.9 KiB request head at most 7.9 KiB of result headers fit. */
static int check_fields(struct apigw_result *out, char *err, size_t errlen)
{
    size_t bytes = 0;
    for (size_t i = 0; i < out->nheaders; i++) {
        if (!field_name_ok(out->headers[i].name) ||
            !field_value_ok(out->headers[i].value, &bytes))
            return fail(out, err, errlen, "a header is not a valid HTTP field");
        bytes += strlen(out->headers[i].name) + 4; /* ": " and CRLF */
    }
    if (bytes > APIGW_RESULT_MAX_HEADER_BYTES) {
        char msg[96];
        snprintf(msg, sizeof msg, "headers and cookies over %d bytes",
                 APIGW_RESULT_MAX_HEADER_BYTES);
        return fail(out, err, errlen, msg);
    }
    return 0;
}

int apigw_result_parse(const char *buf, size_t len, struct apigw_result *out, char *err,
                       size_t errlen)
{
    memset(out, 0, sizeof *out);
    struct scan sc = {.p = buf, .end = buf + len, .strings = malloc(len + 1)};
    out->strings = sc.strings;
    if (sc.strings != NULL && result_scan(&sc, out))
        return check_fields(out, err, errlen);
    apigw_result_free(out); /* declined: jansson decides */
    json_error_t jerr;
    out->doc = json_loadb(buf, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (out->doc == NULL) {
        snprintf(err, errlen, "result is not JSON: %s", jerr.text);
        return -1;
    }
    json_t *status = json_is_object(out->doc) ? json_object_get(out->doc, "statusCode")
                                              : NULL;
    if (status == NULL) {
        /* AWS: valid JSON without statusCode is a 200 with that JSON as body. */
        static const char ct[] = "content-type";
        out->status = 200;
        out->headers = malloc(sizeof *out->headers);
        out->body = malloc(len + 1);
        if (out->headers == NULL || out->body == NULL)
            return fail(out, err, errlen, "out of memory");
        out->headers[0] = (struct apigw_header){ct, "application/json"};
        out->nheaders = 1;
        memcpy(out->body, buf, len);
        out->body[len] = '\0';
        out->body_len = len;
        return 0;
    }
    if (!json_is_integer(status) || json_integer_value(status) < APIGW_STATUS_MIN ||
        json_integer_value(status) > 599)
        return fail(out, err, errlen, "statusCode is not an HTTP status");
    out->status = (unsigned)json_integer_value(status);

    json_t *headers = json_object_get(out->doc, "headers");
    json_t *cookies = json_object_get(out->doc, "cookies");
    if ((headers && !json_is_object(headers) && !json_is_null(headers)) ||
        (cookies && !json_is_array(cookies) && !json_is_null(cookies)))
        return fail(out, err, errlen, "headers or cookies have the wrong type");
    size_t n = json_object_size(headers) + json_array_size(cookies);
    out->headers = calloc(n ? n : 1, sizeof *out->headers);
    if (out->headers == NULL)
        return fail(out, err, errlen, "out of memory");
    const char *key;
    json_t *value;
    json_object_foreach(headers, key, value) {
        if (!json_is_string(value))
            return fail(out, err, errlen, "a header value is not a string");
        if (strlen(json_string_value(value)) != json_string_length(value))
            return fail(out, err, errlen, "a header is not a valid HTTP field");
        out->headers[out->nheaders++] = (struct apigw_header){key, json_string_value(value)};
    }
    size_t i;
    json_array_foreach(cookies, i, value) {
        if (!json_is_string(value))
            return fail(out, err, errlen, "a cookie is not a string");
        if (strlen(json_string_value(value)) != json_string_length(value))
            return fail(out, err, errlen, "a header is not a valid HTTP field");
        out->headers[out->nheaders++] = (struct apigw_header){"set-cookie",
                                                             json_string_value(value)};
    }

    json_t *body = json_object_get(out->doc, "body");
    json_t *b64 = json_object_get(out->doc, "isBase64Encoded");
    if ((body && !json_is_string(body) && !json_is_null(body)) ||
        (b64 && !json_is_boolean(b64)))
        return fail(out, err, errlen, "body or isBase64Encoded has the wrong type");
    const char *text = json_is_string(body) ? json_string_value(body) : "";
    size_t tlen = json_is_string(body) ? json_string_length(body) : 0;
    if (json_is_true(b64)) {
        out->body = apigw_base64_decode(text, tlen, &out->body_len);
        if (out->body == NULL)
            return fail(out, err, errlen, "body is not valid base64");
    } else {
        out->body = malloc(tlen + 1);
        if (out->body == NULL)
            return fail(out, err, errlen, "out of memory");
        memcpy(out->body, text, tlen);
        out->body[tlen] = '\0';
        out->body_len = tlen;
    }
    return check_fields(out, err, errlen);
}

char *apigw_result_render(unsigned status, const struct apigw_header *headers,
                          size_t nheaders, const char *body, size_t body_len, size_t *len)
{
    /* By hand for the same reason as the event: once per invocation. Invalid UTF-8
     * in the body is repaired (U+FFFD); binary bodies need isBase64Encoded. */
    struct out o = {0};
    char num[32];
    snprintf(num, sizeof num, "%u", status);
    out_lit(&o, "{\"statusCode\":");
    out_lit(&o, num);
    out_lit(&o, ",\"headers\":{");
    bool first = true;
    for (size_t i = 0; i < nheaders; i++)
        out_field(&o, &first, headers[i].name, headers[i].value);
    out_lit(&o, "},\"body\":");
    out_str(&o, body ? body : "", body ? body_len : 0, false);
    out_lit(&o, ",\"isBase64Encoded\":false}");
    if (o.oom) {
        free(o.buf);
        return NULL;
    }
    *len = o.len;
    return o.buf;
}

/* Events are read by functions, once per invocation, and a function needs only
 * a few of their fields: building a jansson tree of the whole event (~1 KB,
 * forty-odd members) was a third of an instance's instructions per invocation
 * (~110,000 of ~330,000, callgrind). So the event is scanned without building
 * anything: the fields read are unescaped, every other value is checked against
 * JSON's grammar and skipped. As for results, the scan declines what it cannot
 * be sure to read as jansson does - a repeated or oddly typed field, numbers
 * jansson may refuse as too large, nesting over SCAN_MAX_DEPTH, U+0000 - and
 * jansson decides those (tests/unit/test_apigw_event.c holds the two to the same
 * answers). */
#define SCAN_MAX_DEPTH 64

static bool scan_value(struct scan *s, int depth);

static bool scan_digits(struct scan *s, size_t *n)
{
    const char *start = s->p;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
        s->p++;
    *n = (size_t)(s->p - start);
    return *n > 0;
}

/* A number in JSON's grammar. jansson refuses integers beyond int64 and reals
 * beyond a double: declined from 19 characters or a 3-digit exponent on. */
static bool scan_number(struct scan *s)
{
    const char *start = s->p;
    size_t n = 0, exp_digits = 0;
    if (s->p < s->end && *s->p == '-')
        s->p++;
    if (s->p < s->end && *s->p == '0')
        s->p++;
    else if (s->p >= s->end || *s->p < '1' || *s->p > '9' || !scan_digits(s, &n))
        return false;
    if (s->p < s->end && *s->p == '.' && (s->p++, !scan_digits(s, &n)))
        return false;
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        if (!scan_digits(s, &exp_digits))
            return false;
    }
    return s->p - start <= 18 && exp_digits <= 2;
}

/* The next member of an object whose '{' was read: 1 with its key (unescaped,
 * valid until the next scan_string) and s->p at its value, 0 after the closing
 * '}', -1 when declined. */
static int scan_member(struct scan *s, bool *first, const char **key)
{
    if (scan_char(s, '}'))
        return 0;
    if (!*first && !scan_char(s, ','))
        return -1;
    *first = false;
    size_t used = s->used, n;
    *key = scan_string(s, &n);
    s->used = used; /* the key is compared at once: its bytes can be reused */
    return *key != NULL && scan_char(s, ':') ? 1 : -1;
}

static bool scan_skip_object(struct scan *s, int depth)
{
    bool first = true;
    const char *key;
    int m;
    while ((m = scan_member(s, &first, &key)) == 1)
        if (!scan_value(s, depth))
            return false;
    return m == 0;
}

static bool scan_skip_array(struct scan *s, int depth)
{
    if (scan_char(s, ']'))
        return true;
    do {
        if (!scan_value(s, depth))
            return false;
    } while (scan_char(s, ','));
    return scan_char(s, ']');
}

/* Checks and skips one value of any type. */
static bool scan_value(struct scan *s, int depth)
{
    scan_space(s);
    if (s->p >= s->end || depth >= SCAN_MAX_DEPTH)
        return false;
    size_t used = s->used, n;
    switch (*s->p) {
    case '"': {
        bool ok = scan_string(s, &n) != NULL;
        s->used = used;
        return ok;
    }
    case '{': s->p++; return scan_skip_object(s, depth + 1);
    case '[': s->p++; return scan_skip_array(s, depth + 1);
    case 't': return scan_word(s, "true");
    case 'f': return scan_word(s, "false");
    case 'n': return scan_word(s, "null");
    default: return scan_number(s);
    }
}

/* A string field read once: a repeated one is declined (jansson keeps the last). */
static bool scan_field(struct scan *s, const char **field)
{
    size_t n;
    if (*field != NULL)
        return false;
    *field = scan_string(s, &n);
    return *field != NULL;
}

/* An object member that must itself be an object, seen at most once. */
static bool scan_open_once(struct scan *s, unsigned *seen, unsigned bit)
{
    if (*seen & bit)
        return false;
    *seen |= bit;
    return scan_char(s, '{');
}

/* The members of objects whose '{' was read: a repeated object is declined
 * too. Each takes the fields wanted at its level and skips the rest. */
enum { EV_CONTEXT = 1, EV_HTTP = 2, EV_HEADERS = 4 };

static bool event_http(struct scan *s, struct apigw_event *ev)
{
    bool first = true, ok = true;
    const char *key;
    int m;
    while (ok && (m = scan_member(s, &first, &key)) == 1)
        ok = strcmp(key, "method") == 0 ? scan_field(s, &ev->method) : scan_value(s, 3);
    return ok && m == 0;
}

static bool event_context(struct scan *s, struct apigw_event *ev, unsigned *seen)
{
    bool first = true, ok = true;
    const char *key;
    int m;
    while (ok && (m = scan_member(s, &first, &key)) == 1)
        ok = strcmp(key, "http") == 0
                 ? scan_open_once(s, seen, EV_HTTP) && event_http(s, ev)
                 : scan_value(s, 2);
    return ok && m == 0;
}

static bool event_headers(struct scan *s, struct apigw_event *ev)
{
    bool first = true, ok = true;
    const char *key;
    int m;
    while (ok && (m = scan_member(s, &first, &key)) == 1)
        ok = strcmp(key, "authorization") == 0 ? scan_field(s, &ev->authorization)
                                               : scan_value(s, 2);
    return ok && m == 0;
}

static bool event_scan(struct scan *s, struct apigw_event *ev)
{
    unsigned seen = 0;
    bool first = true, ok = scan_char(s, '{');
    const char *key;
    int m = -1;
    while (ok && (m = scan_member(s, &first, &key)) == 1) {
        if (strcmp(key, "rawPath") == 0)
            ok = scan_field(s, &ev->path);
        else if (strcmp(key, "requestContext") == 0)
            ok = scan_open_once(s, &seen, EV_CONTEXT) && event_context(s, ev, &seen);
        else if (strcmp(key, "headers") == 0)
            ok = scan_open_once(s, &seen, EV_HEADERS) && event_headers(s, ev);
        else
            ok = scan_value(s, 1);
    }
    scan_space(s);
    return ok && m == 0 && s->p == s->end && ev->path != NULL && ev->method != NULL;
}

void apigw_event_free(struct apigw_event *ev)
{
    free(ev->strings);
    json_decref(ev->doc);
    memset(ev, 0, sizeof *ev);
}

int apigw_event_parse(const char *buf, size_t len, struct apigw_event *out)
{
    memset(out, 0, sizeof *out);
    struct scan sc = {.p = buf, .end = buf + len, .strings = malloc(len + 1)};
    out->strings = sc.strings;
    if (sc.strings != NULL && event_scan(&sc, out))
        return 0;
    apigw_event_free(out); /* declined: jansson decides */
    json_t *headers = NULL;
    out->doc = json_loadb(buf, len, 0, NULL);
    if (out->doc == NULL ||
        json_unpack(out->doc, "{s:s, s:{s:{s:s}}, s?o}", "rawPath", &out->path,
                    "requestContext", "http", "method", &out->method, "headers",
                    &headers) != 0) {
        apigw_event_free(out);
        return -1;
    }
    if (json_is_object(headers))
        out->authorization = json_string_value(json_object_get(headers, "authorization"));
    return 0;
}
