/* Fork-server mode for function binaries (see zygote.h). */
#include "zygote.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static int send_reply(int sock, pid_t pid, int err, int pidfd)
{
    struct zygote_reply rep = {.pid = pid, .errno_value = err};
    struct iovec iov = {.iov_base = &rep, .iov_len = sizeof rep};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (pidfd >= 0) {
        msg.msg_control = u.buf;
        msg.msg_controllen = sizeof u.buf;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &pidfd, sizeof(int));
    }
    return sendmsg(sock, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof rep ? 0 : -1;
}

int zygote_serve(void)
{
    const char *fdtext = getenv(ZYGOTE_ENV);
    if (fdtext == NULL)
        return 0;
    int sock = atoi(fdtext);
    unsetenv(ZYGOTE_ENV);
    const char *bind_now = getenv("LD_BIND_NOW");
    if (bind_now != NULL && strcmp(bind_now, ZYGOTE_BIND_NOW) == 0)
        unsetenv("LD_BIND_NOW");
    /* Children are reaped by the kernel; faas learns of their exit by pidfd. */
    signal(SIGCHLD, SIG_IGN);
    /* Every page the template holds is copied (as page tables) by each fork:
     * give back what init freed. */
    malloc_trim(0);
    struct zygote_ready ready = {.magic = ZYGOTE_MAGIC};
    if (send(sock, &ready, sizeof ready, MSG_NOSIGNAL) != (ssize_t)sizeof ready)
        _exit(1);
    for (;;) {
        struct zygote_request req;
        ssize_t n = recv(sock, &req, sizeof req, 0);
        if (n == 0)
            exit(0); /* faas closed the socket: it is stopping */
        if (n < 0 && errno == EINTR)
            continue;
        if (n != (ssize_t)sizeof req)
            exit(1);
        req.env[sizeof req.env - 2] = req.env[sizeof req.env - 1] = '\0';
        pid_t pid = fork();
        if (pid == 0) {
            close(sock);
            signal(SIGCHLD, SIG_DFL);
            for (char *e = req.env; *e != '\0'; e += strlen(e) + 1) {
                char *eq = strchr(e, '=');
                if (eq != NULL) {
                    *eq = '\0';
                    setenv(e, eq + 1, 1);
                    *eq = '=';
                }
            }
            if (req.memory_limit != 0) {
                struct rlimit rl = {req.memory_limit, req.memory_limit};
                setrlimit(RLIMIT_DATA, &rl);
            }
            return 0;
        }
        int err = pid < 0 ? errno : 0;
        /* The pidfd is taken at once: the child cannot have been reaped yet unless
         * it already died, and then pidfd_open fails and faas sees a failed start. */
        int pidfd = pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
        if (pid > 0 && pidfd < 0) {
            err = errno;
            kill(pid, SIGKILL);
            pid = -1;
        }
        int rc = send_reply(sock, pid, err, pidfd);
        if (pidfd >= 0)
            close(pidfd);
        if (rc != 0)
            exit(1);
    }
}
