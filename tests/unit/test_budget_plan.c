/*
 * The plan of one budget pair (flows/budget_plan.h) and the period spread
 * of a NetSuite budget line (netsuite/ns_budget.h), table-tested to the
 * cent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "flows/budget_plan.h"
#include "flows/field_merge.h"
#include "flows/key_index.h"
#include "flows/masterdata.h"
#include "netsuite/ns_budget.h"

#define NS   MD_NETSUITE
#define PC   MD_PROCORE
#define BOTH MD_BOTH
#define T    true
#define F    false

struct row {
	const char *what;
	/* in: master, owner; pc: has, original, budget changes; ns: has, total;
	 * base: stored, known, amount; line: exists, can be created */
	enum md_side master, owner;
	bool has_pc;
	int64_t original, changes;
	bool has_ns;
	int64_t total;
	bool has_base, base_known;
	int64_t base;
	bool has_bli, can_create;
	/* out */
	enum bp_op ns;
	int64_t ns_amount;
	enum bp_op pc;
	int64_t pc_amount, pc_original;
	bool conflict;
	enum md_side winner;
	bool merged_known;
	int64_t merged;
	bool base_write;
};

/* one row per case, laid out as a table */
/* clang-format off */
static const struct row rows[] = {
	{ "new in Procore: NetSuite created with the revised budget", PC, PC, T, 1000000, 25050, F,
	  0, F, F, 0, T, T, BP_CREATE, 1025050, BP_NONE, 0, 0, F, MD_NONE, T, 1025050, T },
	{ "new in Procore, master both: still Procore's change", BOTH, PC, T, 1000000, 0, F, 0, F,
	  F, 0, T, T, BP_CREATE, 1000000, BP_NONE, 0, 0, F, MD_NONE, T, 1000000, T },
	{ "new in NetSuite, master both: Procore line created, original = figure", BOTH, PC, F, 0, 0,
	  T, 500001, F, F, 0, F, T, BP_NONE, 0, BP_CREATE, 500001, 500001, F, MD_NONE, T, 500001,
	  T },
	{ "new in NetSuite, project lacks the code: parked", BOTH, PC, F, 0, 0, T, 500001, F, F, 0,
	  F, F, BP_NONE, 0, BP_PARK, 500001, 500001, F, MD_NONE, T, 500001, T },
	{ "new in NetSuite, master procore: Procore gives no figure, nothing written", PC, PC, F, 0,
	  0, T, 500001, F, F, 0, F, T, BP_NONE, 0, BP_NONE, 0, 0, F, MD_NONE, F, 0, F },
	{ "in agreement, base agrees: skip, no base write", BOTH, PC, T, 120000, 3000, T, 123000, T,
	  T, 123000, T, T, BP_NONE, 0, BP_NONE, 0, 0, F, MD_NONE, T, 123000, F },
	{ "in agreement, no base: the base is written", BOTH, PC, T, 120000, 3000, T, 123000, F, F,
	  0, T, T, BP_NONE, 0, BP_NONE, 0, 0, F, MD_NONE, T, 123000, T },
	{ "approved budget change in Procore: NetSuite updated", BOTH, PC, T, 120000, 4599, T, 120000,
	  T, T, 120000, T, T, BP_UPDATE, 124599, BP_NONE, 0, 0, F, MD_NONE, T, 124599, T },
	{ "NetSuite changed, master both: Procore takes it (a budget change)", BOTH, PC, T, 120000, 3000, T,
	  150001, T, T, 123000, T, T, BP_NONE, 0, BP_UPDATE, 150001, 147001, F, MD_NONE, T, 150001,
	  T },
	{ "NetSuite below the budget changes: a negative change", BOTH, PC, T, 120000, 3000, T,
	  1000, T, T, 123000, T, T, BP_NONE, 0, BP_UPDATE, 1000, -2000, F, MD_NONE, T, 1000, T },
	{ "NetSuite changed, master procore: NetSuite overwritten, base stays", PC, PC, T, 120000, 3000, T,
	  150001, T, T, 123000, T, T, BP_UPDATE, 123000, BP_NONE, 0, 0, F, MD_NONE, T, 123000, F },
	{ "Procore changed, master netsuite: Procore overwritten, base stays", NS, PC, T, 130000, 3000, T,
	  123000, T, T, 123000, T, T, BP_NONE, 0, BP_UPDATE, 123000, 120000, F, MD_NONE, T, 123000,
	  F },
	{ "both changed, owner procore: conflict, Procore wins", BOTH, PC, T, 130000, 0, T, 140000,
	  T, T, 123000, T, T, BP_UPDATE, 130000, BP_NONE, 0, 0, T, MD_PROCORE, T, 130000, T },
	{ "both changed, owner netsuite: conflict, NetSuite wins", BOTH, NS, T, 130000, 0, T, 140000,
	  T, T, 123000, T, T, BP_NONE, 0, BP_UPDATE, 140000, 140000, T, MD_NETSUITE, T, 140000, T },
	{ "first sync, figures differ: conflict the owner wins", BOTH, PC, T, 99, 1, T, 101, F, F,
	  0, T, T, BP_UPDATE, 100, BP_NONE, 0, 0, T, MD_PROCORE, T, 100, T },
	{ "Procore line deleted, master both: NetSuite keeps its line, base null", BOTH, PC, F, 0,
	  0, T, 123000, T, T, 123000, F, T, BP_NONE, 0, BP_NONE, 0, 0, F, MD_NONE, F, 0, T },
	{ "NetSuite line deleted, master both: base null, Procore kept", BOTH, PC, T, 120000, 3000,
	  F, 0, T, T, 123000, T, T, BP_NONE, 0, BP_NONE, 0, 0, F, MD_NONE, F, 0, T },
	{ "after a deletion: base null, Procore line again new: NetSuite created", BOTH, PC, T,
	  120000, 3000, F, 0, T, F, 0, T, T, BP_CREATE, 123000, BP_NONE, 0, 0, F, MD_NONE, T,
	  123000, T },
	{ "cents kept: 0.01 in Procore, nothing in NetSuite", PC, PC, T, 1, 0, F, 0, F, F, 0, T, T,
	  BP_CREATE, 1, BP_NONE, 0, 0, F, MD_NONE, T, 1, T },
	{ "negative budget changes", PC, PC, T, 100000, -2501, T, 100000, T, T, 100000, T, T,
	  BP_UPDATE, 97499, BP_NONE, 0, 0, F, MD_NONE, T, 97499, T },
	{ "zero is a figure, not absence", BOTH, PC, T, 0, 0, T, 5000, T, T, 5000, T, T, BP_UPDATE, 0,
	  BP_NONE, 0, 0, F, MD_NONE, T, 0, T },
};
/* clang-format on */

static void test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		struct bp_in in = {
		    .master = w->master,
		    .owner = w->owner,
		    .has_pc = w->has_pc,
		    .original = w->original,
		    .changes = w->changes,
		    .has_ns = w->has_ns,
		    .ns_total = w->total,
		    .has_base = w->has_base,
		    .base_known = w->base_known,
		    .base_amount = w->base,
		    .has_bli = w->has_bli,
		    .can_create_line = w->can_create,
		};
		struct bp_plan p;

		print_message("row %zu: %s\n", i, w->what);
		budget_plan(&in, &p);
		assert_false(p.overflow);
		assert_int_equal(p.ns, w->ns);
		if (w->ns != BP_NONE)
			assert_int_equal(p.ns_amount, w->ns_amount);
		assert_int_equal(p.pc, w->pc);
		if (w->pc != BP_NONE) {
			assert_int_equal(p.pc_amount, w->pc_amount);
			assert_int_equal(p.pc_original, w->pc_original);
		}
		/* an existing line takes the difference as a budget change */
		if (w->pc == BP_UPDATE)
			assert_int_equal(p.pc_delta, w->pc_amount - (w->original + w->changes));
		assert_int_equal(p.conflict, w->conflict);
		if (w->conflict)
			assert_int_equal(p.winner, w->winner);
		assert_int_equal(p.merged_known, w->merged_known);
		if (w->merged_known)
			assert_int_equal(p.merged, w->merged);
		assert_int_equal(p.base_write, w->base_write);
	}
}

/*
 * Issue 18: what Procore takes.  An existing line is never given an
 * original: it takes a budget change of the difference (pc_delta); a new
 * line's original is the figure.  The connector's own pending budget
 * changes count in Procore's figure, so they are not proposed twice; a
 * voided one no longer counts.
 */
struct change_row {
	const char *what;
	enum md_side master;
	int64_t original, changes, total;
	bool has_base;
	int64_t base;
	bool has_bli;
	/* out */
	enum bp_op ns;
	int64_t ns_amount;
	enum bp_op pc;
	int64_t pc_delta, pc_original;
	bool base_write;
};

/* clang-format off */
static const struct change_row change_rows[] = {
	{ "NetSuite up 270.01: a budget change of +270.01, no original", BOTH, 120000, 3000, 150001,
	  T, 123000, T, BP_NONE, 0, BP_UPDATE, 27001, 147001, T },
	{ "NetSuite down to 10.00: a budget change of -1220.00", NS, 120000, 3000, 1000, T, 123000,
	  T, BP_NONE, 0, BP_UPDATE, -122000, -2000, T },
	{ "line Procore lacks (unlocked budget's first load): created, original = figure", NS, 0,
	  0, 500001, F, 0, F, BP_NONE, 0, BP_CREATE, 500001, 500001, T },
	{ "the connector's draft (+270.01) counts: nothing more to propose", BOTH, 120000, 30001,
	  150001, T, 150001, T, BP_NONE, 0, BP_NONE, 0, 0, F },
	{ "the draft voided, master netsuite: proposed again, base stays", NS, 120000, 3000, 150001,
	  T, 150001, T, BP_NONE, 0, BP_UPDATE, 27001, 147001, F },
	{ "the draft voided, master both: Procore's decision reaches NetSuite", BOTH, 120000, 3000,
	  150001, T, 150001, T, BP_UPDATE, 123000, BP_NONE, 0, 0, T },
	{ "an approved change of -0.01 on a zero line: NetSuite -0.01", PC, 0, -1, 0, T, 0, T,
	  BP_UPDATE, -1, BP_NONE, 0, 0, T },
};
/* clang-format on */

static void test_change_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(change_rows) / sizeof(change_rows[0]); i++) {
		const struct change_row *w = &change_rows[i];
		struct bp_in in = {
		    .master = w->master,
		    .owner = MD_PROCORE,
		    .has_pc = w->has_bli,
		    .original = w->original,
		    .changes = w->changes,
		    .has_ns = true,
		    .ns_total = w->total,
		    .has_base = w->has_base,
		    .base_known = w->has_base,
		    .base_amount = w->base,
		    .has_bli = w->has_bli,
		    .can_create_line = true,
		};
		struct bp_plan p;

		print_message("change row %zu: %s\n", i, w->what);
		budget_plan(&in, &p);
		assert_false(p.overflow);
		assert_int_equal(p.ns, w->ns);
		if (w->ns != BP_NONE)
			assert_int_equal(p.ns_amount, w->ns_amount);
		assert_int_equal(p.pc, w->pc);
		if (w->pc != BP_NONE) {
			assert_int_equal(p.pc_amount, w->total);
			assert_int_equal(p.pc_delta, w->pc_delta);
			assert_int_equal(p.pc_original, w->pc_original);
		}
		assert_int_equal(p.base_write, w->base_write);
	}
}

/* The difference does not fit: the pair fails, nothing is written. */
static void test_delta_overflow(void **state)
{
	struct bp_in in = {.master = NS,
			   .owner = NS,
			   .has_pc = true,
			   .original = INT64_MAX - 1,
			   .changes = 0,
			   .has_ns = true,
			   .ns_total = -3,
			   .has_bli = true};
	struct bp_plan p;

	(void)state;
	budget_plan(&in, &p);
	assert_true(p.overflow);
	assert_int_equal(p.pc, BP_NONE);
	/* one cent more: INT64_MIN exactly */
	in.ns_total = -2;
	budget_plan(&in, &p);
	assert_false(p.overflow);
	assert_int_equal(p.pc, BP_UPDATE);
	assert_true(p.pc_delta == INT64_MIN);
}

static json_t *amount(bool known, int64_t cents)
{
	return json_pack("{s:o}", "amount", known ? json_integer(cents) : json_null());
}

/*
 * The plan's merge is md_merge's (flows/masterdata.h) on typed values:
 * for every row, md_merge on the same figures (with settle's empty base
 * for a one-sided pair) gives the same winner, conflict and merged value.
 */
static void test_rows_match_md_merge(void **state)
{
	static const struct md_field fields[] = {{"amount", MD_PROCORE}, {NULL, MD_NONE}};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		struct mlc_session s;
		struct md_merge m;
		json_t *ns = amount(w->has_ns, w->total);
		json_t *pc = amount(w->has_pc, w->original + w->changes);
		json_t *base = w->has_base                  ? amount(w->base_known, w->base)
			       : (!w->has_ns || !w->has_pc) ? amount(false, 0)
							    : NULL;
		json_t *to_ns, *to_pc, *merged;

		memset(&s, 0, sizeof(s));
		s.tenant.name = (char *)"t";
		s.tenant.settings = json_pack("{s:{s:{s:s}}}", "owners", "budgets", "amount",
					      md_side_name(w->owner));
		assert_int_equal(field_owner(&s, "budgets", "amount", MD_NETSUITE), w->owner);
		print_message("row %zu: %s\n", i, w->what);
		md_merge(&s, "budgets", w->master, fields, base, ns, pc, &m);
		to_ns = json_object_get(m.to_ns, "amount");
		to_pc = json_object_get(m.to_pc, "amount");
		merged = json_object_get(m.merged, "amount");
		assert_int_equal(json_is_integer(to_ns), w->ns != BP_NONE);
		if (w->ns != BP_NONE)
			assert_int_equal(json_integer_value(to_ns), w->ns_amount);
		assert_int_equal(json_is_integer(to_pc), w->pc != BP_NONE);
		if (w->pc != BP_NONE)
			assert_int_equal(json_integer_value(to_pc), w->pc_amount);
		assert_int_equal(json_array_size(m.conflicts), w->conflict ? 1 : 0);
		assert_int_equal(json_is_integer(merged), w->merged_known);
		if (w->merged_known)
			assert_int_equal(json_integer_value(merged), w->merged);
		assert_int_equal(!base || !json_equal(base, m.merged), w->base_write);
		md_merge_release(&m);
		json_decref(base);
		json_decref(ns);
		json_decref(pc);
		json_decref(s.tenant.settings);
	}
}

static void test_overflow(void **state)
{
	struct bp_in in = {.master = PC,
			   .owner = PC,
			   .has_pc = true,
			   .original = INT64_MAX,
			   .changes = 1,
			   .has_ns = true,
			   .ns_total = 5};
	struct bp_plan p;

	(void)state;
	budget_plan(&in, &p);
	assert_true(p.overflow);
	assert_int_equal(p.ns, BP_NONE);
	assert_int_equal(p.pc, BP_NONE);
	assert_false(p.base_write);
}

struct spread_row {
	int64_t cents, each, last;
};

/* one row per case, laid out as a table */
/* clang-format off */
static const struct spread_row spreads[] = {
	{ 0, 0, 0 },
	{ 1200, 100, 100 },
	{ 1, 0, 1 },
	{ 11, 0, 11 },
	{ 1201, 100, 101 },
	{ 1211, 100, 111 },
	{ 1025050, 85420, 85430 },
	{ -1, 0, -1 },
	{ -1213, -101, -102 },
	{ 99999999999, 8333333333, 8333333336 },
};
/* clang-format on */

static void test_spread(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(spreads) / sizeof(spreads[0]); i++) {
		int64_t out[NS_BUDGET_PERIODS], sum = 0;
		ns_budget_spread(spreads[i].cents, out);
		for (int k = 0; k < NS_BUDGET_PERIODS - 1; k++)
			assert_int_equal(out[k], spreads[i].each);
		assert_int_equal(out[NS_BUDGET_PERIODS - 1], spreads[i].last);
		for (int k = 0; k < NS_BUDGET_PERIODS; k++)
			sum += out[k];
		assert_int_equal(sum, spreads[i].cents);
	}
}

/* The pairs' index: keys set in any order are found, replaced in place
 * and kept sorted. */
static void test_key_index(void **state)
{
	static const char *keys[] = {"03-300|L", "01-100|M", "02-400|L", "01-100|L", "99|"};
	struct key_index x = {0};

	(void)state;
	for (size_t i = 0; i < 5; i++)
		key_index_set(&x, keys[i], i);
	assert_int_equal(x.n, 5);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(key_index_get(&x, keys[i])->ix, i);
	assert_null(key_index_get(&x, "01-100|"));
	key_index_set(&x, "02-400|L", KEY_INDEX_SHARED);
	assert_int_equal(x.n, 5);
	assert_int_equal(key_index_get(&x, "02-400|L")->ix, KEY_INDEX_SHARED);
	for (size_t i = 1; i < x.n; i++)
		assert_true(strcmp(x.v[i - 1].key, x.v[i].key) < 0);
	key_index_release(&x);
	assert_null(key_index_get(&x, "99|"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rows),           cmocka_unit_test(test_rows_match_md_merge),
	    cmocka_unit_test(test_overflow),       cmocka_unit_test(test_spread),
	    cmocka_unit_test(test_key_index),      cmocka_unit_test(test_change_rows),
	    cmocka_unit_test(test_delta_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
