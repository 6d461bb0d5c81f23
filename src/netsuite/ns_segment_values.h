#ifndef MLC_NS_SEGMENT_VALUES_H
#define MLC_NS_SEGMENT_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netsuite/netsuite.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The values of NetSuite's cost-code segment as canonical cost codes, and
 * their writes.  This file owns the SuiteQL text and the record bodies of
 * the segment's custom record type ("customrecord_<script id>",
 * netsuite/cseg.h; docs/reference/netsuite.md, "Custom segment").
 *
 * A value is keyed by its full cost code ("03-300"): the externalid, or
 * the first word of the name when it has none.  The rest of the name
 * ("03-300 Cast-in-Place Concrete") is the code's name; active is
 * !isinactive.  A value other values hang from is a grouping (a division),
 * not a cost code, and is left out.
 */
struct ns_cost_code {
	int64_t id;
	char *code; /* owned */
	char *name; /* owned, without the code */
	bool active;
};

/* Every cost code of the segment's table, sorted by code; a code two values
 * carry comes once (the lower id, with a warning).  Caller frees with
 * ns_cost_codes_free(). */
int ns_cost_codes_read(struct mlc_netsuite *ns, const char *table, struct ns_cost_code **out,
		       size_t *n, struct mlc_error *err) MLC_MUST_CHECK;
void ns_cost_codes_free(struct ns_cost_code *v, size_t n);
/* The code in v (sorted by ns_cost_codes_read), or NULL. */
const struct ns_cost_code *ns_cost_code_find(const struct ns_cost_code *v, size_t n,
					     const char *code);

/*
 * One value by its internal id (a webhook push names it), typed as
 * ns_cost_codes_read() types it: at most two SuiteQL reads, never the
 * table.  *found is false (nothing in *out) when the table has no such
 * value, it groups other values (a division), it carries no code, or a
 * value with a lower id may carry the same code (the list read keeps
 * that one): only the list read decides those.  The caller frees
 * out->code and out->name.
 */
int ns_cost_code_one(struct mlc_netsuite *ns, const char *table, int64_t id,
		     struct ns_cost_code *out, bool *found, struct mlc_error *err) MLC_MUST_CHECK;

/*
 * One write of a value: id 0 creates it (upsert by externalId = code, so a
 * retry cannot duplicate) with name and active; otherwise only the fields
 * flagged set_name / set_active change.  *id_out (may be NULL) gets the
 * created value's id.
 */
struct ns_cost_code_write {
	int64_t id;
	const char *code, *name;
	bool active;
	bool set_name, set_active;
};
int ns_cost_code_write(struct mlc_netsuite *ns, const char *table,
		       const struct ns_cost_code_write *w, int64_t *id_out,
		       struct mlc_error *err) MLC_MUST_CHECK;

#endif
