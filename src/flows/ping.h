#ifndef MLC_FLOWS_PING_H
#define MLC_FLOWS_PING_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "auth/token.h"
#include "core/store.h"
#include "core/tenant.h"
#include "core/vault.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * `ping`: does this tenant's setup work?  Gets both tokens and makes one
 * cheap call on each side:
 *   netsuite.token      the signed-JWT token request
 *   netsuite.suiteql    SELECT id, name FROM subsidiary (Prefer: transient)
 *   netsuite.limits     governanceLimits: the concurrency limit (a failure
 *                       here is reported but does not fail the ping)
 *   procore.token       the client-credentials token request
 *   procore.company     GET /rest/v1.0/companies: the tenant's company is
 *                       among those where the app is installed
 *   procore.projects    GET /rest/v1.0/projects?company_id=, then each
 *                       linked project by id (403: not a member)
 * Then the fit checks of the enabled flows (flows/ping_fit.h), on each
 * system whose token check passed.
 * With links, one check per project link follows (link.<procore project>,
 * from links_check in flows/links.h), when both systems answered.
 * Each check records what it found or, on failure, the cause and the fix.
 * A check that needs a token that could not be had is skipped (and fails).
 *
 * Every call goes through the sessions the flows use (flows/session.h):
 * the adapters' upstreams, token providers and error decoding, with the
 * probes' paths and query in the adapters (netsuite/ns_probe.h,
 * procore/pc_probe.h).  So an API call gets a 401 answered the way the
 * flows' are: the token is refreshed, the call repeated.
 */
struct mlc_ping_check {
	char *name; /* "netsuite.token", ... */
	bool ok;
	bool required; /* false: informational, does not fail the ping */
	char *detail;  /* what was found, or the cause and the fix */
};

struct mlc_ping_report {
	struct mlc_ping_check *checks;
	size_t n;
	bool ok; /* every required check passed */
};

struct mlc_ping_opts {
	struct mlc_store *store;
	const struct mlc_vault *vault;
	const struct mlc_tenant *tenant;
	struct mlc_token_shared *shared; /* NULL: in process only */
	mlc_clock_fn clock;              /* NULL: wall clock */
	void *clock_arg;
	int timeout_ms; /* per call; 0: 30 s */
	bool links;     /* add the project link checks */
	/* The fit checks of flows/ping_fit.h: "all", a comma-separated list
	 * of flows, or NULL for the flows the tenant has a schedule for. */
	const char *flows;
};

/* Runs every check.  Fails only when the checks cannot run at all;
 * otherwise the report says what passed.  Caller releases the report. */
int ping_run(const struct mlc_ping_opts *o, struct mlc_ping_report *out,
	     struct mlc_error *err) MLC_MUST_CHECK;
void ping_report_release(struct mlc_ping_report *r);
/* Adds a check run elsewhere; a failed required check fails the report. */
void ping_report_add(struct mlc_ping_report *r, const char *name, bool ok, bool required,
		     const char *detail);
/* {"tenant", "ok", "checks": [{"check", "ok", "required", "detail"}]}. */
json_t *ping_report_to_json(const struct mlc_ping_report *r, const char *tenant);

#endif
