/* Who holds the other end of a loopback TCP connection (see peer.h). */
#include "peer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Descendants looked at, at most: a function that forks more than this many
 * processes before one of them calls the Runtime API is refused. */
#define PEER_MAX_PROCESSES 256

struct peer_checker {
    int nl;        /* NETLINK_SOCK_DIAG socket */
    unsigned seq;
};

struct peer_checker *peer_checker_new(void)
{
    struct peer_checker *c = calloc(1, sizeof *c);
    if (c != NULL) /* -1 here is reported by each check */
        c->nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    return c;
}

void peer_checker_free(struct peer_checker *c)
{
    if (c == NULL)
        return;
    if (c->nl >= 0)
        close(c->nl);
    free(c);
}

/* Copies the address of sa (AF_INET or AF_INET6) into a diag id's 4 words. */
static void diag_address(const struct sockaddr_storage *sa, __be32 out[4], __be16 *port)
{
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        out[0] = in->sin_addr.s_addr;
        *port = in->sin_port;
    } else {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        memcpy(out, &in6->sin6_addr, 16);
        *port = in6->sin6_port;
    }
}

/* One exact socket-diagnostics lookup: the socket whose own (local) address is
 * the connection's remote one, i.e. the connecting side. 0 with *inode set. */
static int diag_lookup(struct peer_checker *c, int fd, unsigned long *inode, char *why,
                       size_t whylen)
{
    struct sockaddr_storage local, remote;
    socklen_t llen = sizeof local, rlen = sizeof remote;
    if (getsockname(fd, (struct sockaddr *)&local, &llen) != 0 ||
        getpeername(fd, (struct sockaddr *)&remote, &rlen) != 0 ||
        (local.ss_family != AF_INET && local.ss_family != AF_INET6)) {
        snprintf(why, whylen, "not a connected TCP socket");
        return -1;
    }
    if (c->nl < 0) {
        snprintf(why, whylen, "socket diagnostics: no NETLINK_SOCK_DIAG socket");
        return -1;
    }
    struct {
        struct nlmsghdr nlh;
        struct inet_diag_req_v2 req;
    } msg = {.nlh = {.nlmsg_len = sizeof msg, .nlmsg_type = SOCK_DIAG_BY_FAMILY,
                     .nlmsg_flags = NLM_F_REQUEST, .nlmsg_seq = ++c->seq},
             .req = {.sdiag_family = (__u8)local.ss_family, .sdiag_protocol = IPPROTO_TCP,
                     .idiag_states = ~0u}};
    diag_address(&remote, msg.req.id.idiag_src, &msg.req.id.idiag_sport);
    diag_address(&local, msg.req.id.idiag_dst, &msg.req.id.idiag_dport);
    msg.req.id.idiag_cookie[0] = msg.req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
    if (send(c->nl, &msg, sizeof msg, 0) != (ssize_t)sizeof msg) {
        snprintf(why, whylen, "socket diagnostics: %s", strerror(errno));
        return -1;
    }
    for (;;) { /* skip answers to earlier, abandoned lookups */
        long buf[1024];
        ssize_t n = recv(c->nl, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
        if (n < (ssize_t)sizeof *h || !NLMSG_OK(h, (size_t)n)) {
            snprintf(why, whylen, "socket diagnostics: no answer");
            return -1;
        }
        if (h->nlmsg_seq != c->seq)
            continue;
        if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY &&
            h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg))) {
            *inode = ((const struct inet_diag_msg *)NLMSG_DATA(h))->idiag_inode;
            return 0;
        }
        snprintf(why, whylen, "socket diagnostics: the connecting socket is gone");
        return -1;
    }
}

/* Whether process pid has a descriptor for the socket named want ("socket:[N]"). */
static bool holds(pid_t pid, const char *want, size_t wlen)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(path);
    if (d == NULL)
        return false;
    bool found = false;
    struct dirent *e;
    char target[64];
    while (!found && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        ssize_t n = readlinkat(dirfd(d), e->d_name, target, sizeof target);
        found = n == (ssize_t)wlen && memcmp(target, want, wlen) == 0;
    }
    closedir(d);
    return found;
}

/* Appends the children of every thread of pid to list (bounded by cap). */
static size_t add_children(pid_t pid, pid_t *list, size_t n, size_t cap)
{
    char path[96];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    struct dirent *e;
    while (d != NULL && n < cap && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/%d/task/%.16s/children", (int)pid, e->d_name);
        FILE *f = fopen(path, "re");
        int child;
        while (f != NULL && n < cap && fscanf(f, "%d", &child) == 1)
            list[n++] = child;
        if (f != NULL)
            fclose(f);
    }
    if (d != NULL)
        closedir(d);
    return n;
}

/* Whether pid or one of its descendants holds the socket; breadth first, so the
 * instance itself (the usual caller) is looked at first and alone. */
static bool tree_holds(pid_t pid, const char *want, size_t wlen)
{
    pid_t list[PEER_MAX_PROCESSES];
    size_t n = 1;
    list[0] = pid;
    for (size_t i = 0; i < n; i++) {
        if (holds(list[i], want, wlen))
            return true;
        n = add_children(list[i], list, n, PEER_MAX_PROCESSES);
    }
    return false;
}

enum peer_verdict peer_check(struct peer_checker *c, int fd, pid_t pid, int pidfd, char *why,
                             size_t whylen)
{
    unsigned long inode;
    if (pid <= 0) {
        snprintf(why, whylen, "the instance has no process");
        return PEER_UNKNOWN;
    }
    if (diag_lookup(c, fd, &inode, why, whylen) != 0)
        return PEER_UNKNOWN;
    char want[48];
    int wlen = snprintf(want, sizeof want, "socket:[%lu]", inode);
    if (!tree_holds(pid, want, (size_t)wlen)) {
        snprintf(why, whylen, "the connecting socket (inode %lu) is not held by the "
                 "instance's process %d or its children", inode, (int)pid);
        return PEER_STRANGER;
    }
    /* /proc/PID named the instance only if it is still the same process. */
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    if (pidfd >= 0 && poll(&p, 1, 0) != 0) {
        snprintf(why, whylen, "the instance's process %d has exited", (int)pid);
        return PEER_UNKNOWN;
    }
    return PEER_OWNED;
}
