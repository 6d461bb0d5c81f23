#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/vault.h"
#include "flows/session.h"
#include "net/url.h"
#include "procore/pc_webhooks.h"
#include "server/webhook_resources.h"
#include "util/jsonx.h"
#include "util/banned.h"

static const char *const events[] = {"create", "update", "delete"};

/*
 * The payload version the connector registers.  v2 (api_version "v2", as
 * the v1.0 hooks API's setup guide spells it: docs/reference/procore/
 * webhook-payloads.md [D3]) because it carries
 * metadata.source_application_id, the client id of the app that made the
 * change: the one signal that tells the connector's own writes apart
 * whoever the user is, with no setting to keep right.  v3 adds only
 * related_resources (a line item's parent), which routing does not need:
 * every event reruns its flow.  v4 (Procore's advice for new
 * integrations) has no metadata, so echoes could be told only by the
 * service account's user id, and its extra resource types are none the
 * connector routes.  The receiver accepts all three, so a hook switched to
 * v3 or v4 by hand keeps working.
 */
#define WEBHOOK_PAYLOAD_VERSION "v2"

/*
 * Creates (or updates) the company-level hook pointing at URL with the
 * tenant's Authorization header, then adds the triggers it lacks and
 * removes those for resources it does not route.  Run it again at will: it
 * changes only what differs.
 */
static int webhook_register(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *url = NULL;
	const struct cli_opt opts[] = {
	    {"url", "PUBLIC_URL", "where Procore delivers: https://.../webhooks/procore/TENANT",
	     &url, NULL},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {
	    "webhook register TENANT --url PUBLIC_URL",
	    "Creates the tenant's Procore webhook (company scope, payload version v2) with the\n"
	    "Authorization header stored as webhook.procore_authorization, and its triggers\n"
	    "(create, update, delete) for every resource the connector routes to a flow:\n"
	    "Direct Costs, Direct Cost Line Items, Payment Applications, Company Vendors,\n"
	    "Cost Codes and Budget Line Items.",
	    opts,
	    1,
	    1,
	};
	const char *pos[1];
	int npos, rc;
	struct mlc_vault *vault = NULL;
	struct mlc_session *s = NULL;
	struct mlc_secret *auth = NULL;
	struct mlc_error err = {0};
	json_t *triggers = NULL, *want = NULL, *v;
	int64_t hook_id = 0;
	size_t i, added = 0, removed = 0, nres = 0;
	const struct mlc_webhook_resource *resources = NULL;

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc != CLI_OK)
		return rc;
	if (!url) {
		fprintf(stderr, "ml-connector webhook register: --url is required\n");
		return CLI_USAGE;
	}
	/* Procore sends the Authorization value with every delivery: plain
	 * http only to a loopback host (tests, the sandbox) */
	if (url_check_transport(url, NULL, &err) < 0) {
		fprintf(stderr, "ml-connector webhook register: --url %s\n", err.msg);
		return CLI_FAIL;
	}
	rc = cli_open_store(ctx);
	if (rc == CLI_OK)
		rc = cli_open_vault(ctx, &vault);
	if (rc != CLI_OK)
		goto out;
	struct mlc_session_opts so = {
	    .store = ctx->store, .vault = vault, .tenant = pos[0], .need_procore = true};
	if (session_open(&so, &s, &err) < 0 ||
	    secret_get(ctx->store, vault, s->tenant.id, "webhook.procore_authorization", &auth,
		       &err) < 0) {
		if (err.code == MLC_ENOTFOUND)
			fprintf(stderr,
				"ml-connector: tenant %s has no webhook.procore_authorization; "
				"set one with 'ml-connector secret set %s "
				"webhook.procore_authorization'\n",
				pos[0], pos[0]);
		else
			cli_fail(&err);
		rc = CLI_FAIL;
		goto out;
	}
	if (procore_hook_find(s->pc, url, &hook_id, &err) < 0 ||
	    procore_hook_put(s->pc, &hook_id, WEBHOOK_PAYLOAD_VERSION, url, auth->data, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	if (!hook_id) {
		rc = CLI_FAIL;
		goto out;
	}
	/* the triggers it lacks */
	if (procore_hook_triggers(s->pc, hook_id, &triggers, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	/* triggers for resources the connector no longer routes (an older
	 * version registered "Purchase Order Contracts") go: their events
	 * would only be stored as unusable */
	json_array_foreach (triggers, i, v) {
		int64_t tid = 0;
		if (webhook_resource_flow(jsonx_str(v, "resource_name")) ||
		    jsonx_id(v, "id", &tid) < 0 || !tid)
			continue;
		if (procore_hook_trigger_delete(s->pc, hook_id, tid, &err) < 0) {
			rc = cli_fail(&err);
			goto out;
		}
		removed++;
	}
	want = json_array();
	resources = webhook_resources(&nres);
	for (size_t r = 0; r < nres; r++) {
		for (size_t e = 0; e < MLC_ARRAY_LEN(events); e++) {
			int have = 0;
			json_array_foreach (triggers, i, v)
				have |= jsonx_str(v, "resource_name") &&
					jsonx_str(v, "event_type") &&
					!strcmp(jsonx_str(v, "resource_name"), resources[r].name) &&
					!strcasecmp(jsonx_str(v, "event_type"), events[e]);
			if (!have)
				json_array_append_new(want, json_pack("{s:s, s:s}", "resource_name",
								      resources[r].name,
								      "event_type", events[e]));
		}
	}
	if (json_array_size(want)) {
		size_t refused = 0;
		if (procore_hook_triggers_add(s->pc, hook_id, WEBHOOK_PAYLOAD_VERSION, want, &added,
					      &refused, &err) < 0) {
			rc = cli_fail(&err);
			goto out;
		}
		if (refused) {
			fprintf(stderr, "ml-connector: Procore refused %zu trigger(s)\n", refused);
			rc = CLI_FAIL;
			goto out;
		}
	}
	printf("webhook %lld -> %s: %zu trigger(s) added, %zu already there, %zu removed\n",
	       (long long)hook_id, url, added, nres * MLC_ARRAY_LEN(events) - json_array_size(want),
	       removed);
	rc = CLI_OK;
out:
	json_decref(triggers);
	json_decref(want);
	secret_free(auth);
	session_free(s);
	vault_free(vault);
	return rc;
}

int cmd_webhook(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct cli_command cmds[] = {
	    {"register", "create the Procore webhook and its triggers", webhook_register},
	    {NULL, NULL, NULL},
	};
	return cli_dispatch(ctx, "webhook", "Procore webhooks.", cmds, argc, argv);
}
