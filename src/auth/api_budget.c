#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "auth/api_budget.h"
#include "auth/redis_url.h"
#include "net/metrics.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

/*
 * Shared API budgets (auth/api_budget.h).  Keys: "mlc:budget:sem:<name>"
 * (sorted set: member = holder, score = lease expiry in Redis ms).
 * Holders are "<host>:<pid>:<n>", unique in the deployment.
 */
#define CONNECT_TIMEOUT_MS 300
#define COMMAND_TIMEOUT_MS 1000
#define RETRY_AFTER_MS     1000
#define DEFAULT_LEASE_MS   30000

/* Redis's clock in ms: every process and machine agrees on it. */
#define LUA_NOW                                                                                    \
	"local t = redis.call('TIME') "                                                            \
	"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "

/* KEYS[1] the set; ARGV limit, lease ms, holder.  1: taken, 0: full. */
static const char sem_acquire[] =
    LUA_NOW "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now) "
	    "if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end "
	    "redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3]) "
	    "redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[2])) "
	    "return 1";

/* KEYS[1] the set; ARGV lease ms, holders...  Extends the holders still
 * in the set; returns how many were lost (their lease ran out). */
static const char sem_extend[] =
    LUA_NOW "local lost = 0 "
	    "for i = 2, #ARGV do "
	    "  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then "
	    "    redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i]) "
	    "  else lost = lost + 1 end "
	    "end "
	    "redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[1])) "
	    "return lost";

/* KEYS[1] the set.  Holders with a live lease. */
static const char sem_count[] = LUA_NOW
    "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now) return redis.call('ZCARD', KEYS[1])";

/* A slot held by this process, its lease extended by the lease thread. */
struct held {
	struct held *next;
	char *key;
	char holder[API_HOLDER_MAX];
};

static struct {
	pthread_mutex_t lock; /* everything below */
	bool setup, shared;
	struct redis_url url;
	redisContext *ctx;
	int64_t down_until; /* monotonic ms; 0: up */
	bool down_logged;
	int processes, lease_ms;
	api_budget_count_fn counter;
	void *counter_arg;
	uint64_t next_holder;
	char self[API_HOLDER_MAX / 2];
	struct held *held;
	pthread_t lease_thread;
	bool stop;
	pthread_cond_t wake;
	bool fallback[2]; /* netsuite, procore */
} bg = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

/* Lock held. */
static void mark_down(const char *why)
{
	if (!bg.down_logged) {
		log_warn("redis unavailable; API budgets fall back to a share per process", "error",
			 why);
		bg.down_logged = true;
	}
	if (bg.ctx) {
		redisFree(bg.ctx);
		bg.ctx = NULL;
	}
	bg.down_until = time_mono_ms() + RETRY_AFTER_MS;
}

/* Lock held.  An EVAL of script with nkeys keys then the other args
 * (strings); NULL when Redis is unavailable or the script failed. */
static redisReply *eval(const char *script, int nkeys, int argc, const char **argv)
{
	const char *av[16];
	redisReply *r;
	char nk[8];

	if (!bg.shared || argc + 3 > (int)MLC_ARRAY_LEN(av))
		return NULL;
	if (bg.down_until && time_mono_ms() < bg.down_until)
		return NULL;
	if (!bg.ctx) {
		const char *why = NULL;
		bg.ctx = redis_url_connect(&bg.url, CONNECT_TIMEOUT_MS, COMMAND_TIMEOUT_MS, &why);
		if (!bg.ctx) {
			mark_down(why);
			return NULL;
		}
		if (bg.down_logged)
			log_info("redis reachable again; API budgets are shared");
		bg.down_until = 0;
		bg.down_logged = false;
	}
	snprintf(nk, sizeof(nk), "%d", nkeys);
	av[0] = "EVAL";
	av[1] = script;
	av[2] = nk;
	for (int i = 0; i < argc; i++)
		av[3 + i] = argv[i];
	r = redisCommandArgv(bg.ctx, argc + 3, av, NULL);
	if (!r) {
		mark_down(bg.ctx->errstr);
		return NULL;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		log_warn("redis budget script failed", "error", r->str);
		freeReplyObject(r);
		return NULL;
	}
	return r;
}

int api_budget_eval_ints(const char *script, int nkeys, int argc, const char **argv, int64_t *out,
			 size_t nout)
{
	redisReply *r;
	int n = MLC_ETRANSIENT;

	pthread_mutex_lock(&bg.lock);
	r = eval(script, nkeys, argc, argv);
	pthread_mutex_unlock(&bg.lock);
	if (r && r->type == REDIS_REPLY_INTEGER && nout > 0) {
		out[0] = (int64_t)r->integer;
		n = 1;
	} else if (r && r->type == REDIS_REPLY_ARRAY) {
		n = 0;
		for (size_t i = 0; i < r->elements && (size_t)n < nout; i++)
			if (r->element[i]->type == REDIS_REPLY_INTEGER)
				out[n++] = (int64_t)r->element[i]->integer;
	}
	freeReplyObject(r);
	return n;
}

static void key_of(struct mlc_buf *k, const char *name)
{
	buf_addf(k, "mlc:budget:sem:%s", name);
}

/* Extends every lease this process holds, one script per semaphore. */
static void extend_all(void)
{
	struct held *h, *g;
	const char *argv[15];
	char lease[24];

	snprintf(lease, sizeof(lease), "%d", bg.lease_ms);
	for (h = bg.held; h; h = h->next) {
		int argc = 2;
		bool first = true;
		/* once per key: the first held entry of each key sends them all */
		for (g = bg.held; g != h; g = g->next)
			if (strcmp(g->key, h->key) == 0)
				first = false;
		if (!first)
			continue;
		argv[0] = h->key;
		argv[1] = lease;
		for (g = h; g && argc < (int)MLC_ARRAY_LEN(argv); g = g->next)
			if (strcmp(g->key, h->key) == 0)
				argv[argc++] = g->holder;
		redisReply *r = eval(sem_extend, 1, argc, argv);
		if (r && r->type == REDIS_REPLY_INTEGER && r->integer > 0)
			log_warn("API budget leases ran out while held; raise the lease", "key",
				 h->key);
		freeReplyObject(r);
	}
}

static void *lease_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&bg.lock);
	while (!bg.stop) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		int64_t ns = (int64_t)ts.tv_nsec + (int64_t)(bg.lease_ms / 3) * 1000000;
		ts.tv_sec += (time_t)(ns / 1000000000);
		ts.tv_nsec = (long)(ns % 1000000000);
		pthread_cond_timedwait(&bg.wake, &bg.lock, &ts);
		if (!bg.stop && bg.held)
			extend_all();
	}
	pthread_mutex_unlock(&bg.lock);
	return NULL;
}

int api_budget_setup(const struct api_budget_opts *o, struct mlc_error *err)
{
	char host[64] = "";
	int rc = MLC_OK;

	api_budget_shutdown();
	pthread_mutex_lock(&bg.lock);
	bg.processes = o->processes > 0 ? o->processes : 1;
	bg.lease_ms = o->lease_ms > 0 ? o->lease_ms : DEFAULT_LEASE_MS;
	gethostname(host, sizeof(host) - 1);
	snprintf(bg.self, sizeof(bg.self), "%.20s:%d", host, (int)getpid());
	bg.setup = true;
	if (o->redis_url && *o->redis_url) {
		rc = redis_url_parse(&bg.url, o->redis_url, err);
		if (rc == MLC_OK) {
			bg.shared = true;
			bg.stop = false;
			if (pthread_create(&bg.lease_thread, NULL, lease_main, NULL) != 0) {
				bg.shared = false;
				rc = error_set(err, MLC_ESTATE, "cannot start the lease thread");
			}
		}
		if (rc < 0)
			redis_url_release(&bg.url);
	}
	pthread_mutex_unlock(&bg.lock);
	return rc;
}

void api_budget_shutdown(void)
{
	bool joined;

	pthread_mutex_lock(&bg.lock);
	joined = bg.shared;
	bg.stop = true;
	pthread_cond_broadcast(&bg.wake);
	pthread_mutex_unlock(&bg.lock);
	if (joined)
		pthread_join(bg.lease_thread, NULL);
	pthread_mutex_lock(&bg.lock);
	while (bg.held) {
		struct held *h = bg.held;
		bg.held = h->next;
		free(h->key);
		free(h);
	}
	if (bg.ctx)
		redisFree(bg.ctx);
	bg.ctx = NULL;
	if (bg.shared)
		redis_url_release(&bg.url);
	bg.shared = false;
	bg.down_until = 0;
	bg.down_logged = false;
	pthread_mutex_unlock(&bg.lock);
}

bool api_budget_shared(void)
{
	bool s;

	pthread_mutex_lock(&bg.lock);
	s = bg.shared;
	pthread_mutex_unlock(&bg.lock);
	return s;
}

void api_budget_set_counter(api_budget_count_fn fn, void *arg)
{
	pthread_mutex_lock(&bg.lock);
	bg.counter = fn;
	bg.counter_arg = arg;
	pthread_mutex_unlock(&bg.lock);
}

int api_budget_processes(void)
{
	api_budget_count_fn fn;
	void *arg;
	int n;

	pthread_mutex_lock(&bg.lock);
	fn = bg.counter;
	arg = bg.counter_arg;
	n = bg.processes > 0 ? bg.processes : 1;
	pthread_mutex_unlock(&bg.lock);
	if (fn) {
		int live = fn(arg);
		if (live > 0)
			n = live;
	}
	return n;
}

int api_budget_share(int limit)
{
	int n = limit / api_budget_processes();

	return n > 0 ? n : 1;
}

void api_budget_fallback(const char *api, bool on)
{
	struct mlc_buf l = MLC_BUF_INIT;
	int i = strcmp(api, "procore") == 0;
	bool changed;

	pthread_mutex_lock(&bg.lock);
	changed = bg.fallback[i] != on;
	bg.fallback[i] = on;
	pthread_mutex_unlock(&bg.lock);
	metrics_labels(&l, "api", api, NULL);
	metrics_gauge_set("mlc_api_budget_fallback",
			  "1 while an API budget is kept per process (Redis unreachable)", l.data,
			  on ? 1 : 0);
	buf_release(&l);
	if (!changed)
		return;
	if (on)
		log_warn("API budget falls back to this process's share", "api", api);
	else
		log_info("API budget shared through redis again", "api", api);
}

int api_sem_try(const char *name, int limit, char *holder)
{
	struct mlc_buf key = MLC_BUF_INIT;
	char lim[16], lease[16];
	const char *argv[4];
	redisReply *r;
	int rc;

	snprintf(lim, sizeof(lim), "%d", limit);
	key_of(&key, name);
	pthread_mutex_lock(&bg.lock);
	snprintf(lease, sizeof(lease), "%d", bg.lease_ms);
	snprintf(holder, API_HOLDER_MAX, "%s:%llu", bg.self, (unsigned long long)++bg.next_holder);
	argv[0] = key.data;
	argv[1] = lim;
	argv[2] = lease;
	argv[3] = holder;
	r = eval(sem_acquire, 1, 4, argv);
	if (!r)
		rc = MLC_ETRANSIENT;
	else
		rc = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
	if (rc == 1) {
		struct held *h = xcalloc(1, sizeof(*h));
		h->key = buf_detach(&key, NULL);
		str_copy(h->holder, sizeof(h->holder), holder);
		h->next = bg.held;
		bg.held = h;
	}
	pthread_mutex_unlock(&bg.lock);
	freeReplyObject(r);
	buf_release(&key);
	return rc;
}

void api_sem_release(const char *name, const char *holder)
{
	struct mlc_buf key = MLC_BUF_INIT;
	redisReply *r = NULL;

	key_of(&key, name);
	pthread_mutex_lock(&bg.lock);
	for (struct held **p = &bg.held; *p; p = &(*p)->next) {
		struct held *h = *p;
		if (strcmp(h->holder, holder) == 0 && strcmp(h->key, key.data) == 0) {
			*p = h->next;
			free(h->key);
			free(h);
			break;
		}
	}
	if (bg.shared && !(bg.down_until && time_mono_ms() < bg.down_until) && bg.ctx) {
		r = redisCommand(bg.ctx, "ZREM %s %s", key.data, holder);
		if (!r)
			mark_down(bg.ctx->errstr);
	}
	pthread_mutex_unlock(&bg.lock);
	freeReplyObject(r);
	buf_release(&key);
}

int api_sem_count(const char *name)
{
	struct mlc_buf key = MLC_BUF_INIT;
	const char *argv[1];
	redisReply *r;
	int n;

	key_of(&key, name);
	argv[0] = key.data;
	pthread_mutex_lock(&bg.lock);
	r = eval(sem_count, 1, 1, argv);
	pthread_mutex_unlock(&bg.lock);
	n = r && r->type == REDIS_REPLY_INTEGER ? (int)r->integer : MLC_ETRANSIENT;
	freeReplyObject(r);
	buf_release(&key);
	return n;
}
