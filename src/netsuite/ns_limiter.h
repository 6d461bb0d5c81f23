#ifndef MLC_NS_LIMITER_H
#define MLC_NS_LIMITER_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/api_budget.h"

#include "util/compat.h"

/*
 * One NetSuite concurrency pool per account, shared by every session,
 * run and worker of the process (docs/reference/netsuite.md, Governance:
 * the limit is per account, not per integration or per run).  A counting
 * semaphore in a process-wide registry keyed by the account id: every
 * NetSuite request enters it before it is sent and leaves it when its
 * outcome is in, so four runs of one account keep at most `slots`
 * requests in flight together, never 4 x slots.
 *
 * Across processes (when `redis` is configured, auth/api_budget.h) a
 * request also takes a slot of the account's semaphore in Redis, after
 * its local slot: ns_limiter_acquire / ns_limiter_release.  While Redis
 * is unreachable each process keeps its share of the pool
 * (api_budget_share()), so N processes stay within the limit together.
 *
 * Invariants (under the limiter's lock): 0 <= active; active <= slots
 * except for a moment after the pool was made smaller (entries wait until
 * active < slots); peak is the largest active seen.  Thread-safe.
 */
struct ns_limiter;

/*
 * The account's limiter, made on first use; slots > 0 sets the pool's
 * size (the latest opener's setting wins, so a changed
 * netsuite.concurrency takes effect with the next session).  Each get is
 * matched by one ns_limiter_put().  Never NULL.
 */
struct ns_limiter *ns_limiter_get(const char *account, int slots);
/* Drops a reference; the last one frees the limiter.  Accepts NULL. */
void ns_limiter_put(struct ns_limiter *l);

/* Waits for a free slot and takes it. */
void ns_limiter_enter(struct ns_limiter *l);
/* Gives a slot back (after ns_limiter_enter). */
void ns_limiter_leave(struct ns_limiter *l);

/* A slot taken by ns_limiter_acquire(); on the caller's stack. */
struct ns_slot {
	bool shared; /* holds the Redis semaphore slot named holder */
	char holder[API_HOLDER_MAX];
};

/*
 * Takes a local slot, then (Redis configured and reachable) a slot of the
 * account's shared semaphore, waiting with backoff while all are taken.
 * Redis unreachable: the local pool shrinks to this process's share
 * until it is back.  Matched by ns_limiter_release(l, s).
 */
void ns_limiter_acquire(struct ns_limiter *l, struct ns_slot *s);
void ns_limiter_release(struct ns_limiter *l, struct ns_slot *s);

int ns_limiter_slots(struct ns_limiter *l);
/* The most requests in flight at once since the limiter was made or the
 * last ns_limiter_reset_peak() (for tests and metrics). */
int ns_limiter_peak(struct ns_limiter *l);
void ns_limiter_reset_peak(struct ns_limiter *l);
/* How many accounts have a limiter now (for tests). */
size_t ns_limiter_count(void);

#endif
