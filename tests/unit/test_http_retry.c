#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "net/http_limits.h"
#include "net/http_retry.h"
#include "util/error.h"
#include "util/time.h"
#include "util/banned.h"

/* 2026-11-26T16:00:00Z */
#define NOW_MS 1795708800000LL

static struct mlc_retry_verdict classify(int curl_code, bool sent, int status, const char *body,
					 bool idempotent)
{
	struct mlc_retry_input in;
	struct mlc_retry_verdict v;

	memset(&in, 0, sizeof(in));
	in.curl_code = curl_code;
	in.sent = sent;
	in.status = status;
	in.body = body;
	in.idempotent = idempotent;
	in.now_wall_ms = NOW_MS;
	retry_classify(&in, &v);
	return v;
}

static void test_classify_http(void **state)
{
	struct mlc_retry_verdict v;

	MLC_UNUSED(state);
	v = classify(0, true, 200, "", false);
	assert_int_equal(v.action, RETRY_NO);
	assert_int_equal(v.rc, MLC_OK);
	v = classify(0, true, 400, "{}", true);
	assert_int_equal(v.action, RETRY_NO);
	assert_int_equal(v.rc, MLC_EPERM);
	v = classify(0, true, 404, "", true);
	assert_int_equal(v.rc, MLC_EPERM);
	v = classify(0, true, 422, "", true);
	assert_int_equal(v.action, RETRY_NO);
	v = classify(0, true, 403, "", true);
	assert_int_equal(v.rc, MLC_EAUTH);
	assert_int_equal(v.action, RETRY_NO);
	v = classify(0, true, 401, "", true);
	assert_int_equal(v.action, RETRY_NO);
	assert_int_equal(v.rc, MLC_EAUTH);
	v = classify(0, true, 429, "", false);
	assert_int_equal(v.action, RETRY_BACKOFF);
	assert_int_equal(v.rc, MLC_ERATELIMIT);
	assert_true(v.throttled);
	assert_int_equal(v.wait_ms, -1);
	/* NetSuite's concurrency error, whatever the 4xx status */
	v = classify(0, true, 400, "{\"o:errorCode\":\"CONCURRENCY_LIMIT_EXCEEDED\"}", false);
	assert_int_equal(v.action, RETRY_BACKOFF);
	assert_int_equal(v.rc, MLC_ERATELIMIT);
	v = classify(0, true, 503, "", false);
	assert_int_equal(v.action, RETRY_BACKOFF);
	assert_int_equal(v.rc, MLC_ETRANSIENT);
	v = classify(0, true, 500, "", true);
	assert_int_equal(v.action, RETRY_BACKOFF);
	v = classify(0, true, 502, "", false);
	assert_int_equal(v.action, RETRY_NO);
	assert_int_equal(v.rc, MLC_EUNKNOWN);
}

static void test_classify_401(void **state)
{
	struct mlc_retry_input in;
	struct mlc_retry_verdict v;

	MLC_UNUSED(state);
	memset(&in, 0, sizeof(in));
	in.status = 401;
	in.body = "{\"title\":\"Invalid login attempt.\"}";
	in.can_refresh = true;
	retry_classify(&in, &v);
	assert_int_equal(v.action, RETRY_REFRESH);
	in.can_refresh = false;
	in.login_401_budget = true;
	retry_classify(&in, &v);
	assert_int_equal(v.action, RETRY_LOGIN_401);
	in.body = "{\"error\":\"invalid_client\"}";
	retry_classify(&in, &v);
	assert_int_equal(v.action, RETRY_NO);
	assert_int_equal(v.rc, MLC_EAUTH);
}

static void test_classify_transport(void **state)
{
	struct mlc_retry_verdict v;

	MLC_UNUSED(state);
	v = classify(CURLE_COULDNT_CONNECT, false, 0, "", false);
	assert_int_equal(v.action, RETRY_BACKOFF);
	assert_int_equal(v.rc, MLC_ETRANSIENT);
	v = classify(CURLE_OPERATION_TIMEDOUT, false, 0, "", false);
	assert_int_equal(v.rc, MLC_ETRANSIENT);
	assert_int_equal(v.action, RETRY_BACKOFF);
	v = classify(CURLE_OPERATION_TIMEDOUT, true, 0, "", false);
	assert_int_equal(v.rc, MLC_EUNKNOWN);
	assert_int_equal(v.action, RETRY_NO);
	v = classify(CURLE_OPERATION_TIMEDOUT, true, 0, "", true);
	assert_int_equal(v.rc, MLC_EUNKNOWN);
	assert_int_equal(v.action, RETRY_BACKOFF);
	v = classify(CURLE_GOT_NOTHING, true, 0, "", false);
	assert_int_equal(v.rc, MLC_EUNKNOWN);
	v = classify(CURLE_PEER_FAILED_VERIFICATION, false, 0, "", true);
	assert_int_equal(v.rc, MLC_EPERM);
	assert_int_equal(v.action, RETRY_NO);
}

static void test_retry_after(void **state)
{
	struct mlc_retry_input in;
	struct mlc_retry_verdict v;

	MLC_UNUSED(state);
	assert_int_equal(retry_after_ms("7", NOW_MS), 7000);
	assert_int_equal(retry_after_ms("0", NOW_MS), 0);
	assert_int_equal(retry_after_ms("Thu, 26 Nov 2026 16:00:30 GMT", NOW_MS), 30000);
	assert_int_equal(retry_after_ms("Thu, 26 Nov 2026 15:00:00 GMT", NOW_MS), 0);
	assert_int_equal(retry_after_ms("soon", NOW_MS), -1);
	assert_int_equal(retry_after_ms("-3", NOW_MS), -1);
	assert_int_equal(retry_after_ms(NULL, NOW_MS), -1);
	/* issue 21 item 5: both forms are capped alike, at the hourly window */
	assert_int_equal(retry_after_ms("Fri, 01 Jan 2100 00:00:00 GMT", NOW_MS),
			 RETRY_AFTER_MAX_MS);
	assert_int_equal(retry_after_ms("999999", NOW_MS), RETRY_AFTER_MAX_MS);
	assert_int_equal(retry_after_ms("3600", NOW_MS), RETRY_AFTER_MAX_MS);
	assert_int_equal(retry_after_ms("3599", NOW_MS), 3599000);
	assert_int_equal(RETRY_AFTER_MAX_MS, 3600 * 1000);
	assert_int_equal(rate_reset_ms("1795708812", NOW_MS), 12000);
	assert_int_equal(rate_reset_ms("1795708700", NOW_MS), 0);
	assert_int_equal(rate_reset_ms("9", NOW_MS), 9000);
	assert_int_equal(rate_reset_ms("x", NOW_MS), -1);
	/* a reset days away (a skewed clock) waits at most the hourly window */
	assert_int_equal(rate_reset_ms("1796400000", NOW_MS), RATE_RESET_MAX_MS);
	/* waits are counted on the server's clock: its Date, not ours */
	assert_int_equal(server_now_ms("Thu, 26 Nov 2026 16:00:00 GMT", 0), NOW_MS);
	assert_int_equal(server_now_ms(NULL, 5), 5);
	assert_int_equal(server_now_ms("garbage", 5), 5);
	assert_int_equal(rate_reset_ms("1795708812", server_now_ms("Thu, 26 Nov 2026 16:00:00 GMT",
								   NOW_MS + 7200000)),
			 12000);
	/* Retry-After wins over the reset header; the reset is the fallback */
	memset(&in, 0, sizeof(in));
	in.status = 429;
	in.body = "";
	in.now_wall_ms = NOW_MS;
	in.retry_after = "2";
	in.rate_reset = "1795708860";
	retry_classify(&in, &v);
	assert_int_equal(v.wait_ms, 2000);
	in.retry_after = NULL;
	retry_classify(&in, &v);
	assert_int_equal(v.wait_ms, 60000);
	/* 503 with Retry-After (Procore platform throttling) */
	in.status = 503;
	in.retry_after = "5";
	retry_classify(&in, &v);
	assert_int_equal(v.wait_ms, 5000);
	assert_true(v.throttled);
	in.retry_after = "Fri, 01 Jan 2100 00:00:00 GMT";
	retry_classify(&in, &v);
	assert_int_equal(v.wait_ms, RETRY_AFTER_MAX_MS);
	in.status = 429;
	retry_classify(&in, &v);
	assert_int_equal(v.wait_ms, RETRY_AFTER_MAX_MS);
}

static void test_backoff(void **state)
{
	MLC_UNUSED(state);
	for (int i = 0; i < 200; i++) {
		int64_t d1 = retry_backoff_ms(1, 100, 10000);
		int64_t d4 = retry_backoff_ms(4, 100, 10000);
		int64_t d20 = retry_backoff_ms(20, 100, 10000);
		assert_true(d1 >= 0 && d1 <= 100);
		assert_true(d4 >= 0 && d4 <= 800);
		assert_true(d20 >= 0 && d20 <= 10000);
	}
	assert_int_equal(retry_backoff_ms(3, 0, 1000), 0);
}

static void test_limits(void **state)
{
	struct mlc_http_limits l;

	MLC_UNUSED(state);
	http_limits_init(&l, 2, 10, 2);
	/* burst of 2, then one every 100 ms, reserved in order */
	assert_int_equal(http_limits_reserve(&l), 0);
	assert_int_equal(http_limits_reserve(&l), 0);
	assert_in_range(http_limits_reserve(&l), 50, 100);
	assert_in_range(http_limits_reserve(&l), 150, 200);
	assert_true(http_limits_try_enter(&l));
	assert_true(http_limits_try_enter(&l));
	assert_false(http_limits_try_enter(&l));
	assert_false(http_limits_enter_wait(&l, 20));
	http_limits_leave(&l);
	assert_true(http_limits_enter_wait(&l, 20));
	http_limits_leave(&l);
	http_limits_leave(&l);
	/* nothing left until the reset: everything pauses until then */
	http_limits_observe(&l, 100, 0, time_now_ms() + 1000);
	assert_in_range(http_limits_reserve(&l), 800, 1300);
	http_limits_release(&l);

	http_limits_init(&l, 0, 0, 0);
	assert_int_equal(http_limits_reserve(&l), 0);
	/* 3 of 100 left for 1 s: spread out */
	http_limits_observe(&l, 100, 3, time_now_ms() + 1000);
	http_limits_reserve(&l);
	assert_in_range(http_limits_reserve(&l), 250, 500);
	http_limits_pause(&l, 2000);
	assert_in_range(http_limits_reserve(&l), 1800, 2000);
	http_limits_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_classify_http),
	    cmocka_unit_test(test_classify_401),
	    cmocka_unit_test(test_classify_transport),
	    cmocka_unit_test(test_retry_after),
	    cmocka_unit_test(test_backoff),
	    cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
