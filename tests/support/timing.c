/* Test support: Server-Timing checks (see timing.h). */
#include "timing.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "server_timing.h"

/* How many Server-Timing field lines r's head has. */
static unsigned count_lines(const char *head)
{
    unsigned n = 0;
    for (const char *p = head; (p = strchr(p, '\n')) != NULL; p++)
        if (strncasecmp(p + 1, "Server-Timing:", 14) == 0)
            n++;
    return n;
}

/* "D.DDD": digits, a dot, exactly three decimals. */
static bool is_ms(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == 0 || i + 4 != n || s[i] != '.')
        return false;
    for (i++; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

const char *timing_expect(const struct http_response *r, const char *const names[])
{
    static char why[3072];
    char v[2048];
    unsigned lines = count_lines(r->head);
    if (lines != 1 || !httpc_header(r, "Server-Timing", v, sizeof v)) {
        snprintf(why, sizeof why, "%u header lines, not one", lines);
        return why;
    }
    size_t last = 0;
    while (names[last] != NULL && names[last + 1] != NULL)
        last++;
    uint64_t total = 0;
    if (names[0] == NULL || strcmp(names[last], "total") != 0) {
        snprintf(why, sizeof why, "the test's names do not end with total");
        return why;
    }
    if (!server_timing_find(v, "total", &total)) {
        snprintf(why, sizeof why, "no total in '%s'", v);
        return why;
    }
    const char *p = v;
    for (size_t i = 0; names[i] != NULL; i++) {
        const char *end = strstr(p, ", ");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        size_t k = strlen(names[i]);
        uint64_t ns = 0;
        if (n < k + 5 || memcmp(p, names[i], k) != 0 || memcmp(p + k, ";dur=", 5) != 0 ||
            !is_ms(p + k + 5, n - k - 5)) {
            snprintf(why, sizeof why, "entry %zu is not %s;dur=D.DDD in '%s'", i, names[i], v);
            return why;
        }
        char one[64];
        snprintf(one, sizeof one, "%.*s", (int)n, p);
        server_timing_find(one, names[i], &ns);
        if (ns > total) {
            snprintf(why, sizeof why, "%s is longer than total in '%s'", names[i], v);
            return why;
        }
        if ((end == NULL) != (names[i + 1] == NULL)) {
            snprintf(why, sizeof why, "'%s' does not have exactly the expected entries", v);
            return why;
        }
        p = end ? end + 2 : p + n;
    }
    return NULL;
}

double timing_ms(const struct http_response *r, const char *name)
{
    char v[2048];
    uint64_t ns;
    if (!httpc_header(r, "Server-Timing", v, sizeof v) || !server_timing_find(v, name, &ns))
        return -1;
    return (double)ns / 1e6;
}
