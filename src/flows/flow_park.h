#ifndef MLC_FLOW_PARK_H
#define MLC_FLOW_PARK_H

#include <stdbool.h>

#include <jansson.h>

#include "core/review.h"

#include "flows/flow.h"

/*
 * flow_park() (flows/flow.h) for a record a person must choose a match
 * for: the review item carries the candidates as well as the payload, and
 * the FLOW_PARK plan row shows the candidates as its detail.  The rule is
 * flow_park()'s: nothing is stored in a dry run or without a source_ref;
 * when the review item cannot be stored the record is recorded as
 * FLOW_FAIL (so flow_advance() keeps the watermark before it) and the
 * store's code is returned (< 0).  candidates and payload (either may be
 * NULL) are not taken.
 */
int flow_park_candidates(struct flow_run *r, const char *entity, const char *source_ref,
			 const char *why, const json_t *candidates, const json_t *payload);

/*
 * Decisions (core/review.h: a person's answer to a review item, given with
 * `review resolve`) as the flows meet them.
 *
 * flow_decision() looks up the decision on (review entity, source_ref):
 * 0 and *d filled (release with review_decision_release()), or
 * MLC_ENOTFOUND (also on a store error, which is logged: the record is
 * then parked as before).  A flow that acts on a decision (link, create,
 * post-in, map, take) calls flow_decision_applied() after the write
 * landed (nothing in a dry run).
 *
 * flow_park_decided() is the frame's check before every park
 * (flow_park_as(), flow_park_candidates()): a decision to ignore or drop
 * the record makes the park a FLOW_SKIP, marks the decision applied and
 * returns true; any other decision is marked superseded (the record is
 * parked again for a reason the decision did not cover, and the item
 * reopens) and false is returned.
 *
 * flow_decisions_waiting() is true when decisions on the flow's items
 * wait to be applied: flow_since() then reads the whole source (as
 * --full), because the parked records are older than the watermark.
 */
int flow_decision(struct flow_run *r, const char *entity, const char *source_ref,
		  struct review_decision *d);
void flow_decision_applied(struct flow_run *r, const char *entity, const char *source_ref);
bool flow_park_decided(struct flow_run *r, const char *review_entity, const char *entity,
		       const char *source_ref, const char *target_ref);
bool flow_decisions_waiting(struct flow_run *r);

#endif
