#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>

#include "server/webhook_parse.h"
#include "util/time.h"

/*
 * The body the push script sends (netsuite/src/FileCabinet/SuiteScripts/
 * mlc_push_ue.js), parsed by the connector's own NetSuite push parser.
 *
 * The Node test tests/node/mlc_push_ue.test.js writes the exact body it
 * sent to $MLC_PUSH_FIXTURE (CMake runs it first: a ctest fixture), and a
 * copy is kept in the repository ($MLC_PUSH_FIXTURE_COPY,
 * tests/node/fixtures/netsuite_push.json).  Both must be present, equal
 * byte for byte and accepted: a change on either side that the other does
 * not follow fails here.  A missing variable or file is a failure, never a
 * skip.
 */

/* The file named by environment variable var, NUL-terminated; *len its
 * size.  Fails the test when the variable or the file is missing. */
static char *slurp(const char *var, size_t *len)
{
	const char *path = getenv(var);
	FILE *f;
	char *buf;
	long n;

	if (!path || !*path)
		fail_msg("%s is not set: run this test through ctest", var);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("%s: cannot open %s", var, path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0 && n < 65536);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* What the Node test sends for an edit of vendor bill 812 in the UI. */
static void check_event(const char *body, size_t len)
{
	struct netsuite_event ev;
	struct mlc_error err = {0};
	json_t *payload = NULL;
	int64_t ms = 0;

	assert_int_equal(webhook_parse_netsuite(body, len, &ev, &payload, &err), MLC_OK);
	assert_non_null(payload);
	assert_string_equal(ev.record_type, "vendorbill");
	assert_int_equal(ev.id, 812);
	assert_string_equal(ev.last_modified, "2026-11-30T17:45:11.000Z");
	assert_int_equal(time_parse_rfc3339(ev.last_modified, &ms, &err), MLC_OK);
	assert_true(ms == INT64_C(1796060711000));
	assert_true(ev.has_user);
	assert_int_equal(ev.user, 31);
	assert_string_equal(ev.context, "USERINTERFACE");
	assert_string_equal(ev.key, "vendorbill:812:2026-11-30T17:45:11.000Z");
	/* the fields the parser does not read travel in the stored payload */
	assert_string_equal(json_string_value(json_object_get(payload, "event")), "edit");
	assert_string_equal(json_string_value(json_object_get(payload, "account")), "1234567_SB1");
	assert_string_equal(json_string_value(json_object_get(payload, "timestamp")),
			    "2026-11-30T17:45:12.250Z");
	json_decref(payload);
}

static void test_node_body_parses(void **state)
{
	size_t len;
	char *body = slurp("MLC_PUSH_FIXTURE", &len);

	(void)state;
	check_event(body, len);
	free(body);
}

static void test_copy_matches(void **state)
{
	size_t len, copy_len;
	char *body = slurp("MLC_PUSH_FIXTURE", &len);
	char *copy = slurp("MLC_PUSH_FIXTURE_COPY", &copy_len);

	(void)state;
	check_event(copy, copy_len);
	if (len != copy_len || memcmp(body, copy, len) != 0)
		fail_msg("the push script's body changed:\n  sent: %s\n  kept: %s\n"
			 "update tests/node/fixtures/netsuite_push.json and the receiver together",
			 body, copy);
	free(body);
	free(copy);
}

/* The parser refuses what the script must never send. */
static void test_parser_refusals(void **state)
{
	static const char *const bad[] = {
	    "{\"id\":812,\"lastModifiedDate\":\"2026-11-30T17:45:11.000Z\"}",
	    "{\"recordType\":\"vendorbill\",\"lastModifiedDate\":\"2026-11-30T17:45:11.000Z\"}",
	    "{\"recordType\":\"vendorbill\",\"id\":812}",
	    "{\"recordType\":\"vendor bill\",\"id\":812,"
	    "\"lastModifiedDate\":\"2026-11-30T17:45:11.000Z\"}",
	    "{\"recordType\":\"vendorbill\",\"id\":812,\"lastModifiedDate\":\"30/11/2026\"}",
	};
	struct netsuite_event ev;
	struct mlc_error err = {0};
	json_t *payload = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(
		    webhook_parse_netsuite(bad[i], strlen(bad[i]), &ev, &payload, &err),
		    MLC_EINVAL);
		assert_null(payload);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_node_body_parses),
	    cmocka_unit_test(test_copy_matches),
	    cmocka_unit_test(test_parser_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
