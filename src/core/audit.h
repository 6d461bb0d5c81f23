#ifndef MLC_AUDIT_H
#define MLC_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/store.h"
#include "util/buf.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The audit trail: one row per record movement (what, from, to, a summary
 * of the request, the result, the attempt), and one run row per flow
 * execution.  payload keeps what is needed to replay a failed record.
 * Nothing secret goes in: callers pass canonical records, never headers.
 */
struct mlc_audit_rec {
	int64_t tenant_id;
	int64_t run_id;              /* 0: not part of a run */
	const char *flow;            /* "vendors", "costs", ... */
	const char *entity;          /* "vendor", "direct_cost", "je", ... */
	const char *action;          /* create, update, skip, park, delete, conflict, replay */
	const char *source_ref;      /* "ns:vendor:1234" */
	const char *target_ref;      /* "pc:vendor:5678" */
	const char *request_summary; /* "PATCH /rest/v1.0/vendors/sync (1 of 214)" */
	const char *result;          /* ok, error, parked, dry-run */
	const char *error;           /* NULL on success */
	int attempt;                 /* 1-based */
	const json_t *payload;       /* NULL or the canonical record */
};

int audit_write(struct mlc_store *s, const struct mlc_audit_rec *rec,
		struct mlc_error *err) MLC_MUST_CHECK;

/*
 * Takes this thread's last write (net/http_note.h) into rec: attempt gets
 * its number of sends and request_summary "METHOD path" with, when any
 * were retried, "; retried 503,reset" (what each retried attempt got).
 * summary holds that text and must outlive rec's use.  Returns false and
 * leaves rec alone when no write was noted since the last take.
 */
bool audit_rec_take_write(struct mlc_audit_rec *rec, struct mlc_buf *summary);

struct mlc_audit_filter {
	const char *flow, *entity, *source_ref, *result; /* NULL: any */
	int64_t since_ms;                                /* 0: any */
	int limit;                                       /* 0: 100 */
};

/* Newest first, as a JSON array of objects.  Caller decrefs *rows. */
int audit_query(struct mlc_store *s, int64_t tenant_id, const struct mlc_audit_filter *f,
		json_t **rows, struct mlc_error *err) MLC_MUST_CHECK;

/* One row by id as JSON (same shape as audit_query's).  MLC_ENOTFOUND. */
int audit_get(struct mlc_store *s, int64_t id, json_t **row, struct mlc_error *err) MLC_MUST_CHECK;
/* Runs of a tenant, newest first: [{id, flow, trigger, status, stats, started_at,
 * finished_at}]. */
int run_list(struct mlc_store *s, int64_t tenant_id, int limit, json_t **runs,
	     struct mlc_error *err) MLC_MUST_CHECK;

/* Retention: deletes audit rows, finished runs and processed inbox events
 * older than before_ms (all tenants); *deleted gets the row count.  Rows go
 * in batches of AUDIT_PRUNE_BATCH, each its own transaction, so that the
 * write lock is never held for the whole prune (issue 21, item 13). */
#define AUDIT_PRUNE_BATCH 2000
int audit_prune(struct mlc_store *s, int64_t before_ms, int64_t *deleted,
		struct mlc_error *err) MLC_MUST_CHECK;
/* audit_prune with batch_rows rows per transaction (<= 0: the default);
 * *batches gets the number of transactions committed.  A failed batch is
 * rolled back; the batches before it stay deleted. */
int audit_prune_batched(struct mlc_store *s, int64_t before_ms, int64_t batch_rows,
			int64_t *deleted, int64_t *batches, struct mlc_error *err) MLC_MUST_CHECK;

/* Runs: a flow execution with its trigger (cli, schedule, webhook, replay)
 * and, when finished, its status and counters.  run_start records this
 * process as the owner (core/run_owner.h); a run whose owner died is
 * marked 'abandoned' by run_reap. */
int run_start(struct mlc_store *s, int64_t tenant_id, const char *flow, const char *trigger,
	      int64_t *run_id, struct mlc_error *err) MLC_MUST_CHECK;
/* (run_start also clears this thread's write note, net/http_note.h.) */
int run_finish(struct mlc_store *s, int64_t run_id, const char *status, const json_t *stats,
	       struct mlc_error *err) MLC_MUST_CHECK;

#endif
