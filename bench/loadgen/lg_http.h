/* loadgen's HTTP/1.1 response parser: a pure, incremental function over bytes.
 *
 * It is fed whatever read() returned, in any split, and says when one response is
 * complete. It understands what a load generator must: the status line, the headers
 * that frame the body (Content-Length, Transfer-Encoding: chunked, Connection),
 * chunked bodies with extensions and trailers, bodies delimited by the end of the
 * connection, and 1xx interim responses. Anything malformed or oversized is an error
 * (loadgen counts it as a read error), never a crash: the parser keeps no pointers
 * into the caller's buffers and never writes beyond its own fixed-size fields. */
#ifndef LG_HTTP_H
#define LG_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LG_HTTP_MAX_LINE 4096       /* one status or header line, CRLF included */
#define LG_HTTP_MAX_HEADERS 32768   /* status line + headers (or trailers) in total */
#define LG_HTTP_MAX_CHUNK_LINE 1024 /* chunk size line, extensions included */

enum lg_http_result {
    LG_HTTP_MORE,  /* all input consumed, the response is not complete yet */
    LG_HTTP_DONE,  /* a response is complete; *used bytes belonged to it */
    LG_HTTP_ERROR, /* malformed or oversized; error() says why */
};

enum lg_http_state {
    LG_HTTP_S_STATUS, LG_HTTP_S_HEADERS, LG_HTTP_S_BODY_LENGTH, LG_HTTP_S_BODY_EOF,
    LG_HTTP_S_CHUNK_SIZE, LG_HTTP_S_CHUNK_EXT, LG_HTTP_S_CHUNK_SIZE_LF,
    LG_HTTP_S_CHUNK_DATA, LG_HTTP_S_CHUNK_DATA_CR, LG_HTTP_S_CHUNK_DATA_LF,
    LG_HTTP_S_TRAILERS, LG_HTTP_S_DONE, LG_HTTP_S_ERROR,
};

struct lg_http_parser {
    /* Set by the caller before parsing (lg_http_reset keeps them). */
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
    const char *error;          /* static text once in LG_HTTP_S_ERROR */

    /* Internal. */
    enum lg_http_state state;
    uint64_t remaining;         /* body or chunk bytes still to come */
    unsigned chunk_digits;
    size_t chunk_line;
    bool seen_length, te_seen, connection_close, connection_keep_alive;
    size_t line_len;            /* bytes of a header line split across inputs */
    char line[LG_HTTP_MAX_LINE];
};

/* Prepares p for a new response (keeps head_request and the body buffer). */
void lg_http_reset(struct lg_http_parser *p);

/* Consumes bytes of the response. On DONE, *used tells how many bytes of data were
 * part of it (the rest belongs to whatever follows); on MORE all len bytes were
 * consumed; on ERROR the parser stays in error until reset. */
enum lg_http_result lg_http_parse(struct lg_http_parser *p, const char *data, size_t len,
                                  size_t *used);

/* The connection ended (read returned 0). DONE when that completes a response whose
 * body runs until the end of the connection; ERROR otherwise (a response cut short,
 * or no response at all). */
enum lg_http_result lg_http_finish(struct lg_http_parser *p);

/* True when bytes of a response have been consumed but it is not complete. */
bool lg_http_in_progress(const struct lg_http_parser *p);

#endif
