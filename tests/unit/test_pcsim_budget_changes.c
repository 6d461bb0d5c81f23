/*
 * The Procore simulator's budget rules (sandbox/pcsim_budget_changes.h),
 * from docs/reference/procore/webhook-payloads.md items 5 and 6: a locked
 * budget's original is read-only, Budget Modification writes answer 405
 * "Allow: GET" after the migration, budget change adjustments are editable
 * only in Draft, and the revised budget counts approved budget changes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pcsim_test.h"
#include "util/money.h"

static struct pct T;
static int64_t view_id;

static int setup(void **state)
{
	json_t *r;
	(void)state;
	if (pct_start(&T, NULL, 0, 0, 0) != 0)
		return -1;
	r = pct_call(&T, "GET", "/rest/v1.0/budget_views", NULL, 0);
	view_id = json_integer_value(json_object_get(json_array_get(r, 0), "id"));
	json_decref(r);
	return view_id ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	pct_stop(&T);
	return 0;
}

static int64_t cents_of(const json_t *o, const char *k)
{
	struct mlc_error e;
	int64_t c = INT64_MIN;
	assert_int_equal(money_from_json(json_object_get(o, k), &c, &e), 0);
	return c;
}

/* The detail row of a project's n-th budget line (new reference). */
static json_t *row(int64_t project, size_t n)
{
	json_t *r =
	    pct_callf(&T, "GET", NULL, 0,
		      "/rest/v1.0/budget_views/%lld/detail_rows?project_id=%lld&per_page=1000",
		      (long long)view_id, (long long)project);
	json_t *o = json_incref(json_array_get(r, n));
	assert_int_equal(T.status, 200);
	assert_non_null(o);
	json_decref(r);
	return o;
}

static void test_locked_original(void **state)
{
	int64_t locked = pct_project(&T, 1), open = pct_project(&T, 0);
	json_t *a = row(locked, 0), *b = row(locked, 1), *r;
	char body[256];
	(void)state;

	/* seeded: an approved budget change moved 1500.00 from line 1 to line 0 */
	assert_int_equal(cents_of(a, "approved_budget_changes"), 150000);
	assert_int_equal(cents_of(a, "revised_budget"),
			 cents_of(a, "original_budget_amount") + 150000);
	assert_int_equal(cents_of(b, "revised_budget"),
			 cents_of(b, "original_budget_amount") - 150000);
	assert_true(json_integer_value(json_object_get(a, "wbs_code_id")) > 0);

	snprintf(body, sizeof(body),
		 "{\"project_id\":%lld,\"budget_line_item\":{\"original_budget_amount\":10.00}}",
		 (long long)locked);
	r = pct_callf(&T, "PATCH", body, 0, "/rest/v1.0/budget_line_items/%lld",
		      (long long)json_integer_value(json_object_get(a, "id")));
	assert_int_equal(T.status, 422);
	assert_true(
	    json_is_array(json_object_get(json_object_get(r, "errors"), "original_budget_amount")));
	json_decref(r);
	json_decref(b);
	b = row(locked, 0);
	assert_int_equal(cents_of(b, "original_budget_amount"),
			 cents_of(a, "original_budget_amount"));
	json_decref(a);
	json_decref(b);

	/* the unlocked project's original is still editable */
	a = row(open, 0);
	snprintf(body, sizeof(body),
		 "{\"project_id\":%lld,\"budget_line_item\":{\"original_budget_amount\":10.01}}",
		 (long long)open);
	r = pct_callf(&T, "PATCH", body, 0, "/rest/v1.0/budget_line_items/%lld",
		      (long long)json_integer_value(json_object_get(a, "id")));
	assert_int_equal(T.status, 200);
	json_decref(r);
	json_decref(a);
	a = row(open, 0);
	assert_int_equal(cents_of(a, "original_budget_amount"), 1001);
	json_decref(a);
}

static void test_modifications_405(void **state)
{
	int64_t p = pct_project(&T, 0);
	json_t *a = row(p, 0), *b = row(p, 1), *r;
	char body[256], url[128];
	(void)state;

	snprintf(url, sizeof(url), "/rest/v1.0/projects/%lld/budget_modifications", (long long)p);
	snprintf(body, sizeof(body),
		 "{\"budget_modification\":{\"to_budget_line_item_id\":%lld,"
		 "\"from_budget_line_item_id\":%lld,\"transfer_amount\":\"12.34\"}}",
		 (long long)json_integer_value(json_object_get(a, "id")),
		 (long long)json_integer_value(json_object_get(b, "id")));
	r = pct_call(&T, "POST", url, body, 0);
	assert_int_equal(T.status, 405);
	assert_string_equal(pct_header(&T, "Allow"), "GET");
	json_decref(r);
	r = pct_call(&T, "GET", url, NULL, 0);
	assert_int_equal(T.status, 200);
	assert_int_equal(json_array_size(r), 0);
	json_decref(r);

	/* a company that has not migrated still writes them */
	r = pct_callf(&T, "POST", "{\"migrated\":false}", PCT_NOAUTH | PCT_NOCOMPANY,
		      "/_sandbox/companies/%lld/budget_changes_migration", (long long)T.company_id);
	assert_int_equal(T.status, 200);
	json_decref(r);
	r = pct_call(&T, "POST", url, body, 0);
	assert_int_equal(T.status, 201);
	json_decref(r);
	json_decref(r = row(p, 0));
	json_decref(b);
	b = row(p, 0);
	assert_int_equal(cents_of(b, "budget_modifications"), 1234);
	assert_int_equal(cents_of(b, "revised_budget"),
			 cents_of(b, "original_budget_amount") + 1234);
	json_decref(b);
	json_decref(a);
	r = pct_callf(&T, "POST", "{\"migrated\":true}", PCT_NOAUTH | PCT_NOCOMPANY,
		      "/_sandbox/companies/%lld/budget_changes_migration", (long long)T.company_id);
	json_decref(r);
	r = pct_call(&T, "POST", url, body, 0);
	assert_int_equal(T.status, 405);
	json_decref(r);
}

static void test_budget_change_draft_only(void **state)
{
	int64_t p = pct_project(&T, 1);
	json_t *a = row(p, 2), *r, *l;
	int64_t before = cents_of(a, "revised_budget"), wbs, bc;
	char body[512], url[160];
	size_t i, mine = 0;
	(void)state;

	wbs = json_integer_value(json_object_get(a, "wbs_code_id"));
	snprintf(url, sizeof(url), "/rest/v1.0/projects/%lld/budget_changes", (long long)p);
	/* a budget_change line alone: it needs the change_event line of its adjustment */
	snprintf(body, sizeof(body),
		 "{\"status\":\"draft\",\"adjustment_line_items\":[{\"type\":\"budget_change\","
		 "\"adjustment_number\":1,\"wbs_code_id\":%lld,\"amount\":-5}]}",
		 (long long)wbs);
	r = pct_call(&T, "POST", url, body, 0);
	assert_int_equal(T.status, 422);
	json_decref(r);

	snprintf(
	    body, sizeof(body),
	    "{\"status\":\"draft\",\"title\":\"T1\",\"adjustment_line_items\":[{\"wbs_code_id\":"
	    "%lld,\"amount\":\"250.50\"}]}",
	    (long long)wbs);
	r = pct_call(&T, "POST", url, body, 0);
	assert_int_equal(T.status, 201);
	bc = json_integer_value(json_object_get(json_object_get(r, "data"), "id"));
	json_decref(r);
	json_decref(a);
	a = row(p, 2);
	assert_int_equal(cents_of(a, "revised_budget"), before);
	assert_int_equal(cents_of(a, "pending_budget_changes"), 25050);
	json_decref(a);

	/* in Draft, adjustments can be added */
	snprintf(body, sizeof(body),
		 "{\"adjustment_line_items\":[{\"wbs_code_id\":%lld,\"amount\":0.49}]}",
		 (long long)wbs);
	r = pct_callf(&T, "PATCH", body, 0, "%s/%lld", url, (long long)bc);
	assert_int_equal(T.status, 200);
	json_decref(r);
	r = pct_callf(&T, "PATCH", "{\"status\":\"approved\"}", 0, "%s/%lld", url, (long long)bc);
	assert_int_equal(T.status, 200);
	json_decref(r);
	a = row(p, 2);
	assert_int_equal(cents_of(a, "revised_budget"), before + 25099);
	assert_int_equal(cents_of(a, "pending_budget_changes"), 0);
	json_decref(a);

	/* approved: adjustments are locked, the figure stays */
	r = pct_callf(&T, "PATCH", body, 0, "%s/%lld", url, (long long)bc);
	assert_int_equal(T.status, 422);
	assert_non_null(json_object_get(json_object_get(r, "errors"), "adjustment_line_items"));
	json_decref(r);
	a = row(p, 2);
	assert_int_equal(cents_of(a, "revised_budget"), before + 25099);
	json_decref(a);

	/* the project-wide adjustment list, at most 100 a page */
	r = pct_callf(&T, "GET", NULL, 0,
		      "/rest/v2.0/companies/%lld/projects/%lld/budget_changes/adjustment_line_items"
		      "?per_page=1000",
		      (long long)T.company_id, (long long)p);
	assert_int_equal(T.status, 200);
	assert_string_equal(pct_header(&T, "Per-Page"), "100");
	json_array_foreach (json_object_get(r, "data"), i, l) {
		if (strcmp(json_string_value(json_object_get(l, "budget_change_name")), "T1") != 0)
			continue;
		mine++;
		assert_string_equal(json_string_value(json_object_get(l, "budget_change_status")),
				    "approved");
		assert_true(json_is_string(json_object_get(l, "wbs_code_id")));
	}
	assert_int_equal(mine, 2);
	json_decref(r);
	r = pct_callf(&T, "GET", NULL, 0,
		      "/rest/v2.0/companies/%lld/projects/%lld/budget_change_history",
		      (long long)T.company_id, (long long)p);
	assert_int_equal(T.status, 200);
	assert_true(json_array_size(json_object_get(r, "data")) >= 3);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_locked_original),
	    cmocka_unit_test(test_modifications_405),
	    cmocka_unit_test(test_budget_change_draft_only),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, teardown);
}
