#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/cron.h"
#include "util/time.h"

static int64_t at(const char *rfc3339)
{
	int64_t ms = 0;
	assert_int_equal(time_parse_rfc3339(rfc3339, &ms, NULL), 0);
	return ms / 1000;
}

static void expect_next(const char *expr, const char *zone, const char *after, const char *want)
{
	struct mlc_cron c;
	struct mlc_tz tz;
	struct mlc_error err = {0};
	char got[MLC_TIME_FMT_MAX];
	int64_t n;

	if (cron_parse(expr, &c, &err) < 0)
		fail_msg("%s: %s", expr, err.msg);
	assert_int_equal(tz_load(zone, &tz, &err), 0);
	n = cron_next(&c, &tz, at(after));
	time_format_rfc3339(n * 1000, got);
	if (strcmp(got, want))
		fail_msg("%s in %s after %s: got %s, want %s", expr, zone, after, got, want);
	tz_release(&tz);
}

static void test_fields_and_steps(void **state)
{
	(void)state;
	expect_next("*/15 * * * *", "UTC", "2026-11-26T16:07:30Z", "2026-11-26T16:15:00Z");
	expect_next("*/15 9-17/2 * * 1-5", "UTC", "2026-11-27T17:50:00Z", "2026-11-30T09:00:00Z");
	expect_next("0,30 8 * * *", "UTC", "2026-11-26T08:00:00Z", "2026-11-26T08:30:00Z");
	expect_next("@hourly", "UTC", "2026-11-26T16:00:00Z", "2026-11-26T17:00:00Z");
	expect_next("@daily", "UTC", "2026-11-26T16:00:00Z", "2026-11-27T00:00:00Z");
	expect_next("@monthly", "UTC", "2026-11-26T16:00:00Z", "2026-12-01T00:00:00Z");
	expect_next("0 0 * * 7", "UTC", "2026-11-26T00:00:00Z",
		    "2026-11-29T00:00:00Z"); /* 7 = Sunday */
	/* both day fields restricted: either matches (Vixie) */
	expect_next("0 0 1 * 1", "UTC", "2026-11-26T00:00:00Z", "2026-11-30T00:00:00Z");
}

static void test_feb_29(void **state)
{
	(void)state;
	expect_next("0 0 29 2 *", "UTC", "2026-01-01T00:00:00Z", "2028-02-29T00:00:00Z");
	expect_next("0 12 28-29 2 *", "UTC", "2028-02-28T13:00:00Z", "2028-02-29T12:00:00Z");
}

static void test_time_zone_and_dst(void **state)
{
	(void)state;
	/* 09:00 in Los Angeles is 17:00 UTC in winter (PST), 16:00 in summer (PDT) */
	expect_next("0 9 * * *", "America/Los_Angeles", "2026-11-26T12:00:00Z",
		    "2026-11-26T17:00:00Z");
	expect_next("0 9 * * *", "America/Los_Angeles", "2026-07-01T12:00:00Z",
		    "2026-07-01T16:00:00Z");
	/* spring forward, 2026-03-08 02:00 -> 03:00: 02:30 does not exist that day */
	expect_next("30 2 * * *", "America/Los_Angeles", "2026-03-07T12:00:00Z",
		    "2026-03-09T09:30:00Z");
	/* fall back, 2026-11-01 02:00 -> 01:00: 01:30 happens twice, runs once */
	expect_next("30 1 * * *", "America/Los_Angeles", "2026-11-01T07:00:00Z",
		    "2026-11-01T08:30:00Z");
	expect_next("30 1 * * *", "America/Los_Angeles", "2026-11-01T08:30:00Z",
		    "2026-11-02T09:30:00Z");
	/* a half-hour zone */
	expect_next("0 0 * * *", "Asia/Kolkata", "2026-11-26T00:00:00Z", "2026-11-26T18:30:00Z");
}

static void test_errors(void **state)
{
	struct mlc_cron c;
	struct mlc_tz tz;
	struct mlc_error err = {0};
	(void)state;
	assert_true(cron_parse("* * * *", &c, &err) < 0);
	assert_non_null(strstr(err.msg, "five cron fields"));
	assert_true(cron_parse("60 * * * *", &c, &err) < 0);
	assert_true(cron_parse("*/0 * * * *", &c, &err) < 0);
	assert_true(cron_parse("5-1 * * * *", &c, &err) < 0);
	assert_true(cron_parse("a * * * *", &c, &err) < 0);
	assert_true(cron_parse("0 0 32 * *", &c, &err) < 0);
	assert_true(tz_load("Mars/Olympus_Mons", &tz, &err) < 0);
	assert_true(tz_load("../../etc/passwd", &tz, &err) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fields_and_steps),
	    cmocka_unit_test(test_feb_29),
	    cmocka_unit_test(test_time_zone_and_dst),
	    cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
