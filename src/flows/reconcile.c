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
static void account_key(struct mlc_session *s, const struct mlc_project_link *l, const json_t *v,
			char *out, size_t n)
{
	struct cost_post_ctx ctx = { s->store, s->tenant.id, l, false, NULL, NULL };
	struct mlc_error e = { 0 };
	int64_t acct = 0;

	out[0] = '\0';
	if (cost_post_account(&ctx, jsonx_str(json_object_get(v, "cost_code"), "full_code"),
			      jsonx_str(json_object_get(v, "line_item_type"), "code"), &acct, &e) == 0 &&
	    acct)
		snprintf(out, n, "%lld", (long long)acct);
}

static int procore_side(struct mlc_session *s, const struct mlc_project_link *l,
			const struct reconcile_opts *o, bool by_account, json_t *totals,
			struct mlc_error *err)
{
	char path[128];
	json_t *dcs = NULL, *lines = NULL, *approved = json_object(), *v;
	size_t i;
	int rc;

	snprintf(path, sizeof(path), "/rest/v1.0/projects/%lld/direct_costs",
		 (long long)l->procore_project_id);
	if ((rc = procore_list(s->pc, path, NULL, &dcs, err)) < 0)
		goto out;
	json_array_foreach(dcs, i, v) {
		const char *st = jsonx_str(v, "status"), *date = jsonx_str(v, "direct_cost_date");
		char id[32], ym[8];
		int64_t dc = 0;
		if (!st || strcmp(st, "approved") || !date || jsonx_id(v, "id", &dc) < 0)
			continue;
		snprintf(ym, sizeof(ym), "%.7s", date);
		if (o->period && strcmp(o->period, ym))
			continue;
		snprintf(id, sizeof(id), "%lld", (long long)dc);
		json_object_set_new(approved, id, json_string(ym));
	}
	snprintf(path, sizeof(path), "/rest/v1.0/projects/%lld/direct_costs/line_items",
		 (long long)l->procore_project_id);
	if ((rc = procore_list(s->pc, path, NULL, &lines, err)) < 0)
		goto out;
	json_array_foreach(lines, i, v) {
		int64_t holder = 0, cents = 0;
		char id[32];
		const char *ym;
		if (jsonx_id(json_object_get(v, "holder"), "id", &holder) < 0)
			continue;
		snprintf(id, sizeof(id), "%lld", (long long)holder);
		if (!(ym = jsonx_str(approved, id)))
			continue;
		if ((rc = jsonx_money_get(v, "amount", false, &cents, err)) < 0)
			goto out;
		if (by_account) {
			char acct[32];
			account_key(s, l, v, acct, sizeof(acct));
			add(totals, l->procore_project_id, acct, o->period ? ym : NULL, cents);
		} else {
			add(totals, l->procore_project_id,
			    jsonx_str(json_object_get(v, "cost_code"), "full_code"),
			    o->period ? ym : NULL, cents);
		}
	}
	rc = MLC_OK;
out:
	json_decref(dcs);
	json_decref(lines);
	json_decref(approved);
	return rc;
}

struct ns_side_ctx {
	const struct reconcile_opts *o;
	const struct mlc_segment *seg; /* seg->use false: per GL account */
	json_t *links, *seg_code, *expense, *totals;
	struct mlc_error *err;
};

/* One page of GL lines into the totals. */
static int ns_side_rows(void *arg, json_t *rows)
{
	struct ns_side_ctx *c = arg;
	size_t i;
	json_t *v;
	int rc = MLC_OK;

	json_array_foreach(rows, i, v) {
		int64_t debit = 0, credit = 0, acct = 0, job = 0, seg = 0, project;
		char ym[8], key[32];
		const char *code;
		if (jsonx_id(v, "account", &acct) < 0 || !refdata_id_num(c->expense, acct) ||
		    jsonx_id(v, "entity", &job) < 0 ||
		    (c->seg->use && jsonx_id(v, c->seg->field, &seg) < 0))
			continue;
		project = refdata_id_num(c->links, job);
		if (!project || (c->o->project_id && project != c->o->project_id))
			continue;
		snprintf(ym, sizeof(ym), "%.7s", jsonx_str(v, "trandate") ? jsonx_str(v, "trandate") : "");
		if (c->o->period && strcmp(c->o->period, ym))
			continue;
		if ((rc = jsonx_money_get(v, "debit", true, &debit, c->err)) < 0 ||
		    (rc = jsonx_money_get(v, "credit", true, &credit, c->err)) < 0)
			break;
		snprintf(key, sizeof(key), "%lld", (long long)acct);
		code = !c->seg->use ? key : seg ? refdata_text_num(c->seg_code, seg) : "";
		add(c->totals, project, code, c->o->period ? ym : NULL, debit - credit);
	}
	return rc;
}

static int netsuite_side(struct mlc_session *s, const struct reconcile_opts *o,
			 const struct mlc_segment *seg, json_t *links, json_t *seg_code,
			 json_t *expense, json_t *totals, struct mlc_error *err)
{
	struct mlc_buf q = MLC_BUF_INIT;
	struct ns_side_ctx c = { o, seg, links, seg_code, expense, totals, err };
	int rc;

	/* the GL impact of our entries (docs/reference/netsuite.md: transactionaccountingline),
	 * paged by entry so that any number of lines is read (no 100,000-row cap) */
	buf_addf(&q,
		 "SELECT t.id, TO_CHAR(t.trandate, 'YYYY-MM-DD') AS trandate, tl.entity, "
		 "%s%s%stal.account, tal.debit, tal.credit FROM transaction t "
		 "JOIN transactionline tl ON tl.transaction = t.id "
		 "JOIN transactionaccountingline tal ON tal.transaction = tl.transaction AND "
		 "tal.transactionline = tl.id "
		 "WHERE t.type = 'Journal' AND t.externalid LIKE 'pc:%lld:%%' AND %%s "
		 "ORDER BY t.id, tl.id, tal.account",
		 seg->use ? "tl." : "", seg->use ? seg->field : "", seg->use ? ", " : "",
		 (long long)s->tenant.procore_company_id);
	rc = netsuite_suiteql_groups(s->ns, q.data, "t.id", "id",
				     (int)session_setting_int(s, "reconcile.page_rows", 1000),
				     ns_side_rows, &c, err);
	buf_release(&q);
	return rc < 0 ? rc : MLC_OK;
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

int reconcile_run(struct mlc_session *s, const struct reconcile_opts *o, json_t **report,
		  struct mlc_error *err)
{
	struct mlc_project_link *links = NULL;
	size_t n = 0, i;
	json_t *pc = json_object(), *ns = json_object(), *keys = json_object(), *rows = json_array();
	json_t *linkmap = json_object(), *seg_code = json_object(), *expense = json_object();
	json_t *m = NULL, *seg = NULL, *parked = NULL, *ledger = NULL, *v;
	struct mlc_segment sg;
	struct mlc_buf q = MLC_BUF_INIT;
	const char *k;
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
	/* the expense accounts the mappings post to: the GL side of job cost */
	if ((rc = mapping_all(s->store, s->tenant.id, "cost-code-account", &m, err)) < 0)
		goto out;
	json_object_foreach(m, k, v) {
		int64_t a = 0;
		char ak[32];
		if (jsonx_id(v, "account", &a) == 0 && a) {
			snprintf(ak, sizeof(ak), "%lld", (long long)a);
			json_object_set_new(expense, ak, json_integer(a));
		}
	}
	buf_addf(&q, "SELECT id, name, externalid FROM %s ORDER BY id", sg.table);
	if (sg.use && (rc = netsuite_suiteql_all(s->ns, q.data, &seg, err)) < 0)
		goto out;
	json_array_foreach(seg, i, v) {
		const char *ext = jsonx_str(v, "externalid"), *name = jsonx_str(v, "name");
		char code[64] = "";
		const char *src = ext && *ext ? ext : name ? name : "";
		size_t j = 0;
		while (src[j] && src[j] != ' ' && j + 1 < sizeof(code)) {
			code[j] = src[j];
			j++;
		}
		code[j] = '\0';
		json_object_set_new(seg_code, jsonx_str(v, "id") ? jsonx_str(v, "id") : "", json_string(code));
	}
	json_decref(m);
	if ((rc = mapping_all(s->store, s->tenant.id, "cost-code-segment", &m, err)) < 0)
		goto out;
	json_object_foreach(m, k, v) {
		int64_t sv = 0;
		char sk[32];
		if (jsonx_id(v, "segment_value", &sv) == 0 && sv) {
			snprintf(sk, sizeof(sk), "%lld", (long long)sv);
			json_object_set_new(seg_code, sk, json_string(k));
		}
	}
	if ((rc = netsuite_side(s, o, &sg, linkmap, seg_code, expense, ns, err)) < 0 ||
	    (rc = review_list(s->store, s->tenant.id, "open", &parked, err)) < 0 ||
	    (rc = postings_totals(s->store, s->tenant.id, &ledger, err)) < 0)
		goto out;
	json_object_foreach(pc, k, v)
		json_object_set(keys, k, v);
	json_object_foreach(ns, k, v)
		if (!json_object_get(keys, k))
			json_object_set(keys, k, v);
	json_object_foreach(keys, k, v) {
		char pcs[MONEY_FMT_MAX], nss[MONEY_FMT_MAX], vs[MONEY_FMT_MAX], label[200];
		int64_t a = cents_of(pc, k), b = cents_of(ns, k), led = 0;
		int64_t project = json_integer_value(json_object_get(v, "project"));
		const char *code = jsonx_str(v, "code"), *period = jsonx_str(v, "period");
		size_t j;
		json_t *lr, *row;

		json_array_foreach(ledger, j, lr) {
			char acct[32];
			snprintf(acct, sizeof(acct), "%lld",
				 (long long)json_integer_value(json_object_get(lr, "account")));
			if (json_integer_value(json_object_get(lr, "project_id")) == project &&
			    strcmp(sg.use ? jsonx_str(lr, "cost_code") : acct, code) == 0)
				led += json_integer_value(json_object_get(lr, "amount"));
		}
		money_format(a, pcs);
		money_format(b, nss);
		money_format(a - b, vs);
		row = json_pack("{s:I, s:s, s:s, s:s, s:s}", "project_id", (json_int_t)project,
				sg.use ? "cost_code" : "account", code, "procore", pcs, "netsuite", nss,
				"variance", vs);
		snprintf(label, sizeof(label), "%lld", (long long)project);
		json_object_set_new(row, "project", json_string(label));
		if (*period)
			json_object_set_new(row, "period", json_string(period));
		if (a != b) {
			diffs++;
			json_object_set_new(row, "cause",
					    json_string(cause(o->period != NULL, project, led, a, b, parked)));
		}
		json_array_append_new(rows, row);
	}
	*report = json_pack("{s:s, s:s, s:o, s:i}", "compared_by", sg.use ? "cost_code" : "account",
			    "dimension", sg.why, "rows", rows, "differences", diffs);
	rows = NULL;
	rc = MLC_OK;
out:
	free(links);
	json_decref(pc);
	json_decref(ns);
	json_decref(keys);
	json_decref(rows);
	json_decref(linkmap);
	json_decref(seg_code);
	json_decref(expense);
	json_decref(m);
	json_decref(seg);
	json_decref(parked);
	json_decref(ledger);
	buf_release(&q);
	return rc;
}
