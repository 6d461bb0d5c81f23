#ifndef MLC_CANON_PERIOD_H
#define MLC_CANON_PERIOD_H

#include <stdbool.h>

/*
 * A canonical accounting period (the NetSuite adapter reads them,
 * netsuite/ns_costs.h; the costs flow plans with them, flows/cost_plan.h).
 * Dates are "YYYY-MM-DD", inclusive; open means neither closed nor locked
 * for all transactions.
 */
struct canon_period {
	char start[11], end[11];
	bool open;
	char name[32];
};

#endif
