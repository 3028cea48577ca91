/* A deliberately plain blocking HTTP/1.1 client over raw sockets to 127.0.0.1 or
 * another host (archbench run --hosts puts servers on other addresses; archbench
 * check reaches servers on other machines).
 * Tests use it to control every byte they send (half-sent requests, duplicate
 * headers, oversized input); archbench uses it for health checks and single timed
 * requests (cold starts). Not for load: that is bin/loadgen. */
#ifndef ARCHBENCH_HTTPC_H
#define ARCHBENCH_HTTPC_H

#include <stdbool.h>
#include <stddef.h>

struct http_response {
    int status;
    char *head;       /* status line and headers, NUL-terminated */
    char *body;       /* NUL-terminated (body_len bytes before it) */
    size_t body_len;
};

/* Connects to 127.0.0.1:port (blocking, 5 s send/receive timeouts); -1 on error. */
int httpc_connect(int port);

/* The same to an "IPv4:PORT" address. */
int httpc_connect_addr(const char *address);

/* The same to host:port, any address getaddrinfo gives (archbench check reaches
 * servers on other machines); -1 when none accepts the connection. */
int httpc_connect_host(const char *host, const char *port);

/* Sends all of buf; 0 or -1. */
int httpc_send(int fd, const char *buf, size_t len);

/* Reads one response, framed by the project's response parser (Content-Length,
 * chunked or until-close bodies; none for HEAD when head_only). Returns 0, or -1
 * on a closed connection, timeout or malformed response. */
int httpc_read(int fd, struct http_response *r, bool head_only);

/* One request on a new connection: "METHOD path" with extra header lines
 * (each "Name: value\r\n", may be NULL). Returns 0 or -1. */
int httpc_request(int port, const char *method, const char *path, const char *headers,
                  struct http_response *r);

/* The same to an "IPv4:PORT" address. */
int httpc_request_addr(const char *address, const char *method, const char *path,
                       const char *headers, struct http_response *r);

/* The value of header name in r (case-insensitive), copied into out without the
 * white space around it; false if absent. */
bool httpc_header(const struct http_response *r, const char *name, char *out, size_t outlen);

/* The same for the nth (from 0) field of that name, for headers a response may
 * repeat (WWW-Authenticate, Cache-Control). */
bool httpc_header_at(const struct http_response *r, const char *name, unsigned nth, char *out,
                     size_t outlen);

void httpc_free(struct http_response *r);

#endif
