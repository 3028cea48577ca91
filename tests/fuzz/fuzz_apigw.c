/* libFuzzer target for the API Gateway payload 2.0 code (make fuzz-apigw), both
 * directions faas runs on bytes it does not control.
 *
 * The first input byte chooses:
 *  even: the rest is a result a function returned. apigw_result_parse must not
 *        crash, and must agree with jansson on the document: no JSON, no result;
 *        an object with an integer statusCode of HTTP range gives that status and
 *        its string body (decoded from base64 when isBase64Encoded); JSON without
 *        statusCode is a 200 whose body is the input itself.
 *  odd:  the rest is a request: fields cut at 0xff bytes (method, path, query,
 *        body, then header name/value pairs). apigw_event_render must give one
 *        JSON object of version 2.0 whose rawQueryString, rawPath and body carry
 *        the request's (when they are valid UTF-8, which the event cannot carry
 *        otherwise), whose query parameters and headers are all strings, and
 *        whose rendered result parses back to the same status and body. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apigw.h"

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond))                                                                       \
            abort();                                                                       \
    } while (0)

/* Valid UTF-8 without NUL bytes, as jansson (and the event's strings) take it. */
static bool plain_utf8(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    bool ok = j != NULL && memchr(s, '\0', n) == NULL;
    json_decref(j);
    return ok;
}

static void check_result(const char *buf, size_t len)
{
    struct apigw_result res;
    char err[160];
    int rc = apigw_result_parse(buf, len, &res, err, sizeof err);
    json_t *doc = json_loadb(buf, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (doc == NULL) {
        CHECK(rc != 0);
        return;
    }
    json_t *status = json_is_object(doc) ? json_object_get(doc, "statusCode") : NULL;
    if (rc == 0) {
        CHECK(res.body != NULL && res.body[res.body_len] == '\0');
        CHECK(res.status >= 100 && res.status <= 599);
        if (status == NULL) {
            CHECK(res.status == 200 && res.body_len == len && memcmp(res.body, buf, len) == 0);
        } else {
            CHECK(json_is_integer(status) && (unsigned)json_integer_value(status) == res.status);
            json_t *body = json_object_get(doc, "body");
            if (json_is_string(body) && !json_is_true(json_object_get(doc, "isBase64Encoded")))
                CHECK(res.body_len == json_string_length(body) &&
                      memcmp(res.body, json_string_value(body), res.body_len) == 0);
        }
        apigw_result_free(&res);
    } else {
        /* Refused: then it is not a result jansson would call well-formed. */
        CHECK(status != NULL);
    }
    json_decref(doc);
}

/* Cuts the input at 0xff bytes into NUL-terminated fields (in place, in a copy). */
static size_t fields(char *s, size_t n, char **out, size_t *lens, size_t max)
{
    size_t k = 0;
    char *start = s;
    for (size_t i = 0; i <= n && k < max; i++) {
        if (i == n || (unsigned char)s[i] == 0xff) {
            out[k] = start;
            lens[k++] = (size_t)(s + i - start);
            if (i < n)
                s[i] = '\0';
            start = s + i + 1;
        }
    }
    return k;
}

static void check_strings(json_t *obj)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) CHECK(json_is_string(v));
}

static void check_event(const char *data, size_t size)
{
    char *copy = malloc(size + 1);
    if (copy == NULL)
        return;
    memcpy(copy, data, size);
    copy[size] = '\0';
    char *f[20];
    size_t len[20];
    size_t n = fields(copy, size, f, len, 20);
    struct apigw_header h[8];
    size_t nh = 0;
    for (size_t i = 4; i + 1 < n && nh < 8; i += 2)
        h[nh++] = (struct apigw_header){f[i], f[i + 1]};
    struct apigw_request r = {.method = n > 0 ? f[0] : "GET", .path = n > 1 ? f[1] : "/",
                              .query = n > 2 ? f[2] : "", .protocol = "HTTP/1.1",
                              .source_ip = "127.0.0.1", .request_id = "id",
                              .time_epoch_ms = 1700000000000, .headers = h, .nheaders = nh,
                              .body = n > 3 ? f[3] : NULL, .body_len = n > 3 ? len[3] : 0};
    size_t elen;
    char *event = apigw_event_render(&r, &elen);
    CHECK(event != NULL);
    json_t *ev = json_loadb(event, elen, JSON_ALLOW_NUL, NULL);
    CHECK(json_is_object(ev));
    CHECK(strcmp(json_string_value(json_object_get(ev, "version")), "2.0") == 0);
    const char *raw = json_string_value(json_object_get(ev, "rawQueryString"));
    if (plain_utf8(r.query, strlen(r.query)))
        CHECK(raw != NULL && strcmp(raw, r.query) == 0);
    if (plain_utf8(r.path, strlen(r.path)))
        CHECK(strcmp(json_string_value(json_object_get(ev, "rawPath")), r.path) == 0);
    check_strings(json_object_get(ev, "headers"));
    check_strings(json_object_get(ev, "queryStringParameters"));
    json_t *body = json_object_get(ev, "body");
    if (r.body != NULL && json_is_true(json_object_get(ev, "isBase64Encoded"))) {
        size_t blen;
        char *bytes = apigw_base64_decode(json_string_value(body), json_string_length(body),
                                          &blen);
        CHECK(bytes != NULL && blen == r.body_len && memcmp(bytes, r.body, blen) == 0);
        free(bytes);
    } else if (r.body != NULL) {
        CHECK(json_string_length(body) == r.body_len &&
              memcmp(json_string_value(body), r.body, r.body_len) == 0);
    }
    /* A result rendered from this request's body and headers parses back. */
    size_t rlen;
    char *result = apigw_result_render(200, h, nh, r.body, r.body ? r.body_len : 0, &rlen);
    struct apigw_result res;
    char err[160];
    CHECK(result != NULL && apigw_result_parse(result, rlen, &res, err, sizeof err) == 0);
    CHECK(res.status == 200);
    if (r.body != NULL && plain_utf8(r.body, r.body_len))
        CHECK(res.body_len == r.body_len && memcmp(res.body, r.body, r.body_len) == 0);
    apigw_result_free(&res);
    free(result);
    json_decref(ev);
    free(event);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] % 2 == 0)
        check_result((const char *)data + 1, size - 1);
    else
        check_event((const char *)data + 1, size - 1);
    return 0;
}
