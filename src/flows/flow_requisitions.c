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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/idmap.h"
#include "core/review.h"
#include "core/watermark.h"
#include "flows/flow.h"
#include "flows/refdata.h"
#include "flows/segment.h"
#include "util/buf.h"
#include "util/digest.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/money.h"
#include "util/str.h"
#include "util/banned.h"

static int collect(void *arg, json_t *items)
{
	json_array_extend(arg, items);
	return 0;
}

static void park(struct flow_run *r, const char *src, const char *why, const json_t *payload,
		 int *failed)
{
	struct mlc_error err = { 0 };
	if (!r->opts.dry_run && review_park(r->s->store, r->s->tenant.id, r->flow, "requisition",
					    src, why, NULL, payload, &err) < 0)
		*failed = 1;
	flow_record(r, FLOW_PARK, "requisition", src, NULL, NULL, why);
}

/* Looks a requisition up by origin_id; *id is 0 when there is none. */
static int find_by_origin(struct flow_run *r, int64_t project_id, const char *origin, int64_t *id,
			  struct mlc_error *err)
{
	char pid[32];
	const char *q[] = { "project_id", pid, "filters[origin_id]", origin, NULL };
	json_t *list = NULL;
	size_t i;
	json_t *v;
	int rc;

	*id = 0;
	snprintf(pid, sizeof(pid), "%lld", (long long)project_id);
	if ((rc = procore_list(r->s->pc, "/rest/v1.0/requisitions", q, &list, err)) < 0)
		return rc;
	json_array_foreach(list, i, v)
		if (jsonx_str(v, "origin_id") && strcmp(jsonx_str(v, "origin_id"), origin) == 0 &&
		    jsonx_id(v, "id", id) == 0)
			break;
	json_decref(list);
	return MLC_OK;
}

static const char *key_of(int64_t id, char *buf, size_t n)
{
	snprintf(buf, n, "%lld", (long long)id);
	return buf;
}

/* First and last day of the month of a YYYY-MM-DD date. */
static void month_bounds(const char *date, char *start, char *end)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y = 1970, m = 1, d;

	if (date && strlen(date) >= 7) {
		y = (int)strtol(date, NULL, 10);
		m = (int)strtol(date + 5, NULL, 10);
	}
	if (m < 1 || m > 12)
		m = 1;
	d = days[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100) || y % 400 == 0));
	snprintf(start, 11, "%04d-%02d-01", y, m);
	snprintf(end, 11, "%04d-%02d-%02d", y, m, d);
}

int flow_requisitions(struct flow_run *r, struct mlc_error *err)
{
	struct mlc_session *s = r->s;
	struct refdata rd;
	struct mlc_segment seg;
	char cols[96];
	json_t *bills = json_array(), *lines = NULL, *bill;
	struct mlc_buf q = MLC_BUF_INIT;
	char *wm = NULL, since[32], max_seen[32] = "";
	int rc, failed = 0;
	size_t i;

	memset(&rd, 0, sizeof(rd));
	if (!r->opts.full &&
	    (rc = watermark_get(s->store, s->tenant.id, "requisitions", "", &wm, err)) < 0)
		goto out;
	/* createdfrom (the purchase order a bill was made from) is a column of
	 * transactionline, not of transaction (docs/reference/netsuite.md,
	 * netsuite/suiteql.md): bills from a PO are those with such a line */
	buf_addstr(&q, "SELECT id, tranid, TO_CHAR(trandate, 'YYYY-MM-DD') AS trandate, "
		       "entity, status, approvalstatus, memo, "
		       "TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodified "
		       "FROM transaction WHERE type = 'VendBill' AND id IN (SELECT transaction FROM "
		       "transactionline WHERE createdfrom IS NOT NULL) AND ");
	if (wm) {
		flow_overlap_start(wm, since, sizeof(since));
		buf_addf(&q, "lastmodifieddate >= TO_TIMESTAMP('%s', 'YYYY-MM-DD HH24:MI:SS') AND ",
			 since);
	}
	buf_addstr(&q, "%s ORDER BY id");
	if ((rc = netsuite_suiteql_keyset(s->ns, q.data, "id", collect, bills, err)) < 0)
		goto out;
	if (!json_array_size(bills)) {
		rc = MLC_OK;
		goto out;
	}
	/* the cost code of a bill line comes from the segment when the account has it */
	if ((rc = segment_resolve(s, &seg, err)) < 0)
		goto out;
	snprintf(cols, sizeof(cols), "transaction, id, netamount, entity, createdfrom%s%s", seg.use ? ", " : "",
		 seg.use ? seg.field : "");
	if ((rc = refdata_load(&rd, r, true, seg.use ? seg.table : NULL, err)) < 0 ||
	    (rc = netsuite_lines_by_transaction(s->ns, cols, bills, &lines, err)) < 0)
		goto out;
	json_array_foreach(bills, i, bill) {
		int64_t bill_id = 0, po_id = 0, contract = 0, job = 0, project = 0, req_id = 0;
		char src[48], key[32], kb[32], hash[MLC_DIGEST_HEX], start[11], end[11],
			total_text[MONEY_FMT_MAX];
		const char *lm = jsonx_str(bill, "lastmodified");
		struct mlc_idmap_entry e = { 0 };
		json_t *bl = NULL, *l, *body, *alloc;
		size_t k;
		int64_t total = 0;

		if (jsonx_id(bill, "id", &bill_id) < 0 || !bill_id)
			continue;
		r->stats.read++;
		if (lm && strcmp(lm, max_seen) > 0)
			str_copy(max_seen, sizeof(max_seen), lm);
		snprintf(src, sizeof(src), "ns:bill:%lld", (long long)bill_id);
		json_array_foreach(json_object_get(lines, key_of(bill_id, kb, sizeof(kb))), k, l) {
			if (jsonx_id(l, "createdfrom", &po_id) < 0)
				po_id = 0;
			if (po_id)
				break;
		}
		if (!po_id)
			continue;
		snprintf(key, sizeof(key), "%lld", (long long)po_id);
		if (idmap_by_netsuite(s->store, s->tenant.id, "po", key, &e, NULL) < 0 ||
		    !e.procore_key) {
			char why[160];
			snprintf(why, sizeof(why),
				 "purchase order ns:po:%lld is not in Procore yet (purchase-orders flow)",
				 (long long)po_id);
			idmap_entry_release(&e);
			park(r, src, why, bill, &failed);
			continue;
		}
		contract = strtoll(e.procore_key, NULL, 10);
		idmap_entry_release(&e);
		/* the bill's lines: amounts by cost code, and the job for the project */
		bl = json_incref(json_object_get(lines, key_of(bill_id, kb, sizeof(kb))));
		alloc = json_array();
		json_array_foreach(bl, k, l) {
			int64_t amt = 0, segv = 0, j = 0;
			char a[MONEY_FMT_MAX];
			if (jsonx_money_get(l, "netamount", true, &amt, err) < 0 ||
			    money_add(total, amt, &total) < 0)
				break;
			if (jsonx_id(l, "entity", &j) == 0 && j && !job)
				job = j;
			if (!seg.use || jsonx_id(l, seg.field, &segv) < 0)
				segv = 0;
			money_format(amt, a);
			json_array_append_new(alloc, json_pack("{s:s, s:s}", "cost_code",
							       refdata_text_num(rd.seg_code, segv)
								       ? refdata_text_num(rd.seg_code, segv)
								       : "",
							       "amount", a));
		}
		json_decref(bl);
		char jk[32];
		snprintf(jk, sizeof(jk), "%lld", (long long)job);
		json_t *link = job ? json_object_get(rd.links, jk) : NULL;
		if (!link) {
			json_decref(alloc);
			park(r, src, "the bill's NetSuite job is not linked to a Procore project", bill,
			     &failed);
			continue;
		}
		project = json_integer_value(json_object_get(link, "procore_project_id"));
		money_format(total, total_text);
		month_bounds(jsonx_str(bill, "trandate"), start, end);
		char *od = json_dumps(json_pack("{s:s, s:o}", "total", total_text, "lines", alloc),
				      JSON_COMPACT | JSON_SORT_KEYS);
		body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "origin_id", src, "invoice_number",
				 jsonx_str(bill, "tranid") ? jsonx_str(bill, "tranid") : "",
				 "billing_date", jsonx_str(bill, "trandate") ? jsonx_str(bill, "trandate") : start,
				 "requisition_start", start, "requisition_end", end, "origin_data", od);
		free(od);
		int64_t approval = 0;
		if (jsonx_id(bill, "approvalstatus", &approval) < 0)
			approval = 0;
		/* approvalStatus 2 = Approved (docs/reference/netsuite/records.json enum 1|2|3) */
		json_object_set_new(body, "status",
				    json_string(approval == 2 ? "approved" : "under_review"));
		digest_json(body, hash);
		snprintf(key, sizeof(key), "%lld", (long long)bill_id);
		if (idmap_by_netsuite(s->store, s->tenant.id, "requisition", key, &e, NULL) == 0 &&
		    e.procore_key) {
			req_id = strtoll(e.procore_key, NULL, 10);
			if (e.content_hash && strcmp(e.content_hash, hash) == 0) {
				char target[48];
				snprintf(target, sizeof(target), "pc:requisition:%lld", (long long)req_id);
				flow_record(r, FLOW_SKIP, "requisition", src, target, NULL, NULL);
				idmap_entry_release(&e);
				json_decref(body);
				continue;
			}
		}
		idmap_entry_release(&e);
		if (r->opts.dry_run) {
			flow_record(r, req_id ? FLOW_UPDATE : FLOW_CREATE, "requisition", src, NULL, body,
				    NULL);
			json_decref(body);
			continue;
		}
		/* never linked: Procore may have it from a lost answer */
		if (!req_id && (rc = find_by_origin(r, project, src, &req_id, err)) < 0) {
			json_decref(body);
			goto out;
		}
		char path[128], pid[32];
		const char *pq[] = { "project_id", pid, NULL };
		json_t *resp = NULL;
		int status = 0, created = !req_id;
		snprintf(pid, sizeof(pid), "%lld", (long long)project);
		if (req_id) {
			snprintf(path, sizeof(path), "/rest/v1.0/requisitions/%lld", (long long)req_id);
			rc = procore_write(s->pc, "PATCH", path, pq, json_pack("{s:O}", "requisition", body),
					   &resp, &status, err);
		} else {
			rc = procore_write(s->pc, "POST", "/rest/v1.0/requisitions", NULL,
					   json_pack("{s:I, s:I, s:O}", "project_id", (json_int_t)project,
						     "commitment_id", (json_int_t)contract, "requisition",
						     body),
					   &resp, &status, err);
			if (rc == MLC_EUNKNOWN || (rc == MLC_EPERM && status == 422)) {
				/* sent with no answer, or refused because the origin_id is
				 * taken (an earlier attempt did land): look it up */
				struct mlc_error e2 = { 0 };
				if (find_by_origin(r, project, src, &req_id, &e2) == 0 && req_id)
					rc = MLC_OK;
			} else if (rc == MLC_OK && jsonx_id(resp, "id", &req_id) < 0) {
				req_id = 0;
			}
		}
		json_decref(resp);
		if (rc < 0 || !req_id) {
			if (rc == MLC_EPERM) {
				park(r, src, err->msg, body, &failed);
			} else {
				flow_record(r, FLOW_FAIL, "requisition", src, NULL, NULL,
					    rc < 0 ? err->msg : "Procore returned no requisition id");
				failed = 1;
			}
			json_decref(body);
			rc = MLC_OK;
			continue;
		}
		{
			char pk[32], target[48];
			struct mlc_error e2 = { 0 };
			snprintf(pk, sizeof(pk), "%lld", (long long)req_id);
			snprintf(target, sizeof(target), "pc:requisition:%lld", (long long)req_id);
			if (idmap_put(s->store, s->tenant.id, "requisition", key, pk, hash, &e2) < 0) {
				flow_record(r, FLOW_FAIL, "requisition", src, target, NULL, e2.msg);
				failed = 1;
			} else {
				if (review_resolve(s->store, s->tenant.id, "requisition", src, &e2) < 0)
					log_warn("review resolve failed", "error", e2.msg);
				flow_record(r, created ? FLOW_CREATE : FLOW_UPDATE, "requisition", src,
					    target, body, NULL);
			}
		}
		json_decref(body);
	}
	if (!r->opts.dry_run && !failed && max_seen[0] &&
	    (rc = watermark_set(s->store, s->tenant.id, "requisitions", "", max_seen, err)) < 0)
		goto out;
	rc = failed ? error_set(err, MLC_ETRANSIENT, "some requisitions failed; the watermark stays")
		    : MLC_OK;
out:
	json_decref(lines);
	refdata_release(&rd);
	json_decref(bills);
	buf_release(&q);
	free(wm);
	return rc;
}
