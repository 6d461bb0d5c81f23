#ifndef MLC_REVIEW_APPLY_H
#define MLC_REVIEW_APPLY_H

#include <stdint.h>

#include "core/canon_period.h"
#include "flows/cost_plan.h"
#include "flows/flow.h"
#include "flows/masterdata.h"
#include "flows/vendor_match.h"
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

/*
 * The vendors-back flow, before it plans Procore vendor pv with its match
 * m: when the match parks (ambiguous, taken, contested, duplicate) and a
 * person decided "link NETSUITE_ID" (a vendor of ns_rows, every NetSuite
 * vendor the run read) m becomes VENDOR_LINK_KNOWN to it; "create" makes
 * it VENDOR_CREATE.  The decision is marked applied when it changes m (a
 * write that then fails is retried by the next run, which finds the
 * decision again).  A link to a vendor NetSuite no longer lists leaves m
 * as it is: the record parks again and the item reopens.
 */
void review_apply_vendor_back(struct flow_run *r, const json_t *pv, const json_t *ns_rows,
			      struct vendor_match *m);

/*
 * The side a person chose with "take netsuite|procore" on the review item
 * (entity, src): MD_NETSUITE or MD_PROCORE, MD_NONE without such a
 * decision (or, with pending_only, when it was applied already: a later
 * conflict on the record is a new question).  The caller marks it applied
 * (flow_decision_applied()) once the chosen value is written.
 */
enum md_side review_apply_take(struct flow_run *r, const char *entity, const char *src,
			       bool pending_only);

#endif
