/* http:// URLs as the command lines take them (loadgen's URL, archbench check's
 * and --target's): host, port and request target, without resolving anything.
 * https is refused with a message that says so: no program here speaks TLS. */
#ifndef ARCHBENCH_URL_H
#define ARCHBENCH_URL_H

#include <stdbool.h>
#include <stddef.h>

struct url {
    char host[256];     /* as written, brackets removed for IPv6 */
    char port[8];       /* "80" when the URL has none */
    char hostport[300]; /* as written: the Host header's value */
    const char *path;   /* request target (points into the URL), "/" when it has none */
};

/* Parses "http://HOST[:PORT][/PATH]" into u. Returns false with a one-line reason
 * in err (no host, a bad port, https, spaces or control characters in the path). */
bool url_parse(const char *url, struct url *u, char *err, size_t errlen);

/* How much of u->path is the server's base, the prefix its endpoints live under:
 * the path without its query, trailing slashes and a trailing "/profile" (the
 * endpoint's own URL names the same server): "/stage/profile?x" gives 6. */
size_t url_base_len(const struct url *u);

#endif
