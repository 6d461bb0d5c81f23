#ifndef MLC_BUDGET_INT_H
#define MLC_BUDGET_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flows/flow.h"
#include "flows/masterdata.h"
#include "flows/segment.h"
#include "procore/pc_budget.h"

/*
 * Internals of the budgets flow (flows/flow_budgets.c), not a public API:
 * the run's settings and references, set up by flows/budget_setup.c.
 */

/* A NetSuite line's criteria -> the cost code and type mapped to them. */
struct rev {
	int64_t account, segment;
	char code[64], type[16];
	bool shared; /* several codes map there: none can be told */
};

/* The title that marks the connector's budget changes in Procore. */
#define BUDGET_CHANGE_TITLE "NetSuite budget (ml-connector)"

struct budgets {
	struct flow_run *r;
	const char *change_status; /* budgets.change_status */
	enum md_side master, owner;
	int64_t year, category, view_id;
	struct mlc_segment seg; /* the cost-code dimension (flows/segment.h) */
	struct pc_line_item_type *lits;
	size_t nlits;
	struct rev *rev; /* sorted by account, segment */
	size_t nrev;
	int failed;
};

/* The settings and references every project shares (master, owner,
 * segment, category, budgets.change_status, the fiscal year, the line item
 * types, the budget view and the reverse mappings); *first: the first
 * active link, NULL when there is none (nothing to do).  The caller frees
 * b->lits and b->rev. */
int budgets_setup(struct budgets *b, struct mlc_project_link *links, size_t n,
		  const struct mlc_project_link **first, struct mlc_error *err) MLC_MUST_CHECK;
/* The cost type's code ("L") of a line item type id, NULL when unknown. */
const char *budget_lit_code(const struct budgets *b, int64_t id);
/* The line item type id of a cost type's code, 0 when unknown. */
int64_t budget_lit_id(const struct budgets *b, const char *code);
/* The cost code and type mapped to a NetSuite line's account and segment. */
const struct rev *budget_rev_find(const struct budgets *b, int64_t account, int64_t segment);

#endif
