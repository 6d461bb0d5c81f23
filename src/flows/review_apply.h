#ifndef MLC_REVIEW_APPLY_H
#define MLC_REVIEW_APPLY_H

#include <stdint.h>

#include "core/canon_period.h"
#include "flows/cost_plan.h"
#include "flows/flow.h"
#include "flows/vendor_pair.h"
#include "flows/vendor_plan.h"

/*
 * Where a flow would park a record, the decision a person made on it
 * (flows/review_resolve.h) changes the plan.  Decisions to ignore or drop
 * are applied by the frame (flows/flow_park.h); these are the others.
 */

/*
 * The vendors flow, for a plan that parks NetSuite vendor src
 * ("ns:vendor:<id>"): a decision "link ID" makes it VENDOR_PLAN_SETTLE with
 * *pc_id = ID (when vp holds that Procore vendor; else the plan parks,
 * saying so in plan->why); "create" makes it VENDOR_PLAN_CREATE.  The
 * decision is marked applied when it changes the plan.  Any other plan is
 * left alone.
 */
void review_apply_vendor(struct flow_run *r, struct vendor_pairs *vp, const char *src,
			 struct vendor_plan *plan, int64_t *pc_id);

/*
 * The costs flow, before planning unit doc_ref: a pending decision
 * "post-in [PERIOD]" plans it under policy adjust (in->hold false), and
 * with a PERIOD against a copy of the periods in which only that one is
 * open, so the entry or adjustment lands there.  *copy (NULL when none
 * was made) is the caller's to free after planning.  The decision is
 * marked applied by flow_resolve() once the entry is written.
 */
void review_apply_costs(struct flow_run *r, const char *doc_ref, struct cost_unit_in *in,
			struct canon_period **copy);

#endif
