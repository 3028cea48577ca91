/* Starting function instances, two ways:
 *  exec        posix_spawn of the function binary per cold start (what an
 *              unmodified bootstrap costs: exec, dynamic loading, init);
 *  fork-server one template process, started once with ZYGOTE_ENV, initialises
 *              and forks a pre-initialised child per cold start (zygote.h).
 * Both give faas a pidfd per instance, so the instance manager waits for exits
 * with poll(2) whoever the parent is. Memory: RLIMIT_DATA (see faas --help). */
#ifndef ARCHBENCH_SPAWNER_H
#define ARCHBENCH_SPAWNER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum spawn_mode { SPAWN_EXEC, SPAWN_FORK_SERVER };

struct spawner;

/* envp: the instances' environment (NULL-terminated; AWS_LAMBDA_RUNTIME_API is
 * added per instance). memory_limit: bytes of RLIMIT_DATA, 0 for none. In
 * fork-server mode the template is started here and must report ready within 10 s. */
struct spawner *spawner_open(enum spawn_mode mode, const char *function, char *const *envp,
                             uint64_t memory_limit, char *err, size_t errlen);

/* Starts one instance whose Runtime API is runtime_api ("host:port/path").
 * *own_child is true when faas is the parent (exec mode) and must waitpid it. */
int spawner_spawn(struct spawner *s, const char *runtime_api, pid_t *pid, int *pidfd,
                  bool *own_child, char *err, size_t errlen);

/* The template's pidfd (fork-server mode), or -1. */
int spawner_template_pidfd(const struct spawner *s);

/* Ends the template (if any) and reaps it. */
void spawner_close(struct spawner *s);

#endif
