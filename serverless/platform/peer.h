/* Which local process is at the other end of a loopback TCP connection: the check
 * that lets only a function instance (or its children) use that instance's
 * Runtime API endpoint. A port can be found by any local process, so the endpoint
 * being hard to guess is no defence; the connecting socket's owner is.
 *
 * The kernel's socket diagnostics (NETLINK_SOCK_DIAG, an exact lookup by the
 * connection's four addresses) give the connecting socket's inode; the check then
 * looks for that inode ("socket:[N]") among the open descriptors of the instance's
 * process and of its descendants (/proc/PID/fd, /proc/PID/task/TID/children). */
#ifndef ARCHBENCH_PEER_H
#define ARCHBENCH_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum peer_verdict {
    PEER_OWNED,     /* the connecting socket is held by pid or a descendant */
    PEER_STRANGER,  /* it is held by some other process */
    PEER_UNKNOWN,   /* the lookup failed (no socket diagnostics, gone): refuse too */
};

struct peer_checker;

/* One per thread that checks (it keeps a netlink socket). NULL when out of memory. */
struct peer_checker *peer_checker_new(void);
void peer_checker_free(struct peer_checker *c);

/* Checks the accepted connection fd against process pid and its descendants; when
 * pidfd >= 0 it must still refer to a running process afterwards (so a pid reused
 * by another process after the instance died is never taken for it). why receives
 * a short reason for the log when the verdict is not PEER_OWNED. */
enum peer_verdict peer_check(struct peer_checker *c, int fd, pid_t pid, int pidfd, char *why,
                             size_t whylen);

#endif
