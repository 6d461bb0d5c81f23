/*
 * The plan of one vendor bill (req_plan.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "flows/req_plan.h"
#include "util/money.h"
#include "util/str.h"
#include "util/banned.h"

void req_month_bounds(const char *date, char start[11], char end[11])
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y = 1970, m = 1, d;

	if (date && strlen(date) >= 7) {
		y = (int)strtol(date, NULL, 10);
		m = (int)strtol(date + 5, NULL, 10);
	}
	if (m < 1 || m > 12)
		m = 1;
	d = days[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100) || y % 400 == 0));
	snprintf(start, 11, "%04d-%02d-01", y, m);
	snprintf(end, 11, "%04d-%02d-%02d", y, m, d);
}

int req_retainage(int64_t amount, int64_t pct4, int64_t *out)
{
	/* pct4 / 100 is the fraction x 10^6 */
	return money_mul_dec(amount, pct4, 6, DEC_HALF_UP, out);
}

enum req_period req_period_pick(const struct pc_billing_period *periods, size_t n, const char *date,
				size_t *idx, char *why, size_t whylen)
{
	size_t i, open = n;

	for (i = 0; i < n; i++) {
		if (strcmp(periods[i].start, date) <= 0 && strcmp(date, periods[i].end) <= 0) {
			*idx = i;
			if (periods[i].open)
				return REQ_PERIOD_USE;
			snprintf(why, whylen,
				 "the billing period %s..%s covering the bill date %s is closed: "
				 "bill it on the next requisition or enter a change order",
				 periods[i].start, periods[i].end, date);
			return REQ_PERIOD_PARK;
		}
		if (periods[i].open)
			open = i;
	}
	if (open == n)
		return REQ_PERIOD_OPEN;
	snprintf(why, whylen,
		 "billing period %s..%s is open in Procore and does not cover the bill date %s: "
		 "close it (one period is open at a time), then rerun",
		 periods[open].start, periods[open].end, date);
	return REQ_PERIOD_PARK;
}

/* Adds amount to the plan's line for commitment line li (one per line). */
static void line_add(struct req_plan *p, int64_t li, int64_t amount)
{
	size_t i;

	for (i = 0; i < p->nlines && p->lines[i].line_item_id != li; i++)
		;
	if (i == p->nlines) {
		p->lines = xrealloc(p->lines, (p->nlines + 1) * sizeof(*p->lines));
		p->lines[p->nlines++] = (struct req_line){.line_item_id = li};
	}
	p->lines[i].amount += amount;
}

/*
 * The bill's lines by commitment line, and the job (of the first line
 * naming one).  false with why: a line that cannot be read or placed, or
 * amounts that overflow (the bill is parked, never sent cut short).
 */
static bool allocate(const struct ns_bill *b, const struct req_lookup *lk, struct req_plan *p,
		     int64_t *job)
{
	size_t i;

	*job = 0;
	for (i = 0; i < b->nlines; i++) {
		const struct ns_bill_line *l = &b->lines[i];
		int64_t li = l->created_from ? lk->poline(lk->arg, l->created_from, l->line) : 0;
		if (!l->amount_ok) {
			snprintf(p->why, sizeof(p->why), "line %zu: its amount cannot be read",
				 i + 1);
			return false;
		}
		if (!l->created_from) {
			snprintf(p->why, sizeof(p->why),
				 "line %zu is not from the purchase order: a requisition bills "
				 "commitment lines only",
				 i + 1);
			return false;
		}
		if (!li) {
			snprintf(
			    p->why, sizeof(p->why),
			    "line %zu: PO line ns:poline:%lld:%lld is not a commitment line in "
			    "Procore (purchase-orders flow)",
			    i + 1, (long long)l->created_from, (long long)l->line);
			return false;
		}
		if (money_add(p->total, l->amount, &p->total) < 0) {
			snprintf(p->why, sizeof(p->why), "line %zu: the amount overflows", i + 1);
			return false;
		}
		if (l->job && !*job)
			*job = l->job;
		line_add(p, li, l->amount);
	}
	return true;
}

static bool retain(const struct req_lookup *lk, struct req_plan *p)
{
	int64_t pct4 = 0;

	if (lk->retainage(lk->arg, p->project_id, p->contract_id, &pct4) < 0) {
		p->decision = REQ_FAIL;
		snprintf(p->why, sizeof(p->why), "the retainage of commitment %lld cannot be read",
			 (long long)p->contract_id);
		return false;
	}
	for (size_t i = 0; i < p->nlines; i++)
		if (req_retainage(p->lines[i].amount, pct4, &p->lines[i].retainage) < 0 ||
		    money_add(p->retainage_total, p->lines[i].retainage, &p->retainage_total) < 0) {
			snprintf(p->why, sizeof(p->why), "the retainage overflows");
			return false;
		}
	return true;
}

static void plan_body(const struct ns_bill *b, struct req_plan *p)
{
	json_t *o = json_object(), *lines = json_array();
	char a[MONEY_FMT_MAX], r[MONEY_FMT_MAX];

	req_month_bounds(b->trandate, p->start, p->end);
	p->date = b->trandate ? b->trandate : p->start;
	/* approvalStatus 2 = Approved (docs/reference/netsuite/records.json enum 1|2|3) */
	p->status = b->approval == 2 ? "approved" : "under_review";
	p->body = (struct pc_requisition){
	    .invoice_number = b->tranid ? b->tranid : "",
	    .billing_date = p->date,
	    .origin_data = p->src,
	};
	for (size_t i = 0; i < p->nlines; i++) {
		money_format(p->lines[i].amount, a);
		money_format(p->lines[i].retainage, r);
		json_array_append_new(lines, json_pack("{s:I, s:s, s:s}", "line_item_id",
						       (json_int_t)p->lines[i].line_item_id,
						       "amount", a, "retainage", r));
	}
	json_object_set_new(o, "header", pc_requisition_json(&p->body));
	json_object_set_new(o, "lines", lines);
	json_object_set_new(o, "status", json_string(p->status));
	digest_json(o, p->hash);
	json_decref(o);
}

/* A park that waits for the purchase-orders flow: the project it holds. */
static void waits_on_po(const struct ns_bill *b, const struct req_lookup *lk, struct req_plan *p)
{
	p->waits = true;
	for (size_t i = 0; i < b->nlines && !p->project_id; i++)
		if (b->lines[i].job)
			p->project_id = lk->project(lk->arg, b->lines[i].job);
}

void req_plan_make(const struct ns_bill *b, const struct req_lookup *lk, struct req_plan *p)
{
	char hash[MLC_DIGEST_HEX] = "";
	int64_t job = 0;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->bill_id = b->id;
	snprintf(p->src, sizeof(p->src), "ns:bill:%lld", (long long)b->id);
	for (i = 0; i < b->nlines && !p->po_id; i++)
		p->po_id = b->lines[i].created_from;
	if (!p->po_id)
		return; /* REQ_IGNORE */
	p->decision = REQ_PARK;
	if (!lk->contract(lk->arg, p->po_id, &p->contract_id)) {
		snprintf(p->why, sizeof(p->why),
			 "purchase order ns:po:%lld is not in Procore yet (purchase-orders flow)",
			 (long long)p->po_id);
		waits_on_po(b, lk, p);
		return;
	}
	if (!allocate(b, lk, p, &job)) {
		if (strstr(p->why, "(purchase-orders flow)"))
			waits_on_po(b, lk, p);
		return; /* REQ_PARK, why names the line */
	}
	if (job)
		p->project_id = lk->project(lk->arg, job);
	if (!job || !p->project_id) {
		snprintf(p->why, sizeof(p->why),
			 "the bill's NetSuite job is not linked to a Procore project");
		return;
	}
	if (!retain(lk, p))
		return;
	plan_body(b, p);
	p->decision = REQ_WRITE;
	if (!lk->synced(lk->arg, b->id, &p->req_id, hash))
		return;
	if (strcmp(hash, REQ_PENDING) == 0)
		return; /* created, not marked: finish it */
	if (strcmp(hash, p->hash) == 0) {
		p->decision = REQ_SKIP;
		return;
	}
	p->decision = REQ_PARK;
	snprintf(p->why, sizeof(p->why),
		 "the bill changed after its requisition %lld was locked in Procore (origin_id "
		 "set): enter a change order or bill it on the next requisition",
		 (long long)p->req_id);
}

void req_plan_release(struct req_plan *p)
{
	free(p->lines);
	memset(p, 0, sizeof(*p));
}
