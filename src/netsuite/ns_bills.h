#ifndef MLC_NS_BILLS_H
#define MLC_NS_BILLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "netsuite/netsuite.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * NetSuite vendor bills made from a purchase order, as typed records: the
 * adapter owns the SuiteQL (type 'VendBill' with a line whose createdfrom
 * is set) and the row parsing.  Text members are owned or NULL;
 * ns_bills_free() frees a whole array.
 */

struct ns_bill_line {
	int64_t line; /* the line's id: the PO line it was made from (the transform keeps it) */
	int64_t job;  /* entity; 0 when absent or malformed */
	int64_t created_from; /* the purchase order; 0 when absent or malformed */
	int64_t cost_seg;     /* the cost-code segment's value; 0 when none or not read */
	bool amount_ok;       /* false: netamount could not be read */
	int64_t amount;       /* netamount, cents (0 when absent) */
};

struct ns_bill {
	int64_t id; /* 0 when missing or malformed */
	char *tranid, *trandate, *memo, *status;
	int64_t vendor_id;  /* entity */
	int64_t approval;   /* approvalstatus (2 = Approved); 0 when absent or malformed */
	char *lastmodified; /* "YYYY-MM-DD HH:MM:SS" */
	struct ns_bill_line *lines;
	size_t nlines;
};

/*
 * The bills made from a purchase order modified at or after since
 * ("YYYY-MM-DD HH:MM:SS"; NULL: all), by keyset paging in id order; lines
 * not read.  Caller frees *bills with ns_bills_free().
 */
int netsuite_po_bills_since(struct mlc_netsuite *ns, const char *since, struct ns_bill **bills,
			    size_t *n, struct mlc_error *err) MLC_MUST_CHECK;
/* Reads the lines of the n bills; seg_field (may be NULL) the cost-code segment's column. */
int netsuite_po_bill_lines(struct mlc_netsuite *ns, const char *seg_field, struct ns_bill *bills,
			   size_t n, struct mlc_error *err) MLC_MUST_CHECK;
/* The header as a JSON object, for a review item's payload.  Caller decrefs. */
json_t *ns_bill_json(const struct ns_bill *b);
void ns_bills_free(struct ns_bill *bills, size_t n);

#endif
