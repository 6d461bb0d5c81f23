#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "net/http_client.h"
#include "net/http_client_int.h"
#include "net/http_limits.h"
#include "net/metrics.h"
#include "net/url.h"
#include "util/log.h"
#include "util/redact.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 10000
#define DEFAULT_TIMEOUT_MS         60000
#define DEFAULT_MAX_ATTEMPTS       5
#define DEFAULT_MAX_RETRY_MS       300000
#define DEFAULT_BACKOFF_BASE_MS    500
#define DEFAULT_BACKOFF_MAX_MS     30000
#define DEFAULT_MAX_RESPONSE       ((size_t)64 << 20)

/* ---- process-wide setup ---- */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static int global_rc;

static void global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || sodium_init() < 0)
		global_rc = MLC_EIO;
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *arg)
{
	struct mlc_http_upstream *up = arg;

	MLC_UNUSED(h);
	MLC_UNUSED(access);
	pthread_mutex_lock(&up->share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *arg)
{
	struct mlc_http_upstream *up = arg;

	MLC_UNUSED(h);
	pthread_mutex_unlock(&up->share_locks[data]);
}

/* ---- metrics ---- */

void http_int_upstream_count(const char *name, const char *help, const struct mlc_http_upstream *up,
			     const char *key2, const char *val2, double delta)
{
	struct mlc_buf labels = MLC_BUF_INIT;

	metrics_labels(&labels, "upstream", up->name, key2, val2, (const char *)NULL);
	metrics_counter_add(name, help, labels.data, delta);
	buf_release(&labels);
}

/* ---- upstream lifecycle ---- */

/* The backoff base of upstreams that do not set one (http_client.h). */
static _Atomic int default_backoff_base_ms = DEFAULT_BACKOFF_BASE_MS;

void http_client_default_backoff(int base_ms)
{
	if (base_ms > 0)
		default_backoff_base_ms = base_ms;
}

static int defaulted(int v, int dflt)
{
	return v > 0 ? v : dflt;
}

int http_upstream_new(const struct mlc_http_upstream_opts *opts, struct mlc_http_upstream **out,
		      struct mlc_error *err)
{
	struct mlc_http_upstream *up = NULL;
	size_t len;
	int rc;

	*out = NULL;
	pthread_once(&global_once, global_init);
	if (global_rc)
		return error_set(err, global_rc, "libcurl or libsodium failed to initialise");
	up = xcalloc(1, sizeof(*up));
	up->name = xstrdup(opts->name ? opts->name : "upstream");
	buf_init(&up->origin);
	for (size_t i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&up->share_locks[i], NULL);
	pthread_mutex_init(&up->pool_lock, NULL);
	http_limits_init(&up->limits, opts->max_concurrency, opts->rate_per_sec, opts->burst);
	up->limits.gate = opts->gate;
	rc = url_check_transport(opts->base_url, &up->origin, err);
	if (rc != MLC_OK) {
		error_prefix(err, "upstream %s: ", up->name);
		goto out;
	}
	up->base_url = xstrdup(opts->base_url);
	len = strlen(up->base_url);
	while (len && up->base_url[len - 1] == '/')
		up->base_url[--len] = '\0';
	up->ca_file = str_dup_or_null(opts->ca_file);
	up->user_agent = xstrdup(opts->user_agent ? opts->user_agent : "ml-connector/" MLC_VERSION);
	up->connect_timeout_ms = defaulted(opts->connect_timeout_ms, DEFAULT_CONNECT_TIMEOUT_MS);
	up->timeout_ms = defaulted(opts->timeout_ms, DEFAULT_TIMEOUT_MS);
	up->max_attempts = defaulted(opts->max_attempts, DEFAULT_MAX_ATTEMPTS);
	up->max_retry_ms = defaulted(opts->max_retry_ms, DEFAULT_MAX_RETRY_MS);
	up->backoff_base_ms = defaulted(opts->backoff_base_ms, default_backoff_base_ms);
	up->backoff_max_ms = defaulted(opts->backoff_max_ms, DEFAULT_BACKOFF_MAX_MS);
	up->login_401_retries = opts->login_401_retries > 0 ? opts->login_401_retries : 0;
	up->max_response =
	    opts->max_response_bytes ? opts->max_response_bytes : DEFAULT_MAX_RESPONSE;
	up->auth = opts->auth;
	up->auth_arg = opts->auth_arg;
	up->share = curl_share_init();
	if (!up->share) {
		rc = error_set(err, MLC_ENOMEM, "upstream %s: curl_share_init failed", up->name);
		goto out;
	}
	curl_share_setopt(up->share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(up->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(up->share, CURLSHOPT_USERDATA, up);
	curl_share_setopt(up->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(up->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	*out = up;
	up = NULL;
out:
	http_upstream_free(up);
	return rc;
}

void http_upstream_free(struct mlc_http_upstream *up)
{
	if (!up)
		return;
	for (size_t i = 0; i < up->nidle; i++)
		curl_easy_cleanup(up->idle[i]);
	for (size_t i = 0; i < up->nidle_multi; i++)
		curl_multi_cleanup(up->idle_multi[i]);
	if (up->share)
		curl_share_cleanup(up->share);
	for (size_t i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&up->share_locks[i]);
	pthread_mutex_destroy(&up->pool_lock);
	http_limits_release(&up->limits);
	buf_release(&up->origin);
	free(up->name);
	free(up->base_url);
	free(up->ca_file);
	free(up->user_agent);
	free(up);
}

const char *http_upstream_name(const struct mlc_http_upstream *up)
{
	return up->name;
}

/*
 * Connection reuse: each multi handle keeps a cache of open connections,
 * and the idle ones are kept per upstream for the next send from any
 * thread (one thread at a time per handle).  libcurl's shared connection
 * cache (CURL_LOCK_DATA_CONNECT) is not thread-safe in 7.88 (known bug
 * 11.11), so only DNS and TLS sessions go through the share.
 */
CURLM *http_int_upstream_multi_get(struct mlc_http_upstream *up)
{
	CURLM *m = NULL;

	pthread_mutex_lock(&up->pool_lock);
	if (up->nidle_multi)
		m = up->idle_multi[--up->nidle_multi];
	pthread_mutex_unlock(&up->pool_lock);
	if (!m) {
		m = curl_multi_init();
		if (m)
			curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, 16L);
	}
	return m;
}

void http_int_upstream_multi_put(struct mlc_http_upstream *up, CURLM *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&up->pool_lock);
	if (up->nidle_multi < IDLE_HANDLES_MAX) {
		up->idle_multi[up->nidle_multi++] = m;
		m = NULL;
	}
	pthread_mutex_unlock(&up->pool_lock);
	if (m)
		curl_multi_cleanup(m);
}

static CURL *handle_get(struct mlc_http_upstream *up)
{
	CURL *h = NULL;

	pthread_mutex_lock(&up->pool_lock);
	if (up->nidle)
		h = up->idle[--up->nidle];
	pthread_mutex_unlock(&up->pool_lock);
	return h ? h : curl_easy_init();
}

void http_int_upstream_handle_put(struct mlc_http_upstream *up, CURL *h)
{
	if (!h)
		return;
	curl_easy_reset(h);
	pthread_mutex_lock(&up->pool_lock);
	if (up->nidle < IDLE_HANDLES_MAX) {
		up->idle[up->nidle++] = h;
		h = NULL;
	}
	pthread_mutex_unlock(&up->pool_lock);
	if (h)
		curl_easy_cleanup(h);
}

/* ---- one attempt ---- */

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct slot *s = arg;
	size_t len = size * n;

	if (s->resp->body.len + len > s->up->max_response) {
		s->overflow = true;
		return 0;
	}
	buf_add(&s->resp->body, p, len);
	return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct slot *s = arg;
	size_t len = size * n;
	char *line = xstrndup(p, len), *colon;

	colon = strchr(line, ':');
	if (str_starts_with(line, "HTTP/")) {
		/* a new response (after 100 Continue or a retry inside curl) */
		http_headers_free(&s->resp->headers, &s->resp->nheaders);
	} else if (colon) {
		*colon = '\0';
		http_headers_add(&s->resp->headers, &s->resp->nheaders, str_trim(line),
				 str_trim(colon + 1));
	}
	free(line);
	return len;
}

/*
 * Counts each time curl sends the request: on a reused connection found
 * dead before any answer (the server dropped it after reading the
 * request), curl sends it again on a new one inside the same transfer.
 * Those sends are attempts too, and the audit must show them (issue 21).
 */
static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
	struct slot *s = arg;

	MLC_UNUSED(h);
	MLC_UNUSED(data);
	MLC_UNUSED(size);
	if (type == CURLINFO_HEADER_OUT)
		s->sends++;
	return 0;
}

bool http_int_method_is_idempotent(const char *m)
{
	return !strcmp(m, "GET") || !strcmp(m, "HEAD") || !strcmp(m, "PUT") ||
	       !strcmp(m, "DELETE") || !strcmp(m, "OPTIONS");
}

/* The full URL of req into s->url: base + path, or an absolute path on
 * the same origin as the base (never send credentials elsewhere). */
static int build_url(struct mlc_http_upstream *up, struct slot *s, struct mlc_error *err)
{
	const struct mlc_http_req *req = s->req;
	struct mlc_buf origin = MLC_BUF_INIT;
	int rc = MLC_OK;

	buf_reset(&s->url);
	if (str_starts_with(req->path, "http://") || str_starts_with(req->path, "https://")) {
		rc = url_check_transport(req->path, &origin, err);
		if (rc == MLC_OK && strcmp(origin.data, up->origin.data) != 0)
			rc = error_set(err, MLC_EINVAL, "%s: URL %s is not on %s", up->name,
				       req->path, up->origin.data);
		buf_addstr(&s->url, req->path);
	} else {
		buf_addstr(&s->url, up->base_url);
		if (req->path[0] != '/')
			buf_addch(&s->url, '/');
		buf_addstr(&s->url, req->path);
	}
	if (req->query.len) {
		buf_addch(&s->url, strchr(s->url.data, '?') ? '&' : '?');
		buf_add(&s->url, req->query.data, req->query.len);
	}
	buf_release(&origin);
	return rc;
}

/* Header lines for a debug log: secret-named headers show no value. */
static void describe_headers(struct mlc_buf *out, const struct mlc_http_header *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (out->len)
			buf_addstr(out, "; ");
		buf_addf(out, "%s: ", h[i].name);
		if (redact_key_is_secret(h[i].name))
			buf_addstr(out, REDACTED_MARK);
		else
			redact_text(out, h[i].value);
	}
}

static void describe_body(struct mlc_buf *out, const struct mlc_buf *body)
{
	struct mlc_buf cut = MLC_BUF_INIT;

	buf_add(&cut, body->data, body->len > LOG_BODY_MAX ? LOG_BODY_MAX : body->len);
	redact_text(out, cut.data);
	if (body->len > LOG_BODY_MAX)
		buf_addf(out, "...(%zu bytes)", body->len);
	buf_release_wipe(&cut);
}

static void log_request(const struct slot *s)
{
	struct mlc_buf hdrs = MLC_BUF_INIT, body = MLC_BUF_INIT;
	char attempt[16];

	if (!log_enabled(MLC_LOG_DEBUG))
		return;
	describe_headers(&hdrs, s->req->headers, s->req->nheaders);
	if (s->auth.len)
		buf_addf(&hdrs, "%sAuthorization: %s", hdrs.len ? "; " : "", REDACTED_MARK);
	describe_body(&body, &s->req->body);
	snprintf(attempt, sizeof(attempt), "%d", s->resp->attempts);
	log_debug("http client request", "upstream", s->up->name, "method", s->req->method, "url",
		  s->url.data, "attempt", attempt, "headers", hdrs.data, "body", body.data);
	buf_release(&hdrs);
	buf_release(&body);
}

void http_int_attempt_log_response(const struct slot *s, const char *what, int64_t ms)
{
	struct mlc_buf hdrs = MLC_BUF_INIT, body = MLC_BUF_INIT;
	char took[32];

	if (!log_enabled(MLC_LOG_DEBUG))
		return;
	describe_headers(&hdrs, s->resp->headers, s->resp->nheaders);
	describe_body(&body, &s->resp->body);
	snprintf(took, sizeof(took), "%lld", (long long)ms);
	log_debug("http client response", "upstream", s->up->name, "method", s->req->method, "url",
		  s->url.data, "status", what, "ms", took, "headers", hdrs.data, "body", body.data);
	buf_release(&hdrs);
	buf_release(&body);
}

/* Prepares and queues one attempt.  On failure the slot is finished by
 * the caller with the returned code. */
int http_int_attempt_start(struct slot *s, CURLM *multi)
{
	struct mlc_http_upstream *up = s->up;
	const struct mlc_http_req *req = s->req;
	struct mlc_buf line = MLC_BUF_INIT;
	int64_t now = time_mono_ms();
	int rc;

	http_headers_free(&s->resp->headers, &s->resp->nheaders);
	buf_reset(&s->resp->body);
	s->resp->status = 0;
	s->overflow = false;
	s->errbuf[0] = '\0';
	rc = build_url(up, s, s->err);
	if (rc != MLC_OK)
		goto out;
	buf_release_wipe(&s->auth);
	if (up->auth) {
		rc = up->auth(up->auth_arg, &s->auth, s->refresh);
		s->refresh = false;
		if (rc != MLC_OK) {
			rc = error_set(s->err, rc, "%s: no credentials for %s %s (%s)", up->name,
				       req->method, req->path, error_name(rc));
			goto out;
		}
	}
	curl_slist_free_all(s->hdrs);
	s->hdrs = NULL;
	for (size_t i = 0; i < req->nheaders; i++) {
		buf_reset(&line);
		buf_addf(&line, "%s: %s", req->headers[i].name, req->headers[i].value);
		s->hdrs = curl_slist_append(s->hdrs, line.data);
	}
	if (s->auth.len) {
		buf_reset(&line);
		buf_addf(&line, "Authorization: %s", s->auth.data);
		s->hdrs = curl_slist_append(s->hdrs, line.data);
	}
	s->hdrs = curl_slist_append(s->hdrs, "Expect:");
	s->easy = handle_get(up);
	if (!s->easy || !s->hdrs) {
		rc = error_set(s->err, MLC_ENOMEM, "%s: out of memory for a request", up->name);
		goto out;
	}
	curl_easy_setopt(s->easy, CURLOPT_URL, s->url.data);
	curl_easy_setopt(s->easy, CURLOPT_SHARE, up->share);
	curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
	curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->hdrs);
	curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(s->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(s->easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(s->easy, CURLOPT_SSL_VERIFYHOST, 2L);
	if (up->ca_file)
		curl_easy_setopt(s->easy, CURLOPT_CAINFO, up->ca_file);
	curl_easy_setopt(s->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)up->connect_timeout_ms);
	curl_easy_setopt(s->easy, CURLOPT_TIMEOUT_MS,
			 (long)(req->timeout_ms > 0 ? req->timeout_ms : up->timeout_ms));
	curl_easy_setopt(s->easy, CURLOPT_TCP_KEEPALIVE, 1L);
	/* libcurl quietly re-sends a request when a reused connection turns
	 * out to be dead before any answer came; a request that must not be
	 * sent twice (a create) gets a fresh connection, which rules that out */
	curl_easy_setopt(s->easy, CURLOPT_FRESH_CONNECT, s->idempotent ? 0L : 1L);
	curl_easy_setopt(s->easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(s->easy, CURLOPT_USERAGENT, up->user_agent);
	curl_easy_setopt(s->easy, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(s->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(s->easy, CURLOPT_HEADERDATA, s);
	/* verbose only feeds on_debug, which prints nothing */
	curl_easy_setopt(s->easy, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(s->easy, CURLOPT_DEBUGDATA, s);
	curl_easy_setopt(s->easy, CURLOPT_VERBOSE, 1L);
	s->sends = 0;
	if (!strcmp(req->method, "HEAD")) {
		curl_easy_setopt(s->easy, CURLOPT_NOBODY, 1L);
	} else if (req->body.len || !strcmp(req->method, "POST")) {
		curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, req->body.data);
		curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body.len);
	}
	if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD") &&
	    strcmp(req->method, "POST"))
		curl_easy_setopt(s->easy, CURLOPT_CUSTOMREQUEST, req->method);
	s->resp->attempts++; /* counted once something can go out */
	log_request(s);
	if (curl_multi_add_handle(multi, s->easy) != CURLM_OK) {
		rc = error_set(s->err, MLC_EIO, "%s: cannot queue a request", up->name);
		goto out;
	}
	s->resp->limit_wait_ms += now - s->wait_from_ms;
	http_int_upstream_count("mlc_http_client_limit_wait_seconds_total",
				"Time requests spent waiting on pacing and concurrency caps", up,
				NULL, NULL, (double)(now - s->wait_from_ms) / 1000.0);
	s->attempt_ms = now;
	s->state = SLOT_RUN;
out:
	buf_release_wipe(&line);
	return rc;
}
