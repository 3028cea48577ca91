/* RFC 9457 problem+json rendering. "type" is always about:blank: the HTTP status
 * says everything a client needs, and "title" is then its reason phrase (§4.2.1). */
#include "problem.h"

#include <jansson.h>
#include <string.h>

const char *problem_title(unsigned status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Error";
    }
}

char *problem_render(unsigned status, const char *detail, size_t *len)
{
    json_t *o = json_pack("{s:s, s:s, s:i, s:s}", "type", "about:blank", "title",
                          problem_title(status), "status", (int)status, "detail",
                          detail);
    if (o == NULL)
        return NULL;
    char *out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (out != NULL)
        *len = strlen(out);
    return out;
}
