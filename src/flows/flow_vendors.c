/*
 * Flow "vendors": NetSuite vendors -> Procore company vendors.
 *
 * Read: SuiteQL, keyset-paged by id, incremental on lastmodifieddate in
 * the frame's window (flow_since / flow_read_netsuite; --full: everything).  Match:
 * flows/vendor_match.h, with the links known before (id map, and the
 * externalId "pc:<company>:vendor:<id>" of vendors the vendors-back flow
 * made) taking precedence over names, so a vendor that came from Procore
 * is never created there a second time.  Plan: flows/vendor_plan.h.  Write:
 * the vendors sync endpoint (procore/pc_vendors.h), at most 1000 per call, per-record errors
 * handled one by one.  Change detection: the content hash of what we
 * would send, kept in id_map; an unchanged vendor costs no write.  The
 * frame moves the watermark only when every record read was written,
 * skipped or parked (flow_advance).
 *
 * Both directions (flow_vendors_back.c): a linked pair is settled by the
 * same three-way merge in whichever flow sees it change first
 * (flows/vendor_fields.h, md_merge against md_base "vendors" keyed by the
 * NetSuite id): NetSuite's side is written at once by PATCH, Procore's
 * side goes into the sync batch, and the base is kept when both have
 * landed.  After that both sides equal the base, so the other flow finds
 * nothing to write when it reads the echo of our own write: no ping-pong.
 * Without vendors_back.enabled the master is NetSuite and this flow never
 * writes NetSuite (the one-way behaviour).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/idmap.h"
#include "flows/flow.h"
#include "flows/flow_park.h"
#include "flows/review_apply.h"
#include "flows/masterdata.h"
#include "flows/vendor_fields.h"
#include "flows/vendor_match.h"
#include "flows/vendor_ns.h"
#include "flows/vendor_pair.h"
#include "flows/vendor_plan.h"
#include "flows/vendors_one.h"
#include "netsuite/ns_vendors.h"
#include "procore/pc_vendors.h"
#include "util/buf.h"
#include "util/digest.h"
#include "util/jsonx.h"
#include "util/banned.h"

/* Types the rows of each page read (netsuite/ns_vendors.h). */
static int collect_vendors(void *arg, json_t *page)
{
	ns_vendors_add_rows(arg, page);
	return 0;
}

/* A Procore vendor as a review candidate: {id, name, origin_id}. */
static json_t *candidate(const json_t *v)
{
	json_t *c = json_object();
	json_object_set(c, "id", json_object_get(v, "id"));
	json_object_set(c, "name", json_object_get(v, "name"));
	if (jsonx_str(v, "origin_id"))
		json_object_set(c, "origin_id", json_object_get(v, "origin_id"));
	return c;
}

static json_t *candidates(const json_t *pcv, const struct vendor_match *m)
{
	json_t *out = json_array();
	for (size_t k = 0; k < m->ncand; k++)
		json_array_append_new(out, candidate(json_array_get(pcv, m->cand[k])));
	return out;
}

/*
 * The matching input (flows/vendor_match.h): the NetSuite vendors read
 * (their records in recs, aligned with the source list), every Procore
 * vendor, and the links: origin_id
 * "ns:vendor:<id>" (tier 1), the id map and the externalId left by
 * vendors-back (tier 2).  A Procore vendor whose origin_id is not ours is
 * owned elsewhere.
 */
struct fwd_match {
	struct vendor_rec *src, *dst;
	size_t nsrc, ndst;
	struct vendor_links links;
	const struct ns_vendor **recs; /* borrowed from the list read */
	struct vendor_match *m;
};

static int fwd_match_run(struct mlc_session *s, const struct ns_vendors *nsv, const json_t *pcv,
			 struct fwd_match *fm, struct mlc_error *err)
{
	size_t i;
	json_t *v;
	int rc;

	fm->recs = xcalloc(nsv->n + 1, sizeof(*fm->recs));
	fm->src = xcalloc(nsv->n + 1, sizeof(*fm->src));
	fm->dst = xcalloc(json_array_size(pcv) + 1, sizeof(*fm->dst));
	rc = vendor_links_idmap(s, &fm->links, true, err);
	if (rc < 0)
		return rc;
	json_array_foreach (pcv, i, v) {
		const char *origin = jsonx_str(v, "origin_id");
		struct vendor_rec *d = &fm->dst[fm->ndst++];
		int64_t ns_id = vendor_origin_parse(origin);
		if (jsonx_id(v, "id", &d->id) < 0 || !d->id) {
			d->id = 0;
			d->owned = true;
			continue;
		}
		d->name = jsonx_str(v, "name");
		if (ns_id)
			vendor_links_add(&fm->links, ns_id, d->id, true);
		else if (origin && *origin)
			d->owned = true;
	}
	for (i = 0; i < nsv->n; i++) {
		const struct ns_vendor *nv = &nsv->v[i];
		int64_t back_pc;
		if (!nv->id)
			continue;
		fm->recs[fm->nsrc] = nv;
		fm->src[fm->nsrc].id = nv->id;
		fm->src[fm->nsrc].name = vendor_ns_name(nv);
		fm->nsrc++;
		/* made by vendors-back from a Procore vendor: that one is its twin */
		back_pc = vendor_back_eid_parse(s, nv->externalid);
		if (back_pc)
			vendor_links_add(&fm->links, nv->id, back_pc, false);
	}
	fm->m = vendor_match_all(fm->src, fm->nsrc, fm->dst, fm->ndst, fm->links.v, fm->links.n);
	return MLC_OK;
}

static void fwd_match_release(struct fwd_match *fm)
{
	vendor_matches_free(fm->m, fm->nsrc);
	vendor_links_release(&fm->links);
	free(fm->src);
	free(fm->dst);
	free(fm->recs);
	memset(fm, 0, sizeof(*fm));
}

/* One NetSuite vendor (source i of fm) with its answer: park, settle a
 * pair, or create it in Procore.  < 0 only when the run must stop. */
static int fwd_one(struct flow_run *r, struct vendor_pairs *f, struct fwd_match *fm, size_t i,
		   struct flow_window *w, struct mlc_error *err)
{
	struct mlc_session *s = r->s;
	const struct vendor_match *m = &fm->m[i];
	const struct ns_vendor *nv = fm->recs[i];
	json_t *view = vendor_view_of_ns(nv);
	int64_t ns_id = fm->src[i].id, pc_id = 0;
	char ns_key[32], src[48], hash[MLC_DIGEST_HEX], target[48];
	struct mlc_idmap_entry e = {0};
	json_t *body, *detail, *cands = NULL;
	struct vendor_plan_in in;
	struct vendor_plan plan;
	int known, rc = MLC_OK;

	r->stats.read++;
	flow_seen(w, nv->lastmodified);
	snprintf(ns_key, sizeof(ns_key), "%lld", (long long)ns_id);
	snprintf(src, sizeof(src), "ns:vendor:%lld", (long long)ns_id);
	body = vendor_pc_body(view, ns_id, nv->entityid);
	digest_json(body, hash);
	known = idmap_by_netsuite(s->store, s->tenant.id, "vendor", ns_key, &e, NULL) == 0;
	in = (struct vendor_plan_in){
	    .kind = m->kind,
	    .ncand = m->ncand,
	    .name = jsonx_str(body, "name"),
	    .first_id = m->kind == VENDOR_DUPLICATE ? fm->src[m->first].id : 0,
	    .known_pc_key = known ? e.procore_key : NULL,
	    .known_hash = known ? e.content_hash : NULL,
	    .hash = hash,
	    .master = f->master,
	};
	if (m->kind == VENDOR_LINK_ORIGIN || m->kind == VENDOR_LINK_KNOWN ||
	    m->kind == VENDOR_LINK_TWIN || m->kind == VENDOR_LINK_NAME)
		in.pc_id = pc_id = fm->dst[m->dst].id;
	vendor_plan_make(&in, &plan);
	review_apply_vendor(r, f, src, &plan, &pc_id); /* a person's decision on a park */
	snprintf(target, sizeof(target), "pc:vendor:%lld", (long long)pc_id);
	switch (plan.action) {
	case VENDOR_PLAN_PARK:
		cands = m->ncand ? candidates(f->pcv, m) : NULL;
		if (flow_park_candidates(r, "vendor", src, plan.why, cands, body) < 0)
			f->failed = 1;
		goto out;
	case VENDOR_PLAN_SKIP:
		flow_record(r, FLOW_SKIP, "vendor", src, target, NULL, NULL);
		goto out;
	case VENDOR_PLAN_SETTLE:
		rc = vendor_pairs_settle(f, nv, ns_id, ns_key, src, pc_id, err);
		goto out;
	case VENDOR_PLAN_PARK_MASTER:
		/* Procore masters the vendor directory: a company only NetSuite
		 * knows waits for a person, it is not pushed into Procore */
		if (flow_park(r, "vendor", src, NULL, plan.why, NULL) < 0)
			f->failed = 1;
		goto out;
	case VENDOR_PLAN_CREATE:
		break;
	}
	detail = json_deep_copy(body);
	if (r->opts.dry_run) {
		flow_record(r, FLOW_CREATE, "vendor", src, NULL, detail, NULL);
		json_decref(detail);
		goto out;
	}
	rc = vendor_pairs_queue(f, body, src, ns_key, hash, "create", detail, view, err);
out:
	json_decref(view);
	json_decref(body);
	json_decref(cands);
	idmap_entry_release(&e);
	return rc;
}

/* For a webhook push (flows/vendors_one.h): the vendors in nsv matched
 * and answered by fwd_one() as in a run, when the answer is the pair an
 * origin_id names; any other answer needs the full lists (nothing done,
 * *handled false). */
int vendors_fwd_linked(struct flow_run *r, struct vendor_pairs *f, const struct ns_vendors *nsv,
		       bool *handled, struct mlc_error *err)
{
	struct fwd_match fm = {0};
	struct flow_window w = {0}; /* an event never moves the watermark */
	int rc;

	*handled = false;
	rc = fwd_match_run(r->s, nsv, f->pcv, &fm, err);
	if (rc < 0 || fm.nsrc != 1 || fm.m[0].kind != VENDOR_LINK_ORIGIN)
		goto out;
	*handled = true;
	rc = fwd_one(r, f, &fm, 0, &w, err);
	if (rc >= 0)
		rc = vendor_pairs_flush(f, err);
out:
	fwd_match_release(&fm);
	return rc;
}

int flow_vendors(struct flow_run *r, struct mlc_error *err)
{
	struct mlc_session *s = r->s;
	struct ns_vendors nsv = {0};
	struct fwd_match fm = {0};
	struct vendor_pairs f;
	struct flow_window w;
	bool back;
	int rc;

	vendor_pairs_init(&f, r);
	rc = vendor_master(s, &f.master, &back, err);
	if (rc < 0)
		goto out;
	rc = flow_since(r, FLOW_CLOCK_NETSUITE, "", &w, err);
	if (rc >= 0)
		rc = flow_read_netsuite(r, &w, NS_VENDORS_SINCE_SELECT, "lastmodifieddate", "id",
					collect_vendors, &nsv, err);
	if (rc < 0)
		goto out;
	if (nsv.n == 0) {
		rc = MLC_OK;
		goto out;
	}
	rc = procore_vendors(s->pc, s->tenant.procore_company_id, NULL, &f.pcv, err);
	if (rc >= 0)
		rc = fwd_match_run(s, &nsv, f.pcv, &fm, err);
	if (rc >= 0)
		rc = md_base_all(s->store, s->tenant.id, "vendors", &f.bases, err);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < fm.nsrc; i++) {
		rc = fwd_one(r, &f, &fm, i, &w, err);
		if (rc < 0)
			goto out;
	}
	rc = vendor_pairs_flush(&f, err);
	if (rc < 0)
		goto out;
	/* every failure above is a FLOW_FAIL: the frame keeps the watermark then */
	rc = flow_advance(r, &w, err);
	if (rc < 0)
		goto out;
	rc = f.failed ? error_set(err, MLC_ETRANSIENT, "some vendors failed; the watermark stays")
		      : MLC_OK;
out:
	fwd_match_release(&fm);
	vendor_pairs_release(&f);
	ns_vendors_release(&nsv);
	return rc;
}
