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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mapping.h"
#include "core/project.h"
#include "flows/flow.h"
#include "flows/masterdata.h"
#include "flows/segment.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

#define MD_TYPE "cost_codes"

static const struct md_field cc_fields[] = {
	{ "name", MD_NETSUITE },
	{ "active", MD_NETSUITE },
	{ NULL, MD_NONE },
};

/* One Procore list: a linked project's cost codes, or the company's
 * standard cost code list (standard: id is the list's id). */
struct pc_proj {
	int64_t id;
	bool standard;
	json_t *codes;     /* full_code -> {id, name} (cost codes) */
	json_t *divisions; /* code -> id (top-level codes with children) */
};

struct cc_ctx {
	struct flow_run *r;
	struct mlc_segment seg; /* seg.table: the values' record type and table */
	enum md_side master;
	json_t *ns;        /* code -> {id, name, active} */
	json_t *base;      /* code -> {name, active, projects[]} */
	struct pc_proj *pj;
	size_t npj;
	int failed;
};

/* An id field, 0 when absent or not an id. */
static int64_t id_of(const json_t *o, const char *k)
{
	int64_t v = 0;
	return o && jsonx_id(o, k, &v) == 0 ? v : 0;
}

/* "03-300 Cast-in-Place Concrete" with code "03-300" -> "Cast-in-Place Concrete". */
static const char *strip_code(const char *name, const char *code)
{
	size_t n = strlen(code);
	if (strncmp(name, code, n) == 0 && (name[n] == ' ' || name[n] == '\0')) {
		name += n;
		while (*name == ' ')
			name++;
	}
	return name;
}

static int read_netsuite(struct cc_ctx *c, struct mlc_error *err)
{
	json_t *rows = NULL, *row;
	size_t i;
	struct mlc_buf q = MLC_BUF_INIT;
	json_t *parents;
	int rc;

	buf_addf(&q, "SELECT id, name, externalid, isinactive, parent FROM %s ORDER BY id",
		 c->seg.table);
	rc = netsuite_suiteql_all(c->r->s->ns, q.data, &rows, err);
	buf_release(&q);
	if (rc < 0)
		return rc;
	/* a value other values hang from is a grouping (a division), not a code */
	parents = json_object();
	json_array_foreach(rows, i, row) {
		int64_t pid = id_of(row, "parent");
		char k[24];
		if (pid) {
			snprintf(k, sizeof(k), "%lld", (long long)pid);
			json_object_set_new(parents, k, json_true());
		}
	}
	json_array_foreach(rows, i, row) {
		const char *ext = jsonx_str(row, "externalid"), *name = jsonx_str(row, "name");
		char code[64];
		size_t k = 0;
		int64_t id = 0;

		char ik[24];

		if (jsonx_id(row, "id", &id) < 0 || !id || !name)
			continue;
		snprintf(ik, sizeof(ik), "%lld", (long long)id);
		if (json_object_get(parents, ik))
			continue;
		if (ext && *ext) {
			str_copy(code, sizeof(code), ext);
		} else {
			while (name[k] && name[k] != ' ' && k + 1 < sizeof(code)) {
				code[k] = name[k];
				k++;
			}
			code[k] = '\0';
		}
		if (!code[0])
			continue;
		if (json_object_get(c->ns, code)) {
			log_warn("two NetSuite cost-code values carry one code; the first is used",
				 "code", code);
			continue;
		}
		json_object_set_new(c->ns, code,
				    json_pack("{s:I, s:s, s:b}", "id", (json_int_t)id, "name",
					      strip_code(name, code), "active",
					      !jsonx_bool(row, "isinactive")));
	}
	json_decref(parents);
	json_decref(rows);
	return MLC_OK;
}

/* A code's parent: {"parent": {"id"}} on project codes, "parent_id" on
 * standard ones. */
static int64_t parent_of(const json_t *cc)
{
	int64_t p = id_of(json_object_get(cc, "parent"), "id");
	return p ? p : id_of(cc, "parent_id");
}

static int read_project(struct cc_ctx *c, struct pc_proj *p, struct mlc_error *err)
{
	char pid[24], company[24];
	const char *q[] = { "project_id", pid, NULL };
	const char *qs[] = { "company_id", company, "standard_cost_code_list_id", pid, NULL };
	json_t *items = NULL, *cc, *parents = json_object();
	size_t i;
	int rc;

	snprintf(pid, sizeof(pid), "%lld", (long long)p->id);
	snprintf(company, sizeof(company), "%lld", (long long)c->r->s->tenant.procore_company_id);
	rc = p->standard ? procore_list(c->r->s->pc, "/rest/v1.0/standard_cost_codes", qs, &items, err)
			 : procore_list(c->r->s->pc, "/rest/v1.0/cost_codes", q, &items, err);
	if (rc < 0) {
		json_decref(parents);
		return rc;
	}
	/* which codes group others */
	json_array_foreach(items, i, cc) {
		int64_t parent = parent_of(cc);
		char k[24];
		if (parent) {
			snprintf(k, sizeof(k), "%lld", (long long)parent);
			json_object_set_new(parents, k, json_true());
		}
	}
	json_array_foreach(items, i, cc) {
		int64_t id = 0, parent = 0;
		const char *full = jsonx_str(cc, "full_code"), *code = jsonx_str(cc, "code");
		char k[24];

		if (jsonx_id(cc, "id", &id) < 0 || !id || !full || !code)
			continue;
		parent = parent_of(cc);
		snprintf(k, sizeof(k), "%lld", (long long)id);
		if (!parent && json_object_get(parents, k)) {
			json_object_set_new(p->divisions, code, json_integer(id));
			continue;
		}
		json_object_set_new(p->codes, full,
				    json_pack("{s:I, s:s}", "id", (json_int_t)id, "name",
					      jsonx_str(cc, "name") ? jsonx_str(cc, "name") : ""));
	}
	json_decref(parents);
	json_decref(items);
	return MLC_OK;
}

static bool base_has(const json_t *base, const struct pc_proj *p)
{
	size_t i;
	json_t *v;
	int64_t pid = p->id;
	if (p->standard)
		return json_is_true(json_object_get(base, "standard"));
	json_array_foreach(json_object_get(base, "projects"), i, v)
		if (json_is_integer(v) && json_integer_value(v) == pid)
			return true;
	return false;
}

/*
 * Procore's view of one code across the linked projects, or NULL when no
 * project has it and it never was synced.
 */
static json_t *procore_view(const struct cc_ctx *c, const char *code, const json_t *base)
{
	const char *bname = base ? jsonx_str(base, "name") : NULL;
	const char *name = NULL, *first = NULL;
	bool any = false, dropped = false;

	for (size_t i = 0; i < c->npj; i++) {
		json_t *e = json_object_get(c->pj[i].codes, code);
		if (!e) {
			if (base && base_has(base, &c->pj[i]))
				dropped = true;
			continue;
		}
		any = true;
		if (!first)
			first = jsonx_str(e, "name");
		if (!name && bname && strcmp(jsonx_str(e, "name"), bname) != 0)
			name = jsonx_str(e, "name");
	}
	if (!base) {
		if (!any)
			return NULL;
		return json_pack("{s:s, s:b}", "name", first, "active", 1);
	}
	return json_pack("{s:s, s:b}", "name", name ? name : first ? first : bname ? bname : "",
			 "active", jsonx_bool(base, "active") ? !dropped : any);
}

static json_t *ns_body(const char *code, const json_t *want, const json_t *fields)
{
	json_t *b = json_object();
	if (!fields || json_object_get(fields, "name")) {
		char *full = NULL;
		size_t n = strlen(code) + strlen(jsonx_str(want, "name")) + 2;
		full = malloc(n);
		if (full) {
			snprintf(full, n, "%s %s", code, jsonx_str(want, "name"));
			json_object_set_new(b, "name", json_string(full));
			free(full);
		}
	}
	if (!fields || json_object_get(fields, "active"))
		json_object_set_new(b, "isInactive", json_boolean(!jsonx_bool(want, "active")));
	return b;
}

/* Makes NetSuite hold the merged state.  *ns_id gets the value's id. */
static int apply_netsuite(struct cc_ctx *c, const char *code, const json_t *nsrec,
			  const json_t *want, const json_t *to_ns, int64_t *ns_id, json_t *detail)
{
	struct mlc_session *s = c->r->s;
	struct mlc_error e = { 0 };
	char ncode[NS_CODE_MAX] = "";
	int rc;

	if (nsrec) {
		*ns_id = id_of(nsrec, "id");
		if (!json_object_size(to_ns))
			return MLC_OK;
		json_object_set_new(detail, "netsuite", json_deep_copy(to_ns));
		if (c->r->opts.dry_run)
			return MLC_OK;
		rc = netsuite_update(s->ns, c->seg.table, *ns_id, ns_body(code, want, to_ns), ncode, &e);
	} else {
		if (!jsonx_bool(want, "active"))
			return MLC_OK; /* never create a value only to make it inactive */
		json_object_set_new(detail, "netsuite", json_string("create"));
		if (c->r->opts.dry_run)
			return MLC_OK;
		rc = netsuite_upsert(s->ns, c->seg.table, code, ns_body(code, want, NULL), ns_id, ncode,
				     &e);
	}
	if (rc < 0) {
		char src[96];
		snprintf(src, sizeof(src), "cost_code:%s", code);
		flow_record(c->r, FLOW_FAIL, "cost_code", src, "netsuite", NULL, e.msg);
		c->failed = 1;
	}
	return rc;
}

/* One sync call of one record to a list: *id_out the record's id, or an
 * error with Procore's words.  Takes upd. */
static int sync_one(struct cc_ctx *c, const struct pc_proj *p, json_t *upd, int64_t *id_out,
		    struct mlc_error *err)
{
	json_t *ents = NULL, *errs = NULL, *body;
	char path[96];
	int rc;

	*id_out = 0;
	if (p->standard) {
		snprintf(path, sizeof(path), "/rest/v1.0/standard_cost_codes/sync");
		body = json_pack("{s:I, s:I, s:[o]}", "company_id",
				 (json_int_t)c->r->s->tenant.procore_company_id,
				 "standard_cost_code_list_id", (json_int_t)p->id, "updates", upd);
	} else {
		snprintf(path, sizeof(path), "/rest/v1.0/cost_codes/sync?project_id=%lld",
			 (long long)p->id);
		body = json_pack("{s:[o]}", "updates", upd);
	}
	rc = procore_sync(c->r->s->pc, "PATCH", path, body, &ents, &errs, err);
	if (rc == MLC_OK && !(*id_out = id_of(json_array_get(ents, 0), "id"))) {
		struct mlc_buf why = MLC_BUF_INIT;
		procore_error_text(json_array_get(errs, 0), &why);
		rc = error_set(err, MLC_EPERM, "%s", why.data ? why.data : "refused by Procore");
		buf_release(&why);
	}
	json_decref(ents);
	json_decref(errs);
	return rc;
}

/* Creates the division a new code hangs from, when the project lacks it. */
static int ensure_division(struct cc_ctx *c, struct pc_proj *p, const char *div, int64_t *id,
			   struct mlc_error *err)
{
	json_t *v = json_object_get(p->divisions, div);
	char name[48], origin[64];
	int rc;

	if (json_is_integer(v)) {
		*id = json_integer_value(v);
		return MLC_OK;
	}
	snprintf(name, sizeof(name), "Division %s", div);
	/* an origin id makes the create safe to retry after a lost answer */
	if (p->standard)
		snprintf(origin, sizeof(origin), "ns:costdiv:%s", div);
	else
		snprintf(origin, sizeof(origin), "ns:costdiv:%s:%lld", div, (long long)p->id);
	rc = sync_one(c, p,
		      json_pack("{s:s, s:s, s:s}", "code", div, "name", name, "origin_id", origin), id,
		      err);
	if (rc < 0)
		return error_prefix(err, "division %s: ", div);
	json_object_set_new(p->divisions, div, json_integer(*id));
	return MLC_OK;
}

/* The key of a list in plans and base: the project id, or "standard". */
static void list_key(const struct pc_proj *p, char *out, size_t n)
{
	if (p->standard)
		snprintf(out, n, "standard");
	else
		snprintf(out, n, "%lld", (long long)p->id);
}

/* One list's write for a code: create, rename or delete. */
static int apply_project(struct cc_ctx *c, struct pc_proj *p, const char *code, int64_t ns_id,
			 const json_t *want, json_t *detail, bool *holds)
{
	struct mlc_session *s = c->r->s;
	json_t *cur = json_object_get(p->codes, code), *upd;
	struct mlc_error e = { 0 };
	char path[128], key[24], src[96], origin[64];
	const char *dash = strchr(code, '-');
	int64_t id = 0, parent = 0;
	int rc = MLC_OK;

	/* a code without a division part that names a division here is that
	 * division: never created again beside it */
	if (!cur && !dash && json_object_get(p->divisions, code))
		return MLC_OK;
	*holds = cur != NULL;
	list_key(p, key, sizeof(key));
	snprintf(src, sizeof(src), "cost_code:%s", code);
	if (cur && !jsonx_bool(want, "active")) {
		json_object_set_new(detail, key, json_string("delete"));
		if (c->r->opts.dry_run)
			return MLC_OK;
		id = id_of(cur, "id");
		if (p->standard)
			snprintf(path, sizeof(path), "/rest/v1.0/standard_cost_codes/%lld?company_id=%lld",
				 (long long)id, (long long)s->tenant.procore_company_id);
		else
			snprintf(path, sizeof(path), "/rest/v1.0/cost_codes/%lld?project_id=%lld",
				 (long long)id, (long long)p->id);
		rc = procore_write(s->pc, "DELETE", path, NULL, NULL, NULL, NULL, &e);
		if (rc == MLC_OK)
			*holds = false;
		goto out;
	}
	if (!jsonx_bool(want, "active"))
		return MLC_OK;
	if (cur && strcmp(jsonx_str(cur, "name"), jsonx_str(want, "name")) == 0)
		return MLC_OK;
	json_object_set_new(detail, key, json_string(cur ? "rename" : "create"));
	if (c->r->opts.dry_run)
		return MLC_OK;
	upd = json_pack("{s:s}", "name", jsonx_str(want, "name"));
	if (cur) {
		json_object_set_new(upd, "id", json_integer(id_of(cur, "id")));
	} else {
		if (dash) {
			char div[16];
			snprintf(div, sizeof(div), "%.*s", (int)(dash - code), code);
			if ((rc = ensure_division(c, p, div, &parent, &e)) < 0) {
				json_decref(upd);
				goto out;
			}
			json_object_set_new(upd, "parent_id", json_integer(parent));
		}
		json_object_set_new(upd, "code", json_string(dash ? dash + 1 : code));
		if (ns_id) {
			/* origin ids are unique in the company: each project holds its own
			 * copy; the standard list is a kind of its own */
			if (p->standard)
				snprintf(origin, sizeof(origin), "ns:costcode:%lld", (long long)ns_id);
			else
				snprintf(origin, sizeof(origin), "ns:costcode:%lld:%lld",
					 (long long)ns_id, (long long)p->id);
			json_object_set_new(upd, "origin_id", json_string(origin));
		}
	}
	if ((rc = sync_one(c, p, upd, &id, &e)) == MLC_OK) {
		*holds = true;
		json_object_set_new(p->codes, code,
				    json_pack("{s:I, s:s}", "id", (json_int_t)id, "name",
					      jsonx_str(want, "name")));
	}
out:
	if (rc < 0) {
		char target[64];
		if (p->standard)
			snprintf(target, sizeof(target), "pc:standard_cost_code_list:%lld",
				 (long long)p->id);
		else
			snprintf(target, sizeof(target), "pc:project:%lld", (long long)p->id);
		flow_record(c->r, FLOW_FAIL, "cost_code", src, target, NULL, e.msg);
		c->failed = 1;
	}
	return rc;
}

static int set_mapping(struct cc_ctx *c, const char *code, int64_t ns_id)
{
	struct mlc_session *s = c->r->s;
	struct mlc_error e = { 0 };
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
static void park(struct cc_ctx *c, const char *code, const char *why, const json_t *payload)
{
	char src[96];

	snprintf(src, sizeof(src), "cost_code:%s", code);
	if (flow_park(c->r, "cost_code", src, NULL, why, payload) < 0)
		c->failed = 1;
}

static void sync_code(struct cc_ctx *c, const char *code)
{
	struct mlc_session *s = c->r->s;
	const json_t *nsrec = json_object_get(c->ns, code), *base = json_object_get(c->base, code);
	json_t *pcv = procore_view(c, code, base), *nsv = NULL, *want, *detail, *projects;
	struct md_merge m = { 0 };
	char src[96];
	int64_t ns_id = 0;
	int bad = 0;
	bool created = false, in_standard = false;

	snprintf(src, sizeof(src), "cost_code:%s", code);
	c->r->stats.read++;
	if (nsrec)
		nsv = json_pack("{s:O, s:O}", "name", json_object_get(nsrec, "name"), "active",
				json_object_get(nsrec, "active"));
	if (!nsv && !pcv) {
		/* in the base only: gone from both sides (a deleted NetSuite value
		 * and no project holds it) */
		json_decref(pcv);
		return;
	}
	if (!base && !nsv && c->master == MD_NETSUITE) {
		park(c, code, "a cost code created in Procore, but NetSuite masters cost codes: "
			      "add it to the NetSuite segment or remove it from the project", pcv);
		json_decref(pcv);
		return;
	}
	if (!base && !pcv && c->master == MD_PROCORE) {
		park(c, code, "a cost code only in NetSuite, but Procore masters cost codes", nsv);
		json_decref(nsv);
		return;
	}
	if (nsv && pcv) {
		md_merge(s, MD_TYPE, c->master, cc_fields, base, nsv, pcv, &m);
		want = json_incref(m.merged);
	} else {
		/* one side only: it is the value; the other side is created */
		want = json_deep_copy(nsv ? nsv : pcv);
		m.to_ns = json_object();
		m.to_pc = json_object();
		m.conflicts = json_array();
		created = true;
	}
	detail = json_object();
	if (apply_netsuite(c, code, nsrec, want, m.to_ns, &ns_id, detail) < 0)
		bad = 1;
	projects = json_array();
	if (!bad) {
		json_t *pd = json_object();
		for (size_t i = 0; i < c->npj; i++) {
			bool holds = false;
			if (apply_project(c, &c->pj[i], code, ns_id, want, pd, &holds) < 0)
				bad = 1;
			if (holds && c->pj[i].standard)
				in_standard = true;
			else if (holds)
				json_array_append_new(projects, json_integer(c->pj[i].id));
		}
		if (json_object_size(pd))
			json_object_set(detail, "projects", pd);
		json_decref(pd);
	}
	md_record_conflicts(c->r, "cost_code", src, NULL, &m);
	if (!json_object_size(detail)) {
		flow_record(c->r, FLOW_SKIP, "cost_code", src, NULL, NULL, NULL);
	} else if (!bad) {
		json_object_set(detail, "value", want);
		flow_record(c->r, created ? FLOW_CREATE : FLOW_UPDATE, "cost_code", src,
			    NULL, detail, NULL);
	}
	if (!bad && !c->r->opts.dry_run) {
		struct mlc_error e = { 0 };
		json_t *nb = json_pack("{s:O, s:O, s:O, s:b}", "name", json_object_get(want, "name"),
				       "active", json_object_get(want, "active"), "projects",
				       projects, "standard", in_standard);
		if (set_mapping(c, code, ns_id) < 0 ||
		    ((!base || !json_equal((json_t *)base, nb)) &&
		     md_base_put(s->store, s->tenant.id, MD_TYPE, code, nb, &e) < 0)) {
			if (e.msg[0])
				log_error("cost-code base write failed", "code", code, "error", e.msg);
			c->failed = 1;
		} else {
			/* parked under a single master, placed since */
			flow_resolve(c->r, "cost_code", src);
		}
		json_decref(nb);
	}
	json_decref(projects);
	json_decref(detail);
	json_decref(want);
	json_decref(nsv);
	json_decref(pcv);
	md_merge_release(&m);
}

/*
 * The company's standard cost code list the codes are kept in, 0 for none:
 * setting cost_codes.standard_list_id, else the company's ERP list (the
 * first list when none is marked); cost_codes.standard_list=false skips it.
 */
static int standard_list(struct cc_ctx *c, int64_t *id, struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;
	char company[24];
	const char *q[] = { "company_id", company, NULL };
	json_t *lists = NULL, *l;
	size_t i;
	int rc;

	*id = 0;
	if (!session_setting_bool(s, "cost_codes.standard_list", true))
		return MLC_OK;
	if ((*id = session_setting_int(s, "cost_codes.standard_list_id", 0)))
		return MLC_OK;
	snprintf(company, sizeof(company), "%lld", (long long)s->tenant.procore_company_id);
	if ((rc = procore_list(s->pc, "/rest/v1.0/standard_cost_code_lists", q, &lists, err)) < 0)
		return rc;
	json_array_foreach(lists, i, l) {
		if (!*id || jsonx_bool(l, "is_erp_list")) {
			*id = id_of(l, "id");
			if (jsonx_bool(l, "is_erp_list"))
				break;
		}
	}
	json_decref(lists);
	return MLC_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int flow_cost_codes(struct flow_run *r, struct mlc_error *err)
{
	struct mlc_session *s = r->s;
	struct cc_ctx c = { .r = r, .ns = json_object() };
	struct mlc_project_link *links = NULL;
	json_t *keys = json_object(), *v;
	const char **sorted = NULL;
	const char *k;
	size_t nl = 0, nk = 0;
	int rc;

	if ((rc = segment_resolve(s, &c.seg, err)) < 0)
		goto out;
	if (!c.seg.use) {
		/*
		 * The NetSuite side of every code is the segment: without it there
		 * is nothing to read or write there.  Skipping the run (one review
		 * item, not a failure per code) also keeps the Procore codes as
		 * they are: an empty NetSuite side must never read as every code
		 * deactivated there.
		 */
		char why[400];
		snprintf(why, sizeof(why),
			 "cost codes are not synced with NetSuite: %s; create the segment or set "
			 "netsuite.cost_code_segment to its script id",
			 c.seg.why);
		if (flow_park(r, "cost-code-segment", c.seg.field, NULL, why, NULL) < 0)
			rc = error_set(err, MLC_ESTORE, "the review item could not be written");
		goto out;
	}
	flow_resolve(r, "cost-code-segment", c.seg.field);
	if ((rc = md_master(s, MD_TYPE, MD_BOTH, &c.master, err)) < 0 ||
	    (rc = project_list(s->store, s->tenant.id, &links, &nl, err)) < 0 ||
	    (rc = md_base_all(s->store, s->tenant.id, MD_TYPE, &c.base, err)) < 0 ||
	    (rc = read_netsuite(&c, err)) < 0)
		goto out;
	c.pj = calloc(nl + 1, sizeof(*c.pj));
	if (!c.pj) {
		rc = error_set(err, MLC_ENOMEM, "out of memory");
		goto out;
	}
	{
		int64_t list = 0;
		if ((rc = standard_list(&c, &list, err)) < 0)
			goto out;
		if (list) {
			struct pc_proj *p = &c.pj[c.npj++];
			p->id = list;
			p->standard = true;
			p->codes = json_object();
			p->divisions = json_object();
			if ((rc = read_project(&c, p, err)) < 0)
				goto out;
		}
	}
	for (size_t i = 0; i < nl; i++) {
		struct pc_proj *p;
		if (!links[i].active)
			continue;
		p = &c.pj[c.npj++];
		p->id = links[i].procore_project_id;
		p->codes = json_object();
		p->divisions = json_object();
		/* a project's list that cannot be read stops the run: a code missing
		 * from it would read as a deactivation */
		if ((rc = read_project(&c, p, err)) < 0)
			goto out;
	}
	json_object_foreach(c.ns, k, v)
		json_object_set_new(keys, k, json_true());
	json_object_foreach(c.base, k, v)
		json_object_set_new(keys, k, json_true());
	for (size_t i = 0; i < c.npj; i++)
		json_object_foreach(c.pj[i].codes, k, v)
			json_object_set_new(keys, k, json_true());
	sorted = calloc(json_object_size(keys) + 1, sizeof(*sorted));
	if (!sorted) {
		rc = error_set(err, MLC_ENOMEM, "out of memory");
		goto out;
	}
	json_object_foreach(keys, k, v)
		sorted[nk++] = k;
	qsort(sorted, nk, sizeof(*sorted), cmp_str);
	for (size_t i = 0; i < nk; i++)
		sync_code(&c, sorted[i]);
	rc = c.failed ? error_set(err, MLC_ETRANSIENT,
				  "some cost codes were not written; they are merged again next run")
		      : MLC_OK;
out:
	for (size_t i = 0; i < c.npj; i++) {
		json_decref(c.pj[i].codes);
		json_decref(c.pj[i].divisions);
	}
	free(c.pj);
	free(sorted);
	free(links);
	json_decref(keys);
	json_decref(c.ns);
	json_decref(c.base);
	return rc;
}
