#ifndef MLC_FLOW_EVENT_H
#define MLC_FLOW_EVENT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "flows/costs_one.h"
#include "flows/session.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * A webhook event that names its record, posted on its own (issue 20,
 * "approval to journal entry under 2 s"): the connector reads THAT record
 * and posts it through the same plan as the flow (flows/costs_one.h),
 * under the document's lock, without waiting for a running flow and
 * without touching the flow's watermark.  Full runs stay the catch-up
 * path: whatever an event could not post they find as changed.
 *
 * Taken now: Procore "Direct Costs" and "Direct Cost Line Items" (the line's
 * holder is looked up first) in the costs flow's per-document mode, and
 * "Payment Applications" (one show of the owner invoice, posted by
 * costs_post_payapp() as the flow posts each, in either mode, unless
 * costs.payment_applications is false), and "Cost Codes" (the code
 * aligned by the cost-codes flow's own unit: flows/cost_codes_one.h; it
 * does not use the cache below).  NetSuite pushes: a value of the
 * cost-code segment (that code aligned, flows/cost_codes_one.h
 * cost_codes_one_netsuite) and a vendor (settled with its Procore twin
 * by the vendors flow's own code, flows/vendors_one.h).  Other resources
 * and record types (purchase orders, vendor bills) wake their flow.
 */
struct flow_event {
	const char *resource; /* Procore resource name (resource_name / resource_type),
			       * or for a NetSuite push its record type */
	int64_t project_id;
	int64_t resource_id;
	bool netsuite; /* a NetSuite push: resource a record type, resource_id its id */
};

/* Whether events of resource are posted one by one (the others wake
 * their flow). */
bool flow_event_takes(const char *resource);
/* The same for a NetSuite push of record_type: a value of a custom
 * segment ("customrecord_cseg..."), and a vendor. */
bool flow_event_takes_netsuite(const char *record_type);

/*
 * What the event threads share for one tenant between events: the costs
 * flow's settings, segment, reference data and periods (a snapshot),
 * loaded by the first event and reloaded after FLOW_EVENT_CACHE_MS, or at
 * once when the tenant's settings differ from those it was loaded under.
 * Events take a reference to the current snapshot (read only while they
 * post) and bind a copy of it to their own run, so events of one tenant
 * run in parallel and a reload never frees what one still reads.  Holds
 * no session.  Whatever a stale view would get wrong becomes a failure,
 * never a park (struct costs, member event), so the full run places it.
 * Set up with flow_event_cache_init(), released with
 * flow_event_cache_release() when no event uses it.
 */
struct flow_event_snapshot;
struct flow_event_cache {
	pthread_mutex_t lock;
	struct flow_event_snapshot *cur; /* NULL until the first load */
};
#define FLOW_EVENT_CACHE_MS (5 * 60 * 1000)
void flow_event_cache_init(struct flow_event_cache *c);
void flow_event_cache_release(struct flow_event_cache *c);
/* Makes the next event reload (after a failure the view may be stale). */
void flow_event_cache_expire(struct flow_event_cache *c);

/*
 * Posts the record ev names, in a run of its own (trigger "event": a run
 * row and audit rows as a flow's).  *handled is false when this path does
 * not take the event for the tenant's settings (costs.mode daily for a
 * direct cost, costs.payment_applications false for an owner invoice), or
 * the named project does not list the record (a line or document gone, a
 * wrong project), or for a NetSuite push what cost_codes_one_netsuite()
 * and vendors_one() leave to the flow: the caller wakes the flow instead.  Returns
 * < 0 (err) when the record was not placed (a read or write failed, or a
 * closed period met): the caller leaves the event to the catch-up run.
 */
int flow_event_run(struct mlc_session *s, struct flow_event_cache *cache,
		   const struct flow_event *ev, bool *handled,
		   struct mlc_error *err) MLC_MUST_CHECK;

#endif
