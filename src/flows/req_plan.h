#ifndef MLC_REQ_PLAN_H
#define MLC_REQ_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "netsuite/ns_bills.h"
#include "procore/pc_requisitions.h"
#include "util/digest.h"

/*
 * The plan of one NetSuite vendor bill made from a purchase order: the
 * Procore requisition on the PO's commitment (create, update, skip or
 * park).  req_plan_make() does no I/O: the id_map and the reference data
 * come through the lookups (the flow's caches, or tables in the tests).
 *
 * The requisition POST takes no line items, so the bill's line amounts by
 * cost code travel in origin_data as JSON with the total:
 * {"lines":[{"amount":"1.00","cost_code":"03-300"}],"total":"1.00"}.
 */
struct req_lookup {
	void *arg;
	/* The Procore commitment of a NetSuite PO; false when not synced. */
	bool (*contract)(void *arg, int64_t po, int64_t *contract);
	/* The Procore project linked to a NetSuite job; 0 when none. */
	int64_t (*project)(void *arg, int64_t job);
	/* The cost code text of a segment value; NULL when unknown. */
	const char *(*seg_code)(void *arg, int64_t seg);
	/* The requisition synced for a bill: false when none; else its id and hash. */
	bool (*synced)(void *arg, int64_t bill, int64_t *req_id, char hash[MLC_DIGEST_HEX]);
};

enum req_decision {
	REQ_IGNORE, /* no line made from a purchase order */
	REQ_PARK,   /* why says what a person must fix */
	REQ_SKIP,   /* synced, unchanged */
	REQ_WRITE,  /* req_id 0: create (after a look-up by origin_id); else update */
};

/* body's text members point into the plan and the bill: keep both alive. */
struct req_plan {
	enum req_decision decision;
	int64_t bill_id, po_id, contract_id, project_id, req_id;
	char src[48]; /* ns:bill:<id> */
	char why[160];
	char start[11], end[11]; /* the month of the bill date */
	char *origin_data;       /* owned */
	struct pc_requisition body;
	char hash[MLC_DIGEST_HEX]; /* of pc_requisition_json(&body) */
};

/* First and last day of the month of a YYYY-MM-DD date (1970-01 when unreadable). */
void req_month_bounds(const char *date, char start[11], char end[11]);
void req_plan_make(const struct ns_bill *b, const struct req_lookup *lk, struct req_plan *p);
void req_plan_release(struct req_plan *p);

#endif
