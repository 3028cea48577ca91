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

int httpc_read(int fd, struct http_response *r, bool head_only)
{
    memset(r, 0, sizeof *r);
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    if (buf == NULL)
        return -1;
    char *end = NULL;
    while (end == NULL) {
        if (len + 1 >= cap) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (nb == NULL)
                goto fail;
            buf = nb;
        }
        ssize_t n = recv(fd, buf + len, cap - len - 1, 0);
        if (n <= 0)
            goto fail;
        len += (size_t)n;
        buf[len] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    size_t head_len = (size_t)(end - buf) + 4;
    r->head = strndup(buf, head_len);
    if (r->head == NULL || sscanf(r->head, "HTTP/1.%*d %d", &r->status) != 1)
        goto fail;
    char clen[32];
    size_t want = 0;
    if (!head_only && httpc_header(r, "Content-Length", clen, sizeof clen))
        want = (size_t)strtoul(clen, NULL, 10);
    r->body = malloc(want + 1);
    if (r->body == NULL)
        goto fail;
    size_t have = len - head_len < want ? len - head_len : want;
    memcpy(r->body, buf + head_len, have);
    while (have < want) {
        ssize_t n = recv(fd, r->body + have, want - have, 0);
        if (n <= 0)
            goto fail;
        have += (size_t)n;
    }
    r->body[want] = '\0';
    r->body_len = want;
    free(buf);
    return 0;
fail:
    free(buf);
    httpc_free(r);
    return -1;
}

/* One request on fd (a new connection to host), which it closes. */
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
