/*
 * The plan of one approved requisition as a vendor bill
 * (flows/sub_invoice_plan.h), on small tables: lines to the cent, the
 * retention line, the hash that makes a rerun a skip, and the
 * closed-period rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "flows/sub_invoice_plan.h"

/* January closed, February and March open. */
static const struct canon_period periods[] = {
    {"2026-01-01", "2026-01-31", false, "Jan 2026"},
    {"2026-02-01", "2026-02-28", true, "Feb 2026"},
    {"2026-03-01", "2026-03-31", true, "Mar 2026"},
};

static const struct sub_item items[] = {
    {501, "03-300", 6100, 123456, 12346},
    {502, "05-100", 6200, 1, 0},
    {503, "09-900", 0, 0, 0}, /* not billed this period: no line, no account needed */
};

static struct sub_invoice_in base(void)
{
	struct sub_invoice_in in = {0};
	in.company_id = 7;
	in.req_id = 42;
	in.po_id = 70;
	in.vendor_id = 9;
	in.date = "2026-02-15";
	in.items = items;
	in.nitems = 3;
	in.retainage_account = 2150;
	in.periods = periods;
	in.nperiods = 3;
	return in;
}

static void first_bill_lines_to_the_cent(void **state)
{
	struct sub_invoice_in in = base();
	struct sub_invoice_plan p;
	(void)state;

	sub_invoice_plan_make(&in, &p);
	assert_int_equal(p.decision, SUB_WRITE);
	assert_true(p.create);
	assert_string_equal(p.eid, "pc:7:requisition:42");
	assert_string_equal(p.date, "2026-02-15");
	assert_int_equal(p.nlines, 3);
	assert_int_equal(p.lines[0].account, 6100);
	assert_int_equal(p.lines[0].amount, 123456);
	assert_string_equal(p.lines[0].cost_code, "03-300");
	assert_int_equal(p.lines[1].amount, 1);
	assert_true(p.lines[2].retention);
	assert_int_equal(p.lines[2].account, 2150);
	assert_int_equal(p.lines[2].amount, -12346);
	assert_int_equal(p.total, 123456 + 1 - 12346);
	assert_true(strncmp(p.hash, "2026-02-15:", 11) == 0);
	sub_invoice_plan_release(&p);
}

static void rerun_skips_and_change_updates(void **state)
{
	struct sub_invoice_in in = base();
	struct sub_item changed[3];
	struct sub_invoice_plan p, q;
	char posted[sizeof(p.hash)];
	(void)state;

	sub_invoice_plan_make(&in, &p);
	memcpy(posted, p.hash, sizeof(posted));
	in.posted = posted;
	sub_invoice_plan_make(&in, &q);
	assert_int_equal(q.decision, SUB_SKIP);
	sub_invoice_plan_release(&q);
	/* a cent more after approval, period open: the same bill, updated */
	memcpy(changed, items, sizeof(changed));
	changed[1].amount = 2;
	in.items = changed;
	sub_invoice_plan_make(&in, &q);
	assert_int_equal(q.decision, SUB_WRITE);
	assert_false(q.create);
	assert_string_equal(q.eid, p.eid);
	assert_int_equal(q.total, p.total + 1);
	assert_string_not_equal(q.hash, p.hash);
	sub_invoice_plan_release(&q);
	sub_invoice_plan_release(&p);
}

static void edit_in_closed_period_parks(void **state)
{
	struct sub_invoice_in in = base();
	struct sub_item changed[3];
	struct sub_invoice_plan p;
	(void)state;

	memcpy(changed, items, sizeof(changed));
	changed[0].amount = 100000;
	in.items = changed;
	in.posted = "2026-01-20:0000";
	sub_invoice_plan_make(&in, &p);
	assert_int_equal(p.decision, SUB_PARK);
	assert_non_null(strstr(p.why, "closed period Jan 2026"));
	assert_non_null(strstr(p.why, "vendor credit"));
	sub_invoice_plan_release(&p);
}

static void first_bill_in_closed_period(void **state)
{
	struct sub_invoice_in in = base();
	struct sub_invoice_plan p;
	(void)state;

	in.date = "2026-01-10";
	sub_invoice_plan_make(&in, &p); /* adjust: the next open period */
	assert_int_equal(p.decision, SUB_WRITE);
	assert_string_equal(p.date, "2026-02-01");
	sub_invoice_plan_release(&p);
	in.hold = true;
	sub_invoice_plan_make(&in, &p);
	assert_int_equal(p.decision, SUB_PARK);
	assert_non_null(strstr(p.why, "closed period Jan 2026"));
	sub_invoice_plan_release(&p);
	in.hold = false;
	in.date = "2027-06-01";
	sub_invoice_plan_make(&in, &p);
	assert_int_equal(p.decision, SUB_PARK);
	assert_non_null(strstr(p.why, "no accounting period for 2027-06-01"));
	sub_invoice_plan_release(&p);
}

static void parks_what_cannot_be_billed(void **state)
{
	struct sub_invoice_in in;
	struct sub_invoice_plan p;
	struct sub_item big[2] = {{1, "03-300", 6100, INT64_MAX, 0}, {2, "03-300", 6100, 1, 0}};
	struct sub_item over[1] = {{1, "03-300", 6100, 100, 101}};
	(void)state;

	in = base();
	in.po_id = 0; /* a commitment made in Procore */
	sub_invoice_plan_make(&in, &p);
	assert_int_equal(p.decision, SUB_PARK);
	assert_non_null(strstr(p.why, "purchase order"));
	sub_invoice_plan_release(&p);

	in = base();
	in.unmapped = "cost code 05-100 has no NetSuite expense account";
	sub_invoice_plan_make(&in, &p);
	assert_int_equal(p.decision, SUB_PARK);
	assert_string_equal(p.why, "cost code 05-100 has no NetSuite expense account");
	sub_invoice_plan_release(&p);

	in = base();
	in.retainage_account = 0;
	sub_invoice_plan_make(&in, &p);
	assert_int_equal(p.decision, SUB_PARK);
	assert_non_null(strstr(p.why, "requisition.retainage"));
	sub_invoice_plan_release(&p);

	in = base();
	in.items = big;
	in.nitems = 2;
	sub_invoice_plan_make(&in, &p);
	assert_int_equal(p.decision, SUB_PARK);
	assert_non_null(strstr(p.why, "do not fit"));
	sub_invoice_plan_release(&p);

	in = base();
	in.items = over;
	in.nitems = 1;
	sub_invoice_plan_make(&in, &p);
	assert_int_equal(p.decision, SUB_PARK);
	assert_non_null(strstr(p.why, "negative"));
	sub_invoice_plan_release(&p);
}

static void nothing_billed(void **state)
{
	struct sub_invoice_in in = base();
	struct sub_invoice_plan p;
	(void)state;

	in.items = &items[2];
	in.nitems = 1;
	in.retainage_account = 0;
	sub_invoice_plan_make(&in, &p); /* nothing to bill, nothing posted */
	assert_int_equal(p.decision, SUB_IGNORE);
	sub_invoice_plan_release(&p);
	in.posted = "2026-02-15:abcd"; /* the posted bill is not left standing silently */
	sub_invoice_plan_make(&in, &p);
	assert_int_equal(p.decision, SUB_PARK);
	assert_non_null(strstr(p.why, "void or credit"));
	sub_invoice_plan_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(first_bill_lines_to_the_cent),
	    cmocka_unit_test(rerun_skips_and_change_updates),
	    cmocka_unit_test(edit_in_closed_period_parks),
	    cmocka_unit_test(first_bill_in_closed_period),
	    cmocka_unit_test(parks_what_cannot_be_billed),
	    cmocka_unit_test(nothing_billed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
