/* archbench check's requests and what an answer must be (see check_http.h). */
#include "check_http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "httpc.h"

/* ---- showing what came back ------------------------------------------------ */

/* The length of the valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    size_t len = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
    if (len == 0 || len > n || p[0] >= 0xf8)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    return len;
}

/* Up to max bytes of s as one printable line: control characters, DEL and bytes
 * that are not UTF-8 as \n, \t, \xNN; "…" when cut. out is always valid UTF-8. */
void check_show(const char *s, size_t n, size_t max, char *out, size_t outlen)
{
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    for (; i < n && i < max && o + 8 < outlen; i++) {
        size_t seq = p[i] >= 0x80 ? utf8_seq(p + i, n - i) : 0;
        if (seq > 0) {
            memcpy(out + o, p + i, seq);
            o += seq;
            i += seq - 1;
        } else if (p[i] == '\n' || p[i] == '\t') {
            o += (size_t)snprintf(out + o, outlen - o, "\\%c", p[i] == '\n' ? 'n' : 't');
        } else if (p[i] < 0x20 || p[i] >= 0x7f) {
            o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", p[i]);
        } else {
            out[o++] = (char)p[i];
        }
    }
    if (i < n && o + 4 < outlen)
        o += (size_t)snprintf(out + o, outlen - o, "…");
    out[o < outlen ? o : outlen - 1] = '\0';
}

/* "401 application/problem+json {"type":…": status, type and the start of the body. */
void check_describe(const struct http_response *r, char *out, size_t len)
{
    char type[96] = "no Content-Type", body[160];
    httpc_header(r, "Content-Type", type, sizeof type);
    check_show(r->body, r->body_len, 90, body, sizeof body);
    snprintf(out, len, "%d %s %s", r->status, type, r->body_len ? body : "(empty body)");
}

bool check_no_answer(char *msg, size_t len, const char *what)
{
    snprintf(msg, len, "expected %s, got no answer (connection closed or 5 s without a "
                       "complete response)", what);
    return false;
}

/* ---- requests ---------------------------------------------------------------- */

/* Sends req whole on fd; a server that refuses an oversized head may close the
 * connection before it is all sent, so a reset while sending is not an error
 * here: the answer is read next. */
void check_send_all(int fd, const char *req, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, req, len, MSG_NOSIGNAL);
        if (n <= 0)
            return;
        req += n;
        len -= (size_t)n;
    }
}

/* Reads one answer on fd and notes the first 5xx other than 501, which RFC 9110
 * §15.6.2 allows for a method or a coding a server does not implement. */
int check_read_answer(struct check_ctx *c, int fd, const char *what, bool head,
                       struct http_response *r)
{
    if (httpc_read(fd, r, head) != 0)
        return -1;
    if (r->status >= 500 && r->status != 501 && c->five_xx[0] == '\0')
        snprintf(c->five_xx, sizeof c->five_xx, "%s got %d", what, r->status);
    return 0;
}

/* A raw request on a new connection; what names it in messages. */
int check_send_raw(struct check_ctx *c, const char *req, size_t len, const char *what,
                    bool head, struct http_response *r)
{
    int fd = httpc_connect_host(c->url.host, c->url.port);
    if (fd < 0)
        return -1;
    check_send_all(fd, req, len);
    int rc = check_read_answer(c, fd, what, head, r);
    close(fd);
    return rc;
}

/* "METHOD PREFIX+target HTTP/1.1", Host, then the header lines given (each
 * ending in CRLF; may be NULL). */
int check_request(struct check_ctx *c, const char *method, const char *target,
                   const char *headers, struct http_response *r)
{
    char req[8192], what[300];
    int n = snprintf(req, sizeof req, "%s %s%s HTTP/1.1\r\nHost: %s\r\n%s\r\n", method, c->prefix,
                     target, c->url.hostport, headers ? headers : "");
    if (n < 0 || (size_t)n >= sizeof req)
        return -1;
    snprintf(what, sizeof what, "%s %s", method, target);
    return check_send_raw(c, req, (size_t)n, what, strcmp(method, "HEAD") == 0, r);
}

void check_bearer(char *out, size_t len, const char *token)
{
    snprintf(out, len, "Authorization: Bearer %s\r\n", token);
}

/* ---- what an answer must be ----------------------------------------------------- */

/* Whether value is the media type `type` (case-insensitive), with no parameter
 * but charset=utf-8 (RFC 8259 §11 defines none; utf-8 restates the only one). */
bool check_media_type_is(const char *value, const char *type)
{
    size_t n = strlen(type);
    if (strncasecmp(value, type, n) != 0)
        return false;
    const char *p = value + n;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0')
        return true;
    if (*p++ != ';')
        return false;
    while (*p == ' ' || *p == '\t')
        p++;
    return strcasecmp(p, "charset=utf-8") == 0 || strcasecmp(p, "charset=\"utf-8\"") == 0;
}

/* 200 with user u's body, byte for byte. */
bool check_expect_profile(const struct http_response *r, const struct check_user *u, char *msg,
                           size_t len)
{
    char got[400], want[300], what[64];
    if (r->status != 200) {
        check_describe(r, got, sizeof got);
        snprintf(msg, len, "expected 200 with user %lld's profile, got %s", (long long)u->id, got);
        return false;
    }
    if (r->body_len == u->len && memcmp(r->body, u->body, u->len) == 0)
        return true;
    size_t at = 0;
    while (at < r->body_len && at < u->len && r->body[at] == u->body[at])
        at++;
    size_t from = at > 24 ? at - 24 : 0;
    check_show(u->body + from, u->len - from, 64, want, sizeof want);
    check_show(r->body + from, r->body_len - from, 64, got, sizeof got);
    snprintf(what, sizeof what, "%s", from > 0 ? "…" : "");
    snprintf(msg, len, "expected user %lld's body %s%s (%zu bytes), got %s%s (%zu bytes): they "
                       "differ from byte %zu", (long long)u->id, what, want, u->len, what, got,
             r->body_len, at);
    return false;
}

static const char *reason_phrase(int status)
{
    switch (status) {
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    default: return "";
    }
}

/* Which member of an RFC 9457 problem object is missing or wrong, or NULL. */
static const char *problem_defect(json_t *o, int status)
{
    json_t *type = json_object_get(o, "type"), *title = json_object_get(o, "title");
    if (!json_is_object(o))
        return "a JSON object";
    if (!json_is_string(type) || strcmp(json_string_value(type), "about:blank") != 0)
        return "\"type\":\"about:blank\"";
    if (!json_is_string(title) || strcmp(json_string_value(title), reason_phrase(status)) != 0)
        return "\"title\" the status's reason phrase";
    if (!json_is_integer(json_object_get(o, "status")) ||
        json_integer_value(json_object_get(o, "status")) != status)
        return "\"status\" equal to the HTTP status";
    if (!json_is_string(json_object_get(o, "detail")))
        return "a \"detail\" string";
    return NULL;
}

/* status with an RFC 9457 problem: application/problem+json, type about:blank,
 * title the reason phrase, status, any detail text, any extra member. */
bool check_expect_problem(const struct http_response *r, int status, char *msg, size_t len)
{
    char got[400], type[128] = "";
    check_describe(r, got, sizeof got);
    if (r->status != status) {
        snprintf(msg, len, "expected %d problem+json, got %s", status, got);
        return false;
    }
    if (!httpc_header(r, "Content-Type", type, sizeof type) ||
        !check_media_type_is(type, "application/problem+json")) {
        snprintf(msg, len, "expected Content-Type: application/problem+json, got %s", got);
        return false;
    }
    json_t *o = json_loadb(r->body, r->body_len, 0, NULL);
    const char *defect = problem_defect(o, status);
    json_decref(o);
    if (defect != NULL)
        snprintf(msg, len, "expected a problem body with %s, got %s", defect, got);
    return defect == NULL;
}

/* A challenge list ("Bearer realm=\"x\", Basic") whose first scheme or one after a
 * comma is Bearer (auth-schemes are case-insensitive: RFC 9110 §11.1). */
static bool challenges_bearer(const char *v)
{
    for (const char *p = v; p != NULL; p = strchr(p, ',')) {
        p += *p == ',';
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "Bearer", 6) == 0 && (p[6] == '\0' || p[6] == ' ' || p[6] == ','))
            return true;
    }
    return false;
}

bool check_expect_unauthorized(const struct http_response *r, char *msg, size_t len)
{
    if (!check_expect_problem(r, 401, msg, len))
        return false;
    char v[256];
    for (unsigned i = 0; httpc_header_at(r, "WWW-Authenticate", i, v, sizeof v); i++)
        if (challenges_bearer(v))
            return true;
    snprintf(msg, len, "expected a WWW-Authenticate: Bearer challenge with the 401, got %s",
             httpc_header(r, "WWW-Authenticate", v, sizeof v) ? v : "none");
    return false;
}

/* GET /profile with the header lines given must be a 401; what names the attempt. */
bool check_unauthorized_with(struct check_ctx *c, const char *headers, const char *what,
                              char *msg, size_t len)
{
    struct http_response r;
    char m[900];
    if (check_request(c, "GET", "/profile", headers, &r) != 0)
        return check_no_answer(msg, len, "401");
    bool ok = check_expect_unauthorized(&r, m, sizeof m);
    httpc_free(&r);
    if (!ok)
        snprintf(msg, len, "%s: %s", what, m);
    return ok;
}

/* GET target with user u's token plus extra header lines must be u's profile. */
bool check_profile_with(struct check_ctx *c, const char *target, const struct check_user *u,
                         const char *auth, const char *extra, char *msg, size_t len)
{
    char headers[512];
    snprintf(headers, sizeof headers, "%s%s", auth, extra ? extra : "");
    struct http_response r;
    if (check_request(c, "GET", target, headers, &r) != 0)
        return check_no_answer(msg, len, "200");
    bool ok = check_expect_profile(&r, u, msg, len);
    httpc_free(&r);
    return ok;
}

