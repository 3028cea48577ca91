/* libFuzzer target for the HTTP/1.1 response parser (make fuzz-parser).
 *
 * The first input byte chooses how the rest is cut into reads, whether the
 * connection then ends and whether the body is bounded; the parser must never
 * crash, overrun or loop, whatever the bytes, and a response it accepts must be
 * accepted identically when fed in one piece: status, body bytes (to the buffer and
 * to the body function) and the kept header values must not depend on the split. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_response.h"

static const char *const kept[] = {"Content-Type", "WWW-Authenticate", "X-User-Id"};

struct run {
    enum http_response_result r;
    unsigned status;
    uint64_t body_len;
    size_t used;
    uint64_t sunk, sum; /* bytes given to the body function, and a checksum of them */
    char kept[3][HTTP_RESPONSE_CAPTURE_BYTES];
};

static bool sink(void *ctx, const char *data, size_t len)
{
    struct run *out = ctx;
    for (size_t i = 0; i < len; i++)
        out->sum = out->sum * 31 + (unsigned char)data[i];
    out->sunk += len;
    return true;
}

static void fuzz_feed(const uint8_t *data, size_t len, size_t step, int eof,
                      uint64_t max_body, struct run *out)
{
    static struct http_response_parser p;
    char body[32];
    memset(&p, 0, sizeof p);
    memset(out, 0, sizeof *out);
    p.body_buf = body;
    p.body_cap = sizeof body;
    p.body_fn = sink;
    p.body_ctx = out;
    p.max_body = max_body;
    http_response_capture(&p, kept, 3);
    http_response_reset(&p);
    out->r = HTTP_RESPONSE_MORE;
    size_t off = 0;
    while (off < len) {
        size_t n = len - off < step ? len - off : step;
        size_t used = 0;
        out->r = http_response_parse(&p, (const char *)data + off, n, &used);
        if (used > n)
            abort();
        if (out->r != HTTP_RESPONSE_MORE) {
            out->used = off + used;
            break;
        }
        off += n;
    }
    if (out->r == HTTP_RESPONSE_MORE && eof)
        out->r = http_response_finish(&p);
    if (p.body_stored > sizeof body || p.captured_used > HTTP_RESPONSE_CAPTURE_BYTES)
        abort();
    if (max_body != 0 && p.body_len > max_body)
        abort();
    out->status = p.status;
    out->body_len = p.body_len;
    for (unsigned i = 0; i < 3; i++) {
        const char *v = http_response_header(&p, i);
        if (v != NULL)
            memcpy(out->kept[i], v, strlen(v) + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct run a, b;
    if (size < 1)
        return 0;
    size_t step = (size_t)(data[0] & 0x3f) + 1;
    int eof = data[0] >> 7;
    uint64_t max_body = (data[0] & 0x40) ? 16 : 0;
    fuzz_feed(data + 1, size - 1, step, eof, max_body, &a);
    fuzz_feed(data + 1, size - 1, size, eof, max_body, &b);
    if (a.r != b.r)
        abort();
    if (a.r == HTTP_RESPONSE_DONE &&
        (a.used != b.used || a.status != b.status || a.body_len != b.body_len ||
         a.sunk != b.sunk || a.sum != b.sum || a.sunk != a.body_len ||
         memcmp(a.kept, b.kept, sizeof a.kept) != 0))
        abort();
    return 0;
}
