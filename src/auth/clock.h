#ifndef MLC_CLOCK_H
#define MLC_CLOCK_H

#include <stdint.h>

#include "util/compat.h"
#include "util/error.h"

/*
 * The clock the product's token schedules and JWT times follow.
 *
 * struct mlc_clock is an interface: now_ms(ctx) gives ms since the epoch.
 * The program sets the process's clock once, where it is assembled (the
 * CLI at start-up, before any thread), with clock_set(); the libraries
 * read it with clock_get() and never look at the environment.  Without a
 * clock set, everything uses the wall clock (time_now_ms()).
 *
 * One implementation lives here, for tests and demos only: the sandbox's
 * clock read over HTTP (struct mlc_url_clock).  Every reading asks a
 * loopback URL of the sandbox's time resource (e.g.
 * http://127.0.0.1:8701/_sandbox/time); the answer is JSON with
 * "offset_seconds" (as GET /_sandbox/time gives it) or "offset_ms" added
 * to the wall clock, or "now_ms", or "now" (ms or RFC 3339).  When the URL
 * does not answer it warns once and returns the wall clock plus the last
 * offset seen.  A real deployment has no reason to use it.
 */
struct mlc_clock {
	int64_t (*now_ms)(void *ctx);
	void *ctx;
};

/*
 * Sets the process's clock (copied; c NULL: the wall clock again).  The
 * clock's ctx must outlive every reader.  Not thread-safe: call it at
 * start-up, before threads start.
 */
void clock_set(const struct mlc_clock *c);
/* The process's clock, or NULL when it is the wall clock. */
const struct mlc_clock *clock_get(void);

struct mlc_url_clock;

/* url must be a loopback http:// URL.  Caller frees with url_clock_free(). */
int url_clock_new(const char *url, struct mlc_url_clock **out,
		  struct mlc_error *err) MLC_MUST_CHECK;
/* Matches struct mlc_clock.now_ms (and mlc_clock_fn); ctx is the url clock. */
int64_t url_clock_now(void *ctx);
void url_clock_free(struct mlc_url_clock *c);

#endif
