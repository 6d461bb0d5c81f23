#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "flows/ping.h"
#include "core/project.h"
#include "core/store.h"
#include "core/tenant.h"
#include "core/vault.h"
#include "fake_http.h"
#include "test_world.h"
#include "util/log.h"
#include "util/redact.h"
#include "util/banned.h"

/*
 * ping against fake NetSuite and Procore APIs on loopback: what each
 * check reports, a 401 answered by one refresh, and the failures that
 * name their cause.
 */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int ns_tokens, pc_tokens;
static int reject_first_ns; /* answer 401 to the first token on SuiteQL */

static bool bearer_is(struct MHD_Connection *c, const char *prefix, int n)
{
	char want[64];
	const char *h = fake_header(c, "Authorization");

	snprintf(want, sizeof(want), "Bearer %s-%04d", prefix, n);
	return h && strcmp(h, want) == 0;
}

static enum MHD_Result handle(struct MHD_Connection *c, const char *method, const char *url,
			      const char *body)
{
	char buf[256];
	int nt, pt;

	(void)body;
	pthread_mutex_lock(&lock);
	if (strcmp(url, "/ns/services/rest/auth/oauth2/v1/token") == 0)
		ns_tokens++;
	else if (strcmp(url, "/pcauth/oauth/token") == 0)
		pc_tokens++;
	nt = ns_tokens;
	pt = pc_tokens;
	pthread_mutex_unlock(&lock);

	if (strcmp(url, "/ns/services/rest/auth/oauth2/v1/token") == 0) {
		snprintf(buf, sizeof(buf), "{\"access_token\":\"ns-%04d\",\"expires_in\":3600}",
			 nt);
		return fake_reply(c, 200, buf, NULL);
	}
	if (strcmp(url, "/pcauth/oauth/token") == 0) {
		snprintf(buf, sizeof(buf), "{\"access_token\":\"pc-%04d\",\"expires_in\":5400}",
			 pt);
		return fake_reply(c, 200, buf, NULL);
	}
	if (strncmp(url, "/ns/", 4) == 0) {
		if (!bearer_is(c, "ns", nt) || (reject_first_ns && nt == 1))
			return fake_reply(
			    c, 401,
			    "{\"type\":\"x\",\"title\":\"Unauthorized\",\"status\":401,"
			    "\"o:errorDetails\":[{\"detail\":\"Invalid login attempt.\","
			    "\"o:errorCode\":\"INVALID_LOGIN\"}]}",
			    NULL);
		if (strcmp(method, "POST") == 0 &&
		    strcmp(url, "/ns/services/rest/query/v1/suiteql") == 0) {
			if (!fake_header(c, "Prefer") ||
			    strcmp(fake_header(c, "Prefer"), "transient"))
				return fake_reply(c, 400, "{}", NULL);
			return fake_reply(
			    c, 200,
			    "{\"count\":2,\"hasMore\":false,\"totalResults\":2,"
			    "\"items\":[{\"links\":[],\"id\":\"1\",\"name\":\"Parent Co\"},"
			    "{\"links\":[],\"id\":\"2\",\"name\":\"West\"}]}",
			    NULL);
		}
		if (strcmp(url, "/ns/services/rest/system/v1/governanceLimits") == 0)
			return fake_reply(c, 200,
					  "{\"accountConcurrencyLimit\":15,"
					  "\"integrationConcurrencyLimit\":10}",
					  NULL);
		return fake_reply(c, 404, "{}", NULL);
	}
	if (!bearer_is(c, "pc", pt))
		return fake_reply(c, 401, "{\"errors\":\"Unauthorized\"}", NULL);
	if (!fake_header(c, "Procore-Company-Id"))
		return fake_reply(c, 400, "{\"errors\":\"Missing Procore-Company-Id header!\"}",
				  NULL);
	if (strcmp(url, "/pcapi/rest/v1.0/companies") == 0)
		return fake_reply(c, 200, "[{\"id\":42,\"name\":\"Acme Builders\"},{\"id\":7}]",
				  "X-Rate-Limit-Limit", "3600", "X-Rate-Limit-Remaining", "3599",
				  NULL);
	if (strcmp(url, "/pcapi/rest/v1.0/projects") == 0)
		return fake_reply(c, 200, "[{\"id\":101,\"name\":\"Tower\"}]", "Total", "1", NULL);
	if (strcmp(url, "/pcapi/rest/v1.0/projects/101") == 0)
		return fake_reply(c, 200, "{\"id\":101,\"name\":\"Tower\"}", NULL);
	if (strcmp(url, "/pcapi/rest/v1.0/projects/123") == 0)
		return fake_reply(c, 403,
				  "{\"errors\":\"You do not have access to this project.\"}", NULL);
	return fake_reply(c, 404, "{\"errors\":\"Not Found\"}", NULL);
}

static int setup(void **state)
{
	(void)state;
	return fake_start(handle);
}

static int teardown(void **state)
{
	(void)state;
	fake_stop();
	return 0;
}

static const struct world_opts ec42 = {"EC", "/ns", "/pcauth", "/pcapi", 42, NULL};
static const struct world_opts ec43 = {"EC", "/ns", "/pcauth", "/pcapi", 43, NULL};

static void link_project(struct world *w, int64_t project, int64_t job)
{
	struct mlc_project_link l = {0};
	struct mlc_error err = {0};

	l.tenant_id = w->tenant.id;
	l.procore_project_id = project;
	l.netsuite_job_id = job;
	l.active = 1;
	assert_int_equal(project_link(w->store, &l, &err), 0);
}

static void run(struct world *w, struct mlc_ping_report *r)
{
	struct mlc_ping_opts o = {0};
	struct mlc_error err = {0};

	o.store = w->store;
	o.vault = w->vault;
	o.tenant = &w->tenant;
	assert_int_equal(ping_run(&o, r, &err), 0);
}

static const struct mlc_ping_check *find(const struct mlc_ping_report *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->checks[i].name, name) == 0)
			return &r->checks[i];
	fail_msg("no check %s", name);
	return NULL;
}

static void test_all_pass(void **state)
{
	struct world w;
	struct mlc_ping_report r;
	json_t *j;

	(void)state;
	world_init(&w, &ec42, fake_port);
	ns_tokens = pc_tokens = 0;
	link_project(&w, 101, 5001);
	run(&w, &r);
	assert_true(r.ok);
	assert_non_null(strstr(find(&r, "netsuite.token")->detail, "ES256"));
	assert_non_null(
	    strstr(find(&r, "netsuite.suiteql")->detail, "2 subsidiaries: Parent Co (1)"));
	assert_non_null(strstr(find(&r, "netsuite.limits")->detail, "concurrency limit 15"));
	assert_non_null(strstr(find(&r, "procore.company")->detail, "\"Acme Builders\""));
	assert_non_null(strstr(find(&r, "procore.company")->detail, "3599 of 3600 left"));
	assert_non_null(strstr(find(&r, "procore.projects")->detail, "1 of 1 linked"));
	assert_int_equal(ns_tokens, 1);
	assert_int_equal(pc_tokens, 1);
	j = ping_report_to_json(&r, "acme");
	assert_true(json_is_true(json_object_get(j, "ok")));
	assert_int_equal(json_array_size(json_object_get(j, "checks")), r.n);
	json_decref(j);
	ping_report_release(&r);
	world_release(&w);
}

static void test_project_403_and_401_once(void **state)
{
	struct world w;
	struct mlc_ping_report r;

	(void)state;
	world_init(&w, &ec42, fake_port);
	ns_tokens = pc_tokens = 0;
	link_project(&w, 101, 5001);
	link_project(&w, 123, 5002);
	reject_first_ns = 1;
	run(&w, &r);
	reject_first_ns = 0;
	assert_false(r.ok);
	/* a 401 on SuiteQL: one refresh, then the call succeeded */
	assert_true(find(&r, "netsuite.suiteql")->ok);
	assert_int_equal(ns_tokens, 2);
	assert_false(find(&r, "procore.project.123")->ok);
	assert_string_equal(find(&r, "procore.project.123")->detail,
			    "Procore answered 403 for project 123: the service account is not a "
			    "member of that project; add it to the project's directory");
	assert_non_null(strstr(find(&r, "procore.projects")->detail, "1 of 2 linked"));
	ping_report_release(&r);
	world_release(&w);
}

static void test_wrong_company_and_missing_secret(void **state)
{
	struct world w;
	struct mlc_ping_report r;
	struct mlc_error err = {0};

	(void)state;
	world_init(&w, &ec43, fake_port);
	ns_tokens = pc_tokens = 0;
	assert_int_equal(secret_remove(w.store, w.tenant.id, "netsuite.client_id", &err), 0);
	run(&w, &r);
	assert_false(r.ok);
	assert_false(find(&r, "netsuite.token")->ok);
	assert_non_null(strstr(find(&r, "netsuite.token")->detail, "netsuite.client_id"));
	assert_false(find(&r, "procore.company")->ok);
	assert_non_null(strstr(find(&r, "procore.company")->detail,
			       "company 43 is not among the companies where the app is installed"));
	ping_report_release(&r);
	world_release(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_all_pass),
	    cmocka_unit_test(test_project_403_and_401_once),
	    cmocka_unit_test(test_wrong_company_and_missing_secret),
	};
	int rc;

	if (sodium_init() < 0)
		return 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	log_setup(MLC_LOG_ERROR, MLC_LOG_LOGFMT, stderr);
	rc = cmocka_run_group_tests(tests, setup, teardown);
	curl_global_cleanup();
	redact_reset();
	return rc;
}
