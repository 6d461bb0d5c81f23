#ifndef MLC_MAPPING_H
#define MLC_MAPPING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/store.h"
#include "util/buf.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Mapping tables: per tenant and kind, a source key -> a target object,
 * imported and exported as CSV.  Each kind declares its columns: the key
 * columns (joined with '|' to form source_key) and the value columns
 * (stored as a JSON object; ids as integers, text as strings; optional
 * columns may be empty and are then left out).
 *
 * Kinds (the flows read these):
 *   cost-code-account   cost_code, cost_type -> account, department
 *       Procore cost code (and optionally line item type / cost type; empty
 *       = any) -> NetSuite GL expense account, optional department override.
 *   cost-code-segment   cost_code -> segment_value
 *       Procore cost code -> value id of the NetSuite cost-code segment.
 *   cost-type-account   cost_type -> account
 *       Procore line item type (cost type) <-> NetSuite expense account (PO lines).
 *   offset-account      document_type -> account
 *       Credit side of cost postings per direct cost type (invoice, expense,
 *       payroll, subcontractor_invoice) and the payment application accounts
 *       (payment_application.debit, payment_application.credit).
 */
enum mapping_col_type { MAP_ID, MAP_TEXT };

struct mapping_col {
	const char *name;
	enum mapping_col_type type;
	bool required;
};

struct mapping_kind {
	const char *name;
	const char *summary;
	const struct mapping_col *keys;   /* NULL-name terminated */
	const struct mapping_col *values; /* NULL-name terminated */
};

const struct mapping_kind *mapping_kinds(size_t *n);
const struct mapping_kind *mapping_kind_find(const char *name);

/*
 * Imports CSV text (header row naming the columns in any order).  Every
 * row is validated before anything is written; one bad row fails the
 * whole import with "LABEL:LINE: column: reason" and writes nothing.
 * replace: delete the kind's rows first (same transaction).
 * *imported = rows written.
 */
int mapping_import(struct mlc_store *s, int64_t tenant_id, const struct mapping_kind *kind,
		   const char *csv, size_t len, const char *label, bool replace, bool dry_run,
		   size_t *imported, struct mlc_error *err) MLC_MUST_CHECK;
/* Exports a kind as CSV (header + rows sorted by key). */
int mapping_export(struct mlc_store *s, int64_t tenant_id, const struct mapping_kind *kind,
		   struct mlc_buf *out, struct mlc_error *err) MLC_MUST_CHECK;
/*
 * Looks up one key (the key columns joined with '|').  *target is a new
 * reference (caller decrefs), NULL with MLC_ENOTFOUND when unmapped.
 */
int mapping_get(struct mlc_store *s, int64_t tenant_id, const char *kind, const char *key,
		json_t **target, struct mlc_error *err) MLC_MUST_CHECK;
/* Writes one row (insert or replace): flows that keep a mapping up to date
 * (cost codes) call it as they go.  target is not taken. */
int mapping_put(struct mlc_store *s, int64_t tenant_id, const char *kind, const char *key,
		const json_t *target, struct mlc_error *err) MLC_MUST_CHECK;
/* Every row of a kind as {source_key: target}.  Caller decrefs *all. */
int mapping_all(struct mlc_store *s, int64_t tenant_id, const char *kind, json_t **all,
		struct mlc_error *err) MLC_MUST_CHECK;
/* Counts rows of a kind. */
int mapping_count(struct mlc_store *s, int64_t tenant_id, const char *kind, int64_t *n,
		  struct mlc_error *err) MLC_MUST_CHECK;

#endif
