/* Logging to stderr for every archbench program: one line per event, prefixed
 * with a UTC timestamp, the program name and the level. Tokens are never logged. */
#ifndef ARCHBENCH_LOG_H
#define ARCHBENCH_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_init(const char *program, enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A budget of messages per second for what outsiders can trigger at will (bad
 * requests, refused connections), so that they cannot flood the log. */
struct log_budget {
    _Atomic long second;
    _Atomic int used;
};
#define LOG_BUDGET_PER_SECOND 5
/* Whether one more message fits this second's budget. */
_Bool log_budget_take(struct log_budget *b);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
