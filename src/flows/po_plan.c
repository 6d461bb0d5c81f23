/*
 * The pure plan of one purchase order (po_plan.h).  The checks run in a
 * fixed order so that a PO parks with the first thing a person must fix:
 * lines, one job, its project link, the vendor link, then each line's
 * cost code, line item type and amounts.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flows/po_plan.h"
#include "util/buf.h"
#include "util/num.h"
#include "util/str.h"
#include "util/banned.h"

const char *po_status(const char *ns)
{
	switch (ns && *ns ? ns[0] : 'A') {
	case 'P':
		return "Draft"; /* Planned */
	case 'A':
		return "Submitted"; /* Pending Supervisor Approval */
	case 'C':
		return "Draft"; /* Rejected by Supervisor */
	case 'B':
		return "Approved"; /* Pending Receipt */
	case 'D':
		return "Partially Received";
	case 'E':
		return "Partially Received"; /* Pending Billing/Partially Received */
	case 'F':
		return "Received"; /* Pending Bill */
	case 'G':
		return "Received"; /* Fully Billed */
	case 'H':
		return "Closed";
	}
	return "Submitted";
}

static int park(struct po_plan *p, const char *fmt, ...) MLC_PRINTF(2, 3);
static int park(struct po_plan *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->why, sizeof(p->why), fmt, ap);
	va_end(ap);
	p->decision = PO_PARK;
	return MLC_OK;
}

/* The project (one job on every line, linked) and the vendor link. */
static int plan_place(const struct ns_po *po, const struct po_lookup *lk, struct po_plan *p,
		      int64_t *vendor_pc)
{
	int64_t job = 0;
	size_t i;

	if (!po->nlines)
		return park(p, "the purchase order has no lines");
	for (i = 0; i < po->nlines; i++) {
		int64_t j = po->lines[i].job;
		if (!j || (job && j != job))
			return park(p, "%s",
				    j ? "lines are on more than one NetSuite job"
				      : "a line has no NetSuite job");
		job = j;
	}
	p->project_id = lk->project(lk->arg, job);
	if (!p->project_id)
		return park(p,
			    "NetSuite job %lld is not linked to a Procore project (project link)",
			    (long long)job);
	if (!po->vendor_id)
		return park(p, "the purchase order has no vendor");
	if (!lk->vendor(lk->arg, po->vendor_id, vendor_pc))
		return park(p,
			    "vendor ns:vendor:%lld is not in Procore yet (run the vendors flow or "
			    "resolve its review item)",
			    (long long)po->vendor_id);
	return MLC_OK;
}

/* The cost code and line item type of one line, or a park reason. */
static int line_refs(const struct ns_po_line *l, const struct po_lookup *lk, struct po_plan *p,
		     struct pc_commitment_line *out, struct mlc_error *err)
{
	const char *code, *type;
	int64_t acct = l->expense_account;
	char label[160];
	int rc;

	if (l->bad_ids)
		return park(p, "line has malformed ids");
	if (!l->cost_seg)
		return park(p, "line %lld has no cost code", (long long)l->id);
	code = lk->seg_code(lk->arg, l->cost_seg);
	if (!code)
		return park(p, "NetSuite cost-code segment value %lld is unknown",
			    (long long)l->cost_seg);
	rc = lk->cost_code(lk->arg, p->project_id, code, &out->cost_code_id, err);
	if (rc < 0)
		return rc;
	if (!out->cost_code_id) {
		lk->project_label(lk->arg, p->project_id, label, sizeof(label));
		return park(p, "cost code %s has no Procore cost code in project %s", code, label);
	}
	if (!acct && l->item)
		acct = lk->item_account(lk->arg, l->item);
	type = acct ? lk->account_type(lk->arg, acct) : NULL;
	if (!type)
		return park(p,
			    "expense account %lld of line %lld has no line item type (mapping "
			    "cost-type-account)",
			    (long long)acct, (long long)l->id);
	out->line_item_type_id = lk->line_item_type(lk->arg, type);
	if (!out->line_item_type_id)
		return park(p, "Procore has no line item type with code %s", type);
	return MLC_OK;
}

/* Maps one line into lp, or parks the plan. */
static int plan_line(const struct ns_po_line *l, const struct po_lookup *lk, struct po_plan *p,
		     struct po_line_plan *lp, struct mlc_error *err)
{
	int rc;

	memset(lp, 0, sizeof(*lp));
	rc = line_refs(l, lk, p, &lp->line, err);
	if (rc < 0 || p->decision == PO_PARK)
		return rc;
	if (l->defect)
		return park(p, "line %lld: %.400s", (long long)l->id, l->defect);
	if (!l->has_amount)
		return park(p, "line %lld has no amount", (long long)l->id);
	snprintf(lp->origin, sizeof(lp->origin), "ns:poline:%lld:%lld", (long long)p->po_id,
		 (long long)l->id);
	lp->line.origin_id = lp->origin;
	lp->line.amount = l->amount;
	lp->line.has_qty = l->has_qty;
	lp->line.qty = l->qty;
	lp->line.has_unit_cost = l->has_rate;
	lp->line.unit_cost = l->rate;
	lp->line.description = l->memo;
	json_t *b = pc_commitment_line_json(&lp->line, false);
	digest_json(b, lp->hash);
	json_decref(b);
	return MLC_OK;
}

static void plan_header(const struct ns_po *po, const struct po_lookup *lk, struct po_plan *p,
			int64_t vendor_pc)
{
	struct pc_commitment *h = &p->header;
	char key[32], hash[MLC_DIGEST_HEX] = "";
	json_t *b;

	snprintf(p->title, sizeof(p->title), "%s%s%s", po->tranid ? po->tranid : "PO",
		 po->memo ? " - " : "", po->memo ? po->memo : "");
	h->origin_id = p->src;
	h->number = po->tranid ? po->tranid : "";
	h->title = p->title;
	h->vendor_id = vendor_pc;
	h->status = po_status(po->status);
	h->contract_date = po->trandate;
	h->description = po->memo;
	h->origin_code = po->tranid;
	b = pc_commitment_json(h, false);
	digest_json(b, p->header_hash);
	json_decref(b);
	snprintf(key, sizeof(key), "%lld", (long long)p->po_id);
	p->header_changed = true;
	if (lk->synced(lk->arg, "po", key, &p->contract_id, hash) && p->contract_id && hash[0] &&
	    strcmp(hash, p->header_hash) == 0)
		p->header_changed = false;
	h->id = p->contract_id;
}

/*
 * Lines synced before and gone from the PO now: Procore's line is zeroed
 * (the API deletes no commitment line), once (hash PO_LINE_REMOVED).
 */
static void plan_removed(const struct ns_po *po, const struct po_lookup *lk, struct po_plan *p)
{
	const struct po_synced_line *sl = NULL;
	size_t n = lk->synced_lines(lk->arg, p->po_id, &sl), i, k;

	for (i = 0; i < n; i++) {
		char key[48], hash[MLC_DIGEST_HEX] = "";
		int64_t pc_id = 0;
		bool present = false;
		for (k = 0; k < po->nlines && !present; k++) {
			snprintf(key, sizeof(key), "%lld:%lld", (long long)p->po_id,
				 (long long)po->lines[k].id);
			present = strcmp(key, sl[i].key) == 0;
		}
		if (present || !sl[i].procore_id)
			continue;
		if (lk->synced(lk->arg, "poline", sl[i].key, &pc_id, hash) &&
		    strcmp(hash, PO_LINE_REMOVED) == 0)
			continue;
		struct po_line_plan *lp = &p->lines[p->nlines++];
		memset(lp, 0, sizeof(*lp));
		snprintf(lp->origin, sizeof(lp->origin), "ns:poline:%s", sl[i].key);
		lp->line.id = sl[i].procore_id;
		lp->line.zeroed = true;
		str_copy(lp->hash, sizeof(lp->hash), PO_LINE_REMOVED);
	}
}

/* Keeps the mapped lines whose content changed since the last sync. */
static void plan_changed(const struct po_lookup *lk, struct po_plan *p,
			 const struct po_line_plan *all, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char hash[MLC_DIGEST_HEX] = "";
		int64_t pc_id = 0;
		const char *key = all[i].origin + strlen("ns:poline:");
		bool known = lk->synced(lk->arg, "poline", key, &pc_id, hash);
		if (known && pc_id && hash[0] && strcmp(hash, all[i].hash) == 0)
			continue;
		p->lines[p->nlines] = all[i];
		p->lines[p->nlines++].line.id = pc_id;
	}
}

int po_plan_make(const struct ns_po *po, const struct po_lookup *lk, struct po_plan *p,
		 struct mlc_error *err)
{
	struct po_line_plan *all = NULL;
	const struct po_synced_line *sl = NULL;
	int64_t vendor_pc = 0;
	size_t i;
	int rc = MLC_OK;

	memset(p, 0, sizeof(*p));
	if (!po->id)
		return MLC_OK;
	p->po_id = po->id;
	snprintf(p->src, sizeof(p->src), "ns:po:%lld", (long long)po->id);
	if (plan_place(po, lk, p, &vendor_pc) < 0 || p->decision == PO_PARK)
		return MLC_OK;
	/* lines first: a PO with one unmappable line is parked whole */
	all = xcalloc(po->nlines, sizeof(*all));
	for (i = 0; i < po->nlines; i++) {
		rc = plan_line(&po->lines[i], lk, p, &all[i], err);
		if (rc < 0 || p->decision == PO_PARK)
			goto out;
	}
	plan_header(po, lk, p, vendor_pc);
	p->lines =
	    xcalloc(po->nlines + lk->synced_lines(lk->arg, p->po_id, &sl) + 1, sizeof(*p->lines));
	plan_removed(po, lk, p);
	plan_changed(lk, p, all, po->nlines);
	for (i = 0; i < p->nlines; i++)
		p->lines[i].line.origin_id = p->lines[i].origin;
	p->decision = p->header_changed || p->nlines ? PO_WRITE : PO_SKIP;
out:
	free(all);
	if (rc < 0)
		po_plan_release(p);
	return rc;
}

void po_plan_release(struct po_plan *p)
{
	free(p->lines);
	memset(p, 0, sizeof(*p));
}

/*
 * Draft only: the simulator, like a company with "Restrict non-draft
 * edits to Contracts and Change Orders" on, locks every other status, and
 * the API does not say whether the setting is on.
 */
bool po_commitment_editable(const char *status)
{
	return !status || strcmp(status, "Draft") == 0;
}

void po_cco_number(const struct po_plan *p, const char *tranid, char *out, size_t n)
{
	struct mlc_buf b = MLC_BUF_INIT;
	char hex[MLC_DIGEST_HEX];
	size_t i;

	for (i = 0; i < p->nlines; i++)
		buf_addf(&b, "%s=%s;", p->lines[i].origin, p->lines[i].hash);
	digest_bytes(b.data, b.len, hex);
	buf_release(&b);
	if (tranid && *tranid)
		snprintf(out, n, "%.60s-CO-%.8s", tranid, hex);
	else
		snprintf(out, n, "PO%lld-CO-%.8s", (long long)p->po_id, hex);
}

int po_cco_plan(const struct po_plan *p, const struct po_cco_state *st, struct po_cco_write *out,
		char *why, size_t nwhy)
{
	size_t i;
	int n = 0;

	for (i = 0; i < p->nlines; i++) {
		const struct po_line_plan *lp = &p->lines[i];
		int64_t target = lp->line.zeroed ? 0 : lp->line.amount;
		int64_t delta = target - st[i].held;
		if (st[i].mine_id) {
			if (st[i].mine == delta)
				continue;
		} else if (delta == 0) {
			continue;
		} else if (!st[i].wbs_code_id) {
			snprintf(why, nwhy,
				 "%s is new on a locked commitment and no line of it has the same "
				 "cost code and line item type (WBS code) to put on a change order",
				 lp->origin);
			return -1;
		}
		out[n++] = (struct po_cco_write){i, st[i].mine_id, st[i].sov_line_id,
						 st[i].wbs_code_id, delta};
	}
	return n;
}
