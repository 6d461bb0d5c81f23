#ifndef MLC_PC_REQUISITIONS_H
#define MLC_PC_REQUISITIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "procore/procore.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Procore requisitions (subcontractor invoices) on a commitment, their
 * contract items and the project's billing periods
 * (docs/reference/procore.md "More endpoints (second set)";
 * procore/webhook-payloads.md section 6 items 2-4).  No sync endpoint:
 * idempotency is by origin_id once the requisition is complete, and by
 * origin_data (the flow's marker) before.  Text members are borrowed for
 * the call.
 */
struct pc_requisition {
	int64_t period_id;
	const char *invoice_number;
	const char *billing_date; /* YYYY-MM-DD */
	const char *origin_data; /* the marker of an unfinished requisition: its future origin_id */
};

/* A billing period (RestV10ProjectsProjectIdBillingPeriodsGet.json). */
struct pc_billing_period {
	int64_t id;
	char start[11], end[11];
	bool open;
};

/* A contract item (RestV10RequisitionsRequisitionIdContractItemsGet.json), amounts in cents. */
struct pc_req_item {
	int64_t id, line_item_id;
	int64_t this_period,
	    retainage; /* work_completed_this_period, ..._retainage_retained_this_period */
};

/* The requisition header body (caller decrefs). */
json_t *pc_requisition_json(const struct pc_requisition *q);

/* The project's billing periods; caller frees *periods. */
int procore_billing_periods(struct mlc_procore *pc, int64_t project_id,
			    struct pc_billing_period **periods, size_t *n,
			    struct mlc_error *err) MLC_MUST_CHECK;
/*
 * Creates an open billing period start..end (due on end).  A create
 * without an answer, or refused because the range is taken (an earlier
 * attempt landed), is looked up by its start date, so a retry cannot make
 * a second one.
 */
int procore_billing_period_open(struct mlc_procore *pc, int64_t project_id, const char *start,
				const char *end, int64_t *id, struct mlc_error *err) MLC_MUST_CHECK;
/*
 * The requisition of commitment contract carrying origin as origin_id
 * (complete) or, without one, as origin_data (unfinished); *id 0 when
 * none, *complete whether origin_id is set.
 */
int procore_requisition_find(struct mlc_procore *pc, int64_t project_id, int64_t contract,
			     const char *origin, int64_t *id, bool *complete,
			     struct mlc_error *err) MLC_MUST_CHECK;
/* A requisition as a project's list shows it. */
struct pc_req_head {
	int64_t id, commitment_id;
	char marker[64]; /* origin_id, else origin_data; "" when neither (made in Procore) */
};

/* Every requisition of a project (all pages); caller frees *reqs. */
int procore_requisitions(struct mlc_procore *pc, int64_t project_id, struct pc_req_head **reqs,
			 size_t *n, struct mlc_error *err) MLC_MUST_CHECK;
/*
 * POSTs a requisition header (no origin_id, so it stays editable) on
 * commitment contract; *id the new one.  A create without an answer is
 * looked up by origin_data at once, so a retry cannot make a second one.
 * A refusal (4xx) is MLC_EPERM with Procore's message.
 */
int procore_requisition_create(struct mlc_procore *pc, int64_t project_id, int64_t contract,
			       const struct pc_requisition *q, int64_t *id,
			       struct mlc_error *err) MLC_MUST_CHECK;
/* The contract items of a requisition; caller frees *items. */
int procore_requisition_items(struct mlc_procore *pc, int64_t project_id, int64_t req_id,
			      struct pc_req_item **items, size_t *n,
			      struct mlc_error *err) MLC_MUST_CHECK;
/* Writes the amounts of n contract items in one bulk_item_update (absolute values: a replay is
 * harmless). */
int procore_requisition_items_write(struct mlc_procore *pc, int64_t project_id, int64_t req_id,
				    const struct pc_req_item *items, size_t n,
				    struct mlc_error *err) MLC_MUST_CHECK;
/*
 * Marks a complete requisition with its origin_id and status; from then
 * on Procore refuses every change to it.  An answer lost is checked by
 * reading the requisition back.
 */
int procore_requisition_mark(struct mlc_procore *pc, int64_t project_id, int64_t contract,
			     int64_t req_id, const char *origin, const char *status,
			     struct mlc_error *err) MLC_MUST_CHECK;
/* The commitment's retainage_percent as percent x 10^4 (0 when unset); PO or WO. */
int procore_commitment_retainage(struct mlc_procore *pc, int64_t project_id, int64_t contract,
				 int64_t *pct4, struct mlc_error *err) MLC_MUST_CHECK;

/*
 * Approved requisitions as the sub-invoices flow reads them (direction
 * procore): the header and its contract items with their cost codes.
 * Text members are owned; pc_sub_invoices_free() frees a whole array.
 */
struct pc_sub_item {
	int64_t id, line_item_id, cost_code_id;
	int64_t amount, retainage; /* cents: ..._this_period, ..._retainage_retained_this_period */
};

struct pc_sub_invoice {
	int64_t id, commitment_id, vendor_id;
	char *invoice_number, *billing_date, *updated_at; /* "" when absent */
	struct pc_sub_item *items;
	size_t nitems;
};

/*
 * The project's approved requisitions changed in since (Procore's
 * filters[updated_at] range, "" for all), with their contract items (one
 * read per requisition).  Caller frees *out with pc_sub_invoices_free().
 */
int procore_requisitions_approved(struct mlc_procore *pc, int64_t project_id, const char *since,
				  struct pc_sub_invoice **out, size_t *n,
				  struct mlc_error *err) MLC_MUST_CHECK;
void pc_sub_invoices_free(struct pc_sub_invoice *v, size_t n);

#endif
