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

/* PO 70 -> commitment 4242; job 10 -> project 100; segment 1 -> 03-300. */
static char synced_hash[MLC_DIGEST_HEX];
static int64_t synced_id;

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

static const char *w_seg_code(void *arg, int64_t seg)
{
	(void)arg;
	return seg == 1 ? "03-300" : seg == 2 ? "09-900" : NULL;
}

static bool w_synced(void *arg, int64_t bill, int64_t *req_id, char hash[MLC_DIGEST_HEX])
{
	(void)arg;
	(void)bill;
	*req_id = synced_id;
	memcpy(hash, synced_hash, MLC_DIGEST_HEX);
	return synced_id != 0;
}

static const struct req_lookup lk = {NULL, w_contract, w_project, w_seg_code, w_synced};

#define L(job_, from_, seg_, amt_)                                                                 \
	{                                                                                          \
		.job = (job_), .created_from = (from_), .cost_seg = (seg_), .amount_ok = true,     \
		.amount = (amt_)                                                                   \
	}

struct row {
	const char *name;
	struct ns_bill_line lines[3];
	size_t nlines;
	const char *trandate;
	int64_t approval;
	enum req_decision want;
	const char *why;         /* park reason in full */
	const char *origin_data; /* for writes */
	const char *start, *end, *status;
};

static const struct row rows[] = {
    {"no lines", {L(10, 0, 1, 100)}, 0, "2026-03-05", 0, REQ_IGNORE, "", NULL, NULL, NULL, NULL},
    {"not from a PO",
     {L(10, 0, 1, 100), L(10, 0, 1, 5)},
     2,
     "2026-03-05",
     0,
     REQ_IGNORE,
     "",
     NULL,
     NULL,
     NULL,
     NULL},
    {"PO not synced",
     {L(10, 71, 1, 100)},
     1,
     "2026-03-05",
     0,
     REQ_PARK,
     "purchase order ns:po:71 is not in Procore yet (purchase-orders flow)",
     NULL,
     NULL,
     NULL,
     NULL},
    {"PO on a later line",
     {L(10, 0, 1, 100), L(10, 70, 1, 50)},
     2,
     "2026-03-05",
     2,
     REQ_WRITE,
     "",
     "{\"lines\":[{\"amount\":\"1.00\",\"cost_code\":\"03-300\"},{\"amount\":\"0.50\","
     "\"cost_code\":\"03-300\"}],\"total\":\"1.50\"}",
     "2026-03-01",
     "2026-03-31",
     "approved"},
    {"no job",
     {L(0, 70, 1, 100)},
     1,
     "2026-03-05",
     0,
     REQ_PARK,
     "the bill's NetSuite job is not linked to a Procore project",
     NULL,
     NULL,
     NULL,
     NULL},
    {"job not linked",
     {L(12, 70, 1, 100)},
     1,
     "2026-03-05",
     0,
     REQ_PARK,
     "the bill's NetSuite job is not linked to a Procore project",
     NULL,
     NULL,
     NULL,
     NULL},
    {"first job wins",
     {L(0, 70, 1, 100), L(10, 70, 2, 250), L(12, 70, 0, -50)},
     3,
     "2024-02-10",
     1,
     REQ_WRITE,
     "",
     "{\"lines\":[{\"amount\":\"1.00\",\"cost_code\":\"03-300\"},{\"amount\":\"2.50\","
     "\"cost_code\":\"09-900\"},{\"amount\":\"-0.50\",\"cost_code\":\"\"}],\"total\":"
     "\"3.00\"}",
     "2024-02-01",
     "2024-02-29",
     "under_review"},
    {"unknown segment",
     {L(10, 70, 9, 100)},
     1,
     "2023-02-10",
     0,
     REQ_WRITE,
     "",
     "{\"lines\":[{\"amount\":\"1.00\",\"cost_code\":\"\"}],\"total\":\"1.00\"}",
     "2023-02-01",
     "2023-02-28",
     "under_review"},
    {"unreadable amount parks the bill",
     {L(10, 70, 1, 100), {.job = 10, .created_from = 70}, L(10, 70, 1, 700)},
     3,
     "2026-12-31",
     2,
     REQ_PARK,
     "line 2: its amount cannot be read",
     NULL,
     NULL,
     NULL,
     NULL},
    {"unreadable amount before the job parks on the amount",
     {L(0, 70, 1, 100), {.job = 10, .created_from = 70}},
     2,
     "2026-03-05",
     0,
     REQ_PARK,
     "line 2: its amount cannot be read",
     NULL,
     NULL,
     NULL,
     NULL},
    {"overflow parks the bill, never a cut total",
     {L(10, 70, 1, INT64_MAX), L(10, 70, 1, 1)},
     2,
     "2026-04-02",
     0,
     REQ_PARK,
     "line 2: amount 0.01 overflows the bill's total",
     NULL,
     NULL,
     NULL,
     NULL},
    {"no date",
     {L(10, 70, 1, 100)},
     1,
     NULL,
     0,
     REQ_WRITE,
     "",
     "{\"lines\":[{\"amount\":\"1.00\",\"cost_code\":\"03-300\"}],\"total\":\"1.00\"}",
     "1970-01-01",
     "1970-01-31",
     "under_review"},
};

static void test_table(void **state)
{
	size_t i;

	(void)state;
	synced_id = 0;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *t = &rows[i];
		struct ns_bill_line lines[3];
		struct ns_bill b = {.id = 5,
				    .tranid = (char *)"B-5",
				    .approval = t->approval,
				    .trandate = (char *)t->trandate,
				    .lines = lines,
				    .nlines = t->nlines};
		struct req_plan p;

		memcpy(lines, t->lines, sizeof(lines));
		req_plan_make(&b, &lk, &p);
		if (p.decision != t->want)
			fail_msg("%s: decision %d, wanted %d (%s)", t->name, p.decision, t->want,
				 p.why);
		if (strcmp(p.why, t->why) != 0)
			fail_msg("%s: why '%s', wanted '%s'", t->name, p.why, t->why);
		if (t->want == REQ_WRITE) {
			assert_string_equal(p.body.origin_data, t->origin_data);
			assert_string_equal(p.body.start, t->start);
			assert_string_equal(p.body.end, t->end);
			assert_string_equal(p.body.status, t->status);
			assert_string_equal(p.body.billing_date,
					    t->trandate ? t->trandate : t->start);
			assert_string_equal(p.body.origin_id, "ns:bill:5");
			assert_string_equal(p.body.invoice_number, "B-5");
			assert_int_equal(p.contract_id, 4242);
			assert_int_equal(p.project_id, 100);
			assert_int_equal(p.req_id, 0);
		}
		req_plan_release(&p);
	}
}

static void test_synced(void **state)
{
	struct ns_bill_line lines[1] = {L(10, 70, 1, 100)};
	struct ns_bill b = {.id = 5, .trandate = (char *)"2026-03-05", .lines = lines, .nlines = 1};
	struct req_plan p;

	(void)state;
	synced_id = 0;
	req_plan_make(&b, &lk, &p);
	assert_int_equal(p.decision, REQ_WRITE);
	assert_string_equal(p.body.invoice_number, "");
	memcpy(synced_hash, p.hash, MLC_DIGEST_HEX);
	req_plan_release(&p);

	/* synced with this hash: skip, the requisition known */
	synced_id = 880;
	req_plan_make(&b, &lk, &p);
	assert_int_equal(p.decision, REQ_SKIP);
	assert_int_equal(p.req_id, 880);
	req_plan_release(&p);

	/* approved since: an update of that requisition */
	b.approval = 2;
	req_plan_make(&b, &lk, &p);
	assert_int_equal(p.decision, REQ_WRITE);
	assert_int_equal(p.req_id, 880);
	assert_string_equal(p.body.status, "approved");
	req_plan_release(&p);

	/* linked without a hash: written again */
	b.approval = 0;
	synced_hash[0] = '\0';
	req_plan_make(&b, &lk, &p);
	assert_int_equal(p.decision, REQ_WRITE);
	req_plan_release(&p);
	synced_id = 0;
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
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_synced),
	    cmocka_unit_test(test_month_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
