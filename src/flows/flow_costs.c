/*
 * Flow "costs": approved Procore direct costs (and payment applications)
 * -> NetSuite journal entries, exactly once, to the cent.
 *
 * A unit is what one journal entry carries: a direct cost (mode
 * per-document, externalId pc:<company>:dc:<id>) or all approved direct
 * costs of a project-day (mode daily, pc:<company>:<project>:je:<date>).
 * Entries are upserted by external id (PUT .../journalEntry/eid:...), so a
 * retry or a replay cannot duplicate them.
 *
 * The posting ledger (core/postings.h) says what was posted per Procore
 * line.  A unit whose lines differ from the ledger is posted again:
 *  - never posted: the entry, dated by the document (a date in a closed
 *    period goes to the first open period under policy `adjust`, or is
 *    parked under `hold`);
 *  - posted, period open, never adjusted: the entry is re-upserted;
 *  - otherwise (period closed, or a document deleted/unapproved): an
 *    adjustment entry <base>:adj:<n> with the difference, in the entry's
 *    own period when open, else the first open period, referencing the
 *    original; policy `hold` parks closed-period edits instead.
 * Nothing is posted half-mapped: an unmapped cost code parks the unit.
 *
 * Each unit is read -> plan -> apply: the adapters give typed documents
 * (procore/pc_costs.h) and periods (netsuite/ns_costs.h); want_rows and
 * posted_rows turn the unit and the ledger into rows; cost_plan_unit
 * (flows/cost_plan.h, pure, table-tested) decides; apply_plan writes.
 * Watermarks (one per project, Procore's clock) and parking go through the
 * frame (flows/flow.h): a watermark moves only when the run failed nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/canon.h"
#include "core/postings.h"
#include "core/project.h"
#include "flows/cost_plan.h"
#include "flows/cost_post.h"
#include "flows/costs_one.h"
#include "flows/doc_lock.h"
#include "flows/flow.h"
#include "flows/journal.h"
#include "flows/links.h"
#include "flows/refdata.h"
#include "flows/review_apply.h"
#include "flows/segment.h"
#include "netsuite/ns_costs.h"
#include "procore/pc_costs.h"
#include "util/idset.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

/* What one journal entry carries: one document, or a project-day of them. */
struct unit {
	int64_t project_id;
	char doc_ref[128];
	char eid[160];
	char date[11];
	struct canon_cost_doc **docs;
	size_t ndocs;
};

/* ---- read: the unit's rows as Procore says, and as the ledger says ------------------------ */

/* The ledger rows for what the unit says now.  MLC_ENOTFOUND / MLC_EINVAL
 * with the reason when a line has no account to post to. */
/* An owner invoice's rows: per line, the revenue for the work billed and
 * (source_ref suffixed ":retainage") the retainage held. */
static int payapp_rows(struct costs *c, const struct cost_post_ctx *ctx,
		       const struct canon_cost_doc *d, struct cost_rows *rows,
		       struct mlc_error *err)
{
	int64_t revenue = 0, retain = 0;
	struct mlc_error e2 = {0};
	int rc = cost_post_offset(ctx, "payment_application.credit", &revenue, err);

	if (rc >= 0)
		rc = cost_post_offset(ctx, "payment_application.debit", &retain, err);
	if (rc < 0)
		return err->code ? err->code : MLC_ENOTFOUND;
	if (cost_post_offset(ctx, "payment_application.retainage", &retain, &e2) < 0)
		error_clear(&e2); /* the receivable holds it: retain keeps that account */
	for (size_t j = 0; j < d->nlines; j++) {
		const struct canon_cost_line *l = &d->lines[j];
		for (int part = 0; part < 2; part++) {
			struct cost_row row = {0};
			row.amount = part ? l->retainage : l->amount;
			if (!row.amount)
				continue;
			row.account = part ? retain : revenue;
			snprintf(row.source_ref, sizeof(row.source_ref), "pc:%lld:paline:%lld%s",
				 (long long)c->r->s->tenant.procore_company_id, (long long)l->id,
				 part ? ":retainage" : "");
			str_copy(row.doc_type, sizeof(row.doc_type), "payment_application");
			str_copy(row.cost_code, sizeof(row.cost_code),
				 l->cost_code ? l->cost_code : "");
			row.project_id = d->project_id;
			row.doc_id = d->id;
			cost_rows_add(rows, &row);
		}
	}
	return MLC_OK;
}

static int want_rows(struct costs *c, const struct cost_post_ctx *ctx, const struct unit *u,
		     struct cost_rows *rows, struct mlc_error *err)
{
	for (size_t i = 0; i < u->ndocs; i++) {
		const struct canon_cost_doc *d = u->docs[i];
		if (d->kind && strcmp(d->kind, "payment_application") == 0) {
			int rc = payapp_rows(c, ctx, d, rows, err);
			if (rc < 0)
				return rc;
			continue;
		}
		for (size_t j = 0; j < d->nlines; j++) {
			const struct canon_cost_line *l = &d->lines[j];
			struct cost_row row = {0};
			if (!l->amount)
				continue;
			if (cost_post_account(ctx, l->cost_code ? l->cost_code : "", l->cost_type,
					      &row.account, err) < 0)
				return err->code ? err->code : MLC_ENOTFOUND;
			snprintf(row.source_ref, sizeof(row.source_ref), "pc:%lld:dcline:%lld",
				 (long long)c->r->s->tenant.procore_company_id, (long long)l->id);
			str_copy(row.doc_type, sizeof(row.doc_type),
				 d->doc_type ? d->doc_type : "");
			str_copy(row.cost_code, sizeof(row.cost_code),
				 l->cost_code ? l->cost_code : "");
			str_copy(row.cost_type, sizeof(row.cost_type),
				 l->cost_type ? l->cost_type : "");
			row.project_id = d->project_id;
			row.doc_id = d->id;
			row.amount = l->amount;
			cost_rows_add(rows, &row);
		}
	}
	return MLC_OK;
}

static const char *text_or_empty(const json_t *o, const char *k)
{
	return jsonx_str(o, k) ? jsonx_str(o, k) : "";
}

/* The posting ledger's rows of a unit (core/postings.h), as structs. */
static int posted_rows(struct costs *c, const char *doc_ref, struct cost_rows *rows,
		       struct mlc_error *err)
{
	json_t *list = NULL, *v;
	size_t i;
	int rc = postings_for_doc(c->r->s->store, c->r->s->tenant.id, doc_ref, &list, err);

	if (rc < 0)
		return rc;
	json_array_foreach (list, i, v) {
		struct cost_row row = {0};
		str_copy(row.source_ref, sizeof(row.source_ref), text_or_empty(v, "source_ref"));
		str_copy(row.doc_type, sizeof(row.doc_type), text_or_empty(v, "doc_type"));
		str_copy(row.cost_code, sizeof(row.cost_code), text_or_empty(v, "cost_code"));
		str_copy(row.cost_type, sizeof(row.cost_type), text_or_empty(v, "cost_type"));
		str_copy(row.je, sizeof(row.je), text_or_empty(v, "je"));
		str_copy(row.period, sizeof(row.period), text_or_empty(v, "period"));
		row.project_id = json_integer_value(json_object_get(v, "project_id"));
		row.doc_id = json_integer_value(json_object_get(v, "doc_id"));
		row.account = json_integer_value(json_object_get(v, "account"));
		row.amount = json_integer_value(json_object_get(v, "amount"));
		cost_rows_add(rows, &row);
	}
	json_decref(list);
	return MLC_OK;
}

/* The rows as the ledger stores them (core/postings.h), in the entry's period. */
static json_t *rows_json(const struct cost_rows *rows, const char *doc_ref, const char *date)
{
	json_t *out = json_array();
	char ym[8];

	snprintf(ym, sizeof(ym), "%.7s", date);
	for (size_t i = 0; i < rows->n; i++) {
		const struct cost_row *r = &rows->v[i];
		json_array_append_new(
		    out, json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:s}",
				   "source_ref", r->source_ref, "doc_ref", doc_ref, "project_id",
				   (json_int_t)r->project_id, "doc_type", r->doc_type, "cost_code",
				   r->cost_code, "cost_type", r->cost_type, "account",
				   (json_int_t)r->account, "amount", (json_int_t)r->amount,
				   "doc_id", (json_int_t)r->doc_id, "period", ym));
	}
	return out;
}

/* ---- apply: the entry the plan asks for ------------------------------------------------------ */

/* An adjustment's lines: a synthetic document per doc type carrying the
 * rows' amounts, in first-seen order of the types. */
static int post_rows(const struct cost_post_ctx *ctx, const struct cost_rows *rows, int64_t doc_id,
		     struct journal *j, struct mlc_error *err)
{
	struct canon_cost_line *lines = xcalloc(rows->n + 1, sizeof(*lines));
	int rc = MLC_OK;

	for (size_t i = 0; i < rows->n && rc == MLC_OK; i++) {
		const char *t = rows->v[i].doc_type;
		struct canon_cost_doc d = {0};
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = strcmp(rows->v[k].doc_type, t) == 0;
		if (seen)
			continue;
		d.id = doc_id;
		d.kind = (char *)(strcmp(t, "payment_application") == 0 ? "payment_application"
									: "direct_cost");
		d.doc_type = (char *)t;
		d.lines = lines;
		for (size_t k = i; k < rows->n; k++) {
			const struct cost_row *r = &rows->v[k];
			if (strcmp(r->doc_type, t) != 0)
				continue;
			memset(&lines[d.nlines], 0, sizeof(lines[0]));
			lines[d.nlines].cost_code = (char *)r->cost_code;
			lines[d.nlines].cost_type = (char *)(*r->cost_type ? r->cost_type : NULL);
			/* an owner invoice's retainage row moves retainage only */
			if (str_ends_with(r->source_ref, ":retainage"))
				lines[d.nlines].retainage = r->amount;
			else
				lines[d.nlines].amount = r->amount;
			d.nlines++;
		}
		rc = cost_post_lines(ctx, &d, j, err);
	}
	free(lines);
	return rc;
}

/* The entry the plan asks for; < 0 (reason in err) when a line cannot be mapped. */
static int build_journal(const struct cost_post_ctx *ctx, const struct unit *u,
			 const struct cost_plan *p, struct journal *j, struct mlc_error *err)
{
	int rc = MLC_OK;

	journal_init(j, p->eid, p->date, ctx->link->subsidiary_id,
		     p->kind == COST_ADJUST ? p->memo : NULL);
	if (p->kind == COST_ADJUST)
		return post_rows(ctx, &p->rows, p->doc_id, j, err);
	for (size_t i = 0; i < u->ndocs && rc == MLC_OK; i++)
		rc = cost_post_lines(ctx, u->docs[i], j, err);
	return rc;
}

static void park_unit(struct costs *c, const struct unit *u, const char *why)
{
	json_t *payload = json_pack("{s:I}", "project_id", (json_int_t)u->project_id);

	/* a park that cannot be stored is recorded as a failure by the frame */
	if (flow_park_as(c->r, "costs", "je", u->doc_ref, NULL, why, payload) < 0)
		log_warn("costs: unit not parked", "unit", u->doc_ref);
	json_decref(payload);
}

/* A unit that would be parked.  For an event (costs_one.h) it is left to
 * the full run instead, whose reference data and periods are fresh: an
 * event places a record only when it is sure, so a cached view never parks
 * one. */
static void park_or_leave(struct costs *c, const struct unit *u, const char *why)
{
	if (c->event)
		flow_record(c->r, FLOW_FAIL, "je", u->doc_ref, NULL, NULL, why);
	else
		park_unit(c, u, why);
}

/* Upserts the entry and, when NetSuite has it, replaces its ledger rows. */
static void write_journal(struct costs *c, const struct unit *u, struct journal *j,
			  const struct cost_plan *p)
{
	struct mlc_session *s = c->r->s;
	struct mlc_error err = {0};
	char target[200];
	int64_t id = 0;
	bool closed = false;
	json_t *body, *summary, *rows;

	journal_collapse(j);
	if (journal_check(j, &err) < 0) {
		/* cannot happen for balanced inputs; never send an unbalanced entry */
		flow_record(c->r, FLOW_FAIL, "je", u->doc_ref, j->external_id, NULL, err.msg);
		return;
	}
	body = journal_to_json(j, c->seg.use ? c->seg.field : NULL);
	snprintf(target, sizeof(target), "ns:je:%s", j->external_id);
	if (c->r->opts.dry_run) {
		flow_record(c->r, p->action, "je", u->doc_ref, target, body, NULL);
		json_decref(body);
		return;
	}
	summary = json_deep_copy(body);
	if (netsuite_journal_upsert(s->ns, j->external_id, body, &id, &closed, &err) < 0) {
		if (closed)
			park_or_leave(c, u, err.msg);
		else
			flow_record(c->r, FLOW_FAIL, "je", u->doc_ref, target, summary, err.msg);
		json_decref(summary);
		return;
	}
	rows = rows_json(&p->rows, u->doc_ref, j->tran_date);
	if (postings_replace_je(s->store, s->tenant.id, j->external_id, rows, &err) < 0) {
		flow_record(c->r, FLOW_FAIL, "je", u->doc_ref, target, summary, err.msg);
	} else {
		flow_resolve(c->r, "costs", u->doc_ref);
		flow_record(c->r, p->action, "je", u->doc_ref, target, summary, NULL);
	}
	json_decref(rows);
	json_decref(summary);
}

static void apply_plan(struct costs *c, const struct cost_post_ctx *ctx, const struct unit *u,
		       const struct cost_plan *p)
{
	struct mlc_error err = {0};
	struct journal j;

	memset(&j, 0, sizeof(j));
	switch (p->kind) {
	case COST_NOTHING:
		break;
	case COST_SKIP:
		flow_record(c->r, FLOW_SKIP, "je", u->doc_ref, NULL, NULL, NULL);
		break;
	case COST_PARK:
		park_or_leave(c, u, p->why);
		break;
	case COST_FIRST:
	case COST_REWRITE:
	case COST_ADJUST:
		if (build_journal(ctx, u, p, &j, &err) < 0)
			park_or_leave(c, u, err.msg);
		else
			write_journal(c, u, &j, p);
		break;
	}
	journal_release(&j);
}

/* read -> plan -> apply for one unit.  < 0 only when the ledger cannot be read. */
static int do_unit(struct costs *c, const struct cost_post_ctx *ctx, const struct unit *u,
		   struct mlc_error *err)
{
	struct cost_rows want = {0}, posted = {0};
	struct cost_plan plan = {0};
	struct canon_period *pin = NULL;
	struct cost_unit_in in = {
	    .eid = u->eid,
	    .date = u->date,
	    .want = &want,
	    .posted = &posted,
	    .periods = c->periods,
	    .nperiods = c->nperiods,
	    .hold = c->hold,
	    .doc_id = u->ndocs == 1 ? u->docs[0]->id : 0,
	};
	int rc;

	error_clear(err);
	rc = want_rows(c, ctx, u, &want, err);
	if (rc < 0) {
		if (rc != MLC_ENOTFOUND && rc != MLC_EINVAL)
			goto out;
		in.unmapped = err->msg;
	} else {
		rc = posted_rows(c, u->doc_ref, &posted, err);
		if (rc < 0)
			goto out;
	}
	review_apply_costs(c->r, u->doc_ref, &in, &pin); /* a person's decision on a park */
	cost_plan_unit(&in, &plan);
	apply_plan(c, ctx, u, &plan);
	rc = MLC_OK;
out:
	free(pin);
	cost_plan_release(&plan);
	cost_rows_release(&want);
	cost_rows_release(&posted);
	return rc;
}

/* ---- per project ------------------------------------------------------------------------- */

/* A document to look at: changed in Procore, or posted and no longer approved there. */
struct changed_doc {
	int64_t id;
	const struct pc_cost_head *head; /* as listed now; NULL when gone */
	char gone_ref[128];              /* the ledger's doc_ref of a gone document, or "" */
};

struct project_read {
	struct flow_window w;
	struct pc_cost_heads all;
	struct pc_cost_lines lines;
	struct canon_cost_doc *docs;
	size_t ndocs;
	struct changed_doc *changed;
	size_t nchanged;
	struct mlc_idset changed_ix, head_ix, doc_ix; /* id -> index in changed, all, docs */
	int64_t read_ms;                              /* time_now_ms() before the first read */
	bool held; /* a document was left to the next run: the watermark stays */
};

/* The changed document id, added (in first-seen order) when new; NULL for id 0. */
static struct changed_doc *changed_add(struct project_read *pr, int64_t id)
{
	struct changed_doc *d;
	size_t k;

	if (idset_get(&pr->changed_ix, id, &k))
		return &pr->changed[k];
	if (!idset_put(&pr->changed_ix, id, pr->nchanged))
		return NULL;
	pr->changed = xrealloc(pr->changed, (pr->nchanged + 1) * sizeof(*pr->changed));
	d = &pr->changed[pr->nchanged++];
	memset(d, 0, sizeof(*d));
	d->id = id;
	return d;
}

static void project_read_release(struct project_read *pr)
{
	for (size_t i = 0; i < pr->ndocs; i++)
		canon_cost_doc_release(&pr->docs[i]);
	free(pr->docs);
	free(pr->changed);
	idset_release(&pr->changed_ix);
	idset_release(&pr->head_ix);
	idset_release(&pr->doc_ix);
	pc_cost_heads_release(&pr->all);
	pc_cost_lines_release(&pr->lines);
}

/* The changed documents and lines since the watermark (with none, the
 * whole lists, which are then also what the rest reads). */
static int read_changes(struct costs *c, int64_t project, struct project_read *pr,
			struct mlc_error *err)
{
	struct mlc_procore *pc = c->r->s->pc;
	struct pc_cost_heads ch = {0};
	struct pc_cost_lines cl = {0};
	bool incremental = pr->w.since[0] != '\0';
	int rc;

	rc = procore_direct_costs(pc, project, pr->w.since, incremental ? &ch : &pr->all, err);
	if (rc >= 0)
		rc = procore_direct_cost_lines(pc, project, pr->w.since,
					       incremental ? &cl : &pr->lines, err);
	if (rc < 0)
		goto out;
	const struct pc_cost_heads *h = incremental ? &ch : &pr->all;
	const struct pc_cost_lines *l = incremental ? &cl : &pr->lines;
	for (size_t i = 0; i < h->n; i++) {
		flow_seen(&pr->w, h->v[i].doc.updated_at);
		changed_add(pr, h->v[i].doc.id);
	}
	for (size_t i = 0; i < l->n; i++) {
		flow_seen(&pr->w, l->v[i].updated_at);
		changed_add(pr, l->v[i].holder);
	}
	/* every document of the project: daily units are rebuilt whole, and a
	 * document posted before but gone (deleted) or no longer approved
	 * here is reversed; Procore has no feed of deletions */
	if (incremental)
		rc = procore_direct_costs(pc, project, NULL, &pr->all, err);
out:
	pc_cost_heads_release(&ch);
	pc_cost_lines_release(&cl);
	return rc;
}

/* Indexes every listed document by id (the first listing of an id wins). */
static void index_heads(struct project_read *pr)
{
	for (size_t i = 0; i < pr->all.n; i++)
		idset_put(&pr->head_ix, pr->all.v[i].doc.id, i);
}

static const struct pc_cost_head *head_of(const struct project_read *pr, int64_t id)
{
	size_t k;
	return idset_get(&pr->head_ix, id, &k) ? &pr->all.v[k] : NULL;
}

/* Documents the ledger holds open that Procore no longer lists as approved. */
static int add_gone(struct costs *c, int64_t project, struct project_read *pr,
		    struct mlc_error *err)
{
	json_t *open = NULL, *o;
	size_t i;
	int rc = postings_open_docs(c->r->s->store, c->r->s->tenant.id, project, &open, err);

	if (rc < 0)
		return rc;
	json_array_foreach (open, i, o) {
		int64_t id = json_integer_value(json_object_get(o, "doc_id"));
		const struct pc_cost_head *h = head_of(pr, id);
		struct changed_doc *d;
		if (h && h->approved)
			continue;
		d = changed_add(pr, id);
		if (d)
			str_copy(d->gone_ref, sizeof(d->gone_ref), text_or_empty(o, "doc_ref"));
	}
	json_decref(open);
	return MLC_OK;
}

/* Reads what a project's run needs; *work false when nothing changed. */
static int read_project(struct costs *c, int64_t project, struct project_read *pr, bool *work,
			struct mlc_error *err)
{
	int rc;

	*work = false;
	pr->read_ms = time_now_ms();
	rc = read_changes(c, project, pr, err);
	if (rc < 0)
		return rc;
	index_heads(pr);
	rc = add_gone(c, project, pr, err);
	if (rc < 0)
		return rc;
	if (!pr->nchanged)
		return MLC_OK;
	c->r->stats.read += (int64_t)pr->nchanged;
	/* incremental: the lines read so far were the changed ones */
	if (pr->w.since[0]) {
		pc_cost_lines_release(&pr->lines);
		rc = procore_direct_cost_lines(c->r->s->pc, project, NULL, &pr->lines, err);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < pr->nchanged; i++)
		pr->changed[i].head = head_of(pr, pr->changed[i].id);
	rc = pc_costs_canon(&pr->all, &pr->lines, &pr->docs, &pr->ndocs, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < pr->ndocs; i++)
		idset_put(&pr->doc_ix, pr->docs[i].id, i);
	*work = true;
	return MLC_OK;
}

static int by_date(const void *a, const void *b)
{
	const struct canon_cost_doc *const *x = a, *const *y = b;
	int d = strcmp((*x)->date, (*y)->date);
	return d ? d : ((*x)->id < (*y)->id ? -1 : (*x)->id > (*y)->id);
}

int costs_post_one(struct costs *c, const struct cost_post_ctx *ctx, int64_t project,
		   int64_t doc_id, const char *date, struct canon_cost_doc *doc,
		   struct mlc_error *err)
{
	struct canon_cost_doc *mine[1] = {doc};
	struct unit u = {.project_id = project};

	costs_doc_ref(c->r->s->tenant.procore_company_id, doc_id, u.doc_ref, sizeof(u.doc_ref));
	snprintf(u.eid, sizeof(u.eid), "%s", u.doc_ref);
	str_copy(u.date, sizeof(u.date), date ? date : c->today);
	if (doc) {
		u.docs = mine;
		u.ndocs = 1;
	}
	return do_unit(c, ctx, &u, err);
}

/*
 * Whether a record event (or another process) posted the document after
 * this run read Procore: this run's copy is then older than the ledger's,
 * and planning from it would undo the newer posting (a cost approved
 * while the run read reversed as gone, re-posted a run later).  Such a
 * document is left to the next run, whose read is newer (for a direct
 * cost the project's watermark stays).  Under the document lock.
 */
static int posted_after_read(struct costs *c, int64_t read_ms, const char *key, bool *newer,
			     struct mlc_error *err)
{
	int rc =
	    postings_doc_posted_since(c->r->s->store, c->r->s->tenant.id, key, read_ms, newer, err);

	if (rc == MLC_OK && *newer) {
		flow_record(c->r, FLOW_SKIP, "je", key, NULL, NULL, NULL);
		log_info("costs: posted by an event after this run read Procore; the next run "
			 "reads it again",
			 "doc", key);
	}
	return rc;
}

/* Per document: each changed one is a unit (a gone one's reversal goes in
 * today's books), posted under its document lock (costs_one.h). */
static int units_per_document(struct costs *c, const struct cost_post_ctx *ctx,
			      struct project_read *pr, int64_t project, struct mlc_error *err)
{
	int rc = MLC_OK;

	for (size_t i = 0; i < pr->nchanged && rc == MLC_OK; i++) {
		const struct changed_doc *cd = &pr->changed[i];
		char key[128];
		size_t k;
		bool newer = false;
		costs_doc_ref(c->r->s->tenant.procore_company_id, cd->id, key, sizeof(key));
		doc_lock(key);
		rc = posted_after_read(c, pr->read_ms, key, &newer, err);
		pr->held = pr->held || newer;
		if (rc == MLC_OK && !newer)
			rc = costs_post_one(
			    c, ctx, project, cd->id,
			    cd->head && cd->head->doc.date ? cd->head->doc.date : NULL,
			    idset_get(&pr->doc_ix, cd->id, &k) ? &pr->docs[k] : NULL, err);
		doc_unlock(key);
	}
	return rc;
}

/* The day a changed document touches: its date, or for a gone one the day
 * of the entry it was posted in; NULL when neither is known. */
static const char *day_of(const struct changed_doc *cd)
{
	if (cd->head && cd->head->doc.date)
		return cd->head->doc.date;
	if (!cd->head && strstr(cd->gone_ref, ":je:"))
		return strstr(cd->gone_ref, ":je:") + 4;
	return NULL;
}

struct day_ref {
	const char *day;
	size_t at; /* index in changed */
};

static int by_day(const void *a, const void *b)
{
	const struct day_ref *x = a, *y = b;
	int d = strcmp(x->day, y->day);
	return d ? d : (x->at < y->at ? -1 : x->at > y->at);
}

/* first[i] is set when changed[i] is the first change touching its day. */
static void first_of_day(const struct project_read *pr, bool *first)
{
	struct day_ref *refs = xcalloc(pr->nchanged + 1, sizeof(*refs));
	size_t n = 0;

	for (size_t i = 0; i < pr->nchanged; i++)
		if (day_of(&pr->changed[i]))
			refs[n++] = (struct day_ref){day_of(&pr->changed[i]), i};
	qsort(refs, n, sizeof(*refs), by_day);
	for (size_t i = 0; i < n; i++)
		first[refs[i].at] = i == 0 || strcmp(refs[i - 1].day, refs[i].day) != 0;
	free(refs);
}

/* The unit of one project-day: every approved document of that day
 * (sorted holds them by date, so they are adjacent). */
static void day_unit(struct costs *c, int64_t project, const char *day,
		     struct canon_cost_doc **sorted, size_t ndocs, struct unit *u)
{
	memset(u, 0, sizeof(*u));
	u->project_id = project;
	snprintf(u->doc_ref, sizeof(u->doc_ref), "pc:%lld:%lld:je:%s",
		 (long long)c->r->s->tenant.procore_company_id, (long long)project, day);
	snprintf(u->eid, sizeof(u->eid), "%s", u->doc_ref);
	str_copy(u->date, sizeof(u->date), day);
	for (size_t k = 0; k < ndocs; k++) {
		if (strcmp(sorted[k]->date, day) != 0)
			continue;
		if (!u->docs)
			u->docs = &sorted[k];
		u->ndocs++;
	}
}

/* Daily: the days touched by a change, in the order first touched, each
 * rebuilt from all its documents. */
static int units_daily(struct costs *c, const struct cost_post_ctx *ctx, struct project_read *pr,
		       int64_t project, struct mlc_error *err)
{
	struct canon_cost_doc **sorted = xcalloc(pr->ndocs + 1, sizeof(*sorted));
	bool *first = xcalloc(pr->nchanged + 1, sizeof(*first));
	int rc = MLC_OK;

	for (size_t i = 0; i < pr->ndocs; i++)
		sorted[i] = &pr->docs[i];
	qsort(sorted, pr->ndocs, sizeof(*sorted), by_date);
	first_of_day(pr, first);
	for (size_t i = 0; i < pr->nchanged && rc == MLC_OK; i++) {
		struct unit u;
		if (!first[i])
			continue;
		day_unit(c, project, day_of(&pr->changed[i]), sorted, pr->ndocs, &u);
		rc = do_unit(c, ctx, &u, err);
	}
	free(first);
	free(sorted);
	return rc;
}

static int do_project(struct costs *c, const struct mlc_project_link *link, struct mlc_error *err)
{
	struct project_read pr;
	char scope[32], label[160];
	int64_t project = link->procore_project_id;
	bool work = false;
	int rc;

	memset(&pr, 0, sizeof(pr));
	snprintf(scope, sizeof(scope), "%lld", (long long)project);
	rc = flow_since(c->r, FLOW_CLOCK_PROCORE, scope, &pr.w, err);
	if (rc >= 0)
		rc = read_project(c, project, &pr, &work, err);
	if (rc < 0 || !work)
		goto out;
	refdata_project_label(&c->rd, project, label, sizeof(label));
	struct cost_post_ctx ctx = {c->r->s->store, c->r->s->tenant.id, link, c->seg.use,
				    label,          c->rd.code_seg};
	rc = c->daily ? units_daily(c, &ctx, &pr, project, err)
		      : units_per_document(c, &ctx, &pr, project, err);
	if (rc == MLC_OK && !pr.held)
		rc = flow_advance(c->r, &pr.w, err);
out:
	project_read_release(&pr);
	return rc;
}

/* Whether an owner invoice's lines sum to its header (cost_lines_tie). */
static bool payapp_ties(const struct pc_payapp *p, char *why, size_t n)
{
	int64_t *amounts = xcalloc(p->doc.nlines + 1, sizeof(*amounts));
	bool ok;

	for (size_t i = 0; i < p->doc.nlines; i++)
		amounts[i] = p->doc.lines[i].amount;
	ok = cost_lines_tie(amounts, p->doc.nlines, p->header, why, n);
	free(amounts);
	return ok;
}

/*
 * Payment applications (owner invoices on the prime contract): an approved
 * one posts each contract item by its cost code (cost_post.h): revenue for
 * the work billed this period, the receivable for that less the retainage
 * held, the retainage receivable for the retainage.  Lines that do not sum
 * to the header's total_amount_accrued_this_period park the invoice with
 * the difference.  Same units, ledger and closed-period rules as direct
 * costs; externalId pc:<company>:pa:<id>.  Nothing is written back to
 * Procore: an owner invoice carrying an origin_id is immutable there.
 */
static int do_payapps(struct costs *c, const struct mlc_project_link *link, struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;
	struct pc_payapp *pa = NULL;
	char label[160];
	size_t n = 0;
	int64_t read_ms = time_now_ms();
	int rc;

	rc = procore_payment_applications(s->pc, link->procore_project_id, &pa, &n, err);
	if (rc < 0)
		return rc;
	refdata_project_label(&c->rd, link->procore_project_id, label, sizeof(label));
	struct cost_post_ctx ctx = {s->store,   s->tenant.id, link,
				    c->seg.use, label,        c->rd.code_seg};
	for (size_t i = 0; i < n && rc == MLC_OK; i++) {
		char key[128];
		costs_payapp_ref(s->tenant.procore_company_id, pa[i].doc.id, key, sizeof(key));
		bool newer = false;
		doc_lock(key);
		rc = posted_after_read(c, read_ms, key, &newer, err);
		if (rc == MLC_OK && !newer)
			rc = costs_post_payapp(c, &ctx, &pa[i], err);
		doc_unlock(key);
	}
	pc_payapps_free(pa, n);
	return rc;
}

int costs_post_payapp(struct costs *c, const struct cost_post_ctx *ctx, struct pc_payapp *pa,
		      struct mlc_error *err)
{
	struct canon_cost_doc *one[1] = {&pa->doc};
	struct unit u = {.project_id = ctx->link->procore_project_id, .docs = one, .ndocs = 1};
	char why[256];

	if (pa->error) {
		flow_record(c->r, FLOW_FAIL, "je", NULL, NULL, NULL, pa->error);
		return MLC_OK;
	}
	c->r->stats.read++;
	costs_payapp_ref(c->r->s->tenant.procore_company_id, pa->doc.id, u.doc_ref,
			 sizeof(u.doc_ref));
	snprintf(u.eid, sizeof(u.eid), "%s", u.doc_ref);
	str_copy(u.date, sizeof(u.date), pa->doc.date);
	if (!payapp_ties(pa, why, sizeof(why))) {
		park_or_leave(c, &u, why);
		return MLC_OK;
	}
	return do_unit(c, ctx, &u, err);
}

int flow_costs(struct flow_run *r, struct mlc_error *err)
{
	struct mlc_session *s = r->s;
	struct costs c;
	struct mlc_project_link *links = NULL;
	size_t n = 0, i;
	int rc;

	rc = costs_load(&c, r, err);
	if (rc >= 0)
		rc = project_list(s->store, s->tenant.id, &links, &n, err);
	if (rc < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (!links[i].active)
			continue;
		/* NetSuite refuses a journal entry without a subsidiary: say so, post nothing */
		if (links_postable(&links[i], s->tenant.name, err) < 0) {
			flow_record(r, FLOW_FAIL, "project", NULL, NULL, NULL, err->msg);
			continue;
		}
		rc = do_project(&c, &links[i], err);
		if (rc >= 0 && session_setting_bool(s, "costs.payment_applications", true))
			rc = do_payapps(&c, &links[i], err);
		if (rc < 0) {
			/* one project's failure does not stop the others */
			flow_record(r, FLOW_FAIL, "project", NULL, NULL, NULL, err->msg);
		}
	}
	rc = r->stats.failed
		 ? error_set(err, MLC_ETRANSIENT, "some costs failed; their watermarks stay")
		 : MLC_OK;
out:
	free(links);
	costs_release(&c);
	return rc;
}
