/*
 * Flow "budgets": Procore project budgets <-> NetSuite budgets, per linked
 * project and cost code (and cost type: a Procore budget line is a cost
 * code with a line item type).
 *
 * The figures compared, in cents:
 *   Procore   the revised budget of the line: original_budget_amount from
 *             the budget view's detail rows + the amounts of the line's
 *             (WBS code's) adjustments in approved budget changes (the
 *             project-wide adjustment line items), so an approved budget
 *             change flows to NetSuite as an update.  The connector's own
 *             budget changes (title BUDGET_CHANGE_TITLE) still in Draft or
 *             under review count too: they stand for the NetSuite figure
 *             they carry, so a rerun does not propose them again; voided,
 *             they no longer count.  Budget Modifications are not read:
 *             Budget Changes replaced them.
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
 *   to Procore   an existing line is never rewritten (Procore locks the
 *                original with the budget, docs/reference/procore/
 *                webhook-payloads.md item 5): it takes a budget change,
 *                one per project and run, with one adjustment (a
 *                change_event line) per line of the difference; status
 *                budgets.change_status (default draft: a person approves
 *                it in Procore).  A lost answer makes no second one: the
 *                next run counts it (its title) and finds nothing to add.
 *                A line Procore lacks is created with the figure as its
 *                original while the budget is unlocked (Procore's
 *                documented way of building a budget before it is
 *                locked); a locked budget refuses that (422), and the
 *                line is then added at 0 and takes a budget change.
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
 * budget view Procore lists), budgets.change_status (draft, under_review
 * or approved: the status of the budget changes the connector makes).
 *
 * The run sets up once (flows/budget_setup.c), reads typed records
 * (procore/pc_budget.h, netsuite/ns_budget.h), pairs them per cost code
 * and type here, plans each pair (flows/budget_plan.h, pure) and applies
 * the plan; a project's budget change goes out after its pairs are planned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mapping.h"
#include "core/project.h"
#include "flows/budget_int.h"
#include "flows/budget_plan.h"
#include "flows/cost_post.h"
#include "flows/flow.h"
#include "flows/key_index.h"
#include "flows/masterdata.h"
#include "flows/flow_park.h"
#include "flows/review_apply.h"
#include "flows/segment.h"
#include "netsuite/ns_budget.h"
#include "procore/pc_budget.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/money.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

enum pair_state { PAIR_OPEN = 0, PAIR_LEFT_OUT, PAIR_SHARED };

/* One pair: a Procore line and/or a NetSuite line for one cost code/type. */
struct pair {
	char key[160]; /* md_base key "<project>:<code>:<type>" */
	char code[64], type[16];
	enum pair_state state;
	int64_t account, segment;
	bool has_pc, has_ns;
	int64_t bli_id, cost_code_id, lit_id, wbs_id;
	int64_t original, changes; /* Procore cents: original, budget changes counted */
	int64_t ns_id, ns_total;
	bool queued;       /* waits for the project's budget change */
	struct bp_plan pl; /* when queued */
};

/* ---- reading one project ------------------------------------------------------------------ */

struct pairs {
	struct pair *v;
	size_t n, cap;
	struct key_index by_key;  /* "code|type" -> pair */
	struct key_index by_line; /* "account:segment" -> pair, KEY_INDEX_SHARED when shared */
	struct key_index by_wbs;  /* WBS code id -> pair */
	struct pc_budget_change_line *bc; /* the project's budget change: its lines */
	size_t *bc_pair;                  /* and the pair of each line */
	size_t nbc;
	struct pc_code_ref *codes; /* the project's cost codes by id */
	size_t ncodes;
};

static struct pair *pair_for(struct pairs *ps, const char *code, const char *type, int64_t pid)
{
	char k[96];
	struct key_entry *e;
	struct pair *p;

	snprintf(k, sizeof(k), "%s|%s", code, type);
	e = key_index_get(&ps->by_key, k);
	if (e)
		return &ps->v[e->ix];
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 32;
		ps->v = xrealloc(ps->v, ps->cap * sizeof(*ps->v));
	}
	p = &ps->v[ps->n];
	memset(p, 0, sizeof(*p));
	str_copy(p->code, sizeof(p->code), code);
	str_copy(p->type, sizeof(p->type), type);
	snprintf(p->key, sizeof(p->key), "%lld:%s:%s", (long long)pid, code, type);
	key_index_set(&ps->by_key, k, ps->n);
	return &ps->v[ps->n++];
}

static void pairs_release(struct pairs *ps)
{
	free(ps->v);
	key_index_release(&ps->by_key);
	key_index_release(&ps->by_line);
	key_index_release(&ps->by_wbs);
	free(ps->bc);
	free(ps->bc_pair);
	free(ps->codes);
	memset(ps, 0, sizeof(*ps));
}

static int cmp_ref_id(const void *key, const void *elem)
{
	int64_t x = *(const int64_t *)key, y = ((const struct pc_code_ref *)elem)->id;
	return (x > y) - (x < y);
}

/* The cost code's full code ("03-300") from its id. */
static const char *code_of(const struct pairs *ps, int64_t id)
{
	const struct pc_code_ref *r =
	    ps->ncodes ? bsearch(&id, ps->codes, ps->ncodes, sizeof(*ps->codes), cmp_ref_id) : NULL;
	return r ? r->full_code : NULL;
}

/* The id of a full code in the project, 0 for none (the last listed). */
static int64_t code_id(const struct pairs *ps, const char *code)
{
	int64_t id = 0;
	for (size_t i = 0; i < ps->ncodes; i++)
		if (strcmp(ps->codes[i].full_code, code) == 0)
			id = ps->codes[i].id;
	return id;
}

/* The NetSuite side of a Procore line: account and segment. */
static int line_of(struct budgets *b, const struct mlc_project_link *l, struct pair *p,
		   struct mlc_error *err)
{
	struct mlc_session *s = b->r->s;
	struct cost_post_ctx ctx = {.store = s->store, .tenant_id = s->tenant.id, .link = l};
	json_t *t = NULL;
	int rc;

	rc = cost_post_account(&ctx, p->code, p->type, &p->account, err);
	if (rc < 0)
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

/* Parks a budget record; a park that could not be stored is a failure
 * (flow_park() recorded it as FLOW_FAIL) and makes the run partial. */
static void park(struct budgets *b, const char *src, const char *target, const char *why)
{
	if (flow_park(b->r, "budget", src, target, why, NULL) < 0)
		b->failed = 1;
}

static void park_ref(struct budgets *b, const char *kind, int64_t id, const char *why)
{
	char src[48];

	snprintf(src, sizeof(src), "%s:%lld", kind, (long long)id);
	park(b, src, NULL, why);
}

/* Procore: one pair per budget line (cost code and cost type). */
static void place_pc_row(struct budgets *b, const struct mlc_project_link *l, struct pairs *ps,
			 const struct pc_budget_row *row)
{
	const char *code = code_of(ps, row->cost_code_id),
		   *type = budget_lit_code(b, row->category_id);
	struct mlc_error e = {0};
	struct key_entry *seen;
	struct pair *p;
	char lk[64], why[320];

	if (!code) {
		snprintf(why, sizeof(why), "budget line %lld: cost code %lld is not in the project",
			 (long long)row->id, (long long)row->cost_code_id);
		park_ref(b, "pc:budget_line", row->id, why);
		return;
	}
	p = pair_for(ps, code, type ? type : "", l->procore_project_id);
	if (p->has_pc) {
		snprintf(why, sizeof(why),
			 "cost code %s type %s has two budget lines in Procore; the first counts",
			 code, type ? type : "-");
		park(b, p->key, NULL, why);
		return;
	}
	p->bli_id = row->id;
	p->cost_code_id = row->cost_code_id;
	p->lit_id = row->category_id;
	p->original = row->original;
	p->wbs_id = row->wbs_code_id;
	if (p->wbs_id) {
		char wk[24];
		snprintf(wk, sizeof(wk), "%lld", (long long)p->wbs_id);
		key_index_set(&ps->by_wbs, wk, (size_t)(p - ps->v));
	}
	if (!row->amounts_ok) {
		flow_record(b->r, FLOW_FAIL, "budget", p->key, NULL, NULL, row->why);
		p->state = PAIR_LEFT_OUT;
		b->failed = 1;
		return;
	}
	p->has_pc = true;
	if (line_of(b, l, p, &e) < 0) {
		park(b, p->key, NULL, e.msg);
		p->state = PAIR_LEFT_OUT;
		return;
	}
	snprintf(lk, sizeof(lk), "%lld:%lld", (long long)p->account, (long long)p->segment);
	seen = key_index_get(&ps->by_line, lk);
	if (seen) {
		/* two cost codes on one NetSuite line: only the segment tells them apart */
		if (seen->ix != KEY_INDEX_SHARED)
			ps->v[seen->ix].state = PAIR_SHARED;
		p->state = PAIR_SHARED;
		seen->ix = KEY_INDEX_SHARED;
	} else {
		key_index_set(&ps->by_line, lk, (size_t)(p - ps->v));
	}
}

/* The pair a NetSuite line with no Procore line yet belongs to, through
 * the mappings; NULL (parked unless Procore masters) when none. */
static struct pair *pair_of_ns(struct budgets *b, const struct mlc_project_link *l,
			       struct pairs *ps, const struct ns_budget_line *nl, int64_t seg,
			       const char *lk)
{
	const struct rev *rv = budget_rev_find(b, nl->account, seg);
	struct pair *p;

	if (!rv || rv->shared) {
		char why[200];
		snprintf(why, sizeof(why),
			 "NetSuite budget line %lld (account %lld, segment %lld) maps to no single "
			 "Procore cost code and type",
			 (long long)nl->id, (long long)nl->account, (long long)nl->segment);
		if (b->master != MD_PROCORE)
			park_ref(b, "ns:budget", nl->id, why);
		return NULL;
	}
	p = pair_for(ps, rv->code, rv->type, l->procore_project_id);
	if (p->has_pc)
		return NULL; /* its Procore line could not be placed: parked above */
	p->account = nl->account;
	p->segment = seg;
	p->state = PAIR_OPEN;
	p->cost_code_id = code_id(ps, rv->code);
	p->lit_id = budget_lit_id(b, rv->type);
	key_index_set(&ps->by_line, lk, (size_t)(p - ps->v));
	return p;
}

/* NetSuite: the budget lines of the job and year with our criteria. */
static void place_ns_line(struct budgets *b, const struct mlc_project_link *l, struct pairs *ps,
			  const struct ns_budget_line *nl)
{
	int64_t seg = b->seg.use ? nl->segment : 0;
	struct key_entry *ix;
	struct pair *p;
	char lk[64];

	/* another budget of the job (other dimensions or category): not ours */
	if ((l->subsidiary_id && nl->subsidiary != l->subsidiary_id) ||
	    nl->department != l->department_id || nl->class_id != l->class_id ||
	    nl->location != l->location_id || nl->category != b->category ||
	    (!b->seg.use && nl->segment))
		return;
	snprintf(lk, sizeof(lk), "%lld:%lld", (long long)nl->account, (long long)seg);
	ix = key_index_get(&ps->by_line, lk);
	if (ix && ix->ix == KEY_INDEX_SHARED)
		return; /* shared line, parked below */
	p = ix ? &ps->v[ix->ix] : pair_of_ns(b, l, ps, nl, seg, lk);
	if (!p || p->has_ns)
		return;
	if (!nl->total_ok) {
		flow_record(b->r, FLOW_FAIL, "budget", p->key, NULL, NULL, nl->why);
		p->state = PAIR_LEFT_OUT;
		b->failed = 1;
		return;
	}
	p->has_ns = true;
	p->ns_id = nl->id;
	p->ns_total = nl->total;
}

/* ---- one pair ----------------------------------------------------------------------------- */

static void money_detail(json_t *d, const char *field, bool from_known, int64_t from, int64_t to)
{
	json_object_set_new(d, field,
			    json_pack("{s:o, s:o}", "from",
				      from_known ? jsonx_money(from) : json_null(), "to",
				      jsonx_money(to)));
}

/* NetSuite takes the plan's figure.  tgt is updated to the line's ref. */
static int apply_netsuite(struct budgets *b, const struct mlc_project_link *l, const struct pair *p,
			  const struct bp_plan *pl, const char *src, char *tgt, size_t tgt_size)
{
	struct ns_budget_criteria c = {
	    .account = p->account,
	    .year = b->year,
	    .customer = l->netsuite_job_id,
	    .subsidiary = l->subsidiary_id,
	    .department = l->department_id,
	    .class_id = l->class_id,
	    .location = l->location_id,
	    .category = b->category,
	    .seg_field = b->seg.use ? b->seg.field : NULL,
	    .segment = p->segment,
	};
	json_t *detail = json_object();
	struct mlc_error e = {0};
	int64_t ns_id = 0;
	int rc = MLC_OK;

	money_detail(detail, "amount", p->has_ns, p->ns_total, pl->ns_amount);
	json_object_set_new(detail, "account", json_integer(p->account));
	if (b->seg.use)
		json_object_set_new(detail, "segment", json_integer(p->segment));
	if (!b->r->opts.dry_run) {
		rc = ns_budget_import(b->r->s->ns, &c, pl->ns_amount, &ns_id, &e);
		if (rc < 0) {
			flow_record(b->r, FLOW_FAIL, "budget", src, tgt, detail, e.msg);
			b->failed = 1;
			goto out;
		}
	}
	if (ns_id)
		snprintf(tgt, tgt_size, "ns:budget:%lld", (long long)ns_id);
	flow_record(b->r, pl->ns == BP_UPDATE ? FLOW_UPDATE : FLOW_CREATE, "budget", src, tgt,
		    detail, NULL);
out:
	json_decref(detail);
	return rc;
}

/* Adds a pair's difference to the project's budget change, which
 * send_changes() makes once every pair of the project is planned. */
static void queue_change(struct pairs *ps, struct pair *p, const struct bp_plan *pl)
{
	struct pc_budget_change_line *ln;

	ps->bc = xrealloc(ps->bc, (ps->nbc + 1) * sizeof(*ps->bc));
	ps->bc_pair = xrealloc(ps->bc_pair, (ps->nbc + 1) * sizeof(*ps->bc_pair));
	ln = &ps->bc[ps->nbc];
	memset(ln, 0, sizeof(*ln));
	ln->wbs_code_id = p->wbs_id;
	ln->cents = pl->pc_delta;
	snprintf(ln->description, sizeof(ln->description), "NetSuite budget %s %s", p->code,
		 p->type);
	ps->bc_pair[ps->nbc++] = (size_t)(p - ps->v);
	p->queued = true;
	p->pl = *pl;
}

static void record_procore(struct budgets *b, const struct pair *p, const struct bp_plan *pl,
			   const char *psrc, const char *why, int64_t bc_id)
{
	json_t *detail = json_object();
	char ptgt[200];

	snprintf(ptgt, sizeof(ptgt), "pc:budget:%s", p->key);
	money_detail(detail, "revised_budget", p->has_pc, pl->pc_revised, pl->pc_amount);
	if (p->queued)
		json_object_set_new(detail, "budget_change", jsonx_money(pl->pc_delta));
	if (bc_id)
		json_object_set_new(detail, "budget_change_id", json_integer(bc_id));
	else
		money_detail(detail, "original_budget_amount", false, 0, pl->pc_original);
	if (why)
		b->failed = 1;
	flow_record(b->r,
		    why                   ? FLOW_FAIL
		    : pl->pc == BP_UPDATE ? FLOW_UPDATE
					  : FLOW_CREATE,
		    "budget", psrc, ptgt, detail, why);
	json_decref(detail);
}

/* A line Procore lacks: created with the figure as its original.  A
 * locked budget refuses the original (422); the line is then added at 0
 * and its figure queued as a budget change (*queued). */
static int create_line(struct budgets *b, const struct mlc_project_link *l, struct pairs *ps,
		       struct pair *p, const struct bp_plan *pl, bool *queued, struct mlc_error *e)
{
	struct mlc_procore *pc = b->r->s->pc;
	struct pc_budget_write w = {
	    .project_id = l->procore_project_id,
	    .cost_code_id = p->cost_code_id,
	    .line_item_type_id = p->lit_id,
	    .original = pl->pc_original,
	};
	bool locked = false;
	int rc;

	*queued = false;
	rc = pc_budget_line_create(pc, &w, true, &p->bli_id, &locked, e);
	if (rc >= 0 || !locked)
		return rc;
	rc = pc_budget_line_create(pc, &w, false, &p->bli_id, &locked, e);
	if (rc >= 0)
		rc = pc_budget_line_wbs(pc, l->procore_project_id, p->bli_id, &p->wbs_id, e);
	if (rc >= 0 && !p->wbs_id)
		rc = error_set(e, MLC_EPERM, "Procore gives budget line %lld no WBS code",
			       (long long)p->bli_id);
	if (rc < 0)
		return rc;
	/* no line before: its figure is all budget change (pc_delta) */
	queue_change(ps, p, pl);
	*queued = true;
	return MLC_OK;
}

/* Procore takes the plan's figure: an existing line through the
 * project's budget change (queued), a new one created.  psrc: the
 * NetSuite line's ref.  *queued: the pair waits for send_changes(). */
static int apply_procore(struct budgets *b, const struct mlc_project_link *l, struct pairs *ps,
			 struct pair *p, const struct bp_plan *pl, const char *psrc, bool *queued)
{
	struct mlc_error e = {0};
	int rc = MLC_OK;

	*queued = false;
	if (pl->pc == BP_UPDATE) {
		if (!p->wbs_id) {
			snprintf(e.msg, sizeof(e.msg),
				 "Procore gives budget line %lld no WBS code; a budget change "
				 "needs one",
				 (long long)p->bli_id);
			record_procore(b, p, pl, psrc, e.msg, 0);
			return MLC_EPERM;
		}
		queue_change(ps, p, pl);
		*queued = true;
		return MLC_OK;
	}
	if (!b->r->opts.dry_run)
		rc = create_line(b, l, ps, p, pl, queued, &e);
	if (rc < 0)
		record_procore(b, p, pl, psrc, e.msg, 0);
	else if (!*queued)
		record_procore(b, p, pl, psrc, NULL, 0);
	return rc;
}

/* The plan's input for a pair: its figures and the stored base. */
static int plan_pair(struct budgets *b, const struct pair *p, struct bp_in *in, struct bp_plan *pl,
		     struct mlc_error *err)
{
	struct mlc_session *s = b->r->s;
	json_t *base = NULL, *amount;
	int rc;

	memset(pl, 0, sizeof(*pl));
	*in = (struct bp_in){
	    .master = b->master,
	    .owner = b->owner,
	    .has_pc = p->has_pc,
	    .original = p->original,
	    .changes = p->changes,
	    .has_ns = p->has_ns,
	    .ns_total = p->ns_total,
	    .has_bli = p->bli_id != 0,
	    .can_create_line = p->cost_code_id && p->lit_id,
	};
	rc = md_base_get(s->store, s->tenant.id, "budgets", p->key, &base, err);
	if (rc < 0)
		return rc;
	amount = json_object_get(base, "amount");
	in->has_base = base != NULL;
	in->base_known = json_is_integer(amount);
	in->base_amount = in->base_known ? json_integer_value(amount) : 0;
	json_decref(base);
	budget_plan(in, pl);
	return MLC_OK;
}

/* The conflict of a pair, audited as md_record_conflicts does. */
static void record_conflict(struct budgets *b, const struct bp_in *in, const struct bp_plan *pl,
			    const char *src, const char *tgt)
{
	json_t *base = in->has_base && in->base_known ? json_integer(in->base_amount) : json_null();
	struct md_merge m = {.conflicts = json_array()};
	json_t *n = in->has_ns ? json_integer(in->ns_total) : json_null();
	json_t *c = in->has_pc ? json_integer(pl->pc_revised) : json_null();

	json_array_append_new(m.conflicts,
			      json_pack("{s:s, s:o, s:o, s:o, s:s, s:O}", "field", "amount", "base",
					base, "netsuite", n, "procore", c, "owner",
					md_side_name(pl->winner), "value",
					pl->winner == MD_PROCORE ? c : n));
	md_record_conflicts(b->r, "budget", src, tgt, &m);
	json_decref(m.conflicts);
}

/*
 * A conflict with a person's decision (flows/review_apply.h) takes the
 * chosen side's figure (re-planned as if that side mastered budgets, still
 * audited as a conflict with both figures); without one, under setting
 * review.conflicts, it is parked with both figures (cents, as the
 * conflict audit row has them) and nothing is written
 * (true).  Otherwise the owner wins (false, the plan unchanged).
 */
static bool conflict_parked(struct budgets *b, const struct pair *p, struct bp_in *in,
			    struct bp_plan *pl)
{
	enum md_side take = review_apply_take(b->r, "budget", p->key, true);
	char n[MONEY_FMT_MAX], c[MONEY_FMT_MAX], why[400];
	json_t *payload;

	if (take != MD_NONE) {
		in->master = take;
		budget_plan(in, pl);
		pl->conflict = true;
		pl->winner = take;
		return false;
	}
	if (!session_setting_bool(b->r->s, "review.conflicts", false))
		return false;
	money_format(in->ns_total, n);
	money_format(pl->pc_revised, c);
	if (!in->has_ns)
		str_copy(n, sizeof(n), "none");
	if (!in->has_pc)
		str_copy(c, sizeof(c), "none");
	snprintf(why, sizeof(why),
		 "both sides changed the budget of cost code %s type %s (NetSuite %s, Procore "
		 "%s); take one side with review resolve --take netsuite|procore",
		 p->code, p->type[0] ? p->type : "-", n, c);
	payload =
	    json_pack("{s:b, s:o, s:o, s:o}", "conflict", true, "netsuite",
		      in->has_ns ? json_integer(in->ns_total) : json_null(), "procore",
		      in->has_pc ? json_integer(pl->pc_revised) : json_null(), "base",
		      in->has_base && in->base_known ? json_integer(in->base_amount) : json_null());
	if (flow_park(b->r, "budget", p->key, NULL, why, payload) < 0)
		b->failed = 1;
	json_decref(payload);
	return true;
}

/* The failed record's message: the figures whose sum did not fit. */
static void overflow_why(const struct bp_in *in, struct mlc_error *e)
{
	char o[MONEY_FMT_MAX], m[MONEY_FMT_MAX], n[MONEY_FMT_MAX];

	money_format(in->original, o);
	money_format(in->changes, m);
	money_format(in->ns_total, n);
	error_set(
	    e, MLC_ERANGE,
	    "budget amount overflows: Procore original %s + budget changes %s, NetSuite total %s",
	    o, m, in->has_ns ? n : "none");
}

/* The pair's refs: src the Procore line, tgt the NetSuite line. */
static void pair_refs(const struct pair *p, char *src, size_t ns, char *tgt, size_t nt)
{
	snprintf(src, ns, "pc:budget:%s", p->key);
	if (p->has_ns)
		snprintf(tgt, nt, "ns:budget:%lld", (long long)p->ns_id);
	else
		str_copy(tgt, nt, "ns:budget:new");
}

/* Both writes landed (or none was due): the merged value is agreed. */
static void settle_base(struct budgets *b, const struct pair *p, const struct bp_plan *pl)
{
	struct flow_run *r = b->r;
	struct mlc_session *s = r->s;
	struct mlc_error e = {0};
	char src[200], tgt[64];
	json_t *merged;

	if (r->opts.dry_run || !pl->base_write) {
		flow_resolve(r, "budget", p->key);
		return;
	}
	pair_refs(p, src, sizeof(src), tgt, sizeof(tgt));
	merged =
	    json_pack("{s:o}", "amount", pl->merged_known ? json_integer(pl->merged) : json_null());
	if (md_base_put(s->store, s->tenant.id, "budgets", p->key, merged, &e) < 0) {
		flow_record(r, FLOW_FAIL, "budget", src, tgt, NULL, e.msg);
		b->failed = 1;
	} else {
		/* parked earlier (say, an unmapped code), placed now */
		flow_resolve(r, "budget", p->key);
		flow_decision_applied(r, "budget", p->key);
	}
	json_decref(merged);
}

static void settle(struct budgets *b, const struct mlc_project_link *l, struct pairs *ps,
		   struct pair *p)
{
	struct flow_run *r = b->r;
	struct mlc_error e = {0};
	struct bp_in in;
	struct bp_plan pl;
	char src[200], tgt[64];
	bool queued = false;

	r->stats.read++;
	pair_refs(p, src, sizeof(src), tgt, sizeof(tgt));
	if (plan_pair(b, p, &in, &pl, &e) < 0 || pl.overflow) {
		if (pl.overflow)
			overflow_why(&in, &e);
		flow_record(r, FLOW_FAIL, "budget", pl.overflow ? p->key : src,
			    pl.overflow ? NULL : tgt, NULL, e.msg);
		b->failed = 1;
		return;
	}
	if (pl.conflict && conflict_parked(b, p, &in, &pl))
		return; /* a person takes a side (setting review.conflicts) */
	if (pl.conflict)
		record_conflict(b, &in, &pl, src, tgt);
	if (pl.ns != BP_NONE && apply_netsuite(b, l, p, &pl, src, tgt, sizeof(tgt)) < 0)
		return;
	if (pl.pc == BP_PARK) {
		char ptgt[200];
		snprintf(ptgt, sizeof(ptgt), "pc:budget:%s", p->key);
		park(b, tgt, ptgt, "the Procore project has no such cost code or line item type");
		return;
	}
	if (pl.pc != BP_NONE && apply_procore(b, l, ps, p, &pl, tgt, &queued) < 0)
		return;
	if (queued)
		return; /* settled by send_changes() */
	if (pl.ns == BP_NONE && pl.pc == BP_NONE)
		flow_record(r, FLOW_SKIP, "budget", src, tgt, NULL, NULL);
	settle_base(b, p, &pl);
}

/*
 * The project's budget change: one adjustment per queued pair, made with
 * one POST.  A refused or lost answer fails every pair it carries; the
 * next run counts what Procore did keep (flow header), so nothing is
 * made twice.
 */
static void send_changes(struct budgets *b, const struct mlc_project_link *l, struct pairs *ps)
{
	struct pc_budget_change bc = {
	    .project_id = l->procore_project_id,
	    .status = b->change_status,
	    .title = BUDGET_CHANGE_TITLE,
	    .description = "Budget changes from NetSuite's budget, made by ml-connector",
	    .lines = ps->bc,
	    .nlines = ps->nbc,
	};
	struct mlc_error e = {0};
	int64_t id = 0;
	int rc = MLC_OK;

	if (!ps->nbc)
		return;
	if (!b->r->opts.dry_run)
		rc = pc_budget_change_create(b->r->s->pc, &bc, &id, &e);
	for (size_t i = 0; i < ps->nbc; i++) {
		struct pair *p = &ps->v[ps->bc_pair[i]];
		char src[200], tgt[64];

		pair_refs(p, src, sizeof(src), tgt, sizeof(tgt));
		record_procore(b, p, &p->pl, tgt, rc < 0 ? e.msg : NULL, id);
		if (rc >= 0)
			settle_base(b, p, &p->pl);
	}
}

/* Counts each adjustment toward its line's figure: approved budget
 * changes, and the connector's own still in Draft or under review. */
static void count_changes(struct pairs *ps, const struct pc_budget_adjustment *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool ours = strcmp(a[i].name, BUDGET_CHANGE_TITLE) == 0;
		char wk[24];
		struct key_entry *e;
		struct pair *p;

		if (a[i].status != PC_BC_APPROVED &&
		    !(ours && (a[i].status == PC_BC_DRAFT || a[i].status == PC_BC_UNDER_REVIEW)))
			continue;
		snprintf(wk, sizeof(wk), "%lld", (long long)a[i].wbs_code_id);
		e = key_index_get(&ps->by_wbs, wk);
		if (!e)
			continue; /* no budget line (yet): nothing to count it toward */
		p = &ps->v[e->ix];
		if (money_add(p->changes, a[i].cents, &p->changes) < 0)
			p->changes = INT64_MAX; /* the plan then overflows: the pair fails */
	}
}

/* ---- one project -------------------------------------------------------------------------- */

static void settle_all(struct budgets *b, const struct mlc_project_link *l, struct pairs *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		struct pair *p = &ps->v[i];
		if (p->state == PAIR_SHARED) {
			char why[400];
			snprintf(why, sizeof(why),
				 "cost code %s shares its NetSuite account with another cost code "
				 "of the project; per-cost-code budgets need the cost-code segment "
				 "(%s)",
				 p->code, b->seg.why);
			park(b, p->key, NULL, why);
			continue;
		}
		if (p->state == PAIR_LEFT_OUT || p->account <= 0)
			continue;
		settle(b, l, ps, p);
	}
	send_changes(b, l, ps);
}

static int do_project(struct budgets *b, const struct mlc_project_link *l, struct mlc_error *err)
{
	struct mlc_session *s = b->r->s;
	struct pairs ps = {0};
	struct pc_budget_row *rows = NULL;
	struct pc_budget_adjustment *adj = NULL;
	struct ns_budget_line *lines = NULL;
	size_t nrows = 0, nlines = 0, nadj = 0;
	int rc;

	rc = pc_project_code_refs(s->pc, l->procore_project_id, &ps.codes, &ps.ncodes, err);
	if (rc >= 0)
		rc = pc_budget_rows(s->pc, b->view_id, l->procore_project_id, &rows, &nrows, err);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < nrows; i++)
		place_pc_row(b, l, &ps, &rows[i]);
	rc = pc_budget_adjustments(s->pc, s->tenant.procore_company_id, l->procore_project_id, &adj,
				   &nadj, err);
	if (rc < 0)
		goto out;
	count_changes(&ps, adj, nadj);
	rc = ns_budget_lines(s->ns, b->seg.use ? b->seg.field : NULL, l->netsuite_job_id, b->year,
			     &lines, &nlines, err);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < nlines; i++)
		place_ns_line(b, l, &ps, &lines[i]);
	settle_all(b, l, &ps);
	rc = MLC_OK;
out:
	pairs_release(&ps);
	free(rows);
	free(adj);
	free(lines);
	return rc;
}

int flow_budgets(struct flow_run *r, struct mlc_error *err)
{
	struct mlc_session *s = r->s;
	struct budgets b = {.r = r};
	struct mlc_project_link *links = NULL;
	const struct mlc_project_link *first = NULL;
	size_t n = 0;
	int rc;

	rc = project_list(s->store, s->tenant.id, &links, &n, err);
	if (rc >= 0)
		rc = budgets_setup(&b, links, n, &first, err);
	if (rc < 0 || !first)
		goto out;
	for (size_t i = 0; i < n; i++) {
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
	free(b.lits);
	free(b.rev);
	return rc;
}
