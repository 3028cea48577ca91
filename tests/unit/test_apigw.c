/* Unit tests of serverless/apigw.c: API Gateway HTTP API v2.0 events and results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "apigw.h"

static json_t *render(const struct apigw_request *r)
{
    size_t len;
    char *text = apigw_event_render(r, &len);
    assert_non_null(text);
    assert_int_equal(strlen(text), len);
    json_t *ev = json_loads(text, 0, NULL);
    free(text);
    assert_non_null(ev);
    return ev;
}

static const char *str(json_t *o, const char *path)
{
    /* "a.b.c" */
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *cur = o;
    for (char *tok = strtok(buf, "."); tok; tok = strtok(NULL, "."))
        cur = json_object_get(cur, tok);
    return json_string_value(cur);
}

static void test_event_has_the_v2_fields(void **state)
{
    (void)state;
    struct apigw_header h[] = {{"Host", "api.example.com"},
                               {"Authorization", "Bearer abc"},
                               {"X-Dup", "1"},
                               {"x-dup", "2"},
                               {"User-Agent", "test/1"},
                               {"Cookie", "a=1; b=2"}};
    struct apigw_request r = {.method = "GET", .path = "/profile", .query = "x=1&y=2&x=3",
                              .protocol = "HTTP/1.1", .source_ip = "127.0.0.1",
                              .request_id = "rid-1", .time_epoch_ms = 1700000000123,
                              .headers = h, .nheaders = 6};
    json_t *ev = render(&r);
    assert_string_equal(str(ev, "version"), "2.0");
    assert_string_equal(str(ev, "routeKey"), "$default");
    assert_string_equal(str(ev, "rawPath"), "/profile");
    assert_string_equal(str(ev, "rawQueryString"), "x=1&y=2&x=3");
    assert_string_equal(str(ev, "queryStringParameters.x"), "1,3");
    assert_string_equal(str(ev, "headers.authorization"), "Bearer abc");
    assert_string_equal(str(ev, "headers.x-dup"), "1,2");
    assert_null(json_object_get(json_object_get(ev, "headers"), "Authorization"));
    assert_null(json_object_get(json_object_get(ev, "headers"), "cookie"));
    json_t *cookies = json_object_get(ev, "cookies");
    assert_int_equal(json_array_size(cookies), 2);
    assert_string_equal(json_string_value(json_array_get(cookies, 1)), "b=2");
    assert_string_equal(str(ev, "requestContext.requestId"), "rid-1");
    assert_string_equal(str(ev, "requestContext.http.method"), "GET");
    assert_string_equal(str(ev, "requestContext.http.path"), "/profile");
    assert_string_equal(str(ev, "requestContext.http.protocol"), "HTTP/1.1");
    assert_string_equal(str(ev, "requestContext.http.sourceIp"), "127.0.0.1");
    assert_string_equal(str(ev, "requestContext.http.userAgent"), "test/1");
    assert_string_equal(str(ev, "requestContext.domainName"), "api.example.com");
    assert_string_equal(str(ev, "requestContext.domainPrefix"), "api");
    assert_string_equal(str(ev, "requestContext.time"), "14/Nov/2023:22:13:20 +0000");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(ev, "requestContext"),
                                                        "timeEpoch")),
                     1700000000123);
    assert_true(json_is_false(json_object_get(ev, "isBase64Encoded")));
    assert_null(json_object_get(ev, "body"));
    json_decref(ev);
}

static void test_event_body_text_or_base64(void **state)
{
    (void)state;
    struct apigw_request r = {.method = "POST", .path = "/", .protocol = "HTTP/1.1",
                              .source_ip = "::1", .request_id = "r", .body = "héllo",
                              .body_len = strlen("héllo")};
    json_t *ev = render(&r);
    assert_string_equal(str(ev, "body"), "héllo");
    assert_true(json_is_false(json_object_get(ev, "isBase64Encoded")));
    assert_null(json_object_get(ev, "queryStringParameters"));
    json_decref(ev);

    r.body = "\x00\x01\xff";
    r.body_len = 3;
    ev = render(&r);
    assert_string_equal(str(ev, "body"), "AAH/");
    assert_true(json_is_true(json_object_get(ev, "isBase64Encoded")));
    json_decref(ev);
}

static void test_event_escapes_and_repairs_strings(void **state)
{
    (void)state;
    struct apigw_header h[] = {{"X-Bin", "a\x01\"b\\\xff\xc3"}, {"X-Utf8", "\xe6\x9d\xb1 ok"}};
    struct apigw_request r = {.method = "GET", .path = "/p\"q", .query = "k=%22",
                              .protocol = "HTTP/1.1", .source_ip = "127.0.0.1",
                              .request_id = "r", .headers = h, .nheaders = 2,
                              .body = "a\0b", .body_len = 3};
    json_t *ev = render(&r);
    assert_string_equal(str(ev, "headers.x-bin"), "a\x01\"b\\\xef\xbf\xbd\xef\xbf\xbd");
    assert_string_equal(str(ev, "headers.x-utf8"), "\xe6\x9d\xb1 ok");
    assert_string_equal(str(ev, "rawPath"), "/p\"q");
    assert_string_equal(str(ev, "rawQueryString"), "k=%22");
    assert_string_equal(str(ev, "queryStringParameters.k"), "\"");
    /* A NUL byte is valid UTF-8 but goes base64, so functions see it intact. */
    assert_string_equal(str(ev, "body"), "YQBi");
    assert_true(json_is_true(json_object_get(ev, "isBase64Encoded")));
    json_decref(ev);
}

/* API Gateway decodes query keys and values (%XX, '+' as a space) and joins a
 * repeated key's values with commas, empty ones included; rawQueryString stays as
 * it was sent. */
static void test_event_query_parameters_are_decoded(void **state)
{
    (void)state;
    struct apigw_request r = {.method = "GET", .path = "/", .protocol = "HTTP/1.1",
                              .source_ip = "127.0.0.1", .request_id = "r",
                              .query = "a=x%20y+z&b=%2B1&a=&c=%zz&d&%6B%65y=v%00w&e=%E6%9D%B1"};
    json_t *ev = render(&r);
    assert_string_equal(str(ev, "rawQueryString"),
                        "a=x%20y+z&b=%2B1&a=&c=%zz&d&%6B%65y=v%00w&e=%E6%9D%B1");
    assert_string_equal(str(ev, "queryStringParameters.a"), "x y z,");
    assert_string_equal(str(ev, "queryStringParameters.b"), "+1");
    assert_string_equal(str(ev, "queryStringParameters.c"), "%zz");
    assert_string_equal(str(ev, "queryStringParameters.d"), "");
    assert_string_equal(str(ev, "queryStringParameters.e"), "\xe6\x9d\xb1");
    assert_string_equal(str(ev, "queryStringParameters.key"), "v%00w");
    json_decref(ev);
}

/* Repeated headers are joined with a comma between every two values: an empty one
 * does not disappear, so an empty Authorization before a valid one is no valid
 * credential (as the monolith and the gateway, which see two lines, decide). */
static void test_event_joins_empty_header_values_too(void **state)
{
    (void)state;
    struct apigw_header h[] = {{"Authorization", ""}, {"authorization", "Bearer abc"},
                               {"X-A", "1"}, {"X-A", ""}};
    struct apigw_request r = {.method = "GET", .path = "/profile", .protocol = "HTTP/1.1",
                              .source_ip = "127.0.0.1", .request_id = "r", .headers = h,
                              .nheaders = 4};
    json_t *ev = render(&r);
    assert_string_equal(str(ev, "headers.authorization"), ",Bearer abc");
    assert_string_equal(str(ev, "headers.x-a"), "1,");
    json_decref(ev);
}

static void test_result_with_status_headers_cookies(void **state)
{
    (void)state;
    static const char res[] =
        "{\"statusCode\":404,\"headers\":{\"content-type\":\"text/plain\",\"x-a\":\"1\"},"
        "\"cookies\":[\"s=1\"],\"body\":\"gone\"}";
    struct apigw_result r;
    char err[128];
    assert_int_equal(apigw_result_parse(res, strlen(res), &r, err, sizeof err), 0);
    assert_int_equal(r.status, 404);
    assert_int_equal(r.nheaders, 3);
    assert_string_equal(r.headers[0].name, "content-type");
    assert_string_equal(r.headers[2].name, "set-cookie");
    assert_string_equal(r.headers[2].value, "s=1");
    assert_int_equal(r.body_len, 4);
    assert_string_equal(r.body, "gone");
    apigw_result_free(&r);
}

static void test_result_without_status_code_is_200_json(void **state)
{
    (void)state;
    static const char *docs[] = {"{\"a\":[1,2]}", "[1,2,3]", "\"text\"", "42"};
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        struct apigw_result r;
        char err[128];
        assert_int_equal(apigw_result_parse(docs[i], strlen(docs[i]), &r, err, sizeof err), 0);
        assert_int_equal(r.status, 200);
        assert_int_equal(r.nheaders, 1);
        assert_string_equal(r.headers[0].value, "application/json");
        assert_string_equal(r.body, docs[i]);
        apigw_result_free(&r);
    }
}

static void test_result_base64_body_is_decoded(void **state)
{
    (void)state;
    static const char res[] = "{\"statusCode\":200,\"body\":\"AAEC/w==\",\"isBase64Encoded\":true}";
    struct apigw_result r;
    char err[128];
    assert_int_equal(apigw_result_parse(res, strlen(res), &r, err, sizeof err), 0);
    assert_int_equal(r.body_len, 4);
    assert_memory_equal(r.body, "\x00\x01\x02\xff", 4);
    apigw_result_free(&r);
}

static void assert_all_refused(const char *const *docs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct apigw_result r;
        char err[128] = "";
        if (apigw_result_parse(docs[i], strlen(docs[i]), &r, err, sizeof err) != -1)
            fail_msg("doc %zu accepted: %s", i, docs[i]);
        assert_true(err[0] != '\0');
    }
}

static void test_invalid_results_are_refused(void **state)
{
    (void)state;
    static const char *bad[] = {
        "not json",
        "{\"statusCode\":\"200\"}",
        "{\"statusCode\":99}",
        "{\"statusCode\":200,\"headers\":[]}",
        "{\"statusCode\":200,\"headers\":{\"a\":1}}",
        "{\"statusCode\":200,\"body\":5}",
        "{\"statusCode\":200,\"body\":\"***\",\"isBase64Encoded\":true}",
    };
    assert_all_refused(bad, sizeof bad / sizeof bad[0]);
}

/* What HTTP cannot carry is refused (faas answers 502), in both parsers: a 1xx is
 * no final answer (the client waited for ever), a CR or LF would split the
 * response, a NUL cut the value short, and a head over what faas's HTTP layer can
 * hold got the connection closed without an answer. */
static void test_results_http_cannot_carry_are_refused(void **state)
{
    (void)state;
    static const char *bad[] = {
        "{\"statusCode\":100,\"body\":\"x\"}",
        "{\"statusCode\":101}",
        "{\"statusCode\":199,\"headers\":{\"a\":\"b\",\"a\":\"c\"}}",
        "{\"statusCode\":200,\"headers\":{\"x\":\"a\\r\\nInjected: 1\"}}",
        "{\"statusCode\":200,\"headers\":{\"x\":\"a\\nInjected: 1\"},\"body\":\"b\",\"body\":\"c\"}",
        "{\"statusCode\":200,\"headers\":{\"x\\r\\nInjected\":\"1\"}}",
        "{\"statusCode\":200,\"headers\":{\"x y\":\"1\"}}",
        "{\"statusCode\":200,\"headers\":{\"\":\"1\"}}",
        "{\"statusCode\":200,\"headers\":{\"x\":\"a\\u0000b\"}}",
        "{\"statusCode\":200,\"headers\":{\"x\":\"a\\u007fb\"}}",
        "{\"statusCode\":200,\"cookies\":[\"a=1\\nInjected: 1\"]}",
        "{\"statusCode\":200,\"cookies\":[\"a=1\\u0000; Secure\"]}",
    };
    assert_all_refused(bad, sizeof bad / sizeof bad[0]);
    /* Headers up to the limit pass, one byte more does not; HTAB is allowed. */
    size_t fill = APIGW_RESULT_MAX_HEADER_BYTES - strlen("x-big: \r\n") -
                  strlen("x-tab: a\tb\r\n");
    for (int over = 0; over <= 1; over++) {
        char *doc = malloc(fill + 128);
        int n = sprintf(doc, "{\"statusCode\":200,\"headers\":{\"x-tab\":\"a\\tb\",\"x-big\":\"");
        memset(doc + n, 'v', fill + (size_t)over);
        strcpy(doc + n + fill + (size_t)over, "\"}}");
        struct apigw_result r;
        char err[128] = "";
        assert_int_equal(apigw_result_parse(doc, strlen(doc), &r, err, sizeof err),
                         over ? -1 : 0);
        if (!over)
            apigw_result_free(&r);
        free(doc);
    }
}

/* What functions return (apigw_result_render) comes back byte for byte, and is
 * taken by the hand-written scan, without a jansson document: the common case
 * stays on the fast path. */
static void test_rendered_result_round_trips_bytes(void **state)
{
    (void)state;
    static const char body[] = "{\"bio\":\"Jos\u00e9 東京 🍣 \\\"q\\\"\\n\"}";
    struct apigw_header h[] = {{"content-type", "application/json"},
                               {"www-authenticate", "Bearer error=\"invalid_token\""}};
    size_t len;
    char *text = apigw_result_render(201, h, 2, body, sizeof body - 1, &len);
    assert_non_null(text);
    struct apigw_result r;
    char err[128];
    assert_int_equal(apigw_result_parse(text, len, &r, err, sizeof err), 0);
    assert_null(r.doc);
    assert_int_equal(r.status, 201);
    assert_int_equal(r.nheaders, 2);
    assert_string_equal(r.headers[1].value, h[1].value);
    assert_int_equal(r.body_len, sizeof body - 1);
    assert_memory_equal(r.body, body, sizeof body - 1);
    apigw_result_free(&r);
    free(text);
}

/* What apigw_result_parse must give for doc, worked out with jansson alone: status
 * 0 when the document is refused. Headers in document order, then the cookies. */
struct expected {
    unsigned status;
    size_t nheaders;
    const char *names[8], *values[8];
    char *body;
    size_t body_len;
    json_t *doc;
};

static void expect_from_jansson(const char *doc, struct expected *e)
{
    memset(e, 0, sizeof *e);
    e->doc = json_loadb(doc, strlen(doc), JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    json_t *status = json_object_get(e->doc, "statusCode");
    if (e->doc == NULL || status == NULL)
        return; /* refused, or the plain-JSON rule (not what these docs test) */
    json_t *headers = json_object_get(e->doc, "headers");
    json_t *cookies = json_object_get(e->doc, "cookies");
    json_t *body = json_object_get(e->doc, "body");
    json_t *b64 = json_object_get(e->doc, "isBase64Encoded");
    if (!json_is_integer(status) || json_integer_value(status) < APIGW_STATUS_MIN ||
        json_integer_value(status) > 599 ||
        (headers && !json_is_object(headers) && !json_is_null(headers)) ||
        (cookies && !json_is_array(cookies) && !json_is_null(cookies)) ||
        (body && !json_is_string(body) && !json_is_null(body)) ||
        (b64 && !json_is_boolean(b64)))
        return;
    const char *key;
    json_t *v;
    json_object_foreach(headers, key, v) {
        if (!json_is_string(v))
            return;
        e->names[e->nheaders] = key;
        e->values[e->nheaders++] = json_string_value(v);
    }
    size_t i;
    json_array_foreach(cookies, i, v) {
        if (!json_is_string(v))
            return;
        e->names[e->nheaders] = "set-cookie";
        e->values[e->nheaders++] = json_string_value(v);
    }
    const char *text = json_is_string(body) ? json_string_value(body) : "";
    size_t tlen = json_is_string(body) ? json_string_length(body) : 0;
    if (json_is_true(b64)) {
        e->body = apigw_base64_decode(text, tlen, &e->body_len);
        if (e->body == NULL)
            return;
    } else {
        e->body = malloc(tlen + 1);
        memcpy(e->body, text, tlen + 1);
        e->body_len = tlen;
    }
    e->status = (unsigned)json_integer_value(status);
}

/* The hand-written scan of results must agree with jansson (as faas calls it:
 * any value, NUL characters allowed) on every document,
 * those it takes and those it leaves to jansson. */
static void test_result_scan_agrees_with_jansson(void **state)
{
    (void)state;
    static const char *docs[] = {
        "{\"statusCode\":200,\"headers\":{\"content-type\":\"application/json\","
        "\"cache-control\":\"no-store\"},\"body\":\"{\\\"id\\\":1,\\\"bio\\\":\\\"Jos\u00e9 東京 🍣\\\"}\","
        "\"isBase64Encoded\":false}",
        " {\n\t\"body\" : \"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\" ,\r\"statusCode\" : 201 } \n",
        "{\"statusCode\":200,\"body\":\"\\u00e9\\u6771\\ud83c\\udf63\\u0041\"}",
        "{\"cookies\":[\"a=1\",\"b=2\"],\"headers\":{\"x\":\"1\"},\"statusCode\":302}",
        "{\"statusCode\":204,\"headers\":null,\"cookies\":null,\"body\":null}",
        "{\"statusCode\":200,\"headers\":{},\"cookies\":[],\"body\":\"\"}",
        "{\"statusCode\":200,\"body\":\"AAEC/w==\",\"isBase64Encoded\":true}",
        "{\"statusCode\":200,\"isBase64Encoded\":true}",
        /* Left to jansson: */
        "{\"statusCode\":200,\"headers\":{\"x\":\"1\",\"x\":\"2\"}}",
        "{\"statusCode\":200,\"body\":\"a\",\"body\":\"b\"}",
        "{\"statusCode\":200,\"multiValueHeaders\":{\"x\":[\"1\"]},\"body\":\"m\"}",
        "{\"statusCode\":200.0}",
        "{\"statusCode\":2e2}",
        "{\"statusCode\":0200}",
        "{\"statusCode\":600}",
        "{\"statusCode\":-200}",
        "{\"statusCode\":200} x",
        "{\"statusCode\":200,}",
        "{\"statusCode\":200,\"body\":\"\\ud83c\"}",
        "{\"statusCode\":200,\"body\":\"\\udf63\"}",
        "{\"statusCode\":200,\"body\":\"\\u0000\"}",
        "{\"statusCode\":200,\"body\":\"\\x\"}",
        "{\"statusCode\":200,\"body\":\"tab\there\"}",
        "{\"statusCode\":200,\"body\":\"\xc3\x28\"}",
        "{\"statusCode\":200,\"body\":\"\xed\xa0\x80\"}",
        "{\"statusCode\":200,\"body\":\"unterminated}",
        "{\"statusCode\":200,\"headers\":{\"a\":1}}",
        "{\"statusCode\":200,\"cookies\":[1]}",
        "{\"statusCode\":200,\"isBase64Encoded\":\"yes\"}",
        "{\"statusCode\":200,\"body\":\"***\",\"isBase64Encoded\":true}",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        struct expected e;
        expect_from_jansson(docs[i], &e);
        struct apigw_result r;
        char err[128] = "";
        int rc = apigw_result_parse(docs[i], strlen(docs[i]), &r, err, sizeof err);
        if (e.status == 0) {
            if (rc != -1)
                fail_msg("doc %zu accepted, jansson refuses it: %s", i, docs[i]);
        } else {
            if (rc != 0)
                fail_msg("doc %zu refused (%s): %s", i, err, docs[i]);
            assert_int_equal(r.status, e.status);
            assert_int_equal(r.nheaders, e.nheaders);
            for (size_t k = 0; k < e.nheaders; k++) {
                assert_string_equal(r.headers[k].name, e.names[k]);
                assert_string_equal(r.headers[k].value, e.values[k]);
            }
            assert_int_equal(r.body_len, e.body_len);
            assert_memory_equal(r.body, e.body, e.body_len);
            apigw_result_free(&r);
        }
        free(e.body);
        json_decref(e.doc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_has_the_v2_fields),
        cmocka_unit_test(test_event_body_text_or_base64),
        cmocka_unit_test(test_event_escapes_and_repairs_strings),
        cmocka_unit_test(test_event_query_parameters_are_decoded),
        cmocka_unit_test(test_event_joins_empty_header_values_too),
        cmocka_unit_test(test_result_with_status_headers_cookies),
        cmocka_unit_test(test_result_without_status_code_is_200_json),
        cmocka_unit_test(test_result_base64_body_is_decoded),
        cmocka_unit_test(test_invalid_results_are_refused),
        cmocka_unit_test(test_results_http_cannot_carry_are_refused),
        cmocka_unit_test(test_rendered_result_round_trips_bytes),
        cmocka_unit_test(test_result_scan_agrees_with_jansson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
