/*
 * A sorted map from text keys to array indexes (flows/key_index.h).
 */
#include <stdlib.h>
#include <string.h>

#include "flows/key_index.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/banned.h"

static int cmp_key(const void *key, const void *elem)
{
	return strncmp(key, ((const struct key_entry *)elem)->key, KEY_INDEX_MAX - 1);
}

struct key_entry *key_index_get(const struct key_index *x, const char *key)
{
	return x->n ? bsearch(key, x->v, x->n, sizeof(*x->v), cmp_key) : NULL;
}

void key_index_set(struct key_index *x, const char *key, size_t ix)
{
	struct key_entry *e = key_index_get(x, key);
	size_t lo = 0, hi = x->n;

	if (e) {
		e->ix = ix;
		return;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_key(key, &x->v[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 32;
		x->v = xrealloc(x->v, x->cap * sizeof(*x->v));
	}
	memmove(&x->v[lo + 1], &x->v[lo], (x->n - lo) * sizeof(*x->v));
	str_copy(x->v[lo].key, sizeof(x->v[lo].key), key);
	x->v[lo].ix = ix;
	x->n++;
}

void key_index_release(struct key_index *x)
{
	free(x->v);
	memset(x, 0, sizeof(*x));
}
