/*
 * Procore simulator: the sync (batch) action shared by every /sync
 * endpoint.  Reference docs/reference/procore.md "Sync (batch) endpoints": at most 1000
 * records, always 200 with entities + errors, each error echoing its input
 * with errors:{field:[msg]}; matching: neither id nor origin_id -> create
 * without origin id, id only -> update (error if missing), origin_id only
 * -> create or update, both -> update by id (the way to change origin_id);
 * origin_id unique within the company.
 */
#include <string.h>

#include "sandbox/pcsim.h"
#include "util/banned.h"

#define PC_SYNC_MAX 1000

static void reject(json_t *errors_out, const json_t *in, json_t *errs)
{
	json_t *echo = json_is_object(in) ? json_deep_copy(in) : json_object();
	json_object_set_new(echo, "errors", errs);
	json_array_append_new(errors_out, echo);
}

void pc_sync_run(struct pc_ctx *c, const struct pc_sync_spec *spec, const json_t *scope,
		 const json_t *updates)
{
	struct pcsim *pc = c->pc;
	json_t *entities, *errors_out, *in;
	size_t i;

	if (!json_is_array(updates)) {
		pc_reply_errors(c, 400,
				spec->list_key && strcmp(spec->list_key, "updates") != 0
				    ? "param is missing or the value is empty: budget_line_items"
				    : "param is missing or the value is empty: updates");
		return;
	}
	if (json_array_size(updates) > PC_SYNC_MAX) {
		pc_reply_errors(c, 400, "Too many records: a sync accepts at most 1000 per call.");
		return;
	}
	entities = json_array();
	errors_out = json_array();
	json_array_foreach (updates, i, in) {
		json_t *errs = json_object(), *rec = NULL, *other;
		json_t *idv = json_object_get(in, "id");
		const char *origin = json_string_value(json_object_get(in, "origin_id"));
		bool created = false, ok;

		if (!json_is_object(in)) {
			pc_add_error(errs, "base", "must be an object");
			reject(errors_out, in, errs);
			continue;
		}
		if (idv && !json_is_null(idv)) {
			if (!json_is_integer(idv)) {
				pc_add_error(errs, "id", "is not a number");
				reject(errors_out, in, errs);
				continue;
			}
			rec = pc_get(pc, spec->kind, json_integer_value(idv));
			if (!rec || !spec->in_scope(rec, scope, c->company_id)) {
				pc_add_error(errs, "id", "not found");
				reject(errors_out, in, errs);
				continue;
			}
			other = pc_find_origin(pc, spec->kind, c->company_id, origin);
			if (other && other != rec) {
				pc_add_error(errs, "origin_id", "has already been taken");
				reject(errors_out, in, errs);
				continue;
			}
		} else if (origin && *origin) {
			rec = pc_find_origin(pc, spec->kind, c->company_id, origin);
			if (rec && !spec->in_scope(rec, scope, c->company_id)) {
				/* Unique in the company: another project's record owns it. */
				pc_add_error(errs, "origin_id", "has already been taken");
				reject(errors_out, in, errs);
				continue;
			}
		}
		if (rec) {
			ok = spec->update(c, rec, in, errs);
		} else {
			rec = spec->create(c, scope, in, errs);
			ok = rec != NULL;
			created = true;
		}
		if (!ok) {
			reject(errors_out, in, errs);
			continue;
		}
		json_decref(errs);
		json_array_append_new(entities, pc_ser(pc, spec->kind, rec, spec->view));
		if (spec->webhook_resource)
			pc_emit(c, spec->webhook_resource, created ? "create" : "update",
				pc_int(rec, "id"), pc_int(rec, "_project_id"));
	}
	pc_reply(c, 200, json_pack("{s:o,s:o}", "entities", entities, "errors", errors_out));
}
