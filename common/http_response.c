/* Incremental HTTP/1.1 response parser (see http_response.h).
 *
 * Status and header lines are parsed in place when a whole line is in the input,
 * which is the common case; a line split across reads is gathered in p->line first.
 * Size limits are checked per line, wherever the line happens to sit, so the outcome
 * never depends on how the response was split. Chunk framing is a byte-at-a-time
 * state machine; body bytes are skipped (or copied to body_buf) in bulk. */
#include "http_response.h"

#include <string.h>
#include <strings.h>

#include "http_chars.h"

static enum http_response_result http_response_fail(struct http_response_parser *p,
                                                    const char *why)
{
    p->state = HTTP_RESPONSE_S_ERROR;
    p->error = why;
    return HTTP_RESPONSE_ERROR;
}

/* Resets what one response (or one interim 1xx response) accumulates. */
static void http_response_begin(struct http_response_parser *p)
{
    p->status = 0;
    p->minor_version = 0;
    p->keep_alive = true;
    p->chunked = false;
    p->content_length = UINT64_MAX;
    p->seen_length = false;
    p->te_seen = false;
    p->connection_close = false;
    p->connection_keep_alive = false;
    p->line_len = 0;
    p->captured_used = 0;
    p->capture_truncated = false;
    for (unsigned i = 0; i < p->ncapture; i++)
        p->capture_at[i] = 0;
    p->state = HTTP_RESPONSE_S_STATUS;
}

void http_response_capture(struct http_response_parser *p, const char *const *names,
                           unsigned n)
{
    p->ncapture = n < HTTP_RESPONSE_MAX_CAPTURE ? n : HTTP_RESPONSE_MAX_CAPTURE;
    for (unsigned i = 0; i < p->ncapture; i++) {
        size_t len = strlen(names[i]);
        p->capture_name[i] = names[i];
        p->capture_len[i] = (unsigned char)(len < 255 ? len : 255);
        p->capture_at[i] = 0;
    }
    p->capture_lists = 0;
    p->captured_used = 0;
}

void http_response_capture_lists(struct http_response_parser *p, unsigned mask)
{
    p->capture_lists = mask & ((1u << p->ncapture) - 1);
}

const char *http_response_header(const struct http_response_parser *p, unsigned i)
{
    if (i >= p->ncapture || p->capture_at[i] == 0)
        return NULL;
    return p->captured + p->capture_at[i] - 1;
}

/* Another field line of list header i: appended to its value with ", ". In place
 * when that value is the last one kept, else the joined value is written anew
 * after the others (the old copy's bytes are not reused). */
static void http_response_join(struct http_response_parser *p, unsigned i, const char *v,
                               size_t vn)
{
    size_t at = p->capture_at[i] - 1u;
    size_t on = strlen(p->captured + at);
    bool last = at + on + 1 == p->captured_used;
    size_t need = last ? 2 + vn : on + 2 + vn + 1;
    if (p->captured_used + need > HTTP_RESPONSE_CAPTURE_BYTES) {
        p->capture_truncated = true;
        return;
    }
    char *w = p->captured + (last ? at : p->captured_used);
    if (!last) {
        memcpy(w, p->captured + at, on);
        p->capture_at[i] = (unsigned short)(p->captured_used + 1);
    }
    memcpy(w + on, ", ", 2);
    memcpy(w + on + 2, v, vn);
    w[on + 2 + vn] = '\0';
    p->captured_used += need;
}

/* Keeps the value of a header the caller asked for (the first field line, or for
 * a list every line); false when a value that is not a list's no longer fits. */
static bool http_response_keep(struct http_response_parser *p, const char *name,
                               size_t nlen, const char *v, size_t vn)
{
    for (unsigned i = 0; i < p->ncapture; i++) {
        if (p->capture_len[i] != nlen || strncasecmp(name, p->capture_name[i], nlen) != 0)
            continue;
        bool list = p->capture_lists & (1u << i);
        if (list && vn == 0)
            continue; /* an empty line adds no element to a list */
        if (p->capture_at[i] != 0) {
            if (list)
                http_response_join(p, i, v, vn);
            continue;
        }
        if (p->captured_used + vn + 1 > HTTP_RESPONSE_CAPTURE_BYTES) {
            if (!list)
                return false;
            p->capture_truncated = true;
            continue;
        }
        memcpy(p->captured + p->captured_used, v, vn);
        p->captured[p->captured_used + vn] = '\0';
        p->capture_at[i] = (unsigned short)(p->captured_used + 1);
        p->captured_used += vn + 1;
    }
    return true;
}

void http_response_reset(struct http_response_parser *p)
{
    http_response_begin(p);
    p->body_len = 0;
    p->body_stored = 0;
    p->header_bytes = 0;
    p->error = NULL;
    p->remaining = 0;
    p->chunk_digits = 0;
    p->chunk_line = 0;
}

bool http_response_in_progress(const struct http_response_parser *p)
{
    return p->state != HTTP_RESPONSE_S_STATUS || p->line_len > 0 || p->header_bytes > 0;
}

static bool http_response_is_digit(char c) { return c >= '0' && c <= '9'; }


static bool http_response_parse_status(struct http_response_parser *p, const char *s, size_t n)
{
    /* "HTTP/1.x SSS" then end of line or " reason". */
    if (n < 12 || memcmp(s, "HTTP/1.", 7) != 0 || !http_response_is_digit(s[7]) || s[8] != ' ')
        return false;
    if (s[9] < '1' || s[9] > '5' || !http_response_is_digit(s[10]) ||
        !http_response_is_digit(s[11]))
        return false;
    if (n > 12 && s[12] != ' ')
        return false;
    for (size_t i = 12; i < n; i++)
        if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
            return false;
    p->minor_version = (unsigned)(s[7] - '0');
    p->status = (unsigned)((s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0'));
    return true;
}

/* Calls fn on each comma-separated, trimmed element of a header value. */
static void http_response_each_token(const char *v, size_t n,
                                     void (*fn)(struct http_response_parser *, const char *,
                                                size_t),
                                     struct http_response_parser *p)
{
    size_t i = 0;
    while (i < n) {
        size_t start = i;
        while (i < n && v[i] != ',')
            i++;
        size_t a = start, b = i;
        while (a < b && (v[a] == ' ' || v[a] == '\t'))
            a++;
        while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t'))
            b--;
        if (b > a)
            fn(p, v + a, b - a);
        i++;
    }
}

static void http_response_connection_token(struct http_response_parser *p, const char *t, size_t n)
{
    if (n == 5 && strncasecmp(t, "close", 5) == 0)
        p->connection_close = true;
    else if (n == 10 && strncasecmp(t, "keep-alive", 10) == 0)
        p->connection_keep_alive = true;
}

/* The body is chunked only when chunked is the final transfer coding; any other
 * final coding means the body runs until the connection closes (RFC 9112 §6.3). */
static void http_response_te_token(struct http_response_parser *p, const char *t, size_t n)
{
    p->chunked = n == 7 && strncasecmp(t, "chunked", 7) == 0;
}

/* One header line; NULL, or why it is refused. */
static const char *http_response_parse_header(struct http_response_parser *p, const char *s,
                                              size_t n)
{
    static const char malformed[] = "malformed header";
    size_t colon = 0;
    while (colon < n && http_tchar((unsigned char)s[colon]))
        colon++;
    /* No name, white space before the colon, or obsolete line folding: reject. */
    if (colon == 0 || colon >= n || s[colon] != ':')
        return malformed;
    const char *v = s + colon + 1;
    size_t vn = n - colon - 1;
    while (vn > 0 && (*v == ' ' || *v == '\t'))
        v++, vn--;
    while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
        vn--;
    for (size_t i = 0; i < vn; i++)
        if (http_ctl((unsigned char)v[i]))
            return malformed;

    if (colon == 14 && strncasecmp(s, "content-length", 14) == 0) {
        if (vn == 0 || vn > 18)
            return malformed;
        uint64_t len = 0;
        for (size_t i = 0; i < vn; i++) {
            if (!http_response_is_digit(v[i]))
                return malformed;
            len = len * 10 + (uint64_t)(v[i] - '0');
        }
        /* Two different lengths make the framing ambiguous (smuggling territory). */
        if (p->seen_length && len != p->content_length)
            return malformed;
        p->seen_length = true;
        p->content_length = len;
    } else if (colon == 17 && strncasecmp(s, "transfer-encoding", 17) == 0) {
        if (vn == 0)
            return malformed;
        http_response_each_token(v, vn, http_response_te_token, p);
        p->te_seen = true;
    } else if (colon == 10 && strncasecmp(s, "connection", 10) == 0) {
        http_response_each_token(v, vn, http_response_connection_token, p);
    }
    if (p->ncapture > 0 && !http_response_keep(p, s, colon, v, vn))
        return "kept header values too large";
    return NULL;
}

/* The empty line after the headers: decide how the body is framed. False when the
 * declared body is over max_body. */
static bool http_response_end_headers(struct http_response_parser *p)
{
    if (p->minor_version >= 1)
        p->keep_alive = !p->connection_close;
    else
        p->keep_alive = p->connection_keep_alive && !p->connection_close;

    if (p->status < 200) {
        /* 1xx interim response: the real one follows on the same connection. */
        size_t hb = p->header_bytes;
        http_response_begin(p);
        p->header_bytes = hb;
        return true;
    }
    if (p->head_request || p->status == 204 || p->status == 304) {
        p->state = HTTP_RESPONSE_S_DONE;
    } else if (p->chunked) {
        p->content_length = UINT64_MAX;
        p->state = HTTP_RESPONSE_S_CHUNK_SIZE;
        p->remaining = 0;
        p->chunk_line = 0;
    } else if (p->seen_length && !p->te_seen) {
        /* Transfer-Encoding overrides Content-Length (RFC 9112 §6.3). */
        if (p->max_body != 0 && p->content_length > p->max_body)
            return false;
        p->remaining = p->content_length;
        p->state = p->remaining == 0 ? HTTP_RESPONSE_S_DONE : HTTP_RESPONSE_S_BODY_LENGTH;
    } else {
        p->keep_alive = false;
        p->state = HTTP_RESPONSE_S_BODY_EOF;
    }
    return true;
}

/* One complete line without its line ending. */
static bool http_response_line(struct http_response_parser *p, const char *s, size_t n,
                               const char **why)
{
    switch (p->state) {
    case HTTP_RESPONSE_S_STATUS:
        if (!http_response_parse_status(p, s, n)) {
            *why = "malformed status line";
            return false;
        }
        p->state = HTTP_RESPONSE_S_HEADERS;
        return true;
    case HTTP_RESPONSE_S_HEADERS:
        if (n == 0) {
            if (http_response_end_headers(p))
                return true;
            *why = "body larger than the limit";
            return false;
        }
        *why = http_response_parse_header(p, s, n);
        return *why == NULL;
    default: /* HTTP_RESPONSE_S_TRAILERS: fields are checked for shape and ignored */
        if (n == 0) {
            p->state = HTTP_RESPONSE_S_DONE;
            return true;
        }
        size_t i = 0;
        while (i < n && http_tchar((unsigned char)s[i]))
            i++;
        if (i == 0 || i >= n || s[i] != ':') {
            *why = "malformed trailer";
            return false;
        }
        return true;
    }
}

/* Body bytes: counted, bounded, handed to the caller; NULL, or why they are refused. */
static const char *http_response_store(struct http_response_parser *p, const char *data,
                                       size_t n)
{
    if (p->max_body != 0 && p->body_len + n > p->max_body)
        return "body larger than the limit";
    if (p->body_fn != NULL && n > 0 && !p->body_fn(p->body_ctx, data, n))
        return "body refused";
    if (p->body_buf != NULL && p->body_stored < p->body_cap) {
        size_t room = p->body_cap - p->body_stored;
        size_t k = n < room ? n : room;
        memcpy(p->body_buf + p->body_stored, data, k);
        p->body_stored += k;
    }
    p->body_len += n;
    return NULL;
}

static int http_response_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
        return (c | 0x20) - 'a' + 10;
    return -1;
}

/* Status line, header and trailer bytes up to the next LF: a complete line goes
 * to http_response_line, a partial one waits in p->line for the next input. NULL, or
 * why the response is malformed. */
static const char *http_response_head_bytes(struct http_response_parser *p, const char *data,
                                            size_t len, size_t *off)
{
    const char *nl = memchr(data + *off, '\n', len - *off);
    size_t n = nl ? (size_t)(nl - (data + *off)) + 1 : len - *off;
    if (p->line_len + n > HTTP_RESPONSE_MAX_LINE)
        return "header line too long";
    p->header_bytes += n;
    if (p->header_bytes > HTTP_RESPONSE_MAX_HEADERS)
        return "headers too large";
    if (nl == NULL) {
        memcpy(p->line + p->line_len, data + *off, n);
        p->line_len += n;
        *off += n;
        return NULL;
    }
    const char *line = data + *off;
    size_t ln = n;
    if (p->line_len > 0) {
        memcpy(p->line + p->line_len, data + *off, n);
        line = p->line;
        ln = p->line_len + n;
        p->line_len = 0;
    }
    *off += n;
    ln--; /* the LF */
    if (ln > 0 && line[ln - 1] == '\r')
        ln--;
    const char *why = NULL;
    http_response_line(p, line, ln, &why);
    return why;
}

/* Body bytes of a known length (Content-Length, or one chunk's data): up to
 * p->remaining of them, then state next once the last one came. NULL, or why they
 * are refused. */
static const char *http_response_take(struct http_response_parser *p, const char *data,
                                      size_t len, size_t *off, enum http_response_state next)
{
    size_t k = len - *off;
    if ((uint64_t)k > p->remaining)
        k = (size_t)p->remaining;
    const char *why = http_response_store(p, data + *off, k);
    if (why != NULL)
        return why;
    p->remaining -= k;
    *off += k;
    if (p->remaining == 0)
        p->state = next;
    return NULL;
}

/* The chunk-size line is over: its data follows, or the trailers after the last.
 * NULL, or why the chunk is refused (it would take the body over max_body). */
static const char *http_response_chunk_size_done(struct http_response_parser *p)
{
    if (p->max_body != 0 && p->remaining > p->max_body - p->body_len)
        return "body larger than the limit";
    p->chunk_digits = 0;
    p->chunk_line = 0;
    p->state = p->remaining == 0 ? HTTP_RESPONSE_S_TRAILERS : HTTP_RESPONSE_S_CHUNK_DATA;
    return NULL;
}

/* One character of a chunk size. NULL, or why the response is malformed. */
static const char *http_response_chunk_size(struct http_response_parser *p, char c)
{
    int h = http_response_hex(c);
    if (++p->chunk_line > HTTP_RESPONSE_MAX_CHUNK_LINE)
        return "chunk size line too long";
    if (h >= 0) {
        if (++p->chunk_digits > 15)
            return "chunk size too large";
        p->remaining = p->remaining * 16 + (uint64_t)h;
        return NULL;
    }
    if (p->chunk_digits == 0)
        return "malformed chunk size";
    if (c == ';' || c == ' ' || c == '\t')
        p->state = HTTP_RESPONSE_S_CHUNK_EXT;
    else if (c == '\r')
        p->state = HTTP_RESPONSE_S_CHUNK_SIZE_LF;
    else if (c == '\n')
        return http_response_chunk_size_done(p);
    else
        return "malformed chunk size";
    return NULL;
}

/* Chunk extensions (";name=value", quoted strings included) are skipped up to the
 * end of the line. NULL, or why the response is malformed. */
static const char *http_response_chunk_ext(struct http_response_parser *p, const char *data,
                                           size_t len, size_t *off)
{
    const char *end = data + len;
    const char *s = data + *off;
    while (s < end && *s != '\r' && *s != '\n')
        s++;
    p->chunk_line += (size_t)(s - (data + *off));
    if (p->chunk_line > HTTP_RESPONSE_MAX_CHUNK_LINE)
        return "chunk size line too long";
    *off = (size_t)(s - data);
    if (s == end)
        return NULL;
    (*off)++;
    if (*s == '\n')
        return http_response_chunk_size_done(p);
    p->state = HTTP_RESPONSE_S_CHUNK_SIZE_LF;
    return NULL;
}

/* One step of the state machine on data[*off..len). NULL, or why the response is
 * malformed. */
static const char *http_response_step(struct http_response_parser *p, const char *data,
                                      size_t len, size_t *off)
{
    switch (p->state) {
    case HTTP_RESPONSE_S_STATUS:
    case HTTP_RESPONSE_S_HEADERS:
    case HTTP_RESPONSE_S_TRAILERS:
        return http_response_head_bytes(p, data, len, off);
    case HTTP_RESPONSE_S_BODY_LENGTH:
        return http_response_take(p, data, len, off, HTTP_RESPONSE_S_DONE);
    case HTTP_RESPONSE_S_BODY_EOF: {
        const char *why = http_response_store(p, data + *off, len - *off);
        *off = len;
        return why;
    }
    case HTTP_RESPONSE_S_CHUNK_SIZE:
        return http_response_chunk_size(p, data[(*off)++]);
    case HTTP_RESPONSE_S_CHUNK_EXT:
        return http_response_chunk_ext(p, data, len, off);
    case HTTP_RESPONSE_S_CHUNK_SIZE_LF:
        if (data[(*off)++] != '\n')
            return "malformed chunk size line";
        return http_response_chunk_size_done(p);
    case HTTP_RESPONSE_S_CHUNK_DATA:
        return http_response_take(p, data, len, off, HTTP_RESPONSE_S_CHUNK_DATA_CR);
    case HTTP_RESPONSE_S_CHUNK_DATA_CR: {
        char c = data[(*off)++];
        if (c == '\r')
            p->state = HTTP_RESPONSE_S_CHUNK_DATA_LF;
        else if (c == '\n')
            p->state = HTTP_RESPONSE_S_CHUNK_SIZE;
        else
            return "chunk data longer than its size";
        return NULL;
    }
    case HTTP_RESPONSE_S_CHUNK_DATA_LF:
        if (data[(*off)++] != '\n')
            return "chunk data longer than its size";
        p->state = HTTP_RESPONSE_S_CHUNK_SIZE;
        return NULL;
    case HTTP_RESPONSE_S_DONE:
    case HTTP_RESPONSE_S_ERROR:
        break;
    }
    return NULL;
}

enum http_response_result http_response_parse(struct http_response_parser *p,
                                              const char *data, size_t len, size_t *used)
{
    size_t off = 0;
    *used = 0;
    if (p->state == HTTP_RESPONSE_S_ERROR)
        return HTTP_RESPONSE_ERROR;
    while (off < len && p->state != HTTP_RESPONSE_S_DONE) {
        const char *why = http_response_step(p, data, len, &off);
        if (why != NULL)
            return http_response_fail(p, why);
    }
    *used = off;
    return p->state == HTTP_RESPONSE_S_DONE ? HTTP_RESPONSE_DONE : HTTP_RESPONSE_MORE;
}

enum http_response_result http_response_finish(struct http_response_parser *p)
{
    if (p->state == HTTP_RESPONSE_S_DONE)
        return HTTP_RESPONSE_DONE;
    if (p->state == HTTP_RESPONSE_S_BODY_EOF) {
        p->state = HTTP_RESPONSE_S_DONE;
        p->keep_alive = false;
        return HTTP_RESPONSE_DONE;
    }
    if (p->state == HTTP_RESPONSE_S_ERROR)
        return HTTP_RESPONSE_ERROR;
    return http_response_fail(p, http_response_in_progress(p)
                                     ? "connection closed mid-response"
                                     : "connection closed before a response");
}
