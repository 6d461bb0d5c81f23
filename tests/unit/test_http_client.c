#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "net/http_client.h"
#include "net/http_server.h"
#include "net/metrics.h"
#include "util/log.h"
#include "util/time.h"
#include "util/banned.h"

/*
 * The client against a real server on 127.0.0.1 (port 0).  Handlers
 * misbehave on purpose, counting what they saw; timing bounds are
 * generous lower bounds plus loose upper bounds.
 */
struct fixture {
	struct mlc_http_server *srv;
	char base[64];
	pthread_mutex_t lock;
	int calls;
	int in_flight, max_in_flight;
	int auth_calls, auth_refreshes;
	int64_t window_sec;
	int window_used;
	int over_limit;
	int64_t first_ms, last_ms;
	char last_auth[256];
};

static int bump(struct fixture *f)
{
	int n;

	pthread_mutex_lock(&f->lock);
	n = ++f->calls;
	if (!f->first_ms)
		f->first_ms = time_mono_ms();
	f->last_ms = time_mono_ms();
	pthread_mutex_unlock(&f->lock);
	return n;
}

static void h_ok(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct fixture *f = arg;
	const char *auth = http_request_header(req, "Authorization");

	bump(f);
	pthread_mutex_lock(&f->lock);
	snprintf(f->last_auth, sizeof(f->last_auth), "%s", auth ? auth : "");
	pthread_mutex_unlock(&f->lock);
	http_response_json(resp, 200,
			   json_pack("{s:s,s:s?,s:s?,s:s}", "method", req->method, "origin",
				     http_request_query(req, "filters[origin_id]"), "q",
				     http_request_query(req, "q"), "body", req->body));
}

static void h_flaky(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	MLC_UNUSED(req);
	if (bump(arg) == 1)
		http_response_error(resp, 503, "unavailable", "try again");
	else
		http_response_json(resp, 200, json_pack("{s:b}", "ok", 1));
}

static void h_bad(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	MLC_UNUSED(req);
	bump(arg);
	http_response_error(resp, 400, "INVALID_CONTENT", "field entity is missing");
}

static void h_500(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	MLC_UNUSED(req);
	bump(arg);
	http_response_error(resp, 500, "UNEXPECTED_ERROR", "boom");
}

static void h_429(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	const char *mode = http_request_param(req, "mode");
	char value[64];

	if (bump(arg) > 1 && strcmp(mode, "y2100") != 0) {
		http_response_json(resp, 200, json_pack("{s:b}", "ok", 1));
		return;
	}
	http_response_error(resp, 429, "limit", "slow down");
	if (!strcmp(mode, "seconds")) {
		http_response_header(resp, "Retry-After", "1");
	} else if (!strcmp(mode, "date")) {
		time_t when = (time_t)(time_now_ms() / 1000) + 2;
		struct tm tm;
		gmtime_r(&when, &tm);
		strftime(value, sizeof(value), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		http_response_header(resp, "Retry-After", value);
	} else if (!strcmp(mode, "y2100")) {
		http_response_header(resp, "Retry-After", "Fri, 01 Jan 2100 00:00:00 GMT");
	} else if (!strcmp(mode, "reset")) {
		snprintf(value, sizeof(value), "%lld", (long long)(time_now_ms() / 1000 + 2));
		http_response_header(resp, "X-Rate-Limit-Reset", value);
		http_response_header(resp, "X-Rate-Limit-Remaining", "0");
	} else if (!strcmp(mode, "netsuite")) {
		http_response_json(resp, 429,
				   json_pack("{s:s,s:i,s:[{s:s,s:s}]}", "title",
					     "Too Many Requests", "status", 429, "o:errorDetails",
					     "detail", "Concurrent request limit exceeded.",
					     "o:errorCode", "CONCURRENCY_LIMIT_EXCEEDED"));
	}
}

static void h_login401(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	MLC_UNUSED(req);
	if (bump(arg) <= 2)
		http_response_error(resp, 401, "INVALID_LOGIN", "Invalid login attempt.");
	else
		http_response_json(resp, 200, json_pack("{s:b}", "ok", 1));
}

static void h_auth(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	const char *auth = http_request_header(req, "Authorization");

	bump(arg);
	if (!auth || strcmp(auth, "Bearer fresh-token-2") != 0)
		http_response_error(resp, 401, "INVALID_LOGIN", "Invalid login attempt.");
	else
		http_response_json(resp, 200, json_pack("{s:b}", "ok", 1));
}

static void h_slow(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	MLC_UNUSED(req);
	bump(arg);
	time_sleep_ms(800);
	http_response_json(resp, 200, NULL);
}

static void h_conc(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct fixture *f = arg;

	MLC_UNUSED(req);
	bump(f);
	pthread_mutex_lock(&f->lock);
	if (++f->in_flight > f->max_in_flight)
		f->max_in_flight = f->in_flight;
	pthread_mutex_unlock(&f->lock);
	time_sleep_ms(40);
	pthread_mutex_lock(&f->lock);
	f->in_flight--;
	pthread_mutex_unlock(&f->lock);
	http_response_json(resp, 200, json_pack("{s:s}", "path", req->path));
}

/* Procore-like: 5 requests per wall-clock second, announced in headers;
 * one more gets a 429 (counted: the client must never cause one). */
static void h_window(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct fixture *f = arg;
	int64_t sec = time_now_ms() / 1000;
	char remaining[16], reset[32];
	bool over;

	MLC_UNUSED(req);
	bump(f);
	pthread_mutex_lock(&f->lock);
	if (sec != f->window_sec) {
		f->window_sec = sec;
		f->window_used = 0;
	}
	over = f->window_used >= 5;
	if (over)
		f->over_limit++;
	else
		f->window_used++;
	snprintf(remaining, sizeof(remaining), "%d", 5 - f->window_used);
	pthread_mutex_unlock(&f->lock);
	snprintf(reset, sizeof(reset), "%lld", (long long)sec + 1);
	if (over)
		http_response_error(resp, 429, "limit", "You have surpassed the max number");
	else
		http_response_json(resp, 200, json_pack("{s:b}", "ok", 1));
	http_response_header(resp, "X-Rate-Limit-Limit", "5");
	http_response_header(resp, "X-Rate-Limit-Remaining", remaining);
	http_response_header(resp, "X-Rate-Limit-Reset", reset);
}

static void h_drop(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	MLC_UNUSED(req);
	bump(arg);
	resp->drop_connection = true; /* the sandbox's "lost" fault */
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct mlc_http_server_opts opts = {0};
	struct mlc_error err;

	pthread_mutex_init(&f->lock, NULL);
	opts.listen = "127.0.0.1:0";
	opts.threads = 16;
	opts.name = "upstream-sim";
	assert_int_equal(http_server_new(&opts, &f->srv, &err), 0);
	assert_int_equal(http_server_route(f->srv, "GET", "/ok", h_ok, f), 0);
	assert_int_equal(http_server_route(f->srv, "POST", "/ok", h_ok, f), 0);
	assert_int_equal(http_server_route(f->srv, "GET", "/flaky", h_flaky, f), 0);
	assert_int_equal(http_server_route(f->srv, "POST", "/flaky", h_flaky, f), 0);
	assert_int_equal(http_server_route(f->srv, "GET", "/bad", h_bad, f), 0);
	assert_int_equal(http_server_route(f->srv, "POST", "/500", h_500, f), 0);
	assert_int_equal(http_server_route(f->srv, "GET", "/500", h_500, f), 0);
	assert_int_equal(http_server_route(f->srv, "GET", "/429/{mode}", h_429, f), 0);
	assert_int_equal(http_server_route(f->srv, "POST", "/429/{mode}", h_429, f), 0);
	assert_int_equal(http_server_route(f->srv, "GET", "/login401", h_login401, f), 0);
	assert_int_equal(http_server_route(f->srv, "GET", "/auth", h_auth, f), 0);
	assert_int_equal(http_server_route(f->srv, "GET", "/slow", h_slow, f), 0);
	assert_int_equal(http_server_route(f->srv, "POST", "/slow", h_slow, f), 0);
	assert_int_equal(http_server_route(f->srv, "GET", "/conc/{n}", h_conc, f), 0);
	assert_int_equal(http_server_route(f->srv, "GET", "/window", h_window, f), 0);
	assert_int_equal(http_server_route(f->srv, "GET", "/drop", h_drop, f), 0);
	assert_int_equal(http_server_route(f->srv, "POST", "/drop", h_drop, f), 0);
	assert_int_equal(http_server_start(f->srv, &err), 0);
	snprintf(f->base, sizeof(f->base), "http://127.0.0.1:%d", http_server_port(f->srv));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	http_server_free(f->srv);
	pthread_mutex_destroy(&f->lock);
	free(f);
	return 0;
}

/* Fast defaults for tests: short backoff, few attempts. */
static struct mlc_http_upstream *upstream(struct fixture *f, struct mlc_http_upstream_opts *o)
{
	struct mlc_http_upstream_opts dflt = {0};
	struct mlc_http_upstream *up;
	struct mlc_error err;

	if (!o)
		o = &dflt;
	o->name = o->name ? o->name : "sim";
	o->base_url = f->base;
	if (!o->backoff_base_ms)
		o->backoff_base_ms = 20;
	if (!o->backoff_max_ms)
		o->backoff_max_ms = 100;
	if (!o->max_attempts)
		o->max_attempts = 4;
	if (!o->timeout_ms)
		o->timeout_ms = 5000;
	assert_int_equal(http_upstream_new(o, &up, &err), 0);
	return up;
}

/* Sends method path on up; returns the outcome, resp filled. */
static int send1(struct mlc_http_upstream *up, const char *method, const char *path,
		 struct mlc_http_resp *resp, struct mlc_error *err)
{
	struct mlc_http_req req;
	int rc;

	http_req_init(&req, method, path);
	if (!strcmp(method, "POST"))
		http_req_json(&req, json_pack("{s:s}", "name", "Acme"));
	rc = http_upstream_send(up, &req, resp, err);
	http_req_release(&req);
	return rc;
}

static void test_retry_503_then_200(void **state)
{
	struct fixture *f = *state;
	struct mlc_http_upstream *up = upstream(f, NULL);
	struct mlc_http_resp resp;
	struct mlc_error err;

	http_resp_init(&resp);
	assert_int_equal(send1(up, "GET", "/flaky", &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.attempts, 2);
	assert_int_equal(f->calls, 2);
	/* 503 means not processed: a POST is retried too */
	f->calls = 0;
	assert_int_equal(send1(up, "POST", "/flaky", &resp, &err), 0);
	assert_int_equal(resp.attempts, 2);
	assert_true(metrics_counter_get("mlc_http_client_retries_total",
					"upstream=\"sim\",reason=\"503\"") >= 2);
	http_resp_release(&resp);
	http_upstream_free(up);
}

static void test_400_not_retried(void **state)
{
	struct fixture *f = *state;
	struct mlc_http_upstream *up = upstream(f, NULL);
	struct mlc_http_resp resp;
	struct mlc_error err;
	json_t *j;

	http_resp_init(&resp);
	assert_int_equal(send1(up, "GET", "/bad", &resp, &err), MLC_EPERM);
	assert_int_equal(err.code, MLC_EPERM);
	assert_int_equal(resp.status, 400);
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(f->calls, 1);
	assert_non_null(strstr(err.msg, "HTTP 400"));
	assert_non_null(strstr(err.msg, "INVALID_CONTENT"));
	j = http_resp_json(&resp, &err);
	assert_non_null(j);
	json_decref(j);
	/* not found, too */
	assert_int_equal(send1(up, "GET", "/nothing", &resp, &err), MLC_EPERM);
	assert_int_equal(resp.status, 404);
	assert_int_equal(resp.attempts, 1);
	http_resp_release(&resp);
	http_upstream_free(up);
}

static void test_500_post_unknown(void **state)
{
	struct fixture *f = *state;
	struct mlc_http_upstream *up = upstream(f, NULL);
	struct mlc_http_resp resp;
	struct mlc_error err;

	http_resp_init(&resp);
	/* a POST that got 500 may have been applied: no blind re-send */
	assert_int_equal(send1(up, "POST", "/500", &resp, &err), MLC_EUNKNOWN);
	assert_int_equal(resp.attempts, 1);
	/* a GET is retried until attempts run out */
	assert_int_equal(send1(up, "GET", "/500", &resp, &err), MLC_ETRANSIENT);
	assert_int_equal(resp.attempts, 4);
	assert_non_null(strstr(err.msg, "gave up"));
	http_resp_release(&resp);
	http_upstream_free(up);
}

static void check_429_wait(struct fixture *f, const char *path, int64_t min_ms)
{
	struct mlc_http_upstream *up = upstream(f, NULL);
	struct mlc_http_resp resp;
	struct mlc_error err;
	int64_t t0 = time_mono_ms(), took;

	f->calls = 0;
	f->first_ms = f->last_ms = 0;
	http_resp_init(&resp);
	assert_int_equal(send1(up, "GET", path, &resp, &err), 0);
	took = time_mono_ms() - t0;
	assert_int_equal(resp.attempts, 2);
	assert_true(f->last_ms - f->first_ms >= min_ms);
	assert_true(took >= min_ms);
	assert_true(took < 8000);
	http_resp_release(&resp);
	http_upstream_free(up);
}

/* A wait beyond max_retry_ms is not slept through: the caller gets it. */
static void check_429_budget(struct fixture *f)
{
	struct mlc_http_upstream_opts o = {0};
	struct mlc_http_upstream *up;
	struct mlc_http_resp resp;
	struct mlc_error err;

	o.max_retry_ms = 500;
	up = upstream(f, &o);
	f->calls = 0;
	http_resp_init(&resp);
	assert_int_equal(send1(up, "GET", "/429/seconds", &resp, &err), MLC_ERATELIMIT);
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(resp.retry_after_ms, 1000);
	assert_int_equal(resp.status, 429);
	http_resp_release(&resp);
	http_upstream_free(up);
}

/*
 * Issue 21 item 5: a Retry-After date in 2100 is capped like the seconds
 * form, and the pause it puts on the upstream never outlives a request's
 * budget: the next request is answered at once with the wait left
 * instead of sleeping through it.
 */
static void check_429_far_date(struct fixture *f)
{
	struct mlc_http_upstream_opts o = {0};
	struct mlc_http_upstream *up;
	struct mlc_http_resp resp;
	struct mlc_error err;
	int64_t t0;

	o.max_retry_ms = 500;
	up = upstream(f, &o);
	f->calls = 0;
	http_resp_init(&resp);
	t0 = time_mono_ms();
	assert_int_equal(send1(up, "GET", "/429/y2100", &resp, &err), MLC_ERATELIMIT);
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(resp.retry_after_ms, 3600 * 1000);
	/* the upstream is paused now: the next request is not sent */
	assert_int_equal(send1(up, "GET", "/ok", &resp, &err), MLC_ERATELIMIT);
	assert_int_equal(resp.attempts, 0);
	assert_int_equal(f->calls, 1);
	assert_true(resp.retry_after_ms > 3500 * 1000);
	assert_true(resp.retry_after_ms <= 3600 * 1000);
	assert_non_null(strstr(err.msg, "paused"));
	assert_true(time_mono_ms() - t0 < 3000);
	http_resp_release(&resp);
	http_upstream_free(up);
}

static void test_429_retry_after(void **state)
{
	struct fixture *f = *state;
	double before = metrics_counter_get("mlc_http_client_throttled_total",
					    "upstream=\"sim\",status=\"429\"");

	check_429_wait(f, "/429/seconds", 1000);
	check_429_budget(f);
	check_429_far_date(f);
	/* an HTTP-date 2 s ahead: at least 1 s whatever the sub-second phase */
	check_429_wait(f, "/429/date", 1000);
	/* X-Rate-Limit-Reset 2 s ahead (whole seconds) */
	check_429_wait(f, "/429/reset", 1000);
	assert_true(metrics_counter_get("mlc_http_client_throttled_total",
					"upstream=\"sim\",status=\"429\"") >= before + 3);
}

static void test_netsuite_concurrency(void **state)
{
	struct fixture *f = *state;
	struct mlc_http_upstream_opts o = {0};
	struct mlc_http_upstream *up;
	struct mlc_http_resp resp;
	struct mlc_error err;

	o.login_401_retries = 2;
	up = upstream(f, &o);
	http_resp_init(&resp);
	/* 429 CONCURRENCY_LIMIT_EXCEEDED, no Retry-After; POST retried too */
	assert_int_equal(send1(up, "POST", "/429/netsuite", &resp, &err), 0);
	assert_int_equal(resp.attempts, 2);
	/* 401 "Invalid login attempt" twice (no auth hook): retried on budget */
	f->calls = 0;
	assert_int_equal(send1(up, "GET", "/login401", &resp, &err), 0);
	assert_int_equal(resp.attempts, 3);
	http_upstream_free(up);
	/* without the budget, a 401 is an auth failure at once */
	up = upstream(f, NULL);
	f->calls = 0;
	assert_int_equal(send1(up, "GET", "/login401", &resp, &err), MLC_EAUTH);
	assert_int_equal(resp.attempts, 1);
	http_resp_release(&resp);
	http_upstream_free(up);
}

static int auth_hook(void *arg, struct mlc_buf *value, bool force_refresh)
{
	struct fixture *f = arg;

	pthread_mutex_lock(&f->lock);
	f->auth_calls++;
	if (force_refresh)
		f->auth_refreshes++;
	pthread_mutex_unlock(&f->lock);
	buf_addstr(value, f->auth_refreshes ? "Bearer fresh-token-2" : "Bearer stale-token-1");
	return 0;
}

static int auth_fail(void *arg, struct mlc_buf *value, bool force_refresh)
{
	MLC_UNUSED(arg);
	MLC_UNUSED(value);
	MLC_UNUSED(force_refresh);
	return MLC_EAUTH;
}

static void test_auth_refresh(void **state)
{
	struct fixture *f = *state;
	struct mlc_http_upstream_opts o = {0};
	struct mlc_http_upstream *up;
	struct mlc_http_resp resp;
	struct mlc_error err;

	o.auth = auth_hook;
	o.auth_arg = f;
	up = upstream(f, &o);
	http_resp_init(&resp);
	assert_int_equal(send1(up, "GET", "/auth", &resp, &err), 0);
	assert_int_equal(resp.attempts, 2);
	assert_int_equal(f->auth_calls, 2);
	assert_int_equal(f->auth_refreshes, 1);
	/* a second 401 after the refresh is final */
	f->auth_refreshes = 0;
	f->auth_calls = 0;
	f->calls = 0;
	http_upstream_free(up);
	o.auth_arg = f;
	up = upstream(f, &o);
	assert_int_equal(send1(up, "GET", "/login401", &resp, &err), MLC_EAUTH);
	assert_int_equal(resp.attempts, 2);
	assert_int_equal(f->auth_refreshes, 1);
	http_upstream_free(up);
	/* the hook failing stops the send before anything goes out */
	o.auth = auth_fail;
	up = upstream(f, &o);
	f->calls = 0;
	assert_int_equal(send1(up, "GET", "/ok", &resp, &err), MLC_EAUTH);
	assert_int_equal(f->calls, 0);
	assert_int_equal(resp.attempts, 0);
	http_resp_release(&resp);
	http_upstream_free(up);
}

static void test_timeout_unknown(void **state)
{
	struct fixture *f = *state;
	struct mlc_http_upstream_opts o = {0};
	struct mlc_http_upstream *up;
	struct mlc_http_resp resp;
	struct mlc_error err;

	o.timeout_ms = 300;
	o.max_attempts = 2;
	up = upstream(f, &o);
	http_resp_init(&resp);
	assert_int_equal(send1(up, "POST", "/slow", &resp, &err), MLC_EUNKNOWN);
	assert_int_equal(err.code, MLC_EUNKNOWN);
	assert_int_equal(resp.status, 0);
	assert_int_equal(resp.attempts, 1); /* never re-sent blindly */
	assert_non_null(strstr(err.msg, "outcome unknown"));
	/* a GET may be repeated; still unknown at the end */
	assert_int_equal(send1(up, "GET", "/slow", &resp, &err), MLC_EUNKNOWN);
	assert_int_equal(resp.attempts, 2);
	http_resp_release(&resp);
	http_upstream_free(up);
}

static void test_lost_response(void **state)
{
	struct fixture *f = *state;
	struct mlc_http_upstream *up = upstream(f, NULL);
	struct mlc_http_resp resp;
	struct mlc_error err;

	http_resp_init(&resp);
	/* handled, then the connection dropped: the write may have happened */
	assert_int_equal(send1(up, "POST", "/drop", &resp, &err), MLC_EUNKNOWN);
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(f->calls, 1);
	assert_int_equal(send1(up, "GET", "/drop", &resp, &err), MLC_EUNKNOWN);
	assert_int_equal(resp.attempts, 4);
	http_resp_release(&resp);
	http_upstream_free(up);
}

static void test_keep_alive(void **state)
{
	struct fixture *f = *state;
	struct mlc_http_upstream_opts o = {0};
	struct mlc_http_upstream *up;
	struct mlc_http_resp resp;
	struct mlc_error err;
	double before;

	o.name = "keepalive";
	up = upstream(f, &o);
	http_resp_init(&resp);
	before = metrics_counter_get("mlc_http_client_connections_total", "upstream=\"keepalive\"");
	for (int i = 0; i < 10; i++)
		assert_int_equal(send1(up, "GET", "/ok", &resp, &err), 0);
	assert_true(metrics_counter_get("mlc_http_client_connections_total",
					"upstream=\"keepalive\"") == before + 1);
	http_resp_release(&resp);
	http_upstream_free(up);
}

static void test_connect_refused(void **state)
{
	struct fixture *f = *state;
	struct mlc_http_upstream_opts o = {0};
	struct mlc_http_upstream *up;
	struct mlc_http_resp resp;
	struct mlc_error err;

	/* a port nobody listens on any more */
	http_server_stop(f->srv);
	o.max_attempts = 3;
	up = upstream(f, &o);
	http_resp_init(&resp);
	assert_int_equal(send1(up, "POST", "/ok", &resp, &err), MLC_ETRANSIENT);
	assert_int_equal(resp.attempts, 3);
	http_resp_release(&resp);
	http_upstream_free(up);
}

struct worker {
	pthread_t th;
	struct mlc_http_upstream *up;
	int n, ok;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < w->n; i++) {
		struct mlc_http_resp resp;
		struct mlc_error err;
		http_resp_init(&resp);
		if (send1(w->up, "GET", "/conc/1", &resp, &err) == 0)
			w->ok++;
		http_resp_release(&resp);
	}
	return NULL;
}

/* Sends from nthreads threads at once, per requests each, all succeeding. */
static void run_workers(struct mlc_http_upstream *up, int nthreads, int per)
{
	struct worker w[16];

	assert_true(nthreads <= 16);
	for (int i = 0; i < nthreads; i++) {
		w[i].up = up;
		w[i].n = per;
		w[i].ok = 0;
		pthread_create(&w[i].th, NULL, worker_run, &w[i]);
	}
	for (int i = 0; i < nthreads; i++) {
		pthread_join(w[i].th, NULL);
		assert_int_equal(w[i].ok, per);
	}
}

static void test_concurrency_cap(void **state)
{
	struct fixture *f = *state;
	struct mlc_http_upstream_opts o = {0};
	struct mlc_http_upstream *up;
	struct mlc_http_req reqs[50];
	struct mlc_http_resp resps[50];
	int rcs[50];
	char path[32];

	o.max_concurrency = 3;
	up = upstream(f, &o);
	for (int i = 0; i < 50; i++) {
		snprintf(path, sizeof(path), "/conc/%d", i);
		http_req_init(&reqs[i], "GET", path);
		http_resp_init(&resps[i]);
	}
	/* 50 queued in one batch asking for 50 in flight */
	assert_int_equal(http_upstream_send_many(up, reqs, resps, rcs, NULL, 50, 50), 0);
	for (int i = 0; i < 50; i++) {
		json_t *j = http_resp_json(&resps[i], NULL);
		snprintf(path, sizeof(path), "/conc/%d", i);
		assert_int_equal(rcs[i], 0);
		assert_string_equal(json_string_value(json_object_get(j, "path")), path);
		json_decref(j);
		http_req_release(&reqs[i]);
		http_resp_release(&resps[i]);
	}
	assert_int_equal(f->max_in_flight, 3);
	/* and from 10 threads at once, 5 each */
	f->max_in_flight = 0;
	run_workers(up, 10, 5);
	assert_true(f->max_in_flight <= 3);
	assert_true(f->max_in_flight >= 2);
	assert_int_equal(f->calls, 100);
	http_upstream_free(up);
}

static void test_pacing(void **state)
{
	struct fixture *f = *state;
	struct mlc_http_upstream_opts o = {0};
	struct mlc_http_upstream *up;
	struct mlc_http_req reqs[21];
	struct mlc_http_resp resps[21];
	int rcs[21];
	int64_t t0, took;

	o.rate_per_sec = 20;
	o.burst = 1;
	up = upstream(f, &o);
	for (int i = 0; i < 21; i++) {
		http_req_init(&reqs[i], "GET", "/ok");
		http_resp_init(&resps[i]);
	}
	t0 = time_mono_ms();
	assert_int_equal(http_upstream_send_many(up, reqs, resps, rcs, NULL, 21, 8), 0);
	took = time_mono_ms() - t0;
	/* 21 sends at 20/s with a burst of 1: 20 gaps of 50 ms */
	assert_true(f->last_ms - f->first_ms >= 900);
	assert_true(took < 6000);
	for (int i = 0; i < 21; i++) {
		assert_int_equal(rcs[i], 0);
		http_req_release(&reqs[i]);
		http_resp_release(&resps[i]);
	}
	assert_true(metrics_counter_get("mlc_http_client_limit_wait_seconds_total",
					"upstream=\"sim\"") > 0.5);
	/* the same budget holds across threads: 4 x 5 sends at 20/s */
	f->calls = 0;
	f->first_ms = f->last_ms = 0;
	run_workers(up, 4, 5);
	assert_int_equal(f->calls, 20);
	assert_true(f->last_ms - f->first_ms >= 850);
	http_upstream_free(up);
}

static void test_rate_headers(void **state)
{
	struct fixture *f = *state;
	struct mlc_http_upstream_opts o = {0};
	struct mlc_http_upstream *up;
	struct mlc_http_req reqs[11];
	struct mlc_http_resp resps[11];
	int rcs[11];

	/* no configured rate: the headers alone keep us under 5/s */
	o.max_attempts = 1;
	up = upstream(f, &o);
	for (int i = 0; i < 11; i++) {
		http_req_init(&reqs[i], "GET", "/window");
		http_resp_init(&resps[i]);
	}
	assert_int_equal(http_upstream_send_many(up, reqs, resps, rcs, NULL, 11, 2), 0);
	for (int i = 0; i < 11; i++) {
		assert_int_equal(rcs[i], 0);
		http_req_release(&reqs[i]);
		http_resp_release(&resps[i]);
	}
	assert_int_equal(f->over_limit, 0);
	assert_int_equal(f->calls, 11);
	http_upstream_free(up);
}

static void test_query_and_body(void **state)
{
	struct fixture *f = *state;
	struct mlc_http_upstream *up = upstream(f, NULL);
	struct mlc_http_req req;
	struct mlc_http_resp resp;
	struct mlc_error err;
	json_t *j;

	http_req_init(&req, "GET", "/ok");
	http_req_query(&req, "filters[origin_id]", "ns:vendor:12 & co/ä");
	http_req_query(&req, "q", "a+b=c");
	http_req_header(&req, "Procore-Company-Id", "42");
	http_resp_init(&resp);
	assert_int_equal(http_upstream_send(up, &req, &resp, &err), 0);
	j = http_resp_json(&resp, &err);
	assert_string_equal(json_string_value(json_object_get(j, "origin")), "ns:vendor:12 & co/ä");
	assert_string_equal(json_string_value(json_object_get(j, "q")), "a+b=c");
	json_decref(j);
	http_req_release(&req);

	http_req_init(&req, "POST", "/ok");
	http_req_form(&req, "grant_type", "client_credentials");
	http_req_form(&req, "scope", "a b");
	assert_int_equal(http_upstream_send(up, &req, &resp, &err), 0);
	j = http_resp_json(&resp, &err);
	assert_string_equal(json_string_value(json_object_get(j, "body")),
			    "grant_type=client_credentials&scope=a+b");
	json_decref(j);
	http_req_release(&req);

	/* an absolute URL must stay on the upstream's origin */
	http_req_init(&req, "GET", "http://127.0.0.2:1/steal");
	assert_int_equal(http_upstream_send(up, &req, &resp, &err), MLC_EINVAL);
	http_req_release(&req);
	http_resp_release(&resp);
	http_upstream_free(up);
}

static void test_transport_rules(void **state)
{
	struct mlc_http_upstream_opts o = {0};
	struct mlc_http_upstream *up = NULL;
	struct mlc_error err;

	MLC_UNUSED(state);
	o.base_url = "http://api.procore.com";
	assert_int_equal(http_upstream_new(&o, &up, &err), MLC_EINVAL);
	assert_null(up);
	assert_non_null(strstr(err.msg, "https"));
	o.base_url = "ftp://127.0.0.1/";
	assert_int_equal(http_upstream_new(&o, &up, &err), MLC_EINVAL);
	o.base_url = "https://api.procore.com/";
	assert_int_equal(http_upstream_new(&o, &up, &err), 0);
	http_upstream_free(up);
	o.base_url = "http://[::1]:8702";
	assert_int_equal(http_upstream_new(&o, &up, &err), 0);
	http_upstream_free(up);
}

static void test_debug_log_redacted(void **state)
{
	struct fixture *f = *state;
	struct mlc_http_upstream_opts o = {0};
	struct mlc_http_upstream *up;
	struct mlc_http_req req;
	struct mlc_http_resp resp;
	struct mlc_error err;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	o.auth = auth_hook;
	o.auth_arg = f;
	up = upstream(f, &o);
	log_setup(MLC_LOG_DEBUG, MLC_LOG_LOGFMT, mem);
	http_req_init(&req, "POST", "/ok");
	http_req_header(&req, "X-Api-Key", "key-material-123");
	http_req_form(&req, "client_secret", "hunter2-secret");
	http_req_form(&req, "client_assertion", "eyJhbGciOiJQUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln");
	http_resp_init(&resp);
	assert_int_equal(http_upstream_send(up, &req, &resp, &err), 0);
	log_setup(MLC_LOG_WARN, MLC_LOG_LOGFMT, NULL);
	fclose(mem);
	/* the server did get the real header */
	assert_string_equal(f->last_auth, "Bearer stale-token-1");
	assert_non_null(strstr(text, "http client request"));
	assert_non_null(strstr(text, "http client response"));
	assert_non_null(strstr(text, "Authorization: [REDACTED]"));
	assert_null(strstr(text, "stale-token-1"));
	assert_null(strstr(text, "key-material-123"));
	assert_null(strstr(text, "hunter2-secret"));
	assert_null(strstr(text, "eyJhbGciOiJQUzI1NiJ9"));
	free(text);
	http_req_release(&req);
	http_resp_release(&resp);
	http_upstream_free(up);
}

static void test_metrics_exposed(void **state)
{
	struct fixture *f = *state;
	struct mlc_http_upstream *up = upstream(f, NULL);
	struct mlc_http_resp resp;
	struct mlc_error err;
	struct mlc_buf text = MLC_BUF_INIT;

	http_resp_init(&resp);
	assert_int_equal(send1(up, "GET", "/ok", &resp, &err), 0);
	metrics_render(&text);
	assert_non_null(strstr(text.data, "mlc_http_client_requests_total{upstream=\"sim\","
					  "status=\"200\"}"));
	assert_non_null(strstr(text.data, "# TYPE mlc_http_client_request_duration_seconds "
					  "histogram"));
	buf_release(&text);
	http_resp_release(&resp);
	http_upstream_free(up);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_retry_503_then_200, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_400_not_retried, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_500_post_unknown, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_429_retry_after, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_netsuite_concurrency, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_auth_refresh, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_timeout_unknown, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lost_response, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_keep_alive, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_connect_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_concurrency_cap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pacing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rate_headers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_query_and_body, setup, teardown),
	    cmocka_unit_test(test_transport_rules),
	    cmocka_unit_test_setup_teardown(test_debug_log_redacted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_metrics_exposed, setup, teardown),
	};
	int rc;

	log_setup(MLC_LOG_WARN, MLC_LOG_LOGFMT, NULL);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	metrics_reset();
	return rc;
}
