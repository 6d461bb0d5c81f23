#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "net/http_client.h"
#include "util/jsonx.h"
#include "util/banned.h"

/*
 * Issue #21 item 9: remote text must not pass for an exact-decimal
 * placeholder (util/jsonx.c).  The bodies below are what a NetSuite or
 * Procore response could carry; the first string is the input
 * fuzz/fuzz_response.c documents ("\u0001mlc-dec:HH...r"), the others
 * try the old marker with a number, with an empty number, after an
 * escaped quote, as a key, and with a guessed nonce.
 */
static const char remote_body[] =
    "{\"memo\":\"\\u0001mlc-dec:HH...r\","
    "\"amount\":\"\\u0001mlc-dec:1234.56\","
    "\"raw\":\"\\u0001mlc-dec:1,\\\"x\\\":2\","
    "\"empty\":\"\\u0001mlc-dec:\","
    "\"inner\":\"a\\\"\\u0001mlc-dec:7\","
    "\"\\u0001mlc-dec:9\":\"key\","
    "\"guess\":\"\\u0001mlc-dec:00000000000000000000000000000000:5\","
    "\"list\":[\"\\u0001mlc-dec:1\",{\"n\":\"\\u0001mlc-dec:-2.5\"}]}";

static json_t *remote_json(void)
{
	struct mlc_http_resp r;
	json_t *j;

	http_resp_init(&r);
	r.status = 200;
	buf_addstr(&r.body, remote_body);
	j = http_resp_json(&r, NULL);
	http_resp_release(&r);
	assert_non_null(j);
	return j;
}

/* Remote strings come out of jsonx_dumps() as valid JSON, each the same
 * string it went in as. */
static void test_remote_marker_stays_string(void **state)
{
	json_t *j = remote_json(), *back;
	char *out;
	(void)state;

	out = jsonx_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(out);
	back = json_loads(out, 0, NULL);
	assert_non_null(back);
	assert_true(json_equal(back, j));
	assert_string_equal(jsonx_str(back, "memo"), "\x01mlc-dec:HH...r");
	assert_string_equal(jsonx_str(back, "amount"), "\x01mlc-dec:1234.56");
	assert_string_equal(jsonx_str(back, "raw"), "\x01mlc-dec:1,\"x\":2");
	assert_string_equal(jsonx_str(back, "empty"), "\x01mlc-dec:");
	assert_string_equal(jsonx_str(back, "inner"), "a\"\x01mlc-dec:7");
	assert_string_equal(jsonx_str(back, "\x01mlc-dec:9"), "key");
	assert_string_equal(jsonx_str(back, "guess"),
			    "\x01mlc-dec:00000000000000000000000000000000:5");
	assert_string_equal(json_string_value(json_array_get(json_object_get(back, "list"), 0)),
			    "\x01mlc-dec:1");
	assert_null(json_object_get(back, "x"));
	json_decref(back);
	free(out);
	json_decref(j);
}

/* The same through jsonx_clean() (plans and audit payloads). */
static void test_remote_marker_clean(void **state)
{
	json_t *j = remote_json(), *c;
	(void)state;

	c = jsonx_clean(j);
	assert_true(json_equal(c, j));
	assert_true(json_is_string(json_object_get(c, "amount")));
	json_decref(c);
	json_decref(j);
}

/* Amounts made here, next to remote marker strings, still come out bare,
 * digit for digit, and the remote strings stay quoted. */
static void test_amounts_next_to_remote(void **state)
{
	json_t *j =
	    json_pack("{s:o, s:o, s:s, s:o}", "debit", jsonx_money(123456789012345LL), "credit",
		      jsonx_money(-7), "memo", "\x01mlc-dec:1234.56", "qty", jsonx_decimal(15, 3));
	json_t *copy = json_deep_copy(j), *c;
	char *out, *out2;
	(void)state;

	out = jsonx_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(out, "{\"credit\":-0.07,\"debit\":1234567890123.45,"
				 "\"memo\":\"\\u0001mlc-dec:1234.56\",\"qty\":0.015}");
	/* a copy of a placeholder is still a placeholder */
	out2 = jsonx_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(out2, out);
	c = jsonx_clean(j);
	assert_true(json_is_number(json_object_get(c, "debit")));
	assert_string_equal(jsonx_str(c, "memo"), "\x01mlc-dec:1234.56");
	json_decref(c);
	free(out2);
	free(out);
	json_decref(copy);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_remote_marker_stays_string),
	    cmocka_unit_test(test_remote_marker_clean),
	    cmocka_unit_test(test_amounts_next_to_remote),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
