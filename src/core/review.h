#ifndef MLC_REVIEW_H
#define MLC_REVIEW_H

#include <stdint.h>

#include <jansson.h>

#include "core/store.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The review list: records a flow parked because moving them needs a
 * person (an ambiguous vendor match with its candidates, a cost code with
 * no mapping, an edit to a closed period under the `hold` policy).  One
 * open item per tenant, entity and source record; parking again updates
 * the reason.  A later successful sync of the record resolves it, and so
 * does a person's decision (review_decide), which the flow then applies.
 */
int review_park(struct mlc_store *s, int64_t tenant_id, const char *flow, const char *entity,
		const char *source_ref, const char *reason, const json_t *candidates,
		const json_t *payload, struct mlc_error *err) MLC_MUST_CHECK;
/* Marks the item resolved (no error if there is none). */
int review_resolve(struct mlc_store *s, int64_t tenant_id, const char *entity,
		   const char *source_ref, struct mlc_error *err) MLC_MUST_CHECK;
/* Items in a state ("open", "resolved", NULL: all), newest first, as JSON:
 * [{id, flow, entity, source_ref, reason, state, updated_at, candidates?,
 * payload?, decision?}] (decision as review_decision_json gives it). */
int review_list(struct mlc_store *s, int64_t tenant_id, const char *state, json_t **items,
		struct mlc_error *err) MLC_MUST_CHECK;
/* The items a successful sync must close: {"<entity> <source_ref>": true}
 * for every open item and every item whose decision is pending.  Caller
 * decrefs *refs. */
int review_open_refs(struct mlc_store *s, int64_t tenant_id, json_t **refs,
		     struct mlc_error *err) MLC_MUST_CHECK;
/* One item by id, shaped as review_list's, MLC_ENOTFOUND when the tenant
 * has no such item.  Caller decrefs *item. */
int review_get(struct mlc_store *s, int64_t tenant_id, int64_t id, json_t **item,
	       struct mlc_error *err) MLC_MUST_CHECK;

/*
 * A person's decision on an item.  action is one word (link, create,
 * ignore, post-in, drop, map, take); arg its argument or NULL.  Stored
 * per tenant, entity and source record, 'pending' until the flow that
 * parked the record applies it ('applied'), then kept: a flow that meets
 * the record again consults it instead of parking.  Strings are owned.
 */
struct review_decision {
	int64_t id, review_id;
	char *flow, *entity, *source_ref, *action, *arg, *by, *why, *state;
	int64_t created_at, applied_at;
};
void review_decision_release(struct review_decision *d);

/*
 * Stores the decision on item (a review_get result: id, flow, entity,
 * source_ref), replacing an earlier one, marks the item resolved and
 * writes an audit row (action "resolve", payload {action, arg, by, why})
 * in one transaction.  by and why must be non-empty.
 */
int review_decide(struct mlc_store *s, int64_t tenant_id, const json_t *item, const char *action,
		  const char *arg, const char *by, const char *why,
		  struct mlc_error *err) MLC_MUST_CHECK;
/* The decision on (entity, source_ref): 0 and *d filled (release it), or
 * MLC_ENOTFOUND with *d zeroed. */
int review_decision_get(struct mlc_store *s, int64_t tenant_id, const char *entity,
			const char *source_ref, struct review_decision *d,
			struct mlc_error *err) MLC_MUST_CHECK;
/* Moves a pending decision to state ("applied": the flow did what it
 * says; "superseded": the flow parked the record again for another
 * reason, so the item is open again).  No error if there is none or it is
 * not pending. */
int review_decision_mark(struct mlc_store *s, int64_t tenant_id, const char *entity,
			 const char *source_ref, const char *state,
			 struct mlc_error *err) MLC_MUST_CHECK;
/* How many decisions on a flow's items wait to be applied. */
int review_decisions_pending(struct mlc_store *s, int64_t tenant_id, const char *flow, int64_t *n,
			     struct mlc_error *err) MLC_MUST_CHECK;
/* A decision as JSON: {action, arg?, by, why, state, decided_at, applied_at?}. */
json_t *review_decision_json(const struct review_decision *d);

#endif
