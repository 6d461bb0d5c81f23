#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/num.h"
#include "util/redact.h"
#include "util/str.h"
#include "util/time.h"

static void test_buf(void **state)
{
	struct mlc_buf b = MLC_BUF_INIT;
	char *s;
	size_t n;
	(void)state;

	assert_string_equal(b.data, "");
	buf_addstr(&b, "hello");
	buf_addch(&b, ' ');
	buf_addf(&b, "%d-%s", 42, "x");
	assert_string_equal(b.data, "hello 42-x");
	assert_int_equal(b.len, 10);
	for (int i = 0; i < 1000; i++)
		buf_addstr(&b, "0123456789");
	assert_int_equal(b.len, 10010);
	buf_setlen(&b, 5);
	assert_string_equal(b.data, "hello");
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	buf_add_json_escaped(&b, "a\"b\\c\n\x01");
	assert_string_equal(b.data, "a\\\"b\\\\c\\n\\u0001");
	s = buf_detach(&b, &n);
	assert_int_equal(n, strlen(s));
	assert_string_equal(b.data, "");
	free(s);
	s = buf_detach(&b, NULL); /* empty buffer detaches to a fresh "" */
	assert_string_equal(s, "");
	free(s);
	buf_release(&b);
	buf_release(NULL);
}

static void test_str(void **state)
{
	char t[] = "  \tpadded \n";
	char small[4];
	(void)state;
	assert_true(str_starts_with("ns:vendor:1", "ns:"));
	assert_false(str_starts_with("ns", "ns:"));
	assert_true(str_ends_with("file.csv", ".csv"));
	assert_string_equal(str_trim(t), "padded");
	assert_true(str_blank("  "));
	assert_true(str_blank(NULL));
	assert_false(str_blank(" a"));
	assert_true(str_eq_ct("secret", "secret"));
	assert_false(str_eq_ct("secret", "secreT"));
	assert_false(str_eq_ct("secret", "secrets"));
	assert_false(str_eq_ct(NULL, "x"));
	assert_false(str_copy(small, sizeof(small), "toolong"));
	assert_string_equal(small, "too");
	assert_true(str_is_name("acme-builders_2.0"));
	assert_false(str_is_name("-acme"));
	assert_false(str_is_name("acme builders"));
	assert_false(str_is_name(""));
}

static void test_num(void **state)
{
	int64_t v = 7;
	uint64_t u = 7;
	int i = 0;
	struct mlc_error err;
	(void)state;

	assert_int_equal(num_parse_i64("-42", &v, &err), 0);
	assert_int_equal(v, -42);
	assert_int_equal(num_parse_i64("9223372036854775807", &v, &err), 0);
	assert_int_equal(v, INT64_MAX);
	assert_true(num_parse_i64("9223372036854775808", &v, &err) < 0);
	assert_true(num_parse_i64("12a", &v, &err) < 0);
	assert_true(num_parse_i64(" 12", &v, &err) < 0);
	assert_true(num_parse_i64("", &v, &err) < 0);
	assert_int_equal(num_parse_u64("18446744073709551615", &u, &err), 0);
	assert_true(num_parse_u64("-1", &u, &err) < 0);
	/* ids: positive, 64-bit, including values past 2^53 */
	assert_int_equal(num_parse_id("9007199254740993", &v, &err), 0);
	assert_int_equal(v, 9007199254740993LL);
	assert_true(num_parse_id("0", &v, &err) < 0);
	assert_true(num_parse_id("-5", &v, &err) < 0);
	assert_true(num_parse_id("9223372036854775808", &v, &err) < 0);
	assert_non_null(strstr(err.msg, "positive 64-bit"));
	assert_int_equal(num_parse_int("8", 1, 10, &i, &err), 0);
	assert_int_equal(i, 8);
	assert_true(num_parse_int("11", 1, 10, &i, &err) < 0);
}

static void test_time(void **state)
{
	int64_t ms;
	char out[MLC_TIME_FMT_MAX];
	struct mlc_error err;
	(void)state;

	assert_int_equal(time_parse_rfc3339("2026-11-26T16:12:48Z", &ms, &err), 0);
	assert_int_equal(ms, 1795709568000LL);
	time_format_rfc3339(ms, out);
	assert_string_equal(out, "2026-11-26T16:12:48Z");
	assert_int_equal(time_parse_rfc3339("2026-11-26T08:12:48.25-08:00", &ms, &err), 0);
	assert_int_equal(ms, 1795709568250LL);
	time_format_rfc3339(ms, out);
	assert_string_equal(out, "2026-11-26T16:12:48.250Z");
	assert_int_equal(time_parse_rfc3339("2024-02-29", &ms, &err), 0);
	time_format_date(ms, out);
	assert_string_equal(out, "2024-02-29");
	assert_true(time_parse_rfc3339("2023-02-29", &ms, &err) < 0);
	assert_true(time_parse_rfc3339("2026-13-01T00:00:00Z", &ms, &err) < 0);
	assert_true(time_parse_rfc3339("2026-11-26T16:12:48", &ms, &err) < 0); /* no zone */
	assert_true(time_parse_rfc3339("11/26/2026", &ms, &err) < 0);
	time_format_rfc3339(-1, out);
	assert_string_equal(out, "1969-12-31T23:59:59.999Z");
	assert_true(time_mono_ms() > 0);
}

static void test_redact(void **state)
{
	struct mlc_buf out = MLC_BUF_INIT;
	(void)state;

	redact_text(&out, "Authorization: Bearer abc.def-123 rest");
	assert_string_equal(out.data, "Authorization: Bearer [REDACTED] rest");
	buf_reset(&out);
	redact_text(&out, "grant_type=client_credentials&client_secret=s3cr3t&x=1");
	assert_string_equal(out.data, "grant_type=client_credentials&client_secret=[REDACTED]&x=1");
	buf_reset(&out);
	redact_text(&out, "{\"access_token\": \"tok-value\", \"expires_in\": 3600}");
	assert_string_equal(out.data, "{\"access_token\": \"[REDACTED]\", \"expires_in\": 3600}");
	buf_reset(&out);
	redact_text(&out, "assertion eyJhbGciOiJQUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln end");
	assert_string_equal(out.data, "assertion [REDACTED] end");
	buf_reset(&out);
	redact_register("hunter2-very-secret");
	redact_text(&out, "the value hunter2-very-secret leaked");
	assert_string_equal(out.data, "the value [REDACTED] leaked");
	buf_reset(&out);
	redact_text(&out, "vendor=Acme Concrete amount=12.50");
	assert_string_equal(out.data, "vendor=Acme Concrete amount=12.50");
	redact_reset();
	buf_release(&out);
	assert_true(redact_key_is_secret("X-MLC-Webhook-Secret"));
	assert_true(redact_key_is_secret("Authorization"));
	assert_false(redact_key_is_secret("vendor_name"));
}

static void test_log(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	(void)state;

	log_setup(MLC_LOG_INFO, MLC_LOG_LOGFMT, f);
	log_debug("hidden", "k", "v");
	log_info("tenant added", "tenant", "acme", "client_secret", "xyz123456", "note",
		 "Bearer abcdef");
	fflush(f);
	assert_null(strstr(text, "hidden"));
	assert_non_null(strstr(text, "level=info msg=\"tenant added\" tenant=acme"));
	assert_non_null(strstr(text, "client_secret=[REDACTED]"));
	assert_null(strstr(text, "xyz123456"));
	assert_null(strstr(text, "abcdef"));
	log_setup(MLC_LOG_DEBUG, MLC_LOG_JSON, f);
	log_debug("json line", "q", "a\"b");
	fflush(f);
	assert_non_null(
	    strstr(text, "\"level\":\"debug\",\"msg\":\"json line\",\"q\":\"a\\\"b\"}"));
	log_setup(MLC_LOG_INFO, MLC_LOG_LOGFMT, NULL);
	fclose(f);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_buf),  cmocka_unit_test(test_str),    cmocka_unit_test(test_num),
	    cmocka_unit_test(test_time), cmocka_unit_test(test_redact), cmocka_unit_test(test_log),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
