#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flows/journal.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/money.h"
#include "util/num.h"
#include "util/str.h"
#include "util/banned.h"

void journal_init(struct journal *j, const char *external_id, const char *tran_date,
		  int64_t subsidiary, const char *memo)
{
	memset(j, 0, sizeof(*j));
	j->external_id = xstrdup(external_id);
	j->tran_date = xstrdup(tran_date);
	j->subsidiary = subsidiary;
	j->memo = str_dup_or_null(memo);
}

static void line_release(struct je_line *l)
{
	free(l->cost_code);
	free(l->memo);
}

void journal_release(struct journal *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->nlines; i++)
		line_release(&j->lines[i]);
	free(j->lines);
	free(j->external_id);
	free(j->tran_date);
	free(j->memo);
	memset(j, 0, sizeof(*j));
}

void journal_add(struct journal *j, const struct je_line *dims, int64_t amount)
{
	struct je_line *l;

	if (amount == 0)
		return;
	if (j->nlines == j->cap) {
		j->cap = j->cap ? j->cap * 2 : 8;
		j->lines = xrealloc(j->lines, j->cap * sizeof(*j->lines));
	}
	l = &j->lines[j->nlines++];
	*l = *dims;
	l->debit = amount > 0 ? amount : 0;
	l->credit = amount < 0 ? -amount : 0;
	l->cost_code = str_dup_or_null(dims->cost_code);
	l->memo = str_dup_or_null(dims->memo);
}

int journal_totals(const struct journal *j, int64_t *debits, int64_t *credits)
{
	int64_t d = 0, c = 0;

	for (size_t i = 0; i < j->nlines; i++)
		if (money_add(d, j->lines[i].debit, &d) < 0 ||
		    money_add(c, j->lines[i].credit, &c) < 0)
			return MLC_ERANGE;
	*debits = d;
	*credits = c;
	return MLC_OK;
}

int journal_check(const struct journal *j, struct mlc_error *err)
{
	int64_t d, c;
	char ds[MONEY_FMT_MAX], cs[MONEY_FMT_MAX];

	if (j->nlines < 2)
		return error_set(err, MLC_EINVAL, "journal %s has fewer than two lines",
				 j->external_id);
	for (size_t i = 0; i < j->nlines; i++) {
		const struct je_line *l = &j->lines[i];
		if (l->debit < 0 || l->credit < 0 || (l->debit > 0) == (l->credit > 0))
			return error_set(err, MLC_EINVAL,
					 "journal %s line %zu must have exactly one positive side",
					 j->external_id, i + 1);
		if (l->account <= 0)
			return error_set(err, MLC_EINVAL, "journal %s line %zu has no account",
					 j->external_id, i + 1);
	}
	if (journal_totals(j, &d, &c) < 0)
		return error_set(err, MLC_ERANGE, "journal %s totals overflow", j->external_id);
	if (d != c) {
		money_format(d, ds);
		money_format(c, cs);
		return error_set(err, MLC_EINVAL,
				 "journal %s does not balance: debits %s, credits %s",
				 j->external_id, ds, cs);
	}
	return MLC_OK;
}

static int same_key(const struct je_line *a, const struct je_line *b)
{
	return a->account == b->account && a->entity == b->entity &&
	       a->department == b->department && a->class_id == b->class_id &&
	       a->location == b->location && a->segment == b->segment &&
	       ((!a->cost_code && !b->cost_code) ||
		(a->cost_code && b->cost_code && strcmp(a->cost_code, b->cost_code) == 0));
}

/* (a's debit - credit) + (b's debit - credit), when it fits and can be
 * negated (a credit of -INT64_MIN cannot be held): MLC_OK, else MLC_ERANGE. */
static int net_of(const struct je_line *a, const struct je_line *b, int64_t *out)
{
	int64_t x, y, n;

	if (num_mul_i64(a->credit, -1, &x) < 0 || num_add_i64(a->debit, x, &x) < 0 ||
	    num_mul_i64(b->credit, -1, &y) < 0 || num_add_i64(b->debit, y, &y) < 0 ||
	    num_add_i64(x, y, &n) < 0 || n == INT64_MIN)
		return MLC_ERANGE;
	*out = n;
	return MLC_OK;
}

void journal_collapse(struct journal *j)
{
	size_t out = 0;

	for (size_t i = 0; i < j->nlines; i++) {
		struct je_line *l = &j->lines[i];
		size_t k;
		int64_t net = 0;
		for (k = 0; k < out; k++)
			if (same_key(&j->lines[k], l) && net_of(&j->lines[k], l, &net) == MLC_OK)
				break;
		/* a new key, or a net that does not fit: the line stays its own
		 * (journal_check() then refuses totals that overflow) */
		if (k == out) {
			if (k != i)
				j->lines[out] = *l;
			out++;
			continue;
		}
		/* net into the first line of the key */
		struct je_line *t = &j->lines[k];
		t->debit = net > 0 ? net : 0;
		t->credit = net < 0 ? -net : 0;
		line_release(l);
	}
	j->nlines = out;
	/* drop lines that netted to zero */
	out = 0;
	for (size_t i = 0; i < j->nlines; i++) {
		if (j->lines[i].debit == 0 && j->lines[i].credit == 0) {
			line_release(&j->lines[i]);
			continue;
		}
		j->lines[out++] = j->lines[i];
	}
	j->nlines = out;
}

static void set_ref(json_t *o, const char *key, int64_t id)
{
	char text[32];

	if (!id)
		return;
	snprintf(text, sizeof(text), "%lld", (long long)id);
	json_object_set_new(o, key, json_pack("{s:s}", "id", text));
}

json_t *journal_to_json(const struct journal *j, const char *segment_field)
{
	json_t *body = json_object(), *items = json_array();

	json_object_set_new(body, "externalId", json_string(j->external_id));
	json_object_set_new(body, "tranDate", json_string(j->tran_date));
	set_ref(body, "subsidiary", j->subsidiary);
	if (j->memo)
		json_object_set_new(body, "memo", json_string(j->memo));
	for (size_t i = 0; i < j->nlines; i++) {
		const struct je_line *l = &j->lines[i];
		json_t *o = json_object();
		set_ref(o, "account", l->account);
		if (l->debit)
			json_object_set_new(o, "debit", jsonx_money(l->debit));
		else
			json_object_set_new(o, "credit", jsonx_money(l->credit));
		set_ref(o, "entity", l->entity);
		set_ref(o, "department", l->department);
		set_ref(o, "class", l->class_id);
		set_ref(o, "location", l->location);
		if (segment_field)
			set_ref(o, segment_field, l->segment);
		if (l->memo)
			json_object_set_new(o, "memo", json_string(l->memo));
		json_array_append_new(items, o);
	}
	json_object_set_new(body, "line", json_pack("{s:o}", "items", items));
	return body;
}
