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
 * amounts leave amounts_ok false and the reason in why.  The budget
 * modifications column is not read: Budget Changes replaced Budget
 * Modifications (docs/reference/procore/webhook-payloads.md item 6), and
 * the flow counts approved budget changes from pc_budget_adjustments(). */
struct pc_budget_row {
	int64_t id, cost_code_id, category_id;
	int64_t wbs_code_id; /* 0 when Procore gives none */
	bool amounts_ok;
	int64_t original; /* cents: original_budget_amount */
	char why[160];
};

/* The detail rows of a budget view in a project, in Procore's order; rows
 * without readable ids are left out.  Caller frees *v. */
int pc_budget_rows(struct mlc_procore *pc, int64_t view_id, int64_t project_id,
		   struct pc_budget_row **v, size_t *n, struct mlc_error *err) MLC_MUST_CHECK;

/*
 * Creates a budget line for cost_code_id and line_item_type_id (POST; the
 * connector never rewrites an existing line's original).  with_original
 * false creates it without an original (0).  *bli_id gets its id.  A
 * refusal comes back as MLC_EPERM with the HTTP status in *status (422
 * on original_budget_amount: the budget is locked, *locked true).
 */
struct pc_budget_write {
	int64_t project_id, cost_code_id, line_item_type_id;
	int64_t original; /* cents */
};
int pc_budget_line_create(struct mlc_procore *pc, const struct pc_budget_write *w,
			  bool with_original, int64_t *bli_id, bool *locked,
			  struct mlc_error *err) MLC_MUST_CHECK;

/* The WBS code id of a budget line (the v1.1 show's wbs_code), 0 for none. */
int pc_budget_line_wbs(struct mlc_procore *pc, int64_t project_id, int64_t bli_id,
		       int64_t *wbs_code_id, struct mlc_error *err) MLC_MUST_CHECK;

/* One adjustment line item of a budget change (the project-wide v2.0
 * list): its WBS code, amount in cents, the budget change's status and
 * name (title). */
enum pc_bc_status { PC_BC_OTHER = 0, PC_BC_DRAFT, PC_BC_UNDER_REVIEW, PC_BC_APPROVED, PC_BC_VOID };
struct pc_budget_adjustment {
	int64_t id, wbs_code_id, budget_change_id;
	int64_t cents;
	enum pc_bc_status status;
	char name[128];
};

/* Every adjustment line item of a project (100 a page).  Lines whose ids
 * or amount cannot be read fail the call: a budget figure must not be
 * computed from part of its changes.  Caller frees *v. */
int pc_budget_adjustments(struct mlc_procore *pc, int64_t company_id, int64_t project_id,
			  struct pc_budget_adjustment **v, size_t *n,
			  struct mlc_error *err) MLC_MUST_CHECK;

/* A budget change to create: status "draft", "under_review" or "approved",
 * a title and description, and one adjustment (change_event line) per
 * WBS code with its amount in cents. */
struct pc_budget_change_line {
	int64_t wbs_code_id, cents;
	char description[128];
};
struct pc_budget_change {
	int64_t project_id;
	const char *status, *title, *description;
	const struct pc_budget_change_line *lines;
	size_t nlines;
};
/* POSTs the budget change; *id gets its id (0 when the answer has none). */
int pc_budget_change_create(struct mlc_procore *pc, const struct pc_budget_change *bc, int64_t *id,
			    struct mlc_error *err) MLC_MUST_CHECK;

#endif
