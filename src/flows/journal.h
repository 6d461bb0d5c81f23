#ifndef MLC_JOURNAL_H
#define MLC_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/compat.h"
#include "util/error.h"

/*
 * A NetSuite journal entry being built.  Every line has exactly one of
 * debit or credit (cents, > 0).  journal_check() proves the entry balances
 * before anything is sent; journal_to_json() writes the REST body with
 * exact decimal amounts (util/jsonx.h).
 */
struct je_line {
	int64_t account;
	int64_t debit, credit;
	int64_t entity; /* NetSuite job / customer; 0: none */
	int64_t department, class_id, location;
	int64_t segment; /* cost-code segment value; 0: none */
	char *cost_code; /* for memos and the posting ledger; may be NULL */
	char *memo;
};

struct journal {
	char *external_id;
	char *tran_date; /* YYYY-MM-DD */
	int64_t subsidiary;
	char *memo;
	struct je_line *lines;
	size_t nlines, cap;
};

void journal_init(struct journal *j, const char *external_id, const char *tran_date,
		  int64_t subsidiary, const char *memo);
void journal_release(struct journal *j);
/* Adds a line: a positive amount is a debit, a negative one a credit of
 * the magnitude, zero adds nothing.  Copies cost_code and memo.  amount
 * must not be INT64_MIN (its magnitude does not fit): callers refuse it. */
void journal_add(struct journal *j, const struct je_line *dims, int64_t amount);
/* Totals of both sides; MLC_ERANGE on overflow. */
int journal_totals(const struct journal *j, int64_t *debits, int64_t *credits) MLC_MUST_CHECK;
/* MLC_EINVAL unless debits == credits, every line one-sided and positive,
 * and at least two lines. */
int journal_check(const struct journal *j, struct mlc_error *err) MLC_MUST_CHECK;
/*
 * Nets lines with the same account and dimensions (and cost code) into
 * one, keeping the side of the net amount; lines that net to zero go.
 * Used by the daily mode, where one entry carries a project's day.
 */
void journal_collapse(struct journal *j);
/* The REST body; segment_field is the custom segment's field id (its
 * script id, flows/segment.h) or NULL.  Caller decrefs. */
json_t *journal_to_json(const struct journal *j, const char *segment_field);

#endif
