/* Test support: the microservices stack (auth-service, profile-service, gateway)
 * started as child processes on port 0 against a seeded dataset, and the seeded
 * tokens read back from tokens.tsv. */
#ifndef ARCHBENCH_TEST_STACK_H
#define ARCHBENCH_TEST_STACK_H

#include <stddef.h>

#include "proc.h"
#include "service_secret.h"

struct stack {
    struct proc auth, profile, gateway;
    char dir[256];
    char log[320];    /* the processes' stderr, appended */
    char secret[320]; /* the service secret's file, dir/service-secret */
    /* "X-Service-Secret: VALUE\r\n", for requests straight to a service. */
    char secret_header[SERVICE_SECRET_MAX + 32];
};

/* Starts auth-service and profile-service on dir's auth.db / profiles.db, then the
 * gateway in front of them with --timeout-ms timeout_ms and --threads threads, all
 * three with the service secret dir/service-secret (created when missing).
 * Returns 0, or -1 (whatever started is stopped again). */
int stack_start(struct stack *s, const char *dir, long timeout_ms, unsigned threads);

/* Starts (or restarts) only the gateway with the given upstream URLs and s's
 * service secret. */
int stack_start_gateway(struct stack *s, const char *auth_url, const char *profile_url,
                        long timeout_ms, unsigned threads);

/* Stops every process still running; returns the worst exit status (0 = all
 * stopped cleanly on SIGTERM). */
int stack_stop(struct stack *s);

/* A host name that resolves to 127.0.0.1, for upstream URLs given by name: this
 * machine's own name when it does (it goes through the system resolver, where
 * libcurl, say, would answer "localhost" itself), else "localhost". */
const char *stack_loopback_name(char *buf, size_t len);

enum stack_token_status { STACK_VALID, STACK_EXPIRED, STACK_REVOKED };

struct stack_token {
    long long user_id;
    char token[64];
    enum stack_token_status status;
};

/* Reads dir/tokens.tsv (header line, then user_id TAB token TAB status). Returns a
 * malloc'd array and its length in *n, or NULL. */
struct stack_token *stack_tokens(const char *dir, size_t *n);

/* The first token with the given status, or NULL. */
const struct stack_token *stack_token_with(const struct stack_token *t, size_t n,
                                           enum stack_token_status status);

#endif
