#ifndef MLC_PC_PROBE_H
#define MLC_PC_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "net/http_client.h"
#include "procore/procore.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Setup probes for `ping`: the cheapest calls that show whether a
 * tenant's Procore access works, sent through the adapter's own upstream
 * (Procore-Company-Id, the bearer hook, rate pacing: what the flows use).
 * A probe hands back whatever Procore answered, status and headers
 * included (X-Rate-Limit-*, Total), so the caller can say why a setup is
 * wrong.
 */
struct mlc_pc_answer {
	int status;   /* 0 only when the call failed (see the return) */
	json_t *json; /* the parsed body, or NULL; owned */
	struct mlc_http_resp resp;
};

/*
 * Each returns 0 when any HTTP answer arrived (read out->status), else
 * the transport's code with err; the caller releases *out with
 * procore_answer_release() in both cases.
 *   companies: GET /rest/v1.0/companies (where the app is installed)
 *   projects:  GET /rest/v1.0/projects?company_id=&per_page=100
 *   project:   GET /rest/v1.0/projects/{id}?company_id=
 * (docs/reference/procore.md, Resources the connector uses).
 */
int procore_probe_companies(struct mlc_procore *pc, struct mlc_pc_answer *out,
			    struct mlc_error *err) MLC_MUST_CHECK;
int procore_probe_projects(struct mlc_procore *pc, struct mlc_pc_answer *out,
			   struct mlc_error *err) MLC_MUST_CHECK;
int procore_probe_project(struct mlc_procore *pc, int64_t project_id, struct mlc_pc_answer *out,
			  struct mlc_error *err) MLC_MUST_CHECK;
/*
 * The Procore tools the flows use, each probed through its list endpoint
 * (docs/reference/procore.md, Resources the connector uses).
 */
enum mlc_pc_tool {
	MLC_PC_TOOL_VENDORS,         /* company Directory */
	MLC_PC_TOOL_COMMITMENTS,     /* project Commitments */
	MLC_PC_TOOL_REQUISITIONS,    /* subcontractor invoices */
	MLC_PC_TOOL_DIRECT_COSTS,    /* project Direct Costs */
	MLC_PC_TOOL_BUDGET,          /* budget views */
	MLC_PC_TOOL_PRIME_CONTRACTS, /* payment applications */
	MLC_PC_TOOL_COST_CODES,      /* project Admin: cost codes */
	MLC_PC_TOOL_COUNT
};
/* Whether the tool's list is the company's (no project in the call). */
bool procore_tool_company(enum mlc_pc_tool tool);
/* The tool's list endpoint as documented, for messages (static text). */
const char *procore_tool_path(enum mlc_pc_tool tool);
/*
 * GET the first page of per_page rows of the tool's list in project
 * project_id (ignored for a company tool).  Returns as the probes above.
 */
int procore_probe_tool(struct mlc_procore *pc, enum mlc_pc_tool tool, int64_t project_id,
		       int per_page, struct mlc_pc_answer *out,
		       struct mlc_error *err) MLC_MUST_CHECK;

/* The lists whose objects an integration may own through origin_id. */
enum mlc_pc_owned {
	MLC_PC_OWNED_VENDORS,         /* the company's vendors */
	MLC_PC_OWNED_PURCHASE_ORDERS, /* a project's purchase order contracts */
	MLC_PC_OWNED_SUBCONTRACTS,    /* a project's work order contracts */
};
/* One object of such a list that carries an origin_id. */
struct mlc_pc_origin {
	int64_t id;
	char *origin_id; /* owned; never empty */
};
/*
 * The objects with an origin_id in the first 1000 of list kind (in
 * project project_id, ignored for vendors).  On 0, *out (caller frees
 * with procore_origins_free()) holds *n of them; on a refusal (MLC_EPERM)
 * or a failed call, < 0 with err and *out NULL, *n 0.
 */
int procore_origins(struct mlc_procore *pc, enum mlc_pc_owned kind, int64_t project_id,
		    struct mlc_pc_origin **out, size_t *n, struct mlc_error *err) MLC_MUST_CHECK;
void procore_origins_free(struct mlc_pc_origin *o, size_t n);
/*
 * Counts the first 1000 commitments of project project_id: *total, and
 * *approved those whose status is "Approved" (their schedule of values is
 * locked, docs/reference/procore.md).  Errors as procore_origins().
 */
int procore_commitment_approvals(struct mlc_procore *pc, int64_t project_id, size_t *total,
				 size_t *approved, struct mlc_error *err) MLC_MUST_CHECK;
void procore_answer_release(struct mlc_pc_answer *a);

#endif
