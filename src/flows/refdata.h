#ifndef MLC_REFDATA_H
#define MLC_REFDATA_H

#include <stdint.h>

#include <jansson.h>

#include "flows/flow.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Reference data a commitment or cost flow needs, read once per run and
 * looked up per line: NetSuite cost-code segment values and item expense
 * accounts, the tenant's project links, Procore line item types, each
 * linked project's Procore cost codes (read on first use), and the
 * mapping tables.
 *
 * Cost codes map by code: a NetSuite segment value whose code ("03-300",
 * from its externalid or the first word of its name) equals a Procore
 * cost code's full_code maps automatically; rows of the cost-code-segment
 * mapping override.  Cost types map through cost-type-account (line item
 * type code <-> NetSuite expense account).
 */
struct refdata {
	struct flow_run *r;
	json_t *seg_code;      /* "segment id" -> "03-300" */
	json_t *code_seg;      /* "03-300" -> segment id (mapping rows win) */
	json_t *item_account;  /* "item id" -> account id */
	json_t *account_type;  /* "account id" -> "M" */
	json_t *type_account;  /* "M" -> account id */
	json_t *lit;           /* "M" -> Procore line item type id */
	json_t *links;         /* "job id" -> {procore_project_id, ...} */
	json_t *project_codes; /* "procore project id" -> {"03-300": cost code id} */
	json_t *projects;      /* "procore project id" -> {name, project_number} */
};

/* netsuite_side: read item expense accounts, and the segment values from
 * seg_table (the segment's values table, NULL: none, flows/segment.h). */
int refdata_load(struct refdata *rd, struct flow_run *r, bool netsuite_side, const char *seg_table,
		 struct mlc_error *err) MLC_MUST_CHECK;
void refdata_release(struct refdata *rd);
/* The Procore cost code id for a code in a project (reads the project's
 * cost codes on first use).  0 when the project has no such code. */
int refdata_project_code(struct refdata *rd, int64_t project_id, const char *code, int64_t *id,
			 struct mlc_error *err) MLC_MUST_CHECK;
/* "'Harbor View Apartments Phase II' (#MBG-2402)" for messages. */
void refdata_project_label(struct refdata *rd, int64_t project_id, char *out, size_t n);

/* Small lookups in the maps above (key as text, value id or text). */
int64_t refdata_id(const json_t *map, const char *key);
int64_t refdata_id_num(const json_t *map, int64_t key);
const char *refdata_text_num(const json_t *map, int64_t key);

#endif
