#ifndef MLC_PC_QUOTA_H
#define MLC_PC_QUOTA_H

#include <stdbool.h>
#include <stdint.h>

#include "util/compat.h"

/*
 * Procore's rate limits shared by every process of a deployment (issue
 * 22): one bucket per Procore app and company, kept in Redis and spent by
 * an atomic Lua script (auth/api_budget.h sets up the connection).
 *
 * Procore has two limits, hourly and per 10 seconds; each answer's
 * X-Rate-Limit-Limit / -Remaining / -Reset headers describe whichever is
 * closer to running out (docs/reference/procore.md, "Pagination, rate
 * limits, errors"; "do not assume 3600/hour").  So the bucket holds what
 * the headers taught it, per window ("s": the 10-second one, "h": the
 * hour): the limit, what is left, and the window's end on Redis's clock.
 * Each admitted request takes one from every known window and gets a
 * ticket (a sequence number); an answer's headers then lower what is left
 * to what Procore says minus the requests admitted after that one (they
 * were not counted yet): the bucket never believes more than Procore says
 * is left.  Nothing left: wait until the window's end (plus a margin for
 * clocks and latency).  A window past its end starts again full, the next
 * end one window later.  A window is told by its limit when one already
 * known has it, else by the distance to its end (<= 10 s + margin: the
 * 10-second window).
 *
 * Redis unreachable: each process keeps the same windows from the
 * headers it sees, and spends at most limit / N of each per window, N the
 * live processes (api_budget_processes()), and lower when the headers say
 * less is left; it reports the fallback with api_budget_fallback("procore")
 * (mlc_api_budget_fallback{api="procore"} in /metrics, a log line).
 *
 * Before any header came back nothing is known, and requests go (at most
 * the upstream's concurrency per process); the first answers teach the
 * windows.  Thread-safe.
 */
struct pc_quota;

/*
 * The bucket of Procore app and company `name` (e.g. the API URL and the
 * company id), made on first use; matched by one pc_quota_put().  Never
 * NULL.
 */
struct pc_quota *pc_quota_get(const char *name);
/* Drops a reference; the last one frees the bucket.  Accepts NULL. */
void pc_quota_put(struct pc_quota *b);

/*
 * The upstream's gate (net/http_client.h struct mlc_http_gate), arg a
 * struct pc_quota.  Without Redis (no `redis`), admits at once: the
 * upstream paces itself by the headers as before.
 */
int64_t pc_quota_admit(void *b, int64_t *ticket);
void pc_quota_observe(void *b, int64_t ticket, int64_t limit, int64_t remaining,
		      int64_t reset_in_ms);

/* True while this bucket runs on its per-process share (Redis down). */
bool pc_quota_fallback(struct pc_quota *b);

/*
 * The Redis side, for pc_quota_admit/observe and the tests.  name as
 * above.  pc_bucket_take: 0 admitted (*ticket set) or the ms to wait;
 * MLC_ETRANSIENT when Redis is not there.  pc_bucket_observe: one
 * answer's headers.  pc_bucket_left: what window w ('s' or 'h') has left
 * now (*limit its limit); MLC_ENOTFOUND when not known.
 */
int64_t pc_bucket_take(const char *name, int64_t *ticket);
int pc_bucket_observe(const char *name, int64_t ticket, int64_t limit, int64_t remaining,
		      int64_t reset_in_ms);
int64_t pc_bucket_left(const char *name, char w, int64_t *limit);

#endif
