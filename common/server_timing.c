/* Server-Timing written and read (see server_timing.h). The writer formats the
 * milliseconds by hand, from integer nanoseconds: no floating point, no printf on
 * the request path. */
#include "server_timing.h"

#include <string.h>

#include "http_chars.h"

/* Adds the entry name (nlen bytes, or up to its NUL when nlen is SIZE_MAX). Names
 * are a few bytes: copied by hand here and in format_entry, as calls to strlen,
 * memcpy and snprintf cost more (callgrind, the monolith with its 3 steps and
 * total: Server-Timing's cost fell from 2,158 to 1,932 instructions a request). */
static void add_n(struct server_timing *t, const char *name, size_t nlen, uint64_t ns)
{
    if (t == NULL || t->n >= SERVER_TIMING_MAX || nlen == 0 || name[0] == '\0')
        return;
    struct server_timing_entry *e = &t->e[t->n];
    for (size_t i = 0; i < SERVER_TIMING_NAME; i++) {
        if (i == nlen || name[i] == '\0') {
            e->name[i] = '\0';
            e->ns = ns;
            t->n++;
            return;
        }
        e->name[i] = name[i];
    }
}

void server_timing_add(struct server_timing *t, const char *name, uint64_t ns)
{
    add_n(t, name, SIZE_MAX, ns);
}

/* "name;dur=MS" at out; returns the bytes written. MS has three decimals,
 * rounded to the nearest microsecond. */
static size_t format_entry(char *out, const char *name, uint64_t ns)
{
    size_t n = 0;
    while (name[n] != '\0') {
        out[n] = name[n];
        n++;
    }
    memcpy(out + n, ";dur=", 5);
    n += 5;
    uint64_t us = ns / 1000 + (ns % 1000 >= 500);
    uint64_t ms = us / 1000;
    unsigned frac = (unsigned)(us % 1000);
    if (ms < 10) { /* nearly every step */
        out[n++] = (char)('0' + ms);
    } else {
        char digits[24];
        int k = 0;
        do {
            digits[k++] = (char)('0' + ms % 10);
            ms /= 10;
        } while (ms > 0);
        while (k > 0)
            out[n++] = digits[--k];
    }
    out[n++] = '.';
    out[n++] = (char)('0' + frac / 100);
    out[n++] = (char)('0' + frac / 10 % 10);
    out[n++] = (char)('0' + frac % 10);
    return n;
}

size_t server_timing_format(const struct server_timing *t, uint64_t total_ns, char *out)
{
    size_t n = 0;
    unsigned count = t ? t->n : 0;
    for (unsigned i = 0; i < count; i++) {
        if (n > 0) {
            memcpy(out + n, ", ", 2);
            n += 2;
        }
        n += format_entry(out + n, t->e[i].name, t->e[i].ns);
    }
    if (total_ns != UINT64_MAX) {
        if (n > 0) {
            memcpy(out + n, ", ", 2);
            n += 2;
        }
        n += format_entry(out + n, "total", total_ns);
    }
    out[n] = '\0';
    return n;
}

/* ---- reading ---- */

struct cursor {
    const char *s;
    size_t i, len;
};

static void skip_ows(struct cursor *c)
{
    while (c->i < c->len && (c->s[c->i] == ' ' || c->s[c->i] == '\t'))
        c->i++;
}

static size_t take_token(struct cursor *c)
{
    size_t start = c->i;
    while (c->i < c->len && http_tchar((unsigned char)c->s[c->i]))
        c->i++;
    return c->i - start;
}

/* A quoted-string at the cursor (the opening quote): false when it is not closed. */
static bool skip_quoted(struct cursor *c)
{
    for (c->i++; c->i < c->len; c->i++) {
        if (c->s[c->i] == '\\')
            c->i++;
        else if (c->s[c->i] == '"') {
            c->i++;
            return true;
        }
    }
    return false;
}

/* Past the next comma that is outside a quoted string (or to the end). */
static void skip_metric(struct cursor *c)
{
    while (c->i < c->len && c->s[c->i] != ',') {
        if (c->s[c->i] == '"') {
            if (!skip_quoted(c))
                return;
        } else {
            c->i++;
        }
    }
}

/* A non-negative decimal number of milliseconds ("12", "0.012", ".5") into
 * nanoseconds; digits past the sixth decimal are dropped. */
static bool parse_ms(const char *s, size_t n, uint64_t *ns)
{
    uint64_t whole = 0, frac = 0;
    size_t i = 0, digits = 0, fdigits = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
        if (digits >= 12) /* 10^12 ms is 31 years: not a step of one request */
            return false;
        whole = whole * 10 + (uint64_t)(s[i] - '0');
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++)
            if (fdigits < 6) {
                frac = frac * 10 + (uint64_t)(s[i] - '0');
                fdigits++;
            }
    }
    if (i != n || digits == 0)
        return false;
    while (fdigits++ < 6)
        frac *= 10;
    *ns = whole * 1000000 + frac;
    return true;
}

/* The parameters after a metric's name: the first dur, if any. False when the
 * metric is malformed. */
static bool parse_params(struct cursor *c, uint64_t *dur, bool *has_dur)
{
    bool seen = false; /* only the first dur counts, valid or not */
    for (;;) {
        skip_ows(c);
        if (c->i >= c->len || c->s[c->i] == ',')
            return true;
        if (c->s[c->i] != ';')
            return false;
        c->i++;
        skip_ows(c);
        size_t pstart = c->i, plen = take_token(c);
        if (plen == 0)
            return false;
        skip_ows(c);
        if (c->i >= c->len || c->s[c->i] != '=')
            continue; /* a parameter without a value */
        c->i++;
        skip_ows(c);
        size_t vstart = c->i, vlen;
        if (c->i < c->len && c->s[c->i] == '"') {
            if (!skip_quoted(c))
                return false;
            vstart++;
            vlen = c->i - vstart - 1;
        } else {
            vlen = take_token(c);
        }
        const char *pn = c->s + pstart;
        if (!seen && plen == 3 && (pn[0] | 0x20) == 'd' && (pn[1] | 0x20) == 'u' &&
            (pn[2] | 0x20) == 'r') {
            seen = true;
            *has_dur = parse_ms(c->s + vstart, vlen, dur);
            if (!*has_dur)
                *dur = 0;
        }
    }
}

unsigned server_timing_parse(const char *value, size_t len, server_timing_fn fn, void *ctx)
{
    struct cursor c = {value, 0, len};
    unsigned count = 0;
    while (c.i < c.len) {
        skip_ows(&c);
        if (c.i < c.len && c.s[c.i] == ',') {
            c.i++;
            continue;
        }
        size_t nstart = c.i, nlen = take_token(&c);
        uint64_t dur = 0;
        bool has_dur = false;
        if (nlen == 0 || !parse_params(&c, &dur, &has_dur)) {
            skip_metric(&c);
            continue;
        }
        count++;
        if (!fn(ctx, value + nstart, nlen, dur, has_dur))
            break;
    }
    return count;
}

struct relay {
    struct server_timing *t;
    const char *total_as;
    uint64_t max_ns;
    unsigned added;
};

static bool relay_one(void *ctx, const char *name, size_t nlen, uint64_t ns, bool has_dur)
{
    struct relay *r = ctx;
    if (!has_dur)
        return true;
    if (nlen == 5 && memcmp(name, "total", 5) == 0) {
        if (r->total_as == NULL)
            return true;
        name = r->total_as;
        nlen = SIZE_MAX;
    } else if (nlen >= SERVER_TIMING_NAME) {
        return true;
    }
    unsigned before = r->t->n;
    add_n(r->t, name, nlen, ns < r->max_ns ? ns : r->max_ns);
    r->added += r->t->n - before;
    return r->t->n < SERVER_TIMING_MAX;
}

unsigned server_timing_relay(struct server_timing *t, const char *value, const char *total_as,
                             uint64_t max_ns)
{
    if (t == NULL || value == NULL)
        return 0;
    struct relay r = {t, total_as, max_ns, 0};
    server_timing_parse(value, strlen(value), relay_one, &r);
    return r.added;
}

struct find {
    const char *name;
    uint64_t ns;
    bool found;
};

static bool find_one(void *ctx, const char *name, size_t nlen, uint64_t ns, bool has_dur)
{
    struct find *f = ctx;
    if (!has_dur || strlen(f->name) != nlen || memcmp(f->name, name, nlen) != 0)
        return true;
    f->ns = ns;
    f->found = true;
    return false;
}

bool server_timing_find(const char *value, const char *name, uint64_t *ns)
{
    if (value == NULL)
        return false;
    struct find f = {name, 0, false};
    server_timing_parse(value, strlen(value), find_one, &f);
    if (f.found)
        *ns = f.ns;
    return f.found;
}
