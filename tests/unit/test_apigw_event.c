/* Unit tests of apigw_event_parse (serverless/apigw.c): the fields a function
 * reads from a v2.0 event, scanned by hand, must be exactly what jansson reads,
 * for every document, valid or not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apigw.h"

/* What apigw_event_parse must give, worked out with jansson alone. */
struct expected {
    int rc;
    const char *path, *method, *authorization;
    json_t *doc;
};

static void expect_from_jansson(const char *buf, size_t len, struct expected *e)
{
    memset(e, 0, sizeof *e);
    json_t *headers = NULL;
    e->doc = json_loadb(buf, len, 0, NULL);
    e->rc = e->doc != NULL && json_unpack(e->doc, "{s:s, s:{s:{s:s}}, s?o}", "rawPath",
                                          &e->path, "requestContext", "http", "method",
                                          &e->method, "headers", &headers) == 0
                ? 0
                : -1;
    if (e->rc == 0 && json_is_object(headers))
        e->authorization = json_string_value(json_object_get(headers, "authorization"));
}

static void assert_same_string(const char *a, const char *b, const char *what,
                               const char *doc)
{
    if ((a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0))
        fail_msg("%s differs (\"%s\" vs jansson's \"%s\") for: %s", what, a ? a : "(null)",
                 b ? b : "(null)", doc);
}

/* Parses buf and checks it against jansson; returns whether the scan took it
 * (no jansson document behind the fields). */
static bool check_agrees(const char *buf, size_t len)
{
    struct expected e;
    expect_from_jansson(buf, len, &e);
    struct apigw_event ev;
    int rc = apigw_event_parse(buf, len, &ev);
    char shown[256];
    snprintf(shown, sizeof shown, "%.*s", (int)(len < 200 ? len : 200), buf);
    if (rc != e.rc)
        fail_msg("parse gave %d, jansson %d, for: %s", rc, e.rc, shown);
    bool scanned = rc == 0 && ev.doc == NULL;
    if (rc == 0) {
        assert_same_string(ev.path, e.path, "rawPath", shown);
        assert_same_string(ev.method, e.method, "method", shown);
        assert_same_string(ev.authorization, e.authorization, "authorization", shown);
    }
    apigw_event_free(&ev);
    json_decref(e.doc);
    return scanned;
}

static char *render_event(const struct apigw_header *h, size_t nh, const char *path,
                          size_t *len)
{
    struct apigw_request r = {.method = "GET", .path = path, .query = "a=1&b=%22x%22",
                              .protocol = "HTTP/1.1", .source_ip = "127.0.0.1",
                              .request_id = "rid-1", .time_epoch_ms = 1700000000123,
                              .headers = h, .nheaders = nh, .body = "{\"k\":[1,2.5,-3e2]}",
                              .body_len = 18};
    char *text = apigw_event_render(&r, len);
    assert_non_null(text);
    return text;
}

/* The events faas renders - multi-value headers joined, escapes, cookies, a body -
 * are read by the scan itself, with the fields jansson reads. */
static void test_rendered_events_are_scanned(void **state)
{
    (void)state;
    struct apigw_header h[] = {{"Host", "api.example.com"},
                               {"Authorization", "Bearer a\"b\\c\x01\xc3\xa9\xf0\x9f\x98\x80"},
                               {"X-Dup", "1"},
                               {"x-dup", "2"},
                               {"User-Agent", "test/1"},
                               {"Cookie", "a=1; b=2"}};
    const char *paths[] = {"/profile", "/pro\"file\\", "/\xe2\x82\xac", "/"};
    for (size_t nh = 0; nh <= 6; nh += 2)
        for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
            size_t len;
            char *text = render_event(h, nh, paths[i], &len);
            if (!check_agrees(text, len))
                fail_msg("declined a rendered event: %s", text);
            struct apigw_event ev;
            assert_int_equal(apigw_event_parse(text, len, &ev), 0);
            assert_string_equal(ev.path, paths[i]);
            assert_string_equal(ev.method, "GET");
            if (nh >= 2)
                assert_string_equal(ev.authorization,
                                    "Bearer a\"b\\c\x01\xc3\xa9\xf0\x9f\x98\x80");
            else
                assert_null(ev.authorization);
            apigw_event_free(&ev);
            free(text);
        }
}

/* Documents written by hand: key order, escapes in keys, repeats, every JSON
 * value type where the scan skips, and what jansson refuses. */
static void test_scan_agrees_with_jansson(void **state)
{
    (void)state;
    static const char *const docs[] = {
        /* valid, taken by the scan */
        "{\"rawPath\":\"/p\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
        " {\"requestContext\" : {\"x\":[1,{\"http\":2}],\"http\":{\"path\":\"/q\",\"method\":\"HEAD\"}},"
        "\"headers\":{\"a\":\"b\",\"authorization\":\"Bearer t\"},\"rawPath\":\"/profile\"}\n",
        "{\"raw\\u0050ath\":\"\\/p\\u00e9\\ud83d\\ude00\",\"requestContext\":{\"h\\u0074tp\":"
        "{\"m\\u0065thod\":\"G\\u0045T\"}},\"headers\":{\"authoriz\\u0061tion\":\"\\\"x\\\"\"}}",
        "{\"version\":\"2.0\",\"n\":[0,-0,1.5,-2.25e-3,1E+5,123456789012345678,true,false,null,"
        "[],{},[[]],{\"a\":{}}],\"rawPath\":\"/\",\"requestContext\":{\"http\":{\"method\":\"GET\"},"
        "\"timeEpoch\":1700000000123},\"headers\":{}}",
        "{\"rawPath\":\"/\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"headers\":"
        "{\"x-multi\":\"a,b,c\",\"Authorization\":\"upper case is another header\"}}",
        "{\"rawPath\":\"\",\"requestContext\":{\"http\":{\"method\":\"\"}},\"body\":\"\\b\\f\\n\\r\\t\"}",
        /* valid, left to jansson (it must still agree) */
        "{\"rawPath\":\"/a\",\"rawPath\":\"/b\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
        "{\"rawPath\":\"/a\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"requestContext\":"
        "{\"http\":{\"method\":\"POST\"}}}",
        "{\"rawPath\":\"/a\",\"requestContext\":{\"http\":{\"method\":\"GET\",\"method\":\"PUT\"}}}",
        "{\"rawPath\":\"/a\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"requestContext\":"
        "{\"x\":1}}",
        "{\"rawPath\":\"/a\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"headers\":"
        "{\"authorization\":\"a\"},\"headers\":{}}",
        "{\"rawPath\":\"/a\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"headers\":"
        "{\"authorization\":\"1\",\"authorization\":\"2\"}}",
        "{\"rawPath\":\"/a\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"headers\":"
        "{\"authorization\":7}}",
        "{\"rawPath\":\"/a\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"headers\":null}",
        "{\"rawPath\":\"/a\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"headers\":[1]}",
        "{\"rawPath\":\"/a\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"n\":1e300}",
        "{\"rawPath\":\"/a\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"n\":1234567890123456789}",
        /* refused by both */
        "{\"rawPath\":\"/a\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"n\":1e999}",
        "{\"rawPath\":\"/a\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"n\":99999999999999999999}",
        "{\"rawPath\":\"/a\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"n\":01}",
        "{\"rawPath\":\"/a\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"n\":1.}",
        "{\"rawPath\":\"/a\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"n\":.5}",
        "{\"rawPath\":\"/a\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"n\":+1}",
        "{\"rawPath\":\"/a\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"n\":1e}",
        "{\"rawPath\":\"/a\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"n\":tru}",
        "{\"rawPath\":\"/a\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},}",
        "{\"rawPath\":\"/a\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"a\":[1,]}",
        "{\"rawPath\":\"/a\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}} x",
        "{\"rawPath\":\"/a\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}}",
        "{\"rawPath\":\"/\\u0000\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
        "{\"rawPath\":\"/\\ud800\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
        "{\"rawPath\":\"/\\udc00\\ud800\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
        "{\"rawPath\":\"/\\x\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
        "{\"rawPath\":\"/\t\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
        "{\"rawPath\":\"/\xc3\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
        "{\"rawPath\":\"/\xed\xa0\x80\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
        "{\"rawPath\":\"/\xc0\xaf\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
        "{\"rawPath\":\"/\",\"x\":\"\xff\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
        "{'rawPath':\"/\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
        /* valid JSON, not such an event */
        "{\"rawPath\":\"/a\"}",
        "{\"rawPath\":1,\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
        "{\"rawPath\":\"/a\",\"requestContext\":null}",
        "{\"rawPath\":\"/a\",\"requestContext\":{\"http\":{\"method\":null}}}",
        "{\"rawPath\":\"/a\",\"requestContext\":{\"http\":[\"GET\"]}}",
        "[{\"rawPath\":\"/a\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}]",
        "\"rawPath\"",
        "{}",
        "",
        " ",
    };
    size_t scanned = 0;
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++)
        scanned += check_agrees(docs[i], strlen(docs[i]));
    assert_int_equal(scanned, 6); /* the first six; the scan declines the rest */
}

/* Nesting: the scan skips deep values up to its limit and leaves deeper ones to
 * jansson, which has a limit of its own. */
static void test_deep_nesting(void **state)
{
    (void)state;
    static const char head[] = "{\"rawPath\":\"/\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"x\":";
    for (size_t depth = 1; depth <= 5000; depth = depth < 100 ? depth + 1 : depth * 2) {
        size_t len = sizeof head - 1 + 2 * depth + 1;
        char *doc = malloc(len + 1);
        assert_non_null(doc);
        memcpy(doc, head, sizeof head - 1);
        memset(doc + sizeof head - 1, '[', depth);
        memset(doc + sizeof head - 1 + depth, ']', depth);
        doc[len - 1] = '}';
        doc[len] = '\0';
        check_agrees(doc, len);
        free(doc);
    }
}

/* Every prefix of a rendered event, and every one-byte change of it, gives what
 * jansson gives: the cases a hand-written scan most easily gets wrong. */
static void test_truncated_and_altered_events_agree(void **state)
{
    (void)state;
    struct apigw_header h[] = {{"Authorization", "Bearer tok\"en"}, {"X-A", "1\x01\xc3\xa9"}, {"x-a", "2"}};
    size_t len;
    char *text = render_event(h, 3, "/profile", &len);
    for (size_t n = 0; n < len; n++) {
        char *prefix = malloc(n ? n : 1); /* exact size: reading past it is an ASan error */
        assert_non_null(prefix);
        memcpy(prefix, text, n);
        check_agrees(prefix, n);
        free(prefix);
    }
    char *copy = malloc(len);
    assert_non_null(copy);
    static const char subst[] = "\"\\{}[],: 0-.eEatu\x01\x7f\x80\xc3\xff";
    for (size_t i = 0; i < len; i++)
        for (size_t k = 0; k < sizeof subst; k++) { /* the last one is NUL */
            memcpy(copy, text, len);
            copy[i] = subst[k];
            check_agrees(copy, len);
        }
    free(copy);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rendered_events_are_scanned),
        cmocka_unit_test(test_scan_agrees_with_jansson),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_truncated_and_altered_events_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
