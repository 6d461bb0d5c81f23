#ifndef MLC_SIM_CLOCK_H
#define MLC_SIM_CLOCK_H

#include <pthread.h>
#include <stdint.h>

/*
 * The sandbox's clock: the wall clock plus the time travelled through
 * POST /_sandbox/time/advance.  A leaf: both simulators read it and the
 * frame (sandbox_faults.c) moves it; it calls nothing of theirs, so the
 * NetSuite and Procore groups meet only in the frame.
 *
 * Ownership: embedded in struct mlc_sandbox (sandbox.h), which inits and
 * destroys it.  All functions are thread-safe.
 */
struct sbx_clock {
	pthread_mutex_t lock;
	int64_t offset_ms; /* added to the wall clock */
};

void sbx_clock_init(struct sbx_clock *c);
void sbx_clock_destroy(struct sbx_clock *c);
/* ms since the epoch; c NULL: the wall clock. */
int64_t sbx_clock_now(struct sbx_clock *c);
/* Moves the clock forward by ms (backward when negative). */
void sbx_clock_advance(struct sbx_clock *c, int64_t ms);
/* The time travelled so far, in ms. */
int64_t sbx_clock_offset(struct sbx_clock *c);

#endif
