/* Starting function instances, two ways:
 *  exec        posix_spawn of the function binary per cold start (what an
 *              unmodified bootstrap costs: exec, dynamic loading, init);
 *  fork-server one template process, started once with ZYGOTE_ENV, initialises
 *              and forks a pre-initialised child per cold start (zygote.h).
 * Both give faas a pidfd per instance, so the instance manager waits for exits
 * with poll(2) whoever the parent is. Memory limits are memlimit.h's. */
#ifndef ARCHBENCH_SPAWNER_H
#define ARCHBENCH_SPAWNER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum spawn_mode { SPAWN_EXEC, SPAWN_FORK_SERVER };

struct spawner;

/* A template gets this long to report ready before faas gives up. */
#define SPAWN_TEMPLATE_READY_S 10

/* envp: the environment every instance shares (NULL-terminated). In fork-server
 * mode the template is started here and must report ready within
 * SPAWN_TEMPLATE_READY_S (one that exits first is reported at once). */
struct spawner *spawner_open(enum spawn_mode mode, const char *function, char *const *envp,
                             char *err, size_t errlen);

/* Starts one instance with vars ("NAME=value", NULL-terminated: its own Runtime
 * API address and the others that differ per instance) added to the shared
 * environment. *own_child is true when faas is the parent (exec mode) and must
 * waitpid it. */
int spawner_spawn(struct spawner *s, char *const *vars, pid_t *pid, int *pidfd,
                  bool *own_child, char *err, size_t errlen);

/* The template's pidfd (fork-server mode), or -1. */
int spawner_template_pidfd(const struct spawner *s);

/* Ends the template (if any) and reaps it. */
void spawner_close(struct spawner *s);

#endif
