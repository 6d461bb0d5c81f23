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
 * Read -> plan -> apply, a page at a time: the NetSuite adapter reads
 * typed POs a keyset page (1000) at a time (netsuite/ns_purchasing.h),
 * the flow reads that page's lines, po_plan_make() decides per PO
 * (flows/po_plan.h), and the Procore adapter writes through the two sync
 * endpoints (procore/pc_commitments.h): headers per project, then lines
 * per contract.  The page is released before the next is read; across
 * pages the flow keeps only reference data and a compact index of the
 * lines synced before (ids and keys), so its memory does not grow with
 * the number of POs.  The header and every line have their own content hash in
 * id_map ("po", "poline"), so an edit to one line sends exactly that line.
 * origin_id: ns:po:<id>, ns:poline:<id>:<line>.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/idmap.h"
#include "flows/flow.h"
#include "flows/po_cco.h"
#include "flows/po_plan.h"
#include "flows/refdata.h"
#include "flows/segment.h"
#include "netsuite/ns_purchasing.h"
#include "procore/pc_change_orders.h"
#include "procore/pc_commitments.h"
#include "util/buf.h"
#include "util/num.h"
#include "util/str.h"
#include "util/banned.h"

#define SYNC_BATCH 1000

struct po_ctx {
	struct flow_run *r;
	struct refdata rd;
	struct mlc_segment seg; /* the cost-code segment: a PO line's cost code */
	struct po_lookup lk;
	struct flow_window *w;
	bool ready; /* segment, reference data and the index read (first page with POs) */
	/*
	 * id_map "poline" ("<po>:<line>" -> Procore line id), indexed by PO:
	 * synced[i] is a line of PO synced_po[i], sorted by PO, id_map order
	 * kept within one PO.  Keys point into keys (one allocation).
	 */
	char *keys;
	struct po_synced_line *synced;
	int64_t *synced_po;
	size_t nsynced;
	int failed;
};

/* ---- lookups for the plan: refdata and id_map behind po_lookup ---- */

static int64_t lk_project(void *arg, int64_t job)
{
	struct po_ctx *c = arg;
	char key[32];
	json_t *link;

	snprintf(key, sizeof(key), "%lld", (long long)job);
	link = json_object_get(c->rd.links, key);
	return link ? json_integer_value(json_object_get(link, "procore_project_id")) : 0;
}

static void lk_project_label(void *arg, int64_t project, char *out, size_t n)
{
	struct po_ctx *c = arg;
	refdata_project_label(&c->rd, project, out, n);
}

/* The id_map row of entity/key: its Procore key (text) and hash. */
static bool synced_row(struct po_ctx *c, const char *entity, const char *key, char **pc_key,
		       char hash[MLC_DIGEST_HEX])
{
	struct mlc_session *s = c->r->s;
	struct mlc_idmap_entry e = {0};
	bool found = idmap_by_netsuite(s->store, s->tenant.id, entity, key, &e, NULL) == 0;

	*pc_key = found && e.procore_key ? xstrdup(e.procore_key) : NULL;
	if (hash)
		str_copy(hash, MLC_DIGEST_HEX, found && e.content_hash ? e.content_hash : "");
	idmap_entry_release(&e);
	return found;
}

static bool lk_vendor(void *arg, int64_t ns_vendor, int64_t *procore_id)
{
	char key[32], *pc_key = NULL;

	snprintf(key, sizeof(key), "%lld", (long long)ns_vendor);
	synced_row(arg, "vendor", key, &pc_key, NULL);
	*procore_id = pc_key ? strtoll(pc_key, NULL, 10) : 0;
	free(pc_key);
	return pc_key != NULL;
}

static const char *lk_seg_code(void *arg, int64_t seg)
{
	return refdata_text_num(((struct po_ctx *)arg)->rd.seg_code, seg);
}

static int lk_cost_code(void *arg, int64_t project, const char *code, int64_t *id,
			struct mlc_error *err)
{
	return refdata_project_code(&((struct po_ctx *)arg)->rd, project, code, id, err);
}

static int64_t lk_item_account(void *arg, int64_t item)
{
	return refdata_id_num(((struct po_ctx *)arg)->rd.item_account, item);
}

static const char *lk_account_type(void *arg, int64_t account)
{
	return refdata_text_num(((struct po_ctx *)arg)->rd.account_type, account);
}

static int64_t lk_line_item_type(void *arg, const char *type)
{
	return refdata_id(((struct po_ctx *)arg)->rd.lit, type);
}

static bool lk_synced(void *arg, const char *entity, const char *key, int64_t *procore_id,
		      char hash[MLC_DIGEST_HEX])
{
	char *pc_key = NULL;
	bool found = synced_row(arg, entity, key, &pc_key, hash);

	*procore_id = pc_key ? strtoll(pc_key, NULL, 10) : 0;
	free(pc_key);
	return found;
}

static size_t lk_synced_lines(void *arg, int64_t po, const struct po_synced_line **out)
{
	struct po_ctx *c = arg;
	size_t lo = 0, hi = c->nsynced, n = 0;

	/* the first entry of po, then its run */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->synced_po[mid] < po)
			lo = mid + 1;
		else
			hi = mid;
	}
	*out = lo < c->nsynced ? &c->synced[lo] : NULL;
	while (lo + n < c->nsynced && c->synced_po[lo + n] == po)
		n++;
	return n;
}

static void ctx_init(struct po_ctx *c, struct flow_run *r)
{
	memset(c, 0, sizeof(*c));
	c->r = r;
	c->lk = (struct po_lookup){
	    .arg = c,
	    .project = lk_project,
	    .project_label = lk_project_label,
	    .vendor = lk_vendor,
	    .seg_code = lk_seg_code,
	    .cost_code = lk_cost_code,
	    .item_account = lk_item_account,
	    .account_type = lk_account_type,
	    .line_item_type = lk_line_item_type,
	    .synced = lk_synced,
	    .synced_lines = lk_synced_lines,
	};
}

static void ctx_release(struct po_ctx *c)
{
	refdata_release(&c->rd);
	free(c->keys);
	free(c->synced);
	free(c->synced_po);
}

struct synced_sort {
	int64_t po;
	size_t seq;
	size_t key; /* offset in the key arena */
	int64_t procore_id;
};

static int by_po_seq(const void *a, const void *b)
{
	const struct synced_sort *x = a, *y = b;
	if (x->po != y->po)
		return x->po < y->po ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Reads id_map "poline" once and indexes it by PO (no prefix scan per PO):
 * the keys are copied into one arena and the JSON read is released.
 */
static int synced_index(struct po_ctx *c, struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;
	struct mlc_buf arena = MLC_BUF_INIT;
	struct synced_sort *tmp;
	json_t *polines = NULL, *v;
	const char *k;
	size_t n = 0, i;

	if (idmap_all(s->store, s->tenant.id, "poline", &polines, err) < 0)
		return err->code ? err->code : MLC_ESTORE;
	tmp = xcalloc(json_object_size(polines) + 1, sizeof(*tmp));
	json_object_foreach (polines, k, v) {
		const char *colon = strchr(k, ':');
		char po[32];
		if (!colon || (size_t)(colon - k) >= sizeof(po))
			continue;
		memcpy(po, k, (size_t)(colon - k));
		po[colon - k] = '\0';
		if (num_parse_id(po, &tmp[n].po, NULL) < 0 ||
		    num_parse_id(json_string_value(v), &tmp[n].procore_id, NULL) < 0)
			tmp[n].procore_id = 0;
		tmp[n].seq = n;
		tmp[n].key = arena.len;
		buf_add(&arena, k, strlen(k) + 1);
		n++;
	}
	json_decref(polines);
	qsort(tmp, n, sizeof(*tmp), by_po_seq);
	c->keys = buf_detach(&arena, NULL);
	c->synced = xcalloc(n + 1, sizeof(*c->synced));
	c->synced_po = xcalloc(n + 1, sizeof(*c->synced_po));
	for (i = 0; i < n; i++) {
		c->synced[i] = (struct po_synced_line){c->keys + tmp[i].key, tmp[i].procore_id};
		c->synced_po[i] = tmp[i].po;
	}
	c->nsynced = n;
	free(tmp);
	return MLC_OK;
}

/* ---- read ---- */

/* What every page needs, read on the first page that has POs. */
static int prepare(struct po_ctx *c, struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;
	int rc;

	rc = segment_resolve(s, &c->seg, err);
	if (rc < 0)
		return rc;
	if (!c->seg.use)
		/* a NetSuite PO line names its cost code only through the segment */
		return error_set(
		    err, MLC_ECONFIG,
		    "purchase-orders needs the cost-code segment to give each line its "
		    "Procore cost code: %s",
		    c->seg.why);
	rc = refdata_load(&c->rd, c->r, true, c->seg.table, err);
	if (rc < 0)
		return rc;
	rc = synced_index(c, err);
	c->ready = rc == MLC_OK;
	return rc;
}

/* ---- plan ---- */

static void park(struct po_ctx *c, const char *src, const char *why, const json_t *payload)
{
	if (flow_park(c->r, "po", src, NULL, why, payload) < 0)
		c->failed = 1;
}

static void park_po(struct po_ctx *c, const struct ns_po *po, const char *src, const char *why)
{
	json_t *payload = ns_purchase_order_json(po);
	park(c, src, why, payload);
	json_decref(payload);
}

/* Plans one PO and records a park or a skip.  1 when p is to be written. */
static int plan_one(struct po_ctx *c, const struct ns_po *po, struct po_plan *p,
		    struct mlc_error *err)
{
	char target[48];
	int rc;

	rc = po_plan_make(po, &c->lk, p, err);
	if (rc < 0)
		return err->code ? rc : MLC_EPERM;
	switch (p->decision) {
	case PO_PARK:
		park_po(c, po, p->src, p->why);
		break;
	case PO_SKIP:
		snprintf(target, sizeof(target), "pc:commitment:%lld", (long long)p->contract_id);
		flow_record(c->r, FLOW_SKIP, "po", p->src, target, NULL, NULL);
		break;
	case PO_WRITE:
		return 1;
	case PO_IGNORE:
		break;
	}
	po_plan_release(p);
	return 0;
}

static void record_dry(struct po_ctx *c, const struct po_plan *p)
{
	char target[48];
	json_t *b;
	size_t i;

	snprintf(target, sizeof(target), "pc:commitment:%lld", (long long)p->contract_id);
	if (p->header_changed) {
		b = pc_commitment_json(&p->header, true);
		flow_record(c->r, p->contract_id ? FLOW_UPDATE : FLOW_CREATE, "po", p->src,
			    p->contract_id ? target : NULL, b, NULL);
		json_decref(b);
	}
	for (i = 0; i < p->nlines; i++) {
		b = pc_commitment_line_json(&p->lines[i].line, true);
		flow_record(c->r, p->lines[i].line.id ? FLOW_UPDATE : FLOW_CREATE, "poline",
			    p->lines[i].origin, NULL, b, NULL);
		json_decref(b);
	}
}

/* ---- apply ---- */

static const struct po_line_plan *line_by_origin(const struct po_plan *p, const char *origin)
{
	size_t i;

	for (i = 0; origin && i < p->nlines; i++)
		if (strcmp(p->lines[i].origin, origin) == 0)
			return &p->lines[i];
	return NULL;
}

/* Records one confirmed line in id_map and the plan. */
static void settle_line(struct po_ctx *c, const struct po_line_plan *lp,
			const struct pc_sync_item *it)
{
	struct mlc_session *s = c->r->s;
	struct mlc_error e2 = {0};
	char pk[32], target[48];
	bool removed = lp->line.zeroed;
	struct pc_commitment_line sent = lp->line;
	json_t *body;

	snprintf(pk, sizeof(pk), "%lld", (long long)it->id);
	snprintf(target, sizeof(target), "pc:commitment_line:%lld", (long long)it->id);
	if (idmap_put(s->store, s->tenant.id, "poline", lp->origin + strlen("ns:poline:"), pk,
		      lp->hash, &e2) < 0) {
		flow_record(c->r, FLOW_FAIL, "poline", lp->origin, target, NULL, e2.msg);
		c->failed = 1;
		return;
	}
	/*
	 * The line as sent, with Procore's id, as the header's record has it:
	 * not Procore's echo, which repeats the cost code, its line item
	 * types and the project (about 2 KB a line, kept per record by the run)
	 */
	sent.id = it->id;
	body = pc_commitment_line_json(&sent, true);
	/* a line sent without an id was a create */
	flow_record(c->r,
		    removed       ? FLOW_DELETE
		    : lp->line.id ? FLOW_UPDATE
				  : FLOW_CREATE,
		    "poline", lp->origin, target, body,
		    removed ? "removed from the NetSuite PO: zeroed in Procore" : NULL);
	json_decref(body);
}

/* Writes a contract's changed lines and settles them. */
static void write_lines(struct po_ctx *c, struct po_plan *p)
{
	struct pc_sync_reply reply = {0};
	const struct pc_commitment_line **lines;
	struct mlc_error err = {0};
	size_t i;

	if (!p->nlines)
		return;
	lines = xcalloc(p->nlines, sizeof(*lines));
	for (i = 0; i < p->nlines; i++)
		lines[i] = &p->lines[i].line;
	if (procore_commitment_lines_sync(c->r->s->pc, p->project_id, p->contract_id, lines,
					  p->nlines, &reply, &err) < 0) {
		flow_record(c->r, FLOW_FAIL, "poline", p->src, NULL, NULL, err.msg);
		c->failed = 1;
		goto out;
	}
	for (i = 0; i < reply.n; i++) {
		const struct pc_sync_item *it = &reply.items[i];
		const struct po_line_plan *lp;
		if (it->error) {
			/* a refused line leaves the PO unsettled: park it for a person */
			park(c, p->src, it->error, it->body);
		} else {
			lp = line_by_origin(p, it->origin_id);
			if (lp && it->id > 0)
				settle_line(c, lp, it);
		}
	}
out:
	pc_sync_reply_release(&reply);
	free(lines);
}

/* Records one confirmed header in id_map and the plan. */
static void settle_header(struct po_ctx *c, struct po_plan *p, const struct pc_sync_item *it)
{
	struct mlc_session *s = c->r->s;
	struct mlc_error e2 = {0};
	char k[32], pk[32], target[48];
	bool created = p->contract_id == 0;
	json_t *sent;

	p->contract_id = it->id;
	snprintf(k, sizeof(k), "%lld", (long long)p->po_id);
	snprintf(pk, sizeof(pk), "%lld", (long long)it->id);
	snprintf(target, sizeof(target), "pc:commitment:%lld", (long long)it->id);
	/* a Draft-first header is not settled until its real status is sent */
	if (idmap_put(s->store, s->tenant.id, "po", k, pk, p->final_status ? "" : p->header_hash,
		      &e2) < 0) {
		flow_record(c->r, FLOW_FAIL, "po", p->src, target, NULL, e2.msg);
		c->failed = 1;
		return;
	}
	flow_resolve(c->r, "po", p->src);
	sent = pc_commitment_json(&p->header, true);
	flow_record(c->r, created ? FLOW_CREATE : FLOW_UPDATE, "po", p->src, target, sent, NULL);
	json_decref(sent);
}

/* Settles a header reply: confirmed contracts, refused POs parked. */
static void settle_headers(struct po_ctx *c, struct po_plan **plans, size_t n,
			   const struct pc_sync_reply *reply)
{
	size_t i, j;

	for (j = 0; j < reply->n; j++) {
		const struct pc_sync_item *it = &reply->items[j];
		for (i = 0; it->origin_id && i < n; i++) {
			if (!plans[i]->header_changed || strcmp(plans[i]->src, it->origin_id) != 0)
				continue;
			if (!it->error && it->id > 0)
				settle_header(c, plans[i], it);
			else if (it->error) {
				plans[i]->contract_id = 0; /* no lines without a header */
				plans[i]->nlines = 0;
			}
		}
		if (it->error)
			park(c, it->origin_id ? it->origin_id : "ns:po:?", it->error, it->body);
	}
}

/*
 * Sends the changed headers of one project's plans.  < 0 when the call
 * failed: every header is recorded failed and no line is written.
 */
static int write_headers(struct po_ctx *c, struct po_plan **plans, size_t n)
{
	const struct pc_commitment **hs = xcalloc(n, sizeof(*hs));
	struct pc_sync_reply reply = {0};
	struct mlc_error err = {0};
	size_t i, k = 0;
	int rc = MLC_OK;

	for (i = 0; i < n; i++)
		if (plans[i]->header_changed)
			hs[k++] = &plans[i]->header;
	if (!k)
		goto out;
	rc = procore_commitments_sync(c->r->s->pc, plans[0]->project_id, hs, k, &reply, &err);
	if (rc < 0) {
		for (i = 0; i < n; i++)
			if (plans[i]->header_changed)
				flow_record(c->r, FLOW_FAIL, "po", plans[i]->src, NULL, NULL,
					    err.msg);
		c->failed = 1;
		goto out;
	}
	settle_headers(c, plans, n, &reply);
out:
	pc_sync_reply_release(&reply);
	free(hs);
	return rc;
}

/*
 * The lines of a contract that existed before this run: in place while
 * Procore holds it in Draft, else by change order (po_cco.h).
 */
static void write_changes(struct po_ctx *c, struct po_plan *p)
{
	struct pc_commitment_state st;
	struct mlc_error err = {0};

	if (procore_commitment_state(c->r->s->pc, p->project_id, p->contract_id, &st, &err) < 0) {
		flow_record(c->r, FLOW_FAIL, "po", p->src, NULL, NULL, err.msg);
		c->failed = 1;
	} else if (po_commitment_editable(st.status)) {
		write_lines(c, p);
	} else {
		po_cco_apply(c->r, p, &c->failed);
	}
}

/* New commitments with lines go in as Draft: the SOV of any other status is locked. */
static void draft_first(struct po_plan **plans, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct po_plan *p = plans[i];
		if (!p->contract_id && p->nlines && !po_commitment_editable(p->header.status)) {
			p->final_status = p->header.status;
			p->header.status = "Draft";
		}
	}
}

/* Then their real status: one more header call for those. */
static void final_status(struct po_ctx *c, struct po_plan **plans, size_t n)
{
	struct po_plan **due = xcalloc(n + 1, sizeof(*due));
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (plans[i]->final_status && plans[i]->contract_id) {
			plans[i]->header.status = plans[i]->final_status;
			plans[i]->final_status = NULL;
			plans[i]->header_changed = true;
			plans[i]->nlines = 0;
			due[k++] = plans[i];
		}
	}
	if (k && write_headers(c, due, k) < 0)
		c->failed = 1;
	free(due);
}

/*
 * The lines of a contract created Draft in this run; when they do not all
 * land, its real status is not sent (it stays Draft, its id map hash
 * empty), so the next run finishes the lines in place before the status.
 */
static void write_new_lines(struct po_ctx *c, struct po_plan *p)
{
	int before = c->failed;

	c->failed = 0;
	write_lines(c, p);
	if (c->failed)
		p->final_status = NULL;
	c->failed |= before;
}

/*
 * One project's plans: the lines of contracts that existed before this run
 * first (in place while Procore still holds them in Draft, e.g. a Draft-first
 * contract whose lines did not all land last time, else by change order),
 * then headers, then the lines of contracts created now, then the real
 * status of those whose lines all landed.
 */
static void write_project(struct po_ctx *c, struct po_plan **plans, size_t n)
{
	bool *existed = xcalloc(n + 1, sizeof(*existed));
	size_t i;

	for (i = 0; i < n; i++) {
		existed[i] = plans[i]->contract_id != 0;
		if (existed[i] && plans[i]->nlines)
			write_changes(c, plans[i]);
	}
	draft_first(plans, n);
	if (write_headers(c, plans, n) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (existed[i]) {
			continue;
		} else if (plans[i]->contract_id) {
			write_new_lines(c, plans[i]);
		} else if (plans[i]->nlines) {
			flow_record(c->r, FLOW_FAIL, "po", plans[i]->src, NULL, NULL,
				    "Procore's sync reply did not confirm the contract");
			c->failed = 1;
		}
	}
	final_status(c, plans, n);
out:
	free(existed);
}

static int by_project(const void *a, const void *b)
{
	const struct po_plan *x = *(const struct po_plan *const *)a;
	const struct po_plan *y = *(const struct po_plan *const *)b;
	if (x->project_id != y->project_id)
		return x->project_id < y->project_id ? -1 : 1;
	return x->po_id < y->po_id ? -1 : x->po_id > y->po_id;
}

/* One header call per project (at most SYNC_BATCH per call). */
static void apply(struct po_ctx *c, struct po_plan **plans, size_t n)
{
	size_t i, j;

	qsort(plans, n, sizeof(*plans), by_project);
	for (i = 0; i < n; i = j) {
		j = i + 1;
		while (j < n && j - i < SYNC_BATCH && plans[j]->project_id == plans[i]->project_id)
			j++;
		write_project(c, &plans[i], j - i);
	}
}

/* Plans every PO (noting its modification in the window w), then writes. */
static int plan_apply(struct po_ctx *c, const struct ns_po *pos, size_t n, struct flow_window *w,
		      struct mlc_error *err)
{
	struct po_plan *plans = xcalloc(n + 1, sizeof(*plans));
	struct po_plan **order = xcalloc(n + 1, sizeof(*order));
	size_t nplans = 0, i;
	int rc = MLC_OK;

	for (i = 0; i < n; i++) {
		c->r->stats.read++;
		flow_seen(w, pos[i].lastmodified);
		error_clear(err);
		rc = plan_one(c, &pos[i], &plans[nplans], err);
		if (rc < 0)
			goto out;
		if (rc == 1) {
			order[nplans] = &plans[nplans];
			nplans++;
		}
	}
	rc = MLC_OK;
	if (c->r->opts.dry_run)
		for (i = 0; i < nplans; i++)
			record_dry(c, order[i]);
	else
		apply(c, order, nplans);
out:
	for (i = 0; i < nplans; i++)
		po_plan_release(&plans[i]);
	free(plans);
	free(order);
	return rc;
}

/* One page of POs: its lines, then plan and write (the page is freed after). */
static int on_page(void *arg, struct ns_po *pos, size_t n, struct mlc_error *err)
{
	struct po_ctx *c = arg;
	int rc = MLC_OK;

	if (!n)
		return MLC_OK;
	if (!c->ready)
		rc = prepare(c, err);
	if (rc >= 0)
		rc = netsuite_purchase_order_lines(c->r->s->ns, c->seg.field, pos, n, err);
	if (rc >= 0)
		rc = plan_apply(c, pos, n, c->w, err);
	return rc;
}

int flow_purchase_orders(struct flow_run *r, struct mlc_error *err)
{
	struct po_ctx c;
	struct flow_window w;
	int rc;

	ctx_init(&c, r);
	c.w = &w;
	rc = flow_since(r, FLOW_CLOCK_NETSUITE, "", &w, err);
	if (rc < 0)
		goto out;
	rc =
	    netsuite_purchase_orders_pages(r->s->ns, w.since[0] ? w.since : NULL, on_page, &c, err);
	if (rc < 0 || !c.ready || r->opts.dry_run)
		goto out;
	/* every failure above is a FLOW_FAIL: the frame keeps the watermark then */
	rc = flow_advance(r, &w, err);
	if (rc < 0)
		goto out;
	rc = c.failed ? error_set(err, MLC_ETRANSIENT,
				  "some purchase orders failed; the watermark stays")
		      : MLC_OK;
out:
	ctx_release(&c);
	return rc;
}
