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
 * the reason.  A later successful sync of the record resolves it.
 */
int review_park(struct mlc_store *s, int64_t tenant_id, const char *flow, const char *entity,
		const char *source_ref, const char *reason, const json_t *candidates,
		const json_t *payload, struct mlc_error *err) MLC_MUST_CHECK;
/* Marks the item resolved (no error if there is none). */
int review_resolve(struct mlc_store *s, int64_t tenant_id, const char *entity,
		   const char *source_ref, struct mlc_error *err) MLC_MUST_CHECK;
/* Items in a state ("open", "resolved", NULL: all), newest first, as JSON. */
int review_list(struct mlc_store *s, int64_t tenant_id, const char *state, json_t **items,
		struct mlc_error *err) MLC_MUST_CHECK;

#endif
