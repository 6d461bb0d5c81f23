#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth/token_internal.h"
#include "util/log.h"
#include "util/redact.h"
#include "util/str.h"
#include "util/time.h"
#include "util/num.h"
#include "util/banned.h"

/* While a refresh is in flight, others keep using the old token if it has
 * at least this long left; otherwise they wait for the new one. */
#define USABLE_SLACK_MS 30000
/* The Redis refresh lock lives this long (a crashed holder frees it). */
#define SHARED_LOCK_MS 15000
/* After a failed refresh, while the old token still serves, the next try
 * waits this long (no hammering of a failing token endpoint). */
#define REFRESH_RETRY_MS 10000
/* How often a process waiting for another's refresh looks again. */
#define SHARED_POLL_MS 25

struct mlc_token_cache {
	char *name;
	struct mlc_token_policy policy;
	mlc_token_fetch_fn fetch;
	void *fetch_arg;
	mlc_clock_fn clock;
	void *clock_arg;
	struct mlc_token_shared *shared;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct token_entry cur; /* cur.token NULL: none */
	bool refreshing;        /* one caller is refreshing, outside the lock */
	uint64_t generation;    /* bumped when a refresh ends */
	int64_t retry_at_ms;    /* after a failed refresh: no new try before */
	int last_rc;            /* result of the last refresh */
	struct mlc_error last_err;
	unsigned char rejected[TOKEN_FP_BYTES]; /* fingerprint of the last token a peer rejected */
	bool have_rejected;
	struct mlc_token_stats stats;
};

static int64_t default_clock(void *arg)
{
	MLC_UNUSED(arg);
	return time_now_ms();
}

void token_entry_release(struct token_entry *e)
{
	secret_free(e->token);
	memset(e, 0, sizeof(*e));
}

/* expires_in comes from the token endpoint: bounded before it is
 * multiplied (no token lives a year; found by fuzz/fuzz_token.c) */
#define TOKEN_LIFE_MAX_S (366LL * 24 * 3600)
static int64_t life_ms(int64_t expires_in_s)
{
	if (expires_in_s > TOKEN_LIFE_MAX_S)
		return TOKEN_LIFE_MAX_S * 1000;
	if (expires_in_s < -TOKEN_LIFE_MAX_S)
		return -TOKEN_LIFE_MAX_S * 1000;
	return expires_in_s * 1000;
}

int64_t token_refresh_at(const struct mlc_token_policy *p, int64_t obtained_ms,
			 int64_t expires_in_s)
{
	int64_t life = life_ms(expires_in_s), age;

	age = life > p->margin_ms ? life - p->margin_ms : life / 2;
	if (p->max_age_ms > 0 && age > p->max_age_ms)
		age = p->max_age_ms;
	return num_add_i64_sat(obtained_ms, age);
}

struct mlc_token_cache *token_cache_new(const struct mlc_token_cache_opts *o)
{
	struct mlc_token_cache *c = xcalloc(1, sizeof(*c));

	c->name = xstrdup(o->name ? o->name : "token");
	c->policy = o->policy;
	c->fetch = o->fetch;
	c->fetch_arg = o->fetch_arg;
	c->clock = o->clock ? o->clock : default_clock;
	c->clock_arg = o->clock ? o->clock_arg : NULL;
	c->shared = o->shared;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	return c;
}

void token_cache_free(struct mlc_token_cache *c)
{
	if (!c)
		return;
	token_entry_release(&c->cur);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->cond);
	free(c->name);
	free(c);
}

void token_fingerprint(const char *token, unsigned char *fp)
{
	crypto_generichash(fp, TOKEN_FP_BYTES, (const unsigned char *)token, strlen(token), NULL,
			   0);
}

/* True if t is the token a peer last rejected (never adopt it again). */
static bool is_rejected(struct mlc_token_cache *c, const char *t)
{
	unsigned char h[TOKEN_FP_BYTES];
	bool r;

	token_fingerprint(t, h);
	pthread_mutex_lock(&c->lock);
	r = c->have_rejected && sodium_memcmp(h, c->rejected, sizeof(h)) == 0;
	pthread_mutex_unlock(&c->lock);
	return r;
}

static void count(struct mlc_token_cache *c, int64_t *field)
{
	pthread_mutex_lock(&c->lock);
	(*field)++;
	pthread_mutex_unlock(&c->lock);
}

/* Asks the token endpoint (through the provider's fetch function). */
static int fetch_new(struct mlc_token_cache *c, struct token_entry *out, struct mlc_error *err)
{
	struct mlc_token_grant g = {NULL, 0};
	int64_t t0 = c->clock(c->clock_arg);
	int rc;

	count(c, &c->stats.fetches);
	rc = c->fetch(c->fetch_arg, &g, err);
	if (rc == MLC_OK && (!g.access_token || g.access_token->len == 0 || g.expires_in_s <= 0))
		rc =
		    error_set(err, MLC_EAUTH, "%s: the token endpoint answered without %s", c->name,
			      g.access_token && g.access_token->len ? "a positive expires_in"
								    : "an access_token");
	if (rc < 0) {
		secret_free(g.access_token);
		count(c, &c->stats.fetch_errors);
		return rc;
	}
	redact_register(g.access_token->data);
	/* the lifetime counts from before the request left: errs early, never late */
	out->token = g.access_token;
	out->obtained_ms = t0;
	out->expires_ms = t0 + life_ms(g.expires_in_s);
	out->refresh_ms = token_refresh_at(&c->policy, t0, g.expires_in_s);
	log_debug("token obtained", "cache", c->name);
	return MLC_OK;
}

/* Adopts e from Redis if it is usable; returns true when taken. */
static bool adopt(struct mlc_token_cache *c, struct token_entry *e, int64_t now)
{
	if (!e->token || now >= e->refresh_ms || is_rejected(c, e->token->data)) {
		token_entry_release(e);
		return false;
	}
	redact_register(e->token->data);
	count(c, &c->stats.shared_hits);
	return true;
}

/* Holding the Redis lock: look once more, else fetch and publish. */
static int refresh_locked(struct mlc_token_cache *c, const char *lock_value,
			  struct token_entry *out, struct mlc_error *err)
{
	int64_t now = c->clock(c->clock_arg);
	int rc;

	if (token_shared_load(c->shared, c->name, now, out) == 1 && adopt(c, out, now)) {
		rc = MLC_OK;
		goto out;
	}
	rc = fetch_new(c, out, err);
	if (rc == MLC_OK) {
		int64_t ttl = out->refresh_ms - c->clock(c->clock_arg);
		if (ttl > 0)
			(void)token_shared_store(c->shared, c->name, out, ttl);
	}
out:
	token_shared_unlock(c->shared, c->name, lock_value);
	return rc;
}

/*
 * The refresh itself, without the cache lock.  With Redis: take a token
 * another process published, or take the lock and fetch, or wait for the
 * lock holder to publish.  Any Redis trouble ends in a local fetch.
 */
static int refresh(struct mlc_token_cache *c, struct token_entry *out, struct mlc_error *err)
{
	char lock_value[33];
	int64_t deadline;
	int r;

	memset(out, 0, sizeof(*out));
	if (!c->shared || !token_shared_up(c->shared))
		return fetch_new(c, out, err);
	r = token_shared_load(c->shared, c->name, c->clock(c->clock_arg), out);
	if (r == 1 && adopt(c, out, c->clock(c->clock_arg)))
		return MLC_OK;
	if (r < 0)
		return fetch_new(c, out, err);
	deadline = time_mono_ms() + SHARED_LOCK_MS + 1000;
	while (time_mono_ms() < deadline) {
		r = token_shared_lock(c->shared, c->name, SHARED_LOCK_MS, lock_value);
		if (r == 1)
			return refresh_locked(c, lock_value, out, err);
		if (r < 0)
			break;
		/* another process is asking: wait for it to publish */
		time_sleep_ms(SHARED_POLL_MS);
		r = token_shared_load(c->shared, c->name, c->clock(c->clock_arg), out);
		if (r == 1 && adopt(c, out, c->clock(c->clock_arg)))
			return MLC_OK;
		if (r < 0)
			break;
	}
	log_warn("shared token refresh did not complete; asking directly", "cache", c->name);
	return fetch_new(c, out, err);
}

static void copy_token(const struct token_entry *e, struct mlc_buf *out)
{
	buf_add(out, e->token->data, e->token->len);
}

/* Lock held.  The current token may still be handed out (it has time
 * left), though it may be due for refresh. */
static bool usable(const struct mlc_token_cache *c, int64_t now)
{
	return c->cur.token && now < c->cur.expires_ms - USABLE_SLACK_MS;
}

int token_cache_get(struct mlc_token_cache *c, struct mlc_buf *out, struct mlc_error *err)
{
	struct token_entry fresh;
	struct mlc_error ferr = {0};
	int64_t now;
	uint64_t gen;
	int rc;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		now = c->clock(c->clock_arg);
		if (c->cur.token && now < c->cur.refresh_ms) {
			copy_token(&c->cur, out);
			rc = MLC_OK;
			break;
		}
		/* due, but a refresh is in flight or backing off: the old one serves */
		if (usable(c, now) && (c->refreshing || now < c->retry_at_ms)) {
			copy_token(&c->cur, out);
			rc = MLC_OK;
			break;
		}
		if (c->refreshing) {
			gen = c->generation;
			while (c->refreshing && c->generation == gen)
				pthread_cond_wait(&c->cond, &c->lock);
			now = c->clock(c->clock_arg);
			if (c->cur.token && now < c->cur.expires_ms) {
				copy_token(&c->cur, out);
				rc = MLC_OK;
				break;
			}
			if (c->last_rc < 0) {
				if (err)
					*err = c->last_err;
				rc = c->last_rc;
				break;
			}
			continue;
		}
		c->refreshing = true;
		pthread_mutex_unlock(&c->lock);
		rc = refresh(c, &fresh, &ferr);
		pthread_mutex_lock(&c->lock);
		now = c->clock(c->clock_arg);
		c->last_rc = rc;
		c->last_err = ferr;
		if (rc == MLC_OK) {
			token_entry_release(&c->cur);
			c->cur = fresh;
			c->retry_at_ms = 0;
			copy_token(&c->cur, out);
		} else if (usable(c, now)) {
			/* the endpoint failed, the token has not: keep going on it */
			c->retry_at_ms = now + REFRESH_RETRY_MS;
			copy_token(&c->cur, out);
			log_warn("token refresh failed; the current token serves until it expires",
				 "cache", c->name, "error", ferr.msg);
			rc = MLC_OK;
		} else if (err) {
			*err = ferr;
		}
		c->generation++;
		c->refreshing = false;
		pthread_cond_broadcast(&c->cond);
		break;
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

void token_cache_invalidate(struct mlc_token_cache *c, const char *rejected)
{
	unsigned char fp[TOKEN_FP_BYTES];

	if (!rejected || !*rejected)
		return;
	token_fingerprint(rejected, fp);
	token_cache_invalidate_fp(c, fp);
}

void token_cache_invalidate_fp(struct mlc_token_cache *c, const unsigned char *fp)
{
	unsigned char cur[TOKEN_FP_BYTES];
	bool dropped = false;

	pthread_mutex_lock(&c->lock);
	memcpy(c->rejected, fp, TOKEN_FP_BYTES);
	c->have_rejected = true;
	if (c->cur.token) {
		token_fingerprint(c->cur.token->data, cur);
		if (sodium_memcmp(cur, fp, TOKEN_FP_BYTES) == 0) {
			token_entry_release(&c->cur);
			c->stats.invalidations++;
			dropped = true;
		}
	}
	pthread_mutex_unlock(&c->lock);
	if (dropped) {
		log_info("token rejected by the peer; it will be refreshed", "cache", c->name);
		if (c->shared)
			token_shared_forget(c->shared, c->name, fp);
	}
}

void token_cache_stats(struct mlc_token_cache *c, struct mlc_token_stats *out)
{
	pthread_mutex_lock(&c->lock);
	*out = c->stats;
	pthread_mutex_unlock(&c->lock);
}

int64_t token_cache_refresh_at(struct mlc_token_cache *c)
{
	int64_t r;

	pthread_mutex_lock(&c->lock);
	r = c->cur.token ? c->cur.refresh_ms : 0;
	pthread_mutex_unlock(&c->lock);
	return r;
}
