#include <stdio.h>
#include <string.h>

#include "procore/pc_webhooks.h"
#include "util/jsonx.h"
#include "util/banned.h"

#define HOOKS_PATH "/rest/v1.0/webhooks/hooks"

int procore_hook_find(struct mlc_procore *pc, const char *url, int64_t *hook_id,
		      struct mlc_error *err)
{
	const char *q[] = {"company_id", pc->company_header, NULL};
	json_t *hooks = NULL, *v;
	size_t i;
	int rc;

	*hook_id = 0;
	rc = procore_get(pc, HOOKS_PATH, q, &hooks, err);
	if (rc < 0)
		return rc;
	json_array_foreach (hooks, i, v) {
		if (jsonx_str(v, "destination_url") &&
		    strcmp(jsonx_str(v, "destination_url"), url) == 0 &&
		    jsonx_id(v, "id", hook_id) < 0)
			*hook_id = 0;
	}
	json_decref(hooks);
	return MLC_OK;
}

int procore_hook_put(struct mlc_procore *pc, int64_t *hook_id, const char *api_version,
		     const char *url, const char *authorization, struct mlc_error *err)
{
	const char *q[] = {"company_id", pc->company_header, NULL};
	json_t *hook, *out = NULL;
	char path[96];
	int rc, status = 0;

	hook = json_pack("{s:s, s:s, s:s, s:{s:s}}", "api_version", api_version, "namespace",
			 "ml-connector", "destination_url", url, "destination_headers",
			 "Authorization", authorization);
	if (*hook_id) {
		snprintf(path, sizeof(path), HOOKS_PATH "/%lld", (long long)*hook_id);
		rc = procore_write(
		    pc, "PATCH", path, q,
		    json_pack("{s:s, s:O}", "company_id", pc->company_header, "hook", hook), &out,
		    &status, err);
	} else {
		rc = procore_write(
		    pc, "POST", HOOKS_PATH, NULL,
		    json_pack("{s:I, s:O}", "company_id", (json_int_t)pc->company_id, "hook", hook),
		    &out, &status, err);
		if (rc == MLC_OK && jsonx_id(out, "id", hook_id) < 0)
			*hook_id = 0;
	}
	json_decref(hook);
	json_decref(out);
	return rc;
}

int procore_hook_triggers(struct mlc_procore *pc, int64_t hook_id, json_t **triggers,
			  struct mlc_error *err)
{
	const char *q[] = {"company_id", pc->company_header, NULL};
	char path[96];

	snprintf(path, sizeof(path), HOOKS_PATH "/%lld/triggers", (long long)hook_id);
	return procore_get(pc, path, q, triggers, err);
}

int procore_hook_trigger_delete(struct mlc_procore *pc, int64_t hook_id, int64_t trigger_id,
				struct mlc_error *err)
{
	const char *q[] = {"company_id", pc->company_header, NULL};
	json_t *out = NULL;
	char path[128];
	int rc, status = 0;

	snprintf(path, sizeof(path), HOOKS_PATH "/%lld/triggers/%lld", (long long)hook_id,
		 (long long)trigger_id);
	rc = procore_write(pc, "DELETE", path, q, NULL, &out, &status, err);
	json_decref(out);
	return rc;
}

int procore_hook_triggers_add(struct mlc_procore *pc, int64_t hook_id, const char *api_version,
			      const json_t *want, size_t *added, size_t *refused,
			      struct mlc_error *err)
{
	json_t *out = NULL;
	char path[96];
	int rc, status = 0;

	*added = *refused = 0;
	snprintf(path, sizeof(path), HOOKS_PATH "/%lld/triggers/bulk", (long long)hook_id);
	rc = procore_write(pc, "POST", path, NULL,
			   json_pack("{s:I, s:s, s:O}", "company_id", (json_int_t)pc->company_id,
				     "api_version", api_version, "api_triggers", want),
			   &out, &status, err);
	if (rc == MLC_OK) {
		*added = json_array_size(json_object_get(out, "success"));
		*refused = json_array_size(json_object_get(out, "failures"));
	}
	json_decref(out);
	return rc;
}
