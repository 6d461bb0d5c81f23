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

/* issue 21 item 1: every X-Forwarded-For line counts, walked from the right */
static void test_xff(void **state)
{
	struct mlc_cidr_list trusted = {0};
	struct mlc_error err;
	char out[64];
	const char *two[] = {"203.0.113.7", "198.51.100.1"};
	const char *chain[] = {"203.0.113.7, 10.0.0.5", " 198.51.100.1 ,10.1.1.1"};
	const char *all_trusted[] = {"10.0.0.7, 10.0.0.8"};
	const char *garbage[] = {"203.0.113.7, garbage"};
	const char *port[] = {"203.0.113.7", "1.2.3.4:5555"};
	const char *bracket[] = {"203.0.113.7, [2001:db8::9]"};
	const char *empty[] = {"203.0.113.7,"};
	const char *ctl[] = {"203.0.113.7, a\"b\001c"};
	const char *v6[] = {"2001:db8::5, ::ffff:10.0.0.3"};

	MLC_UNUSED(state);
	assert_int_equal(cidr_list_parse("10.0.0.0/8", &trusted, &err), 0);
	/* a proxy appended its own line after the client's forged one */
	xff_resolve(&trusted, "10.0.0.1", two, 2, out, sizeof(out));
	assert_string_equal(out, "198.51.100.1");
	/* trusted hops are skipped across lines */
	xff_resolve(&trusted, "10.0.0.1", chain, 2, out, sizeof(out));
	assert_string_equal(out, "198.51.100.1");
	xff_resolve(&trusted, "10.0.0.1", v6, 1, out, sizeof(out));
	assert_string_equal(out, "2001:db8::5");
	/* all trusted: the left-most */
	xff_resolve(&trusted, "10.0.0.1", all_trusted, 1, out, sizeof(out));
	assert_string_equal(out, "10.0.0.7");
	/* an unparsable entry is untrusted: it is the client, never the proxy */
	xff_resolve(&trusted, "10.0.0.1", garbage, 1, out, sizeof(out));
	assert_string_equal(out, "garbage");
	assert_false(cidr_list_match(&trusted, out));
	xff_resolve(&trusted, "10.0.0.1", port, 2, out, sizeof(out));
	assert_string_equal(out, "1.2.3.4:5555");
	xff_resolve(&trusted, "10.0.0.1", bracket, 1, out, sizeof(out));
	assert_string_equal(out, "[2001:db8::9]");
	xff_resolve(&trusted, "10.0.0.1", empty, 1, out, sizeof(out));
	assert_string_equal(out, "(empty)");
	xff_resolve(&trusted, "10.0.0.1", ctl, 1, out, sizeof(out));
	assert_string_equal(out, "a?b?c");
	/* a peer that is not a trusted proxy is the client */
	xff_resolve(&trusted, "192.0.2.9", two, 2, out, sizeof(out));
	assert_string_equal(out, "192.0.2.9");
	/* no header: the peer */
	xff_resolve(&trusted, "10.0.0.1", NULL, 0, out, sizeof(out));
	assert_string_equal(out, "10.0.0.1");
	/* truncated to the buffer */
	xff_resolve(&trusted, "10.0.0.1", two, 2, out, 6);
	assert_string_equal(out, "198.5");
	cidr_list_release(&trusted);
	/* no trusted proxies at all: the peer */
	xff_resolve(&trusted, "10.0.0.1", two, 2, out, sizeof(out));
	assert_string_equal(out, "10.0.0.1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ipv4), cmocka_unit_test(test_ipv6), cmocka_unit_test(test_bad),
	    cmocka_unit_test(test_list), cmocka_unit_test(test_xff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
