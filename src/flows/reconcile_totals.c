/*
 * Reconcile's totals (flows/reconcile_totals.h).
 */
#include <stdlib.h>
#include <string.h>

#include "flows/reconcile_totals.h"
#include "util/buf.h"
#include "util/num.h"
#include "util/str.h"
#include "util/banned.h"

static int cmp_key(const struct rec_total *a, int64_t project, const char *code, const char *period)
{
	int c;

	if (a->project != project)
		return a->project < project ? -1 : 1;
	c = strcmp(a->code, code);
	if (c)
		return c;
	return strncmp(a->period, period, sizeof(a->period) - 1);
}

/* The position in by_key where (project, code, period) is or would go. */
static size_t lower_bound(const struct rec_totals *t, int64_t project, const char *code,
			  const char *period, int *found)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_key(&t->v[t->by_key[mid]], project, code, period) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < t->n && cmp_key(&t->v[t->by_key[lo]], project, code, period) == 0;
	return lo;
}

int rec_totals_add(struct rec_totals *t, int64_t project, const char *code, const char *period,
		   int64_t cents)
{
	struct rec_total *v;
	size_t at;
	int found;

	code = code ? code : "";
	period = period ? period : "";
	at = lower_bound(t, project, code, period, &found);
	if (found)
		return num_add_i64(t->v[t->by_key[at]].cents, cents, &t->v[t->by_key[at]].cents);
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 32;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
		t->by_key = xrealloc(t->by_key, t->cap * sizeof(*t->by_key));
	}
	v = &t->v[t->n];
	v->project = project;
	v->code = xstrdup(code);
	str_copy(v->period, sizeof(v->period), period);
	v->cents = cents;
	memmove(&t->by_key[at + 1], &t->by_key[at], (t->n - at) * sizeof(*t->by_key));
	t->by_key[at] = t->n++;
	return MLC_OK;
}

const struct rec_total *rec_totals_get(const struct rec_totals *t, int64_t project,
				       const char *code, const char *period)
{
	int found;
	size_t at = lower_bound(t, project, code ? code : "", period ? period : "", &found);

	return found ? &t->v[t->by_key[at]] : NULL;
}

int64_t rec_totals_cents(const struct rec_totals *t, int64_t project, const char *code,
			 const char *period)
{
	const struct rec_total *v = rec_totals_get(t, project, code, period);

	return v ? v->cents : 0;
}

void rec_totals_release(struct rec_totals *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].code);
	free(t->v);
	free(t->by_key);
	memset(t, 0, sizeof(*t));
}
