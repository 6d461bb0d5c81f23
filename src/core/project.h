#ifndef MLC_PROJECT_H
#define MLC_PROJECT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/store.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * A project link: one Procore project <-> one NetSuite job (customer
 * record of the project), with the NetSuite dimensions that postings for
 * the project carry.  Dimension ids are 0 when not set.  Each side's id
 * is linked at most once per tenant.  `project link` reads subsidiary_id
 * and customer_id from the job (flows/links.h); links stored before that
 * may have neither (0), and nothing is posted for them until relinked.
 */
struct mlc_project_link {
	int64_t tenant_id;
	int64_t procore_project_id;
	int64_t netsuite_job_id;
	int64_t customer_id; /* the job's parent customer */
	int64_t subsidiary_id;
	int64_t department_id;
	int64_t class_id;
	int64_t location_id;
	int active;
};

/* Links a project, or updates the link's NetSuite side and dimensions when
 * the Procore project is already linked (a relink).  MLC_EEXIST if the
 * NetSuite job is linked to another Procore project. */
int project_link(struct mlc_store *s, const struct mlc_project_link *l,
		 struct mlc_error *err) MLC_MUST_CHECK;
int project_unlink(struct mlc_store *s, int64_t tenant_id, int64_t procore_project_id,
		   struct mlc_error *err) MLC_MUST_CHECK;
/* Every link of a tenant ordered by Procore project id; caller frees *out. */
int project_list(struct mlc_store *s, int64_t tenant_id, struct mlc_project_link **out, size_t *n,
		 struct mlc_error *err) MLC_MUST_CHECK;
int project_get(struct mlc_store *s, int64_t tenant_id, int64_t procore_project_id,
		struct mlc_project_link *out, struct mlc_error *err) MLC_MUST_CHECK;
json_t *project_to_json(const struct mlc_project_link *l);

#endif
