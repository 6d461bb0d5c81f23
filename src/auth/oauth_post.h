#ifndef MLC_OAUTH_POST_H
#define MLC_OAUTH_POST_H

#include <stddef.h>

#include <jansson.h>

#include "util/buf.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * "Send a request, get status + JSON": the little HTTP the token
 * providers and `ping` need, until net/http_client backs them.  One
 * attempt, no retries.  Returns 0 when any HTTP answer arrived (look at
 * status), or MLC_ETRANSIENT when none did.  out->json is the parsed body
 * or NULL; out->headers holds the raw response header lines.  The body
 * may hold a token: oauth_reply_release() wipes it.
 */
struct oauth_reply {
	long status;
	json_t *json;
	struct mlc_buf body;
	struct mlc_buf headers;
};

/* headers: NULL-terminated "Name: value" lines, or NULL.  body may be NULL. */
int oauth_request(const char *method, const char *url, const char *const *headers, const char *body,
                  size_t body_len, int timeout_ms, struct oauth_reply *out,
                  struct mlc_error *err) MLC_MUST_CHECK;
/* POST application/x-www-form-urlencoded, Accept: application/json. */
int oauth_post_form(const char *url, const char *form, size_t form_len, int timeout_ms,
                    struct oauth_reply *out, struct mlc_error *err) MLC_MUST_CHECK;
/* The value of response header name (case-insensitive) copied into out,
 * or NULL when absent. */
const char *oauth_reply_header(const struct oauth_reply *r, const char *name, char *out, size_t n);
void oauth_reply_release(struct oauth_reply *r);

#endif
