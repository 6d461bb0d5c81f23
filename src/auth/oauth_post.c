#include <string.h>

#include <curl/curl.h>

#include "auth/oauth_post.h"
#include "util/banned.h"

/*
 * Interim transport for the token endpoints until net/http_client lands:
 * one libcurl easy handle per call, no retries.
 */

#define MAX_BODY (1024 * 1024)

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct mlc_buf *b = arg;

	if (b->len + size * n > MAX_BODY)
		return 0;
	buf_add(b, p, size * n);
	return size * n;
}

int oauth_post_form(const char *url, const char *form, size_t form_len, int timeout_ms,
                    struct oauth_reply *out, struct mlc_error *err)
{
	CURL *h = NULL;
	struct curl_slist *hdrs = NULL;
	CURLcode cc;
	int rc;

	memset(out, 0, sizeof(*out));
	buf_init(&out->body);
	h = curl_easy_init();
	if (!h) {
		rc = error_set(err, MLC_ENOMEM, "cannot create an HTTP handle");
		goto out;
	}
	hdrs = curl_slist_append(hdrs, "Content-Type: application/x-www-form-urlencoded");
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)form_len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &out->body);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(timeout_ms > 0 ? timeout_ms : 30000));
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "ml-connector/" MLC_VERSION);
	cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		rc = error_set(err, MLC_ETRANSIENT, "cannot reach %s: %s", url,
		               curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
	out->json = json_loadb(out->body.data, out->body.len, 0, NULL);
	rc = MLC_OK;
out:
	curl_slist_free_all(hdrs);
	if (h)
		curl_easy_cleanup(h);
	return rc;
}

void oauth_reply_release(struct oauth_reply *r)
{
	json_decref(r->json);
	buf_release_wipe(&r->body);
	memset(r, 0, sizeof(*r));
}
