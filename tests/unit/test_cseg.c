#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>

#include "flows/segment.h"
#include "netsuite/cseg.h"

/* Script ids: "cseg" + [a-z0-9_]+, at most 19 characters (netsuite/cseg.h). */
static void test_script_ids(void **state)
{
	struct mlc_error err = {0};
	char table[CSEG_TABLE_MAX];

	(void)state;
	assert_int_equal(cseg_check(CSEG_DEFAULT, &err), MLC_OK);
	assert_int_equal(cseg_check("cseg1", &err), MLC_OK);
	assert_int_equal(cseg_check("cseg_abcdefghijklmn", &err), MLC_OK);      /* 19 */
	assert_int_equal(cseg_check("cseg_abcdefghijklmno", &err), MLC_EINVAL); /* 20 */
	assert_non_null(strstr(err.msg, "at most 19"));
	assert_int_equal(cseg_check("cseg", &err), MLC_EINVAL);
	assert_int_equal(cseg_check("custrecord_code", &err), MLC_EINVAL);
	assert_int_equal(cseg_check("CSEG_CODE", &err), MLC_EINVAL);
	assert_int_equal(cseg_check("cseg_Code", &err), MLC_EINVAL);
	assert_non_null(strstr(err.msg, "'C'"));
	assert_int_equal(cseg_check("cseg-code", &err), MLC_EINVAL);
	assert_int_equal(cseg_check("cseg code", &err), MLC_EINVAL);
	assert_int_equal(cseg_check("", &err), MLC_EINVAL);
	assert_int_equal(cseg_check(NULL, &err), MLC_EINVAL);
	cseg_values_table("cseg_job_cc", table, sizeof(table));
	assert_string_equal(table, "customrecord_cseg_job_cc");
	cseg_values_table("cseg_abcdefghijklmn", table, sizeof(table));
	assert_string_equal(table, "customrecord_cseg_abcdefghijklmn");
}

/* The two settings are checked by name; other keys pass untouched. */
static void test_setting_check(void **state)
{
	struct mlc_error err = {0};
	json_t *v;

	(void)state;
	v = json_string("cseg_job_cc");
	assert_int_equal(segment_setting_check("netsuite.cost_code_segment", v, &err), MLC_OK);
	json_decref(v);
	v = json_string("cseg_much_too_long_for_it");
	assert_int_equal(segment_setting_check("netsuite.cost_code_segment", v, &err), MLC_ECONFIG);
	assert_non_null(strstr(err.msg, "netsuite.cost_code_segment"));
	json_decref(v);
	v = json_integer(5);
	assert_int_equal(segment_setting_check("netsuite.cost_code_segment", v, &err), MLC_ECONFIG);
	json_decref(v);
	v = json_string("auto");
	assert_int_equal(segment_setting_check("costs.use_segment", v, &err), MLC_OK);
	json_decref(v);
	assert_int_equal(segment_setting_check("costs.use_segment", json_true(), &err), MLC_OK);
	assert_int_equal(segment_setting_check("costs.use_segment", json_false(), &err), MLC_OK);
	v = json_string("yes");
	assert_int_equal(segment_setting_check("costs.use_segment", v, &err), MLC_ECONFIG);
	assert_non_null(strstr(err.msg, "costs.use_segment"));
	assert_int_equal(segment_setting_check("costs.mode", v, &err), MLC_OK);
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_script_ids),
	    cmocka_unit_test(test_setting_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
