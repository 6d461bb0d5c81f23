/*
 * The plan of one vendor bill (flows/req_plan.h): a pure function of the
 * bill and its lookups, tested on lookups written out as small tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "flows/req_plan.h"

/* PO 70 -> commitment 4242; PO lines 70:1 -> 9001, 70:2 -> 9002; job 10 ->
 * project 100; the commitment's retainage w_pct4 (10% unless a test says). */
static char synced_hash[MLC_DIGEST_HEX];
static int64_t synced_id, w_pct4 = 100000;
static int w_retain_rc;

static bool w_contract(void *arg, int64_t po, int64_t *contract)
{
	(void)arg;
	*contract = po == 70 ? 4242 : 0;
	return po == 70;
}

static int64_t w_project(void *arg, int64_t job)
{
	(void)arg;
	return job == 10 ? 100 : 0;
}

static int64_t w_poline(void *arg, int64_t po, int64_t line)
{
	(void)arg;
	return po == 70 && (line == 1 || line == 2) ? 9000 + line : 0;
}

static int w_retainage(void *arg, int64_t project, int64_t contract, int64_t *pct4)
{
	(void)arg;
	assert_int_equal(project, 100);
	assert_int_equal(contract, 4242);
	*pct4 = w_pct4;
	return w_retain_rc;
}

static bool w_synced(void *arg, int64_t bill, int64_t *req_id, char hash[MLC_DIGEST_HEX])
{
	(void)arg;
	(void)bill;
	*req_id = synced_id;
	memcpy(hash, synced_hash, MLC_DIGEST_HEX);
	return synced_id != 0;
}

static const struct req_lookup lk = {NULL, w_contract, w_project, w_poline, w_retainage, w_synced};

#define L(job_, from_, line_, amt_)                                                                \
	{                                                                                          \
		.line = (line_), .job = (job_), .created_from = (from_), .amount_ok = true,        \
		.amount = (amt_)                                                                   \
	}

struct row {
	const char *name;
	struct ns_bill_line lines[3];
	size_t nlines;
	enum req_decision want;
	const char *why; /* park reason in full */
	/* for writes: the contract items (line id, amount, retainage) and the totals */
	int64_t items[3][3];
	size_t nitems;
	int64_t total, retainage;
};

static const struct row rows[] = {
    {"no lines", {L(10, 0, 1, 100)}, 0, REQ_IGNORE, "", {{0}}, 0, 0, 0},
    {"not from a PO", {L(10, 0, 1, 100), L(10, 0, 2, 5)}, 2, REQ_IGNORE, "", {{0}}, 0, 0, 0},
    {"PO not synced",
     {L(10, 71, 1, 100)},
     1,
     REQ_PARK,
     "purchase order ns:po:71 is not in Procore yet (purchase-orders flow)",
     {{0}},
     0,
     0,
     0},
    {"two bill lines on one PO line are one contract item, retainage half up",
     {L(10, 70, 1, 100055), L(10, 70, 1, 45)},
     2,
     REQ_WRITE,
     "",
     {{9001, 100100, 10010}},
     1,
     100100,
     10010},
    {"two commitment lines, to the cent",
     {L(10, 70, 1, 12345), L(10, 70, 2, 99)},
     2,
     REQ_WRITE,
     "",
     {{9001, 12345, 1235}, {9002, 99, 10}},
     2,
     12444,
     1245},
    {"a line not from the PO parks the bill",
     {L(10, 70, 1, 100), L(10, 0, 3, 50)},
     2,
     REQ_PARK,
     "line 2 is not from the purchase order: a requisition bills commitment lines only",
     {{0}},
     0,
     0,
     0},
    {"a PO line not in Procore parks the bill",
     {L(10, 70, 7, 100)},
     1,
     REQ_PARK,
     "line 1: PO line ns:poline:70:7 is not a commitment line in Procore (purchase-orders "
     "flow)",
     {{0}},
     0,
     0,
     0},
    {"no job",
     {L(0, 70, 1, 100)},
     1,
     REQ_PARK,
     "the bill's NetSuite job is not linked to a Procore project",
     {{0}},
     0,
     0,
     0},
    {"job not linked",
     {L(12, 70, 1, 100)},
     1,
     REQ_PARK,
     "the bill's NetSuite job is not linked to a Procore project",
     {{0}},
     0,
     0,
     0},
    {"unreadable amount parks the bill",
     {L(10, 70, 1, 100), {.line = 2, .job = 10, .created_from = 70}},
     2,
     REQ_PARK,
     "line 2: its amount cannot be read",
     {{0}},
     0,
     0,
     0},
    {"overflow parks the bill, never a cut total",
     {L(10, 70, 1, INT64_MAX), L(10, 70, 2, 1)},
     2,
     REQ_PARK,
     "line 2: the amount overflows",
     {{0}},
     0,
     0,
     0},
};

static void make(const struct row *t, struct req_plan *p)
{
	static char tranid[] = "INV-5", trandate[] = "2026-03-05";
	struct ns_bill b = {.id = 5,
			    .tranid = tranid,
			    .trandate = trandate,
			    .approval = 2,
			    .lines = (struct ns_bill_line *)t->lines,
			    .nlines = t->nlines};
	req_plan_make(&b, &lk, p);
}

static void test_table(void **state)
{
	struct req_plan p;
	size_t i, k;

	(void)state;
	synced_id = 0;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *t = &rows[i];
		make(t, &p);
		if (p.decision != t->want)
			fail_msg("%s: decision %d, want %d (%s)", t->name, p.decision, t->want,
				 p.why);
		if (t->want == REQ_PARK)
			assert_string_equal(p.why, t->why);
		if (t->want == REQ_WRITE) {
			assert_int_equal(p.nlines, t->nitems);
			for (k = 0; k < t->nitems; k++) {
				assert_int_equal(p.lines[k].line_item_id, t->items[k][0]);
				assert_int_equal(p.lines[k].amount, t->items[k][1]);
				assert_int_equal(p.lines[k].retainage, t->items[k][2]);
			}
			assert_int_equal(p.total, t->total);
			assert_int_equal(p.retainage_total, t->retainage);
			assert_int_equal(p.contract_id, 4242);
			assert_int_equal(p.project_id, 100);
			assert_int_equal(p.req_id, 0);
			assert_string_equal(p.src, "ns:bill:5");
			/* the marker, never amounts: origin_id is set last, by the flow */
			assert_string_equal(p.body.origin_data, "ns:bill:5");
			assert_string_equal(p.body.invoice_number, "INV-5");
			assert_string_equal(p.body.billing_date, "2026-03-05");
			assert_string_equal(p.start, "2026-03-01");
			assert_string_equal(p.end, "2026-03-31");
			assert_string_equal(p.status, "approved");
		}
		req_plan_release(&p);
	}
}

/* A park waiting for the purchase-orders flow names the project it holds
 * (flow_requisitions.c opens no billing period there meanwhile); a park on
 * the bill's own data does not wait. */
static void test_waits(void **state)
{
	static const struct {
		struct ns_bill_line line;
		bool waits;
		int64_t project;
	} t[] = {
	    {L(10, 71, 1, 100), true, 100},  /* the PO is not in Procore yet */
	    {L(10, 70, 3, 100), true, 100},  /* its line is not a commitment line yet */
	    {L(11, 71, 1, 100), true, 0},    /* waits, in no linked project */
	    {L(10, 70, 1, 100), false, 100}, /* written */
	};
	struct row r = {0};
	struct req_plan p;

	(void)state;
	synced_id = 0;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		r.lines[0] = t[i].line;
		r.nlines = 1;
		make(&r, &p);
		assert_int_equal(p.waits, t[i].waits);
		assert_int_equal(p.project_id, t[i].project);
		assert_int_equal(p.decision, t[i].waits ? REQ_PARK : REQ_WRITE);
		req_plan_release(&p);
	}
	/* a bad amount parks without waiting */
	r.lines[0] = (struct ns_bill_line)L(10, 70, 1, 100);
	r.lines[0].amount_ok = false;
	make(&r, &p);
	assert_int_equal(p.decision, REQ_PARK);
	assert_false(p.waits);
	req_plan_release(&p);
}

/* Synced: unchanged skips; pending finishes; changed after the lock parks with the way out. */
static void test_synced(void **state)
{
	const struct row *t = &rows[4];
	struct req_plan p;
	char hash[MLC_DIGEST_HEX];

	(void)state;
	synced_id = 0;
	make(t, &p);
	memcpy(hash, p.hash, sizeof(hash));
	req_plan_release(&p);

	synced_id = 777;
	memcpy(synced_hash, hash, sizeof(hash));
	make(t, &p);
	assert_int_equal(p.decision, REQ_SKIP);
	req_plan_release(&p);

	snprintf(synced_hash, sizeof(synced_hash), "%s", REQ_PENDING);
	make(t, &p);
	assert_int_equal(p.decision, REQ_WRITE);
	assert_int_equal(p.req_id, 777);
	req_plan_release(&p);

	snprintf(synced_hash, sizeof(synced_hash), "%s", "0123abcd");
	make(t, &p);
	assert_int_equal(p.decision, REQ_PARK);
	assert_string_equal(p.why, "the bill changed after its requisition 777 was locked in "
				   "Procore (origin_id set): enter a change order or bill it on "
				   "the next requisition");
	req_plan_release(&p);

	/* another retainage changes the plan's hash: the locked bill parks */
	memcpy(synced_hash, hash, sizeof(hash));
	w_pct4 = 52500; /* 5.25% */
	make(t, &p);
	assert_int_equal(p.decision, REQ_PARK);
	assert_int_equal(p.lines[0].retainage, 648); /* 123.45 x 5.25% = 6.481 */
	req_plan_release(&p);

	w_retain_rc = -13;
	make(t, &p);
	assert_int_equal(p.decision, REQ_FAIL);
	assert_string_equal(p.why, "the retainage of commitment 4242 cannot be read");
	req_plan_release(&p);
	w_retain_rc = 0;
	w_pct4 = 100000;
	synced_id = 0;
}

static void test_retainage(void **state)
{
	static const int64_t t[][3] = {
	    {100001, 52500, 5250},   /* 1000.01 x 5.25% = 52.500525 */
	    {12345, 100000, 1235},   /* 12.345 half up */
	    {-12345, 100000, -1235}, /* half away from zero */
	    {99, 0, 0},
	    {1, 1000000, 1}, /* 100% */
	};
	int64_t out;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(req_retainage(t[i][0], t[i][1], &out), 0);
		assert_int_equal(out, t[i][2]);
	}
}

/* webhook-payloads.md section 6 item 4: one open period; a requisition in the open one. */
static void test_period_pick(void **state)
{
	static const struct pc_billing_period jan_closed = {1, "2026-01-01", "2026-01-31", false},
					      feb_open = {2, "2026-02-01", "2026-02-28", true};
	struct pc_billing_period both[] = {jan_closed, feb_open}, jan[] = {jan_closed};
	char why[200];
	size_t idx = 99;

	(void)state;
	assert_int_equal(req_period_pick(both, 2, "2026-02-14", &idx, why, sizeof(why)),
			 REQ_PERIOD_USE);
	assert_int_equal(idx, 1);
	assert_int_equal(req_period_pick(both, 2, "2026-01-31", &idx, why, sizeof(why)),
			 REQ_PERIOD_PARK);
	assert_string_equal(why, "the billing period 2026-01-01..2026-01-31 covering the bill "
				 "date 2026-01-31 is closed: bill it on the next requisition or "
				 "enter a change order");
	assert_int_equal(req_period_pick(both, 2, "2026-03-01", &idx, why, sizeof(why)),
			 REQ_PERIOD_PARK);
	assert_string_equal(why, "billing period 2026-02-01..2026-02-28 is open in Procore and "
				 "does not cover the bill date 2026-03-01: close it (one period "
				 "is open at a time), then rerun");
	assert_int_equal(req_period_pick(jan, 1, "2026-03-01", &idx, why, sizeof(why)),
			 REQ_PERIOD_OPEN);
	assert_int_equal(req_period_pick(NULL, 0, "2026-03-01", &idx, why, sizeof(why)),
			 REQ_PERIOD_OPEN);
}

static void test_month_bounds(void **state)
{
	static const struct {
		const char *date, *start, *end;
	} t[] = {
	    {"2026-01-15", "2026-01-01", "2026-01-31"}, {"2026-04-30", "2026-04-01", "2026-04-30"},
	    {"2024-02-01", "2024-02-01", "2024-02-29"}, {"2100-02-01", "2100-02-01", "2100-02-28"},
	    {"2000-02-01", "2000-02-01", "2000-02-29"}, {"2026-13-01", "2026-01-01", "2026-01-31"},
	    {"2026", "1970-01-01", "1970-01-31"},       {NULL, "1970-01-01", "1970-01-31"},
	    {"2026-11", "2026-11-01", "2026-11-30"},
	};
	char start[11], end[11];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		req_month_bounds(t[i].date, start, end);
		assert_string_equal(start, t[i].start);
		assert_string_equal(end, t[i].end);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),       cmocka_unit_test(test_synced),
	    cmocka_unit_test(test_waits),       cmocka_unit_test(test_retainage),
	    cmocka_unit_test(test_period_pick), cmocka_unit_test(test_month_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
