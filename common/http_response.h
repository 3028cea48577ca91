/* loadgen's HTTP/1.1 response parser: a pure, incremental function over bytes.
 *
 * It is fed whatever read() returned, in any split, and says when one response is
 * complete. It understands what a load generator must: the status line, the headers
 * that frame the body (Content-Length, Transfer-Encoding: chunked, Connection),
 * chunked bodies with extensions and trailers, bodies delimited by the end of the
 * connection, and 1xx interim responses. Anything malformed or oversized is an error
 * (loadgen counts it as a read error), never a crash: the parser keeps no pointers
 * into the caller's buffers and never writes beyond its own fixed-size fields. */
#ifndef ARCHBENCH_HTTP_RESPONSE_H
#define ARCHBENCH_HTTP_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_RESPONSE_MAX_LINE 4096       /* one status or header line, CRLF included */
#define HTTP_RESPONSE_MAX_HEADERS 32768   /* status line + headers (or trailers) in total */
#define HTTP_RESPONSE_MAX_CHUNK_LINE 1024 /* chunk size line, extensions included */

enum http_response_result {
    HTTP_RESPONSE_MORE,  /* all input consumed, the response is not complete yet */
    HTTP_RESPONSE_DONE,  /* a response is complete; *used bytes belonged to it */
    HTTP_RESPONSE_ERROR, /* malformed or oversized; error() says why */
};

enum http_response_state {
    HTTP_RESPONSE_S_STATUS, HTTP_RESPONSE_S_HEADERS, HTTP_RESPONSE_S_BODY_LENGTH, HTTP_RESPONSE_S_BODY_EOF,
    HTTP_RESPONSE_S_CHUNK_SIZE, HTTP_RESPONSE_S_CHUNK_EXT, HTTP_RESPONSE_S_CHUNK_SIZE_LF,
    HTTP_RESPONSE_S_CHUNK_DATA, HTTP_RESPONSE_S_CHUNK_DATA_CR, HTTP_RESPONSE_S_CHUNK_DATA_LF,
    HTTP_RESPONSE_S_TRAILERS, HTTP_RESPONSE_S_DONE, HTTP_RESPONSE_S_ERROR,
};

struct http_response_parser {
    /* Set by the caller before parsing (http_response_reset keeps them). */
    bool head_request;      /* a response to HEAD has no body whatever it says */
    char *body_buf;         /* optional: the first body_cap body bytes go here */
    size_t body_cap;

    /* The response, valid once DONE (status as soon as the status line is in). */
    unsigned status;
    unsigned minor_version;     /* HTTP/1.x */
    bool keep_alive;            /* false: the server will close (Connection: close, 1.0) */
    bool chunked;
    uint64_t content_length;    /* UINT64_MAX when absent */
    uint64_t body_len;          /* body bytes seen (de-chunked) */
    size_t body_stored;         /* bytes in body_buf */
    size_t header_bytes;        /* status line + headers, for the size limit */
    const char *error;          /* static text once in HTTP_RESPONSE_S_ERROR */

    /* Internal. */
    enum http_response_state state;
    uint64_t remaining;         /* body or chunk bytes still to come */
    unsigned chunk_digits;
    size_t chunk_line;
    bool seen_length, te_seen, connection_close, connection_keep_alive;
    size_t line_len;            /* bytes of a header line split across inputs */
    char line[HTTP_RESPONSE_MAX_LINE];
};

/* Prepares p for a new response (keeps head_request and the body buffer). */
void http_response_reset(struct http_response_parser *p);

/* Consumes bytes of the response. On DONE, *used tells how many bytes of data were
 * part of it (the rest belongs to whatever follows); on MORE all len bytes were
 * consumed; on ERROR the parser stays in error until reset. */
enum http_response_result http_response_parse(struct http_response_parser *p, const char *data, size_t len,
                                  size_t *used);

/* The connection ended (read returned 0). DONE when that completes a response whose
 * body runs until the end of the connection; ERROR otherwise (a response cut short,
 * or no response at all). */
enum http_response_result http_response_finish(struct http_response_parser *p);

/* True when bytes of a response have been consumed but it is not complete. */
bool http_response_in_progress(const struct http_response_parser *p);

#endif
