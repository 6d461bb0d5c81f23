#ifndef MLC_MD_BASE_H
#define MLC_MD_BASE_H

#include <stdint.h>

#include <jansson.h>

#include "core/store.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The base of master-data records (table md_base): per tenant, type
 * ("vendors", "budgets", "cost_codes", ...) and key, the JSON object of
 * the values both systems last agreed on, which the three-way merge of
 * flows/masterdata.h compares each side with.  Stored compact with sorted
 * keys.  The store handle is the caller's (one connection per thread).
 */
/* The base of one record (*base NULL when none; caller decrefs). */
int md_base_get(struct mlc_store *st, int64_t tenant_id, const char *type, const char *key,
		json_t **base, struct mlc_error *err) MLC_MUST_CHECK;
/* Every base of a type as {key: base}.  Caller decrefs. */
int md_base_all(struct mlc_store *st, int64_t tenant_id, const char *type, json_t **all,
		struct mlc_error *err) MLC_MUST_CHECK;
int md_base_put(struct mlc_store *st, int64_t tenant_id, const char *type, const char *key,
		const json_t *base, struct mlc_error *err) MLC_MUST_CHECK;

#endif
