/* Blocking HTTP/1.1 client (see httpc.h). */
#include "httpc.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "buf.h"
#include "http_response.h"

/* The socket options every connection gets: blocking with 5 s send and receive
 * timeouts, Nagle off (requests are small and written whole). */
static void httpc_socket_options(int fd)
{
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int httpc_connect(int port)
{
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    return httpc_connect_host("127.0.0.1", p);
}

int httpc_connect_addr(const char *address)
{
    char host[INET_ADDRSTRLEN], port[8];
    if (sscanf(address, "%15[0-9.]:%7[0-9]", host, port) != 2)
        return -1;
    return httpc_connect_host(host, port);
}

int httpc_connect_host(const char *host, const char *port)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(host, port, &hints, &res) != 0)
        return -1;
    int fd = -1;
    for (struct addrinfo *a = res; a != NULL && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        httpc_socket_options(fd);
        if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    return fd;
}

int httpc_send(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

bool httpc_header(const struct http_response *r, const char *name, char *out, size_t outlen)
{
    return httpc_header_at(r, name, 0, out, outlen);
}

bool httpc_header_at(const struct http_response *r, const char *name, unsigned nth, char *out,
                     size_t outlen)
{
    size_t nlen = strlen(name);
    const char *line = strstr(r->head, "\r\n");
    while (line != NULL && line[2] != '\0') {
        line += 2;
        if (strncasecmp(line, name, nlen) == 0 && line[nlen] == ':' && nth-- == 0) {
            const char *v = line + nlen + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            const char *end = strstr(v, "\r\n");
            size_t vlen = end ? (size_t)(end - v) : strlen(v);
            while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
                vlen--;
            if (vlen >= outlen)
                vlen = outlen - 1;
            memcpy(out, v, vlen);
            out[vlen] = '\0';
            return true;
        }
        line = strstr(line, "\r\n");
    }
    return false;
}

/* The body as the parser hands it over (de-chunked). */
struct httpc_body {
    char *buf;
    size_t len, cap;
};

static bool httpc_body_append(void *ctx, const char *data, size_t len)
{
    struct httpc_body *b = ctx;
    return buf_append(&b->buf, &b->len, &b->cap, data, len, 1024);
}

/* Feeds n bytes to p, the head a byte at a time, so that where it ends is known
 * (*head_end: its length in the raw bytes, from offset `at` of data; p->header_bytes
 * goes on to count a chunked body's trailer section); the rest at once. */
static enum http_response_result httpc_feed(struct http_response_parser *p, const char *data,
                                            size_t n, size_t at, size_t *head_end)
{
    enum http_response_result res = HTTP_RESPONSE_MORE;
    size_t off = 0, used;
    while (res == HTTP_RESPONSE_MORE && off < n && p->state <= HTTP_RESPONSE_S_HEADERS) {
        res = http_response_parse(p, data + off++, 1, &used);
        if (p->state > HTTP_RESPONSE_S_HEADERS)
            *head_end = at + off;
    }
    if (res == HTTP_RESPONSE_MORE && off < n)
        res = http_response_parse(p, data + off, n - off, &used);
    return res;
}

int httpc_read(int fd, struct http_response *r, bool head_only)
{
    memset(r, 0, sizeof *r);
    /* The project's one response parser frames the answer (any body framing); the
     * raw bytes are kept until the head is complete, for httpc_header. */
    struct http_response_parser *p = calloc(1, sizeof *p);
    struct httpc_body body = {0};
    char *raw = NULL;
    size_t raw_len = 0, raw_cap = 0, head_len = 0;
    if (p == NULL || !buf_reserve(&body.buf, 0, &body.cap, 0, 1024))
        goto fail;
    body.buf[0] = '\0';
    p->head_request = head_only;
    p->body_fn = httpc_body_append;
    p->body_ctx = &body;
    http_response_reset(p);
    enum http_response_result res = HTTP_RESPONSE_MORE;
    while (res == HTTP_RESPONSE_MORE) {
        char chunk[4096];
        ssize_t n = recv(fd, chunk, sizeof chunk, 0);
        if (n < 0)
            goto fail;
        if (n == 0) {
            res = http_response_finish(p);
            break;
        }
        size_t at = raw_len;
        if (p->state <= HTTP_RESPONSE_S_HEADERS &&
            !buf_append(&raw, &raw_len, &raw_cap, chunk, (size_t)n, 4096))
            goto fail;
        res = httpc_feed(p, chunk, (size_t)n, at, &head_len);
    }
    if (res != HTTP_RESPONSE_DONE || head_len == 0 || head_len > raw_len)
        goto fail;
    r->head = strndup(raw, head_len);
    if (r->head == NULL)
        goto fail;
    r->status = (int)p->status;
    r->body = body.buf;
    r->body_len = body.len;
    free(raw);
    free(p);
    return 0;
fail:
    free(raw);
    free(p);
    free(body.buf);
    httpc_free(r);
    return -1;
}

static int request_on(int fd, const char *host, const char *method, const char *path,
                      const char *headers, struct http_response *r)
{
    if (fd < 0)
        return -1;
    char req[8192];
    int n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", method, path,
                     host, headers ? headers : "");
    int rc = -1;
    if (n > 0 && (size_t)n < sizeof req && httpc_send(fd, req, (size_t)n) == 0)
        rc = httpc_read(fd, r, strcmp(method, "HEAD") == 0);
    close(fd);
    return rc;
}

int httpc_request(int port, const char *method, const char *path, const char *headers,
                  struct http_response *r)
{
    return request_on(httpc_connect(port), "127.0.0.1", method, path, headers, r);
}

int httpc_request_addr(const char *address, const char *method, const char *path,
                       const char *headers, struct http_response *r)
{
    return request_on(httpc_connect_addr(address), address, method, path, headers, r);
}

void httpc_free(struct http_response *r)
{
    free(r->head);
    free(r->body);
    r->head = r->body = NULL;
}
