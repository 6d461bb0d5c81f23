/*
 * reconcile --scope billed (reconcile_billed.h): NetSuite bills on each
 * purchase order line against the work completed on its Procore
 * commitment line, both read back from the two systems.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/project.h"
#include "core/review.h"
#include "flows/reconcile_billed.h"
#include "flows/reconcile_totals.h"
#include "netsuite/ns_bills.h"
#include "procore/pc_change_orders.h"
#include "procore/pc_requisitions.h"
#include "util/idset.h"
#include "util/jsonx.h"
#include "util/money.h"
#include "util/num.h"
#include "util/str.h"
#include "util/banned.h"

struct billed_ctx {
	struct mlc_session *s;
	const struct reconcile_opts *o;
	struct mlc_project_link *links;
	size_t nlinks;
	struct mlc_idset job_link;      /* NetSuite job -> index in links */
	json_t *parked;                 /* {"ns:bill:<id>": reason}: the flow's open review items */
	json_t *on_row;                 /* {"<project> <key>": ["ns:bill:<id>", ...]} */
	json_t *line_ids;               /* {"<project> <key>": commitment line id} */
	json_t *skipped;                /* [commitment id] */
	struct rec_totals ns, pc, held; /* held: the parked bills' part of netsuite - procore */
	struct mlc_error *err;
};

static void row_key(char *out, size_t n, int64_t project, const char *key)
{
	snprintf(out, n, "%lld %s", (long long)project, key);
}

/* Adds cents to t; a sum past int64 refuses the run rather than compare a wrapped total. */
static int add(struct billed_ctx *c, struct rec_totals *t, const char *side, int64_t project,
	       const char *key, int64_t cents)
{
	char a[MONEY_FMT_MAX];

	if (rec_totals_add(t, project, key, NULL, cents) == MLC_OK)
		return MLC_OK;
	money_format(cents, a);
	return error_set(c->err, MLC_ERANGE, "%s amount %s on project %lld, %s overflows the total",
			 side, a, (long long)project, key);
}

/* Counts a parked bill's part of a row and names it on the row. */
static int hold(struct billed_ctx *c, int64_t project, const char *key, const char *bill,
		int64_t cents)
{
	char rk[128];
	json_t *refs;
	size_t i;
	json_t *v;

	row_key(rk, sizeof(rk), project, key);
	refs = json_object_get(c->on_row, rk);
	if (!refs) {
		refs = json_array();
		json_object_set_new(c->on_row, rk, refs);
	}
	json_array_foreach (refs, i, v)
		if (strcmp(json_string_value(v), bill) == 0)
			break;
	if (i == json_array_size(refs))
		json_array_append_new(refs, json_string(bill));
	return add(c, &c->held, "parked", project, key, cents);
}

/* The requisitions flow's open review items: the parked bills and why. */
static int parked_bills(struct billed_ctx *c)
{
	json_t *items = NULL, *p;
	size_t i;
	int rc = review_list(c->s->store, c->s->tenant.id, "open", &items, c->err);

	if (rc < 0)
		return rc;
	json_array_foreach (items, i, p) {
		const char *ent = jsonx_str(p, "entity"), *ref = jsonx_str(p, "source_ref");
		if (ent && ref && strcmp(ent, "requisition") == 0 &&
		    str_starts_with(ref, "ns:bill:"))
			json_object_set_new(
			    c->parked, ref,
			    json_string(jsonx_str(p, "reason") ? jsonx_str(p, "reason") : ""));
	}
	json_decref(items);
	return MLC_OK;
}

/* One bill's lines made from a PO into the NetSuite totals (the job: its first line's). */
static int bill_lines(struct billed_ctx *c, const struct ns_bill *b)
{
	char key[64], ref[48];
	int64_t job = 0, project = 0;
	size_t i, k;
	int rc = MLC_OK;

	for (i = 0; i < b->nlines && !job; i++)
		job = b->lines[i].job;
	if (idset_get(&c->job_link, job, &k))
		project = c->links[k].procore_project_id;
	if (!project || (c->o->project_id && project != c->o->project_id))
		return MLC_OK;
	snprintf(ref, sizeof(ref), "ns:bill:%lld", (long long)b->id);
	for (i = 0; rc == MLC_OK && i < b->nlines; i++) {
		const struct ns_bill_line *l = &b->lines[i];
		/* a line not from a PO, or unreadable, parks the bill: the review list has it */
		if (!l->created_from || !l->amount_ok)
			continue;
		snprintf(key, sizeof(key), "ns:poline:%lld:%lld", (long long)l->created_from,
			 (long long)l->line);
		rc = add(c, &c->ns, "NetSuite", project, key, l->amount);
		if (rc == MLC_OK && json_object_get(c->parked, ref))
			rc = hold(c, project, key, ref, l->amount);
	}
	return rc;
}

static int netsuite_side(struct billed_ctx *c)
{
	struct mlc_session *s = c->s;
	struct ns_bill *bills = NULL;
	size_t n = 0, i;
	int rc;

	rc = netsuite_po_bills_since(s->ns, NULL, &bills, &n, c->err);
	if (rc >= 0 && n)
		rc = netsuite_po_bill_lines(s->ns, NULL, bills, n, c->err);
	for (i = 0; rc >= 0 && i < n; i++)
		if (bills[i].id)
			rc = bill_lines(c, &bills[i]);
	ns_bills_free(bills, n);
	return rc;
}

/*
 * The keys of a commitment's lines into keys {"<line id>": key}; false
 * (the commitment listed in skipped) when Procore shows no purchase order
 * contract schedule for it (a 4xx: a work order made in Procore).
 */
static int sov_keys(struct billed_ctx *c, int64_t project, int64_t contract, json_t *keys, bool *ok)
{
	struct pc_sov_line *lines = NULL;
	struct mlc_error e2 = {0};
	char id[32], key[96];
	size_t n = 0, i;
	int rc = procore_sov_lines(c->s->pc, project, contract, &lines, &n, &e2);

	*ok = rc == MLC_OK;
	if (rc == MLC_EPERM) {
		json_array_append_new(c->skipped, json_integer(contract));
		rc = MLC_OK;
	} else if (rc < 0) {
		rc = error_set(c->err, rc, "%s", e2.msg);
	}
	for (i = 0; *ok && i < n; i++) {
		snprintf(id, sizeof(id), "%lld", (long long)lines[i].id);
		if (lines[i].origin_id[0])
			str_copy(key, sizeof(key), lines[i].origin_id);
		else
			snprintf(key, sizeof(key), "pc:line:%lld", (long long)lines[i].id);
		json_object_set_new(keys, id, json_string(key));
	}
	free(lines);
	return rc;
}

/* One requisition's contract items into the Procore totals. */
static int req_items(struct billed_ctx *c, int64_t project, const struct pc_req_head *h,
		     const json_t *keys)
{
	struct pc_req_item *it = NULL;
	char id[32], rk[128];
	size_t n = 0, i;
	bool held = json_object_get(c->parked, h->marker) != NULL;
	int rc = procore_requisition_items(c->s->pc, project, h->id, &it, &n, c->err);

	for (i = 0; rc == MLC_OK && i < n; i++) {
		const char *key;
		if (!it[i].this_period)
			continue;
		snprintf(id, sizeof(id), "%lld", (long long)it[i].line_item_id);
		key = json_string_value(json_object_get(keys, id));
		if (!key)
			continue; /* not a line of the commitment's schedule as read */
		row_key(rk, sizeof(rk), project, key);
		json_object_set_new(c->line_ids, rk, json_integer(it[i].line_item_id));
		rc = add(c, &c->pc, "Procore", project, key, it[i].this_period);
		if (rc == MLC_OK && held)
			rc = hold(c, project, key, h->marker, -it[i].this_period);
	}
	free(it);
	return rc;
}

/* Every requisition of a project, by commitment (its schedule read once). */
static int procore_project(struct billed_ctx *c, int64_t project)
{
	struct pc_req_head *reqs = NULL;
	struct mlc_idset seen = {0};
	json_t *keys = json_object();
	size_t n = 0, i, ok;
	int rc = procore_requisitions(c->s->pc, project, &reqs, &n, c->err);

	for (i = 0; rc == MLC_OK && i < n; i++) {
		if (!reqs[i].commitment_id)
			continue;
		if (!idset_get(&seen, reqs[i].commitment_id, &ok)) {
			bool good = false;
			rc = sov_keys(c, project, reqs[i].commitment_id, keys, &good);
			idset_put(&seen, reqs[i].commitment_id, good);
			ok = good;
		}
		if (rc == MLC_OK && ok)
			rc = req_items(c, project, &reqs[i], keys);
	}
	free(reqs);
	idset_release(&seen);
	json_decref(keys);
	return rc;
}

static const char *cause(int64_t unexplained)
{
	return unexplained > 0
		   ? "NetSuite bills more than Procore's requisitions hold: a bill not on a "
		     "requisition yet (sync --flow requisitions)"
		   : "Procore's requisitions hold more than the NetSuite bills: an item edited in "
		     "Procore, or a requisition entered there";
}

/* One report row for total t of either side; *diffs counts a difference. */
static json_t *report_row(const struct billed_ctx *c, const struct rec_total *t, int *diffs)
{
	char a[MONEY_FMT_MAX], b[MONEY_FMT_MAX], v[MONEY_FMT_MAX], p[MONEY_FMT_MAX], rk[128];
	int64_t pc = rec_totals_cents(&c->pc, t->project, t->code, NULL);
	int64_t ns = rec_totals_cents(&c->ns, t->project, t->code, NULL);
	int64_t held = rec_totals_cents(&c->held, t->project, t->code, NULL), var = 0, un = 0;
	bool fits = num_mul_i64(pc, -1, &var) == 0 && num_add_i64(ns, var, &var) == 0 &&
		    num_mul_i64(held, -1, &un) == 0 && num_add_i64(var, un, &un) == 0;
	json_t *row, *li;

	money_format(pc, a);
	money_format(ns, b);
	money_format(held, p);
	if (fits)
		money_format(var, v);
	else
		str_copy(v, sizeof(v), "overflow");
	row = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "project_id", (json_int_t)t->project,
			"line", t->code, "netsuite", b, "procore", a, "variance", v, "parked", p);
	snprintf(rk, sizeof(rk), "%lld", (long long)t->project);
	json_object_set_new(row, "project", json_string(rk));
	row_key(rk, sizeof(rk), t->project, t->code);
	li = json_object_get(c->line_ids, rk);
	if (li)
		json_object_set(row, "line_item_id", li);
	if (json_object_get(c->on_row, rk))
		json_object_set(row, "parked_bills", json_object_get(c->on_row, rk));
	if (!fits || un) {
		(*diffs)++;
		json_object_set_new(row, "cause", json_string(fits ? cause(un) : "overflow"));
	}
	return row;
}

static json_t *report(const struct billed_ctx *c)
{
	json_t *rows = json_array(), *parked = json_array(), *v;
	const char *k;
	int diffs = 0;
	size_t i;

	for (i = 0; i < c->pc.n; i++)
		json_array_append_new(rows, report_row(c, &c->pc.v[i], &diffs));
	for (i = 0; i < c->ns.n; i++)
		if (!rec_totals_get(&c->pc, c->ns.v[i].project, c->ns.v[i].code, NULL))
			json_array_append_new(rows, report_row(c, &c->ns.v[i], &diffs));
	json_object_foreach (c->parked, k, v)
		json_array_append_new(parked, json_pack("{s:s, s:O}", "bill", k, "reason", v));
	return json_pack("{s:s, s:o, s:i, s:o, s:O}", "scope", "billed", "rows", rows,
			 "differences", diffs, "parked_bills", parked, "skipped_commitments",
			 c->skipped);
}

int reconcile_billed_run(struct mlc_session *s, const struct reconcile_opts *o, json_t **out,
			 struct mlc_error *err)
{
	struct billed_ctx c = {.s = s, .o = o, .err = err};
	size_t i;
	int rc;

	*out = NULL;
	if (o->period)
		return error_set(err, MLC_EINVAL,
				 "--scope billed compares billed to date: no --period");
	c.parked = json_object();
	c.on_row = json_object();
	c.line_ids = json_object();
	c.skipped = json_array();
	rc = project_list(s->store, s->tenant.id, &c.links, &c.nlinks, err);
	for (i = c.nlinks; rc >= 0 && i-- > 0;)
		idset_put(&c.job_link, c.links[i].netsuite_job_id, i);
	if (rc >= 0)
		rc = parked_bills(&c);
	for (i = 0; rc >= 0 && i < c.nlinks; i++)
		if (!o->project_id || c.links[i].procore_project_id == o->project_id)
			rc = procore_project(&c, c.links[i].procore_project_id);
	if (rc >= 0)
		rc = netsuite_side(&c);
	if (rc >= 0)
		*out = report(&c);
	free(c.links);
	idset_release(&c.job_link);
	json_decref(c.parked);
	json_decref(c.on_row);
	json_decref(c.line_ids);
	json_decref(c.skipped);
	rec_totals_release(&c.ns);
	rec_totals_release(&c.pc);
	rec_totals_release(&c.held);
	return rc < 0 ? rc : MLC_OK;
}
