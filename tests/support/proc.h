/* Test support: start archbench programs as child processes and stop them.
 * Servers are started on port 0; the port is read from their first stdout line
 * ("listening on HOST:PORT"), so tests never race for ports. */
#ifndef ARCHBENCH_TEST_PROC_H
#define ARCHBENCH_TEST_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct proc {
    pid_t pid;
    int port;            /* from "listening on", or 0 */
    char address[64];    /* "127.0.0.1:PORT" */
    int metrics_port;    /* from a "metrics on HOST:PORT" second line, or 0 */
};

/* Path of an archbench binary: $ARCHBENCH_BIN/name (default bin/name). */
const char *proc_bin(const char *name, char *buf, unsigned len);

/* Starts argv[0] (a path) with argv; stderr goes to stderr_path, or when NULL to
 * $ARCHBENCH_TEST_LOGS/<program>.log if that is set, else it is inherited. Waits up to 10 s for the "listening on" line. Returns 0 or -1. */
int proc_start_server(struct proc *p, char *const argv[], const char *stderr_path);

/* Runs argv to completion with stdout/stderr discarded; returns the exit status,
 * or -1 when it did not exit normally. argv[0] without a '/' is looked up on PATH. */
int proc_run(char *const argv[]);

/* The same with stderr shown (inherited): for tools whose complaints explain a
 * failed test. */
int proc_run_shown(char *const argv[]);

/* Runs argv to completion (argv[0] a path), its stdout and stderr collected into
 * *out and *err (malloc'd, NUL-terminated; free() them). Returns the exit status,
 * or -1 when it did not exit normally. */
int proc_capture(char *const argv[], char **out, char **err);

/* SIGTERM, then SIGKILL after 5 s; returns the exit status (or 128+signal). */
int proc_stop(struct proc *p);

/* True while the process exists and is not a zombie. */
bool proc_alive(pid_t pid);

/* Creates a temporary directory with a seeded dataset of `users` users
 * (bin/archbench seed --seed 42); writes its path into dir. Returns 0 or -1. */
int proc_seed(char *dir, unsigned len, unsigned users);

/* The whole file at path, NUL-terminated (its length in *len when len is not
 * NULL), or NULL. free() it. */
char *proc_slurp(const char *path, size_t *len);

/* Removes a directory created by proc_seed. */
void proc_rmdir(const char *dir);

#endif
