#ifndef MLC_FIELD_MERGE_H
#define MLC_FIELD_MERGE_H

#include <stdbool.h>

#include "flows/masterdata.h"

/*
 * The three-way merge of one field on typed values, for the plan
 * functions of the master-data flows (cost codes, budgets).  The rules are
 * flows/masterdata.h's md_merge, taken apart so a plan needs no JSON and
 * no session: the caller compares the values and resolves the owner.
 */
struct field_cmp {
	bool has_base; /* the record has a base at all */
	bool n_eq_p;   /* NetSuite's value equals Procore's */
	bool n_eq_b;   /* NetSuite's value equals the base's */
	bool p_eq_b;   /* Procore's value equals the base's */
};

enum field_win { FIELD_SAME = 0, FIELD_NETSUITE, FIELD_PROCORE };

/*
 * Whose value the field takes: FIELD_SAME when both sides agree; the
 * master's when one side masters; with MD_BOTH the side that changed since
 * the base, or owner (MD_NETSUITE or MD_PROCORE) when both did (or there is
 * no base), *conflict then true.  Pure.
 */
enum field_win field_pick(const struct field_cmp *c, enum md_side master, enum md_side owner,
			  bool *conflict);

/* The owner of <type>.<field>: setting owners.<type>.<field> when it names
 * a side, else def. */
enum md_side field_owner(const struct mlc_session *s, const char *type, const char *field,
			 enum md_side def);

#endif
