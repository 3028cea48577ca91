/* RFC 9457 problem details, the body of every error response:
 * {"type":"about:blank","title":"Unauthorized","status":401,"detail":"..."} */
#ifndef ARCHBENCH_PROBLEM_H
#define ARCHBENCH_PROBLEM_H

#include <stddef.h>

#define PROBLEM_CONTENT_TYPE "application/problem+json"

/* The reason phrase used as "title" for status (e.g. 401 -> "Unauthorized"). */
const char *problem_title(unsigned status);

/* Renders the problem body, compact, fields in the order above. Returns a malloc'd
 * buffer and its length, or NULL when memory ran out. */
char *problem_render(unsigned status, const char *detail, size_t *len);

#endif
