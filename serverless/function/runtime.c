/* AWS Lambda Runtime API client (see runtime.h). */
#include "runtime.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"

#define RUNTIME_PREFIX "/2018-06-01/runtime"

/* libcurl parses a URL given as a string again on every transfer, and that was
 * ~30,000 of an invocation's instructions (callgrind, bench/peers/
 * function-instructions.sh): the URLs are given pre-parsed instead
 * (CURLOPT_CURLU), /next's once, and for posts only the path changes. The string
 * goes along as CURLOPT_URL too (a copy, no parse): libcurl 7.88 keeps it for its
 * messages and follow-ups, and without it names the first call's URL when it
 * sends a request again on a fresh connection (the request itself goes to the
 * right place; tests/unit/test_runtime.c). */
struct runtime {
    CURL *curl;
    char base[512];          /* "http://" AWS_LAMBDA_RUNTIME_API RUNTIME_PREFIX */
    char next_url[560];      /* base + "/invocation/next", built once */
    char base_path[512];     /* base's path: RUNTIME_PREFIX, and any path before it */
    CURLU *next_u;           /* next_url, parsed once */
    CURLU *post_u;           /* base, whose path is set for each post */
    struct curl_slist *json_headers;
    char errbuf[CURL_ERROR_SIZE];
    /* The body of the last answer (the event for /next), grown as needed. */
    char *buf;
    size_t len, cap;
    struct runtime_invocation *inv; /* set during /next: headers go there */
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *cls)
{
    struct runtime *rt = cls;
    size_t n = size * nmemb;
    if (!buf_append(&rt->buf, &rt->len, &rt->cap, data, n, 4096))
        return 0; /* curl reports a write error */
    return n;
}

/* Copies the value of "Name: value\r\n" into out when line is header name. */
static bool header_value(const char *line, size_t n, const char *name, char *out,
                         size_t outlen)
{
    size_t nlen = strlen(name);
    if (n <= nlen || strncasecmp(line, name, nlen) != 0 || line[nlen] != ':')
        return false;
    const char *v = line + nlen + 1, *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    size_t vlen = (size_t)(end - v);
    if (vlen >= outlen)
        vlen = outlen - 1;
    memcpy(out, v, vlen);
    out[vlen] = '\0';
    return true;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *cls)
{
    struct runtime *rt = cls;
    size_t n = size * nmemb;
    struct runtime_invocation *inv = rt->inv;
    /* Only /next's Lambda-Runtime-* headers matter; the others are skipped on
     * their first letter. */
    if (inv == NULL || n == 0 || (data[0] != 'L' && data[0] != 'l'))
        return n;
    char deadline[32];
    if (header_value(data, n, "Lambda-Runtime-Aws-Request-Id", inv->request_id,
                     sizeof inv->request_id) ||
        header_value(data, n, "Lambda-Runtime-Invoked-Function-Arn", inv->function_arn,
                     sizeof inv->function_arn) ||
        header_value(data, n, "Lambda-Runtime-Trace-Id", inv->trace_id,
                     sizeof inv->trace_id))
        return n;
    if (header_value(data, n, "Lambda-Runtime-Deadline-Ms", deadline, sizeof deadline))
        inv->deadline_ms = strtoll(deadline, NULL, 10);
    return n;
}

static bool global_done;
/* A handle made during init, before AWS_LAMBDA_RUNTIME_API is known (a
 * fork-server template's children inherit it instead of each creating one). */
static CURL *prepared;

void runtime_global_init(void)
{
    if (!global_done) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        prepared = curl_easy_init();
    }
    global_done = true;
}

struct runtime *runtime_open(char *err, size_t errlen)
{
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (api == NULL || *api == '\0') {
        snprintf(err, errlen, "AWS_LAMBDA_RUNTIME_API is not set");
        return NULL;
    }
    struct runtime *rt = calloc(1, sizeof *rt);
    if (rt == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    int n = snprintf(rt->base, sizeof rt->base, "http://%s" RUNTIME_PREFIX, api);
    if (n >= 0 && (size_t)n < sizeof rt->base)
        n = snprintf(rt->next_url, sizeof rt->next_url, "%s/invocation/next", rt->base);
    if (n < 0 || (size_t)n >= sizeof rt->next_url) {
        snprintf(err, errlen, "AWS_LAMBDA_RUNTIME_API is too long");
        free(rt);
        return NULL;
    }
    runtime_global_init();
    rt->curl = prepared ? prepared : curl_easy_init();
    prepared = NULL;
    rt->next_u = curl_url();
    rt->post_u = curl_url();
    char *path = NULL;
    if (rt->next_u == NULL || rt->post_u == NULL ||
        curl_url_set(rt->next_u, CURLUPART_URL, rt->next_url, 0) != CURLUE_OK ||
        curl_url_set(rt->post_u, CURLUPART_URL, rt->base, 0) != CURLUE_OK ||
        curl_url_get(rt->post_u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
        snprintf(err, errlen, "AWS_LAMBDA_RUNTIME_API is not host:port: %s", api);
        runtime_close(rt);
        return NULL;
    }
    snprintf(rt->base_path, sizeof rt->base_path, "%s", path); /* no longer than base */
    curl_free(path);
    /* No "Expect: 100-continue" for large responses: the platform reads bodies
     * straight away, and the extra round trip only adds latency. */
    rt->json_headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (rt->json_headers)
        rt->json_headers = curl_slist_append(rt->json_headers, "Expect:");
    if (rt->curl == NULL || rt->json_headers == NULL) {
        snprintf(err, errlen, "cannot initialise libcurl");
        runtime_close(rt);
        return NULL;
    }
    curl_easy_setopt(rt->curl, CURLOPT_ERRORBUFFER, rt->errbuf);
    curl_easy_setopt(rt->curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(rt->curl, CURLOPT_WRITEDATA, rt);
    curl_easy_setopt(rt->curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(rt->curl, CURLOPT_HEADERDATA, rt);
    curl_easy_setopt(rt->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(rt->curl, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(rt->curl, CURLOPT_PROXY, ""); /* never via an http_proxy */
    /* No timeout on any call: /next blocks until an event arrives, as AWS says;
     * the platform answers the others at once. Set once, like everything above:
     * the handle keeps its options and its connection between calls. */
    curl_easy_setopt(rt->curl, CURLOPT_TIMEOUT_MS, 0L);
    return rt;
}

void runtime_close(struct runtime *rt)
{
    if (rt == NULL)
        return;
    if (rt->curl)
        curl_easy_cleanup(rt->curl);
    curl_url_cleanup(rt->next_u);
    curl_url_cleanup(rt->post_u);
    curl_slist_free_all(rt->json_headers);
    free(rt->buf);
    free(rt);
}

/* One call on the shared handle to u (url as a string, naming path in errors);
 * returns the HTTP status or -1. */
static long perform(struct runtime *rt, CURLU *u, const char *url, const char *path,
                    const char *body, size_t len, struct curl_slist *headers, char *err,
                    size_t errlen)
{
    rt->len = 0;
    rt->errbuf[0] = '\0';
    CURL *c = rt->curl;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CURLU, u);
    if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    }
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "%s: %s", path,
                 rt->errbuf[0] ? rt->errbuf : curl_easy_strerror(rc));
        return -1;
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

int runtime_next(struct runtime *rt, struct runtime_invocation *inv, char *err,
                 size_t errlen)
{
    memset(inv, 0, sizeof *inv);
    rt->inv = inv;
    long status = perform(rt, rt->next_u, rt->next_url, "/invocation/next", NULL, 0, NULL, err,
                          errlen);
    rt->inv = NULL;
    if (status < 0)
        return -1;
    if (status != 200) {
        snprintf(err, errlen, "/invocation/next: HTTP %ld", status);
        return -1;
    }
    if (inv->request_id[0] == '\0') {
        snprintf(err, errlen, "/invocation/next: no Lambda-Runtime-Aws-Request-Id");
        return -1;
    }
    on_body("", 1, 0, rt); /* an empty event still gets a NUL-terminated buffer */
    if (rt->buf == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    inv->event = rt->buf;
    inv->event_len = rt->len;
    return 0;
}

/* A post to base + path: sets the pre-parsed URL's path and the URL string. */
static long post(struct runtime *rt, const char *path, const char *body, size_t len,
                 struct curl_slist *headers, char *err, size_t errlen)
{
    char url[1024], full_path[768];
    int n = snprintf(url, sizeof url, "%s%s", rt->base, path);
    int m = snprintf(full_path, sizeof full_path, "%s%s", rt->base_path, path);
    if (n < 0 || (size_t)n >= sizeof url || m < 0 || (size_t)m >= sizeof full_path) {
        snprintf(err, errlen, "%s: URL too long", path);
        return -1;
    }
    if (curl_url_set(rt->post_u, CURLUPART_PATH, full_path, 0) != CURLUE_OK) {
        snprintf(err, errlen, "%s: cannot set the URL's path", path);
        return -1;
    }
    return perform(rt, rt->post_u, url, path, body, len, headers, err, errlen);
}

long runtime_respond(struct runtime *rt, const char *request_id, const char *body,
                     size_t len, char *err, size_t errlen)
{
    char path[256];
    snprintf(path, sizeof path, "/invocation/%s/response", request_id);
    return post(rt, path, body, len, rt->json_headers, err, errlen);
}

/* Posts AWS's error document with the error type also in the header. */
static long post_error(struct runtime *rt, const char *path, const char *error_type,
                       const char *message, char *err, size_t errlen)
{
    json_t *doc = json_pack("{s:s, s:s, s:[]}", "errorMessage", message, "errorType",
                            error_type, "stackTrace");
    char *body = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(doc);
    char type_header[256];
    snprintf(type_header, sizeof type_header, "Lambda-Runtime-Function-Error-Type: %s",
             error_type);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/vnd.aws.lambda.error+json");
    struct curl_slist *h2 = h ? curl_slist_append(h, type_header) : NULL;
    if (body == NULL || h2 == NULL) {
        free(body);
        curl_slist_free_all(h);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    long status = post(rt, path, body, strlen(body), h2, err, errlen);
    curl_slist_free_all(h2);
    free(body);
    return status;
}

long runtime_fail(struct runtime *rt, const char *request_id, const char *error_type,
                  const char *message, char *err, size_t errlen)
{
    char path[256];
    snprintf(path, sizeof path, "/invocation/%s/error", request_id);
    return post_error(rt, path, error_type, message, err, errlen);
}

long runtime_init_error(struct runtime *rt, const char *error_type, const char *message,
                        char *err, size_t errlen)
{
    return post_error(rt, "/init/error", error_type, message, err, errlen);
}
