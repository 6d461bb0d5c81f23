#ifndef MLC_PC_WEBHOOKS_H
#define MLC_PC_WEBHOOKS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "procore/procore.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The v1.0 hooks API at company scope (docs/reference/procore.md,
 * Webhooks): the tenant's hook and its triggers.  Which resources get
 * triggers is the caller's business (server/webhook_resources.h); these
 * only make the calls.  The hook's Authorization value is sent to Procore
 * and never logged.
 */

/* The id of the company's hook that delivers to url; 0 when none. */
int procore_hook_find(struct mlc_procore *pc, const char *url, int64_t *hook_id,
		      struct mlc_error *err) MLC_MUST_CHECK;
/*
 * Creates the hook (*hook_id 0) or updates it (PATCH) with the payload
 * version, namespace "ml-connector", url and the Authorization header
 * value.  *hook_id gets the created hook's id.
 */
int procore_hook_put(struct mlc_procore *pc, int64_t *hook_id, const char *api_version,
		     const char *url, const char *authorization,
		     struct mlc_error *err) MLC_MUST_CHECK;
/* The hook's triggers, [{"id", "resource_name", "event_type"}]; caller decrefs. */
int procore_hook_triggers(struct mlc_procore *pc, int64_t hook_id, json_t **triggers,
			  struct mlc_error *err) MLC_MUST_CHECK;
int procore_hook_trigger_delete(struct mlc_procore *pc, int64_t hook_id, int64_t trigger_id,
				struct mlc_error *err) MLC_MUST_CHECK;
/*
 * Adds triggers in one bulk call: want is [{"resource_name",
 * "event_type"}] (not taken).  *added and *refused count Procore's
 * "success" and "failures".
 */
int procore_hook_triggers_add(struct mlc_procore *pc, int64_t hook_id, const char *api_version,
			      const json_t *want, size_t *added, size_t *refused,
			      struct mlc_error *err) MLC_MUST_CHECK;

#endif
