#ifndef MLC_CLOCK_H
#define MLC_CLOCK_H

#include <stdint.h>

#include "util/compat.h"
#include "util/error.h"

/*
 * A clock for token schedules and JWT times that follows the sandbox's
 * time travel.  With MLC_CLOCK_URL set (a loopback URL of the sandbox's
 * time resource, e.g. http://127.0.0.1:8701/_sandbox/time), every reading
 * asks it: the answer is JSON with "offset_seconds" (as the sandbox's
 * GET /_sandbox/time gives it) or "offset_ms" added to the wall clock, or
 * "now_ms", or "now" (ms or RFC 3339).  Without it the program uses
 * the wall clock and this module is not involved.  For tests and demos
 * only: a real deployment has no reason to set it.
 *
 * clock_now() matches mlc_clock_fn; when the URL does not answer it warns
 * and returns the wall clock plus the last offset seen.
 */
struct mlc_clock;

/* *out is NULL when MLC_CLOCK_URL is not set. Caller frees with clock_free(). */
int clock_from_env(struct mlc_clock **out, struct mlc_error *err) MLC_MUST_CHECK;
int clock_new(const char *url, struct mlc_clock **out, struct mlc_error *err) MLC_MUST_CHECK;
int64_t clock_now(void *clock);
void clock_free(struct mlc_clock *c);

#endif
