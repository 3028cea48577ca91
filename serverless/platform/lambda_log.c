/* REPORT lines and the JSON-lines report log (see report.h). */
#include "lambda_log.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
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

unsigned long lambda_log_billed_ms(double duration_ms, double init_ms)
{
    double b = ceil(duration_ms + (init_ms > 0 ? init_ms : 0));
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

void lambda_log_start(struct lambda_log *r, const char *request_id)
{
    /* Once per invocation on the warm path: put together without printf. */
    (void)r;
    static const char head[] = "START RequestId: ", tail[] = " Version: $LATEST\n";
    char line[160];
    size_t id = strnlen(request_id, 64), n = 0;
    memcpy(line, head, sizeof head - 1);
    n += sizeof head - 1;
    memcpy(line + n, request_id, id);
    n += id;
    memcpy(line + n, tail, sizeof tail - 1);
    n += sizeof tail - 1;
    write_all(STDERR_FILENO, line, n);
}

/* An error type comes from the function (a header, a JSON field): only letters,
 * digits and ._:- are kept (others become '_'), so the log lines and the JSON
 * record stay well-formed whatever it sent. */
static const char *clean_type(const char *type, char out[64])
{
    if (type == NULL)
        return NULL;
    size_t n = 0;
    for (; type[n] != '\0' && n < 63; n++) {
        char c = type[n];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == ':' || c == '-';
        out[n] = ok ? c : '_';
    }
    out[n] = '\0';
    return out;
}

/* END and REPORT, one write. */
static void write_text(const struct lambda_log_entry *e)
{
    char line[640], init[64] = "", status[128] = "";
    if (e->init_ms >= 0)
        snprintf(init, sizeof init, "Init Duration: %.2f ms\t", e->init_ms);
    if (strcmp(e->status, "timeout") == 0)
        snprintf(status, sizeof status, "Status: timeout\t");
    else if (strcmp(e->status, "success") != 0)
        snprintf(status, sizeof status, "Status: error\t%s%s%s",
                 e->error_type ? "Error Type: " : "", e->error_type ? e->error_type : "",
                 e->error_type ? "\t" : "");
    int n = snprintf(line, sizeof line,
                     "END RequestId: %s\n"
                     "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %lu ms\t"
                     "Memory Size: %u MB\tMax Memory Used: %u MB\t%s%s\n",
                     e->request_id, e->request_id, e->duration_ms,
                     lambda_log_billed_ms(e->duration_ms, e->init_ms), e->memory_mb,
                     e->max_memory_mb, init, status);
    if (n > 0)
        write_all(STDERR_FILENO, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

void lambda_log_write(struct lambda_log *r, const struct lambda_log_entry *entry)
{
    char type[64];
    struct lambda_log_entry clean = *entry;
    clean.error_type = clean_type(entry->error_type, type);
    const struct lambda_log_entry *e = &clean;
    write_text(e);
    if (r == NULL || r->fd < 0)
        return;
    char line[640], initj[32] = "null", typej[96] = "null";
    if (e->init_ms >= 0)
        snprintf(initj, sizeof initj, "%.3f", e->init_ms);
    if (e->error_type != NULL)
        snprintf(typej, sizeof typej, "\"%s\"", e->error_type);
    int n = snprintf(line, sizeof line,
                     "{\"requestId\":\"%s\",\"durationMs\":%.3f,\"billedDurationMs\":%lu,"
                     "\"memorySizeMb\":%u,\"maxMemoryUsedMb\":%u,\"initDurationMs\":%s,"
                     "\"status\":\"%s\",\"errorType\":%s,\"pid\":%d,\"instance\":\"%s\"}\n",
                     e->request_id, e->duration_ms,
                     lambda_log_billed_ms(e->duration_ms, e->init_ms), e->memory_mb,
                     e->max_memory_mb, initj, e->status, typej, (int)e->pid, e->instance);
    if (n > 0)
        write_all(r->fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}
