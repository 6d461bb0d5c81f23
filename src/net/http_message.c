#include <stdlib.h>
#include <string.h>

#include "net/http_client.h"
#include "net/url.h"
#include "util/str.h"
#include "util/banned.h"

/* The request and response objects of http_client.h. */

void http_req_init(struct mlc_http_req *r, const char *method, const char *path)
{
	memset(r, 0, sizeof(*r));
	r->method = xstrdup(method ? method : "GET");
	r->path = xstrdup(path ? path : "/");
	buf_init(&r->query);
	buf_init(&r->body);
}

void http_req_release(struct mlc_http_req *r)
{
	if (!r)
		return;
	free(r->method);
	free(r->path);
	r->method = r->path = NULL;
	buf_release(&r->query);
	/* bodies carry client secrets and assertions */
	buf_release_wipe(&r->body);
	for (size_t i = 0; i < r->nheaders; i++)
		if (r->headers[i].value)
			memset(r->headers[i].value, 0, strlen(r->headers[i].value));
	http_headers_free(&r->headers, &r->nheaders);
}

static void set_header(struct mlc_http_req *r, const char *name, const char *value)
{
	for (size_t i = 0; i < r->nheaders; i++) {
		if (str_ieq(r->headers[i].name, name)) {
			free(r->headers[i].value);
			r->headers[i].value = xstrdup(value);
			return;
		}
	}
	http_headers_add(&r->headers, &r->nheaders, name, value);
}

void http_req_header(struct mlc_http_req *r, const char *name, const char *value)
{
	set_header(r, name, value);
}

void http_req_query(struct mlc_http_req *r, const char *key, const char *value)
{
	url_query_add(&r->query, key, value, false);
}

void http_req_json(struct mlc_http_req *r, json_t *body)
{
	char *text = body ? json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	buf_release_wipe(&r->body);
	if (text) {
		buf_addstr(&r->body, text);
		memset(text, 0, strlen(text));
		free(text);
	}
	json_decref(body);
	set_header(r, "Content-Type", "application/json");
}

void http_req_form(struct mlc_http_req *r, const char *key, const char *value)
{
	url_query_add(&r->body, key, value, true);
	set_header(r, "Content-Type", "application/x-www-form-urlencoded");
}

void http_req_body(struct mlc_http_req *r, const char *content_type, const void *data, size_t len)
{
	buf_release_wipe(&r->body);
	buf_add(&r->body, data, len);
	if (content_type)
		set_header(r, "Content-Type", content_type);
}

void http_resp_init(struct mlc_http_resp *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body);
	r->retry_after_ms = -1;
}

void http_resp_release(struct mlc_http_resp *r)
{
	if (!r)
		return;
	http_headers_free(&r->headers, &r->nheaders);
	buf_release_wipe(&r->body);
	http_resp_init(r);
}

const char *http_resp_header(const struct mlc_http_resp *r, const char *name)
{
	return http_headers_get(r->headers, r->nheaders, name);
}

json_t *http_resp_json(const struct mlc_http_resp *r, struct mlc_error *err)
{
	json_error_t jerr;
	json_t *j;

	j = json_loadb(r->body.data, r->body.len, JSON_DECODE_ANY, &jerr);
	if (!j)
		error_set(err, MLC_EINVAL, "response (HTTP %d) is not JSON: %s", r->status,
			  jerr.text);
	return j;
}
