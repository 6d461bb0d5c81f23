#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "net/http_client.h"
#include "net/http_limits.h"
#include "net/http_retry.h"
#include "net/metrics.h"
#include "net/url.h"
#include "util/log.h"
#include "util/num.h"
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
#define IDLE_HANDLES_MAX           32
/* How much of a body goes into debug logs and error messages. */
#define LOG_BODY_MAX 2048
#define ERR_BODY_MAX 300

struct mlc_http_upstream {
	char *name;
	char *base_url;        /* without a trailing '/' */
	struct mlc_buf origin; /* "scheme://host:port" of base_url */
	char *ca_file;
	char *user_agent;
	int connect_timeout_ms, timeout_ms, max_attempts, max_retry_ms;
	int backoff_base_ms, backoff_max_ms, login_401_retries;
	size_t max_response;
	mlc_http_auth_fn auth;
	void *auth_arg;
	struct mlc_http_limits limits;
	CURLSH *share;
	pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
	pthread_mutex_t pool_lock;
	CURL *idle[IDLE_HANDLES_MAX];
	size_t nidle;
	CURLM *idle_multi[IDLE_HANDLES_MAX];
	size_t nidle_multi;
};

enum slot_state { SLOT_NEW = 0, SLOT_WAIT, SLOT_RUN, SLOT_DONE };

/* One request's progress through its attempts. */
struct slot {
	const struct mlc_http_req *req;
	struct mlc_http_resp *resp;
	struct mlc_error *err;
	int *rc_out;
	enum slot_state state;
	int last_rc;
	CURL *easy;
	struct curl_slist *hdrs;
	struct mlc_buf url;
	struct mlc_buf auth;
	char errbuf[CURL_ERROR_SIZE];
	bool idempotent, reserved, entered, refresh, refreshed, overflow;
	int login_401_left;
	int64_t start_ms, ready_ms, wait_from_ms, attempt_ms;
	struct mlc_http_upstream *up;
};

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

static void count(const char *name, const char *help, const struct mlc_http_upstream *up,
                  const char *key2, const char *val2, double delta)
{
	struct mlc_buf labels = MLC_BUF_INIT;

	metrics_labels(&labels, "upstream", up->name, key2, val2, (const char *)NULL);
	metrics_counter_add(name, help, labels.data, delta);
	buf_release(&labels);
}

/* ---- upstream lifecycle ---- */

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
	limits_init(&up->limits, opts->max_concurrency, opts->rate_per_sec, opts->burst);
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
	up->backoff_base_ms = defaulted(opts->backoff_base_ms, DEFAULT_BACKOFF_BASE_MS);
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
	limits_release(&up->limits);
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
static CURLM *multi_get(struct mlc_http_upstream *up)
{
	CURLM *m = NULL;

	pthread_mutex_lock(&up->pool_lock);
	if (up->nidle_multi)
		m = up->idle_multi[--up->nidle_multi];
	pthread_mutex_unlock(&up->pool_lock);
	if (!m && (m = curl_multi_init()) != NULL)
		curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, 16L);
	return m;
}

static void multi_put(struct mlc_http_upstream *up, CURLM *m)
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

static void handle_put(struct mlc_http_upstream *up, CURL *h)
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

	if (str_starts_with(line, "HTTP/")) {
		/* a new response (after 100 Continue or a retry inside curl) */
		http_headers_free(&s->resp->headers, &s->resp->nheaders);
	} else if ((colon = strchr(line, ':')) != NULL) {
		*colon = '\0';
		http_headers_add(&s->resp->headers, &s->resp->nheaders, str_trim(line),
		                 str_trim(colon + 1));
	}
	free(line);
	return len;
}

static bool method_is_idempotent(const char *m)
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

static void log_response(const struct slot *s, const char *what, int64_t ms)
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
static int attempt_start(struct slot *s, CURLM *multi)
{
	struct mlc_http_upstream *up = s->up;
	const struct mlc_http_req *req = s->req;
	struct mlc_buf line = MLC_BUF_INIT;
	int64_t now = time_mono_ms();
	int rc;

	http_headers_free(&s->resp->headers, &s->resp->nheaders);
	buf_reset(&s->resp->body);
	s->resp->status = 0;
	s->resp->attempts++;
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
	curl_easy_setopt(s->easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(s->easy, CURLOPT_USERAGENT, up->user_agent);
	curl_easy_setopt(s->easy, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(s->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(s->easy, CURLOPT_HEADERDATA, s);
	if (!strcmp(req->method, "HEAD")) {
		curl_easy_setopt(s->easy, CURLOPT_NOBODY, 1L);
	} else if (req->body.len || !strcmp(req->method, "POST")) {
		curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, req->body.data);
		curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body.len);
	}
	if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD") &&
	    strcmp(req->method, "POST"))
		curl_easy_setopt(s->easy, CURLOPT_CUSTOMREQUEST, req->method);
	log_request(s);
	if (curl_multi_add_handle(multi, s->easy) != CURLM_OK) {
		rc = error_set(s->err, MLC_EIO, "%s: cannot queue a request", up->name);
		goto out;
	}
	s->resp->limit_wait_ms += now - s->wait_from_ms;
	count("mlc_http_client_limit_wait_seconds_total",
	      "Time requests spent waiting on pacing and concurrency caps", up, NULL, NULL,
	      (double)(now - s->wait_from_ms) / 1000.0);
	s->attempt_ms = now;
	s->state = SLOT_RUN;
out:
	buf_release_wipe(&line);
	return rc;
}

/* ---- outcomes ---- */

static void slot_finish(struct slot *s, int rc)
{
	if (s->entered)
		limits_leave(&s->up->limits);
	s->entered = false;
	s->state = SLOT_DONE;
	s->resp->elapsed_ms = time_mono_ms() - s->start_ms;
	*s->rc_out = rc;
	curl_slist_free_all(s->hdrs);
	s->hdrs = NULL;
	buf_release(&s->url);
	buf_release_wipe(&s->auth);
}

/* Fills the slot's error with what the last attempt got, for a person. */
static void describe_failure(struct slot *s, int rc, const char *reason, bool gave_up)
{
	struct mlc_buf what = MLC_BUF_INIT, body = MLC_BUF_INIT;

	if (s->resp->status) {
		buf_add(&body, s->resp->body.data,
		        s->resp->body.len > ERR_BODY_MAX ? ERR_BODY_MAX : s->resp->body.len);
		buf_addf(&what, "HTTP %d: ", s->resp->status);
		redact_text(&what, body.data);
	} else {
		buf_addf(&what, "%s (%s)", reason, s->errbuf[0] ? s->errbuf : "no response");
	}
	error_set(s->err, rc, "%s %s %s: %s%s%s after %d attempt%s", s->up->name, s->req->method,
	          s->req->path, what.data, rc == MLC_EUNKNOWN ? "; outcome unknown" : "",
	          gave_up ? "; gave up" : "", s->resp->attempts, s->resp->attempts == 1 ? "" : "s");
	buf_release_wipe(&body);
	buf_release(&what);
}

static void observe_rate_headers(struct slot *s)
{
	const char *rem = http_resp_header(s->resp, "X-Rate-Limit-Remaining");
	const char *lim = http_resp_header(s->resp, "X-Rate-Limit-Limit");
	int64_t remaining, limit = -1, reset_ms;

	if (!rem || num_parse_i64(rem, &remaining, NULL) != MLC_OK)
		return;
	if (lim && num_parse_i64(lim, &limit, NULL) != MLC_OK)
		limit = -1;
	reset_ms = rate_reset_ms(http_resp_header(s->resp, "X-Rate-Limit-Reset"), time_now_ms());
	if (reset_ms >= 0)
		limits_observe(&s->up->limits, limit, remaining, time_now_ms() + reset_ms);
}

/* One attempt ended: classify, then finish the slot or schedule a retry. */
static void attempt_done(struct slot *s, CURLM *multi, CURLcode cc)
{
	struct mlc_http_upstream *up = s->up;
	struct mlc_retry_input in;
	struct mlc_retry_verdict v;
	struct mlc_buf labels = MLC_BUF_INIT;
	int64_t now = time_mono_ms(), delay = 0;
	long status = 0, sent = 0;
	char code[16];

	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(s->easy, CURLINFO_REQUEST_SIZE, &sent);
	curl_multi_remove_handle(multi, s->easy);
	handle_put(up, s->easy);
	s->easy = NULL;
	s->resp->status = cc == CURLE_OK ? (int)status : 0;
	observe_rate_headers(s);
	limits_leave(&up->limits);
	s->entered = false;
	s->reserved = false;

	memset(&in, 0, sizeof(in));
	in.curl_code = (int)cc;
	in.sent = sent > 0;
	in.status = s->resp->status;
	in.body = s->resp->body.data;
	in.retry_after = http_resp_header(s->resp, "Retry-After");
	in.rate_reset = http_resp_header(s->resp, "X-Rate-Limit-Reset");
	in.idempotent = s->idempotent;
	in.can_refresh = up->auth && !s->refreshed;
	in.login_401_budget = s->login_401_left > 0;
	in.now_wall_ms = time_now_ms();
	retry_classify(&in, &v);

	snprintf(code, sizeof(code), "%d", s->resp->status);
	log_response(s, cc == CURLE_OK ? code : v.reason, now - s->attempt_ms);
	count("mlc_http_client_requests_total", "HTTP requests sent, by upstream and status", up,
	      "status", cc == CURLE_OK ? code : v.reason, 1);
	metrics_labels(&labels, "upstream", up->name, (const char *)NULL);
	metrics_histogram_observe("mlc_http_client_request_duration_seconds",
	                          "Duration of one HTTP attempt", labels.data,
	                          (double)(now - s->attempt_ms) / 1000.0);
	buf_release(&labels);
	if (v.throttled) {
		count("mlc_http_client_throttled_total",
		      "Responses asking us to slow down (429, CONCURRENCY_LIMIT_EXCEEDED, 503 "
		      "with Retry-After)",
		      up, "status", code, 1);
		if (v.wait_ms > 0)
			limits_pause(&up->limits, v.wait_ms);
	}
	s->last_rc = v.rc;
	if (v.action == RETRY_NO) {
		if (v.rc != MLC_OK)
			describe_failure(s, v.rc, v.reason, false);
		slot_finish(s, v.rc);
		return;
	}
	if (v.action == RETRY_REFRESH) {
		s->refresh = s->refreshed = true;
	} else {
		if (v.action == RETRY_LOGIN_401)
			s->login_401_left--;
		if (v.wait_ms >= 0)
			delay =
			    v.wait_ms +
			    retry_backoff_ms(
			        1, up->backoff_base_ms < 1000 ? up->backoff_base_ms : 1000, 1000);
		else
			delay = retry_backoff_ms(s->resp->attempts, up->backoff_base_ms,
			                         up->backoff_max_ms);
	}
	if (s->resp->attempts >= up->max_attempts || now + delay - s->start_ms > up->max_retry_ms) {
		describe_failure(s, v.rc, v.reason, true);
		slot_finish(s, v.rc);
		return;
	}
	count("mlc_http_client_retries_total", "Requests sent again, by reason", up, "reason",
	      v.reason, 1);
	{
		char attempt[16], wait[32];
		snprintf(attempt, sizeof(attempt), "%d", s->resp->attempts);
		snprintf(wait, sizeof(wait), "%lld", (long long)delay);
		log_info("http retry", "upstream", up->name, "method", s->req->method, "path",
		         s->req->path, "reason", cc == CURLE_OK ? code : v.reason, "attempt",
		         attempt, "wait_ms", wait);
	}
	s->state = SLOT_WAIT;
	s->ready_ms = now + delay;
	s->wait_from_ms = s->ready_ms;
}

/* ---- the send loop ---- */

static void slot_begin(struct slot *s, int64_t now)
{
	const char *m = s->req->method;

	s->state = SLOT_WAIT;
	s->start_ms = s->ready_ms = s->wait_from_ms = now;
	s->resp->attempts = 0;
	s->resp->limit_wait_ms = 0;
	s->resp->status = 0;
	s->idempotent = s->req->idempotent == MLC_HTTP_IDEM_YES ||
	                (s->req->idempotent == MLC_HTTP_IDEM_AUTO && method_is_idempotent(m));
	s->login_401_left = s->up->login_401_retries;
	error_clear(s->err);
}

/* Tries to start every slot whose wait is over; returns how many finished
 * without starting (a failed auth hook, a bad URL). */
static size_t start_ready(struct mlc_http_upstream *up, struct slot *slots, size_t n, CURLM *multi)
{
	int64_t now = time_mono_ms();
	size_t finished = 0;

	for (size_t i = 0; i < n; i++) {
		struct slot *s = &slots[i];
		int rc;
		if (s->state != SLOT_WAIT || s->ready_ms > now)
			continue;
		if (!s->reserved) {
			int64_t w = limits_reserve(&up->limits);
			s->reserved = true;
			if (w > 0) {
				s->ready_ms = now + w;
				continue;
			}
		}
		if (!s->entered && !limits_try_enter(&up->limits))
			continue;
		s->entered = true;
		rc = attempt_start(s, multi);
		if (rc != MLC_OK) {
			slot_finish(s, rc);
			finished++;
		}
	}
	return finished;
}

/* How to wait for the next event: returns the ms until the next slot is
 * due and sets *running and *blocked (a due slot waiting for the cap). */
static int64_t next_event(struct slot *slots, size_t n, int *running, struct slot **blocked)
{
	int64_t now = time_mono_ms(), wake = 1000;

	*running = 0;
	*blocked = NULL;
	for (size_t i = 0; i < n; i++) {
		struct slot *s = &slots[i];
		if (s->state == SLOT_RUN)
			(*running)++;
		if (s->state != SLOT_WAIT)
			continue;
		if (s->ready_ms > now) {
			if (s->ready_ms - now < wake)
				wake = s->ready_ms - now;
		} else if (s->reserved && !s->entered) {
			if (!*blocked)
				*blocked = s;
		} else {
			wake = 0;
		}
	}
	return wake;
}

static void run_slots(struct mlc_http_upstream *up, struct slot *slots, size_t n, int parallel,
                      CURLM *multi)
{
	size_t next = 0, done = 0;
	int active = 0;

	while (done < n) {
		struct slot *blocked;
		int running, still, queued;
		int64_t wait;
		CURLMsg *msg;
		size_t failed;

		while (active < parallel && next < n) {
			slot_begin(&slots[next++], time_mono_ms());
			active++;
		}
		failed = start_ready(up, slots, n, multi);
		done += failed;
		active -= (int)failed;
		curl_multi_perform(multi, &still);
		while ((msg = curl_multi_info_read(multi, &queued)) != NULL) {
			struct slot *s = NULL;
			CURL *easy = msg->easy_handle;
			CURLcode cc = msg->data.result;
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&s);
			attempt_done(s, multi, cc);
			if (s->state == SLOT_DONE) {
				done++;
				active--;
			}
		}
		if (done == n)
			break;
		if (active < parallel && next < n)
			continue;
		wait = next_event(slots, n, &running, &blocked);
		if (wait == 0)
			continue;
		if (running == 0 && blocked) {
			/* nothing of ours in flight: sleep on the cap itself */
			if (limits_enter_wait(&up->limits, wait))
				blocked->entered = true;
		} else if (running == 0) {
			time_sleep_ms(wait);
		} else {
			/* others may free the cap: look again soon */
			curl_multi_poll(multi, NULL, 0, (int)(blocked && wait > 10 ? 10 : wait),
			                NULL);
		}
	}
}

int http_upstream_send_many(struct mlc_http_upstream *up, const struct mlc_http_req *reqs,
                            struct mlc_http_resp *resps, int *rcs, struct mlc_error *errs, size_t n,
                            int parallel)
{
	struct slot *slots = NULL;
	struct mlc_error *own = NULL;
	CURLM *multi = NULL;
	int rc = MLC_OK;

	if (n == 0)
		return MLC_OK;
	multi = multi_get(up);
	if (!multi)
		return MLC_ENOMEM;
	if (!errs)
		errs = own = xcalloc(n, sizeof(*own));
	slots = xcalloc(n, sizeof(*slots));
	for (size_t i = 0; i < n; i++) {
		slots[i].up = up;
		slots[i].req = &reqs[i];
		slots[i].resp = &resps[i];
		slots[i].rc_out = &rcs[i];
		slots[i].err = &errs[i];
		buf_init(&slots[i].url);
		buf_init(&slots[i].auth);
		rcs[i] = MLC_ESTATE;
	}
	run_slots(up, slots, n, parallel > 0 ? parallel : 1, multi);
	multi_put(up, multi);
	free(slots);
	free(own);
	return rc;
}

int http_upstream_send(struct mlc_http_upstream *up, const struct mlc_http_req *req,
                       struct mlc_http_resp *resp, struct mlc_error *err)
{
	struct mlc_error local;
	int rc = MLC_ESTATE, brc;

	brc = http_upstream_send_many(up, req, resp, &rc, err ? err : &local, 1, 1);
	return brc != MLC_OK ? brc : rc;
}
