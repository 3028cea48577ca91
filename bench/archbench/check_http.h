/* archbench check's requests and the shapes an answer must have: a 200 with a
 * user's exact body, an RFC 9457 problem, a 401 with a Bearer challenge. Each
 * expect_ function returns true, or false with "expected ..., got ..." in msg,
 * showing what came back as one printable UTF-8 line. check_cases.c builds the
 * cases from these. */
#ifndef ARCHBENCH_CHECK_HTTP_H
#define ARCHBENCH_CHECK_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "check.h"
#include "httpc.h"

/* Up to max bytes of s as one printable line (\n, \t, \xNN for control
 * characters and bytes that are not UTF-8; "…" when cut). */
void check_show(const char *s, size_t n, size_t max, char *out, size_t outlen);

/* "401 application/problem+json {"type":…" */
void check_describe(const struct http_response *r, char *out, size_t len);

/* "expected WHAT, got no answer (...)"; returns false. */
bool check_no_answer(char *msg, size_t len, const char *what);

/* Sends all of req, ignoring a reset while sending (the answer is read next). */
void check_send_all(int fd, const char *req, size_t len);

/* Reads one answer on fd into r, noting in c the first 5xx other than 501 (what
 * names the request). 0, or -1 when none came. */
int check_read_answer(struct check_ctx *c, int fd, const char *what, bool head,
                      struct http_response *r);

/* req as given, on a new connection to c's server. */
int check_send_raw(struct check_ctx *c, const char *req, size_t len, const char *what, bool head,
                   struct http_response *r);

/* "METHOD PREFIX+target HTTP/1.1", Host, then the header lines given (each ending
 * in CRLF; NULL for none), on a new connection. */
int check_request(struct check_ctx *c, const char *method, const char *target,
                  const char *headers, struct http_response *r);

/* "Authorization: Bearer TOKEN\r\n" */
void check_bearer(char *out, size_t len, const char *token);

/* value is the media type `type` (case-insensitive), with no parameter but
 * charset=utf-8. */
bool check_media_type_is(const char *value, const char *type);

bool check_expect_profile(const struct http_response *r, const struct check_user *u, char *msg,
                          size_t len);
bool check_expect_problem(const struct http_response *r, int status, char *msg, size_t len);
bool check_expect_unauthorized(const struct http_response *r, char *msg, size_t len);

/* GET /profile with these header lines must get a 401 (what names the attempt). */
bool check_unauthorized_with(struct check_ctx *c, const char *headers, const char *what,
                             char *msg, size_t len);

/* GET target with auth and extra header lines must get user u's profile. */
bool check_profile_with(struct check_ctx *c, const char *target, const struct check_user *u,
                        const char *auth, const char *extra, char *msg, size_t len);

#endif
