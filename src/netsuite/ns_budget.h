#ifndef MLC_NS_BUDGET_H
#define MLC_NS_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netsuite/netsuite.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * NetSuite budgets as typed records: the fiscal years, the budget lines
 * of one job and year, and the budgetImport write.  This file owns their
 * SuiteQL text and record bodies (docs/reference/netsuite.md).
 */

#define NS_BUDGET_PERIODS 12

/* A fiscal year (accountingperiod with isyear = 'T'). */
struct ns_fiscal_year {
	int64_t id;
	char name[64];  /* periodname, "FY 2026" */
	char start[16]; /* YYYY-MM-DD, "" when unknown */
	char end[16];
};

/* Every fiscal year, by start date.  Caller frees *v. */
int ns_fiscal_years(struct mlc_netsuite *ns, struct ns_fiscal_year **v, size_t *n,
		    struct mlc_error *err) MLC_MUST_CHECK;

/* One budget line.  A total that is not an amount leaves total_ok false
 * and the reason in why. */
struct ns_budget_line {
	int64_t id, account, segment, subsidiary, department, class_id, location, category;
	bool total_ok;
	int64_t total; /* cents */
	char why[160];
};

/*
 * The budget lines of a job (customer) and year, by id; seg_field the
 * cost-code segment's column, NULL when lines do not carry it (segment 0).
 * Rows without a readable id or dimension are left out.  Caller frees *v.
 */
int ns_budget_lines(struct mlc_netsuite *ns, const char *seg_field, int64_t customer, int64_t year,
		    struct ns_budget_line **v, size_t *n, struct mlc_error *err) MLC_MUST_CHECK;

/* The criteria of a budget line; 0 leaves an optional one out. */
struct ns_budget_criteria {
	int64_t account, year, customer;
	int64_t subsidiary, department, class_id, location, category;
	const char *seg_field; /* NULL: no segment */
	int64_t segment;
};

/*
 * Spreads cents evenly over the twelve periods, the remainder (positive
 * or negative) in period 12.  Pure.
 */
void ns_budget_spread(int64_t cents, int64_t out[NS_BUDGET_PERIODS]);

/* POST budgetImport: a line with the same criteria is replaced, so the
 * write is idempotent.  *id_out gets the line's id when NetSuite gives it. */
int ns_budget_import(struct mlc_netsuite *ns, const struct ns_budget_criteria *c, int64_t cents,
		     int64_t *id_out, struct mlc_error *err) MLC_MUST_CHECK;

#endif
