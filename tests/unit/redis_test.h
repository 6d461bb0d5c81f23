#ifndef MLC_REDIS_TEST_H
#define MLC_REDIS_TEST_H

/*
 * A throwaway redis-server on a free loopback port for unit tests of the
 * Redis scripts (persistence off): redis_test_start() as the group setup,
 * redis_test_stop() as its teardown; redis_test_url names it.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "util/time.h"

static pid_t redis_test_pid;
static int redis_test_port;
static char redis_test_url[64];

static int redis_test_free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* A raw connection to the test server, or NULL. */
static redisContext *redis_test_connect(void)
{
	struct timeval tv = {0, 200000};
	redisContext *c = redisConnectWithTimeout("127.0.0.1", redis_test_port, tv);

	if (c && c->err) {
		redisFree(c);
		return NULL;
	}
	return c;
}

static int redis_test_start(void **state)
{
	char port[16];

	(void)state;
	redis_test_port = redis_test_free_port();
	if (redis_test_port <= 0)
		return -1;
	snprintf(port, sizeof(port), "%d", redis_test_port);
	snprintf(redis_test_url, sizeof(redis_test_url), "redis://127.0.0.1:%d/0", redis_test_port);
	redis_test_pid = fork();
	if (redis_test_pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 1);
		execlp("redis-server", "redis-server", "--port", port, "--bind", "127.0.0.1",
		       "--save", "", "--appendonly", "no", "--daemonize", "no", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100; i++) {
		redisContext *c = redis_test_connect();
		if (c) {
			redisFree(c);
			return 0;
		}
		time_sleep_ms(50);
	}
	fprintf(stderr, "redis-server did not start on port %d (is it installed?)\n",
		redis_test_port);
	return -1;
}

static int redis_test_stop(void **state)
{
	(void)state;
	if (redis_test_pid > 0) {
		kill(redis_test_pid, SIGTERM);
		waitpid(redis_test_pid, NULL, 0);
		redis_test_pid = 0;
	}
	return 0;
}

/* Empties the test server; false when it does not answer. */
static bool redis_test_flush(void)
{
	redisContext *c = redis_test_connect();
	redisReply *r;

	if (!c)
		return false;
	r = redisCommand(c, "FLUSHALL");
	freeReplyObject(r);
	redisFree(c);
	return r != NULL;
}

#endif
