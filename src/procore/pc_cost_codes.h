#ifndef MLC_PC_COST_CODES_H
#define MLC_PC_COST_CODES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "procore/procore.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Procore cost codes as canonical records, per list: a project's cost
 * codes, or the company's standard cost code list.  This file owns the
 * REST paths of cost codes, standard cost codes and standard cost code
 * lists (docs/reference/procore.md).
 *
 * A list holds divisions and codes.  A code with a parent (division "03"
 * -> code "300", full code "03-300"), or a top-level code with no
 * children, is a cost code; a top-level code that groups others is a
 * division.
 */

/* Which list: a project (standard false, id the project id) or the
 * company's standard list (standard true, id the list id). */
struct pc_cc_scope {
	int64_t company_id;
	int64_t id;
	bool standard;
};

struct pc_cost_code {
	int64_t id;
	char *full_code; /* owned: "03-300" (or "03" for a division) */
	char *name;      /* owned; "" when Procore gives none */
};

/* One list read whole: codes sorted by full code, divisions by code. */
struct pc_cc_list {
	struct pc_cost_code *codes;
	size_t ncodes;
	struct pc_cost_code *divisions;
	size_t ndivisions;
};

/* Reads one list into *out (released first).  Caller releases with
 * pc_cc_list_release(). */
int pc_cc_list_read(struct mlc_procore *pc, const struct pc_cc_scope *sc, struct pc_cc_list *out,
		    struct mlc_error *err) MLC_MUST_CHECK;
void pc_cc_list_release(struct pc_cc_list *l);
/* The code (or division) with that full code in a sorted array, or NULL. */
const struct pc_cost_code *pc_cost_code_find(const struct pc_cost_code *v, size_t n,
					     const char *full_code);
/* Adds a code or division to a list (kept sorted; copies the strings). */
void pc_cc_list_add(struct pc_cc_list *l, bool division, int64_t id, const char *full_code,
		    const char *name);

/* The company's standard list the codes are kept in: the ERP list, else
 * the first; 0 when the company has none. */
int pc_cc_standard_list(struct mlc_procore *pc, int64_t company_id, int64_t *id,
			struct mlc_error *err) MLC_MUST_CHECK;

/*
 * One record through the list's sync endpoint: id 0 creates (code,
 * parent_id when non-zero, origin_id when non-NULL), else renames.  *id_out
 * gets the record's id; a per-record refusal is MLC_EPERM with Procore's
 * words.
 */
struct pc_cc_update {
	int64_t id, parent_id;
	const char *code, *name, *origin_id;
};
int pc_cc_sync(struct mlc_procore *pc, const struct pc_cc_scope *sc, const struct pc_cc_update *u,
	       int64_t *id_out, struct mlc_error *err) MLC_MUST_CHECK;
/* Deletes one code from the list (Procore keeps it on records using it). */
int pc_cc_delete(struct mlc_procore *pc, const struct pc_cc_scope *sc, int64_t id,
		 struct mlc_error *err) MLC_MUST_CHECK;

#endif
