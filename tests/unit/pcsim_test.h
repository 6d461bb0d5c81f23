#ifndef MLC_TEST_PCSIM_TEST_H
#define MLC_TEST_PCSIM_TEST_H

/*
 * Harness shared by the tests/unit/test_pcsim_*.c programs: starts the
 * Procore simulator in-process on 127.0.0.1 port 0 and calls it with
 * libcurl.  Header-only (static inline) because CMake builds each test
 * from a single file.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "net/http_server.h"
#include "sandbox/sandbox.h"
#include "util/buf.h"

struct pct {
	struct mlc_sandbox sb;
	struct mlc_http_server *http;
	struct pcsim *pc;
	json_t *cred, *seed;
	char base[64];
	char token[128];
	char dir[64];
	int64_t company_id;
	/* last response */
	long status;
	struct mlc_buf headers;
	struct mlc_buf body;
};

static inline size_t pct_write(char *p, size_t size, size_t n, void *arg)
{
	buf_add(arg, p, size * n);
	return size * n;
}

/* Value of a response header of the last call (case-insensitive), or NULL.
 * Points into a static buffer. */
static inline const char *pct_header(struct pct *t, const char *name)
{
	static char value[1024];
	size_t n = strlen(name);
	const char *p = t->headers.data;
	while (p && *p) {
		const char *eol = strstr(p, "\r\n");
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			while (*v == ' ')
				v++;
			snprintf(value, sizeof(value), "%.*s", (int)(len - (size_t)(v - p)), v);
			return value;
		}
		p = eol ? eol + 2 : NULL;
	}
	return NULL;
}

/* Flags for pct_call. */
#define PCT_NOAUTH    1
#define PCT_NOCOMPANY 2
#define PCT_FORM      4

/*
 * Calls method path (with the query) and returns the parsed JSON body
 * (new reference, NULL when the body is not JSON).  t->status holds the
 * HTTP status, t->headers / t->body the raw response.
 */
static inline json_t *pct_call(struct pct *t, const char *method, const char *path,
			       const char *body, int flags)
{
	struct curl_slist *hl = NULL;
	CURL *c = curl_easy_init();
	char line[256];
	struct mlc_buf url = MLC_BUF_INIT;
	json_error_t jerr;

	buf_reset(&t->headers);
	buf_reset(&t->body);
	buf_addf(&url, "%s%s", t->base, path);
	if (!(flags & PCT_NOAUTH)) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s", t->token);
		hl = curl_slist_append(hl, line);
	}
	if (!(flags & PCT_NOCOMPANY)) {
		snprintf(line, sizeof(line), "Procore-Company-Id: %lld", (long long)t->company_id);
		hl = curl_slist_append(hl, line);
	}
	hl = curl_slist_append(hl, (flags & PCT_FORM)
				       ? "Content-Type: application/x-www-form-urlencoded"
				       : "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url.data);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, pct_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &t->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, pct_write);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &t->headers);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	t->status = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &t->status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	buf_release(&url);
	return json_loadb(t->body.data, t->body.len, 0, &jerr);
}

/* Like pct_call with a printf-formatted path; discards nothing. */
static inline json_t *pct_callf(struct pct *t, const char *method, const char *body, int flags,
				const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static inline json_t *pct_callf(struct pct *t, const char *method, const char *body, int flags,
				const char *fmt, ...)
{
	char path[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return pct_call(t, method, path, body, flags);
}

static inline int pct_token(struct pct *t)
{
	const json_t *pc = json_object_get(t->cred, "procore");
	char body[512];
	json_t *r;

	snprintf(
	    body, sizeof(body),
	    "{\"grant_type\":\"client_credentials\",\"client_id\":\"%s\",\"client_secret\":\"%s\"}",
	    json_string_value(json_object_get(pc, "client_id")),
	    json_string_value(json_object_get(pc, "client_secret")));
	r = pct_call(t, "POST", "/oauth/token", body, PCT_NOAUTH | PCT_NOCOMPANY);
	if (!r || t->status != 200) {
		json_decref(r);
		return -1;
	}
	snprintf(t->token, sizeof(t->token), "%s",
		 json_string_value(json_object_get(r, "access_token")));
	json_decref(r);
	return 0;
}

/* --seed of the next pct_start() (then back to the default, 7). */
static uint64_t pct_next_seed;

/*
 * Starts a simulator.  rate NULL = default; faults applied to sb.pc.
 * Returns 0 or -1.
 */
static inline int pct_start(struct pct *t, const char *rate, double throttle, double dup,
			    int token_ttl)
{
	struct mlc_error err;
	struct mlc_http_server_opts o = {
	    .listen = "127.0.0.1:0", .threads = 4, .name = "procore-test"};

	memset(t, 0, sizeof(*t));
	buf_init(&t->headers);
	buf_init(&t->body);
	snprintf(t->dir, sizeof(t->dir), "/tmp/pcsim-test-XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	t->sb.opts.seed = pct_next_seed ? pct_next_seed : 7;
	pct_next_seed = 0;
	t->sb.opts.scale = 1;
	t->sb.opts.pc_rate = rate;
	t->sb.opts.pc_token_ttl = token_ttl;
	t->sb.data_dir = t->dir;
	pthread_mutex_init(&t->sb.lock, NULL);
	pthread_mutex_init(&t->sb.pc.lock, NULL);
	t->sb.pc.name = "procore";
	t->sb.pc.sandbox = &t->sb;
	t->sb.pc.rng = 42;
	t->sb.pc.faults.throttle = throttle;
	t->sb.pc.faults.dup = dup;
	t->sb.pc.calls = json_object();
	t->sb.pc.status = json_object();
	t->cred = json_object();
	t->seed = json_object();
	if (http_server_new(&o, &t->http, &err) != 0)
		return -1;
	if (pcsim_new(&t->sb, t->http, t->cred, t->seed, &t->pc, &err) != 0) {
		fprintf(stderr, "pcsim_new: %s\n", err.msg);
		return -1;
	}
	if (http_server_start(t->http, &err) != 0)
		return -1;
	snprintf(t->base, sizeof(t->base), "http://127.0.0.1:%d", http_server_port(t->http));
	t->company_id =
	    json_integer_value(json_object_get(json_object_get(t->cred, "procore"), "company_id"));
	return pct_token(t);
}

static inline void pct_stop(struct pct *t)
{
	char path[128];
	http_server_stop(t->http);
	pcsim_free(t->pc);
	http_server_free(t->http);
	json_decref(t->cred);
	json_decref(t->seed);
	json_decref(t->sb.pc.calls);
	json_decref(t->sb.pc.status);
	pthread_mutex_destroy(&t->sb.pc.lock);
	pthread_mutex_destroy(&t->sb.lock);
	buf_release(&t->headers);
	buf_release(&t->body);
	snprintf(path, sizeof(path), "%s/procore.db", t->dir);
	unlink(path);
	rmdir(t->dir);
}

/* First seeded project id / the n-th. */
static inline int64_t pct_project(struct pct *t, size_t n)
{
	return json_integer_value(
	    json_object_get(json_array_get(json_object_get(t->seed, "procore_projects"), n), "id"));
}

#endif
