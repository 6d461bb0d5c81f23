#ifndef MLC_PC_BUDGET_H
#define MLC_PC_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "procore/procore.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Procore budgets as typed records: line item types, budget views, the
 * detail rows of a budget view and the budget line item writes, and a
 * project's cost codes by id.  This file owns their REST paths
 * (docs/reference/procore.md).
 */

/* A line item type (cost type): "L", "M", ... */
struct pc_line_item_type {
	int64_t id;
	char code[16];
};

/* The company's line item types.  Caller frees *v. */
int pc_line_item_types(struct mlc_procore *pc, int64_t company_id, struct pc_line_item_type **v,
		       size_t *n, struct mlc_error *err) MLC_MUST_CHECK;

/* The id of the first budget view Procore lists for a project, 0 for none. */
int pc_budget_view_first(struct mlc_procore *pc, int64_t project_id, int64_t *view_id,
			 struct mlc_error *err) MLC_MUST_CHECK;

/* A project cost code (division or code) by id. */
struct pc_code_ref {
	int64_t id;
	char full_code[64];
};

/* Every cost code of a project with a full code, sorted by id.  Caller
 * frees *v. */
int pc_project_code_refs(struct mlc_procore *pc, int64_t project_id, struct pc_code_ref **v,
			 size_t *n, struct mlc_error *err) MLC_MUST_CHECK;

/* One detail row of a budget view: a budget line.  Amounts that are not
 * amounts leave amounts_ok false and the reason in why. */
struct pc_budget_row {
	int64_t id, cost_code_id, category_id;
	bool amounts_ok;
	int64_t original, mods; /* cents: original_budget_amount, budget_modifications */
	char why[160];
};

/* The detail rows of a budget view in a project, in Procore's order; rows
 * without readable ids are left out.  Caller frees *v. */
int pc_budget_rows(struct mlc_procore *pc, int64_t view_id, int64_t project_id,
		   struct pc_budget_row **v, size_t *n, struct mlc_error *err) MLC_MUST_CHECK;

/*
 * Sets a budget line's original budget: PATCH the line when bli_id is not
 * 0, else POST a new line for cost_code_id and line_item_type_id (*bli_id
 * gets its id).
 */
struct pc_budget_write {
	int64_t project_id, cost_code_id, line_item_type_id;
	int64_t original; /* cents */
};
int pc_budget_line_put(struct mlc_procore *pc, const struct pc_budget_write *w, int64_t *bli_id,
		       struct mlc_error *err) MLC_MUST_CHECK;

#endif
