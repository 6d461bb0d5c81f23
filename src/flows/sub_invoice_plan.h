#ifndef MLC_SUB_INVOICE_PLAN_H
#define MLC_SUB_INVOICE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/canon_period.h"
#include "util/digest.h"

/*
 * The plan of one approved Procore requisition (subcontractor invoice)
 * becoming a NetSuite vendor bill against its commitment's purchase order
 * (flow "sub-invoices", direction procore).  sub_invoice_plan_make() does
 * no I/O: the flow resolves the id_map, the mappings and NetSuite's
 * accounting periods and hands them in; the tests hand in tables.
 *
 * The bill: one expense line per contract item with work completed this
 * period (the cost code's expense account, the amount to the cent), and
 * the retention held on its own line: the retainage payable account
 * credited with the items' retainage (a negative expense line), so the
 * bill's total is what is payable now.  Its externalId is
 * pc:<company>:requisition:<id>.
 *
 * Periods follow the costs flow's closed-period rules
 * (flows/flow_costs.c): a bill never posted whose date falls in a closed
 * period is dated the first open period's start under policy `adjust` and
 * parked under `hold`; a posted bill whose requisition changed is upserted
 * again while its period is open, and parked with the way out (a vendor
 * credit, or reopening the period) once it is closed.  No adjustment bill
 * is made: a vendor bill is one document per invoice.
 *
 * The posted state is the id_map row's hash: "<YYYY-MM-DD>:<digest>", the
 * bill's date and the digest of what it carries.
 */
struct sub_item {
	int64_t id;         /* the contract item */
	char cost_code[64]; /* "03-300" */
	int64_t account;    /* the cost code's expense account; 0: not resolved */
	int64_t amount;     /* work_completed_this_period, cents */
	int64_t retainage;  /* work_completed_retainage_retained_this_period, cents */
};

struct sub_invoice_in {
	int64_t company_id, req_id;
	int64_t po_id;     /* the commitment's NetSuite PO; 0: not from NetSuite */
	int64_t vendor_id; /* the PO's vendor; 0: unknown */
	const char *date;  /* the requisition's billing date, YYYY-MM-DD */
	const struct sub_item *items;
	size_t nitems;
	const char *unmapped;      /* non-NULL: why an item's account could not be found */
	int64_t retainage_account; /* 0: none mapped (parks only when retention is held) */
	const char *posted;        /* the id_map hash, NULL or "" when never posted */
	const struct canon_period *periods;
	size_t nperiods;
	bool hold; /* closed-period policy hold (else adjust) */
};

enum sub_decision {
	SUB_IGNORE, /* nothing billed and never posted */
	SUB_SKIP,   /* the posted bill carries what the requisition says */
	SUB_PARK,   /* why says why and what to do */
	SUB_WRITE,  /* upsert the bill: create (never posted) or update */
};

struct sub_line {
	int64_t account;
	int64_t amount;  /* cents; negative on the retention line */
	int64_t item_id; /* 0 on the retention line */
	bool retention;
	char cost_code[64];
};

struct sub_invoice_plan {
	enum sub_decision decision;
	bool create;                    /* SUB_WRITE: never posted */
	char eid[96];                   /* pc:<company>:requisition:<id> */
	char date[11];                  /* the bill's tranDate */
	char hash[11 + MLC_DIGEST_HEX]; /* what id_map stores once written */
	char why[512];
	int64_t total; /* payable now: work less retention */
	struct sub_line *lines;
	size_t nlines;
};

/* Decides; out is overwritten.  Release with sub_invoice_plan_release(). */
void sub_invoice_plan_make(const struct sub_invoice_in *in, struct sub_invoice_plan *out);
void sub_invoice_plan_release(struct sub_invoice_plan *p);

#endif
