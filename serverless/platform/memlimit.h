/* The memory size of function instances, enforced on memory actually used, as on
 * Lambda (not on address space: a runtime such as Node reserves far more than it
 * touches). Two ways, chosen at start-up and logged:
 *  cgroup    one memory cgroup (v1 controller) per instance slot, under faas's own
 *            cgroup, with memory.limit_in_bytes (and memsw, so no swap) = the size:
 *            the kernel stops an instance that goes over (OOM kill, reported as
 *            Runtime.OutOfMemory); leftover processes of a stopped instance are
 *            killed with it, as a Lambda sandbox ends whole;
 *  watchdog  where no such cgroup can be made (no v1 memory controller, no
 *            permission): the instance manager reads each busy instance's peak
 *            resident memory every MEMLIMIT_WATCH_MS and stops one that went over.
 * Peak resident memory (VmHWM) is also what REPORT's Max Memory Used shows. */
#ifndef ARCHBENCH_MEMLIMIT_H
#define ARCHBENCH_MEMLIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* How often the watchdog reads a busy instance's peak memory: an instance can go
 * over the size by what it allocates in this time before it is stopped. */
#define MEMLIMIT_WATCH_MS 100

struct memlimit;

/* limit_mb per instance; slots: how many instances at most. Never NULL unless out
 * of memory; how it enforces goes into how (for the log). */
struct memlimit *memlimit_open(unsigned limit_mb, unsigned slots, char *how, size_t howlen);
bool memlimit_is_cgroup(const struct memlimit *m);

/* cgroup mode: has pid (just started, for slot) moved into the slot's cgroup, made
 * on first use, by this module's own thread, soon (see memlimit.c for why not at
 * once); a failure is logged. A no-op for the watchdog. */
void memlimit_attach(struct memlimit *m, unsigned slot, pid_t pid);

/* After slot's instance exited: whether the kernel stopped it for going over the
 * limit (cgroup mode), and every process still in its cgroup is killed. */
bool memlimit_release(struct memlimit *m, unsigned slot);

/* Kills what is left in the cgroups and removes them. */
void memlimit_close(struct memlimit *m);

/* Peak resident memory of pid in MB (VmHWM, rounded up); 0 when unknown. */
unsigned memlimit_peak_mb(pid_t pid);

#endif
