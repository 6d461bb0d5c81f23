#ifndef MLC_IDSET_H
#define MLC_IDSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A set of non-zero int64 ids, each with a size_t value (usually an index
 * into the caller's array): open addressing, linear probing, grown at half
 * full, so membership costs O(1) where a JSON object keyed by decimal text
 * was used before.  Id 0 is never stored (it means "no id" everywhere).
 * Starts zeroed (= { 0 }); release with idset_release().  Not thread-safe.
 */
struct mlc_idset {
	int64_t *keys;
	size_t *vals;
	size_t cap, n;
};

/* Adds id with val when absent: true when added, false when present (its
 * value untouched) or when id is 0. */
bool idset_put(struct mlc_idset *s, int64_t id, size_t val);
/* True when id is in the set; *val (may be NULL) gets its value. */
bool idset_get(const struct mlc_idset *s, int64_t id, size_t *val);
void idset_release(struct mlc_idset *s);

#endif
