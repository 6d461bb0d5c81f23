#ifndef MLC_PC_COMMITMENTS_H
#define MLC_PC_COMMITMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "procore/procore.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Procore purchase order contracts (commitments) and their line items,
 * written through the two sync endpoints (docs/reference/procore.md):
 * PATCH /rest/v1.0/purchase_order_contracts/sync for headers per project,
 * PATCH /rest/v1.0/purchase_order_contracts/{id}/line_items/sync for lines.
 * The adapter owns the paths and the JSON bodies; callers fill the structs.
 * Text members are borrowed (the caller keeps them alive for the call).
 */

/* A commitment header as sent; id 0 creates. */
struct pc_commitment {
	int64_t id;
	const char *origin_id;
	const char *number; /* "" when the PO has no number */
	const char *title;
	int64_t vendor_id;
	const char *status;
	const char *contract_date, *description, *origin_code; /* NULL: not sent */
};

/*
 * A commitment line as sent; id 0 creates.  A zeroed line (removed from
 * the source) sends only id, origin_id and zero amount, quantity and unit
 * cost: the API deletes no commitment line.
 */
struct pc_commitment_line {
	int64_t id;
	const char *origin_id;
	bool zeroed;
	int64_t amount; /* cents */
	int64_t cost_code_id, line_item_type_id;
	bool has_qty, has_unit_cost;
	int64_t qty, unit_cost;  /* 4 decimals */
	const char *description; /* NULL: not sent */
};

/* The JSON bodies (caller decrefs); with_id false leaves "id" out (content hashes). */
json_t *pc_commitment_json(const struct pc_commitment *c, bool with_id);
json_t *pc_commitment_line_json(const struct pc_commitment_line *l, bool with_id);

/*
 * One record of a sync reply: a confirmed entity (error NULL, id > 0 when
 * the reply carried a valid one) or a refused record (error set).  body is
 * the record as returned, for the audit detail or the review payload.
 */
struct pc_sync_item {
	const char *origin_id; /* borrowed from body; may be NULL */
	int64_t id;
	char *error; /* Procore's reason, or NULL */
	json_t *body;
};

struct pc_sync_reply {
	struct pc_sync_item *items;
	size_t n;
};

void pc_sync_reply_release(struct pc_sync_reply *r);

/* Syncs n headers (<= 1000) of one project.  *out is released by the caller. */
int procore_commitments_sync(struct mlc_procore *pc, int64_t project_id,
			     const struct pc_commitment *const *headers, size_t n,
			     struct pc_sync_reply *out, struct mlc_error *err) MLC_MUST_CHECK;
/* One commitment as the purchase order contract list shows it. */
struct pc_commitment_head {
	int64_t id;
	char origin_id[96]; /* "" when none (made in Procore) */
	char number[96], status[40];
	int64_t grand_total; /* cents: the schedule of values */
};

/*
 * Every purchase order contract of a project (all pages).  *out (caller
 * frees with free()) has *n entries.
 */
int procore_commitment_heads(struct mlc_procore *pc, int64_t project_id,
			     struct pc_commitment_head **out, size_t *n,
			     struct mlc_error *err) MLC_MUST_CHECK;

/* Syncs n lines (<= 1000) of one contract. */
int procore_commitment_lines_sync(struct mlc_procore *pc, int64_t project_id, int64_t contract_id,
				  const struct pc_commitment_line *const *lines, size_t n,
				  struct pc_sync_reply *out, struct mlc_error *err) MLC_MUST_CHECK;

#endif
