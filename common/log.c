/* Logging to stderr. The whole line is formatted first and written with one
 * write(2), so lines from concurrent threads never interleave; a message is one
 * line whatever it quotes (control characters are escaped). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http_chars.h"

static const char *log_program = "archbench";
static enum log_level log_threshold = LOG_INFO;

void log_init(const char *program, enum log_level level)
{
    const char *slash = strrchr(program, '/');
    log_program = slash ? slash + 1 : program;
    log_threshold = level;
}

void log_set_level(enum log_level level) { log_threshold = level; }
enum log_level log_get_level(void) { return log_threshold; }

/* Copies msg into out (at most outlen bytes), control characters but HTAB written
 * as \n, \r or \xNN: messages quote what others sent (a function's errorType, a
 * URL), and a line break in them forged whole log lines (a function's errorType
 * "T\nREPORT RequestId: ..." came out as a REPORT line of its own). Returns the
 * bytes written; an escape that does not fit is left out whole. */
static size_t log_escape(char *out, size_t outlen, const char *msg, size_t mlen)
{
    size_t o = 0;
    for (size_t i = 0; i < mlen; i++) {
        unsigned char c = (unsigned char)msg[i];
        char esc[8];
        size_t k = 1;
        if (http_ctl(c))
            k = c == '\n' ? (size_t)snprintf(esc, sizeof esc, "\\n")
                : c == '\r' ? (size_t)snprintf(esc, sizeof esc, "\\r")
                             : (size_t)snprintf(esc, sizeof esc, "\\x%02x", c);
        else
            esc[0] = (char)c;
        if (o + k > outlen)
            break;
        memcpy(out + o, esc, k);
        o += k;
    }
    return o;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    static const char *names[] = {"error", "warning", "info", "debug"};
    if (level > log_threshold)
        return;

    char line[1024];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s: ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, log_program,
                     names[level]);
    if (n < 0)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t mlen = m < 0 ? 0 : (size_t)m < sizeof msg ? (size_t)m : sizeof msg - 1;
    size_t len = log_escape(line + n, sizeof line - (size_t)n - 1, msg, mlen) + (size_t)n;
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}

_Bool log_budget_take(struct log_budget *b)
{
    long now = (long)time(NULL);
    if (b->second != now) {
        b->second = now;
        b->used = 0;
    }
    return b->used++ < LOG_BUDGET_PER_SECOND;
}
