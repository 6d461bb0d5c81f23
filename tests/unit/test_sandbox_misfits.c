#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sandbox/nssim.h"
#include "sandbox/sandbox_misfits.h"

/* --misfits parses each item, and refuses what it does not know. */
static void test_parse(void **state)
{
	struct sbx_misfits m;
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(sandbox_misfits_parse(NULL, &m, &err), MLC_OK);
	assert_int_equal(m.n_ns_deny + m.n_pc_deny, 0);
	assert_false(m.ns_segment_no_lines || m.ns_no_push_script || m.pc_foreign_origin);
	assert_int_equal(sandbox_misfits_parse("ns:deny=vendor, ns:deny=budgets,ns:segment-lines,"
					       "ns:segment-budgets,ns:no-push-script,"
					       "pc:deny=budget,pc:foreign-origin",
					       &m, &err),
			 MLC_OK);
	assert_int_equal(m.n_ns_deny, 2);
	assert_string_equal(m.ns_deny[1], "budgets");
	assert_true(m.ns_segment_no_lines && m.ns_segment_no_budgets && m.ns_no_push_script);
	assert_int_equal(m.n_pc_deny, 1);
	assert_true(m.pc_foreign_origin);
	assert_int_equal(sandbox_misfits_parse("pc:deny=timesheets", &m, &err), MLC_EINVAL);
	assert_non_null(strstr(err.msg, "'pc:deny=timesheets'"));
	assert_int_equal(sandbox_misfits_parse("ns:deny=Vendor;drop", &m, &err), MLC_EINVAL);
	assert_int_equal(sandbox_misfits_parse("ns:segment", &m, &err), MLC_EINVAL);
}

/* A denied tool covers its routes, and only them. */
static void test_pc_denied(void **state)
{
	struct sbx_misfits m;
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(
	    sandbox_misfits_parse("pc:deny=direct_costs,pc:deny=commitments", &m, &err), MLC_OK);
	assert_string_equal(sandbox_misfits_pc_denied(&m, "/rest/v1.0/projects/7/direct_costs"),
			    "direct_costs");
	assert_string_equal(sandbox_misfits_pc_denied(&m, "/rest/v1.1/projects/7/direct_costs/3"),
			    "direct_costs");
	assert_string_equal(sandbox_misfits_pc_denied(&m, "/rest/v1.0/purchase_order_contracts"),
			    "commitments");
	assert_null(sandbox_misfits_pc_denied(&m, "/rest/v1.0/budget_views"));
	assert_null(sandbox_misfits_pc_denied(&m, "/rest/v1.0/projects/7"));
	assert_null(sandbox_misfits_pc_denied(NULL, "/rest/v1.0/commitments"));
}

/* What SuiteQL sees: a denied table is unknown, the segment's column is
 * gone from where it is not applied and stays elsewhere. */
static void test_suiteql_view(void **state)
{
	struct sbx_misfits m;
	struct mlc_error err = {0};
	const struct ns_table *tl = nsdb_table("transactionline"), *b = nsdb_table("budgets");

	(void)state;
	assert_non_null(tl);
	assert_non_null(b);
	nsdb_misfits_set(NULL);
	assert_non_null(nsdb_suiteql_table("vendor"));
	assert_non_null(nsdb_suiteql_column(tl, NSDB_SEG_DEFAULT));
	assert_true(nsdb_push_script_deployed());
	assert_int_equal(
	    sandbox_misfits_parse("ns:deny=vendor,ns:segment-lines,ns:no-push-script", &m, &err),
	    MLC_OK);
	nsdb_misfits_set(&m);
	assert_null(nsdb_suiteql_table("VENDOR"));
	assert_non_null(nsdb_table("vendor")); /* the flows' own lookups are untouched */
	assert_non_null(nsdb_suiteql_table("script"));
	assert_null(nsdb_suiteql_column(tl, NSDB_SEG_DEFAULT));
	assert_non_null(nsdb_column(tl, NSDB_SEG_DEFAULT));
	assert_non_null(nsdb_suiteql_column(b, NSDB_SEG_DEFAULT));
	assert_non_null(nsdb_suiteql_column(tl, "transaction"));
	assert_false(nsdb_push_script_deployed());
	nsdb_misfits_set(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_pc_denied),
	    cmocka_unit_test(test_suiteql_view),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
