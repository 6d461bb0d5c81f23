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
#include <curl/curl.h>
#include <hiredis/hiredis.h>
#include <sodium.h>

#include "auth/oauth.h"
#include "core/store.h"
#include "core/tenant.h"
#include "core/vault.h"
#include "fake_http.h"
#include "test_world.h"
#include "token_fake.h"
#include "util/log.h"
#include "util/redact.h"
#include "util/time.h"
#include "util/banned.h"

/*
 * Issue #21 item 2 (the Redis half): the token shared through Redis is
 * keyed by tenant id and secret version (auth/oauth.c), not by tenant
 * name, so a tenant removed and re-added under the same name, or a tenant
 * whose credentials changed, never reads the token obtained with the old
 * credentials.  A real redis-server is started here on a free loopback
 * port, as in test_token_redis.c; the token endpoint is a loopback fake
 * that accepts two Procore credential pairs and says which one a token
 * came from.
 */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int calls;
static pid_t redis_pid;
static int redis_port;
static char redis_url[64];

static enum MHD_Result handle(struct MHD_Connection *c, const char *method, const char *url,
			      const char *body)
{
	char id[128], secret[128], reply[160];
	const char *who;
	int n;

	if (strcmp(method, "POST") != 0 || strcmp(url, "/pc/oauth/token") != 0)
		return fake_reply(c, 404, "{}", NULL);
	if (!fake_form_value(body, "client_id", id, sizeof(id)) ||
	    !fake_form_value(body, "client_secret", secret, sizeof(secret)))
		return fake_reply(c, 400, "{\"error\":\"invalid_request\"}", NULL);
	if (strcmp(id, "pc-client") == 0 && strcmp(secret, "pc-secret-value") == 0)
		who = "old";
	else if (strcmp(id, "pc-client") == 0 && strcmp(secret, "pc-secret-new") == 0)
		who = "new";
	else
		return fake_reply(c, 401, "{\"error\":\"invalid_client\"}", NULL);
	pthread_mutex_lock(&lock);
	n = ++calls;
	pthread_mutex_unlock(&lock);
	snprintf(reply, sizeof(reply),
		 "{\"access_token\":\"pc-%s-%04d\",\"token_type\":\"bearer\","
		 "\"expires_in\":5400,\"created_at\":1795000000}",
		 who, n);
	return fake_reply(c, 200, reply, NULL);
}

static int free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static int redis_up(void)
{
	struct timeval tv = {0, 200000};
	redisContext *c = redisConnectWithTimeout("127.0.0.1", redis_port, tv);
	int ok = c && !c->err;

	if (c)
		redisFree(c);
	return ok;
}

static int setup(void **state)
{
	char port[16];

	(void)state;
	if (fake_start(handle) != 0)
		return -1;
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
		if (redis_up())
			return 0;
		time_sleep_ms(50);
	}
	fprintf(stderr, "redis-server did not start on port %d (scripts/install-deps)\n",
		redis_port);
	return -1;
}

static int teardown(void **state)
{
	(void)state;
	if (redis_pid > 0) {
		kill(redis_pid, SIGTERM);
		waitpid(redis_pid, NULL, 0);
		redis_pid = 0;
	}
	fake_stop();
	return 0;
}

static void flush(void)
{
	struct timeval tv = {0, 200000};
	redisContext *c = redisConnectWithTimeout("127.0.0.1", redis_port, tv);

	assert_non_null(c);
	assert_int_equal(c->err, 0);
	freeReplyObject(redisCommand(c, "FLUSHALL"));
	redisFree(c);
}

static const struct world_opts pc_world = {"EC", "/ns", "/pc", NULL, 42, NULL};

/* A fresh provider (a new process, as far as the token is concerned:
 * nothing cached in process) for w's tenant, sharing through Redis. */
static void token_of(struct world *w, struct fake_clock *clk, char *out, size_t n)
{
	struct mlc_token_shared *sh = NULL;
	struct mlc_oauth_opts o = {0};
	struct mlc_oauth *a = NULL;
	struct mlc_buf tok = MLC_BUF_INIT;
	struct mlc_error err = {0};

	assert_int_equal(token_shared_new(redis_url, w->vault, &sh, &err), 0);
	o.store = w->store;
	o.vault = w->vault;
	o.tenant = &w->tenant;
	o.shared = sh;
	o.clock = fake_now;
	o.clock_arg = clk;
	assert_int_equal(oauth_new(MLC_OAUTH_PROCORE, &o, &a, &err), 0);
	assert_int_equal(oauth_token(a, &tok, &err), 0);
	snprintf(out, n, "%s", tok.data);
	buf_release_wipe(&tok);
	oauth_free(a);
	token_shared_free(sh);
}

static void set_secret(struct world *w, const char *value)
{
	struct mlc_error err = {0};

	assert_int_equal(secret_set(w->store, w->vault, w->tenant.id, "procore.client_secret",
				    value, strlen(value), &err),
			 0);
}

/* The share works at all: a second process adopts the first one's token. */
static void test_shared_same_tenant(void **state)
{
	struct world w;
	struct fake_clock clk = FAKE_CLOCK_INIT;
	char t1[64], t2[64];

	(void)state;
	flush();
	world_init(&w, &pc_world, fake_port);
	calls = 0;
	token_of(&w, &clk, t1, sizeof(t1));
	token_of(&w, &clk, t2, sizeof(t2));
	assert_string_equal(t1, "pc-old-0001");
	assert_string_equal(t2, "pc-old-0001");
	assert_int_equal(calls, 1);
	world_release(&w);
}

/* Removed and re-added under the same name with new credentials: the old
 * tenant's token is not served from Redis. */
static void test_readded_tenant_not_served_old_token(void **state)
{
	struct world w;
	struct fake_clock clk = FAKE_CLOCK_INIT;
	struct mlc_tenant_changes c = {0};
	struct mlc_error err = {0};
	char ns[128], pa[128], t1[64], t2[64];

	(void)state;
	flush();
	world_init(&w, &pc_world, fake_port);
	calls = 0;
	token_of(&w, &clk, t1, sizeof(t1));
	assert_string_equal(t1, "pc-old-0001");

	snprintf(ns, sizeof(ns), "http://127.0.0.1:%d/ns", fake_port);
	snprintf(pa, sizeof(pa), "http://127.0.0.1:%d/pc", fake_port);
	assert_int_equal(tenant_remove(w.store, "acme", &err), 0);
	c.procore_company_id = 42;
	c.netsuite_account = "1234567";
	c.netsuite_url = ns;
	c.procore_auth_url = pa;
	assert_int_equal(tenant_add(w.store, "acme", &c, &err), 0);
	tenant_release(&w.tenant);
	assert_int_equal(tenant_get(w.store, "acme", &w.tenant, &err), 0);
	assert_int_equal(
	    secret_set(w.store, w.vault, w.tenant.id, "procore.client_id", "pc-client", 9, &err),
	    0);
	set_secret(&w, "pc-secret-new");

	token_of(&w, &clk, t2, sizeof(t2));
	assert_string_equal(t2, "pc-new-0002");
	assert_int_equal(calls, 2);
	world_release(&w);
}

/* Same tenant, changed credentials (secret set): a new token. */
static void test_changed_secret_not_served_old_token(void **state)
{
	struct world w;
	struct fake_clock clk = FAKE_CLOCK_INIT;
	char t1[64], t2[64], t3[64];

	(void)state;
	flush();
	world_init(&w, &pc_world, fake_port);
	calls = 0;
	token_of(&w, &clk, t1, sizeof(t1));
	assert_string_equal(t1, "pc-old-0001");
	set_secret(&w, "pc-secret-new");
	token_of(&w, &clk, t2, sizeof(t2));
	assert_string_equal(t2, "pc-new-0002");
	/* and the new token is shared again */
	token_of(&w, &clk, t3, sizeof(t3));
	assert_string_equal(t3, "pc-new-0002");
	assert_int_equal(calls, 2);
	world_release(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shared_same_tenant),
	    cmocka_unit_test(test_readded_tenant_not_served_old_token),
	    cmocka_unit_test(test_changed_secret_not_served_old_token),
	};
	int rc;

	if (sodium_init() < 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	log_setup(MLC_LOG_ERROR, MLC_LOG_LOGFMT, stderr);
	rc = cmocka_run_group_tests(tests, setup, teardown);
	curl_global_cleanup();
	redact_reset();
	return rc;
}
