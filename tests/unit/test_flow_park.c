/*
 * Parking with candidates (flows/flow_park.h) keeps flow_park()'s rule: the
 * review item carries candidates and payload, the plan row shows the
 * candidates, a dry run stores nothing, and a park that cannot be stored
 * is a failure that holds the watermark.  Also: the vendors flow's
 * incremental read, made by the frame (netsuite/ns_since.h) from
 * NS_VENDORS_SINCE_SELECT, is the query the flow sent before it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/review.h"
#include "core/store.h"
#include "store_test.h"
#include "core/tenant.h"
#include "core/watermark.h"
#include "flows/flow.h"
#include "flows/flow_park.h"
#include "netsuite/ns_since.h"
#include "netsuite/ns_vendors.h"
#include "util/jsonx.h"

struct fixture {
	struct mlc_session s;
	struct flow_run r;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct mlc_error err = {0};
	struct mlc_tenant_changes c = {.procore_company_id = 8, .netsuite_account = "1"};

	if (!f || test_store_open(&f->s.store, &err) < 0 ||
	    tenant_add(f->s.store, "acme", &c, &err) < 0 ||
	    tenant_get(f->s.store, "acme", &f->s.tenant, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	f->r.s = &f->s;
	f->r.flow = "vendors";
	f->r.plan = json_array();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	json_decref(f->r.plan);
	json_decref(f->r.open_reviews);
	tenant_release(&f->s.tenant);
	store_free(f->s.store);
	free(f);
	return 0;
}

static const json_t *last_row(const struct fixture *f)
{
	return json_array_get(f->r.plan, json_array_size(f->r.plan) - 1);
}

static void test_park_with_candidates(void **state)
{
	struct fixture *f = *state;
	struct mlc_error err = {0};
	json_t *cands = json_pack("[{s:i, s:s}, {s:i, s:s}]", "id", 41, "name", "Acme Steel", "id",
				  42, "name", "Acme Steel Inc");
	json_t *payload = json_pack("{s:s}", "name", "ACME STEEL"), *items = NULL, *item;

	/* a dry run: the plan row only */
	f->r.opts.dry_run = true;
	assert_int_equal(
	    flow_park_candidates(&f->r, "vendor", "ns:vendor:7", "choose", cands, payload), 0);
	assert_int_equal(f->r.stats.parked, 1);
	assert_string_equal(jsonx_str(last_row(f), "action"), "park");
	assert_true(json_equal(json_object_get(last_row(f), "detail"), cands));
	assert_int_equal(review_list(f->s.store, f->s.tenant.id, "open", &items, &err), 0);
	assert_int_equal(json_array_size(items), 0);
	json_decref(items);
	/* for real: one review item with both */
	f->r.opts.dry_run = false;
	assert_int_equal(
	    flow_park_candidates(&f->r, "vendor", "ns:vendor:7", "choose", cands, payload), 0);
	assert_int_equal(f->r.stats.parked, 2);
	assert_int_equal(f->r.stats.failed, 0);
	assert_int_equal(review_list(f->s.store, f->s.tenant.id, "open", &items, &err), 0);
	assert_int_equal(json_array_size(items), 1);
	item = json_array_get(items, 0);
	assert_string_equal(jsonx_str(item, "flow"), "vendors");
	assert_string_equal(jsonx_str(item, "entity"), "vendor");
	assert_string_equal(jsonx_str(item, "source_ref"), "ns:vendor:7");
	assert_string_equal(jsonx_str(item, "reason"), "choose");
	assert_true(json_equal(json_object_get(item, "candidates"), cands));
	assert_true(json_equal(json_object_get(item, "payload"), payload));
	json_decref(items);
	/* no source_ref: a plan row, no review item to key */
	assert_int_equal(flow_park_candidates(&f->r, "vendor", NULL, "refused", NULL, NULL), 0);
	assert_int_equal(f->r.stats.parked, 3);
	json_decref(cands);
	json_decref(payload);
}

static void test_failed_park_is_a_failure(void **state)
{
	struct fixture *f = *state;
	struct flow_window w;
	struct mlc_error err = {0};
	json_t *cands = json_pack("[{s:i}]", "id", 41);
	char *wm = NULL;

	assert_int_equal(flow_since(&f->r, FLOW_CLOCK_NETSUITE, "", &w, &err), 0);
	assert_int_equal(store_exec(f->s.store, "DROP TABLE review", &err), 0);
	assert_true(flow_park_candidates(&f->r, "vendor", "ns:vendor:9", "choose", cands, NULL) <
		    0);
	assert_int_equal(f->r.stats.parked, 0);
	assert_int_equal(f->r.stats.failed, 1);
	assert_string_equal(jsonx_str(last_row(f), "action"), "fail");
	assert_non_null(strstr(jsonx_str(last_row(f), "reason"), "choose (could not be parked: "));
	flow_seen(&w, "2026-03-01 00:00:00");
	assert_int_equal(flow_advance(&f->r, &w, &err), 0);
	assert_int_equal(watermark_get(f->s.store, f->s.tenant.id, "vendors", "", &wm, &err), 0);
	assert_null(wm);
	json_decref(cands);
}

static void test_vendor_since_query(void **state)
{
	struct mlc_buf q = MLC_BUF_INIT;
	struct mlc_error err = {0};
	(void)state;

	assert_int_equal(netsuite_since_query(NS_VENDORS_SINCE_SELECT, "lastmodifieddate",
					      "2026-02-28 23:57:00", "id", &q, &err),
			 0);
	assert_string_equal(
	    q.data, "SELECT id, entityid, companyname, isinactive, email, phone, externalid, "
		    "TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodified "
		    "FROM vendor WHERE lastmodifieddate >= TO_TIMESTAMP('2026-02-28 "
		    "23:57:00', 'YYYY-MM-DD HH24:MI:SS') AND %s ORDER BY id");
	buf_reset(&q);
	assert_int_equal(
	    netsuite_since_query(NS_VENDORS_SINCE_SELECT, "lastmodifieddate", "", "id", &q, &err),
	    0);
	assert_string_equal(
	    q.data, "SELECT id, entityid, companyname, isinactive, email, phone, externalid, "
		    "TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodified "
		    "FROM vendor WHERE %s ORDER BY id");
	buf_release(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_park_with_candidates, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_park_is_a_failure, setup, teardown),
	    cmocka_unit_test(test_vendor_since_query),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
