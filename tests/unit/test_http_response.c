/* The HTTP/1.1 response parser (common/http_response.c, loadgen's and the gateway's):
 * every response gives the same outcome however it is split across reads (at every
 * byte boundary, and one byte at a time), kept header values and the bytes handed to
 * the body function included; chunked bodies with extensions and trailers,
 * Connection: close, HTTP/1.0, 1xx and bodies delimited by the end of the connection
 * are understood; malformed status lines, bad framing, oversized headers and bodies
 * over the limit are errors, never a crash or an overrun (the SAN=1 build checks the
 * latter). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_response.h"

struct outcome {
    enum http_response_result result;
    unsigned status;
    bool keep_alive;
    uint64_t body_len;
    size_t stored;
    char body[64];
    size_t used; /* bytes consumed when DONE */
    /* What body_fn received, and the kept header values ("-" when absent). */
    size_t sunk;
    char sink[512];
    char kept[4][256];
    bool truncated; /* a list header's line was dropped */
};

/* Every parse keeps these headers' values (the last one a list) and passes the body
 * to sink(); the body limit and a refusal by the body function are set per test. */
static const char *const kept_names[4] = {"Content-Type", "www-authenticate", "X-User-Id",
                                          "Server-Timing"};
static uint64_t feed_max_body;
static size_t sink_refuses_after = SIZE_MAX;

static bool sink(void *ctx, const char *data, size_t len)
{
    struct outcome *o = ctx;
    if (o->sunk + len > sink_refuses_after)
        return false;
    size_t k = len < sizeof o->sink - o->sunk ? len : sizeof o->sink - o->sunk;
    memcpy(o->sink + o->sunk, data, k);
    o->sunk += len;
    return true;
}

/* Feeds data in pieces cut at the given offsets (ascending, may be empty); when all
 * is fed and the parser wants more, eof says whether the connection then ends. */
static struct outcome feed(const char *data, size_t len, const size_t *cuts, size_t ncuts,
                           bool eof, bool head)
{
    struct outcome o;
    memset(&o, 0, sizeof o);
    struct http_response_parser *p = malloc(sizeof *p);
    assert_non_null(p);
    memset(p, 0, sizeof *p);
    p->head_request = head;
    p->body_buf = o.body;
    p->body_cap = sizeof o.body;
    p->body_fn = sink;
    p->body_ctx = &o;
    p->max_body = feed_max_body;
    http_response_capture(p, kept_names, 4);
    http_response_capture_lists(p, 1u << 3);
    http_response_reset(p);
    size_t off = 0;
    enum http_response_result r = HTTP_RESPONSE_MORE;
    for (size_t i = 0; i <= ncuts && r == HTTP_RESPONSE_MORE; i++) {
        size_t end = i < ncuts ? cuts[i] : len;
        /* Each piece in its own heap block, so ASan sees any read past it. */
        size_t n = end - off;
        char *piece = malloc(n ? n : 1);
        assert_non_null(piece);
        memcpy(piece, data + off, n);
        size_t used = 0;
        r = http_response_parse(p, piece, n, &used);
        free(piece);
        if (r == HTTP_RESPONSE_MORE)
            assert_int_equal(used, n);
        o.used = off + used;
        off = end;
    }
    if (r == HTTP_RESPONSE_MORE && eof)
        r = http_response_finish(p);
    o.result = r;
    o.status = p->status;
    o.keep_alive = p->keep_alive;
    o.body_len = p->body_len;
    o.stored = p->body_stored;
    for (unsigned i = 0; i < 4; i++) {
        const char *v = http_response_header(p, i);
        snprintf(o.kept[i], sizeof o.kept[i], "%s", v ? v : "-");
    }
    o.truncated = p->capture_truncated;
    if (r == HTTP_RESPONSE_ERROR)
        assert_non_null(p->error);
    else
        assert_int_equal(o.sunk, o.body_len);
    free(p);
    return o;
}

static void same_outcome(const struct outcome *a, const struct outcome *b, const char *what,
                         size_t at)
{
    /* An error is an error: how much of the body was seen before it may depend on
     * the split (a body over the limit is refused at the piece that crosses it). */
    if (a->result == HTTP_RESPONSE_ERROR && b->result == HTTP_RESPONSE_ERROR)
        return;
    if (a->result != b->result || a->status != b->status || a->keep_alive != b->keep_alive ||
        a->body_len != b->body_len || a->stored != b->stored ||
        memcmp(a->body, b->body, a->stored) != 0 ||
        (a->result == HTTP_RESPONSE_DONE && a->used != b->used) ||
        (a->result == HTTP_RESPONSE_DONE &&
         (a->sunk != b->sunk || memcmp(a->sink, b->sink, a->sunk < sizeof a->sink
                                                             ? a->sunk : sizeof a->sink) != 0 ||
          strcmp(a->kept[0], b->kept[0]) != 0 || strcmp(a->kept[1], b->kept[1]) != 0 ||
          strcmp(a->kept[2], b->kept[2]) != 0 || strcmp(a->kept[3], b->kept[3]) != 0 ||
          a->truncated != b->truncated)))
        fail_msg("%s: outcome differs when split at %zu (result %d vs %d)", what, at,
                 (int)a->result, (int)b->result);
}

/* The whole response at once, then split in two at every offset, then in three
 * pieces around every offset, then one byte at a time: all must agree. */
static struct outcome parse_every_way(const char *data, size_t len, bool eof, bool head,
                                      const char *what)
{
    struct outcome whole = feed(data, len, NULL, 0, eof, head);
    for (size_t i = 0; i <= len; i++) {
        struct outcome o = feed(data, len, &i, 1, eof, head);
        same_outcome(&whole, &o, what, i);
        if (i + 1 <= len) {
            size_t cuts[2] = {i, i + 1};
            o = feed(data, len, cuts, 2, eof, head);
            same_outcome(&whole, &o, what, i);
        }
    }
    size_t *cuts = malloc((len + 1) * sizeof *cuts);
    assert_non_null(cuts);
    for (size_t i = 0; i < len; i++)
        cuts[i] = i + 1;
    struct outcome o = feed(data, len, cuts, len ? len - 1 : 0, eof, head);
    same_outcome(&whole, &o, "byte by byte", 0);
    free(cuts);
    return whole;
}

#define PARSE(s, eof) parse_every_way(s, sizeof(s) - 1, eof, false, s)

static void expect_body(const struct outcome *o, const char *body)
{
    assert_int_equal(o->result, HTTP_RESPONSE_DONE);
    assert_int_equal(o->body_len, strlen(body));
    assert_int_equal(o->stored, strlen(body));
    assert_memory_equal(o->body, body, strlen(body));
    assert_int_equal(o->sunk, strlen(body));
    assert_memory_equal(o->sink, body, strlen(body));
}

static void test_content_length_response(void **state)
{
    (void)state;
    struct outcome o = PARSE("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             "Content-Length: 9\r\n\r\n{\"id\":42}", false);
    expect_body(&o, "{\"id\":42}");
    assert_int_equal(o.status, 200);
    assert_true(o.keep_alive);
}

static void test_chunked_with_extensions_and_trailers(void **state)
{
    (void)state;
    struct outcome o = PARSE("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "5;name=value;q=\"a;b\"\r\nhello\r\n"
                             "6 \t;ext\r\n world\r\n"
                             "A\r\n, chunked!\r\n"
                             "0;last=1\r\nX-Checksum: abc\r\nX-Other:  x \r\n\r\n", false);
    expect_body(&o, "hello world, chunked!");
    assert_true(o.keep_alive);
}

static void test_chunked_without_trailers_and_uppercase_hex(void **state)
{
    (void)state;
    struct outcome o = PARSE("HTTP/1.1 201 Created\r\ntransfer-encoding: gzip, Chunked\r\n\r\n"
                             "1F\r\n0123456789abcdef0123456789abcde\r\n0\r\n\r\n", false);
    expect_body(&o, "0123456789abcdef0123456789abcde");
    assert_int_equal(o.status, 201);
}

static void test_connection_close_is_reported(void **state)
{
    (void)state;
    struct outcome o = PARSE("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
                             "Content-Length: 2\r\n\r\nno", false);
    expect_body(&o, "no");
    assert_int_equal(o.status, 503);
    assert_false(o.keep_alive);
    o = PARSE("HTTP/1.1 200 OK\r\nConnection: Upgrade, CLOSE\r\nContent-Length: 0\r\n\r\n", false);
    assert_int_equal(o.result, HTTP_RESPONSE_DONE);
    assert_false(o.keep_alive);
}

static void test_http10_closes_unless_keep_alive(void **state)
{
    (void)state;
    struct outcome o = PARSE("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", false);
    expect_body(&o, "x");
    assert_false(o.keep_alive);
    o = PARSE("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx", false);
    assert_true(o.keep_alive);
}

static void test_body_until_close(void **state)
{
    (void)state;
    struct outcome o = PARSE("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it", true);
    expect_body(&o, "all of it");
    assert_false(o.keep_alive);
    /* Without the end of the connection it is not complete. */
    o = PARSE("HTTP/1.1 200 OK\r\n\r\nall of it", false);
    assert_int_equal(o.result, HTTP_RESPONSE_MORE);
}

static void test_no_body_statuses_and_head(void **state)
{
    (void)state;
    struct outcome o = PARSE("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n", false);
    expect_body(&o, "");
    o = PARSE("HTTP/1.1 304 Not Modified\r\n\r\n", false);
    expect_body(&o, "");
    const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 123\r\n\r\n";
    o = parse_every_way(head, sizeof head - 1, false, true, "HEAD");
    expect_body(&o, "");
}

static void test_interim_1xx_then_final(void **state)
{
    (void)state;
    struct outcome o = PARSE("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n"
                             "Link: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                             false);
    expect_body(&o, "ok");
    assert_int_equal(o.status, 200);
}

static void test_bare_lf_and_no_reason_phrase(void **state)
{
    (void)state;
    struct outcome o = PARSE("HTTP/1.1 404\nContent-Length: 3\n\nnah", false);
    expect_body(&o, "nah");
    assert_int_equal(o.status, 404);
}

static void test_following_bytes_are_not_consumed(void **state)
{
    (void)state;
    const char two[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n";
    struct outcome o = parse_every_way(two, sizeof two - 1, false, false, "pipelined");
    assert_int_equal(o.result, HTTP_RESPONSE_DONE);
    assert_int_equal(o.used, strlen("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
}

static void test_body_capture_is_bounded(void **state)
{
    (void)state;
    char resp[400];
    int n = snprintf(resp, sizeof resp, "HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n");
    memset(resp + n, 'b', 200);
    struct outcome o = parse_every_way(resp, (size_t)n + 200, false, false, "long body");
    assert_int_equal(o.result, HTTP_RESPONSE_DONE);
    assert_int_equal(o.body_len, 200);
    assert_int_equal(o.stored, sizeof o.body);
}

static void expect_error(const char *resp, size_t len, bool eof)
{
    struct outcome o = parse_every_way(resp, len, eof, false, resp);
    if (o.result != HTTP_RESPONSE_ERROR)
        fail_msg("accepted: %.60s", resp);
}
#define EXPECT_ERROR(s) expect_error(s, sizeof(s) - 1, true)

static void test_malformed_status_lines_are_errors(void **state)
{
    (void)state;
    EXPECT_ERROR("HTTP/2 200 OK\r\n\r\n");
    EXPECT_ERROR("HTTP/1.1 20 OK\r\n\r\n");
    EXPECT_ERROR("HTTP/1.1 200OK\r\n\r\n");
    EXPECT_ERROR("HTTP/1.1  200 OK\r\n\r\n");
    EXPECT_ERROR("http/1.1 200 OK\r\n\r\n");
    EXPECT_ERROR("HTTP/1.1 999 Nope\r\n\r\n");
    EXPECT_ERROR("HTTP/1.1 099 Nope\r\n\r\n");
    EXPECT_ERROR("HTTP/1.x 200 OK\r\n\r\n");
    EXPECT_ERROR("HTTP/1.1 2a0 OK\r\n\r\n");
    EXPECT_ERROR("HTTP/1.1 200 O\x01K\r\n\r\n");
    EXPECT_ERROR("\r\n");
    EXPECT_ERROR("SSH-2.0-OpenSSH_9.2\r\n");
    EXPECT_ERROR("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n");
}

static void test_malformed_headers_and_framing_are_errors(void **state)
{
    (void)state;
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nName : v\r\n\r\n");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\n: v\r\n\r\n");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nX: a\x7f\r\n\r\n");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\rXabc\r\n0\r\n\r\n");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "1000000000000000\r\n");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n");
}

static void test_truncated_responses_are_errors(void **state)
{
    (void)state;
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Len");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n");
    EXPECT_ERROR("");
}

static void test_oversized_headers_are_errors(void **state)
{
    (void)state;
    /* One line over the limit. */
    size_t cap = HTTP_RESPONSE_MAX_HEADERS * 2;
    char *big = malloc(cap);
    assert_non_null(big);
    size_t n = (size_t)snprintf(big, cap, "HTTP/1.1 200 OK\r\nX-Big: ");
    memset(big + n, 'a', HTTP_RESPONSE_MAX_LINE);
    n += HTTP_RESPONSE_MAX_LINE;
    n += (size_t)snprintf(big + n, cap - n, "\r\nContent-Length: 0\r\n\r\n");
    expect_error(big, n, true);

    /* Many lines, each fine, too many bytes in total. */
    n = (size_t)snprintf(big, cap, "HTTP/1.1 200 OK\r\n");
    while (n < HTTP_RESPONSE_MAX_HEADERS + 100)
        n += (size_t)snprintf(big + n, cap - n, "X-Filler: %0900d\r\n", 7);
    n += (size_t)snprintf(big + n, cap - n, "Content-Length: 0\r\n\r\n");
    expect_error(big, n, true);

    /* An endless chunk extension. */
    n = (size_t)snprintf(big, cap, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;");
    memset(big + n, 'e', HTTP_RESPONSE_MAX_CHUNK_LINE + 10);
    n += HTTP_RESPONSE_MAX_CHUNK_LINE + 10;
    expect_error(big, n, true);

    /* Just below the line limit is fine. */
    n = (size_t)snprintf(big, cap, "HTTP/1.1 200 OK\r\nX-Big: ");
    memset(big + n, 'a', HTTP_RESPONSE_MAX_LINE - 9);
    n += HTTP_RESPONSE_MAX_LINE - 9;
    n += (size_t)snprintf(big + n, cap - n, "\r\nContent-Length: 0\r\n\r\n");
    struct outcome o = feed(big, n, NULL, 0, false, false);
    assert_int_equal(o.result, HTTP_RESPONSE_DONE);
    free(big);
}

static void test_named_headers_are_kept(void **state)
{
    (void)state;
    struct outcome o = PARSE("HTTP/1.1 401 Unauthorized\r\ncontent-type:  application/problem+json \r\n"
                             "WWW-Authenticate: Bearer error=\"invalid_token\"\r\n"
                             "X-Other: x\r\nContent-Length: 2\r\n\r\n{}", false);
    expect_body(&o, "{}");
    assert_string_equal(o.kept[0], "application/problem+json");
    assert_string_equal(o.kept[1], "Bearer error=\"invalid_token\"");
    assert_string_equal(o.kept[2], "-");
    /* The first value wins; an empty value is kept as empty. */
    o = PARSE("HTTP/1.1 200 OK\r\nX-User-Id: 42\r\nX-User-Id: 43\r\nContent-Type:\r\n"
              "Content-Length: 0\r\n\r\n", false);
    assert_int_equal(o.result, HTTP_RESPONSE_DONE);
    assert_string_equal(o.kept[2], "42");
    assert_string_equal(o.kept[0], "");
    /* An interim response's headers are not the final response's. */
    o = PARSE("HTTP/1.1 103 Early Hints\r\nX-User-Id: 1\r\n\r\n"
              "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false);
    assert_string_equal(o.kept[2], "-");
}

static void test_kept_values_are_bounded(void **state)
{
    (void)state;
    char big[4096];
    int n = snprintf(big, sizeof big, "HTTP/1.1 200 OK\r\nWWW-Authenticate: ");
    memset(big + n, 'w', HTTP_RESPONSE_CAPTURE_BYTES);
    n += HTTP_RESPONSE_CAPTURE_BYTES;
    n += snprintf(big + n, sizeof big - (size_t)n, "\r\nContent-Length: 0\r\n\r\n");
    expect_error(big, (size_t)n, false);
    /* Headers nobody asked for may be as long as any header line. */
    n = snprintf(big, sizeof big, "HTTP/1.1 200 OK\r\nX-Long: ");
    memset(big + n, 'w', 3000);
    n += 3000;
    n += snprintf(big + n, sizeof big - (size_t)n, "\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(feed(big, (size_t)n, NULL, 0, false, false).result, HTTP_RESPONSE_DONE);
}

static void test_list_header_lines_are_joined(void **state)
{
    (void)state;
    /* Joined in place while the list is the last value kept ... */
    struct outcome o = PARSE("HTTP/1.1 200 OK\r\nServer-Timing: auth;dur=0.010\r\n"
                             "server-timing:  db;dur=0.004 \r\nServer-Timing:\r\n"
                             "Server-Timing: total;dur=0.031\r\nContent-Length: 0\r\n\r\n",
                             false);
    assert_int_equal(o.result, HTTP_RESPONSE_DONE);
    assert_string_equal(o.kept[3], "auth;dur=0.010, db;dur=0.004, total;dur=0.031");
    assert_false(o.truncated);
    /* ... and copied after another kept value, which stays intact. */
    o = PARSE("HTTP/1.1 200 OK\r\nServer-Timing: a;dur=1\r\nX-User-Id: 7\r\n"
              "Server-Timing: b;dur=2\r\nContent-Type: x\r\nServer-Timing: c\r\n"
              "Content-Length: 0\r\n\r\n", false);
    assert_string_equal(o.kept[3], "a;dur=1, b;dur=2, c");
    assert_string_equal(o.kept[2], "7");
    assert_string_equal(o.kept[0], "x");
    /* Headers that are not lists keep their first value only. */
    o = PARSE("HTTP/1.1 200 OK\r\nX-User-Id: 1\r\nX-User-Id: 2\r\nContent-Length: 0\r\n\r\n",
              false);
    assert_string_equal(o.kept[2], "1");
}

static void test_list_lines_past_the_bound_are_dropped_not_errors(void **state)
{
    (void)state;
    /* Three lines of 400 bytes: the third no longer fits the kept bytes. */
    char big[4096];
    int n = snprintf(big, sizeof big, "HTTP/1.1 200 OK\r\n");
    for (int i = 0; i < 3; i++) {
        n += snprintf(big + n, sizeof big - (size_t)n, "Server-Timing: m%d;desc=\"", i);
        memset(big + n, 'd', 390);
        n += 390;
        n += snprintf(big + n, sizeof big - (size_t)n, "\"\r\n");
    }
    n += snprintf(big + n, sizeof big - (size_t)n, "Content-Length: 0\r\n\r\n");
    struct outcome o = parse_every_way(big, (size_t)n, false, false, "long lists");
    assert_int_equal(o.result, HTTP_RESPONSE_DONE);
    assert_true(o.truncated);
    assert_memory_equal(o.kept[3], "m0;desc=", 8);
    /* A single line over the bound: dropped, the response still fine. */
    n = snprintf(big, sizeof big, "HTTP/1.1 200 OK\r\nServer-Timing: ");
    memset(big + n, 'w', HTTP_RESPONSE_CAPTURE_BYTES);
    n += HTTP_RESPONSE_CAPTURE_BYTES;
    n += snprintf(big + n, sizeof big - (size_t)n, "\r\nContent-Length: 0\r\n\r\n");
    o = feed(big, (size_t)n, NULL, 0, false, false);
    assert_int_equal(o.result, HTTP_RESPONSE_DONE);
    assert_string_equal(o.kept[3], "-");
    assert_true(o.truncated);
}

static void test_body_limit(void **state)
{
    (void)state;
    feed_max_body = 5;
    struct outcome o = PARSE("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false);
    expect_body(&o, "hello");
    o = PARSE("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n",
              false);
    expect_body(&o, "hello");
    /* Declared too long: refused before any body byte. */
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n3\r\n");
    /* Sent too long: a body until the end of the connection. */
    EXPECT_ERROR("HTTP/1.1 200 OK\r\n\r\nhello!");
    /* A HEAD answer announces a body it does not send. */
    const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 123\r\n\r\n";
    o = parse_every_way(head, sizeof head - 1, false, true, "HEAD");
    expect_body(&o, "");
    feed_max_body = 0;
}

static void test_body_function_may_refuse(void **state)
{
    (void)state;
    sink_refuses_after = 3;
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    struct outcome o = PARSE("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nhey", false);
    expect_body(&o, "hey");
    sink_refuses_after = SIZE_MAX;
}

static void test_error_is_sticky_until_reset(void **state)
{
    (void)state;
    struct http_response_parser p;
    memset(&p, 0, sizeof p);
    http_response_reset(&p);
    size_t used;
    assert_int_equal(http_response_parse(&p, "BOGUS\r\n", 7, &used), HTTP_RESPONSE_ERROR);
    assert_int_equal(http_response_parse(&p, "HTTP/1.1 200 OK\r\n\r\n", 19, &used), HTTP_RESPONSE_ERROR);
    http_response_reset(&p);
    assert_int_equal(http_response_parse(&p, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 38, &used),
                     HTTP_RESPONSE_DONE);
    assert_int_equal(used, 38);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_length_response),
        cmocka_unit_test(test_chunked_with_extensions_and_trailers),
        cmocka_unit_test(test_chunked_without_trailers_and_uppercase_hex),
        cmocka_unit_test(test_connection_close_is_reported),
        cmocka_unit_test(test_http10_closes_unless_keep_alive),
        cmocka_unit_test(test_body_until_close),
        cmocka_unit_test(test_no_body_statuses_and_head),
        cmocka_unit_test(test_interim_1xx_then_final),
        cmocka_unit_test(test_bare_lf_and_no_reason_phrase),
        cmocka_unit_test(test_following_bytes_are_not_consumed),
        cmocka_unit_test(test_body_capture_is_bounded),
        cmocka_unit_test(test_list_header_lines_are_joined),
        cmocka_unit_test(test_list_lines_past_the_bound_are_dropped_not_errors),
        cmocka_unit_test(test_malformed_status_lines_are_errors),
        cmocka_unit_test(test_malformed_headers_and_framing_are_errors),
        cmocka_unit_test(test_truncated_responses_are_errors),
        cmocka_unit_test(test_oversized_headers_are_errors),
        cmocka_unit_test(test_named_headers_are_kept),
        cmocka_unit_test(test_kept_values_are_bounded),
        cmocka_unit_test(test_body_limit),
        cmocka_unit_test(test_body_function_may_refuse),
        cmocka_unit_test(test_error_is_sticky_until_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
