/*
 * Commitment change orders (pc_change_orders.h): the REST paths, the
 * bodies and the reading of the replies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procore/pc_change_orders.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/money.h"
#include "util/str.h"
#include "util/banned.h"

#define CCO_PATH "/rest/v1.0/projects/%lld/commitment_change_orders"
#define CCO_LINES_PATH                                                                             \
	"/rest/v2.0/companies/%lld/projects/%lld/commitment_change_orders/%lld/line_items"

static int64_t money_or0(const json_t *o, const char *key)
{
	int64_t c = 0;
	struct mlc_error e = {0};
	if (jsonx_money_get(o, key, true, &c, &e) < 0)
		return 0;
	return c;
}

int procore_commitment_state(struct mlc_procore *pc, int64_t project_id, int64_t contract_id,
			     struct pc_commitment_state *out, struct mlc_error *err)
{
	char path[96], proj[32];
	const char *q[] = {"project_id", proj, NULL};
	json_t *b = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "/rest/v1.0/commitments/%lld", (long long)contract_id);
	snprintf(proj, sizeof(proj), "%lld", (long long)project_id);
	rc = procore_get(pc, path, q, &b, err);
	if (rc < 0)
		return rc;
	str_copy(out->status, sizeof(out->status),
		 jsonx_str(b, "status") ? jsonx_str(b, "status") : "Draft");
	out->grand_total = money_or0(b, "grand_total");
	out->approved_cos = money_or0(b, "approved_change_orders");
	out->pending_cos = money_or0(b, "pending_change_orders");
	out->revised = money_or0(b, "revised_contract");
	json_decref(b);
	return MLC_OK;
}

int procore_sov_lines(struct mlc_procore *pc, int64_t project_id, int64_t contract_id,
		      struct pc_sov_line **out, size_t *n, struct mlc_error *err)
{
	char path[128], proj[32];
	const char *q[] = {"project_id", proj, NULL};
	json_t *items = NULL, *it;
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "/rest/v1.0/purchase_order_contracts/%lld/line_items",
		 (long long)contract_id);
	snprintf(proj, sizeof(proj), "%lld", (long long)project_id);
	rc = procore_list(pc, path, q, &items, err);
	if (rc < 0)
		return rc;
	*out = xcalloc(json_array_size(items) + 1, sizeof(**out));
	json_array_foreach (items, i, it) {
		struct pc_sov_line *l = &(*out)[(*n)++];
		l->id = jsonx_id_or0(it, "id");
		l->amount = money_or0(it, "amount");
		l->cost_code_id = jsonx_id_or0(json_object_get(it, "cost_code"), "id");
		l->line_item_type_id = jsonx_id_or0(json_object_get(it, "line_item_type"), "id");
		l->wbs_code_id = jsonx_id_or0(json_object_get(it, "wbs_code"), "id");
		str_copy(l->origin_id, sizeof(l->origin_id),
			 jsonx_str(it, "origin_id") ? jsonx_str(it, "origin_id") : "");
	}
	json_decref(items);
	return MLC_OK;
}

void pc_ccos_free(struct pc_cco *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].lines);
	free(v);
}

/* Every line of one change order: the v2.0 list pages without a Link header. */
static int cco_lines(struct mlc_procore *pc, int64_t project_id, struct pc_cco *cco,
		     struct mlc_error *err)
{
	char path[192], page[16];
	const char *q[] = {"per_page", "100", "page", page, NULL};
	size_t cap = 0;
	int rc = MLC_OK;

	snprintf(path, sizeof(path), CCO_LINES_PATH, (long long)pc->company_id,
		 (long long)project_id, (long long)cco->id);
	for (int p = 1;; p++) {
		json_t *b = NULL, *data, *it;
		size_t i;
		snprintf(page, sizeof(page), "%d", p);
		rc = procore_get(pc, path, q, &b, err);
		if (rc < 0)
			return rc;
		data = json_object_get(b, "data");
		json_array_foreach (data, i, it) {
			struct pc_cco_line *l;
			if (cco->nlines == cap) {
				cap = cap ? 2 * cap : 16;
				cco->lines = xrealloc(cco->lines, cap * sizeof(*cco->lines));
			}
			l = &cco->lines[cco->nlines++];
			memset(l, 0, sizeof(*l));
			l->id = jsonx_id_or0(it, "id");
			l->commitment_line_item_id = jsonx_id_or0(it, "commitment_line_item_id");
			l->wbs_code_id = jsonx_id_or0(it, "wbs_code_id");
			l->amount = money_or0(it, "amount");
			str_copy(l->description, sizeof(l->description),
				 jsonx_str(it, "description") ? jsonx_str(it, "description") : "");
		}
		i = json_array_size(data);
		json_decref(b);
		if (i < 100)
			break;
	}
	return rc;
}

/* The change orders of a project, of one contract unless contract_id is 0. */
static int ccos_read(struct mlc_procore *pc, int64_t project_id, int64_t contract_id,
		     struct pc_cco **out, size_t *n, struct mlc_error *err)
{
	char path[96], cid[32];
	const char *q[] = {"filters[contract_id]", cid, NULL};
	json_t *items = NULL, *it;
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), CCO_PATH, (long long)project_id);
	snprintf(cid, sizeof(cid), "%lld", (long long)contract_id);
	rc = procore_list(pc, path, contract_id ? q : NULL, &items, err);
	if (rc < 0)
		return rc;
	*out = xcalloc(json_array_size(items) + 1, sizeof(**out));
	json_array_foreach (items, i, it) {
		struct pc_cco *c = &(*out)[(*n)++];
		c->id = jsonx_id_or0(it, "id");
		c->contract_id = jsonx_id_or0(it, "contract_id");
		str_copy(c->number, sizeof(c->number),
			 jsonx_str(it, "number") ? jsonx_str(it, "number") : "");
		str_copy(c->status, sizeof(c->status),
			 jsonx_str(it, "status") ? jsonx_str(it, "status") : "");
		rc = cco_lines(pc, project_id, c, err);
		if (rc < 0)
			break;
	}
	json_decref(items);
	if (rc < 0) {
		pc_ccos_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int procore_ccos(struct mlc_procore *pc, int64_t project_id, int64_t contract_id,
		 struct pc_cco **out, size_t *n, struct mlc_error *err)
{
	return ccos_read(pc, project_id, contract_id, out, n, err);
}

int procore_project_ccos(struct mlc_procore *pc, int64_t project_id, struct pc_cco **out, size_t *n,
			 struct mlc_error *err)
{
	return ccos_read(pc, project_id, 0, out, n, err);
}

/* The id of the contract's change order with this number; 0 when none. */
static int cco_find(struct mlc_procore *pc, int64_t project_id, int64_t contract_id,
		    const char *number, int64_t *id, struct mlc_error *err)
{
	char path[96], cid[32];
	const char *q[] = {"filters[contract_id]", cid, NULL};
	json_t *items = NULL, *it;
	size_t i;
	int rc;

	*id = 0;
	snprintf(path, sizeof(path), CCO_PATH, (long long)project_id);
	snprintf(cid, sizeof(cid), "%lld", (long long)contract_id);
	rc = procore_list(pc, path, q, &items, err);
	json_array_foreach (items, i, it)
		if (jsonx_str(it, "number") && strcmp(jsonx_str(it, "number"), number) == 0)
			*id = jsonx_id_or0(it, "id");
	json_decref(items);
	return rc;
}

int procore_cco_create(struct mlc_procore *pc, int64_t project_id, int64_t contract_id,
		       const char *number, const char *title, int64_t *id, struct mlc_error *err)
{
	char path[96];
	json_t *resp = NULL;
	int status = 0, rc;

	*id = 0;
	snprintf(path, sizeof(path), CCO_PATH, (long long)project_id);
	rc = procore_write(pc, "POST", path, NULL,
			   json_pack("{s:{s:I,s:s,s:s,s:s}}", "change_order", "contract_id",
				     (json_int_t)contract_id, "number", number, "title", title,
				     "status", "draft"),
			   &resp, &status, err);
	if (rc == MLC_OK)
		*id = jsonx_id_or0(resp, "id");
	json_decref(resp);
	if (rc == MLC_EUNKNOWN) {
		struct mlc_error e2 = {0};
		if (cco_find(pc, project_id, contract_id, number, id, &e2) == 0 && *id) {
			error_clear(err);
			rc = MLC_OK;
		}
	}
	if (rc == MLC_OK && !*id)
		rc = error_set(err, MLC_EPERM, "Procore's change order reply has no id");
	return rc;
}

int procore_cco_set_status(struct mlc_procore *pc, int64_t project_id, int64_t cco_id,
			   const char *status, struct mlc_error *err)
{
	char path[128];
	json_t *resp = NULL;
	int http = 0, rc;

	snprintf(path, sizeof(path), CCO_PATH "/%lld", (long long)project_id, (long long)cco_id);
	rc = procore_write(pc, "PATCH", path, NULL,
			   json_pack("{s:{s:s}}", "change_order", "status", status), &resp, &http,
			   err);
	json_decref(resp);
	return rc;
}

int procore_cco_line_write(struct mlc_procore *pc, int64_t project_id, int64_t cco_id,
			   struct pc_cco_line *l, struct mlc_error *err)
{
	char path[224], amount[MONEY_FMT_MAX], wbs[32], cli[32];
	json_t *body, *resp = NULL;
	int http = 0, rc;

	snprintf(path, sizeof(path), CCO_LINES_PATH, (long long)pc->company_id,
		 (long long)project_id, (long long)cco_id);
	if (l->id)
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%lld",
			 (long long)l->id);
	money_format(l->amount, amount);
	body = json_pack("{s:s,s:s}", "amount", amount, "description", l->description);
	if (!l->id) {
		snprintf(wbs, sizeof(wbs), "%lld", (long long)l->wbs_code_id);
		json_object_set_new(body, "wbs_code_id", json_string(wbs));
		if (l->commitment_line_item_id) {
			snprintf(cli, sizeof(cli), "%lld", (long long)l->commitment_line_item_id);
			json_object_set_new(body, "commitment_line_item_id", json_string(cli));
		}
	}
	rc = procore_write(pc, l->id ? "PATCH" : "POST", path, NULL, body, &resp, &http, err);
	if (rc == MLC_OK && !l->id)
		l->id = jsonx_id_or0(json_object_get(resp, "data"), "id");
	json_decref(resp);
	return rc;
}
