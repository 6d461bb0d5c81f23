#ifndef MLC_CANON_H
#define MLC_CANON_H

#include <stddef.h>
#include <stdint.h>

/*
 * Canonical records: what adapters produce from one API's JSON and flows
 * consume.  Money is int64 cents, ids int64, dates "YYYY-MM-DD" text.
 * Text members are owned (malloc'd) unless marked; canon_*_release()
 * frees them.
 */

/* One Procore cost line (direct cost line item, payment application line). */
struct canon_cost_line {
	int64_t id;
	int64_t cost_code_id;
	char *cost_code; /* full code, e.g. "03-300" */
	int64_t line_item_type_id;
	char *cost_type;   /* line item type code, e.g. "M"; may be NULL */
	int64_t amount;    /* cents; negative for credits */
	int64_t retainage; /* owner invoice lines: retainage held this period, cents */
	char *description;
};

/* A Procore direct cost (v1.0 item + line items) or payment application. */
struct canon_cost_doc {
	int64_t id;
	int64_t project_id;
	char *kind;     /* "direct_cost" | "payment_application" */
	char *doc_type; /* direct_cost_type: invoice, expense, payroll, subcontractor_invoice */
	char *status;
	char *date;   /* direct_cost_date / billing_date, YYYY-MM-DD */
	char *number; /* invoice_number */
	int64_t vendor_id;
	char *vendor_name;
	char *description;
	char *updated_at;  /* RFC 3339 */
	int64_t retainage; /* payment applications: withheld this period, cents */
	struct canon_cost_line *lines;
	size_t nlines;
};

void canon_cost_doc_release(struct canon_cost_doc *d);
/* Sum of the lines' amounts; MLC_ERANGE on overflow. */
int canon_cost_doc_total(const struct canon_cost_doc *d, int64_t *total);

#endif
