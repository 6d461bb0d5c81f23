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

#include "auth/api_budget.h"
#include "net/metrics.h"
#include "util/time.h"
#include "util/banned.h"

/*
 * The shared API budgets' Lua scripts (auth/api_budget.c) against a
 * throwaway redis-server on a free loopback port.
 */

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

static void setup_budget(int lease_ms)
{
	struct api_budget_opts o = {redis_url, 3, lease_ms};
	struct mlc_error err = {0};

	flush();
	assert_int_equal(api_budget_setup(&o, &err), 0);
	assert_true(api_budget_shared());
}

/* limit holders at most; a release frees a slot; holders are distinct */
static void test_semaphore_limit(void **state)
{
	char h[4][API_HOLDER_MAX];

	(void)state;
	setup_budget(5000);
	for (int i = 0; i < 3; i++)
		assert_int_equal(api_sem_try("netsuite:T1", 3, h[i]), 1);
	assert_string_not_equal(h[0], h[1]);
	assert_int_equal(api_sem_try("netsuite:T1", 3, h[3]), 0);
	assert_int_equal(api_sem_count("netsuite:T1"), 3);
	/* another account has its own semaphore */
	assert_int_equal(api_sem_try("netsuite:T2", 3, h[3]), 1);
	api_sem_release("netsuite:T2", h[3]);
	api_sem_release("netsuite:T1", h[1]);
	assert_int_equal(api_sem_count("netsuite:T1"), 2);
	assert_int_equal(api_sem_try("netsuite:T1", 3, h[1]), 1);
	for (int i = 0; i < 3; i++)
		api_sem_release("netsuite:T1", h[i]);
	assert_int_equal(api_sem_count("netsuite:T1"), 0);
	api_budget_shutdown();
}

/* a dead holder's slot comes free when its lease runs out */
static void test_semaphore_lease_expires(void **state)
{
	redisContext *c;
	redisReply *r;
	char h[API_HOLDER_MAX];

	(void)state;
	setup_budget(5000);
	/* a holder of a process that died: its lease ends in 300 ms */
	c = connect_raw();
	assert_non_null(c);
	r = redisCommand(
	    c, "EVAL %s 1 mlc:budget:sem:netsuite:T3 %s",
	    "local t = redis.call('TIME') return redis.call('ZADD', KEYS[1], "
	    "tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + ARGV[1], 'dead:1')",
	    "300");
	assert_non_null(r);
	freeReplyObject(r);
	redisFree(c);
	assert_int_equal(api_sem_try("netsuite:T3", 1, h), 0);
	time_sleep_ms(400);
	assert_int_equal(api_sem_try("netsuite:T3", 1, h), 1);
	api_sem_release("netsuite:T3", h);
	api_budget_shutdown();
}

/* a live holder's lease is extended by the lease thread, never lost */
static void test_semaphore_lease_extended(void **state)
{
	char h[API_HOLDER_MAX], other[API_HOLDER_MAX];

	(void)state;
	setup_budget(300);
	assert_int_equal(api_sem_try("netsuite:T4", 1, h), 1);
	time_sleep_ms(900); /* three leases */
	assert_int_equal(api_sem_try("netsuite:T4", 1, other), 0);
	api_sem_release("netsuite:T4", h);
	assert_int_equal(api_sem_try("netsuite:T4", 1, other), 1);
	api_sem_release("netsuite:T4", other);
	api_budget_shutdown();
}

/* Redis unreachable: MLC_ETRANSIENT at once; the share and the gauge */
static void test_unreachable(void **state)
{
	struct api_budget_opts o = {"redis://127.0.0.1:1/0", 3, 0};
	struct mlc_error err = {0};
	char h[API_HOLDER_MAX];
	struct mlc_buf m = MLC_BUF_INIT;

	(void)state;
	assert_int_equal(api_budget_setup(&o, &err), 0);
	assert_int_equal(api_sem_try("netsuite:T5", 3, h), MLC_ETRANSIENT);
	assert_int_equal(api_budget_processes(), 3);
	assert_int_equal(api_budget_share(3), 1);
	assert_int_equal(api_budget_share(10), 3);
	assert_int_equal(api_budget_share(2), 1);
	api_budget_fallback("netsuite", true);
	metrics_render(&m);
	assert_non_null(strstr(m.data, "# TYPE mlc_api_budget_fallback gauge"));
	assert_non_null(strstr(m.data, "mlc_api_budget_fallback{api=\"netsuite\"} 1"));
	api_budget_fallback("netsuite", false);
	buf_setlen(&m, 0);
	metrics_render(&m);
	assert_non_null(strstr(m.data, "mlc_api_budget_fallback{api=\"netsuite\"} 0"));
	buf_release(&m);
	api_budget_shutdown();
}

static int live_count(void *arg)
{
	return *(int *)arg;
}

/* the store's count of live processes wins over the setting */
static void test_counter_hook(void **state)
{
	int live = 2;

	(void)state;
	api_budget_set_counter(live_count, &live);
	assert_int_equal(api_budget_processes(), 2);
	live = 0; /* unknown: the setting */
	struct api_budget_opts o = {NULL, 4, 0};
	struct mlc_error err = {0};
	assert_int_equal(api_budget_setup(&o, &err), 0);
	assert_false(api_budget_shared());
	assert_int_equal(api_budget_processes(), 4);
	api_budget_set_counter(NULL, NULL);
	api_budget_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_semaphore_limit),
	    cmocka_unit_test(test_semaphore_lease_expires),
	    cmocka_unit_test(test_semaphore_lease_extended),
	    cmocka_unit_test(test_unreachable),
	    cmocka_unit_test(test_counter_hook),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, start_redis, teardown);
}
