/*
 * The sandbox's time-weighted busy figure (sandbox/sandbox_busy.h): busy
 * slot-seconds / (limit x wall seconds), the "writes" window counting only
 * the time a write is in flight.  Ratios, not timings: the sleeps only
 * make the windows long enough to measure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "sandbox/sandbox_busy.h"
#include "util/banned.h"

static double field(json_t *j, const char *k)
{
	return json_number_value(json_object_get(j, k));
}

static void test_full_pool_is_one(void **state)
{
	struct sbx_busy b = {0};
	json_t *j;

	(void)state;
	sbx_busy_reset(&b);
	sbx_busy_enter(&b, true, 2);
	sbx_busy_enter(&b, true, 2);
	usleep(30000);
	sbx_busy_leave(&b, true, 2);
	sbx_busy_leave(&b, true, 2);
	j = sbx_busy_json(&b, 2);
	assert_true(field(j, "busy") > 0.95 && field(j, "busy") <= 1.0);
	assert_true(field(j, "write_busy") > 0.95 && field(j, "write_busy") <= 1.0);
	assert_int_equal(json_integer_value(json_object_get(j, "max_in_flight")), 2);
	json_decref(j);
}

static void test_one_at_a_time_is_half_and_reads_are_not_writes(void **state)
{
	struct sbx_busy b = {0};
	json_t *j;

	(void)state;
	sbx_busy_reset(&b);
	/* a read alone, then a write alone, in a pool of 2 */
	sbx_busy_enter(&b, false, 2);
	usleep(20000);
	sbx_busy_leave(&b, false, 2);
	sbx_busy_enter(&b, true, 2);
	usleep(20000);
	sbx_busy_leave(&b, true, 2);
	j = sbx_busy_json(&b, 2);
	assert_true(field(j, "busy") > 0.45 && field(j, "busy") <= 0.5);
	assert_true(field(j, "write_busy") > 0.45 && field(j, "write_busy") <= 0.5);
	/* the write window is only the write's time, not the read's */
	assert_true(field(j, "write_seconds") < field(j, "seconds"));
	json_decref(j);
	/* beyond the limit counts as the limit (the rest were refused) */
	sbx_busy_reset(&b);
	for (int i = 0; i < 3; i++)
		sbx_busy_enter(&b, true, 2);
	usleep(20000);
	for (int i = 0; i < 3; i++)
		sbx_busy_leave(&b, true, 2);
	j = sbx_busy_json(&b, 2);
	assert_true(field(j, "busy") <= 1.0);
	json_decref(j);
	/* no limit: no figure */
	j = sbx_busy_json(&b, 0);
	assert_true(json_is_null(json_object_get(j, "busy")));
	json_decref(j);
	assert_true(sbx_busy_is_write("PATCH", "/services/rest/record/v1/vendor/3"));
	assert_false(sbx_busy_is_write("POST", "/services/rest/query/v1/suiteql"));
	assert_false(sbx_busy_is_write("GET", "/services/rest/record/v1/vendor/3"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_pool_is_one),
	    cmocka_unit_test(test_one_at_a_time_is_half_and_reads_are_not_writes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
