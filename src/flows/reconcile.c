#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mapping.h"
#include "core/postings.h"
#include "core/project.h"
#include "core/review.h"
#include "flows/flow.h"
#include "flows/reconcile.h"
#include "flows/reconcile_billed.h"
#include "flows/reconcile_committed.h"
#include "flows/reconcile_totals.h"
#include "flows/cost_post.h"
#include "flows/segment.h"
#include "netsuite/ns_costs.h"
#include "procore/pc_costs.h"
#include "util/idset.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/money.h"
#include "util/num.h"
#include "util/str.h"
#include "util/banned.h"

/*
 * One reconcile run: the linked projects, the look-ups both sides need, and
 * the three sums compared (Procore, the NetSuite GL, the connector's own
 * ledger of what it posted).  JSON is met only at the edges: the store's
 * answers are read into these once, and the report is built from them.
 */
struct rec_ctx {
	struct mlc_session *s;
	const struct reconcile_opts *o;
	struct mlc_segment sg; /* sg.use false: per GL account */
	struct mlc_project_link *links;
	size_t nlinks;
	struct mlc_idset job_link; /* NetSuite job id -> index in links */
	struct mlc_idset expense;  /* GL accounts the cost-code mappings post to */
	struct mlc_idset seg_ix;   /* segment value id -> index in seg_codes */
	char **seg_codes;
	size_t nseg;
	struct mlc_idset parked; /* projects with an open review item of the costs flow */
	struct rec_totals pc, ns, ledger;
	struct mlc_error *err;
};

/* The GL account a Procore line posts to (cost-code-account), as text;
 * "" when unmapped (such a line was never posted: the row shows it). */
static void account_key(struct mlc_session *s, const struct mlc_project_link *l,
			const struct canon_cost_line *line, char *out, size_t n)
{
	struct cost_post_ctx ctx = {s->store, s->tenant.id, l, false, NULL, NULL};
	struct mlc_error e = {0};
	int64_t acct = 0;

	out[0] = '\0';
	if (cost_post_account(&ctx, line->cost_code, line->cost_type, &acct, &e) == 0 && acct)
		snprintf(out, n, "%lld", (long long)acct);
}

/* The approved, dated documents in the period asked (all without one):
 * id -> index in yms, each its "YYYY-MM". */
static void approved_months(const struct pc_cost_heads *h, const struct reconcile_opts *o,
			    struct mlc_idset *ix, char (*yms)[8])
{
	size_t n = 0;

	for (size_t i = 0; i < h->n; i++) {
		const struct canon_cost_doc *d = &h->v[i].doc;
		if (!h->v[i].approved || !d->date || !d->id)
			continue;
		snprintf(yms[n], sizeof(yms[n]), "%.7s", d->date);
		if (o->period && strcmp(o->period, yms[n]))
			continue;
		/* a later listing of the same id wins, as before */
		if (!idset_put(ix, d->id, n)) {
			size_t k;
			if (idset_get(ix, d->id, &k))
				memcpy(yms[k], yms[n], sizeof(yms[k]));
			continue;
		}
		n++;
	}
}

/* A sum that does not fit in an int64 cents: the run is refused, naming
 * the amount that overflowed, rather than comparing a wrapped total. */
static int total_overflow(struct rec_ctx *c, const char *side, int64_t project, const char *code,
			  int64_t cents)
{
	char a[MONEY_FMT_MAX];

	money_format(cents, a);
	return error_set(c->err, MLC_ERANGE,
			 "%s amount %s on project %lld, %s %s overflows the total", side, a,
			 (long long)project, c->sg.use ? "cost code" : "account", code ? code : "");
}

static int procore_side(struct rec_ctx *c, const struct mlc_project_link *l)
{
	struct mlc_session *s = c->s;
	const struct reconcile_opts *o = c->o;
	struct pc_cost_heads heads = {0};
	struct pc_cost_lines lines = {0};
	struct mlc_idset approved = {0};
	char(*yms)[8] = NULL;
	int rc;

	rc = procore_direct_costs(s->pc, l->procore_project_id, NULL, &heads, c->err);
	if (rc < 0)
		goto out;
	yms = xcalloc(heads.n + 1, sizeof(*yms));
	approved_months(&heads, o, &approved, yms);
	rc = procore_direct_cost_lines(s->pc, l->procore_project_id, NULL, &lines, c->err);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < lines.n; i++) {
		const struct pc_cost_line *v = &lines.v[i];
		char acct[32];
		size_t k;
		if (!idset_get(&approved, v->holder, &k))
			continue;
		if (v->error) {
			rc = error_set(c->err, MLC_EINVAL, "%s", v->error);
			goto out;
		}
		if (!c->sg.use)
			account_key(s, l, &v->line, acct, sizeof(acct));
		rc = rec_totals_add(&c->pc, l->procore_project_id,
				    !c->sg.use ? acct : v->line.cost_code,
				    o->period ? yms[k] : NULL, v->line.amount);
		if (rc < 0) {
			rc = total_overflow(c, "Procore", l->procore_project_id,
					    !c->sg.use ? acct : v->line.cost_code, v->line.amount);
			goto out;
		}
	}
	rc = MLC_OK;
out:
	free(yms);
	idset_release(&approved);
	pc_cost_heads_release(&heads);
	pc_cost_lines_release(&lines);
	return rc;
}

/* One GL line into the NetSuite totals. */
static int ns_side_line(void *arg, const struct ns_gl_line *v)
{
	struct rec_ctx *c = arg;
	int64_t project = 0, net;
	char ym[8], key[32];
	const char *code = "";
	size_t k;

	if (!idset_get(&c->expense, v->account, NULL))
		return MLC_OK;
	if (idset_get(&c->job_link, v->entity, &k))
		project = c->links[k].procore_project_id;
	if (!project || (c->o->project_id && project != c->o->project_id))
		return MLC_OK;
	snprintf(ym, sizeof(ym), "%.7s", v->trandate);
	if (c->o->period && strcmp(c->o->period, ym))
		return MLC_OK;
	if (v->error[0])
		return error_set(c->err, MLC_EINVAL, "%s", v->error);
	snprintf(key, sizeof(key), "%lld", (long long)v->account);
	if (!c->sg.use)
		code = key;
	else if (idset_get(&c->seg_ix, v->segment, &k))
		code = c->seg_codes[k];
	if (num_mul_i64(v->credit, -1, &net) < 0 || num_add_i64(v->debit, net, &net) < 0) {
		char d[MONEY_FMT_MAX], cr[MONEY_FMT_MAX];
		money_format(v->debit, d);
		money_format(v->credit, cr);
		return error_set(
		    c->err, MLC_ERANGE,
		    "NetSuite GL line on account %lld: debit %s less credit %s overflows",
		    (long long)v->account, d, cr);
	}
	if (rec_totals_add(&c->ns, project, code, c->o->period ? ym : NULL, net) < 0)
		return total_overflow(c, "NetSuite", project, code, net);
	return MLC_OK;
}

static int netsuite_side(struct rec_ctx *c)
{
	struct mlc_session *s = c->s;

	return netsuite_cost_gl_lines(
	    s->ns, s->tenant.procore_company_id, c->sg.use ? c->sg.field : NULL,
	    (int)session_setting_int(s, "reconcile.page_rows", 1000), ns_side_line, c, c->err);
}

/* Why a project x code differs, from what the store knows. */
static const char *cause(const struct rec_ctx *c, int64_t project, int64_t ledger, int64_t pc,
			 int64_t ns)
{
	bool by_period = c->o->period != NULL;

	/* the ledger knows totals over all periods: compare it only then */
	if (!by_period && ledger != ns)
		return "the GL differs from what the connector posted: changed in NetSuite outside "
		       "the "
		       "connector";
	if (idset_get(&c->parked, project, NULL))
		return "parked: a document of this project waits for review (see the review list)";
	if (ledger != ns)
		return "the GL differs from what the connector posted: changed in NetSuite outside "
		       "the "
		       "connector";
	if (!by_period && ledger != pc)
		return "changed in Procore since the last sync (run sync --flow costs), or edited "
		       "after close and adjusted in another period";
	return "unknown";
}

/* The expense accounts the mappings post to: the GL side of job cost. */
static int expense_accounts(struct rec_ctx *c)
{
	json_t *m = NULL, *v;
	const char *k;
	int rc = mapping_all(c->s->store, c->s->tenant.id, "cost-code-account", &m, c->err);

	if (rc < 0)
		return rc;
	json_object_foreach (m, k, v) {
		int64_t a = 0;
		if (jsonx_id(v, "account", &a) == 0 && a)
			idset_put(&c->expense, a, 0);
	}
	json_decref(m);
	return MLC_OK;
}

/* Sets the cost code of segment value id (a later setting wins). */
static void segment_code_set(struct rec_ctx *c, int64_t id, const char *code)
{
	size_t k;

	if (idset_get(&c->seg_ix, id, &k)) {
		free(c->seg_codes[k]);
		c->seg_codes[k] = xstrdup(code);
		return;
	}
	if (!idset_put(&c->seg_ix, id, c->nseg))
		return; /* id 0: never looked up */
	c->seg_codes = xrealloc(c->seg_codes, (c->nseg + 1) * sizeof(*c->seg_codes));
	c->seg_codes[c->nseg++] = xstrdup(code);
}

/* Segment value id -> cost code: from NetSuite's values (their externalid,
 * else name, up to the first space), then the cost-code-segment mapping. */
static int segment_codes(struct rec_ctx *c)
{
	struct mlc_session *s = c->s;
	struct ns_segment_value *vals = NULL;
	json_t *m = NULL, *v;
	const char *k;
	size_t n = 0;
	int rc;

	if (c->sg.use) {
		rc = netsuite_segment_values(s->ns, c->sg.table, &vals, &n, c->err);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < n; i++) {
		const char *ext = vals[i].externalid, *name = vals[i].name;
		const char *src = ext && *ext ? ext : name ? name : "";
		char code[64] = "";
		int64_t id = 0;
		size_t j = 0;
		while (src[j] && src[j] != ' ' && j + 1 < sizeof(code)) {
			code[j] = src[j];
			j++;
		}
		code[j] = '\0';
		/* looked up by a GL line's segment id: a value without one is never met */
		if (vals[i].id && num_parse_id(vals[i].id, &id, NULL) == 0)
			segment_code_set(c, id, code);
	}
	ns_segment_values_free(vals, n);
	rc = mapping_all(s->store, s->tenant.id, "cost-code-segment", &m, c->err);
	if (rc < 0)
		return rc;
	json_object_foreach (m, k, v) {
		int64_t sv = 0;
		if (jsonx_id(v, "segment_value", &sv) == 0 && sv)
			segment_code_set(c, sv, k);
	}
	json_decref(m);
	return MLC_OK;
}

/* The projects with an open review item of the costs flow. */
static int parked_projects(struct rec_ctx *c)
{
	json_t *items = NULL, *p;
	size_t i;
	int rc = review_list(c->s->store, c->s->tenant.id, "open", &items, c->err);

	if (rc < 0)
		return rc;
	json_array_foreach (items, i, p) {
		const char *flow = jsonx_str(p, "flow");
		if (flow && strcmp(flow, "costs") == 0)
			idset_put(&c->parked,
				  json_integer_value(
				      json_object_get(json_object_get(p, "payload"), "project_id")),
				  0);
	}
	json_decref(items);
	return MLC_OK;
}

/* What the connector's ledger says it posted, per project x code (or account). */
static int ledger_totals(struct rec_ctx *c)
{
	json_t *rows = NULL, *lr;
	size_t i;
	int rc = postings_totals(c->s->store, c->s->tenant.id, &rows, c->err);

	if (rc < 0)
		return rc;
	json_array_foreach (rows, i, lr) {
		char acct[32];
		const char *code = jsonx_str(lr, "cost_code");
		snprintf(acct, sizeof(acct), "%lld",
			 (long long)json_integer_value(json_object_get(lr, "account")));
		int64_t project = json_integer_value(json_object_get(lr, "project_id"));
		int64_t cents = json_integer_value(json_object_get(lr, "amount"));
		rc = rec_totals_add(&c->ledger, project, c->sg.use ? code : acct, NULL, cents);
		if (rc < 0) {
			rc = total_overflow(c, "ledger", project, c->sg.use ? code : acct, cents);
			break;
		}
	}
	json_decref(rows);
	return rc;
}

/* One report row for a total t of either side; *diffs counts a difference. */
static json_t *report_row(const struct rec_ctx *c, const struct rec_total *t, int *diffs)
{
	char pcs[MONEY_FMT_MAX], nss[MONEY_FMT_MAX], vs[MONEY_FMT_MAX], label[32];
	int64_t a = rec_totals_cents(&c->pc, t->project, t->code, t->period);
	int64_t b = rec_totals_cents(&c->ns, t->project, t->code, t->period), v;
	json_t *row;

	money_format(a, pcs);
	money_format(b, nss);
	if (num_mul_i64(b, -1, &v) < 0 || num_add_i64(a, v, &v) < 0)
		str_copy(vs, sizeof(vs), "overflow"); /* a != b: counted below */
	else
		money_format(v, vs);
	row = json_pack("{s:I, s:s, s:s, s:s, s:s}", "project_id", (json_int_t)t->project,
			c->sg.use ? "cost_code" : "account", t->code, "procore", pcs, "netsuite",
			nss, "variance", vs);
	snprintf(label, sizeof(label), "%lld", (long long)t->project);
	json_object_set_new(row, "project", json_string(label));
	if (t->period[0])
		json_object_set_new(row, "period", json_string(t->period));
	if (a != b) {
		(*diffs)++;
		json_object_set_new(
		    row, "cause",
		    json_string(cause(c, t->project,
				      rec_totals_cents(&c->ledger, t->project, t->code, NULL), a,
				      b)));
	}
	return row;
}

/* The report's rows: every Procore total in the order met, then the
 * NetSuite totals Procore has none of; *diffs counts the differing ones. */
static json_t *report_rows(const struct rec_ctx *c, int *diffs)
{
	json_t *rows = json_array();
	size_t i;

	for (i = 0; i < c->pc.n; i++)
		json_array_append_new(rows, report_row(c, &c->pc.v[i], diffs));
	for (i = 0; i < c->ns.n; i++) {
		const struct rec_total *t = &c->ns.v[i];
		if (!rec_totals_get(&c->pc, t->project, t->code, t->period))
			json_array_append_new(rows, report_row(c, t, diffs));
	}
	return rows;
}

/* The linked projects, with the NetSuite job -> project look-up (a later
 * link of the same job wins), and Procore's side of those asked. */
static int read_procore(struct rec_ctx *c)
{
	int rc;

	rc = project_list(c->s->store, c->s->tenant.id, &c->links, &c->nlinks, c->err);
	if (rc < 0)
		return rc;
	for (size_t i = c->nlinks; i-- > 0;)
		idset_put(&c->job_link, c->links[i].netsuite_job_id, i);
	for (size_t i = 0; i < c->nlinks; i++) {
		if (c->o->project_id && c->links[i].procore_project_id != c->o->project_id)
			continue;
		rc = procore_side(c, &c->links[i]);
		if (rc < 0)
			return rc;
	}
	return MLC_OK;
}

static void rec_ctx_release(struct rec_ctx *c)
{
	free(c->links);
	idset_release(&c->job_link);
	idset_release(&c->expense);
	idset_release(&c->seg_ix);
	for (size_t i = 0; i < c->nseg; i++)
		free(c->seg_codes[i]);
	free(c->seg_codes);
	idset_release(&c->parked);
	rec_totals_release(&c->pc);
	rec_totals_release(&c->ns);
	rec_totals_release(&c->ledger);
}

int reconcile_run(struct mlc_session *s, const struct reconcile_opts *o, json_t **report,
		  struct mlc_error *err)
{
	struct rec_ctx c = {.s = s, .o = o, .err = err};
	int rc, diffs = 0;
	json_t *rows;

	*report = NULL;
	if (o->scope == RECONCILE_BILLED)
		return reconcile_billed_run(s, o, report, err);
	if (o->scope == RECONCILE_COMMITTED)
		return reconcile_committed_run(s, o, report, err);
	/* without the segment the GL knows no cost code: compare per GL account */
	rc = segment_resolve(s, &c.sg, err);
	if (rc >= 0)
		rc = read_procore(&c);
	if (rc >= 0)
		rc = expense_accounts(&c);
	if (rc >= 0)
		rc = segment_codes(&c);
	if (rc >= 0)
		rc = netsuite_side(&c);
	if (rc >= 0)
		rc = parked_projects(&c);
	if (rc >= 0)
		rc = ledger_totals(&c);
	if (rc < 0)
		goto out;
	rows = report_rows(&c, &diffs);
	*report =
	    json_pack("{s:s, s:s, s:o, s:i}", "compared_by", c.sg.use ? "cost_code" : "account",
		      "dimension", c.sg.why, "rows", rows, "differences", diffs);
	rc = MLC_OK;
out:
	rec_ctx_release(&c);
	return rc;
}
