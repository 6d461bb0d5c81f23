/*
 * The budgets flow's setup (flows/budget_int.h): settings, the fiscal
 * year, Procore's line item types and budget view, and the mappings read
 * backwards for NetSuite lines Procore does not have yet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mapping.h"
#include "core/project.h"
#include "flows/budget_int.h"
#include "flows/field_merge.h"
#include "netsuite/ns_budget.h"
#include "util/jsonx.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

/* True when year y is the one the settings (or today) ask for. */
static bool year_wanted(const struct ns_fiscal_year *y, const char *want, int64_t want_id,
			const char *today)
{
	char id[24];

	snprintf(id, sizeof(id), "%lld", (long long)y->id);
	if (want)
		return strcmp(y->name, want) == 0 || strcmp(id, want) == 0;
	if (want_id)
		return y->id == want_id;
	return y->start[0] && y->end[0] && strcmp(y->start, today) <= 0 &&
	       strcmp(today, y->end) <= 0;
}

static int load_year(struct budgets *b, struct mlc_error *err)
{
	struct mlc_session *s = b->r->s;
	const char *want = session_setting_str(s, "budgets.year", NULL);
	int64_t want_id = session_setting_int(s, "budgets.year", 0);
	char today[MLC_TIME_FMT_MAX];
	struct ns_fiscal_year *years = NULL;
	size_t n = 0;
	int rc;

	time_format_date(time_now_ms(), today);
	rc = ns_fiscal_years(s->ns, &years, &n, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n && !b->year; i++)
		if (year_wanted(&years[i], want, want_id, today))
			b->year = years[i].id;
	free(years);
	if (b->year)
		return MLC_OK;
	if (want || want_id)
		return error_set(err, MLC_ECONFIG,
				 "setting budgets.year: NetSuite has no fiscal year '%s'",
				 want ? want : "(that id)");
	return error_set(err, MLC_ECONFIG,
			 "NetSuite has no fiscal year holding %s; set budgets.year", today);
}

static int load_procore_refs(struct budgets *b, const struct mlc_project_link *first,
			     struct mlc_error *err)
{
	struct mlc_session *s = b->r->s;
	int rc;

	rc = pc_line_item_types(s->pc, s->tenant.procore_company_id, &b->lits, &b->nlits, err);
	if (rc < 0)
		return rc;
	b->view_id = session_setting_int(s, "budgets.view_id", 0);
	if (b->view_id || !first)
		return MLC_OK;
	rc = pc_budget_view_first(s->pc, first->procore_project_id, &b->view_id, err);
	if (rc < 0)
		return rc;
	if (!b->view_id)
		return error_set(err, MLC_ENOTFOUND,
				 "Procore lists no budget view; set budgets.view_id");
	return MLC_OK;
}

/* The cost type's code ("L") of a line item type id, NULL when unknown. */
const char *budget_lit_code(const struct budgets *b, int64_t id)
{
	for (size_t i = 0; i < b->nlits; i++)
		if (b->lits[i].id == id)
			return b->lits[i].code;
	return NULL;
}

/* The line item type id of a cost type's code, 0 when unknown (the last
 * type listed with that code). */
int64_t budget_lit_id(const struct budgets *b, const char *code)
{
	int64_t id = 0;
	for (size_t i = 0; i < b->nlits; i++)
		if (strcmp(b->lits[i].code, code) == 0)
			id = b->lits[i].id;
	return id;
}

static int cmp_rev(const void *a, const void *b)
{
	const struct rev *x = a, *y = b;
	if (x->account != y->account)
		return (x->account > y->account) - (x->account < y->account);
	return (x->segment > y->segment) - (x->segment < y->segment);
}

const struct rev *budget_rev_find(const struct budgets *b, int64_t account, int64_t segment)
{
	struct rev k = {.account = account, .segment = segment};
	return b->nrev ? bsearch(&k, b->rev, b->nrev, sizeof(*b->rev), cmp_rev) : NULL;
}

/* One cost-code-account mapping "code|type" -> *r, false when it maps no
 * single line (no type, no account, or no segment value when lines carry
 * the segment). */
static bool rev_of(const struct budgets *b, const char *k, const json_t *t, const json_t *seg,
		   struct rev *r)
{
	const char *bar = strchr(k, '|');

	memset(r, 0, sizeof(*r));
	if (!bar || !bar[1] || (size_t)(bar - k) >= sizeof(r->code) ||
	    jsonx_id(t, "account", &r->account) < 0 || !r->account)
		return false;
	memcpy(r->code, k, (size_t)(bar - k));
	r->code[bar - k] = '\0';
	str_copy(r->type, sizeof(r->type), bar + 1);
	if (b->seg.use &&
	    (jsonx_id(json_object_get(seg, r->code), "segment_value", &r->segment) < 0 ||
	     !r->segment))
		return false;
	return true;
}

/* "account:segment" -> "code|type" from the mappings, for NetSuite lines
 * that Procore does not have yet.  Mappings for any type ("code|") give no
 * type and are left out; criteria several mappings share are marked. */
static int load_reverse(struct budgets *b, struct mlc_error *err)
{
	struct mlc_session *s = b->r->s;
	json_t *acc = NULL, *seg = NULL, *t;
	const char *k;
	size_t out = 0;
	int rc;

	rc = mapping_all(s->store, s->tenant.id, "cost-code-account", &acc, err);
	if (rc >= 0)
		rc = mapping_all(s->store, s->tenant.id, "cost-code-segment", &seg, err);
	if (rc < 0)
		goto out;
	b->rev = xcalloc(json_object_size(acc) + 1, sizeof(*b->rev));
	json_object_foreach (acc, k, t) {
		if (rev_of(b, k, t, seg, &b->rev[b->nrev]))
			b->nrev++;
	}
	qsort(b->rev, b->nrev, sizeof(*b->rev), cmp_rev);
	for (size_t i = 0; i < b->nrev; i++) {
		if (out && cmp_rev(&b->rev[out - 1], &b->rev[i]) == 0) {
			b->rev[out - 1].shared = true;
			continue;
		}
		b->rev[out++] = b->rev[i];
	}
	b->nrev = out;
	rc = MLC_OK;
out:
	json_decref(acc);
	json_decref(seg);
	return rc;
}

/* The settings and references every project shares; *first: the first
 * active link, NULL when there is none (nothing to do). */
int budgets_setup(struct budgets *b, struct mlc_project_link *links, size_t n,
		  const struct mlc_project_link **first, struct mlc_error *err)
{
	struct mlc_session *s = b->r->s;
	int rc;

	*first = NULL;
	/* the segment as the costs flow decides it; budgets.use_segment=false
	 * still keeps budget lines off it */
	rc = segment_resolve(s, &b->seg, err);
	if (rc < 0)
		return rc;
	if (!session_setting_bool(s, "budgets.use_segment", true) && b->seg.use) {
		b->seg.use = false;
		snprintf(b->seg.why, sizeof(b->seg.why), "budgets.use_segment false");
	}
	b->category = session_setting_int(s, "budgets.category", 0);
	b->change_status = session_setting_str(s, "budgets.change_status", "draft");
	if (strcmp(b->change_status, "draft") != 0 &&
	    strcmp(b->change_status, "under_review") != 0 &&
	    strcmp(b->change_status, "approved") != 0)
		return error_set(
		    err, MLC_ECONFIG,
		    "setting budgets.change_status: '%s' is not draft, under_review or "
		    "approved",
		    b->change_status);
	/* default procore: the estimate and budget are built in Procore at most
	 * contractors, and the ERP receives them */
	rc = md_master(s, "budgets", MD_PROCORE, &b->master, err);
	if (rc < 0)
		return rc;
	b->owner = field_owner(s, "budgets", "amount", MD_PROCORE);
	for (size_t i = 0; i < n && !*first; i++)
		if (links[i].active)
			*first = &links[i];
	if (!*first)
		return MLC_OK;
	rc = load_year(b, err);
	if (rc >= 0)
		rc = load_procore_refs(b, *first, err);
	if (rc >= 0)
		rc = load_reverse(b, err);
	if (rc < 0)
		return rc;
	return MLC_OK;
}
