#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "net/url.h"
#include "util/banned.h"

static void test_encode(void **state)
{
	struct mlc_buf b = MLC_BUF_INIT;

	MLC_UNUSED(state);
	url_encode(&b, "AZaz09-._~ /?&=+[]:%\xc3\xa4");
	assert_string_equal(b.data, "AZaz09-._~%20%2F%3F%26%3D%2B%5B%5D%3A%25%C3%A4");
	buf_reset(&b);
	url_form_encode(&b, "a b+c");
	assert_string_equal(b.data, "a+b%2Bc");
	buf_release(&b);
}

static void test_query(void **state)
{
	struct mlc_buf q = MLC_BUF_INIT;

	MLC_UNUSED(state);
	url_query_add(&q, "filters[origin_id]", "ns:vendor:1", false);
	url_query_add(&q, "page", "2", false);
	url_query_add(&q, "flag", NULL, false);
	url_query_add(&q, "q", "", false);
	assert_string_equal(q.data, "filters%5Borigin_id%5D=ns%3Avendor%3A1&page=2&flag&q=");
	buf_reset(&q);
	url_query_add(&q, "grant_type", "client_credentials", true);
	url_query_add(&q, "scope", "rest_webservices restlets", true);
	assert_string_equal(q.data,
			    "grant_type=client_credentials&scope=rest_webservices+restlets");
	buf_release(&q);
}

static void test_decode(void **state)
{
	struct mlc_buf b = MLC_BUF_INIT;

	MLC_UNUSED(state);
	assert_int_equal(url_decode(&b, "a%20b+c%2b%C3%A4", false), 0);
	assert_string_equal(b.data, "a b+c+\xc3\xa4");
	buf_reset(&b);
	assert_int_equal(url_decode(&b, "a+b", true), 0);
	assert_string_equal(b.data, "a b");
	buf_reset(&b);
	assert_int_equal(url_decode(&b, "bad%2", false), MLC_EINVAL);
	buf_reset(&b);
	assert_int_equal(url_decode(&b, "bad%zz", false), MLC_EINVAL);
	buf_reset(&b);
	assert_int_equal(url_decode(&b, "nul%00", false), MLC_EINVAL);
	buf_release(&b);
}

static void test_loopback(void **state)
{
	MLC_UNUSED(state);
	assert_true(url_host_is_loopback("localhost"));
	assert_true(url_host_is_loopback("LOCALHOST"));
	assert_true(url_host_is_loopback("127.0.0.1"));
	assert_true(url_host_is_loopback("127.8.9.10"));
	assert_true(url_host_is_loopback("::1"));
	assert_true(url_host_is_loopback("[::1]"));
	assert_true(url_host_is_loopback("::ffff:127.0.0.1"));
	assert_false(url_host_is_loopback("128.0.0.1"));
	assert_false(url_host_is_loopback("::2"));
	assert_false(url_host_is_loopback("localhost.evil.com"));
	assert_false(url_host_is_loopback("127.0.0.1.nip.io"));
	assert_false(url_host_is_loopback(""));
	assert_false(url_host_is_loopback(NULL));
}

static void test_transport(void **state)
{
	struct mlc_buf o = MLC_BUF_INIT;
	struct mlc_error err;

	MLC_UNUSED(state);
	assert_int_equal(url_check_transport("https://API.Procore.com/rest", &o, &err), 0);
	assert_string_equal(o.data, "https://api.procore.com:443");
	buf_reset(&o);
	assert_int_equal(url_check_transport("http://127.0.0.1:8702/x", &o, &err), 0);
	assert_string_equal(o.data, "http://127.0.0.1:8702");
	assert_int_equal(url_check_transport("http://[::1]:1/", NULL, &err), 0);
	assert_int_equal(url_check_transport("http://localhost/", NULL, &err), 0);
	assert_int_equal(url_check_transport("http://api.procore.com/", NULL, &err), MLC_EINVAL);
	assert_int_equal(url_check_transport("http://127.0.0.1.nip.io/", NULL, &err), MLC_EINVAL);
	assert_int_equal(url_check_transport("ftp://127.0.0.1/", NULL, &err), MLC_EINVAL);
	assert_int_equal(url_check_transport("/relative", NULL, &err), MLC_EINVAL);
	assert_int_equal(url_check_transport(NULL, NULL, &err), MLC_EINVAL);
	buf_release(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_encode),    cmocka_unit_test(test_query),
	    cmocka_unit_test(test_decode),    cmocka_unit_test(test_loopback),
	    cmocka_unit_test(test_transport),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
