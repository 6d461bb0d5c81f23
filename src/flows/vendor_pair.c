/*
 * Writing vendor pairs for both vendor flows (flows/vendor_pair.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/idmap.h"
#include "core/review.h"
#include "core/store.h"
#include "flows/vendor_fields.h"
#include "flows/vendor_pair.h"
#include "flows/vendor_ns.h"
#include "procore/pc_vendors.h"
#include "util/buf.h"
#include "util/digest.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/num.h"
#include "util/str.h"
#include "util/banned.h"

#define SYNC_BATCH 1000

void vendor_pairs_init(struct vendor_pairs *vp, struct flow_run *r)
{
	memset(vp, 0, sizeof(*vp));
	vp->r = r;
	vp->master = MD_NETSUITE;
	vp->updates = json_array();
	vp->meta = json_object();
}

void vendor_pairs_release(struct vendor_pairs *vp)
{
	if (!vp)
		return;
	json_decref(vp->bases);
	json_decref(vp->pcv);
	json_decref(vp->updates);
	json_decref(vp->meta);
	free(vp->pc_index);
	memset(vp, 0, sizeof(*vp));
}

/* The Procore vendor body for a vendor view (vendor_fields.h) of NetSuite
 * vendor ns_id: its values (nulls left out) and the link back. */
json_t *vendor_pc_body(const json_t *view, int64_t ns_id, const char *eid)
{
	char origin[48];
	json_t *b = vendor_pc_fields(view, false);

	snprintf(origin, sizeof(origin), "ns:vendor:%lld", (long long)ns_id);
	json_object_set_new(b, "origin_id", json_string(origin));
	if (eid)
		json_object_set_new(b, "origin_code", json_string(eid));
	return b;
}

/* Fields of body whose value differs in the current Procore vendor. */
json_t *vendor_changed_fields(const json_t *body, const json_t *current)
{
	json_t *diff = json_object();
	const char *k;
	json_t *v;

	json_object_foreach ((json_t *)body, k, v) {
		json_t *cur = current ? json_object_get(current, k) : NULL;
		if (!cur || !json_equal(cur, v))
			json_object_set_new(
			    diff, k,
			    json_pack("{s:O, s:O}", "from", cur ? cur : json_null(), "to", v));
	}
	return diff;
}

static int by_id_at(const void *a, const void *b)
{
	const struct vendor_pc_index *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* Indexes vp->pcv by id once (a pair costs a search, not a scan). */
static void pc_index_build(struct vendor_pairs *vp)
{
	size_t i;
	json_t *v;

	free(vp->pc_index);
	vp->pc_index = xcalloc(json_array_size(vp->pcv) + 1, sizeof(*vp->pc_index));
	vp->npc_index = 0;
	json_array_foreach (vp->pcv, i, v) {
		int64_t vid = 0;
		if (jsonx_id(v, "id", &vid) == 0 && vid)
			vp->pc_index[vp->npc_index++] = (struct vendor_pc_index){vid, i};
	}
	qsort(vp->pc_index, vp->npc_index, sizeof(*vp->pc_index), by_id_at);
	vp->pc_indexed = vp->pcv;
}

const json_t *vendor_pairs_find(struct vendor_pairs *vp, int64_t id)
{
	size_t lo = 0, hi;

	if (!vp->pc_index || vp->pc_indexed != vp->pcv)
		pc_index_build(vp);
	hi = vp->npc_index;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (vp->pc_index[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < vp->npc_index && vp->pc_index[lo].id == id)
		return json_array_get(vp->pcv, vp->pc_index[lo].at);
	return NULL;
}

struct ns_writes_run {
	struct mlc_netsuite *ns;
	struct vendor_ns_write *w;
};

/* The upsert of a new vendor and its read-back by externalId. */
static void ns_write_create(struct mlc_netsuite *ns, struct vendor_ns_write *w)
{
	json_t *items = NULL;

	w->rc = netsuite_upsert(ns, "vendor", w->eid, w->body, NULL, w->code, &w->err);
	w->body = NULL;
	w->noted = http_write_note_take(&w->note);
	if (w->rc < 0)
		return;
	w->rc = netsuite_vendors_by_externalid(ns, w->eid, &items, &w->err);
	if (w->rc < 0)
		return;
	if (json_array_size(items) != 1)
		w->rc = error_set(&w->err, MLC_ETRANSIENT,
				  "NetSuite vendor %s not found after its upsert", w->eid);
	else
		w->row = json_incref(json_array_get(items, 0));
	json_decref(items);
}

/* On a pool thread: the adapter only, the outcome kept in w[i]. */
static void ns_write_one(void *arg, size_t i)
{
	struct ns_writes_run *run = arg;
	struct vendor_ns_write *w = &run->w[i];

	if (!w->planned)
		return;
	http_write_note_clear();
	if (w->ns_id) {
		w->rc = netsuite_update(run->ns, "vendor", w->ns_id, w->body, w->code, &w->err);
		w->body = NULL;
		w->noted = http_write_note_take(&w->note);
	} else {
		ns_write_create(run->ns, w);
	}
}

void vendor_ns_writes_send(struct mlc_netsuite *ns, struct vendor_ns_write *w, size_t n)
{
	struct ns_writes_run run = {.ns = ns, .w = w};
	size_t planned = 0;

	for (size_t i = 0; i < n; i++)
		planned += w[i].planned;
	if (planned)
		netsuite_run_many(ns, n, ns_write_one, &run);
}

void vendor_ns_writes_release(struct vendor_ns_write *w, size_t n)
{
	for (size_t i = 0; w && i < n; i++) {
		json_decref(w[i].body);
		json_decref(w[i].sent);
		json_decref(w[i].row);
		memset(&w[i], 0, sizeof(w[i]));
	}
}

void vendor_ns_write_note(const struct vendor_ns_write *w)
{
	char method[16] = "", path[HTTP_SUMMARY_MAX] = "";
	const char *sp = strchr(w->note.summary, ' ');
	size_t mlen = sp ? (size_t)(sp - w->note.summary) : 0;
	struct mlc_http_req req = {.method = method, .path = path};
	struct mlc_http_resp resp = {.attempts = w->note.attempts};

	http_write_note_clear();
	if (!w->noted || !sp || mlen >= sizeof(method))
		return;
	/* the note was taken on the pool's thread: set again from its parts */
	memcpy(method, w->note.summary, mlen);
	method[mlen] = '\0';
	str_copy(path, sizeof(path), sp + 1);
	str_copy(resp.retried, sizeof(resp.retried), w->note.retried);
	http_write_note_set(&req, &resp);
}

/* Commits the transaction of a batch; its failure fails a batch that
 * went well. */
static int tx_end(struct mlc_store *st, int rc, struct mlc_error *err)
{
	struct mlc_error ce = {0};

	if (store_commit(st, &ce) < 0 && rc == MLC_OK)
		return error_set(err, ce.code, "%s", ce.msg);
	return rc;
}

/* Sends one batch and settles every record in it. */
int vendor_pairs_flush(struct vendor_pairs *vp, struct mlc_error *err)
{
	struct flow_run *r = vp->r;
	json_t *entities = NULL, *errors = NULL;
	size_t i, n = json_array_size(vp->updates);
	bool tx = false;
	json_t *e;
	int rc;

	if (!n)
		return MLC_OK;
	rc = procore_vendors_sync(r->s->pc, r->s->tenant.procore_company_id, vp->updates, &entities,
				  &errors, err);
	/* the batch's store writes in one transaction (none in a dry run) */
	tx = !r->opts.dry_run && store_begin(r->s->store, NULL) == 0;
	if (rc < 0) {
		/* the whole call failed: nothing in it is settled, the watermark stays */
		json_array_foreach (vp->updates, i, e)
			flow_record(r, FLOW_FAIL, "vendor", jsonx_str(e, "origin_id"), NULL, NULL,
				    err->msg);
		vp->failed = 1;
		goto out;
	}
	json_array_foreach (entities, i, e) {
		const char *origin = jsonx_str(e, "origin_id");
		json_t *m = origin ? json_object_get(vp->meta, origin) : NULL;
		int64_t pc_id = 0;
		char pc_key[32], target[48];
		struct mlc_error e2 = {0};
		if (!m || jsonx_id(e, "id", &pc_id) < 0 || !pc_id)
			continue;
		snprintf(pc_key, sizeof(pc_key), "%lld", (long long)pc_id);
		snprintf(target, sizeof(target), "pc:vendor:%lld", (long long)pc_id);
		if (idmap_put(r->s->store, r->s->tenant.id, "vendor", jsonx_str(m, "ns_key"),
			      pc_key, jsonx_str(m, "hash"), &e2) < 0 ||
		    md_base_put(r->s->store, r->s->tenant.id, "vendors", jsonx_str(m, "ns_key"),
				json_object_get(m, "base"), &e2) < 0) {
			flow_record(r, FLOW_FAIL, "vendor", origin, target, NULL, e2.msg);
			vp->failed = 1;
		} else {
			if (review_resolve(r->s->store, r->s->tenant.id, "vendor", origin, &e2) < 0)
				log_warn("review resolve failed", "error", e2.msg);
			flow_record(r,
				    strcmp(jsonx_str(m, "action"), "create") == 0 ? FLOW_CREATE
										  : FLOW_UPDATE,
				    "vendor", origin, target, json_object_get(m, "detail"), NULL);
		}
		json_object_del(vp->meta, origin);
	}
	/* per-record refusals: parked with Procore's words, so a person sees them */
	json_array_foreach (errors, i, e) {
		const char *origin = jsonx_str(e, "origin_id");
		struct mlc_buf why = MLC_BUF_INIT;
		procore_error_text(json_object_get(e, "errors") ? e : NULL, &why);
		if (flow_park(r, "vendor", origin, NULL, why.data, e) < 0)
			vp->failed = 1;
		if (origin)
			json_object_del(vp->meta, origin);
		buf_release(&why);
	}
	/* anything neither confirmed nor refused is unknown: not settled */
	if (json_object_size(vp->meta)) {
		const char *k;
		json_t *v;
		json_object_foreach (vp->meta, k, v)
			flow_record(r, FLOW_FAIL, "vendor", k, NULL, NULL,
				    "Procore's sync reply did not mention this record");
		vp->failed = 1;
	}
	rc = MLC_OK;
out:
	if (tx)
		rc = tx_end(r->s->store, rc, err);
	json_decref(entities);
	json_decref(errors);
	json_array_clear(vp->updates);
	json_object_clear(vp->meta);
	return rc;
}

int vendor_pairs_flush_due(struct vendor_pairs *vp, struct mlc_error *err)
{
	if (json_array_size(vp->updates) < SYNC_BATCH)
		return MLC_OK;
	return vendor_pairs_flush(vp, err);
}

int vendor_pairs_queue(struct vendor_pairs *f, json_t *body, const char *src, const char *ns_key,
		       const char *hash, const char *action, json_t *detail, const json_t *base,
		       struct mlc_error *err)
{
	json_array_append(f->updates, body);
	json_object_set_new(f->meta, src,
			    json_pack("{s:s, s:s, s:s, s:o, s:O}", "ns_key", ns_key, "hash", hash,
				      "action", action, "detail", detail, "base", base));
	if (!f->hold && json_array_size(f->updates) >= SYNC_BATCH)
		return vendor_pairs_flush(f, err);
	return MLC_OK;
}

/* Whether the id map already holds this link with this content hash. */
static bool link_kept(struct mlc_session *s, const char *ns_key, const char *pc_key,
		      const char *hash)
{
	struct mlc_idmap_entry e = {0};
	struct mlc_error err = {0};
	bool kept = false;

	if (idmap_by_netsuite(s->store, s->tenant.id, "vendor", ns_key, &e, &err) == 0)
		kept = e.procore_key && strcmp(e.procore_key, pc_key) == 0 && e.content_hash &&
		       strcmp(e.content_hash, hash) == 0;
	idmap_entry_release(&e);
	return kept;
}

/* A pair whose Procore side already has the merged values: link (and
 * keep the base) without a write; a pair whose link, hash and base are
 * all as kept costs no store write either (a quiet rerun writes nothing).
 * A store failure fails the record (the link is not kept: the watermark
 * stays). */
static void settle_same(struct vendor_pairs *f, const char *ns_key, const char *pc_key,
			const char *hash, const json_t *base, bool no_base,
			const struct md_merge *m, const char *src, const char *target,
			bool ns_written, struct mlc_error *err)
{
	struct flow_run *r = f->r;
	struct mlc_session *s = r->s;

	if (!r->opts.dry_run &&
	    !(!no_base && json_equal(base, m->merged) && link_kept(s, ns_key, pc_key, hash)) &&
	    (idmap_put(s->store, s->tenant.id, "vendor", ns_key, pc_key, hash, err) < 0 ||
	     md_base_put(s->store, s->tenant.id, "vendors", ns_key, m->merged, err) < 0)) {
		flow_record(r, FLOW_FAIL, "vendor", src, target, NULL, err->msg);
		f->failed = 1;
		return;
	}
	flow_resolve(r, "vendor", src); /* placed: a review item for it is done */
	if (!ns_written)
		flow_record(r, FLOW_SKIP, "vendor", src, target, NULL, NULL);
}

/* PATCHes NetSuite vendor ns_id with body (taken), or takes the outcome
 * of the same write sent ahead (vp->pre). */
static int ns_patch(struct vendor_pairs *f, int64_t ns_id, json_t *body, char code[NS_CODE_MAX],
		    struct mlc_error *err)
{
	struct vendor_ns_write *w = f->pre;

	if (!w || !w->planned || w->used || w->ns_id != ns_id || !json_equal(w->sent, body))
		return netsuite_update(f->r->s->ns, "vendor", ns_id, body, code, err);
	w->used = true;
	json_decref(body);
	vendor_ns_write_note(w);
	str_copy(code, NS_CODE_MAX, w->code);
	if (w->rc < 0)
		*err = w->err;
	return w->rc;
}

json_t *vendor_pairs_ns_patch(struct vendor_pairs *f, const struct ns_vendor *nv,
			      const char *ns_key, int64_t pc_id)
{
	const json_t *pc_cur = vendor_pairs_find(f, pc_id);
	json_t *view_ns = vendor_view_of_ns(nv), *view_pc = vendor_view_pc(pc_cur);
	const json_t *base = json_object_get(f->bases, ns_key);
	json_t *empty = NULL, *out = NULL;
	struct md_merge m;

	if (!base)
		base = empty = vendor_view_empty();
	/* the same merge vendor_pairs_settle() makes (bases and pcv do not
	 * change during a run), without its records */
	md_merge(f->r->s, "vendors", f->master, vendor_md_fields, base, view_ns, view_pc, &m);
	if (json_object_size(m.to_ns))
		out = vendor_ns_fields(m.to_ns);
	md_merge_release(&m);
	json_decref(view_ns);
	json_decref(view_pc);
	json_decref(empty);
	return out;
}

/*
 * A linked pair: merges the two views against the base, writes
 * NetSuite's side at once and queues Procore's side with the merged base.
 * A failed NetSuite write fails the record (nothing kept: merged again
 * next run).
 */
int vendor_pairs_settle(struct vendor_pairs *f, const struct ns_vendor *nv, int64_t ns_id,
			const char *ns_key, const char *src, int64_t pc_id, struct mlc_error *err)
{
	struct flow_run *r = f->r;
	struct mlc_session *s = r->s;
	const json_t *pc_cur = vendor_pairs_find(f, pc_id);
	json_t *view_ns = vendor_view_of_ns(nv), *view_pc = vendor_view_pc(pc_cur);
	json_t *empty = NULL, *body = NULL, *send = NULL, *to_pc = NULL, *detail = NULL;
	const json_t *base = json_object_get(f->bases, ns_key);
	struct md_merge m;
	char target[48], pc_key[32], hash[MLC_DIGEST_HEX];
	bool ns_written = false;
	int rc = MLC_OK;

	snprintf(target, sizeof(target), "pc:vendor:%lld", (long long)pc_id);
	snprintf(pc_key, sizeof(pc_key), "%lld", (long long)pc_id);
	if (!base)
		base = empty = vendor_view_empty();
	md_merge(s, "vendors", f->master, vendor_md_fields, base, view_ns, view_pc, &m);
	md_record_conflicts(r, "vendor", src, target, &m);
	if (json_object_size(m.to_ns)) {
		json_t *nsb = vendor_ns_fields(m.to_ns);
		json_t *nsd = json_deep_copy(nsb);
		char code[NS_CODE_MAX] = "";
		struct mlc_error e2 = {0};
		if (!r->opts.dry_run && ns_patch(f, ns_id, nsb, code, &e2) < 0) {
			flow_record(r, FLOW_FAIL, "vendor", target, src, nsd, e2.msg);
			f->failed = 1;
			json_decref(nsd);
			goto out;
		}
		if (r->opts.dry_run)
			json_decref(nsb);
		flow_record(r, FLOW_UPDATE, "vendor", target, src, nsd, NULL);
		json_decref(nsd);
		ns_written = true;
	}
	/* Procore's side: the merged values and the link; a field Procore
	 * must clear is sent as null */
	body = vendor_pc_body(m.merged, ns_id, nv->entityid);
	digest_json(body, hash);
	send = json_deep_copy(body);
	to_pc = vendor_pc_fields(m.to_pc, true);
	json_object_update(send, to_pc);
	json_object_set_new(send, "id", json_integer(pc_id));
	detail = vendor_changed_fields(send, pc_cur);
	json_object_del(detail, "id");
	if (json_object_size(detail) == 0) {
		settle_same(f, ns_key, pc_key, hash, base, empty != NULL, &m, src, target,
			    ns_written, err);
		json_decref(detail);
		goto out;
	}
	if (r->opts.dry_run) {
		flow_record(r, FLOW_UPDATE, "vendor", src, target, detail, NULL);
		json_decref(detail);
		goto out;
	}
	rc = vendor_pairs_queue(f, send, src, ns_key, hash, "update", detail, m.merged, err);
out:
	md_merge_release(&m);
	json_decref(view_ns);
	json_decref(view_pc);
	json_decref(empty);
	json_decref(body);
	json_decref(send);
	json_decref(to_pc);
	return rc;
}

void vendor_links_add(struct vendor_links *l, int64_t src, int64_t dst, bool origin)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = (struct vendor_link){.src = src, .dst = dst, .origin = origin};
}

void vendor_links_release(struct vendor_links *l)
{
	if (!l)
		return;
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int vendor_links_idmap(struct mlc_session *s, struct vendor_links *l, bool ns_is_src,
		       struct mlc_error *err)
{
	json_t *links = NULL, *v;
	const char *k;
	int rc = idmap_all(s->store, s->tenant.id, "vendor", &links, err);

	if (rc < 0)
		return rc;
	json_object_foreach (links, k, v) {
		int64_t ns_id = 0, pc_id = 0;
		if (num_parse_id(k, &ns_id, NULL) == 0 &&
		    num_parse_id(json_string_value(v), &pc_id, NULL) == 0)
			vendor_links_add(l, ns_is_src ? ns_id : pc_id, ns_is_src ? pc_id : ns_id,
					 false);
	}
	json_decref(links);
	return MLC_OK;
}

int64_t vendor_origin_parse(const char *origin)
{
	int64_t id = 0;

	if (!origin || !str_starts_with(origin, "ns:vendor:") ||
	    num_parse_id(origin + strlen("ns:vendor:"), &id, NULL) < 0)
		return 0;
	return id;
}
