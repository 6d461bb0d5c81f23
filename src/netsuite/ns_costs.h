#ifndef MLC_NS_COSTS_H
#define MLC_NS_COSTS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/canon_period.h"
#include "netsuite/netsuite.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * What the costs flow reads from and writes to NetSuite: the posting
 * accounting periods (SuiteQL accountingperiod, docs/reference/netsuite.md)
 * and journal entries upserted by external id.
 */

/* The posting periods (no quarters, no years), by start date.  Caller
 * frees *out. */
int netsuite_accounting_periods(struct mlc_netsuite *ns, struct canon_period **out, size_t *n,
				struct mlc_error *err) MLC_MUST_CHECK;

/*
 * Upserts a journal entry (PUT .../journalEntry/eid:<external_id>).  Takes
 * body.  On a refusal because the entry's period is closed or locked
 * (USER_ERROR "... closed or locked ...") *closed_period is set; the
 * return is the adapter's code either way, with NetSuite's reason in err.
 */
int netsuite_journal_upsert(struct mlc_netsuite *ns, const char *external_id, json_t *body,
			    int64_t *id, bool *closed_period, struct mlc_error *err) MLC_MUST_CHECK;

#endif
