/* Test support: child processes (see proc.h). */
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *proc_bin(const char *name, char *buf, unsigned len)
{
    const char *dir = getenv("ARCHBENCH_BIN");
    snprintf(buf, len, "%s/%s", dir && *dir ? dir : "bin", name);
    return buf;
}

int proc_start_server(struct proc *p, char *const argv[], const char *stderr_path)
{
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0)
        return -1;
    memset(p, 0, sizeof *p);
    p->pid = fork();
    if (p->pid < 0)
        return -1;
    if (p->pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        /* Server logs go to $ARCHBENCH_TEST_LOGS/<program>.log when set (tests/run.sh
         * sets it), so test output stays readable and logs stay inspectable. */
        char logpath[512];
        const char *logs = getenv("ARCHBENCH_TEST_LOGS");
        if (stderr_path == NULL && logs != NULL && *logs) {
            const char *base = strrchr(argv[0], '/');
            snprintf(logpath, sizeof logpath, "%s/%s.log", logs, base ? base + 1 : argv[0]);
            stderr_path = logpath;
        }
        if (stderr_path) {
            int fd = open(stderr_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd >= 0)
                dup2(fd, STDERR_FILENO);
        }
        execv(argv[0], argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(out[1]);
    /* Read the first line, byte by byte (it is short), for up to 10 s. */
    char line[160];
    size_t n = 0;
    int rc = -1;
    struct pollfd pfd = {.fd = out[0], .events = POLLIN};
    while (n < sizeof line - 1 && poll(&pfd, 1, 10000) == 1) {
        if (read(out[0], &line[n], 1) != 1)
            break;
        if (line[n] == '\n') {
            line[n] = '\0';
            const char *prefix = "listening on ";
            if (strncmp(line, prefix, strlen(prefix)) == 0) {
                snprintf(p->address, sizeof p->address, "%.*s", (int)sizeof p->address - 1,
                         line + strlen(prefix));
                const char *colon = strrchr(p->address, ':');
                p->port = colon ? atoi(colon + 1) : 0;
                rc = p->port > 0 ? 0 : -1;
            }
            break;
        }
        n++;
    }
    /* A second line printed in the same write ("metrics on HOST:PORT"). */
    if (rc == 0) {
        n = 0;
        while (n < sizeof line - 1 && poll(&pfd, 1, 0) == 1 && read(out[0], &line[n], 1) == 1 &&
               line[n] != '\n')
            n++;
        line[n] = '\0';
        const char *colon = strrchr(line, ':');
        if (strncmp(line, "metrics on ", 11) == 0 && colon)
            p->metrics_port = atoi(colon + 1);
    }
    /* Keep the pipe's write end alive in the child only; later output is dropped
     * by closing our end (the child gets EPIPE/SIGPIPE-ignored writes). */
    close(out[0]);
    if (rc != 0) {
        proc_stop(p);
        p->pid = 0;
    }
    return rc;
}

static int run(char *const argv[], bool show_stderr)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        if (!show_stderr)
            dup2(null, STDERR_FILENO);
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

int proc_run(char *const argv[]) { return run(argv, false); }

int proc_run_shown(char *const argv[]) { return run(argv, true); }

/* The whole of fd from its start, NUL-terminated. */
static char *read_back(int fd)
{
    off_t len = lseek(fd, 0, SEEK_END);
    char *b = malloc(len > 0 ? (size_t)len + 1 : 1);
    if (b == NULL)
        return NULL;
    ssize_t n = len > 0 ? pread(fd, b, (size_t)len, 0) : 0;
    b[n > 0 ? n : 0] = '\0';
    return b;
}

int proc_capture(char *const argv[], char **out, char **err)
{
    char o[] = "/tmp/archbench-capture-XXXXXX", e[] = "/tmp/archbench-capture-XXXXXX";
    int ofd = mkstemp(o), efd = mkstemp(e);
    unlink(o);
    unlink(e);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(ofd, STDOUT_FILENO);
        dup2(efd, STDERR_FILENO);
        execv(argv[0], argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int st = 0;
    bool exited = pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st);
    *out = read_back(ofd);
    *err = read_back(efd);
    close(ofd);
    close(efd);
    return exited ? WEXITSTATUS(st) : -1;
}

int proc_stop(struct proc *p)
{
    if (p->pid <= 0)
        return -1;
    kill(p->pid, SIGTERM);
    int st = 0;
    for (int i = 0; i < 500; i++) {
        pid_t r = waitpid(p->pid, &st, WNOHANG);
        if (r == p->pid)
            goto done;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    kill(p->pid, SIGKILL);
    waitpid(p->pid, &st, 0);
done:
    p->pid = 0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

bool proc_alive(pid_t pid)
{
    char path[64], state = 0;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    /* pid (comm) state ...: comm may contain spaces, so find the last ')'. */
    char buf[512];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *close_paren = strrchr(buf, ')');
    if (close_paren && close_paren[1] == ' ')
        state = close_paren[2];
    return state != 0 && state != 'Z';
}

int proc_seed(char *dir, unsigned len, unsigned users)
{
    snprintf(dir, len, "/tmp/archbench-test-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    char bin[256], n[32];
    snprintf(n, sizeof n, "%u", users);
    char *argv[] = {(char *)proc_bin("archbench", bin, sizeof bin), "seed", "--users", n,
                    "--seed", "42", "--dir", dir, NULL};
    return proc_run(argv) == 0 ? 0 : -1;
}

void proc_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    char path[4096];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

char *proc_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (len)
            *len = (size_t)n;
    }
    return buf;
}
