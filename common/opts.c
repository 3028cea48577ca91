/* Command-line helpers shared by every program. */
#include "opts.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

bool opts_parse_u64(const char *s, uint64_t min, uint64_t max, bool suffixes,
                    uint64_t *out)
{
    if (s == NULL || !isdigit((unsigned char)s[0]))
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0)
        return false;
    if (suffixes && *end != '\0' && end[1] == '\0') {
        unsigned long long mul;
        switch (*end) {
        case 'k': case 'K': mul = 1000ULL; break;
        case 'm': case 'M': mul = 1000ULL * 1000; break;
        case 'g': case 'G': mul = 1000ULL * 1000 * 1000; break;
        default: return false;
        }
        if (v > UINT64_MAX / mul)
            return false;
        v *= mul;
        end++;
    }
    if (*end != '\0' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool opts_parse_unsigned(const char *s, unsigned min, unsigned max, unsigned *out)
{
    uint64_t v;
    if (!opts_parse_u64(s, min, max, false, &v))
        return false;
    *out = (unsigned)v;
    return true;
}

bool opts_parse_duration_ms(const char *s, uint64_t *ms)
{
    if (s == NULL || !isdigit((unsigned char)s[0]))
        return false;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (errno != 0 || v < 0)
        return false;
    double mul;
    if (*end == '\0' || strcmp(end, "s") == 0)
        mul = 1000;
    else if (strcmp(end, "ms") == 0)
        mul = 1;
    else if (strcmp(end, "m") == 0)
        mul = 60 * 1000;
    else if (strcmp(end, "h") == 0)
        mul = 3600 * 1000;
    else
        return false;
    double r = v * mul;
    if (r > 1e15)
        return false;
    *ms = (uint64_t)(r + 0.5);
    return true;
}

void opts_usage_error(const char *program, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", program);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help'.\n", program);
    exit(2);
}

void opts_unknown(const char *program, char *const argv[])
{
    opts_usage_error(program, "unknown option or missing value: '%s'", argv[optind - 1]);
}

/* The libraries' version functions are weak references: each program links only
 * the libraries it uses, and --version names those (a library not linked leaves
 * its function NULL instead of pulling it in). */
#pragma weak MHD_get_version
#pragma weak curl_version_info
#pragma weak sqlite3_libversion
#pragma weak jansson_version_str
#pragma weak OpenSSL_version

void opts_print_version(const char *program)
{
    printf("%s (archbench) %s\n", program, ARCHBENCH_VERSION);
    const char *sep = "";
    if (MHD_get_version) {
        printf("%slibmicrohttpd %s", sep, MHD_get_version());
        sep = ", ";
    }
    if (curl_version_info) {
        printf("%slibcurl %s", sep, curl_version_info(CURLVERSION_NOW)->version);
        sep = ", ";
    }
    if (sqlite3_libversion) {
        printf("%ssqlite %s", sep, sqlite3_libversion());
        sep = ", ";
    }
    if (jansson_version_str) {
        printf("%sjansson %s", sep, jansson_version_str());
        sep = ", ";
    }
    if (OpenSSL_version)
        printf("%s%s", sep, OpenSSL_version(OPENSSL_VERSION));
    printf("\n");
}
