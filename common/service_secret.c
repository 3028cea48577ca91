/* The service credential (see service_secret.h). */
#include "service_secret.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "opts.h"

bool service_secret_load(const char *path, struct service_secret *s, char *err,
                         size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
        return false;
    }
    char buf[SERVICE_SECRET_MAX + 64];
    size_t n = fread(buf, 1, sizeof buf, f);
    bool more = fgetc(f) != EOF;
    if (ferror(f)) { /* a directory opens, then reads fail (EISDIR) */
        snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
        fclose(f);
        return false;
    }
    fclose(f);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ' ||
                     buf[n - 1] == '\t'))
        n--;
    if (more || n > SERVICE_SECRET_MAX || n < SERVICE_SECRET_MIN) {
        snprintf(err, errlen, "'%s': a service secret has %d to %d characters", path,
                 SERVICE_SECRET_MIN, SERVICE_SECRET_MAX);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        if (buf[i] <= ' ' || buf[i] > '~') {
            snprintf(err, errlen, "'%s': a service secret is printable ASCII without spaces",
                     path);
            return false;
        }
    memcpy(s->value, buf, n);
    s->value[n] = '\0';
    s->len = n;
    SHA256((const unsigned char *)s->value, n, s->hash);
    return true;
}

const struct service_secret *service_secret_option(const char *program, const char *path,
                                                   bool insecure, struct service_secret *s)
{
    char err[512];
    if (path != NULL && insecure)
        opts_usage_error(program, "--service-secret and --insecure-no-service-secret "
                                  "exclude each other");
    if (path == NULL && !insecure)
        opts_usage_error(program, "--service-secret FILE is required (or "
                                  "--insecure-no-service-secret on a trusted host)");
    if (path == NULL)
        return NULL;
    if (!service_secret_load(path, s, err, sizeof err))
        opts_usage_error(program, "--service-secret: %s", err);
    return s;
}

bool service_secret_matches(const struct service_secret *s, const char *presented)
{
    if (presented == NULL)
        return false;
    unsigned char h[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)presented, strlen(presented), h);
    return CRYPTO_memcmp(h, s->hash, sizeof h) == 0;
}

bool service_secret_ensure(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST)
        return true;
    if (fd < 0) {
        snprintf(err, errlen, "cannot create '%s': %s", path, strerror(errno));
        return false;
    }
    unsigned char raw[32];
    char text[2 * sizeof raw + 1];
    bool ok = RAND_bytes(raw, sizeof raw) == 1;
    for (size_t i = 0; ok && i < sizeof raw; i++)
        snprintf(text + 2 * i, 3, "%02x", raw[i]);
    text[2 * sizeof raw] = '\n';
    ok = ok && write(fd, text, sizeof text) == (ssize_t)sizeof text;
    if (close(fd) != 0 || !ok) {
        snprintf(err, errlen, "cannot write '%s'", path);
        unlink(path);
        return false;
    }
    return true;
}
