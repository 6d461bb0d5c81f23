#ifndef MLC_STORE_CACHE_H
#define MLC_STORE_CACHE_H

#include "core/store.h"

/*
 * The statement cache behind store_prepare_cached() (core/store.h), for
 * store.c only: one per connection, a table of SQL text -> prepared
 * statement, filled on first use and finalized with the store.
 */
/* Finalizes every cached statement and frees the cache.  Accepts NULL. */
void store_cache_release(struct mlc_store *s);
/* Gives a cached statement back: reset, no bindings, free to hand out. */
void store_cache_put_back(struct mlc_stmt *st);

#endif
