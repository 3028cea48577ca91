/* Command-line helpers shared by every program: number and duration parsing with
 * unit suffixes, the usage-error exit (code 2) and --version. */
#ifndef ARCHBENCH_OPTS_H
#define ARCHBENCH_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#define ARCHBENCH_VERSION "0.1.0"

/* Parses a decimal integer in [min, max]; accepts a k/m/g suffix (x1000) when
 * suffixes is true. Returns false on anything else. */
bool opts_parse_u64(const char *s, uint64_t min, uint64_t max, bool suffixes,
                    uint64_t *out);
bool opts_parse_unsigned(const char *s, unsigned min, unsigned max, unsigned *out);

/* Parses a duration ("250ms", "10s", "2m", "1h"; a bare number is seconds) into
 * milliseconds. */
bool opts_parse_duration_ms(const char *s, uint64_t *ms);

/* Prints "PROGRAM: message" and "Try 'PROGRAM --help'." on stderr and exits 2. */
_Noreturn void opts_usage_error(const char *program, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* For getopt_long's '?' (run with opterr = 0, so getopt prints nothing): one line
 * naming the unknown option or the option missing its value, then exit 2. */
_Noreturn void opts_unknown(const char *program, char *const argv[]);

/* Prints "PROGRAM (archbench) VERSION" and the versions of the libraries the
 * program is linked with. */
void opts_print_version(const char *program);

#endif
