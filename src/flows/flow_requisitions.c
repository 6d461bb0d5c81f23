/*
 * Flow "requisitions": NetSuite vendor bills billed against a synced
 * purchase order -> Procore requisitions (subcontractor invoices) on the
 * matching commitment.
 *
 * Requisitions have no sync endpoint (docs/reference/procore.md), so idempotency is by
 * origin_id (ns:bill:<id>): a bill never linked in id_map is first looked
 * up with filters[origin_id]; only when Procore has none is it created.
 * A create whose answer was lost (unknown outcome) is looked up again at
 * once, so a retry cannot make a second requisition.
 *
 * The POST takes no line items (RestV10RequisitionsPost.json), so the
 * bill's line amounts by cost code travel in origin_data as JSON, with
 * the total, for the people and tools reading the requisition.
 *
 * Read -> plan -> apply: typed bills from netsuite/ns_bills.h, one pure
 * plan per bill (flows/req_plan.h), writes through procore/pc_requisitions.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/idmap.h"
#include "flows/flow.h"
#include "flows/refdata.h"
#include "flows/req_plan.h"
#include "flows/segment.h"
#include "netsuite/ns_bills.h"
#include "procore/pc_requisitions.h"
#include "util/str.h"
#include "util/banned.h"

struct req_ctx {
	struct flow_run *r;
	struct refdata rd;
	struct mlc_segment seg;
	struct req_lookup lk;
	int failed;
};

/* ---- lookups for the plan: refdata and id_map behind req_lookup ---- */

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
	char key[32];
	json_t *link;

	snprintf(key, sizeof(key), "%lld", (long long)job);
	link = json_object_get(c->rd.links, key);
	return link ? json_integer_value(json_object_get(link, "procore_project_id")) : 0;
}

static const char *lk_seg_code(void *arg, int64_t seg)
{
	return refdata_text_num(((struct req_ctx *)arg)->rd.seg_code, seg);
}

static bool lk_synced(void *arg, int64_t bill, int64_t *req_id, char hash[MLC_DIGEST_HEX])
{
	return linked(arg, "requisition", bill, req_id, hash);
}

/* ---- read ---- */

/* The bills modified in the frame's window w, with their lines and reference data. */
static int read_bills(struct req_ctx *c, const struct flow_window *w, struct ns_bill **bills,
		      size_t *n, struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;
	int rc;

	rc = netsuite_po_bills_since(s->ns, w->since[0] ? w->since : NULL, bills, n, err);
	if (rc < 0 || !*n)
		return rc;
	/* the cost code of a bill line comes from the segment when the account has it */
	rc = segment_resolve(s, &c->seg, err);
	if (rc >= 0)
		rc = refdata_load(&c->rd, c->r, true, c->seg.use ? c->seg.table : NULL, err);
	if (rc < 0)
		return rc;
	return netsuite_po_bill_lines(s->ns, c->seg.use ? c->seg.field : NULL, *bills, *n, err);
}

/* ---- apply ---- */

static void park(struct req_ctx *c, const struct ns_bill *b, const char *src, const char *why)
{
	json_t *payload = ns_bill_json(b);

	if (flow_park(c->r, "requisition", src, NULL, why, payload) < 0)
		c->failed = 1;
	json_decref(payload);
}

/* Records a written requisition in id_map and the plan. */
static void settle(struct req_ctx *c, const struct req_plan *p, int64_t req_id, bool created)
{
	struct mlc_session *s = c->r->s;
	struct mlc_error e2 = {0};
	char key[32], pk[32], target[48];
	json_t *body;

	snprintf(key, sizeof(key), "%lld", (long long)p->bill_id);
	snprintf(pk, sizeof(pk), "%lld", (long long)req_id);
	snprintf(target, sizeof(target), "pc:requisition:%lld", (long long)req_id);
	if (idmap_put(s->store, s->tenant.id, "requisition", key, pk, p->hash, &e2) < 0) {
		flow_record(c->r, FLOW_FAIL, "requisition", p->src, target, NULL, e2.msg);
		c->failed = 1;
		return;
	}
	flow_resolve(c->r, "requisition", p->src);
	body = pc_requisition_json(&p->body);
	flow_record(c->r, created ? FLOW_CREATE : FLOW_UPDATE, "requisition", p->src, target, body,
		    NULL);
	json_decref(body);
}

/*
 * Writes one planned requisition: never linked, it is first looked up by
 * origin_id (Procore may have it from a lost answer).  < 0 stops the run.
 */
static int write_one(struct req_ctx *c, const struct ns_bill *b, struct req_plan *p,
		     struct mlc_error *err)
{
	struct mlc_procore *pc = c->r->s->pc;
	int64_t req_id = p->req_id;
	bool created;
	int rc;

	if (!req_id) {
		rc = procore_requisition_find(pc, p->project_id, p->src, &req_id, err);
		if (rc < 0)
			return rc;
	}
	created = !req_id;
	if (req_id)
		rc = procore_requisition_update(pc, p->project_id, req_id, &p->body, err);
	else
		rc = procore_requisition_create(pc, p->project_id, p->contract_id, &p->body,
						&req_id, err);
	if (rc == MLC_EPERM) {
		park(c, b, p->src, err->msg);
	} else if (rc < 0 || !req_id) {
		flow_record(c->r, FLOW_FAIL, "requisition", p->src, NULL, NULL,
			    rc < 0 ? err->msg : "Procore returned no requisition id");
		c->failed = 1;
	} else {
		settle(c, p, req_id, created);
	}
	return MLC_OK;
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
		body = pc_requisition_json(&p.body);
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
				   .seg_code = lk_seg_code,
				   .synced = lk_synced};
	rc = flow_since(r, FLOW_CLOCK_NETSUITE, "", &w, err);
	if (rc >= 0)
		rc = read_bills(&c, &w, &bills, &n, err);
	if (rc < 0 || !n)
		goto out;
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
	refdata_release(&c.rd);
	return rc;
}
