#ifndef MLC_HTTP_LIMITS_H
#define MLC_HTTP_LIMITS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "net/http_client.h"

/*
 * The send limits of one upstream (private to net/): a concurrency cap
 * (NetSuite's account-wide pool) and a token-bucket pacer (configured
 * rate, tightened by X-Rate-Limit-* headers, paused after a 429), shared
 * by every thread that sends through the upstream.
 *
 * A send first enters the concurrency cap (http_limits_try_enter /
 * http_limits_enter_wait), then reserves a token (http_limits_reserve() says how
 * long to wait; the token is then the caller's, so waiters are served in
 * order, and never spent early by someone still waiting for the cap), and
 * leaves the cap when the response is in.  Times are monotonic ms except the
 * wall-clock reset time of the rate-limit headers.
 *
 * Invariants (under lock): 0 <= active <= max_active when max_active > 0;
 * tokens <= burst; paused_until_ms is monotonic time.
 */
struct mlc_http_limits {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	int max_active; /* 0: no cap */
	int active;
	double rate; /* configured sends per second, 0: unpaced */
	double burst;
	double tokens; /* may go negative: reservations ahead */
	int64_t refill_ms;
	double header_rate; /* from rate-limit headers, 0: none */
	int64_t header_until_wall_ms;
	int64_t paused_until_ms;
	struct mlc_http_gate gate; /* shared beyond the process; set once at creation */
};

void http_limits_init(struct mlc_http_limits *l, int max_active, double rate, int burst);
void http_limits_release(struct mlc_http_limits *l);
/* Takes one token; returns how many ms the caller must wait before
 * sending (0: now). */
int64_t http_limits_reserve(struct mlc_http_limits *l);
/*
 * Asks the shared gate (if any) whether an attempt that passed the cap and
 * the pacer may go: 0 yes (*ticket set), else the ms to wait first.
 */
int64_t http_limits_admit(struct mlc_http_limits *l, int64_t *ticket);
/* Enters the concurrency cap if there is room. */
bool http_limits_try_enter(struct mlc_http_limits *l);
/* Waits up to timeout_ms for room; true once entered. */
bool http_limits_enter_wait(struct mlc_http_limits *l, int64_t timeout_ms);
/* Leaves the cap (after http_limits_try_enter or http_limits_enter_wait succeeded). */
void http_limits_leave(struct mlc_http_limits *l);
/* No send starts before now + ms (a 429's Retry-After). */
void http_limits_pause(struct mlc_http_limits *l, int64_t ms);
/*
 * Reads X-Rate-Limit-Limit / -Remaining / -Reset (limit and remaining
 * may be -1 when absent; reset is wall-clock ms).  When little remains,
 * the rest is spread evenly over the time to the reset; when nothing
 * remains, sends pause until the reset.
 */
void http_limits_observe(struct mlc_http_limits *l, int64_t limit, int64_t remaining,
			 int64_t reset_wall_ms);
/* Passes an answer's headers to the shared gate (reset_in_ms on the
 * upstream's clock) for the attempt it admitted as ticket. */
void http_limits_gate_observe(struct mlc_http_limits *l, int64_t ticket, int64_t limit,
			      int64_t remaining, int64_t reset_in_ms);

#endif
