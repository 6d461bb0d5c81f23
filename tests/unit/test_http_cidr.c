#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "net/cidr.h"
#include "util/banned.h"

static void test_ipv4(void **state)
{
	struct mlc_cidr c;
	struct mlc_error err;

	MLC_UNUSED(state);
	assert_int_equal(cidr_parse("10.0.0.0/8", &c, &err), 0);
	assert_true(cidr_match(&c, "10.255.1.2"));
	assert_false(cidr_match(&c, "11.0.0.1"));
	assert_false(cidr_match(&c, "::1"));
	assert_false(cidr_match(&c, "garbage"));
	assert_false(cidr_match(&c, NULL));
	/* an IPv4-mapped IPv6 peer is matched as IPv4 */
	assert_true(cidr_match(&c, "::ffff:10.1.2.3"));
	/* host bits are masked off */
	assert_int_equal(cidr_parse("192.168.7.9/20", &c, &err), 0);
	assert_true(cidr_match(&c, "192.168.0.1"));
	assert_true(cidr_match(&c, "192.168.15.255"));
	assert_false(cidr_match(&c, "192.168.16.0"));
	assert_int_equal(cidr_parse("203.0.113.7", &c, &err), 0);
	assert_int_equal(c.prefix, 32);
	assert_true(cidr_match(&c, "203.0.113.7"));
	assert_false(cidr_match(&c, "203.0.113.8"));
	assert_int_equal(cidr_parse("0.0.0.0/0", &c, &err), 0);
	assert_true(cidr_match(&c, "8.8.8.8"));
	assert_false(cidr_match(&c, "2001:db8::1"));
}

static void test_ipv6(void **state)
{
	struct mlc_cidr c;
	struct mlc_error err;

	MLC_UNUSED(state);
	assert_int_equal(cidr_parse("2001:db8::/32", &c, &err), 0);
	assert_true(cidr_match(&c, "2001:db8:ffff::1"));
	assert_true(cidr_match(&c, "2001:0DB8::abcd"));
	assert_false(cidr_match(&c, "2001:db9::1"));
	assert_false(cidr_match(&c, "10.0.0.1"));
	assert_int_equal(cidr_parse("::1", &c, &err), 0);
	assert_int_equal(c.prefix, 128);
	assert_true(cidr_match(&c, "::1"));
	assert_false(cidr_match(&c, "::2"));
	assert_int_equal(cidr_parse("fd00::/7", &c, &err), 0);
	assert_true(cidr_match(&c, "fdff::1"));
	assert_true(cidr_match(&c, "fc00::1"));
	assert_false(cidr_match(&c, "fe80::1"));
	assert_int_equal(cidr_parse("2001:db8::/61", &c, &err), 0);
	assert_true(cidr_match(&c, "2001:db8:0:7::1"));
	assert_false(cidr_match(&c, "2001:db8:0:8::1"));
}

static void test_bad(void **state)
{
	struct mlc_cidr c;
	struct mlc_error err;

	MLC_UNUSED(state);
	assert_int_equal(cidr_parse("10.0.0.0/33", &c, &err), MLC_EINVAL);
	assert_int_equal(cidr_parse("::/129", &c, &err), MLC_EINVAL);
	assert_int_equal(cidr_parse("10.0.0/8", &c, &err), MLC_EINVAL);
	assert_int_equal(cidr_parse("10.0.0.0/", &c, &err), MLC_EINVAL);
	assert_int_equal(cidr_parse("10.0.0.0/-1", &c, &err), MLC_EINVAL);
	assert_int_equal(cidr_parse("host.example/8", &c, &err), MLC_EINVAL);
	assert_int_equal(cidr_parse("", &c, &err), MLC_EINVAL);
}

static void test_list(void **state)
{
	struct mlc_cidr_list l;
	struct mlc_error err;

	MLC_UNUSED(state);
	assert_int_equal(cidr_list_parse(" 10.0.0.0/8, 2001:db8::/32 ,,127.0.0.1", &l, &err), 0);
	assert_int_equal(l.n, 3);
	assert_true(cidr_list_match(&l, "10.9.9.9"));
	assert_true(cidr_list_match(&l, "2001:db8::9"));
	assert_true(cidr_list_match(&l, "127.0.0.1"));
	assert_false(cidr_list_match(&l, "127.0.0.2"));
	cidr_list_release(&l);
	assert_int_equal(cidr_list_parse(NULL, &l, &err), 0);
	assert_int_equal(l.n, 0);
	assert_false(cidr_list_match(&l, "10.0.0.1"));
	assert_int_equal(cidr_list_parse("10.0.0.0/8,bogus", &l, &err), MLC_EINVAL);
	assert_int_equal(l.n, 0);
	assert_non_null(strstr(err.msg, "bogus"));
	cidr_list_release(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ipv4),
	    cmocka_unit_test(test_ipv6),
	    cmocka_unit_test(test_bad),
	    cmocka_unit_test(test_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
