/* The request-head checks RFC 9112 asks of a server that libmicrohttpd 0.9.75
 * leaves out: Host present and single, one Content-Length value, Transfer-Encoding
 * only as the single "chunked" coding and never beside a Content-Length, no control
 * characters in field names or values. The server feeds every header field in
 * arrival order, then asks for the verdict before any work is done. */
#ifndef ARCHBENCH_HTTP_HEAD_H
#define ARCHBENCH_HTTP_HEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum http_head_verdict {
    HTTP_HEAD_OK,
    HTTP_HEAD_BAD_FIELD,       /* control character (bad_field set by the caller), or a
                                * name that is empty or starts or ends in white space */
    HTTP_HEAD_NO_HOST,         /* HTTP/1.1 without Host (RFC 9112 §3.2) */
    HTTP_HEAD_BAD_HOST,        /* several Host fields, or a value that is no host[:port] */
    HTTP_HEAD_BAD_LENGTH,      /* Content-Length not one decimal number, or values differ */
    HTTP_HEAD_LENGTH_AND_CODING, /* Content-Length and Transfer-Encoding together */
    HTTP_HEAD_BAD_CODING,      /* Transfer-Encoding whose final coding is not chunked,
                                * or in an HTTP/1.0 request: the body length is unknown */
    HTTP_HEAD_UNKNOWN_CODING,  /* codings before chunked (gzip, chunked): not implemented */
};

struct http_head {
    unsigned hosts;
    unsigned lengths;
    unsigned codings;          /* Transfer-Encoding fields */
    bool bad_field;
    bool bad_host;
    bool bad_length;           /* a value that is not 1*DIGIT, or one that differs */
    bool plain_chunked;        /* the one Transfer-Encoding field is exactly "chunked" */
    bool last_chunked;         /* the final coding named is chunked */
    bool several_codings;      /* more than one coding named */
    const char *length;        /* the first Content-Length value */
    size_t length_len;
    uint64_t content_length;   /* its value, when lengths > 0 and !bad_length */
    size_t bytes;              /* name + value + 4 (": ", CRLF) over all fields */
};

/* Zeroes h before the first field. */
void http_head_init(struct http_head *h);

/* One header field as received: name and value with their lengths (the value
 * without the white space before it). Control characters are not looked for here:
 * the caller scans the whole block of header lines with http_head_has_ctl and
 * sets bad_field. */
void http_head_field(struct http_head *h, const char *name, size_t name_len,
                     const char *value, size_t value_len);

/* The verdict once every field was fed; http11 is true for HTTP/1.1 requests. */
enum http_head_verdict http_head_verdict(const struct http_head *h, bool http11);

/* The status (400 or 501) and problem detail that answer a verdict other than OK. */
unsigned http_head_status(enum http_head_verdict v);
const char *http_head_detail(enum http_head_verdict v);

/* True when s[0..len) holds a byte below 0x20 other than HTAB and NUL, or DEL
 * (0x7F): what RFC 9110 §5.5 allows in no field. NUL is not counted: in
 * libmicrohttpd's parsed head it separates lines, names and values; a NUL the
 * client sent is found by where the values end (server.c). */
bool http_head_has_ctl(const char *s, size_t len);

#endif
