#ifndef MLC_COST_PLAN_H
#define MLC_COST_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/canon_period.h"
#include "flows/flow.h"

/*
 * The costs flow's decision for one unit (a direct cost, a payment
 * application, or a project-day in daily mode), as a pure function: no
 * store, no network, no clock.  Its input is what Procore says now (the
 * unit's ledger rows as they should be, or the mapping failure that
 * stops them), what the posting ledger says was posted (core/postings.h),
 * NetSuite's accounting periods and the closed-period policy.  The rules
 * are the ones flows/flow_costs.c states at its top.
 */

/* One ledger row: the amount a Procore line posts to one account. */
struct cost_row {
	char source_ref[64]; /* "pc:<company>:dcline:<line id>" */
	char doc_type[48];
	char cost_code[96];
	char cost_type[48]; /* "" when none */
	int64_t project_id, doc_id, account, amount;
	char je[200];   /* posted rows: the entry's external id */
	char period[8]; /* posted rows: "YYYY-MM" */
};

struct cost_rows {
	struct cost_row *v;
	size_t n, cap;
};

void cost_rows_add(struct cost_rows *rs, const struct cost_row *r);
void cost_rows_release(struct cost_rows *rs);

enum cost_plan_kind {
	COST_NOTHING, /* not approved and never posted: no unit at all */
	COST_SKIP,    /* the ledger already says what Procore says */
	COST_PARK,    /* why says why */
	COST_FIRST,   /* post the entry whole, dated date */
	COST_REWRITE, /* re-upsert the entry whole (period open, never adjusted) */
	COST_ADJUST,  /* an adjustment entry eid carrying rows (the difference) */
};

struct cost_unit_in {
	const char *eid;                /* the unit's entry external id */
	const char *date;               /* the unit's date, YYYY-MM-DD */
	const char *unmapped;           /* non-NULL: why want could not be made (parks) */
	const struct cost_rows *want;   /* what Procore says now */
	const struct cost_rows *posted; /* what the ledger says (postings_for_doc) */
	const struct canon_period *periods;
	size_t nperiods;
	bool hold;      /* closed-period policy hold (else adjust) */
	int64_t doc_id; /* the unit's one document, 0 for a day of many */
};

struct cost_plan {
	enum cost_plan_kind kind;
	enum flow_action action; /* FIRST: create; REWRITE: update; ADJUST: update or delete */
	char eid[200];           /* the entry to write */
	char date[11];
	char memo[300];        /* adjustments: "Adjustment of <eid>..." */
	char why[512];         /* PARK (an error message fits whole) */
	int64_t doc_id;        /* ADJUST: the document its lines name */
	struct cost_rows rows; /* the ledger rows the entry writes (want, or the difference) */
};

/* Decides; out is overwritten.  Release with cost_plan_release(). */
void cost_plan_unit(const struct cost_unit_in *in, struct cost_plan *out);
void cost_plan_release(struct cost_plan *p);

/* want - posted by (line, cost code, type, doc type); only non-zero rows,
 * in first-seen order, each from the first row with its key.  The amounts
 * come from Procore and the ledger: MLC_ERANGE and out empty when a sum
 * does not fit in an int64; else MLC_OK.  cost_plan_unit() parks such a
 * unit, naming the amount. */
int cost_rows_delta(const struct cost_rows *want, const struct cost_rows *posted,
		    struct cost_rows *out);

/* An owner invoice's contract items against its header: true when the
 * lines' amounts sum to header; else false and why says by how much
 * ("lines sum to 1000.00 but the invoice says 1000.01: difference -0.01"),
 * also when the sum overflows. */
bool cost_lines_tie(const int64_t *amounts, size_t n, int64_t header, char *why, size_t whylen);

/* The period holding date, or NULL. */
const struct canon_period *cost_period_of(const struct canon_period *p, size_t n, const char *date);

#endif
