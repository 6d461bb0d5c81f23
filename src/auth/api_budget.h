#ifndef MLC_API_BUDGET_H
#define MLC_API_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

#include "util/compat.h"
#include "util/error.h"

/*
 * API budgets shared by every process of a deployment, in Redis (the
 * `redis` setting), as Lua scripts run atomically by Redis:
 *
 * - a distributed semaphore per NetSuite account: a sorted set of
 *   holders scored by lease expiry (Redis's own clock).  Acquire removes
 *   expired holders and adds one while fewer than the limit hold it;
 *   release removes it.  A thread of this module extends the leases held
 *   by this process every lease/3, so a request may take any time while
 *   a killed process's slots come free within one lease.
 *
 * Process-wide: one connection, guarded by a mutex, set up once by the
 * command that runs flows (serve, sync).  Without setup (no `redis`),
 * nothing is shared and callers keep their in-process limits.
 *
 * Redis unreachable: calls return MLC_ETRANSIENT at once (a reconnect
 * is tried again after a short back-off) and callers fall back to an
 * equal share of the limit, limit / processes (api_budget_processes()),
 * reporting it with api_budget_fallback(): the gauge
 * mlc_api_budget_fallback{api="..."} in /metrics and a log line at each
 * change.  The program must ignore SIGPIPE (cli_main does).
 */
struct api_budget_opts {
	const char *redis_url; /* NULL or "": nothing shared */
	int processes;         /* live processes when the store cannot say; <1: 1 */
	int lease_ms;          /* semaphore lease; 0: 30000 */
};

int api_budget_setup(const struct api_budget_opts *o, struct mlc_error *err) MLC_MUST_CHECK;
/* Stops the lease thread, closes the connection; setup may follow. */
void api_budget_shutdown(void);
/* True when set up with a Redis URL. */
bool api_budget_shared(void);

/*
 * The number of live processes sharing the budgets, for the fallback
 * share.  By default the opts' processes; the store's processes table
 * can supply it through this hook (fn returns a count, <1 when unknown,
 * then the opts' figure is used).  fn must be thread-safe and quick.
 */
typedef int (*api_budget_count_fn)(void *arg);
void api_budget_set_counter(api_budget_count_fn fn, void *arg);
int api_budget_processes(void);
/* The share of limit one process keeps without Redis: limit / processes,
 * at least 1. */
int api_budget_share(int limit);

/* Records whether api ("netsuite", "procore") runs on its fallback share:
 * the gauge, and a log line when that changes. */
void api_budget_fallback(const char *api, bool on);

/*
 * Runs a budget's Lua script on the shared connection (for the budget
 * modules: auth/pc_quota.c): EVAL script with nkeys keys then the other
 * argv.  The integer reply, or an array's first nout integers, go to out.
 * Returns how many were stored; MLC_ETRANSIENT when nothing is shared,
 * Redis is unreachable or the script failed.
 */
int api_budget_eval_ints(const char *script, int nkeys, int argc, const char **argv, int64_t *out,
			 size_t nout);

#define API_HOLDER_MAX 64

/*
 * Tries to take one of limit slots of the semaphore name.  1: taken,
 * holder (API_HOLDER_MAX bytes) names it for api_sem_release(); 0: all
 * taken (retry later); MLC_ETRANSIENT: Redis unreachable.
 */
int api_sem_try(const char *name, int limit, char *holder);
/* Gives the slot back (best effort: an unreachable Redis lets the lease
 * run out). */
void api_sem_release(const char *name, const char *holder);
/* How many hold the semaphore now (tests); negative when unreachable. */
int api_sem_count(const char *name);

#endif
