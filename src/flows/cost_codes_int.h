#ifndef MLC_COST_CODES_INT_H
#define MLC_COST_CODES_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flows/flow.h"
#include "flows/masterdata.h"
#include "flows/segment.h"
#include "netsuite/ns_segment_values.h"
#include "procore/pc_cost_codes.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Internals of the cost-codes flow (flows/flow_cost_codes.c), not a public
 * API: what a run reads, shared with the alignment of one code for a
 * webhook event (flows/cost_codes_one.c).
 */

#define MD_TYPE "cost_codes"

/* One Procore list: a linked project's cost codes, or the company's
 * standard cost code list. */
struct cc_list {
	struct pc_cc_scope sc;
	struct pc_cc_list cl;
};

/* A code's base: the state both sides last agreed on, and the lists that
 * held it then. */
struct cc_base {
	char *code;
	char *name; /* NULL when the base has none */
	bool active, standard;
	int64_t *projects;
	size_t nprojects;
};

struct cc_ctx {
	struct flow_run *r;
	struct mlc_segment seg; /* seg.table: the values' record type and table */
	enum md_side master, own_name, own_active;
	struct ns_cost_code *ns;
	size_t nns;
	struct cc_base *base; /* sorted by code */
	size_t nbase;
	struct cc_list *pj;
	size_t npj;
	int failed;
	bool event;    /* aligning one code for a webhook event: what would park
			* is a failure left to the full run */
	bool ns_given; /* c->ns already holds the one value a NetSuite push
			* names (cost_codes_one_netsuite): cc_load reads no
			* other */
};

/*
 * Reads what a run plans from, into c (c->r and c->seg set, the segment in
 * use): the master and field owners, the bases, the NetSuite segment's
 * values (unless c->ns_given), the standard list and every linked project's list.  Release
 * with cc_release() (also after a failure).
 */
int cc_load(struct cc_ctx *c, struct mlc_error *err) MLC_MUST_CHECK;
void cc_release(struct cc_ctx *c);
/* Plans and applies one code, as a run does for each (failures recorded,
 * c->failed set).  The caller holds the code's lock (cc_lock_key()). */
void cc_sync_code(struct cc_ctx *c, const char *code);
/* The document lock key of a code: "cc:<tenant>:<code>". */
void cc_lock_key(const struct cc_ctx *c, const char *code, char *out, size_t n);

#endif
