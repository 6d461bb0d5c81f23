/*
 * Flow "sub-invoices" (direction procore): approved Procore requisitions
 * (subcontractor invoices) -> NetSuite vendor bills against the purchase
 * order their commitment was made from, one line per cost code item and
 * the retention on its own line (flows/sub_invoice_plan.h), upserted by
 * externalId pc:<company>:requisition:<id>, so a lost answer or a rerun
 * never makes a second bill.
 *
 * Which system is the master of subcontractor invoices is the tenant
 * setting master.requisitions: "netsuite" (the default: bills entered in
 * NetSuite become requisitions, flow "requisitions") or "procore" (this
 * flow).  Running both would count every invoice twice, once as the bill
 * the requisition came from and once as the bill made from the
 * requisition, so each flow runs only under its own direction and the
 * other one reports why it skipped.
 *
 * Mappings, as the costs flow posts (flows/cost_post.h): the expense
 * account of each item's cost code (cost-code-account "code|S", else
 * "code|"), the
 * project link's department, class and location and its job as the line's
 * customer; the retention line credits offset-account
 * "requisition.retainage" (the retainage payable).  Edits after approval
 * follow the costs flow's closed-period rules (costs.closed_period).
 * The cost-code segment is not set on bill lines: each line's memo leads
 * with its cost code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/idmap.h"
#include "core/project.h"
#include "flows/cost_post.h"
#include "flows/flow.h"
#include "flows/refdata.h"
#include "flows/sub_invoice_plan.h"
#include "netsuite/ns_costs.h"
#include "netsuite/ns_sub_bills.h"
#include "procore/pc_cost_codes.h"
#include "procore/pc_requisitions.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/money.h"
#include "util/str.h"
#include "util/banned.h"

#define SUB_ENTITY "sub-invoice"
/* The cost type of a subcontractor invoice's lines for the expense-account
 * mapping: Procore's standard "S" (Subcontract) line item type; the
 * mapping falls back to "code|" (cost_post_account). */
#define SUB_COST_TYPE "S"

struct subinv {
	struct flow_run *r;
	bool hold;
	struct canon_period *periods;
	size_t nperiods;
	json_t *vendors; /* {"<po>": vendor}, read once per run */
};

/* ---- the direction guard ---- */

/* 1: this direction runs; 0: skipped and said so; < 0: a bad setting. */
static int direction_runs(struct flow_run *r, const char *mine, struct mlc_error *err)
{
	const char *m = session_setting_str(r->s, "master.requisitions", "netsuite");
	char why[256];

	if (strcmp(m, "netsuite") && strcmp(m, "procore"))
		return error_set(err, MLC_ECONFIG,
				 "setting master.requisitions '%s' is not netsuite or procore", m);
	if (strcmp(m, mine) == 0)
		return 1;
	snprintf(why, sizeof(why),
		 "skipped: master.requisitions is %s (flow %s runs; running both directions "
		 "would count every subcontractor invoice twice)",
		 m, strcmp(m, "procore") == 0 ? "sub-invoices" : "requisitions");
	json_array_append_new(r->plan, json_pack("{s:s, s:s, s:s}", "action", "skip", "entity",
						 "flow", "reason", why));
	log_info("flow skipped", "flow", r->flow, "reason", why);
	return 0;
}

int flow_requisitions_directed(struct flow_run *r, struct mlc_error *err)
{
	int rc = direction_runs(r, "netsuite", err);
	return rc > 0 ? flow_requisitions(r, err) : rc;
}

/* ---- read: what the plan needs ---- */

static int64_t po_of(struct subinv *c, int64_t commitment)
{
	struct mlc_idmap_entry e = {0};
	char key[32];
	int64_t po = 0;

	snprintf(key, sizeof(key), "%lld", (long long)commitment);
	if (idmap_by_procore(c->r->s->store, c->r->s->tenant.id, "po", key, &e, NULL) == 0 &&
	    e.netsuite_key)
		po = strtoll(e.netsuite_key, NULL, 10);
	idmap_entry_release(&e);
	return po;
}

static int vendor_of(struct subinv *c, int64_t po, int64_t *vendor, struct mlc_error *err)
{
	char key[32];
	json_t *v;
	int rc;

	snprintf(key, sizeof(key), "%lld", (long long)po);
	v = json_object_get(c->vendors, key);
	if (v) {
		*vendor = json_integer_value(v);
		return MLC_OK;
	}
	rc = netsuite_po_vendor(c->r->s->ns, po, vendor, err);
	if (rc == MLC_OK)
		json_object_set_new(c->vendors, key, json_integer(*vendor));
	return rc;
}

/* The posted hash of a requisition ("" when never posted), into out. */
static void posted_of(struct subinv *c, int64_t req, char *out, size_t n)
{
	struct mlc_idmap_entry e = {0};
	char key[32];

	snprintf(key, sizeof(key), "%lld", (long long)req);
	out[0] = 0;
	if (idmap_by_procore(c->r->s->store, c->r->s->tenant.id, "subinvoice", key, &e, NULL) ==
		0 &&
	    e.content_hash)
		str_copy(out, n, e.content_hash);
	idmap_entry_release(&e);
}

/* The items with their cost codes and accounts; *unmapped the first reason. */
static struct sub_item *items_of(const struct cost_post_ctx *ctx, const struct pc_cc_list *cc,
				 const struct pc_sub_invoice *q, char *unmapped, size_t un)
{
	struct sub_item *it = xcalloc(q->nitems + 1, sizeof(*it));
	struct mlc_error e = {0};

	unmapped[0] = 0;
	for (size_t i = 0; i < q->nitems; i++) {
		const char *code = NULL;
		it[i].id = q->items[i].id;
		it[i].amount = q->items[i].amount;
		it[i].retainage = q->items[i].retainage;
		for (size_t k = 0; k < cc->ncodes && !code; k++)
			if (cc->codes[k].id == q->items[i].cost_code_id)
				code = cc->codes[k].full_code;
		str_copy(it[i].cost_code, sizeof(it[i].cost_code), code ? code : "");
		if (!it[i].amount || unmapped[0])
			continue;
		if (cost_post_account(ctx, code ? code : "", SUB_COST_TYPE, &it[i].account, &e) < 0)
			str_copy(unmapped, un, e.msg);
	}
	return it;
}

/* ---- apply ---- */

static json_t *plan_json(const struct sub_invoice_plan *p, int64_t po)
{
	json_t *lines = json_array();
	char a[MONEY_FMT_MAX];

	for (size_t i = 0; i < p->nlines; i++) {
		money_format(p->lines[i].amount, a);
		json_array_append_new(lines, json_pack("{s:I, s:s, s:s, s:b}", "account",
						       (json_int_t)p->lines[i].account, "amount", a,
						       "cost_code", p->lines[i].cost_code,
						       "retention", p->lines[i].retention));
	}
	money_format(p->total, a);
	return json_pack("{s:s, s:I, s:s, s:o}", "tranDate", p->date, "po", (json_int_t)po, "total",
			 a, "lines", lines);
}

static int write_bill(struct subinv *c, const struct cost_post_ctx *ctx,
		      const struct pc_sub_invoice *q, const struct sub_invoice_in *in,
		      const struct sub_invoice_plan *p, const char *src, struct mlc_error *err)
{
	struct ns_sub_bill_line *bl = xcalloc(p->nlines + 1, sizeof(*bl));
	char **memos = xcalloc(p->nlines + 1, sizeof(*memos));
	struct ns_sub_bill b = {p->eid,    p->date, q->invoice_number, NULL, in->vendor_id,
				in->po_id, bl,      p->nlines};
	char memo[200], pk[32], target[160];
	bool closed = false;
	int64_t id = 0;
	int rc;

	snprintf(memo, sizeof(memo), "Procore subcontractor invoice %s (requisition %lld)",
		 q->invoice_number, (long long)q->id);
	b.memo = memo;
	for (size_t i = 0; i < p->nlines; i++) {
		bl[i] = (struct ns_sub_bill_line){p->lines[i].account,
						  p->lines[i].amount,
						  ctx->link->netsuite_job_id,
						  ctx->link->department_id,
						  ctx->link->class_id,
						  ctx->link->location_id,
						  NULL};
		struct mlc_buf m = MLC_BUF_INIT;
		if (p->lines[i].retention)
			buf_addf(&m, "retention held | %s", memo);
		else
			buf_addf(&m, "cost code %s | %s", p->lines[i].cost_code, memo);
		memos[i] = buf_detach(&m, NULL);
		bl[i].memo = memos[i];
	}
	rc = netsuite_sub_bill_upsert(c->r->s->ns, &b, &id, &closed, err);
	if (rc == MLC_OK) {
		snprintf(pk, sizeof(pk), "%lld", (long long)q->id);
		rc = idmap_put(c->r->s->store, c->r->s->tenant.id, "subinvoice", p->eid, pk,
			       p->hash, err);
	}
	snprintf(target, sizeof(target), "ns:vendorBill:%s", p->eid);
	if (rc == MLC_OK) {
		json_t *body = plan_json(p, in->po_id);
		flow_resolve(c->r, SUB_ENTITY, src);
		flow_record(c->r, p->create ? FLOW_CREATE : FLOW_UPDATE, SUB_ENTITY, src, target,
			    body, NULL);
		json_decref(body);
	} else if (closed) {
		rc = flow_park(c->r, SUB_ENTITY, src, target, err->msg, NULL);
	} else {
		flow_record(c->r, FLOW_FAIL, SUB_ENTITY, src, target, NULL, err->msg);
		rc = MLC_OK;
	}
	for (size_t i = 0; i < p->nlines; i++)
		free(memos[i]);
	free(memos);
	free(bl);
	return rc < 0 ? rc : MLC_OK;
}

static int apply(struct subinv *c, const struct cost_post_ctx *ctx, const struct pc_sub_invoice *q,
		 const struct sub_invoice_in *in, const struct sub_invoice_plan *p, const char *src,
		 struct mlc_error *err)
{
	char target[160];
	json_t *body;

	snprintf(target, sizeof(target), "ns:vendorBill:%s", p->eid);
	switch (p->decision) {
	case SUB_IGNORE:
		return MLC_OK;
	case SUB_SKIP:
		flow_record(c->r, FLOW_SKIP, SUB_ENTITY, src, target, NULL, NULL);
		return MLC_OK;
	case SUB_PARK:
		return flow_park(c->r, SUB_ENTITY, src, target, p->why, NULL);
	case SUB_WRITE:
		break;
	}
	if (!c->r->opts.dry_run)
		return write_bill(c, ctx, q, in, p, src, err);
	body = plan_json(p, in->po_id);
	flow_record(c->r, p->create ? FLOW_CREATE : FLOW_UPDATE, SUB_ENTITY, src, target, body,
		    NULL);
	json_decref(body);
	return MLC_OK;
}

/* Plans one requisition and carries the plan out.  < 0 stops the project. */
static int do_requisition(struct subinv *c, const struct cost_post_ctx *ctx,
			  const struct pc_cc_list *cc, const struct pc_sub_invoice *q,
			  struct mlc_error *err)
{
	struct sub_invoice_in in = {0};
	struct sub_invoice_plan p;
	struct sub_item *items;
	char src[96], posted[128], unmapped[400];
	int rc = MLC_OK;

	snprintf(src, sizeof(src), "pc:%lld:requisition:%lld",
		 (long long)c->r->s->tenant.procore_company_id, (long long)q->id);
	in.company_id = c->r->s->tenant.procore_company_id;
	in.req_id = q->id;
	in.po_id = po_of(c, q->commitment_id);
	if (in.po_id)
		rc = vendor_of(c, in.po_id, &in.vendor_id, err);
	if (rc < 0) {
		flow_record(c->r, FLOW_FAIL, SUB_ENTITY, src, NULL, NULL, err->msg);
		return MLC_OK;
	}
	items = items_of(ctx, cc, q, unmapped, sizeof(unmapped));
	posted_of(c, q->id, posted, sizeof(posted));
	in.date = q->billing_date;
	in.items = items;
	in.nitems = q->nitems;
	in.unmapped = unmapped[0] ? unmapped : NULL;
	{
		struct mlc_error e2 = {0};
		if (cost_post_offset(ctx, "requisition.retainage", &in.retainage_account, &e2) < 0)
			in.retainage_account = 0;
	}
	in.posted = posted;
	in.periods = c->periods;
	in.nperiods = c->nperiods;
	in.hold = c->hold;
	sub_invoice_plan_make(&in, &p);
	rc = apply(c, ctx, q, &in, &p, src, err);
	sub_invoice_plan_release(&p);
	free(items);
	return rc;
}

/* One project: its approved requisitions changed since its watermark. */
static int do_project(struct subinv *c, const struct mlc_project_link *link, struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;
	struct pc_sub_invoice *q = NULL;
	struct pc_cc_list cc = {0};
	struct pc_cc_scope sc = {s->tenant.procore_company_id, link->procore_project_id, false};
	struct flow_window w;
	char scope[32];
	size_t n = 0;
	int rc;

	snprintf(scope, sizeof(scope), "%lld", (long long)link->procore_project_id);
	rc = flow_since(c->r, FLOW_CLOCK_PROCORE, scope, &w, err);
	if (rc >= 0)
		rc = procore_requisitions_approved(s->pc, link->procore_project_id, w.since, &q, &n,
						   err);
	if (rc >= 0 && n)
		rc = pc_cc_list_read(s->pc, &sc, &cc, err);
	if (rc < 0 || !n)
		goto out;
	struct cost_post_ctx ctx = {s->store, s->tenant.id, link, false, NULL, NULL};
	for (size_t i = 0; i < n && rc >= 0; i++) {
		c->r->stats.read++;
		flow_seen(&w, q[i].updated_at);
		rc = do_requisition(c, &ctx, &cc, &q[i], err);
	}
	if (rc >= 0)
		rc = flow_advance(c->r, &w, err);
out:
	pc_cc_list_release(&cc);
	pc_sub_invoices_free(q, n);
	return rc;
}

int flow_sub_invoices(struct flow_run *r, struct mlc_error *err)
{
	struct mlc_session *s = r->s;
	struct subinv c = {.r = r};
	struct mlc_project_link *links = NULL;
	const char *policy = session_setting_str(s, "costs.closed_period", "adjust");
	size_t n = 0;
	int rc = direction_runs(r, "procore", err);

	if (rc <= 0)
		return rc;
	if (strcmp(policy, "adjust") && strcmp(policy, "hold"))
		return error_set(err, MLC_ECONFIG,
				 "setting costs.closed_period '%s' is not adjust or hold", policy);
	c.hold = strcmp(policy, "hold") == 0;
	c.vendors = json_object();
	rc = netsuite_accounting_periods(s->ns, &c.periods, &c.nperiods, err);
	if (rc >= 0)
		rc = project_list(s->store, s->tenant.id, &links, &n, err);
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		if (!links[i].active)
			continue;
		if (do_project(&c, &links[i], err) < 0)
			/* one project's failure does not stop the others */
			flow_record(r, FLOW_FAIL, "project", NULL, NULL, NULL, err->msg);
	}
	if (rc >= 0)
		rc = r->stats.failed ? error_set(err, MLC_ETRANSIENT,
						 "some subcontractor invoices failed; their "
						 "watermarks stay")
				     : MLC_OK;
	free(links);
	free(c.periods);
	json_decref(c.vendors);
	return rc;
}
