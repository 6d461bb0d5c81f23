/*
 * Flow "budgets": Procore project budgets <-> NetSuite budgets, per linked
 * project and cost code (and cost type: a Procore budget line is a cost
 * code with a line item type).
 *
 * The figures compared, in cents:
 *   Procore   the revised budget of the line: original_budget_amount +
 *             budget_modifications from the budget view's detail rows, so
 *             an approved modification flows to NetSuite as an update.
 *   NetSuite  the total of the budget line (SuiteQL "budgets") with the
 *             criteria this flow writes: customer = the project's job, year =
 *             the tenant's budget year, the link's subsidiary, department,
 *             class and location, the budget category when set, the account
 *             mapped for the cost code (cost-code-account "code|type", then
 *             "code|") and, with the segment (flows/segment.h), the cost
 *             code's segment value (cost-code-segment).
 *             Without the segment, cost codes sharing an account cannot be
 *             told apart: such lines are parked.
 *
 * Direction (flows/masterdata.h): setting master.budgets, default procore:
 * the estimate and budget are built in Procore at most contractors, and
 * NetSuite receives them.  With "both", one field ("amount") is merged
 * against the base (md_base type "budgets", key "<project>:<code>:<type>");
 * its owner defaults to procore (owners.budgets.amount).
 *
 * Writes:
 *   to NetSuite  POST budgetImport with the amount spread evenly over the
 *                year's twelve periods in cents, the remainder (positive or
 *                negative) in period 12.  A line with the same criteria is
 *                replaced, so the write is naturally idempotent.
 *   to Procore   the original budget is set so that original + approved
 *                modifications = the NetSuite figure: original =
 *                netsuite - budget_modifications (PATCH the line, or POST a
 *                new line when the cost code has none).  Modifications stay
 *                Procore's; the original absorbs the difference.
 * A side without a line has no figure (not a zero): it never makes the
 * other side write zeros.  After the writes succeed the base becomes the
 * merged value, so the connector's own writes are never seen as changes:
 * a second run writes nothing (no ping-pong).
 *
 * Tenant settings: master.budgets, owners.budgets.amount, budgets.year
 * (accounting period id or name "FY 2026"; default: the fiscal year
 * holding today), budgets.category (budget category id, Multiple Budgets),
 * budgets.use_segment (default true: follow costs.use_segment and
 * netsuite.cost_code_segment, flows/segment.h; false: never), budgets.view_id (default: the first
 * budget view Procore lists).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mapping.h"
#include "core/project.h"
#include "flows/cost_post.h"
#include "flows/flow.h"
#include "flows/masterdata.h"
#include "flows/segment.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/money.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

#define BUDGET_PERIODS 12

static const struct md_field budget_fields[] = {
    {"amount", MD_PROCORE},
    {NULL, MD_NONE},
};

struct budgets {
	struct flow_run *r;
	enum md_side master;
	int64_t year, category, view_id;
	struct mlc_segment seg; /* the cost-code dimension (flows/segment.h) */
	json_t *lit_code; /* "lit id" -> "L" */
	json_t *lit_id;   /* "L" -> lit id */
	json_t *rev;      /* "account:segment" -> "code|type" (null when ambiguous) */
	int failed;
};

/* One pair: a Procore line and/or a NetSuite line for one cost code/type. */
struct pair {
	char key[160]; /* md_base key "<project>:<code>:<type>" */
	char code[64], type[16];
	int64_t account, segment;
	bool has_pc, has_ns;
	int64_t bli_id, cost_code_id, lit_id;
	int64_t original, mods; /* Procore cents */
	int64_t ns_id, ns_total;
};

/* ---- setup ----------------------------------------------------------------------------- */

static int load_year(struct budgets *b, struct mlc_error *err)
{
	struct mlc_session *s = b->r->s;
	const char *want = session_setting_str(s, "budgets.year", NULL);
	int64_t want_id = session_setting_int(s, "budgets.year", 0);
	char today[MLC_TIME_FMT_MAX];
	json_t *rows = NULL, *row;
	size_t i;
	int rc;

	time_format_date(time_now_ms(), today);
	rc = netsuite_suiteql_all(s->ns,
	                          "SELECT id, periodname, TO_CHAR(startdate, 'YYYY-MM-DD') AS s, "
	                          "TO_CHAR(enddate, 'YYYY-MM-DD') AS e FROM accountingperiod WHERE "
	                          "isyear = 'T' ORDER BY startdate",
	                          &rows, err);
	if (rc < 0)
		return rc;
	json_array_foreach(rows, i, row)
	{
		int64_t id = 0;
		const char *name = jsonx_str(row, "periodname"), *st = jsonx_str(row, "s"),
		           *en = jsonx_str(row, "e");
		if (jsonx_id(row, "id", &id) < 0 || !id)
			continue;
		if (want ? (name && strcmp(name, want) == 0) ||
		               (jsonx_str(row, "id") && strcmp(jsonx_str(row, "id"), want) == 0)
		    : want_id ? id == want_id
		              : st && en && strcmp(st, today) <= 0 && strcmp(today, en) <= 0) {
			b->year = id;
			break;
		}
	}
	json_decref(rows);
	if (!b->year) {
		if (want || want_id)
			return error_set(err, MLC_ECONFIG,
			                 "setting budgets.year: NetSuite has no fiscal year '%s'",
			                 want ? want : "(that id)");
		return error_set(err, MLC_ECONFIG,
		                 "NetSuite has no fiscal year holding %s; set budgets.year", today);
	}
	return MLC_OK;
}

static int load_procore_refs(struct budgets *b, const struct mlc_project_link *first,
                             struct mlc_error *err)
{
	struct mlc_session *s = b->r->s;
	char company[24], pid[24];
	const char *cq[] = {"company_id", company, NULL};
	const char *pq[] = {"project_id", pid, NULL};
	json_t *lits = NULL, *views = NULL, *v;
	size_t i;
	int rc;

	snprintf(company, sizeof(company), "%lld", (long long)s->tenant.procore_company_id);
	if ((rc = procore_list(s->pc, "/rest/v1.0/line_item_types", cq, &lits, err)) < 0)
		return rc;
	json_array_foreach(lits, i, v)
	{
		int64_t id = 0;
		char k[24];
		if (!jsonx_str(v, "code") || jsonx_id(v, "id", &id) < 0 || !id)
			continue;
		snprintf(k, sizeof(k), "%lld", (long long)id);
		json_object_set_new(b->lit_code, k, json_string(jsonx_str(v, "code")));
		json_object_set_new(b->lit_id, jsonx_str(v, "code"), json_integer(id));
	}
	json_decref(lits);
	b->view_id = session_setting_int(s, "budgets.view_id", 0);
	if (b->view_id || !first)
		return MLC_OK;
	snprintf(pid, sizeof(pid), "%lld", (long long)first->procore_project_id);
	if ((rc = procore_list(s->pc, "/rest/v1.0/budget_views", pq, &views, err)) < 0)
		return rc;
	if (jsonx_id(json_array_get(views, 0), "id", &b->view_id) < 0 || !b->view_id)
		rc = error_set(err, MLC_ENOTFOUND,
		               "Procore lists no budget view; set budgets.view_id");
	json_decref(views);
	return rc < 0 ? rc : MLC_OK;
}

/* "account:segment" -> "code|type" from the mappings, for NetSuite lines
 * that Procore does not have yet.  Mappings for any type ("code|") give no
 * type and are left out. */
static int load_reverse(struct budgets *b, struct mlc_error *err)
{
	struct mlc_session *s = b->r->s;
	json_t *acc = NULL, *seg = NULL, *t;
	const char *k;
	int rc;

	if ((rc = mapping_all(s->store, s->tenant.id, "cost-code-account", &acc, err)) < 0 ||
	    (rc = mapping_all(s->store, s->tenant.id, "cost-code-segment", &seg, err)) < 0)
		goto out;
	json_object_foreach(acc, k, t)
	{
		const char *bar = strchr(k, '|');
		char code[64], rk[64];
		int64_t a = 0, sv = 0;
		if (!bar || !bar[1] || (size_t)(bar - k) >= sizeof(code) ||
		    jsonx_id(t, "account", &a) < 0 || !a)
			continue;
		memcpy(code, k, (size_t)(bar - k));
		code[bar - k] = '\0';
		if (b->seg.use &&
		    (jsonx_id(json_object_get(seg, code), "segment_value", &sv) < 0 || !sv))
			continue;
		snprintf(rk, sizeof(rk), "%lld:%lld", (long long)a, (long long)sv);
		if (json_object_get(b->rev, rk))
			json_object_set_new(b->rev, rk, json_null());
		else
			json_object_set_new(b->rev, rk, json_string(k));
	}
	rc = MLC_OK;
out:
	json_decref(acc);
	json_decref(seg);
	return rc;
}

/* ---- reading one project ------------------------------------------------------------------ */

struct pairs {
	struct pair *v;
	size_t n, cap;
	json_t *by_key;  /* "code|type" -> index */
	json_t *by_line; /* "account:segment" -> index, or null when shared */
};

static struct pair *pair_for(struct pairs *ps, const char *code, const char *type, int64_t pid)
{
	char k[96];
	json_t *ix;

	snprintf(k, sizeof(k), "%s|%s", code, type);
	if ((ix = json_object_get(ps->by_key, k)))
		return &ps->v[json_integer_value(ix)];
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 32;
		ps->v = xrealloc(ps->v, ps->cap * sizeof(*ps->v));
	}
	memset(&ps->v[ps->n], 0, sizeof(ps->v[0]));
	str_copy(ps->v[ps->n].code, sizeof(ps->v[0].code), code);
	str_copy(ps->v[ps->n].type, sizeof(ps->v[0].type), type);
	snprintf(ps->v[ps->n].key, sizeof(ps->v[0].key), "%lld:%s:%s", (long long)pid, code, type);
	json_object_set_new(ps->by_key, k, json_integer((json_int_t)ps->n));
	return &ps->v[ps->n++];
}

static void pairs_release(struct pairs *ps)
{
	free(ps->v);
	json_decref(ps->by_key);
	json_decref(ps->by_line);
	memset(ps, 0, sizeof(*ps));
}

/* The NetSuite side of a Procore line: account and segment. */
static int line_of(struct budgets *b, const struct mlc_project_link *l, struct pair *p,
                   struct mlc_error *err)
{
	struct mlc_session *s = b->r->s;
	struct cost_post_ctx ctx = {.store = s->store, .tenant_id = s->tenant.id, .link = l};
	json_t *t = NULL;
	int rc;

	if ((rc = cost_post_account(&ctx, p->code, p->type, &p->account, err)) < 0)
		return rc;
	if (!b->seg.use)
		return MLC_OK;
	rc = mapping_get(s->store, s->tenant.id, "cost-code-segment", p->code, &t, err);
	if (rc == MLC_ENOTFOUND)
		return error_set(err, MLC_ENOTFOUND,
		                 "cost code %s has no NetSuite cost-code segment value (mapping "
		                 "cost-code-segment); budgets carry the segment",
		                 p->code);
	if (rc < 0)
		return rc;
	rc = jsonx_id(t, "segment_value", &p->segment);
	json_decref(t);
	if (rc < 0 || !p->segment)
		return error_set(err, MLC_EINVAL, "cost code %s has a bad segment value", p->code);
	return MLC_OK;
}

/* The cost code's full code ("03-300") from a detail row's id. */
static const char *code_of(const json_t *codes, int64_t id)
{
	char k[24];
	snprintf(k, sizeof(k), "%lld", (long long)id);
	return json_string_value(json_object_get(codes, k));
}

/* ---- writes ------------------------------------------------------------------------------ */

static void money_detail(json_t *d, const char *field, bool from_known, int64_t from, int64_t to)
{
	json_object_set_new(d, field,
	                    json_pack("{s:o, s:o}", "from",
	                              from_known ? jsonx_money(from) : json_null(), "to",
	                              jsonx_money(to)));
}

static int write_netsuite(struct budgets *b, const struct mlc_project_link *l, const struct pair *p,
                          int64_t cents, int64_t *id, struct mlc_error *err)
{
	json_t *body = json_object();
	char k[24], code[NS_CODE_MAX];
	int64_t each = cents / BUDGET_PERIODS;

#define REF(field, v)                                                                              \
	do {                                                                                       \
		snprintf(k, sizeof(k), "%lld", (long long)(v));                                    \
		json_object_set_new(body, field, json_pack("{s:s}", "id", k));                     \
	} while (0)
	REF("account", p->account);
	REF("year", b->year);
	REF("customer", l->netsuite_job_id);
	if (l->subsidiary_id)
		REF("subsidiary", l->subsidiary_id);
	if (l->department_id)
		REF("department", l->department_id);
	if (l->class_id)
		REF("class", l->class_id);
	if (l->location_id)
		REF("location", l->location_id);
	if (b->category)
		REF("category", b->category);
	if (b->seg.use)
		REF(b->seg.field, p->segment);
#undef REF
	json_object_set_new(body, "amount", jsonx_money(cents));
	for (int i = 1; i <= BUDGET_PERIODS; i++) {
		char f[24];
		snprintf(f, sizeof(f), "periodamount%d", i);
		json_object_set_new(
		    body, f,
		    jsonx_money(i < BUDGET_PERIODS ? each : cents - each * (BUDGET_PERIODS - 1)));
	}
	return netsuite_create(b->r->s->ns, "budgetImport", body, id, code, err);
}

static int write_procore(struct budgets *b, const struct mlc_project_link *l, struct pair *p,
                         int64_t cents, struct mlc_error *err)
{
	char path[96];
	json_t *item = json_object(), *out = NULL;
	int status = 0, rc;

	/* project_id goes in the body only: the create and update endpoint
	 * files (RestV10BudgetLineItems{Post,IdPatch}.json) take no query */
	/* the original absorbs the difference; approved modifications stay */
	json_object_set_new(item, "original_budget_amount", jsonx_money(cents - p->mods));
	if (p->bli_id) {
		snprintf(path, sizeof(path), "/rest/v1.0/budget_line_items/%lld",
		         (long long)p->bli_id);
		rc = procore_write(b->r->s->pc, "PATCH", path, NULL,
		                   json_pack("{s:I, s:o}", "project_id",
		                             (json_int_t)l->procore_project_id, "budget_line_item",
		                             item),
		                   &out, &status, err);
	} else {
		json_object_set_new(item, "cost_code_id", json_integer(p->cost_code_id));
		json_object_set_new(item, "line_item_type_id", json_integer(p->lit_id));
		rc = procore_write(b->r->s->pc, "POST", "/rest/v1.0/budget_line_items", NULL,
		                   json_pack("{s:I, s:o}", "project_id",
		                             (json_int_t)l->procore_project_id, "budget_line_item",
		                             item),
		                   &out, &status, err);
		if (rc == MLC_OK && jsonx_id(out, "id", &p->bli_id) < 0)
			p->bli_id = 0;
	}
	json_decref(out);
	return rc;
}

/* ---- one pair ----------------------------------------------------------------------------- */

static json_t *amount_obj(bool has, int64_t cents)
{
	return json_pack("{s:o}", "amount", has ? json_integer(cents) : json_null());
}

static void settle(struct budgets *b, const struct mlc_project_link *l, struct pair *p)
{
	struct flow_run *r = b->r;
	struct mlc_session *s = r->s;
	struct md_merge m = {0};
	json_t *base = NULL, *ns = NULL, *pc = NULL, *v, *detail = NULL;
	struct mlc_error e = {0};
	char src[200], tgt[64];
	int64_t pc_cents = 0, ns_id = 0;
	bool wrote = false;

	r->stats.read++;
	if (p->has_pc && money_add(p->original, p->mods, &pc_cents) < 0) {
		flow_record(r, FLOW_FAIL, "budget", p->key, NULL, NULL, "budget amount overflows");
		b->failed = 1;
		return;
	}
	snprintf(src, sizeof(src), "pc:budget:%s", p->key);
	if (p->has_ns)
		snprintf(tgt, sizeof(tgt), "ns:budget:%lld", (long long)p->ns_id);
	else
		str_copy(tgt, sizeof(tgt), "ns:budget:new");
	if (md_base_get(s->store, s->tenant.id, "budgets", p->key, &base, &e) < 0) {
		flow_record(r, FLOW_FAIL, "budget", src, tgt, NULL, e.msg);
		b->failed = 1;
		return;
	}
	ns = amount_obj(p->has_ns, p->ns_total);
	pc = amount_obj(p->has_pc, pc_cents);
	if (!base && (!p->has_ns || !p->has_pc))
		/* a line new on one side is that side's change, not a conflict */
		base = amount_obj(false, 0);
	md_merge(s, "budgets", b->master, budget_fields, base, ns, pc, &m);
	md_record_conflicts(r, "budget", src, tgt, &m);

	if ((v = json_object_get(m.to_ns, "amount")) && json_is_integer(v)) {
		int64_t cents = json_integer_value(v);
		detail = json_object();
		money_detail(detail, "amount", p->has_ns, p->ns_total, cents);
		json_object_set_new(detail, "account", json_integer(p->account));
		if (b->seg.use)
			json_object_set_new(detail, "segment", json_integer(p->segment));
		if (!r->opts.dry_run && write_netsuite(b, l, p, cents, &ns_id, &e) < 0) {
			flow_record(r, FLOW_FAIL, "budget", src, tgt, detail, e.msg);
			b->failed = 1;
			goto out;
		}
		if (ns_id)
			snprintf(tgt, sizeof(tgt), "ns:budget:%lld", (long long)ns_id);
		flow_record(r, p->has_ns ? FLOW_UPDATE : FLOW_CREATE, "budget", src, tgt, detail,
		            NULL);
		json_decref(detail);
		detail = NULL;
		wrote = true;
	}
	if ((v = json_object_get(m.to_pc, "amount")) && json_is_integer(v)) {
		int64_t cents = json_integer_value(v);
		char psrc[64], ptgt[200];
		bool existed = p->bli_id != 0;
		snprintf(psrc, sizeof(psrc), "%s", tgt);
		snprintf(ptgt, sizeof(ptgt), "pc:budget:%s", p->key);
		if (!p->bli_id && (!p->cost_code_id || !p->lit_id)) {
			flow_park(r, "budget", psrc, ptgt,
				  "the Procore project has no such cost code or line item type", NULL);
			goto out;
		}
		detail = json_object();
		money_detail(detail, "revised_budget", p->has_pc, pc_cents, cents);
		money_detail(detail, "original_budget_amount", p->has_pc, p->original,
		             cents - p->mods);
		if (!r->opts.dry_run && write_procore(b, l, p, cents, &e) < 0) {
			flow_record(r, FLOW_FAIL, "budget", psrc, ptgt, detail, e.msg);
			b->failed = 1;
			goto out;
		}
		flow_record(r, existed ? FLOW_UPDATE : FLOW_CREATE, "budget", psrc, ptgt, detail,
		            NULL);
		wrote = true;
	}
	if (!wrote)
		flow_record(r, FLOW_SKIP, "budget", src, tgt, NULL, NULL);
	/* both writes landed (or none was due): the merged value is agreed */
	if (!r->opts.dry_run && (!base || !json_equal(base, m.merged)) &&
	    md_base_put(s->store, s->tenant.id, "budgets", p->key, m.merged, &e) < 0) {
		flow_record(r, FLOW_FAIL, "budget", src, tgt, NULL, e.msg);
		b->failed = 1;
	} else {
		/* parked earlier (say, an unmapped code), placed now */
		flow_resolve(r, "budget", p->key);
	}
out:
	json_decref(detail);
	json_decref(base);
	json_decref(ns);
	json_decref(pc);
	md_merge_release(&m);
}

/* ---- one project -------------------------------------------------------------------------- */

static int do_project(struct budgets *b, const struct mlc_project_link *l, struct mlc_error *err)
{
	struct mlc_session *s = b->r->s;
	struct pairs ps = {.by_key = json_object(), .by_line = json_object()};
	char pid[24], path[128];
	const char *pq[] = {"project_id", pid, NULL};
	json_t *codes = json_object(), *code_id = json_object(), *list = NULL, *rows = NULL, *v;
	struct mlc_buf q = MLC_BUF_INIT;
	size_t i;
	int rc;

	snprintf(pid, sizeof(pid), "%lld", (long long)l->procore_project_id);
	if ((rc = procore_list(s->pc, "/rest/v1.0/cost_codes", pq, &list, err)) < 0)
		goto out;
	json_array_foreach(list, i, v)
	{
		int64_t id = 0;
		char k[24];
		if (!jsonx_str(v, "full_code") || jsonx_id(v, "id", &id) < 0 || !id)
			continue;
		snprintf(k, sizeof(k), "%lld", (long long)id);
		json_object_set_new(codes, k, json_string(jsonx_str(v, "full_code")));
		json_object_set_new(code_id, jsonx_str(v, "full_code"), json_integer(id));
	}
	snprintf(path, sizeof(path), "/rest/v1.0/budget_views/%lld/detail_rows",
	         (long long)b->view_id);
	if ((rc = procore_list(s->pc, path, pq, &rows, err)) < 0)
		goto out;

	/* Procore: one pair per budget line (cost code and cost type) */
	json_array_foreach(rows, i, v)
	{
		int64_t bli = 0, cc = 0, cat = 0;
		const char *code, *type;
		char lk[64], why[320];
		struct pair *p;
		struct mlc_error e = {0};
		json_t *seen;
		if (jsonx_id(v, "id", &bli) < 0 || !bli || jsonx_id(v, "cost_code_id", &cc) < 0 ||
		    jsonx_id(v, "category_id", &cat) < 0)
			continue;
		code = code_of(codes, cc);
		snprintf(lk, sizeof(lk), "%lld", (long long)cat);
		type = json_string_value(json_object_get(b->lit_code, lk));
		if (!code) {
			snprintf(why, sizeof(why),
			         "budget line %lld: cost code %lld is not in the project",
			         (long long)bli, (long long)cc);
			{
				char src[48];
				snprintf(src, sizeof(src), "pc:budget_line:%lld", (long long)bli);
				flow_park(b->r, "budget", src, NULL, why, NULL);
			}
			continue;
		}
		p = pair_for(&ps, code, type ? type : "", l->procore_project_id);
		if (p->has_pc) {
			snprintf(why, sizeof(why),
			         "cost code %s type %s has two budget lines in Procore; the first "
			         "counts",
			         code, type ? type : "-");
			flow_park(b->r, "budget", p->key, NULL, why, NULL);
			continue;
		}
		p->has_pc = true;
		p->bli_id = bli;
		p->cost_code_id = cc;
		p->lit_id = cat;
		if (jsonx_money_get(v, "original_budget_amount", true, &p->original, &e) < 0 ||
		    jsonx_money_get(v, "budget_modifications", true, &p->mods, &e) < 0) {
			flow_record(b->r, FLOW_FAIL, "budget", p->key, NULL, NULL, e.msg);
			p->has_pc = false;
			p->account = -1;
			b->failed = 1;
			continue;
		}
		if (line_of(b, l, p, &e) < 0) {
			flow_park(b->r, "budget", p->key, NULL, e.msg, NULL);
			p->account = -1; /* left out below */
			continue;
		}
		snprintf(lk, sizeof(lk), "%lld:%lld", (long long)p->account, (long long)p->segment);
		if ((seen = json_object_get(ps.by_line, lk))) {
			/* two cost codes on one NetSuite line: only the segment tells them apart */
			if (json_is_integer(seen))
				ps.v[json_integer_value(seen)].account = -2;
			p->account = -2;
			json_object_set_new(ps.by_line, lk, json_null());
		} else {
			json_object_set_new(ps.by_line, lk, json_integer((json_int_t)(p - ps.v)));
		}
	}

	/* NetSuite: the budget lines of the job and year with our criteria */
	buf_addf(&q,
	         "SELECT id, account, total, %s%s subsidiary, department, "
	         "class, location, category FROM budgets WHERE customer = %lld AND year = %lld "
	         "ORDER BY id",
	         b->seg.use ? b->seg.field : "", b->seg.use ? " AS seg," : "",
	         (long long)l->netsuite_job_id, (long long)b->year);
	json_decref(list);
	list = NULL;
	if ((rc = netsuite_suiteql_all(s->ns, q.data, &list, err)) < 0)
		goto out;
	json_array_foreach(list, i, v)
	{
		int64_t id = 0, acct = 0, seg = 0, sub = 0, dep = 0, cls = 0, loc = 0, cat = 0;
		char lk[64];
		json_t *ix;
		struct pair *p;
		struct mlc_error e = {0};
		if (jsonx_id(v, "id", &id) < 0 || jsonx_id(v, "account", &acct) < 0 ||
		    jsonx_id(v, "seg", &seg) < 0 || jsonx_id(v, "subsidiary", &sub) < 0 ||
		    jsonx_id(v, "department", &dep) < 0 || jsonx_id(v, "class", &cls) < 0 ||
		    jsonx_id(v, "location", &loc) < 0 || jsonx_id(v, "category", &cat) < 0)
			continue;
		/* another budget of the job (other dimensions or category): not ours */
		if ((l->subsidiary_id && sub != l->subsidiary_id) || dep != l->department_id ||
		    cls != l->class_id || loc != l->location_id || cat != b->category ||
		    (!b->seg.use && seg))
			continue;
		snprintf(lk, sizeof(lk), "%lld:%lld", (long long)acct,
		         (long long)(b->seg.use ? seg : 0));
		ix = json_object_get(ps.by_line, lk);
		if (json_is_integer(ix)) {
			p = &ps.v[json_integer_value(ix)];
		} else if (ix) {
			continue; /* shared line, parked below */
		} else {
			/* no Procore line yet: which cost code and type is it? */
			const char *ct = json_string_value(json_object_get(b->rev, lk));
			const char *bar = ct ? strchr(ct, '|') : NULL;
			char code[64];
			if (!bar) {
				char why[200];
				snprintf(
				    why, sizeof(why),
				    "NetSuite budget line %lld (account %lld, segment %lld) maps "
				    "to no single Procore cost code and type",
				    (long long)id, (long long)acct, (long long)seg);
				if (b->master != MD_PROCORE) {
					char src[48];
					snprintf(src, sizeof(src), "ns:budget:%lld", (long long)id);
					flow_park(b->r, "budget", src, NULL, why, NULL);
				}
				continue;
			}
			snprintf(code, sizeof(code), "%.*s", (int)(bar - ct), ct);
			p = pair_for(&ps, code, bar + 1, l->procore_project_id);
			if (p->has_pc)
				continue; /* its Procore line could not be placed: parked above */
			p->account = acct;
			p->segment = seg;
			p->cost_code_id = json_integer_value(json_object_get(code_id, code));
			p->lit_id = json_integer_value(json_object_get(b->lit_id, bar + 1));
			json_object_set_new(ps.by_line, lk, json_integer((json_int_t)(p - ps.v)));
		}
		if (p->has_ns)
			continue;
		if (jsonx_money_get(v, "total", false, &p->ns_total, &e) < 0) {
			flow_record(b->r, FLOW_FAIL, "budget", p->key, NULL, NULL, e.msg);
			p->account = -1;
			b->failed = 1;
			continue;
		}
		p->has_ns = true;
		p->ns_id = id;
	}

	for (i = 0; i < ps.n; i++) {
		struct pair *p = &ps.v[i];
		if (p->account == -2) {
			char why[400];
			snprintf(why, sizeof(why),
			         "cost code %s shares its NetSuite account with another cost code "
			         "of the project; per-cost-code budgets need the cost-code segment "
			         "(%s)",
			         p->code, b->seg.why);
			flow_park(b->r, "budget", p->key, NULL, why, NULL);
			continue;
		}
		if (p->account <= 0)
			continue;
		settle(b, l, p);
	}
	rc = MLC_OK;
out:
	pairs_release(&ps);
	json_decref(codes);
	json_decref(code_id);
	json_decref(list);
	json_decref(rows);
	buf_release(&q);
	return rc;
}

int flow_budgets(struct flow_run *r, struct mlc_error *err)
{
	struct mlc_session *s = r->s;
	struct budgets b = {.r = r};
	struct mlc_project_link *links = NULL;
	size_t n = 0, i;
	int rc;

	b.lit_code = json_object();
	b.lit_id = json_object();
	b.rev = json_object();
	/* the segment as the costs flow decides it; budgets.use_segment=false
	 * still keeps budget lines off it */
	if ((rc = segment_resolve(s, &b.seg, err)) < 0)
		goto out;
	if (!session_setting_bool(s, "budgets.use_segment", true) && b.seg.use) {
		b.seg.use = false;
		snprintf(b.seg.why, sizeof(b.seg.why), "budgets.use_segment false");
	}
	b.category = session_setting_int(s, "budgets.category", 0);
	/* default procore: the estimate and budget are built in Procore at most
	 * contractors, and the ERP receives them */
	if ((rc = md_master(s, "budgets", MD_PROCORE, &b.master, err)) < 0 ||
	    (rc = project_list(s->store, s->tenant.id, &links, &n, err)) < 0)
		goto out;
	for (i = 0; i < n && !links[i].active; i++)
		;
	if (i == n) {
		rc = MLC_OK;
		goto out;
	}
	if ((rc = load_year(&b, err)) < 0 || (rc = load_procore_refs(&b, &links[i], err)) < 0 ||
	    (rc = load_reverse(&b, err)) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (!links[i].active)
			continue;
		if (do_project(&b, &links[i], err) < 0) {
			/* one project's failure does not stop the others */
			flow_record(r, FLOW_FAIL, "project", NULL, NULL, NULL, err->msg);
			b.failed = 1;
		}
	}
	rc = b.failed ? error_set(err, MLC_ETRANSIENT, "some budget lines failed") : MLC_OK;
out:
	free(links);
	json_decref(b.lit_code);
	json_decref(b.lit_id);
	json_decref(b.rev);
	return rc;
}
