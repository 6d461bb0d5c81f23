#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "util/normalize.h"
#include "util/banned.h"

static const char *const suffixes[] = {
    "inc",     "incorporated", "llc",         "llp", "lllp", "ltd", "limited", "co",
    "company", "corp",         "corporation", "lp",  "pllc", "pc",  "plc",
};

/* Long spellings of a legal suffix and the short one name_fold() writes. */
static const char *const long_forms[][2] = {
    {"incorporated", "inc"},
    {"company", "co"},
    {"corporation", "corp"},
    {"limited", "ltd"},
};

static int is_suffix(const char *w, size_t n)
{
	for (size_t i = 0; i < MLC_ARRAY_LEN(suffixes); i++)
		if (strlen(suffixes[i]) == n && memcmp(suffixes[i], w, n) == 0)
			return 1;
	return 0;
}

/* The folded words of name, one space between them, into words. */
static int fold_words(const char *name, struct mlc_buf *words, struct mlc_error *err)
{
	utf8proc_uint8_t *folded = NULL;
	utf8proc_ssize_t n;
	int space = 1;

	n = utf8proc_map((const utf8proc_uint8_t *)name, 0, &folded,
			 UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
			     UTF8PROC_CASEFOLD | UTF8PROC_IGNORE | UTF8PROC_STRIPCC);
	if (n < 0)
		return error_set(err, MLC_EINVAL, "name is not valid UTF-8: %s",
				 utf8proc_errmsg(n));
	/* Keep letters, digits and marks; '&' becomes "and"; everything else
	 * separates words.  Apostrophes join ("O'Brien" -> "obrien"). */
	for (utf8proc_ssize_t i = 0; i < n;) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t len = utf8proc_iterate(folded + i, n - i, &cp);
		if (len <= 0)
			break;
		utf8proc_category_t cat = utf8proc_category(cp);
		int keep = (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
			   (cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME) ||
			   (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
		if (keep) {
			buf_add(words, folded + i, (size_t)len);
			space = 0;
		} else if (cp == '\'' || cp == 0x2019) {
			/* joins */
		} else if (cp == '&') {
			if (!space)
				buf_addch(words, ' ');
			buf_addstr(words, "and ");
			space = 1;
		} else if (!space) {
			buf_addch(words, ' ');
			space = 1;
		}
		i += len;
	}
	free(folded);
	while (words->len && words->data[words->len - 1] == ' ')
		buf_setlen(words, words->len - 1);
	return MLC_OK;
}

int name_fold(const char *name, struct mlc_buf *out, struct mlc_error *err)
{
	struct mlc_buf words = MLC_BUF_INIT;
	const char *last;
	int rc;

	rc = fold_words(name, &words, err);
	if (rc < 0)
		goto out;
	/* one spelling for the last word when it is a legal suffix (not for a
	 * one-word name: "Company" is a name there) */
	last = strrchr(words.data, ' ');
	if (last) {
		last++;
		for (size_t i = 0; i < MLC_ARRAY_LEN(long_forms); i++)
			if (strcmp(last, long_forms[i][0]) == 0) {
				buf_setlen(&words, (size_t)(last - words.data));
				buf_addstr(&words, long_forms[i][1]);
				break;
			}
	}
	buf_add(out, words.data, words.len);
	rc = MLC_OK;
out:
	buf_release(&words);
	return rc;
}

int name_normalize(const char *name, struct mlc_buf *out, struct mlc_error *err)
{
	struct mlc_buf words = MLC_BUF_INIT;
	int rc;

	rc = fold_words(name, &words, err);
	if (rc < 0) {
		buf_release(&words);
		return rc;
	}
	/* drop trailing legal suffixes, keeping at least one word */
	for (;;) {
		char *last = strrchr(words.data, ' ');
		if (!last)
			break;
		if (!is_suffix(last + 1, strlen(last + 1)))
			break;
		buf_setlen(&words, (size_t)(last - words.data));
	}
	buf_add(out, words.data, words.len);
	buf_release(&words);
	return MLC_OK;
}
