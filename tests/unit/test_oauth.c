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

#include "auth/oauth.h"
#include "core/store.h"
#include "core/tenant.h"
#include "core/vault.h"
#include "fake_http.h"
#include "test_world.h"
#include "token_fake.h"
#include "util/log.h"
#include "util/redact.h"
#include "util/banned.h"

/*
 * Both providers against a token endpoint on loopback (libmicrohttpd in
 * the test): the form each sends, the JWT it signs, the diagnosis of a
 * refusal, and the auth hook's refresh-once on 401.
 */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int ns_calls, pc_calls;
static char last_form[8192];

#define form_value           fake_form_value
#define reply(c, code, json) fake_reply(c, code, json, NULL)

/* NetSuite: accept PS/ES with kid "cert-1" and iss "ns-client"; RS -> 401. */
static enum MHD_Result ns_token(struct MHD_Connection *c, const char *form)
{
	char jwt[4096], body[128];
	const char *dot;
	unsigned char hdr[256];
	size_t hn = 0;
	json_t *h;
	const char *alg;
	int n;

	dot = form_value(form, "client_assertion", jwt, sizeof(jwt)) ? strchr(jwt, '.') : NULL;
	if (!dot)
		return reply(c, 400, "{\"error\":\"invalid_request\"}");
	sodium_base642bin(hdr, sizeof(hdr) - 1, jwt, (size_t)(dot - jwt), NULL, &hn, NULL,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	hdr[hn] = '\0';
	h = json_loads((char *)hdr, 0, NULL);
	alg = json_string_value(json_object_get(h, "alg"));
	if (!alg || alg[0] == 'R' ||
	    strcmp(json_string_value(json_object_get(h, "kid")), "cert-1") != 0) {
		json_decref(h);
		return reply(c, 401, "{\"error\":\"invalid_client\"}");
	}
	json_decref(h);
	pthread_mutex_lock(&lock);
	n = ++ns_calls;
	pthread_mutex_unlock(&lock);
	snprintf(body, sizeof(body), "{\"access_token\":\"ns-access-%04d\",\"expires_in\":3600}",
		 n);
	return reply(c, 200, body);
}

static enum MHD_Result pc_token(struct MHD_Connection *c, const char *form)
{
	char id[128], secret[128], body[160];
	int n;

	if (!form_value(form, "client_id", id, sizeof(id)) ||
	    !form_value(form, "client_secret", secret, sizeof(secret)) ||
	    strcmp(id, "pc-client") != 0 || strcmp(secret, "pc-secret-value") != 0)
		return reply(c, 401, "{\"error\":\"invalid_client\"}");
	pthread_mutex_lock(&lock);
	n = ++pc_calls;
	pthread_mutex_unlock(&lock);
	snprintf(body, sizeof(body),
		 "{\"access_token\":\"pc-access-%04d\",\"token_type\":\"bearer\","
		 "\"expires_in\":\"5400\",\"created_at\":1795000000}",
		 n);
	return reply(c, 200, body);
}

static enum MHD_Result handle(struct MHD_Connection *c, const char *method, const char *url,
			      const char *body)
{
	pthread_mutex_lock(&lock);
	snprintf(last_form, sizeof(last_form), "%s", body);
	pthread_mutex_unlock(&lock);
	if (strcmp(method, "POST") == 0 &&
	    strcmp(url, "/ns/services/rest/auth/oauth2/v1/token") == 0)
		return ns_token(c, body);
	if (strcmp(method, "POST") == 0 && strcmp(url, "/pc/oauth/token") == 0)
		return pc_token(c, body);
	return reply(c, 404, "{}");
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

static const struct world_opts rsa = {"RSA", "/ns", "/pc", NULL, 42, NULL};
static const struct world_opts rsa256 = {"RSA", "/ns", "/pc", NULL, 42, "RS256"};

static struct mlc_oauth *provider(struct world *w, enum mlc_oauth_system sys,
				  struct fake_clock *clk)
{
	struct mlc_oauth_opts o = {0};
	struct mlc_oauth *a = NULL;
	struct mlc_error err = {0};

	o.store = w->store;
	o.vault = w->vault;
	o.tenant = &w->tenant;
	o.clock = clk ? fake_now : NULL;
	o.clock_arg = clk;
	assert_int_equal(oauth_new(sys, &o, &a, &err), 0);
	return a;
}

static void test_netsuite(void **state)
{
	struct world w;
	struct fake_clock clk = FAKE_CLOCK_INIT;
	struct mlc_oauth *a;
	struct mlc_buf h = MLC_BUF_INIT;
	struct mlc_error err = {0};
	char v[4096];

	(void)state;
	clk.now = time_now_ms();
	world_init(&w, &rsa, fake_port);
	a = provider(&w, MLC_OAUTH_NETSUITE, &clk);
	assert_string_equal(oauth_jwt_alg(a), "PS256");
	ns_calls = 0;
	assert_int_equal(oauth_auth_hook(a, &h, false), 0);
	assert_string_equal(h.data, "Bearer ns-access-0001");
	/* the form NetSuite asks for */
	assert_string_equal(form_value(last_form, "grant_type", v, sizeof(v)),
			    "client_credentials");
	assert_string_equal(form_value(last_form, "client_assertion_type", v, sizeof(v)),
			    "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer");
	buf_release_wipe(&h);
	/* cached: no second request */
	assert_int_equal(oauth_auth_hook(a, &h, false), 0);
	buf_release_wipe(&h);
	assert_int_equal(ns_calls, 1);
	/* 401: one forced refresh, then the new token is reused */
	assert_int_equal(oauth_auth_hook(a, &h, true), 0);
	assert_string_equal(h.data, "Bearer ns-access-0002");
	buf_release_wipe(&h);
	assert_int_equal(oauth_auth_hook(a, &h, false), 0);
	buf_release_wipe(&h);
	assert_int_equal(ns_calls, 2);
	/* 55 minutes later: refreshed before it is an hour old */
	fake_advance(&clk, 54 * 60 * 1000LL);
	assert_int_equal(oauth_token(a, &h, &err), 0);
	buf_release_wipe(&h);
	assert_int_equal(ns_calls, 2);
	fake_advance(&clk, 61 * 1000LL);
	assert_int_equal(oauth_token(a, &h, &err), 0);
	buf_release_wipe(&h);
	assert_int_equal(ns_calls, 3);
	oauth_free(a);
	world_release(&w);
}

static void *hook_thread(void *arg)
{
	struct mlc_buf h = MLC_BUF_INIT;
	intptr_t rc = oauth_auth_hook(arg, &h, false);

	buf_release_wipe(&h);
	return (void *)rc;
}

/* Fifty threads through the real provider and HTTP: one token request. */
static void test_fifty_threads_one_request(void **state)
{
	struct world w;
	struct mlc_oauth *a;
	pthread_t th[50];

	(void)state;
	world_init(&w, &rsa, fake_port);
	a = provider(&w, MLC_OAUTH_NETSUITE, NULL);
	ns_calls = 0;
	for (int i = 0; i < 50; i++)
		assert_int_equal(pthread_create(&th[i], NULL, hook_thread, a), 0);
	for (int i = 0; i < 50; i++) {
		void *rc;
		pthread_join(th[i], &rc);
		assert_int_equal((intptr_t)rc, 0);
	}
	assert_int_equal(ns_calls, 1);
	oauth_free(a);
	world_release(&w);
}

static void test_netsuite_rs256(void **state)
{
	struct world w;
	struct mlc_oauth *a;
	struct mlc_buf h = MLC_BUF_INIT;
	struct mlc_error err = {0};

	(void)state;
	world_init(&w, &rsa256, fake_port);
	a = provider(&w, MLC_OAUTH_NETSUITE, NULL);
	assert_int_equal(oauth_token(a, &h, &err), MLC_EAUTH);
	assert_string_equal(err.msg, "NetSuite rejected the JWT: algorithm RS256 is not accepted; "
				     "use a PS256 (RSA) or ES256 (EC) certificate");
	buf_release_wipe(&h);
	oauth_free(a);
	world_release(&w);
}

static void test_procore(void **state)
{
	struct world w;
	struct fake_clock clk = FAKE_CLOCK_INIT;
	struct mlc_oauth *a;
	struct mlc_buf h = MLC_BUF_INIT;
	struct mlc_error err = {0};

	(void)state;
	world_init(&w, &rsa, fake_port);
	a = provider(&w, MLC_OAUTH_PROCORE, &clk);
	pc_calls = 0;
	assert_int_equal(oauth_token(a, &h, &err), 0);
	assert_string_equal(h.data, "pc-access-0001");
	buf_release_wipe(&h);
	/* expires_in 5400 (given as a string): refreshed at 80 minutes */
	assert_int_equal(token_cache_refresh_at(oauth_cache(a)), clk.now + 80 * 60 * 1000LL);
	oauth_free(a);
	/* a wrong secret: the cause and the fix */
	assert_int_equal(secret_set(w.store, w.vault, w.tenant.id, "procore.client_secret",
				    "nope-nope", 9, &err),
			 0);
	a = provider(&w, MLC_OAUTH_PROCORE, &clk);
	assert_int_equal(oauth_token(a, &h, &err), MLC_EAUTH);
	assert_non_null(strstr(err.msg, "procore.client_secret"));
	assert_null(strstr(err.msg, "nope-nope"));
	oauth_free(a);
	world_release(&w);
}

static void test_missing_secret(void **state)
{
	struct world w;
	struct mlc_oauth_opts o = {0};
	struct mlc_oauth *a = NULL;
	struct mlc_error err = {0};

	(void)state;
	world_init(&w, &rsa, fake_port);
	assert_int_equal(secret_remove(w.store, w.tenant.id, "netsuite.certificate_id", &err), 0);
	o.store = w.store;
	o.vault = w.vault;
	o.tenant = &w.tenant;
	assert_int_equal(oauth_new(MLC_OAUTH_NETSUITE, &o, &a, &err), MLC_ENOTFOUND);
	assert_null(a);
	assert_non_null(strstr(err.msg, "secret set TENANT netsuite.certificate_id"));
	world_release(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_netsuite),       cmocka_unit_test(test_fifty_threads_one_request),
	    cmocka_unit_test(test_netsuite_rs256), cmocka_unit_test(test_procore),
	    cmocka_unit_test(test_missing_secret),
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
