#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flows/cost_plan.h"
#include "util/money.h"
#include "util/num.h"
#include "util/str.h"
#include "util/banned.h"

void cost_rows_add(struct cost_rows *rs, const struct cost_row *r)
{
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 8;
		rs->v = xrealloc(rs->v, rs->cap * sizeof(*rs->v));
	}
	rs->v[rs->n++] = *r;
}

void cost_rows_release(struct cost_rows *rs)
{
	if (!rs)
		return;
	free(rs->v);
	memset(rs, 0, sizeof(*rs));
}

void cost_plan_release(struct cost_plan *p)
{
	if (p)
		cost_rows_release(&p->rows);
}

static bool same_key(const struct cost_row *a, const struct cost_row *b)
{
	return !strcmp(a->source_ref, b->source_ref) && !strcmp(a->cost_code, b->cost_code) &&
	       !strcmp(a->cost_type, b->cost_type) && !strcmp(a->doc_type, b->doc_type);
}

/* Adds sign * r's amount under r's key, a new row (a copy of r) when the
 * key is new.  MLC_ERANGE, sum unchanged, when it does not fit. */
static int sum_into(struct cost_rows *sum, const struct cost_row *r, int sign, int64_t *was)
{
	int64_t a;

	*was = 0;
	if (num_mul_i64(r->amount, sign, &a) < 0)
		return MLC_ERANGE;
	for (size_t i = 0; i < sum->n; i++)
		if (same_key(&sum->v[i], r)) {
			*was = sum->v[i].amount;
			return num_add_i64(sum->v[i].amount, a, &sum->v[i].amount);
		}
	cost_rows_add(sum, r);
	sum->v[sum->n - 1].amount = a;
	return MLC_OK;
}

/* cost_rows_delta(), and on overflow *bad the row whose amount overflowed
 * and *was the sum of its key it was added to. */
static int delta_at(const struct cost_rows *want, const struct cost_rows *posted,
		    struct cost_rows *out, const struct cost_row **bad, int64_t *was)
{
	struct cost_rows sum = {0};
	const struct cost_row *at = NULL;
	int rc = MLC_OK;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < want->n && !at; i++)
		if (sum_into(&sum, &want->v[i], 1, was) < 0)
			at = &want->v[i];
	for (size_t i = 0; i < posted->n && !at; i++)
		if (sum_into(&sum, &posted->v[i], -1, was) < 0)
			at = &posted->v[i];
	if (at) {
		rc = MLC_ERANGE;
		*bad = at;
		goto out;
	}
	for (size_t i = 0; i < sum.n; i++)
		if (sum.v[i].amount)
			cost_rows_add(out, &sum.v[i]);
out:
	cost_rows_release(&sum);
	return rc;
}

int cost_rows_delta(const struct cost_rows *want, const struct cost_rows *posted,
		    struct cost_rows *out)
{
	const struct cost_row *bad;
	int64_t was;

	return delta_at(want, posted, out, &bad, &was);
}

bool cost_lines_tie(const int64_t *amounts, size_t n, int64_t header, char *why, size_t whylen)
{
	char a[MONEY_FMT_MAX], h[MONEY_FMT_MAX], d[MONEY_FMT_MAX];
	int64_t sum = 0, diff;

	for (size_t i = 0; i < n; i++)
		if (num_add_i64(sum, amounts[i], &sum) < 0) {
			snprintf(why, whylen,
				 "the owner invoice's line amounts overflow their sum");
			return false;
		}
	if (sum == header)
		return true;
	money_format(sum, a);
	money_format(header, h);
	if (header == INT64_MIN || num_add_i64(sum, -header, &diff) < 0)
		snprintf(d, sizeof(d), "overflow");
	else
		money_format(diff, d);
	snprintf(why, whylen, "lines sum to %s but the invoice says %s: difference %s", a, h, d);
	return false;
}

const struct canon_period *cost_period_of(const struct canon_period *p, size_t n, const char *date)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(date, p[i].start) >= 0 && strcmp(date, p[i].end) <= 0)
			return &p[i];
	return NULL;
}

/* The first open period ending on or after date: corrections land in the
 * books still open. */
static const struct canon_period *first_open_from(const struct cost_unit_in *in, const char *date)
{
	for (size_t i = 0; i < in->nperiods; i++)
		if (in->periods[i].open && strcmp(in->periods[i].end, date) >= 0)
			return &in->periods[i];
	return NULL;
}

/* What the ledger says of the unit's own entry and its adjustments. */
struct posted_state {
	bool base_posted;
	char base_period[8];
	size_t nadj; /* distinct adjustment entries */
	char pstart[11];
};

static void posted_state(const struct cost_unit_in *in, struct posted_state *ps)
{
	const struct cost_rows *p = in->posted;

	memset(ps, 0, sizeof(*ps));
	for (size_t i = 0; i < p->n; i++) {
		bool seen = false;
		if (strcmp(p->v[i].je, in->eid) == 0) {
			ps->base_posted = true;
			str_copy(ps->base_period, sizeof(ps->base_period), p->v[i].period);
			continue;
		}
		for (size_t k = 0; k < i && !seen; k++)
			seen =
			    strcmp(p->v[k].je, in->eid) != 0 && strcmp(p->v[k].je, p->v[i].je) == 0;
		ps->nadj += !seen;
	}
	snprintf(ps->pstart, sizeof(ps->pstart), "%s-01", ps->base_period);
}

static void park(struct cost_plan *out, const char *why)
{
	out->kind = COST_PARK;
	str_copy(out->why, sizeof(out->why), why);
}

static void take_rows(struct cost_plan *out, const struct cost_rows *rows)
{
	for (size_t i = 0; i < rows->n; i++)
		cost_rows_add(&out->rows, &rows->v[i]);
}

/* Never posted: the entry, dated by the unit, or by the first open period
 * under policy adjust when its own is closed. */
static void plan_first(const struct cost_unit_in *in, const struct canon_period *p,
		       struct cost_plan *out)
{
	str_copy(out->date, sizeof(out->date), in->date);
	if (!p || !p->open) {
		const struct canon_period *o = first_open_from(in, in->date);
		if (in->hold || !o) {
			snprintf(out->why, sizeof(out->why), "dated %s in %s period %s (policy %s)",
				 in->date, p ? "closed" : "no", p ? p->name : "-",
				 in->hold ? "hold" : "adjust: no open period");
			out->kind = COST_PARK;
			return;
		}
		str_copy(out->date, sizeof(out->date), o->start);
	}
	out->kind = COST_FIRST;
	out->action = FLOW_CREATE;
	str_copy(out->eid, sizeof(out->eid), in->eid);
	take_rows(out, in->want);
}

/* An adjustment: closed period, a deleted or unapproved document, or an
 * entry adjusted before.  It goes in the entry's own period when open,
 * else the first open one after it. */
static void plan_adjust(const struct cost_unit_in *in, const struct posted_state *ps,
			const struct canon_period *bp, const struct cost_rows *delta,
			struct cost_plan *out)
{
	bool bp_open = bp && bp->open;
	const struct canon_period *target =
	    bp_open ? bp : first_open_from(in, ps->base_posted ? ps->pstart : in->date);

	if (!bp_open && in->hold) {
		snprintf(out->why, sizeof(out->why),
			 "changed after its period %s closed (policy hold)",
			 bp ? bp->name : ps->base_period);
		out->kind = COST_PARK;
		return;
	}
	if (!target) {
		park(out, "no open accounting period for the adjustment");
		return;
	}
	str_copy(out->date, sizeof(out->date),
		 bp_open && ps->base_posted ? in->date : target->start);
	if (strcmp(out->date, target->start) < 0 || strcmp(out->date, target->end) > 0)
		str_copy(out->date, sizeof(out->date), target->start);
	snprintf(out->eid, sizeof(out->eid), "%s:adj:%zu", in->eid, ps->nadj + 1);
	snprintf(out->memo, sizeof(out->memo), "Adjustment of %s%s%s", in->eid,
		 bp && !bp->open ? ": period closed " : "", bp && !bp->open ? bp->name : "");
	out->doc_id = in->doc_id;
	for (size_t i = 0; !in->doc_id && i < delta->n; i++)
		if (delta->v[i].doc_id)
			out->doc_id = delta->v[i].doc_id;
	out->kind = COST_ADJUST;
	out->action = in->want->n ? FLOW_UPDATE : FLOW_DELETE;
	take_rows(out, delta);
}

void cost_plan_unit(const struct cost_unit_in *in, struct cost_plan *out)
{
	struct cost_rows delta = {0};
	const struct cost_row *bad = NULL;
	int64_t was = 0;
	struct posted_state ps;
	const struct canon_period *p, *bp;

	memset(out, 0, sizeof(*out));
	if (in->unmapped) {
		park(out, in->unmapped);
		return;
	}
	if (delta_at(in->want, in->posted, &delta, &bad, &was) < 0) {
		char a[MONEY_FMT_MAX], w[MONEY_FMT_MAX];
		money_format(bad->amount, a);
		money_format(was, w);
		snprintf(out->why, sizeof(out->why),
			 "%s amount %s of %.64s (cost code %.96s) overflows its sum %s",
			 bad->je[0] ? "posted" : "Procore", a, bad->source_ref, bad->cost_code, w);
		out->kind = COST_PARK;
		goto out;
	}
	if (!delta.n) {
		out->kind = in->want->n || in->posted->n ? COST_SKIP : COST_NOTHING;
		goto out;
	}
	posted_state(in, &ps);
	p = cost_period_of(in->periods, in->nperiods, in->date);
	bp = ps.base_posted ? cost_period_of(in->periods, in->nperiods, ps.pstart) : p;
	if (!ps.base_posted && in->want->n) {
		plan_first(in, p, out);
	} else if (ps.base_posted && ps.nadj == 0 && in->want->n && bp && bp->open && p &&
		   p->open) {
		out->kind = COST_REWRITE;
		out->action = FLOW_UPDATE;
		str_copy(out->eid, sizeof(out->eid), in->eid);
		str_copy(out->date, sizeof(out->date), in->date);
		take_rows(out, in->want);
	} else {
		plan_adjust(in, &ps, bp, &delta, out);
	}
out:
	cost_rows_release(&delta);
}
