#ifndef MLC_SANDBOX_MISFITS_H
#define MLC_SANDBOX_MISFITS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/compat.h"
#include "util/error.h"

/*
 * Misfits: the account setups `ping` exists to catch (issue 19), injected
 * with mlc-sandbox --misfits SPEC, a comma-separated list of
 *   ns:deny=TABLE        the role lacks the permission for a record type:
 *                        SuiteQL on TABLE answers as for a record the role
 *                        cannot see ("Record 'TABLE' was not found.",
 *                        docs/reference/netsuite/suiteql.md, V9)
 *   ns:segment-lines     the cost-code segment is not applied to
 *                        transaction lines (no transactionline column)
 *   ns:segment-budgets   ... nor to budgets (no budgets column)
 *   ns:no-push-script    customscript_mlc_push is not deployed (no row in
 *                        script or scriptdeployment)
 *   pc:deny=TOOL         the service account lacks a tool's permission:
 *                        every route of TOOL answers 403 "User does not
 *                        have correct permissions." (the 403 of
 *                        docs/reference/procore/endpoints/RestV10CommitmentsGet.json);
 *                        TOOL is vendors, commitments, requisitions,
 *                        direct_costs, budget, prime_contracts or cost_codes
 *   pc:foreign-origin    another integration owns objects: the first
 *                        purchase order contract of every project and the
 *                        first company vendor carry origin_id "sage:..."
 * A missing segment is --netsuite-segment none.  Approved commitments are
 * seeded anyway (pcsim_seed.c).
 */
#define SBX_MISFITS_MAX 8

struct sbx_misfits {
	char ns_deny[SBX_MISFITS_MAX][40];
	size_t n_ns_deny;
	bool ns_segment_no_lines, ns_segment_no_budgets, ns_no_push_script;
	char pc_deny[SBX_MISFITS_MAX][24];
	size_t n_pc_deny;
	bool pc_foreign_origin;
};

/* Parses spec (NULL or "": none) into *out; MLC_EINVAL names a bad item. */
int sandbox_misfits_parse(const char *spec, struct sbx_misfits *out,
			  struct mlc_error *err) MLC_MUST_CHECK;
/* The denied Procore tool a request path belongs to, or NULL. */
const char *sandbox_misfits_pc_denied(const struct sbx_misfits *m, const char *path);

#endif
