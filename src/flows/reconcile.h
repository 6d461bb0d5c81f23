#ifndef MLC_RECONCILE_H
#define MLC_RECONCILE_H

#include <stdint.h>

#include <jansson.h>

#include "flows/session.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * reconcile: per project x cost code (x period), Procore's approved
 * direct cost totals against the amounts in the NetSuite GL, read back
 * from NetSuite by SuiteQL (never from our own ledger), with the likely
 * cause of each difference.  When the GL carries no cost code (no
 * cost-code segment, flows/segment.h) the comparison is per project x GL
 * account: a Procore line counts under the account cost-code-account maps
 * it to (rows name "account" instead of "cost_code").
 *
 * *report (caller decrefs): {compared_by: "cost_code" | "account",
 * dimension: how that was decided, rows:[{project_id, project,
 * cost_code | account, period?, procore, netsuite, variance, cause?}],
 * differences: n}.
 * Amounts are text with two decimals (exact cents).
 */
enum reconcile_scope {
	RECONCILE_COST = 0,  /* the report above */
	RECONCILE_BILLED,    /* flows/reconcile_billed.h */
	RECONCILE_COMMITTED, /* flows/reconcile_committed.h */
};

struct reconcile_opts {
	int64_t project_id; /* 0: every linked project */
	const char *period; /* "YYYY-MM" or NULL */
	enum reconcile_scope scope;
};

int reconcile_run(struct mlc_session *s, const struct reconcile_opts *o, json_t **report,
		  struct mlc_error *err) MLC_MUST_CHECK;

#endif
