/* The endpoint's exchange, recorded for the report (see exchange.h). */
#include "exchange.h"

#include <stdio.h>

#include "httpc.h"

/* {"status", "content_type", "body"} of r, plus www_authenticate when it has one. */
static json_t *answer_json(const struct http_response *r)
{
    char type[128] = "", challenge[256];
    httpc_header(r, "Content-Type", type, sizeof type);
    json_t *o = json_pack("{s:i, s:s, s:s%}", "status", r->status, "content_type", type, "body",
                          r->body, r->body_len);
    if (httpc_header(r, "WWW-Authenticate", challenge, sizeof challenge))
        json_object_set_new(o, "www_authenticate", json_string(challenge));
    return o;
}

json_t *exchange_record(const char *address, const char *token)
{
    char auth[160];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", token);
    struct http_response ok, denied;
    if (httpc_request_addr(address, "GET", "/profile", auth, &ok) != 0)
        return NULL;
    if (httpc_request_addr(address, "GET", "/profile", NULL, &denied) != 0) {
        httpc_free(&ok);
        return NULL;
    }
    char url[128];
    snprintf(url, sizeof url, "http://%s/profile", address);
    json_t *o = answer_json(&ok);
    json_object_set_new(o, "url", json_string(url));
    json_object_set_new(o, "token", json_string(token));
    json_object_set_new(o, "unauthorized", answer_json(&denied));
    httpc_free(&ok);
    httpc_free(&denied);
    return o;
}
