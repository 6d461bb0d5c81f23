#ifndef MLC_COST_CODES_ONE_H
#define MLC_COST_CODES_ONE_H

#include <stdbool.h>
#include <stdint.h>

#include "flows/flow.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * One Procore cost code aligned for a webhook event that names it (issue
 * 20; resource "Cost Codes", the code's id in a project), as the
 * cost-codes flow aligns each code (flows/flow_cost_codes.c): the plan of
 * one code needs its NetSuite value, its base and its presence in every
 * list (the standard list and each linked project), so the event reads
 * what a run reads, then plans and writes THAT code only, under the
 * code's lock (the flow takes the same lock per code), in run r (flow
 * "cost-codes", trigger "event"), without waiting for a running flow.
 *
 * *handled is false when the path leaves the event to the flow: no
 * cost-code segment (the flow parks that), or the named project's list
 * does not hold the id as a code (a division, a deleted code: a deletion
 * is a deactivation only the full read can tell).  An event naming a
 * project that is not linked is handled with nothing written.  What would
 * park (a one-sided code under a single master, a conflict for review) is
 * a failure left to the full run.  < 0 (err) when the code was not
 * aligned: the caller leaves the event to the catch-up run.
 */
int cost_codes_one(struct flow_run *r, int64_t project_id, int64_t code_id, bool *handled,
		   struct mlc_error *err) MLC_MUST_CHECK;

/*
 * The same for a NetSuite push naming a value of the cost-code segment
 * (record_type "customrecord_cseg_...", value_id its internal id): that
 * value is read alone (netsuite/ns_segment_values.h ns_cost_code_one, not
 * the segment's list), the rest as above (the bases, the standard list
 * and every linked project's list, which the plan of one code needs), and
 * its code aligned under the code's lock.  *handled is false when the
 * path leaves the push to the flow: no segment in use, or the value alone
 * cannot say which code it is (gone, a grouping, a code a lower value may
 * carry too).  A value of another segment is handled with nothing
 * written (the flow reads only the tenant's own).  What would park is a
 * failure left to the full run, as above.
 */
int cost_codes_one_netsuite(struct flow_run *r, const char *record_type, int64_t value_id,
			    bool *handled, struct mlc_error *err) MLC_MUST_CHECK;

#endif
