/* The system under test: starting one architecture's processes in their own
 * process group, pinned to the system-under-test CPUs, waiting for /health,
 * sampling CPU time and memory of every process in the group (function instances
 * included), and stopping it with a check that nothing of it is left. */
#ifndef ARCHBENCH_SUT_H
#define ARCHBENCH_SUT_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hosts.h"

enum sut_arch { SUT_MONOLITH, SUT_MICROSERVICES, SUT_SERVERLESS, SUT_NARCH };

/* The systems a run measures: the three architectures (0 .. SUT_NARCH - 1), then
 * the targets of `archbench run --target` (SUT_NARCH ..), anyone's implementation
 * of the endpoint: a command started like an architecture, or a URL of one already
 * running elsewhere. An enum sut_arch holds either. */
#define SUT_MAX_TARGETS 4
#define SUT_MAX (SUT_NARCH + SUT_MAX_TARGETS)

struct sut_target {
    char name[32];
    char command[2048]; /* with {port} and {data}; "" for a URL target */
    char url[512];      /* a URL target's base (http://HOST:PORT[/PREFIX]); "" for a command */
};

/* "monolith", "microservices", "serverless", or the target's name */
const char *sut_arch_name(enum sut_arch a);

/* The command names of an architecture's processes, NULL-terminated, in the order
 * run.json and the report split its CPU: {"monolith"}, {"gateway", "auth-service",
 * "profile-service"}, {"faas", "fn-get-profile"} (every instance together); for a
 * target, its own name alone: its CPU is not split (every process of its group). */
#define SUT_MAX_PROCESSES 4
const char *const *sut_processes(enum sut_arch a);
bool sut_arch_parse(const char *name, enum sut_arch *out);

/* Registers a target from NAME=COMMAND or NAME=URL (a URL starts with http://; a
 * URL alone is named target1, target2 ...). Returns its system index, or -1 with
 * err set: a bad or taken name, a COMMAND without {port}, a bad URL, too many. */
int sut_target_add(const char *spec, char *err, size_t errlen);

/* Target a, or NULL when a is one of the architectures. */
const struct sut_target *sut_target(enum sut_arch a);

/* SUT_NARCH + the targets registered. */
unsigned sut_nsystems(void);

struct sut_options {
    const char *bin_dir;    /* where the programs are (bin) */
    const char *data_dir;   /* app.db, auth.db, profiles.db */
    /* A directory sut fills with links to data_dir's files but its service secret,
     * for a target's {data}: a target is an outside implementation, not one of the
     * services that share the secret. NULL: {data} is data_dir itself. */
    const char *target_data;
    const char *log_dir;    /* one .log per process; NULL: /dev/null */
    cpu_set_t cpus;         /* CPUs the architecture's processes may use */
    unsigned threads;       /* --threads for each server (0: program default) */
    bool fixed_ports;       /* the default ports of DESIGN §7 instead of port 0 */
    /* archbench run --hosts: each process on the host named after it; NULL: every
     * process on the loopback */
    const struct hosts *hosts;
    /* serverless only */
    unsigned idle_timeout_ms; /* 0: faas default */
    const char *start_mode;   /* "exec" or "fork-server"; NULL: faas default */
    const char *report_log;   /* faas --report-log FILE; NULL: none */
};

#define SUT_MAX_PROCS 4

/* How long a server may take to print its address, and then to answer /health. */
#define SUT_READY_TIMEOUT_MS 10000
/* How long a target's command may take to answer /health (a JVM, an interpreter
 * loading its packages). */
#define SUT_TARGET_READY_TIMEOUT_MS 30000
/* How long sut_stop waits after SIGTERM before it kills what is left. */
#define SUT_STOP_TIMEOUT_MS 5000

struct sut_proc {
    const char *name;  /* "gateway" ... */
    pid_t pid;
    char address[80];  /* from "listening on", or chosen for a target */
    bool target;       /* a target's command: prints no address, stdout to its log */
    /* the command line it was started with, for sut_restart */
    char args[4096];
    char *argv[24];
};

struct sut {
    enum sut_arch arch;
    pid_t pgid;
    struct sut_proc procs[SUT_MAX_PROCS];
    unsigned nprocs;
    char url[600];          /* the public GET /profile URL */
    double startup_ms;      /* spawn of the first process -> public /health 200; NAN
                             * for a URL target, which nothing here starts */
    struct sut_options opt; /* as started (its strings belong to the caller) */
};

/* Starts arch. On failure returns -1 with a one-line reason in err and nothing
 * left running. */
int sut_start(struct sut *s, enum sut_arch arch, const struct sut_options *opt,
              char *err, size_t errlen);

/* SIGTERM to the group, up to SUT_STOP_TIMEOUT_MS for it to exit, then SIGKILL.
 * Returns the number of processes that had to be killed or were still found
 * afterwards (0 = clean). */
int sut_stop(struct sut *s);

/* Starts process i again after it died or was killed (reaping it first), on the
 * address it had, and waits for its /health: how a supervisor restarts a crashed
 * server. Returns 0, or -1 with err set. */
int sut_restart(struct sut *s, unsigned i, char *err, size_t errlen);

/* The index in procs of the process started as `name` ("profile-service"), or -1. */
int sut_proc_index(const struct sut *s, const char *name);

/* The public server's "IP:PORT" (127.0.0.1 on the loopback, its host's address with
 * --hosts). */
const char *sut_public_address(const struct sut *s);

/* True while every process started for the architecture is alive. */
bool sut_alive(const struct sut *s, char *which, size_t len);

struct sut_sample {
    double cpu_s;            /* utime+stime (+ reaped children) of the group */
    /* The same split by process, in sut_processes' order (the function instances,
     * reaped ones included, all under "fn-get-profile"). */
    double process_cpu_s[SUT_MAX_PROCESSES];
    uint64_t rss_kb;         /* current RSS summed over the group */
    uint64_t pss_kb;         /* current PSS summed over the group: each page shared by n
                              * processes counts 1/n in each, so the sum is the memory
                              * the group really holds (65 instances of one binary are
                              * not 65 copies of it) */
    unsigned nprocs;         /* processes in the group now */
};

/* Reads /proc/PID/stat for every process in the group; pss_kb stays 0. */
void sut_sample(const struct sut *s, struct sut_sample *out);

/* The same, and PSS from /proc/PID/smaps_rollup. Reading smaps_rollup walks the
 * process's page tables under its mmap lock: cheap for these servers, but a
 * sanitizer build's terabytes of reserved shadow made the monolith serve 40
 * req/s instead of 13,000 while it was read every 100 ms. So archbench reads PSS
 * after a scenario's load, never during it. */
void sut_sample_pss(const struct sut *s, struct sut_sample *out);

/* Stops every process of the group (SIGSTOP) and waits until each one is stopped,
 * so an architecture that is not being measured takes no CPU beside the one that
 * is; sut_thaw (SIGCONT) lets it run again. Returns false when some process was
 * still running after 5 s. */
bool sut_freeze(const struct sut *s);
void sut_thaw(const struct sut *s);

/* A live process of the group whose command name is comm (a function instance,
 * which the architecture's own processes start), or 0. */
pid_t sut_find_named(const struct sut *s, const char *comm);

/* Counts processes whose process group is pgid. */
unsigned sut_count_group(pid_t pgid);

#endif
