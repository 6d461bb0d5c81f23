/*
 * Flow "cost-codes": the NetSuite cost-code segment values <-> the
 * company's standard cost code list and the cost codes of every linked
 * Procore project, both ways.
 *
 * A cost code is keyed by its full code ("03-300").  NetSuite: a value of
 * the cost-code segment (customrecord_<script id>, flows/segment.h),
 * code = externalid (or the first word of
 * the name), name = the rest of "03-300 Cast-in-Place Concrete", active =
 * !isinactive.  Procore: in the standard list (the company's ERP list, or
 * cost_codes.standard_list_id) and in each linked project, a code with a parent
 * (division "03" -> code "300", full_code "03-300"), or a top-level code
 * with no children; a division that groups codes is not a cost code.
 * Active in Procore = present in the project's list (a deactivated code is
 * deleted from the project; Procore keeps it on the records that use it).
 *
 * Per code the three views are merged (flows/masterdata.h, type
 * "cost_codes", fields name and active; default master "both", NetSuite
 * owning both fields): Procore's value is the one a project changed since
 * the base (a project that held the code at the last sync and no longer
 * does deactivated it).  The merged state is then made true everywhere:
 * NetSuite created (upsert by externalId = the code, so a retry cannot
 * duplicate) or patched; every linked project gets the code (division
 * first) when active, loses it when inactive, is renamed when its name
 * differs.  The cost-code-segment mapping is updated as codes are linked.
 * The base (with the projects that hold the code) is written only when
 * every write for the code landed, so the connector's own writes are never
 * read back as changes.
 *
 * An account without the segment (costs.use_segment auto or false) has no
 * NetSuite side: the run parks one review item (entity "cost-code-segment")
 * and changes nothing; it is resolved by the first run that finds the
 * segment.
 *
 * With master "netsuite" a code that exists only in Procore is parked for
 * review (not copied, not deleted); with "procore" one only in NetSuite is.
 *
 * The run reads (netsuite/ns_segment_values.h, procore/pc_cost_codes.h,
 * the bases), plans each code (flows/cost_code_plan.h, pure) and applies
 * the plan here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mapping.h"
#include "core/project.h"
#include "flows/cost_code_plan.h"
#include "flows/cost_codes_int.h"
#include "flows/doc_lock.h"
#include "flows/flow.h"
#include "flows/masterdata.h"
#include "flows/flow_park.h"
#include "flows/review_apply.h"
#include "flows/segment.h"
#include "netsuite/ns_segment_values.h"
#include "procore/pc_cost_codes.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

/* One code's work: the plan and what applying it found. */
struct cc_unit {
	const char *code;
	char src[96];
	const struct ns_cost_code *ns;
	const struct cc_base *base;
	struct ccp_plan plan;
	enum ccp_list_op *ops;
	int64_t ns_id;
	bool bad, in_standard;
	int64_t *held; /* the projects holding the code after the writes */
	size_t nheld;
};

/* ---- the bases ------------------------------------------------------------------------ */

static int cmp_base(const void *a, const void *b)
{
	return strcmp(((const struct cc_base *)a)->code, ((const struct cc_base *)b)->code);
}

static int cmp_base_key(const void *key, const void *elem)
{
	return strcmp(key, ((const struct cc_base *)elem)->code);
}

static const struct cc_base *base_find(const struct cc_ctx *c, const char *code)
{
	return c->nbase ? bsearch(code, c->base, c->nbase, sizeof(*c->base), cmp_base_key) : NULL;
}

static void bases_free(struct cc_base *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].code);
		free(v[i].name);
		free(v[i].projects);
	}
	free(v);
}

/* The stored bases ({code: {name, active, projects[], standard}}) as structs. */
static int bases_load(struct cc_ctx *c, struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;
	json_t *all = NULL, *b, *v;
	const char *k;
	size_t i;
	int rc;

	rc = md_base_all(s->store, s->tenant.id, MD_TYPE, &all, err);
	if (rc < 0)
		return rc;
	c->base = xcalloc(json_object_size(all) + 1, sizeof(*c->base));
	json_object_foreach (all, k, b) {
		struct cc_base *e = &c->base[c->nbase++];
		json_t *pj = json_object_get(b, "projects");
		e->code = xstrdup(k);
		e->name = str_dup_or_null(jsonx_str(b, "name"));
		e->active = jsonx_bool(b, "active");
		e->standard = json_is_true(json_object_get(b, "standard"));
		e->projects = xcalloc(json_array_size(pj) + 1, sizeof(*e->projects));
		json_array_foreach (pj, i, v) {
			if (json_is_integer(v))
				e->projects[e->nprojects++] = json_integer_value(v);
		}
	}
	qsort(c->base, c->nbase, sizeof(*c->base), cmp_base);
	json_decref(all);
	return MLC_OK;
}

static bool base_has(const struct cc_base *b, const struct cc_list *l)
{
	if (l->sc.standard)
		return b->standard;
	for (size_t i = 0; i < b->nprojects; i++)
		if (b->projects[i] == l->sc.id)
			return true;
	return false;
}

/* True when the base after the writes equals the stored one. */
static bool base_same(const struct cc_base *b, const struct cc_unit *u)
{
	if (!b || !b->name || strcmp(b->name, u->plan.name) != 0 || b->active != u->plan.active ||
	    b->standard != u->in_standard || b->nprojects != u->nheld)
		return false;
	return memcmp(b->projects, u->held, u->nheld * sizeof(*u->held)) == 0;
}

static int base_write(struct cc_ctx *c, const struct cc_unit *u, struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;
	json_t *nb, *pj = json_array();
	int rc;

	for (size_t i = 0; i < u->nheld; i++)
		json_array_append_new(pj, json_integer(u->held[i]));
	nb = json_pack("{s:s, s:b, s:o, s:b}", "name", u->plan.name, "active", u->plan.active,
		       "projects", pj, "standard", u->in_standard);
	rc = md_base_put(s->store, s->tenant.id, MD_TYPE, u->code, nb, err);
	json_decref(nb);
	return rc;
}

/* ---- plan ----------------------------------------------------------------------------- */

static void plan_code(const struct cc_ctx *c, struct cc_unit *u, enum md_side master)
{
	struct ccp_list *lists = xcalloc(c->npj + 1, sizeof(*lists));
	struct ccp_in in = {
	    .code = u->code,
	    .master = master,
	    .own_name = c->own_name,
	    .own_active = c->own_active,
	    .has_ns = u->ns != NULL,
	    .ns_name = u->ns ? u->ns->name : NULL,
	    .ns_active = u->ns && u->ns->active,
	    .has_base = u->base != NULL,
	    .base_name = u->base ? u->base->name : NULL,
	    .base_active = u->base && u->base->active,
	    .lists = lists,
	    .nlists = c->npj,
	};

	for (size_t i = 0; i < c->npj; i++) {
		const struct pc_cc_list *cl = &c->pj[i].cl;
		const struct pc_cost_code *cur = pc_cost_code_find(cl->codes, cl->ncodes, u->code);
		lists[i].standard = c->pj[i].sc.standard;
		lists[i].in_base = u->base && base_has(u->base, &c->pj[i]);
		lists[i].name = cur ? cur->name : NULL;
		lists[i].division_named =
		    pc_cost_code_find(cl->divisions, cl->ndivisions, u->code) != NULL;
	}
	cost_code_plan(&in, &u->plan, u->ops);
	free(lists);
}

/* ---- apply ---------------------------------------------------------------------------- */

/* Makes NetSuite hold the merged state; u->ns_id gets the value's id. */
static int apply_netsuite(struct cc_ctx *c, struct cc_unit *u, json_t *detail)
{
	const struct ccp_plan *p = &u->plan;
	struct ns_cost_code_write w = {
	    .code = u->code,
	    .name = p->name,
	    .active = p->active,
	    .set_name = p->ns_name,
	    .set_active = p->ns_active,
	};
	struct mlc_error e = {0};
	int rc;

	u->ns_id = u->ns ? u->ns->id : 0;
	if (p->ns == CCP_NS_NONE)
		return MLC_OK;
	if (p->ns == CCP_NS_UPDATE) {
		json_t *to_ns = json_object();
		if (p->ns_name)
			json_object_set_new(to_ns, "name", json_string(p->name));
		if (p->ns_active)
			json_object_set_new(to_ns, "active", json_boolean(p->active));
		json_object_set_new(detail, "netsuite", to_ns);
	} else {
		json_object_set_new(detail, "netsuite", json_string("create"));
	}
	if (c->r->opts.dry_run)
		return MLC_OK;
	w.id = u->ns_id;
	rc = ns_cost_code_write(c->r->s->ns, c->seg.table, &w, &u->ns_id, &e);
	if (rc < 0) {
		flow_record(c->r, FLOW_FAIL, "cost_code", u->src, "netsuite", NULL, e.msg);
		c->failed = 1;
	}
	return rc;
}

/* Creates the division a new code hangs from, when the list lacks it. */
static int ensure_division(struct mlc_procore *pc, struct cc_list *l, const char *div, int64_t *id,
			   struct mlc_error *err)
{
	const struct pc_cost_code *d = pc_cost_code_find(l->cl.divisions, l->cl.ndivisions, div);
	char name[48], origin[64];
	struct pc_cc_update u = {.code = div, .name = name, .origin_id = origin};
	int rc;

	if (d) {
		*id = d->id;
		return MLC_OK;
	}
	snprintf(name, sizeof(name), "Division %s", div);
	/* an origin id makes the create safe to retry after a lost answer */
	if (l->sc.standard)
		snprintf(origin, sizeof(origin), "ns:costdiv:%s", div);
	else
		snprintf(origin, sizeof(origin), "ns:costdiv:%s:%lld", div, (long long)l->sc.id);
	rc = pc_cc_sync(pc, &l->sc, &u, id, err);
	if (rc < 0)
		return error_prefix(err, "division %s: ", div);
	pc_cc_list_add(&l->cl, true, *id, div, "");
	return MLC_OK;
}

/* Creates a code in a list: its division first, an origin id when the
 * NetSuite value is known. */
static int create_in(struct cc_ctx *c, struct cc_list *l, const struct cc_unit *u, int64_t *id,
		     struct mlc_error *err)
{
	struct mlc_procore *pc = c->r->s->pc;
	const char *dash = strchr(u->code, '-');
	char origin[64];
	struct pc_cc_update up = {.code = dash ? dash + 1 : u->code, .name = u->plan.name};
	int rc;

	if (dash) {
		char div[16];
		snprintf(div, sizeof(div), "%.*s", (int)(dash - u->code), u->code);
		rc = ensure_division(pc, l, div, &up.parent_id, err);
		if (rc < 0)
			return rc;
	}
	if (u->ns_id) {
		/* origin ids are unique in the company: each project holds its own
		 * copy; the standard list is a kind of its own */
		if (l->sc.standard)
			snprintf(origin, sizeof(origin), "ns:costcode:%lld", (long long)u->ns_id);
		else
			snprintf(origin, sizeof(origin), "ns:costcode:%lld:%lld",
				 (long long)u->ns_id, (long long)l->sc.id);
		up.origin_id = origin;
	}
	return pc_cc_sync(pc, &l->sc, &up, id, err);
}

static void list_fail(struct cc_ctx *c, const struct cc_list *l, const struct cc_unit *u,
		      const char *msg)
{
	char target[64];

	if (l->sc.standard)
		snprintf(target, sizeof(target), "pc:standard_cost_code_list:%lld",
			 (long long)l->sc.id);
	else
		snprintf(target, sizeof(target), "pc:project:%lld", (long long)l->sc.id);
	flow_record(c->r, FLOW_FAIL, "cost_code", u->src, target, NULL, msg);
	c->failed = 1;
}

/* One list's write for a code: create, rename or delete.  *holds: the
 * list has the code afterwards. */
static int apply_list(struct cc_ctx *c, struct cc_list *l, const struct cc_unit *u,
		      enum ccp_list_op op, json_t *detail, bool *holds)
{
	struct mlc_procore *pc = c->r->s->pc;
	const struct pc_cost_code *cur = pc_cost_code_find(l->cl.codes, l->cl.ncodes, u->code);
	struct mlc_error e = {0};
	char key[24];
	int64_t id = 0;
	int rc;

	*holds = cur != NULL;
	if (op == CCP_KEEP)
		return MLC_OK;
	/* the key of a list in details: the project id, or "standard" */
	if (l->sc.standard)
		snprintf(key, sizeof(key), "standard");
	else
		snprintf(key, sizeof(key), "%lld", (long long)l->sc.id);
	json_object_set_new(detail, key, json_string(ccp_op_name(op)));
	if (c->r->opts.dry_run)
		return MLC_OK;
	if (op == CCP_DELETE) {
		rc = pc_cc_delete(pc, &l->sc, cur->id, &e);
		if (rc == MLC_OK)
			*holds = false;
	} else {
		struct pc_cc_update up = {.id = cur ? cur->id : 0, .name = u->plan.name};
		rc = op == CCP_RENAME ? pc_cc_sync(pc, &l->sc, &up, &id, &e)
				      : create_in(c, l, u, &id, &e);
		if (rc == MLC_OK) {
			*holds = true;
			pc_cc_list_add(&l->cl, false, id, u->code, u->plan.name);
		}
	}
	if (rc < 0)
		list_fail(c, l, u, e.msg);
	return rc;
}

static int set_mapping(struct cc_ctx *c, const char *code, int64_t ns_id)
{
	struct mlc_session *s = c->r->s;
	struct mlc_error e = {0};
	json_t *cur = NULL, *want;
	int rc;

	if (!ns_id || c->r->opts.dry_run)
		return MLC_OK;
	if (mapping_get(s->store, s->tenant.id, "cost-code-segment", code, &cur, &e) == 0 &&
	    json_integer_value(json_object_get(cur, "segment_value")) == ns_id) {
		json_decref(cur);
		return MLC_OK;
	}
	json_decref(cur);
	want = json_pack("{s:I}", "segment_value", (json_int_t)ns_id);
	rc = mapping_put(s->store, s->tenant.id, "cost-code-segment", code, want, &e);
	json_decref(want);
	if (rc < 0) {
		log_error("cost-code-segment mapping write failed", "code", code, "error", e.msg);
		c->failed = 1;
	}
	return rc;
}

/* Parks a one-sided code the master side does not accept. */
static void park(struct cc_ctx *c, const struct cc_unit *u)
{
	const struct ccp_plan *p = &u->plan;
	json_t *payload;
	const char *why;

	if (p->verdict == CCP_PARK_PC) {
		why = "a cost code created in Procore, but NetSuite masters cost codes: "
		      "add it to the NetSuite segment or remove it from the project";
		payload = json_pack("{s:s, s:b}", "name", p->pc_name, "active", p->pc_active);
	} else {
		why = "a cost code only in NetSuite, but Procore masters cost codes";
		payload = json_pack("{s:s, s:b}", "name", u->ns->name, "active", u->ns->active);
	}
	/* the side a `review resolve --take` copies the code from */
	json_object_set_new(payload, "only_in",
			    json_string(p->verdict == CCP_PARK_PC ? "procore" : "netsuite"));
	if (flow_park(c->r, "cost_code", u->src, NULL, why, payload) < 0)
		c->failed = 1;
	json_decref(payload);
}

/* The conflicts of a merged code, audited as md_record_conflicts does. */
static void record_conflicts(struct cc_ctx *c, const struct cc_unit *u)
{
	const struct ccp_plan *p = &u->plan;
	struct md_merge m = {.conflicts = json_array()};

	for (int f = CCP_FIELD_NAME; f <= CCP_FIELD_ACTIVE; f++) {
		bool nm = f == CCP_FIELD_NAME;
		json_t *b;

		if (!p->conflict[f])
			continue;
		b = !u->base ? json_null()
		    : nm     ? (u->base->name ? json_string(u->base->name) : json_null())
			     : json_boolean(u->base->active);
		json_array_append_new(
		    m.conflicts,
		    json_pack("{s:s, s:o, s:o, s:o, s:s, s:o}", "field", nm ? "name" : "active",
			      "base", b, "netsuite",
			      nm ? json_string(u->ns->name) : json_boolean(u->ns->active),
			      "procore", nm ? json_string(p->pc_name) : json_boolean(p->pc_active),
			      "owner", md_side_name(p->winner[f]), "value",
			      nm ? json_string(p->name) : json_boolean(p->active)));
	}
	md_record_conflicts(c->r, "cost_code", u->src, NULL, &m);
	json_decref(m.conflicts);
}

/* Applies a planned code to every list; u->held and u->in_standard say
 * where it is afterwards. */
static void apply_lists(struct cc_ctx *c, struct cc_unit *u, json_t *detail)
{
	json_t *pd = json_object();

	u->held = xcalloc(c->npj + 1, sizeof(*u->held));
	for (size_t i = 0; i < c->npj; i++) {
		bool holds = false;
		if (apply_list(c, &c->pj[i], u, u->ops[i], pd, &holds) < 0)
			u->bad = true;
		if (holds && c->pj[i].sc.standard)
			u->in_standard = true;
		else if (holds)
			u->held[u->nheld++] = c->pj[i].sc.id;
	}
	if (json_object_size(pd))
		json_object_set(detail, "projects", pd);
	json_decref(pd);
}

/* After the writes: the audit row, then the mapping and the base. */
static void finish_code(struct cc_ctx *c, struct cc_unit *u, json_t *detail)
{
	struct mlc_error e = {0};

	if (!json_object_size(detail)) {
		flow_record(c->r, FLOW_SKIP, "cost_code", u->src, NULL, NULL, NULL);
	} else if (!u->bad) {
		json_object_set_new(
		    detail, "value",
		    json_pack("{s:s, s:b}", "name", u->plan.name, "active", u->plan.active));
		flow_record(c->r, u->plan.verdict == CCP_ONE_SIDED ? FLOW_CREATE : FLOW_UPDATE,
			    "cost_code", u->src, NULL, detail, NULL);
	}
	if (u->bad || c->r->opts.dry_run)
		return;
	if (set_mapping(c, u->code, u->ns_id) < 0 ||
	    (!base_same(u->base, u) && base_write(c, u, &e) < 0)) {
		if (e.msg[0])
			log_error("cost-code base write failed", "code", u->code, "error", e.msg);
		c->failed = 1;
	} else {
		/* parked under a single master, placed since */
		flow_resolve(c->r, "cost_code", u->src);
		flow_decision_applied(c->r, "cost_code", u->src);
	}
}

/* For an event (cost_codes_one.h): what would park is a failure left to
 * the full run. */
static void left_to_run(struct cc_ctx *c, const struct cc_unit *u, const char *what)
{
	char why[200];

	snprintf(why, sizeof(why), "%s: left to the next run of cost-codes", what);
	flow_record(c->r, FLOW_FAIL, "cost_code", u->src, NULL, NULL, why);
	c->failed = 1;
}

/* Parks a conflict (setting review.conflicts) for a person to take a
 * side: both values in the payload, nothing written for the code. */
static void park_conflict(struct cc_ctx *c, const struct cc_unit *u)
{
	const struct ccp_plan *p = &u->plan;
	json_t *payload = json_pack(
	    "{s:{s:s, s:b}, s:{s:s, s:b}, s:{s:s?, s:b}}", "netsuite", "name", u->ns->name,
	    "active", u->ns->active, "procore", "name", p->pc_name, "active", p->pc_active, "base",
	    "name", u->base ? u->base->name : NULL, "active", u->base && u->base->active);
	char why[400];

	snprintf(why, sizeof(why),
		 "both sides changed cost code %s (NetSuite '%s' %s, Procore '%s' %s); take one "
		 "side with review resolve --take netsuite|procore",
		 u->code, u->ns->name, u->ns->active ? "active" : "inactive", p->pc_name,
		 p->pc_active ? "active" : "inactive");
	json_object_set_new(payload, "conflict", json_true());
	if (flow_park(c->r, "cost_code", u->src, NULL, why, payload) < 0)
		c->failed = 1;
	json_decref(payload);
}

/*
 * A person's decision on the code (flows/review_apply.h): a one-sided
 * code parked under a single master is copied when the side holding it
 * was taken (planned as under master "both"); a conflict takes the chosen
 * side's values (still audited as a conflict, with both values).  With
 * setting review.conflicts a conflict nobody decided is parked.  True
 * when the conflict was parked (the code is done with).
 */
static bool decided(struct cc_ctx *c, struct cc_unit *u)
{
	bool conf[2] = {u->plan.conflict[0], u->plan.conflict[1]};
	bool one = u->plan.verdict == CCP_PARK_PC || u->plan.verdict == CCP_PARK_NS;
	enum md_side has = u->plan.verdict == CCP_PARK_PC ? MD_PROCORE : MD_NETSUITE, take;

	if (!one && !(u->plan.verdict == CCP_MERGED && (conf[0] || conf[1])))
		return false;
	take = review_apply_take(c->r, "cost_code", u->src, !one);
	if (one && take == has) {
		plan_code(c, u, MD_BOTH); /* no base, one side: the other is created */
		return false;
	}
	if (one)
		return false; /* parked by the caller, or ignored there */
	if (take == MD_NONE && !session_setting_bool(c->r->s, "review.conflicts", false))
		return false; /* the owner wins, as without a decision */
	if (take == MD_NONE && c->event) {
		left_to_run(c, u, "a conflict for review");
		return true;
	}
	if (take == MD_NONE) {
		park_conflict(c, u);
		return true;
	}
	plan_code(c, u, take);
	for (int f = CCP_FIELD_NAME; f <= CCP_FIELD_ACTIVE; f++) {
		u->plan.conflict[f] = conf[f];
		u->plan.winner[f] = take;
	}
	return false;
}

void cc_sync_code(struct cc_ctx *c, const char *code)
{
	struct cc_unit u = {.code = code};
	json_t *detail = NULL;
	char *name = NULL, *pc_name = NULL;

	snprintf(u.src, sizeof(u.src), "cost_code:%s", code);
	u.ns = ns_cost_code_find(c->ns, c->nns, code);
	u.base = base_find(c, code);
	u.ops = xcalloc(c->npj + 1, sizeof(*u.ops));
	c->r->stats.read++;
	plan_code(c, &u, c->master);
	if (decided(c, &u))
		goto out;
	switch (u.plan.verdict) {
	case CCP_GONE:
		/* in the base only: gone from both sides (a deleted NetSuite
		 * value and no project holds it) */
		goto out;
	case CCP_PARK_PC:
	case CCP_PARK_NS:
		if (c->event)
			left_to_run(c, &u, "a one-sided code the master side does not accept");
		else
			park(c, &u);
		goto out;
	case CCP_ONE_SIDED:
	case CCP_MERGED:
		break;
	}
	/* the plan's strings point into the lists, which the writes change */
	u.plan.name = name = xstrdup(u.plan.name);
	u.plan.pc_name = pc_name = str_dup_or_null(u.plan.pc_name);
	detail = json_object();
	if (apply_netsuite(c, &u, detail) < 0)
		u.bad = true;
	else
		apply_lists(c, &u, detail);
	record_conflicts(c, &u);
	finish_code(c, &u, detail);
out:
	json_decref(detail);
	free(name);
	free(pc_name);
	free(u.held);
	free(u.ops);
}

/* ---- read ----------------------------------------------------------------------------- */

/*
 * The company's standard cost code list the codes are kept in, 0 for none:
 * setting cost_codes.standard_list_id, else the company's ERP list (the
 * first list when none is marked); cost_codes.standard_list=false skips it.
 */
static int standard_list(struct cc_ctx *c, int64_t *id, struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;

	*id = 0;
	if (!session_setting_bool(s, "cost_codes.standard_list", true))
		return MLC_OK;
	*id = session_setting_int(s, "cost_codes.standard_list_id", 0);
	if (*id)
		return MLC_OK;
	return pc_cc_standard_list(s->pc, s->tenant.procore_company_id, id, err);
}

/* Reads the standard list and every linked project's list.  A list that
 * cannot be read stops the run: a code missing from it would read as a
 * deactivation. */
static int read_lists(struct cc_ctx *c, const struct mlc_project_link *links, size_t nl,
		      struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;
	int64_t list = 0;
	int rc;

	c->pj = xcalloc(nl + 2, sizeof(*c->pj));
	rc = standard_list(c, &list, err);
	if (rc < 0)
		return rc;
	if (list)
		c->pj[c->npj++].sc = (struct pc_cc_scope){s->tenant.procore_company_id, list, true};
	for (size_t i = 0; i < nl; i++) {
		if (links[i].active)
			c->pj[c->npj++].sc = (struct pc_cc_scope){
			    s->tenant.procore_company_id, links[i].procore_project_id, false};
	}
	for (size_t i = 0; i < c->npj; i++) {
		rc = pc_cc_list_read(s->pc, &c->pj[i].sc, &c->pj[i].cl, err);
		if (rc < 0)
			return rc;
	}
	return MLC_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every code any side or base knows, sorted and unique.  The strings
 * belong to c; caller frees the array. */
static const char **all_codes(const struct cc_ctx *c, size_t *n)
{
	size_t cap = c->nns + c->nbase + 1, k = 0;
	const char **v;

	for (size_t i = 0; i < c->npj; i++)
		cap += c->pj[i].cl.ncodes;
	v = xcalloc(cap, sizeof(*v));
	for (size_t i = 0; i < c->nns; i++)
		v[k++] = c->ns[i].code;
	for (size_t i = 0; i < c->nbase; i++)
		v[k++] = c->base[i].code;
	for (size_t i = 0; i < c->npj; i++)
		for (size_t j = 0; j < c->pj[i].cl.ncodes; j++)
			v[k++] = c->pj[i].cl.codes[j].full_code;
	qsort(v, k, sizeof(*v), cmp_str);
	*n = 0;
	for (size_t i = 0; i < k; i++)
		if (!*n || strcmp(v[*n - 1], v[i]) != 0)
			v[(*n)++] = v[i];
	return v;
}

/*
 * Without the segment there is nothing to read or write on the NetSuite
 * side: the run parks one review item and stops, keeping the Procore codes
 * as they are (an empty NetSuite side must never read as every code
 * deactivated there).
 */
static int park_no_segment(struct flow_run *r, const struct mlc_segment *seg, struct mlc_error *err)
{
	char why[400];

	snprintf(why, sizeof(why),
		 "cost codes are not synced with NetSuite: %s; create the segment or set "
		 "netsuite.cost_code_segment to its script id",
		 seg->why);
	if (flow_park(r, "cost-code-segment", seg->field, NULL, why, NULL) < 0)
		return error_set(err, MLC_ESTORE, "the review item could not be written");
	return MLC_OK;
}

int cc_load(struct cc_ctx *c, struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;
	struct mlc_project_link *links = NULL;
	size_t nl = 0;
	int rc;

	rc = md_master(s, MD_TYPE, MD_BOTH, &c->master, err);
	if (rc >= 0)
		rc = project_list(s->store, s->tenant.id, &links, &nl, err);
	if (rc >= 0)
		rc = bases_load(c, err);
	if (rc >= 0 && !c->ns_given)
		rc = ns_cost_codes_read(s->ns, c->seg.table, &c->ns, &c->nns, err);
	if (rc >= 0)
		rc = read_lists(c, links, nl, err);
	c->own_name = field_owner(s, MD_TYPE, "name", MD_NETSUITE);
	c->own_active = field_owner(s, MD_TYPE, "active", MD_NETSUITE);
	free(links);
	return rc;
}

void cc_release(struct cc_ctx *c)
{
	for (size_t i = 0; i < c->npj; i++)
		pc_cc_list_release(&c->pj[i].cl);
	free(c->pj);
	ns_cost_codes_free(c->ns, c->nns);
	bases_free(c->base, c->nbase);
}

void cc_lock_key(const struct cc_ctx *c, const char *code, char *out, size_t n)
{
	snprintf(out, n, "cc:%lld:%s", (long long)c->r->s->tenant.id, code);
}

int flow_cost_codes(struct flow_run *r, struct mlc_error *err)
{
	struct cc_ctx c = {.r = r};
	const char **codes = NULL;
	size_t nk = 0;
	int rc;

	rc = segment_resolve(r->s, &c.seg, err);
	if (rc < 0)
		goto out;
	if (!c.seg.use) {
		rc = park_no_segment(r, &c.seg, err);
		goto out;
	}
	flow_resolve(r, "cost-code-segment", c.seg.field);
	rc = cc_load(&c, err);
	if (rc < 0)
		goto out;
	codes = all_codes(&c, &nk);
	for (size_t i = 0; i < nk; i++) {
		char key[160];
		cc_lock_key(&c, codes[i], key, sizeof(key));
		doc_lock(key); /* an event aligning the same code waits (cost_codes_one.h) */
		cc_sync_code(&c, codes[i]);
		doc_unlock(key);
	}
	rc = c.failed
		 ? error_set(err, MLC_ETRANSIENT,
			     "some cost codes were not written; they are merged again next run")
		 : MLC_OK;
out:
	free(codes);
	cc_release(&c);
	return rc;
}
