/* Instance start-up by exec or by a fork-server template (see spawn.h). */
#include "spawner.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "zygote.h"

struct spawner {
    enum spawn_mode mode;
    const char *function;
    char *const *envp;
    size_t nenv;
    /* fork-server */
    pid_t template_pid;
    int template_pidfd;
    int sock;
};

static int pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

/* posix_spawn with the signal state a fresh program expects: faas blocks SIGINT
 * and SIGTERM in every thread and ignores SIGPIPE, and both would be inherited.
 * The instance's stdout joins stderr (Lambda sends both to the function's log,
 * and faas's stdout carries only the "listening on" line). extra_fd, when >= 0,
 * becomes descriptor 3 in the child. */
static int spawn_process(const char *path, char *const envp[], int extra_fd, pid_t *pid,
                         char *err, size_t errlen)
{
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&fa);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGCHLD);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
    if (extra_fd >= 0)
        posix_spawn_file_actions_adddup2(&fa, extra_fd, 3);
    char *argv[] = {(char *)path, NULL};
    int rc = posix_spawn(pid, path, &fa, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        snprintf(err, errlen, "start %s: %s", path, strerror(rc));
        return -1;
    }
    return 0;
}

/* envp with the "NAME=value" entries of extra put in (replacing those of the
 * same name): a malloc'd array whose strings belong to envp and extra. */
static char **env_with(char *const *envp, size_t n, char *const *extra)
{
    size_t nextra = 0;
    while (extra[nextra] != NULL)
        nextra++;
    char **out = malloc((n + nextra + 1) * sizeof *out);
    if (out == NULL)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bool replaced = false;
        for (size_t j = 0; j < nextra && !replaced; j++) {
            size_t name_len = strcspn(extra[j], "=") + 1;
            replaced = strncmp(envp[i], extra[j], name_len) == 0;
        }
        if (!replaced)
            out[k++] = envp[i];
    }
    for (size_t j = 0; j < nextra; j++)
        out[k++] = extra[j];
    out[k] = NULL;
    return out;
}

static bool env_has(char *const *envp, size_t n, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < n; i++)
        if (strncmp(envp[i], name, len) == 0 && envp[i][len] == '=')
            return true;
    return false;
}

static void stop_template(struct spawner *s)
{
    if (s->sock >= 0)
        close(s->sock);
    s->sock = -1;
    if (s->template_pid > 0) {
        /* EOF ends it; a template stuck in init gets SIGKILL after 2 s. */
        struct pollfd p = {.fd = s->template_pidfd, .events = POLLIN};
        if (s->template_pidfd < 0 || poll(&p, 1, 2000) != 1)
            kill(s->template_pid, SIGKILL);
        waitpid(s->template_pid, NULL, 0);
        s->template_pid = 0;
    }
    if (s->template_pidfd >= 0)
        close(s->template_pidfd);
    s->template_pidfd = -1;
}

/* Waits for the template's ready message, at most SPAWN_TEMPLATE_READY_S; a
 * template that exits first (a runtime that does not call zygote_serve, such as
 * any non-C one: it fails without a Runtime API address, or just ends) is
 * reported as soon as it has exited. 0, or -1 with err set. */
static int template_ready(struct spawner *s, char *err, size_t errlen)
{
    s->template_pidfd = pidfd_open(s->template_pid);
    struct pollfd p[2] = {{.fd = s->sock, .events = POLLIN},
                          {.fd = s->template_pidfd, .events = POLLIN}};
    struct zygote_ready ready;
    int n = poll(p, s->template_pidfd >= 0 ? 2 : 1, SPAWN_TEMPLATE_READY_S * 1000);
    if (n > 0 && (p[0].revents & POLLIN) &&
        recv(s->sock, &ready, sizeof ready, MSG_DONTWAIT) == sizeof ready &&
        ready.magic == ZYGOTE_MAGIC)
        return 0;
    /* Its end of the socket closes as it exits, a moment before the pidfd says so. */
    struct pollfd exited = {.fd = s->template_pidfd, .events = POLLIN};
    int st;
    if (n > 0 && s->template_pidfd >= 0 && poll(&exited, 1, 1000) == 1 &&
        waitpid(s->template_pid, &st, 0) == s->template_pid) {
        s->template_pid = 0;
        snprintf(err, errlen,
                 "%s exited (%s %d) before it was ready as a fork-server template: "
                 "--start fork-server needs a function that calls zygote_serve "
                 "(serverless/function/zygote.h); use --start exec",
                 s->function, WIFSIGNALED(st) ? "signal" : "status",
                 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
    } else {
        snprintf(err, errlen,
                 "%s did not start as a fork-server template within %d s (does it "
                 "call zygote_serve?)",
                 s->function, SPAWN_TEMPLATE_READY_S);
    }
    return -1;
}

struct spawner *spawner_open(enum spawn_mode mode, const char *function, char *const *envp,
                             char *err, size_t errlen)
{
    struct spawner *s = calloc(1, sizeof *s);
    if (s == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->mode = mode;
    s->function = function;
    s->envp = envp;
    while (envp[s->nenv] != NULL)
        s->nenv++;
    s->sock = -1;
    s->template_pidfd = -1;
    if (access(function, X_OK) != 0) {
        snprintf(err, errlen, "--function %s: %s", function, strerror(errno));
        free(s);
        return NULL;
    }
    if (mode == SPAWN_EXEC)
        return s;

    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        snprintf(err, errlen, "socketpair: %s", strerror(errno));
        free(s);
        return NULL;
    }
    /* The template binds every symbol at start-up (LD_BIND_NOW), so that its
     * children do not each resolve, and copy-on-write, the same PLT entries on
     * their first calls; it removes the variable again unless the function's
     * environment set it (zygote.h). */
    char *template_vars[] = {ZYGOTE_ENV "=3",
                             env_has(envp, s->nenv, "LD_BIND_NOW")
                                 ? NULL : "LD_BIND_NOW=" ZYGOTE_BIND_NOW,
                             NULL};
    char **env = env_with(envp, s->nenv, template_vars);
    int rc = env ? spawn_process(function, env, sv[1], &s->template_pid, err, errlen) : -1;
    free(env);
    close(sv[1]);
    s->sock = sv[0];
    if (rc != 0 || template_ready(s, err, errlen) != 0) {
        stop_template(s);
        free(s);
        return NULL;
    }
    return s;
}

int spawner_template_pidfd(const struct spawner *s) { return s->template_pidfd; }

static int fork_server_spawn(struct spawner *s, char *const *vars, pid_t *pid, int *pidfd,
                             char *err, size_t errlen)
{
    struct zygote_request req = {.memory_limit = 0}; /* memlimit.h limits memory */
    size_t used = 0;
    for (size_t i = 0; vars[i] != NULL; i++) {
        size_t n = strlen(vars[i]) + 1;
        if (used + n + 1 > sizeof req.env) {
            snprintf(err, errlen, "the instance's variables do not fit a fork request");
            return -1;
        }
        memcpy(req.env + used, vars[i], n);
        used += n;
    }
    if (s->sock < 0 || send(s->sock, &req, sizeof req, MSG_NOSIGNAL) != sizeof req) {
        snprintf(err, errlen, "fork-server template is gone");
        return -1;
    }
    struct zygote_reply rep;
    struct iovec iov = {.iov_base = &rep, .iov_len = sizeof rep};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                         .msg_controllen = sizeof u.buf};
    struct pollfd p = {.fd = s->sock, .events = POLLIN};
    if (poll(&p, 1, 5000) != 1 || recvmsg(s->sock, &msg, MSG_CMSG_CLOEXEC) != sizeof rep) {
        snprintf(err, errlen, "fork-server template did not answer");
        return -1;
    }
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    int fd = -1;
    if (c != NULL && c->cmsg_type == SCM_RIGHTS)
        memcpy(&fd, CMSG_DATA(c), sizeof fd);
    if (rep.pid <= 0 || fd < 0) {
        if (fd >= 0)
            close(fd);
        snprintf(err, errlen, "fork-server template: fork: %s", strerror(rep.errno_value));
        return -1;
    }
    *pid = rep.pid;
    *pidfd = fd;
    return 0;
}

int spawner_spawn(struct spawner *s, char *const *vars, pid_t *pid, int *pidfd,
                  bool *own_child, char *err, size_t errlen)
{
    if (s->mode == SPAWN_FORK_SERVER) {
        *own_child = false;
        return fork_server_spawn(s, vars, pid, pidfd, err, errlen);
    }
    *own_child = true;
    char **env = env_with(s->envp, s->nenv, vars);
    if (env == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = spawn_process(s->function, env, -1, pid, err, errlen);
    free(env);
    if (rc != 0)
        return -1;
    *pidfd = pidfd_open(*pid);
    if (*pidfd < 0) {
        snprintf(err, errlen, "pidfd_open: %s", strerror(errno));
        kill(*pid, SIGKILL);
        waitpid(*pid, NULL, 0);
        return -1;
    }
    return 0;
}

void spawner_close(struct spawner *s)
{
    if (s == NULL)
        return;
    stop_template(s);
    free(s);
}
