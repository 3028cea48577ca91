/* The report's words in English and Spanish (see report_text.h). */
#include "report_text.h"

const struct lang report_langs[LANG_N] = {
    [LANG_EN] = {
        .h_steps = "The request, step by step", .col_step = "Step",
        .steps_intro =
            "Every architecture answers the same request in the same steps: the client asks "
            "for its profile with its token; the backend checks the token "
            "(**authentication**), reads the profile (**database**), writes it as JSON "
            "(**render**) and sends it back; without a valid token it answers 401 instead. "
            "What changes from one architecture to another is how many processes those steps "
            "run in, and how many trips between processes they take.",
        .steps_diagram =
            "client\n"
            "  │  GET /profile\n"
            "  │  Authorization: Bearer <token>\n"
            "  ▼\n"
            "authentication ── no valid token ──▶ 401 + problem+json ──▶ client\n"
            "  │  user id\n"
            "  ▼\n"
            "database\n"
            "  │  profile row\n"
            "  ▼\n"
            "JSON\n"
            "  │  200 application/json\n"
            "  ▼\n"
            "client\n",
        .steps_exchange =
            "The real request of this run, with user 1's token (`curl` prints the body), and "
            "the answer without a token (`curl -i`; of its headers, only these two are shown):",
        .steps_how =
            "Where a request's time goes at one connection (the unloaded latency), as each "
            "server reports it in its `Server-Timing` header and `loadgen` adds it up: the "
            "median of each step over %s answers or more per architecture. A *hop* is the "
            "time a call took as its caller saw it minus the callee's own total: the loopback "
            "network, the kernel and the HTTP between two processes. Medians do not add up "
            "exactly, so two remainders close each column: the *other work in the servers* is "
            "the public server's total minus the steps above it, and the *rest* is the "
            "client's latency minus that total (the client, the kernel and the HTTP parsing "
            "at both ends). Each column therefore sums to the median latency the client "
            "measured, the unloaded latency of the summary. Means would add up without "
            "remainders, but on a shared machine a few slow requests pull every mean up.",
        .steps_join =
            "In the monolith one indexed join finds the session and the profile at once, so "
            "the session lookup, which auth-service counts as *auth*, is part of the "
            "monolith's *db*; the monolith's *auth* is only the header and the token's hash. "
            "The query is not split to make the columns look alike.",
        .steps_none =
            "This run has no figures per step: its servers did not send `Server-Timing` (the "
            "run is older than that header).",
        .step_row = {"Authentication (`auth`)", "Database (`db`)", "JSON (`render`)",
                     "Hop: gateway → auth-service", "Hop: gateway → profile-service",
                     "Platform: queue (`queue`)",
                     "Platform: hand-over (`invoke` − the function's total)",
                     "Cold starts' `init`, spread over every request",
                     "Other work in the servers", "Rest: client, kernel, HTTP"},
        .step_key = {"auth", "db", "render", "hop to auth-service", "hop to profile-service",
                     "queue", "hand-over", "init", "other server work", "rest"},
        .steps_sum = "**Sum: median latency at the client**",
        .steps_init = "One cold start's `init` (Init Duration p50; once per new instance, not "
                      "in the sum)",
        .chart_steps = "Where the time of one request goes (1 connection, medians)",
        .diff_steps_mono =
            "Step by step at one connection (medians; see *%7$s*): authentication %1$s ms, "
            "database %2$s ms, JSON %3$s ms and %4$s ms of other work in the server; %5$s ms "
            "of the %6$s ms are outside the server: the client, the kernel and HTTP.",
        .diff_steps_micro =
            "Step by step at one connection (medians; see *%9$s*): authentication (with the "
            "session lookup, which the monolith counts in its database step), database and "
            "JSON took %1$s, %2$s and %3$s ms; the two hops, gateway → auth-service and "
            "gateway → profile-service, added %4$s and %5$s ms, and the three servers' other "
            "work %6$s ms. With %7$s ms outside the servers, a request took %8$s ms against "
            "the monolith's %10$s ms.",
        .diff_steps_sls =
            "Step by step at one connection (medians; see *%9$s*): authentication, database and "
            "JSON took %1$s, %2$s and %3$s ms inside the function; the platform added %4$s ms "
            "of queue and %5$s ms handing the event over and the result back (`invoke` minus "
            "the function's own total), and its other work %6$s ms. With %7$s ms outside the "
            "servers, a request took %8$s ms against the monolith's %10$s ms.",
        .h_whatif = "If the internal calls crossed a network",
        .whatif_intro =
            "Every internal call here crosses the loopback interface. Between two hosts each "
            "would add a network round trip. The table below is **arithmetic on measured "
            "numbers, not a measurement**: the median latency measured at one connection plus "
            "the internal round trips of a request times an assumed round-trip time between "
            "hosts. For scale, a user's own round trip to the service over the internet is "
            "typically %1$s–%2$s ms between cities ([WonderProxy's pings](%3$s)), and every "
            "architecture pays it once.",
        .h_whatif_hosts = "The internal calls across a network",
        .whatif_hosts =
            "In this run every process had a host of its own, %1$s ms apart per round trip "
            "(`archbench run --hosts --rtt %1$s`). The network what-if model (arithmetic on "
            "numbers measured over loopback) expects each internal round trip to add that "
            "time: the microservices make 2 more per request than the monolith, so their "
            "median latency at one connection should be about **%2$s ms** above the "
            "monolith's. Measured in this run: **%3$s ms** above (%4$s ms against %5$s ms). "
            "The serverless platform and its instances share one host, so its two Runtime API "
            "exchanges stay on that host's loopback.",
        .whatif_hosts_na =
            "In this run every process had a host of its own, %1$s ms apart per round trip "
            "(`archbench run --hosts --rtt %1$s`); the monolith and the microservices were not "
            "both measured at one connection, so the network what-if model cannot be set "
            "against them.",
        .whatif_header =
            "| Architecture | Internal round trips | Measured p50, 1 conn. (ms) | at 0.1 ms "
            "(ms) | at 0.5 ms (ms) | at 1 ms (ms) |\n|---|---:|---:|---:|---:|---:|\n",
        .code = "en", .file = "report.md", .decimal = '.', .group = ",", .group_min = 1000,
        .na = "n/a", .pct = "%s%%", .usd = "$%s",
        .title = "archbench report: monolith, microservices and serverless",
        .generated =
            "Generated by `archbench report` from `run.json` (profile %1$s, %2$s, commit "
            "`%3$s`). Spanish version: [report.es.md](report.es.md).",
        .incomplete = "> **This run did not complete**: some scenarios are missing, so some "
                      "figures are n/a.",
        .h_summary = "Summary", .h_env = "Environment", .h_method = "Method",
        .h_charts = "Charts",
        .h_arch = {"Monolith", "Microservices", "Serverless (FaaS)"},
        .h_use = "Real use case", .h_diff = "Difference", .h_caveats = "Caveats",
        .source_link = "Source",
        .h_published = "Comparison with published results",
        .h_reading = "How to read this report", .h_errors = "Errors",
        .h_glossary = "Glossary", /* profile names need no gloss in English */
        .arch_name = {"monolith", "microservices", "serverless"},
        .col_arch = "Architecture", .col_thr = "Throughput, %s conn. (req/s)",
        .col_floor = "Unloaded latency p50, 1 conn.", .col_eq = "p50 / p99 at equal load",
        .col_cpu = "CPU per request", .col_rss = "Peak memory, PSS", .col_procs = "Processes",
        .cpu_split_intro = "Where each architecture's CPU per request goes, process by process, "
                           "at %s connections (all instances of a program together):",
        .cpu_split_targets = "A target started here has one line: all of its processes "
                             "together.",
        .col_process = "Process", .col_share = "Share",
        .col_start = "Start-up", .col_cold = "Cold start p50",
        .summary_intro =
            "Figures of this run: the median of its rounds where a scenario ran more than "
            "once, with their range in brackets. *Equal load* means every architecture "
            "received the same %s requests per second.",
        .env_cpu = "CPU", .env_cores = "Cores", .env_mem = "Memory", .env_kernel = "Kernel",
        .env_commit = "archbench commit", .env_profile = "Profile",
        .env_split = "CPU split: load generator on CPU %1$s, system under test on CPU %2$s",
        .env_shared_cpu = "Only one CPU was available: the load generator and the system "
                          "under test shared it, which lowers every throughput figure.",
        .env_data = "Dataset: %1$s users (`archbench seed --seed %2$s`)",
        .env_libs = "Libraries", .env_wall = "Wall time of the run: %s s",
        .env_hosts = "Network: every process, and the load generator, on a host of its own (a "
                     "network namespace; `archbench run --hosts --rtt %1$s`), with %1$s ms added "
                     "to every round trip between hosts by `bin/netdelay`: each request crosses "
                     "it once in the monolith and serverless, three times in the microservices "
                     "(client, auth-service, profile-service)",
        .method_items =
            "- The same endpoint, byte-identical responses and the same dataset for every "
            "architecture. Every 200 response was checked to carry the requesting user's "
            "profile (`loadgen --verify`); only verified responses count as throughput.\n"
            "- The load generator ran on CPU %1$s and the architecture's processes on CPU "
            "%2$s (`sched_setaffinity`), so they never competed for a core.\n"
            "- Each architecture was started in its own process group, waited for on "
            "`/health`, warmed up, measured, stopped, and checked to leave no process "
            "behind. CPU time and memory come from `/proc` for every process of the group, "
            "function instances included.\n"
            "- *Unloaded latency*: 1 connection, closed loop. *Saturation*: closed loop at "
            "each concurrency. *Equal load*: open loop at %3$s requests/s for every "
            "architecture (half of the slowest one's throughput at %4$s connections); each "
            "request's latency is measured from when it should have been sent, not from when "
            "it was sent, so time spent queueing counts too (the correction for *coordinated "
            "omission*: see the glossary).\n"
            "- *Start-up*: from starting the first process to the last `/health` answer. "
            "*Cold start*: the platform's idle timeout was set to %5$s ms and each request "
            "waited until no instance was left.\n",
        .caveats =
            "- One machine: compare the architectures only within this report. Its speed "
            "drifts over time, which is why every figure comes from the same run.\n"
            "- Every internal call uses the loopback interface: no network latency and no "
            "TLS. Across a real network each internal call adds a round trip (typically "
            "0.1–1 ms inside a data centre), so the gaps shown here are the minimum.\n"
            "- sqlite on local files, read-only workload: no writes compete with the reads.\n"
            "- The serverless platform is a local model of AWS Lambda: processes instead of "
            "microVMs, no code download, no network between trigger and instance. Here its "
            "instances share the system-under-test CPU with each other and with the "
            "platform: a cold start (several ms of CPU) delays every warm invocation, the "
            "queue grows, more instances are started, and a burst can cascade until the p99 "
            "reaches hundreds of milliseconds; the equal-load p99 shows it when it happens. "
            "On AWS an instance gets CPU in proportion to its memory, on machines shared "
            "with other customers' instances: at 128 MB about %2$s of one vCPU (a whole vCPU "
            "at %1$s MB, [AWS](%3$s)). There a cold start takes no CPU from the function's "
            "other instances, but every invocation runs on that fraction of a CPU.\n",
        .chart_thr = "Throughput by number of connections",
        .chart_lat = "Latency percentiles at equal load",
        .chart_cold = "Serverless: cold and warm requests",
        .chart_curve = "Latency against throughput (open loop)",
        .chart_scale = "Throughput by dataset size (%s connections)",
        .ax_conns = "connections", .ax_thr = "verified requests/s", .ax_lat = "latency (ms)",
        .ax_pct = "percentile", .ax_ms = "ms", .ax_users = "users in the database",
        .ax_p99 = "p99 latency (ms)",
        .lbl_cold_exec = "cold (exec)", .lbl_cold_fork = "cold (fork-server)",
        .lbl_warm = "warm",
        .gp_pct_xtic = ":xtic(1)",
        .latency_header = "| %s | offered req/s | achieved req/s | p50 ms | p90 ms | p99 ms | "
                          "p99.9 ms | max ms | p99 uncorrected ms |\n",
        .cold_header = "| start mode | cold starts | cold p50 ms | cold p90 ms | "
                       "Init Duration p50 ms | warm p50 ms |\n",
        .diff_mono =
            "One process does all the work: the token check and the profile lookup are one "
            "indexed join on one database, with no network hop inside a request. At %10$s "
            "connections it served **%1$s** verified requests/s%2$s. At equal load (%3$s req/s) "
            "its median latency was %4$s ms and its p99 %5$s ms. It spent %6$s µs of CPU per "
            "request, peaked at %7$s MB of memory (PSS) in %8$s process and was ready %9$s ms "
            "after it was started.",
        .diff_mono_vs = " (%1$s the microservices' throughput and %2$s the serverless platform's)",
        .diff_micro =
            "Each request crosses three processes: the gateway calls auth-service "
            "(`GET /v1/verify`) and then profile-service (`GET /v1/users/{id}`), which makes "
            "**2 internal HTTP calls** over keep-alive connections, and two databases are "
            "read, each owned by one service. At %11$s connections it served **%1$s** verified "
            "requests/s, **%2$s** the monolith's throughput. At equal load (%3$s req/s) the "
            "median latency was %4$s ms and the p99 %5$s ms, %6$s the monolith's p99. CPU per "
            "request, summed over the three processes, was %7$s µs (%8$s the monolith's); "
            "together they peaked at %9$s MB and all answered `/health` %10$s ms after the first "
            "one was started.",
        .diff_micro_cpu =
            "Where that CPU goes, per request at %9$s connections: the gateway spent **%1$s µs** "
            "(%2$s of the total) on its two hops, taking the request, calling auth-service and "
            "profile-service and relaying the answer. auth-service spent %3$s µs and "
            "profile-service %4$s µs, %5$s µs together, each running its own HTTP server "
            "around one lookup, where the monolith did the whole request in %6$s µs. Of the "
            "%7$s µs per request the microservices spend beyond the monolith, %1$s µs is the "
            "gateway, a process the monolith does not need, and %8$s µs is the two services "
            "doing in two HTTP servers what the monolith does in one.",
        .diff_sls =
            "Each request goes through the platform: the HTTP trigger turns it into an API "
            "Gateway v2.0 event, a function instance takes it from the Runtime API "
            "(`GET …/invocation/next`) and posts the result back (`POST …/response`), which "
            "makes **2 internal HTTP exchanges** per request, and each instance handles one "
            "invocation at a time. Warm, at %11$s connections, it served **%1$s** verified "
            "requests/s, **%2$s** the monolith's throughput. At equal load (%3$s req/s) the "
            "median latency was %4$s ms and the p99 %5$s ms (the monolith's: %6$s ms). CPU per "
            "request, platform and instances together, was %7$s µs (%8$s the monolith's); "
            "memory peaked at %9$s MB in up to %10$s processes.",
        .diff_sls_cpu =
            "Where that CPU goes, per request at %7$s connections: the platform (`faas`: the "
            "HTTP trigger, the Runtime API, starting and tracking instances) spent **%1$s µs** "
            "(%2$s of the total) and the function instances **%3$s µs** (%4$s). On AWS Lambda "
            "the two shares are paid by different parties: the customer is billed for the "
            "function's (its duration and memory), while the platform's is the cloud "
            "provider's own cost, covered by the price per request and per GB-second. The "
            "function's share alone was %6$s the monolith's %5$s µs for the whole request.",
        .diff_sls_turns =
            " The function's code is the same at every concurrency, yet one invocation took "
            "**%1$s µs** of CPU at one connection and **%2$s µs** at %3$s connections (%4$s "
            "the figure at one): at %3$s connections up to %3$s instances take turns on one "
            "CPU, and each turn starts with caches that the others have just filled with "
            "their own data. That is what one process per concurrent request costs when the "
            "instances share a core, as they do here.",
        .diff_sls_turns_flat =
            " One invocation took %1$s µs of the function's CPU at one connection and %2$s "
            "µs at %3$s connections (%4$s the figure at one): in this run, %3$s instances "
            "taking turns on one CPU did not measurably slow each other down.",
        .diff_sls_cold =
            "A **cold start** (a new instance: start the process, open the database, prepare "
            "the statements, ask for the first event) cost **%1$s ms** at the client (median "
            "of %2$s starts, p90 %3$s ms) against **%4$s ms** for a warm request: %5$s "
            "slower. The platform's own *Init Duration* (AWS's name for the initialization "
            "of an instance; here from the spawn to the first `/next`) had a median of %6$s "
            "ms. Starting instances from a pre-initialised template process (`--start "
            "fork-server`, the zygote technique) brought the cold start to **%7$s ms** (Init "
            "Duration %8$s ms). Between the cold starts every instance stopped after the "
            "idle timeout: the platform scaled to zero, which is what lets a function cost "
            "nothing while idle and pay a cold start when traffic returns.",
        .diff_sls_cost =
            "Cost model: warm invocations lasted %1$s ms (median) and were billed %2$s ms on "
            "average at %3$s MB, that is %4$s GB-s per million requests: about **$%5$s per "
            "million requests** at AWS Lambda's published x86 price of $%6$s per GB-s plus "
            "$%7$s per million requests ([source](%8$s)). An always-on server pays "
            "for its hours whether requests come or not.",
        .struct_mono =
            "- **Unit of deployment:** the whole application, one binary (`bin/monolith`).\n"
            "- **Unit of scaling:** the whole process: more worker threads, or identical "
            "replicas behind a load balancer.\n"
            "- **Failure isolation:** none inside the process: a crash or a deadlock stops "
            "every feature at once.\n"
            "- **Data ownership:** one database holds sessions and users; a request joins "
            "them in one query.\n",
        .struct_micro =
            "- **Unit of deployment:** each service on its own (`gateway`, `auth-service`, "
            "`profile-service`), with its own release cycle.\n"
            "- **Unit of scaling:** each service independently: more profile-service "
            "replicas without touching auth-service.\n"
            "- **Failure isolation:** partial: with profile-service down the gateway keeps "
            "answering, with a 503 problem+json within its timeout, and recovers by itself "
            "when the service returns (checked by the test suite).\n"
            "- **Data ownership:** `auth.db` belongs to auth-service and `profiles.db` to "
            "profile-service; no query can join them, so the gateway composes the answer "
            "over HTTP.\n",
        .struct_sls =
            "- **Unit of deployment:** one function (a `bootstrap` binary) that the platform "
            "runs; the same binary can be deployed to AWS Lambda (`provided.al2023`).\n"
            "- **Unit of scaling:** the invocation: one instance per concurrent request, up "
            "to the concurrency limit, and none at all when idle.\n"
            "- **Failure isolation:** per invocation: a crashed instance fails only its own "
            "request (502) and is replaced; a hung one is killed at the timeout (504).\n"
            "- **Data ownership:** the function reads the same `app.db` as the monolith; "
            "state lives outside the instances, which may disappear at any time.\n",
        .repeats_note = "Over %1$s repeats, %2$s at %8$s connections: median %3$s req/s, range "
                        "%4$s–%5$s, 95 %% interval of the mean %6$s–%7$s.",
        .scale_note = "Dataset size, %1$s at %3$s connections: %2$s.",
        .scale_item = "%1$s users: %2$s",
        .published_ueda =
            "Ueda et al. (IISWC 2016, [doi:10.1109/IISWC.2016.7581269](%1$s)) measured the "
            "microservice version of the Acme Air benchmark (Node.js and Java services in "
            "Docker containers) at up to %2$s %% lower throughput than its monolithic "
            "version on the same hardware. In this run the microservices reached %3$s the "
            "monolith's throughput at %5$s connections, that is %4$s lower. Other code, "
            "other runtimes, other machines: a percentage close to theirs is a coincidence, "
            "not a confirmation.",
        .published_ueda_none =
            "Ueda et al. (IISWC 2016, [doi:10.1109/IISWC.2016.7581269](%1$s)) measured the "
            "microservice version of the Acme Air benchmark (Node.js and Java services in "
            "Docker containers) at up to %2$s %% lower throughput than its monolithic "
            "version on the same hardware. This run did not measure both of those "
            "architectures.",
        .published_cold =
            "Published measurements of AWS Lambda custom runtimes show Init Durations of "
            "about %1$s–%2$s ms for Rust and %3$s–%4$s ms for AWS's C++ runtime on "
            "`provided.al2023`, the closest to this function (a native binary on libcurl) "
            "([lambda-perf](%5$s): medians per memory size and architecture over 30 days of "
            "its data). Lambda's Init Duration covers the extensions, the runtime and the "
            "function's static code, in an execution environment that already exists "
            "([AWS](%6$s)); it does not include creating the microVM, for which "
            "Firecracker's specification promises at most %7$s ms from the start call to the "
            "guest's `init` ([Firecracker](%8$s)). The two measure different things and are "
            "not to be added. This platform's cold start (%9$s ms at the client) is a "
            "process start on a warm machine, with no virtual machine, no code download and "
            "no network: compare it with those Init Durations, and read it as the lower "
            "bound of what a cloud platform adds.",
        .reading =
            "Compare architectures only within this report: ratios carry over to other "
            "machines far better than absolute numbers. Throughput counts verified responses "
            "only. The fair latency comparison is the one at equal load, where every "
            "architecture received the same request rate below its saturation; the unloaded "
            "latency shows the cost of one request with nothing else going on. CPU per "
            "request is what each design costs in hardware; start-up and cold start are what "
            "it costs to add capacity.",
        .glossary =
            "- **p50, p99** (percentiles): the latency within which 50 % or 99 % of the "
            "requests finished. The p50 is the median; the p99 is the tail: one request in a "
            "hundred was slower.\n"
            "- **Closed loop**: each connection sends its next request when the previous one "
            "is answered, so a slow server receives less load; it measures how many requests "
            "per second a system serves. **Open loop**: requests leave at a fixed rate "
            "whatever the server does, as independent users would send them; it measures "
            "latency at equal load.\n"
            "- **Coordinated omission**: the error of a closed-loop load generator that "
            "waits for a slow answer before it sends its next request, and so never measures "
            "the requests that would have waited. Corrected by timing each request from when "
            "it should have been sent (as wrk2 and `loadgen` do).\n"
            "- **GB-s** (gigabyte-second): AWS Lambda's billing unit: the memory configured "
            "(GB) × the billed duration (s).\n"
            "- **Init Duration**: AWS Lambda's name for the initialization of a new instance "
            "(extensions, runtime and the function's static code), written in its `REPORT` "
            "lines; it does not include creating the microVM.\n"
            "- **Cold start**: a request that has to wait for a new instance to be started. "
            "**Warm**: an instance was already running and served it.\n"
            "- **PSS** (proportional set size): a process's memory with every page it shares "
            "with n processes counted as 1/n, so the sum over the processes is the memory "
            "they really hold (RSS counts a shared page in full in each of them).\n"
            "- **Calibration and drift**: a virtual machine's speed changes within minutes "
            "(*drift*). Before every round the run times the same fixed computation "
            "(*calibration*); when those timings moved too far apart, or the hypervisor took "
            "too much of the CPU's time for other machines (*steal*), the report says so at "
            "its top and its figures are not to be compared.\n"
            "- **Poisson arrivals**: requests sent at random moments, with exponentially "
            "distributed gaps around a given mean rate, as many independent users send them "
            "(an open loop).\n",
        .errors_none = "No request failed: every response of every scenario was a verified 200.",
        .errors_some = "%1$s: %2$s of %3$s requests failed (see the loadgen files of this run).",
        .verify_fail = "**SECURITY FAILURE** %1$s: %2$s responses carried another user's profile.",
        .h_faults = "Fault injection",
        .faults_intro = "%1$s connections for %2$s s; after %3$s s one process of the "
                        "architecture is killed with SIGKILL. A killed server is restarted at "
                        "once, as a supervisor would; *recovery* is the time from the kill to "
                        "the first 200 of a probe that retries every %4$s ms. Errors are the "
                        "load generator's failed requests during the %2$s s.",
        .faults_header = "| %s | fault | requests | errors | error rate | recovery |\n",
        .fault_what = {"kill -9 the monolith, restart it", "kill -9 profile-service, restart it",
                       "kill -9 one function instance"},
        .not_measured = "not measured",
        .env_data_given = "Dataset: %1$s users from `%2$s` (given with `--data`)",
        .unmeasured_note = "**%1$s** failed %2$s of the %3$s cases of `archbench check` and was "
                           "not measured.",
        .method_targets =
            "- *Targets*: implementations brought to the run with `--target`. A command was "
            "started like the architectures, in its own process group on CPU %s, with `{port}` "
            "and `{data}` filled in, and took part in the interleaved rounds like them: frozen "
            "while another system was measured, calibrated and warmed up before each of its "
            "rounds. A URL was measured from outside: nothing here can freeze it between its "
            "rounds, its CPU and memory are not measured, and its latency includes the network "
            "to it. Each target had to pass `archbench check` before it was measured, unless "
            "the run said `--no-check`.\n",
        .target_cmd = "Started with `%1$s` (`{port}` and `{data}` filled in by archbench), in "
                      "its own process group on CPU %2$s, like the architectures.",
        .target_url = "Already running at %s: measured from outside, as a client sees it.",
        .diff_target =
            "At %1$s connections it served **%2$s** verified requests/s%3$s. At equal load (%4$s "
            "req/s) its median latency was %5$s ms and its p99 %6$s ms%7$s. %8$s %9$s",
        .diff_target_vs = ", **%s** the monolith's throughput",
        .diff_target_p99_vs = ", %s the monolith's p99",
        .diff_target_res = "CPU per request, summed over its processes, was %1$s µs (%2$s the "
                           "monolith's); its memory peaked at %3$s MB (PSS) in %4$s process(es), and it "
                           "answered `/health` %5$s ms after it was started.",
        .diff_target_remote = "It ran outside this machine's control (%s): its CPU and memory "
                              "were not measured, and every latency includes the network between "
                              "the load generator and it.",
        .diff_target_checked = "Before it was measured it passed all %s cases of `archbench "
                               "check`.",
        .diff_target_unchecked = "It was measured without `archbench check` (`--no-check`): of "
                                 "the contract, only what the load generator verifies held (every "
                                 "200 carried the requesting user's profile).",
        .drift_warning = "This machine's speed changed during the run; rerun before comparing.",
        .drift_detail =
            "Machine: %1$s timings of a fixed calibration workload on the system-under-test CPU, "
            "one before every round, took %2$s to %3$s ms (a speed change of %4$s; the limit is "
            "%5$s); steal time was %6$s of that CPU's time (limit %7$s), and it was busy %8$s "
            "of the time.",
        .ratios_intro = "Ratios to the monolith, taken round by round (%1$s interleaved rounds "
                        "at %2$s connections, seconds apart, so the machine's drift cancels in "
                        "each), then their median; the range over the rounds in brackets.",
        .ratios_header = "| %s | throughput ÷ monolith | CPU per request ÷ monolith |\n",
        .method_rounds =
            "- *Rounds*: every architecture was started once and frozen (SIGSTOP to its "
            "process group) whenever another one was measured, so its idle processes and "
            "timers took no CPU beside it. The saturation scenario ran in %1$s interleaved "
            "rounds (monolith, microservices, serverless, any targets, monolith, ...); each "
            "round thawed the architecture, timed a fixed calibration workload on its CPU, "
            "warmed it up at %3$s connections and measured it.\n"
            "- *Equal load* compares latency at the same request rate, which is a different "
            "share of each architecture's capacity; *equal utilisation* runs each "
            "architecture at %2$s of its own throughput at %3$s connections, so their tails "
            "compare at the same utilisation. Both are open loops with Poisson arrivals "
            "(exponential gaps from a seeded generator), as independent users send requests.\n",
        .util_intro = "Equal utilisation: each architecture at %1$s of its own throughput at %2$s "
                      "connections (open loop, Poisson arrivals).",
        .util_header = "| %s | offered req/s | achieved req/s | p50 ms | p99 ms | p99.9 ms |\n",
        .cascade_eq = "At equal load (%s req/s)",
        .cascade_util = "At equal utilisation (%s req/s)",
        .cascade_some =
            "%1$s, %2$s instances were started inside the measured window (%3$s more during "
            "its warm-up), %4$s: a cold-start cascade. The p99 was "
            "%5$s ms over the whole window and %6$s ms outside the cascade (the monolith's: "
            "%7$s ms). On this machine every instance shares the system-under-test CPU with "
            "the others and with the platform, so each cold start delays the warm invocations, "
            "the queue grows and more instances start. On AWS a cold start takes no CPU from "
            "the function's other instances, though each of them runs on a fraction of a vCPU "
            "(see the caveats): the cascade belongs to this one machine, and the p99 outside "
            "it is the closer to what the platform's design costs.",
        .cascade_second = "in second %s of it",
        .cascade_seconds = "in seconds %1$s to %2$s of it",
        .cascade_none = "%1$s, no instance was started inside the measured window (%2$s during "
                        "its warm-up); the p99 was %3$s ms (the monolith's: %4$s ms).",
        .cascade_none_eq = "%1$s, no instance was started inside the measured window (%2$s "
                           "during its warm-up).",
        .h_cost = "Cost on AWS",
        .cost_intro =
            "What this run's figures would cost on AWS (us-east-1, on-demand; free tiers, data "
            "transfer, storage and a load balancer left out). The monolith and the "
            "microservices run on %1$s instances (%2$s vCPUs, %3$s GiB, $%4$s an hour, "
            "[source](%5$s)), one copy of the architecture on each, as many as the measured "
            "CPU per request needs with each instance %6$s busy at most, and at least %7$s "
            "always on: a server is paid for every hour, requests or not. The serverless "
            "platform is priced as AWS Lambda (x86, $%8$s per GB-s of billed duration at the "
            "function's memory, $%9$s per million requests, [source](%11$s)) behind API Gateway "
            "HTTP API ($%10$s per million requests, [source](%12$s)), and costs nothing while "
            "idle. The memory column is one copy's PSS (servers) or the function's configured "
            "memory (serverless); a month is 730 hours.",
        .cost_init =
            "AWS bills a cold start's INIT phase like the invocation since 1 August 2025 "
            "([source](%4$s)). Inside this run's measured scenarios the platform started %1$s "
            "instances per million requests, each with an Init Duration of %2$s ms (median): "
            "$%3$s per million requests of the serverless figure above.",
        .cost_init_none = "AWS bills a cold start's INIT phase like the invocation since 1 "
                          "August 2025 ([source](%s)); this run did not count the cold starts "
                          "inside its scenarios, so the serverless figures above leave them "
                          "out.",
        .cost_header = "| %s | memory | USD per million requests (servers: busy at the target) "
                       "| USD per month at 10 req/s | at 100 req/s | at 1,000 req/s |\n",
        .cost_no_url = "%s is measured at its URL: its CPU and memory were not measured here, "
                       "and the cost model prices those, so it has no row.",
        .cost_targets = "A target started here is priced like the monolith and the "
                        "microservices: one copy of it on each instance, as many instances "
                        "as its measured CPU per request needs.",
        .cost_no_fit = "%1$s: one copy took %2$s MB (PSS), more than the %3$s GiB of a `%4$s`: "
                       "its cost is understated.",
        .chart_cost = "Monthly cost against request rate (break-even)",
        .ax_rps = "requests per second", .ax_usd = "USD per month",
    },
    [LANG_ES] = {
        .h_steps = "Recorrido de la petición", .col_step = "Paso",
        .steps_intro =
            "Las tres arquitecturas atienden la misma petición con los mismos pasos: el "
            "cliente pide su perfil con su token; el backend comprueba el token "
            "(**autenticación**), lee el perfil (**base de datos**), lo escribe en JSON "
            "(**render**) y lo devuelve; si el token no es válido, responde 401. Lo que "
            "cambia de una arquitectura a otra es en cuántos procesos se reparten esos pasos "
            "y cuántos viajes entre procesos hacen falta.",
        .steps_diagram =
            "cliente\n"
            "  │  GET /profile\n"
            "  │  Authorization: Bearer <token>\n"
            "  ▼\n"
            "autenticación ── token no válido ──▶ 401 + problem+json ──▶ cliente\n"
            "  │  id del usuario\n"
            "  ▼\n"
            "base de datos\n"
            "  │  fila del perfil\n"
            "  ▼\n"
            "JSON\n"
            "  │  200 application/json\n"
            "  ▼\n"
            "cliente\n",
        .steps_exchange =
            "La petición real de esta ejecución, con el token del usuario 1 (`curl` muestra "
            "el cuerpo), y la respuesta sin token (`curl -i`; de sus cabeceras solo se "
            "muestran estas dos):",
        .steps_how =
            "Dónde se va el tiempo de una petición con una conexión (la latencia sin carga), "
            "según lo declara cada servidor en su cabecera `Server-Timing` y lo suma "
            "`loadgen`: la mediana de cada paso sobre %s respuestas o más por arquitectura. "
            "Un *salto* es lo que tardó una llamada vista desde quien la hace menos el total "
            "que declara quien la atiende: la red de loopback, el kernel y el HTTP entre dos "
            "procesos. Las medianas no se suman exactamente, así que dos restos cierran cada "
            "columna: el *otro trabajo de los servidores* es el total del servidor público "
            "menos los pasos que tiene encima, y el *resto* es la latencia del cliente menos "
            "ese total (el cliente, el kernel y el análisis del HTTP en los dos extremos). Así "
            "cada columna suma la latencia mediana que midió el cliente, la latencia sin carga "
            "del resumen. Las medias se sumarían sin restos, pero en una máquina compartida "
            "unas pocas peticiones lentas inflan todas las medias.",
        .steps_join =
            "En el monolito una sola consulta, un join sobre índices, encuentra a la vez la "
            "sesión y el perfil; por eso la búsqueda de la sesión, que auth-service cuenta "
            "como *auth*, forma parte de la *db* del monolito, y su *auth* es solo la lectura "
            "de la cabecera y el hash del token. No se ha partido la consulta para que las "
            "columnas se parezcan.",
        .steps_none =
            "Esta ejecución no tiene cifras por paso: sus servidores no enviaban "
            "`Server-Timing` (es anterior a esa cabecera).",
        .step_row = {"Autenticación (`auth`)", "Base de datos (`db`)", "JSON (`render`)",
                     "Salto: pasarela → auth-service", "Salto: pasarela → profile-service",
                     "Plataforma: cola (`queue`)",
                     "Plataforma: entrega (`invoke` − el total de la función)",
                     "`init` de los arranques en frío, repartido entre todas las peticiones",
                     "Otro trabajo de los servidores", "Resto: cliente, kernel, HTTP"},
        .step_key = {"auth", "db", "render", "salto a auth-service", "salto a profile-service",
                     "cola", "entrega", "init", "otro trabajo del servidor", "resto"},
        .steps_sum = "**Suma: latencia mediana en el cliente**",
        .steps_init = "`init` de un arranque en frío (Init Duration p50; una vez por instancia "
                      "nueva, fuera de la suma)",
        .chart_steps = "Dónde se va el tiempo de una petición (1 conexión, medianas)",
        .diff_steps_mono =
            "Paso a paso con una conexión (medianas; véase *%7$s*): autenticación %1$s ms, base "
            "de datos %2$s ms, JSON %3$s ms y %4$s ms de otro trabajo del servidor; %5$s ms de "
            "los %6$s ms quedan fuera del servidor: el cliente, el kernel y el HTTP.",
        .diff_steps_micro =
            "Paso a paso con una conexión (medianas; véase *%9$s*): la autenticación (con la "
            "búsqueda de la sesión, que el monolito cuenta en su paso de base de datos), la "
            "base de datos y el JSON costaron %1$s, %2$s y %3$s ms; los dos saltos, pasarela → "
            "auth-service y pasarela → profile-service, añadieron %4$s y %5$s ms, y el otro "
            "trabajo de los tres servidores, %6$s ms. Con %7$s ms fuera de los servidores, "
            "una petición tardó %8$s ms, frente a los %10$s ms del monolito.",
        .diff_steps_sls =
            "Paso a paso con una conexión (medianas; véase *%9$s*): la autenticación, la base de "
            "datos y el JSON costaron %1$s, %2$s y %3$s ms dentro de la función; la plataforma "
            "añadió %4$s ms de cola y %5$s ms en entregar el evento y recoger el resultado "
            "(`invoke` menos el total de la propia función), y su otro trabajo, %6$s ms. Con "
            "%7$s ms fuera de los servidores, una petición tardó %8$s ms, frente a los %10$s "
            "ms del monolito.",
        .h_whatif = "Si las llamadas internas cruzaran una red",
        .whatif_intro =
            "Aquí cada llamada interna cruza la interfaz de loopback. Entre dos máquinas, "
            "cada una sumaría un viaje de ida y vuelta por la red. La tabla siguiente es "
            "**aritmética sobre cifras medidas, no una medición**: la latencia mediana medida "
            "con una conexión más los viajes internos de cada petición multiplicados por un "
            "tiempo de ida y vuelta supuesto entre máquinas. Como referencia, el viaje de ida "
            "y vuelta del propio usuario hasta el servicio por internet suele ser de %1$s a "
            "%2$s ms entre ciudades ([pings de WonderProxy](%3$s)), y lo pagan por igual las "
            "tres arquitecturas.",
        .h_whatif_hosts = "Las llamadas internas a través de una red",
        .whatif_hosts =
            "En esta ejecución cada proceso tuvo un host propio, a %1$s ms por ida y vuelta "
            "(`archbench run --hosts --rtt %1$s`). El modelo de qué pasaría con una red "
            "(aritmética sobre cifras medidas en loopback) espera que cada ida y vuelta "
            "interna añada ese tiempo: los microservicios hacen 2 más por petición que el "
            "monolito, así que su latencia mediana con una conexión debería quedar unos "
            "**%2$s ms** por encima de la del monolito. Medido en esta ejecución: **%3$s ms** "
            "por encima (%4$s ms frente a %5$s ms). La plataforma serverless y sus instancias "
            "comparten un host, así que sus dos intercambios con la Runtime API se quedan en "
            "la interfaz loopback de ese host.",
        .whatif_hosts_na =
            "En esta ejecución cada proceso tuvo un host propio, a %1$s ms por ida y vuelta "
            "(`archbench run --hosts --rtt %1$s`); el monolito y los microservicios no se "
            "midieron los dos con una conexión, así que el modelo de qué pasaría con una red "
            "no se puede comparar con ellos.",
        .whatif_header =
            "| Arquitectura | Viajes internos | p50 medida, 1 conexión (ms) | con 0,1 ms (ms) "
            "| con 0,5 ms (ms) | con 1 ms (ms) |\n|---|---:|---:|---:|---:|---:|\n",
        .code = "es", .file = "report.es.md", .decimal = ',', .group = "\xc2\xa0",
        .group_min = 10000, .na = "s. d.", .pct = "%s\xc2\xa0%%",
        .usd = "%s\xc2\xa0USD",
        .title = "Informe de archbench: monolito, microservicios y serverless",
        .generated =
            "Generado por `archbench report` a partir de `run.json`: perfil %1$s, %2$s, "
            "commit `%3$s`. Versión en inglés: [report.md](report.md).",
        .incomplete = "> **Esta ejecución no terminó**: faltan escenarios, así que algunas "
                      "cifras aparecen como s. d. (sin datos).",
        .h_summary = "Resumen", .h_env = "Entorno", .h_method = "Método",
        .h_charts = "Gráficos",
        .h_arch = {"Monolito", "Microservicios", "Serverless (FaaS)"},
        .h_use = "Caso de uso real", .h_diff = "Diferencia", .h_caveats = "Advertencias",
        .source_link = "Fuente",
        .h_published = "Comparación con resultados publicados",
        .h_reading = "Cómo leer este informe", .h_errors = "Errores",
        .h_glossary = "Glosario", .profile_gloss = {"prueba de humo", "rápido", "completo"},
        .arch_name = {"monolito", "microservicios", "serverless"},
        .col_arch = "Arquitectura", .col_thr =
            "Peticiones por segundo, %s conexiones",
        .col_floor =
            "Latencia sin carga (p50, 1 conexión)", .col_eq = "p50 / p99 a carga igual",
        .col_cpu = "CPU por petición", .col_rss = "Memoria máxima (PSS)", .col_procs = "Procesos",
        .cpu_split_intro = "Adónde va la CPU por petición de cada arquitectura, proceso a "
                           "proceso, con %s conexiones (todas las instancias de un programa "
                           "juntas):",
        .cpu_split_targets = "Una implementación externa lanzada aquí ocupa una sola línea: "
                             "todos sus procesos juntos.",
        .col_process = "Proceso", .col_share = "Parte",
        .col_start = "Arranque", .col_cold = "Arranque en frío p50",
        .summary_intro =
            "Cifras de esta ejecución: la mediana de sus rondas cuando un escenario se "
            "ejecutó más de una vez, con el intervalo entre ellas entre paréntesis. *Carga "
            "igual* significa que todas las arquitecturas recibieron las mismas %s "
            "peticiones por segundo.",
        .env_cpu = "CPU", .env_cores = "Núcleos", .env_mem = "Memoria", .env_kernel = "Núcleo (kernel)",
        .env_commit = "Commit de archbench", .env_profile = "Perfil",
        .env_split = "Reparto de CPU: generador de carga en la CPU %1$s, sistema medido en la CPU %2$s",
        .env_shared_cpu =
            "Solo había una CPU: el generador de carga y el sistema medido la compartieron, "
            "lo que rebaja todas las cifras de peticiones por segundo.",
        .env_data = "Datos: %1$s usuarios (`archbench seed --seed %2$s`)",
        .env_libs = "Bibliotecas", .env_wall = "Duración total de la ejecución: %s s",
        .env_hosts = "Red: cada proceso, y el generador de carga, en un host propio (un espacio "
                     "de nombres de red; `archbench run --hosts --rtt %1$s`), con %1$s ms "
                     "añadidos a cada ida y vuelta entre hosts por `bin/netdelay`: cada petición "
                     "la cruza una vez en el monolito y en serverless, tres en los microservicios "
                     "(cliente, auth-service, profile-service)",
        .method_items =
            "- El mismo endpoint, respuestas idénticas byte a byte y los mismos datos para "
            "todas las arquitecturas. Se comprobó que cada respuesta 200 contenía el perfil "
            "del usuario que lo pedía (`loadgen --verify`); solo las respuestas verificadas "
            "cuentan en las peticiones por segundo.\n"
            "- El generador de carga se ejecutó en la CPU %1$s y los procesos de la "
            "arquitectura en la CPU %2$s (`sched_setaffinity`), así que nunca compitieron "
            "por un núcleo.\n"
            "- Cada arquitectura se arrancó en su propio grupo de procesos, se esperó a su "
            "`/health`, se calentó, se midió, se detuvo y se comprobó que no quedaba ningún "
            "proceso suyo. El tiempo de CPU y la memoria se leen de `/proc` para todos los "
            "procesos del grupo, instancias de funciones incluidas.\n"
            "- *Latencia sin carga*: 1 conexión, bucle cerrado. *Saturación*: bucle cerrado "
            "con cada número de conexiones. *Carga igual*: bucle abierto a %3$s peticiones "
            "por segundo para todas las arquitecturas (la mitad de las que atendió la más "
            "lenta con %4$s conexiones); la latencia de cada petición se mide desde el "
            "instante en que debía enviarse, no desde que se envió, así que cuenta también "
            "el tiempo de espera en cola (es la corrección de la *omisión coordinada*: véase "
            "el glosario).\n"
            "- *Arranque*: desde que se lanza el primer proceso hasta la última respuesta de "
            "`/health`. *Arranque en frío*: el tiempo de inactividad de la plataforma se "
            "fijó en %5$s ms y cada petición esperó a que no quedara ninguna instancia.\n",
        .caveats =
            "- Una sola máquina: compare las arquitecturas solo dentro de este informe. Su "
            "velocidad varía con el tiempo, por eso todas las cifras salen de la misma "
            "ejecución.\n"
            "- Todas las llamadas internas usan la interfaz de loopback: sin latencia de red "
            "y sin TLS. En una red real cada llamada interna añade un viaje de ida y vuelta "
            "(normalmente entre 0,1 y 1 ms dentro de un centro de datos), así que las "
            "diferencias que se ven aquí son las mínimas.\n"
            "- sqlite sobre ficheros locales y carga de solo lectura: ninguna escritura "
            "compite con las lecturas.\n"
            "- La plataforma serverless es un modelo local de AWS Lambda: procesos en lugar "
            "de microVM, sin descarga de código y sin red entre el disparador y la "
            "instancia. Aquí sus instancias comparten la CPU del sistema medido entre sí y "
            "con la plataforma: un arranque en frío (varios ms de CPU) retrasa todas las "
            "invocaciones en caliente, crece la cola de espera, se arrancan más instancias y "
            "una ráfaga puede encadenarse hasta llevar el p99 a cientos de milisegundos; el "
            "p99 a carga igual lo muestra cuando ocurre. En AWS, una instancia recibe CPU en "
            "proporción a su memoria, en máquinas que comparte con instancias de otros "
            "clientes: con 128 MB, en torno al %2$s de una vCPU (una vCPU entera con %1$s "
            "MB, [AWS](%3$s)). Allí un arranque en frío no quita CPU a las demás instancias "
            "de la función, pero cada invocación se ejecuta con esa fracción de CPU.\n",
        .chart_thr =
            "Peticiones por segundo según el número de conexiones",
        .chart_lat = "Percentiles de latencia a carga igual",
        .chart_cold = "Serverless: peticiones en frío y en caliente",
        .chart_curve =
            "Latencia frente a peticiones por segundo (bucle abierto)",
        .chart_scale =
            "Peticiones por segundo según el tamaño de los datos (%s conexiones)",
        .ax_conns = "conexiones", .ax_thr = "peticiones verificadas por segundo", .ax_lat = "latencia (ms)",
        .ax_pct = "percentil", .ax_ms = "ms", .ax_users = "usuarios en la base de datos",
        .ax_p99 = "latencia p99 (ms)",
        .lbl_cold_exec = "en frío (exec)", .lbl_cold_fork = "en frío (fork-server)",
        .lbl_warm = "en caliente",
        .gp_pct_xtic = ":xtic(strcol(1) eq 'p99.9' ? 'p99,9' : strcol(1))",
        .latency_header =
            "| %s | peticiones/s ofrecidas | peticiones/s atendidas | p50 ms | p90 ms | p99 "
            "ms | p99,9 ms | máx. ms | p99 sin corregir ms |\n",
        .cold_header = "| modo de arranque | arranques en frío | en frío p50 ms | en frío p90 ms | "
                       "Init Duration p50 ms | en caliente p50 ms |\n",
        .diff_mono =
            "Un solo proceso hace todo el trabajo: la comprobación del token y la lectura "
            "del perfil son un único *join* indexado sobre una sola base de datos, sin "
            "ningún salto de red dentro de la petición. Con %10$s conexiones atendió "
            "**%1$s** peticiones verificadas por segundo%2$s. A carga igual (%3$s peticiones "
            "por segundo), su latencia mediana fue de %4$s ms y su p99 de %5$s ms. Gastó "
            "%6$s µs de CPU por petición, llegó como máximo a %7$s MB de memoria (PSS) en "
            "%8$s proceso y estuvo listo %9$s ms después de arrancar.",
        .diff_mono_vs =
            " (%1$s las de los microservicios y %2$s las de la plataforma serverless)",
        .diff_micro =
            "Cada petición atraviesa tres procesos: la pasarela (`gateway`) llama a "
            "auth-service (`GET /v1/verify`) y después a profile-service (`GET "
            "/v1/users/{id}`), es decir, **2 llamadas HTTP internas** sobre conexiones "
            "persistentes, y se leen dos bases de datos, cada una propiedad de un servicio. "
            "Con %11$s conexiones atendió **%1$s** peticiones verificadas por segundo, "
            "**%2$s** las del monolito. A carga igual (%3$s peticiones por segundo), la "
            "latencia mediana fue de %4$s ms y el p99 de %5$s ms, %6$s el p99 del monolito. "
            "La CPU por petición, sumada en los tres procesos, fue de %7$s µs (%8$s la del "
            "monolito); juntos llegaron a %9$s MB y todos respondían a `/health` %10$s ms "
            "después de lanzar el primero.",
        .diff_micro_cpu =
            "Adónde va esa CPU, por petición con %9$s conexiones: la pasarela gastó **%1$s "
            "µs** (%2$s del total) en sus dos saltos: recibir la petición, llamar a "
            "auth-service y a profile-service y reenviar la respuesta. auth-service gastó "
            "%3$s µs y profile-service %4$s µs, %5$s µs entre los dos, cada uno con su propio "
            "servidor HTTP alrededor de una sola lectura, mientras que el monolito hizo la "
            "petición entera con %6$s µs. De los %7$s µs por petición que los microservicios "
            "gastan de más respecto al monolito, %1$s µs son la pasarela, un proceso que el "
            "monolito no necesita, y %8$s µs son los dos servicios haciendo en dos servidores "
            "HTTP lo que el monolito hace en uno.",
        .diff_sls =
            "Cada petición pasa por la plataforma: el disparador HTTP la convierte en un "
            "evento de API Gateway v2.0, una instancia de la función lo recoge de la Runtime "
            "API (`GET …/invocation/next`) y devuelve el resultado (`POST …/response`), es "
            "decir, **2 intercambios HTTP internos** por petición, y cada instancia atiende "
            "una sola invocación a la vez. En caliente, con %11$s conexiones, atendió "
            "**%1$s** peticiones verificadas por segundo, **%2$s** las del monolito. A carga "
            "igual (%3$s peticiones por segundo), la latencia mediana fue de %4$s ms y el "
            "p99 de %5$s ms (el del monolito: %6$s ms). La CPU por petición, plataforma e "
            "instancias juntas, fue de %7$s µs (%8$s la del monolito); la memoria llegó a "
            "%9$s MB en hasta %10$s procesos.",
        .diff_sls_cpu =
            "Adónde va esa CPU, por petición con %7$s conexiones: la plataforma (`faas`: el "
            "disparador HTTP, la Runtime API, lanzar y seguir las instancias) gastó **%1$s µs** "
            "(%2$s del total) y las instancias de la función **%3$s µs** (%4$s). En AWS Lambda "
            "cada parte la paga alguien distinto: al cliente se le factura la de la función "
            "(su duración y su memoria), mientras que la de la plataforma es un coste del "
            "propio proveedor, cubierto por el precio por petición y por GB-segundo. La "
            "parte de la función sola fue %6$s los %5$s µs del monolito para la petición "
            "entera.",
        .diff_sls_turns =
            " El código de la función es el mismo con cualquier concurrencia y, aun así, una "
            "invocación gastó **%1$s µs** de CPU con una conexión y **%2$s µs** con %3$s "
            "conexiones (%4$s la cifra con una): con %3$s conexiones, hasta %3$s instancias "
            "se turnan en una misma CPU, y cada turno empieza con las cachés llenas de los "
            "datos de las demás. Eso es lo que cuesta un proceso por petición concurrente "
            "cuando las instancias comparten un núcleo, como aquí.",
        .diff_sls_turns_flat =
            " Una invocación gastó %1$s µs de CPU de la función con una conexión y %2$s µs "
            "con %3$s conexiones (%4$s la cifra con una): en esta ejecución, que %3$s "
            "instancias se turnaran en una misma CPU no las frenó de forma apreciable.",
        .diff_sls_cold =
            "Un **arranque en frío** (una instancia nueva: lanzar el proceso, abrir la base "
            "de datos, preparar las consultas y pedir el primer evento) costó **%1$s ms** "
            "vistos desde el cliente (mediana de %2$s arranques, p90 %3$s ms), frente a "
            "**%4$s ms** de una petición en caliente: %5$s más lento. La propia plataforma "
            "midió una *Init Duration* (el nombre que da AWS a la inicialización de una "
            "instancia; aquí, del lanzamiento al primer `/next`) con una mediana de %6$s ms. "
            "Lanzar las instancias desde un proceso plantilla ya inicializado (`--start "
            "fork-server`, la técnica del *zygote*) dejó el arranque en frío en **%7$s ms** "
            "(Init Duration de %8$s ms). Entre un arranque y otro, cada instancia se detuvo "
            "al vencer su tiempo de inactividad y la plataforma se quedó sin ninguna "
            "instancia en marcha: eso es lo que permite que una función no cueste nada "
            "mientras no recibe tráfico, a cambio de pagar un arranque en frío cuando el "
            "tráfico vuelve.",
        .diff_sls_cost =
            "Modelo de costes: las invocaciones en caliente duraron %1$s ms (mediana) y se "
            "facturaron %2$s ms de media con %3$s MB, es decir, %4$s GB-s por millón de "
            "peticiones: unos **%5$s USD por millón de peticiones** al precio x86 publicado "
            "de AWS Lambda, %6$s USD por GB-s más %7$s USD por millón de peticiones "
            "([fuente](%8$s)). Un servidor siempre encendido se paga por horas, reciba "
            "peticiones o no.",
        .struct_mono =
            "- **Unidad de despliegue:** la aplicación entera, un único binario "
            "(`bin/monolith`).\n"
            "- **Unidad de escalado:** el proceso completo: más hilos de trabajo o réplicas "
            "idénticas detrás de un balanceador de carga.\n"
            "- **Aislamiento de fallos:** ninguno dentro del proceso: un fallo grave o un "
            "bloqueo detiene todas las funciones a la vez.\n"
            "- **Propiedad de los datos:** una sola base de datos guarda sesiones y usuarios; "
            "la petición los une en una sola consulta.\n",
        .struct_micro =
            "- **Unidad de despliegue:** cada servicio por separado (`gateway`, "
            "`auth-service`, `profile-service`), con su propio ciclo de versiones.\n"
            "- **Unidad de escalado:** cada servicio de forma independiente: más réplicas de "
            "profile-service sin tocar auth-service.\n"
            "- **Aislamiento de fallos:** parcial: con profile-service caído, la pasarela "
            "sigue respondiendo, con un 503 problem+json dentro de su tiempo límite, y se "
            "recupera sola cuando el servicio vuelve (lo comprueban las pruebas).\n"
            "- **Propiedad de los datos:** `auth.db` pertenece a auth-service y "
            "`profiles.db` a profile-service; ninguna consulta puede unirlas, así que la "
            "pasarela compone la respuesta por HTTP.\n",
        .struct_sls =
            "- **Unidad de despliegue:** una función (un binario `bootstrap`) que ejecuta la "
            "plataforma; el mismo binario puede desplegarse en AWS Lambda "
            "(`provided.al2023`).\n"
            "- **Unidad de escalado:** la invocación: una instancia por petición concurrente, "
            "hasta el límite de concurrencia, y ninguna cuando no hay tráfico.\n"
            "- **Aislamiento de fallos:** por invocación: una instancia que falla solo hace "
            "fallar su propia petición (502) y se sustituye; una que se cuelga se mata al "
            "vencer el tiempo límite (504).\n"
            "- **Propiedad de los datos:** la función lee el mismo `app.db` que el monolito; "
            "el estado vive fuera de las instancias, que pueden desaparecer en cualquier "
            "momento.\n",
        .repeats_note =
            "En %1$s repeticiones, %2$s con %8$s conexiones: mediana de %3$s peticiones por "
            "segundo, intervalo %4$s–%5$s, intervalo de confianza del 95\xc2\xa0" "%% para la media "
            "%6$s–%7$s.",
        .scale_note = "Tamaño de los datos, %1$s con %3$s conexiones: %2$s.",
        .scale_item = "%1$s usuarios: %2$s",
        .published_ueda =
            "Ueda y otros (IISWC 2016, [doi:10.1109/IISWC.2016.7581269](%1$s)) midieron que "
            "la versión de microservicios de la aplicación de referencia Acme Air (servicios "
            "en Node.js y en Java dentro de contenedores Docker) atendía hasta un %2$s\xc2\xa0" "%% "
            "menos de peticiones por segundo que su versión monolítica en el mismo hardware. "
            "En esta ejecución los microservicios alcanzaron %3$s las peticiones por segundo "
            "del monolito con %5$s conexiones, es decir, un %4$s menos. Otro código, otros "
            "entornos de ejecución, otras máquinas: un porcentaje parecido al suyo es una "
            "coincidencia, no una confirmación.",
        .published_ueda_none =
            "Ueda y otros (IISWC 2016, [doi:10.1109/IISWC.2016.7581269](%1$s)) midieron que "
            "la versión de microservicios de la aplicación de referencia Acme Air (servicios "
            "en Node.js y en Java dentro de contenedores Docker) atendía hasta un %2$s\xc2\xa0" "%% "
            "menos de peticiones por segundo que su versión monolítica en el mismo hardware. "
            "Esta ejecución no midió esas dos arquitecturas.",
        .published_cold =
            "Las mediciones publicadas de AWS Lambda con entornos de ejecución "
            "personalizados muestran *Init Durations* de unos %1$s–%2$s ms en Rust y de "
            "%3$s–%4$s ms con el entorno de C++ de AWS en `provided.al2023`, el más parecido "
            "a esta función (un binario nativo sobre libcurl) ([lambda-perf](%5$s): medianas "
            "por tamaño de memoria y arquitectura en 30 días de sus datos). La Init Duration "
            "de Lambda cubre las extensiones, el entorno de ejecución y el código estático "
            "de la función, dentro de un entorno de ejecución que ya existe ([AWS](%6$s)); "
            "no incluye la creación de la microVM, para la que la especificación de "
            "Firecracker promete como mucho %7$s ms desde la orden de arranque hasta el "
            "`init` del invitado ([Firecracker](%8$s)). Son medidas de cosas distintas y no "
            "se suman. El arranque en frío de esta plataforma (%9$s ms vistos desde el "
            "cliente) es el arranque de un proceso en una máquina ya caliente, sin máquina "
            "virtual, sin descarga de código y sin red: compárelo con esas Init Durations y "
            "léalo como el límite inferior de lo que añade una plataforma en la nube.",
        .reading =
            "Compare las arquitecturas solo dentro de este informe: las proporciones se "
            "trasladan a otras máquinas mucho mejor que las cifras absolutas. Las peticiones "
            "por segundo cuentan solo respuestas verificadas. La comparación justa de "
            "latencias es la de carga igual, en la que todas las arquitecturas recibieron el "
            "mismo ritmo de peticiones por debajo de su saturación; la latencia sin carga "
            "muestra el coste de una petición sin nada más en marcha. La CPU por petición es "
            "lo que cada diseño cuesta en hardware; el arranque y el arranque en frío, lo "
            "que cuesta añadir capacidad.",
        .glossary =
            "- **p50, p99** (percentiles): la latencia por debajo de la cual terminó el 50\xc2\xa0" "% "
            "o el 99\xc2\xa0" "% de las peticiones. El p50 es la mediana; el p99 describe las más "
            "lentas: una petición de cada cien tardó más.\n"
            "- **Bucle cerrado**: cada conexión envía su siguiente petición cuando recibe la "
            "respuesta a la anterior, así que un servidor lento recibe menos carga; sirve "
            "para medir cuántas peticiones por segundo atiende un sistema. **Bucle "
            "abierto**: las peticiones salen a un ritmo fijo, responda como responda el "
            "servidor, como las enviarían usuarios independientes; sirve para medir la "
            "latencia a carga igual.\n"
            "- **Omisión coordinada**: el error de un generador de carga en bucle cerrado "
            "que espera una respuesta lenta antes de enviar la siguiente petición y así deja "
            "de medir justo las peticiones que habrían esperado. Se corrige midiendo cada "
            "petición desde el instante en que debía enviarse (como hacen wrk2 y `loadgen`).\n"
            "- **GB-s** (gigabyte-segundo): la unidad con la que factura AWS Lambda: la "
            "memoria configurada (GB) por la duración facturada (s).\n"
            "- **Init Duration** (duración de la inicialización): el nombre que da AWS "
            "Lambda a la inicialización de una instancia nueva (extensiones, entorno de "
            "ejecución y código estático de la función), que anota en sus líneas `REPORT`; "
            "no incluye la creación de la microVM.\n"
            "- **Arranque en frío** (*cold start*): una petición que tiene que esperar a que "
            "se lance una instancia nueva. **En caliente**: ya había una instancia en marcha "
            "que la atendió.\n"
            "- **PSS** (*proportional set size*, tamaño proporcional): la memoria de un "
            "proceso contando cada página que comparte con n procesos como 1/n, de modo que "
            "la suma de todos es la memoria que ocupan de verdad (la RSS cuenta una página "
            "compartida entera en cada uno de ellos).\n"
            "- **Calibración y deriva**: la velocidad de una máquina virtual cambia en cuestión "
            "de minutos (*deriva*). Antes de cada ronda, la ejecución cronometra siempre el "
            "mismo cálculo fijo (*calibración*); si esos tiempos se separan demasiado, o si el "
            "hipervisor se llevó demasiado tiempo de la CPU para otras máquinas (tiempo "
            "robado, *steal*), el informe lo advierte al principio y sus cifras no deben "
            "compararse.\n"
            "- **Llegadas de Poisson**: peticiones enviadas en instantes aleatorios, con "
            "intervalos de distribución exponencial alrededor de un ritmo medio dado, como las "
            "envían muchos usuarios independientes (un bucle abierto).\n",
        .errors_none = "Ninguna petición falló: todas las respuestas de todos los escenarios "
                       "fueron 200 verificados.",
        .errors_some = "%1$s: fallaron %2$s de %3$s peticiones (véanse los ficheros de loadgen de "
                       "esta ejecución).",
        .verify_fail = "**FALLO DE SEGURIDAD** %1$s: %2$s respuestas contenían el perfil de otro "
                       "usuario.",
        .h_faults = "Inyección de fallos",
        .faults_intro = "%1$s conexiones durante %2$s s; a los %3$s s se mata con SIGKILL un "
                        "proceso de la arquitectura. Un servidor muerto se vuelve a arrancar "
                        "en el acto, como haría un supervisor; la *recuperación* es el tiempo "
                        "desde la muerte hasta el primer 200 de una sonda que reintenta cada "
                        "%4$s ms. Los errores son las peticiones fallidas del generador de "
                        "carga en esos %2$s s.",
        .faults_header = "| %s | fallo | peticiones | errores | tasa de error | recuperación |\n",
        .fault_what = {"kill -9 del monolito y rearranque", "kill -9 de profile-service y rearranque",
                       "kill -9 de una instancia de la función"},
        .not_measured = "no medido",
        .env_data_given = "Datos: %1$s usuarios de `%2$s` (dados con `--data`)",
        .unmeasured_note = "**%1$s** falló %2$s de los %3$s casos de `archbench check` y no se "
                           "midió.",
        .method_targets =
            "- *Implementaciones externas*: las que se añadieron a la ejecución con `--target`. "
            "Una orden se lanzó como las arquitecturas, en su propio grupo de procesos en la CPU "
            "%s, con `{port}` y `{data}` sustituidos, y participó en las rondas intercaladas "
            "como ellas: congelada mientras se medía otro sistema, calibrada y calentada antes "
            "de cada una de sus rondas. Una URL se midió desde fuera: desde aquí no se puede "
            "congelar entre sus rondas, no se miden su CPU ni su memoria y su latencia incluye "
            "la red hasta ella. Cada una tuvo que superar `archbench check` antes de medirse, "
            "salvo que la ejecución indicara `--no-check`.\n",
        .target_cmd = "Lanzada con `%1$s` (archbench sustituye `{port}` y `{data}`), en su "
                      "propio grupo de procesos en la CPU %2$s, como las arquitecturas.",
        .target_url = "Ya en marcha en %s: medida desde fuera, tal como la ve un cliente.",
        .diff_target =
            "Con %1$s conexiones atendió **%2$s** peticiones verificadas por segundo%3$s. A carga "
            "igual (%4$s peticiones por segundo), su latencia mediana fue de %5$s ms y su p99 de "
            "%6$s ms%7$s. %8$s %9$s",
        .diff_target_vs = ", **%s** las del monolito",
        .diff_target_p99_vs = ", %s el p99 del monolito",
        .diff_target_res = "La CPU por petición, sumada en todos sus procesos, fue de %1$s µs "
                           "(%2$s la del monolito); su memoria llegó a %3$s MB (PSS) en %4$s "
                           "proceso(s), y respondió a `/health` %5$s ms después de lanzarla.",
        .diff_target_remote = "Se ejecutó fuera del control de esta máquina (%s): no se midieron "
                              "su CPU ni su memoria, y cada latencia incluye la red entre el "
                              "generador de carga y ella.",
        .diff_target_checked = "Antes de medirla superó los %s casos de `archbench check`.",
        .diff_target_unchecked = "Se midió sin `archbench check` (`--no-check`): del contrato "
                                 "solo se comprobó lo que verifica el generador de carga (que cada "
                                 "200 contenía el perfil del usuario que lo pedía).",
        .drift_warning = "La velocidad de esta máquina cambió durante la ejecución; repita la "
                         "medición antes de comparar.",
        .drift_detail =
            "Máquina: %1$s mediciones de una carga de calibración fija en la CPU del sistema "
            "medido, una antes de cada ronda, tardaron de %2$s a %3$s ms (un cambio de "
            "velocidad del %4$s; el límite es %5$s); el tiempo robado (*steal*) fue el %6$s del "
            "tiempo de esa CPU (límite %7$s), y estuvo ocupada el %8$s del tiempo.",
        .ratios_intro = "Proporciones respecto al monolito, tomadas ronda a ronda (%1$s rondas "
                        "intercaladas con %2$s conexiones, separadas por segundos, de modo que "
                        "la deriva de la máquina se anula en cada una), y después su mediana; "
                        "entre paréntesis, el intervalo entre rondas.",
        .ratios_header = "| %s | peticiones por segundo ÷ monolito | CPU por petición ÷ "
                         "monolito |\n",
        .method_rounds =
            "- *Rondas*: cada arquitectura se arrancó una sola vez y se congeló (SIGSTOP a su "
            "grupo de procesos) mientras se medía otra, de modo que sus procesos inactivos y "
            "sus temporizadores no gastaron CPU junto a ella. El escenario de saturación se "
            "ejecutó en %1$s rondas intercaladas (monolito, microservicios, serverless, las "
            "implementaciones externas, monolito...); en cada ronda la arquitectura se "
            "descongeló, se cronometró una "
            "carga de calibración fija en su CPU, se calentó con %3$s conexiones y se midió.\n"
            "- La *carga igual* compara la latencia con el mismo ritmo de peticiones, que es "
            "una fracción distinta de la capacidad de cada arquitectura; la *utilización "
            "igual* lleva cada arquitectura al %2$s de las peticiones por segundo que ella "
            "misma atendió con %3$s conexiones, para que sus latencias más lentas (el p99) se "
            "comparen con la misma utilización. Ambas son "
            "bucles abiertos con llegadas de Poisson (intervalos exponenciales de un generador "
            "con semilla), como llegan las peticiones de usuarios independientes.\n",
        .util_intro = "Utilización igual: cada arquitectura al %1$s de las peticiones por "
                      "segundo que ella misma atendió con %2$s conexiones (bucle abierto, "
                      "llegadas de Poisson).",
        .util_header = "| %s | peticiones/s ofrecidas | peticiones/s atendidas | p50 ms | "
                       "p99 ms | p99,9 ms |\n",
        .cascade_eq = "A carga igual (%s peticiones por segundo)",
        .cascade_util = "A utilización igual (%s peticiones por segundo)",
        .cascade_some =
            "%1$s, se arrancaron %2$s instancias dentro de la ventana medida (y %3$s más "
            "durante su calentamiento), %4$s: una cascada de arranques "
            "en frío. El p99 fue de %5$s ms en toda la ventana y de %6$s ms fuera de la "
            "cascada (el del monolito: %7$s ms). En esta máquina todas las instancias "
            "comparten la CPU del sistema medido entre sí y con la plataforma, así que cada "
            "arranque en frío retrasa las invocaciones en caliente, crece la cola de espera y "
            "se arrancan más instancias. En AWS un arranque en frío no quita CPU a las demás "
            "instancias de la función, aunque cada una dispone solo de una fracción de vCPU "
            "(véanse las advertencias): la cascada es propia de esta máquina, y el p99 fuera "
            "de ella se acerca más a lo que cuesta el diseño de la plataforma.",
        .cascade_none = "%1$s, no se arrancó ninguna instancia dentro de la ventana medida "
                        "(%2$s durante su calentamiento); el p99 fue de %3$s ms (el del "
                        "monolito: %4$s ms).",
        .cascade_second = "en el segundo %s",
        .cascade_seconds = "en los segundos %1$s a %2$s",
        .cascade_none_eq = "%1$s, no se arrancó ninguna instancia dentro de la ventana medida "
                           "(%2$s durante su calentamiento).",
        .h_cost = "Coste en AWS",
        .cost_intro =
            "Lo que costarían en AWS las cifras de esta ejecución (us-east-1, bajo demanda; sin "
            "capas gratuitas, transferencia de datos, almacenamiento ni balanceador de carga). "
            "El monolito y los microservicios se ejecutan en instancias %1$s (%2$s vCPU, "
            "%3$s GiB, %4$s USD la hora, [fuente](%5$s)), una copia de la arquitectura en "
            "cada una, tantas como pide la CPU por petición medida sin que ninguna pase del "
            "%6$s de ocupación, y al menos %7$s siempre encendida: un servidor se paga por "
            "horas, reciba peticiones o no. La plataforma serverless se valora como AWS Lambda "
            "(x86, %8$s USD por GB-s de duración facturada con la memoria de la función, %9$s "
            "USD por millón de peticiones, [fuente](%11$s)) detrás de una HTTP API de Amazon "
            "API Gateway (%10$s USD por millón de peticiones, [fuente](%12$s)), y no cuesta "
            "nada mientras no recibe tráfico. La columna de "
            "memoria es la PSS de una copia (servidores) o la memoria configurada de la función "
            "(serverless); un mes son 730 horas.",
        .cost_init =
            "Desde el 1 de agosto de 2025 AWS factura la fase INIT de un arranque en frío igual "
            "que la invocación ([fuente](%4$s)). Dentro de los escenarios medidos de esta "
            "ejecución la plataforma arrancó %1$s instancias por millón de peticiones, cada una "
            "con una Init Duration de %2$s ms (mediana): %3$s USD por millón de peticiones de la "
            "cifra serverless de arriba.",
        .cost_init_none = "Desde el 1 de agosto de 2025 AWS factura la fase INIT de un "
                          "arranque en frío igual que la invocación ([fuente](%s)); esta "
                          "ejecución no contó los arranques en frío dentro de sus escenarios, "
                          "así que las cifras serverless de arriba no los incluyen.",
        .cost_header = "| %s | memoria | USD por millón de peticiones (servidores: con la "
                       "ocupación objetivo) | USD al mes con 10 peticiones/s | con 100 "
                       "peticiones/s | con 1\xc2\xa0" "000 peticiones/s |\n",
        .cost_no_url = "%s se midió en su URL: aquí no se midieron su CPU ni su memoria, que "
                       "es lo que valora el modelo de costes, así que no tiene fila.",
        .cost_targets = "Una implementación externa lanzada aquí se valora como el monolito y "
                        "los microservicios: una copia en cada instancia, tantas instancias "
                        "como pide la CPU por petición que se le midió.",
        .cost_no_fit = "%1$s: una copia ocupó %2$s MB (PSS), más que los %3$s GiB de una `%4$s`: "
                       "su coste queda por debajo del real.",
        .chart_cost = "Coste mensual según el ritmo de peticiones (punto de equilibrio)",
        .ax_rps = "peticiones por segundo", .ax_usd = "USD al mes",
    },
};

const struct use_case report_use_cases[3][3] = {
    { /* monolith */
        {{"**Shopify** runs its core commerce platform as a *modular monolith*: one large Ruby "
          "on Rails application split into components with enforced boundaries, chosen over a "
          "split into microservices.",
          "**Shopify** mantiene su plataforma de comercio principal como un *monolito "
          "modular*: una gran aplicación Ruby on Rails dividida en componentes con fronteras "
          "vigiladas, elegida frente a partirla en microservicios."},
         SOURCE_SHOPIFY},
        {{"**Stack Overflow** serves one of the busiest sites on the web from a monolithic "
          "ASP.NET application on a handful of servers of its own: 11 IIS web servers and 4 SQL "
          "Servers in 2016.",
          "**Stack Overflow** sirve uno de los sitios más visitados de la web con una "
          "aplicación ASP.NET monolítica en unos pocos servidores propios: 11 servidores web "
          "IIS y 4 de SQL Server en 2016."},
         SOURCE_STACK_OVERFLOW},
        {{"**Amazon Prime Video** (2023) moved its audio/video quality-monitoring service from "
          "distributed serverless components (AWS Step Functions and Lambda) into a single "
          "process, and cut that service's infrastructure cost by over 90 %.",
          "**Amazon Prime Video** (2023) trasladó su servicio de monitorización de la calidad "
          "de audio y vídeo desde componentes serverless distribuidos (AWS Step Functions y "
          "Lambda) a un único proceso, y redujo el coste de infraestructura de ese servicio en "
          "más de un 90\xc2\xa0%."},
         SOURCE_PRIME_VIDEO},
    },
    { /* microservices */
        {{"**Netflix** moved from a monolithic application in its own data centres to hundreds "
          "of microservices in the cloud, after a database corruption in 2008 stopped its DVD "
          "shipments for three days; the migration finished in 2016.",
          "**Netflix** pasó de una aplicación monolítica en sus propios centros de datos a "
          "cientos de microservicios en la nube, después de que una corrupción de su base de "
          "datos en 2008 detuviera el envío de DVD durante tres días; la migración terminó en "
          "2016."},
         SOURCE_NETFLIX},
        {{"**Uber** grew to about 2,200 critical microservices and then grouped them into "
          "domains behind gateways (Domain-Oriented Microservice Architecture) to contain the "
          "complexity.",
          "**Uber** llegó a unos 2200 microservicios críticos y después los agrupó en dominios "
          "detrás de pasarelas (Domain-Oriented Microservice Architecture) para contener la "
          "complejidad."},
         SOURCE_UBER},
        {{"**Amazon.com** split its monolithic retail application into services from the "
          "early 2000s; by 2006, its CTO said, rendering the home page called more than 100 "
          "services.",
          "**Amazon.com** dividió su aplicación de comercio monolítica en servicios desde "
          "comienzos de los años 2000; en 2006, según su CTO, generar la portada llamaba a más "
          "de 100 servicios."},
         SOURCE_AMAZON},
    },
    { /* serverless */
        {{"**iRobot** runs the cloud backend of its connected Roomba robots with no servers of "
          "its own: its production application runs on AWS Lambda stitched to managed "
          "services such as AWS IoT (a talk by its cloud robotics research scientist, published "
          "by InfoQ in March 2018).",
          "**iRobot** ejecuta el backend en la nube de sus robots Roomba conectados sin "
          "servidores propios: su aplicación de producción funciona sobre AWS Lambda, unida a "
          "servicios gestionados como AWS IoT (charla de su científico de robótica en la nube, "
          "publicada por InfoQ en marzo de 2018)."},
         SOURCE_IROBOT},
        {{"**BBC Online** renders around half of its website with AWS Lambda functions (2020): "
          "keeping its own virtual machines secure, reliable and scalable took time that, in its "
          "head of architecture's words, serverless mostly saves.",
          "**BBC Online** genera alrededor de la mitad de su web con funciones de AWS Lambda "
          "(2020): mantener sus propias máquinas virtuales seguras, fiables y escalables le "
          "llevaba un tiempo que, según su responsable de arquitectura, serverless le ahorra casi "
          "por completo."},
         SOURCE_BBC},
        {{"The counter-example: **Prime Video**'s monitoring service hit a scaling limit at "
          "about 5 % of its expected load as serverless components, and moved to a single "
          "process (see the monolith's use cases).",
          "El contraejemplo: el servicio de monitorización de **Prime Video** chocó con un "
          "límite de escalado hacia el 5\xc2\xa0% de la carga prevista como componentes serverless, "
          "y pasó a un único proceso (véanse los casos de uso del monolito)."},
         SOURCE_PRIME_VIDEO},
    },
};
