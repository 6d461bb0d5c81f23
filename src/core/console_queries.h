#ifndef MLC_CONSOLE_QUERIES_H
#define MLC_CONSOLE_QUERIES_H

#include <stdint.h>

#include <jansson.h>

#include "core/store.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The store reads the web console needs beyond what the CLI reads
 * (issue 23): the audit trail searched by what a person knows, webhook
 * counts, the account catalog and posted cost over time.
 */

/* What to search the audit trail for; NULL or 0: any.  doc, vendor and
 * project match (case-insensitively, as substrings) the record's source
 * and target references, its request summary and its canonical payload. */
struct console_audit_query {
	const char *doc, *vendor, *project;
	const char *result; /* ok, error, parked, ... */
	const char *flow;
	int64_t run_id;
	int64_t since_ms, until_ms;
	int limit; /* 0: 200; at most 5000 */
};

/* Rows newest first, shaped like audit_query's.  Caller decrefs *rows. */
int console_audit_search(struct mlc_store *st, int64_t tenant_id,
			 const struct console_audit_query *q, json_t **rows,
			 struct mlc_error *err) MLC_MUST_CHECK;
/* Audit rows per result of one run ({"ok": n, "error": n, ...}). */
int console_run_counts(struct mlc_store *st, int64_t run_id, json_t **counts,
		       struct mlc_error *err) MLC_MUST_CHECK;
/* Webhook events stored per source and state ({"procore": {"done": n}}). */
int console_inbox_counts(struct mlc_store *st, int64_t tenant_id, json_t **counts,
			 struct mlc_error *err) MLC_MUST_CHECK;
/* The tenant's account catalog as {"<id>": {number, name, type, inactive,
 * summary}}. */
int console_catalog(struct mlc_store *st, int64_t tenant_id, json_t **catalog,
		    struct mlc_error *err) MLC_MUST_CHECK;
/* Posted job cost per period from the posting ledger, oldest first:
 * [{period, cents}] (the net of each period; payment applications left
 * out, as postings_totals does). */
int console_posted_by_period(struct mlc_store *st, int64_t tenant_id, json_t **series,
			     struct mlc_error *err) MLC_MUST_CHECK;

#endif
