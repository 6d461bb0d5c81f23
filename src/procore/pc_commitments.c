/*
 * Procore commitments through the sync endpoints (pc_commitments.h): the
 * REST paths, the request bodies and the reading of the reply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procore/pc_commitments.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/money.h"
#include "util/str.h"
#include "util/banned.h"

json_t *pc_commitment_json(const struct pc_commitment *c, bool with_id)
{
	json_t *b = json_pack("{s:s, s:s, s:s, s:I, s:s}", "origin_id", c->origin_id, "number",
			      c->number ? c->number : "", "title", c->title, "vendor_id",
			      (json_int_t)c->vendor_id, "status", c->status);

	if (c->contract_date)
		json_object_set_new(b, "contract_date", json_string(c->contract_date));
	if (c->description)
		json_object_set_new(b, "description", json_string(c->description));
	if (c->origin_code)
		json_object_set_new(b, "origin_code", json_string(c->origin_code));
	if (with_id && c->id)
		json_object_set_new(b, "id", json_integer(c->id));
	return b;
}

json_t *pc_commitment_line_json(const struct pc_commitment_line *l, bool with_id)
{
	char amount[MONEY_FMT_MAX], qty[MONEY_FMT_MAX], unit[MONEY_FMT_MAX];
	json_t *b;

	if (l->zeroed)
		return json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)l->id, "origin_id",
				 l->origin_id, "amount", "0.00", "quantity", "0", "unit_cost",
				 "0.00");
	dec_format_trim(l->amount, MONEY_SCALE, 2, amount, sizeof(amount));
	b = json_pack("{s:s, s:s, s:I, s:I}", "origin_id", l->origin_id, "amount", amount,
		      "cost_code_id", (json_int_t)l->cost_code_id, "line_item_type_id",
		      (json_int_t)l->line_item_type_id);
	if (l->has_qty) {
		dec_format_trim(l->qty, 4, 0, qty, sizeof(qty));
		json_object_set_new(b, "quantity", json_string(qty));
	}
	if (l->has_unit_cost) {
		dec_format_trim(l->unit_cost, 4, 0, unit, sizeof(unit));
		json_object_set_new(b, "unit_cost", json_string(unit));
	}
	if (l->description)
		json_object_set_new(b, "description", json_string(l->description));
	if (with_id && l->id)
		json_object_set_new(b, "id", json_integer(l->id));
	return b;
}

void pc_sync_reply_release(struct pc_sync_reply *r)
{
	size_t i;

	for (i = 0; r->items && i < r->n; i++) {
		free(r->items[i].error);
		json_decref(r->items[i].body);
	}
	free(r->items);
	r->items = NULL;
	r->n = 0;
}

/* Entities first, then errors, each in the reply's order. */
static void reply_read(json_t *entities, json_t *errors, struct pc_sync_reply *out)
{
	size_t i, k = 0;
	json_t *e;

	out->n = json_array_size(entities) + json_array_size(errors);
	out->items = out->n ? xcalloc(out->n, sizeof(*out->items)) : NULL;
	json_array_foreach (entities, i, e) {
		struct pc_sync_item *it = &out->items[k++];
		it->body = json_incref(e);
		it->origin_id = jsonx_str(e, "origin_id");
		if (jsonx_id(e, "id", &it->id) < 0)
			it->id = 0;
	}
	json_array_foreach (errors, i, e) {
		struct pc_sync_item *it = &out->items[k++];
		struct mlc_buf why = MLC_BUF_INIT;
		it->body = json_incref(e);
		it->origin_id = jsonx_str(e, "origin_id");
		procore_error_text(e, &why);
		it->error = buf_detach(&why, NULL);
	}
}

static int sync_call(struct mlc_procore *pc, const char *path, json_t *body,
		     struct pc_sync_reply *out, struct mlc_error *err)
{
	json_t *entities = NULL, *errors = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = procore_sync(pc, "PATCH", path, body, &entities, &errors, err);
	if (rc == MLC_OK)
		reply_read(entities, errors, out);
	json_decref(entities);
	json_decref(errors);
	return rc;
}

int procore_commitments_sync(struct mlc_procore *pc, int64_t project_id,
			     const struct pc_commitment *const *headers, size_t n,
			     struct pc_sync_reply *out, struct mlc_error *err)
{
	json_t *updates = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(updates, pc_commitment_json(headers[i], true));
	return sync_call(
	    pc, "/rest/v1.0/purchase_order_contracts/sync",
	    json_pack("{s:I, s:o}", "project_id", (json_int_t)project_id, "updates", updates), out,
	    err);
}

int procore_commitment_lines_sync(struct mlc_procore *pc, int64_t project_id, int64_t contract_id,
				  const struct pc_commitment_line *const *lines, size_t n,
				  struct pc_sync_reply *out, struct mlc_error *err)
{
	json_t *updates = json_array();
	char path[160];
	size_t i;

	snprintf(path, sizeof(path),
		 "/rest/v1.0/purchase_order_contracts/%lld/line_items/sync?project_id=%lld",
		 (long long)contract_id, (long long)project_id);
	for (i = 0; i < n; i++)
		json_array_append_new(updates, pc_commitment_line_json(lines[i], true));
	return sync_call(pc, path, json_pack("{s:o}", "updates", updates), out, err);
}

int procore_commitment_heads(struct mlc_procore *pc, int64_t project_id,
			     struct pc_commitment_head **out, size_t *n, struct mlc_error *err)
{
	char proj[32];
	const char *q[] = {"project_id", proj, NULL};
	json_t *items = NULL, *it;
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	snprintf(proj, sizeof(proj), "%lld", (long long)project_id);
	rc = procore_list(pc, "/rest/v1.0/purchase_order_contracts", q, &items, err);
	if (rc < 0)
		return rc;
	*out = xcalloc(json_array_size(items) + 1, sizeof(**out));
	json_array_foreach (items, i, it) {
		struct pc_commitment_head *h = &(*out)[(*n)++];
		const char *o = jsonx_str(it, "origin_id"), *num = jsonx_str(it, "number");
		const char *st = jsonx_str(it, "status");
		h->id = jsonx_id_or0(it, "id");
		str_copy(h->origin_id, sizeof(h->origin_id), o ? o : "");
		str_copy(h->number, sizeof(h->number), num ? num : "");
		str_copy(h->status, sizeof(h->status), st ? st : "");
		if (jsonx_money_get(it, "grand_total", true, &h->grand_total, err) < 0) {
			rc = error_set(err, MLC_EPERM,
				       "Procore commitment %lld: grand_total is not an amount",
				       (long long)h->id);
			break;
		}
	}
	json_decref(items);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}
