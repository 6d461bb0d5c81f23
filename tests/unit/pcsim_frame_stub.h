#ifndef MLC_TEST_PCSIM_FRAME_STUB_H
#define MLC_TEST_PCSIM_FRAME_STUB_H

/*
 * Stand-ins for the shared sandbox frame (sandbox.c, branch nssim) until it
 * is merged: the few functions the Procore simulator calls.  Remove this
 * header once src/sandbox/sandbox.c exists.
 */
#include "sandbox/contractor.h"
#include "sandbox/sandbox.h"
#include "util/time.h"

double sbx_random(struct sbx_sim *sim)
{
	double r;
	pthread_mutex_lock(&sim->lock);
	r = (double)(contractor_rand(&sim->rng) >> 11) / 9007199254740992.0;
	pthread_mutex_unlock(&sim->lock);
	return r;
}

int64_t sandbox_now_ms(struct mlc_sandbox *sb)
{
	int64_t off;
	pthread_mutex_lock(&sb->lock);
	off = sb->clock_offset_ms;
	pthread_mutex_unlock(&sb->lock);
	return time_now_ms() + off;
}

void sandbox_advance(struct mlc_sandbox *sb, int64_t ms)
{
	pthread_mutex_lock(&sb->lock);
	sb->clock_offset_ms += ms;
	pthread_mutex_unlock(&sb->lock);
}

void sbx_count_token(struct sbx_sim *sim)
{
	pthread_mutex_lock(&sim->lock);
	sim->token_requests++;
	pthread_mutex_unlock(&sim->lock);
}

void sbx_count_429(struct sbx_sim *sim)
{
	pthread_mutex_lock(&sim->lock);
	sim->rejected_429++;
	pthread_mutex_unlock(&sim->lock);
}

#endif
