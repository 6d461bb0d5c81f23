#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/idset.h"
#include "util/banned.h"

static size_t slot(int64_t id, size_t cap)
{
	uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 17) & (cap - 1);
}

static void place(int64_t *keys, size_t *vals, size_t cap, int64_t id, size_t val)
{
	size_t i = slot(id, cap);

	while (keys[i])
		i = (i + 1) & (cap - 1);
	keys[i] = id;
	vals[i] = val;
}

static void grow(struct mlc_idset *s)
{
	size_t cap = s->cap ? s->cap * 2 : 16;
	int64_t *keys = xcalloc(cap, sizeof(*keys));
	size_t *vals = xcalloc(cap, sizeof(*vals));

	for (size_t i = 0; i < s->cap; i++)
		if (s->keys[i])
			place(keys, vals, cap, s->keys[i], s->vals[i]);
	free(s->keys);
	free(s->vals);
	s->keys = keys;
	s->vals = vals;
	s->cap = cap;
}

bool idset_get(const struct mlc_idset *s, int64_t id, size_t *val)
{
	if (!id || !s->cap)
		return false;
	for (size_t i = slot(id, s->cap); s->keys[i]; i = (i + 1) & (s->cap - 1))
		if (s->keys[i] == id) {
			if (val)
				*val = s->vals[i];
			return true;
		}
	return false;
}

bool idset_put(struct mlc_idset *s, int64_t id, size_t val)
{
	if (!id || idset_get(s, id, NULL))
		return false;
	if ((s->n + 1) * 2 > s->cap)
		grow(s);
	place(s->keys, s->vals, s->cap, id, val);
	s->n++;
	return true;
}

void idset_release(struct mlc_idset *s)
{
	if (!s)
		return;
	free(s->keys);
	free(s->vals);
	memset(s, 0, sizeof(*s));
}
