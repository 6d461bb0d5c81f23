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
#include "flows/vendor_pair.h"
#include "util/buf.h"
#include "util/digest.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/num.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

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
	struct vendor_pairs f;
	struct mlc_buf q = MLC_BUF_INIT;
	char *wm = NULL, since[32], max_seen[32] = "";
	char company[24];
	const char *pcq[] = { "company_id", company, NULL };
	bool back;
	int rc;
	size_t i;
	json_t *row;

	vendor_pairs_init(&f, r);
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
		body = vendor_pc_body(view, ns_id, jsonx_str(row, "entityid"));
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
			rc = vendor_pairs_settle(&f, row, ns_id, ns_key, src, m.procore_id, err);
			if (rc < 0) {
				json_decref(view);
				json_decref(body);
				vendor_match_release(&m);
				idmap_entry_release(&e);
				goto out;
			}
			goto next;
		}
		if (f.master == MD_PROCORE) {
			/* Procore masters the vendor directory: a company only NetSuite
			 * knows waits for a person, it is not pushed into Procore */
			flow_park(r, "vendor", src, NULL,
				  "a NetSuite vendor with no Procore twin, and Procore masters vendors "
				  "(master.vendors): add it in Procore or link it", NULL);
			goto next;
		}
		detail = json_deep_copy(body);
		if (r->opts.dry_run) {
			flow_record(r, FLOW_CREATE, "vendor", src, NULL, detail, NULL);
			json_decref(detail);
			goto next;
		}
		rc = vendor_pairs_queue(&f, body, src, ns_key, hash, "create", detail, view, err);
		if (rc < 0) {
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
	if ((rc = vendor_pairs_flush(&f, err)) < 0)
		goto out;
	if (!r->opts.dry_run && !f.failed && max_seen[0] &&
	    (rc = watermark_set(s->store, s->tenant.id, "vendors", "", max_seen, err)) < 0)
		goto out;
	rc = f.failed ? error_set(err, MLC_ETRANSIENT, "some vendors failed; the watermark stays")
		      : MLC_OK;
out:
	vendor_index_free(idx);
	vendor_pairs_release(&f);
	json_decref(rc_ctx.rows);
	buf_release(&q);
	free(wm);
	return rc;
}
