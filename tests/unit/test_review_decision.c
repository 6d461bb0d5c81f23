#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/audit.h"
#include "core/review.h"
#include "core/store.h"
#include "core/tenant.h"
#include "util/jsonx.h"

/*
 * Decisions on review items (core/review.h, issue 23): stored with who and
 * why in one transaction with the item's resolution and an audit row;
 * pending until marked; a park after the decision does not lose it.
 */
struct fixture {
	struct mlc_store *s;
	int64_t tenant;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct mlc_error err = {0};
	struct mlc_tenant_changes c = {.procore_company_id = 8, .netsuite_account = "1"};
	struct mlc_tenant t;

	if (store_open("sqlite::memory:", &f->s, &err) < 0 ||
	    tenant_add(f->s, "acme", &c, &err) < 0 || tenant_get(f->s, "acme", &t, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	f->tenant = t.id;
	tenant_release(&t);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_free(f->s);
	free(f);
	return 0;
}

/* Parks ns:vendor:13 and returns the item (review_get). */
static json_t *parked_item(struct fixture *f)
{
	struct mlc_error err = {0};
	json_t *items = NULL, *item = NULL;

	assert_int_equal(review_park(f->s, f->tenant, "vendors", "vendor", "ns:vendor:13",
				     "2 Procore vendors share the name", NULL, NULL, &err),
			 0);
	assert_int_equal(review_list(f->s, f->tenant, "open", &items, &err), 0);
	assert_int_equal(json_array_size(items), 1);
	assert_int_equal(
	    review_get(f->s, f->tenant,
		       json_integer_value(json_object_get(json_array_get(items, 0), "id")), &item,
		       &err),
	    0);
	json_decref(items);
	return item;
}

static void test_decide(void **state)
{
	struct fixture *f = *state;
	struct mlc_error err = {0};
	struct review_decision d;
	struct mlc_audit_filter af = {0};
	json_t *item = parked_item(f), *items = NULL, *rows = NULL, *refs = NULL, *again = NULL;
	int64_t n = -1;

	assert_int_equal(review_decision_get(f->s, f->tenant, "vendor", "ns:vendor:13", &d, &err),
			 MLC_ENOTFOUND);
	/* who and why are required */
	assert_int_equal(review_decide(f->s, f->tenant, item, "link", "77", "", "x", &err),
			 MLC_EINVAL);
	assert_int_equal(
	    review_decide(f->s, f->tenant, item, "link", "77", "alice", "same tax id", &err), 0);
	assert_int_equal(review_decision_get(f->s, f->tenant, "vendor", "ns:vendor:13", &d, &err),
			 0);
	assert_string_equal(d.action, "link");
	assert_string_equal(d.arg, "77");
	assert_string_equal(d.by, "alice");
	assert_string_equal(d.why, "same tax id");
	assert_string_equal(d.state, "pending");
	review_decision_release(&d);
	/* the item left the open list, and carries its decision */
	assert_int_equal(review_list(f->s, f->tenant, "open", &items, &err), 0);
	assert_int_equal(json_array_size(items), 0);
	json_decref(items);
	assert_int_equal(review_get(f->s, f->tenant,
				    json_integer_value(json_object_get(item, "id")), &again, &err),
			 0);
	assert_string_equal(jsonx_str(again, "state"), "resolved");
	assert_string_equal(jsonx_str(json_object_get(again, "decision"), "by"), "alice");
	json_decref(again);
	/* one audit row with who and why */
	af.limit = 10;
	assert_int_equal(audit_query(f->s, f->tenant, &af, &rows, &err), 0);
	assert_int_equal(json_array_size(rows), 1);
	assert_string_equal(jsonx_str(json_array_get(rows, 0), "action"), "resolve");
	assert_string_equal(jsonx_str(json_object_get(json_array_get(rows, 0), "payload"), "why"),
			    "same tax id");
	json_decref(rows);
	/* pending: the flow reads in full, and a success must close it */
	assert_int_equal(review_decisions_pending(f->s, f->tenant, "vendors", &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(review_decisions_pending(f->s, f->tenant, "costs", &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(review_open_refs(f->s, f->tenant, &refs, &err), 0);
	assert_non_null(json_object_get(refs, "vendor ns:vendor:13"));
	json_decref(refs);
	assert_int_equal(
	    review_decision_mark(f->s, f->tenant, "vendor", "ns:vendor:13", "applied", &err), 0);
	assert_int_equal(review_decisions_pending(f->s, f->tenant, "vendors", &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(review_open_refs(f->s, f->tenant, &refs, &err), 0);
	assert_int_equal(json_object_size(refs), 0);
	json_decref(refs);
	/* only a pending decision moves: applied stays applied */
	assert_int_equal(
	    review_decision_mark(f->s, f->tenant, "vendor", "ns:vendor:13", "superseded", &err), 0);
	assert_int_equal(review_decision_get(f->s, f->tenant, "vendor", "ns:vendor:13", &d, &err),
			 0);
	assert_string_equal(d.state, "applied");
	assert_true(d.applied_at > 0);
	review_decision_release(&d);
	json_decref(item);
}

static void test_decide_again_replaces(void **state)
{
	struct fixture *f = *state;
	struct mlc_error err = {0};
	struct review_decision d;
	json_t *item = parked_item(f);

	assert_int_equal(review_decide(f->s, f->tenant, item, "link", "77", "a", "b", &err), 0);
	assert_int_equal(
	    review_decision_mark(f->s, f->tenant, "vendor", "ns:vendor:13", "applied", &err), 0);
	/* the record is parked again: the item reopens, the decision is kept */
	json_decref(item);
	item = parked_item(f);
	assert_int_equal(review_decide(f->s, f->tenant, item, "ignore", NULL, "c", "d", &err), 0);
	assert_int_equal(review_decision_get(f->s, f->tenant, "vendor", "ns:vendor:13", &d, &err),
			 0);
	assert_string_equal(d.action, "ignore");
	assert_null(d.arg);
	assert_string_equal(d.state, "pending");
	assert_int_equal(d.applied_at, 0);
	review_decision_release(&d);
	review_decision_release(NULL);
	json_decref(item);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_decide, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_decide_again_replaces, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
