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
#include "net/metrics.h"
#include "util/log.h"
#include "util/time.h"
#include "util/banned.h"

/* One server per test, with counters the handlers update. */
struct fixture {
	struct mlc_http_server *srv;
	char base[64];
	pthread_mutex_t lock;
	int calls;
	int in_flight, max_in_flight;
	int sleep_ms;
	bool ready;
	int before_calls, after_calls;
	char last_client[64];
	char last_allow[64];
	char last_route[64];
};

static void h_echo(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct fixture *f = arg;
	const char *id = http_request_param(req, "id");
	const char *tail = http_request_param(req, "*");

	pthread_mutex_lock(&f->lock);
	f->calls++;
	snprintf(f->last_client, sizeof(f->last_client), "%s", req->client_ip);
	pthread_mutex_unlock(&f->lock);
	http_response_json(resp, 200,
			   json_pack("{s:s,s:s,s:s?,s:s?,s:i}", "method", req->method, "route",
				     req->route, "id", id, "tail", tail, "len",
				     (int)req->body_len));
}

static void add_pair(const char *key, const char *value, void *arg)
{
	json_array_append_new(arg, json_pack("[s,s]", key, value));
}

static void h_query(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	json_t *pairs = json_array();

	MLC_UNUSED(arg);
	http_request_query_each(req, add_pair, pairs);
	http_response_json(resp, 200,
			   json_pack("{s:o,s:s?,s:s?,s:s?}", "pairs", pairs, "origin",
				     http_request_query(req, "filters[origin_id]"), "flag",
				     http_request_query(req, "flag"), "missing",
				     http_request_query(req, "missing")));
}

static void h_json(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct fixture *f = arg;
	struct mlc_error err;
	json_t *j = http_request_json(req, &err);

	pthread_mutex_lock(&f->lock);
	f->calls++;
	pthread_mutex_unlock(&f->lock);
	if (!j) {
		http_response_error(resp, 400, "bad_json", "%s", err.msg);
		return;
	}
	http_response_json(resp, 201, j);
	http_response_header(resp, "Location", "/things/7");
}

static void h_slow(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct fixture *f = arg;

	MLC_UNUSED(req);
	pthread_mutex_lock(&f->lock);
	f->calls++;
	if (++f->in_flight > f->max_in_flight)
		f->max_in_flight = f->in_flight;
	pthread_mutex_unlock(&f->lock);
	time_sleep_ms(f->sleep_ms);
	pthread_mutex_lock(&f->lock);
	f->in_flight--;
	pthread_mutex_unlock(&f->lock);
	http_response_text(resp, 200, NULL, "slow done");
}

static void h_drop(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	MLC_UNUSED(req);
	MLC_UNUSED(arg);
	resp->drop_connection = true;
}

static bool is_ready(void *arg)
{
	return ((struct fixture *)arg)->ready;
}

static bool hook_before(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct fixture *f = arg;

	pthread_mutex_lock(&f->lock);
	f->before_calls++;
	pthread_mutex_unlock(&f->lock);
	if (http_request_header(req, "X-Fault")) {
		http_response_error(resp, 503, "fault", "injected");
		return true;
	}
	return false;
}

static void hook_after(const struct mlc_http_request *req, const struct mlc_http_response *resp,
		       int64_t duration_us, void *arg)
{
	struct fixture *f = arg;

	assert_true(duration_us >= 0);
	pthread_mutex_lock(&f->lock);
	f->after_calls++;
	for (size_t i = 0; i < resp->nheaders; i++)
		if (!strcmp(resp->headers[i].name, "Allow"))
			snprintf(f->last_allow, sizeof(f->last_allow), "%s",
				 resp->headers[i].value);
	snprintf(f->last_route, sizeof(f->last_route), "%s", req->route ? req->route : "");
	pthread_mutex_unlock(&f->lock);
}

static int setup_opts(void **state, const char *trusted)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct mlc_http_server_opts opts = {0};
	struct mlc_error err;
	struct mlc_http_hooks hooks = {hook_before, hook_after, f};

	pthread_mutex_init(&f->lock, NULL);
	f->sleep_ms = 300;
	f->ready = true;
	opts.listen = "127.0.0.1:0";
	opts.body_limit = 1024;
	opts.threads = 8;
	opts.name = "test";
	opts.access_log = true;
	opts.builtin_routes = true;
	opts.ready = is_ready;
	opts.ready_arg = f;
	opts.trusted_proxies = trusted;
	assert_int_equal(http_server_new(&opts, &f->srv, &err), 0);
	assert_int_equal(http_server_route(f->srv, "GET", "/things/{id}", h_echo, f), 0);
	assert_int_equal(http_server_route(f->srv, "POST", "/things", h_json, f), 0);
	assert_int_equal(http_server_route(f->srv, "GET", "/files/*", h_echo, f), 0);
	assert_int_equal(http_server_route(f->srv, "GET", "/q", h_query, f), 0);
	assert_int_equal(http_server_route(f->srv, "GET", "/slow", h_slow, f), 0);
	assert_int_equal(http_server_route(f->srv, "GET", "/drop", h_drop, f), 0);
	assert_int_equal(http_server_route(f->srv, "GET", "/multi", h_echo, f), 0);
	assert_int_equal(http_server_route(f->srv, "POST", "/multi", h_json, f), 0);
	assert_int_equal(http_server_route(f->srv, "GET", "/multi", h_query, f), 0);
	assert_int_equal(
	    http_server_route(f->srv, "GET", "/projects/{project_id}/costs/{id}", h_echo, f), 0);
	assert_int_not_equal(http_server_route(f->srv, "GET", "no-slash", h_echo, f), 0);
	http_server_set_hooks(f->srv, &hooks);
	assert_int_equal(http_server_start(f->srv, &err), 0);
	assert_true(http_server_port(f->srv) > 0);
	snprintf(f->base, sizeof(f->base), "http://127.0.0.1:%d", http_server_port(f->srv));
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_opts(state, NULL);
}

static int setup_trusted(void **state)
{
	return setup_opts(state, "127.0.0.0/8, ::1");
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	http_server_free(f->srv);
	pthread_mutex_destroy(&f->lock);
	free(f);
	return 0;
}

static long get(struct fixture *f, const char *path, struct mlc_buf *out)
{
	char url[512];

	snprintf(url, sizeof(url), "%s%s", f->base, path);
	return ht_request("GET", url, NULL, NULL, out);
}

static json_t *get_json(struct fixture *f, const char *path, long expect)
{
	struct mlc_buf out = MLC_BUF_INIT;
	json_t *j;

	assert_int_equal(get(f, path, &out), expect);
	j = json_loads(out.data, 0, NULL);
	assert_non_null(j);
	buf_release(&out);
	return j;
}

static void test_router(void **state)
{
	struct fixture *f = *state;
	json_t *j;
	char url[256];

	j = get_json(f, "/things/eid:ABC-1", 200);
	assert_string_equal(json_string_value(json_object_get(j, "id")), "eid:ABC-1");
	assert_string_equal(json_string_value(json_object_get(j, "route")), "/things/{id}");
	json_decref(j);

	j = get_json(f, "/projects/42/costs/9", 200);
	assert_string_equal(json_string_value(json_object_get(j, "id")), "9");
	json_decref(j);

	j = get_json(f, "/files/a/b/c.txt", 200);
	assert_string_equal(json_string_value(json_object_get(j, "tail")), "a/b/c.txt");
	json_decref(j);

	/* percent-decoded path */
	j = get_json(f, "/things/a%20b", 200);
	assert_string_equal(json_string_value(json_object_get(j, "id")), "a b");
	json_decref(j);

	j = get_json(f, "/nowhere", 404);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
			    "not_found");
	json_decref(j);
	j = get_json(f, "/things", 405); /* POST only */
	json_decref(j);
	snprintf(url, sizeof(url), "%s/things/1", f->base);
	assert_int_equal(ht_request("DELETE", url, NULL, NULL, NULL), 405);
	f->last_allow[0] = '\0';
	snprintf(url, sizeof(url), "%s/multi", f->base);
	assert_int_equal(ht_request("PATCH", url, NULL, NULL, NULL), 405);
	assert_string_equal(f->last_allow, "GET, POST");
	assert_string_equal(f->last_route, "/multi");
	/* {id} needs a non-empty segment; a trailing slash is another path */
	assert_int_equal(get(f, "/things/", NULL), 404);
	assert_int_equal(get(f, "/things/1/", NULL), 404);
}

static void test_query(void **state)
{
	struct fixture *f = *state;
	json_t *j, *pairs;

	j = get_json(f, "/q?filters%5Borigin_id%5D=ns%3Avendor%3A1&flag&b=x+y%2Bz&c=%E2%82%AC&b=2",
		     200);
	assert_string_equal(json_string_value(json_object_get(j, "origin")), "ns:vendor:1");
	assert_string_equal(json_string_value(json_object_get(j, "flag")), "");
	assert_true(json_is_null(json_object_get(j, "missing")));
	pairs = json_object_get(j, "pairs");
	assert_int_equal(json_array_size(pairs), 5);
	assert_string_equal(json_string_value(json_array_get(json_array_get(pairs, 2), 1)),
			    "x y+z");
	assert_string_equal(json_string_value(json_array_get(json_array_get(pairs, 3), 1)),
			    "\xe2\x82\xac");
	assert_string_equal(json_string_value(json_array_get(json_array_get(pairs, 4), 0)), "b");
	json_decref(j);
	/* unencoded brackets as curl and browsers send them */
	j = get_json(f, "/q?filters[origin_id]=x", 200);
	assert_string_equal(json_string_value(json_object_get(j, "origin")), "x");
	json_decref(j);
}

static void test_json_body(void **state)
{
	struct fixture *f = *state;
	struct mlc_buf out = MLC_BUF_INIT;
	char url[128];
	json_t *j;

	snprintf(url, sizeof(url), "%s/things", f->base);
	assert_int_equal(ht_request("POST", url, "{\"name\":\"Acme\"}", NULL, &out), 201);
	j = json_loads(out.data, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "Acme");
	json_decref(j);
	buf_reset(&out);
	assert_int_equal(ht_request("POST", url, "{\"name\":", NULL, &out), 400);
	j = json_loads(out.data, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
			    "bad_json");
	json_decref(j);
	assert_int_equal(ht_request("POST", url, NULL, NULL, NULL), 400);
	buf_release(&out);
}

static void test_body_limit(void **state)
{
	struct fixture *f = *state;
	char *big = malloc(4097);
	char url[128];
	int before;

	memset(big, 'x', 4096);
	big[4096] = '\0';
	big[0] = '{';
	snprintf(url, sizeof(url), "%s/things", f->base);
	pthread_mutex_lock(&f->lock);
	before = f->calls;
	pthread_mutex_unlock(&f->lock);
	assert_int_equal(ht_request("POST", url, big, NULL, NULL), 413);
	pthread_mutex_lock(&f->lock);
	assert_int_equal(f->calls, before);
	pthread_mutex_unlock(&f->lock);
	/* exactly at the limit passes through to the handler (as bad JSON) */
	big[1024] = '\0';
	assert_int_equal(ht_request("POST", url, big, NULL, NULL), 400);
	free(big);
}

static void test_builtins(void **state)
{
	struct fixture *f = *state;
	struct mlc_buf out = MLC_BUF_INIT;

	assert_int_equal(get(f, "/healthz", NULL), 200);
	assert_int_equal(get(f, "/readyz", NULL), 200);
	f->ready = false;
	assert_int_equal(get(f, "/readyz", NULL), 503);
	assert_int_equal(get(f, "/metrics", &out), 200);
	assert_non_null(strstr(out.data, "# TYPE mlc_http_server_requests_total counter"));
	assert_non_null(strstr(out.data, "route=\"/readyz\",status=\"503\"} 1"));
	assert_non_null(strstr(out.data, "mlc_http_server_request_duration_seconds_bucket{"));
	buf_release(&out);
}

/* Issue 21 item 3: the method is a label taken from an unauthenticated
 * request, so distinct odd methods must all land in one "other" series. */
static void test_metrics_labels_bounded(void **state)
{
	struct fixture *f = *state;
	struct mlc_buf out = MLC_BUF_INIT, all = MLC_BUF_INIT;
	char url[256], method[32], *longm;
	const char *p;
	int series = 0, n = 0;
	size_t other_series = 0;

	metrics_reset();
	snprintf(url, sizeof(url), "%s/things/1", f->base);
	for (int i = 0; i < 40; i++) {
		snprintf(method, sizeof(method), "ODD%02d", i);
		assert_int_equal(ht_request(method, url, NULL, NULL, NULL), 405);
		n++;
	}
	/* case matters: "get" is not GET */
	assert_int_equal(ht_request("get", url, NULL, NULL, NULL), 405);
	n++;
	longm = malloc(4001);
	memset(longm, 'M', 4000);
	longm[4000] = '\0';
	assert_int_equal(ht_request(longm, url, NULL, NULL, NULL), 405);
	n++;
	assert_int_equal(ht_request("DELETE", url, NULL, NULL, NULL), 405);
	assert_int_equal(get(f, "/things/1", NULL), 200);

	assert_int_equal(get(f, "/metrics", &out), 200);
	assert_null(strstr(out.data, "ODD"));
	assert_null(strstr(out.data, "MMMM"));
	assert_null(strstr(out.data, "method=\"get\""));
	for (p = out.data; (p = strstr(p, "\nmlc_http_server_requests_total{")) != NULL; p++) {
		const char *o = strstr(p, "method=\"other\"");
		series++;
		if (o && o < strchr(p + 1, '\n'))
			other_series++;
	}
	/* other, DELETE and GET, each once */
	assert_int_equal(series, 3);
	assert_int_equal(other_series, 1);
	metrics_labels(&all, "server", "test", "method", "other", "route", "/things/{id}", "status",
		       "405", (const char *)NULL);
	assert_int_equal((int)metrics_counter_get("mlc_http_server_requests_total", all.data), n);
	buf_reset(&all);
	metrics_labels(&all, "server", "test", "method", "DELETE", "route", "/things/{id}",
		       "status", "405", (const char *)NULL);
	assert_int_equal((int)metrics_counter_get("mlc_http_server_requests_total", all.data), 1);
	free(longm);
	buf_release(&all);
	buf_release(&out);
}

static void test_hooks_and_drop(void **state)
{
	struct fixture *f = *state;
	const char *fault[] = {"X-Fault: 1", NULL};
	char url[128];

	snprintf(url, sizeof(url), "%s/things/1", f->base);
	assert_int_equal(ht_request("GET", url, NULL, fault, NULL), 503);
	pthread_mutex_lock(&f->lock);
	assert_int_equal(f->calls, 0);
	assert_int_equal(f->before_calls, 1);
	assert_int_equal(f->after_calls, 1);
	assert_string_equal(f->last_route, "/things/{id}");
	pthread_mutex_unlock(&f->lock);
	/* no response at all: curl reports "empty reply" */
	assert_int_equal(get(f, "/drop", NULL), -(long)CURLE_GOT_NOTHING);
}

static void test_client_ip(void **state)
{
	struct fixture *f = *state;
	const char *xff[] = {"X-Forwarded-For: 203.0.113.7, 10.0.0.1", NULL};
	char url[128];

	snprintf(url, sizeof(url), "%s/things/1", f->base);
	assert_int_equal(ht_request("GET", url, NULL, xff, NULL), 200);
	/* the proxy list is not trusted here: the peer is the client */
	assert_string_equal(f->last_client, "127.0.0.1");
}

static void test_client_ip_trusted(void **state)
{
	struct fixture *f = *state;
	const char *xff[] = {"X-Forwarded-For: 203.0.113.7, 127.0.0.9", NULL};
	const char *xff6[] = {"X-Forwarded-For: 2001:db8::5", NULL};
	const char *bad[] = {"X-Forwarded-For: not-an-ip", NULL};
	/* issue 21 item 1: a forged line, then the trusted proxy's own line */
	const char *two[] = {"X-Forwarded-For: 203.0.113.7", "X-Forwarded-For: 198.51.100.1", NULL};
	const char *port[] = {"X-Forwarded-For: 1.2.3.4:5555", NULL};
	char url[128];

	snprintf(url, sizeof(url), "%s/things/1", f->base);
	assert_int_equal(ht_request("GET", url, NULL, xff, NULL), 200);
	assert_string_equal(f->last_client, "203.0.113.7");
	assert_int_equal(ht_request("GET", url, NULL, xff6, NULL), 200);
	assert_string_equal(f->last_client, "2001:db8::5");
	/* an unparsable entry is the client (matching no allowlist), never the proxy */
	assert_int_equal(ht_request("GET", url, NULL, bad, NULL), 200);
	assert_string_equal(f->last_client, "not-an-ip");
	assert_int_equal(ht_request("GET", url, NULL, port, NULL), 200);
	assert_string_equal(f->last_client, "1.2.3.4:5555");
	assert_int_equal(ht_request("GET", url, NULL, two, NULL), 200);
	assert_string_equal(f->last_client, "198.51.100.1");
}

struct bg_get {
	pthread_t th;
	char url[128];
	long status;
	struct mlc_buf body;
};

static void *bg_get_run(void *arg)
{
	struct bg_get *g = arg;

	g->status = ht_request("GET", g->url, NULL, NULL, &g->body);
	return NULL;
}

static void test_concurrent_handlers(void **state)
{
	struct fixture *f = *state;
	struct bg_get g[6];

	f->sleep_ms = 300;
	for (size_t i = 0; i < MLC_ARRAY_LEN(g); i++) {
		buf_init(&g[i].body);
		snprintf(g[i].url, sizeof(g[i].url), "%s/slow", f->base);
		pthread_create(&g[i].th, NULL, bg_get_run, &g[i]);
	}
	for (size_t i = 0; i < MLC_ARRAY_LEN(g); i++) {
		pthread_join(g[i].th, NULL);
		assert_int_equal(g[i].status, 200);
		buf_release(&g[i].body);
	}
	/* every request had a worker of its own (8 workers, 6 requests) */
	assert_int_equal(f->max_in_flight, 6);
}

static void test_drain_on_stop(void **state)
{
	struct fixture *f = *state;
	struct bg_get g;
	int64_t t0;
	int started = 0;

	f->sleep_ms = 800;
	buf_init(&g.body);
	snprintf(g.url, sizeof(g.url), "%s/slow", f->base);
	pthread_create(&g.th, NULL, bg_get_run, &g);
	t0 = time_mono_ms();
	while (!started && time_mono_ms() - t0 < 10000) {
		pthread_mutex_lock(&f->lock);
		started = f->in_flight;
		pthread_mutex_unlock(&f->lock);
		time_sleep_ms(5);
	}
	assert_true(started);
	http_server_stop(f->srv);
	pthread_join(g.th, NULL);
	assert_int_equal(g.status, 200);
	assert_string_equal(g.body.data, "slow done");
	buf_release(&g.body);
	/* no longer listening */
	assert_true(get(f, "/healthz", NULL) < 0);
}

static void test_ipv6_listen(void **state)
{
	struct mlc_http_server_opts opts = {0};
	struct mlc_http_server *srv;
	struct mlc_error err;
	struct mlc_buf out = MLC_BUF_INIT;
	char url[64];

	MLC_UNUSED(state);
	opts.listen = "[::1]:0";
	opts.builtin_routes = true;
	opts.trusted_proxies = "::1/128";
	assert_int_equal(http_server_new(&opts, &srv, &err), 0);
	assert_int_equal(http_server_start(srv, &err), 0);
	snprintf(url, sizeof(url), "http://[::1]:%d/healthz", http_server_port(srv));
	assert_int_equal(ht_request("GET", url, NULL, NULL, &out), 200);
	assert_string_equal(out.data, "{\"status\":\"ok\"}");
	buf_release(&out);
	http_server_free(srv);
	opts.listen = "nonsense";
	assert_int_equal(http_server_new(&opts, &srv, &err), MLC_EINVAL);
	opts.listen = "127.0.0.1:0";
	opts.trusted_proxies = "10.0.0.0/8,bogus";
	assert_int_equal(http_server_new(&opts, &srv, &err), MLC_EINVAL);
	assert_non_null(strstr(err.msg, "trusted_proxies"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_router, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_query, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_json_body, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_body_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_builtins, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_metrics_labels_bounded, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hooks_and_drop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_client_ip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_client_ip_trusted, setup_trusted, teardown),
	    cmocka_unit_test_setup_teardown(test_concurrent_handlers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_drain_on_stop, setup, teardown),
	    cmocka_unit_test(test_ipv6_listen),
	};
	int rc;

	log_setup(MLC_LOG_WARN, MLC_LOG_LOGFMT, NULL);
	curl_global_init(CURL_GLOBAL_ALL);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	metrics_reset();
	curl_global_cleanup();
	return rc;
}
