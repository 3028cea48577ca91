/* W3C traceparent read, started and written (see traceparent.h). */
#include "traceparent.h"

#include <string.h>
#include <time.h>

static const char hex_digits[] = "0123456789abcdef";

static bool is_lower_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

static bool all_zero(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != '0')
            return false;
    return true;
}

static unsigned hex_value(char c)
{
    return c <= '9' ? (unsigned)(c - '0') : (unsigned)(c - 'a' + 10);
}

bool traceparent_parse(const char *value, struct traceparent *out)
{
    if (value == NULL)
        return false;
    size_t n = strlen(value);
    /* version "-" trace-id "-" parent-id "-" flags */
    if (n < TRACEPARENT_LEN || !is_lower_hex(value, 2) || value[2] != '-' ||
        value[35] != '-' || value[52] != '-' || !is_lower_hex(value + 3, 32) ||
        !is_lower_hex(value + 36, 16) || !is_lower_hex(value + 53, 2))
        return false;
    bool v00 = value[0] == '0' && value[1] == '0';
    if ((value[0] == 'f' && value[1] == 'f') || (v00 && n != TRACEPARENT_LEN) ||
        (!v00 && n > TRACEPARENT_LEN && value[TRACEPARENT_LEN] != '-'))
        return false;
    if (all_zero(value + 3, 32) || all_zero(value + 36, 16))
        return false;
    memcpy(out->trace_id, value + 3, 32);
    out->trace_id[32] = '\0';
    memcpy(out->parent_id, value + 36, 16);
    out->parent_id[16] = '\0';
    out->flags = (unsigned char)(hex_value(value[53]) << 4 | hex_value(value[54]));
    return true;
}

static void put_hex64(char *out, uint64_t v)
{
    for (int i = 15; i >= 0; i--, v >>= 4)
        out[i] = hex_digits[v & 15];
}

void traceparent_start(struct traceparent *out, uint64_t hi, uint64_t lo)
{
    if (hi == 0 && lo == 0)
        lo = 1;
    put_hex64(out->trace_id, hi);
    put_hex64(out->trace_id + 16, lo);
    out->trace_id[32] = '\0';
    memcpy(out->parent_id, "0000000000000001", 17); /* replaced by traceparent_child */
    out->flags = 0;
}

void traceparent_start_now(struct traceparent *out, uint64_t r1, uint64_t r2)
{
    uint64_t now = (uint64_t)time(NULL) & 0xffffffffu;
    traceparent_start(out, now << 32 | (r1 & 0xffffffffu), r2);
}

void traceparent_child(const struct traceparent *in, uint64_t span, struct traceparent *out)
{
    if (out != in)
        memcpy(out->trace_id, in->trace_id, sizeof out->trace_id);
    out->flags = in->flags;
    put_hex64(out->parent_id, span ? span : 1);
    out->parent_id[16] = '\0';
}

void traceparent_format(const struct traceparent *tp, char out[TRACEPARENT_LEN + 1])
{
    memcpy(out, "00-", 3);
    memcpy(out + 3, tp->trace_id, 32);
    out[35] = '-';
    memcpy(out + 36, tp->parent_id, 16);
    out[52] = '-';
    out[53] = hex_digits[tp->flags >> 4];
    out[54] = hex_digits[tp->flags & 15];
    out[55] = '\0';
}

void traceparent_xray(const struct traceparent *tp, char out[TRACEPARENT_XRAY_LEN + 1])
{
    char *o = out;
    memcpy(o, "Root=1-", 7);
    o += 7;
    memcpy(o, tp->trace_id, 8);
    o += 8;
    *o++ = '-';
    memcpy(o, tp->trace_id + 8, 24);
    o += 24;
    memcpy(o, ";Parent=", 8);
    o += 8;
    memcpy(o, tp->parent_id, 16);
    o += 16;
    memcpy(o, ";Sampled=", 9);
    o += 9;
    *o++ = (tp->flags & 1) ? '1' : '0';
    *o = '\0';
}

bool traceparent_state_ok(const char *value)
{
    if (value == NULL)
        return false;
    size_t n = 0;
    for (; value[n] != '\0'; n++)
        if ((unsigned char)value[n] < 0x20 || (unsigned char)value[n] > 0x7e || n >= TRACESTATE_MAX)
            return false;
    return n > 0;
}
