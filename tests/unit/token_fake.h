#ifndef MLC_TEST_TOKEN_FAKE_H
#define MLC_TEST_TOKEN_FAKE_H

/*
 * Test doubles for the token caches: a token endpoint that counts its
 * calls, and a clock the test moves.  Header-only so each test binary
 * gets its own copy.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "auth/token.h"
#include "util/time.h"

struct fake_endpoint {
	pthread_mutex_t lock;
	int calls;
	int fail;     /* answer errors while set */
	int delay_ms; /* think this long (widens race windows) */
	int64_t expires_in;
	const char *prefix;
};

static inline int fake_fetch(void *arg, struct mlc_token_grant *out, struct mlc_error *err)
{
	struct fake_endpoint *f = arg;
	char tok[64];
	int n, fail;

	pthread_mutex_lock(&f->lock);
	n = ++f->calls;
	fail = f->fail;
	pthread_mutex_unlock(&f->lock);
	if (f->delay_ms)
		time_sleep_ms(f->delay_ms);
	if (fail)
		return error_set(err, MLC_EAUTH, "endpoint says no (%d)", n);
	snprintf(tok, sizeof(tok), "%s-token-%04d", f->prefix ? f->prefix : "t", n);
	out->access_token = secret_new(tok, strlen(tok));
	out->expires_in_s = f->expires_in;
	return MLC_OK;
}

static inline int fake_calls(struct fake_endpoint *f)
{
	int n;

	pthread_mutex_lock(&f->lock);
	n = f->calls;
	pthread_mutex_unlock(&f->lock);
	return n;
}

struct fake_clock {
	pthread_mutex_t lock;
	int64_t now;
};

static inline int64_t fake_now(void *arg)
{
	struct fake_clock *c = arg;
	int64_t v;

	pthread_mutex_lock(&c->lock);
	v = c->now;
	pthread_mutex_unlock(&c->lock);
	return v;
}

static inline void fake_advance(struct fake_clock *c, int64_t ms)
{
	pthread_mutex_lock(&c->lock);
	c->now += ms;
	pthread_mutex_unlock(&c->lock);
}

#define FAKE_ENDPOINT_INIT                                                                         \
	{                                                                                          \
		PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, 3600, NULL                                     \
	}
#define FAKE_CLOCK_INIT                                                                            \
	{                                                                                          \
		PTHREAD_MUTEX_INITIALIZER, 1795000000000LL                                         \
	}

#endif
