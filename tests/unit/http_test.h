#ifndef MLC_TEST_HTTP_TEST_H
#define MLC_TEST_HTTP_TEST_H

/*
 * Helpers shared by the tests/unit/test_http_*.c programs: a one-shot
 * libcurl request against a loopback server, independent of the client
 * under test.  Header-only (static inline) because CMake builds each
 * test from a single file.
 */
#include <curl/curl.h>
#include <string.h>

#include "util/buf.h"

static inline size_t ht_write_cb(char *p, size_t size, size_t n, void *arg)
{
	buf_add(arg, p, size * n);
	return size * n;
}

/*
 * Sends method url with an optional body and a NULL-terminated list of
 * extra header lines.  Returns the HTTP status, or minus the CURLcode
 * when no response arrived.  The response body is appended to out
 * (may be NULL).
 */
static inline long ht_request(const char *method, const char *url, const char *body,
			      const char *const *headers, struct mlc_buf *out)
{
	struct mlc_buf sink = MLC_BUF_INIT;
	struct curl_slist *hl = NULL;
	CURL *c = curl_easy_init();
	CURLcode cc;
	long status = 0;

	for (size_t i = 0; headers && headers[i]; i++)
		hl = curl_slist_append(hl, headers[i]);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ht_write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out ? out : &sink);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	else
		status = -(long)cc;
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	buf_release(&sink);
	return status;
}

#endif
