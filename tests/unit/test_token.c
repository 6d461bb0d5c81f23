#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "auth/token.h"
#include "token_fake.h"
#include "util/log.h"
#include "util/banned.h"

#define MIN_MS (60 * 1000LL)

static const struct mlc_token_policy ns_policy = {0, 5 * MIN_MS};
static const struct mlc_token_policy pc_policy = {80 * MIN_MS, 10 * MIN_MS};

static struct mlc_token_cache *make_cache(struct fake_endpoint *f, struct fake_clock *clk,
					  const struct mlc_token_policy *p)
{
	struct mlc_token_cache_opts o = {0};

	o.name = "test";
	o.policy = *p;
	o.fetch = fake_fetch;
	o.fetch_arg = f;
	o.clock = fake_now;
	o.clock_arg = clk;
	return token_cache_new(&o);
}

static void test_schedule(void **state)
{
	int64_t t0 = 1000;

	(void)state;
	/* NetSuite: 60 min tokens refreshed at 55 min */
	assert_int_equal(token_refresh_at(&ns_policy, t0, 3600), t0 + 55 * MIN_MS);
	/* Procore: 90 min -> 80; 2 h -> still 80; 1 h -> 50 (expires_in - 10) */
	assert_int_equal(token_refresh_at(&pc_policy, t0, 5400), t0 + 80 * MIN_MS);
	assert_int_equal(token_refresh_at(&pc_policy, t0, 7200), t0 + 80 * MIN_MS);
	assert_int_equal(token_refresh_at(&pc_policy, t0, 3600), t0 + 50 * MIN_MS);
	/* shorter than the margin: half its life */
	assert_int_equal(token_refresh_at(&pc_policy, t0, 300), t0 + 150 * 1000);
}

static void get_ok(struct mlc_token_cache *c, const char *want)
{
	struct mlc_buf b = MLC_BUF_INIT;
	struct mlc_error err = {0};

	assert_int_equal(token_cache_get(c, &b, &err), 0);
	if (want)
		assert_string_equal(b.data, want);
	buf_release_wipe(&b);
}

static void test_refresh_by_clock(void **state)
{
	struct fake_endpoint f = FAKE_ENDPOINT_INIT;
	struct fake_clock clk = FAKE_CLOCK_INIT;
	struct mlc_token_cache *c;

	(void)state;
	f.expires_in = 5400;
	c = make_cache(&f, &clk, &pc_policy);
	get_ok(c, "t-token-0001");
	assert_int_equal(token_cache_refresh_at(c), clk.now + 80 * MIN_MS);
	fake_advance(&clk, 79 * MIN_MS);
	get_ok(c, "t-token-0001");
	assert_int_equal(fake_calls(&f), 1);
	fake_advance(&clk, MIN_MS);
	get_ok(c, "t-token-0002");
	assert_int_equal(fake_calls(&f), 2);
	/* the schedule follows expires_in, never a constant */
	f.expires_in = 1800;
	fake_advance(&clk, 80 * MIN_MS);
	get_ok(c, "t-token-0003");
	assert_int_equal(token_cache_refresh_at(c), clk.now + 20 * MIN_MS);
	token_cache_free(c);
}

static void test_invalidate_once(void **state)
{
	struct fake_endpoint f = FAKE_ENDPOINT_INIT;
	struct fake_clock clk = FAKE_CLOCK_INIT;
	struct mlc_token_cache *c = make_cache(&f, &clk, &ns_policy);
	struct mlc_token_stats st;

	(void)state;
	get_ok(c, "t-token-0001");
	token_cache_invalidate(c, "t-token-0001");
	get_ok(c, "t-token-0002");
	/* a late 401 for the old token does not throw the new one away */
	token_cache_invalidate(c, "t-token-0001");
	get_ok(c, "t-token-0002");
	assert_int_equal(fake_calls(&f), 2);
	token_cache_stats(c, &st);
	assert_int_equal(st.invalidations, 1);
	assert_int_equal(st.fetches, 2);
	token_cache_free(c);
}

struct runner {
	struct mlc_token_cache *cache;
	int rc;
	char token[64];
};

static void *run_get(void *arg)
{
	struct runner *r = arg;
	struct mlc_buf b = MLC_BUF_INIT;
	struct mlc_error err = {0};

	r->rc = token_cache_get(r->cache, &b, &err);
	if (r->rc == 0)
		snprintf(r->token, sizeof(r->token), "%s", b.data);
	buf_release_wipe(&b);
	return NULL;
}

static void run_threads(struct mlc_token_cache *c, struct runner *rs, int n)
{
	pthread_t th[64];

	for (int i = 0; i < n; i++) {
		rs[i].cache = c;
		assert_int_equal(pthread_create(&th[i], NULL, run_get, &rs[i]), 0);
	}
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
}

static void test_single_flight(void **state)
{
	struct fake_endpoint f = FAKE_ENDPOINT_INIT;
	struct fake_clock clk = FAKE_CLOCK_INIT;
	struct mlc_token_cache *c;
	struct runner rs[50];

	(void)state;
	f.delay_ms = 100;
	c = make_cache(&f, &clk, &ns_policy);
	memset(rs, 0, sizeof(rs));
	run_threads(c, rs, 50);
	assert_int_equal(fake_calls(&f), 1);
	for (int i = 0; i < 50; i++) {
		assert_int_equal(rs[i].rc, 0);
		assert_string_equal(rs[i].token, "t-token-0001");
	}
	/* due again: still one request for fifty callers */
	fake_advance(&clk, 56 * MIN_MS);
	memset(rs, 0, sizeof(rs));
	run_threads(c, rs, 50);
	assert_int_equal(fake_calls(&f), 2);
	for (int i = 0; i < 50; i++)
		assert_int_equal(rs[i].rc, 0);
	token_cache_free(c);
}

static void test_failure_shared(void **state)
{
	struct fake_endpoint f = FAKE_ENDPOINT_INIT;
	struct fake_clock clk = FAKE_CLOCK_INIT;
	struct mlc_token_cache *c;
	struct runner rs[20];
	struct mlc_buf b = MLC_BUF_INIT;
	struct mlc_error err = {0};

	(void)state;
	f.delay_ms = 100;
	f.fail = 1;
	c = make_cache(&f, &clk, &ns_policy);
	memset(rs, 0, sizeof(rs));
	run_threads(c, rs, 20);
	for (int i = 0; i < 20; i++)
		assert_int_equal(rs[i].rc, MLC_EAUTH);
	/* the waiters shared the failure instead of each asking again */
	assert_true(fake_calls(&f) < 5);
	f.fail = 0;
	f.delay_ms = 0;
	assert_int_equal(token_cache_get(c, &b, &err), 0);
	buf_release_wipe(&b);
	token_cache_free(c);
}

static void test_endpoint_down_old_token_serves(void **state)
{
	struct fake_endpoint f = FAKE_ENDPOINT_INIT;
	struct fake_clock clk = FAKE_CLOCK_INIT;
	struct mlc_token_cache *c = make_cache(&f, &clk, &ns_policy);
	struct mlc_buf b = MLC_BUF_INIT;
	struct mlc_error err = {0};

	(void)state;
	get_ok(c, "t-token-0001");
	f.fail = 1;
	/* due at 55 min; the endpoint fails: the token (valid to 60) serves */
	fake_advance(&clk, 56 * MIN_MS);
	get_ok(c, "t-token-0001");
	assert_int_equal(fake_calls(&f), 2);
	/* and the endpoint is not asked again at once */
	get_ok(c, "t-token-0001");
	assert_int_equal(fake_calls(&f), 2);
	fake_advance(&clk, 11 * 1000);
	get_ok(c, "t-token-0001");
	assert_int_equal(fake_calls(&f), 3);
	/* too close to expiry to hand out: the failure reaches the caller */
	fake_advance(&clk, 3 * MIN_MS + 40 * 1000);
	assert_int_equal(token_cache_get(c, &b, &err), MLC_EAUTH);
	assert_non_null(strstr(err.msg, "endpoint says no"));
	buf_release_wipe(&b);
	/* back: refreshed on the next call */
	f.fail = 0;
	get_ok(c, "t-token-0005");
	token_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_schedule),
	    cmocka_unit_test(test_refresh_by_clock),
	    cmocka_unit_test(test_invalidate_once),
	    cmocka_unit_test(test_single_flight),
	    cmocka_unit_test(test_failure_shared),
	    cmocka_unit_test(test_endpoint_down_old_token_serves),
	};
	if (sodium_init() < 0)
		return 1;
	log_setup(MLC_LOG_WARN, MLC_LOG_LOGFMT, stderr);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
