#include <stdio.h>

#include "procore/pc_directory.h"
#include "util/banned.h"

int procore_read_project(struct mlc_procore *pc, int64_t project_id, json_t **project,
			 struct mlc_error *err)
{
	const char *q[] = {"company_id", pc->company_header, NULL};
	char path[64];

	snprintf(path, sizeof(path), "/rest/v1.0/projects/%lld", (long long)project_id);
	return procore_get(pc, path, q, project, err);
}

int procore_read_projects(struct mlc_procore *pc, json_t **projects, struct mlc_error *err)
{
	const char *q[] = {"company_id", pc->company_header, NULL};

	return procore_list(pc, "/rest/v1.0/projects", q, projects, err);
}

int procore_read_line_item_types(struct mlc_procore *pc, json_t **types, struct mlc_error *err)
{
	const char *q[] = {"company_id", pc->company_header, NULL};

	return procore_list(pc, "/rest/v1.0/line_item_types", q, types, err);
}
