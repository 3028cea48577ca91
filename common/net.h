/* Socket helpers: listen-address parsing and formatting, listening sockets.
 * Errors are written into a caller-supplied buffer (anet style). */
#ifndef ARCHBENCH_NET_H
#define ARCHBENCH_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Parses "HOST:PORT", "[IPV6]:PORT" or ":PORT" (all interfaces) into addr.
 * HOST is a numeric address or a name that resolves; PORT 0 asks for a free port. */
bool net_parse_address(const char *s, struct sockaddr_storage *addr, socklen_t *len,
                       char *err, size_t errlen);

/* Formats addr as "1.2.3.4:80" or "[::1]:80". */
void net_format_address(const struct sockaddr *addr, char *out, size_t outlen);

/* A non-blocking listening TCP socket bound to addr. With reuseport the socket
 * joins an SO_REUSEPORT group (one socket per worker thread, the kernel spreads
 * connections over them). Returns the fd or -1 with err set. */
int net_listen(const struct sockaddr *addr, socklen_t len, bool reuseport, char *err,
               size_t errlen);

/* Raises the soft RLIMIT_NOFILE to the hard limit (servers and load generators hold
 * thousands of sockets). Returns the new soft limit. */
unsigned long net_raise_fd_limit(void);

#endif
