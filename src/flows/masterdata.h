#ifndef MLC_MASTERDATA_H
#define MLC_MASTERDATA_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/store.h"
#include "flows/flow.h"
#include "core/md_base.h"
#include "flows/session.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Master data both ways (cost codes, vendors, budgets): which system
 * masters each data type, which side owns each field when both do, and
 * the three-way merge of one record against the values both sides last
 * agreed on (the "base", kept per record in md_base).
 *
 * Tenant settings:
 *   master.<type>            "netsuite" | "procore" | "both"
 *   owners.<type>.<field>    "netsuite" | "procore"   (only with "both")
 *
 * Merge of one field, with n = NetSuite's value, p = Procore's, b = base:
 *   n == p                 nothing to write; the base becomes n.
 *   master netsuite        Procore gets n.      master procore: NetSuite gets p.
 *   master both            the side that changed since b gives its value to
 *                          the other; when both changed (or there is no base
 *                          yet and they differ), the field's owner wins and
 *                          the conflict is reported with both values.
 * The base is written only after the writes succeed, so a failed write is
 * merged again next run, and the connector's own writes never look like
 * changes (after a write both sides equal the base: no ping-pong).
 */
enum md_side { MD_NONE = 0, MD_NETSUITE = 1, MD_PROCORE = 2, MD_BOTH = 3 };

const char *md_side_name(enum md_side s);
/* settings master.<type>, def when unset; a bad value is an error naming it. */
int md_master(const struct mlc_session *s, const char *type, enum md_side def, enum md_side *out,
	      struct mlc_error *err) MLC_MUST_CHECK;

struct md_field {
	const char *name;
	enum md_side owner; /* default owner with master "both" */
};

struct md_merge {
	json_t *to_ns;     /* {field: value} NetSuite must take */
	json_t *to_pc;     /* {field: value} Procore must take */
	json_t *merged;    /* the new base once both writes land */
	json_t *conflicts; /* [{field, base, netsuite, procore, owner, value}] */
};

/*
 * Merges one record present on both sides.  fields ends with a NULL
 * name; owners come from settings owners.<type>.<field> or the table.
 * base may be NULL (first sync of a linked pair).  Caller releases m.
 */
void md_merge(const struct mlc_session *s, const char *type, enum md_side master,
	      const struct md_field *fields, const json_t *base, const json_t *ns, const json_t *pc,
	      struct md_merge *m);
void md_merge_release(struct md_merge *m);

/* Audits each conflict of m (action "conflict", both values in the payload). */
void md_record_conflicts(struct flow_run *r, const char *entity, const char *source_ref,
			 const char *target_ref, const struct md_merge *m);

#endif
