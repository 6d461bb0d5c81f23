/*
 * Parking with candidates (flows/flow_park.h).
 */
#include <string.h>

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

	if (flow_park_decided(r, entity, entity, source_ref, NULL))
		return MLC_OK;
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

int flow_decision(struct flow_run *r, const char *entity, const char *source_ref,
		  struct review_decision *d)
{
	struct mlc_error err = {0};
	int rc;

	memset(d, 0, sizeof(*d));
	if (!source_ref)
		return MLC_ENOTFOUND;
	rc = review_decision_get(r->s->store, r->s->tenant.id, entity, source_ref, d, &err);
	if (rc < 0 && rc != MLC_ENOTFOUND) {
		log_warn("review decision read failed", "flow", r->flow, "error", err.msg);
		rc = MLC_ENOTFOUND;
	}
	return rc;
}

static void mark(struct flow_run *r, const char *entity, const char *source_ref, const char *state)
{
	struct mlc_error err = {0};

	if (r->opts.dry_run)
		return;
	if (review_decision_mark(r->s->store, r->s->tenant.id, entity, source_ref, state, &err) < 0)
		log_warn("review decision update failed", "flow", r->flow, "error", err.msg);
}

void flow_decision_applied(struct flow_run *r, const char *entity, const char *source_ref)
{
	mark(r, entity, source_ref, "applied");
}

bool flow_park_decided(struct flow_run *r, const char *review_entity, const char *entity,
		       const char *source_ref, const char *target_ref)
{
	struct review_decision d;
	struct mlc_buf why = MLC_BUF_INIT;
	bool skip;

	if (flow_decision(r, review_entity, source_ref, &d) < 0)
		return false;
	skip = !strcmp(d.action, "ignore") || !strcmp(d.action, "drop");
	if (skip) {
		buf_addf(&why, "%s by %s: %s", d.action, d.by, d.why);
		flow_record(r, FLOW_SKIP, entity, source_ref, target_ref, NULL, why.data);
		buf_release(&why);
	}
	mark(r, review_entity, source_ref, skip ? "applied" : "superseded");
	review_decision_release(&d);
	return skip;
}

bool flow_decisions_waiting(struct flow_run *r)
{
	struct mlc_error err = {0};
	int64_t n = 0;

	if (review_decisions_pending(r->s->store, r->s->tenant.id, r->flow, &n, &err) < 0) {
		log_warn("review decisions read failed", "flow", r->flow, "error", err.msg);
		return false;
	}
	return n > 0;
}
