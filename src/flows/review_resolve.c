/*
 * review show / review resolve (flows/review_resolve.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/mapping.h"
#include "core/review.h"
#include "flows/accounts.h"
#include "flows/flow.h"
#include "flows/review_resolve.h"
#include "netsuite/ns_costs.h"
#include "procore/pc_vendors.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/num.h"
#include "util/str.h"
#include "util/banned.h"

/* The text cost_post.c gives an unmapped cost code, and cost_plan.c a
 * closed period: what tells the two kinds of costs items apart. */
#define UNMAPPED_MARK "(mapping cost-code-account)"
#define CODE_MARK     "cost code "

static bool is_fwd_vendor(const json_t *item)
{
	return !strcmp(jsonx_str(item, "entity"), "vendor") &&
	       !strcmp(jsonx_str(item, "flow"), "vendors");
}

static bool is_costs(const json_t *item, bool unmapped)
{
	const char *why = jsonx_str(item, "reason");
	return !strcmp(jsonx_str(item, "entity"), "costs") && why &&
	       (strstr(why, UNMAPPED_MARK) != NULL) == unmapped;
}

static bool is_back_vendor(const json_t *item)
{
	return !strcmp(jsonx_str(item, "entity"), "vendor") &&
	       !strcmp(jsonx_str(item, "flow"), "vendors-back") &&
	       json_array_size(json_object_get(item, "candidates"));
}

/* A budget or cost-code conflict parked under setting review.conflicts,
 * or a cost code only on the side its master does not accept: the
 * payload says which (flow_budgets.c, flow_cost_codes.c). */
static bool is_take(const json_t *item)
{
	const json_t *pl = json_object_get(item, "payload");
	const char *e = jsonx_str(item, "entity");

	if (strcmp(e, "budget") && strcmp(e, "cost_code"))
		return false;
	return json_is_true(json_object_get(pl, "conflict")) ||
	       (!strcmp(e, "cost_code") && jsonx_str(pl, "only_in"));
}

json_t *review_actions(const json_t *item)
{
	if (is_fwd_vendor(item) || is_back_vendor(item))
		return json_pack("[s, s, s]", "link", "create", "ignore");
	if (is_take(item))
		return json_pack("[s, s]", "take", "ignore");
	if (is_costs(item, true))
		return json_pack("[s, s]", "map", "drop");
	if (is_costs(item, false))
		return json_pack("[s, s]", "post-in", "drop");
	return json_pack("[s]", "ignore");
}

static bool action_allowed(const json_t *item, const char *action)
{
	json_t *acts = review_actions(item), *v;
	bool ok = false;
	size_t i;

	json_array_foreach (acts, i, v)
		ok = ok || !strcmp(json_string_value(v), action);
	json_decref(acts);
	return ok;
}

/* The cost code an unmapped costs item names ("cost code 03-300 ..."). */
static bool unmapped_code(const json_t *item, char *code, size_t n)
{
	const char *why = jsonx_str(item, "reason");
	const char *p = why ? strstr(why, CODE_MARK) : NULL;
	size_t len;

	if (!p)
		return false;
	p += strlen(CODE_MARK);
	len = strcspn(p, " ");
	if (!len || len >= n)
		return false;
	memcpy(code, p, len);
	code[len] = '\0';
	return true;
}

/* ---- review show ---------------------------------------------------------------------- */

static const json_t *vendor_by_id(const json_t *list, json_int_t id)
{
	size_t i;
	json_t *v;

	json_array_foreach (list, i, v)
		if (json_integer_value(json_object_get(v, "id")) == id)
			return v;
	return NULL;
}

static json_t *compare_row(const char *id, const json_t *fields, const json_t *rec,
			   const json_t *base)
{
	json_t *vals = json_object(), *diff = json_array(), *f;
	size_t i;

	json_array_foreach (fields, i, f) {
		const char *k = json_string_value(f);
		json_t *v = json_object_get(rec, k);
		json_object_set(vals, k, v ? v : json_null());
		if (base &&
		    !json_equal(v ? v : json_null(),
				json_object_get(base, k) ? json_object_get(base, k) : json_null()))
			json_array_append_new(diff, json_string(k));
	}
	return json_pack("{s:s, s:o, s:o}", "id", id, "values", vals, "differs", diff);
}

/* The record (the item's payload) and each candidate, field by field. */
static json_t *compare(const json_t *item, const json_t *live)
{
	const json_t *rec = json_object_get(item, "payload");
	json_t *cands = json_object_get(item, "candidates"), *fields = json_array(), *rows, *c;
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach ((json_t *)rec, k, v)
		if (strcmp(k, "origin_id") && !json_is_object(v) && !json_is_array(v))
			json_array_append_new(fields, json_string(k));
	rows = json_array();
	json_array_append_new(rows, compare_row("record", fields, rec, NULL));
	json_array_foreach (cands, i, c) {
		json_int_t id = json_integer_value(json_object_get(c, "id"));
		const json_t *full = live ? vendor_by_id(live, id) : NULL;
		char ids[32];
		snprintf(ids, sizeof(ids), "%lld", (long long)id);
		json_array_append_new(rows, compare_row(ids, fields, full ? full : c, rec));
	}
	return json_pack("{s:o, s:o}", "fields", fields, "rows", rows);
}

/* Open items and failed or parked audit rows whose reason names the record. */
static int blocks(struct mlc_store *st, int64_t tenant, const json_t *item, json_t **out,
		  struct mlc_error *err)
{
	char needle[160];
	const char *src = jsonx_str(item, "source_ref");
	json_t *items = NULL, *rows = NULL, *v;
	struct mlc_audit_filter f = {.limit = 500};
	size_t i;
	int rc;

	*out = json_array();
	if (!unmapped_code(item, needle + strlen(CODE_MARK), sizeof(needle) - strlen(CODE_MARK)))
		str_copy(needle, sizeof(needle), src);
	else
		memcpy(needle, CODE_MARK, strlen(CODE_MARK));
	rc = review_list(st, tenant, "open", &items, err);
	json_array_foreach (items, i, v)
		if (strcmp(jsonx_str(v, "source_ref"), src) && jsonx_str(v, "reason") &&
		    strstr(jsonx_str(v, "reason"), needle) && json_array_size(*out) < 50)
			json_array_append_new(*out,
					      json_pack("{s:s, s:O, s:s, s:s}", "kind", "review",
							"id", json_object_get(v, "id"),
							"source_ref", jsonx_str(v, "source_ref"),
							"reason", jsonx_str(v, "reason")));
	for (const char *res = "error"; rc == MLC_OK && res;
	     res = strcmp(res, "error") ? NULL : "parked") {
		f.result = res;
		rc = audit_query(st, tenant, &f, &rows, err);
		json_array_foreach (rows, i, v)
			if (jsonx_str(v, "error") && strstr(jsonx_str(v, "error"), needle) &&
			    strcmp(jsonx_str(v, "source_ref") ? jsonx_str(v, "source_ref") : "",
				   src) &&
			    json_array_size(*out) < 50)
				json_array_append_new(
				    *out, json_pack("{s:s, s:O, s:s?, s:s}", "kind", "audit", "id",
						    json_object_get(v, "id"), "source_ref",
						    jsonx_str(v, "source_ref"), "reason",
						    jsonx_str(v, "error")));
		json_decref(rows);
		rows = NULL;
	}
	json_decref(items);
	return rc;
}

int review_show(struct mlc_session *s, int64_t id, json_t **out, struct mlc_error *err)
{
	json_t *item = NULL, *live = NULL, *bl = NULL;
	int rc;

	*out = NULL;
	rc = review_get(s->store, s->tenant.id, id, &item, err);
	if (rc < 0)
		return rc;
	if (json_array_size(json_object_get(item, "candidates")) && s->pc &&
	    !is_back_vendor(item) && /* its candidates are NetSuite's */
	    procore_vendors(s->pc, s->tenant.procore_company_id, NULL, &live, err) < 0) {
		json_decref(item);
		return error_prefix(err, "reading the candidates from Procore: ");
	}
	if (json_array_size(json_object_get(item, "candidates")))
		json_object_set_new(item, "compare", compare(item, live));
	rc = blocks(s->store, s->tenant.id, item, &bl, err);
	if (rc < 0) {
		json_decref(item);
		json_decref(live);
		json_decref(bl);
		return rc;
	}
	json_object_set_new(item, "actions", review_actions(item));
	json_object_set_new(item, "blocks", bl);
	json_decref(live);
	*out = item;
	return MLC_OK;
}

/* ---- review resolve ------------------------------------------------------------------- */

/* vendors-back: the NetSuite vendor must exist. */
static int check_ns_link(struct mlc_session *s, const struct review_action *a,
			 struct mlc_error *err)
{
	json_t *rec = NULL;
	int64_t id;
	char ids[32];
	int rc;

	if (!a->arg || num_parse_id(a->arg, &id, err) < 0)
		return error_set(err, MLC_EINVAL, "--link needs a NetSuite vendor id");
	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	rc = netsuite_get(s->ns, "vendor", ids, false, &rec, err);
	json_decref(rec);
	if (rc == MLC_ENOTFOUND)
		return error_set(err, MLC_ENOTFOUND, "NetSuite has no vendor %lld", (long long)id);
	return rc < 0 ? rc : MLC_OK;
}

/* take netsuite|procore; a one-sided cost code only from the side that has it. */
static int check_take(const json_t *item, const struct review_action *a, struct mlc_error *err)
{
	const char *only = jsonx_str(json_object_get(item, "payload"), "only_in");

	if (!a->arg || (strcmp(a->arg, "netsuite") && strcmp(a->arg, "procore")))
		return error_set(err, MLC_EINVAL, "--take needs netsuite or procore");
	if (only && strcmp(only, a->arg))
		return error_set(err, MLC_EINVAL,
				 "the cost code is only in %s: --take %s copies it, --ignore keeps "
				 "it apart",
				 only, only);
	return MLC_OK;
}

static int check_link(struct mlc_session *s, const struct review_action *a, struct mlc_error *err)
{
	json_t *list = NULL;
	int64_t id;
	int rc;

	if (!a->arg || num_parse_id(a->arg, &id, err) < 0)
		return error_set(err, MLC_EINVAL, "--link needs a Procore vendor id");
	rc = procore_vendors(s->pc, s->tenant.procore_company_id, NULL, &list, err);
	if (rc < 0)
		return rc;
	if (!vendor_by_id(list, id))
		rc = error_set(err, MLC_ENOTFOUND, "Procore company %lld has no vendor %lld",
			       (long long)s->tenant.procore_company_id, (long long)id);
	json_decref(list);
	return rc;
}

static int check_period(struct mlc_session *s, const struct review_action *a, struct mlc_error *err)
{
	struct canon_period *p = NULL;
	size_t n = 0;
	int rc;

	if (!a->arg)
		return MLC_OK; /* the first open period, as policy adjust chooses it */
	rc = netsuite_accounting_periods(s->ns, &p, &n, err);
	if (rc < 0)
		return rc;
	rc = error_set(err, MLC_ENOTFOUND, "NetSuite has no accounting period '%s'", a->arg);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(p[i].name, a->arg))
			continue;
		rc = p[i].open ? MLC_OK
			       : error_set(err, MLC_ESTATE, "period '%s' is closed", a->arg);
		break;
	}
	free(p);
	return rc;
}

/* The account must pass accounts_check() (what `mapping check` checks)
 * for the code, against a freshly read chart of accounts. */
static int check_map(struct mlc_session *s, const json_t *item, const struct review_action *a,
		     char *key, size_t n, json_t **target, struct mlc_error *err)
{
	json_t *catalog = NULL, *maps = NULL, *bad = NULL;
	int64_t account, *subs = NULL;
	size_t nsub = 0;
	char code[96];
	int rc;

	*target = NULL;
	if (!a->arg || num_parse_id(a->arg, &account, err) < 0)
		return error_set(err, MLC_EINVAL, "--map needs a NetSuite account id");
	if (!unmapped_code(item, code, sizeof(code)))
		return error_set(err, MLC_EINVAL, "the item names no cost code");
	snprintf(key, n, "%s|", code);
	*target = json_pack("{s:I}", "account", (json_int_t)account);
	rc = accounts_refresh(s, true, &catalog, err);
	if (rc == MLC_OK)
		rc = accounts_subsidiaries(s, &subs, &nsub, err);
	if (rc < 0)
		goto out;
	maps = json_pack("{s:{s:O}}", "cost-code-account", key, *target);
	bad = accounts_check(catalog, maps, subs, nsub);
	if (json_array_size(bad))
		rc = error_set(err, MLC_EINVAL, "account %lld for cost code %s: %s",
			       (long long)account, code,
			       jsonx_str(json_array_get(bad, 0), "problem"));
out:
	if (rc < 0) {
		json_decref(*target);
		*target = NULL;
	}
	json_decref(catalog);
	json_decref(maps);
	json_decref(bad);
	free(subs);
	return rc;
}

/* map: the mapping is written, then the costs flow runs (the decision
 * makes it read every document again, flows/flow_park.h). */
static int replay_costs(struct mlc_session *s, json_t **res, struct mlc_error *err)
{
	const struct flow_def *fd = flow_find("costs");
	struct flow_opts fo = {false, false, "replay"};

	if (!fd)
		return error_set(err, MLC_ENOTFOUND, "no costs flow");
	return flow_execute(s, fd, &fo, res, err);
}

int review_resolve_item(struct mlc_session *s, int64_t id, const struct review_action *a,
			json_t **out, struct mlc_error *err)
{
	json_t *item = NULL, *target = NULL, *res = NULL;
	char key[128];
	int rc;

	*out = NULL;
	rc = review_get(s->store, s->tenant.id, id, &item, err);
	if (rc < 0)
		return rc;
	if (!a->action || !action_allowed(item, a->action)) {
		json_t *acts = review_actions(item);
		char *txt = json_dumps(acts, JSON_COMPACT);
		rc = error_set(err, MLC_EINVAL, "item %lld (%s) takes one of %s", (long long)id,
			       jsonx_str(item, "entity"), txt);
		free(txt);
		json_decref(acts);
		goto out;
	}
	if (!strcmp(a->action, "link") && is_back_vendor(item))
		rc = check_ns_link(s, a, err);
	else if (!strcmp(a->action, "link"))
		rc = check_link(s, a, err);
	else if (!strcmp(a->action, "take"))
		rc = check_take(item, a, err);
	else if (!strcmp(a->action, "post-in"))
		rc = check_period(s, a, err);
	else if (!strcmp(a->action, "map"))
		rc = check_map(s, item, a, key, sizeof(key), &target, err);
	if (rc == MLC_OK && target)
		rc = mapping_put(s->store, s->tenant.id, "cost-code-account", key, target, err);
	if (rc == MLC_OK)
		rc = review_decide(s->store, s->tenant.id, item, a->action, a->arg, a->by, a->why,
				   err);
	if (rc == MLC_OK && target)
		rc = replay_costs(s, &res, err);
	if (rc < 0)
		goto out;
	*out = json_pack("{s:I, s:s, s:s, s:s}", "item", (json_int_t)id, "action", a->action, "by",
			 a->by, "why", a->why);
	if (a->arg)
		json_object_set_new(*out, "arg", json_string(a->arg));
	if (res)
		json_object_set_new(*out, "replay", res);
out:
	json_decref(item);
	json_decref(target);
	return rc;
}
