#ifndef MLC_FLOWS_PING_FIT_H
#define MLC_FLOWS_PING_FIT_H

#include <stdbool.h>

#include "core/tenant.h"
#include "flows/ping.h"
#include "flows/session.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * `ping` proves the fit (issue 19): what the tenant's enabled flows need
 * inside the two accounts, one check each, each failure with its fix
 * (docs/netsuite-setup.md, section 8).  Which flows are enabled: those
 * with a schedule (settings.schedules), or a list given to `ping --flows`.
 * With no flow enabled there is nothing to check and no check is added.
 *
 * NetSuite (SuiteQL probes of one row, through the adapter's session):
 *   netsuite.read.TABLE      the role can read each record type the flows
 *                            read; a denied record answers "Record 'TABLE'
 *                            was not found" (docs/reference/netsuite/suiteql.md,
 *                            V9).  Write permission cannot be proven without
 *                            writing (NetSuite has no dry run): the detail
 *                            says which record types the flows write.
 *   netsuite.segment         the cost-code segment exists (customsegment),
 *   netsuite.segment.lines   is applied to transaction lines (the column
 *                            transactionline.<segment>) and to budgets
 *   netsuite.segment.budgets (budgets.<segment>).  Required for cost-codes
 *                            and budgets, and for costs and purchase-orders
 *                            when costs.use_segment is true; a warning when
 *                            those flows would only use it if present.
 *   netsuite.push_script     customscript_mlc_push has a deployed, released
 *                            deployment for each record type whose push
 *                            wakes an enabled flow (script, scriptdeployment)
 *   netsuite.integration_user  netsuite.integration_user_id is set, so the
 *                            connector's own saves are not pushed back
 * Procore (the first page of each list, per linked project):
 *   procore.tool.TOOL        the service account reaches each tool the
 *                            flows use; a 403 names the missing permission
 *   procore.foreign_origin   vendors and commitments whose origin_id is not
 *                            of the connector's "ns:..." forms, counted and
 *                            named: another integration owns them
 *   procore.approved_commitments  informational: approved commitments in
 *                            linked projects (their schedule of values is
 *                            locked, docs/reference/procore.md)
 */

/* Bit i of a flow set is flow i of ping_fit's table (the flows of
 * flows/flow.h that touch the accounts). */
typedef unsigned ping_fit_flows;

/*
 * The enabled flows: list is "all", a comma-separated list of flow names,
 * or NULL for the flows the tenant has a schedule for.  MLC_EINVAL names
 * an unknown flow.
 */
int ping_fit_flows_of(const struct mlc_tenant *t, const char *list, ping_fit_flows *out,
		      struct mlc_error *err) MLC_MUST_CHECK;
/* Adds the NetSuite checks of the flows to r (s has NetSuite). */
void ping_fit_netsuite(struct mlc_session *s, ping_fit_flows flows, struct mlc_ping_report *r);
/* Adds the Procore checks of the flows to r (s has Procore). */
void ping_fit_procore(struct mlc_session *s, ping_fit_flows flows, struct mlc_ping_report *r);

#endif
