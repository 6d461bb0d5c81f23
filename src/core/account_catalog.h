#ifndef MLC_ACCOUNT_CATALOG_H
#define MLC_ACCOUNT_CATALOG_H

#include <stdint.h>

#include <jansson.h>

#include "core/store.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The chart-of-accounts catalog of a tenant (table account_catalog), as
 * flows/accounts.h reads it from NetSuite: {"<id>": {"id", "number",
 * "name", "type", "inactive", "summary", "subsidiaries": [ids]}}.
 */

/*
 * Makes the tenant's catalog the given one, in one transaction: new and
 * changed accounts are written (read_at now), accounts no longer listed
 * deleted, unchanged ones left as they are (a rerun writes nothing).
 */
int account_catalog_replace(struct mlc_store *st, int64_t tenant_id, const json_t *catalog,
			    struct mlc_error *err) MLC_MUST_CHECK;

#endif
