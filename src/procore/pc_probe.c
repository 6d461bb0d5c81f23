#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procore/pc_probe.h"
#include "util/buf.h"
#include "util/compat.h"
#include "util/str.h"
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

int procore_probe_projects(struct mlc_procore *pc, struct mlc_pc_answer *out, struct mlc_error *err)
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

/* The tools' list endpoints; "%lld": the project id in the path. */
static const struct {
	const char *path;
	bool company; /* company_id only, no project_id */
} tools[MLC_PC_TOOL_COUNT] = {
    [MLC_PC_TOOL_VENDORS] = {"/rest/v1.0/vendors", true},
    [MLC_PC_TOOL_COMMITMENTS] = {"/rest/v1.0/commitments", false},
    [MLC_PC_TOOL_REQUISITIONS] = {"/rest/v1.0/requisitions", false},
    [MLC_PC_TOOL_DIRECT_COSTS] = {"/rest/v1.0/projects/%lld/direct_costs", false},
    [MLC_PC_TOOL_BUDGET] = {"/rest/v1.0/budget_views", false},
    [MLC_PC_TOOL_PRIME_CONTRACTS] = {"/rest/v1.0/payment_applications", false},
    [MLC_PC_TOOL_COST_CODES] = {"/rest/v1.0/cost_codes", false},
};

bool procore_tool_company(enum mlc_pc_tool tool)
{
	return tool < MLC_PC_TOOL_COUNT && tools[tool].company;
}

const char *procore_tool_path(enum mlc_pc_tool tool)
{
	return tool < MLC_PC_TOOL_COUNT ? tools[tool].path : "";
}

/* GET the first page of a list: path (a format with at most one %lld,
 * the project) with company_id, per_page and, for a project list whose
 * path does not name the project, project_id. */
static int list_page(struct mlc_procore *pc, const char *path_fmt, bool company, int64_t project_id,
		     int per_page, struct mlc_pc_answer *out, struct mlc_error *err)
{
	struct mlc_buf path = MLC_BUF_INIT;
	char proj[24], pp[16];
	const char *q[] = {"company_id", pc->company_header, "per_page", pp, NULL, NULL, NULL};
	const char *at = strstr(path_fmt, "%lld");
	int rc;

	snprintf(proj, sizeof(proj), "%lld", (long long)project_id);
	snprintf(pp, sizeof(pp), "%d", per_page);
	if (at) {
		buf_add(&path, path_fmt, (size_t)(at - path_fmt));
		buf_addstr(&path, proj);
		buf_addstr(&path, at + 4);
	} else {
		buf_addstr(&path, path_fmt);
	}
	if (!company && !at) {
		q[4] = "project_id";
		q[5] = proj;
	}
	rc = probe(pc, path.data, q, out, err);
	buf_release(&path);
	return rc;
}

int procore_probe_tool(struct mlc_procore *pc, enum mlc_pc_tool tool, int64_t project_id,
		       int per_page, struct mlc_pc_answer *out, struct mlc_error *err)
{
	if (tool >= MLC_PC_TOOL_COUNT) {
		memset(out, 0, sizeof(*out));
		http_resp_init(&out->resp);
		return error_set(err, MLC_EINVAL, "no Procore tool %d", (int)tool);
	}
	return list_page(pc, tools[tool].path, tools[tool].company, project_id, per_page, out, err);
}

/* The first 1000 rows of a list as a JSON array; an answer other than 200
 * is MLC_EPERM with Procore's words. */
static int list_rows(struct mlc_procore *pc, const char *path, bool company, int64_t project_id,
		     struct mlc_pc_answer *a, struct mlc_error *err)
{
	struct mlc_buf msg = MLC_BUF_INIT;
	int rc = list_page(pc, path, company, project_id, 1000, a, err);

	if (rc < 0 || a->status == 200)
		return rc;
	if (a->json)
		procore_error_text(a->json, &msg);
	rc = error_set(err, MLC_EPERM, "Procore answered %d to %s%s%s%s", a->status, path,
		       msg.len ? " (" : "", msg.data, msg.len ? ")" : "");
	buf_release(&msg);
	return rc;
}

int procore_origins(struct mlc_procore *pc, enum mlc_pc_owned kind, int64_t project_id,
		    struct mlc_pc_origin **out, size_t *n, struct mlc_error *err)
{
	static const char *const paths[] = {
	    [MLC_PC_OWNED_VENDORS] = "/rest/v1.0/vendors",
	    [MLC_PC_OWNED_PURCHASE_ORDERS] = "/rest/v1.0/purchase_order_contracts",
	    [MLC_PC_OWNED_SUBCONTRACTS] = "/rest/v1.0/work_order_contracts",
	};
	struct mlc_pc_answer a;
	json_t *o;
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	if ((unsigned)kind >= MLC_ARRAY_LEN(paths))
		return error_set(err, MLC_EINVAL, "no Procore list %d", (int)kind);
	rc = list_rows(pc, paths[kind], kind == MLC_PC_OWNED_VENDORS, project_id, &a, err);
	if (rc < 0)
		goto out;
	*out = xcalloc(json_array_size(a.json) + 1, sizeof(**out));
	json_array_foreach (a.json, i, o) {
		const char *v = json_string_value(json_object_get(o, "origin_id"));
		if (!v || !*v)
			continue;
		(*out)[*n].id = json_integer_value(json_object_get(o, "id"));
		(*out)[*n].origin_id = xstrdup(v);
		++*n;
	}
out:
	procore_answer_release(&a);
	return rc;
}

void procore_origins_free(struct mlc_pc_origin *o, size_t n)
{
	if (!o)
		return;
	for (size_t i = 0; i < n; i++)
		free(o[i].origin_id);
	free(o);
}

int procore_commitment_approvals(struct mlc_procore *pc, int64_t project_id, size_t *total,
				 size_t *approved, struct mlc_error *err)
{
	struct mlc_pc_answer a;
	json_t *o;
	size_t i;
	int rc;

	*total = *approved = 0;
	rc = list_rows(pc, tools[MLC_PC_TOOL_COMMITMENTS].path, false, project_id, &a, err);
	if (rc == 0)
		json_array_foreach (a.json, i, o) {
			const char *st = json_string_value(json_object_get(o, "status"));
			++*total;
			*approved += st && strcmp(st, "Approved") == 0;
		}
	procore_answer_release(&a);
	return rc;
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
