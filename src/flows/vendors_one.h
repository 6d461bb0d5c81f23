#ifndef MLC_VENDORS_ONE_H
#define MLC_VENDORS_ONE_H

#include <stdbool.h>
#include <stdint.h>

#include "flows/flow.h"
#include "flows/vendor_pair.h"
#include "netsuite/ns_vendors.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * One NetSuite vendor for a webhook push that names it (issue 20), as the
 * vendors flow answers each vendor (flows/flow_vendors.c fwd_one: the
 * plan, the settling of the pair, the Procore sync), in run r (flow
 * "vendors", trigger "event"), without waiting for a running flow and
 * without moving its watermark.
 *
 * Reads: the vendor alone (netsuite/ns_vendor_one.h), the Procore vendor
 * whose origin_id names it (procore/pc_vendor_one.h) and the pair's base;
 * never the vendor lists.  Under the vendor's lock ("vendor:<tenant>:<id>",
 * so two pushes for one vendor run one after the other; the full run
 * takes no such lock: a run settling the same pair at the same time
 * merges the same three views and converges on the next run).
 *
 * *handled is false, nothing written, when the pair is not one an
 * origin_id names (a vendor not linked yet, gone from NetSuite, or linked
 * only by the id map or a name): matching it, creating it or parking it
 * takes the full lists, so the caller wakes the flow.  < 0 (err) when
 * the vendor was not settled: the caller leaves the push to the catch-up
 * run.
 */
int vendors_one(struct flow_run *r, int64_t ns_id, bool *handled,
		struct mlc_error *err) MLC_MUST_CHECK;

/* The flow's part (flows/flow_vendors.c): matches the vendors of nsv
 * (one) against f->pcv and, when the match is the pair its origin_id
 * names, answers it with the flow's per-vendor code and flushes f. */
int vendors_fwd_linked(struct flow_run *r, struct vendor_pairs *f, const struct ns_vendors *nsv,
		       bool *handled, struct mlc_error *err) MLC_MUST_CHECK;

#endif
