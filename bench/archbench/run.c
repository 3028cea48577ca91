/* archbench run (see run.h).
 *
 * The plan of a run is data: a profile lists the scenarios, and every
 * architecture goes through the same list with the same durations, the same
 * dataset and the same CPUs. Rounds are interleaved (all architectures once, then
 * again), so the machine's drift falls on all of them alike. */
#include "clock.h"
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <microhttpd.h>
#include <openssl/opensslv.h>
#include <sqlite3.h>

#include "cascade.h"
#include "check.h"
#include "drift.h"
#include "exchange.h"
#include "figures.h"
#include "hosts.h"
#include "httpc.h"
#include "log.h"
#include "report.h"
#include "report_text.h"
#include "opts.h"
#include "scenario.h"
#include "seed.h"
#include "sut.h"

/* ---- profiles ---------------------------------------------------------- */

struct plan {
    const char *name;
    unsigned users;            /* dataset size unless --users */
    double arch_warmup_s;      /* load before each round, not recorded */
    double scen_warmup_s;      /* loadgen --warmup of each scenario */
    double floor_s;            /* 1 connection */
    unsigned sat[6];           /* closed-loop concurrencies, SCENARIO_HEADLINE_CONNS among them */
    unsigned nsat;
    double sat_s;
    double rates[5];           /* open loop, shares of the slowest headline throughput;
                                * [0] is the equal load */
    unsigned nrates;
    double rate_s;
    unsigned rounds;           /* interleaved rounds of the headline concurrency */
    unsigned repeats;          /* of those, how many also run the floor, the other
                                * concurrencies; and the rounds of the open-loop scenarios */
    unsigned cold_starts;      /* forced cold starts per start mode */
    unsigned warm_requests;
    unsigned scale_users[2];   /* full: extra datasets measured at the headline concurrency */
    unsigned nscale;
    bool faults;               /* the fault phase, whether or not --faults is given */
};

/* quick: three interleaved rounds of 5 s at the headline concurrency, each after
 * its own warm-up and calibration, fit in the 150 s the quick profile may take
 * (docs/archbench.md#reproducibility measures what the 5 s rounds cost in
 * precision and shows that their first second is already steady). */
static const struct plan plans[] = {
    {.name = "smoke", .users = 2000, .arch_warmup_s = 0.5, .scen_warmup_s = 0.2,
     .floor_s = 0.6, .sat = {64}, .nsat = 1, .sat_s = 0.8, .rates = {SCENARIO_EQUAL_SHARE},
     .nrates = 1, .rate_s = 0.8, .rounds = 2, .repeats = 1, .cold_starts = 3,
     .warm_requests = 20},
    {.name = "quick", .users = 100000, .arch_warmup_s = 1.5, .scen_warmup_s = 0.5,
     .floor_s = 3, .sat = {64, 256}, .nsat = 2, .sat_s = 5, .rates = {SCENARIO_EQUAL_SHARE},
     .nrates = 1, .rate_s = 5, .rounds = 3, .repeats = 1, .cold_starts = 20,
     .warm_requests = 200},
    {.name = "full", .users = 100000, .arch_warmup_s = 3, .scen_warmup_s = 1,
     .floor_s = 8, .sat = {16, 64, 256, 1024}, .nsat = 4, .sat_s = 10,
     .rates = {SCENARIO_EQUAL_SHARE, 0.25, 0.75, 0.9}, .nrates = 4, .rate_s = 10, .rounds = 3,
     .repeats = 3, .cold_starts = 50, .warm_requests = 1000,
     .scale_users = {10000, 1000000}, .nscale = 2, .faults = true},
};

#define RUN_DEFAULT_PROFILE "quick"

static const struct plan *find_plan(const char *name)
{
    for (size_t i = 0; i < sizeof plans / sizeof plans[0]; i++)
        if (strcmp(name, plans[i].name) == 0)
            return &plans[i];
    return NULL;
}

/* ---- run state ----------------------------------------------------------- */

struct run {
    const struct plan *plan;
    bool arch_on[SUT_MAX];   /* the architectures and the targets measured */
    char out[512];           /* results/<timestamp> */
    char data[1024];         /* dataset directory */
    unsigned users;
    cpu_set_t load_cpus, sut_cpus;
    unsigned nsut;
    char bin[512];
    json_t *doc;             /* run.json */
    json_t *arch[SUT_MAX];   /* doc.architectures.<name> */
    double t0, planned_s;
    struct sut *current;     /* stopped on interruption */
    bool faults;             /* run the fault phase (full profile, or --faults) */
    bool use_hosts;          /* --hosts: every process on a host of its own */
    double rtt_ms;           /* --rtt: added to every round trip between hosts */
    struct hosts hosts;
    bool data_given;         /* --data: an existing dataset, not seeded here */
    bool no_check;           /* --no-check: targets measured without archbench check */
    /* the architectures and targets of the interleaved rounds: started once, frozen
     * between their rounds (sut_freeze; a URL target cannot be), stopped after the
     * last */
    struct sut resident[SUT_MAX];
    struct sut phase;        /* the one started for a phase after the rounds */
    bool resident_up[SUT_MAX];
    char report_log[1100];   /* the resident faas's REPORT records */
    json_t *calibrations;    /* run.json calibration.rounds */
    struct drift_cpu sut_cpu_start, all_cpu_start; /* /proc/stat at the start */
};

/* Whether system a (an architecture or a target) is measured in this run. */
static bool measured(const struct run *r, int a)
{
    return a < (int)sut_nsystems() && r->arch_on[a];
}

/* A URL target: the dataset it serves is its own, so no other size is tried. */
static bool remote(int a)
{
    const struct sut_target *t = sut_target((enum sut_arch)a);
    return t != NULL && t->url[0] != '\0';
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !interrupted)
        ;
}

/* A measured fraction or duration; null in run.json when there was nothing to
 * measure (NAN), since JSON has no NaN. */
static json_t *json_finite_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static void progress(struct run *r, const char *arch, const char *what)
{
    double el = clock_now_s() - r->t0;
    double left = r->planned_s - el;
    fprintf(stderr, "[%4.0fs, ~%3.0fs left] %-13s %s\n", el, left > 0 ? left : 0, arch, what);
}

/* Where the dataset of `users` users lives. */
static void dataset_dir(char *out, size_t len, unsigned users)
{
    snprintf(out, len, "var/data-%u", users);
}

/* An Authorization header line with user 1's token from the dataset in dir. */
static void user1_auth(const char *dir, char *hdr, size_t len)
{
    char tok[64];
    seed_first_token(dir, tok, sizeof tok);
    snprintf(hdr, len, "Authorization: Bearer %s\r\n", tok);
}

/* ---- environment ------------------------------------------------------- */

static void read_first_match(const char *path, const char *key, char *out, size_t len)
{
    FILE *f = fopen(path, "r");
    out[0] = '\0';
    if (f == NULL)
        return;
    char line[512];
    size_t klen = strlen(key);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) == 0) {
            char *v = strchr(line, ':');
            if (v == NULL)
                continue;
            v++;
            while (*v == ' ' || *v == '\t')
                v++;
            v[strcspn(v, "\n")] = '\0';
            snprintf(out, len, "%s", v);
            break;
        }
    }
    fclose(f);
}

static void command_output(const char *cmd, char *out, size_t len)
{
    out[0] = '\0';
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return;
    if (fgets(out, (int)len, p) == NULL)
        out[0] = '\0';
    out[strcspn(out, "\n")] = '\0';
    pclose(p);
}

static json_t *cpus_json(const cpu_set_t *set)
{
    json_t *a = json_array();
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, set))
            json_array_append_new(a, json_integer(c));
    return a;
}

/* Now, in UTC, formatted by strftime's fmt. */
static void utc_now(char *out, size_t len, const char *fmt)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, len, fmt, &tm);
}

static json_t *environment(const struct run *r)
{
    char cpu[256], mem[64], commit[64], loadgen[128], path[600];
    struct utsname u;
    uname(&u);
    read_first_match("/proc/cpuinfo", "model name", cpu, sizeof cpu);
    read_first_match("/proc/meminfo", "MemTotal", mem, sizeof mem);
    command_output("git rev-parse --short HEAD 2>/dev/null", commit, sizeof commit);
    snprintf(path, sizeof path, "%s/loadgen --version 2>/dev/null", r->bin);
    command_output(path, loadgen, sizeof loadgen);
    char date[32];
    utc_now(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ");
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return json_pack(
        "{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:{s:s, s:s, s:s, s:s, s:s}, s:s}",
        "date", date, "cpu_model", cpu[0] ? cpu : "unknown", "cores", (json_int_t)cores,
        "memory", mem, "kernel", u.release, "machine", u.machine, "git_commit",
        commit[0] ? commit : "unknown", "load_cpus", cpus_json(&r->load_cpus), "sut_cpus",
        cpus_json(&r->sut_cpus), "libraries", "libmicrohttpd", MHD_get_version(), "libcurl",
        curl_version_info(CURLVERSION_NOW)->version, "sqlite", sqlite3_libversion(),
        "jansson", jansson_version_str(), "openssl", OPENSSL_VERSION_TEXT, "loadgen",
        loadgen[0] ? loadgen : "unknown");
}

/* ---- one scenario: bin/loadgen against the architecture ---------------------- */

/* A fault injected during a scenario (the fault phase): at at_s seconds into the
 * load, kill a process of the architecture; a killed server is restarted at once,
 * as a supervisor would, and recovery is the time from the kill to the first 200
 * of a probe that retries every SCENARIO_FAULT_PROBE_MS. */
struct fault {
    enum sut_arch arch;
    double at_s;
    bool done;
    double recovery_ms;
    char auth[128];
};

struct scenario {
    char name[32];          /* "floor", "c64", "rate50", "scale-1000000" ... */
    unsigned connections;
    double rate;            /* open loop when > 0, with Poisson arrivals */
    double duration_s, warmup_s;
    unsigned repeat;
    struct fault *fault;    /* the fault phase's, injected during the load */
};

/* The open-loop scenarios' arrivals: Poisson, as the requests of many independent
 * users arrive, seeded per round so a rerun plans the same times. */
#define RUN_ARRIVALS "poisson"
static unsigned arrivals_seed(const struct scenario *sc) { return 1 + sc->repeat; }

/* bin/loadgen's command line for a scenario, and the strings it points into. */
struct loadgen_cmd {
    char path[600], conns[16], duration[32], warmup[32], rate[32], seed[16];
    char json[1400], txt[1400]; /* its --json file, and its stdout and stderr */
    char *argv[24];
};

static void loadgen_command(struct loadgen_cmd *c, const struct run *r, const struct sut *s,
                            const struct scenario *sc, const char *tokens)
{
    snprintf(c->json, sizeof c->json, "%s/loadgen/%s-%s-r%u.json", r->out,
             sut_arch_name(s->arch), sc->name, sc->repeat);
    snprintf(c->txt, sizeof c->txt, "%s/loadgen/%s-%s-r%u.txt", r->out,
             sut_arch_name(s->arch), sc->name, sc->repeat);
    snprintf(c->path, sizeof c->path, "%s/loadgen", r->bin);
    snprintf(c->conns, sizeof c->conns, "%u", sc->connections);
    snprintf(c->duration, sizeof c->duration, "%.0fms", sc->duration_s * 1000);
    snprintf(c->warmup, sizeof c->warmup, "%.0fms", sc->warmup_s * 1000);
    snprintf(c->rate, sizeof c->rate, "%.0f", sc->rate);
    int n = 0;
    char **argv = c->argv;
    argv[n++] = c->path;
    argv[n++] = "-c";
    argv[n++] = c->conns;
    argv[n++] = "-t";
    argv[n++] = "1";
    argv[n++] = "-d";
    argv[n++] = c->duration;
    argv[n++] = "--warmup";
    argv[n++] = c->warmup;
    if (sc->rate > 0) {
        snprintf(c->seed, sizeof c->seed, "%u", arrivals_seed(sc));
        argv[n++] = "-R";
        argv[n++] = c->rate;
        argv[n++] = "--arrivals";
        argv[n++] = RUN_ARRIVALS;
        argv[n++] = "--seed";
        argv[n++] = c->seed;
    }
    argv[n++] = "--tokens";
    argv[n++] = (char *)tokens;
    argv[n++] = "--verify";
    argv[n++] = "--json";
    argv[n++] = c->json;
    argv[n++] = (char *)s->url;
    argv[n] = NULL;
}

/* Starts loadgen pinned to the load CPUs, its output into c->txt. */
static pid_t spawn_loadgen(const struct run *r, const struct loadgen_cmd *c, char *err,
                           size_t errlen)
{
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        sched_setaffinity(0, sizeof r->load_cpus, &r->load_cpus);
        int fd = open(c->txt, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        execv(c->path, c->argv);
        _exit(127);
    }
    return pid;
}

static int inject(struct sut *s, struct fault *f, char *err, size_t errlen);

/* What the system under test did while loadgen ran. */
struct watched {
    struct sut_sample before, after;
    uint64_t peak_rss_kb;
    unsigned peak_procs;
    struct drift_cpu cpu_before, cpu_after; /* /proc/stat of the SUT CPUs */
    struct cascade_watch cold;              /* serverless: cold starts during the run */
    int status; /* loadgen's wait status */
};

static void watch_peaks(struct watched *w, const struct sut_sample *now)
{
    if (now->rss_kb > w->peak_rss_kb)
        w->peak_rss_kb = now->rss_kb;
    if (now->nprocs > w->peak_procs)
        w->peak_procs = now->nprocs;
}

/* Waits for loadgen (pid), sampling s every 100 ms and injecting sc's fault when it
 * is due; w->before was sampled before loadgen started. Returns 0, or -1 with err
 * set when the fault could not be injected, the architecture died or the run was
 * interrupted. */
static int watch_loadgen(struct run *r, struct sut *s, const struct scenario *sc, pid_t pid,
                         struct watched *w, char *err, size_t errlen)
{
    w->peak_rss_kb = 0;
    w->peak_procs = 0;
    watch_peaks(w, &w->before);
    char dead[64] = "";
    bool died = false;
    double t_start = clock_now_s();
    while (waitpid(pid, &w->status, WNOHANG) != pid) {
        struct fault *f = sc->fault;
        if (f && !f->done && clock_now_s() - t_start >= f->at_s &&
            inject(s, f, err, errlen) != 0) {
            kill(pid, SIGINT);
            waitpid(pid, &w->status, 0);
            return -1;
        }
        if (interrupted)
            kill(pid, SIGINT);
        if (!died && !sut_alive(s, dead, sizeof dead))
            died = true;
        sut_sample(s, &w->after);
        watch_peaks(w, &w->after);
        cascade_watch_poll(&w->cold, clock_now_s());
        sleep_s(0.1);
    }
    drift_cpu_read(&r->sut_cpus, &w->cpu_after);
    /* PSS once the load is over (sut_sample_pss): the memory the load left, with
     * the instances it started still alive (they idle for seconds) */
    sut_sample_pss(s, &w->after);
    cascade_watch_poll(&w->cold, clock_now_s());
    if (died || !sut_alive(s, dead, sizeof dead)) {
        snprintf(err, errlen, "%s: %s died during %s (see %s/logs/%s.log)",
                 sut_arch_name(s->arch), dead, sc->name, r->out, dead);
        return -1;
    }
    if (interrupted) {
        snprintf(err, errlen, "interrupted");
        return -1;
    }
    return 0;
}

/* Where the CPU per request went: {"gateway": us, "auth-service": us, ...}, every
 * process of the architecture (sut_processes) even when it used none. */
static json_t *cpu_by_process(enum sut_arch arch, const struct watched *w, double responses)
{
    json_t *o = json_object();
    const char *const *names = sut_processes(arch);
    for (int i = 0; names[i] != NULL; i++) {
        double cpu = w->after.process_cpu_s[i] - w->before.process_cpu_s[i];
        json_object_set_new(o, names[i], json_real(responses > 0 ? cpu * 1e6 / responses : 0.0));
    }
    return o;
}

/* The scenario's record in run.json: its plan, what was sampled, and loadgen's
 * JSON (without the per-second buckets, nor the steps' histograms but at the
 * floor: the raw file keeps them). */
static json_t *scenario_record(const struct sut *s, const struct scenario *sc,
                               const struct loadgen_cmd *c, const struct watched *w, char *err,
                               size_t errlen)
{
    json_error_t je;
    json_t *lgj = json_load_file(c->json, 0, &je);
    if (lgj == NULL) {
        snprintf(err, errlen, "%s %s: loadgen failed (exit %d), see %s", sut_arch_name(s->arch),
                 sc->name, WIFEXITED(w->status) ? WEXITSTATUS(w->status) : -1, c->txt);
        return NULL;
    }
    json_t *cold = cascade_record(&w->cold, json_object_get(lgj, "timeline"));
    size_t i;
    json_t *sec;
    json_array_foreach(json_object_get(lgj, "timeline"), i, sec) json_object_del(sec, "buckets");
    /* The steps' histograms stay for the floor, whose steps the report shows; the
     * other scenarios keep their counts, means and percentiles (the histograms
     * made run.json five times larger; the raw file keeps them). */
    const char *step;
    json_t *st;
    if (strcmp(sc->name, SCENARIO_FLOOR) != 0)
        json_object_foreach(json_object_get(lgj, "server_timing"), step, st)
            json_object_del(st, "histogram");

    double responses = (double)json_integer_value(json_object_get(lgj, "requests")) +
                       (double)json_integer_value(json_object_get(lgj, "warmup_responses"));
    double cpu = w->after.cpu_s - w->before.cpu_s;
    json_t *rec = json_pack(
        "{s:s, s:i, s:f, s:f, s:f, s:i, s:f, s:f, s:o, s:I, s:I, s:i, s:o, s:o}", "name", sc->name,
        "connections", (int)sc->connections, "rate", sc->rate, "duration_s", sc->duration_s,
        "warmup_s", sc->warmup_s, "repeat", (int)sc->repeat, "cpu_s", cpu,
        "cpu_us_per_request", responses > 0 ? cpu * 1e6 / responses : 0.0,
        "cpu_us_per_request_by_process", cpu_by_process(s->arch, w, responses), "peak_rss_kb",
        (json_int_t)w->peak_rss_kb, "pss_kb", (json_int_t)w->after.pss_kb,
        "peak_processes", (int)w->peak_procs, "steal",
        json_finite_or_null(drift_steal(&w->cpu_before, &w->cpu_after)), "sut_cpu_busy",
        json_finite_or_null(drift_busy(&w->cpu_before, &w->cpu_after)));
    if (s->nprocs == 0) /* a URL target: nothing of it runs here to be sampled */
        for (const char *const *k =
                 (const char *const[]){"cpu_s", "cpu_us_per_request",
                                       "cpu_us_per_request_by_process", "peak_rss_kb",
                                       "pss_kb", "peak_processes", NULL};
             *k; k++)
            json_object_set_new(rec, *k, json_null());
    if (sc->rate > 0) {
        json_object_set_new(rec, "arrivals", json_string(RUN_ARRIVALS));
        json_object_set_new(rec, "seed", json_integer(arrivals_seed(sc)));
    }
    if (cold)
        json_object_set_new(rec, "cold_starts", cold);
    json_object_set_new(rec, "loadgen_file", json_string(strrchr(c->json, '/') + 1));
    json_object_set_new(rec, "loadgen", lgj);
    return rec;
}

/* Runs bin/loadgen against s pinned to the load CPUs, sampling the system under
 * test every 100 ms; returns the scenario record for run.json, or NULL (reason in
 * err) when the run could not be done or the architecture died during it. */
static json_t *run_scenario(struct run *r, struct sut *s, const struct scenario *sc,
                            const char *tokens, char *err, size_t errlen)
{
    struct loadgen_cmd c;
    loadgen_command(&c, r, s, sc, tokens);
    struct watched w;
    sut_sample(s, &w.before);
    drift_cpu_read(&r->sut_cpus, &w.cpu_before);
    /* loadgen's window opens after its warm-up (and 5 ms of thread start-up) */
    double t = clock_now_s();
    cascade_watch_open(&w.cold, s->opt.report_log, t + sc->warmup_s + 0.005, sc->duration_s);
    pid_t pid = spawn_loadgen(r, &c, err, errlen);
    json_t *rec = NULL;
    if (pid >= 0 && watch_loadgen(r, s, sc, pid, &w, err, errlen) == 0)
        rec = scenario_record(s, sc, &c, &w, err, errlen);
    cascade_watch_close(&w.cold);
    return rec;
}

/* What the fault scenario kills in each architecture: one of its own servers,
 * which is restarted at once as a supervisor would, or a process the platform
 * started (a function instance), which the platform replaces by itself. */
static const struct fault_target {
    const char *process; /* the server's name in sut, or an instance's command name */
    bool restart;
    const char *what;    /* for run.json */
} fault_targets[SUT_NARCH] = {
    [SUT_MONOLITH] = {"monolith", true, "kill -9 the monolith, restart it"},
    [SUT_MICROSERVICES] = {"profile-service", true, "kill -9 profile-service, restart it"},
    [SUT_SERVERLESS] = {"fn-get-profile", false, "kill -9 one function instance"},
};

/* The fault of a fault scenario: see struct fault. */
static int inject(struct sut *s, struct fault *f, char *err, size_t errlen)
{
    const struct fault_target *t = &fault_targets[s->arch];
    f->done = true;
    int server = t->restart ? sut_proc_index(s, t->process) : -1;
    pid_t victim = server >= 0 ? s->procs[server].pid : sut_find_named(s, t->process);
    if (victim <= 0) {
        snprintf(err, errlen, "%s: nothing to kill for the fault scenario", sut_arch_name(s->arch));
        return -1;
    }
    double t0 = clock_now_s();
    kill(victim, SIGKILL);
    if (server >= 0 && sut_restart(s, (unsigned)server, err, errlen) != 0)
        return -1;
    for (;;) {
        struct http_response resp;
        if (httpc_request_addr(sut_public_address(s), "GET", "/profile", f->auth, &resp) == 0) {
            bool ok = resp.status == 200;
            httpc_free(&resp);
            if (ok)
                break;
        }
        if (clock_now_s() - t0 > SCENARIO_FAULT_RECOVERY_LIMIT_S) {
            snprintf(err, errlen, "%s: no 200 within %d s after the fault", sut_arch_name(s->arch),
                     SCENARIO_FAULT_RECOVERY_LIMIT_S);
            return -1;
        }
        sleep_s(SCENARIO_FAULT_PROBE_MS / 1000.0);
    }
    f->recovery_ms = (clock_now_s() - t0) * 1e3;
    return 0;
}

/* ---- phases: one start of an architecture each -------------------------------- */

static void sut_options_for(struct run *r, struct sut_options *o, const char *data)
{
    memset(o, 0, sizeof *o);
    o->bin_dir = r->bin;
    o->data_dir = data;
    static char logs[1100], target_data[1100];
    snprintf(logs, sizeof logs, "%s/logs", r->out);
    o->log_dir = logs;
    snprintf(target_data, sizeof target_data, "%s/target-data", r->out);
    o->target_data = target_data;
    o->cpus = r->sut_cpus;
    o->threads = r->nsut;
    o->hosts = r->use_hosts ? &r->hosts : NULL;
}

/* Start-up time and idle memory of what was just started. */
static void record_start(struct run *r, enum sut_arch a, const struct sut *s)
{
    json_array_append_new(json_object_get(r->arch[a], "startup_ms"),
                          json_real(s->startup_ms));
    struct sut_sample idle;
    sut_sample_pss(s, &idle);
    json_array_append_new(json_object_get(r->arch[a], "idle_rss_kb"),
                          json_integer((json_int_t)idle.rss_kb));
    json_array_append_new(json_object_get(r->arch[a], "idle_pss_kb"),
                          json_integer((json_int_t)idle.pss_kb));
}

/* Starts a with options o (sut_options_for, perhaps amended) and records its
 * start-up time and idle memory. */
static int start_arch_with(struct run *r, enum sut_arch a, struct sut *s,
                           const struct sut_options *o, char *err, size_t errlen)
{
    if (sut_start(s, a, o, err, errlen) != 0)
        return -1;
    r->current = s;
    if (s->nprocs > 0) /* a URL target: nothing was started, nothing to sample */
        record_start(r, a, s);
    if (a < SUT_NARCH && json_object_get(r->doc, "exchange") == NULL) {
        char tok[64];
        seed_first_token(r->data, tok, sizeof tok);
        json_t *ex = exchange_record(sut_public_address(s), tok);
        if (ex != NULL)
            json_object_set_new(r->doc, "exchange", ex);
    }
    return 0;
}

static int start_arch(struct run *r, enum sut_arch a, struct sut *s, const char *data,
                      char *err, size_t errlen)
{
    struct sut_options o;
    sut_options_for(r, &o, data);
    return start_arch_with(r, a, s, &o, err, errlen);
}

static int stop_arch(struct run *r, struct sut *s, char *err, size_t errlen)
{
    r->current = NULL;
    int left = sut_stop(s);
    if (left > 0) {
        snprintf(err, errlen, "%s: %d process(es) did not stop on SIGTERM within %d s and were "
                              "killed", sut_arch_name(s->arch), left, SUT_STOP_TIMEOUT_MS / 1000);
        return -1;
    }
    return 0;
}

/* Stops s after a phase; a failure to stop cleanly fails the phase unless it had
 * already failed for another reason (which is the one reported). */
static int finish_arch(struct run *r, struct sut *s, int rc, char *err, size_t errlen)
{
    char err2[4096];
    if (stop_arch(r, s, err2, sizeof err2) != 0 && rc == 0) {
        snprintf(err, errlen, "%s", err2);
        rc = -1;
    }
    return rc;
}

/* Times the calibration workload on the system-under-test CPU before a round
 * (`what`, of architecture `arch`); run.json keeps every one. */
static void calibrate(struct run *r, enum sut_arch arch, const char *what, unsigned round)
{
    double samples[DRIFT_SAMPLES];
    double ms = drift_calibrate(&r->sut_cpus, samples);
    json_t *arr = json_array();
    for (int i = 0; i < DRIFT_SAMPLES; i++)
        json_array_append_new(arr, json_real(samples[i]));
    json_array_append_new(r->calibrations,
                          json_pack("{s:f, s:s, s:s, s:i, s:f, s:o}", "at_s",
                                    clock_now_s() - r->t0, "arch", sut_arch_name(arch), "before",
                                    what, "round", (int)round, "ms", ms, "samples_ms", arr));
}

/* Unrecorded load before a round, at the headline concurrency: after a start the
 * caches and connections are cold, after a thaw the serverless platform has let
 * its idle instances go and starts them again here, outside the measurement. */
static int warm_up(struct run *r, struct sut *s, const char *tokens, char *err, size_t errlen)
{
    struct scenario sc = {.name = SCENARIO_WARMUP, .connections = SCENARIO_HEADLINE_CONNS,
                          .duration_s = r->plan->arch_warmup_s, .warmup_s = 0};
    json_t *j = run_scenario(r, s, &sc, tokens, err, errlen);
    if (j == NULL)
        return -1;
    json_decref(j);
    return 0;
}

/* Work the warm-up's load left behind (the serverless platform's new instances
 * still initialising: under a sanitizer build on a busy machine, 64 of them took
 * longer than the smoke profile's whole warm-up, and the next scenario's one
 * connection got no answer in its 0.6 s) must not be measured as the next
 * scenario's. Waits, at most SETTLE_MAX_S, until the group used under a fifth of
 * a CPU over 100 ms. */
#define SETTLE_MAX_S 5.0
static void settle(const struct sut *s)
{
    struct sut_sample before, after;
    sut_sample(s, &before);
    for (double t0 = clock_now_s(); !interrupted && clock_now_s() - t0 < SETTLE_MAX_S;) {
        sleep_s(0.1);
        sut_sample(s, &after);
        if (after.cpu_s - before.cpu_s < 0.02)
            return;
        before = after;
    }
}

/* The fault scenario's record: the scenario's, with what was done and its cost. */
static void add_fault(json_t *j, const struct fault *f)
{
    json_t *lg = json_object_get(j, "loadgen");
    double req = (double)json_integer_value(json_object_get(lg, "requests"));
    double errs =
        (double)json_integer_value(json_object_get(json_object_get(lg, "errors"), "total"));
    json_object_set_new(j, "fault", json_string(fault_targets[f->arch].what));
    json_object_set_new(j, "fault_at_s", json_real(f->at_s));
    json_object_set_new(j, "recovery_ms", json_real(f->recovery_ms));
    json_object_set_new(j, "error_rate", json_real(req + errs > 0 ? errs / (req + errs) : 0));
}

/* Runs one scenario and keeps its record: in the architecture's "scenarios", or
 * as its "fault". */
static int record(struct run *r, struct sut *s, const struct scenario *sc, const char *tokens,
                  char *err, size_t errlen)
{
    char what[128];
    if (sc->fault)
        snprintf(what, sizeof what, "fault: %s after %.0f s of %u connections",
                 fault_targets[sc->fault->arch].what, sc->fault->at_s, sc->connections);
    else if (sc->rate > 0)
        snprintf(what, sizeof what, "%s: open loop %.0f req/s, %.0f s", sc->name, sc->rate,
                 sc->duration_s);
    else
        snprintf(what, sizeof what, "%s: %u connection%s, %.0f s", sc->name, sc->connections,
                 sc->connections == 1 ? "" : "s", sc->duration_s);
    progress(r, sut_arch_name(s->arch), what);
    json_t *j = run_scenario(r, s, sc, tokens, err, errlen);
    if (j == NULL)
        return -1;
    if (sc->fault) {
        add_fault(j, sc->fault);
        json_object_set_new(r->arch[s->arch], "fault", j);
    } else {
        json_array_append_new(json_object_get(r->arch[s->arch], "scenarios"), j);
    }
    return 0;
}

/* One round on a running architecture: calibrate, warm up, record the n
 * scenarios of list. */
static int run_round(struct run *r, struct sut *s, const char *data, const char *what,
                     unsigned round, const struct scenario *list, unsigned n, char *err,
                     size_t errlen)
{
    char tokens[1200];
    seed_tokens_path(data, tokens, sizeof tokens);
    calibrate(r, s->arch, what, round);
    int rc = warm_up(r, s, tokens, err, errlen);
    if (rc == 0)
        settle(s);
    for (unsigned i = 0; i < n && rc == 0; i++)
        rc = record(r, s, &list[i], tokens, err, errlen);
    return rc;
}

/* The phases after the interleaved rounds: start architecture a on dataset
 * `data`, run one round of the n scenarios of list, stop it. */
static int run_phase(struct run *r, enum sut_arch a, const char *data,
                     const struct scenario *list, unsigned n, char *err, size_t errlen)
{
    struct sut *s = &r->phase;
    progress(r, sut_arch_name(a), "start");
    if (start_arch(r, a, s, data, err, errlen) != 0)
        return -1;
    int rc = run_round(r, s, data, list[0].name, 0, list, n, err, errlen);
    return finish_arch(r, s, rc, err, errlen);
}

/* ---- interleaved rounds ---------------------------------------------------------
 * Every architecture measured is started once and frozen (SIGSTOP to its process
 * group) whenever another one is measured, so its idle instances and timers take
 * no CPU beside it; each round thaws it, calibrates, warms it up again, measures,
 * and freezes it. Rounds go monolith, microservices, serverless, the targets,
 * monolith, ...: the machine's drift falls on all of them alike, and the ratios of
 * one round compare figures taken seconds apart. A target's command is a resident
 * like the architectures; a URL target has no process here, so freezing and thawing
 * it do nothing: it keeps running between its rounds. */

static int start_residents(struct run *r, char *err, size_t errlen)
{
    snprintf(r->report_log, sizeof r->report_log, "%s/logs/faas-report.jsonl", r->out);
    for (int a = 0; a < SUT_MAX; a++) {
        if (!measured(r, a))
            continue;
        struct sut_options o;
        sut_options_for(r, &o, r->data);
        if (a == SUT_SERVERLESS)
            o.report_log = r->report_log; /* its cold starts inside the scenarios */
        progress(r, sut_arch_name((enum sut_arch)a), "start");
        if (start_arch_with(r, (enum sut_arch)a, &r->resident[a], &o, err, errlen) != 0)
            return -1;
        r->current = NULL;
        r->resident_up[a] = true;
        if (!sut_freeze(&r->resident[a])) {
            snprintf(err, errlen, "%s: its processes could not all be stopped (SIGSTOP)",
                     sut_arch_name((enum sut_arch)a));
            return -1;
        }
    }
    return 0;
}

/* Stops every resident architecture and target; returns rc, or -1 when one did
 * not stop cleanly (reason in err unless rc had already failed). */
static int stop_residents(struct run *r, int rc, char *err, size_t errlen)
{
    for (int a = 0; a < SUT_MAX; a++)
        if (r->resident_up[a]) {
            r->resident_up[a] = false;
            rc = finish_arch(r, &r->resident[a], rc, err, errlen);
        }
    return rc;
}

/* One round of resident architecture a: thaw, run_round, freeze. */
static int resident_round(struct run *r, enum sut_arch a, const char *what, unsigned round,
                          const struct scenario *list, unsigned n, char *err, size_t errlen)
{
    struct sut *s = &r->resident[a];
    char label[64];
    snprintf(label, sizeof label, "round %u/%u: %s", round + 1,
             strcmp(what, "open loop") == 0 ? r->plan->repeats : r->plan->rounds, what);
    progress(r, sut_arch_name(a), label);
    sut_thaw(s);
    int rc = run_round(r, s, r->data, label, round, list, n, err, errlen);
    if (!sut_freeze(s) && rc == 0) {
        snprintf(err, errlen, "%s: its processes could not all be stopped (SIGSTOP)",
                 sut_arch_name(a));
        rc = -1;
    }
    return rc;
}

/* The saturation rounds: the headline concurrency in every round; the latency
 * floor and the other concurrencies in the first plan->repeats rounds. */
static int round_saturation(struct run *r, enum sut_arch a, unsigned round, char *err,
                            size_t errlen)
{
    const struct plan *p = r->plan;
    struct scenario list[1 + sizeof p->sat / sizeof p->sat[0]];
    unsigned n = 0;
    bool all = round < p->repeats;
    if (all)
        list[n++] = (struct scenario){.name = SCENARIO_FLOOR, .connections = 1,
                                      .duration_s = p->floor_s, .warmup_s = p->scen_warmup_s,
                                      .repeat = round};
    for (unsigned i = 0; i < p->nsat; i++) {
        if (!all && p->sat[i] != SCENARIO_HEADLINE_CONNS)
            continue;
        struct scenario *sc = &list[n++];
        *sc = (struct scenario){.connections = p->sat[i], .duration_s = p->sat_s,
                                .warmup_s = p->scen_warmup_s, .repeat = round};
        scenario_closed_name(sc->name, sizeof sc->name, p->sat[i]);
    }
    return resident_round(r, a, "closed loop", round, list, n, err, errlen);
}

/* The open-loop rounds: the plan's rates as shares of the slowest architecture's
 * headline throughput (`base`; the first is the equal load), and equal
 * utilisation: SCENARIO_UTIL_SHARE of a's own (`own`). */
static int round_rates(struct run *r, enum sut_arch a, unsigned rep, double base, double own,
                       char *err, size_t errlen)
{
    const struct plan *p = r->plan;
    struct scenario list[sizeof p->rates / sizeof p->rates[0] + 1];
    for (unsigned i = 0; i <= p->nrates; i++) {
        struct scenario *sc = &list[i];
        *sc = (struct scenario){.connections = SCENARIO_HEADLINE_CONNS,
                                .rate = i < p->nrates ? base * p->rates[i]
                                                      : own * SCENARIO_UTIL_SHARE,
                                .duration_s = p->rate_s, .warmup_s = p->scen_warmup_s,
                                .repeat = rep};
        if (i == 0)
            snprintf(sc->name, sizeof sc->name, "%s", SCENARIO_EQUAL);
        else if (i == p->nrates)
            snprintf(sc->name, sizeof sc->name, "%s", SCENARIO_UTIL);
        else
            scenario_rate_name(sc->name, sizeof sc->name, p->rates[i]);
    }
    return resident_round(r, a, "open loop", rep, list, p->nrates + 1, err, errlen);
}

/* Full profile: the headline saturation against other dataset sizes. */
static int phase_scale(struct run *r, enum sut_arch a, unsigned users, char *err,
                       size_t errlen)
{
    char data[1100];
    dataset_dir(data, sizeof data, users);
    struct scenario sc = {.connections = SCENARIO_HEADLINE_CONNS, .duration_s = r->plan->sat_s,
                          .warmup_s = r->plan->scen_warmup_s};
    scenario_scale_name(sc.name, sizeof sc.name, users);
    return run_phase(r, a, data, &sc, 1, err, errlen);
}

/* Fault injection (full profile, or --faults): the headline concurrency, and a
 * process of the architecture killed during it (fault_targets). */
static int phase_faults(struct run *r, enum sut_arch a, char *err, size_t errlen)
{
    struct fault f = {.arch = a, .at_s = SCENARIO_FAULT_AT_S};
    user1_auth(r->data, f.auth, sizeof f.auth);
    struct scenario sc = {.name = SCENARIO_FAULT, .connections = SCENARIO_HEADLINE_CONNS,
                          .duration_s = SCENARIO_FAULT_DURATION_S, .warmup_s = 0, .fault = &f};
    return run_phase(r, a, r->data, &sc, 1, err, errlen);
}

/* ---- serverless cold and warm starts ------------------------------------ */

static double elapsed_ms_since(double t) { return (clock_now_s() - t) * 1e3; }

/* One GET /profile on a new connection; its latency in ms, or -1. */
static double timed_get(const char *address, const char *auth)
{
    struct http_response resp;
    double t = clock_now_s();
    if (httpc_request_addr(address, "GET", "/profile", auth, &resp) != 0)
        return -1;
    double ms = elapsed_ms_since(t);
    bool ok = resp.status == 200;
    httpc_free(&resp);
    return ok ? ms : -1;
}

static json_t *read_report_log(const char *path)
{
    json_t *arr = json_array();
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return arr;
    char line[2048];
    while (fgets(line, sizeof line, f)) {
        json_t *j = json_loads(line, 0, NULL);
        if (j)
            json_array_append_new(arr, j);
    }
    fclose(f);
    return arr;
}

/* Waits until s has no more processes than `base` (faas and its template process:
 * no instance left), so the next request is a cold start. */
static bool scaled_to_zero(const struct sut *s, unsigned base)
{
    double deadline = clock_now_s() + 3;
    struct sut_sample cur;
    do {
        sleep_s(0.01);
        sut_sample(s, &cur);
    } while (cur.nprocs > base && clock_now_s() < deadline);
    return cur.nprocs <= base;
}

/* The plan's cold starts, each after scale to zero, into cold (ms). */
static int cold_requests(struct run *r, const struct sut *s, const char *address, const char *auth,
                         json_t *cold, char *err, size_t errlen)
{
    struct sut_sample base;
    sut_sample(s, &base); /* faas (+ its template process): no instance yet */
    for (unsigned i = 0; i < r->plan->cold_starts && !interrupted; i++) {
        if (!scaled_to_zero(s, base.nprocs)) {
            snprintf(err, errlen, "serverless: instances did not scale to zero after the idle "
                                  "timeout");
            return -1;
        }
        double ms = timed_get(address, auth);
        if (ms < 0) {
            snprintf(err, errlen, "serverless: a cold-start request failed (see %s/logs)",
                     r->out);
            return -1;
        }
        json_array_append_new(cold, json_real(ms));
    }
    return 0;
}

/* Warm: back-to-back requests keep one instance alive; into warm (ms). */
static int warm_requests(struct run *r, const char *address, const char *auth, json_t *warm, char *err,
                         size_t errlen)
{
    for (unsigned i = 0; i < r->plan->warm_requests && !interrupted; i++) {
        double ms = timed_get(address, auth);
        if (ms < 0) {
            snprintf(err, errlen, "serverless: a warm request failed");
            return -1;
        }
        if (i > 0) /* the first may still be cold */
            json_array_append_new(warm, json_real(ms));
    }
    return 0;
}

static int phase_cold(struct run *r, const char *mode, char *err, size_t errlen)
{
    char reportlog[1400], auth[128];
    snprintf(reportlog, sizeof reportlog, "%s/logs/faas-%s-report.jsonl", r->out, mode);
    unlink(reportlog);
    user1_auth(r->data, auth, sizeof auth);

    struct sut_options o;
    sut_options_for(r, &o, r->data);
    o.idle_timeout_ms = SCENARIO_COLD_IDLE_TIMEOUT_MS;
    o.start_mode = mode;
    o.report_log = reportlog;
    struct sut s;
    char what[64];
    snprintf(what, sizeof what, "cold starts (--start %s)", mode);
    progress(r, "serverless", what);
    if (sut_start(&s, SUT_SERVERLESS, &o, err, errlen) != 0)
        return -1;
    r->current = &s;
    const char *address = sut_public_address(&s);
    json_t *cold = json_array(), *warm = json_array();
    int rc = cold_requests(r, &s, address, auth, cold, err, errlen);
    if (rc == 0)
        rc = warm_requests(r, address, auth, warm, err, errlen);
    rc = finish_arch(r, &s, rc, err, errlen);
    json_t *starts = json_object_get(r->arch[SUT_SERVERLESS], "cold_starts");
    json_object_set_new(starts, mode,
                        json_pack("{s:o, s:o, s:o}", "cold_ms", cold, "warm_ms", warm,
                                  "reports", read_report_log(reportlog)));
    return rc;
}

/* ---- separate hosts (--hosts) ------------------------------------------ */

/* A CPU set as taskset's list ("1,3"). */
static void cpu_list(const cpu_set_t *set, char *out, size_t len)
{
    size_t n = 0;
    out[0] = '\0';
    for (int c = 0; c < CPU_SETSIZE && n < len; c++)
        if (CPU_ISSET(c, set))
            n += (size_t)snprintf(out + n, len - n, "%s%d", n ? "," : "", c);
}

/* One host per server of the architectures measured (named after it, its packet
 * delayer on the system-under-test CPUs) and one for the load generator, which
 * archbench itself joins: loadgen inherits it, and archbench's own requests (health
 * checks, cold starts, fault probes) cross the network as the load does. */
static int hosts_start(struct run *r, char *err, size_t errlen)
{
    static const char *const servers[SUT_NARCH][3] = {
        {"monolith"}, {"auth-service", "profile-service", "gateway"}, {"faas"}};
    char load[256], sut[256], specs[HOSTS_MAX][300];
    const char *ptr[HOSTS_MAX];
    cpu_list(&r->load_cpus, load, sizeof load);
    cpu_list(&r->sut_cpus, sut, sizeof sut);
    unsigned n = 0;
    snprintf(specs[n++], sizeof specs[0], "load@%s", load);
    for (int a = 0; a < SUT_NARCH; a++)
        for (int i = 0; i < 3 && r->arch_on[a] && servers[a][i]; i++)
            snprintf(specs[n++], sizeof specs[0], "%s@%s", servers[a][i], sut);
    for (unsigned i = 0; i < n; i++)
        ptr[i] = specs[i];
    char netdelay[700];
    snprintf(netdelay, sizeof netdelay, "%s/netdelay", r->bin);
    setenv("NETDELAY", netdelay, 1);
    const char *script = getenv("ARCHBENCH_HOSTS_SCRIPT");
    if (hosts_up(&r->hosts, script && *script ? script : "bench/hosts/hosts.sh", r->rtt_ms, ptr,
                 n, err, errlen) != 0)
        return -1;
    if (hosts_enter(&r->hosts, "load") != 0) {
        snprintf(err, errlen, "cannot enter the load host: %s", strerror(errno));
        hosts_down(&r->hosts);
        return -1;
    }
    json_t *addrs = json_object();
    for (unsigned i = 0; i < r->hosts.n; i++)
        json_object_set_new(addrs, r->hosts.host[i].name, json_string(r->hosts.host[i].address));
    json_object_set_new(r->doc, "network",
                        json_pack("{s:s, s:f, s:o}", "topology", "hosts", "rtt_ms", r->rtt_ms,
                                  "hosts", addrs));
    return 0;
}

/* ---- targets: archbench check before they are measured ---------------------- */

/* Prints target a's failed cases on stderr and keeps the check in run.json. */
static void note_check(struct run *r, enum sut_arch a, const struct check_summary *cs)
{
    json_t *failures = json_array(), *k;
    size_t i;
    json_array_foreach(cs->cases, i, k)
    {
        if (json_is_true(json_object_get(k, "passed")))
            continue;
        fprintf(stderr, "  FAIL %s: %s; rule: %s\n", json_string_value(json_object_get(k, "name")),
                json_string_value(json_object_get(k, "message")),
                json_string_value(json_object_get(k, "rule")));
        json_array_append(failures, json_object_get(k, "name"));
    }
    json_object_set_new(json_object_get(r->arch[a], "target"), "check",
                        json_pack("{s:i, s:i, s:o}", "passed", (int)cs->passed, "failed",
                                  (int)cs->failed, "failures", failures));
}

/* Leaves target a out of the run, keeping why in run.json's "unmeasured". */
static void leave_out(struct run *r, enum sut_arch a)
{
    const char *name = sut_arch_name(a);
    json_t *unmeasured = json_object_get(r->doc, "unmeasured");
    if (unmeasured == NULL)
        json_object_set_new(r->doc, "unmeasured", unmeasured = json_object());
    json_object_set(unmeasured, name, json_object_get(r->arch[a], "target"));
    json_object_del(json_object_get(r->doc, "architectures"), name);
    json_t *order = json_object_get(r->doc, "order"), *v;
    size_t i;
    json_array_foreach(order, i, v) if (strcmp(json_string_value(v), name) == 0)
    {
        json_array_remove(order, i);
        break;
    }
    r->arch_on[a] = false;
    r->arch[a] = NULL;
}

/* Starts target a (a command; a URL target is already running), checks it, stops
 * it. A target that fails a case is left out of the run. */
static int check_target(struct run *r, enum sut_arch a, char *err, size_t errlen)
{
    struct sut s;
    struct sut_options o;
    sut_options_for(r, &o, r->data);
    progress(r, sut_arch_name(a), "archbench check");
    if (sut_start(&s, a, &o, err, errlen) != 0)
        return -1;
    r->current = &s;
    struct check_summary cs;
    char cerr[1024];
    int rc = check_run(s.url, r->data, NULL, &cs, cerr, sizeof cerr);
    if (rc != 0)
        snprintf(err, errlen, "%s: %s", sut_arch_name(a), cerr);
    rc = finish_arch(r, &s, rc, err, errlen);
    if (rc == 0)
        note_check(r, a, &cs);
    if (rc == 0 && cs.failed > 0) {
        fprintf(stderr, "archbench run: %s failed %u of %u cases of archbench check and is not "
                        "measured (--no-check measures it anyway)\n", sut_arch_name(a),
                cs.failed, cs.passed + cs.failed);
        leave_out(r, a);
    }
    json_decref(cs.cases);
    return rc;
}

/* Every target checked first (unless --no-check, which run.json records). */
static int check_targets(struct run *r, char *err, size_t errlen)
{
    int rc = 0;
    for (unsigned a = SUT_NARCH; a < sut_nsystems() && rc == 0; a++) {
        if (r->no_check)
            json_object_set_new(json_object_get(r->arch[a], "target"), "check",
                                json_pack("{s:b}", "skipped", true));
        else
            rc = check_target(r, (enum sut_arch)a, err, errlen);
    }
    bool any = false;
    for (int a = 0; a < SUT_MAX; a++)
        any |= measured(r, a);
    if (rc == 0 && !any) {
        snprintf(err, errlen, "no target passed archbench check, and no architecture is measured");
        rc = -1;
    }
    return rc;
}

/* ---- the whole run ----------------------------------------------------- */

static double planned_seconds(const struct run *r)
{
    const struct plan *p = r->plan;
    unsigned na = 0, narch = 0, nlocal = 0;
    for (int a = 0; a < SUT_MAX; a++) {
        na += measured(r, a);
        narch += a < SUT_NARCH && r->arch_on[a];
        nlocal += measured(r, a) && !remote(a);
    }
    /* each round: the calibration, the warm-up, and ~0.2 s to start loadgen twice */
    double round = 0.3 + p->arch_warmup_s + 0.2;
    double headline = p->scen_warmup_s + p->sat_s;
    double sat_all = p->scen_warmup_s + p->floor_s + p->nsat * (p->scen_warmup_s + p->sat_s);
    double rates = (p->nrates + 1) * (p->scen_warmup_s + p->rate_s);
    double per_scale = 0.5 + round + p->scen_warmup_s + p->sat_s;
    double t = na * (p->repeats * (round + sat_all + round + rates) +
                     (p->rounds - p->repeats) * (round + headline) + 0.5) +
               nlocal * p->nscale * per_scale;
    if (r->arch_on[SUT_SERVERLESS])
        t += 2 * (p->cold_starts * 0.2 + p->warm_requests * 0.001 + 0.5);
    if (r->faults)
        t += narch * (round + SCENARIO_FAULT_DURATION_S + 0.5);
    return t;
}

static bool split_cpus(struct run *r)
{
    cpu_set_t all;
    if (sched_getaffinity(0, sizeof all, &all) != 0)
        return false;
    CPU_ZERO(&r->load_cpus);
    CPU_ZERO(&r->sut_cpus);
    int first = -1;
    r->nsut = 0;
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (!CPU_ISSET(c, &all))
            continue;
        if (first < 0) {
            first = c;
            CPU_SET(c, &r->load_cpus);
        } else {
            CPU_SET(c, &r->sut_cpus);
            r->nsut++;
        }
    }
    if (r->nsut == 0) { /* one CPU: share it, and say so in the report */
        CPU_SET(first, &r->sut_cpus);
        r->nsut = 1;
    }
    return true;
}

/* The report's figures of the run so far. */
static bool run_figures(const struct run *r, struct run_figures *m)
{
    char err[256];
    return figures_from_run(r->doc, m, err, sizeof err);
}

/* The slowest architecture's headline throughput: the base the plan's open-loop
 * rates are shares of. At SCENARIO_EQUAL_SHARE of it, every architecture is below
 * saturation, and latency compares like with like. */
static double slowest_headline_thr(const struct run *r, struct run_figures *m,
                                   enum sut_arch *slowest)
{
    double base = INFINITY;
    if (!run_figures(r, m))
        return NAN;
    for (int a = 0; a < SUT_MAX; a++) {
        const struct arch_figures *f = figures_arch_named(m, sut_arch_name((enum sut_arch)a));
        if (measured(r, a) && f && figures_headline_thr(f) < base) {
            base = figures_headline_thr(f);
            *slowest = (enum sut_arch)a;
        }
    }
    return base;
}

/* "12345 (12001-12600)": a median and its range over the rounds. */
static const char *median_range(char *out, size_t len, double med, double lo, double hi,
                                int decimals)
{
    if (isfinite(lo) && isfinite(hi) && hi > lo)
        snprintf(out, len, "%.*f (%.*f-%.*f)", decimals, med, decimals, lo, decimals, hi);
    else
        snprintf(out, len, "%.*f", decimals, med);
    return out;
}

/* One system's line of the summary; "-" where a URL target has nothing measured. */
static void summary_row(const char *name, const struct arch_figures *f)
{
    unsigned k = 0;
    while (k < f->nconns && f->conns[k] != SCENARIO_HEADLINE_CONNS)
        k++;
    char t[64], c[64] = "-", start[32] = "-", mem[48] = "-";
    median_range(t, sizeof t, figures_headline_thr(f), k < f->nconns ? f->thr_min[k] : NAN,
                 k < f->nconns ? f->thr_max[k] : NAN, 0);
    if (!f->remote) {
        median_range(c, sizeof c, f->cpu_us, f->cpu_min, f->cpu_max, 1);
        snprintf(start, sizeof start, "%.1f", f->startup_ms);
        snprintf(mem, sizeof mem, "%.1f (%.1f) MB", f->peak_pss_mb, f->peak_rss_mb);
    }
    printf("%-14s %-24s %9.2f ms %-20s %10s %14s\n", name, t, f->eq_p99_ms, c, start, mem);
}

/* The same figures as the report's summary, on stdout, with the ratios to the
 * monolith round by round and, when the machine drifted, the report's sentence. */
static void summary(const struct run *r)
{
    struct run_figures m;
    if (!run_figures(r, &m))
        return;
    char thr[32];
    snprintf(thr, sizeof thr, "req/s c=%d", SCENARIO_HEADLINE_CONNS);
    printf("\n%-14s %-24s %12s %-20s %10s %14s\n", "architecture", thr, "p99 equal",
           "CPU us/req", "startup ms", "peak PSS (RSS)");
    for (int a = 0; a < SUT_MAX; a++) {
        const struct arch_figures *f = figures_arch_named(&m, sut_arch_name((enum sut_arch)a));
        if (measured(r, a) && f != NULL)
            summary_row(sut_arch_name((enum sut_arch)a), f);
    }
    for (int a = 0; a < SUT_MAX; a++) {
        const struct arch_figures *f = figures_arch_named(&m, sut_arch_name((enum sut_arch)a));
        if (!measured(r, a) || f == NULL || f->thr_ratio.n == 0)
            continue;
        const struct round_ratio *t = &f->thr_ratio, *c = &f->cpu_ratio;
        printf("%s / monolith over %u rounds: throughput %.3f (%.3f-%.3f)", f->name, t->n,
               t->median, t->min, t->max);
        if (c->n > 0)
            printf(", CPU per request %.3f (%.3f-%.3f)", c->median, c->min, c->max);
        printf("\n");
    }
    printf("calibration %.1f-%.1f ms (speed change %.0f%%), steal %.1f%%, system-under-test "
           "CPU busy %.0f%%\n", m.calib_min_ms, m.calib_max_ms, m.speed_change * 100,
           m.steal * 100, m.sut_busy * 100);
    if (m.drift_warning)
        printf("\n%s\n", report_langs[LANG_EN].drift_warning);
}

static void usage_run(FILE *out)
{
    fprintf(out,
            "Usage: archbench run [--arch LIST] [--profile smoke|quick|full] [--out DIR]\n"
            "                     [--users N | --data DIR] [--faults] [--hosts [--rtt MS]]\n"
            "                     [--target NAME=COMMAND | --target NAME=URL]... [--no-check]\n"
            "Runs every architecture in LIST (default monolith,microservices,serverless)\n"
            "through the profile's scenarios and writes DIR/run.json (default\n"
            "results/<UTC timestamp>; results/latest points at the newest run).\n"
            "Profiles: smoke (about 20 s, for tests), quick (default, about 2 min),\n"
            "full (repeats, sweeps, dataset sizes, faults; about 20 min).\n"
            "--faults adds the fault scenarios to any profile: under load, kill the\n"
            "monolith, the profile-service or a function instance and time the recovery.\n"
            "--hosts puts every process, and the load generator, on a host of its own (a\n"
            "network namespace; needs root); --rtt MS adds MS to every round trip between\n"
            "hosts (bin/netdelay: make netdelay). The default is the loopback.\n"
            "--target measures anyone's implementation of GET /profile beside the\n"
            "architectures: COMMAND is started like them (its own process group, the\n"
            "system-under-test CPUs), {port} and {data} in it replaced by the port to\n"
            "listen on and the data folder; URL is one already running, here or elsewhere\n"
            "(latency and throughput only). Each target must pass 'archbench check' first;\n"
            "--no-check measures it without checking. --arch '' measures targets alone.\n"
            "--data DIR uses a folder 'archbench seed' wrote (a URL target's data) instead\n"
            "of seeding var/data-USERS.\n");
}

static void parse_arch_list(struct run *r, const char *arch_list)
{
    char list[256];
    snprintf(list, sizeof list, "%s", arch_list);
    char *save, *tok = strtok_r(list, ",", &save);
    for (; tok; tok = strtok_r(NULL, ",", &save)) {
        enum sut_arch a;
        if (!sut_arch_parse(tok, &a))
            opts_usage_error("archbench run", "--arch: unknown architecture '%s' (monolith, "
                                              "microservices, serverless)", tok);
        r->arch_on[a] = true;
    }
}

/* Options into r (and --out into *out); exits 2 on bad usage, 0 after --help. */
static void parse_options(int argc, char **argv, struct run *r, const char **out)
{
    static const struct option longopts[] = {
        {"arch", required_argument, NULL, 'a'},   {"profile", required_argument, NULL, 'p'},
        {"out", required_argument, NULL, 'o'},    {"users", required_argument, NULL, 'u'},
        {"faults", no_argument, NULL, 'f'},       {"hosts", no_argument, NULL, 'H'},
        {"rtt", required_argument, NULL, 'r'},    {"target", required_argument, NULL, 't'},
        {"data", required_argument, NULL, 'd'},   {"no-check", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    const char *arch_list = "monolith,microservices,serverless";
    uint64_t users = 0;
    int c;
    r->plan = find_plan(RUN_DEFAULT_PROFILE);
    optind = 1;
    opterr = 0; /* opts_unknown says it in one line */
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'a': arch_list = optarg; break;
        case 'p':
            if ((r->plan = find_plan(optarg)) == NULL)
                opts_usage_error("archbench run", "--profile: expected smoke, quick or full, "
                                                  "got '%s'", optarg);
            break;
        case 'o': *out = optarg; break;
        case 'f': r->faults = true; break;
        case 'H': r->use_hosts = true; break;
        case 't': {
            char err[600];
            if (sut_target_add(optarg, err, sizeof err) < 0)
                opts_usage_error("archbench run", "%s", err);
            break;
        }
        case 'd':
            snprintf(r->data, sizeof r->data, "%s", optarg);
            r->data_given = true;
            break;
        case 'n': r->no_check = true; break;
        case 'r': {
            char *end;
            r->rtt_ms = strtod(optarg, &end);
            if (end == optarg || *end != '\0' || !(r->rtt_ms >= 0 && r->rtt_ms <= 10000))
                opts_usage_error("archbench run", "--rtt: expected 0..10000 ms, got '%s'", optarg);
            break;
        }
        case 'u':
            if (!opts_parse_u64(optarg, 100, 10000000, true, &users))
                opts_usage_error("archbench run", "--users: expected 100..10m, got '%s'", optarg);
            break;
        case 'h': usage_run(stdout); exit(0);
        default: opts_unknown("archbench run", argv);
        }
    }
    if (optind < argc)
        opts_usage_error("archbench run", "unexpected argument '%s'", argv[optind]);
    if (r->rtt_ms > 0 && !r->use_hosts)
        opts_usage_error("archbench run", "--rtt needs --hosts (a delay between hosts)");
    if (r->use_hosts && sut_nsystems() > SUT_NARCH)
        opts_usage_error("archbench run", "--target and --hosts do not go together (a target "
                                          "has no host of its own)");
    if (users && r->data_given)
        opts_usage_error("archbench run", "--users and --data: the data folder has its own");
    char tokens[sizeof r->data + 16];
    seed_tokens_path(r->data, tokens, sizeof tokens);
    if (r->data_given && access(tokens, R_OK) != 0) /* as archbench check --data says it */
        opts_usage_error("archbench run", "--data %s: %s: %s (a folder written by 'archbench "
                         "seed --dir %s')", r->data, tokens, strerror(errno), r->data);
    parse_arch_list(r, arch_list);
    for (unsigned a = SUT_NARCH; a < sut_nsystems(); a++)
        r->arch_on[a] = true;
    bool any = false;
    for (unsigned a = 0; a < sut_nsystems(); a++)
        any |= r->arch_on[a];
    if (!any)
        opts_usage_error("archbench run", "nothing to measure: --arch is empty and no --target");
    r->users = users ? (unsigned)users : r->plan->users;
    r->faults |= r->plan->faults;
}

/* Programs: bin/, or $ARCHBENCH_BIN (tests point it elsewhere). */
static bool programs_present(struct run *r)
{
    const char *bindir = getenv("ARCHBENCH_BIN");
    snprintf(r->bin, sizeof r->bin, "%s", bindir && *bindir ? bindir : "bin");
    const char *needed[SUT_NARCH][3] = {{"monolith"},
                                        {"gateway", "auth-service", "profile-service"},
                                        {"faas", "fn-get-profile"}};
    char path[700];
    snprintf(path, sizeof path, "%s/loadgen", r->bin);
    if (access(path, X_OK) != 0) {
        log_error("%s is missing: run 'make' first", path);
        return false;
    }
    snprintf(path, sizeof path, "%s/netdelay", r->bin);
    if (r->rtt_ms > 0 && access(path, X_OK) != 0) {
        log_error("%s is missing: run 'make netdelay' first", path);
        return false;
    }
    for (int a = 0; a < SUT_NARCH; a++)
        for (int i = 0; i < 3 && r->arch_on[a] && needed[a][i]; i++) {
            snprintf(path, sizeof path, "%s/%s", r->bin, needed[a][i]);
            if (access(path, X_OK) != 0) {
                log_error("%s is missing: run 'make' first", path);
                return false;
            }
        }
    return true;
}

/* r->out (out, or results/STAMP) with its loadgen/ and logs/. */
static bool make_output_dirs(struct run *r, const char *out, const char *stamp)
{
    if (out)
        snprintf(r->out, sizeof r->out, "%s", out);
    else
        snprintf(r->out, sizeof r->out, "results/%s", stamp);
    mkdir("results", 0755);
    if (mkdir(r->out, 0755) != 0 && errno != EEXIST) {
        log_error("mkdir %s: %s", r->out, strerror(errno));
        return false;
    }
    char sub[1100];
    snprintf(sub, sizeof sub, "%s/loadgen", r->out);
    mkdir(sub, 0755);
    snprintf(sub, sizeof sub, "%s/logs", r->out);
    mkdir(sub, 0755);
    return true;
}

/* The main dataset and, for the full profile, the other sizes. */
static bool make_datasets(struct run *r)
{
    char err[512], dir[64];
    mkdir("var", 0755);
    if (r->data_given) {
        r->users = (unsigned)seed_count_users(r->data);
        if (r->users == 0) {
            log_error("--data %s: no valid token in its tokens.tsv (a folder 'archbench seed "
                      "--dir %s' writes)", r->data, r->data);
            return false;
        }
    } else if (seed_ensure(r->data, r->users, err, sizeof err) != 0) {
        log_error("seed: %s", err);
        return false;
    }
    for (unsigned i = 0; i < r->plan->nscale; i++) {
        dataset_dir(dir, sizeof dir, r->plan->scale_users[i]);
        if (seed_ensure(dir, r->plan->scale_users[i], err, sizeof err) != 0) {
            log_error("seed: %s", err);
            return false;
        }
    }
    return true;
}

/* run.json as far as it is known before measuring. */
static void start_doc(struct run *r)
{
    r->doc = json_object();
    json_t *archs = json_object(), *order = json_array();
    for (int a = 0; a < SUT_MAX; a++) {
        if (!measured(r, a))
            continue;
        r->arch[a] = json_pack("{s:[], s:[], s:[], s:[]}", "startup_ms", "idle_rss_kb",
                               "idle_pss_kb", "scenarios");
        if (a == SUT_SERVERLESS)
            json_object_set_new(r->arch[a], "cold_starts", json_object());
        const struct sut_target *t = sut_target((enum sut_arch)a);
        if (t)
            json_object_set_new(r->arch[a], "target",
                                json_pack("{s:s, s:s}", "kind", t->url[0] ? "url" : "command",
                                          t->url[0] ? "url" : "command",
                                          t->url[0] ? t->url : t->command));
        json_object_set_new(archs, sut_arch_name((enum sut_arch)a), r->arch[a]);
        json_array_append_new(order, json_string(sut_arch_name((enum sut_arch)a)));
    }
    json_object_set_new(r->doc, "schema", json_string("archbench.run/1"));
    json_object_set_new(r->doc, "profile", json_string(r->plan->name));
    json_object_set_new(r->doc, "environment", environment(r));
    json_object_set_new(r->doc, "dataset",
                        json_pack("{s:i, s:o, s:s, s:b}", "users", (int)r->users, "seed",
                                  r->data_given ? json_null() : json_integer(SEED_DEFAULT), "dir",
                                  r->data, "given", r->data_given));
    json_object_set_new(r->doc, "order", order);
    json_object_set_new(r->doc, "network", json_pack("{s:s}", "topology", "loopback"));
    json_object_set_new(r->doc, "architectures", archs);
    r->calibrations = json_array(); /* borrowed: the document owns it */
    json_object_set_new(r->doc, "calibration",
                        json_pack("{s:s, s:o, s:o}", "workload", drift_workload, "cpus",
                                  cpus_json(&r->sut_cpus), "rounds", r->calibrations));
    cpu_set_t all;
    sched_getaffinity(0, sizeof all, &all);
    CPU_OR(&all, &all, &r->sut_cpus);
    drift_cpu_read(&r->sut_cpus, &r->sut_cpu_start);
    drift_cpu_read(&all, &r->all_cpu_start);
}

/* run.json's verdict on the machine: the calibrations' speed change, the steal
 * and busy time of the system-under-test CPUs (and of all of them) over the run,
 * and whether the run is to be rerun before comparing (drift.h's limits). */
static void machine_record(struct run *r)
{
    double ms[1024];
    unsigned n = 0;
    size_t i;
    json_t *c;
    json_array_foreach(r->calibrations, i, c) if (n < 1024) ms[n++] =
        json_number_value(json_object_get(c, "ms"));
    double change = drift_speed_change(ms, n);
    json_t *cal = json_object_get(r->doc, "calibration");
    json_object_set_new(cal, "speed_change", json_finite_or_null(change));
    json_object_set_new(cal, "limit", json_real(DRIFT_SPEED_LIMIT));
    cpu_set_t all;
    sched_getaffinity(0, sizeof all, &all);
    CPU_OR(&all, &all, &r->sut_cpus);
    struct drift_cpu sut_end, all_end;
    drift_cpu_read(&r->sut_cpus, &sut_end);
    drift_cpu_read(&all, &all_end);
    double steal = drift_steal(&r->sut_cpu_start, &sut_end);
    json_object_set_new(r->doc, "steal",
                        json_pack("{s:o, s:o, s:o, s:o, s:o, s:f}", "cpus",
                                  cpus_json(&r->sut_cpus), "sut", json_finite_or_null(steal),
                                  "sut_busy",
                                  json_finite_or_null(drift_busy(&r->sut_cpu_start, &sut_end)),
                                  "all", json_finite_or_null(drift_steal(&r->all_cpu_start,
                                                                         &all_end)),
                                  "all_busy", json_finite_or_null(drift_busy(&r->all_cpu_start,
                                                                             &all_end)),
                                  "limit", DRIFT_STEAL_LIMIT));
    json_object_set_new(r->doc, "drift_warning", json_boolean(drift_warns(change, steal)));
}

/* The interleaved rounds: saturation, then the open-loop scenarios at rates
 * derived from it (run.json's equal_rate). */
static int measure_rounds(struct run *r, char *err, size_t errlen)
{
    const struct plan *p = r->plan;
    int rc = start_residents(r, err, errlen);
    for (unsigned round = 0; round < p->rounds && rc == 0; round++)
        for (int a = 0; a < SUT_MAX && rc == 0; a++)
            if (measured(r, a))
                rc = round_saturation(r, (enum sut_arch)a, round, err, errlen);
    struct run_figures m;
    enum sut_arch slowest = SUT_MONOLITH;
    double base = rc == 0 ? slowest_headline_thr(r, &m, &slowest) : NAN;
    if (rc == 0 && !(base > 0 && isfinite(base))) {
        snprintf(err, errlen, "%s served no verified request at %d connections, so no equal "
                              "load can be set (see %s/loadgen/)", sut_arch_name(slowest),
                 SCENARIO_HEADLINE_CONNS, r->out);
        rc = -1;
    }
    if (rc == 0) {
        json_object_set_new(r->doc, "equal_rate", json_real(base * p->rates[0]));
        json_object_set_new(r->doc, "util_share", json_real(SCENARIO_UTIL_SHARE));
    }
    for (unsigned rep = 0; rep < p->repeats && rc == 0; rep++)
        for (int a = 0; a < SUT_MAX && rc == 0; a++)
            if (measured(r, a))
                rc = round_rates(r, (enum sut_arch)a, rep, base,
                                 figures_headline_thr(figures_arch_named(
                                     &m, sut_arch_name((enum sut_arch)a))),
                                 err, errlen);
    return stop_residents(r, rc, err, errlen);
}

/* Every phase for every architecture and target, in order; stops at the first
 * failure. Targets take no part in the fault phase (what to kill is not known). */
static int measure(struct run *r, char *err, size_t errlen)
{
    const struct plan *p = r->plan;
    int rc = measure_rounds(r, err, errlen);
    for (unsigned i = 0; i < p->nscale && rc == 0; i++)
        for (int a = 0; a < SUT_MAX && rc == 0; a++)
            if (measured(r, a) && !remote(a))
                rc = phase_scale(r, (enum sut_arch)a, p->scale_users[i], err, errlen);
    for (int a = 0; a < SUT_NARCH && rc == 0 && r->faults; a++)
        if (r->arch_on[a])
            rc = phase_faults(r, (enum sut_arch)a, err, errlen);
    for (int mode = 0; mode < MODE_N && rc == 0 && r->arch_on[SUT_SERVERLESS]; mode++)
        rc = phase_cold(r, scenario_start_mode(mode), err, errlen);
    if (r->current) {
        sut_stop(r->current);
        r->current = NULL;
    }
    if (rc != 0) /* a failure in a later phase left them stopped already; else stop them */
        stop_residents(r, rc, err, errlen);
    return rc;
}

/* Writes run.json (complete or not); then, after a complete run, points
 * results/latest at it (latest: NULL to leave it), prints the summary and writes
 * the report. Returns the exit status. */
static int finish_run(struct run *r, int rc, const char *err, const char *latest)
{
    machine_record(r);
    json_object_set_new(r->doc, "wall_time_s", json_real(clock_now_s() - r->t0));
    json_object_set_new(r->doc, "complete", json_boolean(rc == 0));
    char runjson[1100];
    snprintf(runjson, sizeof runjson, "%s/run.json", r->out);
    if (json_dump_file(r->doc, runjson, JSON_INDENT(1) | JSON_PRESERVE_ORDER) != 0) {
        log_error("cannot write %s", runjson);
        rc = -1;
    }
    if (rc != 0) {
        log_error("%s", interrupted ? "interrupted; partial results kept" : err);
        json_decref(r->doc);
        return interrupted ? 130 : 1;
    }
    if (latest) {
        unlink("results/latest");
        if (symlink(latest, "results/latest") != 0)
            log_warn("cannot point results/latest at %s: %s", latest, strerror(errno));
    }
    summary(r);
    json_decref(r->doc);
    char rerr[4400];
    if (report_render(r->out, rerr, sizeof rerr) != 0) {
        log_error("report: %s", rerr);
        return 1;
    }
    printf("\nrun:    %s/run.json (%.0f s)\nreport: %s/report.md (English), %s/report.es.md "
           "(Spanish)\n", r->out, clock_now_s() - r->t0, r->out, r->out);
    return 0;
}

int run_main(int argc, char **argv)
{
    struct run r = {0};
    const char *out = NULL;
    parse_options(argc, argv, &r, &out);
    if (!programs_present(&r))
        return 1;
    if (!r.data_given)
        dataset_dir(r.data, sizeof r.data, r.users);
    if (!split_cpus(&r)) {
        log_error("cannot read this process's CPU affinity");
        return 1;
    }
    /* archbench itself samples /proc while loadgen runs: keep it off the SUT CPUs. */
    sched_setaffinity(0, sizeof r.load_cpus, &r.load_cpus);

    char stamp[32];
    utc_now(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ");
    if (!make_output_dirs(&r, out, stamp) || !make_datasets(&r))
        return 1;

    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    start_doc(&r);
    r.t0 = clock_now_s();
    r.planned_s = planned_seconds(&r);
    fprintf(stderr, "archbench run: profile %s, %u users, results in %s (about %.0f s)\n",
            r.plan->name, r.users, r.out, r.planned_s);
    if (r.use_hosts)
        fprintf(stderr, "archbench run: every process on a host of its own, %g ms per round "
                        "trip between hosts\n", r.rtt_ms);
    char err[4096] = "";
    int rc = r.use_hosts ? hosts_start(&r, err, sizeof err) : 0;
    if (rc == 0)
        rc = check_targets(&r, err, sizeof err);
    if (rc == 0)
        rc = measure(&r, err, sizeof err);
    if (r.use_hosts)
        hosts_down(&r.hosts); /* every process in them, their rules and the delayers */
    return finish_run(&r, rc, err, out ? NULL : stamp);
}
