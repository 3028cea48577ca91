/* The system under test (see sut.h). */
#include "clock.h"
#include "sut.h"

#include "httpc.h"
#include "procfs.h"
#include "seed.h"
#include "service_secret.h"
#include "url.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const arch_names[SUT_NARCH] = {"monolith", "microservices", "serverless"};

static struct sut_target targets[SUT_MAX_TARGETS];
static unsigned ntargets;

const char *sut_arch_name(enum sut_arch a)
{
    return a < SUT_NARCH ? arch_names[a] : targets[a - SUT_NARCH].name;
}

/* The processes whose CPU run.json splits, per architecture, in the report's
 * order: by command name, all instances of one name together. */
static const char *const arch_processes[SUT_NARCH][SUT_MAX_PROCESSES + 1] = {
    [SUT_MONOLITH] = {"monolith", NULL},
    [SUT_MICROSERVICES] = {"gateway", "auth-service", "profile-service", NULL},
    [SUT_SERVERLESS] = {"faas", "fn-get-profile", NULL},
};

/* A target's CPU is not split: every process of its group counts under its name. */
static const char *target_processes[SUT_MAX_TARGETS][2];

const char *const *sut_processes(enum sut_arch a)
{
    if (a < SUT_NARCH)
        return arch_processes[a];
    unsigned t = (unsigned)a - SUT_NARCH;
    target_processes[t][0] = targets[t].name;
    return target_processes[t];
}

bool sut_arch_parse(const char *name, enum sut_arch *out)
{
    for (int a = 0; a < SUT_NARCH; a++)
        if (strcmp(name, arch_names[a]) == 0) {
            *out = (enum sut_arch)a;
            return true;
        }
    return false;
}

const struct sut_target *sut_target(enum sut_arch a)
{
    unsigned i = (unsigned)a;
    return i >= SUT_NARCH && i < SUT_NARCH + ntargets ? &targets[i - SUT_NARCH] : NULL;
}

unsigned sut_nsystems(void) { return SUT_NARCH + ntargets; }

/* A name that is safe in file names and tables, and nobody else's. */
static bool target_name_ok(const char *name, size_t n, char *err, size_t errlen)
{
    bool ok = n > 0 && n < sizeof targets[0].name && strspn(name, "abcdefghijklmnopqrstuvwxyz"
                                                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                                "0123456789._-") >= n;
    if (!ok) {
        snprintf(err, errlen, "target name '%.*s': expected 1-31 letters, digits, '.', '_' or "
                              "'-'", (int)n, name);
        return false;
    }
    enum sut_arch a;
    char copy[32];
    snprintf(copy, sizeof copy, "%.*s", (int)n, name);
    for (unsigned i = 0; i < ntargets && ok; i++)
        ok = strcmp(targets[i].name, copy) != 0;
    if (!ok || sut_arch_parse(copy, &a)) {
        snprintf(err, errlen, "target name '%s' is taken", copy);
        return false;
    }
    return true;
}

/* A URL target's base: scheme, host and the path its endpoints live under. */
static bool target_url(struct sut_target *t, const char *value, char *err, size_t errlen)
{
    struct url u;
    if (!url_parse(value, &u, err, errlen))
        return false;
    snprintf(t->url, sizeof t->url, "http://%s%.*s", u.hostport, (int)url_base_len(&u), u.path);
    return true;
}

int sut_target_add(const char *spec, char *err, size_t errlen)
{
    if (ntargets == SUT_MAX_TARGETS) {
        snprintf(err, errlen, "at most %d targets", SUT_MAX_TARGETS);
        return -1;
    }
    struct sut_target *t = &targets[ntargets];
    memset(t, 0, sizeof *t);
    const char *eq = strchr(spec, '=');
    bool bare_url = strncasecmp(spec, "http", 4) == 0 && strstr(spec, "://") != NULL &&
                    (eq == NULL || eq > strstr(spec, "://"));
    const char *value = bare_url ? spec : eq ? eq + 1 : NULL;
    if (value == NULL || *value == '\0') {
        snprintf(err, errlen, "--target: expected NAME=COMMAND or NAME=URL, got '%s'", spec);
        return -1;
    }
    if (bare_url)
        snprintf(t->name, sizeof t->name, "target%u", ntargets + 1);
    else if (!target_name_ok(spec, (size_t)(eq - spec), err, errlen))
        return -1;
    else
        snprintf(t->name, sizeof t->name, "%.*s", (int)(eq - spec), spec);
    if (strncasecmp(value, "http", 4) == 0 && strstr(value, "://") != NULL) {
        if (!target_url(t, value, err, errlen))
            return -1;
    } else if (strstr(value, "{port}") == NULL || strlen(value) >= sizeof t->command) {
        snprintf(err, errlen, "target %s: the command must say where to listen with {port} "
                              "(and may use {data}); at most %zu characters", t->name,
                 sizeof t->command - 1);
        return -1;
    } else {
        snprintf(t->command, sizeof t->command, "%s", value);
    }
    return SUT_NARCH + (int)ntargets++;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The last line of a log file (the reason a server gave for exiting), or "". */
static void last_line(const char *path, char *out, size_t len)
{
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    char line[512];
    while (fgets(line, sizeof line, f))
        if (line[0] != '\n')
            snprintf(out, len, "%s", line);
    fclose(f);
    out[strcspn(out, "\n")] = '\0';
}

/* Where a program's stderr goes. */
static void log_path(const struct sut_options *opt, const char *name, char *out, size_t len)
{
    if (opt->log_dir)
        snprintf(out, len, "%s/%s.log", opt->log_dir, name);
    else
        snprintf(out, len, "/dev/null");
}

/* "NAME died during WHEN (status N): its last log line (log: PATH)". */
static void report_death(const char *name, int st, const char *logpath, const char *when,
                         char *err, size_t errlen)
{
    char why[512];
    last_line(logpath, why, sizeof why);
    snprintf(err, errlen, "%s died during %s (status %d): %s (log: %s)", name, when,
             WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), why[0] ? why : "no message",
             logpath);
}

/* Starts one program in the architecture's process group and reads its
 * "listening on ADDR" line. */
static int spawn_at(struct sut *s, unsigned slot, const struct sut_options *opt,
                    const char *name, char *const argv[], char *err, size_t errlen);

static int spawn(struct sut *s, const struct sut_options *opt, const char *name,
                 char *const argv[], char *err, size_t errlen)
{
    /* keep the command line for sut_restart */
    struct sut_proc *p = &s->procs[s->nprocs];
    size_t used = 0;
    int n = 0;
    for (; argv[n] && n < 23; n++) {
        size_t len = strlen(argv[n]) + 1;
        if (used + len > sizeof p->args)
            break;
        memcpy(p->args + used, argv[n], len);
        p->argv[n] = p->args + used;
        used += len;
    }
    p->argv[n] = NULL;
    return spawn_at(s, s->nprocs, opt, name, p->argv, err, errlen);
}

/* In the child: join the architecture's process group, pin to its CPUs, stdout to
 * the pipe the parent reads the address from (a target's to the log: it prints
 * none), stderr to the log; then exec. */
static _Noreturn void exec_child(const struct sut *s, const struct sut_options *opt,
                                 const char *name, char *const argv[], int out_fd,
                                 const char *logpath)
{
    /* pgid 0 makes the first process the leader. A restarted process whose group
     * died with it (the monolith is alone in its group) leads a new one. */
    if (setpgid(0, s->pgid) != 0)
        setpgid(0, 0);
    sched_setaffinity(0, sizeof opt->cpus, &opt->cpus);
    int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0)
        dup2(fd, STDERR_FILENO);
    dup2(out_fd >= 0 ? out_fd : fd, STDOUT_FILENO);
    /* with --hosts, onto the host named after the process */
    if (opt->hosts && hosts_enter(opt->hosts, name) != 0) {
        fprintf(stderr, "cannot enter host %s: %s\n", name, strerror(errno));
        _exit(127);
    }
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execv(argv[0], argv);
    fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* In the parent too, so the group exists before we use it (same rule as in the
 * child). EACCES: the child has already exec'd, having set its group itself. */
static void join_group(struct sut *s, pid_t pid)
{
    if (s->pgid == 0) {
        setpgid(pid, pid);
        s->pgid = pid;
    } else if (setpgid(pid, s->pgid) != 0) {
        if (errno == EACCES) {
            pid_t g = getpgid(pid);
            if (g > 0)
                s->pgid = g;
        } else {
            setpgid(pid, pid);
            s->pgid = pid;
        }
    }
}

/* Reads the program's first line from fd within SUT_READY_TIMEOUT_MS; 0 when it is
 * "listening on ADDR" (ADDR into address). */
static int read_address(int fd, char address[80])
{
    char line[160];
    size_t n = 0;
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    double deadline = clock_now_ms() + SUT_READY_TIMEOUT_MS;
    while (n < sizeof line - 1) {
        int left = (int)(deadline - clock_now_ms());
        if (left <= 0 || poll(&pfd, 1, left) != 1 || read(fd, &line[n], 1) != 1)
            return -1;
        if (line[n] == '\n') {
            line[n] = '\0';
            return sscanf(line, "listening on %79s", address) == 1 ? 0 : -1;
        }
        n++;
    }
    return -1;
}

/* Why p printed no address: it exited (reaped, with its last log line), or it
 * is still silent. */
static void explain_no_address(struct sut_proc *p, const char *logpath, char *err, size_t errlen)
{
    int st;
    /* EOF on stdout usually means it exited: give it a moment to be reapable. */
    pid_t w = waitpid(p->pid, &st, WNOHANG);
    if (w == 0) {
        sleep_ms(50);
        w = waitpid(p->pid, &st, WNOHANG);
    }
    if (w == p->pid) {
        p->pid = 0;
        report_death(p->name, st, logpath, "start-up", err, errlen);
    } else {
        snprintf(err, errlen, "%s did not print its address within %d s; see %s", p->name,
                 SUT_READY_TIMEOUT_MS / 1000, logpath);
    }
}

/* Starts argv in slot `slot` (a new one when slot == s->nprocs); reads its
 * address unless it is a target's, whose address was chosen for it. */
static int spawn_at(struct sut *s, unsigned slot, const struct sut_options *opt,
                    const char *name, char *const argv[], char *err, size_t errlen)
{
    struct sut_proc *p = &s->procs[slot];
    int out[2] = {-1, -1};
    if (!p->target && pipe2(out, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    char logpath[4096];
    log_path(opt, name, logpath, sizeof logpath);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        if (out[0] >= 0) {
            close(out[0]);
            close(out[1]);
        }
        return -1;
    }
    if (pid == 0)
        exec_child(s, opt, name, argv, out[1], logpath);
    join_group(s, pid);
    p->name = name;
    p->pid = pid;
    if (slot == s->nprocs)
        s->nprocs++;
    if (p->target)
        return 0;
    close(out[1]);
    int rc = read_address(out[0], p->address);
    close(out[0]);
    if (rc != 0)
        explain_no_address(p, logpath, err, errlen);
    return rc;
}

/* One GET /health on a fresh connection; true on a 200. */
static bool health_ok(const char *address)
{
    struct http_response r;
    if (httpc_request_addr(address, "GET", "/health", NULL, &r) != 0)
        return false;
    bool ok = r.status == 200;
    httpc_free(&r);
    return ok;
}

/* Waits until p answers /health; a process that dies meanwhile is reported at once
 * (rather than after the whole wait) and reaped. */
static int wait_healthy(const struct sut *s, struct sut_proc *p, const char *when, char *err,
                        size_t errlen)
{
    int limit_ms = p->target ? SUT_TARGET_READY_TIMEOUT_MS : SUT_READY_TIMEOUT_MS;
    double deadline = clock_now_ms() + limit_ms;
    while (clock_now_ms() < deadline) {
        if (health_ok(p->address))
            return 0;
        int st;
        if (waitpid(p->pid, &st, WNOHANG) == p->pid) {
            p->pid = 0;
            char logpath[4096];
            log_path(&s->opt, p->name, logpath, sizeof logpath);
            report_death(p->name, st, logpath, when, err, errlen);
            return -1;
        }
        sleep_ms(2);
    }
    snprintf(err, errlen, "%s at %s did not answer /health within %d s of its %s", p->name,
             p->address, limit_ms / 1000, when);
    return -1;
}

/* The address server `name` listens on: its default port with fixed_ports
 * (archbench up), any free port otherwise; on its own host's address with --hosts. */
static char *listen_addr(const struct sut_options *opt, const char *name, const char *fixed,
                         char *buf, size_t len)
{
    if (opt->hosts) {
        snprintf(buf, len, "%s:0", hosts_address(opt->hosts, name));
        return buf;
    }
    return (char *)(opt->fixed_ports ? fixed : "127.0.0.1:0");
}

/* The monolith, auth-service and profile-service: a server on one database; the
 * services with the service secret (secret NULL for the monolith). */
static int start_db_server(struct sut *s, const struct sut_options *opt, const char *name,
                           const char *fixed, const char *db_file, char *threads,
                           char *secret, char *err, size_t errlen)
{
    char bin[512], db[4096], addr[64];
    snprintf(bin, sizeof bin, "%s/%s", opt->bin_dir, name);
    snprintf(db, sizeof db, "%s/%s", opt->data_dir, db_file);
    char *argv[] = {bin, "--listen", listen_addr(opt, name, fixed, addr, sizeof addr), "--db",
                    db, "--threads", threads, secret ? "--service-secret" : NULL, secret, NULL};
    return spawn(s, opt, name, argv, err, errlen);
}

/* The URL of the process started last. */
static void last_url(const struct sut *s, char *out, size_t len)
{
    snprintf(out, len, "http://%s", s->procs[s->nprocs - 1].address);
}

static int start_microservices(struct sut *s, const struct sut_options *opt, char *threads,
                               char *err, size_t errlen)
{
    char bin[512], auth_url[128], profile_url[128], addr[64], secret[4096];
    /* Data seeded before the seed wrote a service secret gets one now. */
    seed_secret_path(opt->data_dir, secret, sizeof secret);
    if (!service_secret_ensure(secret, err, errlen))
        return -1;
    if (start_db_server(s, opt, "auth-service", "127.0.0.1:9101", "auth.db", threads, secret,
                        err, errlen) != 0)
        return -1;
    last_url(s, auth_url, sizeof auth_url);
    if (start_db_server(s, opt, "profile-service", "127.0.0.1:9102", "profiles.db", threads,
                        secret, err, errlen) != 0)
        return -1;
    last_url(s, profile_url, sizeof profile_url);
    snprintf(bin, sizeof bin, "%s/gateway", opt->bin_dir);
    char *argv[] = {bin, "--listen",
                    listen_addr(opt, "gateway", "127.0.0.1:8081", addr, sizeof addr),
                    "--auth-url", auth_url, "--profile-url", profile_url, "--threads", threads,
                    "--service-secret", secret, NULL};
    return spawn(s, opt, "gateway", argv, err, errlen);
}

static int start_serverless(struct sut *s, const struct sut_options *opt, char *err,
                            size_t errlen)
{
    char bin[512], fn[512], env[4096], idle[32], addr[64];
    snprintf(bin, sizeof bin, "%s/faas", opt->bin_dir);
    snprintf(fn, sizeof fn, "%s/fn-get-profile", opt->bin_dir);
    snprintf(env, sizeof env, "ARCHBENCH_DB=%s/app.db", opt->data_dir);
    snprintf(idle, sizeof idle, "%u", opt->idle_timeout_ms);
    char *argv[16];
    int n = 0;
    argv[n++] = bin;
    argv[n++] = "--listen";
    argv[n++] = listen_addr(opt, "faas", "127.0.0.1:8082", addr, sizeof addr);
    argv[n++] = "--function";
    argv[n++] = fn;
    argv[n++] = "--env";
    argv[n++] = env;
    if (opt->idle_timeout_ms) {
        argv[n++] = "--idle-timeout-ms";
        argv[n++] = idle;
    }
    if (opt->start_mode) {
        argv[n++] = "--start";
        argv[n++] = (char *)opt->start_mode;
    }
    if (opt->report_log) {
        argv[n++] = "--report-log";
        argv[n++] = (char *)opt->report_log;
    }
    argv[n] = NULL;
    return spawn(s, opt, "faas", argv, err, errlen);
}

/* A free port on the loopback for a target's {port}: bound, read back, released.
 * Another process could take it before the target binds it; the target then fails
 * to start and the run says so. */
static int free_port(char *out, size_t len)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    int rc = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
                     getsockname(fd, (struct sockaddr *)&a, &alen) == 0
                 ? 0
                 : -1;
    if (rc == 0)
        snprintf(out, len, "%u", (unsigned)ntohs(a.sin_port));
    if (fd >= 0)
        close(fd);
    return rc;
}

/* The command with every {port} and {data} replaced. */
static int substitute(const char *command, const char *port, const char *data, char *out,
                      size_t len)
{
    size_t o = 0;
    for (const char *p = command; *p; p++) {
        const char *with = strncmp(p, "{port}", 6) == 0 ? port
                           : strncmp(p, "{data}", 6) == 0 ? data : NULL;
        size_t n = with ? strlen(with) : 1;
        if (o + n + 1 > len)
            return -1;
        memcpy(out + o, with ? with : p, n);
        o += n;
        p += with ? 5 : 0;
    }
    out[o] = '\0';
    return 0;
}

/* Empties dir (made if missing) and links into it every file of data but the
 * service secret; dir's absolute path into out. */
static int target_data_view(const char *data, const char *dir, char *out, size_t len)
{
    char real[4096], secret[4200], from[8400], to[8400];
    if (realpath(data, real) == NULL || (mkdir(dir, 0755) != 0 && errno != EEXIST) ||
        realpath(dir, out) == NULL || strlen(out) >= len)
        return -1;
    seed_secret_path(real, secret, sizeof secret);
    DIR *old = opendir(out), *src = opendir(real);
    struct dirent *e;
    while (old && (e = readdir(old)) != NULL)
        if (e->d_name[0] != '.')
            unlinkat(dirfd(old), e->d_name, 0);
    int rc = src ? 0 : -1;
    while (src && rc == 0 && (e = readdir(src)) != NULL) {
        snprintf(from, sizeof from, "%s/%s", real, e->d_name);
        snprintf(to, sizeof to, "%s/%s", out, e->d_name);
        if (e->d_name[0] != '.' && strcmp(from, secret) != 0)
            rc = symlink(from, to);
    }
    if (old)
        closedir(old);
    if (src)
        closedir(src);
    return rc;
}

/* A target's command, through /bin/sh like a line typed in a terminal, listening
 * on a port chosen here, against the run's data folder (absolute: the command may
 * change directory; without the service secret when opt->target_data is given). A
 * URL target starts nothing. */
static int start_target(struct sut *s, const struct sut_options *opt, const struct sut_target *t,
                        char *err, size_t errlen)
{
    if (t->url[0])
        return 0;
    char port[8], data[4096], cmd[sizeof t->command + 8192];
    int view = opt->target_data
                   ? target_data_view(opt->data_dir, opt->target_data, data, sizeof data)
                   : (realpath(opt->data_dir, data) ? 0 : -1);
    if (free_port(port, sizeof port) != 0 || view != 0 ||
        substitute(t->command, port, data, cmd, sizeof cmd) != 0) {
        snprintf(err, errlen, "%s: cannot prepare its command (a port, %s, or too long)",
                 t->name, opt->data_dir);
        return -1;
    }
    /* A simple command replaces the shell (exec), which would otherwise stay as
     * a process of the target, counted in its memory and its processes; a list,
     * a pipeline or a leading VAR=value keeps it. */
    size_t first = strcspn(cmd, " \t");
    bool simple = strpbrk(cmd, ";&|<>()`$\\\n") == NULL && memchr(cmd, '=', first) == NULL;
    char line[sizeof cmd + 8];
    snprintf(line, sizeof line, "%s%s", simple ? "exec " : "", cmd);
    struct sut_proc *p = &s->procs[0];
    p->target = true;
    snprintf(p->address, sizeof p->address, "127.0.0.1:%s", port);
    char *argv[] = {"/bin/sh", "-c", line, NULL};
    return spawn(s, opt, t->name, argv, err, errlen);
}

static int start_arch(struct sut *s, enum sut_arch arch, const struct sut_options *opt,
                      char *err, size_t errlen)
{
    char threads[16];
    snprintf(threads, sizeof threads, "%u", opt->threads ? opt->threads : 1);
    /* Each architecture starts its public server last: it needs the others'
     * addresses. */
    switch (arch) {
    case SUT_MONOLITH:
        return start_db_server(s, opt, "monolith", "127.0.0.1:8080", "app.db", threads, NULL,
                               err, errlen);
    case SUT_MICROSERVICES: return start_microservices(s, opt, threads, err, errlen);
    case SUT_SERVERLESS: return start_serverless(s, opt, err, errlen);
    default: return start_target(s, opt, sut_target(arch), err, errlen);
    }
}

int sut_start(struct sut *s, enum sut_arch arch, const struct sut_options *opt,
              char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->arch = arch;
    s->opt = *opt;
    double t0 = clock_now_ms();
    int rc = start_arch(s, arch, opt, err, errlen);
    /* Every internal server answers /health too: all must be up. */
    for (unsigned i = 0; i < s->nprocs && rc == 0; i++)
        rc = wait_healthy(s, &s->procs[i], "start-up", err, errlen);
    if (rc != 0) {
        sut_stop(s);
        return -1;
    }
    const struct sut_target *t = sut_target(arch);
    s->startup_ms = t && t->url[0] ? NAN : clock_now_ms() - t0;
    if (t && t->url[0])
        snprintf(s->url, sizeof s->url, "%s/profile", t->url);
    else
        snprintf(s->url, sizeof s->url, "http://%s/profile", s->procs[s->nprocs - 1].address);
    return 0;
}

int sut_restart(struct sut *s, unsigned i, char *err, size_t errlen)
{
    struct sut_proc *p = &s->procs[i];
    if (p->pid > 0) {
        kill(p->pid, SIGKILL);
        waitpid(p->pid, NULL, 0);
        p->pid = 0;
    }
    /* the same port as before: the others (and clients) know it */
    for (int k = 0; p->argv[k] && p->argv[k + 1]; k++)
        if (strcmp(p->argv[k], "--listen") == 0)
            p->argv[k + 1] = p->address;
    if (spawn_at(s, i, &s->opt, p->name, p->argv, err, errlen) != 0)
        return -1;
    return wait_healthy(s, p, "a restart", err, errlen);
}

int sut_proc_index(const struct sut *s, const char *name)
{
    for (unsigned i = 0; i < s->nprocs; i++)
        if (strcmp(s->procs[i].name, name) == 0)
            return (int)i;
    return -1;
}

const char *sut_public_address(const struct sut *s)
{
    return s->nprocs ? s->procs[s->nprocs - 1].address : "";
}


bool sut_alive(const struct sut *s, char *which, size_t len)
{
    for (unsigned i = 0; i < s->nprocs; i++) {
        int st;
        if (s->procs[i].pid <= 0 || waitpid(s->procs[i].pid, &st, WNOHANG) != 0) {
            snprintf(which, len, "%s", s->procs[i].name);
            return false;
        }
    }
    return true;
}

/* Calls fn for every process whose process group is pgid. */
static void for_each_in_group(pid_t pgid,
                              void (*fn)(pid_t pid, const char *comm, const char *stat,
                                         void *arg),
                              void *arg)
{
    DIR *d = opendir("/proc");
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        char path[300], buf[1024];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
            continue;
        buf[n] = '\0';
        /* "pid (comm) state ppid pgrp ...": comm may hold spaces and parens. */
        char *open_paren = strchr(buf, '('), *rest = strrchr(buf, ')');
        if (open_paren == NULL || rest == NULL || rest < open_paren)
            continue;
        char state;
        int ppid, pgrp;
        if (sscanf(rest + 2, "%c %d %d", &state, &ppid, &pgrp) != 3 || pgrp != pgid ||
            state == 'Z')
            continue;
        *rest = '\0';
        fn((pid_t)atoi(e->d_name), open_paren + 1, rest + 2, arg);
    }
    closedir(d);
}

struct sampling {
    struct sut_sample *out;
    const char *const *processes; /* the architecture's, sut_processes */
    bool whole;                   /* a target: every process's CPU under its one name */
};

/* Where a process's CPU goes in sut_sample.process_cpu_s: its own to its command
 * name, that of the children it reaped to theirs (faas reaps the function
 * instances it started). -1: a name the architecture does not list. */
static int process_index(const char *const *processes, const char *comm, bool children)
{
    if (children && strcmp(comm, "faas") == 0)
        comm = "fn-get-profile";
    for (int i = 0; processes[i] != NULL; i++)
        if (strcmp(processes[i], comm) == 0)
            return i;
    return -1;
}

static void add_sample(pid_t pid, const char *comm, const char *stat, void *arg)
{
    (void)pid;
    struct sampling *sp = arg;
    struct sut_sample *out = sp->out;
    /* fields from "state": 1 state .. 12 utime 13 stime 14 cutime 15 cstime ..
     * 22 rss (pages) */
    unsigned long long v[23] = {0};
    const char *p = stat;
    for (int i = 1; i <= 22 && p; i++) {
        if (i >= 12)
            v[i] = strtoull(p, NULL, 10);
        p = strchr(p, ' ');
        if (p)
            p++;
    }
    static long hz, page_kb;
    if (hz == 0) {
        hz = sysconf(_SC_CLK_TCK);
        page_kb = sysconf(_SC_PAGESIZE) / 1024;
    }
    out->cpu_s += (double)(v[12] + v[13] + v[14] + v[15]) / (double)hz;
    out->rss_kb += v[22] * (unsigned long long)page_kb;
    out->nprocs++;
    int own = sp->whole ? 0 : process_index(sp->processes, comm, false);
    int children = sp->whole ? 0 : process_index(sp->processes, comm, true);
    if (own >= 0)
        out->process_cpu_s[own] += (double)(v[12] + v[13]) / (double)hz;
    if (children >= 0)
        out->process_cpu_s[children] += (double)(v[14] + v[15]) / (double)hz;
}

static void add_sample_pss(pid_t pid, const char *comm, const char *stat, void *arg)
{
    add_sample(pid, comm, stat, arg);
    ((struct sampling *)arg)->out->pss_kb += procfs_kb(pid, "smaps_rollup", "Pss:");
}

void sut_sample(const struct sut *s, struct sut_sample *out)
{
    memset(out, 0, sizeof *out);
    struct sampling sp = {.out = out, .processes = sut_processes(s->arch),
                          .whole = sut_target(s->arch) != NULL};
    if (s->pgid > 0)
        for_each_in_group(s->pgid, add_sample, &sp);
}

void sut_sample_pss(const struct sut *s, struct sut_sample *out)
{
    memset(out, 0, sizeof *out);
    struct sampling sp = {.out = out, .processes = sut_processes(s->arch),
                          .whole = sut_target(s->arch) != NULL};
    if (s->pgid > 0)
        for_each_in_group(s->pgid, add_sample_pss, &sp);
}

struct find_named {
    const char *comm;
    pid_t found;
};

static void match_name(pid_t pid, const char *comm, const char *stat, void *arg)
{
    (void)stat;
    struct find_named *fn = arg;
    if (fn->found == 0 && strcmp(comm, fn->comm) == 0)
        fn->found = pid;
}

pid_t sut_find_named(const struct sut *s, const char *comm)
{
    struct find_named fn = {.comm = comm};
    if (s->pgid > 0)
        for_each_in_group(s->pgid, match_name, &fn);
    return fn.found;
}

static void count_one(pid_t pid, const char *comm, const char *stat, void *arg)
{
    (void)pid;
    (void)comm;
    (void)stat;
    (*(unsigned *)arg)++;
}

unsigned sut_count_group(pid_t pgid)
{
    unsigned n = 0;
    for_each_in_group(pgid, count_one, &n);
    return n;
}

static void reap(struct sut *s)
{
    for (unsigned i = 0; i < s->nprocs; i++) {
        int st;
        if (s->procs[i].pid > 0 && waitpid(s->procs[i].pid, &st, WNOHANG) == s->procs[i].pid)
            s->procs[i].pid = 0;
    }
}

struct group_state {
    unsigned running; /* processes not yet stopped */
};

/* Stopped (T, t), or in uninterruptible sleep (D): a process that forks with
 * posix_spawn waits in D until its child has exec'd, and a child stopped before
 * its exec keeps it there until both are thawed; either way it takes no CPU, and
 * the pending SIGSTOP stops it as soon as it wakes. */
static void count_running(pid_t pid, const char *comm, const char *stat, void *arg)
{
    (void)pid;
    (void)comm;
    if (stat[0] != 'T' && stat[0] != 't' && stat[0] != 'D')
        ((struct group_state *)arg)->running++;
}

bool sut_freeze(const struct sut *s)
{
    if (s->pgid <= 0)
        return true;
    kill(-s->pgid, SIGSTOP);
    /* A process forked while the signal was on its way (a new instance) is in the
     * group but not stopped: signal again until none runs. */
    for (int i = 0; i < 1000; i++) { /* 5 s: a sanitizer build can take seconds */
        struct group_state g = {0};
        for_each_in_group(s->pgid, count_running, &g);
        if (g.running == 0)
            return true;
        kill(-s->pgid, SIGSTOP);
        sleep_ms(5);
    }
    return false;
}

void sut_thaw(const struct sut *s)
{
    if (s->pgid > 0)
        kill(-s->pgid, SIGCONT);
}

int sut_stop(struct sut *s)
{
    if (s->pgid <= 0)
        return 0;
    kill(-s->pgid, SIGTERM);
    kill(-s->pgid, SIGCONT); /* a frozen group handles SIGTERM only once running */
    double deadline = clock_now_ms() + SUT_STOP_TIMEOUT_MS;
    for (;;) {
        reap(s);
        if (sut_count_group(s->pgid) == 0)
            break;
        if (clock_now_ms() > deadline) {
            unsigned left = sut_count_group(s->pgid);
            kill(-s->pgid, SIGKILL);
            sleep_ms(50);
            reap(s);
            s->pgid = 0;
            return (int)left;
        }
        sleep_ms(5);
    }
    s->pgid = 0;
    /* Belt and braces: a process of ours outside the group (it could not join it)
     * is still ours to stop, and is reported as a leftover. */
    int strays = 0;
    for (unsigned i = 0; i < s->nprocs; i++)
        if (s->procs[i].pid > 0 && waitpid(s->procs[i].pid, NULL, WNOHANG) == 0) {
            kill(s->procs[i].pid, SIGKILL);
            waitpid(s->procs[i].pid, NULL, 0);
            s->procs[i].pid = 0;
            strays++;
        }
    return strays;
}
