#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "redis_test.h"

#include "auth/api_budget.h"
#include "auth/pc_quota.h"
#include "net/metrics.h"
#include "util/buf.h"
#include "util/banned.h"

/*
 * The Procore bucket's Lua scripts (auth/pc_quota.c) against a throwaway
 * redis-server, and its per-process share while Redis is unreachable.
 */

static void setup_shared(void)
{
	struct api_budget_opts o = {redis_test_url, 3, 0};
	struct mlc_error err = {0};

	assert_true(redis_test_flush());
	assert_int_equal(api_budget_setup(&o, &err), 0);
	assert_true(api_budget_shared());
}

/* nothing known: requests go, each with the next ticket */
static void test_unknown_admits(void **state)
{
	int64_t t1 = 0, t2 = 0, lim = 0;

	(void)state;
	setup_shared();
	assert_int_equal(pc_bucket_take("app:1", &t1), 0);
	assert_int_equal(pc_bucket_take("app:1", &t2), 0);
	assert_int_equal(t2, t1 + 1);
	assert_int_equal(pc_bucket_left("app:1", 's', &lim), MLC_ENOTFOUND);
	assert_int_equal(pc_bucket_left("app:1", 'h', &lim), MLC_ENOTFOUND);
	api_budget_shutdown();
}

/* the headers set what is left; a spent window waits for its end */
static void test_spike_window_spent(void **state)
{
	int64_t t = 0, lim = 0, w;

	(void)state;
	setup_shared();
	assert_int_equal(pc_bucket_take("app:2", &t), 0);
	/* 10 per 10 s, 5 left, the window ends in 5 s */
	assert_int_equal(pc_bucket_observe("app:2", t, 10, 5, 5000), 0);
	assert_int_equal(pc_bucket_left("app:2", 's', &lim), 5);
	assert_int_equal(lim, 10);
	assert_int_equal(pc_bucket_left("app:2", 'h', &lim), MLC_ENOTFOUND);
	for (int i = 0; i < 5; i++)
		assert_int_equal(pc_bucket_take("app:2", &t), 0);
	assert_int_equal(pc_bucket_left("app:2", 's', NULL), 0);
	w = pc_bucket_take("app:2", &t);
	assert_true(w > 4000 && w <= 5250 + 50);
	/* a wait takes nothing */
	assert_int_equal(pc_bucket_left("app:2", 's', NULL), 0);
	api_budget_shutdown();
}

/* never more than Procore says: the requests admitted after the one
 * answered are taken off; a later, larger figure does not raise it */
static void test_never_believes_more(void **state)
{
	int64_t t[4] = {0}, lim = 0;

	(void)state;
	setup_shared();
	for (int i = 0; i < 4; i++)
		assert_int_equal(pc_bucket_take("app:3", &t[i]), 0);
	/* the answer to the first: 8 left when it arrived, 3 more went since */
	assert_int_equal(pc_bucket_observe("app:3", t[0], 10, 8, 6000), 0);
	assert_int_equal(pc_bucket_left("app:3", 's', &lim), 5);
	/* an answer that overtook: says more is left, believed less */
	assert_int_equal(pc_bucket_observe("app:3", t[3], 10, 9, 6000), 0);
	assert_int_equal(pc_bucket_left("app:3", 's', NULL), 5);
	/* one that says less wins */
	assert_int_equal(pc_bucket_observe("app:3", t[3], 10, 2, 6000), 0);
	assert_int_equal(pc_bucket_left("app:3", 's', NULL), 2);
	api_budget_shutdown();
}

/* the hour is told from the 10 s window by the distance to its end and
 * then by its limit; both are spent by a take */
static void test_hour_and_spike(void **state)
{
	int64_t t = 0, lim = 0;

	(void)state;
	setup_shared();
	assert_int_equal(pc_bucket_take("app:4", &t), 0);
	assert_int_equal(pc_bucket_observe("app:4", t, 3600, 200, 1800000), 0);
	assert_int_equal(pc_bucket_left("app:4", 'h', &lim), 200);
	assert_int_equal(lim, 3600);
	assert_int_equal(pc_bucket_observe("app:4", t, 100, 90, 4000), 0);
	assert_int_equal(pc_bucket_left("app:4", 's', &lim), 90);
	/* the hourly limit again, its end 4 s away: still the hour */
	assert_int_equal(pc_bucket_observe("app:4", t, 3600, 150, 4000), 0);
	assert_int_equal(pc_bucket_left("app:4", 's', NULL), 90);
	assert_int_equal(pc_bucket_take("app:4", &t), 0);
	assert_int_equal(pc_bucket_left("app:4", 's', NULL), 89);
	assert_true(pc_bucket_left("app:4", 'h', NULL) < 200);
	api_budget_shutdown();
}

/* a window past its end starts again full */
static void test_window_rolls(void **state)
{
	int64_t t = 0, w;

	(void)state;
	setup_shared();
	assert_int_equal(pc_bucket_take("app:5", &t), 0);
	assert_int_equal(pc_bucket_observe("app:5", t, 10, 0, 300), 0);
	w = pc_bucket_take("app:5", &t);
	assert_true(w > 0 && w <= 600);
	time_sleep_ms(w + 20);
	assert_int_equal(pc_bucket_take("app:5", &t), 0);
	assert_int_equal(pc_bucket_left("app:5", 's', NULL), 9);
	api_budget_shutdown();
}

/* the gate through Redis: shared by every user of the bucket's name */
static void test_gate_shared(void **state)
{
	struct pc_quota *a = pc_quota_get("app:6"), *b = pc_quota_get("app:6");
	int64_t t = 0;
	int admitted = 0;

	(void)state;
	setup_shared();
	assert_ptr_equal(a, b);
	assert_int_equal(pc_quota_admit(a, &t), 0);
	pc_quota_observe(a, t, 20, 6, 8000);
	for (int i = 0; i < 10; i++)
		admitted += pc_quota_admit(i % 2 ? a : b, &t) == 0;
	assert_int_equal(admitted, 6);
	assert_false(pc_quota_fallback(a));
	pc_quota_put(a);
	pc_quota_put(b);
	api_budget_shutdown();
}

/* Redis unreachable: this process's share (limit / 3 processes) of each
 * window the headers taught, and the fallback is reported */
static void test_fallback_share(void **state)
{
	struct api_budget_opts o = {"redis://127.0.0.1:1/0", 3, 0};
	struct mlc_error err = {0};
	struct pc_quota *q = pc_quota_get("app:7");
	struct mlc_buf m = MLC_BUF_INIT;
	int64_t t = 0;
	int admitted = 0;

	(void)state;
	assert_int_equal(api_budget_setup(&o, &err), 0);
	/* nothing known yet: it goes, and the fallback is on */
	assert_int_equal(pc_quota_admit(q, &t), 0);
	assert_true(pc_quota_fallback(q));
	/* a fresh 10 s window of 30: 10 for this process */
	pc_quota_observe(q, t, 30, 30, 9000);
	for (int i = 0; i < 15; i++)
		admitted += pc_quota_admit(q, &t) == 0;
	assert_int_equal(admitted, 10);
	/* the headers say 6 are left for all: 2 for this one at most */
	pc_quota_put(q);
	q = pc_quota_get("app:8");
	assert_int_equal(pc_quota_admit(q, &t), 0);
	pc_quota_observe(q, t, 30, 6, 9000);
	admitted = 0;
	for (int i = 0; i < 5; i++)
		admitted += pc_quota_admit(q, &t) == 0;
	assert_int_equal(admitted, 2);
	metrics_render(&m);
	assert_non_null(strstr(m.data, "mlc_api_budget_fallback{api=\"procore\"} 1"));
	buf_release(&m);
	pc_quota_put(q);
	api_budget_shutdown();
}

/* without `redis` nothing is shared and the gate never holds back */
static void test_not_shared(void **state)
{
	struct api_budget_opts o = {NULL, 3, 0};
	struct mlc_error err = {0};
	struct pc_quota *q = pc_quota_get("app:9");
	int64_t t = 0;

	(void)state;
	assert_int_equal(api_budget_setup(&o, &err), 0);
	pc_quota_observe(q, 1, 10, 0, 9000);
	for (int i = 0; i < 5; i++)
		assert_int_equal(pc_quota_admit(q, &t), 0);
	assert_false(pc_quota_fallback(q));
	pc_quota_put(q);
	api_budget_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unknown_admits),      cmocka_unit_test(test_spike_window_spent),
	    cmocka_unit_test(test_never_believes_more), cmocka_unit_test(test_hour_and_spike),
	    cmocka_unit_test(test_window_rolls),        cmocka_unit_test(test_gate_shared),
	    cmocka_unit_test(test_fallback_share),      cmocka_unit_test(test_not_shared),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, redis_test_start, redis_test_stop);
}
