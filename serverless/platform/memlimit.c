/* Instance memory limits: a cgroup per slot, or a watchdog (see memlimit.h). */
#include "memlimit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* Moving a process into a cgroup (a write to cgroup.procs) takes the kernel's
 * cgroup_threadgroup_rwsem for writing, which waits for an RCU grace period unless
 * another move happened just before: 3.6 ms for a lone move on this VM, 0.02 ms
 * for the next ones back to back, and under load up to ~13 ms. Done in the
 * instance manager, it delayed every cold start by that much (fork-server Init
 * Duration 1.9 -> 15.8 ms, exec 8.9 -> 13.1 ms, same run). So a thread of this
 * module moves instances in, while they initialise: what an instance allocates
 * before it is moved (its first milliseconds) is charged to faas's cgroup. */
struct memlimit {
    unsigned limit_mb, slots;
    char base[512];          /* this faas's cgroup directory; "" for the watchdog */
    pthread_mutex_t mu;      /* guards what follows */
    pthread_cond_t work;
    bool *made;              /* per slot: its cgroup exists */
    unsigned long *oom_seen; /* per slot: OOM kills counted when it was attached */
    pid_t *pending;          /* per slot: a process to move in, 0: none */
    bool stop;
    pthread_t mover;
    bool mover_started;
};

/* Reads a small file into buf (NUL-terminated); bytes read, or -1. */
static ssize_t read_small(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, len - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return n;
}

static int write_file(const char *dir, const char *name, const char *value)
{
    char path[640];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, value, strlen(value));
    int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)strlen(value) ? 0 : -1;
}

/* Whether a comma-separated list holds word. */
static bool has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; p != NULL; p = strchr(p, ',')) {
        p += *p == ',';
        if (strncmp(p, word, n) == 0 && (p[n] == ',' || p[n] == '\0' || p[n] == '\n'))
            return true;
    }
    return false;
}

/* The directory of this process's cgroup in the v1 memory hierarchy: the
 * hierarchy's mount point (/proc/self/mountinfo) joined with the path
 * /proc/self/cgroup gives for "memory", less the mount's own root. */
static int own_cgroup_dir(char *out, size_t outlen, char *why, size_t whylen)
{
    char buf[8192], root[256] = "", mount[256] = "";
    FILE *f = fopen("/proc/self/mountinfo", "re");
    while (f != NULL && mount[0] == '\0' && fgets(buf, sizeof buf, f) != NULL) {
        char r[256], m[256], *dash = strstr(buf, " - cgroup ");
        if (dash == NULL || sscanf(buf, "%*s %*s %*s %255s %255s", r, m) != 2)
            continue;
        char *opts = strrchr(dash, ' ');
        if (opts != NULL && has_word(opts + 1, "memory")) {
            snprintf(root, sizeof root, "%s", r);
            snprintf(mount, sizeof mount, "%s", m);
        }
    }
    if (f != NULL)
        fclose(f);
    if (mount[0] == '\0') {
        snprintf(why, whylen, "no cgroup v1 memory controller is mounted");
        return -1;
    }
    char path[512] = "";
    f = fopen("/proc/self/cgroup", "re");
    while (f != NULL && path[0] == '\0' && fgets(buf, sizeof buf, f) != NULL) {
        char *c1 = strchr(buf, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (c2 == NULL)
            continue;
        *c2 = '\0';
        if (has_word(c1 + 1, "memory")) {
            c2[1 + strcspn(c2 + 1, "\n")] = '\0';
            snprintf(path, sizeof path, "%s", c2 + 1);
        }
    }
    if (f != NULL)
        fclose(f);
    size_t rlen = strcmp(root, "/") == 0 ? 0 : strlen(root);
    if (path[0] == '\0' || strncmp(path, root, rlen) != 0) {
        snprintf(why, whylen, "this process's memory cgroup is not under its mount");
        return -1;
    }
    snprintf(out, outlen, "%s%s", mount, path + rlen);
    return 0;
}

static void *mover_main(void *arg);
static unsigned kill_all(const char *dir);

/* The cgroups of a faas that was killed (SIGKILL leaves no time to remove them)
 * under dir: their processes are killed and the directories removed. */
static void reap_stale(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        int pid;
        char path[700], slot[1000];
        if (sscanf(e->d_name, "faas-%d", &pid) != 1 || pid <= 0 ||
            kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        DIR *sd = opendir(path);
        struct dirent *se;
        while (sd != NULL && (se = readdir(sd)) != NULL) {
            if (strncmp(se->d_name, "slot-", 5) != 0)
                continue;
            snprintf(slot, sizeof slot, "%s/%s", path, se->d_name);
            kill_all(slot);
            rmdir(slot);
        }
        if (sd != NULL)
            closedir(sd);
        if (rmdir(path) == 0)
            log_info("removed the memory cgroups of faas %d, which is gone", pid);
    }
    if (d != NULL)
        closedir(d);
}

struct memlimit *memlimit_open(unsigned limit_mb, unsigned slots, char *how, size_t howlen)
{
    struct memlimit *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->limit_mb = limit_mb;
    m->slots = slots;
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->work, NULL);
    m->made = calloc(slots, sizeof *m->made);
    m->oom_seen = calloc(slots, sizeof *m->oom_seen);
    m->pending = calloc(slots, sizeof *m->pending);
    if (m->made == NULL || m->oom_seen == NULL || m->pending == NULL) {
        memlimit_close(m);
        return NULL;
    }
    char dir[400], why[600];
    if (own_cgroup_dir(dir, sizeof dir, why, sizeof why) == 0) {
        reap_stale(dir);
        snprintf(m->base, sizeof m->base, "%s/faas-%d", dir, (int)getpid());
        if (mkdir(m->base, 0755) != 0) {
            snprintf(why, sizeof why, "mkdir %s: %s", m->base, strerror(errno));
            m->base[0] = '\0';
        }
    }
    if (m->base[0] != '\0' && pthread_create(&m->mover, NULL, mover_main, m) != 0) {
        snprintf(why, sizeof why, "cannot start a thread");
        rmdir(m->base);
        m->base[0] = '\0';
    }
    m->mover_started = m->base[0] != '\0';
    if (m->base[0] != '\0')
        snprintf(how, howlen, "a cgroup v1 memory limit per instance (in %s)", m->base);
    else
        snprintf(how, howlen, "a peak-RSS watchdog every %d ms (no memory cgroup: %s)",
                 MEMLIMIT_WATCH_MS, why);
    return m;
}

bool memlimit_is_cgroup(const struct memlimit *m)
{
    return m->base[0] != '\0';
}

static void slot_dir(const struct memlimit *m, unsigned slot, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/slot-%u", m->base, slot);
}

/* The OOM kills the kernel counted in dir's cgroup ("oom_kill N" in oom_control). */
static unsigned long oom_kills(const char *dir)
{
    char path[640], buf[512];
    snprintf(path, sizeof path, "%s/memory.oom_control", dir);
    if (read_small(path, buf, sizeof buf) <= 0)
        return 0;
    const char *k = strstr(buf, "oom_kill ");
    return k ? strtoul(k + 9, NULL, 10) : 0;
}

/* Makes slot's cgroup with the limit; memsw (memory + swap) too, where swap
 * accounting exists, so that an instance cannot go over by swapping. */
static int make_slot(struct memlimit *m, unsigned slot, char *err, size_t errlen)
{
    char dir[600], bytes[32];
    slot_dir(m, slot, dir, sizeof dir);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "mkdir %s: %s", dir, strerror(errno));
        return -1;
    }
    snprintf(bytes, sizeof bytes, "%llu", (unsigned long long)m->limit_mb << 20);
    if (write_file(dir, "memory.limit_in_bytes", bytes) != 0 ||
        (write_file(dir, "memory.memsw.limit_in_bytes", bytes) != 0 && errno != ENOENT)) {
        snprintf(err, errlen, "%s: setting the limit: %s", dir, strerror(errno));
        return -1;
    }
    m->made[slot] = true;
    return 0;
}

/* Moves pid into slot's cgroup (made on first use). Called by the mover. */
static int move_in(struct memlimit *m, unsigned slot, pid_t pid, char *err, size_t errlen)
{
    pthread_mutex_lock(&m->mu);
    bool made = m->made[slot];
    pthread_mutex_unlock(&m->mu);
    if (!made && make_slot(m, slot, err, errlen) != 0)
        return -1;
    char dir[600], text[32];
    slot_dir(m, slot, dir, sizeof dir);
    unsigned long seen = oom_kills(dir);
    pthread_mutex_lock(&m->mu);
    m->made[slot] = true;
    m->oom_seen[slot] = seen;
    pthread_mutex_unlock(&m->mu);
    snprintf(text, sizeof text, "%d", (int)pid);
    if (write_file(dir, "cgroup.procs", text) != 0 && errno != ESRCH) {
        snprintf(err, errlen, "%s: adding process %d: %s", dir, (int)pid, strerror(errno));
        return -1;
    }
    return 0;
}

static void *mover_main(void *arg)
{
    struct memlimit *m = arg;
    pthread_mutex_lock(&m->mu);
    while (!m->stop) {
        unsigned slot = 0;
        while (slot < m->slots && m->pending[slot] == 0)
            slot++;
        if (slot == m->slots) {
            pthread_cond_wait(&m->work, &m->mu);
            continue;
        }
        pid_t pid = m->pending[slot];
        m->pending[slot] = 0;
        pthread_mutex_unlock(&m->mu);
        char err[700];
        if (move_in(m, slot, pid, err, sizeof err) != 0)
            log_warn("instance process %d runs without its memory limit: %s", (int)pid, err);
        pthread_mutex_lock(&m->mu);
    }
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

void memlimit_attach(struct memlimit *m, unsigned slot, pid_t pid)
{
    if (!memlimit_is_cgroup(m) || slot >= m->slots)
        return;
    pthread_mutex_lock(&m->mu);
    m->pending[slot] = pid;
    pthread_cond_signal(&m->work);
    pthread_mutex_unlock(&m->mu);
}

/* Sends SIGKILL to every process in dir's cgroup; how many there were. */
static unsigned kill_all(const char *dir)
{
    char path[640], buf[4096];
    snprintf(path, sizeof path, "%s/cgroup.procs", dir);
    if (read_small(path, buf, sizeof buf) <= 0)
        return 0;
    unsigned n = 0;
    for (char *p = buf, *end; *p != '\0'; p = end) {
        long pid = strtol(p, &end, 10);
        if (end == p)
            break;
        if (pid > 0 && kill((pid_t)pid, SIGKILL) == 0)
            n++;
    }
    return n;
}

bool memlimit_release(struct memlimit *m, unsigned slot)
{
    if (!memlimit_is_cgroup(m) || slot >= m->slots)
        return false;
    pthread_mutex_lock(&m->mu);
    bool moved = m->made[slot] && m->pending[slot] == 0;
    m->pending[slot] = 0; /* gone before it was moved in: nothing to do */
    unsigned long seen = m->oom_seen[slot];
    pthread_mutex_unlock(&m->mu);
    if (!moved)
        return false;
    char dir[600];
    slot_dir(m, slot, dir, sizeof dir);
    kill_all(dir);
    unsigned long now = oom_kills(dir);
    pthread_mutex_lock(&m->mu);
    m->oom_seen[slot] = now; /* a kill is counted once */
    pthread_mutex_unlock(&m->mu);
    return now > seen;
}

void memlimit_close(struct memlimit *m)
{
    if (m == NULL)
        return;
    if (m->mover_started) {
        pthread_mutex_lock(&m->mu);
        m->stop = true;
        pthread_cond_signal(&m->work);
        pthread_mutex_unlock(&m->mu);
        pthread_join(m->mover, NULL);
    }
    for (unsigned i = 0; memlimit_is_cgroup(m) && i < m->slots; i++) {
        if (!m->made[i])
            continue;
        char dir[600];
        slot_dir(m, i, dir, sizeof dir);
        /* A killed process leaves its cgroup when it is gone: wait up to 1 s. */
        for (int tries = 0; tries < 100 && rmdir(dir) != 0 && errno == EBUSY; tries++) {
            kill_all(dir);
            nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
        }
    }
    if (memlimit_is_cgroup(m))
        rmdir(m->base);
    free(m->made);
    free(m->oom_seen);
    free(m->pending);
    pthread_mutex_destroy(&m->mu);
    pthread_cond_destroy(&m->work);
    free(m);
}

unsigned memlimit_peak_mb(pid_t pid)
{
    char path[64], buf[2048];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    if (read_small(path, buf, sizeof buf) <= 0)
        return 0;
    const char *hwm = strstr(buf, "VmHWM:");
    if (hwm == NULL)
        return 0;
    unsigned long kb = strtoul(hwm + 6, NULL, 10);
    return (unsigned)((kb + 1023) / 1024);
}
