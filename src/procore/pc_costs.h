#ifndef MLC_PC_COSTS_H
#define MLC_PC_COSTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/canon.h"
#include "procore/procore.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Procore's cost documents as canonical records (core/canon.h): the direct
 * costs of a project with their line items, what changed in them since a
 * time, and payment applications.  Every Procore path the costs flow reads
 * is here (docs/reference/procore/endpoints: RestV10ProjectsProjectIdDirectCosts*,
 * RestV10PaymentApplications*).
 */

/*
 * A project's direct costs as listed (v1.0 list: every status; a document
 * that Procore has deleted may be listed with deleted_at set).  doc has no
 * lines; its text members may be NULL (date among them).
 */
struct pc_cost_head {
	struct canon_cost_doc doc;
	bool approved; /* status "approved" */
	bool deleted;  /* deleted_at set */
};

/* A direct cost line item, with the document that holds it.  error
 * (owned) is set instead of line.amount when the amount is not money;
 * id_ok is false when the line's id is not one. */
struct pc_cost_line {
	int64_t holder;
	char *updated_at;
	struct canon_cost_line line;
	bool id_ok;
	char *error;
};

struct pc_cost_heads {
	struct pc_cost_head *v;
	size_t n;
};

struct pc_cost_lines {
	struct pc_cost_line *v;
	size_t n;
};

/*
 * One call each: a project's direct costs, or their line items, updated
 * in since (Procore's filters[updated_at] range "<time>...", NULL or ""
 * for all; a line edit need not touch its document's updated_at, so a
 * change is found in either list).  Release with pc_cost_heads_release()
 * and pc_cost_lines_release().
 */
int procore_direct_costs(struct mlc_procore *pc, int64_t project_id, const char *since,
			 struct pc_cost_heads *out, struct mlc_error *err) MLC_MUST_CHECK;
int procore_direct_cost_lines(struct mlc_procore *pc, int64_t project_id, const char *since,
			      struct pc_cost_lines *out, struct mlc_error *err) MLC_MUST_CHECK;
/*
 * One direct cost and its line items, for a webhook event that names it
 * (issue 20): the project's list filtered by filters[id] (an empty list
 * when Procore no longer has it: *out is then empty) and its line items
 * filtered by filters[direct_cost_id]; two calls, no listing of the
 * project (RestV10ProjectsProjectIdDirectCostsGet,
 * RestV10ProjectsProjectIdDirectCostsLineItemsGet).  Release as above.
 */
int procore_direct_cost_one(struct mlc_procore *pc, int64_t project_id, int64_t id,
			    struct pc_cost_heads *out, struct pc_cost_lines *lines,
			    struct mlc_error *err) MLC_MUST_CHECK;
/* The direct cost holding line item line_id (filters[id] on the project's
 * line items); *holder 0 when Procore no longer lists the line. */
int procore_direct_cost_line_holder(struct mlc_procore *pc, int64_t project_id, int64_t line_id,
				    int64_t *holder, struct mlc_error *err) MLC_MUST_CHECK;
void pc_cost_heads_release(struct pc_cost_heads *h);
void pc_cost_lines_release(struct pc_cost_lines *l);

/*
 * The documents to post: the approved, not deleted, dated heads with their
 * lines copied in (kind "direct_cost"), in list order.  A line of such a
 * document whose amount is not money is MLC_EINVAL naming the document.
 * Caller releases each with canon_cost_doc_release() and frees *docs.
 */
int pc_costs_canon(const struct pc_cost_heads *heads, const struct pc_cost_lines *lines,
		   struct canon_cost_doc **docs, size_t *n, struct mlc_error *err) MLC_MUST_CHECK;

/*
 * A payment application (owner invoice) as a cost document: kind and
 * doc_type "payment_application", date billing_date, one line per contract
 * item (its id, its cost code's full_code, amount the work billed this
 * period: work_completed_this_period + materials_presently_stored,
 * retainage the retainage held this period: work and materials retainage
 * retained less work retainage released), and header the header's
 * total_amount_accrued_this_period, which the lines should sum to.  error
 * is set (owned) instead when an amount is not money.
 */
struct pc_payapp {
	struct canon_cost_doc doc;
	int64_t header;
	char *error;
};

/* The approved, dated payment applications of a project, in list order,
 * with their contract items (one show each: RestV10PaymentApplicationsIdGet,
 * whose schema is {}; the items are the ones
 * RestV10PrimeContractsPrimeContractIdPaymentApplicationLineItemsIdPatch
 * describes).  Release with pc_payapps_free(). */
int procore_payment_applications(struct mlc_procore *pc, int64_t project_id, struct pc_payapp **out,
				 size_t *n, struct mlc_error *err) MLC_MUST_CHECK;
void pc_payapps_free(struct pc_payapp *p, size_t n);
/*
 * One payment application, for a webhook event that names it (issue 20):
 * one show (RestV10PaymentApplicationsIdGet, the list has no id filter),
 * whose body carries the list's fields and the contract items.  *found is
 * false when the project does not have it (404).  Found but not approved
 * or undated: out->doc.id is 0 (nothing to post).  Release with
 * pc_payapp_release().
 */
int procore_payment_application_one(struct mlc_procore *pc, int64_t project_id, int64_t id,
				    struct pc_payapp *out, bool *found,
				    struct mlc_error *err) MLC_MUST_CHECK;
void pc_payapp_release(struct pc_payapp *p);

#endif
