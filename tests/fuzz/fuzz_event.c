/* libFuzzer target for apigw_event_parse (make fuzz-event): the fields a function
 * reads from an API Gateway v2.0 event, scanned by hand.
 *
 * The input is the event, in an allocation of exactly its size. Whatever the
 * bytes, apigw_event_parse must not crash or read past them, and it must agree
 * with jansson alone (json_loadb + json_unpack, as functions read events before):
 * the same verdict, and the same rawPath, requestContext.http.method and
 * headers.authorization. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apigw.h"

static int same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    struct apigw_event ev;
    int rc = apigw_event_parse(buf, size, &ev);

    const char *path = NULL, *method = NULL, *authorization = NULL;
    json_t *headers = NULL;
    json_t *doc = json_loadb(buf, size, 0, NULL);
    int want = doc != NULL && json_unpack(doc, "{s:s, s:{s:{s:s}}, s?o}", "rawPath", &path,
                                          "requestContext", "http", "method", &method,
                                          "headers", &headers) == 0
                   ? 0
                   : -1;
    if (want == 0 && json_is_object(headers))
        authorization = json_string_value(json_object_get(headers, "authorization"));
    if (rc != want || (rc == 0 && (!same(ev.path, path) || !same(ev.method, method) ||
                                   !same(ev.authorization, authorization)))) {
        fprintf(stderr, "apigw_event_parse disagrees with jansson: %d vs %d\n", rc, want);
        abort();
    }
    json_decref(doc);
    apigw_event_free(&ev);
    free(buf);
    return 0;
}
