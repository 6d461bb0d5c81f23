#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/vault.h"
#include "flows/session.h"
#include "net/url.h"
#include "server/webhook_resources.h"
#include "util/jsonx.h"
#include "util/banned.h"

static const char *const events[] = { "create", "update", "delete" };

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
		{ "url", "PUBLIC_URL", "where Procore delivers: https://.../webhooks/procore/TENANT",
		  &url, NULL },
		{ NULL, NULL, NULL, NULL, NULL },
	};
	const struct cli_spec spec = {
		"webhook register TENANT --url PUBLIC_URL",
		"Creates the tenant's Procore webhook (company scope, payload version v2) with the\n"
		"Authorization header stored as webhook.procore_authorization, and its triggers\n"
		"(create, update, delete) for every resource the connector routes to a flow:\n"
		"Direct Costs, Direct Cost Line Items, Payment Applications, Company Vendors,\n"
		"Cost Codes and Budget Line Items.",
		opts, 1, 1,
	};
	const char *pos[1];
	int npos, rc, status = 0;
	struct mlc_vault *vault = NULL;
	struct mlc_session *s = NULL;
	struct mlc_secret *auth = NULL;
	struct mlc_error err = { 0 };
	json_t *hooks = NULL, *hook = NULL, *out = NULL, *triggers = NULL, *want = NULL, *v;
	char company[24], path[96];
	int64_t hook_id = 0;
	size_t i, added = 0, removed = 0, nres = 0;
	const struct mlc_webhook_resource *resources = NULL;

	if ((rc = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_OK)
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
	if ((rc = cli_open_store(ctx)) != CLI_OK || (rc = cli_open_vault(ctx, &vault)) != CLI_OK)
		goto out;
	struct mlc_session_opts so = { .store = ctx->store, .vault = vault, .tenant = pos[0],
				       .need_procore = true };
	if (session_open(&so, &s, &err) < 0 ||
	    secret_get(ctx->store, vault, s->tenant.id, "webhook.procore_authorization", &auth,
		       &err) < 0) {
		if (err.code == MLC_ENOTFOUND)
			fprintf(stderr, "ml-connector: tenant %s has no webhook.procore_authorization; "
					"set one with 'ml-connector secret set %s "
					"webhook.procore_authorization'\n", pos[0], pos[0]);
		else
			cli_fail(&err);
		rc = CLI_FAIL;
		goto out;
	}
	snprintf(company, sizeof(company), "%lld", (long long)s->tenant.procore_company_id);
	const char *q[] = { "company_id", company, NULL };
	if (procore_get(s->pc, "/rest/v1.0/webhooks/hooks", q, &hooks, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	json_array_foreach(hooks, i, v) {
		if (jsonx_str(v, "destination_url") && strcmp(jsonx_str(v, "destination_url"), url) == 0 &&
		    jsonx_id(v, "id", &hook_id) < 0)
			hook_id = 0;
	}
	hook = json_pack("{s:s, s:s, s:s, s:{s:s}}", "api_version", WEBHOOK_PAYLOAD_VERSION, "namespace",
			 "ml-connector", "destination_url", url, "destination_headers",
			 "Authorization", auth->data);
	if (hook_id) {
		snprintf(path, sizeof(path), "/rest/v1.0/webhooks/hooks/%lld", (long long)hook_id);
		rc = procore_write(s->pc, "PATCH", path, q,
				   json_pack("{s:s, s:O}", "company_id", company, "hook", hook), &out,
				   &status, &err);
	} else {
		rc = procore_write(s->pc, "POST", "/rest/v1.0/webhooks/hooks", NULL,
				   json_pack("{s:I, s:O}", "company_id",
					     (json_int_t)s->tenant.procore_company_id, "hook", hook),
				   &out, &status, &err);
		if (rc == MLC_OK && jsonx_id(out, "id", &hook_id) < 0)
			hook_id = 0;
	}
	if (rc < 0 || !hook_id) {
		rc = rc < 0 ? cli_fail(&err) : CLI_FAIL;
		goto out;
	}
	/* the triggers it lacks */
	snprintf(path, sizeof(path), "/rest/v1.0/webhooks/hooks/%lld/triggers", (long long)hook_id);
	if (procore_get(s->pc, path, q, &triggers, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	/* triggers for resources the connector no longer routes (an older
	 * version registered "Purchase Order Contracts") go: their events
	 * would only be stored as unusable */
	json_array_foreach(triggers, i, v) {
		int64_t tid = 0;
		char tpath[128];
		if (webhook_resource_flow(jsonx_str(v, "resource_name")) ||
		    jsonx_id(v, "id", &tid) < 0 || !tid)
			continue;
		snprintf(tpath, sizeof(tpath), "/rest/v1.0/webhooks/hooks/%lld/triggers/%lld",
			 (long long)hook_id, (long long)tid);
		json_decref(out);
		out = NULL;
		if (procore_write(s->pc, "DELETE", tpath, q, NULL, &out, &status, &err) < 0) {
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
			json_array_foreach(triggers, i, v)
				have |= jsonx_str(v, "resource_name") && jsonx_str(v, "event_type") &&
					!strcmp(jsonx_str(v, "resource_name"), resources[r].name) &&
					!strcasecmp(jsonx_str(v, "event_type"), events[e]);
			if (!have)
				json_array_append_new(want, json_pack("{s:s, s:s}", "resource_name",
								      resources[r].name, "event_type",
								      events[e]));
		}
	}
	if (json_array_size(want)) {
		json_decref(out);
		out = NULL;
		snprintf(path, sizeof(path), "/rest/v1.0/webhooks/hooks/%lld/triggers/bulk",
			 (long long)hook_id);
		if (procore_write(s->pc, "POST", path, NULL,
				  json_pack("{s:I, s:s, s:O}", "company_id",
					    (json_int_t)s->tenant.procore_company_id, "api_version",
					    WEBHOOK_PAYLOAD_VERSION,
					    "api_triggers", want),
				  &out, &status, &err) < 0) {
			rc = cli_fail(&err);
			goto out;
		}
		added = json_array_size(json_object_get(out, "success"));
		if (json_array_size(json_object_get(out, "failures"))) {
			fprintf(stderr, "ml-connector: Procore refused %zu trigger(s)\n",
				json_array_size(json_object_get(out, "failures")));
			rc = CLI_FAIL;
			goto out;
		}
	}
	printf("webhook %lld -> %s: %zu trigger(s) added, %zu already there, %zu removed\n",
	       (long long)hook_id, url, added, nres * MLC_ARRAY_LEN(events) - json_array_size(want),
	       removed);
	rc = CLI_OK;
out:
	json_decref(hooks);
	json_decref(hook);
	json_decref(out);
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
		{ "register", "create the Procore webhook and its triggers", webhook_register },
		{ NULL, NULL, NULL },
	};
	return cli_dispatch(ctx, "webhook", "Procore webhooks.", cmds, argc, argv);
}
