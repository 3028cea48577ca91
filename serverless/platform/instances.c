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
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lambda_env.h"
#include "log.h"
#include "net.h"
#include "server.h"

enum inv_state { INV_NEW, INV_QUEUED, INV_ASSIGNED, INV_DELIVERED, INV_DONE };

enum inst_state {
    SLOT_FREE,
    INST_SPAWN,   /* reserved; the manager thread starts the process */
    INST_RUNNING, /* process started (it may still be initialising) */
};

/* AWS gives the init phase 10 s, separately from the invocation timeout. */
#define INIT_TIMEOUT_S 10
#define INIT_TIMEOUT_NS (INIT_TIMEOUT_S * 1000LL * 1000 * 1000)
/* Peak memory (VmHWM, a high-water mark that never goes down, so reading it
 * rarely loses no peak) is read from /proc at most this often per instance; at
 * 64 busy instances a read per 100 ms would cost about 2 % of a CPU. */
#define MEMORY_SAMPLE_NS (500LL * 1000 * 1000)
/* The watchdog's period (memlimit.h), when there is no memory cgroup. */
#define WATCH_NS (MEMLIMIT_WATCH_MS * 1000LL * 1000)

/* A failed invocation's REPORT, written once the instance's process is gone, when
 * its peak memory is known (an exec'd instance's from wait4). */
struct failure {
    bool due;
    char id[40];
    double duration_ms, init_ms;
    const char *status;     /* timeout, crash, init_error */
    char error_type[64];    /* Runtime.ExitError, Runtime.OutOfMemory, ... or "" */
};

struct instance {
    enum inst_state state;
    unsigned slot, gen;
    unsigned worker;           /* whose Runtime API accepts its connections */
    char name[24];             /* "slot-gen", for the log and the report */
    int listen_fd;             /* its Runtime API endpoint, -1 when none */
    char endpoint[64];         /* "127.0.0.1:PORT", its AWS_LAMBDA_RUNTIME_API */
    bool provisioned;          /* started ahead of demand */
    pid_t pid;                 /* 0 until started */
    int pidfd;
    bool own_child;
    int64_t spawn_ns;
    bool initialised;          /* has called /next */
    double init_ms;            /* for the next REPORT; < 0 when none is due */
    struct invocation *inv;    /* assigned or delivered, holds a reference */
    struct MHD_Connection *next_conn; /* parked /next (set until it comes back) */
    int64_t idle_since_ns;
    const char *kill_reason;   /* set when faas decided to stop it */
    bool killed;               /* SIGKILL sent */
    bool init_failed;
    bool out_of_memory;        /* over its memory size (watchdog or cgroup) */
    unsigned max_memory_mb;
    int64_t memory_read_ns;
    int64_t watch_ns;          /* the watchdog's next reading */
    struct failure failure;
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

static void write_report(struct instances *p, const struct instance *in, const char *id,
                         double duration_ms, double init_ms, const char *status,
                         const char *error_type)
{
    struct lambda_log_entry e = {.request_id = id, .duration_ms = duration_ms,
                                 .init_ms = init_ms, .memory_mb = p->cfg.memory_mb,
                                 .max_memory_mb = in->max_memory_mb, .status = status,
                                 .error_type = error_type, .pid = in->pid,
                                 .instance = in->name};
    lambda_log_write(p->cfg.report, &e);
}

/* Notes the REPORT of an invocation that ended without a result (timeout, crash,
 * init error); instance_exited writes it. Locked. */
static void note_failure(struct instance *in, struct invocation *inv, const char *status,
                         const char *error_type)
{
    int64_t now = now_ns();
    struct failure *f = &in->failure;
    f->due = true;
    snprintf(f->id, sizeof f->id, "%s", inv->id);
    f->duration_ms = inv->state == INV_DELIVERED ? (now - inv->delivered_ns) / 1e6 : 0;
    f->init_ms = in->initialised ? in->init_ms : (now - in->spawn_ns) / 1e6;
    f->status = status;
    snprintf(f->error_type, sizeof f->error_type, "%s", error_type ? error_type : "");
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
        in->listen_fd = -1;
        in->init_ms = -1;
        snprintf(in->name, sizeof in->name, "%u-%u", in->slot, in->gen);
        /* Started for an invocation: it belongs to the worker that received it. */
        in->provisioned = inv == NULL;
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
    if (in->next_conn) /* it comes back to instances_next, which hands inv out */
        server_resume(in->next_conn);
}

/* A queued invocation whose client has closed its connection is not run: its
 * answer would go nowhere (libmicrohttpd drops a resumed connection that reads
 * end-of-file), and it held a place in the queue. 8 requests of 2 s against
 * --max-concurrency 4 --max-queue 4, their clients gone at once, got every new
 * client 429 for 4 s while they ran for nobody. Locked. */
static bool client_left(const struct instances *p, const struct invocation *inv)
{
    if (p->stopping || inv->conn == NULL)
        return false;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(inv->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    /* POLLIN alone is a pipelined next request, not a client that left. */
    struct pollfd pf = {.fd = ci ? ci->connect_fd : -1, .events = POLLRDHUP};
    return ci != NULL && poll(&pf, 1, 0) == 1 &&
           (pf.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

static void unlink_queued(struct instances *p, struct invocation *prev,
                          struct invocation *inv)
{
    if (prev)
        prev->next = inv->next;
    else
        p->qhead = inv->next;
    if (p->qtail == inv)
        p->qtail = prev;
    inv->next = NULL;
    p->qlen--;
}

static struct invocation *dequeue(struct instances *p)
{
    struct invocation *inv;
    while ((inv = p->qhead) != NULL) {
        unlink_queued(p, NULL, inv);
        if (!client_left(p, inv))
            return inv;
        complete(inv, 503, "the client closed its connection");
    }
    return NULL;
}

/* Drops the queued invocations whose client has left; for a full queue. Locked. */
static void drop_abandoned(struct instances *p)
{
    struct invocation *prev = NULL, *inv = p->qhead;
    while (inv != NULL) {
        struct invocation *next = inv->next;
        if (client_left(p, inv)) {
            unlink_queued(p, prev, inv);
            complete(inv, 503, "the client closed its connection");
        } else {
            prev = inv;
        }
        inv = next;
    }
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
    inv->submitted_ns = now;
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
    if (!best && p->live >= p->cfg.max_concurrency && p->qlen >= p->cfg.max_queue)
        drop_abandoned(p);
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

static uint64_t key_of(const struct instance *in)
{
    return (uint64_t)in->slot << 32 | in->gen;
}

static struct instance *lookup(struct instances *p, uint64_t key)
{
    uint64_t slot = key >> 32;
    if (slot >= p->cfg.max_concurrency)
        return NULL;
    struct instance *in = &p->inst[slot];
    if (in->state == SLOT_FREE || in->gen != (unsigned)(key & 0xffffffffu))
        return NULL;
    return in;
}

int instances_accept(struct instances *p, uint64_t key, int *fds, int max, pid_t *pid,
                     int *pidfd)
{
    int n = 0;
    *pidfd = -1;
    pthread_mutex_lock(&p->mu);
    struct instance *in = lookup(p, key);
    /* A fork-server instance can call before the spawn has returned its pid to the
     * manager; the check needs the pid: wait for it (at most the rest of that
     * spawn), then look again. */
    while (in != NULL && in->pid == 0 && in->state == INST_RUNNING && !p->stopping) {
        pthread_cond_wait(&p->started, &p->mu);
        in = lookup(p, key);
    }
    if (in != NULL && in->listen_fd >= 0) {
        while (n < max && (fds[n] = accept4(in->listen_fd, NULL, NULL,
                                            SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
            n++;
        *pid = in->pid;
        if (n > 0 && (p->stopping || in->kill_reason != NULL || in->pidfd < 0)) {
            while (n > 0) /* nothing to serve: refuse them */
                close(fds[--n]);
        }
        if (n > 0)
            *pidfd = fcntl(in->pidfd, F_DUPFD_CLOEXEC, 0);
    }
    pthread_mutex_unlock(&p->mu);
    return n;
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
    if (!memlimit_is_cgroup(p->cfg.memory)) /* the watchdog looks at busy instances */
        note_deadline(p, now + WATCH_NS);
}

/* Whether a parked /next's connection is still open at the other end. */
static bool conn_open(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    struct pollfd pf = {.fd = ci ? ci->connect_fd : -1, .events = POLLRDHUP};
    return ci != NULL && poll(&pf, 1, 0) == 0;
}

/* The first /next of an instance: its init is over. Locked. */
static void initialised(struct instance *in, int64_t now)
{
    in->initialised = true;
    double init_ms = (now - in->spawn_ns) / 1e6;
    /* Init Duration goes on the REPORT of the invocation that waited for it (a
     * cold start), and into its Server-Timing; a provisioned instance
     * initialised ahead of demand. */
    if (in->inv) {
        in->init_ms = init_ms;
        in->inv->init_ns = now - in->spawn_ns;
    } else
        log_info("instance %s (pid %d) initialised in %.2f ms", in->name, (int)in->pid,
                 init_ms);
    in->idle_since_ns = now;
}

/* Whether a /next on conn may go on. An instance has one /next waiting at most: a
 * second one is refused while the first's connection is open (a thief, or a
 * confused runtime, never takes its place), and replaces it once that is closed.
 * A parked call coming back is served only if it is still the waiting one. */
static enum instances_next next_allowed(struct instance *in, struct MHD_Connection *conn,
                                        bool resumed)
{
    if (in->inv && in->inv->state == INV_DELIVERED)
        return NEXT_FORBIDDEN;
    if (resumed) {
        if (in->next_conn != conn)
            return NEXT_FORBIDDEN;
        in->next_conn = NULL;
        return NEXT_DELIVER;
    }
    if (in->next_conn != NULL) {
        if (conn_open(in->next_conn))
            return NEXT_WAITING;
        server_resume(in->next_conn); /* comes back refused; MHD then closes it */
        in->next_conn = NULL;
    }
    return NEXT_DELIVER;
}

enum instances_next instances_next(struct instances *p, uint64_t key,
                                   struct MHD_Connection *conn, bool resumed,
                                   struct invocation **inv, int64_t *deadline_unix_ms)
{
    int64_t now = now_ns();
    enum instances_next r = NEXT_FORBIDDEN;
    pthread_mutex_lock(&p->mu);
    struct instance *in = lookup(p, key);
    if (p->stopping || in == NULL || !usable(in) ||
        (r = next_allowed(in, conn, resumed)) != NEXT_DELIVER)
        goto out;
    if (!in->initialised)
        initialised(in, now);
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

/* What a post for the invocation in progress brings. */
struct outcome {
    const char *body;       /* the function's response (NULL: an error) */
    size_t len;
    const char *error_type; /* errors: Lambda-Runtime-Function-Error-Type or errorType */
    const char *message;    /* errors: more detail for the log, or NULL */
};

/* The instance whose delivered invocation is id, or NULL with *status 403 (no
 * invocation in progress) or 400 (another request id). Locked. */
static struct instance *find_delivered(struct instances *p, uint64_t key, const char *id,
                                       unsigned *status)
{
    struct instance *in = lookup(p, key);
    struct invocation *inv = in ? in->inv : NULL;
    *status = 403;
    if (inv == NULL || inv->state != INV_DELIVERED)
        return NULL;
    *status = 400;
    return strcmp(inv->id, id) == 0 ? in : NULL;
}

/* Ends in's invocation with o (502 for an error) and gives the instance its next
 * queued invocation. Locked. */
static void settle(struct instances *p, struct instance *in, const struct outcome *o,
                   int64_t now)
{
    struct invocation *inv = in->inv;
    inv->result_ns = now;
    if (o->body == NULL) {
        const char *type = o->error_type && *o->error_type ? o->error_type : "unhandled error";
        char detail[200];
        snprintf(detail, sizeof detail, "the function failed: %s", type);
        log_warn("invocation %s trace %s failed in instance %s: %s%s%s", inv->id,
                 inv->trace.trace_id, in->name, type, o->message ? ": " : "",
                 o->message ? o->message : "");
        complete(inv, 502, detail);
    } else if ((inv->result = malloc(o->len + 1)) != NULL) {
        memcpy(inv->result, o->body, o->len);
        inv->result[o->len] = '\0';
        inv->result_len = o->len;
        complete(inv, 0, NULL);
    } else {
        complete(inv, 502, "out of memory for the function's result");
    }
    in->inv = NULL;
    in->idle_since_ns = now;
    note_deadline(p, now + (int64_t)p->cfg.idle_ms * 1000000);
    struct invocation *q = dequeue(p);
    if (q)
        assign(p, in, q, now);
}

/* Reads the peak memory of an instance after an invocation, at most every
 * MEMORY_SAMPLE_NS; without a memory cgroup one over its size is stopped. */
static unsigned sample_memory(struct instances *p, struct instance *in, unsigned gen,
                              pid_t pid)
{
    unsigned mb = memlimit_peak_mb(pid), peak = mb;
    pthread_mutex_lock(&p->mu);
    if (in->state != SLOT_FREE && in->gen == gen) {
        if (mb > in->max_memory_mb)
            in->max_memory_mb = mb;
        if (!memlimit_is_cgroup(p->cfg.memory) && mb > p->cfg.memory_mb &&
            in->kill_reason == NULL) {
            in->kill_reason = "memory size exceeded";
            in->out_of_memory = true;
            log_warn("instance %s (pid %d) uses %u MB, above its %u MB: stopping it",
                     in->name, (int)in->pid, mb, p->cfg.memory_mb);
            wake(p);
        }
        peak = in->max_memory_mb;
    }
    pthread_mutex_unlock(&p->mu);
    return peak;
}

/* A post for request id of instance key; 202, or find_delivered's 400/403. */
static unsigned post_outcome(struct instances *p, uint64_t key, const char *id,
                             const struct outcome *o)
{
    int64_t now = now_ns();
    unsigned status;
    pthread_mutex_lock(&p->mu);
    struct instance *in = find_delivered(p, key, id, &status);
    if (in == NULL) {
        pthread_mutex_unlock(&p->mu);
        return status;
    }
    char rid[sizeof in->inv->id];
    memcpy(rid, in->inv->id, sizeof rid);
    double duration = (now - in->inv->delivered_ns) / 1e6, init = in->init_ms;
    in->init_ms = -1;
    settle(p, in, o, now);
    bool read_memory = now - in->memory_read_ns >= MEMORY_SAMPLE_NS;
    if (read_memory)
        in->memory_read_ns = now;
    struct instance snapshot = *in;
    pthread_mutex_unlock(&p->mu);

    if (read_memory)
        snapshot.max_memory_mb = sample_memory(p, in, snapshot.gen, snapshot.pid);
    write_report(p, &snapshot, rid, duration, init, o->body ? "success" : "error",
                 o->body ? NULL : o->error_type);
    return 202;
}

unsigned instances_result(struct instances *p, uint64_t key, const char *id, bool is_error,
                          const char *body, size_t len, const char *error_type)
{
    struct outcome o = {.body = is_error ? NULL : body, .len = len,
                        .error_type = error_type};
    return post_outcome(p, key, id, &o);
}

unsigned instances_result_too_large(struct instances *p, uint64_t key, const char *id,
                                    size_t len)
{
    char message[160];
    snprintf(message, sizeof message,
             "Response payload size (%zu bytes) exceeded maximum allowed payload size "
             "(%u bytes).", len, RUNTIME_API_MAX_PAYLOAD);
    struct outcome o = {.error_type = "Function.ResponseSizeTooLarge", .message = message};
    unsigned status = post_outcome(p, key, id, &o);
    return status == 202 ? 413 : status;
}

/* errorType and errorMessage of an AWS error document: "type: message" for the
 * log, and the type (the header's when it gave one) for the REPORT. */
static void error_fields(const char *body, size_t len, const char *header_type, char *what,
                         size_t whatlen, char *type, size_t typelen)
{
    json_t *doc = json_loadb(body ? body : "", len, 0, NULL);
    const char *t = json_string_value(json_object_get(doc, "errorType"));
    const char *msg = json_string_value(json_object_get(doc, "errorMessage"));
    if (header_type != NULL && *header_type != '\0')
        t = header_type;
    snprintf(what, whatlen, "%s: %s", t ? t : "unknown", msg ? msg : "(no message)");
    snprintf(type, typelen, "%s", t ? t : "Runtime.Unknown");
    json_decref(doc);
}

unsigned instances_init_error(struct instances *p, uint64_t key, const char *body,
                              size_t len, const char *error_type)
{
    char what[300], type[64];
    error_fields(body, len, error_type, what, sizeof what, type, sizeof type);
    pthread_mutex_lock(&p->mu);
    struct instance *in = lookup(p, key);
    if (in == NULL || in->initialised || in->init_failed) {
        pthread_mutex_unlock(&p->mu);
        return 403;
    }
    in->init_failed = true;
    log_error("instance %s (pid %d) failed to initialise: %s", in->name, (int)in->pid, what);
    if (in->inv) {
        char detail[200];
        snprintf(detail, sizeof detail, "the function failed to initialise: %s", type);
        note_failure(in, in->inv, "init_error", type);
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

/* Takes in's endpoint out of its worker's accept set and closes it. Locked. */
static void close_endpoint(struct instances *p, struct instance *in)
{
    if (in->listen_fd < 0)
        return;
    epoll_ctl(p->cfg.accept_sets[in->worker], EPOLL_CTL_DEL, in->listen_fd, NULL);
    close(in->listen_fd);
    in->listen_fd = -1;
}

/* Reaps an exec'd instance (faas is its parent): how it ended into how, and its
 * peak resident memory from the kernel's accounting (exact, even for a process
 * that died or was killed mid-invocation). The pidfd said the process exited;
 * its zombie may become reapable a moment later (a thread still exiting), so
 * this waits rather than polls, and leaves no zombie behind. */
static void reap(struct instance *in, char *how, size_t howlen)
{
    int st = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    pid_t w;
    while ((w = wait4(in->pid, &st, 0, &ru)) < 0 && errno == EINTR)
        ;
    if (w != in->pid)
        return;
    if (WIFSIGNALED(st))
        snprintf(how, howlen, "was killed by signal %d", WTERMSIG(st));
    else
        snprintf(how, howlen, "exited with status %d", WEXITSTATUS(st));
    unsigned mb = (unsigned)((ru.ru_maxrss + 1023) / 1024); /* ru_maxrss is in KiB */
    if (mb > in->max_memory_mb)
        in->max_memory_mb = mb;
}

/* The invocation in had when its process died fails with 502. Locked. */
static void fail_on_exit(struct instances *p, struct instance *in, const char *how)
{
    char detail[200];
    bool init = !in->initialised;
    if (in->out_of_memory)
        snprintf(detail, sizeof detail,
                 "the function instance ran out of memory (its size is %u MB)",
                 p->cfg.memory_mb);
    else
        snprintf(detail, sizeof detail, "the function instance %s %s",
                 init ? "failed to initialise: it" : "crashed: it", how);
    note_failure(in, in->inv, init ? "init_error" : "crash",
                 in->out_of_memory ? "Runtime.OutOfMemory" : "Runtime.ExitError");
    complete(in->inv, 502, detail);
    in->inv = NULL;
}

/* The process of in has exited: fail its invocation, write a failed invocation's
 * REPORT, free the slot. Locked. */
static void instance_exited(struct instances *p, struct instance *in)
{
    char how[64] = "exited";
    if (in->own_child)
        reap(in, how, sizeof how);
    if (in->pidfd >= 0)
        close(in->pidfd);
    in->pidfd = -1;
    if (memlimit_release(p->cfg.memory, in->slot))
        in->out_of_memory = true;
    close_endpoint(p, in);
    if (in->out_of_memory)
        log_warn("instance %s (pid %d) stopped: it went over its memory size of %u MB (it %s)",
                 in->name, (int)in->pid, p->cfg.memory_mb, how);
    else if (in->kill_reason == NULL)
        log_warn("instance %s (pid %d) crashed: it %s", in->name, (int)in->pid, how);
    else
        log_debug("instance %s (pid %d) stopped: %s", in->name, (int)in->pid, in->kill_reason);
    if (in->inv)
        fail_on_exit(p, in, how);
    const struct failure *f = &in->failure;
    if (f->due)
        write_report(p, in, f->id, f->duration_ms, f->init_ms, f->status,
                     f->error_type[0] ? f->error_type : NULL);
    if (in->next_conn) {
        server_resume(in->next_conn); /* its handler answers 403 */
        in->next_conn = NULL;
    }
    in->state = SLOT_FREE;
    p->live--;
    /* A queued invocation takes the freed capacity. */
    struct invocation *q = p->stopping ? NULL : dequeue(p);
    if (q)
        reserve(p, q, now_ns());
}

/* An invocation past its deadline gets 504 and its instance is stopped. Locked. */
static void expire(struct instances *p, struct instance *in)
{
    struct invocation *inv = in->inv;
    char detail[200];
    if (inv->state == INV_DELIVERED)
        snprintf(detail, sizeof detail, "the function timed out after %" PRIu64 " ms",
                 p->cfg.timeout_ms);
    else if (!in->initialised)
        snprintf(detail, sizeof detail,
                 "the function instance did not initialise within %d s", INIT_TIMEOUT_S);
    else
        snprintf(detail, sizeof detail,
                 "the function instance stopped polling: it did not ask for the "
                 "invocation (GET /runtime/invocation/next) within %" PRIu64 " ms",
                 p->cfg.timeout_ms);
    log_warn("invocation %s trace %s in instance %s (pid %d): %s", inv->id, inv->trace.trace_id,
             in->name, (int)in->pid, detail);
    note_failure(in, inv, "timeout", NULL);
    complete(inv, 504, detail);
    in->inv = NULL;
    if (in->kill_reason == NULL)
        in->kill_reason = "timeout";
}

/* Without a memory cgroup: reads a busy instance's peak memory every WATCH_NS and
 * stops it once over its size. Locked. */
static void watch(struct instances *p, struct instance *in, int64_t now, int64_t *next)
{
    if (memlimit_is_cgroup(p->cfg.memory) || in->inv == NULL || in->pid <= 0 ||
        in->kill_reason != NULL)
        return;
    if (now >= in->watch_ns) {
        unsigned mb = memlimit_peak_mb(in->pid);
        if (mb > in->max_memory_mb)
            in->max_memory_mb = mb;
        if (mb > p->cfg.memory_mb) {
            in->kill_reason = "memory size exceeded";
            in->out_of_memory = true;
            return;
        }
        in->watch_ns = now + WATCH_NS;
    }
    if (in->watch_ns < *next)
        *next = in->watch_ns;
}

/* Deadlines, memory, idle instances, the provisioned floor; returns the next wake
 * time. Locked. */
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
        if (in->inv && now >= in->inv->deadline_ns)
            expire(p, in);
        else if (in->inv && in->inv->deadline_ns < next)
            next = in->inv->deadline_ns;
        watch(p, in, now, &next);
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
        struct invocation *inv = p->qhead; /* not dequeue: it skips to a later one */
        unlink_queued(p, NULL, inv);
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

/* Opens in's endpoint: a listening socket on a free port of the Runtime API's
 * host, published in the instance before it enters its worker's accept set (so
 * the worker finds every connection's instance). Unlocked: the slot is reserved
 * and only this thread starts it. */
static int open_endpoint(struct instances *p, struct instance *in, char *err, size_t errlen)
{
    int fd = net_listen((const struct sockaddr *)&p->cfg.runtime_addr, p->cfg.runtime_addrlen,
                        false, err, errlen);
    if (fd < 0)
        return -1;
    struct sockaddr_storage a;
    socklen_t alen = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &alen);
    pthread_mutex_lock(&p->mu);
    in->listen_fd = fd;
    net_format_address((struct sockaddr *)&a, in->endpoint, sizeof in->endpoint);
    pthread_mutex_unlock(&p->mu);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = key_of(in)};
    if (epoll_ctl(p->cfg.accept_sets[in->worker], EPOLL_CTL_ADD, fd, &ev) != 0) {
        snprintf(err, errlen, "epoll_ctl: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* A start that failed: the invocation waiting for it gets 502. Locked. */
static void start_failed(struct instances *p, struct instance *in, const char *err)
{
    log_error("instance %s: %s", in->name, err);
    if (in->inv) {
        complete(in->inv, 502, "the function instance could not be started");
        in->inv = NULL;
    }
    if (in->next_conn) {
        server_resume(in->next_conn);
        in->next_conn = NULL;
    }
    close_endpoint(p, in);
    in->state = SLOT_FREE;
    p->live--;
}

/* Starts the process of a reserved slot: its endpoint, its process with its own
 * variables, its memory limit. Called locked; unlocks around the work, which
 * takes a millisecond or more in exec mode. */
static void start_one(struct instances *p, struct instance *in)
{
    char err[512] = "";
    unsigned gen = in->gen;
    in->state = INST_RUNNING; /* it may call /next before the spawn returns */
    pthread_mutex_unlock(&p->mu);
    pid_t pid = 0;
    int pidfd = -1;
    bool own = false;
    int rc = open_endpoint(p, in, err, sizeof err);
    if (rc == 0) {
        struct lambda_env_instance vars;
        lambda_env_instance(&vars, in->endpoint, in->provisioned);
        pthread_mutex_lock(&p->mu);
        in->spawn_ns = now_ns();
        pthread_mutex_unlock(&p->mu);
        rc = spawner_spawn(p->cfg.spawner, vars.vars, &pid, &pidfd, &own, err, sizeof err);
    }
    if (rc == 0)
        memlimit_attach(p->cfg.memory, in->slot, pid);
    pthread_mutex_lock(&p->mu);
    pthread_cond_broadcast(&p->started);
    if (in->gen != gen) { /* cannot happen: only this thread frees slots */
        if (pidfd >= 0)
            close(pidfd);
        return;
    }
    if (rc != 0) {
        start_failed(p, in, err);
        return;
    }
    in->pid = pid;
    in->pidfd = pidfd;
    in->own_child = own;
    log_debug("instance %s started as pid %d in %.3f ms, Runtime API %s", in->name, (int)pid,
              (now_ns() - in->spawn_ns) / 1e6, in->endpoint);
}

/* Starts the processes of reserved slots. Locked. */
static void spawn_reserved(struct instances *p)
{
    for (unsigned i = 0; i < p->cfg.max_concurrency && !p->stopping; i++)
        if (p->inst[i].state == INST_SPAWN)
            start_one(p, &p->inst[i]);
}

/* Sends SIGKILL to what enforce and the Runtime API marked; a failed invocation's
 * peak memory is read first, while the process is still there. Locked. */
static void kill_marked(struct instances *p)
{
    for (unsigned i = 0; i < p->cfg.max_concurrency; i++) {
        struct instance *in = &p->inst[i];
        if (in->state != INST_RUNNING || in->pid <= 0 || in->kill_reason == NULL || in->killed)
            continue;
        if (in->failure.due) {
            unsigned mb = memlimit_peak_mb(in->pid);
            if (mb > in->max_memory_mb)
                in->max_memory_mb = mb;
        }
        kill(in->pid, SIGKILL);
        in->killed = true;
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
        kill_marked(p);
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
