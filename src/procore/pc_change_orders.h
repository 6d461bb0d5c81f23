#ifndef MLC_PC_CHANGE_ORDERS_H
#define MLC_PC_CHANGE_ORDERS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "procore/procore.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Commitment change orders and what the connector must know about a
 * commitment before it changes one (docs/reference/procore.md "More
 * endpoints (second set)"; endpoint files
 * RestV10ProjectsProjectIdCommitmentChangeOrders*, the v2.0
 * ...CommitmentChangeOrderIdLineItems* and RestV10CommitmentsIdGet).
 * A change order carries no origin_id: the connector keys it by its
 * number.  Amounts are cents.
 */

/* One commitment as RestV10CommitmentsIdGet shows it. */
struct pc_commitment_state {
	char status[40];
	int64_t grand_total;  /* the schedule of values */
	int64_t approved_cos; /* approved change orders */
	int64_t pending_cos;  /* pending and revised change orders */
	int64_t revised;      /* grand total + approved change orders */
};

/* A schedule of values line (commitment line item). */
struct pc_sov_line {
	int64_t id, amount, cost_code_id, line_item_type_id, wbs_code_id;
	char origin_id[96]; /* "" when none */
};

/* A change order line (v2.0). */
struct pc_cco_line {
	int64_t id, commitment_line_item_id, wbs_code_id, amount;
	char description[160];
};

struct pc_cco {
	int64_t id, contract_id;
	char number[96], status[32];
	struct pc_cco_line *lines;
	size_t nlines;
};

int procore_commitment_state(struct mlc_procore *pc, int64_t project_id, int64_t contract_id,
			     struct pc_commitment_state *out, struct mlc_error *err) MLC_MUST_CHECK;
/* The schedule of values of a purchase order contract; free with free(). */
int procore_sov_lines(struct mlc_procore *pc, int64_t project_id, int64_t contract_id,
		      struct pc_sov_line **out, size_t *n, struct mlc_error *err) MLC_MUST_CHECK;
/* Every change order of a contract with its lines; release with pc_ccos_free(). */
int procore_ccos(struct mlc_procore *pc, int64_t project_id, int64_t contract_id,
		 struct pc_cco **out, size_t *n, struct mlc_error *err) MLC_MUST_CHECK;
/* Every change order of a project (one list, not one per contract), with
 * its lines and contract_id; release with pc_ccos_free(). */
int procore_project_ccos(struct mlc_procore *pc, int64_t project_id, struct pc_cco **out, size_t *n,
			 struct mlc_error *err) MLC_MUST_CHECK;
void pc_ccos_free(struct pc_cco *v, size_t n);
/*
 * Creates a change order (status "draft") on contract_id; *id its id.  A
 * lost answer (MLC_EUNKNOWN) is settled by finding the number.
 */
int procore_cco_create(struct mlc_procore *pc, int64_t project_id, int64_t contract_id,
		       const char *number, const char *title, int64_t *id,
		       struct mlc_error *err) MLC_MUST_CHECK;
int procore_cco_set_status(struct mlc_procore *pc, int64_t project_id, int64_t cco_id,
			   const char *status, struct mlc_error *err) MLC_MUST_CHECK;
/* Creates (l->id 0) or updates a change order line; l->id set on create. */
int procore_cco_line_write(struct mlc_procore *pc, int64_t project_id, int64_t cco_id,
			   struct pc_cco_line *l, struct mlc_error *err) MLC_MUST_CHECK;

#endif
