/* build/tests/fn-test: a Lambda custom-runtime bootstrap that misbehaves on
 * request, for faas's integration tests. The event's rawPath picks the behaviour:
 *   /pid           200, body = this instance's pid
 *   /echo          200, body = the event itself
 *   /sleep?ms=N    sleeps N ms, then like /pid
 *   /hang          never answers
 *   /crash         dies by SIGABRT mid-invocation
 *   /error         reports a handler error (.../error)
 *   /nostatus      returns {"hello":"world"} (no statusCode: AWS makes it a 200)
 *   /garbage       returns a result that is not JSON
 *   /binary        returns base64-encoded bytes
 *   /big?mb=N      returns an N MB body (over 6 MB the platform answers 413; the
 *                  function then reports Function.ResponseSizeTooLarge)
 *   /alloc?mb=N    allocates and touches N MB first, then like /pid
 *   /misuse        posts a response for an unknown request id, then its real
 *                  response (body: the status the unknown id got), then a second
 *                  response for the same id; /misuse-last returns that status
 *   /getenv?name=N the value of N in its environment, "(unset)" when none
 *   /environ       its whole environment, one NAME=value a line
 *   /reserve?mb=N  maps N MB of address space without touching it, then like /pid
 *   /big-raw?mb=N  posts an N MB response itself and returns nothing more: a
 *                  runtime that, like AWS's Node.js client, does not report a 413
 *   /hold?ms=N&idfile=F  writes its request id into F, sleeps N ms, then like /pid
 *   /thief-next?out=F    like /pid, and a child process that, once this instance
 *                  waits in /next again, calls /next itself on the same endpoint
 *                  and writes what it got into F ("STATUS\nBODY", -1: no answer)
 *   /steal?id=ID&api=HOST:PORT  posts a forged response for request ID to that
 *                  endpoint (another instance's) and to its own; the body is
 *                  "other=S own=S" (-1: refused or no answer)
 *   /stall         answers, then never asks for another invocation
 *   /trace         200, body = the Lambda-Runtime-Trace-Id it was given
 *   /result        returns the request's body, verbatim, as its result
 *   /hold-memory?mb=N&then=crash|hang  touches N MB and keeps it, then dies by
 *                  SIGABRT or never answers
 * FN_TEST_INIT_ERROR=1 in the environment makes init fail (POST /init/error). */
#include <jansson.h>
#include <signal.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apigw.h"
#include "httpc.h"
#include "log.h"
#include "runtime.h"
#include "zygote.h"

static long last_misuse_status;

static char *text_result(unsigned status, const char *body, size_t blen, size_t *len)
{
    static const struct apigw_header h[] = {{"content-type", "text/plain"}};
    return apigw_result_render(status, h, 1, body, blen, len);
}

static char *pid_result(size_t *len)
{
    char body[32];
    int n = snprintf(body, sizeof body, "%d", (int)getpid());
    return text_result(200, body, (size_t)n, len);
}

static long query_number(json_t *ev, const char *key, long fallback)
{
    json_t *params = json_object_get(ev, "queryStringParameters");
    const char *v = json_string_value(json_object_get(params, key));
    return v ? strtol(v, NULL, 10) : fallback;
}

static const char *query_text(json_t *ev, const char *key)
{
    json_t *params = json_object_get(ev, "queryStringParameters");
    const char *v = json_string_value(json_object_get(params, key));
    return v ? v : "";
}

/* The port and the path prefix (anything after host:port, "" on Lambda) of a
 * Runtime API address. */
static int api_port(const char *api, const char **prefix)
{
    const char *colon = strrchr(api, ':');
    char *end;
    long port = colon ? strtol(colon + 1, &end, 10) : 0;
    *prefix = colon ? end : "";
    return (int)port;
}

/* One raw HTTP call to a Runtime API address (httpc: no libcurl, so that it also
 * works in a forked child); the status, or -1 when refused, closed or timed out. */
static int raw_call(const char *api, const char *method, const char *path, const char *body,
                    struct http_response *out)
{
    const char *prefix;
    int port = api_port(api, &prefix);
    char target[512], headers[128] = "";
    snprintf(target, sizeof target, "%s/2018-06-01/runtime/%s", prefix, path);
    if (body != NULL)
        snprintf(headers, sizeof headers, "Content-Length: %zu\r\n", strlen(body));
    int fd = httpc_connect(port);
    if (fd < 0)
        return -1;
    char req[1024];
    int n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: x\r\n%s\r\n%s", method,
                     target, headers, body ? body : "");
    struct http_response r;
    int status = httpc_send(fd, req, (size_t)n) == 0 && httpc_read(fd, &r, false) == 0
                     ? r.status : -1;
    close(fd);
    if (status >= 0 && out != NULL)
        *out = r;
    else if (status >= 0)
        httpc_free(&r);
    return status;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
}

/* A child that tries to take this instance's next invocation from beside it. */
static void thief_next(const char *out)
{
    if (fork() != 0)
        return;
    struct timespec ts = {0, 200 * 1000 * 1000}; /* the parent is back in /next */
    nanosleep(&ts, NULL);
    struct http_response r;
    int status = raw_call(getenv("AWS_LAMBDA_RUNTIME_API"), "GET", "invocation/next", NULL, &r);
    char text[4096];
    snprintf(text, sizeof text, "%d\n%s", status, status >= 0 ? r.body : "");
    if (status >= 0)
        httpc_free(&r);
    write_file(out, text);
    _exit(0);
}

/* Forged responses for another instance's invocation. */
static char *steal(json_t *ev, size_t *len)
{
    static const char forged[] = "{\"statusCode\":200,\"body\":\"forged\"}";
    char path[160], body[64];
    snprintf(path, sizeof path, "invocation/%s/response", query_text(ev, "id"));
    int other = raw_call(query_text(ev, "api"), "POST", path, forged, NULL);
    int own = raw_call(getenv("AWS_LAMBDA_RUNTIME_API"), "POST", path, forged, NULL);
    int n = snprintf(body, sizeof body, "other=%d own=%d", other, own);
    return text_result(200, body, (size_t)n, len);
}

static char *environ_result(size_t *len)
{
    extern char **environ;
    size_t cap = 1;
    for (char **e = environ; *e != NULL; e++)
        cap += strlen(*e) + 1;
    char *all = calloc(1, cap), *p = all;
    for (char **e = environ; all != NULL && *e != NULL; e++)
        p += sprintf(p, "%s\n", *e);
    char *out = all ? text_result(200, all, (size_t)(p - all), len) : NULL;
    free(all);
    return out;
}

/* The behaviours added for the platform's hardening; NULL when path is none. */
static char *handle_more(struct runtime *rt, const struct runtime_invocation *inv,
                         const char *path, json_t *ev, size_t *len, int *answered)
{
    char err[256];
    if (strcmp(path, "/environ") == 0)
        return environ_result(len);
    if (strcmp(path, "/reserve") == 0) {
        size_t n = (size_t)query_number(ev, "mb", 1) << 20;
        void *m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return text_result(500, "mmap failed", 11, len);
        munmap(m, n);
        return pid_result(len);
    }
    if (strcmp(path, "/big-raw") == 0) {
        size_t n = (size_t)query_number(ev, "mb", 7) << 20;
        char *body = malloc(n);
        if (body != NULL) {
            memset(body, 'x', n);
            runtime_respond(rt, inv->request_id, body, n, err, sizeof err);
            free(body);
        }
        *answered = 1;
        return NULL;
    }
    if (strcmp(path, "/hold") == 0) {
        write_file(query_text(ev, "idfile"), inv->request_id);
        long ms = query_number(ev, "ms", 10);
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
        nanosleep(&ts, NULL);
        return pid_result(len);
    }
    if (strcmp(path, "/thief-next") == 0) {
        thief_next(query_text(ev, "out"));
        return pid_result(len);
    }
    if (strcmp(path, "/steal") == 0)
        return steal(ev, len);
    if (strcmp(path, "/trace") == 0)
        return text_result(200, inv->trace_id, strlen(inv->trace_id), len);
    if (strcmp(path, "/result") == 0) {
        const char *body = json_string_value(json_object_get(ev, "body"));
        *len = body ? strlen(body) : 0;
        return strdup(body ? body : "");
    }
    if (strcmp(path, "/stall") == 0 || strcmp(path, "/hold-memory") == 0) {
        if (path[1] == 's') {
            char *r = pid_result(len);
            runtime_respond(rt, inv->request_id, r, *len, err, sizeof err);
            free(r);
        } else {
            size_t n = (size_t)query_number(ev, "mb", 1) << 20;
            volatile char *mem = malloc(n);
            for (size_t i = 0; mem != NULL && i < n; i += 4096)
                mem[i] = 1;
            if (strcmp(query_text(ev, "then"), "crash") == 0)
                abort();
        }
        for (;;)
            pause();
    }
    return NULL;
}

/* Returns 1 when the invocation was answered here already. */
static int handle(struct runtime *rt, const struct runtime_invocation *inv, char **out,
                  size_t *len)
{
    char err[256];
    json_t *ev = json_loadb(inv->event, inv->event_len, 0, NULL);
    const char *path = json_string_value(json_object_get(ev, "rawPath"));
    path = path ? path : "";
    *out = NULL;
    if (strcmp(path, "/pid") == 0) {
        *out = pid_result(len);
    } else if (strcmp(path, "/getenv") == 0) {
        json_t *params = json_object_get(ev, "queryStringParameters");
        const char *name = json_string_value(json_object_get(params, "name"));
        const char *value = name ? getenv(name) : NULL;
        value = value ? value : "(unset)";
        *out = text_result(200, value, strlen(value), len);
    } else if (strcmp(path, "/echo") == 0) {
        *out = text_result(200, inv->event, inv->event_len, len);
    } else if (strcmp(path, "/sleep") == 0) {
        long ms = query_number(ev, "ms", 10);
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
        nanosleep(&ts, NULL);
        *out = pid_result(len);
    } else if (strcmp(path, "/hang") == 0) {
        for (;;)
            pause();
    } else if (strcmp(path, "/crash") == 0) {
        abort(); /* SIGABRT: sanitizer builds do not intercept it */
    } else if (strcmp(path, "/error") == 0) {
        runtime_fail(rt, inv->request_id, "Test.Failure", "failed on purpose", err, sizeof err);
        json_decref(ev);
        return 1;
    } else if (strcmp(path, "/nostatus") == 0) {
        *out = strdup("{\"hello\":\"world\"}");
        *len = strlen(*out);
    } else if (strcmp(path, "/garbage") == 0) {
        *out = strdup("this is not JSON");
        *len = strlen(*out);
    } else if (strcmp(path, "/binary") == 0) {
        *out = strdup("{\"statusCode\":201,\"headers\":{\"content-type\":"
                      "\"application/octet-stream\"},\"cookies\":[\"a=1\",\"b=2\"],"
                      "\"body\":\"AAEC/w==\",\"isBase64Encoded\":true}");
        *len = strlen(*out);
    } else if (strcmp(path, "/big") == 0) {
        size_t n = (size_t)query_number(ev, "mb", 7) << 20;
        char *body = malloc(n);
        if (body) {
            memset(body, 'x', n);
            *out = text_result(200, body, n, len);
            free(body);
        }
    } else if (strcmp(path, "/alloc") == 0) {
        size_t n = (size_t)query_number(ev, "mb", 1) << 20;
        char *mem = malloc(n);
        if (mem == NULL) {
            runtime_fail(rt, inv->request_id, "Runtime.OutOfMemory", "malloc failed", err,
                         sizeof err);
            json_decref(ev);
            return 1;
        }
        /* Touch every page through a volatile pointer: a memset of memory that is
         * freed right after may be optimised away. */
        volatile char *touch = mem;
        for (size_t i = 0; i < n; i += 4096)
            touch[i] = 1;
        free(mem);
        *out = pid_result(len);
    } else if (strcmp(path, "/misuse") == 0) {
        static const char r[] = "{\"statusCode\":200,\"body\":\"x\"}";
        long unknown = runtime_respond(rt, "no-such-request-id", r, sizeof r - 1, err,
                                       sizeof err);
        char body[32];
        int n = snprintf(body, sizeof body, "%ld", unknown);
        size_t rlen;
        char *res = text_result(200, body, (size_t)n, &rlen);
        runtime_respond(rt, inv->request_id, res, rlen, err, sizeof err);
        last_misuse_status = runtime_respond(rt, inv->request_id, res, rlen, err, sizeof err);
        free(res);
        json_decref(ev);
        return 1;
    } else if (strcmp(path, "/misuse-last") == 0) {
        char body[32];
        int n = snprintf(body, sizeof body, "%ld", last_misuse_status);
        *out = text_result(200, body, (size_t)n, len);
    } else {
        int answered = 0;
        *out = handle_more(rt, inv, path, ev, len, &answered);
        if (answered) {
            json_decref(ev);
            return 1;
        }
        if (*out == NULL)
            *out = text_result(404, "no such test", 12, len);
    }
    json_decref(ev);
    return 0;
}

int main(void)
{
    log_init("fn-test", LOG_INFO);
    bool init_error = getenv("FN_TEST_INIT_ERROR") != NULL;
    runtime_global_init();
    zygote_serve();
    char err[512];
    struct runtime *rt = runtime_open(err, sizeof err);
    if (rt == NULL) {
        log_error("%s", err);
        return 1;
    }
    if (init_error) {
        runtime_init_error(rt, "Test.InitFailure", "init failed on purpose", err, sizeof err);
        runtime_close(rt);
        return 1;
    }
    for (;;) {
        struct runtime_invocation inv;
        if (runtime_next(rt, &inv, err, sizeof err) != 0)
            break;
        char *out;
        size_t len;
        if (handle(rt, &inv, &out, &len) == 1)
            continue;
        if (out == NULL) {
            runtime_fail(rt, inv.request_id, "Runtime.OutOfMemory", "no result", err,
                         sizeof err);
            continue;
        }
        long status = runtime_respond(rt, inv.request_id, out, len, err, sizeof err);
        free(out);
        /* 413, or a reset while the refused body was still being sent. */
        if (status == 413 || status < 0)
            runtime_fail(rt, inv.request_id, "Function.ResponseSizeTooLarge",
                         "response payload exceeds 6 MB", err, sizeof err);
    }
    runtime_close(rt);
    return 1;
}
