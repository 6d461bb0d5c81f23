/*
 * Flow "purchase-orders": NetSuite purchase orders -> Procore purchase
 * order contracts (commitments) with their line items.
 *
 * A PO belongs to the Procore project linked to the NetSuite job on its
 * lines; its vendor must already be linked (vendors flow).  Each line
 * needs a Procore cost code in that project (NetSuite cost-code segment
 * -> code -> the project's cost code) and a line item type (the line's
 * expense account, or its item's, -> cost-type-account).  Anything
 * missing parks the whole PO with the exact reason; nothing is written
 * half-mapped.
 *
 * Writes go through the two sync endpoints: headers per project
 * (PATCH /purchase_order_contracts/sync), then lines per contract
 * (PATCH /purchase_order_contracts/{id}/line_items/sync).  The header and
 * every line have their own content hash in id_map ("po", "poline"), so
 * an edit to one line sends exactly that line.  origin_id: ns:po:<id>,
 * ns:poline:<id>:<line>.
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
#include "util/num.h"
#include "util/str.h"
#include "util/banned.h"

#define SYNC_BATCH 1000

/* NetSuite purchaseOrder.status letters -> Procore commitment status. */
static const char *po_status(const char *ns)
{
	switch (ns && *ns ? ns[0] : 'A') {
	case 'P': return "Draft";            /* Planned */
	case 'A': return "Submitted";        /* Pending Supervisor Approval */
	case 'C': return "Draft";            /* Rejected by Supervisor */
	case 'B': return "Approved";         /* Pending Receipt */
	case 'D': return "Partially Received";
	case 'E': return "Partially Received"; /* Pending Billing/Partially Received */
	case 'F': return "Received";         /* Pending Bill */
	case 'G': return "Received";         /* Fully Billed */
	case 'H': return "Closed";
	}
	return "Submitted";
}

struct po_ctx {
	struct flow_run *r;
	struct refdata rd;
	struct mlc_segment seg; /* the cost-code segment: a PO line's cost code */
	json_t *lines;   /* "po id" -> [line rows] */
	json_t *polines; /* id_map "poline": "<po>:<line>" -> Procore line id, read once */
	int failed;
};

static int collect(void *arg, json_t *items)
{
	json_array_extend(arg, items);
	return 0;
}

/* Reads the lines of the given POs, the account's pool kept busy. */
static int read_lines(struct po_ctx *c, const json_t *pos, struct mlc_error *err)
{
	char cols[160];

	json_decref(c->lines);
	c->lines = NULL;
	snprintf(cols, sizeof(cols),
		 "transaction, id, linesequencenumber, item, expenseaccount, quantity, rate, "
		 "netamount, memo, entity, %s",
		 c->seg.field);
	return netsuite_lines_by_transaction(c->r->s->ns, cols, pos, &c->lines, err);
}

/* An exact decimal from a SuiteQL value, as Procore's decimal string. */
static int dec_text(const json_t *row, const char *key, int scale, enum dec_rounding mode,
		    char *out, size_t n, struct mlc_error *err)
{
	json_t *v = json_object_get(row, key);
	int64_t x = 0;

	if (!v || json_is_null(v)) {
		out[0] = '\0';
		return MLC_OK;
	}
	if (dec_from_json(v, scale, mode, &x, err) < 0)
		return error_prefix(err, "%s: ", key);
	dec_format_trim(x, scale, scale == MONEY_SCALE ? 2 : 0, out, n);
	return MLC_OK;
}

/*
 * Builds the Procore line item for one NetSuite line, or fills why with
 * the reason it cannot be mapped.
 */
static json_t *line_body(struct po_ctx *c, int64_t po_id, int64_t project_id, const json_t *row,
			 char *why, size_t whyn, struct mlc_error *err)
{
	int64_t line_id = 0, seg = 0, acct = 0, item = 0, cc_id = 0, lit_id = 0;
	const char *code, *type;
	char origin[64], amount[40], qty[40], unit[40], label[160];

	why[0] = '\0';
	if (jsonx_id(row, "id", &line_id) < 0 || jsonx_id(row, c->seg.field, &seg) < 0 ||
	    jsonx_id(row, "expenseaccount", &acct) < 0 || jsonx_id(row, "item", &item) < 0) {
		snprintf(why, whyn, "line has malformed ids");
		return NULL;
	}
	if (!seg) {
		snprintf(why, whyn, "line %lld has no cost code", (long long)line_id);
		return NULL;
	}
	code = refdata_text_num(c->rd.seg_code, seg);
	refdata_project_label(&c->rd, project_id, label, sizeof(label));
	if (!code) {
		snprintf(why, whyn, "NetSuite cost-code segment value %lld is unknown", (long long)seg);
		return NULL;
	}
	if (refdata_project_code(&c->rd, project_id, code, &cc_id, err) < 0)
		return NULL;
	if (!cc_id) {
		snprintf(why, whyn, "cost code %s has no Procore cost code in project %s", code, label);
		return NULL;
	}
	if (!acct && item)
		acct = refdata_id_num(c->rd.item_account, item);
	type = acct ? refdata_text_num(c->rd.account_type, acct) : NULL;
	if (!type) {
		snprintf(why, whyn,
			 "expense account %lld of line %lld has no line item type (mapping "
			 "cost-type-account)",
			 (long long)acct, (long long)line_id);
		return NULL;
	}
	lit_id = refdata_id(c->rd.lit, type);
	if (!lit_id) {
		snprintf(why, whyn, "Procore has no line item type with code %s", type);
		return NULL;
	}
	if (dec_text(row, "netamount", MONEY_SCALE, DEC_EXACT, amount, sizeof(amount), err) < 0 ||
	    dec_text(row, "quantity", 4, DEC_HALF_EVEN, qty, sizeof(qty), err) < 0 ||
	    dec_text(row, "rate", 4, DEC_HALF_EVEN, unit, sizeof(unit), err) < 0) {
		snprintf(why, whyn, "line %lld: %.400s", (long long)line_id, err->msg);
		return NULL;
	}
	if (!amount[0]) {
		snprintf(why, whyn, "line %lld has no amount", (long long)line_id);
		return NULL;
	}
	snprintf(origin, sizeof(origin), "ns:poline:%lld:%lld", (long long)po_id, (long long)line_id);
	json_t *b = json_pack("{s:s, s:s, s:I, s:I}", "origin_id", origin, "amount", amount,
			      "cost_code_id", (json_int_t)cc_id, "line_item_type_id",
			      (json_int_t)lit_id);
	if (qty[0])
		json_object_set_new(b, "quantity", json_string(qty));
	if (unit[0])
		json_object_set_new(b, "unit_cost", json_string(unit));
	if (jsonx_str(row, "memo"))
		json_object_set_new(b, "description", json_string(jsonx_str(row, "memo")));
	return b;
}

/* The content hash recorded for a line removed in NetSuite and zeroed in Procore. */
#define LINE_REMOVED "removed"

/* One PO's plan: its header (when changed) and changed lines. */
struct po_plan {
	int64_t po_id, project_id, contract_id;
	char src[48];
	json_t *header;       /* body, NULL when unchanged */
	char header_hash[MLC_DIGEST_HEX];
	json_t *lines;        /* changed line bodies */
	json_t *line_hashes;  /* origin_id -> hash */
};

static void plan_release(struct po_plan *p)
{
	json_decref(p->header);
	json_decref(p->lines);
	json_decref(p->line_hashes);
}

/*
 * Lines synced before and gone from the NetSuite PO now: Procore's
 * commitment line is zeroed (amount, quantity and unit cost 0; the API
 * deletes no commitment line), so the commitment total is the PO's again.
 * Recorded with the hash LINE_REMOVED, so it is done once.
 */
static int removed_lines(struct po_ctx *c, struct po_plan *p, const json_t *all_lines,
			 struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;
	char prefix[32];
	const char *k;
	json_t *v;
	size_t plen;

	if (!c->polines && idmap_all(s->store, s->tenant.id, "poline", &c->polines, err) < 0)
		return err->code ? err->code : MLC_ESTORE;
	snprintf(prefix, sizeof(prefix), "%lld:", (long long)p->po_id);
	plen = strlen(prefix);
	json_object_foreach(c->polines, k, v) {
		struct mlc_idmap_entry e = { 0 };
		char origin[64];
		int64_t pl = 0;
		size_t i;
		json_t *line;
		bool present = false;

		if (strncmp(k, prefix, plen) != 0)
			continue;
		snprintf(origin, sizeof(origin), "ns:poline:%s", k);
		json_array_foreach(all_lines, i, line)
			present |= jsonx_str(line, "origin_id") &&
				   strcmp(jsonx_str(line, "origin_id"), origin) == 0;
		if (present || num_parse_id(json_string_value(v), &pl, NULL) < 0 || !pl)
			continue;
		if (idmap_by_netsuite(s->store, s->tenant.id, "poline", k, &e, NULL) == 0 &&
		    e.content_hash && strcmp(e.content_hash, LINE_REMOVED) == 0) {
			idmap_entry_release(&e);
			continue;
		}
		idmap_entry_release(&e);
		json_array_append_new(p->lines,
				      json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)pl,
						"origin_id", origin, "amount", "0.00", "quantity", "0",
						"unit_cost", "0.00"));
		json_object_set_new(p->line_hashes, origin, json_string(LINE_REMOVED));
	}
	return MLC_OK;
}

static void park(struct po_ctx *c, const char *src, const char *why, const json_t *payload)
{
	struct mlc_error err = { 0 };
	if (!c->r->opts.dry_run &&
	    review_park(c->r->s->store, c->r->s->tenant.id, c->r->flow, "po", src, why, NULL,
			payload, &err) < 0)
		c->failed = 1;
	flow_record(c->r, FLOW_PARK, "po", src, NULL, NULL, why);
}

/* Decides what one PO needs.  Returns 1 with a plan, 0 when parked or
 * unchanged, < 0 on an error that stops the run. */
static int plan_po(struct po_ctx *c, const json_t *po, struct po_plan *p, struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;
	const json_t *lines;
	json_t *line, *link;
	int64_t job = 0, vendor_ns = 0, vendor_pc = 0;
	char key[32], why[512], label[160];
	struct mlc_idmap_entry e = { 0 };
	size_t i;

	memset(p, 0, sizeof(*p));
	if (jsonx_id(po, "id", &p->po_id) < 0 || !p->po_id)
		return 0;
	snprintf(p->src, sizeof(p->src), "ns:po:%lld", (long long)p->po_id);
	snprintf(key, sizeof(key), "%lld", (long long)p->po_id);
	lines = json_object_get(c->lines, key);
	if (!json_array_size(lines)) {
		park(c, p->src, "the purchase order has no lines", po);
		return 0;
	}
	/* the project: the job on the lines; one PO, one project */
	json_array_foreach(lines, i, line) {
		int64_t j = 0;
		if (jsonx_id(line, "entity", &j) < 0 || !j || (job && j != job)) {
			park(c, p->src, j ? "lines are on more than one NetSuite job"
					  : "a line has no NetSuite job",
			     po);
			return 0;
		}
		job = j;
	}
	link = json_object_get(c->rd.links, jsonx_str(json_array_get(lines, 0), "entity"));
	if (!link) {
		snprintf(why, sizeof(why),
			 "NetSuite job %lld is not linked to a Procore project (project link)",
			 (long long)job);
		park(c, p->src, why, po);
		return 0;
	}
	p->project_id = json_integer_value(json_object_get(link, "procore_project_id"));
	refdata_project_label(&c->rd, p->project_id, label, sizeof(label));
	if (jsonx_id(po, "entity", &vendor_ns) < 0 || !vendor_ns) {
		park(c, p->src, "the purchase order has no vendor", po);
		return 0;
	}
	snprintf(key, sizeof(key), "%lld", (long long)vendor_ns);
	if (idmap_by_netsuite(s->store, s->tenant.id, "vendor", key, &e, NULL) < 0 ||
	    !e.procore_key) {
		snprintf(why, sizeof(why),
			 "vendor ns:vendor:%lld is not in Procore yet (run the vendors flow or "
			 "resolve its review item)",
			 (long long)vendor_ns);
		idmap_entry_release(&e);
		park(c, p->src, why, po);
		return 0;
	}
	vendor_pc = strtoll(e.procore_key, NULL, 10);
	idmap_entry_release(&e);

	/* lines first: a PO with one unmappable line is parked whole */
	p->lines = json_array();
	p->line_hashes = json_object();
	json_t *all_lines = json_array();
	json_array_foreach(lines, i, line) {
		json_t *b = line_body(c, p->po_id, p->project_id, line, why, sizeof(why), err);
		if (!b) {
			char src[48];
			str_copy(src, sizeof(src), p->src);
			json_decref(all_lines);
			plan_release(p);
			memset(p, 0, sizeof(*p));
			if (!why[0])
				return err->code ? err->code : MLC_EPERM;
			park(c, src, why, po);
			return 0;
		}
		json_array_append_new(all_lines, b);
	}
	/* header */
	const char *tranid = jsonx_str(po, "tranid"), *memo = jsonx_str(po, "memo");
	char title[160];
	snprintf(title, sizeof(title), "%s%s%s", tranid ? tranid : "PO", memo ? " - " : "",
		 memo ? memo : "");
	p->header = json_pack("{s:s, s:s, s:s, s:I, s:s}", "origin_id", p->src, "number",
			      tranid ? tranid : "", "title", title, "vendor_id",
			      (json_int_t)vendor_pc, "status", po_status(jsonx_str(po, "status")));
	if (jsonx_str(po, "trandate"))
		json_object_set_new(p->header, "contract_date", json_string(jsonx_str(po, "trandate")));
	if (memo)
		json_object_set_new(p->header, "description", json_string(memo));
	if (tranid)
		json_object_set_new(p->header, "origin_code", json_string(tranid));
	digest_json(p->header, p->header_hash);
	snprintf(key, sizeof(key), "%lld", (long long)p->po_id);
	if (idmap_by_netsuite(s->store, s->tenant.id, "po", key, &e, NULL) == 0) {
		if (e.procore_key)
			p->contract_id = strtoll(e.procore_key, NULL, 10);
		if (p->contract_id && e.content_hash && strcmp(e.content_hash, p->header_hash) == 0) {
			json_decref(p->header);
			p->header = NULL;
		}
	}
	idmap_entry_release(&e);
	if (p->header && p->contract_id)
		json_object_set_new(p->header, "id", json_integer(p->contract_id));
	if (removed_lines(c, p, all_lines, err) < 0) {
		json_decref(all_lines);
		plan_release(p);
		memset(p, 0, sizeof(*p));
		return err->code ? err->code : MLC_ESTORE;
	}
	/* only the lines whose content changed */
	json_array_foreach(all_lines, i, line) {
		char h[MLC_DIGEST_HEX], lk[64];
		const char *origin = jsonx_str(line, "origin_id");
		int64_t pl = 0;
		digest_json(line, h);
		str_copy(lk, sizeof(lk), origin + strlen("ns:poline:"));
		if (idmap_by_netsuite(s->store, s->tenant.id, "poline", lk, &e, NULL) == 0 &&
		    e.procore_key && e.content_hash && strcmp(e.content_hash, h) == 0) {
			idmap_entry_release(&e);
			continue;
		}
		if (e.procore_key)
			pl = strtoll(e.procore_key, NULL, 10);
		idmap_entry_release(&e);
		if (pl)
			json_object_set_new(line, "id", json_integer(pl));
		json_array_append(p->lines, line);
		json_object_set_new(p->line_hashes, origin, json_string(h));
	}
	json_decref(all_lines);
	if (!p->header && !json_array_size(p->lines)) {
		char target[48];
		snprintf(target, sizeof(target), "pc:commitment:%lld", (long long)p->contract_id);
		flow_record(c->r, FLOW_SKIP, "po", p->src, target, NULL, NULL);
		plan_release(p);
		return 0;
	}
	return 1;
}

/* Writes a contract's changed lines and settles them. */
static int write_lines(struct po_ctx *c, struct po_plan *p, struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;
	char path[160], pid[32];
	json_t *entities = NULL, *errors = NULL, *e;
	size_t i;
	int rc;

	if (!json_array_size(p->lines))
		return MLC_OK;
	snprintf(pid, sizeof(pid), "%lld", (long long)p->project_id);
	snprintf(path, sizeof(path), "/rest/v1.0/purchase_order_contracts/%lld/line_items/sync?project_id=%s",
		 (long long)p->contract_id, pid);
	rc = procore_sync(s->pc, "PATCH", path, json_pack("{s:O}", "updates", p->lines), &entities,
			  &errors, err);
	if (rc < 0) {
		flow_record(c->r, FLOW_FAIL, "poline", p->src, NULL, NULL, err->msg);
		c->failed = 1;
		return MLC_OK;
	}
	json_array_foreach(entities, i, e) {
		const char *origin = jsonx_str(e, "origin_id");
		const char *h = origin ? jsonx_str(p->line_hashes, origin) : NULL;
		int64_t id = 0;
		char pk[32], target[48];
		struct mlc_error e2 = { 0 };
		if (!h || jsonx_id(e, "id", &id) < 0 || !id)
			continue;
		snprintf(pk, sizeof(pk), "%lld", (long long)id);
		snprintf(target, sizeof(target), "pc:commitment_line:%lld", (long long)id);
		if (idmap_put(s->store, s->tenant.id, "poline", origin + strlen("ns:poline:"), pk, h,
			      &e2) < 0) {
			flow_record(c->r, FLOW_FAIL, "poline", origin, target, NULL, e2.msg);
			c->failed = 1;
		} else {
			/* a line sent without an id was a create */
			size_t k;
			json_t *sent;
			int created = 1;
			json_array_foreach(p->lines, k, sent)
				if (jsonx_str(sent, "origin_id") &&
				    strcmp(jsonx_str(sent, "origin_id"), origin) == 0)
					created = json_object_get(sent, "id") == NULL;
			flow_record(c->r,
				    strcmp(h, LINE_REMOVED) == 0 ? FLOW_DELETE
				    : created			 ? FLOW_CREATE
								 : FLOW_UPDATE,
				    "poline", origin, target, e,
				    strcmp(h, LINE_REMOVED) == 0
					? "removed from the NetSuite PO: zeroed in Procore"
					: NULL);
		}
	}
	json_array_foreach(errors, i, e) {
		struct mlc_buf why = MLC_BUF_INIT;
		procore_error_text(e, &why);
		/* a refused line leaves the PO unsettled: park it for a person */
		park(c, p->src, why.data, e);
		buf_release(&why);
	}
	json_decref(entities);
	json_decref(errors);
	return MLC_OK;
}

/* Sends the headers of one project's plans, then each plan's lines. */
static int write_project(struct po_ctx *c, struct po_plan *plans, size_t n, struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;
	json_t *updates = json_array(), *entities = NULL, *errors = NULL, *e;
	size_t i, j;
	int rc = MLC_OK;

	for (i = 0; i < n; i++)
		if (plans[i].header)
			json_array_append(updates, plans[i].header);
	if (json_array_size(updates)) {
		rc = procore_sync(s->pc, "PATCH", "/rest/v1.0/purchase_order_contracts/sync",
				  json_pack("{s:I, s:O}", "project_id", (json_int_t)plans[0].project_id,
					    "updates", updates),
				  &entities, &errors, err);
		if (rc < 0) {
			for (i = 0; i < n; i++)
				if (plans[i].header)
					flow_record(c->r, FLOW_FAIL, "po", plans[i].src, NULL, NULL,
						    err->msg);
			c->failed = 1;
			rc = MLC_OK;
			goto out;
		}
		json_array_foreach(entities, j, e) {
			const char *origin = jsonx_str(e, "origin_id");
			int64_t id = 0;
			for (i = 0; origin && i < n; i++) {
				if (!plans[i].header || strcmp(plans[i].src, origin) != 0)
					continue;
				if (jsonx_id(e, "id", &id) == 0 && id) {
					char k[32], pk[32], target[48];
					struct mlc_error e2 = { 0 };
					int created = plans[i].contract_id == 0;
					plans[i].contract_id = id;
					snprintf(k, sizeof(k), "%lld", (long long)plans[i].po_id);
					snprintf(pk, sizeof(pk), "%lld", (long long)id);
					snprintf(target, sizeof(target), "pc:commitment:%lld", (long long)id);
					if (idmap_put(s->store, s->tenant.id, "po", k, pk,
						      plans[i].header_hash, &e2) < 0) {
						flow_record(c->r, FLOW_FAIL, "po", origin, target, NULL,
							    e2.msg);
						c->failed = 1;
					} else {
						struct mlc_error e3 = { 0 };
						if (review_resolve(s->store, s->tenant.id, "po", origin,
								   &e3) < 0)
							log_warn("review resolve failed", "error", e3.msg);
						flow_record(c->r, created ? FLOW_CREATE : FLOW_UPDATE,
							    "po", origin, target, plans[i].header, NULL);
					}
				}
			}
		}
		json_array_foreach(errors, j, e) {
			struct mlc_buf why = MLC_BUF_INIT;
			const char *origin = jsonx_str(e, "origin_id");
			procore_error_text(e, &why);
			for (i = 0; origin && i < n; i++)
				if (plans[i].header && strcmp(plans[i].src, origin) == 0) {
					plans[i].contract_id = 0; /* no lines without a header */
					json_array_clear(plans[i].lines);
				}
			park(c, origin ? origin : "ns:po:?", why.data, e);
			buf_release(&why);
		}
	}
	for (i = 0; i < n; i++) {
		if (!plans[i].contract_id) {
			if (json_array_size(plans[i].lines)) {
				flow_record(c->r, FLOW_FAIL, "po", plans[i].src, NULL, NULL,
					    "Procore's sync reply did not confirm the contract");
				c->failed = 1;
			}
			continue;
		}
		if ((rc = write_lines(c, &plans[i], err)) < 0)
			break;
	}
out:
	json_decref(updates);
	json_decref(entities);
	json_decref(errors);
	return rc;
}

static void record_dry(struct po_ctx *c, struct po_plan *p)
{
	char target[48];
	size_t i;
	json_t *l;

	snprintf(target, sizeof(target), "pc:commitment:%lld", (long long)p->contract_id);
	if (p->header)
		flow_record(c->r, p->contract_id ? FLOW_UPDATE : FLOW_CREATE, "po", p->src,
			    p->contract_id ? target : NULL, p->header, NULL);
	json_array_foreach(p->lines, i, l)
		flow_record(c->r, json_object_get(l, "id") ? FLOW_UPDATE : FLOW_CREATE, "poline",
			    jsonx_str(l, "origin_id"), NULL, l, NULL);
}

static int by_project(const void *a, const void *b)
{
	const struct po_plan *x = a, *y = b;
	if (x->project_id != y->project_id)
		return x->project_id < y->project_id ? -1 : 1;
	return x->po_id < y->po_id ? -1 : x->po_id > y->po_id;
}

int flow_purchase_orders(struct flow_run *r, struct mlc_error *err)
{
	struct mlc_session *s = r->s;
	struct po_ctx c;
	json_t *pos = json_array(), *po;
	struct mlc_buf q = MLC_BUF_INIT;
	char *wm = NULL, since[32], max_seen[32] = "";
	struct po_plan *plans = NULL;
	size_t nplans = 0, i;
	int rc;

	memset(&c, 0, sizeof(c));
	c.r = r;
	c.lines = json_object();
	if (!r->opts.full &&
	    (rc = watermark_get(s->store, s->tenant.id, "purchase-orders", "", &wm, err)) < 0)
		goto out;
	buf_addstr(&q, "SELECT id, tranid, TO_CHAR(trandate, 'YYYY-MM-DD') AS trandate, status, memo, "
		       "entity, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodified "
		       "FROM transaction WHERE type = 'PurchOrd' AND ");
	if (wm) {
		flow_overlap_start(wm, since, sizeof(since));
		buf_addf(&q, "lastmodifieddate >= TO_TIMESTAMP('%s', 'YYYY-MM-DD HH24:MI:SS') AND ",
			 since);
	}
	buf_addstr(&q, "%s ORDER BY id");
	if ((rc = netsuite_suiteql_keyset(s->ns, q.data, "id", collect, pos, err)) < 0)
		goto out;
	if (!json_array_size(pos)) {
		rc = MLC_OK;
		goto out;
	}
	if ((rc = segment_resolve(s, &c.seg, err)) < 0)
		goto out;
	if (!c.seg.use) {
		/* a NetSuite PO line names its cost code only through the segment */
		rc = error_set(err, MLC_ECONFIG,
			       "purchase-orders needs the cost-code segment to give each line its "
			       "Procore cost code: %s",
			       c.seg.why);
		goto out;
	}
	if ((rc = refdata_load(&c.rd, r, true, c.seg.table, err)) < 0 ||
	    (rc = read_lines(&c, pos, err)) < 0)
		goto out;
	plans = xcalloc(json_array_size(pos), sizeof(*plans));
	json_array_foreach(pos, i, po) {
		const char *lm = jsonx_str(po, "lastmodified");
		r->stats.read++;
		if (lm && strcmp(lm, max_seen) > 0)
			str_copy(max_seen, sizeof(max_seen), lm);
		error_clear(err);
		rc = plan_po(&c, po, &plans[nplans], err);
		if (rc < 0)
			goto out;
		if (rc == 1)
			nplans++;
	}
	if (r->opts.dry_run) {
		for (i = 0; i < nplans; i++)
			record_dry(&c, &plans[i]);
		rc = MLC_OK;
		goto out;
	}
	/* one header call per project (at most 1000 per call) */
	qsort(plans, nplans, sizeof(*plans), by_project);
	for (i = 0; i < nplans;) {
		size_t j = i + 1;
		while (j < nplans && j - i < SYNC_BATCH && plans[j].project_id == plans[i].project_id)
			j++;
		if ((rc = write_project(&c, &plans[i], j - i, err)) < 0)
			goto out;
		i = j;
	}
	if (!c.failed && max_seen[0] &&
	    (rc = watermark_set(s->store, s->tenant.id, "purchase-orders", "", max_seen, err)) < 0)
		goto out;
	rc = c.failed ? error_set(err, MLC_ETRANSIENT,
				  "some purchase orders failed; the watermark stays")
		      : MLC_OK;
out:
	for (i = 0; i < nplans; i++)
		plan_release(&plans[i]);
	free(plans);
	refdata_release(&c.rd);
	json_decref(c.lines);
	json_decref(c.polines);
	json_decref(pos);
	buf_release(&q);
	free(wm);
	return rc;
}
