/* The profile JSON body of GET /profile: one rendering function for all three
 * architectures, so their 200 bodies are byte-identical (DESIGN §2). */
#ifndef ARCHBENCH_PROFILE_H
#define ARCHBENCH_PROFILE_H

#include <stddef.h>
#include <stdint.h>

/* A user row. The strings are UTF-8 with explicit lengths (they may point into a
 * sqlite row and need not be NUL-terminated). */
struct profile {
    int64_t id;
    const char *username;
    size_t username_len;
    const char *display_name;
    size_t display_name_len;
    const char *email;
    size_t email_len;
    const char *bio;
    size_t bio_len;
    const char *created_at;
    size_t created_at_len;
};

/* Renders {"id":..,"username":..,"display_name":..,"email":..,"bio":..,"created_at":..}
 * compact, in that order, UTF-8 unescaped, no trailing newline. Returns a malloc'd
 * buffer (free() it) and its length in *len, or NULL when a string is not valid
 * UTF-8 or memory ran out. */
char *profile_render(const struct profile *p, size_t *len);

#endif
