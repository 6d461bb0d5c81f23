#ifndef MLC_BUDGET_PLAN_H
#define MLC_BUDGET_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "flows/field_merge.h"
#include "flows/masterdata.h"

/*
 * The plan of one budget pair in the budgets flow (flows/flow_budgets.c):
 * a Procore budget line and/or a NetSuite budget line for one project,
 * cost code and cost type.  Pure: amounts in cents, no I/O.
 *
 * Procore's figure is the revised budget as the connector counts it: the
 * original + the line's budget changes (approved ones, and the
 * connector's own still in Draft or under review, which stand for the
 * NetSuite figure they carry until someone approves or voids them);
 * NetSuite's the line's total.  A side without a line has no figure (not
 * a zero).  The one field "amount" is merged three ways against the base
 * (flows/field_merge.h); a pair without a base that one side lacks takes
 * an empty base (a line new on one side is that side's change, not a
 * conflict).  The side that must take a figure is written: NetSuite its
 * total; Procore, when the line exists, a budget change of the
 * difference (never a rewrite of the original: Procore locks it with the
 * budget, docs/reference/procore/webhook-payloads.md item 5), and when it
 * does not, a new line whose original is the figure (an unlocked budget's
 * first load; a locked one refuses and the flow adds the line at 0 with a
 * budget change instead).  A Procore line that does not exist yet and
 * cannot be created (the project lacks the cost code or the cost type)
 * is parked.  The base becomes the merged figure once the writes land.
 */
struct bp_in {
	enum md_side master; /* MD_NETSUITE, MD_PROCORE or MD_BOTH */
	enum md_side owner;  /* the amount's owner under MD_BOTH */
	bool has_pc;
	int64_t original, changes; /* Procore cents: original, budget changes counted */
	bool has_ns;
	int64_t ns_total; /* NetSuite cents */
	bool has_base;    /* a base is stored */
	bool base_known;  /* the stored base has a figure (else null) */
	int64_t base_amount;
	bool has_bli;         /* the Procore line exists */
	bool can_create_line; /* the project has the cost code and the cost type */
};

/* Procore: BP_CREATE a new line, BP_UPDATE a budget change of pc_delta. */
enum bp_op { BP_NONE = 0, BP_CREATE, BP_UPDATE, BP_PARK };

struct bp_plan {
	bool overflow;       /* original + changes, NetSuite's total - changes or
			      * the delta overflows: the pair fails */
	int64_t pc_revised;  /* Procore's figure (has_pc) */
	enum bp_op ns;       /* NetSuite: BP_NONE, BP_CREATE or BP_UPDATE */
	int64_t ns_amount;   /* the total NetSuite takes */
	enum bp_op pc;       /* Procore: BP_NONE, BP_CREATE, BP_UPDATE or BP_PARK */
	int64_t pc_amount;   /* the revised budget Procore takes */
	int64_t pc_original; /* BP_CREATE: the new line's original, pc_amount - changes */
	int64_t pc_delta;    /* BP_UPDATE: the budget change, pc_amount - pc_revised */
	bool conflict;       /* both sides changed the figure */
	enum md_side winner; /* on conflict: whose figure won */
	bool merged_known;   /* the new base has a figure */
	int64_t merged;
	bool base_write; /* the new base differs from the stored one */
};

void budget_plan(const struct bp_in *in, struct bp_plan *out);

#endif
