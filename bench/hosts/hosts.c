/* Separate hosts for archbench run --hosts (see hosts.h): the topology itself is
 * bench/hosts/hosts.sh's, so that a person and archbench make exactly the same one. */
#include "hosts.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs the script with argv (NULL-terminated, without the script) and reads its
 * stdout into out; stderr goes to err. Returns the exit status, or -1. */
static int run_script(const struct hosts *h, char *const argv[], char *out, size_t outlen,
                      char *err, size_t errlen)
{
    int po[2], pe[2];
    if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        dup2(po[1], STDOUT_FILENO);
        dup2(pe[1], STDERR_FILENO);
        char *args[HOSTS_MAX + 8];
        int n = 0;
        args[n++] = (char *)h->script;
        for (int i = 0; argv[i] && n < HOSTS_MAX + 7; i++)
            args[n++] = argv[i];
        args[n] = NULL;
        execv(h->script, args);
        fprintf(stderr, "exec %s: %s\n", h->script, strerror(errno));
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    size_t no = 0, ne = 0;
    ssize_t r;
    while ((r = read(po[0], out + no, outlen - 1 - no)) > 0 && no + (size_t)r < outlen - 1)
        no += (size_t)r;
    out[no] = '\0';
    while ((r = read(pe[0], err + ne, errlen - 1 - ne)) > 0 && ne + (size_t)r < errlen - 1)
        ne += (size_t)r;
    err[ne] = '\0';
    err[strcspn(err, "\n")] = '\0';
    close(po[0]);
    close(pe[0]);
    int st;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int hosts_up(struct hosts *h, const char *script, double rtt_ms, const char *const specs[],
             unsigned n, char *err, size_t errlen)
{
    memset(h, 0, sizeof *h);
    h->home_fd = -1;
    if (n == 0 || n > HOSTS_MAX) {
        snprintf(err, errlen, "hosts: 1 to %d hosts", HOSTS_MAX);
        return -1;
    }
    snprintf(h->id, sizeof h->id, "run%d", (int)getpid());
    snprintf(h->script, sizeof h->script, "%s", script);
    h->rtt_ms = rtt_ms;
    h->home_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (h->home_fd < 0) {
        snprintf(err, errlen, "hosts: /proc/self/ns/net: %s", strerror(errno));
        return -1;
    }
    /* a run killed with SIGKILL could not take its hosts down: do it now */
    char *reap[] = {"reap", NULL};
    char out[2048];
    run_script(h, reap, out, sizeof out, err, errlen);
    char rtt[32];
    snprintf(rtt, sizeof rtt, "%g", rtt_ms);
    char *argv[HOSTS_MAX + 4];
    unsigned k = 0;
    argv[k++] = "up";
    argv[k++] = h->id;
    argv[k++] = rtt;
    for (unsigned i = 0; i < n; i++)
        argv[k++] = (char *)specs[i];
    argv[k] = NULL;
    int rc = run_script(h, argv, out, sizeof out, err, errlen);
    if (rc != 0) {
        if (err[0] == '\0')
            snprintf(err, errlen, "%s up failed (status %d)", script, rc);
        close(h->home_fd);
        h->home_fd = -1;
        return -1;
    }
    /* one "NAME ADDRESS" line per host, in the order asked */
    char *save = NULL;
    for (char *line = strtok_r(out, "\n", &save); line && h->n < n;
         line = strtok_r(NULL, "\n", &save)) {
        struct hosts_host *hh = &h->host[h->n];
        if (sscanf(line, "%31s %15s", hh->name, hh->address) == 2)
            h->n++;
    }
    if (h->n != n) {
        snprintf(err, errlen, "%s up printed %u of %u hosts", script, h->n, n);
        hosts_down(h);
        return -1;
    }
    return 0;
}

const char *hosts_address(const struct hosts *h, const char *name)
{
    for (unsigned i = 0; i < h->n; i++)
        if (strcmp(h->host[i].name, name) == 0)
            return h->host[i].address;
    return NULL;
}

int hosts_enter(const struct hosts *h, const char *name)
{
    if (hosts_address(h, name) == NULL) {
        errno = ENOENT;
        return -1;
    }
    char path[128];
    snprintf(path, sizeof path, "/run/netns/ab-%s-%s", h->id, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = setns(fd, CLONE_NEWNET);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

int hosts_leave(const struct hosts *h)
{
    return h->home_fd >= 0 ? setns(h->home_fd, CLONE_NEWNET) : 0;
}

void hosts_down(struct hosts *h)
{
    if (h->id[0] == '\0')
        return;
    /* home first: the load host holds this very process */
    hosts_leave(h);
    char *argv[] = {"down", h->id, NULL};
    char out[256], err[512];
    if (run_script(h, argv, out, sizeof out, err, sizeof err) != 0)
        fprintf(stderr, "hosts: %s down %s: %s\n", h->script, h->id, err);
    if (h->home_fd >= 0)
        close(h->home_fd);
    h->home_fd = -1;
    h->id[0] = '\0';
    h->n = 0;
}
