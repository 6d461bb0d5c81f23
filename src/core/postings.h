#ifndef MLC_POSTINGS_H
#define MLC_POSTINGS_H

#include <stdint.h>

#include <jansson.h>

#include "core/store.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The posting ledger: what the costs flow posted for each Procore line,
 * in which journal entry and period, to which expense account, how much
 * (cents).  Edits after close are posted as the difference between what
 * the document says now and what this ledger says was posted.
 *
 * Rows are JSON objects with: source_ref ("pc:<company>:dcline:<id>"),
 * doc_ref ("pc:<company>:dc:<id>" or a project-day), je (external id),
 * period ("YYYY-MM"), project_id, doc_type, cost_code, cost_type,
 * account, amount.
 */
/* Every row of a unit (doc_ref), oldest entry first.  Caller decrefs. */
int postings_for_doc(struct mlc_store *s, int64_t tenant_id, const char *doc_ref, json_t **rows,
		     struct mlc_error *err) MLC_MUST_CHECK;
/* Replaces the rows of one journal entry with rows (same transaction). */
int postings_replace_je(struct mlc_store *s, int64_t tenant_id, const char *je, const json_t *rows,
			struct mlc_error *err) MLC_MUST_CHECK;
/* *yes: a row of doc_ref was written at or after since_ms (time_now_ms()). */
int postings_doc_posted_since(struct mlc_store *s, int64_t tenant_id, const char *doc_ref,
			      int64_t since_ms, bool *yes, struct mlc_error *err) MLC_MUST_CHECK;
/* Documents of a project with a non-zero net posted ({doc_id, doc_ref});
 * one missing from Procore now was deleted there and must be reversed. */
int postings_open_docs(struct mlc_store *s, int64_t tenant_id, int64_t project_id, json_t **docs,
		       struct mlc_error *err) MLC_MUST_CHECK;
/* Job cost sums by project, cost code and account ({project_id,
 * cost_code, account, amount}; payment applications left out), for
 * reconcile. */
int postings_totals(struct mlc_store *s, int64_t tenant_id, json_t **totals,
		    struct mlc_error *err) MLC_MUST_CHECK;

#endif
