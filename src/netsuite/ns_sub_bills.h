#ifndef MLC_NS_SUB_BILLS_H
#define MLC_NS_SUB_BILLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "netsuite/netsuite.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Vendor bills the connector writes for approved Procore requisitions
 * (flow "sub-invoices"): the bill against a purchase order, written with
 * expense lines (docs/reference/netsuite/records.json, vendorBill and
 * vendorBill-expenseElement: account, amount, memo, customer, department,
 * class, location, orderDoc), upserted by externalId so a retry or a lost
 * answer cannot make a second bill.  Text members are borrowed for the call.
 */
struct ns_sub_bill_line {
	int64_t account;
	int64_t amount; /* cents; negative on the retention line */
	int64_t customer, department, class_id, location; /* 0: none */
	const char *memo;
};

struct ns_sub_bill {
	const char *external_id, *tran_date, *tran_id, *memo;
	int64_t vendor, po; /* po: each line's orderDoc */
	const struct ns_sub_bill_line *lines;
	size_t nlines;
};

/* The REST body of a bill (caller decrefs). */
json_t *ns_sub_bill_json(const struct ns_sub_bill *b);
/* The vendor (entity) of purchase order po_id; *vendor 0 when it names none. */
int netsuite_po_vendor(struct mlc_netsuite *ns, int64_t po_id, int64_t *vendor,
		       struct mlc_error *err) MLC_MUST_CHECK;
/*
 * PUT /record/v1/vendorBill/eid:<external_id>.  *id (may be NULL) the
 * bill's internal id when NetSuite gives it; *closed_period whether the
 * refusal was a closed or locked period.
 */
int netsuite_sub_bill_upsert(struct mlc_netsuite *ns, const struct ns_sub_bill *b, int64_t *id,
			     bool *closed_period, struct mlc_error *err) MLC_MUST_CHECK;

#endif
