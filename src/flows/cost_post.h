#ifndef MLC_COST_POST_H
#define MLC_COST_POST_H

#include <stdbool.h>
#include <stdint.h>

#include "core/canon.h"
#include "core/project.h"
#include "core/store.h"
#include "flows/journal.h"
#include "util/buf.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The posting rules for Procore cost documents (issue: costs -> GL).
 *
 * For a direct cost: each line debits the expense account mapped for its
 * cost code (cost-code-account: "code|type", falling back to "code|"),
 * with the project's NetSuite job as line entity, the link's subsidiary,
 * class and location, the link's department unless the mapping overrides
 * it, and the cost-code segment value (cost-code-segment) when the tenant
 * uses the segment.  The total is credited to the offset account mapped
 * for the direct cost type (offset-account: "<type>", falling back to
 * "default").  A negative line credits its expense account instead.
 *
 * A payment application (owner invoice) posts each line on the link's
 * dimensions and its cost code's segment value (the code leads the memo
 * when no segment carries it): revenue ("payment_application.credit")
 * credited with the work billed, the receivable
 * ("payment_application.debit") debited with that less the line's
 * retainage, the retainage receivable ("payment_application.retainage", the
 * receivable when unmapped) debited with the line's retainage.  A
 * document-level doc->retainage, if set, moves from the receivable to the
 * retainage receivable the same way.
 *
 * Nothing is posted half-mapped: the first missing mapping stops the
 * document with MLC_ENOTFOUND and the exact reason in err ("cost code
 * 03-300 (type M) has no NetSuite expense account ...").
 */
struct cost_post_ctx {
	struct mlc_store *store;
	int64_t tenant_id;
	const struct mlc_project_link *link;
	bool use_segment;          /* lines carry the cost-code segment (flows/segment.h);
				    * otherwise their memo leads with "cost code <code>" */
	const char *project_label; /* for messages: "MBG-2402 Harbor View Apartments" */
	const json_t *code_seg;    /* automatic "03-300" -> segment value id (codes equal on
				    * both sides), used when cost-code-segment has no row;
				    * may be NULL */
};

/* Appends the document's lines to j (which may already hold other
 * documents' lines: the daily mode).  Leaves j untouched on failure. */
int cost_post_lines(const struct cost_post_ctx *ctx, const struct canon_cost_doc *doc,
		    struct journal *j, struct mlc_error *err) MLC_MUST_CHECK;
/* The expense account a cost line posts to (cost-code-account). */
int cost_post_account(const struct cost_post_ctx *ctx, const char *cost_code, const char *cost_type,
		      int64_t *account, struct mlc_error *err) MLC_MUST_CHECK;
/* An offset-account mapping ("invoice", "payment_application.credit", ...). */
int cost_post_offset(const struct cost_post_ctx *ctx, const char *key, int64_t *account,
		     struct mlc_error *err) MLC_MUST_CHECK;
/* The memo that ties a GL line back to its source document. */
void cost_post_memo(const struct canon_cost_doc *doc, const char *project_label,
		    struct mlc_buf *out);

#endif
