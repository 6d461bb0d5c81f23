/*
 * The plan of one approved requisition as a vendor bill
 * (sub_invoice_plan.h).  Pure: no store, no network, no clock.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "flows/cost_plan.h"
#include "flows/sub_invoice_plan.h"
#include "util/money.h"
#include "util/str.h"
#include "util/banned.h"

void sub_invoice_plan_release(struct sub_invoice_plan *p)
{
	free(p->lines);
	p->lines = NULL;
	p->nlines = 0;
}

static void park(struct sub_invoice_plan *p, const char *why)
{
	p->decision = SUB_PARK;
	str_copy(p->why, sizeof(p->why), why);
}

static void add_line(struct sub_invoice_plan *p, const struct sub_line *l)
{
	p->lines = xrealloc(p->lines, (p->nlines + 1) * sizeof(*p->lines));
	p->lines[p->nlines++] = *l;
}

/* The lines and the total; false (parked) when an amount does not fit. */
static bool make_lines(const struct sub_invoice_in *in, struct sub_invoice_plan *p)
{
	int64_t work = 0, held = 0;
	struct sub_line l;

	for (size_t i = 0; i < in->nitems; i++) {
		const struct sub_item *it = &in->items[i];
		if (money_add(work, it->amount, &work) < 0 ||
		    money_add(held, it->retainage, &held) < 0) {
			park(p, "the requisition's amounts do not fit in a money value");
			return false;
		}
		if (!it->amount)
			continue;
		memset(&l, 0, sizeof(l));
		l.account = it->account;
		l.amount = it->amount;
		l.item_id = it->id;
		str_copy(l.cost_code, sizeof(l.cost_code), it->cost_code);
		add_line(p, &l);
	}
	if (held) {
		memset(&l, 0, sizeof(l));
		l.account = in->retainage_account;
		l.amount = -held;
		l.retention = true;
		add_line(p, &l);
	}
	if (held == INT64_MIN || money_add(work, -held, &p->total) < 0) {
		park(p, "the requisition's amounts do not fit in a money value");
		return false;
	}
	return true;
}

/* The digest of what the bill carries: PO, vendor, date and lines. */
static void make_hash(const struct sub_invoice_in *in, struct sub_invoice_plan *p)
{
	json_t *o = json_pack("{s:I, s:I, s:s, s:[]}", "po", (json_int_t)in->po_id, "vendor",
			      (json_int_t)in->vendor_id, "date", p->date, "lines");
	json_t *lines = json_object_get(o, "lines");
	char d[MLC_DIGEST_HEX];

	for (size_t i = 0; i < p->nlines; i++)
		json_array_append_new(
		    lines, json_pack("[I, I, I, s]", (json_int_t)p->lines[i].account,
				     (json_int_t)p->lines[i].amount,
				     (json_int_t)p->lines[i].item_id, p->lines[i].cost_code));
	digest_json(o, d);
	json_decref(o);
	snprintf(p->hash, sizeof(p->hash), "%s:%s", p->date, d);
}

/* The first open period ending on or after date, or NULL. */
static const struct canon_period *first_open_from(const struct sub_invoice_in *in, const char *date)
{
	for (size_t i = 0; i < in->nperiods; i++)
		if (in->periods[i].open && strcmp(in->periods[i].end, date) >= 0)
			return &in->periods[i];
	return NULL;
}

/* The date of a bill never posted; false: parked. */
static bool first_date(const struct sub_invoice_in *in, struct sub_invoice_plan *p)
{
	const struct canon_period *per = cost_period_of(in->periods, in->nperiods, in->date);
	const struct canon_period *next;
	char why[256];

	if (!per) {
		snprintf(why, sizeof(why), "NetSuite has no accounting period for %s", in->date);
		park(p, why);
		return false;
	}
	if (per->open) {
		str_copy(p->date, sizeof(p->date), in->date);
		return true;
	}
	next = first_open_from(in, in->date);
	if (in->hold || !next) {
		snprintf(
		    why, sizeof(why),
		    "the billing date %s is in closed period %s (policy %s): reopen it, or set "
		    "costs.closed_period to adjust to bill in the next open period",
		    in->date, per->name, in->hold ? "hold" : "adjust, and no open period");
		park(p, why);
		return false;
	}
	str_copy(p->date, sizeof(p->date), next->start);
	return true;
}

/* A bill posted and changed since: updated while its period is open. */
static void edit(const struct sub_invoice_in *in, struct sub_invoice_plan *p)
{
	char posted_date[11], why[512];
	const struct canon_period *per;

	str_copy(posted_date, sizeof(posted_date), in->posted);
	per = cost_period_of(in->periods, in->nperiods, posted_date);
	if (!per || !per->open) {
		snprintf(why, sizeof(why),
			 "vendor bill %s is posted in closed period %s and requisition %lld "
			 "changed after approval: enter a vendor credit for the difference, or "
			 "reopen the period",
			 p->eid, per ? per->name : posted_date, (long long)in->req_id);
		park(p, why);
		return;
	}
	str_copy(p->date, sizeof(p->date), posted_date);
	make_hash(in, p);
	if (strcmp(p->hash, in->posted) == 0) {
		p->decision = SUB_SKIP;
		return;
	}
	p->decision = SUB_WRITE;
	p->create = false;
}

static bool billable(const struct sub_invoice_in *in, struct sub_invoice_plan *p)
{
	char why[256];

	if (!in->po_id) {
		snprintf(why, sizeof(why),
			 "requisition %lld is on a commitment that did not come from a NetSuite "
			 "purchase order: sync the PO first or enter the bill in NetSuite",
			 (long long)in->req_id);
		park(p, why);
		return false;
	}
	if (!in->vendor_id) {
		park(p, "the purchase order names no vendor");
		return false;
	}
	if (in->unmapped) {
		park(p, in->unmapped);
		return false;
	}
	for (size_t i = 0; i < p->nlines; i++)
		if (!p->lines[i].account) {
			park(p, p->lines[i].retention
				    ? "retention is held but no retainage payable account is "
				      "mapped (offset-account requisition.retainage)"
				    : "a billed item has no expense account");
			return false;
		}
	if (p->total < 0) {
		park(p, "retention exceeds the work billed: a vendor bill cannot be negative");
		return false;
	}
	return true;
}

void sub_invoice_plan_make(const struct sub_invoice_in *in, struct sub_invoice_plan *out)
{
	bool posted = in->posted && in->posted[0];

	memset(out, 0, sizeof(*out));
	snprintf(out->eid, sizeof(out->eid), "pc:%lld:requisition:%lld", (long long)in->company_id,
		 (long long)in->req_id);
	if (!make_lines(in, out))
		return;
	if (!out->nlines && !posted) {
		out->decision = SUB_IGNORE;
		return;
	}
	if (!out->nlines) {
		park(out, "the requisition bills nothing now, but its vendor bill is posted: void "
			  "or credit it in NetSuite");
		return;
	}
	if (!billable(in, out))
		return;
	if (posted) {
		edit(in, out);
		return;
	}
	if (!first_date(in, out))
		return;
	make_hash(in, out);
	out->decision = SUB_WRITE;
	out->create = true;
}
