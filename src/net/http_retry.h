#ifndef MLC_HTTP_RETRY_H
#define MLC_HTTP_RETRY_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The client's retry policy as pure functions (private to net/, unit
 * tested on their own): what one attempt's result means, how long the
 * upstream asked us to wait, and the backoff between attempts.
 */

/* What one attempt produced. */
struct mlc_retry_input {
	int curl_code;           /* CURLcode; 0 when a response arrived */
	bool sent;               /* request bytes left for the server */
	int status;              /* HTTP status, 0 if none */
	const char *body;        /* response body ("" if none) */
	const char *retry_after; /* Retry-After header or NULL */
	const char *rate_reset;  /* X-Rate-Limit-Reset header or NULL */
	bool idempotent;
	bool can_refresh;      /* an auth hook exists and has not refreshed yet */
	bool login_401_budget; /* a NetSuite 401 "Invalid login attempt" may be retried */
	int64_t now_wall_ms;
};

enum mlc_retry_action {
	RETRY_NO = 0,    /* final: rc is the outcome (0 for success) */
	RETRY_REFRESH,   /* 401: refresh credentials, send again at once */
	RETRY_BACKOFF,   /* send again after a wait */
	RETRY_LOGIN_401, /* as RETRY_BACKOFF, spending the 401 budget */
};

struct mlc_retry_verdict {
	enum mlc_retry_action action;
	int rc;             /* the MLC_E* outcome if no retry follows */
	int64_t wait_ms;    /* minimum wait the upstream asked for, -1 none */
	bool throttled;     /* 429 / concurrency limit (counted, paces the upstream) */
	const char *reason; /* short text for logs and metrics */
};

void retry_classify(const struct mlc_retry_input *in, struct mlc_retry_verdict *out);
/*
 * Retry-After as ms from now: delta seconds or an HTTP-date, either form
 * capped at RETRY_AFTER_MAX_MS; -1 if unreadable.
 */
int64_t retry_after_ms(const char *value, int64_t now_wall_ms);
/* X-Rate-Limit-Reset (unix seconds; small values read as delta seconds)
 * as ms from now, clamped at 0; -1 if unreadable. */
int64_t rate_reset_ms(const char *value, int64_t now_wall_ms);
/* The longest wait an X-Rate-Limit-Reset can ask for (Procore's hourly window). */
#define RATE_RESET_MAX_MS (3600 * 1000)
/*
 * The longest wait a Retry-After can ask for, in either form: the same
 * hour.  Neither API documents a longer window, and a date years ahead
 * (a broken clock or proxy) must not park the upstream for days.
 */
#define RETRY_AFTER_MAX_MS RATE_RESET_MAX_MS
/*
 * "Now" on the server's clock: its Date header (an HTTP-date) in ms, or
 * now_wall_ms when there is none.  Absolute times a server sends (reset
 * epochs, Retry-After dates) are counted on its clock, so waits are taken
 * against it: a skewed clock on either side then costs nothing.
 */
int64_t server_now_ms(const char *date, int64_t now_wall_ms);
/* Full-jitter backoff for retry number attempt (1-based): uniform in
 * [0, min(cap, base * 2^(attempt-1))]. */
int64_t retry_backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms);

#endif
