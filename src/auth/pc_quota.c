/*
 * Procore's rate limits shared in Redis (auth/pc_quota.h).  Key:
 * "mlc:budget:pc:<name>", a hash: for each window w in "s" (10 s) and
 * "h" (1 h), w:lim, w:rem (may go below 0: spent ahead), w:end (Redis ms);
 * seq, the last ticket given.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/api_budget.h"
#include "auth/pc_quota.h"
#include "util/buf.h"
#include "util/time.h"
#include "util/banned.h"

/* After a window's end, wait this much more: Procore's Reset is whole
 * seconds, and clocks and latency are not exact (as net/http_limits.c). */
#define MARGIN_MS "250"
#define MARGIN    250
/* Two ends this close are one window (they differ by >= 10 s otherwise). */
#define SAME_END_MS      3000
#define SAME_END_MS_TEXT "3000"
#define SPIKE_MS         10000
#define HOUR_MS          3600000

#define LUA_NOW                                                                                    \
	"local t = redis.call('TIME') "                                                            \
	"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "                   \
	"local margin = " MARGIN_MS " "                                                            \
	"local span = {s = 10000, h = 3600000} "

/* A window past its end (plus the margin) starts again full. */
#define LUA_ROLL                                                                                   \
	"local function roll(w, lim, rem, e) "                                                     \
	"  if now >= e + margin then "                                                             \
	"    e = e + (math.floor((now - margin - e) / span[w]) + 1) * span[w] "                    \
	"    rem = lim "                                                                           \
	"  end "                                                                                   \
	"  return rem, e "                                                                         \
	"end "

/* KEYS[1] the bucket.  {0, ticket}: admitted; {ms, 0}: wait that long. */
static const char take_lua[] = LUA_NOW LUA_ROLL
    "local wait, known = 0, {} "
    "for _, w in ipairs({'s', 'h'}) do "
    "  local v = redis.call('HMGET', KEYS[1], w .. ':lim', w .. ':rem', w .. ':end') "
    "  if v[1] then "
    "    local lim = tonumber(v[1]) "
    "    local rem, e = roll(w, lim, tonumber(v[2]), tonumber(v[3])) "
    "    redis.call('HSET', KEYS[1], w .. ':rem', rem, w .. ':end', e) "
    "    if rem < 1 and e + margin - now > wait then wait = e + margin - now end "
    "    known[#known + 1] = w "
    "  end "
    "end "
    "if wait > 0 then return {wait, 0} end "
    "for _, w in ipairs(known) do redis.call('HINCRBY', KEYS[1], w .. ':rem', -1) end "
    "local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1) "
    "redis.call('PEXPIRE', KEYS[1], 2 * span.h) "
    "return {0, seq}";

/* KEYS[1] the bucket; ARGV ticket, limit (-1: absent), remaining, ms to
 * the reset.  Returns 1. */
static const char observe_lua[] =
    LUA_NOW "local ticket, lim, left, d = tonumber(ARGV[1]), tonumber(ARGV[2]), "
	    "  tonumber(ARGV[3]), tonumber(ARGV[4]) "
	    "if d < -margin then return 1 end "
	    "local slim = tonumber(redis.call('HGET', KEYS[1], 's:lim')) "
	    "local hlim = tonumber(redis.call('HGET', KEYS[1], 'h:lim')) "
	    "local w "
	    "if lim > 0 and slim == lim and hlim ~= lim then w = 's' "
	    "elseif lim > 0 and hlim == lim and slim ~= lim then w = 'h' "
	    "elseif d <= span.s + margin then w = 's' else w = 'h' end "
	    "if lim <= 0 then lim = tonumber(redis.call('HGET', KEYS[1], w .. ':lim')) or left end "
	    /* the requests admitted after this one were not counted yet */
	    "local later = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0') - ticket "
	    "if later < 0 then later = 0 end "
	    "local est, e = left - later, now + d "
	    "local cur = tonumber(redis.call('HGET', KEYS[1], w .. ':end')) "
	    "if not cur or e > cur + " SAME_END_MS_TEXT " then "
	    "  redis.call('HSET', KEYS[1], w .. ':lim', lim, w .. ':rem', est, w .. ':end', e) "
	    "elseif e >= cur - " SAME_END_MS_TEXT " then "
	    "  local rem = tonumber(redis.call('HGET', KEYS[1], w .. ':rem')) "
	    "  if est < rem then redis.call('HSET', KEYS[1], w .. ':rem', est) end "
	    "  redis.call('HSET', KEYS[1], w .. ':lim', lim) "
	    "end "
	    "redis.call('PEXPIRE', KEYS[1], 2 * span.h) "
	    "return 1";

/* KEYS[1] the bucket, ARGV[1] the window.  {known, left, limit}. */
static const char left_lua[] = LUA_NOW LUA_ROLL
    "local w = ARGV[1] "
    "local v = redis.call('HMGET', KEYS[1], w .. ':lim', w .. ':rem', w .. ':end') "
    "if not v[1] then return {0, 0, 0} end "
    "local rem = roll(w, tonumber(v[1]), tonumber(v[2]), tonumber(v[3])) "
    "return {1, rem, tonumber(v[1])}";

/* One window as this process knows it, for the fallback share. */
struct window {
	int64_t lim;     /* 0: not known */
	int64_t rem;     /* this process's allowance left in the window */
	int64_t end_ms;  /* monotonic */
	int64_t span_ms; /* SPIKE_MS or HOUR_MS */
};

struct pc_quota {
	struct pc_quota *next;
	char *name;
	int refs; /* under reg_lock */
	pthread_mutex_t lock;
	struct window win[2]; /* [0] 10 s, [1] hour */
	int64_t seq;          /* local tickets (negative when handed out) */
	bool fallback;
};

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pc_quota *reg;

static void key_of(struct mlc_buf *k, const char *name)
{
	buf_addf(k, "mlc:budget:pc:%s", name);
}

int64_t pc_bucket_take(const char *name, int64_t *ticket)
{
	struct mlc_buf key = MLC_BUF_INIT;
	const char *argv[1];
	int64_t r[2];
	int n;

	key_of(&key, name);
	argv[0] = key.data;
	n = api_budget_eval_ints(take_lua, 1, 1, argv, r, 2);
	buf_release(&key);
	if (n != 2)
		return MLC_ETRANSIENT;
	*ticket = r[1];
	return r[0];
}

int pc_bucket_observe(const char *name, int64_t ticket, int64_t limit, int64_t remaining,
		      int64_t reset_in_ms)
{
	struct mlc_buf key = MLC_BUF_INIT;
	char a[4][24];
	const char *argv[5];
	int64_t r;
	int n;

	key_of(&key, name);
	snprintf(a[0], sizeof(a[0]), "%lld", (long long)ticket);
	snprintf(a[1], sizeof(a[1]), "%lld", (long long)limit);
	snprintf(a[2], sizeof(a[2]), "%lld", (long long)remaining);
	snprintf(a[3], sizeof(a[3]), "%lld", (long long)reset_in_ms);
	argv[0] = key.data;
	for (int i = 0; i < 4; i++)
		argv[1 + i] = a[i];
	n = api_budget_eval_ints(observe_lua, 1, 5, argv, &r, 1);
	buf_release(&key);
	return n == 1 ? MLC_OK : MLC_ETRANSIENT;
}

int64_t pc_bucket_left(const char *name, char w, int64_t *limit)
{
	struct mlc_buf key = MLC_BUF_INIT;
	char win[2] = {w, '\0'};
	const char *argv[2];
	int64_t r[3];
	int n;

	key_of(&key, name);
	argv[0] = key.data;
	argv[1] = win;
	n = api_budget_eval_ints(left_lua, 1, 2, argv, r, 3);
	buf_release(&key);
	if (n != 3)
		return MLC_ETRANSIENT;
	if (!r[0])
		return MLC_ENOTFOUND;
	if (limit)
		*limit = r[2];
	return r[1];
}

struct pc_quota *pc_quota_get(const char *name)
{
	struct pc_quota *b;

	pthread_mutex_lock(&reg_lock);
	for (b = reg; b; b = b->next)
		if (strcmp(b->name, name) == 0)
			break;
	if (!b) {
		b = xcalloc(1, sizeof(*b));
		b->name = xstrdup(name);
		pthread_mutex_init(&b->lock, NULL);
		b->win[0].span_ms = SPIKE_MS;
		b->win[1].span_ms = HOUR_MS;
		b->next = reg;
		reg = b;
	}
	b->refs++;
	pthread_mutex_unlock(&reg_lock);
	return b;
}

void pc_quota_put(struct pc_quota *b)
{
	bool last;

	if (!b)
		return;
	pthread_mutex_lock(&reg_lock);
	last = --b->refs == 0;
	if (last)
		for (struct pc_quota **p = &reg; *p; p = &(*p)->next)
			if (*p == b) {
				*p = b->next;
				break;
			}
	pthread_mutex_unlock(&reg_lock);
	if (!last)
		return;
	pthread_mutex_destroy(&b->lock);
	free(b->name);
	free(b);
}

/* This process's share of n: n / live processes, at least 1 while n > 0. */
static int64_t share(int64_t n)
{
	int64_t procs = api_budget_processes(), s;

	if (n <= 0)
		return n;
	s = n / (procs > 0 ? procs : 1);
	return s > 0 ? s : 1;
}

/* Lock held.  A window past its end starts again with this process's
 * share; returns 0 or the ms to wait for the window to have room. */
static int64_t window_wait(struct window *w, int64_t now)
{
	if (!w->lim)
		return 0;
	if (now >= w->end_ms + MARGIN) {
		w->end_ms += ((now - MARGIN - w->end_ms) / w->span_ms + 1) * w->span_ms;
		w->rem = share(w->lim);
	}
	return w->rem < 1 ? w->end_ms + MARGIN - now : 0;
}

/* Redis unreachable: the share of each known window. */
static int64_t local_take(struct pc_quota *b, int64_t *ticket)
{
	int64_t now = time_mono_ms(), wait = 0;

	pthread_mutex_lock(&b->lock);
	for (int i = 0; i < 2; i++) {
		int64_t w = window_wait(&b->win[i], now);
		if (w > wait)
			wait = w;
	}
	if (wait == 0) {
		for (int i = 0; i < 2; i++)
			if (b->win[i].lim)
				b->win[i].rem--;
		*ticket = -++b->seq;
	}
	pthread_mutex_unlock(&b->lock);
	return wait;
}

/* Every answer teaches this process's copy of the windows (ready for an
 * outage): what is left for it is at most its share of what Procore says
 * is left, less what it admitted after that request. */
static void local_observe(struct pc_quota *b, int64_t ticket, int64_t limit, int64_t remaining,
			  int64_t reset_in_ms)
{
	int64_t now = time_mono_ms(), end = now + reset_in_ms, est;
	struct window *w;
	int i;

	if (reset_in_ms < -MARGIN)
		return;
	pthread_mutex_lock(&b->lock);
	if (limit > 0 && b->win[0].lim == limit && b->win[1].lim != limit)
		i = 0;
	else if (limit > 0 && b->win[1].lim == limit && b->win[0].lim != limit)
		i = 1;
	else
		i = reset_in_ms <= SPIKE_MS + MARGIN ? 0 : 1;
	w = &b->win[i];
	if (limit <= 0)
		limit = w->lim > 0 ? w->lim : remaining;
	est = remaining / api_budget_processes();
	if (ticket < 0 && b->seq + ticket > 0)
		est -= b->seq + ticket;
	if (!w->lim || end > w->end_ms + SAME_END_MS) {
		w->lim = limit;
		w->end_ms = end;
		w->rem = est < share(limit) ? est : share(limit);
	} else if (end >= w->end_ms - SAME_END_MS) {
		w->lim = limit;
		if (est < w->rem)
			w->rem = est;
	}
	pthread_mutex_unlock(&b->lock);
}

static void set_fallback(struct pc_quota *b, bool on)
{
	bool changed;

	pthread_mutex_lock(&b->lock);
	changed = b->fallback != on;
	b->fallback = on;
	pthread_mutex_unlock(&b->lock);
	if (changed)
		api_budget_fallback("procore", on);
}

bool pc_quota_fallback(struct pc_quota *b)
{
	bool on;

	pthread_mutex_lock(&b->lock);
	on = b->fallback;
	pthread_mutex_unlock(&b->lock);
	return on;
}

int64_t pc_quota_admit(void *arg, int64_t *ticket)
{
	struct pc_quota *b = arg;
	int64_t wait;

	*ticket = 0;
	if (!api_budget_shared())
		return 0;
	wait = pc_bucket_take(b->name, ticket);
	if (wait >= 0) {
		set_fallback(b, false);
		return wait;
	}
	set_fallback(b, true);
	return local_take(b, ticket);
}

void pc_quota_observe(void *arg, int64_t ticket, int64_t limit, int64_t remaining,
		      int64_t reset_in_ms)
{
	struct pc_quota *b = arg;

	if (!api_budget_shared())
		return;
	local_observe(b, ticket, limit, remaining, reset_in_ms);
	if (ticket > 0 && pc_bucket_observe(b->name, ticket, limit, remaining, reset_in_ms) < 0)
		set_fallback(b, true);
}
