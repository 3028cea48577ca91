/* The service credential: a shared secret the gateway presents on every call to
 * auth-service and profile-service in its own header (X-Service-Secret), so that
 * the internal services answer only their gateway and not any process that can
 * reach their port. Read from a file (--service-secret FILE) at start-up; a
 * presented value is compared in constant time (SHA-256 of both, then
 * CRYPTO_memcmp), so the comparison leaks neither the secret nor its length. */
#ifndef ARCHBENCH_SERVICE_SECRET_H
#define ARCHBENCH_SERVICE_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#define SERVICE_SECRET_HEADER "X-Service-Secret"
/* The WWW-Authenticate of a service's 401 for a missing or wrong secret; a gateway
 * tells it from the Bearer challenge of a refused user token by its scheme. */
#define SERVICE_SECRET_CHALLENGE "Service-Secret realm=\"archbench-internal\""
#define SERVICE_SECRET_MIN 16  /* bytes, after trailing white space is dropped */
#define SERVICE_SECRET_MAX 256

struct service_secret {
    char value[SERVICE_SECRET_MAX + 1]; /* printable ASCII, no spaces */
    size_t len;
    unsigned char hash[32];             /* SHA-256 of value */
};

/* Reads the secret from path: the file's text without trailing white space, 16 to
 * 256 printable ASCII characters without spaces (it travels in a header). false
 * with the reason in err otherwise. */
bool service_secret_load(const char *path, struct service_secret *s, char *err,
                         size_t errlen);

/* The command line's choice, --service-secret PATH or --insecure-no-service-secret
 * (insecure): the secret loaded into s, or NULL for none. Neither, both, or a file
 * without a usable secret exit 2 with a one-line message naming program. A missing
 * flag must not silently leave an internal service open to every caller. */
const struct service_secret *service_secret_option(const char *program, const char *path,
                                                   bool insecure, struct service_secret *s);

/* True when presented (NULL: none) is the secret; constant time. */
bool service_secret_matches(const struct service_secret *s, const char *presented);

/* Makes sure path holds a secret: when it does not exist, writes 32 random bytes in
 * hex (and a newline) there, readable by its owner only. false with err set when
 * it cannot. */
bool service_secret_ensure(const char *path, char *err, size_t errlen);

#endif
