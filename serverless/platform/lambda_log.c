/* REPORT lines and the JSON-lines report log (see report.h). */
#include "lambda_log.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct lambda_log {
    int fd; /* -1: no report log */
};

struct lambda_log *lambda_log_open(const char *path, char *err, size_t errlen)
{
    struct lambda_log *r = calloc(1, sizeof *r);
    if (r == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->fd = -1;
    if (path != NULL) {
        r->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (r->fd < 0) {
            snprintf(err, errlen, "open %s: %s", path, strerror(errno));
            free(r);
            return NULL;
        }
    }
    return r;
}

void lambda_log_close(struct lambda_log *r)
{
    if (r == NULL)
        return;
    if (r->fd >= 0)
        close(r->fd);
    free(r);
}

unsigned long lambda_log_billed_ms(double duration_ms)
{
    double b = ceil(duration_ms);
    return b < 1 ? 1 : (unsigned long)b;
}

static void write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
}

void lambda_log_write(struct lambda_log *r, const struct lambda_log_entry *e)
{
    char line[512], init[64] = "", status[64] = "";
    if (e->init_ms >= 0)
        snprintf(init, sizeof init, " Init Duration: %.2f ms", e->init_ms);
    if (strcmp(e->status, "success") != 0)
        snprintf(status, sizeof status, " Status: %s", e->status);
    int n = snprintf(line, sizeof line,
                     "REPORT RequestId: %s Duration: %.2f ms Billed Duration: %lu ms "
                     "Memory Size: %u MB Max Memory Used: %u MB%s%s\n",
                     e->request_id, e->duration_ms, lambda_log_billed_ms(e->duration_ms),
                     e->memory_mb, e->max_memory_mb, init, status);
    if (n > 0)
        write_all(STDERR_FILENO, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    if (r == NULL || r->fd < 0)
        return;
    char initj[32] = "null";
    if (e->init_ms >= 0)
        snprintf(initj, sizeof initj, "%.3f", e->init_ms);
    n = snprintf(line, sizeof line,
                 "{\"requestId\":\"%s\",\"durationMs\":%.3f,\"billedDurationMs\":%lu,"
                 "\"memorySizeMb\":%u,\"maxMemoryUsedMb\":%u,\"initDurationMs\":%s,"
                 "\"status\":\"%s\",\"pid\":%d,\"instance\":\"%s\"}\n",
                 e->request_id, e->duration_ms, lambda_log_billed_ms(e->duration_ms),
                 e->memory_mb, e->max_memory_mb, initj, e->status, (int)e->pid,
                 e->instance);
    if (n > 0)
        write_all(r->fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}
