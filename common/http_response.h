/* The project's one HTTP/1.1 response parser: a pure, incremental function over
 * bytes, used by loadgen (bench/loadgen/lg_loop.c) and by the gateway's upstream
 * client (microservices/upstream.c), and fuzzed (make fuzz-parser).
 *
 * It is fed whatever read() returned, in any split, and says when one response is
 * complete. It understands the status line, the headers that frame the body
 * (Content-Length, Transfer-Encoding: chunked, Connection), chunked bodies with
 * extensions and trailers, bodies delimited by the end of the connection, and 1xx
 * interim responses; it keeps the values of a few headers the caller names (a list
 * header such as Server-Timing with its repeated field lines joined), bounds
 * the body, and hands body bytes to the caller (a buffer or a function). Anything
 * malformed or oversized is an error, never a crash: the parser keeps no pointers
 * into the input and never writes beyond its own fixed-size fields. */
#ifndef ARCHBENCH_HTTP_RESPONSE_H
#define ARCHBENCH_HTTP_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_RESPONSE_MAX_LINE 4096       /* one status or header line, CRLF included */
#define HTTP_RESPONSE_MAX_HEADERS 32768   /* status line + headers (or trailers) in total */
#define HTTP_RESPONSE_MAX_CHUNK_LINE 1024 /* chunk size line, extensions included */
#define HTTP_RESPONSE_MAX_CAPTURE 4       /* header values kept (http_response_capture) */
#define HTTP_RESPONSE_CAPTURE_BYTES 1024  /* their total size, NULs included */

enum http_response_result {
    HTTP_RESPONSE_MORE,  /* all input consumed, the response is not complete yet */
    HTTP_RESPONSE_DONE,  /* a response is complete; *used bytes belonged to it */
    HTTP_RESPONSE_ERROR, /* malformed or oversized; error() says why */
};

enum http_response_state {
    HTTP_RESPONSE_S_STATUS, HTTP_RESPONSE_S_HEADERS, HTTP_RESPONSE_S_BODY_LENGTH,
    HTTP_RESPONSE_S_BODY_EOF,
    HTTP_RESPONSE_S_CHUNK_SIZE, HTTP_RESPONSE_S_CHUNK_EXT, HTTP_RESPONSE_S_CHUNK_SIZE_LF,
    HTTP_RESPONSE_S_CHUNK_DATA, HTTP_RESPONSE_S_CHUNK_DATA_CR, HTTP_RESPONSE_S_CHUNK_DATA_LF,
    HTTP_RESPONSE_S_TRAILERS, HTTP_RESPONSE_S_DONE, HTTP_RESPONSE_S_ERROR,
};

struct http_response_parser {
    /* Set by the caller before parsing (http_response_reset keeps them). */
    bool head_request;      /* a response to HEAD has no body whatever it says */
    char *body_buf;         /* optional: the first body_cap body bytes go here */
    size_t body_cap;
    /* Optional: every body byte (de-chunked) is handed to body_fn as it arrives;
     * returning false makes the response an error ("body refused"). */
    bool (*body_fn)(void *ctx, const char *data, size_t len);
    void *body_ctx;
    uint64_t max_body;      /* non-zero: a longer body (declared or sent) is an error */

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
    unsigned ncapture;          /* http_response_capture's names, kept by reset */
    unsigned capture_lists;     /* http_response_capture_lists's mask, kept by reset */
    bool capture_truncated;     /* a list header's value was dropped: no room */
    const char *capture_name[HTTP_RESPONSE_MAX_CAPTURE];
    unsigned char capture_len[HTTP_RESPONSE_MAX_CAPTURE];
    unsigned short capture_at[HTTP_RESPONSE_MAX_CAPTURE]; /* 1 + offset; 0: absent */
    size_t captured_used;
    char captured[HTTP_RESPONSE_CAPTURE_BYTES];
    char line[HTTP_RESPONSE_MAX_LINE];
};

/* Names (case-insensitive, at most HTTP_RESPONSE_MAX_CAPTURE, each under 256 bytes,
 * caller-owned) of the response headers whose first value is kept, trimmed, for
 * http_response_header. Values that do not fit in HTTP_RESPONSE_CAPTURE_BYTES make
 * the response an error. Kept across http_response_reset. */
void http_response_capture(struct http_response_parser *p, const char *const *names,
                           unsigned n);

/* Marks captured headers as lists (bit i: header i of http_response_capture's
 * names): every field line of theirs is kept, joined with ", " as RFC 9110 §5.3
 * combines them, and a line that no longer fits is dropped whole
 * (capture_truncated is set) instead of failing the response. For headers that
 * are information about the response, not part of it (Server-Timing). Call after
 * http_response_capture; kept across http_response_reset. */
void http_response_capture_lists(struct http_response_parser *p, unsigned mask);

/* The value of captured header i (the index in http_response_capture's list): its
 * first field line's, or a list's lines joined; NUL-terminated, or NULL when the
 * response had none. Valid until the next reset. */
const char *http_response_header(const struct http_response_parser *p, unsigned i);

/* Prepares p for a new response (keeps what the caller set: head_request, the body
 * buffer, function and limit, the captured names). */
void http_response_reset(struct http_response_parser *p);

/* Consumes bytes of the response. On DONE, *used tells how many bytes of data were
 * part of it (the rest belongs to whatever follows); on MORE all len bytes were
 * consumed; on ERROR the parser stays in error until reset. */
enum http_response_result http_response_parse(struct http_response_parser *p,
                                              const char *data, size_t len, size_t *used);

/* The connection ended (read returned 0). DONE when that completes a response whose
 * body runs until the end of the connection; ERROR otherwise (a response cut short,
 * or no response at all). */
enum http_response_result http_response_finish(struct http_response_parser *p);

/* True when bytes of a response have been consumed but it is not complete. */
bool http_response_in_progress(const struct http_response_parser *p);

#endif
