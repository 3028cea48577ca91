/* Profile JSON rendering with jansson. JSON_PRESERVE_ORDER keeps the field order
 * of DESIGN §2; without JSON_ENSURE_ASCII non-ASCII text stays UTF-8. */
#include "profile.h"

#include <jansson.h>
#include <string.h>

char *profile_render(const struct profile *p, size_t *len)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    char *out = NULL;
    /* json_stringn validates UTF-8 and returns NULL on bad input; the _new setter
     * then fails, so a bad row never produces a half-rendered body. */
    if (json_object_set_new(o, "id", json_integer(p->id)) != 0 ||
        json_object_set_new(o, "username", json_stringn(p->username, p->username_len)) != 0 ||
        json_object_set_new(o, "display_name",
                            json_stringn(p->display_name, p->display_name_len)) != 0 ||
        json_object_set_new(o, "email", json_stringn(p->email, p->email_len)) != 0 ||
        json_object_set_new(o, "bio", json_stringn(p->bio, p->bio_len)) != 0 ||
        json_object_set_new(o, "created_at",
                            json_stringn(p->created_at, p->created_at_len)) != 0)
        goto done;
    out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (out != NULL)
        *len = strlen(out);
done:
    json_decref(o);
    return out;
}
