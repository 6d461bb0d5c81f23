#ifndef MLC_OAUTH_POST_H
#define MLC_OAUTH_POST_H

#include <stddef.h>

#include <jansson.h>

#include "util/buf.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * "POST a form, get status + JSON": the one thing the token providers ask
 * of HTTP.  Returns 0 when any HTTP answer arrived (look at status), or
 * MLC_ETRANSIENT when none did.  out->json is the parsed body or NULL; the
 * body (it holds a token) is wiped by oauth_reply_release().
 */
struct oauth_reply {
	long status;
	json_t *json;
	struct mlc_buf body;
};

int oauth_post_form(const char *url, const char *form, size_t form_len, int timeout_ms,
                    struct oauth_reply *out, struct mlc_error *err) MLC_MUST_CHECK;
void oauth_reply_release(struct oauth_reply *r);

#endif
