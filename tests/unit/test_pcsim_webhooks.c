/*
 * Conformance tests of the Procore simulator's webhooks (docs/reference/procore.md:82-96):
 * each hook gets the payload version it was registered with (v2, v3, v4),
 * with our client id as source_application_id on API writes, destination headers,
 * retries with backoff on the sandbox clock, discard after 12 h of
 * failure, delivery history, duplicates under pc:dup.  A receiver server
 * on loopback records what arrives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pcsim_test.h"

static pthread_mutex_t rx_lock = PTHREAD_MUTEX_INITIALIZER;
static json_t *rx_events; /* received payloads, each with "_auth" */
static int rx_status = 200;

static void rx_handler(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct mlc_error err;
	json_t *ev = http_request_json(req, &err);
	const char *auth = http_request_header(req, "Authorization");
	int status;
	(void)arg;

	pthread_mutex_lock(&rx_lock);
	status = rx_status;
	if (ev && status == 200) {
		json_object_set_new(ev, "_auth", json_string(auth ? auth : ""));
		json_array_append(rx_events, ev);
	}
	pthread_mutex_unlock(&rx_lock);
	json_decref(ev);
	http_response_json(resp, status, json_object());
}

static struct mlc_http_server *rx_start(char *url, size_t n)
{
	struct mlc_error err;
	struct mlc_http_server_opts o = {.listen = "127.0.0.1:0", .threads = 2, .name = "receiver"};
	struct mlc_http_server *s = NULL;

	if (http_server_new(&o, &s, &err) ||
	    http_server_route(s, "POST", "/hook", rx_handler, NULL) || http_server_start(s, &err))
		return NULL;
	snprintf(url, n, "http://127.0.0.1:%d/hook", http_server_port(s));
	return s;
}

static size_t rx_count(void)
{
	size_t n;
	pthread_mutex_lock(&rx_lock);
	n = json_array_size(rx_events);
	pthread_mutex_unlock(&rx_lock);
	return n;
}

static bool wait_rx(size_t n, int ms)
{
	for (int i = 0; i < ms / 20; i++) {
		if (rx_count() >= n)
			return true;
		usleep(20 * 1000);
	}
	return rx_count() >= n;
}

static json_t *rx_get(size_t i)
{
	json_t *e;
	pthread_mutex_lock(&rx_lock);
	e = json_incref(json_array_get(rx_events, i));
	pthread_mutex_unlock(&rx_lock);
	return e;
}

/* A company hook with the given payload version and Authorization value,
 * and triggers for Direct Costs update and Company Vendors create. */
static int64_t make_hook_v(struct pct *t, const char *url, const char *version, const char *auth)
{
	char body[1024];
	json_t *r;
	int64_t id;

	snprintf(body, sizeof(body),
		 "{\"company_id\":%lld,\"hook\":{\"api_version\":\"%s\",\"namespace\":\"mlc\","
		 "\"destination_url\":\"%s\","
		 "\"destination_headers\":{\"Authorization\":\"%s\"}}}",
		 (long long)t->company_id, version, url, auth);
	r = pct_call(t, "POST", "/rest/v1.0/webhooks/hooks", body, 0);
	assert_int_equal(t->status, 201);
	id = json_integer_value(json_object_get(r, "id"));
	json_decref(r);
	snprintf(body, sizeof(body),
		 "{\"company_id\":%lld,\"api_triggers\":[{\"resource_name\":\"Direct "
		 "Costs\",\"event_type\":\"update\"},"
		 "{\"resource_name\":\"Company Vendors\",\"event_type\":\"create\"},"
		 "{\"resource_name\":\"Requisitions\",\"event_type\":\"create\"}]}",
		 (long long)t->company_id);
	r = pct_callf(t, "POST", body, 0, "/rest/v1.0/webhooks/hooks/%lld/triggers/bulk",
		      (long long)id);
	assert_int_equal(t->status, 200);
	assert_int_equal(json_array_size(json_object_get(r, "success")), 2);
	/* Not a webhook resource: requisitions are polled (docs/reference/procore.md:96). */
	assert_int_equal(json_array_size(json_object_get(r, "failures")), 1);
	json_decref(r);
	return id;
}

static int64_t make_hook(struct pct *t, const char *url)
{
	return make_hook_v(t, url, "v2", "Bearer s3cret");
}

static void make_vendor(struct pct *t, const char *name)
{
	char body[256];
	json_t *r;
	snprintf(body, sizeof(body), "{\"company_id\":%lld,\"vendor\":{\"name\":\"%s\"}}",
		 (long long)t->company_id, name);
	r = pct_call(t, "POST", "/rest/v1.0/vendors", body, 0);
	assert_int_equal(t->status, 201);
	json_decref(r);
}

static int64_t unlocked_dc(struct pct *t)
{
	json_t *dcs = pct_call(t, "GET", "/_sandbox/state/direct_costs", NULL,
			       PCT_NOAUTH | PCT_NOCOMPANY),
	       *d;
	int64_t id = 0;
	size_t i;
	json_array_foreach (dcs, i, d) {
		if (json_integer_value(json_object_get(d, "_company_id")) == t->company_id &&
		    json_is_null(json_object_get(d, "origin_id")) &&
		    strcmp(json_string_value(json_object_get(d, "status")), "draft") == 0)
			id = json_integer_value(json_object_get(d, "id"));
	}
	json_decref(dcs);
	return id;
}

static void test_payloads(void **state)
{
	struct pct t;
	char url[128];
	struct mlc_http_server *rx = rx_start(url, sizeof(url));
	json_t *e, *m, *r;
	int64_t hook;
	const char *app;
	static const char *const keys[] = {
	    "id",         "ulid",        "timestamp",  "metadata",      "user_id",    "company_id",
	    "project_id", "api_version", "event_type", "resource_name", "resource_id"};
	(void)state;

	assert_non_null(rx);
	rx_events = json_array();
	rx_status = 200;
	assert_int_equal(pct_start(&t, NULL, 0, 0, 0), 0);
	app = json_string_value(json_object_get(json_object_get(t.cred, "procore"), "client_id"));
	assert_non_null(app);
	hook = make_hook(&t, url);

	/* An API write: Company Vendors, no project, our application id. */
	make_vendor(&t, "Webhook Vendor One");
	assert_true(wait_rx(1, 3000));
	e = rx_get(0);
	for (size_t i = 0; i < MLC_ARRAY_LEN(keys); i++)
		assert_non_null(json_object_get(e, keys[i]));
	assert_true(json_integer_value(json_object_get(e, "id")) > 9007199254740992LL);
	assert_int_equal(strlen(json_string_value(json_object_get(e, "ulid"))), 26);
	assert_string_equal(json_string_value(json_object_get(e, "resource_name")),
			    "Company Vendors");
	assert_string_equal(json_string_value(json_object_get(e, "event_type")), "create");
	assert_string_equal(json_string_value(json_object_get(e, "api_version")), "v2.0");
	assert_true(json_is_null(json_object_get(e, "project_id")));
	assert_null(json_object_get(e, "related_resources"));
	assert_string_equal(json_string_value(json_object_get(e, "_auth")), "Bearer s3cret");
	m = json_object_get(e, "metadata");
	/* Procore's type: the client id (a string) of the app that wrote */
	assert_string_equal(json_string_value(json_object_get(m, "source_application_id")), app);
	assert_true(json_is_null(json_object_get(m, "source_operation_id")) ||
		    json_is_string(json_object_get(m, "source_operation_id")));
	assert_int_equal(json_integer_value(json_object_get(m, "source_company_id")), t.company_id);
	json_decref(e);

	/* A field user's approval through the admin API: no application id. */
	r = pct_callf(&t, "POST", NULL, PCT_NOAUTH | PCT_NOCOMPANY,
		      "/_sandbox/direct_costs/%lld/approve", (long long)unlocked_dc(&t));
	assert_int_equal(t.status, 200);
	json_decref(r);
	assert_true(wait_rx(2, 3000));
	e = rx_get(1);
	assert_string_equal(json_string_value(json_object_get(e, "resource_name")), "Direct Costs");
	assert_string_equal(json_string_value(json_object_get(e, "event_type")), "update");
	assert_true(json_is_integer(json_object_get(e, "project_id")));
	assert_true(
	    json_is_null(json_object_get(json_object_get(e, "metadata"), "source_application_id")));
	json_decref(e);

	/* A project hook hears its own project only. */
	{
		char body[1024];
		json_t *dcs = pct_call(&t, "GET", "/_sandbox/state/direct_costs", NULL,
				       PCT_NOAUTH | PCT_NOCOMPANY),
		       *d;
		int64_t p0 = pct_project(&t, 0), other_dc = 0, own_dc = 0, ph;
		size_t i;
		json_array_foreach (dcs, i, d) {
			if (!json_is_null(json_object_get(d, "origin_id")) ||
			    json_integer_value(json_object_get(d, "_company_id")) != t.company_id)
				continue;
			if (json_integer_value(json_object_get(d, "_project_id")) == p0)
				own_dc = json_integer_value(json_object_get(d, "id"));
			else
				other_dc = json_integer_value(json_object_get(d, "id"));
		}
		json_decref(dcs);
		snprintf(body, sizeof(body),
			 "{\"project_id\":%lld,\"hook\":{\"api_version\":\"v2\",\"namespace\":"
			 "\"mlc-p\",\"destination_url\":\"%s\"}}",
			 (long long)p0, url);
		r = pct_call(&t, "POST", "/rest/v1.0/webhooks/hooks", body, 0);
		assert_int_equal(t.status, 201);
		assert_int_equal(json_integer_value(json_object_get(r, "owned_by_project_id")), p0);
		ph = json_integer_value(json_object_get(r, "id"));
		json_decref(r);
		r = pct_callf(&t, "POST",
			      "{\"api_trigger\":{\"resource_name\":\"Direct "
			      "Costs\",\"event_type\":\"update\"}}",
			      0, "/rest/v1.0/webhooks/hooks/%lld/triggers?project_id=%lld",
			      (long long)ph, (long long)p0);
		assert_int_equal(t.status, 201);
		json_decref(r);
		/* Other project: only the company hook hears it (1 event). */
		json_decref(pct_callf(&t, "PATCH", "{\"description\":\"a\"}",
				      PCT_NOAUTH | PCT_NOCOMPANY, "/_sandbox/direct_costs/%lld",
				      (long long)other_dc));
		assert_true(wait_rx(3, 3000));
		/* Own project: both hooks (2 events). */
		json_decref(pct_callf(&t, "PATCH", "{\"description\":\"b\"}",
				      PCT_NOAUTH | PCT_NOCOMPANY, "/_sandbox/direct_costs/%lld",
				      (long long)own_dc));
		assert_true(wait_rx(5, 3000));
		usleep(200 * 1000);
		assert_int_equal(rx_count(), 5);
		/* Deleting the project hook removes its triggers too. */
		json_decref(pct_callf(&t, "DELETE", NULL, 0,
				      "/rest/v1.0/webhooks/hooks/%lld?project_id=%lld",
				      (long long)ph, (long long)p0));
		assert_int_equal(t.status, 204);
	}

	/* Delivery history (RestV10WebhooksHooksHookIdDeliveriesGet); the
	 * record is written once the receiver's answer is back. */
	for (int i = 0; i < 100; i++) {
		r = pct_callf(&t, "GET", NULL, 0,
			      "/rest/v1.0/webhooks/hooks/%lld/deliveries?company_id=%lld",
			      (long long)hook, (long long)t.company_id);
		if (json_array_size(r) >= 4)
			break;
		json_decref(r);
		usleep(20 * 1000);
	}
	assert_int_equal(t.status, 200);
	assert_int_equal(json_array_size(r), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(r, 0), "outcome")),
			    "ok");
	assert_int_equal(
	    json_integer_value(json_object_get(json_array_get(r, 0), "response_status")), 200);
	json_decref(r);

	pct_stop(&t);
	http_server_free(rx);
	json_decref(rx_events);
}

/* The received event whose _auth is auth (a new reference: caller
 * decrefs), or NULL. */
static json_t *rx_by_auth(const char *auth)
{
	json_t *found = NULL, *e;
	size_t i;
	pthread_mutex_lock(&rx_lock);
	json_array_foreach (rx_events, i, e) {
		if (strcmp(json_string_value(json_object_get(e, "_auth")), auth) == 0)
			found = json_incref(e);
	}
	pthread_mutex_unlock(&rx_lock);
	return found;
}

static bool is_id_text(const json_t *v)
{
	const char *s = json_string_value(v);
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Three hooks on one change: each gets the version it was registered
 * with (docs/reference/procore/webhook-payloads.md sections 2-4). */
static void test_payload_versions(void **state)
{
	struct pct t;
	char url[128];
	struct mlc_http_server *rx = rx_start(url, sizeof(url));
	json_t *e, *r;
	(void)state;

	assert_non_null(rx);
	rx_events = json_array();
	rx_status = 200;
	assert_int_equal(pct_start(&t, NULL, 0, 0, 0), 0);
	make_hook_v(&t, url, "v2", "Bearer two");
	make_hook_v(&t, url, "v3.0", "Bearer three");
	make_hook_v(&t, url, "v4.0", "Bearer four");
	/* an unknown version is refused like Procore refuses it */
	{
		char body[256];
		snprintf(body, sizeof(body),
			 "{\"company_id\":%lld,\"hook\":{\"api_version\":\"v9\","
			 "\"destination_url\":\"http://127.0.0.1:9/\"}}",
			 (long long)t.company_id);
		r = pct_call(&t, "POST", "/rest/v1.0/webhooks/hooks", body, 0);
		assert_int_equal(t.status, 422);
		assert_non_null(json_object_get(json_object_get(r, "errors"), "api_version"));
		json_decref(r);
	}
	make_vendor(&t, "Versioned Vendor");
	assert_true(wait_rx(3, 3000));

	e = rx_by_auth("Bearer two");
	assert_non_null(e);
	assert_string_equal(json_string_value(json_object_get(e, "api_version")), "v2.0");
	assert_true(json_is_integer(json_object_get(e, "id")));
	assert_true(json_is_integer(json_object_get(e, "company_id")));
	assert_true(json_is_integer(json_object_get(e, "resource_id")));
	assert_string_equal(json_string_value(json_object_get(e, "event_type")), "create");
	assert_string_equal(json_string_value(json_object_get(e, "resource_name")),
			    "Company Vendors");
	assert_true(json_is_string(
	    json_object_get(json_object_get(e, "metadata"), "source_application_id")));
	assert_null(json_object_get(e, "related_resources"));
	assert_null(json_object_get(e, "reason"));
	json_decref(e);

	e = rx_by_auth("Bearer three");
	assert_non_null(e);
	assert_string_equal(json_string_value(json_object_get(e, "api_version")), "v3.0");
	assert_true(json_is_integer(json_object_get(e, "id")));
	assert_true(json_is_array(json_object_get(e, "related_resources")));
	assert_int_equal(json_array_size(json_object_get(e, "related_resources")), 0);
	assert_true(json_is_string(
	    json_object_get(json_object_get(e, "metadata"), "source_application_id")));
	json_decref(e);

	e = rx_by_auth("Bearer four");
	assert_non_null(e);
	assert_int_equal(strlen(json_string_value(json_object_get(e, "id"))), 26); /* a ULID */
	assert_true(is_id_text(json_object_get(e, "company_id")));
	assert_true(is_id_text(json_object_get(e, "user_id")));
	assert_true(is_id_text(json_object_get(e, "resource_id")));
	assert_true(json_is_null(json_object_get(e, "project_id"))); /* company-level */
	assert_string_equal(json_string_value(json_object_get(e, "reason")), "create");
	assert_string_equal(json_string_value(json_object_get(e, "resource_type")),
			    "Company Vendors");
	{
		/* an API write: the service account's user id, as a string */
		char su[24];
		snprintf(su, sizeof(su), "%lld",
			 (long long)json_integer_value(json_object_get(
			     json_object_get(t.cred, "procore"), "service_user_id")));
		assert_string_equal(json_string_value(json_object_get(e, "user_id")), su);
	}
	for (size_t i = 0; i < 5; i++) {
		static const char *const absent[] = {"ulid", "metadata", "api_version",
						     "event_type", "resource_name"};
		assert_null(json_object_get(e, absent[i]));
	}
	json_decref(e);
	/* one event per hook, no more */
	usleep(200 * 1000);
	assert_int_equal(rx_count(), 3);

	pct_stop(&t);
	http_server_free(rx);
	json_decref(rx_events);
	rx_events = NULL;
}

static const char *last_outcome(struct pct *t, int64_t hook)
{
	static char out[32];
	json_t *r = pct_callf(t, "GET", NULL, 0,
			      "/rest/v1.0/webhooks/hooks/%lld/deliveries?company_id=%lld",
			      (long long)hook, (long long)t->company_id);
	snprintf(out, sizeof(out), "%s",
		 r && json_array_size(r)
		     ? json_string_value(json_object_get(json_array_get(r, 0), "outcome"))
		     : "");
	json_decref(r);
	return out;
}

static bool wait_outcome(struct pct *t, int64_t hook, const char *want)
{
	/* At most 10 calls a second: stay under the default spike limit. */
	for (int i = 0; i < 120; i++) {
		if (strcmp(last_outcome(t, hook), want) == 0)
			return true;
		usleep(100 * 1000);
	}
	return false;
}

/* docs/reference/procore.md:91-92: non-2xx is retried with backoff (1 s .. 1 h) and
 * discarded after 12 h of failure; time travel compresses the waits. */
static void test_retry_and_discard(void **state)
{
	struct pct t;
	char url[128];
	struct mlc_http_server *rx = rx_start(url, sizeof(url));
	int64_t hook;
	json_t *r;
	(void)state;

	rx_events = json_array();
	rx_status = 500;
	assert_int_equal(pct_start(&t, NULL, 0, 0, 0), 0);
	hook = make_hook(&t, url);
	make_vendor(&t, "Retry Vendor");
	assert_true(wait_outcome(&t, hook, "failed"));
	assert_int_equal(rx_count(), 0);
	/* Still failing one backoff later: recorded as retried. */
	sandbox_advance(&t.sb, 1500);
	assert_true(wait_outcome(&t, hook, "retried"));
	pthread_mutex_lock(&rx_lock);
	rx_status = 200;
	pthread_mutex_unlock(&rx_lock);
	sandbox_advance(&t.sb, 5000);
	assert_true(wait_rx(1, 3000));
	assert_true(wait_outcome(&t, hook, "ok"));

	/* Now fail for 12 hours: the event is discarded. */
	pthread_mutex_lock(&rx_lock);
	rx_status = 503;
	pthread_mutex_unlock(&rx_lock);
	make_vendor(&t, "Discard Vendor");
	assert_true(wait_outcome(&t, hook, "failed"));
	sandbox_advance(&t.sb, 13LL * 3600 * 1000);
	assert_int_equal(pct_token(&t), 0); /* the old token expired meanwhile */
	assert_true(wait_outcome(&t, hook, "discarded"));
	r = pct_call(&t, "GET", "/_sandbox/webhooks", NULL, PCT_NOAUTH | PCT_NOCOMPANY);
	assert_int_equal(json_integer_value(json_object_get(r, "pending")), 0);
	json_decref(r);
	assert_int_equal(rx_count(), 1);

	pct_stop(&t);
	http_server_free(rx);
	json_decref(rx_events);
}

/* docs/reference/procore.md:92 "At-least-once": under pc:dup every event arrives twice
 * and events arrive out of order. */
static void test_dup_fault(void **state)
{
	struct pct t;
	char url[128], name[64];
	struct mlc_http_server *rx = rx_start(url, sizeof(url));
	json_t *seen = json_object();
	int64_t prev = 0;
	bool reordered = false;
	(void)state;

	rx_events = json_array();
	rx_status = 200;
	assert_int_equal(pct_start(&t, NULL, 0, 1.0, 0), 0);
	make_hook(&t, url);
	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "Dup Vendor %d", i);
		make_vendor(&t, name);
	}
	assert_true(wait_rx(12, 5000));
	for (size_t i = 0; i < 12; i++) {
		json_t *e = rx_get(i);
		int64_t id = json_integer_value(json_object_get(e, "id"));
		const char *ulid = json_string_value(json_object_get(e, "ulid"));
		json_object_set_new(
		    seen, ulid, json_integer(json_integer_value(json_object_get(seen, ulid)) + 1));
		if (id < prev)
			reordered = true;
		prev = id;
		json_decref(e);
	}
	assert_int_equal(json_object_size(seen), 6);
	{
		const char *k;
		json_t *n;
		json_object_foreach (seen, k, n)
			assert_int_equal(json_integer_value(n), 2);
	}
	assert_true(reordered);
	json_decref(seen);
	pct_stop(&t);
	http_server_free(rx);
	json_decref(rx_events);
}

static void slow_handler(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	static int calls;
	(void)req;
	(void)arg;
	pthread_mutex_lock(&rx_lock);
	calls++;
	pthread_mutex_unlock(&rx_lock);
	if (calls == 1)
		usleep(5300 * 1000);
	http_response_json(resp, 200, json_object());
}

/* docs/reference/procore.md:91: a 2xx later than 5 s counts as a failure and is retried. */
static void test_slow_receiver(void **state)
{
	struct pct t;
	struct mlc_error err;
	struct mlc_http_server_opts o = {.listen = "127.0.0.1:0", .threads = 2, .name = "slow"};
	struct mlc_http_server *rx = NULL;
	char url[128];
	int64_t hook;
	json_t *r;
	(void)state;

	assert_int_equal(http_server_new(&o, &rx, &err), 0);
	assert_int_equal(http_server_route(rx, "POST", "/hook", slow_handler, NULL), 0);
	assert_int_equal(http_server_start(rx, &err), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", http_server_port(rx));
	assert_int_equal(pct_start(&t, NULL, 0, 0, 0), 0);
	hook = make_hook(&t, url);
	make_vendor(&t, "Slow Vendor");
	assert_true(wait_outcome(&t, hook, "failed"));
	r = pct_callf(&t, "GET", NULL, 0,
		      "/rest/v1.0/webhooks/hooks/%lld/deliveries?company_id=%lld", (long long)hook,
		      (long long)t.company_id);
	assert_non_null(json_string_value(json_object_get(json_array_get(r, 0), "response_error")));
	json_decref(r);
	sandbox_advance(&t.sb, 1500);
	assert_true(wait_outcome(&t, hook, "ok"));
	pct_stop(&t);
	http_server_free(rx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_payloads),          cmocka_unit_test(test_payload_versions),
	    cmocka_unit_test(test_retry_and_discard), cmocka_unit_test(test_dup_fault),
	    cmocka_unit_test(test_slow_receiver),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
