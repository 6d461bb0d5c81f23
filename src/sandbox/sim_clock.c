#include "sandbox/sim_clock.h"
#include "util/time.h"
#include "util/banned.h"

void sbx_clock_init(struct sbx_clock *c)
{
	pthread_mutex_init(&c->lock, NULL);
	c->offset_ms = 0;
}

void sbx_clock_destroy(struct sbx_clock *c)
{
	pthread_mutex_destroy(&c->lock);
}

int64_t sbx_clock_offset(struct sbx_clock *c)
{
	int64_t off;

	pthread_mutex_lock(&c->lock);
	off = c->offset_ms;
	pthread_mutex_unlock(&c->lock);
	return off;
}

int64_t sbx_clock_now(struct sbx_clock *c)
{
	return c ? time_now_ms() + sbx_clock_offset(c) : time_now_ms();
}

void sbx_clock_advance(struct sbx_clock *c, int64_t ms)
{
	pthread_mutex_lock(&c->lock);
	c->offset_ms += ms;
	pthread_mutex_unlock(&c->lock);
}
