/*
 * Flow "vendors": NetSuite vendors -> Procore company vendors.
 *
 * Read: SuiteQL, keyset-paged by id, incremental on lastmodifieddate from
 * the tenant watermark minus an overlap (--full: everything).  Match:
 * flows/vendor_match.h, with the links known before (id map, and the
 * externalId "pc:<company>:vendor:<id>" of vendors the vendors-back flow
 * made) taking precedence over names, so a vendor that came from Procore
 * is never created there a second time.  Write: PATCH
 * /rest/v1.0/vendors/sync, at most 1000 per call, per-record errors
 * handled one by one.  Change detection: the content hash of what we
 * would send, kept in id_map; an unchanged vendor costs no write.  The
 * watermark moves only when every record read was written, skipped or
 * parked.
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
#include "core/review.h"
#include "core/watermark.h"
#include "flows/flow.h"
#include "flows/masterdata.h"
#include "flows/vendor_fields.h"
#include "flows/vendor_match.h"
#include "util/buf.h"
#include "util/digest.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/num.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

#define SYNC_BATCH 1000

struct pending {
	json_t *updates;  /* bodies for the sync call */
	json_t *meta;     /* per origin_id: {ns_id, hash, action} */
};

/* The Procore vendor body for a vendor view (vendor_fields.h) of NetSuite
 * vendor ns_id: its values (nulls left out) and the link back. */
static json_t *vendor_body(const json_t *view, int64_t ns_id, const char *eid)
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
static json_t *changed_fields(const json_t *body, const json_t *current)
{
	json_t *diff = json_object();
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)body, k, v) {
		json_t *cur = current ? json_object_get(current, k) : NULL;
		if (!cur || !json_equal(cur, v))
			json_object_set_new(diff, k, json_pack("{s:O, s:O}", "from",
							       cur ? cur : json_null(), "to", v));
	}
	return diff;
}

static json_t *find_vendor(const json_t *list, int64_t id)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) {
		int64_t vid = 0;
		if (jsonx_id(v, "id", &vid) == 0 && vid == id)
			return v;
	}
	return NULL;
}

/* Sends one batch and settles every record in it. */
static int flush(struct flow_run *r, struct pending *p, int *failed, struct mlc_error *err)
{
	json_t *entities = NULL, *errors = NULL, *body;
	size_t i, n = json_array_size(p->updates);
	json_t *e;
	int rc;

	if (!n)
		return MLC_OK;
	body = json_pack("{s:I, s:O}", "company_id", (json_int_t)r->s->tenant.procore_company_id,
			 "updates", p->updates);
	rc = procore_sync(r->s->pc, "PATCH", "/rest/v1.0/vendors/sync", body, &entities, &errors,
			  err);
	if (rc < 0) {
		/* the whole call failed: nothing in it is settled, the watermark stays */
		json_array_foreach(p->updates, i, e)
			flow_record(r, FLOW_FAIL, "vendor", jsonx_str(e, "origin_id"), NULL, NULL,
				    err->msg);
		*failed = 1;
		goto out;
	}
	json_array_foreach(entities, i, e) {
		const char *origin = jsonx_str(e, "origin_id");
		json_t *m = origin ? json_object_get(p->meta, origin) : NULL;
		int64_t pc_id = 0;
		char pc_key[32], target[48];
		struct mlc_error e2 = { 0 };
		if (!m || jsonx_id(e, "id", &pc_id) < 0 || !pc_id)
			continue;
		snprintf(pc_key, sizeof(pc_key), "%lld", (long long)pc_id);
		snprintf(target, sizeof(target), "pc:vendor:%lld", (long long)pc_id);
		if (idmap_put(r->s->store, r->s->tenant.id, "vendor",
			      jsonx_str(m, "ns_key"), pc_key, jsonx_str(m, "hash"), &e2) < 0 ||
		    md_base_put(r->s->store, r->s->tenant.id, "vendors", jsonx_str(m, "ns_key"),
				json_object_get(m, "base"), &e2) < 0) {
			flow_record(r, FLOW_FAIL, "vendor", origin, target, NULL, e2.msg);
			*failed = 1;
		} else {
			if (review_resolve(r->s->store, r->s->tenant.id, "vendor", origin, &e2) < 0)
				log_warn("review resolve failed", "error", e2.msg);
			flow_record(r, strcmp(jsonx_str(m, "action"), "create") == 0 ? FLOW_CREATE
										      : FLOW_UPDATE,
				    "vendor", origin, target, json_object_get(m, "detail"), NULL);
		}
		json_object_del(p->meta, origin);
	}
	/* per-record refusals: parked with Procore's words, so a person sees them */
	json_array_foreach(errors, i, e) {
		const char *origin = jsonx_str(e, "origin_id");
		struct mlc_buf why = MLC_BUF_INIT;
		struct mlc_error e2 = { 0 };
		procore_error_text(json_object_get(e, "errors") ? e : NULL, &why);
		if (origin) {
			if (review_park(r->s->store, r->s->tenant.id, r->flow, "vendor", origin,
					why.data, NULL, e, &e2) < 0)
				*failed = 1;
			json_object_del(p->meta, origin);
		}
		flow_record(r, FLOW_PARK, "vendor", origin, NULL, NULL, why.data);
		buf_release(&why);
	}
	/* anything neither confirmed nor refused is unknown: not settled */
	if (json_object_size(p->meta)) {
		const char *k;
		json_t *v;
		json_object_foreach(p->meta, k, v)
			flow_record(r, FLOW_FAIL, "vendor", k, NULL, NULL,
				    "Procore's sync reply did not mention this record");
		*failed = 1;
	}
	rc = MLC_OK;
out:
	json_decref(entities);
	json_decref(errors);
	json_array_clear(p->updates);
	json_object_clear(p->meta);
	return rc;
}

struct read_ctx {
	json_t *rows;
};

static int collect(void *arg, json_t *items)
{
	struct read_ctx *c = arg;
	json_array_extend(c->rows, items);
	return 0;
}

/* "YYYY-MM-DD HH:MM:SS" minus the overlap window. */
void flow_overlap_start(const char *wm, char *out, size_t n)
{
	struct mlc_buf iso = MLC_BUF_INIT;
	int64_t ms;
	char t[MLC_TIME_FMT_MAX];

	buf_addstr(&iso, wm);
	if (iso.len > 10)
		iso.data[10] = 'T';
	buf_addch(&iso, 'Z');
	if (time_parse_rfc3339(iso.data, &ms, NULL) < 0) {
		str_copy(out, n, "1970-01-01 00:00:00");
	} else {
		time_format_rfc3339(ms - FLOW_OVERLAP_MS, t);
		snprintf(out, n, "%.10s %.8s", t, t + 11);
	}
	buf_release(&iso);
}

/* What one run of the flow holds besides the batch. */
struct fwd {
	struct flow_run *r;
	enum md_side master;
	json_t *bases;   /* md_base "vendors": {ns id: view} */
	json_t *pcv;     /* the Procore vendors */
	struct pending p;
	int failed;
};

/* Queues one Procore write; meta says how to settle it (flush). */
static int queue(struct fwd *f, json_t *body, const char *src, const char *ns_key,
		 const char *hash, const char *action, json_t *detail, const json_t *base,
		 struct mlc_error *err)
{
	json_array_append(f->p.updates, body);
	json_object_set_new(f->p.meta, src,
			    json_pack("{s:s, s:s, s:s, s:o, s:O}", "ns_key", ns_key, "hash", hash,
				      "action", action, "detail", detail, "base", base));
	if (json_array_size(f->p.updates) >= SYNC_BATCH)
		return flush(f->r, &f->p, &f->failed, err);
	return MLC_OK;
}

/*
 * A linked pair: merges the two views against the base, writes
 * NetSuite's side at once and queues Procore's side with the merged base.
 * A failed NetSuite write fails the record (nothing kept: merged again
 * next run).
 */
static int link_pair(struct fwd *f, const json_t *row, int64_t ns_id, const char *ns_key,
		     const char *src, int64_t pc_id, struct mlc_error *err)
{
	struct flow_run *r = f->r;
	struct mlc_session *s = r->s;
	const json_t *pc_cur = find_vendor(f->pcv, pc_id);
	json_t *view_ns = vendor_view_ns(row), *view_pc = vendor_view_pc(pc_cur);
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
		struct mlc_error e2 = { 0 };
		if (!r->opts.dry_run &&
		    netsuite_update(s->ns, "vendor", ns_id, nsb, code, &e2) < 0) {
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
	body = vendor_body(m.merged, ns_id, jsonx_str(row, "entityid"));
	digest_json(body, hash);
	send = json_deep_copy(body);
	to_pc = vendor_pc_fields(m.to_pc, true);
	json_object_update(send, to_pc);
	json_object_set_new(send, "id", json_integer(pc_id));
	detail = changed_fields(send, pc_cur);
	json_object_del(detail, "id");
	if (json_object_size(detail) == 0) {
		/* same values already: link (and keep the base) without a write */
		if (!r->opts.dry_run &&
		    (idmap_put(s->store, s->tenant.id, "vendor", ns_key, pc_key, hash, err) < 0 ||
		     md_base_put(s->store, s->tenant.id, "vendors", ns_key, m.merged, err) < 0))
			f->failed = 1;
		if (!ns_written)
			flow_record(r, FLOW_SKIP, "vendor", src, target, NULL, NULL);
		json_decref(detail);
		goto out;
	}
	if (r->opts.dry_run) {
		flow_record(r, FLOW_UPDATE, "vendor", src, target, detail, NULL);
		json_decref(detail);
		goto out;
	}
	rc = queue(f, send, src, ns_key, hash, "update", detail, m.merged, err);
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

/* Claims every Procore vendor the id map links, for its NetSuite vendor. */
static int link_known(struct mlc_session *s, struct vendor_index *idx, struct mlc_error *err)
{
	json_t *links = NULL, *v;
	const char *k;
	int rc = idmap_all(s->store, s->tenant.id, "vendor", &links, err);

	if (rc < 0)
		return rc;
	json_object_foreach(links, k, v) {
		int64_t ns_id = 0, pc_id = 0;
		if (num_parse_id(k, &ns_id, NULL) == 0 &&
		    num_parse_id(json_string_value(v), &pc_id, NULL) == 0)
			vendor_index_link(idx, pc_id, ns_id);
	}
	json_decref(links);
	return MLC_OK;
}

int flow_vendors(struct flow_run *r, struct mlc_error *err)
{
	struct mlc_session *s = r->s;
	struct read_ctx rc_ctx = { json_array() };
	struct vendor_index *idx = NULL;
	struct fwd f = { .r = r, .p = { json_array(), json_object() } };
	struct mlc_buf q = MLC_BUF_INIT;
	char *wm = NULL, since[32], max_seen[32] = "";
	char company[24];
	const char *pcq[] = { "company_id", company, NULL };
	bool back;
	int rc;
	size_t i;
	json_t *row;

	snprintf(company, sizeof(company), "%lld", (long long)s->tenant.procore_company_id);
	if ((rc = vendor_master(s, &f.master, &back, err)) < 0)
		goto out;
	if (!r->opts.full && (rc = watermark_get(s->store, s->tenant.id, "vendors", "", &wm, err)) < 0)
		goto out;
	buf_addstr(&q, "SELECT id, entityid, companyname, isinactive, email, phone, externalid, "
		       "TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodified "
		       "FROM vendor WHERE ");
	if (wm) {
		flow_overlap_start(wm, since, sizeof(since));
		buf_addf(&q, "lastmodifieddate >= TO_TIMESTAMP('%s', 'YYYY-MM-DD HH24:MI:SS') AND ",
			 since);
	}
	buf_addstr(&q, "%s ORDER BY id");
	if ((rc = netsuite_suiteql_keyset(s->ns, q.data, "id", collect, &rc_ctx, err)) < 0)
		goto out;
	if (json_array_size(rc_ctx.rows) == 0) {
		rc = MLC_OK;
		goto out;
	}
	if ((rc = procore_list(s->pc, "/rest/v1.0/vendors", pcq, &f.pcv, err)) < 0 ||
	    (rc = vendor_index_new(f.pcv, &idx, err)) < 0 || (rc = link_known(s, idx, err)) < 0 ||
	    (rc = md_base_all(s->store, s->tenant.id, "vendors", &f.bases, err)) < 0)
		goto out;

	json_array_foreach(rc_ctx.rows, i, row) {
		int64_t ns_id = 0, back_pc;
		char ns_key[32], src[48], hash[MLC_DIGEST_HEX], target[48];
		const char *lm = jsonx_str(row, "lastmodified");
		struct mlc_idmap_entry e = { 0 };
		struct vendor_match m;
		json_t *view, *body, *detail;
		int known;

		if (jsonx_id(row, "id", &ns_id) < 0 || !ns_id)
			continue;
		r->stats.read++;
		if (lm && strcmp(lm, max_seen) > 0)
			str_copy(max_seen, sizeof(max_seen), lm);
		snprintf(ns_key, sizeof(ns_key), "%lld", (long long)ns_id);
		snprintf(src, sizeof(src), "ns:vendor:%lld", (long long)ns_id);
		view = vendor_view_ns(row);
		body = vendor_body(view, ns_id, jsonx_str(row, "entityid"));
		digest_json(body, hash);
		known = idmap_by_netsuite(s->store, s->tenant.id, "vendor", ns_key, &e, NULL) == 0;
		/* made by vendors-back from a Procore vendor: that one is its twin */
		if ((back_pc = vendor_back_eid_parse(s, jsonx_str(row, "externalid"))))
			vendor_index_link(idx, back_pc, ns_id);
		if ((rc = vendor_index_match(idx, ns_id, jsonx_str(body, "name"), &m, err)) < 0) {
			json_decref(view);
			json_decref(body);
			idmap_entry_release(&e);
			goto out;
		}
		if (m.kind == VENDOR_AMBIGUOUS || m.kind == VENDOR_TAKEN) {
			char why[256];
			if (m.kind == VENDOR_AMBIGUOUS)
				snprintf(why, sizeof(why),
					 "%zu Procore vendors match the name '%s'; choose one",
					 json_array_size(m.candidates), jsonx_str(body, "name"));
			else
				snprintf(why, sizeof(why),
					 "the Procore vendor named like '%s' is linked to another "
					 "NetSuite vendor",
					 jsonx_str(body, "name"));
			if (!r->opts.dry_run &&
			    review_park(s->store, s->tenant.id, r->flow, "vendor", src, why,
					m.candidates, body, err) < 0)
				f.failed = 1;
			flow_record(r, FLOW_PARK, "vendor", src, NULL, m.candidates, why);
			goto next;
		}
		if (m.kind != VENDOR_CREATE) {
			snprintf(target, sizeof(target), "pc:vendor:%lld", (long long)m.procore_id);
			if (known && e.procore_key && e.content_hash && strcmp(e.content_hash, hash) == 0 &&
			    strtoll(e.procore_key, NULL, 10) == m.procore_id) {
				flow_record(r, FLOW_SKIP, "vendor", src, target, NULL, NULL);
				goto next;
			}
			if ((rc = link_pair(&f, row, ns_id, ns_key, src, m.procore_id, err)) < 0) {
				json_decref(view);
				json_decref(body);
				vendor_match_release(&m);
				idmap_entry_release(&e);
				goto out;
			}
			goto next;
		}
		detail = json_deep_copy(body);
		if (r->opts.dry_run) {
			flow_record(r, FLOW_CREATE, "vendor", src, NULL, detail, NULL);
			json_decref(detail);
			goto next;
		}
		if ((rc = queue(&f, body, src, ns_key, hash, "create", detail, view, err)) < 0) {
			json_decref(view);
			json_decref(body);
			vendor_match_release(&m);
			idmap_entry_release(&e);
			goto out;
		}
	next:
		json_decref(view);
		json_decref(body);
		vendor_match_release(&m);
		idmap_entry_release(&e);
	}
	if ((rc = flush(r, &f.p, &f.failed, err)) < 0)
		goto out;
	if (!r->opts.dry_run && !f.failed && max_seen[0] &&
	    (rc = watermark_set(s->store, s->tenant.id, "vendors", "", max_seen, err)) < 0)
		goto out;
	rc = f.failed ? error_set(err, MLC_ETRANSIENT, "some vendors failed; the watermark stays")
		      : MLC_OK;
out:
	vendor_index_free(idx);
	json_decref(f.pcv);
	json_decref(f.bases);
	json_decref(rc_ctx.rows);
	json_decref(f.p.updates);
	json_decref(f.p.meta);
	buf_release(&q);
	free(wm);
	return rc;
}
