#ifndef MLC_PC_PROJECT_CODES_H
#define MLC_PC_PROJECT_CODES_H

#include <stdint.h>

#include <jansson.h>

#include "procore/procore.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Every cost code of one project, all pages (GET /rest/v1.0/cost_codes?
 * project_id=; docs/reference/procore.md, Resources the connector uses),
 * as Procore returns them ({"id", "full_code", ...}).  Caller decrefs.
 */
int procore_project_cost_codes(struct mlc_procore *pc, int64_t project_id, json_t **codes,
			       struct mlc_error *err) MLC_MUST_CHECK;

#endif
