/* Test support: the microservices stack (see stack.h). */
#include "stack.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int stack_start_gateway(struct stack *s, const char *auth_url, const char *profile_url,
                        long timeout_ms, unsigned threads)
{
    char bin[256], to[32], th[16];
    snprintf(to, sizeof to, "%ld", timeout_ms);
    snprintf(th, sizeof th, "%u", threads);
    char *argv[] = {(char *)proc_bin("gateway", bin, sizeof bin), "--listen", "127.0.0.1:0",
                    "--auth-url", (char *)auth_url, "--profile-url", (char *)profile_url,
                    "--timeout-ms", to, "--threads", th, "--service-secret", s->secret,
                    "--metrics-listen", "127.0.0.1:0", NULL};
    return proc_start_server(&s->gateway, argv, s->log);
}

int stack_start(struct stack *s, const char *dir, long timeout_ms, unsigned threads)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    snprintf(s->log, sizeof s->log, "%s/stack.log", dir);
    snprintf(s->secret, sizeof s->secret, "%s/service-secret", dir);
    char bin[256], db[320], err[512];
    struct service_secret secret;
    if (!service_secret_ensure(s->secret, err, sizeof err) ||
        !service_secret_load(s->secret, &secret, err, sizeof err)) {
        fprintf(stderr, "stack: %s\n", err);
        return -1;
    }
    snprintf(s->secret_header, sizeof s->secret_header, SERVICE_SECRET_HEADER ": %s\r\n",
             secret.value);
    snprintf(db, sizeof db, "%s/auth.db", dir);
    char *auth[] = {(char *)proc_bin("auth-service", bin, sizeof bin), "--listen",
                    "127.0.0.1:0", "--db", db, "--threads", "1", "--service-secret",
                    s->secret, NULL};
    if (proc_start_server(&s->auth, auth, s->log) != 0)
        return -1;
    snprintf(db, sizeof db, "%s/profiles.db", dir);
    char *profile[] = {(char *)proc_bin("profile-service", bin, sizeof bin), "--listen",
                       "127.0.0.1:0", "--db", db, "--threads", "1", "--service-secret",
                       s->secret, NULL};
    if (proc_start_server(&s->profile, profile, s->log) != 0)
        goto fail;
    char auth_url[128], profile_url[128];
    snprintf(auth_url, sizeof auth_url, "http://%s", s->auth.address);
    snprintf(profile_url, sizeof profile_url, "http://%s", s->profile.address);
    if (stack_start_gateway(s, auth_url, profile_url, timeout_ms, threads) != 0)
        goto fail;
    return 0;
fail:
    stack_stop(s);
    return -1;
}

int stack_stop(struct stack *s)
{
    int worst = 0;
    struct proc *all[] = {&s->gateway, &s->auth, &s->profile};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (all[i]->pid <= 0)
            continue;
        int rc = proc_stop(all[i]);
        if (rc != 0 && worst == 0)
            worst = rc;
    }
    return worst;
}

struct stack_token *stack_tokens(const char *dir, size_t *n)
{
    char path[320];
    snprintf(path, sizeof path, "%s/tokens.tsv", dir);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    size_t cap = 256, len = 0;
    struct stack_token *t = malloc(cap * sizeof *t);
    char line[256];
    if (t == NULL || fgets(line, sizeof line, f) == NULL) { /* header */
        free(t);
        fclose(f);
        return NULL;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        char status[16];
        struct stack_token tok;
        if (sscanf(line, "%lld\t%63s\t%15s", &tok.user_id, tok.token, status) != 3)
            continue;
        tok.status = strcmp(status, "valid") == 0     ? STACK_VALID
                     : strcmp(status, "expired") == 0 ? STACK_EXPIRED
                                                      : STACK_REVOKED;
        if (len == cap) {
            cap *= 2;
            struct stack_token *nt = realloc(t, cap * sizeof *t);
            if (nt == NULL)
                break;
            t = nt;
        }
        t[len++] = tok;
    }
    fclose(f);
    *n = len;
    return t;
}

const struct stack_token *stack_token_with(const struct stack_token *t, size_t n,
                                           enum stack_token_status status)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].status == status)
            return &t[i];
    return NULL;
}

const char *stack_loopback_name(char *buf, size_t len)
{
    if (gethostname(buf, len) != 0)
        return "localhost";
    buf[len - 1] = '\0';
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *ai;
    if (getaddrinfo(buf, NULL, &hints, &ai) != 0)
        return "localhost";
    bool loopback = ((struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr ==
                    htonl(INADDR_LOOPBACK);
    freeaddrinfo(ai);
    return loopback ? buf : "localhost";
}
