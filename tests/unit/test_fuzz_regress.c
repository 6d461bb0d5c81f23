/*
 * Regressions for what the libFuzzer targets in fuzz/ found: each test
 * calls the parser with the crashing input inline (ctest runs the normal
 * build, not the fuzz build).  Under the ASan/UBSan build (MLC_SANITIZE)
 * the overflows were reported as errors; the assertions check the values
 * in any build.
 */
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "auth/token.h"
#include "auth/token_internal.h"
#include "core/vault.h"
#include "net/cidr.h"
#include "net/http_retry.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/time.h"
#include "util/banned.h"

/* fuzz_xff: a trusted proxy forwarding only empty X-Forwarded-For lines
 * crashed xff_resolve (it trimmed the shared read-only empty buffer). */
static void test_xff_only_empty_lines(void **state)
{
	struct mlc_cidr_list trusted = {0};
	const char *one[] = {""};
	const char *two[] = {"", ""};
	const char *blank[] = {"  "};
	char out[64];

	MLC_UNUSED(state);
	assert_int_equal(cidr_list_parse("10.0.0.0/8, 127.0.0.1, ::1, fd00::/8", &trusted, NULL),
			 0);
	xff_resolve(&trusted, "127.0.0.1", one, 1, out, sizeof(out));
	assert_string_equal(out, "(empty)");
	assert_false(cidr_list_match(&trusted, out));
	xff_resolve(&trusted, "10.1.2.3", two, 2, out, sizeof(out));
	assert_string_equal(out, "(empty)");
	xff_resolve(&trusted, "::1", blank, 1, out, sizeof(out));
	assert_string_equal(out, "(empty)");
	/* a NULL line counts as empty */
	one[0] = NULL;
	xff_resolve(&trusted, "127.0.0.1", one, 1, out, sizeof(out));
	assert_string_equal(out, "(empty)");
	/* an untrusted peer is still the client */
	xff_resolve(&trusted, "192.0.2.1", two, 2, out, sizeof(out));
	assert_string_equal(out, "192.0.2.1");
	cidr_list_release(&trusted);
}

/* fuzz_xff: a trusted_proxies value starting with an empty item (",")
 * crashed cidr_list_parse (config check, serve start). */
static void test_cidr_list_empty_items(void **state)
{
	struct mlc_cidr_list l = {0};

	MLC_UNUSED(state);
	assert_int_equal(cidr_list_parse(",", &l, NULL), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(cidr_list_parse(", 10.0.0.0/8", &l, NULL), 0);
	assert_int_equal(l.n, 1);
	assert_true(cidr_list_match(&l, "10.9.8.7"));
	cidr_list_release(&l);
	assert_int_equal(cidr_list_parse(",,::1,,127.0.0.1,", &l, NULL), 0);
	assert_int_equal(l.n, 2);
	assert_true(cidr_list_match(&l, "::1"));
	assert_true(cidr_list_match(&l, "127.0.0.1"));
	cidr_list_release(&l);
	/* a bad item after an empty one is still refused */
	assert_int_not_equal(cidr_list_parse(",garbage", &l, NULL), 0);
	assert_int_equal(l.n, 0);
}

/* fuzz_retry: X-Rate-Limit-Reset "85555555555555555" overflowed
 * v * 1000 (a unix time far past int64 milliseconds). */
static void test_rate_reset_huge(void **state)
{
	const int64_t now = 1767225600000; /* 2026-01-01 */

	MLC_UNUSED(state);
	assert_int_equal(rate_reset_ms("85555555555555555", now), RATE_RESET_MAX_MS);
	assert_int_equal(rate_reset_ms("9223372036854775807", now), RATE_RESET_MAX_MS);
	assert_int_equal(rate_reset_ms("9223372036854775", now), RATE_RESET_MAX_MS);
	/* the ordinary answers are unchanged */
	assert_int_equal(rate_reset_ms("30", now), 30000);
	assert_int_equal(rate_reset_ms("999999999", now), RATE_RESET_MAX_MS);
	assert_int_equal(rate_reset_ms("1767225630", now), 30000);
	assert_int_equal(rate_reset_ms("1767225599", now), 0);
	assert_int_equal(rate_reset_ms("1767229200", now), RATE_RESET_MAX_MS);
	assert_int_equal(rate_reset_ms("1767229201", now), RATE_RESET_MAX_MS);
	assert_int_equal(rate_reset_ms("-1", now), -1);
}

/* fuzz_retry: a Date header in year 1994450329 overflowed when * 1000 in
 * server_now_ms. */
static void test_server_date_far_future(void **state)
{
	const int64_t now = 1767225600000;

	MLC_UNUSED(state);
	assert_int_equal(server_now_ms("Sun Nov  6 08:49:37 1994450329", now), now);
	assert_int_equal(server_now_ms("Fri, 31 Dec 10000 23:59:59 GMT", now), now);
	/* ordinary dates unchanged */
	assert_int_equal(server_now_ms("Thu, 01 Jan 2026 00:00:30 GMT", now), now + 30000);
	assert_int_equal(server_now_ms("Fri, 31 Dec 9999 23:59:59 GMT", now), 253402300799000);
	assert_int_equal(server_now_ms("", now), now);
	assert_int_equal(server_now_ms("soon", now), now);
	/* a wait counted against such a clock stays capped */
	assert_true(retry_after_ms("Fri, 31 Dec 9999 23:59:59 GMT",
				   server_now_ms("Sun Nov  6 08:49:37 1994450329", now)) <=
		    RETRY_AFTER_MAX_MS);
}

/* fuzz_number: "9999-12-31T23:59:60Z" parsed to year 10000, which
 * time_format_rfc3339 writes as text that does not parse back. */
static void test_rfc3339_out_of_range(void **state)
{
	int64_t ms = 0;
	char out[MLC_TIME_FMT_MAX];

	MLC_UNUSED(state);
	assert_int_not_equal(time_parse_rfc3339("9999-12-31T23:59:60Z", &ms, NULL), 0);
	assert_int_not_equal(time_parse_rfc3339("9999-12-31T23:59:59-00:01", &ms, NULL), 0);
	assert_int_not_equal(time_parse_rfc3339("0000-01-01T00:00:00+00:01", &ms, NULL), 0);
	/* the ends of the range still parse and round-trip */
	assert_int_equal(time_parse_rfc3339("9999-12-31T23:59:59.999Z", &ms, NULL), 0);
	time_format_rfc3339(ms, out);
	assert_string_equal(out, "9999-12-31T23:59:59.999Z");
	assert_int_equal(time_parse_rfc3339("0000-01-01T00:00:00Z", &ms, NULL), 0);
	time_format_rfc3339(ms, out);
	assert_string_equal(out, "0000-01-01T00:00:00Z");
	/* a leap second elsewhere is still read as the next second */
	assert_int_equal(time_parse_rfc3339("2016-12-31T23:59:60Z", &ms, NULL), 0);
	assert_int_equal(ms, 1483228800000);
}

/* fuzz_token: an expires_in of 216172778644963133 overflowed
 * expires_in * 1000 in token_refresh_at and the cache. */
static int64_t fixed_clock(void *arg)
{
	return *(const int64_t *)arg;
}

static int64_t huge_expires_in = 216172778644963133;

static int fetch_huge(void *arg, struct mlc_token_grant *out, struct mlc_error *err)
{
	MLC_UNUSED(arg);
	MLC_UNUSED(err);
	out->access_token = secret_new("tok-huge", 8);
	out->expires_in_s = huge_expires_in;
	return 0;
}

static void test_token_expires_in_huge(void **state)
{
	const struct mlc_token_policy capped = {4800 * 1000, 600 * 1000};
	const struct mlc_token_policy uncapped = {0, 300 * 1000};
	int64_t now = 1767225600000;
	struct mlc_token_cache_opts o;
	struct mlc_token_cache *c;
	struct mlc_buf tok = MLC_BUF_INIT;

	MLC_UNUSED(state);
	assert_true(sodium_init() >= 0);
	assert_int_equal(token_refresh_at(&capped, now, INT64_MAX), now + 4800 * 1000);
	assert_int_equal(token_refresh_at(&capped, now, huge_expires_in), now + 4800 * 1000);
	/* no cap: refreshed within the year a lifetime is bounded to */
	assert_true(token_refresh_at(&uncapped, now, INT64_MAX) > now);
	assert_true(token_refresh_at(&uncapped, now, INT64_MAX) <= now + 366LL * 24 * 3600 * 1000);
	assert_true(token_refresh_at(&uncapped, now, INT64_MIN) <= now);
	/* the ordinary answer is unchanged: an hour, refreshed 5 minutes early */
	assert_int_equal(token_refresh_at(&uncapped, now, 3600), now + 3300 * 1000);
	assert_int_equal(token_refresh_at(&capped, now, 7200), now + 4800 * 1000);

	memset(&o, 0, sizeof(o));
	o.name = "fuzz-regress";
	o.policy = capped;
	o.fetch = fetch_huge;
	o.clock = fixed_clock;
	o.clock_arg = &now;
	c = token_cache_new(&o);
	assert_int_equal(token_cache_get(c, &tok, NULL), 0);
	assert_string_equal(tok.data, "tok-huge");
	assert_int_equal(token_cache_refresh_at(c), now + 4800 * 1000);
	buf_release_wipe(&tok);
	token_cache_free(c);
}

/* fuzz_redis: when Redis could not be reached, mark_down() freed the
 * hiredis context and then logged its errstr (a use after free, reported
 * by the ASan build; the message must name the cause). */
static int closed_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd); /* nothing listens there now */
	return port;
}

static void test_redis_down_logs_cause(void **state)
{
	unsigned char key[VAULT_KEY_BYTES];
	struct mlc_vault *v = NULL;
	struct mlc_token_shared *sh = NULL;
	struct token_entry e;
	char url[64], text[4096];
	FILE *log = tmpfile();
	size_t n;

	MLC_UNUSED(state);
	assert_true(sodium_init() >= 0);
	assert_non_null(log);
	memset(key, 7, sizeof(key));
	assert_int_equal(vault_new(key, sizeof(key), &v, NULL), 0);
	snprintf(url, sizeof(url), "redis://127.0.0.1:%d", closed_port());
	assert_int_equal(token_shared_new(url, v, &sh, NULL), 0);
	log_setup(MLC_LOG_WARN, MLC_LOG_LOGFMT, log);
	assert_true(token_shared_load(sh, "fuzz", 0, &e) < 0);
	assert_false(token_shared_up(sh));
	log_setup(MLC_LOG_ERROR, MLC_LOG_LOGFMT, stderr);
	rewind(log);
	n = fread(text, 1, sizeof(text) - 1, log);
	text[n] = '\0';
	assert_non_null(strstr(text, "redis unavailable"));
	assert_non_null(strstr(text, "Connection refused"));
	fclose(log);
	token_shared_free(sh);
	vault_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_xff_only_empty_lines),
	    cmocka_unit_test(test_cidr_list_empty_items),
	    cmocka_unit_test(test_rate_reset_huge),
	    cmocka_unit_test(test_server_date_far_future),
	    cmocka_unit_test(test_rfc3339_out_of_range),
	    cmocka_unit_test(test_token_expires_in_huge),
	    cmocka_unit_test(test_redis_down_logs_cause),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
