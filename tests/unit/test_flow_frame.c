/*
 * The flow frame (flows/flow.h): watermarks move only when every record of
 * the run was written or parked, a park that cannot be stored is a
 * failure, and the incremental-read windows start FLOW_OVERLAP_MS before
 * the watermark in each system's clock.
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
#include "netsuite/ns_since.h"
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
	f->r.flow = "frame-test";
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

static char *stored(struct fixture *f, const char *scope)
{
	struct mlc_error err = {0};
	char *wm = NULL;
	assert_int_equal(watermark_get(f->s.store, f->s.tenant.id, "frame-test", scope, &wm, &err),
			 0);
	return wm;
}

static void test_since_netsuite(void **state)
{
	struct fixture *f = *state;
	struct flow_window w;
	struct mlc_error err = {0};

	/* no watermark: everything */
	assert_int_equal(flow_since(&f->r, FLOW_CLOCK_NETSUITE, "", &w, &err), 0);
	assert_string_equal(w.since, "");
	assert_int_equal(watermark_set(f->s.store, f->s.tenant.id, "frame-test", "",
				       "2026-03-01 00:02:00", &err),
			 0);
	assert_int_equal(flow_since(&f->r, FLOW_CLOCK_NETSUITE, "", &w, &err), 0);
	assert_string_equal(w.since, "2026-02-28 23:57:00"); /* five minutes of overlap */
	/* an unreadable watermark reads from the start of time, not nothing */
	assert_int_equal(
	    watermark_set(f->s.store, f->s.tenant.id, "frame-test", "", "garbage", &err), 0);
	assert_int_equal(flow_since(&f->r, FLOW_CLOCK_NETSUITE, "", &w, &err), 0);
	assert_string_equal(w.since, "1970-01-01 00:00:00");
	/* --full ignores it */
	f->r.opts.full = true;
	assert_int_equal(flow_since(&f->r, FLOW_CLOCK_NETSUITE, "", &w, &err), 0);
	assert_string_equal(w.since, "");
}

static void test_since_procore_scoped(void **state)
{
	struct fixture *f = *state;
	struct flow_window w;
	struct mlc_error err = {0};

	assert_int_equal(watermark_set(f->s.store, f->s.tenant.id, "frame-test", "77",
				       "2026-03-01T00:02:00Z", &err),
			 0);
	assert_int_equal(flow_since(&f->r, FLOW_CLOCK_PROCORE, "77", &w, &err), 0);
	assert_string_equal(w.since, "2026-02-28T23:57:00Z...");
	assert_string_equal(w.scope, "77");
	/* another scope has its own watermark */
	assert_int_equal(flow_since(&f->r, FLOW_CLOCK_PROCORE, "78", &w, &err), 0);
	assert_string_equal(w.since, "");
	/* unreadable: everything is read */
	assert_int_equal(watermark_set(f->s.store, f->s.tenant.id, "frame-test", "77", "x", &err),
			 0);
	assert_int_equal(flow_since(&f->r, FLOW_CLOCK_PROCORE, "77", &w, &err), 0);
	assert_string_equal(w.since, "");
}

static void test_seen_and_advance(void **state)
{
	struct fixture *f = *state;
	struct flow_window w;
	struct mlc_error err = {0};
	char *wm;

	assert_int_equal(flow_since(&f->r, FLOW_CLOCK_PROCORE, "5", &w, &err), 0);
	/* nothing seen: nothing stored */
	assert_int_equal(flow_advance(&f->r, &w, &err), 0);
	assert_null(stored(f, "5"));
	flow_seen(&w, "2026-03-01T10:00:00Z");
	flow_seen(&w, "2026-03-02T10:00:00Z");
	flow_seen(&w, "2026-03-01T12:00:00Z"); /* older: the latest stays */
	flow_seen(&w, NULL);
	assert_string_equal(w.seen, "2026-03-02T10:00:00Z");
	/* a dry run writes nothing */
	f->r.opts.dry_run = true;
	assert_int_equal(flow_advance(&f->r, &w, &err), 0);
	assert_null(stored(f, "5"));
	f->r.opts.dry_run = false;
	assert_int_equal(flow_advance(&f->r, &w, &err), 0);
	wm = stored(f, "5");
	assert_string_equal(wm, "2026-03-02T10:00:00Z");
	free(wm);
	/* a parked record lets it move */
	assert_int_equal(flow_park(&f->r, "thing", "src:1", NULL, "needs a person", NULL), 0);
	assert_int_equal(f->r.stats.parked, 1);
	flow_seen(&w, "2026-03-03T00:00:00Z");
	assert_int_equal(flow_advance(&f->r, &w, &err), 0);
	wm = stored(f, "5");
	assert_string_equal(wm, "2026-03-03T00:00:00Z");
	free(wm);
	/* a failed record keeps it */
	flow_record(&f->r, FLOW_FAIL, "thing", "src:2", NULL, NULL, "refused");
	flow_seen(&w, "2026-03-04T00:00:00Z");
	assert_int_equal(flow_advance(&f->r, &w, &err), 0);
	wm = stored(f, "5");
	assert_string_equal(wm, "2026-03-03T00:00:00Z");
	free(wm);
}

/* #21 item 12: a park whose review item cannot be written is a failure,
 * and the watermark does not pass the record. */
static void test_failed_park_holds_watermark(void **state)
{
	struct fixture *f = *state;
	struct flow_window w;
	struct mlc_error err = {0};
	json_t *last;
	char *wm;

	assert_int_equal(flow_since(&f->r, FLOW_CLOCK_NETSUITE, "", &w, &err), 0);
	assert_int_equal(store_exec(f->s.store, "DROP TABLE review", &err), 0);
	assert_true(flow_park(&f->r, "thing", "src:9", NULL, "needs a person", NULL) < 0);
	assert_int_equal(f->r.stats.parked, 0);
	assert_int_equal(f->r.stats.failed, 1);
	last = json_array_get(f->r.plan, json_array_size(f->r.plan) - 1);
	assert_string_equal(jsonx_str(last, "action"), "fail");
	assert_non_null(strstr(jsonx_str(last, "reason"), "needs a person (could not be parked: "));
	flow_seen(&w, "2026-03-01 00:00:00");
	assert_int_equal(flow_advance(&f->r, &w, &err), 0);
	wm = stored(f, "");
	assert_null(wm);
}

/* A dry run parks in the plan only: no review item, no failure. */
static void test_park_dry_run(void **state)
{
	struct fixture *f = *state;
	struct mlc_error err = {0};
	json_t *items = NULL;

	f->r.opts.dry_run = true;
	assert_int_equal(flow_park_as(&f->r, "costs", "je", "pc:8:dc:1", NULL, "unmapped", NULL),
			 0);
	assert_int_equal(f->r.stats.parked, 1);
	assert_string_equal(jsonx_str(json_array_get(f->r.plan, 0), "entity"), "je");
	assert_int_equal(review_list(f->s.store, f->s.tenant.id, "open", &items, &err), 0);
	assert_int_equal(json_array_size(items), 0);
	json_decref(items);
	/* for real, the review item carries the review entity */
	f->r.opts.dry_run = false;
	assert_int_equal(flow_park_as(&f->r, "costs", "je", "pc:8:dc:1", NULL, "unmapped", NULL),
			 0);
	assert_int_equal(review_list(f->s.store, f->s.tenant.id, "open", &items, &err), 0);
	assert_int_equal(json_array_size(items), 1);
	assert_string_equal(jsonx_str(json_array_get(items, 0), "entity"), "costs");
	json_decref(items);
	/* placed: resolved */
	flow_resolve(&f->r, "costs", "pc:8:dc:1");
	assert_int_equal(review_list(f->s.store, f->s.tenant.id, "open", &items, &err), 0);
	assert_int_equal(json_array_size(items), 0);
	json_decref(items);
}

static void test_since_query(void **state)
{
	struct mlc_buf q = MLC_BUF_INIT;
	struct mlc_error err = {0};
	(void)state;

	assert_int_equal(netsuite_since_query("SELECT id, x FROM vendor", "lastmodifieddate",
					      "2026-02-28 23:57:00", "id", &q, &err),
			 0);
	assert_string_equal(q.data, "SELECT id, x FROM vendor WHERE lastmodifieddate >= "
				    "TO_TIMESTAMP('2026-02-28 23:57:00', 'YYYY-MM-DD HH24:MI:SS') "
				    "AND %s ORDER BY id");
	buf_reset(&q);
	assert_int_equal(netsuite_since_query("SELECT '100%' AS p FROM vendor", "lastmodifieddate",
					      "", "id", &q, &err),
			 0);
	assert_string_equal(q.data, "SELECT '100%%' AS p FROM vendor WHERE %s ORDER BY id");
	buf_reset(&q);
	assert_int_equal(netsuite_since_query("SELECT id FROM vendor", "lastmodifieddate",
					      "2026' OR 1=1", "id", &q, &err),
			 MLC_EINVAL);
	assert_int_equal(q.len, 0);
	buf_release(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_since_netsuite, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_since_procore_scoped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_seen_and_advance, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_park_holds_watermark, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_park_dry_run, setup, teardown),
	    cmocka_unit_test(test_since_query),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
