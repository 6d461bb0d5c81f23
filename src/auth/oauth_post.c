#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "auth/oauth_post.h"
#include "util/banned.h"

#define MAX_BODY (8 * 1024 * 1024)

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct mlc_buf *b = arg;

	if (b->len + size * n > MAX_BODY)
		return 0;
	buf_add(b, p, size * n);
	return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct mlc_buf *b = arg;

	/* a new status line (after a 100 Continue): keep only the last block */
	if (size * n >= 5 && strncmp(p, "HTTP/", 5) == 0)
		buf_reset(b);
	buf_add(b, p, size * n);
	return size * n;
}

int oauth_request(const char *method, const char *url, const char *const *headers, const char *body,
                  size_t body_len, int timeout_ms, struct oauth_reply *out, struct mlc_error *err)
{
	CURL *h = NULL;
	struct curl_slist *hdrs = NULL;
	CURLcode cc;
	int rc;

	memset(out, 0, sizeof(*out));
	buf_init(&out->body);
	buf_init(&out->headers);
	h = curl_easy_init();
	if (!h) {
		rc = error_set(err, MLC_ENOMEM, "cannot create an HTTP handle");
		goto out;
	}
	for (size_t i = 0; headers && headers[i]; i++)
		hdrs = curl_slist_append(hdrs, headers[i]);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)body_len);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &out->body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &out->headers);
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

int oauth_post_form(const char *url, const char *form, size_t form_len, int timeout_ms,
                    struct oauth_reply *out, struct mlc_error *err)
{
	static const char *const headers[] = {
	    "Content-Type: application/x-www-form-urlencoded",
	    "Accept: application/json",
	    NULL,
	};

	return oauth_request("POST", url, headers, form, form_len, timeout_ms, out, err);
}

const char *oauth_reply_header(const struct oauth_reply *r, const char *name, char *out, size_t n)
{
	size_t nl = strlen(name);
	const char *p = r->headers.data;

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			size_t vl = len - nl - 1, i = 0;
			while (vl && (*v == ' ' || *v == '\t'))
				v++, vl--;
			while (vl && (v[vl - 1] == '\r' || v[vl - 1] == ' '))
				vl--;
			for (; i < vl && i + 1 < n; i++)
				out[i] = v[i];
			out[i] = '\0';
			return out;
		}
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

void oauth_reply_release(struct oauth_reply *r)
{
	json_decref(r->json);
	buf_release_wipe(&r->body);
	buf_release(&r->headers);
	memset(r, 0, sizeof(*r));
}
