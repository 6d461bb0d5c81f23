#ifndef MLC_PC_DIRECTORY_H
#define MLC_PC_DIRECTORY_H

#include <stdint.h>

#include <jansson.h>

#include "procore/procore.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The company's directory data the flows read from Procore
 * (docs/reference/procore.md, Resources the connector uses), in the
 * tenant's company.  Lists are every page; caller decrefs what it gets.
 * A refusal (404, 403) comes back as the adapter's MLC_EPERM with
 * Procore's message in err.
 */

/* GET /rest/v1.0/projects/{id}?company_id= */
int procore_read_project(struct mlc_procore *pc, int64_t project_id, json_t **project,
			 struct mlc_error *err) MLC_MUST_CHECK;
/* GET /rest/v1.0/projects?company_id= */
int procore_read_projects(struct mlc_procore *pc, json_t **projects,
			  struct mlc_error *err) MLC_MUST_CHECK;
/* GET /rest/v1.0/line_item_types?company_id= */
int procore_read_line_item_types(struct mlc_procore *pc, json_t **types,
				 struct mlc_error *err) MLC_MUST_CHECK;

#endif
