#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <hiredis/hiredis.h>
#include <sodium.h>

#include "auth/token.h"
#include "token_fake.h"
#include "util/log.h"
#include "util/banned.h"

/*
 * The shared token cache against a real redis-server, started here on a
 * free loopback port (scripts/install-deps installs it; no skipping).
 */

#define MIN_MS (60 * 1000LL)

static pid_t redis_pid;
static int redis_port;
static char redis_url[64];

static int free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static redisContext *connect_raw(void)
{
	struct timeval tv = {0, 200000};
	redisContext *c = redisConnectWithTimeout("127.0.0.1", redis_port, tv);

	if (c && c->err) {
		redisFree(c);
		return NULL;
	}
	return c;
}

static int start_redis(void **state)
{
	char port[16];

	(void)state;
	redis_port = free_port();
	if (redis_port <= 0)
		return -1;
	snprintf(port, sizeof(port), "%d", redis_port);
	snprintf(redis_url, sizeof(redis_url), "redis://127.0.0.1:%d/0", redis_port);
	redis_pid = fork();
	if (redis_pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 1);
		execlp("redis-server", "redis-server", "--port", port, "--bind", "127.0.0.1",
		       "--save", "", "--appendonly", "no", "--daemonize", "no", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100; i++) {
		redisContext *c = connect_raw();
		if (c) {
			redisFree(c);
			return 0;
		}
		time_sleep_ms(50);
	}
	fprintf(stderr,
		"redis-server did not start on port %d (is it installed? "
		"scripts/install-deps)\n",
		redis_port);
	return -1;
}

static void stop_redis(void)
{
	if (redis_pid > 0) {
		kill(redis_pid, SIGTERM);
		waitpid(redis_pid, NULL, 0);
		redis_pid = 0;
	}
}

static int teardown(void **state)
{
	(void)state;
	stop_redis();
	return 0;
}

static void flush(void)
{
	redisContext *c = connect_raw();
	redisReply *r;

	assert_non_null(c);
	r = redisCommand(c, "FLUSHALL");
	freeReplyObject(r);
	redisFree(c);
}

/* One "process": its own Redis connection, vault copy and cache. */
struct proc {
	struct mlc_vault *vault;
	struct mlc_token_shared *shared;
	struct mlc_token_cache *cache;
	struct fake_endpoint ep;
};

static void proc_init_url(struct proc *p, struct fake_clock *clk, const char *prefix,
			  const char *url)
{
	unsigned char key[VAULT_KEY_BYTES];
	struct mlc_token_cache_opts o = {0};
	struct mlc_error err = {0};
	struct fake_endpoint ep = FAKE_ENDPOINT_INIT;

	memset(key, 0x42, sizeof(key));
	assert_int_equal(vault_new(key, sizeof(key), &p->vault, &err), 0);
	assert_int_equal(token_shared_new(url, p->vault, &p->shared, &err), 0);
	p->ep = ep;
	p->ep.prefix = prefix;
	p->ep.delay_ms = 150;
	o.name = "netsuite:acme";
	o.policy.margin_ms = 5 * MIN_MS;
	o.fetch = fake_fetch;
	o.fetch_arg = &p->ep;
	o.clock = fake_now;
	o.clock_arg = clk;
	o.shared = p->shared;
	p->cache = token_cache_new(&o);
}

static void proc_init(struct proc *p, struct fake_clock *clk, const char *prefix)
{
	proc_init_url(p, clk, prefix, redis_url);
}

static void proc_release(struct proc *p)
{
	token_cache_free(p->cache);
	token_shared_free(p->shared);
	vault_free(p->vault);
}

struct runner {
	struct mlc_token_cache *cache;
	int rc;
	char token[600];
};

static void *run_get(void *arg)
{
	struct runner *r = arg;
	struct mlc_buf b = MLC_BUF_INIT;
	struct mlc_error err = {0};

	r->rc = token_cache_get(r->cache, &b, &err);
	snprintf(r->token, sizeof(r->token), "%s", r->rc == 0 ? b.data : err.msg);
	buf_release_wipe(&b);
	return NULL;
}

/* n threads in each of the processes at once. */
static void run_both(struct proc *a, struct proc *b, int n, struct runner *rs)
{
	pthread_t th[40];

	for (int i = 0; i < 2 * n; i++) {
		rs[i].cache = i % 2 ? b->cache : a->cache;
		assert_int_equal(pthread_create(&th[i], NULL, run_get, &rs[i]), 0);
	}
	for (int i = 0; i < 2 * n; i++)
		pthread_join(th[i], NULL);
}

static void test_two_processes_one_request(void **state)
{
	struct fake_clock clk = FAKE_CLOCK_INIT;
	struct proc a, b;
	struct runner rs[40];
	redisContext *raw;
	redisReply *r;

	(void)state;
	flush();
	proc_init(&a, &clk, "a");
	proc_init(&b, &clk, "b");
	memset(rs, 0, sizeof(rs));
	run_both(&a, &b, 20, rs);
	assert_int_equal(fake_calls(&a.ep) + fake_calls(&b.ep), 1);
	for (int i = 1; i < 40; i++) {
		assert_int_equal(rs[i].rc, 0);
		assert_string_equal(rs[i].token, rs[0].token);
	}
	/* stored sealed, with a TTL of about the time to refresh (55 min) */
	raw = connect_raw();
	r = redisCommand(raw, "GET mlc:token:%s:netsuite:acme", a.vault->key_id);
	assert_int_equal(r->type, REDIS_REPLY_STRING);
	assert_null(memmem(r->str, r->len, "-token-", 7));
	freeReplyObject(r);
	r = redisCommand(raw, "PTTL mlc:token:%s:netsuite:acme", a.vault->key_id);
	assert_true(r->integer > 54 * MIN_MS && r->integer <= 55 * MIN_MS);
	freeReplyObject(r);
	redisFree(raw);

	/* due: again one request for both */
	fake_advance(&clk, 56 * MIN_MS);
	memset(rs, 0, sizeof(rs));
	run_both(&a, &b, 20, rs);
	assert_int_equal(fake_calls(&a.ep) + fake_calls(&b.ep), 2);

	/* a 401 in one process: the other does not adopt the rejected token */
	/* (rs[] may hold the previous token: it served while the refresh ran) */
	memset(rs, 0, sizeof(rs));
	rs[0].cache = a.cache;
	run_get(&rs[0]);
	token_cache_invalidate(a.cache, rs[0].token);
	memset(rs, 0, sizeof(rs));
	run_both(&a, &b, 1, rs);
	assert_int_equal(rs[0].rc, 0);
	assert_int_equal(fake_calls(&a.ep) + fake_calls(&b.ep), 3);
	proc_release(&a);
	proc_release(&b);
}

static void redis_config(const char *param, const char *value, const char *auth)
{
	redisContext *c = connect_raw();
	redisReply *r;

	assert_non_null(c);
	if (auth)
		freeReplyObject(redisCommand(c, "AUTH %s", auth));
	r = redisCommand(c, "CONFIG SET %s %s", param, value);
	assert_non_null(r);
	assert_int_equal(r->type, REDIS_REPLY_STATUS);
	freeReplyObject(r);
	redisFree(c);
}

static void test_password(void **state)
{
	struct fake_clock clk = FAKE_CLOCK_INIT;
	struct proc a, b;
	struct mlc_buf tok = MLC_BUF_INIT;
	struct mlc_error err = {0};
	char url[96];

	(void)state;
	flush();
	redis_config("requirepass", "s3cret-pw", NULL);
	snprintf(url, sizeof(url), "redis://:s3cret-pw@127.0.0.1:%d/0", redis_port);
	proc_init_url(&a, &clk, "a", url);
	snprintf(url, sizeof(url), "redis://default:s3cret-pw@127.0.0.1:%d/0", redis_port);
	proc_init_url(&b, &clk, "b", url);
	a.ep.delay_ms = b.ep.delay_ms = 0;
	assert_int_equal(token_cache_get(a.cache, &tok, &err), 0);
	buf_release_wipe(&tok);
	/* b (ACL user form) adopts what a published */
	assert_int_equal(token_cache_get(b.cache, &tok, &err), 0);
	assert_string_equal(tok.data, "a-token-0001");
	buf_release_wipe(&tok);
	assert_int_equal(fake_calls(&b.ep), 0);
	proc_release(&b);
	/* a wrong password: in process, never a failure */
	snprintf(url, sizeof(url), "redis://:wrong@127.0.0.1:%d/0", redis_port);
	proc_init_url(&b, &clk, "b", url);
	b.ep.delay_ms = 0;
	assert_int_equal(token_cache_get(b.cache, &tok, &err), 0);
	assert_string_equal(tok.data, "b-token-0001");
	buf_release_wipe(&tok);
	proc_release(&a);
	proc_release(&b);
	redis_config("requirepass", "", "s3cret-pw");
}

static void test_redis_down_continues(void **state)
{
	struct fake_clock clk = FAKE_CLOCK_INIT;
	struct proc a;
	struct runner rs[2];
	struct mlc_buf tok = MLC_BUF_INIT;
	struct mlc_error err = {0};

	(void)state;
	flush();
	proc_init(&a, &clk, "a");
	a.ep.delay_ms = 0;
	assert_int_equal(token_cache_get(a.cache, &tok, &err), 0);
	buf_release_wipe(&tok);
	stop_redis();
	/* the cached token still serves */
	assert_int_equal(token_cache_get(a.cache, &tok, &err), 0);
	buf_release_wipe(&tok);
	assert_int_equal(fake_calls(&a.ep), 1);
	/* due with Redis gone: fetched directly, no failure */
	fake_advance(&clk, 56 * MIN_MS);
	memset(rs, 0, sizeof(rs));
	rs[0].cache = a.cache;
	run_get(&rs[0]);
	assert_int_equal(rs[0].rc, 0);
	assert_string_equal(rs[0].token, "a-token-0002");
	fake_advance(&clk, 56 * MIN_MS);
	assert_int_equal(token_cache_get(a.cache, &tok, &err), 0);
	buf_release_wipe(&tok);
	assert_int_equal(fake_calls(&a.ep), 3);
	proc_release(&a);
}

static void test_bad_url(void **state)
{
	struct mlc_token_shared *sh = NULL;
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(token_shared_new("http://x", NULL, &sh, &err), MLC_ECONFIG);
	assert_int_equal(token_shared_new("redis://h:99999", NULL, &sh, &err), MLC_ECONFIG);
	assert_int_equal(token_shared_new("redis://:pw@h:6380/2", NULL, &sh, &err), 0);
	token_shared_free(sh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_url),
	    cmocka_unit_test(test_two_processes_one_request),
	    cmocka_unit_test(test_password),
	    cmocka_unit_test(test_redis_down_continues),
	};
	if (sodium_init() < 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	log_setup(MLC_LOG_ERROR, MLC_LOG_LOGFMT, stderr);
	return cmocka_run_group_tests(tests, start_redis, teardown);
}
