/* libFuzzer target for loadgen's response parser (make fuzz-parser).
 *
 * The first input byte chooses how the rest is cut into reads and whether the
 * connection then ends; the parser must never crash, overrun or loop, whatever the
 * bytes, and a response it accepts must be accepted identically when fed in one
 * piece (the split must not change the outcome). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_response.h"

struct run {
    enum http_response_result r;
    unsigned status;
    uint64_t body_len;
    size_t used;
};

static struct run fuzz_feed(const uint8_t *data, size_t len, size_t step, int eof)
{
    static struct http_response_parser p;
    char body[32];
    memset(&p, 0, sizeof p);
    p.body_buf = body;
    p.body_cap = sizeof body;
    http_response_reset(&p);
    struct run out = {HTTP_RESPONSE_MORE, 0, 0, 0};
    size_t off = 0;
    while (off < len) {
        size_t n = len - off < step ? len - off : step;
        size_t used = 0;
        out.r = http_response_parse(&p, (const char *)data + off, n, &used);
        if (used > n)
            abort();
        if (out.r != HTTP_RESPONSE_MORE) {
            out.used = off + used;
            break;
        }
        off += n;
    }
    if (out.r == HTTP_RESPONSE_MORE && eof)
        out.r = http_response_finish(&p);
    if (p.body_stored > sizeof body)
        abort();
    out.status = p.status;
    out.body_len = p.body_len;
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t step = (size_t)(data[0] & 0x3f) + 1;
    int eof = data[0] >> 7;
    struct run a = fuzz_feed(data + 1, size - 1, step, eof);
    struct run b = fuzz_feed(data + 1, size - 1, size, eof);
    if (a.r != b.r || (a.r == HTTP_RESPONSE_DONE && (a.used != b.used || a.status != b.status ||
                                               a.body_len != b.body_len)))
        abort();
    return 0;
}
