/*
 * reconcile --scope committed (flows/reconcile_committed.h): NetSuite PO
 * totals against their commitments' revised and pending values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/project.h"
#include "core/review.h"
#include "flows/reconcile_committed.h"
#include "flows/segment.h"
#include "netsuite/ns_purchasing.h"
#include "procore/pc_change_orders.h"
#include "procore/pc_commitments.h"
#include "util/buf.h"
#include "util/idset.h"
#include "util/jsonx.h"
#include "util/money.h"
#include "util/num.h"
#include "util/str.h"
#include "util/banned.h"

#define ORIGIN_PO "ns:po:"

/* One commitment the connector made, as Procore holds it. */
struct rcm_co {
	int64_t project, id, po_id;
	char number[96], status[40];
	int64_t original, approved, pending, revised;
	bool matched; /* a NetSuite PO in scope names it */
	bool twin;    /* another commitment came first with the same origin_id */
};

struct rcm_ctx {
	struct mlc_session *s;
	const struct reconcile_opts *o;
	struct mlc_project_link *links;
	size_t nlinks;
	struct mlc_idset job_link; /* NetSuite job id -> index in links */
	struct mlc_idset parked;   /* PO ids with an open review item */
	struct rcm_co *cos;
	size_t ncos, cap;
	struct mlc_idset co_of_po; /* PO id -> index in cos */
	struct ns_po *pos;
	size_t npos;
	int parked_only; /* POs parked before they reached Procore */
	struct mlc_error *err;
};

/* *acc += v, refused (err set) when the sum would not fit. */
static int add_cents(struct rcm_ctx *c, int64_t *acc, int64_t v, const char *what, int64_t id)
{
	char a[MONEY_FMT_MAX];

	if (num_add_i64(*acc, v, acc) == 0)
		return MLC_OK;
	money_format(v, a);
	return error_set(c->err, MLC_ERANGE, "%s %lld: amount %s overflows the total", what,
			 (long long)id, a);
}

/* A commitment whose origin_id names a NetSuite PO. */
static void add_commitment(struct rcm_ctx *c, int64_t project, const struct pc_commitment_head *h,
			   int64_t po_id)
{
	struct rcm_co *co;

	if (c->ncos == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 32;
		c->cos = xrealloc(c->cos, c->cap * sizeof(*c->cos));
	}
	co = &c->cos[c->ncos];
	memset(co, 0, sizeof(*co));
	co->project = project;
	co->id = h->id;
	co->po_id = po_id;
	str_copy(co->number, sizeof(co->number), h->number);
	str_copy(co->status, sizeof(co->status), h->status);
	co->original = h->grand_total;
	/* the first commitment of a PO is compared; a second shows on its own */
	co->twin = !idset_put(&c->co_of_po, po_id, c->ncos);
	c->ncos++;
}

/*
 * The project's change orders onto its commitments (contract id -> index
 * in cos in by_contract): approved, or pending for every other status
 * but void and rejected (the ones flows/po_cco.c counts as held).
 */
static int add_change_orders(struct rcm_ctx *c, int64_t project,
			     const struct mlc_idset *by_contract)
{
	struct pc_cco *v = NULL;
	size_t n = 0, k;
	int rc;

	rc = procore_project_ccos(c->s->pc, project, &v, &n, c->err);
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		const char *st = v[i].status;
		struct rcm_co *co;
		int64_t *acc;
		if (!idset_get(by_contract, v[i].contract_id, &k) || !strcmp(st, "void") ||
		    !strcmp(st, "rejected"))
			continue;
		co = &c->cos[k];
		acc = !strcmp(st, "approved") ? &co->approved : &co->pending;
		for (size_t j = 0; rc >= 0 && j < v[i].nlines; j++)
			rc = add_cents(c, acc, v[i].lines[j].amount, "change order", v[i].id);
	}
	pc_ccos_free(v, n);
	return rc;
}

/* The connector's commitments of one linked project, with their change orders. */
static int procore_project(struct rcm_ctx *c, int64_t project)
{
	struct pc_commitment_head *h = NULL;
	struct mlc_idset by_contract = {0};
	size_t n = 0, first = c->ncos;
	int rc;

	rc = procore_commitment_heads(c->s->pc, project, &h, &n, c->err);
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		int64_t po = 0;
		if (strncmp(h[i].origin_id, ORIGIN_PO, strlen(ORIGIN_PO)) != 0 ||
		    num_parse_id(h[i].origin_id + strlen(ORIGIN_PO), &po, NULL) < 0 || !po)
			continue; /* made in Procore, not the connector's */
		add_commitment(c, project, &h[i], po);
	}
	for (size_t i = first; rc >= 0 && i < c->ncos; i++)
		idset_put(&by_contract, c->cos[i].id, i);
	if (rc >= 0 && c->ncos > first)
		rc = add_change_orders(c, project, &by_contract);
	/* Procore's revised_contract: the original plus approved change orders */
	for (size_t i = first; rc >= 0 && i < c->ncos; i++) {
		c->cos[i].revised = c->cos[i].original;
		rc = add_cents(c, &c->cos[i].revised, c->cos[i].approved, "commitment",
			       c->cos[i].id);
	}
	idset_release(&by_contract);
	free(h);
	return rc;
}

/* The linked projects asked for, and Procore's side of each. */
static int read_procore(struct rcm_ctx *c)
{
	int rc = project_list(c->s->store, c->s->tenant.id, &c->links, &c->nlinks, c->err);

	if (rc < 0)
		return rc;
	for (size_t i = c->nlinks; i-- > 0;)
		idset_put(&c->job_link, c->links[i].netsuite_job_id, i);
	for (size_t i = 0; i < c->nlinks; i++) {
		if (c->o->project_id && c->links[i].procore_project_id != c->o->project_id)
			continue;
		rc = procore_project(c, c->links[i].procore_project_id);
		if (rc < 0)
			return rc;
	}
	return MLC_OK;
}

/* Every NetSuite PO with its lines, read as the purchase-orders flow reads them. */
static int read_netsuite(struct rcm_ctx *c)
{
	struct mlc_segment sg;
	int rc;

	rc = segment_resolve(c->s, &sg, c->err);
	if (rc < 0)
		return rc;
	if (!sg.use)
		return error_set(c->err, MLC_ECONFIG,
				 "purchase orders reach Procore only with the cost-code segment, "
				 "so no commitment can be compared: %s",
				 sg.why);
	rc = netsuite_purchase_orders_since(c->s->ns, NULL, &c->pos, &c->npos, c->err);
	if (rc >= 0 && c->npos)
		rc = netsuite_purchase_order_lines(c->s->ns, sg.field, c->pos, c->npos, c->err);
	return rc;
}

/* The PO ids with an open review item (entity "po"). */
static int parked_pos(struct rcm_ctx *c)
{
	json_t *items = NULL, *it;
	size_t i;
	int rc = review_list(c->s->store, c->s->tenant.id, "open", &items, c->err);

	if (rc < 0)
		return rc;
	json_array_foreach (items, i, it) {
		const char *entity = jsonx_str(it, "entity"), *ref = jsonx_str(it, "source_ref");
		int64_t po = 0;
		if (entity && ref && !strcmp(entity, "po") &&
		    !strncmp(ref, ORIGIN_PO, strlen(ORIGIN_PO)) &&
		    num_parse_id(ref + strlen(ORIGIN_PO), &po, NULL) == 0)
			idset_put(&c->parked, po, 0);
	}
	json_decref(items);
	return MLC_OK;
}

/* The linked project of a PO: that of the first line on a linked job; 0 when none. */
static int64_t po_project(const struct rcm_ctx *c, const struct ns_po *po)
{
	size_t k;

	for (size_t i = 0; i < po->nlines; i++)
		if (po->lines[i].job && idset_get(&c->job_link, po->lines[i].job, &k))
			return c->links[k].procore_project_id;
	return 0;
}

/* Why a row differs. */
static const char *cause(const struct rcm_ctx *c, int64_t po_id, bool has_po,
			 const struct rcm_co *co, const char *defect)
{
	bool has_co = co != NULL;

	if (defect)
		return defect;
	if (co && co->twin)
		return "a second Procore commitment with the same origin_id as another";
	if (idset_get(&c->parked, po_id, NULL))
		return "parked: the purchase order waits for review (see the review list)";
	if (!has_co)
		return "no commitment in Procore: run sync --flow purchase-orders";
	if (!has_po)
		return "the NetSuite purchase order is gone or no longer on a linked job";
	return "a change order is missing, or was voided, rejected or edited in Procore, or the "
	       "PO changed since the last sync (run sync --flow purchase-orders)";
}

static void set_money(json_t *row, const char *key, int64_t cents)
{
	char a[MONEY_FMT_MAX];

	money_format(cents, a);
	json_object_set_new(row, key, json_string(a));
}

/* A row for a PO (po may be NULL) and its commitment (co may be NULL). */
static int add_row(struct rcm_ctx *c, json_t *rows, int64_t project, int64_t po_id,
		   const struct ns_po *po, int64_t ns_total, const char *defect,
		   const struct rcm_co *co, int *diffs)
{
	int64_t pc = 0, v = 0;
	char label[32];
	json_t *row;
	int rc = MLC_OK;

	if (co) {
		pc = co->original;
		rc = add_cents(c, &pc, co->approved, "commitment", co->id);
		if (rc >= 0)
			rc = add_cents(c, &pc, co->pending, "commitment", co->id);
	}
	if (rc >= 0 && num_mul_i64(pc, -1, &v) == 0)
		rc = add_cents(c, &v, ns_total, "purchase order", po_id);
	if (rc < 0)
		return rc;
	snprintf(label, sizeof(label), "%lld", (long long)project);
	row =
	    json_pack("{s:I,s:s,s:I,s:s,s:I,s:s,s:s}", "project_id", (json_int_t)project, "project",
		      label, "po_id", (json_int_t)po_id, "po", po && po->tranid ? po->tranid : "",
		      "commitment_id", (json_int_t)(co ? co->id : 0), "commitment",
		      co ? co->number : "", "status", co ? co->status : "");
	set_money(row, "netsuite", ns_total);
	set_money(row, "original", co ? co->original : 0);
	set_money(row, "approved", co ? co->approved : 0);
	set_money(row, "pending", co ? co->pending : 0);
	set_money(row, "revised", co ? co->revised : 0);
	set_money(row, "procore", pc);
	set_money(row, "variance", v);
	if (!co && po && !defect && idset_get(&c->parked, po_id, NULL)) {
		/* never in Procore: the review list holds it, nothing disagrees yet */
		c->parked_only++;
		json_object_set_new(row, "parked", json_true());
		json_object_set_new(row, "cause", json_string(cause(c, po_id, true, NULL, NULL)));
	} else if (v || !co || !po || defect || idset_get(&c->parked, po_id, NULL)) {
		(*diffs)++;
		json_object_set_new(row, "cause",
				    json_string(cause(c, po_id, po != NULL, co, defect)));
	}
	json_array_append_new(rows, row);
	return MLC_OK;
}

/* One NetSuite PO's row, when it is on a linked job asked for. */
static int po_row(struct rcm_ctx *c, json_t *rows, const struct ns_po *po, int *diffs)
{
	int64_t project = po_project(c, po), total = 0;
	const char *defect = NULL;
	struct rcm_co *co = NULL;
	size_t k;
	int rc = MLC_OK;

	if (!po->id || !project || (c->o->project_id && project != c->o->project_id))
		return MLC_OK;
	for (size_t i = 0; rc >= 0 && i < po->nlines; i++) {
		if (po->lines[i].defect && !defect)
			defect = po->lines[i].defect;
		if (po->lines[i].has_amount)
			rc = add_cents(c, &total, po->lines[i].amount, "purchase order", po->id);
	}
	if (rc < 0)
		return rc;
	if (idset_get(&c->co_of_po, po->id, &k)) {
		co = &c->cos[k];
		co->matched = true;
	}
	return add_row(c, rows, co ? co->project : project, po->id, po, total, defect, co, diffs);
}

static json_t *report_rows(struct rcm_ctx *c, int *diffs)
{
	json_t *rows = json_array();
	int rc = MLC_OK;
	size_t i;

	for (i = 0; rc >= 0 && i < c->npos; i++)
		rc = po_row(c, rows, &c->pos[i], diffs);
	/* the connector's commitments no PO in scope names */
	for (i = 0; rc >= 0 && i < c->ncos; i++)
		if (!c->cos[i].matched)
			rc = add_row(c, rows, c->cos[i].project, c->cos[i].po_id, NULL, 0, NULL,
				     &c->cos[i], diffs);
	if (rc < 0) {
		json_decref(rows);
		return NULL;
	}
	return rows;
}

int reconcile_committed_run(struct mlc_session *s, const struct reconcile_opts *o, json_t **report,
			    struct mlc_error *err)
{
	struct rcm_ctx c = {.s = s, .o = o, .err = err};
	json_t *rows;
	int rc, diffs = 0;

	*report = NULL;
	if (o->period) {
		rc = error_set(err, MLC_EINVAL,
			       "a commitment has no period: --period is for "
			       "--scope cost");
		goto out;
	}
	rc = read_procore(&c);
	if (rc >= 0)
		rc = read_netsuite(&c);
	if (rc >= 0)
		rc = parked_pos(&c);
	if (rc < 0)
		goto out;
	rows = report_rows(&c, &diffs);
	if (!rows) {
		rc = err->code ? err->code : MLC_ERANGE;
		goto out;
	}
	*report = json_pack("{s:s,s:s,s:o,s:i,s:i}", "scope", "committed", "ties_on",
			    "original + approved + pending change orders", "rows", rows,
			    "differences", diffs, "parked", c.parked_only);
	rc = MLC_OK;
out:
	free(c.links);
	idset_release(&c.job_link);
	idset_release(&c.parked);
	idset_release(&c.co_of_po);
	free(c.cos);
	ns_purchase_orders_free(c.pos, c.npos);
	return rc;
}
