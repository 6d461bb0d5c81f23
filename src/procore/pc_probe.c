#include <stdio.h>
#include <string.h>

#include "procore/pc_probe.h"
#include "util/banned.h"

/* GET path (with a query of key, value pairs) on the adapter's upstream. */
static int probe(struct mlc_procore *pc, const char *path, procore_query q,
		 struct mlc_pc_answer *out, struct mlc_error *err)
{
	struct mlc_http_req r;
	int rc;

	memset(out, 0, sizeof(*out));
	http_resp_init(&out->resp);
	http_req_init(&r, "GET", path);
	for (; q && q[0]; q += 2)
		http_req_query(&r, q[0], q[1]);
	http_req_header(&r, "Procore-Company-Id", pc->company_header);
	http_req_header(&r, "Accept", "application/json");
	rc = http_upstream_send(pc->up, &r, &out->resp, err);
	__atomic_add_fetch(&pc->reads, out->resp.attempts ? out->resp.attempts : 1,
			   __ATOMIC_RELAXED);
	http_req_release(&r);
	out->status = out->resp.status;
	if (out->status == 0)
		return rc < 0 ? rc : MLC_ETRANSIENT;
	out->json = json_loadb(out->resp.body.data, out->resp.body.len, 0, NULL);
	return MLC_OK;
}

int procore_probe_companies(struct mlc_procore *pc, struct mlc_pc_answer *out,
			    struct mlc_error *err)
{
	return probe(pc, "/rest/v1.0/companies", NULL, out, err);
}

int procore_probe_projects(struct mlc_procore *pc, struct mlc_pc_answer *out,
			   struct mlc_error *err)
{
	const char *const q[] = {"company_id", pc->company_header, "per_page", "100", NULL};

	return probe(pc, "/rest/v1.0/projects", q, out, err);
}

int procore_probe_project(struct mlc_procore *pc, int64_t project_id, struct mlc_pc_answer *out,
			  struct mlc_error *err)
{
	const char *const q[] = {"company_id", pc->company_header, NULL};
	char path[64];

	snprintf(path, sizeof(path), "/rest/v1.0/projects/%lld", (long long)project_id);
	return probe(pc, path, q, out, err);
}

int procore_probe_get(struct mlc_procore *pc, const char *path, procore_query q,
		      struct mlc_pc_answer *out, struct mlc_error *err)
{
	return probe(pc, path, q, out, err);
}

void procore_answer_release(struct mlc_pc_answer *a)
{
	if (!a)
		return;
	json_decref(a->json);
	http_resp_release(&a->resp); /* leaves it empty, ready again */
	a->json = NULL;
	a->status = 0;
}
