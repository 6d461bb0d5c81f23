/*
 * Conformance tests of the Procore simulator's limits: rate limits
 * (docs/reference/procore.md:33-37), platform throttling (pc:throttle), token lifetime
 * (docs/reference/procore.md:20-22) under time travel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pcsim_test.h"

#define RATE_BODY                                                                                  \
	"You have surpassed the max number of requests for an hour. Please wait until your limit " \
	"resets."

/* Spike limit of 5 per 10 s: the 6th call is a 429 with the documented
 * body and X-Rate-Limit-Remaining 0; failed calls count too; Retry-After
 * is sometimes present and sometimes not. */
static void test_spike_limit(void **state)
{
	struct pct t;
	int with_ra = 0, without_ra = 0, ok = 0;
	json_t *r;
	(void)state;

	assert_int_equal(pct_start(&t, "3600/h,5/10s", 0, 0, 0), 0);
	/* Align to the start of a 10 s window so the burst fits in one. */
	while ((sandbox_now_ms(&t.sb) / 1000) % 10 > 6)
		usleep(100 * 1000);
	/* A 404 counts against the quota like any call. */
	r = pct_call(&t, "GET", "/rest/v1.0/projects/1/direct_costs", NULL, 0);
	assert_int_equal(t.status, 404);
	assert_string_equal(pct_header(&t, "X-Rate-Limit-Limit"), "5");
	assert_string_equal(pct_header(&t, "X-Rate-Limit-Remaining"), "4");
	json_decref(r);
	for (int i = 0; i < 4; i++) {
		r = pct_call(&t, "GET", "/rest/v1.0/companies", NULL, 0);
		ok += t.status == 200;
		json_decref(r);
	}
	assert_int_equal(ok, 4);
	assert_string_equal(pct_header(&t, "X-Rate-Limit-Remaining"), "0");
	for (int i = 0; i < 12; i++) {
		r = pct_call(&t, "GET", "/rest/v1.0/companies", NULL, 0);
		assert_int_equal(t.status, 429);
		assert_string_equal(t.body.data, RATE_BODY);
		assert_string_equal(pct_header(&t, "X-Rate-Limit-Remaining"), "0");
		assert_non_null(pct_header(&t, "X-Rate-Limit-Reset"));
		if (pct_header(&t, "Retry-After"))
			with_ra++;
		else
			without_ra++;
		json_decref(r);
	}
	assert_true(with_ra > 0 && without_ra > 0);
	assert_int_equal(t.sb.pc.rejected_429, 12);
	/* The next window opens again. */
	sandbox_advance(&t.sb, 10 * 1000);
	r = pct_call(&t, "GET", "/rest/v1.0/companies", NULL, 0);
	assert_int_equal(t.status, 200);
	json_decref(r);
	pct_stop(&t);
}

/* The hourly limit is reported once it is the closer one. */
static void test_hourly_limit(void **state)
{
	struct pct t;
	json_t *r;
	(void)state;

	assert_int_equal(pct_start(&t, "3/h,100/10s", 0, 0, 0), 0);
	for (int i = 0; i < 3; i++) {
		r = pct_call(&t, "GET", "/rest/v1.0/companies", NULL, 0);
		assert_int_equal(t.status, 200);
		json_decref(r);
	}
	assert_string_equal(pct_header(&t, "X-Rate-Limit-Limit"), "3");
	r = pct_call(&t, "GET", "/rest/v1.0/companies", NULL, 0);
	assert_int_equal(t.status, 429);
	json_decref(r);
	{
		long reset = strtol(pct_header(&t, "X-Rate-Limit-Reset"), NULL, 10);
		long now = (long)(sandbox_now_ms(&t.sb) / 1000);
		assert_true(reset > now && reset <= now + 3600);
	}
	pct_stop(&t);
}

/* docs/reference/procore.md:37: 503 + Retry-After under platform throttling. */
static void test_throttle(void **state)
{
	struct pct t;
	json_t *r;
	(void)state;

	assert_int_equal(pct_start(&t, NULL, 1.0, 0, 0), 0);
	r = pct_call(&t, "GET", "/rest/v1.0/companies", NULL, 0);
	assert_int_equal(t.status, 503);
	assert_non_null(pct_header(&t, "Retry-After"));
	json_decref(r);
	pct_stop(&t);
}

/* docs/reference/procore.md:20-22: expires_in from --token-ttl; an expired token is
 * refused; "refreshing" is asking again.  Time travel expires it. */
static void test_token_ttl(void **state)
{
	struct pct t;
	json_t *r;
	(void)state;

	assert_int_equal(pct_start(&t, NULL, 0, 0, 120), 0);
	r = pct_call(&t, "GET", "/rest/v1.0/companies", NULL, 0);
	assert_int_equal(t.status, 200);
	json_decref(r);
	sandbox_advance(&t.sb, 121 * 1000);
	r = pct_call(&t, "GET", "/rest/v1.0/companies", NULL, 0);
	assert_int_equal(t.status, 401);
	assert_non_null(strstr(json_string_value(json_object_get(r, "errors")), "expired"));
	json_decref(r);
	assert_int_equal(pct_token(&t), 0);
	r = pct_call(&t, "GET", "/rest/v1.0/companies", NULL, 0);
	assert_int_equal(t.status, 200);
	json_decref(r);
	pct_stop(&t);
}

/* Projection of a table for comparison: ids, names, totals, statuses. */
static json_t *fingerprint(struct pct *t, const char *table)
{
	json_t *rows = pct_callf(t, "GET", NULL, PCT_NOAUTH | PCT_NOCOMPANY, "/_sandbox/state/%s",
				 table),
	       *out = json_array(), *r;
	size_t i;
	json_array_foreach (rows, i, r) {
		json_array_append_new(out, json_pack("{s:O,s:O*,s:O*,s:O*}", "id",
						     json_object_get(r, "id"), "name",
						     json_object_get(r, "name"), "grand_total",
						     json_object_get(r, "grand_total"), "status",
						     json_object_get(r, "status")));
	}
	json_decref(rows);
	return out;
}

/* Issue 5 "Seed data", deterministic by --seed: the same seed gives the
 * same company, another seed another one. */
static void test_seed_determinism(void **state)
{
	static const char *const tables[] = {"vendors", "direct_costs", "purchase_order_contracts",
					     "budget_line_items"};
	struct pct a, b, c;
	(void)state;

	pct_next_seed = 11;
	assert_int_equal(pct_start(&a, NULL, 0, 0, 0), 0);
	pct_next_seed = 11;
	assert_int_equal(pct_start(&b, NULL, 0, 0, 0), 0);
	pct_next_seed = 12;
	assert_int_equal(pct_start(&c, NULL, 0, 0, 0), 0);
	assert_true(
	    json_equal(json_object_get(a.cred, "procore"), json_object_get(b.cred, "procore")));
	for (size_t i = 0; i < MLC_ARRAY_LEN(tables); i++) {
		json_t *fa = fingerprint(&a, tables[i]), *fb = fingerprint(&b, tables[i]),
		       *fc = fingerprint(&c, tables[i]);
		assert_true(json_array_size(fa) > 0);
		assert_true(json_equal(fa, fb));
		assert_false(json_equal(fa, fc));
		json_decref(fa);
		json_decref(fb);
		json_decref(fc);
	}
	pct_stop(&a);
	pct_stop(&b);
	pct_stop(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spike_limit),      cmocka_unit_test(test_hourly_limit),
	    cmocka_unit_test(test_throttle),         cmocka_unit_test(test_token_ttl),
	    cmocka_unit_test(test_seed_determinism),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
