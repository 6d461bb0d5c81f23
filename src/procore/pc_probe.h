#ifndef MLC_PC_PROBE_H
#define MLC_PC_PROBE_H

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
 * GET path with query q (key, value pairs, NULL-terminated; may be NULL)
 * on the adapter's upstream: the fit checks' probe of a tool's list
 * endpoint (docs/reference/procore.md, Resources the connector uses).
 */
int procore_probe_get(struct mlc_procore *pc, const char *path, procore_query q,
		      struct mlc_pc_answer *out, struct mlc_error *err) MLC_MUST_CHECK;
void procore_answer_release(struct mlc_pc_answer *a);

#endif
