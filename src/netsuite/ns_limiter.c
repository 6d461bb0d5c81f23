/*
 * The process-wide NetSuite concurrency pools (netsuite/ns_limiter.h).
 * A few accounts per process: the registry is a list.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netsuite/ns_limiter.h"
#include "util/time.h"
#include "util/buf.h"
#include "util/banned.h"

struct ns_limiter {
	struct ns_limiter *next;
	char *account;
	int refs; /* under reg_lock */
	pthread_mutex_t lock;
	pthread_cond_t freed;
	int slots, active, peak;
	bool fallback; /* Redis unreachable: the local pool is the share */
};

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ns_limiter *reg;

struct ns_limiter *ns_limiter_get(const char *account, int slots)
{
	struct ns_limiter *l;

	if (!account)
		account = "";
	pthread_mutex_lock(&reg_lock);
	for (l = reg; l; l = l->next)
		if (strcmp(l->account, account) == 0)
			break;
	if (!l) {
		l = xcalloc(1, sizeof(*l));
		l->account = xstrdup(account);
		pthread_mutex_init(&l->lock, NULL);
		pthread_cond_init(&l->freed, NULL);
		l->slots = 5;
		l->next = reg;
		reg = l;
	}
	l->refs++;
	pthread_mutex_unlock(&reg_lock);
	if (slots > 0) {
		pthread_mutex_lock(&l->lock);
		l->slots = slots;
		/* a larger pool lets waiters in at once */
		pthread_cond_broadcast(&l->freed);
		pthread_mutex_unlock(&l->lock);
	}
	return l;
}

void ns_limiter_put(struct ns_limiter *l)
{
	struct ns_limiter **p;
	bool last;

	if (!l)
		return;
	pthread_mutex_lock(&reg_lock);
	last = --l->refs == 0;
	if (last)
		for (p = &reg; *p; p = &(*p)->next)
			if (*p == l) {
				*p = l->next;
				break;
			}
	pthread_mutex_unlock(&reg_lock);
	if (!last)
		return;
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->freed);
	free(l->account);
	free(l);
}

void ns_limiter_enter(struct ns_limiter *l)
{
	pthread_mutex_lock(&l->lock);
	while (l->active >= l->slots)
		pthread_cond_wait(&l->freed, &l->lock);
	l->active++;
	if (l->active > l->peak)
		l->peak = l->active;
	pthread_mutex_unlock(&l->lock);
}

void ns_limiter_leave(struct ns_limiter *l)
{
	pthread_mutex_lock(&l->lock);
	l->active--;
	pthread_cond_signal(&l->freed);
	pthread_mutex_unlock(&l->lock);
}

/* The local pool's size now: the share while Redis is down. */
static int local_slots(struct ns_limiter *l)
{
	return l->fallback ? api_budget_share(l->slots) : l->slots;
}

/* Lock held.  Waits until there is room in the local pool, takes a slot. */
static void take_local(struct ns_limiter *l)
{
	while (l->active >= local_slots(l)) {
		/* timed: the share changes with the number of live processes */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&l->freed, &l->lock, &ts);
	}
	l->active++;
	if (l->active > l->peak)
		l->peak = l->active;
}

static void set_fallback(struct ns_limiter *l, bool on)
{
	pthread_mutex_lock(&l->lock);
	l->fallback = on;
	if (!on)
		pthread_cond_broadcast(&l->freed);
	pthread_mutex_unlock(&l->lock);
	api_budget_fallback("netsuite", on);
}

void ns_limiter_acquire(struct ns_limiter *l, struct ns_slot *s)
{
	int64_t backoff = 2;
	char name[160];

	s->shared = false;
	snprintf(name, sizeof(name), "netsuite:%s", l->account);
	pthread_mutex_lock(&l->lock);
	take_local(l);
	pthread_mutex_unlock(&l->lock);
	if (!api_budget_shared())
		return;
	for (;;) {
		int rc = api_sem_try(name, l->slots, s->holder);
		if (rc == 1) {
			s->shared = true;
			if (l->fallback)
				set_fallback(l, false);
			return;
		}
		if (rc < 0) {
			if (!l->fallback)
				set_fallback(l, true);
			pthread_mutex_lock(&l->lock);
			/* slots taken before the outage may be more than the share:
			 * queue again for one within it */
			if (l->active > local_slots(l)) {
				l->active--;
				pthread_cond_signal(&l->freed);
				take_local(l);
			}
			pthread_mutex_unlock(&l->lock);
			return;
		}
		/* all taken in the deployment: wait, with jitter, up to 50 ms */
		time_sleep_ms(backoff / 2 + (int64_t)(random() % (backoff / 2 + 1)));
		if (backoff < 50)
			backoff *= 2;
	}
}

void ns_limiter_release(struct ns_limiter *l, struct ns_slot *s)
{
	char name[160];

	if (s->shared) {
		snprintf(name, sizeof(name), "netsuite:%s", l->account);
		api_sem_release(name, s->holder);
	}
	ns_limiter_leave(l);
}

int ns_limiter_slots(struct ns_limiter *l)
{
	int n;

	pthread_mutex_lock(&l->lock);
	n = l->slots;
	pthread_mutex_unlock(&l->lock);
	return n;
}

int ns_limiter_peak(struct ns_limiter *l)
{
	int n;

	pthread_mutex_lock(&l->lock);
	n = l->peak;
	pthread_mutex_unlock(&l->lock);
	return n;
}

void ns_limiter_reset_peak(struct ns_limiter *l)
{
	pthread_mutex_lock(&l->lock);
	l->peak = l->active;
	pthread_mutex_unlock(&l->lock);
}

size_t ns_limiter_count(void)
{
	size_t n = 0;

	pthread_mutex_lock(&reg_lock);
	for (struct ns_limiter *l = reg; l; l = l->next)
		n++;
	pthread_mutex_unlock(&reg_lock);
	return n;
}
