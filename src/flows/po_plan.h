#ifndef MLC_PO_PLAN_H
#define MLC_PO_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netsuite/ns_purchasing.h"
#include "procore/pc_commitments.h"
#include "util/compat.h"
#include "util/digest.h"
#include "util/error.h"

/*
 * The plan of one NetSuite purchase order against Procore: create, update,
 * skip or park its commitment, with the line deltas.  po_plan_make() does
 * no I/O of its own: every fact it needs about the other side (project
 * links, reference data, id_map versions) comes through the lookups, which
 * the flow backs with its caches and unit tests with tables.
 */

/* The content hash recorded for a line removed in NetSuite and zeroed in Procore. */
#define PO_LINE_REMOVED "removed"

/* A line synced before: its id_map key ("<po>:<line>") and Procore line id. */
struct po_synced_line {
	const char *key;
	int64_t procore_id;
};

struct po_lookup {
	void *arg;
	/* The Procore project linked to NetSuite job; 0 when none. */
	int64_t (*project)(void *arg, int64_t job);
	void (*project_label)(void *arg, int64_t project, char *out, size_t n);
	/* The vendor's Procore id; false when the vendor is not linked. */
	bool (*vendor)(void *arg, int64_t ns_vendor, int64_t *procore_id);
	/* The cost code text of a segment value; NULL when unknown. */
	const char *(*seg_code)(void *arg, int64_t seg);
	/* The project's cost code id for code (0 when none); < 0 stops the run. */
	int (*cost_code)(void *arg, int64_t project, const char *code, int64_t *id,
			 struct mlc_error *err);
	int64_t (*item_account)(void *arg, int64_t item);        /* 0: none */
	const char *(*account_type)(void *arg, int64_t account); /* NULL: none */
	int64_t (*line_item_type)(void *arg, const char *type);  /* 0: none */
	/*
	 * The id_map row of entity ("po", "poline") and key: false when there
	 * is none; else *procore_id (0 when unknown) and hash ("" when none).
	 */
	bool (*synced)(void *arg, const char *entity, const char *key, int64_t *procore_id,
		       char hash[MLC_DIGEST_HEX]);
	/* The lines of po synced before, in id_map order; *out borrowed. */
	size_t (*synced_lines)(void *arg, int64_t po, const struct po_synced_line **out);
};

enum po_decision {
	PO_IGNORE, /* the row has no usable id: nothing to say */
	PO_PARK,   /* why says what a person must fix */
	PO_SKIP,   /* header and lines unchanged */
	PO_WRITE,  /* header (when header_changed) and lines to send */
};

struct po_line_plan {
	struct pc_commitment_line line; /* origin_id points at origin */
	char origin[64];                /* ns:poline:<po>:<line> */
	char hash[MLC_DIGEST_HEX];      /* content hash, or PO_LINE_REMOVED */
};

/*
 * The plan.  header's text members point into the plan and the PO it was
 * made from: keep both alive and do not move the plan (sort pointers).
 */
struct po_plan {
	enum po_decision decision;
	int64_t po_id, project_id, contract_id;
	char src[48]; /* ns:po:<id> */
	char why[512];
	char title[160];
	bool header_changed;
	struct pc_commitment header; /* id = contract_id */
	char header_hash[MLC_DIGEST_HEX];
	struct po_line_plan *lines; /* changed lines: zeroed ones first */
	size_t nlines;
	/* Set by the flow on a new commitment with lines: sent Draft first (the
	 * lines go in while it is editable), then in this status. */
	const char *final_status;
};

/*
 * A locked commitment changes by change order (docs/reference/procore/
 * webhook-payloads.md section 6.1).  What Procore holds for one changed
 * line of the plan (po_cco_state[i] for p->lines[i]):
 */
struct po_cco_state {
	int64_t sov_line_id; /* the commitment line; 0 when the line is new */
	int64_t wbs_code_id; /* 0: none known */
	int64_t held;        /* cents: SOV line + change order lines other than this order's */
	int64_t mine_id;     /* this change order's line for it; 0 when none */
	int64_t mine;        /* its amount */
};

/* One change order line to write: create (id 0) or update to delta. */
struct po_cco_write {
	size_t line; /* index in p->lines */
	int64_t id, sov_line_id, wbs_code_id, delta;
};

/*
 * The change order's number: "<tranid>-CO-<8 hex>" from the changed lines'
 * hashes, so a rerun after a lost answer finds the same order.
 */
void po_cco_number(const struct po_plan *p, const char *tranid, char *out, size_t n);
/*
 * The lines to write so that this change order carries, for each changed
 * line, the PO amount minus what Procore holds (a removed line: minus all
 * of it).  out has room for p->nlines.  -1 (why set) when a new line has
 * no WBS code to put on the change order; else the count.
 */
int po_cco_plan(const struct po_plan *p, const struct po_cco_state *st, struct po_cco_write *out,
		char *why, size_t nwhy);
/* Whether a commitment in this Procore status takes edits to its SOV in place. */
bool po_commitment_editable(const char *procore_status);

/* NetSuite purchaseOrder.status letters -> Procore commitment status. */
const char *po_status(const char *ns_status);

/*
 * Plans one PO.  0 with p->decision set; < 0 when a lookup failed (err
 * set), p released.  Release with po_plan_release().
 */
int po_plan_make(const struct ns_po *po, const struct po_lookup *lk, struct po_plan *p,
		 struct mlc_error *err) MLC_MUST_CHECK;
void po_plan_release(struct po_plan *p);

#endif
