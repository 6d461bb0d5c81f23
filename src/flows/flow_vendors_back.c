/*
 * Flow "vendors-back": Procore company vendors -> NetSuite vendors.
 *
 * Runs only when the tenant sets vendors_back.enabled and master.vendors is
 * not "netsuite"; otherwise it reads nothing and says so in the plan.
 *
 * Read: the Procore vendors updated since the watermark (Procore's
 * updated_at, minus an overlap; --full: all), and, when any changed, every
 * NetSuite vendor (SuiteQL, keyset-paged) for links and names.
 *
 * Per Procore vendor, the first evidence decides:
 *   1. linked: the id map, an origin_id "ns:vendor:<id>" (the forward flow
 *      made or linked it), or a NetSuite vendor whose externalId is
 *      "pc:<company>:vendor:<id>" (this flow made it).  The pair is settled
 *      by the merge both vendor flows share (flows/vendor_pair.h): owner
 *      wins on a two-sided change, conflicts audited.
 *   2. origin_id "ns:..." with its NetSuite vendor gone, or inactive in
 *      Procore: skipped (nothing to bring over).
 *   3. the name, matched in tiers with the forward flow's code
 *      (flows/vendor_match.h: the folded twin first, then the normalised
 *      name among NetSuite vendors no twin holds, every NetSuite vendor
 *      linked above claimed): one candidate -> linked (id map) and settled
 *      as in 1; two or more, or only ones linked elsewhere -> parked for
 *      review with the candidates; none, or only namesakes that belong to
 *      their own twins -> created.
 * A create is an upsert by externalId "pc:<company>:vendor:<id>" (a retry
 * after a lost reply finds the same record), with the subsidiary from
 * setting vendors_back.subsidiary or else the first linked project's; the
 * id map row is written at once, then the new vendor is read back and
 * settled, which writes origin_id "ns:vendor:<id>" on the Procore vendor.
 * From then on both flows see the pair as linked: the forward flow never
 * creates it in Procore again, this flow never creates it in NetSuite again.
 *
 * Writes (issue 20): the changed vendors are handled in chunks of 500.
 * For a chunk the NetSuite write each record will make (a create's
 * upsert and read-back, a pair's PATCH) is planned with the same decisions
 * and merge as below and all are sent at once through the account's pool
 * (netsuite_run_many: the pool kept full, never passed); then the records
 * are handled in order, each taking its write's outcome (and its audit
 * note) instead of sending it, in one store transaction; Procore's sync
 * batch goes after the commit.  A record whose planned write differs from
 * the one it would send sends its own (flows/vendor_pair.h).
 *
 * Echoes: our own writes come back as changes (Procore's updated_at,
 * NetSuite's lastmodifieddate); the merge finds both sides equal to the
 * base and writes nothing.  The frame moves the watermark (flow_since /
 * flow_seen / flow_advance) only when nothing failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/idmap.h"
#include "core/project.h"
#include "core/review.h"
#include "core/store.h"
#include "flows/flow.h"
#include "flows/flow_park.h"
#include "flows/masterdata.h"
#include "flows/review_apply.h"
#include "flows/vendor_fields.h"
#include "flows/vendor_pair.h"
#include "netsuite/ns_vendors.h"
#include "procore/pc_vendors.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/num.h"
#include "util/str.h"
#include "util/banned.h"

struct back {
	struct vendor_pairs vp;
	json_t *ns_by_id;   /* NetSuite id (text) -> row */
	json_t *ns_by_eid;  /* externalId -> NetSuite id (text) */
	json_t *pc_link;    /* Procore id (text) -> NetSuite id (text), from the id map */
	json_t *ns_rows;    /* every NetSuite vendor, the matching's destination list */
	json_t *ns_views;   /* vendor_view_ns of each, aligned with ns_rows */
	int64_t subsidiary; /* 0 until a create needs it */
};

/* A plan line that says why the flow did nothing (not a record movement). */
static void say_off(struct flow_run *r, const char *why)
{
	json_array_append_new(r->plan, json_pack("{s:s, s:s, s:s}", "action", "off", "entity",
						 "vendor", "reason", why));
	log_info("flow off", "tenant", r->s->tenant.name, "flow", r->flow, "reason", why);
}

static void index_ns(struct back *b, json_t *rows)
{
	size_t i;
	json_t *row;

	json_array_foreach (rows, i, row) {
		int64_t id = 0;
		char key[32];
		const char *eid = jsonx_str(row, "externalid");

		if (jsonx_id(row, "id", &id) < 0 || !id)
			continue;
		snprintf(key, sizeof(key), "%lld", (long long)id);
		json_object_set(b->ns_by_id, key, row);
		if (eid && *eid)
			json_object_set_new(b->ns_by_eid, eid, json_string(key));
	}
}

static int load_links(struct back *b, struct mlc_session *s, struct mlc_error *err)
{
	json_t *links = NULL, *v;
	const char *k;
	int rc = idmap_all(s->store, s->tenant.id, "vendor", &links, err);

	if (rc < 0)
		return rc;
	json_object_foreach (links, k, v)
		json_object_set_new(b->pc_link, json_string_value(v), json_string(k));
	json_decref(links);
	return MLC_OK;
}

/* The NetSuite vendor this Procore vendor is linked to (text id), or NULL. */
static const char *linked_ns(struct back *b, const struct mlc_session *s, const json_t *pv,
			     int64_t pc_id)
{
	char key[32], eid[64];
	const char *origin = jsonx_str(pv, "origin_id");
	const char *ns;
	int64_t id = 0;

	snprintf(key, sizeof(key), "%lld", (long long)pc_id);
	ns = json_string_value(json_object_get(b->pc_link, key));
	if (ns)
		return ns;
	if (origin && str_starts_with(origin, "ns:vendor:") &&
	    num_parse_id(origin + strlen("ns:vendor:"), &id, NULL) == 0) {
		char nskey[32];
		snprintf(nskey, sizeof(nskey), "%lld", (long long)id);
		/* kept in pc_link so the returned text lives as long as b */
		json_object_set_new(b->pc_link, key, json_string(nskey));
		return json_string_value(json_object_get(b->pc_link, key));
	}
	vendor_back_eid(s, pc_id, eid, sizeof(eid));
	return json_string_value(json_object_get(b->ns_by_eid, eid));
}

static int subsidiary(struct back *b, struct mlc_session *s, int64_t *out, struct mlc_error *err)
{
	struct mlc_project_link *links = NULL;
	size_t n = 0;
	int rc;

	if (!b->subsidiary)
		b->subsidiary = session_setting_int(s, "vendors_back.subsidiary", 0);
	if (!b->subsidiary) {
		rc = project_list(s->store, s->tenant.id, &links, &n, err);
		if (rc < 0)
			return rc;
		for (size_t i = 0; i < n && !b->subsidiary; i++)
			if (links[i].active && links[i].subsidiary_id)
				b->subsidiary = links[i].subsidiary_id;
		free(links);
	}
	*out = b->subsidiary;
	if (!*out)
		return error_set(err, MLC_ECONFIG,
				 "tenant %s: no subsidiary for new NetSuite vendors; set "
				 "vendors_back.subsidiary or link a project",
				 s->tenant.name);
	return MLC_OK;
}

/* The NetSuite vendor with this externalId, read back after an upsert. */
static int read_back(struct mlc_session *s, const char *eid, json_t **row, struct mlc_error *err)
{
	json_t *items = NULL;
	int rc;

	*row = NULL;
	rc = netsuite_vendors_by_externalid(s->ns, eid, &items, err);
	if (rc < 0)
		return rc;
	if (json_array_size(items) != 1)
		rc = error_set(err, MLC_ETRANSIENT, "NetSuite vendor %s not found after its upsert",
			       eid);
	else
		*row = json_incref(json_array_get(items, 0));
	json_decref(items);
	return rc;
}

/* Settles a pair whose NetSuite side this flow holds as a SuiteQL row:
 * typed here (netsuite/ns_vendors.h) for vendor_pairs_settle(). */
static int settle_row(struct back *b, const json_t *row, int64_t ns_id, const char *ns_key,
		      const char *nsref, int64_t pc_id, struct mlc_error *err)
{
	struct ns_vendor nv;
	int rc;

	ns_vendor_from_row(row, &nv);
	rc = vendor_pairs_settle(&b->vp, &nv, ns_id, ns_key, nsref, pc_id, err);
	ns_vendor_release(&nv);
	return rc;
}

/* The NetSuite body of a new vendor made from Procore vendor pv (its
 * values, nulls left out; no subsidiary yet).  Caller decrefs. */
static json_t *create_body(const json_t *pv)
{
	json_t *view = vendor_view_pc(pv), *body = vendor_ns_fields(view), *v;
	const char *k;
	void *tmp;

	json_object_foreach_safe (body, tmp, k, v)
		if (json_is_null(v))
			json_object_del(body, k);
	json_decref(view);
	return body;
}

static void set_subsidiary(json_t *body, int64_t sub)
{
	char subtext[32];

	snprintf(subtext, sizeof(subtext), "%lld", (long long)sub);
	json_object_set_new(body, "subsidiary", json_pack("{s:s}", "id", subtext));
}

/* Upserts the new vendor (body not taken) and reads it back, or takes the
 * outcome of the same create sent ahead (b->vp.pre). */
static int create_send(struct back *b, const char *eid, const json_t *body, json_t **row,
		       struct mlc_error *err)
{
	struct mlc_session *s = b->vp.r->s;
	struct vendor_ns_write *w = b->vp.pre;
	char code[NS_CODE_MAX] = "";
	int rc;

	if (w && w->planned && !w->used && !w->ns_id && strcmp(w->eid, eid) == 0 &&
	    json_equal(w->sent, body)) {
		w->used = true;
		vendor_ns_write_note(w);
		if (w->rc < 0) {
			*err = w->err;
			return w->rc;
		}
		*row = json_incref(w->row);
		return MLC_OK;
	}
	rc = netsuite_upsert(s->ns, "vendor", eid, json_deep_copy(body), NULL, code, err);
	if (rc >= 0)
		rc = read_back(s, eid, row, err);
	return rc;
}

/* Creates the NetSuite vendor of Procore vendor pv and settles the pair. */
static int create(struct back *b, const json_t *pv, int64_t pc_id, const char *src,
		  struct mlc_error *err)
{
	struct flow_run *r = b->vp.r;
	struct mlc_session *s = r->s;
	json_t *body = create_body(pv), *row = NULL, *detail;
	char eid[64], ns_key[32], pc_key[32], nsref[48];
	int64_t sub = 0, ns_id = 0;
	struct mlc_error e2 = {0};
	int rc = MLC_OK;

	vendor_back_eid(s, pc_id, eid, sizeof(eid));
	detail = json_deep_copy(body);
	json_object_set_new(detail, "externalId", json_string(eid));
	if (r->opts.dry_run) {
		flow_record(r, FLOW_CREATE, "vendor", src, NULL, detail, NULL);
		goto out;
	}
	if (subsidiary(b, s, &sub, &e2) < 0) {
		flow_record(r, FLOW_FAIL, "vendor", src, NULL, detail, e2.msg);
		b->vp.failed = 1;
		goto out;
	}
	set_subsidiary(body, sub);
	if (create_send(b, eid, body, &row, &e2) < 0 || jsonx_id(row, "id", &ns_id) < 0 || !ns_id) {
		flow_record(r, FLOW_FAIL, "vendor", src, NULL, detail,
			    e2.msg[0] ? e2.msg : "NetSuite gave no id for the new vendor");
		b->vp.failed = 1;
		goto out;
	}
	snprintf(ns_key, sizeof(ns_key), "%lld", (long long)ns_id);
	snprintf(pc_key, sizeof(pc_key), "%lld", (long long)pc_id);
	snprintf(nsref, sizeof(nsref), "ns:vendor:%lld", (long long)ns_id);
	/* the link first: should the Procore write fail, the next run of
	 * either flow still knows the pair (the externalId says it too) */
	if (idmap_put(s->store, s->tenant.id, "vendor", ns_key, pc_key, NULL, &e2) < 0)
		log_warn("id map write failed", "flow", r->flow, "error", e2.msg);
	if (review_resolve(s->store, s->tenant.id, "vendor", src, &e2) < 0)
		log_warn("review resolve failed", "error", e2.msg);
	flow_record(r, FLOW_CREATE, "vendor", src, nsref, detail, NULL);
	rc = settle_row(b, row, ns_id, ns_key, nsref, pc_id, err);
out:
	json_decref(body);
	json_decref(detail);
	json_decref(row);
	return rc;
}

/* Candidates for a review item: [{id, name, externalid}]. */
static json_t *candidates(struct back *b, const struct vendor_match *m)
{
	json_t *out = json_array();

	for (size_t k = 0; k < m->ncand; k++) {
		const json_t *row = json_array_get(b->ns_rows, m->cand[k]);
		const json_t *view = json_array_get(b->ns_views, m->cand[k]);
		json_array_append_new(out, json_pack("{s:O, s:O, s:s?}", "id",
						     json_object_get(row, "id"), "name",
						     json_object_get(view, "name"), "externalid",
						     jsonx_str(row, "externalid")));
	}
	return out;
}

/* One Procore vendor with no link, with its answer from the matching:
 * link by name, park, or create. */
static int unlinked(struct back *b, const json_t *pv, int64_t pc_id, const char *src,
		    const struct vendor_match *m, struct mlc_error *err)
{
	struct flow_run *r = b->vp.r;
	struct mlc_session *s = r->s;
	char why[320];
	json_t *c;

	switch (m->kind) {
	case VENDOR_CREATE:
		return create(b, pv, pc_id, src, err);
	case VENDOR_LINK_ORIGIN:
	case VENDOR_LINK_KNOWN:
	case VENDOR_LINK_TWIN:
	case VENDOR_LINK_NAME: {
		const json_t *row = json_array_get(b->ns_rows, m->dst);
		char pc_key[32], ns_key[32], nsref[48];
		int64_t ns_id = 0;
		struct mlc_error e2 = {0};

		if (jsonx_id(row, "id", &ns_id) < 0 || !ns_id)
			return MLC_OK;
		snprintf(pc_key, sizeof(pc_key), "%lld", (long long)pc_id);
		snprintf(ns_key, sizeof(ns_key), "%lld", (long long)ns_id);
		snprintf(nsref, sizeof(nsref), "ns:vendor:%s", ns_key);
		if (!r->opts.dry_run) {
			if (idmap_put(s->store, s->tenant.id, "vendor", ns_key, pc_key, NULL, &e2) <
			    0) {
				flow_record(r, FLOW_FAIL, "vendor", src, nsref, NULL, e2.msg);
				b->vp.failed = 1;
				return MLC_OK;
			}
			if (review_resolve(s->store, s->tenant.id, "vendor", src, &e2) < 0)
				log_warn("review resolve failed", "error", e2.msg);
		}
		return settle_row(b, row, ns_id, ns_key, nsref, pc_id, err);
	}
	case VENDOR_AMBIGUOUS:
		snprintf(why, sizeof(why), "%zu NetSuite vendors match the name '%s'; choose one",
			 m->ncand, jsonx_str(pv, "name"));
		break;
	case VENDOR_TAKEN:
		snprintf(why, sizeof(why),
			 "the NetSuite vendor named like '%s' is linked to another Procore vendor",
			 jsonx_str(pv, "name"));
		break;
	case VENDOR_CONTESTED:
		snprintf(why, sizeof(why),
			 "the NetSuite vendor named like '%s' matches other Procore vendors too "
			 "(another legal suffix); choose",
			 jsonx_str(pv, "name"));
		break;
	case VENDOR_DUPLICATE: {
		int64_t first = 0;
		if (jsonx_id(json_array_get(b->vp.pcv, m->first), "id", &first) < 0)
			first = 0;
		snprintf(why, sizeof(why),
			 "Procore vendor pc:vendor:%lld has the same name '%s' and is the one made "
			 "in NetSuite; merge the two in Procore or link this one",
			 (long long)first, jsonx_str(pv, "name"));
		break;
	}
	case VENDOR_BADNAME:
	case VENDOR_PASSIVE:
		snprintf(why, sizeof(why),
			 "the vendor name is not valid UTF-8; correct it in Procore");
		break;
	}
	c = m->ncand ? candidates(b, m) : NULL;
	if (flow_park_candidates(r, "vendor", src, why, c, pv) < 0)
		b->vp.failed = 1;
	json_decref(c);
	return MLC_OK;
}

/* Whether a Procore vendor is left out of name matching: linked already
 * (settled or skipped by the caller), or, unlinked, made from NetSuite or
 * inactive (nothing to bring over). */
static bool back_passive(struct back *b, const struct mlc_session *s, const json_t *pv,
			 int64_t pc_id)
{
	const char *origin = jsonx_str(pv, "origin_id");

	return linked_ns(b, s, pv, pc_id) || (origin && str_starts_with(origin, "ns:")) ||
	       !jsonx_bool(pv, "is_active");
}

/*
 * The matching (flows/vendor_match.h): the changed Procore vendors as the
 * source, every NetSuite vendor as the destination, the links from the
 * origin_ids (tier 1), the id map and the externalIds (tier 2).  Returns
 * one answer per changed vendor; caller frees with vendor_matches_free().
 */
static int back_match(struct back *b, struct mlc_session *s, const json_t *changed,
		      struct vendor_match **out, struct mlc_error *err)
{
	size_t nsrc = json_array_size(changed), ndst = json_array_size(b->ns_rows), i;
	struct vendor_rec *src = xcalloc(nsrc + 1, sizeof(*src));
	struct vendor_rec *dst = xcalloc(ndst + 1, sizeof(*dst));
	struct vendor_links links = {0};
	json_t *v;
	int rc;

	*out = NULL;
	rc = vendor_links_idmap(s, &links, false, err);
	if (rc < 0)
		goto out;
	json_array_foreach (b->ns_rows, i, v) {
		json_t *view = vendor_view_ns(v);
		int64_t pc = 0;
		json_array_append_new(b->ns_views, view);
		if (jsonx_id(v, "id", &dst[i].id) < 0 || !dst[i].id) {
			dst[i].id = 0;
			dst[i].owned = true;
			continue;
		}
		dst[i].name = jsonx_str(view, "name");
		/* made from a Procore vendor: that one owns it */
		pc = vendor_back_eid_parse(s, jsonx_str(v, "externalid"));
		if (pc)
			vendor_links_add(&links, pc, dst[i].id, false);
	}
	json_array_foreach (changed, i, v) {
		int64_t ns = vendor_origin_parse(jsonx_str(v, "origin_id"));
		if (jsonx_id(v, "id", &src[i].id) < 0 || !src[i].id) {
			src[i].id = 0;
			src[i].passive = true;
			continue;
		}
		src[i].name = jsonx_str(v, "name");
		src[i].passive = back_passive(b, s, v, src[i].id);
		if (ns)
			vendor_links_add(&links, src[i].id, ns, true);
	}
	*out = vendor_match_all(src, nsrc, dst, ndst, links.v, links.n);
	rc = MLC_OK;
out:
	free(src);
	free(dst);
	vendor_links_release(&links);
	return rc;
}

/* One changed Procore vendor pv with its match m: settle its pair, skip
 * it, or handle it unlinked.  < 0 only when the run must stop. */
static int back_one(struct back *b, const json_t *pv, const struct vendor_match *m,
		    struct flow_window *w, struct mlc_error *err)
{
	struct flow_run *r = b->vp.r;
	struct mlc_session *s = r->s;
	int64_t pc_id = 0, ns_id = 0;
	char src[48], nsref[48];
	const char *ns_key;
	const json_t *row;

	if (jsonx_id(pv, "id", &pc_id) < 0 || !pc_id)
		return MLC_OK;
	r->stats.read++;
	flow_seen(w, jsonx_str(pv, "updated_at"));
	snprintf(src, sizeof(src), "pc:vendor:%lld", (long long)pc_id);
	ns_key = linked_ns(b, s, pv, pc_id);
	if (ns_key) {
		row = json_object_get(b->ns_by_id, ns_key);
		if (!row || num_parse_id(ns_key, &ns_id, NULL) < 0) {
			/* linked, but the NetSuite vendor is gone: not ours to recreate */
			log_warn("linked NetSuite vendor missing", "flow", r->flow, "vendor", src,
				 "netsuite", ns_key);
			flow_record(r, FLOW_SKIP, "vendor", src, NULL, NULL, NULL);
			return MLC_OK;
		}
		snprintf(nsref, sizeof(nsref), "ns:vendor:%s", ns_key);
		return settle_row(b, row, ns_id, ns_key, nsref, pc_id, err);
	}
	if (m->kind == VENDOR_PASSIVE) {
		/* made from NetSuite (its vendor gone) or inactive */
		flow_record(r, FLOW_SKIP, "vendor", src, NULL, NULL, NULL);
		return MLC_OK;
	}
	return unlinked(b, pv, pc_id, src, m, err);
}

/* Procore vendors handled per chunk: their NetSuite writes sent at once,
 * then their records in one store transaction. */
#define BACK_CHUNK 500

/* The update back_one() will send for the pair of NetSuite vendor row. */
static void plan_update(struct back *b, const json_t *row, int64_t ns_id, int64_t pc_id,
			struct vendor_ns_write *w)
{
	struct ns_vendor nv;
	char ns_key[32];

	snprintf(ns_key, sizeof(ns_key), "%lld", (long long)ns_id);
	ns_vendor_from_row(row, &nv);
	w->body = vendor_pairs_ns_patch(&b->vp, &nv, ns_key, pc_id);
	ns_vendor_release(&nv);
	if (!w->body)
		return;
	w->ns_id = ns_id;
	w->sent = json_deep_copy(w->body);
	w->planned = true;
}

/* The create back_one() will send for Procore vendor pv. */
static void plan_create(struct back *b, const json_t *pv, int64_t pc_id, struct vendor_ns_write *w)
{
	int64_t sub = 0;
	struct mlc_error e2 = {0};

	if (subsidiary(b, b->vp.r->s, &sub, &e2) < 0)
		return; /* back_one() records the failure */
	vendor_back_eid(b->vp.r->s, pc_id, w->eid, sizeof(w->eid));
	w->sent = create_body(pv);
	set_subsidiary(w->sent, sub);
	w->body = json_deep_copy(w->sent);
	w->planned = true;
}

/* The NetSuite write back_one() will make for pv with its match m, into w
 * (w->planned stays false when it makes none).  Decided as back_one()
 * decides, with no record and no store write. */
static void plan_write(struct back *b, const json_t *pv, const struct vendor_match *m,
		       struct vendor_ns_write *w)
{
	int64_t pc_id = 0, ns_id = 0;
	const char *ns_key;
	const json_t *row;

	if (jsonx_id(pv, "id", &pc_id) < 0 || !pc_id)
		return;
	ns_key = linked_ns(b, b->vp.r->s, pv, pc_id);
	if (ns_key) {
		row = json_object_get(b->ns_by_id, ns_key);
		if (row && num_parse_id(ns_key, &ns_id, NULL) == 0)
			plan_update(b, row, ns_id, pc_id, w);
		return;
	}
	switch (m->kind) {
	case VENDOR_CREATE:
		plan_create(b, pv, pc_id, w);
		return;
	case VENDOR_LINK_ORIGIN:
	case VENDOR_LINK_KNOWN:
	case VENDOR_LINK_TWIN:
	case VENDOR_LINK_NAME:
		row = json_array_get(b->ns_rows, m->dst);
		if (jsonx_id(row, "id", &ns_id) == 0 && ns_id)
			plan_update(b, row, ns_id, pc_id, w);
		return;
	default:
		return;
	}
}

/*
 * changed[from, to): every NetSuite write of the chunk sent at once
 * through the account's pool (netsuite_run_many keeps it full), then each
 * record handled in order as before, taking its write's outcome, in one
 * store transaction.  A full Procore batch is sent after the commit.
 */
static int back_chunk(struct back *b, const json_t *changed, const struct vendor_match *ms,
		      size_t from, size_t to, struct flow_window *w, struct mlc_error *err)
{
	struct flow_run *r = b->vp.r;
	struct vendor_ns_write *ws = xcalloc(to - from + 1, sizeof(*ws));
	struct mlc_error ce = {0};
	bool tx = false;
	int rc = MLC_OK;

	if (!r->opts.dry_run) {
		for (size_t k = from; k < to; k++)
			plan_write(b, json_array_get(changed, k), &ms[k], &ws[k - from]);
		vendor_ns_writes_send(r->s->ns, ws, to - from);
		rc = store_begin(r->s->store, err);
		tx = rc == MLC_OK;
	}
	for (size_t k = from; k < to && rc >= 0; k++) {
		struct vendor_ns_write *nw = &ws[k - from];
		b->vp.pre = nw;
		rc = back_one(b, json_array_get(changed, k), &ms[k], w, err);
		b->vp.pre = NULL;
		if (nw->planned && !nw->used && nw->rc == 0)
			/* sent, but its record took another way (a store
			 * failure): the next run finds it (externalId, merge) */
			log_warn("NetSuite vendor write sent ahead was not recorded", "flow",
				 r->flow, "vendor", nw->eid[0] ? nw->eid : "update");
	}
	/* the records of writes made are kept even when the run stops */
	if (tx && store_commit(r->s->store, &ce) < 0 && rc >= 0)
		rc = error_set(err, ce.code, "%s", ce.msg);
	if (rc >= 0)
		rc = vendor_pairs_flush_due(&b->vp, err);
	vendor_ns_writes_release(ws, to - from);
	free(ws);
	return rc;
}

int flow_vendors_back(struct flow_run *r, struct mlc_error *err)
{
	struct mlc_session *s = r->s;
	struct back b = {.ns_by_id = json_object(),
			 .ns_by_eid = json_object(),
			 .pc_link = json_object(),
			 .ns_rows = json_array(),
			 .ns_views = json_array()};
	struct vendor_match *ms = NULL;
	json_t *changed = NULL;
	struct flow_window w;
	bool back;
	size_t i;
	int rc;

	vendor_pairs_init(&b.vp, r);
	rc = vendor_master(s, &b.vp.master, &back, err);
	if (rc < 0)
		goto out;
	if (!back || b.vp.master == MD_NETSUITE) {
		say_off(r, !back ? "vendors_back.enabled is not set for this tenant; nothing read"
				 : "master.vendors is netsuite; nothing read");
		rc = MLC_OK;
		goto out;
	}
	rc = flow_since(r, FLOW_CLOCK_PROCORE, "", &w, err);
	if (rc >= 0)
		rc = procore_vendors(s->pc, s->tenant.procore_company_id,
				     w.since[0] ? w.since : NULL, &changed, err);
	if (rc < 0)
		goto out;
	if (json_array_size(changed) == 0) {
		rc = MLC_OK;
		goto out;
	}
	rc = netsuite_vendors_all(s->ns, b.ns_rows, err);
	if (rc >= 0)
		rc = load_links(&b, s, err);
	if (rc >= 0)
		rc = md_base_all(s->store, s->tenant.id, "vendors", &b.vp.bases, err);
	if (rc < 0)
		goto out;
	index_ns(&b, b.ns_rows);
	rc = back_match(&b, s, changed, &ms, err);
	if (rc < 0)
		goto out;
	for (i = 0; i < json_array_size(changed); i++) /* a person's decision on a park */
		review_apply_vendor_back(r, json_array_get(changed, i), b.ns_rows, &ms[i]);
	b.vp.pcv = json_incref(changed);

	b.vp.hold = true;
	for (i = 0; i < json_array_size(changed); i += BACK_CHUNK) {
		size_t to = i + BACK_CHUNK;
		if (to > json_array_size(changed))
			to = json_array_size(changed);
		rc = back_chunk(&b, changed, ms, i, to, &w, err);
		if (rc < 0)
			goto out;
	}
	rc = vendor_pairs_flush(&b.vp, err);
	if (rc < 0)
		goto out;
	/* every failure above is a FLOW_FAIL: the frame keeps the watermark then */
	rc = flow_advance(r, &w, err);
	if (rc < 0)
		goto out;
	rc = b.vp.failed
		 ? error_set(err, MLC_ETRANSIENT, "some vendors failed; the watermark stays")
		 : MLC_OK;
out:
	vendor_matches_free(ms, json_array_size(changed));
	vendor_pairs_release(&b.vp);
	json_decref(b.ns_by_id);
	json_decref(b.ns_by_eid);
	json_decref(b.pc_link);
	json_decref(b.ns_rows);
	json_decref(b.ns_views);
	json_decref(changed);
	return rc;
}
