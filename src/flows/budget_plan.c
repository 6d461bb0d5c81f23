/*
 * The plan of one budget pair (flows/budget_plan.h).
 */
#include <string.h>

#include "flows/budget_plan.h"
#include "util/money.h"
#include "util/num.h"
#include "util/banned.h"

/* Two figures, each maybe absent, are the same. */
static bool same(bool ka, int64_t a, bool kb, int64_t b)
{
	return ka == kb && (!ka || a == b);
}

void budget_plan(const struct bp_in *in, struct bp_plan *out)
{
	/* a line new on one side is that side's change, not a conflict */
	bool has_base = in->has_base || !in->has_ns || !in->has_pc;
	bool bk = in->has_base && in->base_known;
	int64_t b = in->base_amount;
	struct field_cmp c;
	enum field_win w;

	memset(out, 0, sizeof(*out));
	if (in->has_pc && money_add(in->original, in->changes, &out->pc_revised) < 0) {
		out->overflow = true;
		return;
	}
	c = (struct field_cmp){
	    .has_base = has_base,
	    .n_eq_p = same(in->has_ns, in->ns_total, in->has_pc, out->pc_revised),
	    .n_eq_b = same(in->has_ns, in->ns_total, bk, b),
	    .p_eq_b = same(in->has_pc, out->pc_revised, bk, b),
	};
	w = field_pick(&c, in->master, in->owner, &out->conflict);
	if (out->conflict)
		out->winner = w == FIELD_PROCORE ? MD_PROCORE : MD_NETSUITE;
	if (w == FIELD_PROCORE) {
		out->merged_known = in->has_pc;
		out->merged = out->pc_revised;
		/* a side without a line gives no figure: nothing is written */
		if (in->has_pc) {
			out->ns = in->has_ns ? BP_UPDATE : BP_CREATE;
			out->ns_amount = out->pc_revised;
		}
	} else {
		out->merged_known = in->has_ns;
		out->merged = in->ns_total;
		if (w == FIELD_NETSUITE && in->has_ns) {
			int64_t neg, rneg;
			/* the new line's original: NetSuite's total less the changes;
			 * an existing line's budget change: the difference */
			if (num_mul_i64(in->changes, -1, &neg) < 0 ||
			    num_add_i64(in->ns_total, neg, &out->pc_original) < 0 ||
			    num_mul_i64(out->pc_revised, -1, &rneg) < 0 ||
			    num_add_i64(in->ns_total, rneg, &out->pc_delta) < 0) {
				memset(out, 0, sizeof(*out));
				out->overflow = true;
				return;
			}
			out->pc_amount = in->ns_total;
			out->pc = in->has_bli           ? BP_UPDATE
				  : in->can_create_line ? BP_CREATE
							: BP_PARK;
		}
	}
	out->base_write = !has_base || !same(bk, b, out->merged_known, out->merged);
	if (!out->merged_known)
		out->merged = 0;
}
