#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/jsonx.h"
#include "util/money.h"

static int64_t parse_ok(const char *s)
{
	int64_t v = -999;
	struct mlc_error err = {0};
	int rc = money_parse(s, &v, &err);
	if (rc != 0)
		fail_msg("money_parse(%s) failed: %s", s, err.msg);
	return v;
}

static void parse_fails(const char *s)
{
	int64_t v = 12345;
	struct mlc_error err = {0};
	assert_true(money_parse(s, &v, &err) < 0);
	assert_int_equal(v, 12345); /* untouched */
	assert_true(err.msg[0] != '\0');
}

static void test_parse_plain(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("1234.5"), 123450);
	assert_int_equal(parse_ok("1234.56"), 123456);
	assert_int_equal(parse_ok("1234"), 123400);
	assert_int_equal(parse_ok("0"), 0);
	assert_int_equal(parse_ok("0.01"), 1);
	assert_int_equal(parse_ok("-0.07"), -7);
	assert_int_equal(parse_ok("+12"), 1200);
	assert_int_equal(parse_ok(".5"), 50);
	assert_int_equal(parse_ok("5."), 500);
	assert_int_equal(parse_ok("007.10"), 710);
	/* sub-cent digits that are zeros carry no value */
	assert_int_equal(parse_ok("64.9500"), 6495);
	assert_int_equal(parse_ok("1e3"), 100000);
	assert_int_equal(parse_ok("1.5E2"), 15000);
	assert_int_equal(parse_ok("92233720368547758.07"), INT64_MAX);
	assert_int_equal(parse_ok("-92233720368547758.07"), -INT64_MAX);
}

static void test_parse_rejects(void **state)
{
	(void)state;
	parse_fails("");
	parse_fails("-");
	parse_fails(".");
	parse_fails("1,234.56");
	parse_fails("12.345"); /* a third decimal would be silently lost */
	parse_fails("0.001");
	parse_fails("5e-5");
	parse_fails("1.2.3");
	parse_fails(" 12");
	parse_fails("12 ");
	parse_fails("abc");
	parse_fails("NaN");
	parse_fails("92233720368547758.08"); /* overflow */
	parse_fails("99999999999999999999999");
}

static void test_rounding_modes(void **state)
{
	int64_t v;
	struct mlc_error err;
	(void)state;
	assert_int_equal(dec_parse("2.345", 2, DEC_HALF_EVEN, &v, &err), 0);
	assert_int_equal(v, 234);
	assert_int_equal(dec_parse("2.355", 2, DEC_HALF_EVEN, &v, &err), 0);
	assert_int_equal(v, 236);
	assert_int_equal(dec_parse("2.3451", 2, DEC_HALF_EVEN, &v, &err), 0);
	assert_int_equal(v, 235);
	assert_int_equal(dec_parse("2.345", 2, DEC_HALF_UP, &v, &err), 0);
	assert_int_equal(v, 235);
	assert_int_equal(dec_parse("-2.345", 2, DEC_HALF_UP, &v, &err), 0);
	assert_int_equal(v, -235);
	/* digits beyond implicit zeros: 0.00005 rounds to 0 at scale 2 */
	assert_int_equal(dec_parse("5e-5", 2, DEC_HALF_UP, &v, &err), 0);
	assert_int_equal(v, 0);
	assert_int_equal(dec_parse("12.3456", 4, DEC_EXACT, &v, &err), 0);
	assert_int_equal(v, 123456);
}

static void test_format(void **state)
{
	char out[MONEY_FMT_MAX];
	(void)state;
	money_format(123450, out);
	assert_string_equal(out, "1234.50");
	money_format(-7, out);
	assert_string_equal(out, "-0.07");
	money_format(0, out);
	assert_string_equal(out, "0.00");
	money_format(INT64_MIN, out);
	assert_string_equal(out, "-92233720368547758.08");
	dec_format_trim(123400, 4, 2, out, sizeof(out));
	assert_string_equal(out, "12.34");
	dec_format_trim(120000, 4, 0, out, sizeof(out));
	assert_string_equal(out, "12");
}

static void test_round_trip(void **state)
{
	char out[MONEY_FMT_MAX];
	(void)state;
	for (int64_t c = -100000; c <= 100000; c += 37) {
		int64_t back;
		money_format(c, out);
		assert_int_equal(money_parse(out, &back, NULL), 0);
		assert_int_equal(back, c);
	}
}

static void test_from_json(void **state)
{
	int64_t v;
	struct mlc_error err;
	json_error_t jerr;
	json_t *doc = json_loads("{\"s\":\"64.95\",\"i\":70,\"r\":70.1,\"r2\":0.1,\"big\":"
				 "12345678901.23,\"bad\":0.105,\"n\":null,\"b\":true,"
				 "\"long\":0.30000000000000004}",
				 0, &jerr);
	(void)state;
	assert_non_null(doc);
	assert_int_equal(money_from_json(json_object_get(doc, "s"), &v, &err), 0);
	assert_int_equal(v, 6495);
	assert_int_equal(money_from_json(json_object_get(doc, "i"), &v, &err), 0);
	assert_int_equal(v, 7000);
	assert_int_equal(money_from_json(json_object_get(doc, "r"), &v, &err), 0);
	assert_int_equal(v, 7010);
	assert_int_equal(money_from_json(json_object_get(doc, "r2"), &v, &err), 0);
	assert_int_equal(v, 10);
	assert_int_equal(money_from_json(json_object_get(doc, "big"), &v, &err), 0);
	assert_int_equal(v, 1234567890123);
	assert_true(money_from_json(json_object_get(doc, "bad"), &v, &err) < 0);
	assert_true(money_from_json(json_object_get(doc, "n"), &v, &err) < 0);
	assert_true(money_from_json(json_object_get(doc, "b"), &v, &err) < 0);
	/* 17 significant digits cannot be trusted to be what the sender meant */
	assert_true(money_from_json(json_object_get(doc, "long"), &v, &err) < 0);
	json_decref(doc);
}

static void test_arith(void **state)
{
	int64_t v;
	(void)state;
	assert_int_equal(money_add(INT64_MAX, 1, &v), MLC_ERANGE);
	assert_int_equal(money_add(100, -250, &v), 0);
	assert_int_equal(v, -150);
	/* 10.00 * 1.5 = 15.00 ; 0.01 * 0.5 = 0.005 -> half even 0.00, half up 0.01 */
	assert_int_equal(money_mul_dec(1000, 15, 1, DEC_EXACT, &v), 0);
	assert_int_equal(v, 1500);
	assert_int_equal(money_mul_dec(1, 5, 1, DEC_HALF_EVEN, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(money_mul_dec(1, 5, 1, DEC_HALF_UP, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(money_mul_dec(-1, 5, 1, DEC_HALF_UP, &v), 0);
	assert_int_equal(v, -1);
	assert_int_equal(money_mul_dec(1, 5, 1, DEC_EXACT, &v), MLC_EINVAL);
	assert_int_equal(money_mul_dec(INT64_MAX, 2, 0, DEC_EXACT, &v), MLC_ERANGE);
}

static void test_jsonx_exact_out(void **state)
{
	json_t *body = json_pack("{s:s, s:[{s:o, s:o}], s:o}", "memo", "a \"quoted\" memo", "line",
				 "debit", jsonx_money(123456789012345LL), "credit", jsonx_money(-7),
				 "qty", jsonx_decimal(15, 3));
	char *text = jsonx_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	json_t *back;
	int64_t v;
	(void)state;
	assert_string_equal(text, "{\"line\":[{\"credit\":-0.07,\"debit\":1234567890123.45}],"
				  "\"memo\":\"a \\\"quoted\\\" memo\",\"qty\":0.015}");
	/* what we write reads back to the same cents */
	back = json_loads(text, 0, NULL);
	assert_non_null(back);
	assert_int_equal(jsonx_money_get(json_array_get(json_object_get(back, "line"), 0), "debit",
					 false, &v, NULL),
			 0);
	assert_int_equal(v, 123456789012345LL);
	json_decref(back);
	free(text);
	json_decref(body);
}

static void test_jsonx_getters(void **state)
{
	json_t *o = json_loads("{\"a\":\"54\",\"b\":9007199254740993,\"c\":\"x\",\"d\":-1,"
			       "\"t\":\"T\",\"f\":false,\"m\":\"\"}",
			       0, NULL);
	int64_t v;
	(void)state;
	assert_int_equal(jsonx_id(o, "a", &v), 0);
	assert_int_equal(v, 54);
	assert_int_equal(jsonx_id(o, "b", &v), 0);
	assert_int_equal(v, 9007199254740993LL);
	assert_int_equal(jsonx_id(o, "missing", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(jsonx_id(o, "c", &v), MLC_EINVAL);
	assert_int_equal(jsonx_id(o, "d", &v), MLC_EINVAL);
	assert_true(jsonx_bool(o, "t"));
	assert_false(jsonx_bool(o, "f"));
	assert_int_equal(jsonx_money_get(o, "m", true, &v, NULL), 0);
	assert_true(jsonx_money_get(o, "m", false, &v, NULL) < 0);
	assert_string_equal(jsonx_str(o, "c"), "x");
	assert_null(jsonx_str(o, "b"));
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_plain),    cmocka_unit_test(test_parse_rejects),
	    cmocka_unit_test(test_rounding_modes), cmocka_unit_test(test_format),
	    cmocka_unit_test(test_round_trip),     cmocka_unit_test(test_from_json),
	    cmocka_unit_test(test_arith),          cmocka_unit_test(test_jsonx_exact_out),
	    cmocka_unit_test(test_jsonx_getters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
