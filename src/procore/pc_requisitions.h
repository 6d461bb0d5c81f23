#ifndef MLC_PC_REQUISITIONS_H
#define MLC_PC_REQUISITIONS_H

#include <stdint.h>

#include <jansson.h>

#include "procore/procore.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Procore requisitions (subcontractor invoices) on a commitment
 * (docs/reference/procore.md): no sync endpoint, so idempotency is by
 * origin_id.  The adapter owns the paths and the bodies.  Text members are
 * borrowed for the call.
 */
struct pc_requisition {
	const char *origin_id;
	const char *invoice_number;
	const char *billing_date;
	const char *start, *end; /* requisition_start / requisition_end, YYYY-MM-DD */
	const char *origin_data; /* free text (the flow puts JSON there) */
	const char *status;      /* "approved" | "under_review" */
};

/* The requisition body (caller decrefs). */
json_t *pc_requisition_json(const struct pc_requisition *q);
/* Looks a requisition up by origin_id in a project; *id 0 when there is none. */
int procore_requisition_find(struct mlc_procore *pc, int64_t project_id, const char *origin,
			     int64_t *id, struct mlc_error *err) MLC_MUST_CHECK;
/* PATCHes requisition id.  A refusal (4xx) is MLC_EPERM with Procore's message. */
int procore_requisition_update(struct mlc_procore *pc, int64_t project_id, int64_t id,
			       const struct pc_requisition *q,
			       struct mlc_error *err) MLC_MUST_CHECK;
/*
 * POSTs a requisition on commitment contract; *id the new one (0 when the
 * answer had none).  A create sent without an answer, or refused because
 * its origin_id is taken (an earlier attempt did land), is looked up by
 * origin_id at once, so a retry cannot make a second requisition.
 */
int procore_requisition_create(struct mlc_procore *pc, int64_t project_id, int64_t contract,
			       const struct pc_requisition *q, int64_t *id,
			       struct mlc_error *err) MLC_MUST_CHECK;

#endif
