/* Where the gateway's upstream calls go: a base URL (--auth-url, --profile-url)
 * parsed once, and the addresses its host resolves to, shared by every worker.
 *
 * Names are resolved without ever blocking a worker's loop: once at start-up (in
 * main, before the workers run), then again on a helper thread whenever a worker
 * asks (a connect failed, or there was no address), at most once a second. Workers
 * only copy an address under a mutex when they open a new connection. Numeric hosts
 * never need resolving. */
#ifndef ARCHBENCH_UPSTREAM_TARGET_H
#define ARCHBENCH_UPSTREAM_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define UPSTREAM_TARGET_MAX_ADDRS 8

/* A resolver: fills up to max addresses of host:port and returns how many, or -1
 * (the reason in err). The default wraps getaddrinfo; tests pass their own. */
typedef int (*upstream_resolve_fn)(const char *host, const char *port,
                                   struct sockaddr_storage *addrs, socklen_t *lens,
                                   unsigned max, char *err, size_t errlen);

struct upstream_target;

/* Parses base ("http://HOST[:PORT][/PATH]") and resolves its host (blocking: call
 * it at start-up). A host that does not resolve yet is not an error (in Compose
 * or Kubernetes the service may come up later): its calls fail as refused until a
 * later resolution succeeds. NULL with err set when base is not such a URL or
 * resources are short. resolve NULL: getaddrinfo. */
struct upstream_target *upstream_target_new(const char *base, upstream_resolve_fn resolve,
                                            char *err, size_t errlen);
void upstream_target_free(struct upstream_target *t);

/* Checks a base URL as upstream_target_new would, without resolving it. */
bool upstream_base_url_valid(const char *base, char *err, size_t errlen);

/* The Host header value ("auth.internal:9101", "[::1]:9102"), the path prefix that
 * goes before every call's path ("" or "/api", no trailing slash) and the base URL
 * as given (for messages). */
const char *upstream_target_authority(const struct upstream_target *t);
const char *upstream_target_path(const struct upstream_target *t);
const char *upstream_target_url(const struct upstream_target *t);

/* Copies address i (modulo the number known) into addr; returns how many addresses
 * the target has now (0: none, addr untouched). Cheap: a mutex and a copy. */
unsigned upstream_target_address(struct upstream_target *t, unsigned i,
                                 struct sockaddr_storage *addr, socklen_t *len);

/* Asks the helper thread to resolve the host again (a connect failed); does nothing
 * for numeric hosts or when the last resolution is less than a second old. Never
 * blocks on the resolution itself. */
void upstream_target_refresh(struct upstream_target *t);

/* How many resolutions have completed (start-up included), for tests. */
unsigned upstream_target_resolutions(struct upstream_target *t);

#endif
