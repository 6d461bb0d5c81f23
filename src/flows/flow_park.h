#ifndef MLC_FLOW_PARK_H
#define MLC_FLOW_PARK_H

#include <jansson.h>

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

#endif
