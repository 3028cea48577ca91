/* http:// URLs (see url.h). */
#include "url.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "opts.h"

bool url_parse(const char *url, struct url *u, char *err, size_t errlen)
{
    if (strncasecmp(url, "http://", 7) != 0) {
        snprintf(err, errlen, "URL must start with http:// (https is not supported), got '%s'",
                 url);
        return false;
    }
    const char *h = url + 7;
    const char *slash = strchr(h, '/');
    size_t hl = slash ? (size_t)(slash - h) : strlen(h);
    u->path = slash ? slash : "/";
    if (hl == 0 || hl >= sizeof u->hostport - 1) {
        snprintf(err, errlen, "no host in URL '%s'", url);
        return false;
    }
    memcpy(u->hostport, h, hl);
    u->hostport[hl] = '\0';
    const char *port = NULL;
    if (u->hostport[0] == '[') {
        char *close = strchr(u->hostport, ']');
        if (close == NULL || (close[1] != '\0' && close[1] != ':')) {
            snprintf(err, errlen, "bad IPv6 host in URL '%s'", url);
            return false;
        }
        size_t n = (size_t)(close - u->hostport - 1);
        memcpy(u->host, u->hostport + 1, n);
        u->host[n] = '\0';
        port = close[1] == ':' ? close + 2 : NULL;
    } else {
        char *colon = strchr(u->hostport, ':');
        size_t n = colon ? (size_t)(colon - u->hostport) : strlen(u->hostport);
        if (n >= sizeof u->host)
            n = sizeof u->host - 1;
        memcpy(u->host, u->hostport, n);
        u->host[n] = '\0';
        port = colon ? colon + 1 : NULL;
    }
    if (port) {
        unsigned p;
        if (!opts_parse_unsigned(port, 1, 65535, &p)) {
            snprintf(err, errlen, "bad port in URL '%s'", url);
            return false;
        }
        snprintf(u->port, sizeof u->port, "%u", p);
    } else {
        snprintf(u->port, sizeof u->port, "80");
    }
    if (u->host[0] == '\0') {
        snprintf(err, errlen, "no host in URL '%s'", url);
        return false;
    }
    for (const char *p = u->path; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f) {
            snprintf(err, errlen, "the URL path must not contain spaces or control characters");
            return false;
        }
    }
    return true;
}

size_t url_base_len(const struct url *u)
{
    size_t n = strcspn(u->path, "?#");
    while (n > 0 && u->path[n - 1] == '/')
        n--;
    if (n >= 8 && strncmp(u->path + n - 8, "/profile", 8) == 0)
        n -= 8;
    return n;
}
