#ifndef MLC_REQ_PLAN_H
#define MLC_REQ_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netsuite/ns_bills.h"
#include "procore/pc_requisitions.h"
#include "util/digest.h"

/*
 * The plan of one NetSuite vendor bill made from a purchase order: the
 * Procore requisition on the PO's commitment, its contract items (work
 * completed this period per commitment line, to the cent, and retainage
 * at the commitment's retainage_percent), or a park with what a person
 * must do.  req_plan_make() does no I/O: the id_map and the reference data
 * come through the lookups (the flow's caches, or tables in the tests).
 *
 * A requisition carrying an origin_id is immutable in Procore
 * (docs/reference/procore/webhook-payloads.md section 6 item 2), so the
 * flow completes it first and marks it last.  id_map holds "pending" as
 * the hash of a requisition created but not yet marked.
 */
#define REQ_PENDING "pending"

struct req_lookup {
	void *arg;
	/* The Procore commitment of a NetSuite PO; false when not synced. */
	bool (*contract)(void *arg, int64_t po, int64_t *contract);
	/* The Procore project linked to a NetSuite job; 0 when none. */
	int64_t (*project)(void *arg, int64_t job);
	/* The Procore commitment line of PO line po:line; 0 when not synced. */
	int64_t (*poline)(void *arg, int64_t po, int64_t line);
	/* The commitment's retainage_percent x 10^4; < 0 when it cannot be read. */
	int (*retainage)(void *arg, int64_t project, int64_t contract, int64_t *pct4);
	/* The requisition synced for a bill: false when none; else its id and hash. */
	bool (*synced)(void *arg, int64_t bill, int64_t *req_id, char hash[MLC_DIGEST_HEX]);
};

enum req_decision {
	REQ_IGNORE, /* no line made from a purchase order */
	REQ_PARK,   /* why says what a person must do */
	REQ_FAIL,   /* why: a read failed; the run fails, the watermark stays */
	REQ_SKIP,   /* synced, unchanged */
	REQ_WRITE,  /* req_id 0: create (after a look-up by marker); else finish an unmarked one */
};

/* One contract item to write: a commitment line and its amounts, cents. */
struct req_line {
	int64_t line_item_id;
	int64_t amount, retainage;
};

/* Text members point into the plan and the bill: keep both alive. */
struct req_plan {
	enum req_decision decision;
	int64_t bill_id, po_id, contract_id, project_id, req_id;
	char src[48]; /* ns:bill:<id>: the marker, then the origin_id */
	char why[200];
	bool waits;              /* REQ_PARK on the purchase-orders flow (commitment or line not in
				  * Procore yet): project_id is then the bill's job's project, if linked */
	char start[11], end[11]; /* the month of the bill date: a billing period to open */
	const char *date;        /* the bill date */
	const char *status;      /* after marking: "approved" | "under_review" */
	struct req_line *lines;  /* owned */
	size_t nlines;
	int64_t total, retainage_total;
	struct pc_requisition body;
	char hash[MLC_DIGEST_HEX]; /* of the header, the lines and the status */
};

/* First and last day of the month of a YYYY-MM-DD date (1970-01 when unreadable). */
void req_month_bounds(const char *date, char start[11], char end[11]);
/* Retainage of amount at pct4 (percent x 10^4), half up to the cent; < 0 on overflow. */
int req_retainage(int64_t amount, int64_t pct4, int64_t *out);
void req_plan_make(const struct ns_bill *b, const struct req_lookup *lk, struct req_plan *p);
void req_plan_release(struct req_plan *p);

/*
 * Where a requisition dated date goes among a project's billing periods:
 * REQ_PERIOD_USE (*idx: the open period covering it), REQ_PERIOD_OPEN (none
 * covers it and none is open: open the month's), REQ_PERIOD_PARK (why: a
 * closed period covers it, or another period is open).
 */
enum req_period { REQ_PERIOD_USE, REQ_PERIOD_OPEN, REQ_PERIOD_PARK };
enum req_period req_period_pick(const struct pc_billing_period *periods, size_t n, const char *date,
				size_t *idx, char *why, size_t whylen);

#endif
