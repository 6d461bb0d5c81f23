/*
 * The prepared-statement cache (core/store.h, store_prepare_cached()).
 * Per connection, so no locking: a struct mlc_store is one thread's.
 * Open addressing on a hash of the SQL text; the text is copied, so a
 * caller may build it in a buffer.  The table never shrinks: its keys are
 * the program's own SQL, a few dozen texts, bounded by STORE_CACHE_MAX.
 */
#include <stdlib.h>
#include <string.h>

#include "core/store_cache.h"
#include "util/buf.h"
#include "util/banned.h"

#define SLOTS (STORE_CACHE_MAX * 2) /* at most half full: probes stay short */

struct cache_slot {
	uint64_t hash;
	char *sql; /* NULL: empty slot */
	struct mlc_stmt *st;
};

struct store_cache {
	struct cache_slot slots[SLOTS];
	size_t n;
};

/* FNV-1a: SQL texts are short and the table is small. */
static uint64_t sql_hash(const char *sql)
{
	uint64_t h = 1469598103934665603ull;

	for (const unsigned char *p = (const unsigned char *)sql; *p; p++) {
		h ^= *p;
		h *= 1099511628211ull;
	}
	return h;
}

/* The slot holding sql, or the empty slot where it would go. */
static struct cache_slot *find_slot(struct store_cache *c, const char *sql, uint64_t h)
{
	size_t i = (size_t)(h % SLOTS);

	for (;;) {
		struct cache_slot *e = &c->slots[i];
		if (!e->sql || (e->hash == h && strcmp(e->sql, sql) == 0))
			return e;
		i = (i + 1) % SLOTS;
	}
}

int store_prepare_cached(struct mlc_store *s, const char *sql, struct mlc_stmt **out,
			 struct mlc_error *err)
{
	uint64_t h = sql_hash(sql);
	struct cache_slot *e;
	int rc;

	*out = NULL;
	if (!s->cache)
		s->cache = xcalloc(1, sizeof(*s->cache));
	e = find_slot(s->cache, sql, h);
	if (e->sql && !e->st->in_use) {
		e->st->in_use = true;
		*out = e->st;
		return MLC_OK;
	}
	/* in use (a caller inside another's loop) or the cache is full: a
	 * statement of its own, finalized by stmt_free() */
	rc = store_prepare(s, sql, out, err);
	if (rc < 0 || e->sql || s->cache->n >= STORE_CACHE_MAX)
		return rc;
	e->hash = h;
	e->sql = xstrdup(sql);
	e->st = *out;
	e->st->cached = true;
	e->st->in_use = true;
	s->cache->n++;
	return MLC_OK;
}

size_t store_cache_size(const struct mlc_store *s)
{
	return s->cache ? s->cache->n : 0;
}

void store_cache_put_back(struct mlc_stmt *st)
{
	int rc = stmt_reset(st);

	MLC_UNUSED(rc);
	st->in_use = false;
}

void store_cache_release(struct mlc_store *s)
{
	struct store_cache *c = s ? s->cache : NULL;

	if (!c)
		return;
	for (size_t i = 0; i < SLOTS; i++) {
		if (!c->slots[i].sql)
			continue;
		c->slots[i].st->cached = false;
		stmt_free(c->slots[i].st);
		free(c->slots[i].sql);
	}
	free(c);
	s->cache = NULL;
}
