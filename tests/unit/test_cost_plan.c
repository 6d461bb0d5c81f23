/*
 * The costs flow's plan per unit (flows/cost_plan.h), table-tested: what
 * Procore says now and what the posting ledger says was posted, against
 * NetSuite's periods and the closed-period policy, give exactly one of
 * nothing / skip / park / first post / rewrite / adjustment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flows/cost_plan.h"

#define EID  "pc:8:dc:77"
#define MAXR 4

/* January closed, February and March open. */
static const struct canon_period periods[] = {
    {"2026-01-01", "2026-01-31", false, "Jan 2026"},
    {"2026-02-01", "2026-02-28", true, "Feb 2026"},
    {"2026-03-01", "2026-03-31", true, "Mar 2026"},
};

/* A row in a table: line, cost code, type, account, amount; posted rows
 * also the entry and period.  line 0 ends a list. */
struct r {
	int line;
	const char *code, *type;
	int64_t account, amount;
	const char *je, *period;
	int64_t doc_id;
};

struct plan_case {
	const char *name;
	const char *date;
	bool hold;
	const char *unmapped;
	int64_t doc_id;
	struct r want[MAXR], posted[MAXR];
	size_t nperiods; /* 0: all three */
	/* expected */
	enum cost_plan_kind kind;
	enum flow_action action;
	const char *eid, *pdate, *memo, *why;
	size_t nrows;
	int64_t amount0; /* the first row's amount */
	int64_t pdoc;    /* adjustments: the document named */
};

static const struct plan_case cases[] = {
    {.name = "first post in an open period",
     .date = "2026-02-10",
     .doc_id = 77,
     .want = {{1, "03-300", "M", 5100, 10000}},
     .kind = COST_FIRST,
     .action = FLOW_CREATE,
     .eid = EID,
     .pdate = "2026-02-10",
     .nrows = 1,
     .amount0 = 10000},
    {.name = "unchanged: skip",
     .date = "2026-02-10",
     .doc_id = 77,
     .want = {{1, "03-300", "M", 5100, 10000}},
     .posted = {{1, "03-300", "M", 5100, 10000, EID, "2026-02"}},
     .kind = COST_SKIP},
    {.name = "never approved, never posted: nothing", .date = "2026-02-10", .kind = COST_NOTHING},
    {.name = "amount change, period open: rewrite whole",
     .date = "2026-02-10",
     .doc_id = 77,
     .want = {{1, "03-300", "M", 5100, 15000}},
     .posted = {{1, "03-300", "M", 5100, 10000, EID, "2026-02"}},
     .kind = COST_REWRITE,
     .action = FLOW_UPDATE,
     .eid = EID,
     .pdate = "2026-02-10",
     .nrows = 1,
     .amount0 = 15000},
    {.name = "line moved cost code, period open: rewrite",
     .date = "2026-02-10",
     .doc_id = 77,
     .want = {{1, "09-900", "M", 5200, 10000}},
     .posted = {{1, "03-300", "M", 5100, 10000, EID, "2026-02"}},
     .kind = COST_REWRITE,
     .action = FLOW_UPDATE,
     .eid = EID,
     .pdate = "2026-02-10",
     .nrows = 1,
     .amount0 = 10000},
    {.name = "line added, period open: rewrite with both",
     .date = "2026-03-02",
     .doc_id = 77,
     .want = {{1, "03-300", "M", 5100, 10000}, {2, "03-300", "L", 5000, 2500}},
     .posted = {{1, "03-300", "M", 5100, 10000, EID, "2026-03"}},
     .kind = COST_REWRITE,
     .action = FLOW_UPDATE,
     .eid = EID,
     .pdate = "2026-03-02",
     .nrows = 2,
     .amount0 = 10000},
    {.name = "closed period edit, adjust: difference in the first open period",
     .date = "2026-01-15",
     .doc_id = 77,
     .want = {{1, "03-300", "M", 5100, 15000}},
     .posted = {{1, "03-300", "M", 5100, 10000, EID, "2026-01"}},
     .kind = COST_ADJUST,
     .action = FLOW_UPDATE,
     .eid = EID ":adj:1",
     .pdate = "2026-02-01",
     .memo = "Adjustment of " EID ": period closed Jan 2026",
     .nrows = 1,
     .amount0 = 5000,
     .pdoc = 77},
    {.name = "closed period edit, hold: park",
     .date = "2026-01-15",
     .hold = true,
     .doc_id = 77,
     .want = {{1, "03-300", "M", 5100, 15000}},
     .posted = {{1, "03-300", "M", 5100, 10000, EID, "2026-01"}},
     .kind = COST_PARK,
     .why = "changed after its period Jan 2026 closed (policy hold)"},
    {.name = "line moved cost code after close: both codes adjusted",
     .date = "2026-01-15",
     .doc_id = 77,
     .want = {{1, "09-900", "M", 5200, 10000}},
     .posted = {{1, "03-300", "M", 5100, 10000, EID, "2026-01"}},
     .kind = COST_ADJUST,
     .action = FLOW_UPDATE,
     .eid = EID ":adj:1",
     .pdate = "2026-02-01",
     .nrows = 2,
     .amount0 = 10000,
     .pdoc = 77},
    {.name = "first post dated in a closed period, adjust: first open period",
     .date = "2026-01-20",
     .doc_id = 77,
     .want = {{1, "03-300", "M", 5100, 10000}},
     .kind = COST_FIRST,
     .action = FLOW_CREATE,
     .eid = EID,
     .pdate = "2026-02-01",
     .nrows = 1,
     .amount0 = 10000},
    {.name = "first post dated in a closed period, hold: park",
     .date = "2026-01-20",
     .hold = true,
     .doc_id = 77,
     .want = {{1, "03-300", "M", 5100, 10000}},
     .kind = COST_PARK,
     .why = "dated 2026-01-20 in closed period Jan 2026 (policy hold)"},
    {.name = "first post dated before every period: first open one",
     .date = "2025-06-01",
     .doc_id = 77,
     .want = {{1, "03-300", "M", 5100, 10000}},
     .kind = COST_FIRST,
     .action = FLOW_CREATE,
     .eid = EID,
     .pdate = "2026-02-01",
     .nrows = 1,
     .amount0 = 10000},
    {.name = "first post dated after every period: park",
     .date = "2027-01-05",
     .doc_id = 77,
     .want = {{1, "03-300", "M", 5100, 10000}},
     .kind = COST_PARK,
     .why = "dated 2027-01-05 in no period - (policy adjust: no open period)"},
    {.name = "unmapped cost code: park with the reason",
     .date = "2026-02-10",
     .doc_id = 77,
     .unmapped = "cost code 14-200 (type M) has no NetSuite expense account",
     .posted = {{1, "03-300", "M", 5100, 10000, EID, "2026-02"}},
     .kind = COST_PARK,
     .why = "cost code 14-200 (type M) has no NetSuite expense account"},
    {.name = "deleted document, period open: reversal clamped into the entry's period",
     .date = "2026-03-05",
     .posted = {{1, "03-300", "M", 5100, 10000, EID, "2026-02", 77}},
     .kind = COST_ADJUST,
     .action = FLOW_DELETE,
     .eid = EID ":adj:1",
     .pdate = "2026-02-01",
     .memo = "Adjustment of " EID,
     .nrows = 1,
     .amount0 = -10000,
     .pdoc = 77},
    {.name = "deleted document, period closed: reversal in the first open period",
     .date = "2026-03-05",
     .posted = {{1, "03-300", "M", 5100, 10000, EID, "2026-01", 77}},
     .kind = COST_ADJUST,
     .action = FLOW_DELETE,
     .eid = EID ":adj:1",
     .pdate = "2026-02-01",
     .memo = "Adjustment of " EID ": period closed Jan 2026",
     .nrows = 1,
     .amount0 = -10000,
     .pdoc = 77},
    {.name = "adjusted before: the next adjustment, in the open entry period",
     .date = "2026-02-10",
     .doc_id = 77,
     .want = {{1, "03-300", "M", 5100, 20000}},
     .posted = {{1, "03-300", "M", 5100, 10000, EID, "2026-02"},
		{1, "03-300", "M", 5100, 5000, EID ":adj:1", "2026-03"}},
     .kind = COST_ADJUST,
     .action = FLOW_UPDATE,
     .eid = EID ":adj:2",
     .pdate = "2026-02-10",
     .nrows = 1,
     .amount0 = 5000,
     .pdoc = 77},
    {.name = "adjusted twice before: counted once per entry",
     .date = "2026-02-10",
     .doc_id = 77,
     .want = {{1, "03-300", "M", 5100, 100}, {2, "03-300", "L", 5000, 100}},
     .posted = {{1, "03-300", "M", 5100, 100, EID, "2026-02"},
		{2, "03-300", "L", 5000, 50, EID ":adj:1", "2026-02"},
		{2, "03-300", "L", 5000, 25, EID ":adj:1", "2026-02"},
		{2, "03-300", "L", 5000, 10, EID ":adj:2", "2026-02"}},
     .kind = COST_ADJUST,
     .action = FLOW_UPDATE,
     .eid = EID ":adj:3",
     .pdate = "2026-02-10",
     .nrows = 1,
     .amount0 = 15,
     .pdoc = 77},
    {.name = "no open period at all: park the adjustment",
     .date = "2026-01-15",
     .doc_id = 77,
     .nperiods = 1,
     .want = {{1, "03-300", "M", 5100, 15000}},
     .posted = {{1, "03-300", "M", 5100, 10000, EID, "2026-01"}},
     .kind = COST_PARK,
     .why = "no open accounting period for the adjustment"},
    {.name = "a day of many documents: the adjustment names a document of its rows",
     .date = "2026-01-15",
     .doc_id = 0,
     .want = {{1, "03-300", "M", 5100, 300, NULL, NULL, 41}},
     .posted = {{1, "03-300", "M", 5100, 100, EID, "2026-01", 41}},
     .kind = COST_ADJUST,
     .action = FLOW_UPDATE,
     .eid = EID ":adj:1",
     .pdate = "2026-02-01",
     .nrows = 1,
     .amount0 = 200,
     .pdoc = 41},
    {.name = "credit line back to what was posted: skip",
     .date = "2026-01-15",
     .doc_id = 77,
     .want = {{1, "03-300", "M", 5100, 100}, {1, "03-300", "M", 5100, -100}},
     .posted = {{1, "03-300", "M", 5100, 0, EID, "2026-01"}},
     .kind = COST_SKIP},
};

static void fill(struct cost_rows *rs, const struct r *spec)
{
	for (size_t i = 0; i < MAXR && spec[i].line; i++) {
		struct cost_row row = {0};
		snprintf(row.source_ref, sizeof(row.source_ref), "pc:8:dcline:%d", spec[i].line);
		snprintf(row.doc_type, sizeof(row.doc_type), "invoice");
		snprintf(row.cost_code, sizeof(row.cost_code), "%s", spec[i].code);
		snprintf(row.cost_type, sizeof(row.cost_type), "%s",
			 spec[i].type ? spec[i].type : "");
		snprintf(row.je, sizeof(row.je), "%s", spec[i].je ? spec[i].je : "");
		snprintf(row.period, sizeof(row.period), "%s",
			 spec[i].period ? spec[i].period : "");
		row.account = spec[i].account;
		row.amount = spec[i].amount;
		row.doc_id = spec[i].doc_id;
		row.project_id = 12;
		cost_rows_add(rs, &row);
	}
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct plan_case *c = &cases[i];
		struct cost_rows want = {0}, posted = {0};
		struct cost_plan p;
		struct cost_unit_in in = {
		    .eid = EID,
		    .date = c->date,
		    .unmapped = c->unmapped,
		    .want = &want,
		    .posted = &posted,
		    .periods = periods,
		    .nperiods = c->nperiods ? c->nperiods : sizeof(periods) / sizeof(periods[0]),
		    .hold = c->hold,
		    .doc_id = c->doc_id};
		fill(&want, c->want);
		fill(&posted, c->posted);
		print_message("case: %s\n", c->name);
		cost_plan_unit(&in, &p);
		assert_int_equal(p.kind, c->kind);
		if (c->kind == COST_FIRST || c->kind == COST_REWRITE || c->kind == COST_ADJUST) {
			assert_int_equal(p.action, c->action);
			assert_string_equal(p.eid, c->eid);
			assert_string_equal(p.date, c->pdate);
			assert_int_equal(p.rows.n, c->nrows);
			assert_int_equal(p.rows.v[0].amount, c->amount0);
		} else {
			assert_int_equal(p.rows.n, 0);
		}
		if (c->kind == COST_ADJUST)
			assert_int_equal(p.doc_id, c->pdoc);
		if (c->memo)
			assert_string_equal(p.memo, c->memo);
		if (c->why)
			assert_string_equal(p.why, c->why);
		else
			assert_string_equal(p.why, "");
		cost_plan_release(&p);
		cost_rows_release(&want);
		cost_rows_release(&posted);
	}
}

/* The difference nets by (line, code, type, doc type), keeps first-seen
 * order and drops what nets to zero. */
static void test_delta(void **state)
{
	struct cost_rows want = {0}, posted = {0}, d;
	const struct r w[MAXR] = {{1, "03-300", "M", 5100, 100, NULL, NULL, 0},
				  {2, "03-300", "M", 5100, 50, NULL, NULL, 0},
				  {1, "03-300", "M", 5100, 20, NULL, NULL, 0}};
	const struct r p[MAXR] = {{2, "03-300", "M", 5100, 50, EID, "2026-02", 0},
				  {3, "09-900", "", 5200, 30, EID, "2026-02", 0},
				  {1, "03-300", "L", 5000, 7, EID, "2026-02", 0}};
	(void)state;

	fill(&want, w);
	fill(&posted, p);
	cost_rows_delta(&want, &posted, &d);
	assert_int_equal(d.n, 3);
	assert_string_equal(d.v[0].source_ref, "pc:8:dcline:1");
	assert_string_equal(d.v[0].cost_type, "M");
	assert_int_equal(d.v[0].amount, 120);
	assert_string_equal(d.v[1].source_ref, "pc:8:dcline:3");
	assert_int_equal(d.v[1].amount, -30);
	assert_string_equal(d.v[1].je, EID); /* the posted row is its prototype */
	assert_string_equal(d.v[2].cost_type, "L");
	assert_int_equal(d.v[2].amount, -7);
	cost_rows_release(&d);
	cost_rows_release(&want);
	cost_rows_release(&posted);
}

/* Issue 18: an owner invoice's lines against its header, to the cent. */
static void test_lines_tie(void **state)
{
	static const struct {
		int64_t a[3];
		size_t n;
		int64_t header;
		bool ok;
		const char *why;
	} t[] = {
	    {{10, 20, 0}, 2, 30, true, ""},
	    {{0, 0, 0}, 0, 0, true, ""},
	    {{10, 20, 0},
	     2,
	     31,
	     false,
	     "lines sum to 0.30 but the invoice says 0.31: difference -0.01"},
	    {{100000, -1, 0},
	     2,
	     99000,
	     false,
	     "lines sum to 999.99 but the invoice says 990.00: difference 9.99"},
	    {{INT64_MAX, 1, 0}, 2, 0, false, "the owner invoice's line amounts overflow their sum"},
	    {{5, 0, 0}, 1, INT64_MIN, false, NULL},
	};
	(void)state;
	for (size_t i = 0; i < MLC_ARRAY_LEN(t); i++) {
		char why[256] = "";
		assert_int_equal(cost_lines_tie(t[i].a, t[i].n, t[i].header, why, sizeof(why)),
				 t[i].ok);
		if (t[i].why)
			assert_string_equal(why, t[i].why);
		else
			assert_non_null(strstr(why, "difference overflow"));
	}
}

static void test_period_of(void **state)
{
	(void)state;
	assert_string_equal(cost_period_of(periods, 3, "2026-01-31")->name, "Jan 2026");
	assert_string_equal(cost_period_of(periods, 3, "2026-02-01")->name, "Feb 2026");
	assert_null(cost_period_of(periods, 3, "2025-12-31"));
	assert_null(cost_period_of(periods, 0, "2026-02-01"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_delta),
	    cmocka_unit_test(test_period_of),
	    cmocka_unit_test(test_lines_tie),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
