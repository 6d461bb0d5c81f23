/*
 * TEMPORARY stand-in for the Procore simulator (branch pcsim) so that the
 * nssim branch builds and its tests run.  Drop this file when merging
 * pcsim.  It registers no routes and describes the ten projects with
 * made-up ids.
 */
#include <stdio.h>

#include "sandbox/contractor.h"
#include "sandbox/sandbox.h"
#include "util/buf.h"
#include "util/banned.h"

struct pcsim {
	int unused;
};

int pcsim_new(struct mlc_sandbox *sb, struct mlc_http_server *http, json_t *credentials,
	      json_t *seed, struct pcsim **out, struct mlc_error *err)
{
	const struct contractor_project *p = contractor_projects(&(size_t){ 0 });
	json_t *projects = json_array();

	MLC_UNUSED(sb);
	MLC_UNUSED(http);
	MLC_UNUSED(err);
	for (size_t i = 0; i < CONTRACTOR_PROJECTS; i++)
		json_array_append_new(projects,
				      json_pack("{s:I,s:s,s:s}", "id", (json_int_t)(562949953421312 + i),
						"project_number", p[i].number, "name", p[i].name));
	json_object_set_new(credentials, "procore", json_pack("{s:s}", "note", "stub"));
	json_object_set_new(seed, "procore_projects", projects);
	*out = xcalloc(1, sizeof(**out));
	return MLC_OK;
}

void pcsim_free(struct pcsim *pc)
{
	free(pc);
}
