#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "auth/clock.h"
#include "net/http_server.h"
#include "util/log.h"
#include "util/time.h"
#include "util/banned.h"

/*
 * auth/clock.h: the process's clock is whatever the program set, and
 * nothing else (no environment variable changes it); the URL clock adds
 * the offset a loopback time resource answers, and keeps the last one
 * when the resource stops answering.
 */

#define HOUR_MS (3600LL * 1000)

static int64_t fixed_now(void *ctx)
{
	return *(const int64_t *)ctx;
}

static void test_set_get(void **state)
{
	int64_t t = 1234567;
	struct mlc_clock c = {fixed_now, &t};

	MLC_UNUSED(state);
	assert_null(clock_get());
	/* an environment variable is no way in any more */
	setenv("MLC_CLOCK_URL", "http://127.0.0.1:1/_sandbox/time", 1);
	assert_null(clock_get());
	unsetenv("MLC_CLOCK_URL");
	clock_set(&c);
	assert_non_null(clock_get());
	assert_int_equal(clock_get()->now_ms(clock_get()->ctx), 1234567);
	/* copied: the caller's struct may go */
	c.ctx = NULL;
	assert_ptr_equal(clock_get()->ctx, &t);
	clock_set(NULL);
	assert_null(clock_get());
}

static void test_url_not_loopback(void **state)
{
	struct mlc_url_clock *c = NULL;
	struct mlc_error err = {0};

	MLC_UNUSED(state);
	assert_true(url_clock_new("http://example.com:80/_sandbox/time", &c, &err) < 0);
	assert_null(c);
	assert_int_equal(err.code, MLC_ECONFIG);
	assert_non_null(strstr(err.msg, "loopback"));
}

static void h_time(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	MLC_UNUSED(req);
	MLC_UNUSED(arg);
	http_response_json(resp, 200, json_pack("{s:I}", "offset_seconds", (json_int_t)(5 * 3600)));
}

static void test_url_offset(void **state)
{
	struct mlc_http_server_opts o = {0};
	struct mlc_http_server *srv = NULL;
	struct mlc_url_clock *c = NULL;
	struct mlc_error err = {0};
	char url[96];
	int64_t before, now;

	MLC_UNUSED(state);
	o.listen = "127.0.0.1:0";
	o.name = "clock-test";
	assert_int_equal(http_server_new(&o, &srv, &err), 0);
	assert_int_equal(http_server_route(srv, "GET", "/_sandbox/time", h_time, NULL), 0);
	assert_int_equal(http_server_start(srv, &err), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/_sandbox/time", http_server_port(srv));
	assert_int_equal(url_clock_new(url, &c, &err), 0);

	before = time_now_ms();
	now = url_clock_now(c);
	assert_true(now >= before + 5 * HOUR_MS);
	assert_true(now < time_now_ms() + 5 * HOUR_MS + 1000);

	/* the resource goes away: the last offset stays */
	http_server_free(srv);
	before = time_now_ms();
	now = url_clock_now(c);
	assert_true(now >= before + 5 * HOUR_MS);
	assert_true(now < time_now_ms() + 5 * HOUR_MS + 1000);
	url_clock_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_set_get),
	    cmocka_unit_test(test_url_not_loopback),
	    cmocka_unit_test(test_url_offset),
	};

	log_setup(MLC_LOG_ERROR, MLC_LOG_LOGFMT, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
