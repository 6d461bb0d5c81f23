/*
 * The SuiteQL translator and the sandbox's small parsers, without HTTP.
 * References: docs/reference/netsuite/suiteql.md (tables, V1-V9), docs/reference/netsuite.md
 * "SuiteQL", issue 4
 * "--faults".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sandbox/nssim.h"
#include "sandbox/sandbox.h"
#include "util/banned.h"

static void check_accepted(const char *q, const char *must_contain)
{
	struct mlc_error err = {0};
	char *out = NULL;

	if (suiteql_translate(q, &out, &err) != 0)
		fail_msg("refused: %s: %s", q, err.msg);
	if (must_contain && !strstr(out, must_contain))
		fail_msg("%s -> %s (wanted %s)", q, out, must_contain);
	free(out);
}

static void refuse(const char *q, const char *why)
{
	struct mlc_error err = {0};
	char *out = NULL;

	if (suiteql_translate(q, &out, &err) == 0)
		fail_msg("accepted: %s -> %s", q, out);
	assert_null(out);
	if (why && !strstr(err.msg, why))
		fail_msg("%s: %s (wanted %s)", q, err.msg, why);
}

/* docs/reference/netsuite.md "SuiteQL": SELECT only, known tables and columns. */
static void test_translate(void **state)
{
	MLC_UNUSED(state);
	check_accepted("SELECT id, companyname FROM vendor WHERE isinactive = 'F' ORDER BY id",
		       "\"vendor\"");
	check_accepted(
	    "select T.ID, tl.Memo from Transaction T join TransactionLine tl on tl.transaction "
	    "= t.id",
	    "\"transaction\"");
	check_accepted("SELECT * FROM accountingperiod WHERE closed = 'T'", NULL);
	check_accepted("SELECT COUNT(*) FROM transaction", "AS expr1");
	check_accepted("SELECT id, BUILTIN.DF(entity) FROM transaction", "mlc_df('entity'");
	check_accepted(
	    "SELECT TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS ts FROM vendor",
	    "mlc_to_char");
	check_accepted(
	    "SELECT id FROM vendor WHERE lastmodifieddate >= TO_TIMESTAMP('2026-11-01 00:00:00', "
	    "'YYYY-MM-DD HH24:MI:SS') ORDER BY lastmodifieddate, id",
	    "mlc_to_timestamp");
	check_accepted("SELECT id FROM transaction WHERE trandate BETWEEN "
		       "TO_DATE('2026-01-01','YYYY-MM-DD') AND "
		       "TO_DATE('2026-12-31','YYYY-MM-DD')",
		       "mlc_to_date");
	check_accepted("SELECT NVL(memo, 'none') AS m FROM transaction", "IFNULL");
	check_accepted("SELECT id FROM vendor WHERE companyname = 'O''Brien; DROP TABLE vendor'",
		       NULL);
	check_accepted("SELECT id FROM vendor ORDER BY id FETCH FIRST 5 ROWS ONLY", "LIMIT 5");
	check_accepted("SELECT v.id FROM vendor v WHERE v.id IN (SELECT entity FROM transaction)",
		       NULL);
	check_accepted("SELECT id, name FROM customrecord_cseg_mlc_costcode", NULL);
	check_accepted("SELECT * FROM transaction WHERE ROWNUM = 1", "LIMIT 1");
	check_accepted("SELECT id FROM vendor WHERE isinactive = 'F' AND ROWNUM <= 10", "LIMIT 10");
	check_accepted("SELECT id FROM vendor WHERE ROWNUM < 5 ORDER BY id", "LIMIT 4");
	refuse("SELECT id FROM vendor WHERE ROWNUM > 5", "ROWNUM");

	refuse("DELETE FROM vendor", "SELECT");
	refuse("SELECT id FROM vendor; DELETE FROM vendor", "character");
	refuse("SELECT id FROM vendor -- comment", "Comments");
	refuse("SELECT balance FROM vendor", "Unknown identifier 'balance'");
	refuse("SELECT v.nope FROM vendor v", "Unknown identifier 'nope'");
	refuse("SELECT id FROM sqlite_master", "Record 'sqlite_master' was not found");
	refuse("SELECT id FROM _token", NULL);
	refuse("SELECT load_extension('x') FROM vendor", "Unknown function");
	refuse("WITH x AS (SELECT 1) SELECT * FROM x", NULL);
	refuse("SELECT id FROM vendor WHERE (id = 1", "parentheses");
	refuse("SELECT 'unterminated FROM vendor", "Unterminated");
}

/* docs/reference/netsuite/suiteql.md V2: dates in the account format, M/D/YYYY. */
static void test_date_format(void **state)
{
	char out[32];

	MLC_UNUSED(state);
	suiteql_format_date("2026-11-26 16:12:48", out, sizeof(out));
	assert_string_equal(out, "11/26/2026");
	suiteql_format_date("2026-01-05 00:00:00", out, sizeof(out));
	assert_string_equal(out, "1/5/2026");
}

/* Issue 4 "--faults": SIM:KIND=P, comma-separated. */
static void test_faults_parse(void **state)
{
	struct sbx_faults ns, pc;
	struct mlc_error err = {0};

	MLC_UNUSED(state);
	assert_int_equal(
	    sandbox_faults_parse("ns:5xx=0.05,ns:timeout=0.02,ns:reset=0.01,ns:lost=0.01,"
				 "ns:push_drop=0.2,pc:throttle=0.1",
				 &ns, &pc, &err),
	    0);
	assert_true(ns.err5xx == 0.05 && ns.timeout == 0.02 && ns.reset == 0.01 &&
		    ns.lost == 0.01 && ns.push_drop == 0.2 && pc.throttle == 0.1 && pc.err5xx == 0);
	assert_int_equal(sandbox_faults_parse("", &ns, &pc, &err), 0);
	assert_true(ns.err5xx == 0);
	assert_true(sandbox_faults_parse("ns:5xx=2", &ns, &pc, &err) < 0);
	assert_true(sandbox_faults_parse("xx:5xx=0.1", &ns, &pc, &err) < 0);
	assert_true(sandbox_faults_parse("ns:nope=0.1", &ns, &pc, &err) < 0);
	assert_true(sandbox_faults_parse("ns5xx", &ns, &pc, &err) < 0);
}

static void test_b64url(void **state)
{
	const unsigned char data[] = {0xfb, 0xff, 0x00, 0x41, 0x42};
	size_t n = 0;
	char *e;
	unsigned char *d;

	MLC_UNUSED(state);
	for (size_t len = 0; len <= sizeof(data); len++) {
		e = nsjwt_b64url_encode(data, len);
		assert_null(strchr(e, '='));
		assert_null(strchr(e, '+'));
		d = nsjwt_b64url_decode(e, strlen(e), &n);
		assert_non_null(d);
		assert_int_equal(n, len);
		assert_memory_equal(d, data, len);
		free(d);
		free(e);
	}
	assert_null(nsjwt_b64url_decode("a*b", 3, &n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_translate),
	    cmocka_unit_test(test_date_format),
	    cmocka_unit_test(test_faults_parse),
	    cmocka_unit_test(test_b64url),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
