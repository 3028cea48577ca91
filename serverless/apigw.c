/* API Gateway HTTP API payload 2.0 mapping (see apigw.h). */
#include "apigw.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

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

/* Lower-cases name into a fresh buffer (header names are ASCII). */
static void lower(const char *name, char *out, size_t outlen)
{
    size_t i = 0;
    for (; name[i] != '\0' && i < outlen - 1; i++)
        out[i] = (char)tolower((unsigned char)name[i]);
    out[i] = '\0';
}

/* "a=1; b=2" -> ["a=1", "b=2"], as API Gateway fills "cookies". */
static void split_cookies(json_t *cookies, const char *value)
{
    const char *p = value;
    while (*p != '\0') {
        while (*p == ' ' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        while (n > 0 && p[n - 1] == ' ')
            n--;
        if (n > 0)
            json_array_append_new(cookies, json_stringn(p, n));
        p += end ? (size_t)(end - p) : strlen(p);
    }
}

/* API Gateway's time format: 12/Mar/2020:19:03:58 +0000 */
static void format_time(int64_t ms, char *out, size_t outlen)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, outlen, "%d/%b/%Y:%H:%M:%S +0000", &tm);
}

char *apigw_event_render(const struct apigw_request *r, size_t *len)
{
    json_t *headers = json_object(), *cookies = json_array();
    const char *user_agent = "";
    const char *host = "localhost";
    for (size_t i = 0; i < r->nheaders; i++) {
        char name[256];
        lower(r->headers[i].name, name, sizeof name);
        const char *value = r->headers[i].value ? r->headers[i].value : "";
        if (strcmp(name, "cookie") == 0) {
            split_cookies(cookies, value);
            continue;
        }
        if (strcmp(name, "user-agent") == 0)
            user_agent = value;
        if (strcmp(name, "host") == 0)
            host = value;
        json_t *prev = json_object_get(headers, name);
        if (prev != NULL) {
            /* Repeated headers are joined with commas (RFC 9110 §5.3). */
            size_t plen = json_string_length(prev), vlen = strlen(value);
            char *joined = malloc(plen + vlen + 2);
            if (joined == NULL)
                continue;
            memcpy(joined, json_string_value(prev), plen);
            joined[plen] = ',';
            memcpy(joined + plen + 1, value, vlen);
            json_object_set_new(headers, name, json_stringn(joined, plen + vlen + 1));
            free(joined);
        } else {
            json_object_set_new(headers, name, json_string(value));
        }
    }
    /* The request's query parameters, repeated keys joined with ",". */
    json_t *params = json_object();
    const char *q = r->query ? r->query : "";
    while (*q != '\0') {
        const char *amp = strchr(q, '&');
        size_t n = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', n);
        size_t klen = eq ? (size_t)(eq - q) : n;
        char key[256];
        if (klen > 0 && klen < sizeof key) {
            memcpy(key, q, klen);
            key[klen] = '\0';
            const char *v = eq ? eq + 1 : q + n;
            size_t vlen = eq ? n - klen - 1 : 0;
            json_t *prev = json_object_get(params, key);
            if (prev) {
                size_t plen = json_string_length(prev);
                char *joined = malloc(plen + vlen + 2);
                if (joined) {
                    memcpy(joined, json_string_value(prev), plen);
                    joined[plen] = ',';
                    memcpy(joined + plen + 1, v, vlen);
                    json_object_set_new(params, key, json_stringn(joined, plen + vlen + 1));
                    free(joined);
                }
            } else {
                json_object_set_new(params, key, json_stringn(v, vlen));
            }
        }
        q += n + (amp ? 1 : 0);
    }

    json_t *body = NULL;
    bool base64 = false;
    if (r->body != NULL) {
        body = json_stringn(r->body, r->body_len); /* NULL: not valid UTF-8 */
        if (body == NULL) {
            size_t blen;
            char *b64 = apigw_base64_encode(r->body, r->body_len, &blen);
            body = b64 ? json_stringn(b64, blen) : NULL;
            free(b64);
            base64 = true;
        }
    }
    char timebuf[64];
    format_time(r->time_epoch_ms, timebuf, sizeof timebuf);
    char domain_prefix[128];
    snprintf(domain_prefix, sizeof domain_prefix, "%s", host);
    char *dot = strchr(domain_prefix, '.'), *colon = strchr(domain_prefix, ':');
    if (dot)
        *dot = '\0';
    else if (colon)
        *colon = '\0';

    json_t *ev = json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:o, s:{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, "
        "s:s}, s:s, s:s, s:s, s:s, s:I}, s:b}",
        "version", "2.0", "routeKey", "$default", "rawPath", r->path, "rawQueryString",
        r->query ? r->query : "", "headers", headers, "queryStringParameters", params,
        "requestContext", "accountId", "anonymous", "apiId", "archbench", "domainName",
        host, "domainPrefix", domain_prefix, "http", "method", r->method, "path",
        r->path, "protocol", r->protocol, "sourceIp", r->source_ip, "userAgent",
        user_agent, "requestId", r->request_id, "routeKey", "$default", "stage",
        "$default", "time", timebuf, "timeEpoch", (json_int_t)r->time_epoch_ms,
        "isBase64Encoded", base64);
    if (ev == NULL) {
        json_decref(cookies);
        json_decref(body);
        return NULL;
    }
    if (json_array_size(cookies) > 0)
        json_object_set_new(ev, "cookies", cookies);
    else
        json_decref(cookies);
    if (json_object_size(params) == 0)
        json_object_del(ev, "queryStringParameters");
    if (body != NULL)
        json_object_set_new(ev, "body", body);
    char *out = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(ev);
    if (out != NULL)
        *len = strlen(out);
    return out;
}

void apigw_result_free(struct apigw_result *r)
{
    free(r->headers);
    free(r->body);
    json_decref(r->doc);
    memset(r, 0, sizeof *r);
}

static int fail(struct apigw_result *out, char *err, size_t errlen, const char *msg)
{
    snprintf(err, errlen, "%s", msg);
    apigw_result_free(out);
    return -1;
}

int apigw_result_parse(const char *buf, size_t len, struct apigw_result *out, char *err,
                       size_t errlen)
{
    memset(out, 0, sizeof *out);
    json_error_t jerr;
    out->doc = json_loadb(buf, len, JSON_DECODE_ANY, &jerr);
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
    if (!json_is_integer(status) || json_integer_value(status) < 100 ||
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
        out->headers[out->nheaders++] = (struct apigw_header){key, json_string_value(value)};
    }
    size_t i;
    json_array_foreach(cookies, i, value) {
        if (!json_is_string(value))
            return fail(out, err, errlen, "a cookie is not a string");
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
    return 0;
}

char *apigw_result_render(unsigned status, const struct apigw_header *headers,
                          size_t nheaders, const char *body, size_t body_len, size_t *len)
{
    json_t *h = json_object();
    for (size_t i = 0; i < nheaders; i++)
        json_object_set_new(h, headers[i].name, json_string(headers[i].value));
    json_t *b = json_stringn(body ? body : "", body ? body_len : 0);
    json_t *doc = json_pack("{s:i, s:o, s:o, s:b}", "statusCode", (int)status, "headers", h,
                            "body", b, "isBase64Encoded", 0);
    if (doc == NULL)
        return NULL;
    char *out = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (out != NULL)
        *len = strlen(out);
    return out;
}
