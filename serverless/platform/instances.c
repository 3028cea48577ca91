/* The instance manager (see instances.h). */
#include "clock.h"
#include "instances.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "procfs.h"
#include "server.h"

enum inv_state { INV_NEW, INV_QUEUED, INV_ASSIGNED, INV_DELIVERED, INV_DONE };

enum inst_state {
    SLOT_FREE,
    INST_SPAWN,   /* reserved; the manager thread starts the process */
    INST_RUNNING, /* process started (it may still be initialising) */
};

/* AWS gives the init phase 10 s, separately from the invocation timeout. */
#define INIT_TIMEOUT_NS (10LL * 1000 * 1000 * 1000)
/* Peak memory (VmHWM, a high-water mark that never goes down, so reading it
 * rarely loses no peak) is read from /proc at most this often per instance; at
 * 64 busy instances a read per 100 ms would cost about 2 % of a CPU. */
#define MEMORY_SAMPLE_NS (500LL * 1000 * 1000)

struct instance {
    enum inst_state state;
    unsigned slot, gen;
    unsigned worker;           /* whose Runtime API port it calls */
    char name[24];             /* "slot-gen": its Runtime API path element */
    pid_t pid;                 /* 0 until started */
    int pidfd;
    bool own_child;
    int64_t spawn_ns;
    bool initialised;          /* has called /next */
    double init_ms;            /* for the next REPORT; < 0 when none is due */
    struct invocation *inv;    /* assigned or delivered, holds a reference */
    struct MHD_Connection *next_conn; /* parked /next */
    int64_t idle_since_ns;
    const char *kill_reason;   /* set when faas decided to stop it */
    bool killed;               /* SIGKILL sent */
    bool init_failed;
    unsigned max_memory_mb;
    int64_t memory_read_ns;
};

struct instances {
    struct instances_config cfg;
    pthread_mutex_t mu;
    pthread_cond_t started;    /* broadcast when a spawn finished (pid known) */
    struct instance *inst;
    unsigned live;             /* slots in use */
    unsigned next_gen;
    unsigned next_worker;      /* round robin for provisioned instances */
    struct invocation *qhead, *qtail;
    unsigned qlen;
    bool stopping;
    int wake_fd;
    int64_t wake_at_ns;        /* when the sleeping manager plans to wake up */
    bool manager_awake;        /* it is not in poll(): it rechecks before sleeping */
    int64_t awake_min;         /* deadlines noted while it was awake */
    pthread_t thread;
    bool thread_started;
};

static int64_t now_ns(void) { return (int64_t)clock_now_ns(); }

static int64_t unix_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct invocation *invocation_new(const char *id, char *event, size_t event_len)
{
    struct invocation *inv = calloc(1, sizeof *inv);
    if (inv == NULL)
        return NULL;
    atomic_init(&inv->refs, 1);
    snprintf(inv->id, sizeof inv->id, "%s", id);
    inv->event = event;
    inv->event_len = event_len;
    return inv;
}

void invocation_unref(void *ptr)
{
    struct invocation *inv = ptr;
    if (inv == NULL || atomic_fetch_sub(&inv->refs, 1) != 1)
        return;
    free(inv->event);
    free(inv->result);
    free(inv);
}

static void wake(struct instances *p)
{
    uint64_t one = 1;
    ssize_t n = write(p->wake_fd, &one, sizeof one);
    (void)n;
}

/* A new deadline: wake the manager if it planned to sleep past it. Locked. */
static void note_deadline(struct instances *p, int64_t t)
{
    if (p->manager_awake) {
        if (t < p->awake_min)
            p->awake_min = t;
        return;
    }
    if (t < p->wake_at_ns) {
        p->wake_at_ns = t;
        wake(p);
    }
}

/* Ends inv with status (0: the function's result is in inv->result) and resumes
 * its trigger connection; drops the manager's reference. Locked. */
static void complete(struct invocation *inv, unsigned status, const char *detail)
{
    inv->status = status;
    if (detail)
        snprintf(inv->detail, sizeof inv->detail, "%s", detail);
    inv->state = INV_DONE;
    inv->done = true;
    server_resume(inv->conn);
    invocation_unref(inv);
}

static void write_report(struct instances *p, const struct instance *in,
                         const struct invocation *inv, double duration_ms, double init_ms,
                         const char *status)
{
    struct lambda_log_entry e = {.request_id = inv->id, .duration_ms = duration_ms,
                             .init_ms = init_ms, .memory_mb = p->cfg.memory_mb,
                             .max_memory_mb = in->max_memory_mb, .status = status,
                             .pid = in->pid, .instance = in->name};
    lambda_log_write(p->cfg.report, &e);
}

/* Reports an invocation that ended without a result (timeout, crash, init error).
 * Locked (these are rare, so the write under the lock does not matter). */
static void log_failure(struct instances *p, struct instance *in,
                           struct invocation *inv, const char *status)
{
    int64_t now = now_ns();
    double duration = inv->state == INV_DELIVERED ? (now - inv->delivered_ns) / 1e6 : 0;
    double init = in->init_ms;
    if (!in->initialised)
        init = (now - in->spawn_ns) / 1e6;
    write_report(p, in, inv, duration, init, status);
    in->init_ms = -1;
}

/* Reserves a slot for a new instance, optionally with its first invocation.
 * Locked; the caller checked live < max_concurrency. */
static struct instance *reserve(struct instances *p, struct invocation *inv, int64_t now)
{
    for (unsigned i = 0; i < p->cfg.max_concurrency; i++) {
        struct instance *in = &p->inst[i];
        if (in->state != SLOT_FREE)
            continue;
        memset(in, 0, sizeof *in);
        in->state = INST_SPAWN;
        in->slot = i;
        in->gen = ++p->next_gen;
        in->pidfd = -1;
        in->init_ms = -1;
        snprintf(in->name, sizeof in->name, "%u-%u", in->slot, in->gen);
        /* Started for an invocation: it belongs to the worker that received it. */
        in->worker = inv ? inv->worker : p->next_worker++ % p->cfg.workers;
        in->spawn_ns = now;
        in->idle_since_ns = now;
        if (inv) {
            in->inv = inv;
            inv->state = INV_ASSIGNED;
            inv->deadline_ns = now + INIT_TIMEOUT_NS;
        }
        p->live++;
        wake(p);
        return in;
    }
    return NULL;
}

/* Gives inv to instance in; resumes its parked /next if there is one. Locked. */
static void assign(struct instances *p, struct instance *in, struct invocation *inv,
                   int64_t now)
{
    in->inv = inv;
    inv->state = INV_ASSIGNED;
    inv->deadline_ns = now + (in->initialised ? (int64_t)p->cfg.timeout_ms * 1000000
                                              : INIT_TIMEOUT_NS);
    note_deadline(p, inv->deadline_ns);
    if (in->next_conn) {
        server_resume(in->next_conn);
        in->next_conn = NULL;
    }
}

static struct invocation *dequeue(struct instances *p)
{
    struct invocation *inv = p->qhead;
    if (inv) {
        p->qhead = inv->next;
        if (p->qhead == NULL)
            p->qtail = NULL;
        inv->next = NULL;
        p->qlen--;
    }
    return inv;
}

static bool usable(const struct instance *in)
{
    return in->state != SLOT_FREE && in->kill_reason == NULL && !in->init_failed;
}

void instances_submit(struct instances *p, struct invocation *inv)
{
    atomic_fetch_add(&inv->refs, 1);
    int64_t now = now_ns();
    pthread_mutex_lock(&p->mu);
    if (p->stopping) {
        complete(inv, 503, "the function platform is stopping");
        pthread_mutex_unlock(&p->mu);
        return;
    }
    /* A warm idle instance, preferring one of the worker that serves this
     * request (no thread hand-off), then one already waiting in /next, then the
     * most recently used: the others age towards their idle timeout. */
    struct instance *best = NULL;
    int best_rank = -1;
    for (unsigned i = 0; i < p->cfg.max_concurrency; i++) {
        struct instance *in = &p->inst[i];
        if (!usable(in) || in->inv != NULL)
            continue;
        int rank = (in->worker == inv->worker) * 2 + (in->next_conn != NULL);
        if (rank > best_rank ||
            (rank == best_rank && in->idle_since_ns > best->idle_since_ns)) {
            best = in;
            best_rank = rank;
        }
    }
    if (best)
        assign(p, best, inv, now);
    else if (p->live < p->cfg.max_concurrency)
        reserve(p, inv, now); /* cold start */
    else if (p->qlen < p->cfg.max_queue) {
        inv->state = INV_QUEUED;
        inv->deadline_ns = now + (int64_t)p->cfg.timeout_ms * 1000000;
        if (p->qtail)
            p->qtail->next = inv;
        else
            p->qhead = inv;
        p->qtail = inv;
        p->qlen++;
        note_deadline(p, inv->deadline_ns);
    } else {
        complete(inv, 429, "too many concurrent invocations; try again later");
    }
    pthread_mutex_unlock(&p->mu);
}

static struct instance *lookup(struct instances *p, const char *name)
{
    char *end;
    unsigned long slot = strtoul(name, &end, 10);
    if (*end != '-' || slot >= p->cfg.max_concurrency)
        return NULL;
    unsigned long gen = strtoul(end + 1, &end, 10);
    struct instance *in = &p->inst[slot];
    if (*end != '\0' || in->state == SLOT_FREE || in->gen != gen)
        return NULL;
    return in;
}

static void deliver(struct instances *p, struct invocation *inv, int64_t now,
                    struct invocation **out, int64_t *deadline_unix_ms)
{
    inv->state = INV_DELIVERED;
    inv->delivered_ns = now;
    inv->deadline_ns = now + (int64_t)p->cfg.timeout_ms * 1000000;
    note_deadline(p, inv->deadline_ns);
    atomic_fetch_add(&inv->refs, 1);
    *out = inv;
    *deadline_unix_ms = unix_ms() + (int64_t)p->cfg.timeout_ms;
}

enum instances_next instances_next(struct instances *p, const char *instance,
                                   struct MHD_Connection *conn, struct invocation **inv,
                                   int64_t *deadline_unix_ms)
{
    int64_t now = now_ns();
    enum instances_next r = NEXT_FORBIDDEN;
    pthread_mutex_lock(&p->mu);
    struct instance *in = lookup(p, instance);
    if (p->stopping || in == NULL || !usable(in) ||
        (in->inv && in->inv->state == INV_DELIVERED))
        goto out;
    if (!in->initialised) {
        in->initialised = true;
        double init_ms = (now - in->spawn_ns) / 1e6;
        /* Init Duration goes on the REPORT of the invocation that waited for it
         * (a cold start); a provisioned instance initialised ahead of demand. */
        if (in->inv)
            in->init_ms = init_ms;
        else
            log_info("instance %s (pid %d) initialised in %.2f ms", in->name, (int)in->pid,
                     init_ms);
        in->idle_since_ns = now;
    }
    if (in->inv == NULL) {
        struct invocation *q = dequeue(p);
        if (q)
            assign(p, in, q, now);
    }
    if (in->inv) {
        deliver(p, in->inv, now, inv, deadline_unix_ms);
        r = NEXT_DELIVER;
    } else {
        MHD_suspend_connection(conn);
        in->next_conn = conn;
        r = NEXT_PARKED;
    }
out:
    pthread_mutex_unlock(&p->mu);
    return r;
}

/* Peak resident memory of pid in MB (VmHWM), rounded up; 0 if unknown. */
static unsigned read_peak_mb(pid_t pid)
{
    return (unsigned)((procfs_kb(pid, "status", "VmHWM:") + 1023) / 1024);
}

unsigned instances_result(struct instances *p, const char *instance, const char *id,
                          bool is_error, const char *body, size_t len,
                          const char *error_type)
{
    int64_t now = now_ns();
    pthread_mutex_lock(&p->mu);
    struct instance *in = lookup(p, instance);
    if (in != NULL) {
        /* A forked instance can answer its first invocation before the spawn has
         * returned its pid to the manager; the REPORT and the memory reading need
         * the pid, so wait for it (at most the rest of that spawn), then look
         * again: the instance may have changed meanwhile. */
        unsigned gen = in->gen;
        while (in->pid == 0 && in->state == INST_RUNNING && in->gen == gen && !p->stopping)
            pthread_cond_wait(&p->started, &p->mu);
        in = lookup(p, instance);
    }
    struct invocation *inv = in ? in->inv : NULL;
    if (inv == NULL || inv->state != INV_DELIVERED) {
        pthread_mutex_unlock(&p->mu);
        return 403;
    }
    if (strcmp(inv->id, id) != 0) {
        pthread_mutex_unlock(&p->mu);
        return 400;
    }
    double duration = (now - inv->delivered_ns) / 1e6;
    double init = in->init_ms;
    in->init_ms = -1;
    char status_text[16];
    snprintf(status_text, sizeof status_text, "%s", is_error ? "error" : "success");
    struct invocation done = {.state = INV_DONE};
    snprintf(done.id, sizeof done.id, "%s", inv->id);
    if (is_error) {
        char detail[200];
        snprintf(detail, sizeof detail, "the function failed: %s",
                 error_type && *error_type ? error_type : "unhandled error");
        log_warn("invocation %s failed in instance %s: %s", inv->id, in->name,
                 error_type && *error_type ? error_type : "unhandled error");
        complete(inv, 502, detail);
    } else {
        inv->result = malloc(len + 1);
        if (inv->result) {
            memcpy(inv->result, body, len);
            inv->result[len] = '\0';
            inv->result_len = len;
            complete(inv, 0, NULL);
        } else {
            complete(inv, 502, "out of memory for the function's result");
        }
    }
    in->inv = NULL;
    in->idle_since_ns = now;
    note_deadline(p, now + (int64_t)p->cfg.idle_ms * 1000000);
    struct invocation *q = dequeue(p);
    if (q)
        assign(p, in, q, now);
    bool read_memory = now - in->memory_read_ns >= MEMORY_SAMPLE_NS;
    if (read_memory)
        in->memory_read_ns = now;
    struct instance snapshot = *in;
    pthread_mutex_unlock(&p->mu);

    if (read_memory) {
        unsigned mb = read_peak_mb(snapshot.pid);
        if (mb > snapshot.max_memory_mb)
            snapshot.max_memory_mb = mb;
        pthread_mutex_lock(&p->mu);
        if (in->state != SLOT_FREE && in->gen == snapshot.gen) {
            in->max_memory_mb = snapshot.max_memory_mb;
            /* The hard limit is RLIMIT_DATA; this catches what it does not count
             * (and sanitizer builds, which run without it). */
            if (mb > p->cfg.memory_mb && in->kill_reason == NULL) {
                in->kill_reason = "memory limit exceeded";
                log_warn("instance %s (pid %d) uses %u MB, above its %u MB: replacing it",
                         in->name, (int)in->pid, mb, p->cfg.memory_mb);
                wake(p);
            }
        }
        pthread_mutex_unlock(&p->mu);
    }
    write_report(p, &snapshot, &done, duration, init, status_text);
    return 202;
}

/* errorType and errorMessage of an AWS error document, for the log. */
static void error_fields(const char *body, size_t len, char *out, size_t outlen)
{
    json_t *doc = json_loadb(body ? body : "", len, 0, NULL);
    const char *type = json_string_value(json_object_get(doc, "errorType"));
    const char *msg = json_string_value(json_object_get(doc, "errorMessage"));
    snprintf(out, outlen, "%s: %s", type ? type : "unknown", msg ? msg : "(no message)");
    json_decref(doc);
}

unsigned instances_init_error(struct instances *p, const char *instance, const char *body,
                              size_t len, const char *error_type)
{
    char what[300];
    error_fields(body, len, what, sizeof what);
    pthread_mutex_lock(&p->mu);
    struct instance *in = lookup(p, instance);
    if (in == NULL || in->initialised || in->init_failed) {
        pthread_mutex_unlock(&p->mu);
        return 403;
    }
    in->init_failed = true;
    log_error("instance %s (pid %d) failed to initialise: %s", in->name, (int)in->pid, what);
    if (in->inv) {
        char detail[200];
        snprintf(detail, sizeof detail, "the function failed to initialise: %s",
                 error_type && *error_type ? error_type : "init error");
        log_failure(p, in, in->inv, "init_error");
        complete(in->inv, 502, detail);
        in->inv = NULL;
    }
    in->kill_reason = "init error";
    wake(p);
    pthread_mutex_unlock(&p->mu);
    return 202;
}

unsigned instances_count(struct instances *p)
{
    pthread_mutex_lock(&p->mu);
    unsigned n = p->live;
    pthread_mutex_unlock(&p->mu);
    return n;
}

/* The process of in has exited: fail its invocation, free the slot. Locked. */
static void instance_exited(struct instances *p, struct instance *in)
{
    int st = 0;
    char how[64] = "exited";
    /* The pidfd said the process exited; its zombie may become reapable a moment
     * later (a thread still exiting), so wait rather than poll with WNOHANG and
     * leave a zombie behind. */
    pid_t w = -1;
    if (in->own_child)
        while ((w = waitpid(in->pid, &st, 0)) < 0 && errno == EINTR)
            ;
    if (in->own_child && w == in->pid) {
        if (WIFSIGNALED(st))
            snprintf(how, sizeof how, "was killed by signal %d", WTERMSIG(st));
        else
            snprintf(how, sizeof how, "exited with status %d", WEXITSTATUS(st));
    }
    if (in->pidfd >= 0)
        close(in->pidfd);
    in->pidfd = -1;
    if (in->kill_reason == NULL)
        log_warn("instance %s (pid %d) crashed: it %s", in->name, (int)in->pid, how);
    else
        log_debug("instance %s (pid %d) stopped: %s", in->name, (int)in->pid, in->kill_reason);
    if (in->inv) {
        char detail[200];
        bool init = !in->initialised;
        snprintf(detail, sizeof detail, "the function instance %s %s",
                 init ? "failed to initialise: it" : "crashed: it", how);
        log_failure(p, in, in->inv, init ? "init_error" : "crash");
        complete(in->inv, 502, detail);
        in->inv = NULL;
    }
    if (in->next_conn) {
        server_resume(in->next_conn); /* its handler answers 403 */
        in->next_conn = NULL;
    }
    in->state = SLOT_FREE;
    p->live--;
    /* A queued invocation takes the freed capacity. */
    if (p->qhead && !p->stopping)
        reserve(p, dequeue(p), now_ns());
}

/* Deadlines, idle instances, the provisioned floor; returns the next wake time.
 * Locked. */
static int64_t enforce(struct instances *p, int64_t now)
{
    int64_t next = INT64_MAX;
    int64_t idle_ns = (int64_t)p->cfg.idle_ms * 1000000;
    unsigned warm = 0;
    for (unsigned i = 0; i < p->cfg.max_concurrency; i++)
        if (usable(&p->inst[i]))
            warm++;
    for (unsigned i = 0; i < p->cfg.max_concurrency; i++) {
        struct instance *in = &p->inst[i];
        if (in->state == SLOT_FREE)
            continue;
        struct invocation *inv = in->inv;
        if (inv && now >= inv->deadline_ns) {
            char detail[200];
            if (inv->state == INV_DELIVERED)
                snprintf(detail, sizeof detail, "the function timed out after %" PRIu64 " ms",
                         p->cfg.timeout_ms);
            else
                snprintf(detail, sizeof detail,
                         "the function instance did not initialise within 10 s");
            log_warn("invocation %s in instance %s (pid %d): %s", inv->id, in->name,
                     (int)in->pid, detail);
            log_failure(p, in, inv, "timeout");
            complete(inv, 504, detail);
            in->inv = NULL;
            if (in->kill_reason == NULL)
                in->kill_reason = "timeout";
        } else if (inv && inv->deadline_ns < next) {
            next = inv->deadline_ns;
        }
        if (in->inv == NULL && in->kill_reason == NULL && in->initialised && !in->init_failed) {
            int64_t idle_end = in->idle_since_ns + idle_ns;
            if (now >= idle_end && warm > p->cfg.provisioned) {
                in->kill_reason = "idle";
                warm--;
            } else if (idle_end < next && warm > p->cfg.provisioned) {
                next = idle_end;
            }
        }
    }
    while (p->qhead && now >= p->qhead->deadline_ns) {
        struct invocation *inv = dequeue(p);
        complete(inv, 429, "too many concurrent invocations; try again later");
    }
    if (p->qhead && p->qhead->deadline_ns < next)
        next = p->qhead->deadline_ns;
    while (!p->stopping && warm < p->cfg.provisioned && p->live < p->cfg.max_concurrency) {
        reserve(p, NULL, now);
        warm++;
    }
    return next;
}

/* Starts the processes of reserved slots. Called locked; unlocks around the
 * spawn itself, which takes a millisecond or more in exec mode. */
static void spawn_reserved(struct instances *p)
{
    for (unsigned i = 0; i < p->cfg.max_concurrency; i++) {
        struct instance *in = &p->inst[i];
        if (in->state != INST_SPAWN || p->stopping)
            continue;
        char api[320], err[512];
        snprintf(api, sizeof api, "%s/i/%s", p->cfg.runtime_api[in->worker], in->name);
        unsigned gen = in->gen;
        in->spawn_ns = now_ns();
        in->state = INST_RUNNING; /* it may call /next before the spawn returns */
        pthread_mutex_unlock(&p->mu);
        pid_t pid = 0;
        int pidfd = -1;
        bool own = false;
        int rc = spawner_spawn(p->cfg.spawner, api, &pid, &pidfd, &own, err, sizeof err);
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->started);
        if (in->gen != gen) { /* cannot happen: only this thread frees slots */
            if (pidfd >= 0)
                close(pidfd);
            continue;
        }
        if (rc != 0) {
            log_error("instance %s: %s", in->name, err);
            if (in->inv) {
                complete(in->inv, 502, "the function instance could not be started");
                in->inv = NULL;
            }
            if (in->next_conn) {
                server_resume(in->next_conn);
                in->next_conn = NULL;
            }
            in->state = SLOT_FREE;
            p->live--;
            continue;
        }
        in->pid = pid;
        in->pidfd = pidfd;
        in->own_child = own;
        pthread_cond_broadcast(&p->started);
        log_debug("instance %s started as pid %d in %.3f ms", in->name, (int)pid,
                  (now_ns() - in->spawn_ns) / 1e6);
    }
}

static void *manager_main(void *arg)
{
    struct instances *p = arg;
    size_t cap = p->cfg.max_concurrency + 2;
    struct pollfd *fds = calloc(cap, sizeof *fds);
    struct instance **who = calloc(cap, sizeof *who);
    if (fds == NULL || who == NULL) {
        log_error("instance manager: out of memory");
        free(fds);
        free(who);
        return NULL;
    }
    int template_fd = spawner_template_pidfd(p->cfg.spawner);
    bool template_alive = template_fd >= 0;
    pthread_mutex_lock(&p->mu);
    while (!p->stopping) {
        int64_t now = now_ns();
        int64_t next = enforce(p, now);
        spawn_reserved(p);
        /* Kill what enforce and the Runtime API marked. */
        for (unsigned i = 0; i < p->cfg.max_concurrency; i++) {
            struct instance *in = &p->inst[i];
            if (in->state == INST_RUNNING && in->pid > 0 && in->kill_reason && !in->killed) {
                kill(in->pid, SIGKILL);
                in->killed = true;
            }
        }
        nfds_t n = 0;
        fds[n] = (struct pollfd){.fd = p->wake_fd, .events = POLLIN};
        who[n++] = NULL;
        if (template_alive) {
            fds[n] = (struct pollfd){.fd = template_fd, .events = POLLIN};
            who[n++] = NULL;
        }
        for (unsigned i = 0; i < p->cfg.max_concurrency; i++) {
            struct instance *in = &p->inst[i];
            if (in->state == INST_RUNNING && in->pidfd >= 0) {
                fds[n] = (struct pollfd){.fd = in->pidfd, .events = POLLIN};
                who[n++] = in;
            }
        }
        if (p->awake_min < next)
            next = p->awake_min;
        p->awake_min = INT64_MAX;
        p->manager_awake = false;
        p->wake_at_ns = next;
        int timeout = -1;
        if (next != INT64_MAX) {
            int64_t ms = (next - now + 999999) / 1000000;
            timeout = ms > INT_MAX ? INT_MAX : (int)(ms < 0 ? 0 : ms);
        }
        pthread_mutex_unlock(&p->mu);
        int ready = poll(fds, n, timeout);
        pthread_mutex_lock(&p->mu);
        p->manager_awake = true; /* deadlines noted from now on go to awake_min */
        if (ready <= 0)
            continue;
        if (fds[0].revents) {
            uint64_t v;
            ssize_t r = read(p->wake_fd, &v, sizeof v);
            (void)r;
        }
        for (nfds_t k = 1; k < n; k++) {
            if (fds[k].revents == 0)
                continue;
            if (who[k] == NULL) {
                log_error("the fork-server template exited; cold starts now fail");
                template_alive = false;
                continue;
            }
            instance_exited(p, who[k]);
        }
    }
    pthread_mutex_unlock(&p->mu);
    free(fds);
    free(who);
    return NULL;
}

struct instances *instances_start(const struct instances_config *cfg, char *err,
                                  size_t errlen)
{
    struct instances *p = calloc(1, sizeof *p);
    if (p == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p->cfg = *cfg;
    p->inst = calloc(cfg->max_concurrency, sizeof *p->inst);
    p->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    p->manager_awake = true;
    p->awake_min = INT64_MAX;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->started, NULL);
    if (p->inst == NULL || p->wake_fd < 0) {
        snprintf(err, errlen, "out of resources");
        instances_free(p);
        return NULL;
    }
    for (unsigned i = 0; i < cfg->max_concurrency; i++)
        p->inst[i].pidfd = -1;
    if (pthread_create(&p->thread, NULL, manager_main, p) != 0) {
        snprintf(err, errlen, "cannot start the instance manager thread");
        instances_free(p);
        return NULL;
    }
    p->thread_started = true;
    return p;
}

void instances_stop(struct instances *p)
{
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    pthread_cond_broadcast(&p->started);
    wake(p);
    pthread_mutex_unlock(&p->mu);
    if (p->thread_started)
        pthread_join(p->thread, NULL);
    p->thread_started = false;

    pthread_mutex_lock(&p->mu);
    struct invocation *inv;
    while ((inv = dequeue(p)) != NULL)
        complete(inv, 503, "the function platform is stopping");
    for (unsigned i = 0; i < p->cfg.max_concurrency; i++) {
        struct instance *in = &p->inst[i];
        if (in->state == SLOT_FREE)
            continue;
        if (in->kill_reason == NULL)
            in->kill_reason = "shutdown";
        if (in->pid > 0)
            kill(in->pid, SIGKILL);
    }
    /* Reap: own children with waitpid, fork-server children through their pidfd. */
    for (unsigned i = 0; i < p->cfg.max_concurrency; i++) {
        struct instance *in = &p->inst[i];
        if (in->state == SLOT_FREE)
            continue;
        if (in->pid > 0 && !in->own_child && in->pidfd >= 0) {
            struct pollfd pf = {.fd = in->pidfd, .events = POLLIN};
            poll(&pf, 1, 5000);
        }
        if (in->inv) {
            complete(in->inv, 503, "the function platform is stopping");
            in->inv = NULL;
        }
        if (in->pid > 0 && in->own_child) {
            int st;
            waitpid(in->pid, &st, 0);
        }
        in->own_child = false; /* reaped: instance_exited must not wait again */
        instance_exited(p, in);
    }
    pthread_mutex_unlock(&p->mu);
}

void instances_free(struct instances *p)
{
    if (p == NULL)
        return;
    if (p->wake_fd >= 0)
        close(p->wake_fd);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->started);
    free(p->inst);
    free(p);
}
