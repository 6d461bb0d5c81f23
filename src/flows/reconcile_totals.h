#ifndef MLC_RECONCILE_TOTALS_H
#define MLC_RECONCILE_TOTALS_H

#include <stddef.h>
#include <stdint.h>

/*
 * The sums reconcile compares (flows/reconcile.h): cents per project x
 * code (a cost code, or a GL account as text) x period ("YYYY-MM", or ""
 * when every period counts together).  Totals stay in the order first
 * added, which is the order of the report's rows; a sorted index finds
 * one in O(log n).  Start from { 0 }; release with rec_totals_release().
 */
struct rec_total {
	int64_t project;
	char *code;     /* owned; "" for none */
	char period[8]; /* "YYYY-MM" or "" */
	int64_t cents;
};

struct rec_totals {
	struct rec_total *v; /* in the order first added */
	size_t *by_key;      /* indexes into v, sorted by (project, code, period) */
	size_t n, cap;
};

/* Adds cents to the total of (project, code, period), made at 0 when new.
 * code and period may be NULL (""); a period is cut to "YYYY-MM".  The
 * amounts come from NetSuite and Procore: MLC_ERANGE, the total left as
 * it was, when the sum would not fit in an int64; else MLC_OK. */
int rec_totals_add(struct rec_totals *t, int64_t project, const char *code, const char *period,
		   int64_t cents);
/* The total of (project, code, period), or NULL.  Valid until the next add. */
const struct rec_total *rec_totals_get(const struct rec_totals *t, int64_t project,
				       const char *code, const char *period);
/* Its cents, 0 when there is none. */
int64_t rec_totals_cents(const struct rec_totals *t, int64_t project, const char *code,
			 const char *period);
void rec_totals_release(struct rec_totals *t);

#endif
