/* One number from a "Key:   value kB" line of a /proc/PID file (status,
 * smaps_rollup): how the platform reads an instance's peak memory and archbench a
 * process's PSS. */
#ifndef PROCFS_H
#define PROCFS_H

#include <stdint.h>
#include <sys/types.h>

/* The value after `key` ("VmHWM:", "Pss:") at the start of a line of
 * /proc/PID/FILE, in the file's unit (kB); 0 when the file or the key cannot be
 * read (the process has exited, or the kernel is too old to have the file). */
uint64_t procfs_kb(pid_t pid, const char *file, const char *key);

#endif
