#ifndef MLC_NS_PURCHASING_H
#define MLC_NS_PURCHASING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "netsuite/netsuite.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * NetSuite purchase orders as typed records: the adapter owns the SuiteQL
 * that reads them (transaction type 'PurchOrd' and its non-main lines) and
 * turns each row into the structs below.  Flows see no SuiteQL and no
 * row JSON.  Text members are owned by the record (malloc'd) or NULL;
 * ns_purchase_orders_free() frees a whole array.
 */

/* One line of a purchase order (transactionline, mainline 'F'). */
struct ns_po_line {
	int64_t id;
	bool bad_ids;            /* an id column (line, item, account, segment) was malformed */
	int64_t job;             /* entity: the NetSuite job; 0 when absent or malformed */
	int64_t cost_seg;        /* the cost-code segment's value id; 0 when none */
	int64_t expense_account; /* 0 when none */
	int64_t item;            /* 0 when none */
	bool has_amount, has_qty, has_rate;
	int64_t amount;    /* netamount, cents (exact) */
	int64_t qty, rate; /* quantity and rate, 4 decimals (half-even) */
	char *memo;
	char *defect; /* why a decimal could not be read ("netamount: ..."), or NULL */
};

/* One purchase order header and its lines (in line id order). */
struct ns_po {
	int64_t id;        /* 0 when the row's id is missing or malformed */
	int64_t vendor_id; /* entity; 0 when absent or malformed */
	char *tranid, *trandate, *status, *memo;
	char *lastmodified; /* "YYYY-MM-DD HH:MM:SS" */
	struct ns_po_line *lines;
	size_t nlines;
};

/*
 * Reads the purchase order headers modified at or after since ("YYYY-MM-DD
 * HH:MM:SS"; NULL: all), by keyset paging in id order.  *pos (caller
 * frees with ns_purchase_orders_free()) has *n records, lines not read.
 */
int netsuite_purchase_orders_since(struct mlc_netsuite *ns, const char *since, struct ns_po **pos,
				   size_t *n, struct mlc_error *err) MLC_MUST_CHECK;
/*
 * The same headers a keyset page (up to SUITEQL_MAX_LIMIT) at a time, so
 * that a flow holds one page, not the whole set: fn(arg, pos, n, err) gets
 * each page's records (lines not read; fn may read them into pos), which
 * are freed when fn returns.  fn returns < 0 (err set) to stop; that is
 * the return value then.
 */
int netsuite_purchase_orders_pages(struct mlc_netsuite *ns, const char *since,
				   int (*fn)(void *arg, struct ns_po *pos, size_t n,
					     struct mlc_error *err),
				   void *arg, struct mlc_error *err) MLC_MUST_CHECK;
/*
 * Reads the lines of the n purchase orders (a hundred per query, the
 * queries at once), with seg_field the column of the cost-code segment.
 */
int netsuite_purchase_order_lines(struct mlc_netsuite *ns, const char *seg_field, struct ns_po *pos,
				  size_t n, struct mlc_error *err) MLC_MUST_CHECK;
/* The header as a JSON object, for a review item's payload.  Caller decrefs. */
json_t *ns_purchase_order_json(const struct ns_po *po);
void ns_purchase_orders_free(struct ns_po *pos, size_t n);

#endif
