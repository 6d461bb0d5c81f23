/*
 * The time-weighted busy figure of a simulator's pool (sandbox_busy.h).
 */
#include <string.h>
#include <time.h>

#include "sandbox/sandbox_busy.h"
#include "util/banned.h"

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void sbx_busy_reset(struct sbx_busy *b)
{
	int active = b->active, writes = b->writes;

	memset(b, 0, sizeof(*b));
	/* requests in flight at the reset go on counting from now */
	b->active = active;
	b->writes = writes;
	b->max_active = active;
	b->last_us = now_us();
	if (active)
		b->first_us = b->last_us;
}

/* Adds the time since the last change at the current level. */
static void busy_advance(struct sbx_busy *b, int limit, int64_t t)
{
	double dt = (double)(t - b->last_us);
	int held = limit > 0 && b->active > limit ? limit : b->active;

	if (b->last_us && dt > 0) {
		if (b->active)
			b->slot_us += dt * held;
		if (b->writes) {
			b->write_wall_us += dt;
			b->write_slot_us += dt * held;
		}
	}
	b->last_us = t;
}

void sbx_busy_enter(struct sbx_busy *b, bool write, int limit)
{
	int64_t t = now_us();

	busy_advance(b, limit, t);
	if (!b->first_us)
		b->first_us = t;
	b->active++;
	if (write)
		b->writes++;
	if (b->active > b->max_active)
		b->max_active = b->active;
}

void sbx_busy_leave(struct sbx_busy *b, bool write, int limit)
{
	int64_t t = now_us();

	busy_advance(b, limit, t);
	if (b->active > 0)
		b->active--;
	if (write && b->writes > 0)
		b->writes--;
	b->end_us = t;
}

json_t *sbx_busy_json(const struct sbx_busy *b, int limit)
{
	double secs =
	    b->first_us && b->end_us > b->first_us ? (double)(b->end_us - b->first_us) / 1e6 : 0;
	double slots = b->slot_us / 1e6, wsecs = b->write_wall_us / 1e6,
	       wslots = b->write_slot_us / 1e6;
	json_t *busy = limit > 0 && secs > 0 ? json_real(slots / (limit * secs)) : json_null();
	json_t *wbusy = limit > 0 && wsecs > 0 ? json_real(wslots / (limit * wsecs)) : json_null();

	return json_pack("{s:i, s:f, s:f, s:o, s:f, s:f, s:o, s:i}", "limit", limit, "seconds",
			 secs, "slot_seconds", slots, "busy", busy, "write_seconds", wsecs,
			 "write_slot_seconds", wslots, "write_busy", wbusy, "max_in_flight",
			 b->max_active);
}

bool sbx_busy_is_write(const char *method, const char *path)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	       !strstr(path, "/query/") && !strstr(path, "/oauth") && !strstr(path, "/auth/");
}
