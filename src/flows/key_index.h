#ifndef MLC_KEY_INDEX_H
#define MLC_KEY_INDEX_H

#include <stddef.h>

/*
 * A small map from a text key (up to KEY_INDEX_MAX - 1 bytes; longer keys
 * are cut) to an index into the caller's array, kept sorted for binary
 * search.  The flows use it where they once kept JSON objects as maps.
 * Start from { 0 }; release with key_index_release().
 */
#define KEY_INDEX_MAX    96
#define KEY_INDEX_SHARED ((size_t)-1) /* a value callers may use for "several" */

struct key_entry {
	char key[KEY_INDEX_MAX];
	size_t ix;
};

struct key_index {
	struct key_entry *v;
	size_t n, cap;
};

/* The entry of key, or NULL.  The pointer is valid until the next set. */
struct key_entry *key_index_get(const struct key_index *x, const char *key);
/* Sets key to ix (added or replaced). */
void key_index_set(struct key_index *x, const char *key, size_t ix);
void key_index_release(struct key_index *x);

#endif
