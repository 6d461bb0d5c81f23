#ifndef MLC_MAPPING_CHECK_H
#define MLC_MAPPING_CHECK_H

#include <stdbool.h>

#include <jansson.h>

#include "flows/session.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * mapping check: mapping drift before it parks a posting.
 *  - Procore cost codes used in linked projects with no cost-code-account row
 *    (for any cost type);
 *  - mapped NetSuite accounts (every account mapping kind) that are missing,
 *    inactive, summary accounts, or not available to a linked project's
 *    subsidiary, from the chart of accounts (which refreshes the catalog);
 *  - codes new since the last check (remembered as the watermark
 *    "mapping-check", which the run moves);
 *  - project links that would make writes fail (flows/links.h: the job, its
 *    subsidiary, the dimensions, the Procore project), each with its fix.
 * The session needs both systems.  *out (caller decrefs):
 *   {"cost_codes": n, "projects": n, "unmapped_cost_codes": [code],
 *    "bad_accounts": [{kind, mapping, account, problem}],
 *    "new_cost_codes": [code], "bad_links": [links_check result]}
 */
int mapping_check_run(struct mlc_session *s, json_t **out, struct mlc_error *err) MLC_MUST_CHECK;
/* Does the report hold anything that needs a person? */
bool mapping_check_failed(const json_t *report);

#endif
