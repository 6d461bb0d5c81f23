#ifndef MLC_CHANGES_H
#define MLC_CHANGES_H

#include <stdint.h>

#include "core/store.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Noticing what other connections (any process) changed in the store, for
 * the caches of a long-running serve (server/intake.h).
 */

/*
 * A number that differs from the one s gave before when another
 * connection committed since (SQLite's PRAGMA data_version); on SQLite
 * s's own commits leave it as it was.  On PostgreSQL it is a hash of the
 * cluster's current snapshot, which also moves on s's own commits and on
 * unrelated writes: a changed number means "look", not "changed".
 * Cheap: no table is read.
 */
int changes_data_version(struct mlc_store *s, int64_t *out, struct mlc_error *err) MLC_MUST_CHECK;

/*
 * A fingerprint (FNV-1a, 64 bits) of the tenants and secrets tables:
 * every tenant's id, name, company, account, NetSuite URL, settings and
 * update time, and every secret's tenant, name, key id, nonce and update
 * time.  A secret's nonce is drawn anew at each write (core/secrets.c), so
 * `secret set` changes it even with the same value, and `keys rotate`
 * too; `tenant set` and `tenant remove` change the tenants' part.
 */
int changes_tenants_fingerprint(struct mlc_store *s, uint64_t *out,
				struct mlc_error *err) MLC_MUST_CHECK;

#endif
