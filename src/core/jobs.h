#ifndef MLC_JOBS_H
#define MLC_JOBS_H

#include <stdint.h>

#include <jansson.h>

#include "core/store.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The durable job queue.  A worker leases a job for a while; a job whose
 * worker died is taken again once its lease has expired (flows are
 * idempotent, so running one twice is safe).  Failed jobs are retried
 * with backoff until max_attempts, then become 'dead' (the dead-letter
 * list, replayable).
 *
 * States: queued -> running -> done | queued (retry) | dead.
 * A dedupe_key makes enqueue idempotent while a job with that key is
 * queued; a job gives its key up when it starts running, so an event
 * arriving during a run queues exactly one more run.  Jobs with the same
 * key never run at the same time (the key doubles as a serial key).
 */
struct mlc_job {
	int64_t id;
	int64_t tenant_id; /* 0: process-wide */
	char *kind;
	json_t *payload; /* owned */
	int attempts;    /* including the current one */
	int max_attempts;
	int64_t lease_until;
};

void job_release(struct mlc_job *j);

/* Enqueues (or finds the pending job with the same dedupe_key) and
 * returns its id. */
int job_enqueue(struct mlc_store *s, int64_t tenant_id, const char *kind, const json_t *payload,
		const char *dedupe_key, int64_t run_at_ms, int64_t *id,
		struct mlc_error *err) MLC_MUST_CHECK;
/*
 * Leases the next ready job (queued and due, or running with an expired
 * lease) for owner until now + lease_ms.  Returns 1 with *job filled, 0
 * when nothing is ready.
 */
int job_lease(struct mlc_store *s, const char *owner, int64_t now_ms, int64_t lease_ms,
	      struct mlc_job *job, struct mlc_error *err) MLC_MUST_CHECK;
/* Marks a leased job done.  MLC_ESTATE if owner no longer holds it. */
int job_complete(struct mlc_store *s, int64_t id, const char *owner,
		 struct mlc_error *err) MLC_MUST_CHECK;
/* Records a failure: back to queued at retry_at_ms with its dedupe key
 * (a twin queued under that key during the run is folded into it), or
 * dead when attempts are used up (or retry_at_ms < 0: a permanent
 * failure). */
int job_fail(struct mlc_store *s, int64_t id, const char *owner, const char *error,
	     int64_t retry_at_ms, struct mlc_error *err) MLC_MUST_CHECK;
/* Renews a running job's lease (a worker's heartbeat while a long flow
 * runs).  MLC_ESTATE if owner no longer holds it. */
int job_extend(struct mlc_store *s, int64_t id, const char *owner, int64_t lease_until_ms,
	       struct mlc_error *err) MLC_MUST_CHECK;
/* Gives a running job back without counting an attempt (shutdown). */
int job_release_lease(struct mlc_store *s, int64_t id, const char *owner,
		      struct mlc_error *err) MLC_MUST_CHECK;
/* Requeues a dead job with fresh attempts (replay). */
int job_requeue(struct mlc_store *s, int64_t id, int64_t now_ms,
		struct mlc_error *err) MLC_MUST_CHECK;
/* Number of jobs in a state. */
int job_count(struct mlc_store *s, const char *state, int64_t *n,
	      struct mlc_error *err) MLC_MUST_CHECK;

#endif
