/*
 * The HTTP server's fast path (net/http_server.h, issue 20): a fast
 * handler answers on the I/O thread, declines to the route's handler,
 * or defers the request and has it resumed from another thread with a
 * continuation; many deferred requests wait at once without a handler
 * thread each; hooks with a before function turn the fast path off.
 * With two I/O threads, as serve runs it.
 */
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

#include "http_test.h"
#include "net/http_server.h"
#include "util/time.h"
#include "util/banned.h"

#define NDEFER 16

struct fixture {
	struct mlc_http_server *srv;
	char base[64];
	pthread_mutex_t lock;
	pthread_cond_t cv;
	int fast_calls, handler_calls, cont_calls;
	/* deferred requests waiting for the completer thread */
	struct mlc_http_request *waiting[NDEFER];
	int nwaiting;
	int release_at; /* the completer resumes them once this many wait */
	bool cont_to_worker;
	bool stop;
	pthread_t completer;
};

static void h_handler(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct fixture *f = arg;

	MLC_UNUSED(req);
	pthread_mutex_lock(&f->lock);
	f->handler_calls++;
	pthread_mutex_unlock(&f->lock);
	http_response_json(resp, 200, json_pack("{s:s}", "by", "handler"));
}

static enum http_fast cont(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct fixture *f = arg;
	bool to_worker;

	MLC_UNUSED(req);
	pthread_mutex_lock(&f->lock);
	f->cont_calls++;
	to_worker = f->cont_to_worker;
	pthread_mutex_unlock(&f->lock);
	if (to_worker)
		return HTTP_FAST_WORKER;
	http_response_json(resp, 201, json_pack("{s:s}", "by", "continuation"));
	return HTTP_FAST_ANSWERED;
}

static enum http_fast fast(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct fixture *f = arg;
	const char *mode = http_request_param(req, "mode");

	pthread_mutex_lock(&f->lock);
	f->fast_calls++;
	pthread_mutex_unlock(&f->lock);
	if (strcmp(mode, "answer") == 0) {
		http_response_json(resp, 202, json_pack("{s:s}", "by", "fast"));
		return HTTP_FAST_ANSWERED;
	}
	if (strcmp(mode, "defer") != 0)
		return HTTP_FAST_WORKER;
	http_request_defer(req);
	pthread_mutex_lock(&f->lock);
	f->waiting[f->nwaiting++] = req;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->lock);
	return HTTP_FAST_DEFERRED;
}

/* Resumes the deferred requests once release_at of them wait together. */
static void *completer_main(void *arg)
{
	struct fixture *f = arg;

	pthread_mutex_lock(&f->lock);
	while (!f->stop) {
		if (f->nwaiting && f->nwaiting >= f->release_at) {
			for (int i = 0; i < f->nwaiting; i++)
				http_request_resume(f->waiting[i], cont, f);
			f->nwaiting = 0;
		}
		pthread_cond_wait(&f->cv, &f->lock);
	}
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct mlc_http_server_opts opts = {0};
	struct mlc_error err;

	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cv, NULL);
	f->release_at = 1;
	opts.listen = "127.0.0.1:0";
	opts.threads = 2;    /* fewer than the requests deferred at once */
	opts.io_threads = 2; /* as serve runs it: MHD's thread pool */
	opts.name = "test-fast";
	assert_int_equal(http_server_new(&opts, &f->srv, &err), 0);
	assert_int_equal(
	    http_server_route_fast(f->srv, "POST", "/fast/{mode}", fast, f, h_handler, f), 0);
	assert_int_equal(http_server_route(f->srv, "POST", "/plain", h_handler, f), 0);
	assert_int_equal(http_server_start(f->srv, &err), 0);
	snprintf(f->base, sizeof(f->base), "http://127.0.0.1:%d", http_server_port(f->srv));
	assert_int_equal(pthread_create(&f->completer, NULL, completer_main, f), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	http_server_free(f->srv);
	pthread_mutex_lock(&f->lock);
	f->stop = true;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->lock);
	pthread_join(f->completer, NULL);
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->lock);
	free(f);
	return 0;
}

/* POSTs to path; checks the status and the body's "by". */
static void post_expect(struct fixture *f, const char *path, long status, const char *by)
{
	struct mlc_buf out = MLC_BUF_INIT;
	char url[256];
	json_t *j;

	snprintf(url, sizeof(url), "%s%s", f->base, path);
	assert_int_equal(ht_request("POST", url, "{}", NULL, &out), status);
	j = json_loads(out.data, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "by")), by);
	json_decref(j);
	buf_release(&out);
}

static void test_answer_and_decline(void **state)
{
	struct fixture *f = *state;

	post_expect(f, "/fast/answer", 202, "fast");
	assert_int_equal(f->fast_calls, 1);
	assert_int_equal(f->handler_calls, 0);
	/* declined: the route's handler answers on a worker */
	post_expect(f, "/fast/decline", 200, "handler");
	assert_int_equal(f->fast_calls, 2);
	assert_int_equal(f->handler_calls, 1);
	/* a route without a fast handler never calls one */
	post_expect(f, "/plain", 200, "handler");
	assert_int_equal(f->fast_calls, 2);
	assert_int_equal(f->handler_calls, 2);
}

static void test_defer_resume(void **state)
{
	struct fixture *f = *state;

	post_expect(f, "/fast/defer", 201, "continuation");
	assert_int_equal(f->cont_calls, 1);
	assert_int_equal(f->handler_calls, 0);
	/* a continuation that declines hands the request to a worker */
	pthread_mutex_lock(&f->lock);
	f->cont_to_worker = true;
	pthread_mutex_unlock(&f->lock);
	post_expect(f, "/fast/defer", 200, "handler");
	assert_int_equal(f->cont_calls, 2);
	assert_int_equal(f->handler_calls, 1);
}

struct bg_post {
	pthread_t th;
	char url[256];
	long status;
	struct mlc_buf body;
};

static void *bg_post_run(void *arg)
{
	struct bg_post *p = arg;

	p->status = ht_request("POST", p->url, "{}", NULL, &p->body);
	return NULL;
}

/* NDEFER requests deferred at the same time, with 2 handler threads: none
 * holds a thread while it waits (they are resumed only once all wait). */
static void test_many_deferred_at_once(void **state)
{
	struct fixture *f = *state;
	struct bg_post p[NDEFER];

	pthread_mutex_lock(&f->lock);
	f->release_at = NDEFER;
	pthread_mutex_unlock(&f->lock);
	for (int i = 0; i < NDEFER; i++) {
		buf_init(&p[i].body);
		snprintf(p[i].url, sizeof(p[i].url), "%s/fast/defer", f->base);
		assert_int_equal(pthread_create(&p[i].th, NULL, bg_post_run, &p[i]), 0);
	}
	for (int i = 0; i < NDEFER; i++) {
		pthread_join(p[i].th, NULL);
		assert_int_equal(p[i].status, 201);
		assert_non_null(strstr(p[i].body.data, "continuation"));
		buf_release(&p[i].body);
	}
	assert_int_equal(f->cont_calls, NDEFER);
	assert_int_equal(f->handler_calls, 0);
}

/* A client that gave up while its request was deferred: the continuation
 * still runs once (what it owns is released). */
static void test_client_gone(void **state)
{
	struct fixture *f = *state;
	char url[256];
	CURL *c = curl_easy_init();
	CURLcode cc;
	int calls = 0;

	pthread_mutex_lock(&f->lock);
	f->release_at = 2; /* held */
	pthread_mutex_unlock(&f->lock);
	snprintf(url, sizeof(url), "%s/fast/defer", f->base);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{}");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 300L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cc = curl_easy_perform(c);
	curl_easy_cleanup(c); /* the connection is closed */
	assert_int_equal(cc, CURLE_OPERATION_TIMEDOUT);
	pthread_mutex_lock(&f->lock);
	assert_int_equal(f->nwaiting, 1);
	assert_int_equal(f->cont_calls, 0);
	f->release_at = 1;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->lock);
	for (int spins = 0; spins < 500 && !calls; spins++) {
		time_sleep_ms(10);
		pthread_mutex_lock(&f->lock);
		calls = f->cont_calls;
		pthread_mutex_unlock(&f->lock);
	}
	assert_int_equal(calls, 1);
	/* the server goes on */
	post_expect(f, "/fast/answer", 202, "fast");
}

static bool hook_before(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	MLC_UNUSED(req);
	MLC_UNUSED(resp);
	MLC_UNUSED(arg);
	return false;
}

/* With a before hook (the sandbox's faults) every request takes the
 * ordinary path, so the hook sees it. */
static void test_hooks_skip_fast(void **state)
{
	struct fixture *f = *state;
	struct mlc_http_hooks hooks = {hook_before, NULL, f};

	http_server_set_hooks(f->srv, &hooks);
	post_expect(f, "/fast/answer", 200, "handler");
	assert_int_equal(f->fast_calls, 0);
	assert_int_equal(f->handler_calls, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_answer_and_decline, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_defer_resume, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_many_deferred_at_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_client_gone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hooks_skip_fast, setup, teardown),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
