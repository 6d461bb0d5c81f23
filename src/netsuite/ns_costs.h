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

/*
 * One GL impact line of the connector's journal entries (externalId
 * "pc:<company>:..."), from transactionaccountingline.  error (the
 * decoder's message, "" when fine) is set instead of debit and credit
 * when either is not money; segment is 0 without a segment field.
 */
struct ns_gl_line {
	int64_t transaction, account, entity, segment;
	char trandate[11];
	int64_t debit, credit;
	char error[sizeof(((struct mlc_error *)0)->msg)];
};

/*
 * Reads the GL lines of every journal entry the connector posted for the
 * company, paged by entry (no 100,000-row cap; page_rows 0: 1000).
 * segment_field is the cost-code segment's line field, or NULL.  A row
 * whose account, entity or segment is not an id is left out.  fn gets
 * each line; < 0 from it stops the read with that code.
 */
int netsuite_cost_gl_lines(struct mlc_netsuite *ns, int64_t company_id, const char *segment_field,
			   int page_rows, int (*fn)(void *arg, const struct ns_gl_line *l),
			   void *arg, struct mlc_error *err) MLC_MUST_CHECK;

/* A custom segment value: its internal id (text), name and externalid. */
struct ns_segment_value {
	char *id, *name, *externalid;
};

/* Every value of a custom segment (table: its SuiteQL table).  Caller
 * frees with ns_segment_values_free(). */
int netsuite_segment_values(struct mlc_netsuite *ns, const char *table,
			    struct ns_segment_value **out, size_t *n,
			    struct mlc_error *err) MLC_MUST_CHECK;
void ns_segment_values_free(struct ns_segment_value *v, size_t n);

#endif
