/*
 * Money sums of amounts that come from NetSuite and Procore, fed values
 * near INT64_MAX cents (issue 21 item 11): every pure plan and reconcile's
 * totals refuse the sum that does not fit, naming the amount, and never
 * carry a wrapped total.  Built with -fsanitize=undefined (MLC_SANITIZE)
 * these paths also prove no signed overflow is left on them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "flows/budget_plan.h"
#include "flows/cost_plan.h"
#include "flows/journal.h"
#include "flows/reconcile_totals.h"
#include "util/error.h"

#define EID "pc:8:dc:77"

static const struct canon_period periods[] = {
    {"2026-02-01", "2026-02-28", true, "Feb 2026"},
};

static struct cost_row row(int line, int64_t amount, const char *je)
{
	struct cost_row r;

	memset(&r, 0, sizeof(r));
	snprintf(r.source_ref, sizeof(r.source_ref), "pc:8:dcline:%d", line);
	snprintf(r.doc_type, sizeof(r.doc_type), "direct_cost");
	snprintf(r.cost_code, sizeof(r.cost_code), "03-300");
	snprintf(r.cost_type, sizeof(r.cost_type), "M");
	r.project_id = 8;
	r.doc_id = 77;
	r.account = 5100;
	r.amount = amount;
	if (je) {
		snprintf(r.je, sizeof(r.je), "%s", je);
		snprintf(r.period, sizeof(r.period), "2026-02");
	}
	return r;
}

/* want - posted per key: INT64_MAX wanted, -1 posted under the same key. */
static void test_cost_delta_overflow_parks(void **state)
{
	struct cost_rows want = {0}, posted = {0}, d;
	struct cost_row w = row(1, INT64_MAX, NULL), p = row(1, -1, EID);
	struct cost_unit_in in = {.eid = EID,
				  .date = "2026-02-10",
				  .want = &want,
				  .posted = &posted,
				  .periods = periods,
				  .nperiods = 1,
				  .doc_id = 77};
	struct cost_plan plan;

	(void)state;
	cost_rows_add(&want, &w);
	cost_rows_add(&posted, &p);
	assert_int_equal(cost_rows_delta(&want, &posted, &d), MLC_ERANGE);
	assert_int_equal(d.n, 0);
	cost_rows_release(&d);

	cost_plan_unit(&in, &plan);
	assert_int_equal(plan.kind, COST_PARK);
	assert_int_equal(plan.rows.n, 0);
	assert_string_equal(plan.why, "posted amount -0.01 of pc:8:dcline:1 (cost code 03-300) "
				      "overflows its sum 92233720368547758.07");
	cost_plan_release(&plan);
	cost_rows_release(&want);
	cost_rows_release(&posted);
}

/* A posted INT64_MIN cannot be negated; two wanted rows of one key sum past the top. */
static void test_cost_delta_negation_and_sum(void **state)
{
	struct cost_rows want = {0}, posted = {0}, d;
	struct cost_row a = row(1, INT64_MAX - 5, NULL), b = row(1, 6, NULL);
	struct cost_row m = row(2, INT64_MIN, EID);
	struct cost_unit_in in = {.eid = EID,
				  .date = "2026-02-10",
				  .want = &want,
				  .posted = &posted,
				  .periods = periods,
				  .nperiods = 1,
				  .doc_id = 77};
	struct cost_plan plan;

	(void)state;
	cost_rows_add(&posted, &m);
	assert_int_equal(cost_rows_delta(&want, &posted, &d), MLC_ERANGE);
	cost_rows_release(&d);
	cost_plan_unit(&in, &plan);
	assert_int_equal(plan.kind, COST_PARK);
	assert_string_equal(plan.why, "posted amount -92233720368547758.08 of pc:8:dcline:2 "
				      "(cost code 03-300) overflows its sum 0.00");
	cost_plan_release(&plan);
	cost_rows_release(&posted);

	cost_rows_add(&want, &a);
	cost_rows_add(&want, &b);
	cost_plan_unit(&in, &plan);
	assert_int_equal(plan.kind, COST_PARK);
	assert_string_equal(plan.why, "Procore amount 0.06 of pc:8:dcline:1 (cost code 03-300) "
				      "overflows its sum 92233720368547758.02");
	cost_plan_release(&plan);

	/* at the edge it still fits (INT64_MAX exactly): the entry is posted whole */
	want.v[1].amount = 5;
	assert_int_equal(cost_rows_delta(&want, &posted, &d), MLC_OK);
	assert_int_equal(d.n, 1);
	assert_true(d.v[0].amount == INT64_MAX);
	cost_rows_release(&d);
	cost_plan_unit(&in, &plan);
	assert_int_equal(plan.kind, COST_FIRST);
	assert_int_equal(plan.rows.n, 2);
	assert_true(plan.rows.v[0].amount == INT64_MAX - 5);
	assert_true(plan.rows.v[1].amount == 5);
	cost_plan_release(&plan);
	cost_rows_release(&want);
}

/* NetSuite's total less Procore's budget changes does not fit: the pair fails. */
static void test_budget_original_overflow(void **state)
{
	struct bp_in in = {.master = MD_NETSUITE,
			   .owner = MD_NETSUITE,
			   .has_pc = true,
			   .original = 0,
			   .changes = 2,
			   .has_ns = true,
			   .ns_total = INT64_MIN + 1,
			   .has_bli = true};
	struct bp_plan p;

	(void)state;
	budget_plan(&in, &p);
	assert_true(p.overflow);
	assert_int_equal(p.pc, BP_NONE);
	assert_int_equal(p.ns, BP_NONE);
	assert_true(p.pc_original == 0);
	assert_false(p.base_write);

	/* one cent less of budget changes: INT64_MIN exactly */
	in.changes = 1;
	budget_plan(&in, &p);
	assert_false(p.overflow);
	assert_int_equal(p.pc, BP_UPDATE);
	assert_true(p.pc_original == INT64_MIN);
	assert_true(p.pc_amount == INT64_MIN + 1);
}

static void test_reconcile_totals_refuse(void **state)
{
	struct rec_totals t = {0};

	(void)state;
	assert_int_equal(rec_totals_add(&t, 7, "03-300", NULL, INT64_MAX), MLC_OK);
	assert_int_equal(rec_totals_add(&t, 7, "03-300", NULL, 1), MLC_ERANGE);
	assert_true(rec_totals_cents(&t, 7, "03-300", NULL) == INT64_MAX); /* unchanged */
	assert_int_equal(rec_totals_add(&t, 7, "03-300", NULL, -1), MLC_OK);
	assert_true(rec_totals_cents(&t, 7, "03-300", NULL) == INT64_MAX - 1);

	assert_int_equal(rec_totals_add(&t, 7, "09-900", "2026-03", INT64_MIN), MLC_OK);
	assert_int_equal(rec_totals_add(&t, 7, "09-900", "2026-03", -1), MLC_ERANGE);
	assert_true(rec_totals_cents(&t, 7, "09-900", "2026-03") == INT64_MIN);
	assert_int_equal(t.n, 2);
	rec_totals_release(&t);
}

/* Two lines of one key whose net does not fit stay two lines; the entry's
 * totals then overflow and journal_check() refuses it. */
static void test_journal_collapse_overflow(void **state)
{
	struct journal j;
	struct je_line l = {.account = 5100, .entity = 10};
	struct je_line o = {.account = 2000, .entity = 10};
	struct mlc_error err = {0};

	(void)state;
	journal_init(&j, "je-1", "2026-02-10", 1, NULL);
	journal_add(&j, &l, INT64_MAX);
	journal_add(&j, &l, 1);
	journal_add(&j, &o, -INT64_MAX);
	journal_add(&j, &o, -1);
	journal_collapse(&j);
	assert_int_equal(j.nlines, 4);
	assert_true(j.lines[0].debit == INT64_MAX);
	assert_true(j.lines[1].debit == 1);
	assert_int_equal(journal_check(&j, &err), MLC_ERANGE);
	assert_non_null(strstr(err.msg, "overflow"));
	journal_release(&j);

	/* a net that fits still collapses */
	journal_init(&j, "je-2", "2026-02-10", 1, NULL);
	journal_add(&j, &l, INT64_MAX);
	journal_add(&j, &l, -1);
	journal_add(&j, &o, -(INT64_MAX - 1));
	journal_collapse(&j);
	assert_int_equal(j.nlines, 2);
	assert_true(j.lines[0].debit == INT64_MAX - 1);
	assert_int_equal(journal_check(&j, &err), MLC_OK);
	journal_release(&j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cost_delta_overflow_parks),
	    cmocka_unit_test(test_cost_delta_negation_and_sum),
	    cmocka_unit_test(test_budget_original_overflow),
	    cmocka_unit_test(test_reconcile_totals_refuse),
	    cmocka_unit_test(test_journal_collapse_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
