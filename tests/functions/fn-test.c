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
 * FN_TEST_INIT_ERROR=1 in the environment makes init fail (POST /init/error). */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apigw.h"
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
