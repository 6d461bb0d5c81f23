#ifndef MLC_NSSIM_REC_H
#define MLC_NSSIM_REC_H

#include "sandbox/nssim.h"

/*
 * How REST record fields bind to the SuiteQL-shaped tables (shared by
 * nssim_record.c and nssim_txn.c).  A record is written by merging the
 * request body over the stored record (rendered as REST JSON), validating
 * the merged whole and rewriting its row(s): one path for create, PATCH
 * and upsert.
 */

enum rf_kind {
	RF_RO, /* read-only: computed (id, lastModifiedDate, ...); ignored on input */
	RF_STR,
	RF_BOOL,
	RF_NUM,   /* JSON number, stored REAL */
	RF_MONEY, /* JSON number, exact cents, stored REAL units */
	RF_INT,
	RF_REF,  /* {"id":..} or {"externalId":..} against ref table */
	RF_REFS, /* a multiselect: {"items": [{"id":..}, ...]} against ref table, stored as
		  * SuiteQL shows it ("1, 3", docs/reference/netsuite/suiteql.md V8) */
	RF_ENUM, /* {"id":"X"} enum-ref, stored as text */
	RF_DATE, /* "YYYY-MM-DD" */
	RF_TS,   /* read-only date-time */
};

struct rec_field {
	const char *rest;
	const char *col; /* SQL column (NULL: not stored directly) */
	enum rf_kind kind;
	const char *ref; /* table for RF_REF */
};

/* Table entries: NS_FIELD("tranId", "tranid", STR), NS_REF("entity", "entity", "entity"). */
/* clang-format off */
#define NS_FIELD(rest, col, kind) { rest, col, RF_##kind, NULL }
#define NS_REF(rest, col, table) { rest, col, RF_REF, table }
#define NS_REFS(rest, col, table) { rest, col, RF_REFS, table }
/* clang-format on */

/*
 * A REST record type served by nssim_record.c over one table: rest is the
 * type in the URL, def its docs/reference/netsuite/records.json
 * definition (NULL: none), fields the bound fields in column order,
 * entity_type the entity.type value for entity records (NULL otherwise),
 * lmd_col the column stamped on writes.  Generated from nssim_schema.json
 * into nssim_fields.c (tools/gen_nssim_fields.py).
 */
struct nsrec_type {
	const char *rest, *table, *def;
	const struct rec_field *fields;
	size_t n;
	const char *entity_type;
	bool writable;
	const char *lmd_col;
};
extern const struct nsrec_type nsrec_types[];
extern const size_t nsrec_ntypes;

/* One column value collected from a validated body. */
struct colval {
	const char *col;
	int type; /* SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_NULL */
	int64_t i;
	double d;
	char *s;
};

struct colvals {
	struct colval v[64];
	size_t n;
};

void colvals_release(struct colvals *cv);
void colvals_set_text(struct colvals *cv, const char *col, const char *s);
void colvals_set_int(struct colvals *cv, const char *col, int64_t i);
void colvals_set_real(struct colvals *cv, const char *col, double d);
void colvals_set_null(struct colvals *cv, const char *col);
const struct colval *colvals_get(const struct colvals *cv, const char *col);
/* Binds cv's values to st starting at index first (1-based). */
void colvals_bind(const struct colvals *cv, sqlite3_stmt *st, int first);

/*
 * Converts one JSON value for field f into cv (path names it in errors).
 * Returns false after filling w->r with a 400 INVALID_CONTENT.
 */
bool rf_convert(struct ns_write_ctx *w, const struct rec_field *f, const json_t *v,
		const char *path, struct colvals *cv);
/* Renders a stored column of kind f onto obj (NULL values are left out). */
void rf_render(struct nssim *ns, const char *base, const struct rec_field *f, sqlite3_stmt *st,
	       int col, json_t *obj);
/* Checks that body has only fields of the docs/reference/netsuite/records.json definition def or
 * of the bound list; custom segment fields allowed when cseg is true. */
bool rf_check_names(struct ns_write_ctx *w, const char *def, const struct rec_field *fields,
		    size_t n, const json_t *body, const char *prefix);
const struct rec_field *rf_find(const struct rec_field *fields, size_t n, const char *rest);
/* REST record type for an id in table (entity and transaction look up
 * their row's type). */
const char *nsrec_rest_type(struct nssim *ns, const char *table, int64_t id);
/* Parses "123" or 123 as an id; 0 when not an id. */
int64_t nsrec_parse_id(const json_t *v);
/* SELECT the record's _extra JSON (fields known to docs/reference/netsuite/records.json that the
 * simulator keeps verbatim), or NULL. */
json_t *nsrec_extra_load(struct nssim *ns, const char *type, int64_t id);
void nsrec_extra_store(struct nssim *ns, const char *type, int64_t id, const json_t *extra);
/* Builds {"links":[{"rel":"self","href":base/services/rest/record/v1/type/id}]} pieces. */
json_t *nsrec_self_links(const char *base, const char *type, int64_t id, const char *suffix);

/* Transaction types (nssim_txn.c) and their field bindings. */
struct ns_txn_type {
	const char *rest, *code, *def;
	const char *subs[2]; /* sublists */
	const char *prefix;  /* tranid prefix */
	bool posting;
};

const struct ns_txn_type *nstxn_find(const char *rest);
/* Header fields on the transaction row / kept on the main line. */
const struct rec_field *nstxn_head(size_t *n);
const struct rec_field *nstxn_main(size_t *n);
/* Line fields of a sublist ("item", "expense", "line"). */
const struct rec_field *nstxn_sub_fields(const char *sub, size_t *n);

#endif
