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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/canon.h"
#include "core/idmap.h"
#include "core/postings.h"
#include "core/project.h"
#include "core/review.h"
#include "core/watermark.h"
#include "flows/cost_post.h"
#include "flows/flow.h"
#include "flows/journal.h"
#include "flows/links.h"
#include "flows/refdata.h"
#include "flows/segment.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/money.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

struct period {
	char start[11], end[11];
	bool open;
	char name[32];
};

struct costs {
	struct flow_run *r;
	struct refdata rd;
	bool daily, hold;
	struct mlc_segment seg; /* the cost-code dimension, decided once per run */
	struct period *periods;
	size_t nperiods;
	int failed;
	char today[11];
};

/* ---- periods ---------------------------------------------------------------------------- */

static int load_periods(struct costs *c, struct mlc_error *err)
{
	json_t *rows = NULL, *row;
	size_t i;
	int rc = netsuite_suiteql_all(
		c->r->s->ns,
		"SELECT id, periodname, TO_CHAR(startdate, 'YYYY-MM-DD') AS s, "
		"TO_CHAR(enddate, 'YYYY-MM-DD') AS e, closed, alllocked FROM accountingperiod "
		"WHERE isposting = 'T' AND isquarter = 'F' AND isyear = 'F' ORDER BY startdate",
		&rows, err);
	if (rc < 0)
		return rc;
	c->periods = xcalloc(json_array_size(rows) + 1, sizeof(*c->periods));
	json_array_foreach(rows, i, row) {
		struct period *p = &c->periods[c->nperiods];
		if (!jsonx_str(row, "s") || !jsonx_str(row, "e"))
			continue;
		str_copy(p->start, sizeof(p->start), jsonx_str(row, "s"));
		str_copy(p->end, sizeof(p->end), jsonx_str(row, "e"));
		str_copy(p->name, sizeof(p->name),
			 jsonx_str(row, "periodname") ? jsonx_str(row, "periodname") : p->start);
		p->open = !jsonx_bool(row, "closed") && !jsonx_bool(row, "alllocked");
		c->nperiods++;
	}
	json_decref(rows);
	return MLC_OK;
}

static const struct period *period_of(const struct costs *c, const char *date)
{
	for (size_t i = 0; i < c->nperiods; i++)
		if (strcmp(date, c->periods[i].start) >= 0 && strcmp(date, c->periods[i].end) <= 0)
			return &c->periods[i];
	return NULL;
}

/* The first open period ending on or after date (and not before today's
 * own closed periods: corrections land in the books still open). */
static const struct period *first_open_from(const struct costs *c, const char *date)
{
	for (size_t i = 0; i < c->nperiods; i++)
		if (c->periods[i].open && strcmp(c->periods[i].end, date) >= 0)
			return &c->periods[i];
	return NULL;
}

/* ---- reading Procore ------------------------------------------------------------------ */

static char *dupstr(const json_t *o, const char *k)
{
	return str_dup_or_null(jsonx_str(o, k));
}

/* Builds canonical direct costs (approved only) from the list and lines. */
static int canon_docs(struct costs *c, const json_t *dcs, const json_t *lines, int64_t project,
		      struct canon_cost_doc **out, size_t *n, struct mlc_error *err)
{
	size_t i, j, len = 0;
	json_t *dc, *li;
	struct canon_cost_doc *docs = xcalloc(json_array_size(dcs) + 1, sizeof(*docs));

	json_array_foreach(dcs, i, dc) {
		struct canon_cost_doc *d = &docs[len];
		const char *status = jsonx_str(dc, "status");
		if (!status || strcmp(status, "approved") != 0 ||
		    (json_object_get(dc, "deleted_at") && !json_is_null(json_object_get(dc, "deleted_at"))))
			continue;
		if (jsonx_id(dc, "id", &d->id) < 0 || !d->id)
			continue;
		d->project_id = project;
		d->kind = xstrdup("direct_cost");
		d->doc_type = dupstr(dc, "direct_cost_type");
		d->status = dupstr(dc, "status");
		d->date = dupstr(dc, "direct_cost_date");
		d->number = dupstr(dc, "invoice_number");
		d->vendor_name = dupstr(dc, "vendor_name");
		if (!d->vendor_name && json_is_object(json_object_get(dc, "vendor")))
			d->vendor_name = dupstr(json_object_get(dc, "vendor"), "name");
		d->description = dupstr(dc, "description");
		d->updated_at = dupstr(dc, "updated_at");
		if (!d->date) {
			canon_cost_doc_release(d);
			continue;
		}
		d->lines = xcalloc(16, sizeof(*d->lines));
		size_t cap = 16;
		json_array_foreach(lines, j, li) {
			int64_t holder = 0;
			struct canon_cost_line *l;
			json_t *h = json_object_get(li, "holder");
			if (jsonx_id(h, "id", &holder) < 0 || holder != d->id)
				continue;
			if (d->nlines == cap) {
				cap *= 2;
				d->lines = xrealloc(d->lines, cap * sizeof(*d->lines));
			}
			l = &d->lines[d->nlines];
			memset(l, 0, sizeof(*l));
			if (jsonx_id(li, "id", &l->id) < 0 ||
			    jsonx_money_get(li, "amount", false, &l->amount, err) < 0) {
				error_prefix(err, "direct cost %lld line: ", (long long)d->id);
				for (size_t k = 0; k <= len; k++)
					canon_cost_doc_release(&docs[k]);
				free(docs);
				return MLC_EINVAL;
			}
			l->cost_code = dupstr(json_object_get(li, "cost_code"), "full_code");
			l->cost_type = dupstr(json_object_get(li, "line_item_type"), "code");
			l->description = dupstr(li, "description");
			d->nlines++;
		}
		len++;
	}
	*out = docs;
	*n = len;
	MLC_UNUSED(c);
	return MLC_OK;
}

/* ---- one unit ---------------------------------------------------------------------------- */

struct unit {
	int64_t project_id;
	char doc_ref[128];
	char eid[160];
	char date[11];
	struct canon_cost_doc **docs;
	size_t ndocs;
};

static void row_key(const json_t *row, struct mlc_buf *k)
{
	buf_reset(k);
	buf_addf(k, "%s|%s|%s|%s", jsonx_str(row, "source_ref"), jsonx_str(row, "cost_code"),
		 jsonx_str(row, "cost_type") ? jsonx_str(row, "cost_type") : "",
		 jsonx_str(row, "doc_type") ? jsonx_str(row, "doc_type") : "");
}

/* Ledger rows for what the unit says now. */
static int desired_rows(struct costs *c, const struct cost_post_ctx *ctx, struct unit *u,
			json_t **rows, struct mlc_error *err)
{
	char ref[128];
	*rows = json_array();
	for (size_t i = 0; i < u->ndocs; i++) {
		struct canon_cost_doc *d = u->docs[i];
		for (size_t j = 0; j < d->nlines; j++) {
			struct canon_cost_line *l = &d->lines[j];
			int64_t acct = 0;
			if (!l->amount)
				continue;
			if (d->kind && strcmp(d->kind, "payment_application") == 0) {
				if (cost_post_offset(ctx, "payment_application.credit", &acct, err) < 0)
					return err->code ? err->code : MLC_ENOTFOUND;
			} else if (cost_post_account(ctx, l->cost_code ? l->cost_code : "", l->cost_type,
						     &acct, err) < 0) {
				return err->code ? err->code : MLC_ENOTFOUND;
			}
			snprintf(ref, sizeof(ref), "pc:%lld:dcline:%lld",
				 (long long)c->r->s->tenant.procore_company_id, (long long)l->id);
			json_array_append_new(
				*rows, json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:I, s:I, s:I}",
						 "source_ref", ref, "doc_ref", u->doc_ref, "project_id",
						 (json_int_t)d->project_id, "doc_type",
						 d->doc_type ? d->doc_type : "", "cost_code",
						 l->cost_code ? l->cost_code : "", "cost_type",
						 l->cost_type ? l->cost_type : "", "account", (json_int_t)acct,
						 "amount", (json_int_t)l->amount, "doc_id",
						 (json_int_t)d->id));
		}
	}
	return MLC_OK;
}

/* desired - posted by (line, cost code, type, doc type); only non-zero rows. */
static json_t *delta_rows(const json_t *want, const json_t *posted)
{
	json_t *sum = json_object(), *proto = json_object(), *out = json_array(), *r;
	struct mlc_buf k = MLC_BUF_INIT;
	size_t i;
	const char *key;
	json_t *v;

	json_array_foreach(want, i, r) {
		row_key(r, &k);
		json_object_set_new(sum, k.data,
				    json_integer(json_integer_value(json_object_get(sum, k.data)) +
						 json_integer_value(json_object_get(r, "amount"))));
		json_object_set(proto, k.data, r);
	}
	json_array_foreach(posted, i, r) {
		row_key(r, &k);
		json_object_set_new(sum, k.data,
				    json_integer(json_integer_value(json_object_get(sum, k.data)) -
						 json_integer_value(json_object_get(r, "amount"))));
		if (!json_object_get(proto, k.data))
			json_object_set(proto, k.data, r);
	}
	json_object_foreach(sum, key, v) {
		if (!json_integer_value(v))
			continue;
		json_t *row = json_deep_copy(json_object_get(proto, key));
		json_object_set_new(row, "amount", json_integer(json_integer_value(v)));
		json_array_append_new(out, row);
	}
	buf_release(&k);
	json_decref(sum);
	json_decref(proto);
	return out;
}

/* A synthetic document per doc type carrying rows' amounts (adjustments). */
static int post_rows(const struct cost_post_ctx *ctx, const json_t *rows, int64_t doc_id,
		     struct journal *j, struct mlc_error *err)
{
	json_t *types = json_object(), *r;
	const char *t;
	json_t *list;
	size_t i;
	int rc = MLC_OK;

	json_array_foreach(rows, i, r) {
		const char *dt = jsonx_str(r, "doc_type") ? jsonx_str(r, "doc_type") : "";
		if (!(list = json_object_get(types, dt)))
			json_object_set_new(types, dt, list = json_array());
		json_array_append(list, r);
	}
	json_object_foreach(types, t, list) {
		struct canon_cost_doc d = { 0 };
		d.id = doc_id;
		d.kind = (char *)(strcmp(t, "payment_application") == 0 ? "payment_application"
									 : "direct_cost");
		d.doc_type = (char *)t;
		d.nlines = json_array_size(list);
		d.lines = xcalloc(d.nlines + 1, sizeof(*d.lines));
		json_array_foreach(list, i, r) {
			d.lines[i].cost_code = (char *)jsonx_str(r, "cost_code");
			d.lines[i].cost_type = (char *)(jsonx_str(r, "cost_type") && *jsonx_str(r, "cost_type")
							? jsonx_str(r, "cost_type")
							: NULL);
			d.lines[i].amount = json_integer_value(json_object_get(r, "amount"));
		}
		rc = cost_post_lines(ctx, &d, j, err);
		free(d.lines);
		if (rc < 0)
			break;
	}
	json_decref(types);
	return rc;
}

static void set_period(json_t *rows, const char *date)
{
	char ym[8];
	size_t i;
	json_t *r;
	snprintf(ym, sizeof(ym), "%.7s", date);
	json_array_foreach(rows, i, r)
		json_object_set_new(r, "period", json_string(ym));
}

static void park_unit(struct costs *c, struct unit *u, const char *why)
{
	struct mlc_error err = { 0 };
	json_t *payload = json_pack("{s:I}", "project_id", (json_int_t)u->project_id);
	if (!c->r->opts.dry_run && review_park(c->r->s->store, c->r->s->tenant.id, c->r->flow,
					       "costs", u->doc_ref, why, NULL, payload, &err) < 0)
		c->failed = 1;
	json_decref(payload);
	flow_record(c->r, FLOW_PARK, "je", u->doc_ref, NULL, NULL, why);
}

/* Writes one journal and its ledger rows. */
static int write_journal(struct costs *c, struct unit *u, struct journal *j, json_t *rows,
			 enum flow_action action, struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;
	char code[NS_CODE_MAX], target[200];
	int64_t id = 0;
	json_t *body;
	int rc;

	journal_collapse(j);
	if ((rc = journal_check(j, err)) < 0) {
		/* cannot happen for balanced inputs; never send an unbalanced entry */
		flow_record(c->r, FLOW_FAIL, "je", u->doc_ref, j->external_id, NULL, err->msg);
		c->failed = 1;
		return MLC_OK;
	}
	body = journal_to_json(j, c->seg.use ? c->seg.field : NULL);
	snprintf(target, sizeof(target), "ns:je:%s", j->external_id);
	if (c->r->opts.dry_run) {
		flow_record(c->r, action, "je", u->doc_ref, target, body, NULL);
		json_decref(body);
		return MLC_OK;
	}
	json_t *summary = json_deep_copy(body);
	rc = netsuite_upsert(s->ns, "journalEntry", j->external_id, body, &id, code, err);
	if (rc < 0) {
		if (strcmp(code, "USER_ERROR") == 0 && strstr(err->msg, "closed or locked"))
			park_unit(c, u, err->msg);
		else {
			flow_record(c->r, FLOW_FAIL, "je", u->doc_ref, target, summary, err->msg);
			c->failed = 1;
		}
		json_decref(summary);
		return MLC_OK;
	}
	set_period(rows, j->tran_date);
	if ((rc = postings_replace_je(s->store, s->tenant.id, j->external_id, rows, err)) < 0) {
		flow_record(c->r, FLOW_FAIL, "je", u->doc_ref, target, summary, err->msg);
		c->failed = 1;
	} else {
		struct mlc_error e2 = { 0 };
		if (review_resolve(s->store, s->tenant.id, "costs", u->doc_ref, &e2) < 0)
			log_warn("review resolve failed", "error", e2.msg);
		flow_record(c->r, action, "je", u->doc_ref, target, summary, NULL);
	}
	json_decref(summary);
	return MLC_OK;
}

static int do_unit(struct costs *c, const struct cost_post_ctx *ctx, struct unit *u,
		   struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;
	json_t *want = NULL, *posted = NULL, *delta = NULL, *r;
	struct journal j;
	size_t i, nadj = 0;
	bool base_posted = false;
	char base_period[8] = "", date[11];
	int rc;

	memset(&j, 0, sizeof(j));
	error_clear(err);
	if ((rc = desired_rows(c, ctx, u, &want, err)) < 0) {
		if (rc != MLC_ENOTFOUND && rc != MLC_EINVAL)
			goto out;
		park_unit(c, u, err->msg);
		rc = MLC_OK;
		goto out;
	}
	if ((rc = postings_for_doc(s->store, s->tenant.id, u->doc_ref, &posted, err)) < 0)
		goto out;
	delta = delta_rows(want, posted);
	if (!json_array_size(delta)) {
		/* a document that is not approved and never was posted is no unit */
		if (json_array_size(want) || json_array_size(posted))
			flow_record(c->r, FLOW_SKIP, "je", u->doc_ref, NULL, NULL, NULL);
		goto out;
	}
	{
		json_t *jes = json_object();
		json_array_foreach(posted, i, r) {
			if (strcmp(jsonx_str(r, "je"), u->eid) == 0) {
				base_posted = true;
				str_copy(base_period, sizeof(base_period), jsonx_str(r, "period"));
			} else {
				json_object_set_new(jes, jsonx_str(r, "je"), json_true());
			}
		}
		nadj = json_object_size(jes);
		json_decref(jes);
	}
	const struct period *p = period_of(c, u->date);
	char pstart[11];
	snprintf(pstart, sizeof(pstart), "%s-01", base_period);
	const struct period *bp = base_posted ? period_of(c, pstart) : p;

	if (!base_posted && json_array_size(want)) {
		/* first posting */
		str_copy(date, sizeof(date), u->date);
		if (!p || !p->open) {
			const struct period *o = first_open_from(c, u->date);
			char why[256];
			if (c->hold || !o) {
				snprintf(why, sizeof(why),
					 "dated %s in %s period %s (policy %s)", u->date,
					 p ? "closed" : "no", p ? p->name : "-",
					 c->hold ? "hold" : "adjust: no open period");
				park_unit(c, u, why);
				goto out;
			}
			str_copy(date, sizeof(date), o->start);
		}
		journal_init(&j, u->eid, date, ctx->link->subsidiary_id, NULL);
		for (i = 0; i < u->ndocs; i++)
			if ((rc = cost_post_lines(ctx, u->docs[i], &j, err)) < 0)
				break;
		if (rc < 0) {
			park_unit(c, u, err->msg);
			rc = MLC_OK;
			goto out;
		}
		rc = write_journal(c, u, &j, want, FLOW_CREATE, err);
		goto out;
	}
	if (base_posted && nadj == 0 && json_array_size(want) && bp && bp->open && p && p->open) {
		/* period open, never adjusted: the entry is rewritten whole */
		journal_init(&j, u->eid, u->date, ctx->link->subsidiary_id, NULL);
		for (i = 0; i < u->ndocs; i++)
			if ((rc = cost_post_lines(ctx, u->docs[i], &j, err)) < 0)
				break;
		if (rc < 0) {
			park_unit(c, u, err->msg);
			rc = MLC_OK;
			goto out;
		}
		rc = write_journal(c, u, &j, want, FLOW_UPDATE, err);
		goto out;
	}
	/* an adjustment: closed period, a deleted or unapproved document, or
	 * an entry adjusted before */
	{
		/* the entry's own period when open, else the first open one after it */
		const struct period *target =
			bp && bp->open ? bp : first_open_from(c, base_posted ? pstart : u->date);
		char eid[200], memo[300];
		if (!(bp && bp->open) && c->hold) {
			char why[256];
			snprintf(why, sizeof(why),
				 "changed after its period %s closed (policy hold)", bp ? bp->name : base_period);
			park_unit(c, u, why);
			goto out;
		}
		if (!target) {
			park_unit(c, u, "no open accounting period for the adjustment");
			goto out;
		}
		str_copy(date, sizeof(date), bp && bp->open && base_posted ? u->date : target->start);
		if (strcmp(date, target->start) < 0 || strcmp(date, target->end) > 0)
			str_copy(date, sizeof(date), target->start);
		snprintf(eid, sizeof(eid), "%s:adj:%zu", u->eid, nadj + 1);
		snprintf(memo, sizeof(memo), "Adjustment of %s%s%s", u->eid,
			 bp && !bp->open ? ": period closed " : "", bp && !bp->open ? bp->name : "");
		journal_init(&j, eid, date, ctx->link->subsidiary_id, memo);
		int64_t doc_id = u->ndocs == 1 ? u->docs[0]->id : 0;
		if (!doc_id)
			json_array_foreach(delta, i, r)
				if (json_integer_value(json_object_get(r, "doc_id")))
					doc_id = json_integer_value(json_object_get(r, "doc_id"));
		if ((rc = post_rows(ctx, delta, doc_id, &j, err)) < 0) {
			park_unit(c, u, err->msg);
			rc = MLC_OK;
			goto out;
		}
		rc = write_journal(c, u, &j, delta, json_array_size(want) ? FLOW_UPDATE : FLOW_DELETE,
				   err);
	}
out:
	journal_release(&j);
	json_decref(want);
	json_decref(posted);
	json_decref(delta);
	return rc;
}

/* ---- per project ------------------------------------------------------------------------- */

static int by_date(const void *a, const void *b)
{
	const struct canon_cost_doc *const *x = a, *const *y = b;
	int d = strcmp((*x)->date, (*y)->date);
	return d ? d : ((*x)->id < (*y)->id ? -1 : (*x)->id > (*y)->id);
}

static int do_project(struct costs *c, const struct mlc_project_link *link, struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;
	char pid[32], scope[32], path[128], since[96] = "", label[160], max_seen[48] = "";
	char *wm = NULL;
	json_t *changed = NULL, *all = NULL, *lines = NULL;
	struct canon_cost_doc *docs = NULL;
	size_t ndocs = 0, i;
	int rc;

	snprintf(pid, sizeof(pid), "%lld", (long long)link->procore_project_id);
	str_copy(scope, sizeof(scope), pid);
	if (!c->r->opts.full && (rc = watermark_get(s->store, s->tenant.id, "costs", scope, &wm, err)) < 0)
		return rc;
	if (wm) {
		int64_t ms;
		if (time_parse_rfc3339(wm, &ms, NULL) == 0) {
			char t[MLC_TIME_FMT_MAX];
			time_format_rfc3339(ms - FLOW_OVERLAP_MS, t);
			snprintf(since, sizeof(since), "%s...", t);
		}
	}
	/* What changed: documents, and lines (a line edit need not touch its
	 * document's updated_at).  Nothing changed, two calls, done. */
	const char *q[] = { "filters[updated_at]", since, NULL };
	char lpath[160];
	json_t *changed_lines = NULL, *ids = json_object(), *v;
	snprintf(path, sizeof(path), "/rest/v1.0/projects/%s/direct_costs", pid);
	snprintf(lpath, sizeof(lpath), "/rest/v1.0/projects/%s/direct_costs/line_items", pid);
	if ((rc = procore_list(s->pc, path, since[0] ? q : NULL, &changed, err)) < 0 ||
	    (rc = procore_list(s->pc, lpath, since[0] ? q : NULL, &changed_lines, err)) < 0) {
		json_decref(ids);
		json_decref(changed_lines);
		goto out;
	}
	json_array_foreach(changed, i, v) {
		const char *u = jsonx_str(v, "updated_at");
		int64_t id = 0;
		if (u && strcmp(u, max_seen) > 0)
			str_copy(max_seen, sizeof(max_seen), u);
		if (jsonx_id(v, "id", &id) == 0 && id) {
			char k[32];
			snprintf(k, sizeof(k), "%lld", (long long)id);
			json_object_set_new(ids, k, json_true());
		}
	}
	json_array_foreach(changed_lines, i, v) {
		const char *u = jsonx_str(v, "updated_at");
		int64_t h = 0;
		if (u && strcmp(u, max_seen) > 0)
			str_copy(max_seen, sizeof(max_seen), u);
		if (jsonx_id(json_object_get(v, "holder"), "id", &h) == 0 && h) {
			char k[32];
			snprintf(k, sizeof(k), "%lld", (long long)h);
			json_object_set_new(ids, k, json_true());
		}
	}
	json_decref(changed_lines);
	/* every document of the project: daily units are rebuilt whole, and a
	 * document posted before but gone (deleted) or no longer approved
	 * here is reversed; Procore has no feed of deletions */
	if (since[0]) {
		if ((rc = procore_list(s->pc, path, NULL, &all, err)) < 0) {
			json_decref(ids);
			goto out;
		}
	} else {
		all = json_incref(changed);
	}
	{
		json_t *open = NULL, *approved = json_object(), *o;
		if ((rc = postings_open_docs(s->store, s->tenant.id, link->procore_project_id, &open,
					     err)) < 0) {
			json_decref(approved);
			json_decref(ids);
			goto out;
		}
		json_array_foreach(all, i, v) {
			int64_t id = 0;
			char k[32];
			if (jsonx_id(v, "id", &id) < 0 || !id || !jsonx_str(v, "status") ||
			    strcmp(jsonx_str(v, "status"), "approved"))
				continue;
			snprintf(k, sizeof(k), "%lld", (long long)id);
			json_object_set_new(approved, k, json_true());
		}
		json_array_foreach(open, i, o) {
			char k[32];
			snprintf(k, sizeof(k), "%lld",
				 (long long)json_integer_value(json_object_get(o, "doc_id")));
			if (!json_object_get(approved, k))
				json_object_set_new(ids, k, json_object_get(o, "doc_ref")
								? json_string(jsonx_str(o, "doc_ref"))
								: json_true());
		}
		json_decref(open);
		json_decref(approved);
	}
	if (!json_object_size(ids)) {
		json_decref(ids);
		goto out;
	}
	c->r->stats.read += (int64_t)json_object_size(ids);
	if ((rc = procore_list(s->pc, lpath, NULL, &lines, err)) < 0) {
		json_decref(ids);
		goto out;
	}
	/* the changed set, as {id: list record or doc_ref of a gone document} */
	json_array_foreach(all, i, v) {
		int64_t id = 0;
		char k[32];
		if (jsonx_id(v, "id", &id) < 0 || !id)
			continue;
		snprintf(k, sizeof(k), "%lld", (long long)id);
		if (json_object_get(ids, k))
			json_object_set(ids, k, v);
	}
	json_decref(changed);
	changed = ids;
	if ((rc = canon_docs(c, all, lines, link->procore_project_id, &docs, &ndocs, err)) < 0)
		goto out;
	refdata_project_label(&c->rd, link->procore_project_id, label, sizeof(label));
	struct cost_post_ctx ctx = { s->store, s->tenant.id, link, c->seg.use, label, c->rd.code_seg };
	int64_t company = s->tenant.procore_company_id;

	if (!c->daily) {
		const char *key;
		json_t *dcv;
		json_object_foreach(changed, key, dcv) {
			struct unit u;
			struct canon_cost_doc *mine[1];
			int64_t id = strtoll(key, NULL, 10);
			memset(&u, 0, sizeof(u));
			u.project_id = link->procore_project_id;
			snprintf(u.doc_ref, sizeof(u.doc_ref), "pc:%lld:dc:%lld", (long long)company,
				 (long long)id);
			snprintf(u.eid, sizeof(u.eid), "%s", u.doc_ref);
			/* a gone document has no date: its reversal goes in today's books */
			str_copy(u.date, sizeof(u.date),
				 jsonx_str(dcv, "direct_cost_date") ? jsonx_str(dcv, "direct_cost_date")
								    : c->today);
			for (size_t k = 0; k < ndocs; k++)
				if (docs[k].id == id) {
					mine[0] = &docs[k];
					u.docs = mine;
					u.ndocs = 1;
				}
			if ((rc = do_unit(c, &ctx, &u, err)) < 0)
				goto out;
		}
	} else {
		/* the days touched by a change, each rebuilt from all its documents */
		json_t *days = json_object();
		struct canon_cost_doc **sorted = xcalloc(ndocs + 1, sizeof(*sorted));
		for (i = 0; i < ndocs; i++)
			sorted[i] = &docs[i];
		qsort(sorted, ndocs, sizeof(*sorted), by_date);
		const char *key;
		json_t *dcv;
		json_object_foreach(changed, key, dcv) {
			if (jsonx_str(dcv, "direct_cost_date"))
				json_object_set_new(days, jsonx_str(dcv, "direct_cost_date"), json_true());
			else if (json_is_string(dcv) && strstr(json_string_value(dcv), ":je:"))
				/* a gone document: its day from the entry it was posted in */
				json_object_set_new(days, strstr(json_string_value(dcv), ":je:") + 4,
						    json_true());
		}
		const char *day;
		json_t *unused;
		json_object_foreach(days, day, unused) {
			struct unit u;
			memset(&u, 0, sizeof(u));
			u.project_id = link->procore_project_id;
			snprintf(u.doc_ref, sizeof(u.doc_ref), "pc:%lld:%s:je:%s", (long long)company, pid,
				 day);
			snprintf(u.eid, sizeof(u.eid), "%s", u.doc_ref);
			str_copy(u.date, sizeof(u.date), day);
			for (i = 0; i < ndocs; i++) {
				if (strcmp(sorted[i]->date, day) != 0)
					continue;
				if (!u.docs)
					u.docs = &sorted[i];
				u.ndocs++;
			}
			if ((rc = do_unit(c, &ctx, &u, err)) < 0)
				break;
		}
		free(sorted);
		json_decref(days);
		if (rc < 0)
			goto out;
	}
	if (!c->r->opts.dry_run && !c->failed && max_seen[0] &&
	    (rc = watermark_set(s->store, s->tenant.id, "costs", scope, max_seen, err)) < 0)
		goto out;
	rc = MLC_OK;
out:
	for (i = 0; i < ndocs; i++)
		canon_cost_doc_release(&docs[i]);
	free(docs);
	json_decref(changed);
	json_decref(all);
	json_decref(lines);
	free(wm);
	return rc;
}

/*
 * Payment applications (owner invoices on the prime contract): an approved
 * one posts its work billed this period (total_amount_accrued_this_period)
 * as revenue, the current payment due as receivable and the difference as
 * retainage receivable.  Same units, ledger and closed-period rules as
 * direct costs; externalId pc:<company>:pa:<id>.
 */
static int do_payapps(struct costs *c, const struct mlc_project_link *link, struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;
	char pid[32], label[160];
	const char *q[] = { "project_id", pid, NULL };
	json_t *list = NULL, *v;
	size_t i;
	int rc;

	snprintf(pid, sizeof(pid), "%lld", (long long)link->procore_project_id);
	if ((rc = procore_list(s->pc, "/rest/v1.0/payment_applications", q, &list, err)) < 0)
		return rc;
	refdata_project_label(&c->rd, link->procore_project_id, label, sizeof(label));
	struct cost_post_ctx ctx = { s->store, s->tenant.id, link, c->seg.use, label,
				     c->rd.code_seg };
	json_array_foreach(list, i, v) {
		struct canon_cost_doc d = { 0 }, *one[1] = { &d };
		struct canon_cost_line line = { 0 };
		struct unit u;
		int64_t gross = 0, due = 0;
		const char *date = jsonx_str(v, "billing_date");
		if (!jsonx_str(v, "status") || strcmp(jsonx_str(v, "status"), "approved") ||
		    jsonx_id(v, "id", &d.id) < 0 || !d.id || !date)
			continue;
		if (jsonx_money_get(v, "total_amount_accrued_this_period", true, &gross, err) < 0 ||
		    jsonx_money_get(json_object_get(v, "g702"), "current_payment_due", true, &due,
				    err) < 0) {
			flow_record(c->r, FLOW_FAIL, "je", NULL, NULL, NULL, err->msg);
			c->failed = 1;
			continue;
		}
		c->r->stats.read++;
		d.project_id = link->procore_project_id;
		d.kind = (char *)"payment_application";
		d.doc_type = (char *)"payment_application";
		d.date = (char *)date;
		d.number = (char *)jsonx_str(v, "invoice_number");
		d.retainage = due && due <= gross ? gross - due : 0;
		line.id = d.id;
		line.amount = gross;
		d.lines = &line;
		d.nlines = 1;
		memset(&u, 0, sizeof(u));
		u.project_id = link->procore_project_id;
		snprintf(u.doc_ref, sizeof(u.doc_ref), "pc:%lld:pa:%lld",
			 (long long)s->tenant.procore_company_id, (long long)d.id);
		snprintf(u.eid, sizeof(u.eid), "%s", u.doc_ref);
		str_copy(u.date, sizeof(u.date), date);
		u.docs = one;
		u.ndocs = 1;
		if ((rc = do_unit(c, &ctx, &u, err)) < 0)
			break;
	}
	json_decref(list);
	return rc < 0 ? rc : MLC_OK;
}

int flow_costs(struct flow_run *r, struct mlc_error *err)
{
	struct mlc_session *s = r->s;
	struct costs c;
	struct mlc_project_link *links = NULL;
	size_t n = 0, i;
	const char *mode = session_setting_str(s, "costs.mode", "per-document");
	const char *policy = session_setting_str(s, "costs.closed_period", "adjust");
	int rc;

	memset(&c, 0, sizeof(c));
	c.r = r;
	c.daily = strcmp(mode, "daily") == 0;
	c.hold = strcmp(policy, "hold") == 0;
	{
		char t[MLC_TIME_FMT_MAX];
		time_format_date(time_now_ms(), t);
		str_copy(c.today, sizeof(c.today), t);
	}
	if (strcmp(mode, "daily") && strcmp(mode, "per-document"))
		return error_set(err, MLC_ECONFIG, "setting costs.mode '%s' is not per-document or daily",
				 mode);
	if (strcmp(policy, "adjust") && strcmp(policy, "hold"))
		return error_set(err, MLC_ECONFIG, "setting costs.closed_period '%s' is not adjust or hold",
				 policy);
	if ((rc = segment_resolve(s, &c.seg, err)) < 0 ||
	    (rc = refdata_load(&c.rd, r, c.seg.use, c.seg.use ? c.seg.table : NULL, err)) < 0 ||
	    (rc = load_periods(&c, err)) < 0 ||
	    (rc = project_list(s->store, s->tenant.id, &links, &n, err)) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (!links[i].active)
			continue;
		/* NetSuite refuses a journal entry without a subsidiary: say so, post nothing */
		if (links_postable(&links[i], s->tenant.name, err) < 0) {
			flow_record(r, FLOW_FAIL, "project", NULL, NULL, NULL, err->msg);
			c.failed = 1;
			continue;
		}
		if ((rc = do_project(&c, &links[i], err)) < 0 ||
		    (session_setting_bool(s, "costs.payment_applications", true) &&
		     (rc = do_payapps(&c, &links[i], err)) < 0)) {
			/* one project's failure does not stop the others */
			flow_record(r, FLOW_FAIL, "project", NULL, NULL, NULL, err->msg);
			c.failed = 1;
		}
	}
	rc = c.failed ? error_set(err, MLC_ETRANSIENT, "some costs failed; their watermarks stay")
		      : MLC_OK;
out:
	free(links);
	free(c.periods);
	refdata_release(&c.rd);
	return rc;
}
