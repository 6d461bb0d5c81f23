#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>
#include <sodium.h>

#include "auth/redis_url.h"
#include "auth/token_internal.h"
#include "util/log.h"
#include "util/num.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

/*
 * The shared token cache in Redis.  Keys: "mlc:token:<key id>:<name>"
 * holds the sealed token (vault, associated data "mlc.token.v1\0<name>"),
 * and "mlc:token:<key id>:<name>:lock" the refresh lock.  Every process
 * sharing the Redis must share the master key, as they share the
 * database; the master key's id in the key keeps deployments (and a
 * rotated key) from reading each other's entries.  The name is the
 * cache's (auth/oauth.c): system, tenant name, tenant id and the version
 * of the tenant's secrets, so a re-added tenant or changed credentials
 * never read a token obtained with the old ones.
 *
 * Sealed payload: obtained, expires, refresh (int64 big-endian ms each),
 * then the token bytes.
 */
#define CONNECT_TIMEOUT_MS 300
#define COMMAND_TIMEOUT_MS 1000
#define RETRY_AFTER_MS     3000
#define HEAD_BYTES         24

/* Deletes KEYS[1] only while it still holds ARGV[1]. */
static const char del_if_equal[] = "if redis.call('get', KEYS[1]) == ARGV[1] then "
				   "return redis.call('del', KEYS[1]) else return 0 end";

struct mlc_token_shared {
	pthread_mutex_t lock;
	struct redis_url url;
	const struct mlc_vault *vault;
	redisContext *ctx;
	int64_t down_until; /* monotonic ms; 0: up */
	bool down_logged;
};

int token_shared_new(const char *url, const struct mlc_vault *v, struct mlc_token_shared **out,
		     struct mlc_error *err)
{
	struct mlc_token_shared *sh = xcalloc(1, sizeof(*sh));
	int rc;

	*out = NULL;
	pthread_mutex_init(&sh->lock, NULL);
	sh->vault = v;
	rc = redis_url_parse(&sh->url, url, err);
	if (rc < 0) {
		token_shared_free(sh);
		return rc;
	}
	*out = sh;
	return MLC_OK;
}

void token_shared_free(struct mlc_token_shared *sh)
{
	if (!sh)
		return;
	if (sh->ctx)
		redisFree(sh->ctx);
	pthread_mutex_destroy(&sh->lock);
	redis_url_release(&sh->url);
	free(sh);
}

/* Lock held.  Marks Redis down for a while and says so once per outage. */
static void mark_down(struct mlc_token_shared *sh, const char *why)
{
	/* why may be the context's errstr: logged before the context is freed
	 * (a use after free on every outage; found by fuzz/fuzz_redis.c) */
	if (!sh->down_logged) {
		log_warn("redis unavailable; tokens are cached in this process only", "error", why);
		sh->down_logged = true;
	}
	if (sh->ctx) {
		redisFree(sh->ctx);
		sh->ctx = NULL;
	}
	sh->down_until = time_mono_ms() + RETRY_AFTER_MS;
}

/* Lock held.  Runs one command, connecting first when needed.  NULL when
 * Redis is unavailable (already marked down). */
static redisReply *command(struct mlc_token_shared *sh, const char *fmt, ...)
{
	redisReply *r;
	va_list ap;

	if (sh->down_until && time_mono_ms() < sh->down_until)
		return NULL;
	if (!sh->ctx) {
		const char *why = NULL;
		sh->ctx = redis_url_connect(&sh->url, CONNECT_TIMEOUT_MS, COMMAND_TIMEOUT_MS, &why);
		if (!sh->ctx) {
			mark_down(sh, why);
			return NULL;
		}
		if (sh->down_logged)
			log_info("redis reachable again; tokens are shared");
		sh->down_until = 0;
		sh->down_logged = false;
	}
	va_start(ap, fmt);
	r = redisvCommand(sh->ctx, fmt, ap);
	va_end(ap);
	if (!r) {
		mark_down(sh, sh->ctx->errstr);
		return NULL;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		log_warn("redis command failed", "error", r->str);
		freeReplyObject(r);
		return NULL;
	}
	return r;
}

bool token_shared_up(struct mlc_token_shared *sh)
{
	bool up;

	pthread_mutex_lock(&sh->lock);
	up = !sh->down_until || time_mono_ms() >= sh->down_until;
	pthread_mutex_unlock(&sh->lock);
	return up;
}

static void key_of(const struct mlc_token_shared *sh, struct mlc_buf *k, const char *name,
		   const char *suffix)
{
	buf_addf(k, "mlc:token:%s:%s%s", sh->vault->key_id, name, suffix);
}

static void ad_of(struct mlc_buf *ad, const char *name)
{
	buf_addstr(ad, "mlc.token.v1");
	buf_addch(ad, '\0');
	buf_addstr(ad, name);
}

static void put64(unsigned char *p, int64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (unsigned char)((uint64_t)v & 0xff);
		v = (int64_t)((uint64_t)v >> 8);
	}
}

static int64_t get64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (int64_t)v;
}

int token_shared_load(struct mlc_token_shared *sh, const char *name, int64_t now_ms,
		      struct token_entry *out)
{
	struct mlc_buf key = MLC_BUF_INIT, ad = MLC_BUF_INIT;
	struct mlc_secret *plain = NULL;
	redisReply *r;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	key_of(sh, &key, name, "");
	pthread_mutex_lock(&sh->lock);
	r = command(sh, "GET %s", key.data);
	pthread_mutex_unlock(&sh->lock);
	if (!r) {
		rc = MLC_ETRANSIENT;
		goto out;
	}
	if (r->type != REDIS_REPLY_STRING)
		goto out;
	ad_of(&ad, name);
	if (vault_unseal(sh->vault, ad.data, ad.len, r->str, r->len, &plain, NULL) < 0 ||
	    plain->len <= HEAD_BYTES) {
		log_warn("shared token does not open (another master key?); ignoring it", "cache",
			 name);
		goto out;
	}
	out->obtained_ms = get64((unsigned char *)plain->data);
	out->expires_ms = get64((unsigned char *)plain->data + 8);
	out->refresh_ms = get64((unsigned char *)plain->data + 16);
	if (now_ms >= out->refresh_ms) {
		memset(out, 0, sizeof(*out));
		goto out;
	}
	out->token = secret_new(plain->data + HEAD_BYTES, plain->len - HEAD_BYTES);
	rc = 1;
out:
	freeReplyObject(r);
	secret_free(plain);
	buf_release(&key);
	buf_release(&ad);
	return rc;
}

int token_shared_store(struct mlc_token_shared *sh, const char *name, const struct token_entry *e,
		       int64_t ttl_ms)
{
	struct mlc_buf key = MLC_BUF_INIT, ad = MLC_BUF_INIT, box = MLC_BUF_INIT;
	struct mlc_secret *plain = secret_new(NULL, HEAD_BYTES + e->token->len);
	redisReply *r = NULL;
	int rc;

	put64((unsigned char *)plain->data, e->obtained_ms);
	put64((unsigned char *)plain->data + 8, e->expires_ms);
	put64((unsigned char *)plain->data + 16, e->refresh_ms);
	memcpy(plain->data + HEAD_BYTES, e->token->data, e->token->len);
	key_of(sh, &key, name, "");
	ad_of(&ad, name);
	rc = vault_seal(sh->vault, ad.data, ad.len, plain->data, plain->len, &box, NULL);
	if (rc < 0)
		goto out;
	pthread_mutex_lock(&sh->lock);
	r = command(sh, "SET %s %b PX %lld", key.data, box.data, box.len, (long long)ttl_ms);
	pthread_mutex_unlock(&sh->lock);
	rc = r ? 1 : MLC_ETRANSIENT;
out:
	freeReplyObject(r);
	secret_free(plain);
	buf_release(&key);
	buf_release(&ad);
	buf_release(&box);
	return rc;
}

int token_shared_lock(struct mlc_token_shared *sh, const char *name, int64_t ttl_ms,
		      char *lock_value)
{
	struct mlc_buf key = MLC_BUF_INIT;
	unsigned char rnd[16];
	redisReply *r;
	int rc;

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(lock_value, 33, rnd, sizeof(rnd));
	key_of(sh, &key, name, ":lock");
	pthread_mutex_lock(&sh->lock);
	r = command(sh, "SET %s %s NX PX %lld", key.data, lock_value, (long long)ttl_ms);
	pthread_mutex_unlock(&sh->lock);
	if (!r)
		rc = MLC_ETRANSIENT;
	else
		rc = r->type == REDIS_REPLY_STATUS ? 1 : 0;
	freeReplyObject(r);
	buf_release(&key);
	return rc;
}

void token_shared_unlock(struct mlc_token_shared *sh, const char *name, const char *lock_value)
{
	struct mlc_buf key = MLC_BUF_INIT;
	redisReply *r;

	key_of(sh, &key, name, ":lock");
	pthread_mutex_lock(&sh->lock);
	r = command(sh, "EVAL %s 1 %s %s", del_if_equal, key.data, lock_value);
	pthread_mutex_unlock(&sh->lock);
	freeReplyObject(r);
	buf_release(&key);
}

void token_shared_forget(struct mlc_token_shared *sh, const char *name, const unsigned char *fp)
{
	struct mlc_buf key = MLC_BUF_INIT, ad = MLC_BUF_INIT;
	struct mlc_secret *plain = NULL;
	redisReply *r = NULL, *d = NULL;
	unsigned char have[TOKEN_FP_BYTES];

	key_of(sh, &key, name, "");
	pthread_mutex_lock(&sh->lock);
	r = command(sh, "GET %s", key.data);
	pthread_mutex_unlock(&sh->lock);
	if (!r || r->type != REDIS_REPLY_STRING)
		goto out;
	ad_of(&ad, name);
	if (vault_unseal(sh->vault, ad.data, ad.len, r->str, r->len, &plain, NULL) < 0 ||
	    plain->len <= HEAD_BYTES)
		goto out;
	token_fingerprint(plain->data + HEAD_BYTES, have);
	if (sodium_memcmp(have, fp, TOKEN_FP_BYTES) != 0)
		goto out;
	/* delete only the very value read: a newer token stays */
	pthread_mutex_lock(&sh->lock);
	d = command(sh, "EVAL %s 1 %s %b", del_if_equal, key.data, r->str, r->len);
	pthread_mutex_unlock(&sh->lock);
out:
	freeReplyObject(r);
	freeReplyObject(d);
	secret_free(plain);
	buf_release(&key);
	buf_release(&ad);
}

bool token_shared_ping(struct mlc_token_shared *sh)
{
	redisReply *r;
	bool up;

	if (!sh)
		return false;
	pthread_mutex_lock(&sh->lock);
	r = command(sh, "PING");
	up = r && r->type == REDIS_REPLY_STATUS;
	freeReplyObject(r);
	pthread_mutex_unlock(&sh->lock);
	return up;
}
