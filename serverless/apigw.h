/* API Gateway HTTP API payload format 2.0: the event a function receives for an
 * HTTP request, and the result it returns, both ways. faas renders events and
 * parses results; a function parses events and renders results. Kept apart from
 * the transport so unit tests can check the mapping byte by byte. */
#ifndef ARCHBENCH_APIGW_H
#define ARCHBENCH_APIGW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct apigw_header {
    const char *name;
    const char *value;
};

/* What faas knows about a request. Header names may have any case: the event has
 * them lower-cased, repeated headers joined with "," and Cookie split into
 * "cookies", as API Gateway does. */
struct apigw_request {
    const char *method;
    const char *path;          /* rawPath */
    const char *query;         /* rawQueryString without '?', "" when none */
    const char *protocol;      /* "HTTP/1.1" */
    const char *source_ip;
    const char *request_id;
    int64_t time_epoch_ms;
    const struct apigw_header *headers;
    size_t nheaders;
    const char *body;          /* NULL: no body */
    size_t body_len;
};

/* Renders the v2.0 event (compact JSON). A body that is not valid UTF-8 is sent
 * base64-encoded with isBase64Encoded true. Returns malloc'd JSON or NULL. */
char *apigw_event_render(const struct apigw_request *r, size_t *len);

/* A function's result, mapped back to HTTP. */
struct apigw_result {
    unsigned status;
    size_t nheaders;
    struct apigw_header *headers; /* point into the parsed document */
    char *body;                   /* decoded, malloc'd, NUL-terminated */
    size_t body_len;
    json_t *doc;                  /* the parsed document, or NULL and: */
    char *strings;                /* the strings headers point into */
};

/* A result's statusCode is a final status: a 1xx is no answer to a request (its
 * client goes on waiting for one), so it is refused like 99 or 600. */
#define APIGW_STATUS_MIN 200
/* Result headers and cookies, each counted as "name: value\r\n", at most. */
#define APIGW_RESULT_MAX_HEADER_BYTES 8192

/* Parses a result: an object with statusCode (+ headers, cookies, body,
 * isBase64Encoded), or, as AWS does, any other valid JSON, which becomes a 200
 * application/json response whose body is that JSON. 0, or -1 with err set when
 * the result is not JSON, its fields have wrong types, its statusCode is not
 * 200-599, or a header or cookie is no valid HTTP field (a name that is not a
 * token, a control character but HTAB or a NUL in a value) or they total over
 * APIGW_RESULT_MAX_HEADER_BYTES (the caller answers 502). */
int apigw_result_parse(const char *buf, size_t len, struct apigw_result *out, char *err,
                       size_t errlen);
void apigw_result_free(struct apigw_result *r);

/* For functions: renders {"statusCode":..,"headers":{..},"body":".."}; headers is
 * an array of nheaders name/value pairs. Returns malloc'd JSON or NULL. */
char *apigw_result_render(unsigned status, const struct apigw_header *headers,
                          size_t nheaders, const char *body, size_t body_len, size_t *len);

/* For functions: the fields of a v2.0 event that a function routes on. The
 * event is scanned, not built as a tree (see apigw.c); jansson reads the events
 * the scan declines, so any valid event gives the same fields either way. */
struct apigw_event {
    const char *method;        /* requestContext.http.method */
    const char *path;          /* rawPath */
    const char *authorization; /* headers.authorization, NULL when absent */
    json_t *doc;               /* the document jansson read, or NULL (scanned) */
    char *strings;             /* the scan's unescaped strings */
};

/* 0, or -1 when buf is not JSON, not an object, or lacks a string rawPath or
 * requestContext.http.method. Free with apigw_event_free either way. */
int apigw_event_parse(const char *buf, size_t len, struct apigw_event *out);
void apigw_event_free(struct apigw_event *ev);

/* Base64 (standard alphabet, padded), malloc'd, NUL-terminated; NULL on bad input. */
char *apigw_base64_encode(const void *data, size_t len, size_t *outlen);
char *apigw_base64_decode(const char *text, size_t len, size_t *outlen);

#endif
