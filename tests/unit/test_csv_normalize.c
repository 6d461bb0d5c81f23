#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/csv.h"
#include "util/normalize.h"

static void test_csv_parse(void **state)
{
	const char *text = "\xEF\xBB\xBF"
			   "a,b,c\r\n"
			   "1,\"two, with comma\",\"say \"\"hi\"\"\"\n"
			   "\n"
			   "x,\"multi\nline\",\n"
			   "last,,end";
	struct mlc_csv_row *rows;
	size_t n;
	struct mlc_error err = {0};
	(void)state;

	assert_int_equal(csv_parse(text, strlen(text), &rows, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_int_equal(rows[0].nfields, 3);
	assert_string_equal(rows[0].fields[0], "a");
	assert_string_equal(rows[1].fields[1], "two, with comma");
	assert_string_equal(rows[1].fields[2], "say \"hi\"");
	assert_int_equal(rows[2].line, 4);
	assert_string_equal(rows[2].fields[1], "multi\nline");
	assert_string_equal(rows[2].fields[2], "");
	assert_int_equal(rows[3].line, 6);
	assert_string_equal(rows[3].fields[1], "");
	assert_string_equal(rows[3].fields[2], "end");
	csv_rows_free(rows, n);
}

static void test_csv_errors(void **state)
{
	struct mlc_csv_row *rows;
	size_t n;
	struct mlc_error err = {0};
	(void)state;

	assert_true(csv_parse("a,b\n\"open,c\n", 12, &rows, &n, &err) < 0);
	assert_non_null(strstr(err.msg, "line 2"));
	assert_true(csv_parse("a,\"b\"x\n", 7, &rows, &n, &err) < 0);
	assert_non_null(strstr(err.msg, "after a closing quote"));
	assert_true(csv_parse("a,b\nc,d\"e\n", 10, &rows, &n, &err) < 0);
	assert_non_null(strstr(err.msg, "line 2"));
}

/* issue 21 item 14: bytes that are not UTF-8 text, and NUL, are refused with the line */
static void test_csv_refuses_bad_text(void **state)
{
	static const char *const bad[] = {
	    "a\nb\xff\n",             /* never a UTF-8 byte */
	    "a\nb\xc0\xaf\n",         /* overlong '/' */
	    "a\nb\xe0\x80\xaf\n",     /* overlong, three bytes */
	    "a\nb\xed\xa0\x80\n",     /* UTF-16 surrogate */
	    "a\nb\xf4\x90\x80\x80\n", /* past U+10FFFF */
	    "a\nb\xe2\x82\n",         /* cut short */
	    "a\n\"b\x80\"\n",         /* stray continuation, quoted */
	};
	struct mlc_csv_row *rows;
	size_t n;
	struct mlc_error err = {0};
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_true(csv_parse(bad[i], strlen(bad[i]), &rows, &n, &err) < 0);
		assert_non_null(strstr(err.msg, "line 2: invalid UTF-8"));
		assert_null(rows);
	}
	assert_true(csv_parse("a\nb1\0001\n", 7, &rows, &n, &err) < 0);
	assert_non_null(strstr(err.msg, "line 2: a NUL byte"));
	assert_true(csv_parse("a\n\"x\ny\",\xff\n", 10, &rows, &n, &err) < 0);
	assert_non_null(strstr(err.msg, "line 3: invalid UTF-8"));
	/* every length of good sequence passes through unchanged */
	assert_int_equal(csv_parse("\xc3\xa9,\xe2\x82\xac,\xf0\x9f\x98\x80\n", 12, &rows, &n, &err),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].fields[0], "\xc3\xa9");
	assert_string_equal(rows[0].fields[1], "\xe2\x82\xac");
	assert_string_equal(rows[0].fields[2], "\xf0\x9f\x98\x80");
	csv_rows_free(rows, n);
}

static void test_csv_write_round_trip(void **state)
{
	struct mlc_buf out = MLC_BUF_INIT;
	struct mlc_csv_row *rows;
	size_t n;
	const char *fields[] = {"plain", "with,comma", "quote\"d", "", " padded", "line\nbreak"};
	(void)state;

	for (size_t i = 0; i < 6; i++)
		csv_add_field(&out, fields[i], i == 0);
	buf_addch(&out, '\n');
	assert_int_equal(csv_parse(out.data, out.len, &rows, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].nfields, 6);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(rows[0].fields[i], fields[i]);
	csv_rows_free(rows, n);
	buf_release(&out);
}

static void norm_eq(const char *a, const char *b)
{
	struct mlc_buf x = MLC_BUF_INIT, y = MLC_BUF_INIT;
	assert_int_equal(name_normalize(a, &x, NULL), 0);
	assert_int_equal(name_normalize(b, &y, NULL), 0);
	if (strcmp(x.data, y.data) != 0)
		fail_msg("'%s' -> '%s' but '%s' -> '%s'", a, x.data, b, y.data);
	buf_release(&x);
	buf_release(&y);
}

static void norm_is(const char *in, const char *want)
{
	struct mlc_buf x = MLC_BUF_INIT;
	assert_int_equal(name_normalize(in, &x, NULL), 0);
	assert_string_equal(x.data, want);
	buf_release(&x);
}

static void test_normalize(void **state)
{
	struct mlc_buf x = MLC_BUF_INIT;
	struct mlc_error err = {0};
	(void)state;

	norm_is("Acme Concrete, Inc.", "acme concrete");
	norm_eq("Acme Concrete, Inc.", "ACME CONCRETE INC");
	norm_eq("Acme Concrete, Inc.", "  acme   concrete  ");
	norm_eq("Sierra Glass & Glazing LLC", "SIERRA GLASS AND GLAZING");
	norm_eq("O'Brien Electric Co.", "OBrien Electric Company");
	norm_eq("Straße Bau GmbH", "STRASSE BAU GMBH"); /* case folding */
	norm_eq("\xEF\xBC\xA1\xEF\xBD\x83\xEF\xBD\x8D\xEF\xBD\x85 Paving",
		"Acme Paving");                                   /* NFKC fullwidth */
	norm_eq("Cafe\xCC\x81 Builders", "Caf\xC3\xA9 builders"); /* composed vs decomposed */
	norm_is("Acme Inc. Ltd.", "acme");                        /* several suffixes */
	norm_is("Company", "company");                            /* never empty */
	norm_is("Inc Builders", "inc builders");                  /* only trailing suffixes */
	assert_true(name_normalize("bad \xFF utf8", &x, &err) < 0);
	assert_non_null(strstr(err.msg, "UTF-8"));
	buf_release(&x);
}

static void fold_is(const char *in, const char *want)
{
	struct mlc_buf x = MLC_BUF_INIT;
	assert_int_equal(name_fold(in, &x, NULL), 0);
	if (strcmp(x.data, want) != 0)
		fail_msg("'%s' folds to '%s', wanted '%s'", in, x.data, want);
	buf_release(&x);
}

/* The folded name keeps the legal suffix (one spelling of it). */
static void test_fold(void **state)
{
	struct mlc_buf x = MLC_BUF_INIT;
	struct mlc_error err = {0};
	(void)state;

	fold_is("Acme Mechanical Co.", "acme mechanical co");
	fold_is("ACME MECHANICAL CO", "acme mechanical co");
	fold_is("acme  mechanical,  company", "acme mechanical co");
	fold_is("Acme Mechanical Corp.", "acme mechanical corp");
	fold_is("Acme Mechanical Corporation", "acme mechanical corp");
	fold_is("ACME MECHANICAL, INC", "acme mechanical inc");
	fold_is("Acme Mechanical Incorporated", "acme mechanical inc");
	fold_is("Acme Mechanical Limited", "acme mechanical ltd");
	fold_is("Acme Mechanical LLC", "acme mechanical llc");
	fold_is("Sierra Glass & Glazing", "sierra glass and glazing");
	fold_is("\xEF\xBC\xA1\xEF\xBD\x83\xEF\xBD\x8D\xEF\xBD\x85 Paving",
		"acme paving");                          /* NFKC */
	fold_is("Company", "company");                   /* a one-word name is a name */
	fold_is("Company Builders", "company builders"); /* only the last word */
	assert_true(name_fold("bad \xFF utf8", &x, &err) < 0);
	assert_non_null(strstr(err.msg, "UTF-8"));
	buf_release(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_parse),
	    cmocka_unit_test(test_csv_errors),
	    cmocka_unit_test(test_csv_refuses_bad_text),
	    cmocka_unit_test(test_csv_write_round_trip),
	    cmocka_unit_test(test_normalize),
	    cmocka_unit_test(test_fold),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
