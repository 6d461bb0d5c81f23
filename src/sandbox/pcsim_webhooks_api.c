/*
 * Procore simulator: the webhooks API (hooks, triggers, deliveries,
 * resources).  Reference docs/reference/procore.md "Webhooks"; schemas
 * RestV10WebhooksHooks*, RestV10WebhooksResources*.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sandbox/pcsim.h"
#include "util/str.h"
#include "util/banned.h"

static const char *const resources[][2] = {
    {"Projects", "Portfolio"},
    {"Company Vendors", "Directory"},
    {"Cost Codes", "Financial Management"},
    {"Purchase Order Contracts", "Financial Management"},
    {"Purchase Order Contract Line Items", "Financial Management"},
    {"Work Order Contracts", "Financial Management"},
    {"Direct Costs", "Financial Management"},
    {"Direct Cost Line Items", "Financial Management"},
    {"Payment Applications", "Financial Management"},
    {"Budget Line Items", "Financial Management"},
};

/* Scope of a hooks call: company_id or project_id (query or body). */
static bool scope_of(struct pc_ctx *c, int64_t *project_id)
{
	*project_id = 0;
	if (http_request_query(c->req, "project_id") || json_object_get(c->body, "project_id")) {
		json_t *p = pc_need_project(c);
		if (!p)
			return false;
		*project_id = pc_int(p, "id");
	}
	return pc_body_company_ok(c);
}

static bool hook_visible(struct pc_ctx *c, const json_t *h, int64_t project_id)
{
	return pc_int(h, "owned_by_company_id") == c->company_id &&
	       (!project_id || pc_int(h, "owned_by_project_id") == project_id);
}

static json_t *hook_of(struct pc_ctx *c, const char *param)
{
	int64_t id;
	json_t *h = pc_param_id(c, param, &id) ? pc_get(c->pc, PC_HOOK, id) : NULL;
	if (!h || pc_int(h, "owned_by_company_id") != c->company_id) {
		pc_reply_errors(c, 404, "Hook not found");
		return NULL;
	}
	return h;
}

static void hooks_list(struct pc_ctx *c)
{
	int64_t pid;
	json_t *items, *h;
	const char *ns = http_request_query(c->req, "namespace");
	size_t i;

	if (!scope_of(c, &pid))
		return;
	items = json_array();
	json_array_foreach (c->pc->t[PC_HOOK].rows, i, h) {
		if (hook_visible(c, h, pid) &&
		    (!ns || (pc_str(h, "namespace") && strcmp(ns, pc_str(h, "namespace")) == 0)))
			json_array_append_new(items, pc_public(h));
	}
	pc_reply(c, 200, items);
}

static bool hook_apply(json_t *h, const json_t *in, json_t *errs, bool create)
{
	json_t *url = json_object_get(in, "destination_url"),
	       *hdrs = json_object_get(in, "destination_headers");
	json_t *ver = json_object_get(in, "api_version"), *ns = json_object_get(in, "namespace");
	const char *key;
	json_t *v;

	if (url || create) {
		const char *u = json_string_value(url);
		if (!u || (!str_starts_with(u, "http://") && !str_starts_with(u, "https://")))
			pc_add_error(errs, "destination_url", "is invalid");
	}
	if (ver && !json_is_null(ver)) {
		/* "v2" as the setup guide creates hooks; v2.0|v3.0|v4.0 the
		 * payload versions (webhook-payloads.md section 1: the v1.0
		 * API's api_version is the v2.0 API's payload_version). */
		static const char *const known[] = {"v2", "v2.0", "v3.0", "v4.0"};
		bool ok = false;
		for (size_t i = 0; json_is_string(ver) && i < MLC_ARRAY_LEN(known); i++)
			ok = ok || strcmp(json_string_value(ver), known[i]) == 0;
		if (!ok)
			pc_add_error(errs, "api_version", "is not included in the list");
	}
	if (ns && !json_is_null(ns) && !json_is_string(ns))
		pc_add_error(errs, "namespace", "must be a string");
	if (hdrs && !json_is_null(hdrs)) {
		if (!json_is_object(hdrs))
			pc_add_error(errs, "destination_headers", "must be an object");
		json_object_foreach (hdrs, key, v) {
			if (!json_is_string(v))
				pc_add_error(errs, "destination_headers", "values must be strings");
		}
	}
	if (json_object_size(errs))
		return false;
	if (url)
		json_object_set(h, "destination_url", url);
	if (ns)
		json_object_set(h, "namespace", ns);
	if (ver && json_is_string(ver))
		json_object_set(h, "api_version", ver);
	if (hdrs)
		json_object_set(h, "destination_headers",
				json_is_null(hdrs) ? json_object() : hdrs);
	return true;
}

static void hook_post(struct pc_ctx *c)
{
	int64_t pid;
	json_t *in = json_object_get(c->body, "hook"), *errs, *h;

	if (!scope_of(c, &pid))
		return;
	in = pc_wrapper(c, "hook");
	if (!in)
		return;
	errs = json_object();
	h = json_pack(
	    "{s:I,s:s,s:{},s:n,s:I,s:o,s:I,s:s}", "id", (json_int_t)pc_next_id(c->pc, PC_HOOK),
	    "api_version", "v2", "destination_headers", "destination_url", "owned_by_company_id",
	    (json_int_t)c->company_id, "owned_by_project_id", pid ? json_integer(pid) : json_null(),
	    "owned_by_user_id", (json_int_t)c->pc->service_user_id, "namespace", "");
	if (!hook_apply(h, in, errs, true)) {
		json_decref(h);
		pc_reply_422(c, errs);
		return;
	}
	json_decref(errs);
	pc_insert(c->pc, PC_HOOK, h);
	pc_reply(c, 201, pc_public(h));
}

static void hook_patch(struct pc_ctx *c)
{
	json_t *h = hook_of(c, "id"), *in = json_object_get(c->body, "hook"), *errs;
	if (!h)
		return;
	in = pc_wrapper(c, "hook");
	if (!in)
		return;
	errs = json_object();
	if (!hook_apply(h, in, errs, false)) {
		pc_reply_422(c, errs);
		return;
	}
	json_decref(errs);
	pc_reply(c, 200, pc_public(h));
}

static void hook_delete(struct pc_ctx *c)
{
	json_t *h = hook_of(c, "id"), *t;
	int64_t id;
	size_t i;
	if (!h)
		return;
	id = pc_int(h, "id");
	for (i = json_array_size(c->pc->t[PC_TRIGGER].rows); i-- > 0;) {
		t = json_array_get(c->pc->t[PC_TRIGGER].rows, i);
		if (pc_int(t, "webhook_hook_id") == id)
			pc_delete(c->pc, PC_TRIGGER, pc_int(t, "id"));
	}
	pc_delete(c->pc, PC_HOOK, id);
	http_response_text(c->resp, 204, "application/json", "");
}

static json_t *trigger_make(struct pc_ctx *c, const json_t *h, const json_t *in, json_t *errs)
{
	const char *rn = json_string_value(json_object_get(in, "resource_name"));
	const char *et = json_string_value(json_object_get(in, "event_type"));
	bool known = false;

	for (size_t i = 0; rn && i < MLC_ARRAY_LEN(resources); i++)
		known = known || strcmp(rn, resources[i][0]) == 0;
	if (!known)
		pc_add_error(errs, "resource_name", "is not included in the list");
	if (!et ||
	    (strcasecmp(et, "create") && strcasecmp(et, "update") && strcasecmp(et, "delete")))
		pc_add_error(errs, "event_type", "is not included in the list");
	if (json_object_size(errs))
		return NULL;
	/* Stored in the schema's enum spelling (CREATE|UPDATE|DELETE); the
	 * events themselves say "create" (docs/reference/procore.md:85). */
	et = strcasecmp(et, "create") == 0   ? "CREATE"
	     : strcasecmp(et, "update") == 0 ? "UPDATE"
					     : "DELETE";
	return json_pack(
	    "{s:I,s:I,s:s,s:n,s:s,s:I,s:o,s:I}", "id", (json_int_t)pc_next_id(c->pc, PC_TRIGGER),
	    "webhook_hook_id", (json_int_t)pc_int(h, "id"), "resource_name", rn, "resource_id",
	    "event_type", et, "company_id", (json_int_t)c->company_id, "project_id",
	    pc_int(h, "owned_by_project_id") ? json_integer(pc_int(h, "owned_by_project_id"))
					     : json_null(),
	    "user_id", (json_int_t)c->pc->service_user_id);
}

static void triggers_list(struct pc_ctx *c)
{
	json_t *h = hook_of(c, "hook_id"), *items, *t;
	size_t i;
	if (!h)
		return;
	items = json_array();
	json_array_foreach (c->pc->t[PC_TRIGGER].rows, i, t) {
		if (pc_int(t, "webhook_hook_id") == pc_int(h, "id"))
			json_array_append_new(items, pc_public(t));
	}
	pc_reply(c, 200, items);
}

static void trigger_post(struct pc_ctx *c)
{
	json_t *h = hook_of(c, "hook_id"), *in, *errs, *t;
	if (!h)
		return;
	in = json_object_get(c->body, "api_trigger");
	if (!in)
		in = json_object_get(c->body, "trigger");
	if (!json_is_object(in)) {
		pc_reply_errors(c, 400, "param is missing or the value is empty: api_trigger");
		return;
	}
	errs = json_object();
	t = trigger_make(c, h, in, errs);
	if (!t) {
		pc_reply_422(c, errs);
		return;
	}
	json_decref(errs);
	pc_insert(c->pc, PC_TRIGGER, t);
	pc_reply(c, 201, pc_public(t));
}

static void triggers_bulk_post(struct pc_ctx *c)
{
	json_t *h = hook_of(c, "hook_id"), *list, *ok, *failed, *in;
	size_t i;
	if (!h)
		return;
	list = json_object_get(c->body, "api_triggers");
	if (!list)
		list = json_object_get(c->body, "triggers");
	if (!json_is_array(list)) {
		pc_reply_errors(c, 400, "param is missing or the value is empty: api_triggers");
		return;
	}
	ok = json_array();
	failed = json_array();
	json_array_foreach (list, i, in) {
		json_t *errs = json_object(), *t = trigger_make(c, h, in, errs);
		if (t) {
			pc_insert(c->pc, PC_TRIGGER, t);
			json_array_append_new(ok, pc_public(t));
			json_decref(errs);
		} else {
			json_t *echo = json_is_object(in) ? json_deep_copy(in) : json_object();
			json_object_set_new(echo, "errors", errs);
			json_array_append_new(failed, echo);
		}
	}
	pc_reply(c, 200, json_pack("{s:o,s:o}", "success", ok, "failures", failed));
}

static void trigger_delete(struct pc_ctx *c)
{
	json_t *h = hook_of(c, "hook_id"), *t;
	int64_t id;
	if (!h)
		return;
	t = pc_param_id(c, "id", &id) ? pc_get(c->pc, PC_TRIGGER, id) : NULL;
	if (!t || pc_int(t, "webhook_hook_id") != pc_int(h, "id")) {
		pc_reply_errors(c, 404, "Trigger not found");
		return;
	}
	pc_delete(c->pc, PC_TRIGGER, id);
	http_response_text(c->resp, 204, "application/json", "");
}

static void triggers_bulk_delete(struct pc_ctx *c)
{
	json_t *h = hook_of(c, "hook_id"), *ids, *v;
	size_t i;
	if (!h)
		return;
	ids = json_object_get(c->body, "api_trigger_ids");
	json_array_foreach (ids, i, v) {
		json_t *t =
		    json_is_integer(v) ? pc_get(c->pc, PC_TRIGGER, json_integer_value(v)) : NULL;
		if (t && pc_int(t, "webhook_hook_id") == pc_int(h, "id"))
			pc_delete(c->pc, PC_TRIGGER, json_integer_value(v));
	}
	http_response_text(c->resp, 204, "application/json", "");
}

static void deliveries_list(struct pc_ctx *c)
{
	json_t *h = hook_of(c, "hook_id"), *items, *d;
	const char *status = http_request_query(c->req, "filters[status]");
	size_t i;
	if (!h)
		return;
	items = json_array();
	/* Most recent first. */
	for (i = json_array_size(c->pc->t[PC_DELIVERY].rows); i-- > 0;) {
		d = json_array_get(c->pc->t[PC_DELIVERY].rows, i);
		if (pc_int(d, "_hook_id") != pc_int(h, "id"))
			continue;
		if (status && strcmp(status, pc_str(d, "outcome")) != 0)
			continue;
		json_array_append_new(items, pc_public(d));
	}
	pc_reply_page(c, items);
}

static void resources_list(struct pc_ctx *c)
{
	json_t *items = json_array();
	for (size_t i = 0; i < MLC_ARRAY_LEN(resources); i++)
		json_array_append_new(
		    items, json_pack("{s:s,s:s,s:s,s:[],s:s,s:s,s:s}", "api_version", "v2",
				     "product_category", resources[i][1], "tools", resources[i][0],
				     "except", "create", resources[i][0], "update", resources[i][0],
				     "delete", resources[i][0]));
	pc_reply(c, 200, items);
}

static void api_versions(struct pc_ctx *c)
{
	pc_reply(c, 200, json_pack("[s,s,s]", "v2.0", "v3.0", "v4.0"));
}

int pc_routes_webhooks(struct pcsim *pc, struct mlc_http_server *http, struct mlc_error *err)
{
	static const struct pc_route_def r[] = {
	    {"GET", "/rest/v1.0/webhooks/hooks", hooks_list},
	    {"POST", "/rest/v1.0/webhooks/hooks", hook_post},
	    {"PATCH", "/rest/v1.0/webhooks/hooks/{id}", hook_patch},
	    {"DELETE", "/rest/v1.0/webhooks/hooks/{id}", hook_delete},
	    {"POST", "/rest/v1.0/webhooks/hooks/{hook_id}/triggers/bulk", triggers_bulk_post},
	    {"DELETE", "/rest/v1.0/webhooks/hooks/{hook_id}/triggers/bulk", triggers_bulk_delete},
	    {"GET", "/rest/v1.0/webhooks/hooks/{hook_id}/triggers", triggers_list},
	    {"POST", "/rest/v1.0/webhooks/hooks/{hook_id}/triggers", trigger_post},
	    {"DELETE", "/rest/v1.0/webhooks/hooks/{hook_id}/triggers/{id}", trigger_delete},
	    {"GET", "/rest/v1.0/webhooks/hooks/{hook_id}/deliveries", deliveries_list},
	    {"GET", "/rest/v1.0/webhooks/resources/api_versions", api_versions},
	    {"GET", "/rest/v1.0/webhooks/resources", resources_list},
	};
	return pc_routes_add(pc, http, r, MLC_ARRAY_LEN(r), false, err);
}
