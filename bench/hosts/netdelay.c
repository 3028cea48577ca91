/* bin/netdelay: holds every packet that an iptables NFQUEUE rule hands it for a fixed
 * time, then lets it go, so that hosts in network namespaces on one machine talk
 * with a real network's delay. This kernel has no netem (nor fq, which BPF
 * timestamps need), so the delay is done in user space; bench/hosts/hosts.sh runs one
 * per namespace, delaying what that namespace sends by half the round trip. */
/* glibc's <netinet/in.h> (through arpa/inet.h) first: <linux/netfilter.h> then
 * skips its own copies of the same structs */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "opts.h"

#define PROGRAM "netdelay"

/* Packets waiting, oldest first. The delay is the same for all, so arrival order is
 * release order and a ring is enough; it holds as many as the kernel may queue. */
struct held {
    uint32_t id;
    uint64_t due_ns;
};

struct delayer {
    struct nfq_q_handle *qh;
    uint64_t delay_ns;
    struct held *ring;
    uint32_t cap, head, count;
    uint64_t packets, overflow;
    /* How late ppoll wakes after the time asked, averaged (1/16 per wake-up). Packets
     * are released that much ahead of their due time, so that on average they leave on
     * time: measured here, a 500 us hold came out 62 us late on average without this,
     * which added an eighth of the round trip at --rtt 1. Capped at a quarter of the
     * delay, so no packet ever leaves much early. */
    int64_t wake_late_ns, wake_cap_ns;
    int64_t dev_ns_sum; /* release time - due time, summed over packets (signed) */
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa,
                     void *arg)
{
    (void)msg;
    struct delayer *d = arg;
    struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
    if (ph == NULL)
        return 0;
    uint32_t id = ntohl(ph->packet_id);
    d->packets++;
    if (d->count == d->cap) { /* cannot happen while cap >= the kernel's queue length */
        d->overflow++;
        return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
    }
    d->ring[(d->head + d->count) % d->cap] = (struct held){id, clock_now_ns() + d->delay_ns};
    d->count++;
    return 0;
}

/* Lets every packet that is due go, with one batch verdict (the kernel accepts all
 * queued ids up to the last one given, which are exactly the older ones here). */
static void release_due(struct delayer *d, uint64_t now)
{
    uint32_t n = 0, last = 0;
    uint64_t horizon = now == UINT64_MAX ? now : now + (uint64_t)d->wake_late_ns;
    while (n < d->count && d->ring[(d->head + n) % d->cap].due_ns <= horizon) {
        const struct held *p = &d->ring[(d->head + n) % d->cap];
        last = p->id;
        if (now != UINT64_MAX)
            d->dev_ns_sum += (int64_t)(now - p->due_ns);
        n++;
    }
    if (n == 0)
        return;
    if (nfq_set_verdict_batch(d->qh, last, NF_ACCEPT) < 0)
        log_warn("verdict: %s", strerror(errno));
    d->head = (d->head + n) % d->cap;
    d->count -= n;
}

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: netdelay --delay-us N [--queue Q] [--queue-len L]\n\n"
            "Delays every packet of NFQUEUE queue Q (default 0) in this network namespace\n"
            "by N microseconds, then accepts it. Route packets to it with, for example,\n"
            "  iptables-legacy -A OUTPUT -o eth0 -j NFQUEUE --queue-num 0\n"
            "Prints 'netdelay: queue Q, delay N us' on stdout once bound; SIGTERM lets\n"
            "the held packets go and exits.\n\n"
            "Options:\n"
            "  --delay-us N     delay per packet, 0..10000000 microseconds\n"
            "  --queue Q        queue number (default 0)\n"
            "  --queue-len L    packets the kernel may hold for us (default 65536)\n"
            "  -h, --help       show this help\n"
            "  -V, --version    show the version\n");
}

struct opts {
    unsigned delay_us, queue, queue_len;
    bool have_delay;
};

static void parse(int argc, char **argv, struct opts *o)
{
    static const struct option longopts[] = {
        {"delay-us", required_argument, NULL, 'd'}, {"queue", required_argument, NULL, 'q'},
        {"queue-len", required_argument, NULL, 'l'}, {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},        {NULL, 0, NULL, 0},
    };
    *o = (struct opts){.queue_len = 65536};
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (!opts_parse_unsigned(optarg, 0, 10000000, &o->delay_us))
                opts_usage_error(PROGRAM, "--delay-us: expected 0..10000000, got '%s'", optarg);
            o->have_delay = true;
            break;
        case 'q':
            if (!opts_parse_unsigned(optarg, 0, 65535, &o->queue))
                opts_usage_error(PROGRAM, "--queue: expected 0..65535, got '%s'", optarg);
            break;
        case 'l':
            if (!opts_parse_unsigned(optarg, 1, 1u << 20, &o->queue_len))
                opts_usage_error(PROGRAM, "--queue-len: expected 1..1048576, got '%s'", optarg);
            break;
        case 'h': usage(stdout); exit(0);
        case 'V': opts_print_version(PROGRAM); exit(0);
        default: opts_unknown(PROGRAM, argv);
        }
    }
    if (optind < argc)
        opts_usage_error(PROGRAM, "unexpected argument '%s'", argv[optind]);
    if (!o->have_delay)
        opts_usage_error(PROGRAM, "--delay-us is required");
}

/* Waits for packets until the next release is due (ppoll: nanosecond timeouts;
 * the timer slack is 1 ns, so the release is not rounded up by the default 50 µs). */
static int serve(struct nfq_handle *h, struct delayer *d)
{
    int fd = nfq_fd(h);
    char buf[65536] __attribute__((aligned));
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    while (!stopping) {
        struct timespec ts, *tsp = NULL;
        uint64_t planned = 0;
        if (d->count > 0) {
            uint64_t now = clock_now_ns();
            planned = d->ring[d->head].due_ns - (uint64_t)d->wake_late_ns;
            uint64_t wait = planned > now ? planned - now : 0;
            ts = (struct timespec){(time_t)(wait / 1000000000u), (long)(wait % 1000000000u)};
            tsp = &ts;
        }
        int n = ppoll(&pfd, 1, tsp, NULL);
        if (n < 0 && errno != EINTR) {
            log_error("poll: %s", strerror(errno));
            return -1;
        }
        if (n > 0) {
            /* drain what is queued on the socket, then release */
            for (;;) {
                ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
                if (r < 0) {
                    if (errno == ENOBUFS) { /* the kernel dropped messages: TCP resends */
                        d->overflow++;
                        continue;
                    }
                    break;
                }
                nfq_handle_packet(h, buf, (int)r);
            }
        }
        uint64_t now = clock_now_ns();
        release_due(d, now);
        /* woken by the timer: how late? (after the release, which must use the
         * lateness the wake-up was planned with, or it would release nothing and plan
         * again a few nanoseconds later) */
        if (n == 0 && planned > 0) {
            d->wake_late_ns += ((int64_t)(now - planned) - d->wake_late_ns) / 16;
            if (d->wake_late_ns > d->wake_cap_ns)
                d->wake_late_ns = d->wake_cap_ns;
            if (d->wake_late_ns < 0)
                d->wake_late_ns = 0;
        }
    }
    release_due(d, UINT64_MAX); /* nothing held is lost on exit */
    return 0;
}

int main(int argc, char **argv)
{
    log_init(PROGRAM, LOG_INFO);
    struct opts o;
    parse(argc, argv, &o);
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    /* A network delays packets without waiting for the hosts' CPUs; netdelay shares
     * its host's CPU with the servers (and faas's instances), so it runs ahead of them,
     * as a kernel's packet processing does: with 64 connections to faas and its
     * instances on one CPU, under the default policy packets waited for netdelay's
     * turn for hundreds of milliseconds (median 212 ms). Its own work is a few
     * microseconds per packet. */
    struct sched_param sp = {.sched_priority = 10};
    if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0)
        log_warn("SCHED_FIFO: %s: packets may wait for the host's other processes",
                 strerror(errno));
    struct delayer d = {.delay_ns = (uint64_t)o.delay_us * 1000, .cap = o.queue_len,
                        .wake_cap_ns = (int64_t)o.delay_us * 1000 / 4};
    d.ring = calloc(d.cap, sizeof *d.ring);
    struct nfq_handle *h = nfq_open();
    if (d.ring == NULL || h == NULL) {
        log_error("%s", d.ring ? "nfq_open: no netfilter queue support (root needed)" : "out of memory");
        return 1;
    }
    d.qh = nfq_create_queue(h, (uint16_t)o.queue, on_packet, &d);
    if (d.qh == NULL) {
        log_error("queue %u: %s (is another netdelay bound to it in this namespace?)", o.queue,
                  strerror(errno));
        nfq_close(h);
        return 1;
    }
    /* metadata only: the packet id is all a verdict needs */
    if (nfq_set_mode(d.qh, NFQNL_COPY_META, 0) < 0 || nfq_set_queue_maxlen(d.qh, o.queue_len) < 0) {
        log_error("queue %u: cannot configure: %s", o.queue, strerror(errno));
        nfq_destroy_queue(d.qh);
        nfq_close(h);
        return 1;
    }
    nfnl_rcvbufsiz(nfq_nfnlh(h), 8u << 20);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    printf("netdelay: queue %u, delay %u us\n", o.queue, o.delay_us);
    fflush(stdout);
    int rc = serve(h, &d);
    log_info("queue %u: %llu packets delayed by %u us (%+.1f us from it on average; wake-ups "
             "%.1f us late), %llu past the queue", o.queue, (unsigned long long)d.packets,
             o.delay_us, d.packets ? (double)d.dev_ns_sum / 1e3 / (double)d.packets : 0.0,
             (double)d.wake_late_ns / 1e3, (unsigned long long)d.overflow);
    nfq_destroy_queue(d.qh);
    nfq_close(h);
    free(d.ring);
    return rc == 0 ? 0 : 1;
}
