#include <errno.h>
#include <math.h>
#include <time.h>

#include "net/http_limits.h"
#include "util/time.h"
#include "util/banned.h"

/* After a reset time in whole seconds, wait this much more: clocks and
 * the upstream's window edges are not exact. */
#define RESET_MARGIN_MS 250

void http_limits_init(struct mlc_http_limits *l, int max_active, double rate, int burst)
{
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->freed, NULL);
	l->max_active = max_active > 0 ? max_active : 0;
	l->active = 0;
	l->rate = rate > 0 ? rate : 0;
	l->burst = burst > 0 ? burst : (rate >= 1 ? floor(rate) : 1);
	l->tokens = l->burst;
	l->refill_ms = time_mono_ms();
	l->header_rate = 0;
	l->header_until_wall_ms = 0;
	l->paused_until_ms = 0;
	l->gate = (struct mlc_http_gate){0};
}

void http_limits_release(struct mlc_http_limits *l)
{
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->freed);
}

/* The rate in force now, 0 for none; called with lock held. */
static double current_rate(struct mlc_http_limits *l, double *burst)
{
	double r = l->rate;

	*burst = l->burst;
	if (l->header_rate > 0 && time_now_ms() < l->header_until_wall_ms) {
		if (r == 0 || l->header_rate < r)
			r = l->header_rate;
		*burst = 1; /* spread evenly once the headers say we are short */
	} else {
		l->header_rate = 0;
	}
	return r;
}

int64_t http_limits_reserve(struct mlc_http_limits *l)
{
	int64_t now = time_mono_ms(), wait = 0;
	double burst, rate;

	pthread_mutex_lock(&l->lock);
	rate = current_rate(l, &burst);
	if (rate > 0) {
		l->tokens += (double)(now - l->refill_ms) * rate / 1000.0;
		if (l->tokens > burst)
			l->tokens = burst;
		l->tokens -= 1;
		if (l->tokens < 0)
			wait = (int64_t)ceil(-l->tokens * 1000.0 / rate);
	}
	l->refill_ms = now;
	if (l->paused_until_ms - now > wait)
		wait = l->paused_until_ms - now;
	pthread_mutex_unlock(&l->lock);
	return wait;
}

int64_t http_limits_admit(struct mlc_http_limits *l, int64_t *ticket)
{
	*ticket = 0;
	return l->gate.admit ? l->gate.admit(l->gate.arg, ticket) : 0;
}

void http_limits_gate_observe(struct mlc_http_limits *l, int64_t ticket, int64_t limit,
			      int64_t remaining, int64_t reset_in_ms)
{
	if (l->gate.observe)
		l->gate.observe(l->gate.arg, ticket, limit, remaining, reset_in_ms);
}

bool http_limits_try_enter(struct mlc_http_limits *l)
{
	bool ok;

	pthread_mutex_lock(&l->lock);
	ok = l->max_active == 0 || l->active < l->max_active;
	if (ok)
		l->active++;
	pthread_mutex_unlock(&l->lock);
	return ok;
}

bool http_limits_enter_wait(struct mlc_http_limits *l, int64_t timeout_ms)
{
	struct timespec deadline;
	bool ok;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += (time_t)(timeout_ms / 1000);
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&l->lock);
	while (l->max_active && l->active >= l->max_active)
		if (pthread_cond_timedwait(&l->freed, &l->lock, &deadline) == ETIMEDOUT)
			break;
	ok = l->max_active == 0 || l->active < l->max_active;
	if (ok)
		l->active++;
	pthread_mutex_unlock(&l->lock);
	return ok;
}

void http_limits_leave(struct mlc_http_limits *l)
{
	pthread_mutex_lock(&l->lock);
	if (l->active > 0)
		l->active--;
	pthread_cond_broadcast(&l->freed);
	pthread_mutex_unlock(&l->lock);
}

void http_limits_pause(struct mlc_http_limits *l, int64_t ms)
{
	int64_t until = time_mono_ms() + ms;

	pthread_mutex_lock(&l->lock);
	if (until > l->paused_until_ms)
		l->paused_until_ms = until;
	pthread_mutex_unlock(&l->lock);
}

void http_limits_observe(struct mlc_http_limits *l, int64_t limit, int64_t remaining,
			 int64_t reset_wall_ms)
{
	int64_t left_ms = reset_wall_ms - time_now_ms(), usable, low;

	if (remaining < 0 || reset_wall_ms <= 0 || left_ms <= -RESET_MARGIN_MS)
		return;
	if (left_ms < 0)
		left_ms = 0;
	pthread_mutex_lock(&l->lock);
	/* requests already in flight will spend from what remains */
	usable = remaining - (l->active > 1 ? l->active - 1 : 0);
	low = limit > 0 ? limit / 10 : 10;
	if (low < 2)
		low = 2;
	if (usable <= 0) {
		int64_t until = time_mono_ms() + left_ms + RESET_MARGIN_MS;
		if (until > l->paused_until_ms)
			l->paused_until_ms = until;
	} else if (usable <= low) {
		l->header_rate = (double)usable * 1000.0 / (double)(left_ms + RESET_MARGIN_MS);
		l->header_until_wall_ms = reset_wall_ms + RESET_MARGIN_MS;
	} else if (reset_wall_ms >= l->header_until_wall_ms) {
		l->header_rate = 0;
	}
	pthread_mutex_unlock(&l->lock);
}
