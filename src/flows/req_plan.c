/*
 * The plan of one vendor bill (req_plan.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "flows/req_plan.h"
#include "util/money.h"
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

/*
 * The lines' amounts by cost code and their total, as origin_data text,
 * and the job (of the first line naming one).  An amount that cannot be
 * read, or a total that would overflow, is no total to send: NULL, with
 * the line named in why (the bill is parked, never sent cut short).
 */
static char *allocation(const struct ns_bill *b, const struct req_lookup *lk, int64_t *job,
			char *why, size_t whylen)
{
	json_t *lines = json_array();
	char total_text[MONEY_FMT_MAX], *od;
	int64_t total = 0;
	size_t i;

	*job = 0;
	for (i = 0; i < b->nlines; i++) {
		const struct ns_bill_line *l = &b->lines[i];
		const char *code = l->cost_seg ? lk->seg_code(lk->arg, l->cost_seg) : NULL;
		char a[MONEY_FMT_MAX];
		if (!l->amount_ok) {
			snprintf(why, whylen, "line %zu: its amount cannot be read", i + 1);
			json_decref(lines);
			return NULL;
		}
		if (money_add(total, l->amount, &total) < 0) {
			money_format(l->amount, a);
			snprintf(why, whylen, "line %zu: amount %s overflows the bill's total",
				 i + 1, a);
			json_decref(lines);
			return NULL;
		}
		if (l->job && !*job)
			*job = l->job;
		money_format(l->amount, a);
		json_array_append_new(
		    lines, json_pack("{s:s, s:s}", "cost_code", code ? code : "", "amount", a));
	}
	money_format(total, total_text);
	json_t *o = json_pack("{s:s, s:o}", "total", total_text, "lines", lines);
	od = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return od;
}

static void plan_body(const struct ns_bill *b, struct req_plan *p)
{
	json_t *body;

	req_month_bounds(b->trandate, p->start, p->end);
	p->body = (struct pc_requisition){
	    .origin_id = p->src,
	    .invoice_number = b->tranid ? b->tranid : "",
	    .billing_date = b->trandate ? b->trandate : p->start,
	    .start = p->start,
	    .end = p->end,
	    .origin_data = p->origin_data,
	    /* approvalStatus 2 = Approved (docs/reference/netsuite/records.json enum 1|2|3) */
	    .status = b->approval == 2 ? "approved" : "under_review",
	};
	body = pc_requisition_json(&p->body);
	digest_json(body, p->hash);
	json_decref(body);
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
		return;
	}
	p->origin_data = allocation(b, lk, &job, p->why, sizeof(p->why));
	if (!p->origin_data)
		return; /* REQ_PARK, why names the line */
	if (job)
		p->project_id = lk->project(lk->arg, job);
	if (!job || !p->project_id) {
		snprintf(p->why, sizeof(p->why),
			 "the bill's NetSuite job is not linked to a Procore project");
		return;
	}
	plan_body(b, p);
	p->decision = REQ_WRITE;
	if (lk->synced(lk->arg, b->id, &p->req_id, hash) && hash[0] && strcmp(hash, p->hash) == 0)
		p->decision = REQ_SKIP;
}

void req_plan_release(struct req_plan *p)
{
	free(p->origin_data);
	memset(p, 0, sizeof(*p));
}
