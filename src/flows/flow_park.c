/*
 * Parking with candidates (flows/flow_park.h).
 */
#include "core/review.h"
#include "flows/flow_park.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/banned.h"

int flow_park_candidates(struct flow_run *r, const char *entity, const char *source_ref,
			 const char *why, const json_t *candidates, const json_t *payload)
{
	struct mlc_error err = {0};
	struct mlc_buf reason = MLC_BUF_INIT;
	int rc = MLC_OK;

	if (!r->opts.dry_run && source_ref)
		rc = review_park(r->s->store, r->s->tenant.id, r->flow, entity, source_ref, why,
				 candidates, payload, &err);
	if (rc < 0) {
		/* not parked, not written: a failure, so the watermark stays before it */
		log_error("review park failed", "flow", r->flow, "error", err.msg);
		buf_addf(&reason, "%s (could not be parked: %s)", why ? why : "", err.msg);
		flow_record(r, FLOW_FAIL, entity, source_ref, NULL, candidates, reason.data);
		buf_release(&reason);
		return rc;
	}
	flow_record(r, FLOW_PARK, entity, source_ref, NULL, candidates, why);
	return MLC_OK;
}
