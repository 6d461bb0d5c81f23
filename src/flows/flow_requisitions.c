/*
 * Flow "requisitions" (direction netsuite): NetSuite vendor bills billed
 * against a synced purchase order -> Procore requisitions (subcontractor
 * invoices) on the matching commitment, with their contract items.
 *
 * As Procore enforces them (docs/reference/procore/webhook-payloads.md
 * section 6): a requisition needs a billing period (the open one covering
 * the bill date; the month's is opened when none covers it and none is
 * open; otherwise the bill is parked); a requisition with an origin_id is
 * immutable.  So each requisition is made in this order: the header
 * without origin_id (origin_data holds the marker ns:bill:<id>), id_map
 * "pending", the items through bulk_item_update, a read-back that checks
 * them, and the origin_id last.  A lost answer at any step is found again
 * by the marker or the pending id_map row, never made twice.  A bill
 * edited after its requisition is marked is parked with the way out.
 *
 * Read -> plan -> apply: typed bills from netsuite/ns_bills.h, one pure
 * plan per bill (flows/req_plan.h), writes through procore/pc_requisitions.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/idmap.h"
#include "core/project.h"
#include "flows/flow.h"
#include "flows/req_plan.h"
#include "netsuite/ns_bills.h"
#include "procore/pc_requisitions.h"
#include "util/idset.h"
#include "util/money.h"
#include "util/str.h"
#include "util/banned.h"

struct req_ctx {
	struct flow_run *r;
	struct mlc_idset job_project; /* NetSuite job -> Procore project (a later link wins) */
	struct req_lookup lk;
	json_t *retainage;     /* {"<commitment>": percent x 10^4} */
	struct mlc_idset held; /* projects with a failed bill this run: no period opened */
	int failed;
};

/* ---- lookups for the plan: the project links and id_map behind req_lookup ---- */

/* The id_map row of entity/key with a Procore key: its id and hash. */
static bool linked(struct req_ctx *c, const char *entity, int64_t ns_id, int64_t *pc_id, char *hash)
{
	struct mlc_session *s = c->r->s;
	struct mlc_idmap_entry e = {0};
	char key[32];
	bool found;

	snprintf(key, sizeof(key), "%lld", (long long)ns_id);
	found =
	    idmap_by_netsuite(s->store, s->tenant.id, entity, key, &e, NULL) == 0 && e.procore_key;
	*pc_id = found ? strtoll(e.procore_key, NULL, 10) : 0;
	if (hash)
		str_copy(hash, MLC_DIGEST_HEX, found && e.content_hash ? e.content_hash : "");
	idmap_entry_release(&e);
	return found;
}

static bool lk_contract(void *arg, int64_t po, int64_t *contract)
{
	return linked(arg, "po", po, contract, NULL);
}

static int64_t lk_project(void *arg, int64_t job)
{
	struct req_ctx *c = arg;
	size_t project = 0;

	return idset_get(&c->job_project, job, &project) ? (int64_t)project : 0;
}

static int64_t lk_poline(void *arg, int64_t po, int64_t line)
{
	struct req_ctx *c = arg;
	struct mlc_idmap_entry e = {0};
	char key[48];
	int64_t id = 0;

	snprintf(key, sizeof(key), "%lld:%lld", (long long)po, (long long)line);
	if (idmap_by_netsuite(c->r->s->store, c->r->s->tenant.id, "poline", key, &e, NULL) == 0 &&
	    e.procore_key)
		id = strtoll(e.procore_key, NULL, 10);
	idmap_entry_release(&e);
	return id;
}

/* The commitment's retainage, read once per commitment in a run. */
static int lk_retainage(void *arg, int64_t project, int64_t contract, int64_t *pct4)
{
	struct req_ctx *c = arg;
	struct mlc_error e = {0};
	char key[32];
	json_t *v;
	int rc;

	snprintf(key, sizeof(key), "%lld", (long long)contract);
	v = json_object_get(c->retainage, key);
	if (v) {
		*pct4 = json_integer_value(v);
		return MLC_OK;
	}
	rc = procore_commitment_retainage(c->r->s->pc, project, contract, pct4, &e);
	if (rc == MLC_OK)
		json_object_set_new(c->retainage, key, json_integer(*pct4));
	return rc;
}

static bool lk_synced(void *arg, int64_t bill, int64_t *req_id, char hash[MLC_DIGEST_HEX])
{
	return linked(arg, "requisition", bill, req_id, hash);
}

/* ---- read ---- */

/*
 * The bills modified in the frame's window w, with their lines, and the
 * project links.  A requisition's items are per commitment line, so no
 * cost code, segment or other reference data is read.
 */
static int read_bills(struct req_ctx *c, const struct flow_window *w, struct ns_bill **bills,
		      size_t *n, struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;
	struct mlc_project_link *links = NULL;
	size_t nl = 0, i;
	int rc;

	rc = netsuite_po_bills_since(s->ns, w->since[0] ? w->since : NULL, bills, n, err);
	if (rc < 0 || !*n)
		return rc;
	rc = project_list(s->store, s->tenant.id, &links, &nl, err);
	for (i = nl; rc >= 0 && i-- > 0;)
		if (links[i].procore_project_id > 0)
			idset_put(&c->job_project, links[i].netsuite_job_id,
				  (size_t)links[i].procore_project_id);
	free(links);
	if (rc < 0)
		return rc;
	return netsuite_po_bill_lines(s->ns, NULL, *bills, *n, err);
}

/* ---- apply ---- */

static void park(struct req_ctx *c, const struct ns_bill *b, const char *src, const char *why)
{
	json_t *payload = ns_bill_json(b);

	if (flow_park(c->r, "requisition", src, NULL, why, payload) < 0)
		c->failed = 1;
	json_decref(payload);
}

/* Records the requisition of a bill in id_map (hash REQ_PENDING until it is marked). */
static int link_put(struct req_ctx *c, const struct req_plan *p, int64_t req_id, const char *hash,
		    struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;
	char key[32], pk[32];

	snprintf(key, sizeof(key), "%lld", (long long)p->bill_id);
	snprintf(pk, sizeof(pk), "%lld", (long long)req_id);
	return idmap_put(s->store, s->tenant.id, "requisition", key, pk, hash, err);
}

static void fail(struct req_ctx *c, const struct req_plan *p, int64_t req_id, const char *why)
{
	char target[48];

	snprintf(target, sizeof(target), "pc:requisition:%lld", (long long)req_id);
	flow_record(c->r, FLOW_FAIL, "requisition", p->src, req_id ? target : NULL, NULL, why);
	c->failed = 1;
	if (p->project_id)
		idset_put(&c->held, p->project_id, 1);
}

/* The plan as an audit body: the header, the status and the lines. */
static json_t *plan_json(const struct req_plan *p)
{
	json_t *o = pc_requisition_json(&p->body), *lines = json_array();
	char a[MONEY_FMT_MAX], r[MONEY_FMT_MAX];

	for (size_t i = 0; i < p->nlines; i++) {
		money_format(p->lines[i].amount, a);
		money_format(p->lines[i].retainage, r);
		json_array_append_new(
		    lines,
		    json_pack("{s:I, s:s, s:s}", "line_item_id",
			      (json_int_t)p->lines[i].line_item_id, "work_completed_this_period", a,
			      "work_completed_retainage_retained_this_period", r));
	}
	json_object_set_new(o, "status", json_string(p->status));
	json_object_set_new(o, "contract_items", lines);
	return o;
}

static void settle(struct req_ctx *c, const struct req_plan *p, int64_t req_id, bool created)
{
	struct mlc_error e2 = {0};
	char target[48];
	json_t *body;

	if (link_put(c, p, req_id, p->hash, &e2) < 0) {
		fail(c, p, req_id, e2.msg);
		return;
	}
	snprintf(target, sizeof(target), "pc:requisition:%lld", (long long)req_id);
	flow_resolve(c->r, "requisition", p->src);
	body = plan_json(p);
	flow_record(c->r, created ? FLOW_CREATE : FLOW_UPDATE, "requisition", p->src, target, body,
		    NULL);
	json_decref(body);
}

/*
 * The billing period for the bill: the open one covering its date, or
 * the month's opened now.  0 with *id 0: parked (why in the review).
 */
static int period_for(struct req_ctx *c, const struct ns_bill *b, const struct req_plan *p,
		      int64_t *id, struct mlc_error *err)
{
	struct pc_billing_period *bp = NULL;
	char why[200];
	size_t n = 0, idx = 0;
	int rc;

	*id = 0;
	rc = procore_billing_periods(c->r->s->pc, p->project_id, &bp, &n, err);
	if (rc < 0)
		goto out;
	switch (req_period_pick(bp, n, p->date, &idx, why, sizeof(why))) {
	case REQ_PERIOD_USE:
		*id = bp[idx].id;
		break;
	case REQ_PERIOD_OPEN:
		if (idset_get(&c->held, p->project_id, NULL)) {
			/* an earlier bill of the project failed, or waits for its
			 * commitment: its month is the one to open (bills go in date
			 * order), so this one waits, and the watermark stays */
			fail(c, p, 0,
			     "no billing period is open and an earlier bill of this project failed "
			     "or waits for its purchase order in Procore: that bill's month is "
			     "opened first");
			break;
		}
		rc = procore_billing_period_open(c->r->s->pc, p->project_id, p->start, p->end, id,
						 err);
		if (rc == MLC_EPERM) {
			park(c, b, p->src, err->msg);
			rc = MLC_OK;
		}
		break;
	case REQ_PERIOD_PARK:
		park(c, b, p->src, why);
		break;
	}
out:
	free(bp);
	return rc;
}

/* The header: found by its marker, or created in its period.  *req_id 0: parked. */
static int header(struct req_ctx *c, const struct ns_bill *b, struct req_plan *p, int64_t *req_id,
		  bool *complete, struct mlc_error *err)
{
	struct mlc_procore *pc = c->r->s->pc;
	struct mlc_error e2 = {0};
	int rc;

	rc = procore_requisition_find(pc, p->project_id, p->contract_id, p->src, req_id, complete,
				      err);
	if (rc < 0 || *req_id)
		return rc;
	rc = period_for(c, b, p, &p->body.period_id, err);
	if (rc < 0 || !p->body.period_id)
		return rc;
	rc = procore_requisition_create(pc, p->project_id, p->contract_id, &p->body, req_id, err);
	if (rc == MLC_EPERM) {
		park(c, b, p->src, err->msg);
		*req_id = 0;
		return MLC_OK;
	}
	if (rc == MLC_OK && *req_id && link_put(c, p, *req_id, REQ_PENDING, &e2) < 0)
		return error_set(err, MLC_EIO, "%s", e2.msg);
	return rc;
}

/*
 * The items of requisition req_id as planned (lines not billed: 0),
 * written when any differs; want_ok false: they do not match the plan.
 */
static int items(struct req_ctx *c, const struct req_plan *p, int64_t req_id, bool write,
		 bool *want_ok, struct mlc_error *err)
{
	struct pc_req_item *it = NULL;
	size_t n = 0, i, k, found = 0;
	bool same = true;
	int rc;

	rc = procore_requisition_items(c->r->s->pc, p->project_id, req_id, &it, &n, err);
	for (i = 0; rc == MLC_OK && i < n; i++) {
		int64_t amount = 0, ret = 0;
		for (k = 0; k < p->nlines; k++)
			if (p->lines[k].line_item_id == it[i].line_item_id) {
				amount = p->lines[k].amount;
				ret = p->lines[k].retainage;
				found++;
			}
		same = same && it[i].this_period == amount && it[i].retainage == ret;
		it[i].this_period = amount;
		it[i].retainage = ret;
	}
	*want_ok = rc == MLC_OK && same && found == p->nlines;
	if (rc == MLC_OK && write && !same && found == p->nlines)
		rc =
		    procore_requisition_items_write(c->r->s->pc, p->project_id, req_id, it, n, err);
	free(it);
	return rc;
}

/*
 * Writes one planned requisition: header (found or created), items,
 * read-back, origin_id.  < 0 stops the run.
 */
static int write_one(struct req_ctx *c, const struct ns_bill *b, struct req_plan *p,
		     struct mlc_error *err)
{
	struct mlc_procore *pc = c->r->s->pc;
	int64_t req_id = p->req_id;
	bool complete = false, ok = false, created = !req_id;
	int rc = MLC_OK;

	if (!req_id)
		rc = header(c, b, p, &req_id, &complete, err);
	if (rc == MLC_OK && req_id && !complete)
		rc = items(c, p, req_id, true, &ok, err);
	if (rc == MLC_OK && req_id && !complete)
		rc = items(c, p, req_id, false, &ok, err);
	if (rc == MLC_OK && req_id && !complete && !ok) {
		fail(c, p, req_id, "the requisition's items do not read back as written");
		return MLC_OK;
	}
	if (rc == MLC_OK && req_id && !complete)
		rc = procore_requisition_mark(pc, p->project_id, p->contract_id, req_id, p->src,
					      p->status, err);
	if (rc == MLC_EPERM) {
		park(c, b, p->src, err->msg);
	} else if (rc < 0) {
		fail(c, p, req_id, err->msg);
	} else if (req_id) {
		settle(c, p, req_id, created);
	}
	return MLC_OK;
}

/*
 * Bills in date order (then id): when a project has no open billing
 * period, the month opened is the earliest pending bill's, whatever
 * failed in earlier runs, and the other months' bills are parked until
 * it closes.  Without the order the month opened would depend on which
 * write failed first.
 */
static int bill_cmp(const void *a, const void *b)
{
	const struct ns_bill *x = a, *y = b;
	int d = strcmp(x->trandate ? x->trandate : "", y->trandate ? y->trandate : "");

	return d ? d : (x->id > y->id) - (x->id < y->id);
}

/* Plans one bill and carries the plan out.  < 0 stops the run. */
static int do_bill(struct req_ctx *c, const struct ns_bill *b, struct mlc_error *err)
{
	struct req_plan p;
	char target[48];
	json_t *body;
	int rc = MLC_OK;

	req_plan_make(b, &c->lk, &p);
	switch (p.decision) {
	case REQ_IGNORE:
		break;
	case REQ_PARK:
		park(c, b, p.src, p.why);
		if (p.waits && p.project_id) /* its month comes first once it can go */
			idset_put(&c->held, p.project_id, 1);
		break;
	case REQ_FAIL:
		fail(c, &p, 0, p.why);
		break;
	case REQ_SKIP:
		snprintf(target, sizeof(target), "pc:requisition:%lld", (long long)p.req_id);
		flow_record(c->r, FLOW_SKIP, "requisition", p.src, target, NULL, NULL);
		break;
	case REQ_WRITE:
		if (!c->r->opts.dry_run) {
			rc = write_one(c, b, &p, err);
			break;
		}
		body = plan_json(&p);
		flow_record(c->r, p.req_id ? FLOW_UPDATE : FLOW_CREATE, "requisition", p.src, NULL,
			    body, NULL);
		json_decref(body);
		break;
	}
	req_plan_release(&p);
	return rc;
}

int flow_requisitions(struct flow_run *r, struct mlc_error *err)
{
	struct req_ctx c = {.r = r};
	struct ns_bill *bills = NULL;
	struct flow_window w;
	size_t n = 0, i;
	int rc;

	c.lk = (struct req_lookup){.arg = &c,
				   .contract = lk_contract,
				   .project = lk_project,
				   .poline = lk_poline,
				   .retainage = lk_retainage,
				   .synced = lk_synced};
	c.retainage = json_object();
	rc = flow_since(r, FLOW_CLOCK_NETSUITE, "", &w, err);
	if (rc >= 0)
		rc = read_bills(&c, &w, &bills, &n, err);
	if (rc < 0 || !n)
		goto out;
	qsort(bills, n, sizeof(*bills), bill_cmp);
	for (i = 0; i < n; i++) {
		if (!bills[i].id)
			continue;
		r->stats.read++;
		flow_seen(&w, bills[i].lastmodified);
		rc = do_bill(&c, &bills[i], err);
		if (rc < 0)
			goto out;
	}
	/* every failure above is a FLOW_FAIL: the frame keeps the watermark then */
	rc = flow_advance(r, &w, err);
	if (rc < 0)
		goto out;
	rc = c.failed
		 ? error_set(err, MLC_ETRANSIENT, "some requisitions failed; the watermark stays")
		 : MLC_OK;
out:
	ns_bills_free(bills, n);
	idset_release(&c.job_project);
	idset_release(&c.held);
	json_decref(c.retainage);
	return rc;
}
