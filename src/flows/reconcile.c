#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mapping.h"
#include "core/postings.h"
#include "core/project.h"
#include "core/review.h"
#include "flows/flow.h"
#include "flows/reconcile.h"
#include "flows/cost_post.h"
#include "flows/refdata.h"
#include "flows/segment.h"
#include "netsuite/ns_costs.h"
#include "procore/pc_costs.h"
#include "util/idset.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/money.h"
#include "util/str.h"
#include "util/banned.h"

/* totals["<project>|<code>|<period>"] = {project, code, period, cents} */
static void add(json_t *totals, int64_t project, const char *code, const char *period,
		int64_t cents)
{
	char key[160];
	json_t *v;

	snprintf(key, sizeof(key), "%lld|%s|%s", (long long)project, code ? code : "",
		 period ? period : "");
	if (!(v = json_object_get(totals, key))) {
		v = json_pack("{s:I, s:s, s:s, s:I}", "project", (json_int_t)project, "code",
			      code ? code : "", "period", period ? period : "", "cents", (json_int_t)0);
		json_object_set_new(totals, key, v);
	}
	json_object_set_new(v, "cents",
			    json_integer(json_integer_value(json_object_get(v, "cents")) + cents));
}

static int64_t cents_of(const json_t *totals, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(totals, key), "cents"));
}

/* The GL account a Procore line posts to (cost-code-account), as text;
 * "" when unmapped (such a line was never posted: the row shows it). */
static void account_key(struct mlc_session *s, const struct mlc_project_link *l,
			const struct canon_cost_line *line, char *out, size_t n)
{
	struct cost_post_ctx ctx = { s->store, s->tenant.id, l, false, NULL, NULL };
	struct mlc_error e = { 0 };
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

static int procore_side(struct mlc_session *s, const struct mlc_project_link *l,
			const struct reconcile_opts *o, bool by_account, json_t *totals,
			struct mlc_error *err)
{
	struct pc_cost_heads heads = { 0 };
	struct pc_cost_lines lines = { 0 };
	struct mlc_idset approved = { 0 };
	char (*yms)[8] = NULL;
	int rc;

	if ((rc = procore_direct_costs(s->pc, l->procore_project_id, NULL, &heads, err)) < 0)
		goto out;
	yms = xcalloc(heads.n + 1, sizeof(*yms));
	approved_months(&heads, o, &approved, yms);
	if ((rc = procore_direct_cost_lines(s->pc, l->procore_project_id, NULL, &lines, err)) < 0)
		goto out;
	for (size_t i = 0; i < lines.n; i++) {
		const struct pc_cost_line *v = &lines.v[i];
		char acct[32];
		size_t k;
		if (!idset_get(&approved, v->holder, &k))
			continue;
		if (v->error) {
			rc = error_set(err, MLC_EINVAL, "%s", v->error);
			goto out;
		}
		if (by_account)
			account_key(s, l, &v->line, acct, sizeof(acct));
		add(totals, l->procore_project_id, by_account ? acct : v->line.cost_code,
		    o->period ? yms[k] : NULL, v->line.amount);
	}
	rc = MLC_OK;
out:
	free(yms);
	idset_release(&approved);
	pc_cost_heads_release(&heads);
	pc_cost_lines_release(&lines);
	return rc;
}

struct ns_side_ctx {
	const struct reconcile_opts *o;
	const struct mlc_segment *seg; /* seg->use false: per GL account */
	json_t *links, *seg_code, *expense, *totals;
	struct mlc_error *err;
};

/* One GL line into the totals. */
static int ns_side_line(void *arg, const struct ns_gl_line *v)
{
	struct ns_side_ctx *c = arg;
	int64_t project;
	char ym[8], key[32];
	const char *code;

	if (!refdata_id_num(c->expense, v->account))
		return MLC_OK;
	project = refdata_id_num(c->links, v->entity);
	if (!project || (c->o->project_id && project != c->o->project_id))
		return MLC_OK;
	snprintf(ym, sizeof(ym), "%.7s", v->trandate);
	if (c->o->period && strcmp(c->o->period, ym))
		return MLC_OK;
	if (v->error[0])
		return error_set(c->err, MLC_EINVAL, "%s", v->error);
	snprintf(key, sizeof(key), "%lld", (long long)v->account);
	code = !c->seg->use ? key : v->segment ? refdata_text_num(c->seg_code, v->segment) : "";
	add(c->totals, project, code, c->o->period ? ym : NULL, v->debit - v->credit);
	return MLC_OK;
}

static int netsuite_side(struct mlc_session *s, const struct reconcile_opts *o,
			 const struct mlc_segment *seg, json_t *links, json_t *seg_code,
			 json_t *expense, json_t *totals, struct mlc_error *err)
{
	struct ns_side_ctx c = { o, seg, links, seg_code, expense, totals, err };

	return netsuite_cost_gl_lines(s->ns, s->tenant.procore_company_id,
				      seg->use ? seg->field : NULL,
				      (int)session_setting_int(s, "reconcile.page_rows", 1000),
				      ns_side_line, &c, err);
}

/* Why a project x code differs, from what the store knows. */
static const char *cause(bool by_period, int64_t project, int64_t ledger, int64_t pc, int64_t ns,
			 const json_t *parked)
{
	size_t i;
	json_t *p;

	/* the ledger knows totals over all periods: compare it only then */
	if (!by_period && ledger != ns)
		return "the GL differs from what the connector posted: changed in NetSuite outside the "
		       "connector";
	json_array_foreach(parked, i, p)
		if (jsonx_str(p, "flow") && strcmp(jsonx_str(p, "flow"), "costs") == 0 &&
		    json_integer_value(json_object_get(json_object_get(p, "payload"), "project_id")) ==
			    project)
			return "parked: a document of this project waits for review (see the review list)";
	if (ledger != ns)
		return "the GL differs from what the connector posted: changed in NetSuite outside the "
		       "connector";
	if (!by_period && ledger != pc)
		return "changed in Procore since the last sync (run sync --flow costs), or edited "
		       "after close and adjusted in another period";
	return "unknown";
}

/* The expense accounts the mappings post to: the GL side of job cost. */
static int expense_accounts(struct mlc_session *s, json_t *expense, struct mlc_error *err)
{
	json_t *m = NULL, *v;
	const char *k;
	int rc = mapping_all(s->store, s->tenant.id, "cost-code-account", &m, err);

	if (rc < 0)
		return rc;
	json_object_foreach(m, k, v) {
		int64_t a = 0;
		char ak[32];
		if (jsonx_id(v, "account", &a) == 0 && a) {
			snprintf(ak, sizeof(ak), "%lld", (long long)a);
			json_object_set_new(expense, ak, json_integer(a));
		}
	}
	json_decref(m);
	return MLC_OK;
}

/* Segment value id -> cost code: from NetSuite's values (their externalid,
 * else name, up to the first space), then the cost-code-segment mapping. */
static int segment_codes(struct mlc_session *s, const struct mlc_segment *sg, json_t *seg_code,
			 struct mlc_error *err)
{
	struct ns_segment_value *vals = NULL;
	json_t *m = NULL, *v;
	const char *k;
	size_t n = 0;
	int rc;

	if (sg->use && (rc = netsuite_segment_values(s->ns, sg->table, &vals, &n, err)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		const char *ext = vals[i].externalid, *name = vals[i].name;
		const char *src = ext && *ext ? ext : name ? name : "";
		char code[64] = "";
		size_t j = 0;
		while (src[j] && src[j] != ' ' && j + 1 < sizeof(code)) {
			code[j] = src[j];
			j++;
		}
		code[j] = '\0';
		json_object_set_new(seg_code, vals[i].id ? vals[i].id : "", json_string(code));
	}
	ns_segment_values_free(vals, n);
	if ((rc = mapping_all(s->store, s->tenant.id, "cost-code-segment", &m, err)) < 0)
		return rc;
	json_object_foreach(m, k, v) {
		int64_t sv = 0;
		char sk[32];
		if (jsonx_id(v, "segment_value", &sv) == 0 && sv) {
			snprintf(sk, sizeof(sk), "%lld", (long long)sv);
			json_object_set_new(seg_code, sk, json_string(k));
		}
	}
	json_decref(m);
	return MLC_OK;
}

/* What the connector's ledger says was posted for a project x code (or account). */
static int64_t ledger_of(const json_t *ledger, bool by_code, int64_t project, const char *code)
{
	int64_t led = 0;
	size_t j;
	json_t *lr;

	json_array_foreach(ledger, j, lr) {
		char acct[32];
		snprintf(acct, sizeof(acct), "%lld",
			 (long long)json_integer_value(json_object_get(lr, "account")));
		if (json_integer_value(json_object_get(lr, "project_id")) == project &&
		    strcmp(by_code ? jsonx_str(lr, "cost_code") : acct, code) == 0)
			led += json_integer_value(json_object_get(lr, "amount"));
	}
	return led;
}

/* The report's rows for every key on either side; *diffs counts the differing ones. */
static json_t *report_rows(const struct reconcile_opts *o, bool by_code, const json_t *pc,
			   const json_t *ns, const json_t *ledger, const json_t *parked, int *diffs)
{
	json_t *keys = json_object(), *rows = json_array(), *v;
	const char *k;

	json_object_foreach((json_t *)pc, k, v)
		json_object_set(keys, k, v);
	json_object_foreach((json_t *)ns, k, v)
		if (!json_object_get(keys, k))
			json_object_set(keys, k, v);
	json_object_foreach(keys, k, v) {
		char pcs[MONEY_FMT_MAX], nss[MONEY_FMT_MAX], vs[MONEY_FMT_MAX], label[200];
		int64_t a = cents_of(pc, k), b = cents_of(ns, k);
		int64_t project = json_integer_value(json_object_get(v, "project"));
		const char *code = jsonx_str(v, "code"), *period = jsonx_str(v, "period");
		json_t *row;

		money_format(a, pcs);
		money_format(b, nss);
		money_format(a - b, vs);
		row = json_pack("{s:I, s:s, s:s, s:s, s:s}", "project_id", (json_int_t)project,
				by_code ? "cost_code" : "account", code, "procore", pcs, "netsuite", nss,
				"variance", vs);
		snprintf(label, sizeof(label), "%lld", (long long)project);
		json_object_set_new(row, "project", json_string(label));
		if (*period)
			json_object_set_new(row, "period", json_string(period));
		if (a != b) {
			(*diffs)++;
			json_object_set_new(row, "cause",
					    json_string(cause(o->period != NULL, project,
							      ledger_of(ledger, by_code, project, code),
							      a, b, parked)));
		}
		json_array_append_new(rows, row);
	}
	json_decref(keys);
	return rows;
}

int reconcile_run(struct mlc_session *s, const struct reconcile_opts *o, json_t **report,
		  struct mlc_error *err)
{
	struct mlc_project_link *links = NULL;
	size_t n = 0, i;
	json_t *pc = json_object(), *ns = json_object(), *linkmap = json_object();
	json_t *seg_code = json_object(), *expense = json_object(), *parked = NULL, *ledger = NULL;
	struct mlc_segment sg;
	int rc, diffs = 0;

	*report = NULL;
	/* without the segment the GL knows no cost code: compare per GL account */
	if ((rc = segment_resolve(s, &sg, err)) < 0 ||
	    (rc = project_list(s->store, s->tenant.id, &links, &n, err)) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		char job[32];
		snprintf(job, sizeof(job), "%lld", (long long)links[i].netsuite_job_id);
		json_object_set_new(linkmap, job, json_integer(links[i].procore_project_id));
		if (o->project_id && links[i].procore_project_id != o->project_id)
			continue;
		if ((rc = procore_side(s, &links[i], o, !sg.use, pc, err)) < 0)
			goto out;
	}
	if ((rc = expense_accounts(s, expense, err)) < 0 ||
	    (rc = segment_codes(s, &sg, seg_code, err)) < 0 ||
	    (rc = netsuite_side(s, o, &sg, linkmap, seg_code, expense, ns, err)) < 0 ||
	    (rc = review_list(s->store, s->tenant.id, "open", &parked, err)) < 0 ||
	    (rc = postings_totals(s->store, s->tenant.id, &ledger, err)) < 0)
		goto out;
	json_t *rows = report_rows(o, sg.use, pc, ns, ledger, parked, &diffs);
	*report = json_pack("{s:s, s:s, s:o, s:i}", "compared_by", sg.use ? "cost_code" : "account",
			    "dimension", sg.why, "rows", rows, "differences", diffs);
	rc = MLC_OK;
out:
	free(links);
	json_decref(pc);
	json_decref(ns);
	json_decref(linkmap);
	json_decref(seg_code);
	json_decref(expense);
	json_decref(parked);
	json_decref(ledger);
	return rc;
}
