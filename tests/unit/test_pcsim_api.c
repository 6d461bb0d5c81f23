/*
 * Conformance tests of the Procore simulator's API, over HTTP on loopback.
 * Each test cites the line of docs/reference/procore.md (or the endpoint
 * schema) it checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pcsim_test.h"

static struct pct T;

static int setup(void **state)
{
	(void)state;
	return pct_start(&T, NULL, 0, 0, 0);
}

static int teardown(void **state)
{
	(void)state;
	pct_stop(&T);
	return 0;
}

static json_t *state_table(const char *kind)
{
	return pct_callf(&T, "GET", NULL, PCT_NOAUTH | PCT_NOCOMPANY, "/_sandbox/state/%s", kind);
}

/* docs/reference/procore.md:18-22: client credentials, form or JSON; expires_in 5400,
 * created_at, no refresh token. */
static void test_auth_token(void **state)
{
	const json_t *pc = json_object_get(T.cred, "procore");
	char body[512];
	json_t *r;
	(void)state;

	snprintf(body, sizeof(body), "grant_type=client_credentials&client_id=%s&client_secret=%s",
		 json_string_value(json_object_get(pc, "client_id")),
		 json_string_value(json_object_get(pc, "client_secret")));
	r = pct_call(&T, "POST", "/oauth/token", body, PCT_NOAUTH | PCT_NOCOMPANY | PCT_FORM);
	assert_int_equal(T.status, 200);
	assert_true(json_is_string(json_object_get(r, "access_token")));
	assert_string_equal(json_string_value(json_object_get(r, "token_type")), "bearer");
	assert_int_equal(json_integer_value(json_object_get(r, "expires_in")), 5400);
	assert_true(json_is_integer(json_object_get(r, "created_at")));
	assert_null(json_object_get(r, "refresh_token"));
	json_decref(r);

	/* Wrong secret -> 401. */
	snprintf(body, sizeof(body),
		 "{\"grant_type\":\"client_credentials\",\"client_id\":\"%s\",\"client_secret\":"
		 "\"nope\"}",
		 json_string_value(json_object_get(pc, "client_id")));
	r = pct_call(&T, "POST", "/oauth/token", body, PCT_NOAUTH | PCT_NOCOMPANY);
	assert_int_equal(T.status, 401);
	assert_string_equal(json_string_value(json_object_get(r, "error")), "invalid_client");
	json_decref(r);

	/* No bearer token -> 401. */
	r = pct_call(&T, "GET", "/rest/v1.0/companies", NULL, PCT_NOAUTH);
	assert_int_equal(T.status, 401);
	json_decref(r);
}

/* docs/reference/procore.md:24-28: Procore-Company-Id required; companies lists where the
 * app is installed. */
static void test_company_header(void **state)
{
	json_t *r;
	(void)state;

	r = pct_call(&T, "GET", "/rest/v1.0/companies", NULL, PCT_NOCOMPANY);
	assert_int_equal(T.status, 400);
	assert_string_equal(json_string_value(json_object_get(r, "errors")),
			    "Missing Procore-Company-Id header!");
	json_decref(r);

	r = pct_call(&T, "GET", "/rest/v1.0/companies", NULL, 0);
	assert_int_equal(T.status, 200);
	assert_int_equal(json_array_size(r), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(r, 0), "id")),
			 T.company_id);
	json_decref(r);
}

/* Issue 5 "objects of another company are invisible". */
static void test_other_company_invisible(void **state)
{
	json_t *projects = state_table("projects"), *p, *r;
	int64_t other_project = 0, other_company = 0;
	size_t i;
	char path[256];
	(void)state;

	json_array_foreach (projects, i, p) {
		if (json_integer_value(json_object_get(p, "_company_id")) != T.company_id) {
			other_project = json_integer_value(json_object_get(p, "id"));
			other_company = json_integer_value(json_object_get(p, "_company_id"));
		}
	}
	json_decref(projects);
	assert_true(other_project > 0);
	r = pct_callf(&T, "GET", NULL, 0, "/rest/v1.0/projects/%lld/direct_costs",
		      (long long)other_project);
	assert_int_equal(T.status, 404);
	json_decref(r);
	r = pct_callf(&T, "GET", NULL, 0, "/rest/v1.0/vendors?company_id=%lld",
		      (long long)other_company);
	assert_int_equal(T.status, 403);
	json_decref(r);
	snprintf(path, sizeof(path), "/rest/v1.0/projects?company_id=%lld&per_page=100",
		 (long long)T.company_id);
	r = pct_call(&T, "GET", path, NULL, 0);
	assert_int_equal(T.status, 200);
	assert_int_equal(json_array_size(r), 10);
	json_array_foreach (r, i, p)
		assert_true(json_integer_value(json_object_get(p, "id")) != other_project);
	json_decref(r);
}

/* docs/reference/procore.md:31-32: page, per_page, Total, Per-Page, Link without next on
 * the last page; and rate headers on every response (docs/reference/procore.md:33-34). */
static void test_paging(void **state)
{
	json_t *r;
	long total, last;
	const char *link;
	(void)state;

	r = pct_callf(&T, "GET", NULL, 0, "/rest/v1.0/vendors?company_id=%lld&per_page=50",
		      (long long)T.company_id);
	assert_int_equal(T.status, 200);
	assert_int_equal(json_array_size(r), 50);
	json_decref(r);
	total = strtol(pct_header(&T, "Total"), NULL, 10);
	assert_true(total > 150);
	assert_string_equal(pct_header(&T, "Per-Page"), "50");
	assert_non_null(pct_header(&T, "X-Rate-Limit-Limit"));
	assert_non_null(pct_header(&T, "X-Rate-Limit-Remaining"));
	assert_non_null(pct_header(&T, "X-Rate-Limit-Reset"));
	link = pct_header(&T, "Link");
	assert_non_null(link);
	assert_non_null(strstr(link, "rel=\"next\""));
	assert_non_null(strstr(link, "page=2>"));
	last = (total + 49) / 50;
	r = pct_callf(&T, "GET", NULL, 0, "/rest/v1.0/vendors?company_id=%lld&per_page=50&page=%ld",
		      (long long)T.company_id, last);
	assert_int_equal(json_array_size(r), (size_t)(total - (last - 1) * 50));
	json_decref(r);
	link = pct_header(&T, "Link");
	assert_non_null(link);
	assert_null(strstr(link, "rel=\"next\""));
	assert_non_null(strstr(link, "rel=\"prev\""));
}

static json_t *vendor_sync(const char *updates)
{
	char body[4096];
	snprintf(body, sizeof(body), "{\"company_id\":%lld,\"updates\":%s}",
		 (long long)T.company_id, updates);
	return pct_call(&T, "PATCH", "/rest/v1.0/vendors/sync", body, 0);
}

/* docs/reference/procore.md:47-50: sync semantics. */
static void test_vendor_sync(void **state)
{
	json_t *r, *e;
	int64_t id;
	(void)state;

	/* origin_id only, not found -> created. */
	r = vendor_sync("[{\"origin_id\":\"ns:vendor:1\",\"name\":\"Sync Test Vendor\"}]");
	assert_int_equal(T.status, 200);
	assert_int_equal(json_array_size(json_object_get(r, "entities")), 1);
	assert_int_equal(json_array_size(json_object_get(r, "errors")), 0);
	id = json_integer_value(
	    json_object_get(json_array_get(json_object_get(r, "entities"), 0), "id"));
	json_decref(r);

	/* origin_id only, found -> updated (same id). */
	r = vendor_sync("[{\"origin_id\":\"ns:vendor:1\",\"name\":\"Sync Test Vendor 2\"}]");
	e = json_array_get(json_object_get(r, "entities"), 0);
	assert_int_equal(json_integer_value(json_object_get(e, "id")), id);
	assert_string_equal(json_string_value(json_object_get(e, "name")), "Sync Test Vendor 2");
	json_decref(r);

	/* id only, missing -> error echoing the input; partial success. */
	r = vendor_sync("[{\"id\":1,\"name\":\"x\"},{\"name\":\"No Ids Vendor\"}]");
	assert_int_equal(T.status, 200);
	assert_int_equal(json_array_size(json_object_get(r, "entities")), 1);
	e = json_array_get(json_object_get(r, "errors"), 0);
	assert_int_equal(json_integer_value(json_object_get(e, "id")), 1);
	assert_string_equal(json_string_value(json_object_get(e, "name")), "x");
	assert_true(json_is_array(json_object_get(json_object_get(e, "errors"), "id")));
	assert_true(json_is_null(
	    json_object_get(json_array_get(json_object_get(r, "entities"), 0), "origin_id")));
	json_decref(r);

	/* both -> update by id, the way to change origin_id. */
	{
		char upd[256];
		snprintf(upd, sizeof(upd), "[{\"id\":%lld,\"origin_id\":\"ns:vendor:1b\"}]",
			 (long long)id);
		r = vendor_sync(upd);
		e = json_array_get(json_object_get(r, "entities"), 0);
		assert_string_equal(json_string_value(json_object_get(e, "origin_id")),
				    "ns:vendor:1b");
		json_decref(r);
	}

	/* origin_id unique per company. */
	r = vendor_sync("[{\"origin_id\":\"ns:vendor:2\",\"name\":\"Two\"}]");
	json_decref(r);
	{
		char upd[256];
		snprintf(upd, sizeof(upd), "[{\"id\":%lld,\"origin_id\":\"ns:vendor:2\"}]",
			 (long long)id);
		r = vendor_sync(upd);
		e = json_array_get(json_object_get(r, "errors"), 0);
		assert_non_null(json_object_get(json_object_get(e, "errors"), "origin_id"));
		json_decref(r);
	}

	/* filters[origin_id]. */
	r = pct_callf(&T, "GET", NULL, 0,
		      "/rest/v1.0/vendors?company_id=%lld&filters%%5Borigin_id%%5D=ns:vendor:2",
		      (long long)T.company_id);
	assert_int_equal(json_array_size(r), 1);
	json_decref(r);

	/* POST with a taken origin_id -> 422 (docs/reference/procore.md:39). */
	{
		char body[256];
		snprintf(body, sizeof(body),
			 "{\"company_id\":%lld,\"vendor\":{\"name\":\"Dup\",\"origin_id\":\"ns:"
			 "vendor:2\"}}",
			 (long long)T.company_id);
		r = pct_call(&T, "POST", "/rest/v1.0/vendors", body, 0);
		assert_int_equal(T.status, 422);
		json_decref(r);
	}
}

/* docs/reference/procore.md:47: more than 1000 records -> 400. */
static void test_sync_limit(void **state)
{
	struct mlc_buf b = MLC_BUF_INIT;
	json_t *r;
	(void)state;

	buf_addf(&b, "{\"company_id\":%lld,\"updates\":[", (long long)T.company_id);
	for (int i = 0; i < 1001; i++)
		buf_addf(&b, "%s{\"name\":\"v%d\"}", i ? "," : "", i);
	buf_addstr(&b, "]}");
	r = pct_call(&T, "PATCH", "/rest/v1.0/vendors/sync", b.data, 0);
	assert_int_equal(T.status, 400);
	json_decref(r);
	buf_release(&b);
}

/* docs/reference/procore.md:57 filters[updated_at]: a range in the future admits nothing. */
static void test_vendor_updated_filter(void **state)
{
	json_t *r;
	(void)state;
	r = pct_callf(&T, "GET", NULL, 0,
		      "/rest/v1.0/"
		      "vendors?company_id=%lld&filters%%5Bupdated_at%%5D=2099-01-01T00:00:00Z..."
		      "2099-12-31T00:00:00Z",
		      (long long)T.company_id);
	assert_int_equal(T.status, 200);
	assert_int_equal(json_array_size(r), 0);
	json_decref(r);
	r = pct_callf(&T, "GET", NULL, 0,
		      "/rest/v1.0/"
		      "vendors?company_id=%lld&filters%%5Bupdated_at%%5D=2000-01-01T00:00:00Z..."
		      "2099-12-31T00:00:00Z",
		      (long long)T.company_id);
	assert_true(json_array_size(r) > 0);
	json_decref(r);
}

static int64_t first_id(const char *path_fmt, int64_t project)
{
	json_t *r = pct_callf(&T, "GET", NULL, 0, path_fmt, (long long)project);
	int64_t id = json_integer_value(json_object_get(json_array_get(r, 0), "id"));
	json_decref(r);
	return id;
}

/* docs/reference/procore.md:67-71: direct costs v1.0 (item wrapper, required fields per
 * RestV10ProjectsProjectIdDirectCostsPost), line items, v1.1 inline line
 * items; ids above 2^53 (docs/reference/procore.md:27). */
static void test_direct_costs(void **state)
{
	int64_t p = pct_project(&T, 0), vendor, cc, lit, dc;
	char body[1024];
	json_t *r;
	(void)state;

	vendor = first_id("/rest/v1.0/vendors?company_id=%lld", T.company_id);
	cc = 0;
	r = pct_callf(&T, "GET", NULL, 0, "/rest/v1.0/cost_codes?project_id=%lld&per_page=200",
		      (long long)p);
	for (size_t i = 0; i < json_array_size(r) && !cc; i++)
		if (!json_is_null(json_object_get(json_array_get(r, i), "parent")))
			cc = json_integer_value(json_object_get(json_array_get(r, i), "id"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(r, 1), "full_code")),
			    "01-100");
	json_decref(r);
	lit = first_id("/rest/v1.0/line_item_types?company_id=%lld", T.company_id);

	/* Missing required fields -> 422. */
	r = pct_callf(&T, "POST", "{\"item\":{\"description\":\"x\"}}", 0,
		      "/rest/v1.0/projects/%lld/direct_costs", (long long)p);
	assert_int_equal(T.status, 422);
	assert_non_null(json_object_get(json_object_get(r, "errors"), "vendor_id"));
	json_decref(r);

	snprintf(body, sizeof(body),
		 "{\"item\":{\"invoice_number\":\"INV-1\",\"vendor_id\":%lld,\"direct_cost_type\":"
		 "\"invoice\","
		 "\"status\":\"pending\",\"direct_cost_date\":\"2026-11-01\",\"origin_id\":\"ns:"
		 "bill:77\"}}",
		 (long long)vendor);
	r = pct_callf(&T, "POST", body, 0, "/rest/v1.0/projects/%lld/direct_costs", (long long)p);
	assert_int_equal(T.status, 201);
	dc = json_integer_value(json_object_get(r, "id"));
	assert_string_equal(json_string_value(json_object_get(r, "status")), "pending");
	json_decref(r);

	/* Same origin_id again -> 422. */
	r = pct_callf(&T, "POST", body, 0, "/rest/v1.0/projects/%lld/direct_costs", (long long)p);
	assert_int_equal(T.status, 422);
	json_decref(r);

	snprintf(body, sizeof(body),
		 "{\"line_item\":{\"amount\":\"1234.56\",\"cost_code_id\":%lld,\"line_item_type_"
		 "id\":%lld}}",
		 (long long)cc, (long long)lit);
	r = pct_callf(&T, "POST", body, 0, "/rest/v1.0/projects/%lld/direct_costs/%lld/line_items",
		      (long long)p, (long long)dc);
	assert_int_equal(T.status, 201);
	assert_true(json_integer_value(json_object_get(r, "id")) > 9007199254740992LL);
	assert_string_equal(json_string_value(json_object_get(r, "amount")), "1234.56");
	json_decref(r);
	r = pct_callf(&T, "GET", NULL, 0, "/rest/v1.0/projects/%lld/direct_costs/%lld",
		      (long long)p, (long long)dc);
	assert_string_equal(json_string_value(json_object_get(r, "grand_total")), "1234.56");
	assert_int_equal(json_integer_value(json_object_get(r, "line_items_count")), 1);
	json_decref(r);

	/* v1.1: direct_cost wrapper, inline line items. */
	snprintf(body, sizeof(body),
		 "{\"direct_cost\":{\"invoice_number\":\"INV-2\",\"vendor_id\":%lld,\"direct_cost_"
		 "type\":\"expense\","
		 "\"line_items\":[{\"amount\":\"10.00\",\"cost_code_id\":%lld,\"line_item_type_"
		 "id\":%lld},"
		 "{\"amount\":\"5.25\",\"cost_code_id\":%lld,\"line_item_type_id\":%lld}]}}",
		 (long long)vendor, (long long)cc, (long long)lit, (long long)cc, (long long)lit);
	r = pct_callf(&T, "POST", body, 0, "/rest/v1.1/projects/%lld/direct_costs", (long long)p);
	assert_int_equal(T.status, 201);
	assert_int_equal(json_array_size(json_object_get(r, "line_items")), 2);
	assert_string_equal(json_string_value(json_object_get(r, "grand_total")), "15.25");
	{
		/* PATCH: a line with an id is updated; one bad line and nothing changes. */
		long long d11 = (long long)json_integer_value(json_object_get(r, "id"));
		long long l0 = (long long)json_integer_value(
		    json_object_get(json_array_get(json_object_get(r, "line_items"), 0), "id"));
		json_t *r2;
		snprintf(body, sizeof(body),
			 "{\"direct_cost\":{\"description\":\"bad\",\"line_items\":[{\"id\":%lld,"
			 "\"amount\":\"20.00\"},"
			 "{\"amount\":\"x\",\"cost_code_id\":%lld}]}}",
			 l0, (long long)cc);
		r2 = pct_callf(&T, "PATCH", body, 0, "/rest/v1.1/projects/%lld/direct_costs/%lld",
			       (long long)p, d11);
		assert_int_equal(T.status, 422);
		assert_non_null(
		    json_object_get(json_object_get(r2, "errors"), "line_items[1].amount"));
		json_decref(r2);
		snprintf(body, sizeof(body),
			 "{\"direct_cost\":{\"line_items\":[{\"id\":%lld,\"amount\":\"20.00\"}]}}",
			 l0);
		r2 = pct_callf(&T, "PATCH", body, 0, "/rest/v1.1/projects/%lld/direct_costs/%lld",
			       (long long)p, d11);
		assert_int_equal(T.status, 200);
		assert_string_equal(json_string_value(json_object_get(r2, "grand_total")), "25.25");
		assert_true(json_is_null(json_object_get(r2, "description")));
		assert_int_equal(json_array_size(json_object_get(r2, "line_items")), 2);
		json_decref(r2);
	}
	json_decref(r);

	/* v1.0 with the v1.1 wrapper is a 400: the wrapper is `item`. */
	r = pct_callf(&T, "POST", body, 0, "/rest/v1.0/projects/%lld/direct_costs", (long long)p);
	assert_int_equal(T.status, 400);
	json_decref(r);

	/* Direct cost line items sync: create on a direct cost by origin_id,
	 * then update by origin_id; a missing direct_cost_id is an error. */
	snprintf(body, sizeof(body),
		 "{\"updates\":[{\"origin_id\":\"ns:line:1\",\"direct_cost_id\":%lld,\"amount\":"
		 "\"100.00\",\"cost_code_id\":%lld},"
		 "{\"origin_id\":\"ns:line:2\",\"amount\":\"1.00\",\"cost_code_id\":%lld}]}",
		 (long long)dc, (long long)cc, (long long)cc);
	r = pct_callf(&T, "PATCH", body, 0, "/rest/v1.0/projects/%lld/direct_costs/line_items/sync",
		      (long long)p);
	assert_int_equal(T.status, 200);
	assert_int_equal(json_array_size(json_object_get(r, "entities")), 1);
	assert_non_null(json_object_get(
	    json_object_get(json_array_get(json_object_get(r, "errors"), 0), "errors"),
	    "direct_cost_id"));
	json_decref(r);
	r = pct_callf(&T, "PATCH",
		      "{\"updates\":[{\"origin_id\":\"ns:line:1\",\"amount\":\"200.00\"}]}", 0,
		      "/rest/v1.0/projects/%lld/direct_costs/line_items/sync", (long long)p);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(r, "entities"), 0), "amount")),
			    "200.00");
	json_decref(r);
	r = pct_callf(&T, "GET", NULL, 0, "/rest/v1.0/projects/%lld/direct_costs/%lld",
		      (long long)p, (long long)dc);
	assert_string_equal(json_string_value(json_object_get(r, "grand_total")), "1434.56");
	json_decref(r);

	/* Direct cost sync: partial success, error echo.  Issue 18: ns:bill:77
	 * exists and carries its origin_id, so its update is refused too. */
	snprintf(body, sizeof(body),
		 "{\"updates\":[{\"origin_id\":\"ns:bill:77\",\"status\":\"approved\"},"
		 "{\"origin_id\":\"ns:bill:78\",\"direct_cost_type\":\"invoice\"}]}");
	r = pct_callf(&T, "PATCH", body, 0, "/rest/v1.0/projects/%lld/direct_costs/sync",
		      (long long)p);
	assert_int_equal(T.status, 200);
	assert_int_equal(json_array_size(json_object_get(r, "entities")), 0);
	assert_int_equal(json_array_size(json_object_get(r, "errors")), 2);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(r, "errors"), 1), "origin_id")),
			    "ns:bill:78");
	json_decref(r);
}

/* docs/reference/procore.md:51-52 and issue 5 "Rules": a direct cost with an origin_id is
 * locked in the UI (the admin API), others can be edited and approved. */
static void test_direct_cost_lock(void **state)
{
	int64_t p = pct_project(&T, 0), vendor;
	json_t *dcs, *d, *r;
	int64_t locked = 0, free_id = 0;
	size_t i;
	char body[512];
	(void)state;

	dcs = state_table("direct_costs");
	json_array_foreach (dcs, i, d) {
		if (json_integer_value(json_object_get(d, "_project_id")) != p)
			continue;
		if (json_is_string(json_object_get(d, "origin_id")))
			locked = json_integer_value(json_object_get(d, "id"));
		else if (!free_id &&
			 strcmp(json_string_value(json_object_get(d, "status")), "pending") == 0)
			free_id = json_integer_value(json_object_get(d, "id"));
	}
	json_decref(dcs);
	if (!locked) {
		vendor = first_id("/rest/v1.0/vendors?company_id=%lld", T.company_id);
		snprintf(body, sizeof(body),
			 "{\"updates\":[{\"origin_id\":\"ns:bill:lock\",\"invoice_number\":\"L1\","
			 "\"vendor_id\":%lld,\"direct_cost_type\":\"invoice\"}]}",
			 (long long)vendor);
		r = pct_callf(&T, "PATCH", body, 0, "/rest/v1.0/projects/%lld/direct_costs/sync",
			      (long long)p);
		locked = json_integer_value(
		    json_object_get(json_array_get(json_object_get(r, "entities"), 0), "id"));
		json_decref(r);
	}
	assert_true(locked && free_id);
	r = pct_callf(&T, "PATCH", "{\"description\":\"edited on site\"}",
		      PCT_NOAUTH | PCT_NOCOMPANY, "/_sandbox/direct_costs/%lld", (long long)locked);
	assert_int_equal(T.status, 422);
	json_decref(r);
	r = pct_callf(&T, "POST", NULL, PCT_NOAUTH | PCT_NOCOMPANY,
		      "/_sandbox/direct_costs/%lld/approve", (long long)locked);
	assert_int_equal(T.status, 422);
	json_decref(r);
	r = pct_callf(&T, "POST", NULL, PCT_NOAUTH | PCT_NOCOMPANY,
		      "/_sandbox/direct_costs/%lld/approve", (long long)free_id);
	assert_int_equal(T.status, 200);
	assert_string_equal(json_string_value(json_object_get(r, "status")), "approved");
	json_decref(r);
	/* A field user deletes a direct cost: gone from the API; a locked one
	 * cannot be deleted. */
	r = pct_callf(&T, "DELETE", NULL, PCT_NOAUTH | PCT_NOCOMPANY, "/_sandbox/direct_costs/%lld",
		      (long long)free_id);
	assert_int_equal(T.status, 204);
	json_decref(r);
	r = pct_callf(&T, "GET", NULL, 0, "/rest/v1.0/projects/%lld/direct_costs/%lld",
		      (long long)p, (long long)free_id);
	assert_int_equal(T.status, 404);
	json_decref(r);
	r = pct_callf(
	    &T, "GET", NULL, 0,
	    "/rest/v1.0/projects/%lld/direct_costs/line_items?filters%%5Bdirect_cost_id%%5D=%lld",
	    (long long)p, (long long)free_id);
	assert_int_equal(json_array_size(r), 0);
	json_decref(r);
	r = pct_callf(&T, "DELETE", NULL, PCT_NOAUTH | PCT_NOCOMPANY, "/_sandbox/direct_costs/%lld",
		      (long long)locked);
	assert_int_equal(T.status, 422);
	json_decref(r);
	/* Issue 18: the API refuses an update too (422): the whole record is
	 * immutable once it carries an origin_id (docs/reference/procore.md). */
	r = pct_callf(&T, "PATCH", "{\"item\":{\"description\":\"from the ERP\"}}", 0,
		      "/rest/v1.0/projects/%lld/direct_costs/%lld", (long long)p,
		      (long long)locked);
	assert_int_equal(T.status, 422);
	json_decref(r);
}

/* Seed (issue 5): direct costs in every status on every project. */
static void test_seed_statuses(void **state)
{
	static const char *const want[] = {"draft", "pending", "revise_and_resubmit", "approved"};
	(void)state;
	for (size_t n = 0; n < 10; n++) {
		json_t *r = pct_callf(&T, "GET", NULL, 0, "/rest/v1.0/projects/%lld/direct_costs",
				      (long long)pct_project(&T, n));
		for (size_t w = 0; w < 4; w++) {
			bool seen = false;
			for (size_t i = 0; i < json_array_size(r); i++)
				seen = seen || strcmp(json_string_value(json_object_get(
							  json_array_get(r, i), "status")),
						      want[w]) == 0;
			assert_true(seen);
		}
		json_decref(r);
	}
	assert_string_equal(
	    json_string_value(json_object_get(
		json_array_get(json_object_get(T.seed, "procore_projects"), 0), "project_number")),
	    "MBG-2401");
}

/* docs/reference/procore.md:58-62: PO contracts (+ sync, line items sync), commitments
 * read-only index of both kinds. */
static void test_commitments(void **state)
{
	int64_t p = pct_project(&T, 1), vendor, po, cc = 0;
	char body[1024];
	json_t *r;
	size_t n;
	(void)state;

	r = pct_callf(&T, "GET", NULL, 0, "/rest/v1.0/commitments?project_id=%lld", (long long)p);
	assert_int_equal(T.status, 200);
	n = json_array_size(r);
	assert_int_equal(n, 5);
	json_decref(r);
	vendor = first_id("/rest/v1.0/vendors?company_id=%lld", T.company_id);
	snprintf(body, sizeof(body),
		 "{\"project_id\":%lld,\"updates\":[{\"origin_id\":\"ns:po:9\",\"vendor_id\":%lld,"
		 "\"title\":\"Rebar\",\"status\":\"Draft\"},{\"origin_id\":\"ns:po:10\","
		 "\"status\":\"Bogus\"}]}",
		 (long long)p, (long long)vendor);
	/* Draft (#18): the SOV of an Approved commitment is locked */
	r = pct_call(&T, "PATCH", "/rest/v1.0/purchase_order_contracts/sync", body, 0);
	assert_int_equal(T.status, 200);
	assert_int_equal(json_array_size(json_object_get(r, "entities")), 1);
	assert_non_null(json_object_get(
	    json_object_get(json_array_get(json_object_get(r, "errors"), 0), "errors"), "status"));
	po = json_integer_value(
	    json_object_get(json_array_get(json_object_get(r, "entities"), 0), "id"));
	json_decref(r);
	r = pct_callf(&T, "GET", NULL, 0, "/rest/v1.0/cost_codes?project_id=%lld&per_page=200",
		      (long long)p);
	for (size_t i = 0; i < json_array_size(r) && !cc; i++)
		if (!json_is_null(json_object_get(json_array_get(r, i), "parent")))
			cc = json_integer_value(json_object_get(json_array_get(r, i), "id"));
	json_decref(r);
	snprintf(body, sizeof(body),
		 "{\"updates\":[{\"origin_id\":\"ns:po:9:1\",\"amount\":\"500.00\",\"cost_code_"
		 "id\":%lld}]}",
		 (long long)cc);
	r = pct_callf(&T, "PATCH", body, 0,
		      "/rest/v1.0/purchase_order_contracts/%lld/line_items/sync?project_id=%lld",
		      (long long)po, (long long)p);
	assert_int_equal(json_array_size(json_object_get(r, "entities")), 1);
	json_decref(r);
	r = pct_callf(&T, "GET", NULL, 0,
		      "/rest/v1.0/purchase_order_contracts/%lld?project_id=%lld", (long long)po,
		      (long long)p);
	assert_string_equal(json_string_value(json_object_get(r, "grand_total")), "500.00");
	assert_int_equal(json_array_size(json_object_get(r, "line_items")), 1);
	json_decref(r);
	r = pct_callf(&T, "GET", NULL, 0, "/rest/v1.0/commitments?project_id=%lld", (long long)p);
	assert_int_equal(json_array_size(r), n + 1);
	json_decref(r);
}

/* docs/reference/procore.md:63-66: requisitions, no sync endpoint, summary totals. */
static void test_requisitions(void **state)
{
	int64_t p = pct_project(&T, 2);
	json_t *r, *s;
	(void)state;
	r = pct_callf(&T, "GET", NULL, 0, "/rest/v1.0/requisitions?project_id=%lld", (long long)p);
	assert_int_equal(T.status, 200);
	assert_true(json_array_size(r) >= 2);
	s = json_object_get(json_array_get(r, 0), "summary");
	assert_true(json_is_string(json_object_get(s, "current_payment_due")));
	assert_true(json_is_string(json_object_get(s, "total_retainage")));
	json_decref(r);
	r = pct_callf(&T, "PATCH", "{}", 0, "/rest/v1.0/requisitions/sync?project_id=%lld",
		      (long long)p);
	assert_true(T.status == 404 || T.status == 405);
	json_decref(r);

	/* A field user enters the next subcontractor invoice and approves it:
	 * totals carry over from the previous one. */
	{
		char body[256];
		json_t *wos =
		    pct_callf(&T, "GET", NULL, 0, "/rest/v1.0/work_order_contracts?project_id=%lld",
			      (long long)p);
		long long wo =
		    (long long)json_integer_value(json_object_get(json_array_get(wos, 0), "id"));
		long long rid;
		json_decref(wos);
		snprintf(body, sizeof(body),
			 "{\"project_id\":%lld,\"commitment_id\":%lld,\"amount\":\"1000.00\"}",
			 (long long)p, wo);
		r = pct_call(&T, "POST", "/_sandbox/requisitions", body,
			     PCT_NOAUTH | PCT_NOCOMPANY);
		assert_int_equal(T.status, 201);
		assert_int_equal(json_integer_value(json_object_get(r, "number")), 3);
		assert_string_equal(json_string_value(json_object_get(r, "total_claimed_amount")),
				    "1000.00");
		assert_string_equal(
		    json_string_value(
			json_object_get(json_object_get(r, "summary"), "total_retainage")),
		    json_string_value(json_object_get(json_object_get(r, "summary"),
						      "completed_work_retainage_amount")));
		rid = (long long)json_integer_value(json_object_get(r, "id"));
		json_decref(r);
		r = pct_callf(&T, "POST", NULL, PCT_NOAUTH | PCT_NOCOMPANY,
			      "/_sandbox/requisitions/%lld/approve", rid);
		assert_string_equal(json_string_value(json_object_get(r, "status")), "approved");
		json_decref(r);
		snprintf(body, sizeof(body), "{\"project_id\":%lld,\"amount\":\"50000.00\"}",
			 (long long)p);
		r = pct_call(&T, "POST", "/_sandbox/payment_applications", body,
			     PCT_NOAUTH | PCT_NOCOMPANY);
		assert_int_equal(T.status, 201);
		assert_int_equal(json_integer_value(json_object_get(r, "number")), 3);
		assert_string_equal(
		    json_string_value(json_object_get(r, "total_amount_accrued_this_period")),
		    "50000.00");
		json_decref(r);
	}
}

/* docs/reference/procore.md:72-78: payment applications, cost codes, line item types,
 * budget views + detail rows, budget line items sync. */
static void test_budget_and_payapps(void **state)
{
	int64_t p = pct_project(&T, 3), view, cc = 0, lit;
	char body[512];
	json_t *r;
	(void)state;

	r = pct_callf(&T, "GET", NULL, 0, "/rest/v1.0/payment_applications?project_id=%lld",
		      (long long)p);
	assert_int_equal(json_array_size(r), 2);
	assert_true(json_is_object(json_object_get(json_array_get(r, 0), "g702")));
	json_decref(r);
	view = first_id("/rest/v1.0/budget_views?project_id=%lld", p);
	assert_true(view > 0);
	r = pct_callf(&T, "GET", NULL, 0,
		      "/rest/v1.0/budget_views/%lld/detail_rows?project_id=%lld", (long long)view,
		      (long long)p);
	assert_int_equal(T.status, 200);
	assert_true(json_array_size(r) > 10);
	assert_true(
	    json_is_string(json_object_get(json_array_get(r, 0), "original_budget_amount")));
	cc = json_integer_value(json_object_get(json_array_get(r, 0), "cost_code_id"));
	json_decref(r);
	lit = first_id("/rest/v1.0/line_item_types?company_id=%lld", T.company_id);
	snprintf(body, sizeof(body),
		 "{\"project_id\":%lld,\"budget_line_items\":[{\"origin_id\":\"ns:bud:1\",\"cost_"
		 "code_id\":%lld,"
		 "\"line_item_type_id\":%lld,\"original_budget_amount\":\"2500.00\"}]}",
		 (long long)p, (long long)cc, (long long)lit);
	r = pct_call(&T, "POST", "/rest/v1.0/budget_line_items/sync", body, 0);
	assert_int_equal(T.status, 200);
	assert_int_equal(json_array_size(json_object_get(r, "entities")), 1);
	json_decref(r);
	r = pct_callf(
	    &T, "PATCH",
	    "{\"updates\":[{\"origin_id\":\"ns:cc:1\",\"code\":\"999\",\"name\":\"Contingency\"}]}",
	    0, "/rest/v1.0/cost_codes/sync?project_id=%lld", (long long)p);
	assert_int_equal(json_array_size(json_object_get(r, "entities")), 1);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_auth_token),
	    cmocka_unit_test(test_company_header),
	    cmocka_unit_test(test_other_company_invisible),
	    cmocka_unit_test(test_paging),
	    cmocka_unit_test(test_vendor_sync),
	    cmocka_unit_test(test_sync_limit),
	    cmocka_unit_test(test_vendor_updated_filter),
	    cmocka_unit_test(test_direct_costs),
	    cmocka_unit_test(test_direct_cost_lock),
	    cmocka_unit_test(test_seed_statuses),
	    cmocka_unit_test(test_commitments),
	    cmocka_unit_test(test_requisitions),
	    cmocka_unit_test(test_budget_and_payapps),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, teardown);
}
