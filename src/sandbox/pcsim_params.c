/*
 * Procore simulator: the parameters each simulated API route requires, and
 * the request log.
 *
 * The rules are hand-written from Procore's endpoint files
 * (docs/reference/procore/endpoints/, one JSON file per endpoint: parameters with "in": "query"
 * and "required": true, and the requestBody schema's top-level "required"
 * list); tests/unit/test_procore_requests.c checks that this table agrees
 * with those files, so a route cannot drift from them silently.  Nothing
 * here reads docs/ at run time.
 *
 * The gate (pcsim.c) checks a route's rule before its handler runs: a path
 * {id} that is not an id is a 404 (no record has it); a
 * missing or empty parameter is answered 400
 * {"errors": "param is missing or the value is empty: NAME"}, the
 * {"errors": "..."} body of docs/reference/procore.md ("Pagination, rate
 * limits, errors") with the wording of the Rails parameter check Procore's
 * API answers with.  The simulator reads a parameter where the endpoint
 * file documents it (query or body), so a request that puts it elsewhere
 * is refused here as the documentation implies.
 *
 * The request log keeps every API request (method, path, query pairs,
 * parsed body, status) so tests can check what a client sent; it is
 * served at GET /_sandbox/requests and bounded by PC_REQLOG_MAX_BYTES
 * (the oldest entries go first and are counted in "dropped").
 */
#include <stdio.h>
#include <string.h>

#include "sandbox/pcsim.h"
#include "util/buf.h"
#include "util/num.h"
#include "util/banned.h"

#define PC_REQLOG_MAX_BYTES (32u * 1024u * 1024u)

/*
 * One line per simulated API route, in the order of the pcsim_*.c route
 * tables.  query: required query parameters, space separated; "a|b" means
 * either one (the endpoint file marks both required, its text says
 * either).  body: required top-level members of the JSON body.
 * Routes the reference does not have carry their source beside them.
 */
#define CCO_LINES                                                                                  \
	"/rest/v2.0/companies/{company_id}/projects/{project_id}/commitment_change_orders/"        \
	"{commitment_change_order_id}/line_items"

static const struct pc_param_rule rules[] = {
    {"GET", "/rest/v1.0/companies", "", ""},
    /* pcsim_directory.c */
    {"PATCH", "/rest/v1.0/projects/sync", "", "company_id updates"},
    {"GET", "/rest/v1.0/projects", "company_id", ""},
    {"GET", "/rest/v1.1/projects", "company_id", ""},
    {"GET", "/rest/v1.0/projects/{project_id}", "company_id", ""},
    {"PATCH", "/rest/v1.0/vendors/sync", "", "company_id updates"},
    {"GET", "/rest/v1.0/vendors", "company_id", ""},
    {"POST", "/rest/v1.0/vendors", "", "company_id vendor"},
    {"GET", "/rest/v1.0/vendors/{id}", "company_id", ""},
    {"PATCH", "/rest/v1.0/vendors/{id}", "", "company_id vendor"},
    {"PATCH", "/rest/v1.0/cost_codes/sync", "project_id", "updates"},
    {"GET", "/rest/v1.0/cost_codes", "project_id", ""},
    {"POST", "/rest/v1.0/cost_codes", "", "project_id cost_code"},
    {"GET", "/rest/v1.0/cost_codes/{id}", "project_id", ""},
    {"PATCH", "/rest/v1.0/cost_codes/{id}", "", "project_id cost_code"},
    /* Not in the reference (no endpoint file); the project is named in
     * the query like the show route's. */
    {"DELETE", "/rest/v1.0/cost_codes/{id}", "project_id", ""},
    {"PATCH", "/rest/v1.0/line_item_types/sync", "", "company_id updates"},
    /* RestV10LineItemTypesGet.json marks both required; its text and
     * docs/reference/procore.md say either. */
    {"GET", "/rest/v1.0/line_item_types", "company_id|project_id", ""},
    /* pcsim_standard.c: not in the reference.  Procore's OpenAPI
     * (Core > Cost Codes, "List Standard Cost Code Lists", "List/Delete
     * Standard Cost Codes", "Sync Standard Cost Codes"): company_id in the
     * query of the reads and the delete; company_id,
     * standard_cost_code_list_id and updates in the sync body. */
    {"GET", "/rest/v1.0/standard_cost_code_lists", "company_id", ""},
    {"PATCH", "/rest/v1.0/standard_cost_codes/sync", "",
     "company_id standard_cost_code_list_id updates"},
    {"GET", "/rest/v1.0/standard_cost_codes", "company_id standard_cost_code_list_id", ""},
    {"DELETE", "/rest/v1.0/standard_cost_codes/{id}", "company_id", ""},
    /* pcsim_change_orders.c */
    {"GET", "/rest/v1.0/projects/{project_id}/commitment_change_orders", "", ""},
    {"POST", "/rest/v1.0/projects/{project_id}/commitment_change_orders", "", "change_order"},
    {"GET", "/rest/v1.0/projects/{project_id}/commitment_change_orders/{id}", "", ""},
    {"PATCH", "/rest/v1.0/projects/{project_id}/commitment_change_orders/{id}", "", "change_order"},
    {"GET", CCO_LINES, "", ""},
    {"POST", CCO_LINES, "", "wbs_code_id"},
    {"GET", CCO_LINES "/{id}", "", ""},
    {"PATCH", CCO_LINES "/{id}", "", ""},
    {"GET", "/rest/v1.0/commitments/{id}", "project_id", ""},
    /* pcsim_contracts.c */
    {"PATCH", "/rest/v1.0/purchase_order_contracts/sync", "", "project_id updates"},
    {"GET", "/rest/v1.0/purchase_order_contracts", "project_id", ""},
    {"POST", "/rest/v1.0/purchase_order_contracts", "", "project_id purchase_order_contract"},
    {"GET", "/rest/v1.0/purchase_order_contracts/{id}", "project_id", ""},
    {"PATCH", "/rest/v1.0/purchase_order_contracts/{id}", "", "project_id purchase_order_contract"},
    {"PATCH", "/rest/v1.0/purchase_order_contracts/{purchase_order_contract_id}/line_items/sync",
     "project_id", "updates"},
    {"GET", "/rest/v1.0/purchase_order_contracts/{purchase_order_contract_id}/line_items",
     "project_id", ""},
    {"POST", "/rest/v1.0/purchase_order_contracts/{purchase_order_contract_id}/line_items", "",
     "project_id line_item"},
    {"PATCH", "/rest/v1.0/work_order_contracts/sync", "", "project_id updates"},
    {"GET", "/rest/v1.0/work_order_contracts", "project_id", ""},
    {"POST", "/rest/v1.0/work_order_contracts", "", "project_id work_order_contract"},
    {"GET", "/rest/v1.0/work_order_contracts/{id}", "project_id", ""},
    {"PATCH", "/rest/v1.0/work_order_contracts/{id}", "", "project_id work_order_contract"},
    /* Work order line items have no endpoint file: as the purchase order
     * ones (the two contract kinds share one shape, procore.md). */
    {"PATCH", "/rest/v1.0/work_order_contracts/{work_order_contract_id}/line_items/sync",
     "project_id", "updates"},
    {"GET", "/rest/v1.0/work_order_contracts/{work_order_contract_id}/line_items", "project_id",
     ""},
    {"POST", "/rest/v1.0/work_order_contracts/{work_order_contract_id}/line_items", "",
     "project_id line_item"},
    {"GET", "/rest/v1.0/commitments", "project_id", ""},
    {"GET", "/rest/v1.0/requisitions", "project_id", ""},
    {"GET", "/rest/v1.1/requisitions", "project_id", ""},
    {"POST", "/rest/v1.0/requisitions", "", "project_id commitment_id"},
    {"GET", "/rest/v1.0/requisitions/{id}", "project_id", ""},
    {"GET", "/rest/v1.1/requisitions/{id}", "project_id", ""},
    {"PATCH", "/rest/v1.0/requisitions/{id}", "", "project_id commitment_id"},
    /* pcsim_requisitions.c: RestV10RequisitionsRequisitionId*.json,
       RestV10ProjectsProjectIdBillingPeriods*.json */
    {"GET", "/rest/v1.0/requisitions/{requisition_id}/contract_items", "project_id", ""},
    {"GET", "/rest/v1.0/requisitions/{requisition_id}/contract_items/{id}", "project_id", ""},
    {"PATCH", "/rest/v1.0/requisitions/{requisition_id}/contract_items/{id}", "project_id",
     "requisition_contract_item"},
    {"GET", "/rest/v1.0/requisitions/{requisition_id}/contract_detail_items", "project_id", ""},
    {"GET", "/rest/v1.0/requisitions/{requisition_id}/change_order_items", "project_id", ""},
    {"PATCH", "/rest/v1.0/requisitions/{requisition_id}/bulk_item_update", "project_id",
     "requisition_items"},
    {"GET", "/rest/v1.0/projects/{project_id}/billing_periods", "", ""},
    {"POST", "/rest/v1.0/projects/{project_id}/billing_periods", "", "billing_period"},
    {"GET", "/rest/v1.0/projects/{project_id}/billing_periods/{id}", "", ""},
    {"PATCH", "/rest/v1.0/projects/{project_id}/billing_periods/{id}", "", "billing_period"},
    /* pcsim_costs.c */
    {"PATCH", "/rest/v1.0/projects/{project_id}/direct_costs/sync", "", "updates"},
    {"PATCH", "/rest/v1.0/projects/{project_id}/direct_costs/line_items/sync", "", "updates"},
    {"GET", "/rest/v1.0/projects/{project_id}/direct_costs/line_items", "", ""},
    {"GET", "/rest/v1.0/projects/{project_id}/direct_costs", "", ""},
    {"POST", "/rest/v1.0/projects/{project_id}/direct_costs", "", "item"},
    {"GET", "/rest/v1.0/projects/{project_id}/direct_costs/{id}", "", ""},
    {"PATCH", "/rest/v1.0/projects/{project_id}/direct_costs/{id}", "", ""},
    {"GET", "/rest/v1.0/projects/{project_id}/direct_costs/{direct_cost_id}/line_items", "", ""},
    {"POST", "/rest/v1.0/projects/{project_id}/direct_costs/{direct_cost_id}/line_items", "",
     "line_item"},
    {"GET", "/rest/v1.1/projects/{project_id}/direct_costs", "", ""},
    {"POST", "/rest/v1.1/projects/{project_id}/direct_costs", "", "direct_cost"},
    {"GET", "/rest/v1.1/projects/{project_id}/direct_costs/{id}", "", ""},
    {"PATCH", "/rest/v1.1/projects/{project_id}/direct_costs/{id}", "", ""},
    {"GET", "/rest/v1.0/payment_applications", "project_id", ""},
    {"GET", "/rest/v1.0/payment_applications/{id}", "project_id", ""},
    {"GET", "/rest/v1.0/prime_contracts/{prime_contract_id}/payment_applications", "project_id",
     ""},
    /* pcsim_prime.c */
    {"GET", "/rest/v1.0/prime_contract", "project_id", ""},
    {"GET", "/rest/v1.0/prime_contract/{id}", "project_id", ""},
    {"GET", "/rest/v1.0/prime_contracts", "project_id", ""},
    {"GET", "/rest/v1.0/prime_contracts/{prime_contract_id}/line_items", "project_id", ""},
    {"GET", "/rest/v1.0/prime_contracts/{prime_contract_id}/line_items/{id}", "project_id", ""},
    {"GET", "/rest/v2.0/companies/{company_id}/projects/{project_id}/prime_contracts", "", ""},
    {"GET",
     "/rest/v2.0/companies/{company_id}/projects/{project_id}/prime_contracts/{prime_contract_id}",
     "", ""},
    {"GET",
     "/rest/v2.0/companies/{company_id}/projects/{project_id}/prime_contracts/{prime_contract_id}/"
     "line_items",
     "", ""},
    {"PATCH", "/rest/v1.0/prime_contracts/{prime_contract_id}/payment_applications/{id}", "",
     "project_id"},
    {"PATCH", "/rest/v1.0/prime_contracts/{prime_contract_id}/payment_application_line_items/{id}",
     "", "project_id payment_application_line_item"},
    {"GET", "/rest/v1.0/contract_payments", "project_id contract_id", ""},
    {"POST", "/rest/v1.0/contract_payments", "", "project_id contract_id"},
    {"GET", "/rest/v1.0/contract_payments/{id}", "project_id contract_id", ""},
    {"PATCH", "/rest/v1.0/contract_payments/{id}", "", "project_id contract_id"},
    /* pcsim_budget.c */
    {"GET", "/rest/v1.0/budget_views", "", ""},
    {"GET", "/rest/v1.0/budget_views/{budget_view_id}/detail_rows", "project_id", ""},
    {"POST", "/rest/v1.0/budget_line_items/sync", "", "project_id budget_line_items"},
    {"POST", "/rest/v1.0/budget_line_items", "", "project_id budget_line_item"},
    {"GET", "/rest/v1.0/budget_line_items/{id}", "project_id", ""},
    {"PATCH", "/rest/v1.0/budget_line_items/{id}", "", "project_id budget_line_item"},
    {"POST", "/rest/v1.1/budget_line_items", "", "project_id budget_line_item"},
    {"GET", "/rest/v1.1/budget_line_items/{id}", "project_id", ""},
    {"PATCH", "/rest/v1.1/budget_line_items/{id}", "", "project_id budget_line_item"},
    /* pcsim_budget_changes.c */
    {"GET", "/rest/v1.0/projects/{project_id}/budget_changes", "", ""},
    {"POST", "/rest/v1.0/projects/{project_id}/budget_changes", "", "status"},
    {"GET", "/rest/v1.0/projects/{project_id}/budget_changes/{id}", "", ""},
    {"PATCH", "/rest/v1.0/projects/{project_id}/budget_changes/{id}", "", ""},
    {"GET",
     "/rest/v2.0/companies/{company_id}/projects/{project_id}/budget_changes/adjustment_line_items",
     "", ""},
    {"GET", "/rest/v2.0/companies/{company_id}/projects/{project_id}/budget_change_history", "",
     ""},
    {"GET", "/rest/v1.0/projects/{project_id}/budget_modifications", "", ""},
    {"POST", "/rest/v1.0/projects/{project_id}/budget_modifications", "", "budget_modification"},
    {"GET", "/rest/v1.0/projects/{project_id}/budget_modifications/{id}", "", ""},
    {"PATCH", "/rest/v1.0/projects/{project_id}/budget_modifications/{id}", "",
     "budget_modification"},
};

const struct pc_param_rule *pc_param_rules(size_t *n)
{
	*n = MLC_ARRAY_LEN(rules);
	return rules;
}

const struct pc_param_rule *pc_param_rule_find(const char *method, const char *pattern)
{
	for (size_t i = 0; i < MLC_ARRAY_LEN(rules); i++) {
		if (strcmp(rules[i].method, method) == 0 && strcmp(rules[i].pattern, pattern) == 0)
			return &rules[i];
	}
	return NULL;
}

static bool query_has(struct pc_ctx *c, const char *name)
{
	const char *v = http_request_query(c->req, name);
	return v && *v;
}

static bool body_has(struct pc_ctx *c, const char *name)
{
	const json_t *v = json_object_get(c->body, name);
	return v && !json_is_null(v) && !(json_is_string(v) && !*json_string_value(v));
}

/*
 * Walks a space-separated list; a word "a|b" is satisfied by either name.
 * Returns false with the first missing word (its first name) in miss.
 */
static bool all_present(struct pc_ctx *c, const char *list,
			bool (*has)(struct pc_ctx *, const char *), char *miss, size_t n)
{
	const char *p = list;
	while (*p) {
		char word[128];
		size_t len = strcspn(p, " ");
		bool found = false;
		const char *q = word;

		snprintf(word, sizeof(word), "%.*s", (int)len, p);
		while (*q && !found) {
			char name[128];
			size_t nl = strcspn(q, "|");
			snprintf(name, sizeof(name), "%.*s", (int)nl, q);
			found = has(c, name);
			q += nl;
			if (*q == '|')
				q++;
		}
		if (!found && len) {
			snprintf(miss, n, "%.*s", (int)strcspn(word, "|"), word);
			return false;
		}
		p += len;
		while (*p == ' ')
			p++;
	}
	return true;
}

/* True when every {id} / {..._id} segment of the route is an id: a path
 * such as /requisitions/sync on a route /requisitions/{id} names no
 * record, whatever its parameters. */
static bool path_ids_ok(struct pc_ctx *c, const char *pattern)
{
	const char *p = pattern;
	while ((p = strchr(p, '{')) != NULL) {
		char name[64];
		size_t len = strcspn(p + 1, "}");
		const char *v;
		int64_t id;
		struct mlc_error err;

		snprintf(name, sizeof(name), "%.*s", (int)len, p + 1);
		p += len + 1;
		if (len < 2 || strcmp(name + len - 2, "id") != 0)
			continue;
		v = http_request_param(c->req, name);
		if (!v || num_parse_id(v, &id, &err) != 0)
			return false;
	}
	return true;
}

bool pc_params_check(struct pc_ctx *c, const struct pc_param_rule *r)
{
	char miss[128], msg[192];

	if (!r)
		return true;
	if (!path_ids_ok(c, r->pattern)) {
		pc_reply_errors(c, 404, "Not Found");
		return false;
	}
	if (all_present(c, r->query, query_has, miss, sizeof(miss)) &&
	    all_present(c, r->body, body_has, miss, sizeof(miss)))
		return true;
	snprintf(msg, sizeof(msg), "param is missing or the value is empty: %s", miss);
	pc_reply_errors(c, 400, msg);
	return false;
}

static void add_pair(const char *key, const char *value, void *arg)
{
	json_array_append_new(arg, json_pack("[s,s]", key, value));
}

void pc_reqlog_add(struct pcsim *pc, const struct pc_ctx *c)
{
	json_t *query = json_array(), *e;
	size_t bytes = strlen(c->req->path) + c->req->body_len + 64;

	http_request_query_each(c->req, add_pair, query);
	e = json_pack("{s:s,s:s,s:s?,s:o,s:O?,s:i}", "method", c->req->method, "path", c->req->path,
		      "route", c->req->route, "query", query, "body", c->body, "status",
		      c->resp->status);
	if (!e)
		return;
	if (c->req->body_len && !c->body)
		json_object_set_new(e, "body_invalid", json_true());
	json_array_append_new(pc->reqlog, e);
	json_array_append_new(pc->reqlog_sizes, json_integer((json_int_t)bytes));
	pc->reqlog_bytes += bytes;
	while (pc->reqlog_bytes > PC_REQLOG_MAX_BYTES && json_array_size(pc->reqlog) > 1) {
		pc->reqlog_bytes -= (size_t)json_integer_value(json_array_get(pc->reqlog_sizes, 0));
		json_array_remove(pc->reqlog, 0);
		json_array_remove(pc->reqlog_sizes, 0);
		pc->reqlog_dropped++;
	}
}

/* GET /_sandbox/requests: {"requests": [...], "dropped": n}. */
static void reqlog_get(struct pc_ctx *c)
{
	json_t *reqs = c->pc->reqlog ? json_copy(c->pc->reqlog) : json_array();
	pc_reply(
	    c, 200,
	    json_pack("{s:o,s:I}", "requests", reqs, "dropped", (json_int_t)c->pc->reqlog_dropped));
}

/* DELETE /_sandbox/requests: empties the log. */
static void reqlog_clear(struct pc_ctx *c)
{
	json_array_clear(c->pc->reqlog);
	json_array_clear(c->pc->reqlog_sizes);
	c->pc->reqlog_bytes = 0;
	c->pc->reqlog_dropped = 0;
	pc_reply(c, 200, json_object());
}

int pc_routes_reqlog(struct pcsim *pc, struct mlc_http_server *http, struct mlc_error *err)
{
	static const struct pc_route_def r[] = {
	    {"GET", "/_sandbox/requests", reqlog_get},
	    {"DELETE", "/_sandbox/requests", reqlog_clear},
	};
	return pc_routes_add(pc, http, r, MLC_ARRAY_LEN(r), true, err);
}
