/* Separate hosts for archbench run --hosts: a topology made by bench/hosts/hosts.sh
 * (one network namespace per host, RTT_MS added to every round trip between hosts),
 * the address of each host, and moving a process into a host. */
#ifndef ARCHBENCH_HOSTS_H
#define ARCHBENCH_HOSTS_H

#include <stdbool.h>
#include <stddef.h>

#define HOSTS_MAX 8

struct hosts_host {
    char name[32];     /* "load", "monolith", "gateway" ... */
    char address[16];  /* "198.19.0.11" */
};

struct hosts {
    char id[32];        /* the topology's id: namespaces are ab-ID-NAME */
    char script[512];   /* bench/hosts/hosts.sh */
    double rtt_ms;
    unsigned n;
    struct hosts_host host[HOSTS_MAX];
    int home_fd;        /* this process's own network namespace, to come back to */
};

/* Makes one host per name (spec "NAME" or "NAME@CPUS": CPUS pins that host's packet
 * delayer) with rtt_ms added to every round trip. Returns 0, or -1 with err set and
 * nothing left. */
int hosts_up(struct hosts *h, const char *script, double rtt_ms, const char *const specs[],
             unsigned n, char *err, size_t errlen);

/* The address of host name, or NULL. */
const char *hosts_address(const struct hosts *h, const char *name);

/* Moves the calling thread (a child about to exec, or archbench itself) into host
 * name's network namespace. Returns 0, or -1 with errno set. */
int hosts_enter(const struct hosts *h, const char *name);

/* Brings the calling thread back to the namespace it had at hosts_up. */
int hosts_leave(const struct hosts *h);

/* Stops every process left in the hosts and deletes them (their rules go with them);
 * the calling thread is first brought home. Safe to call twice. */
void hosts_down(struct hosts *h);

#endif
