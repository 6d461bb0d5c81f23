/*
 * /api/v1 mappings (issue 23): cost code -> GL account with the account's
 * number, name, type and status from the tenant's catalog, each row
 * checked as `mapping check` checks accounts (flows/accounts.h); a live
 * `mapping check` against both systems; CSV export (viewer) and import,
 * and one row set from the page (admin).  Writes go through
 * mapping_import, so a row from the page is validated as a CSV row is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/console_queries.h"
#include "core/mapping.h"
#include "flows/accounts.h"
#include "flows/mapping_check.h"
#include "flows/session.h"
#include "server/console.h"
#include "util/csv.h"
#include "util/jsonx.h"
#include "util/banned.h"

#define CCA "cost-code-account"

/* The problem accounts_check found for one mapping key, or NULL. */
static const char *problem_of(const json_t *problems, const char *key)
{
	json_t *p;
	size_t i;

	json_array_foreach (problems, i, p)
		if (jsonx_str(p, "mapping") && !strcmp(jsonx_str(p, "mapping"), key) &&
		    jsonx_str(p, "kind") && !strcmp(jsonx_str(p, "kind"), CCA))
			return jsonx_str(p, "problem");
	return NULL;
}

static void mappings_list(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct console_identity id;
	struct mlc_store *st;
	int64_t tid;
	struct mlc_error err = {0};
	json_t *all = NULL, *catalog = NULL, *kinds = NULL, *problems = NULL, *rows, *target;
	const char *key;

	if (!console_authorize(arg, req, resp, CONSOLE_VIEWER, &id, &st) ||
	    !console_tenant(st, req, resp, &tid, NULL))
		return;
	if (mapping_all(st, tid, CCA, &all, &err) < 0 ||
	    console_catalog(st, tid, &catalog, &err) < 0) {
		http_response_error(resp, 503, "unavailable", "%s", err.msg);
		goto out;
	}
	/* the catalog's verdict on each account (subsidiaries need the
	 * links: the live check below covers them) */
	kinds = json_pack("{s:O}", CCA, all);
	problems = accounts_check(catalog, kinds, NULL, 0);
	rows = json_array();
	json_object_foreach (all, key, target) {
		char acct[32];
		const char *bar = strchr(key, '|');
		json_t *a, *row;
		const char *problem = problem_of(problems, key);
		snprintf(acct, sizeof(acct), "%lld",
			 (long long)json_integer_value(json_object_get(target, "account")));
		a = json_object_get(catalog, acct);
		row = json_pack("{s:s, s:s#, s:s, s:O?, s:O?, s:s?, s:s?, s:s?, s:s?}", "key", key,
				"cost_code", key, bar ? (int)(bar - key) : (int)strlen(key),
				"cost_type", bar ? bar + 1 : "", "account",
				json_object_get(target, "account"), "department",
				json_object_get(target, "department"), "account_number",
				jsonx_str(a, "number"), "account_name", jsonx_str(a, "name"),
				"account_type", jsonx_str(a, "type"), "problem", problem);
		json_object_set_new(row, "account_status",
				    json_string(!a ? "missing"
						: json_is_true(json_object_get(a, "inactive"))
						    ? "inactive"
						    : "active"));
		json_array_append_new(rows, row);
	}
	http_response_json(resp, 200,
			   json_pack("{s:s, s:o, s:I}", "kind", CCA, "rows", rows,
				     "catalog_accounts", (json_int_t)json_object_size(catalog)));
out:
	json_decref(all);
	json_decref(catalog);
	json_decref(kinds);
	json_decref(problems);
}

/* The live check against both systems (`mapping check`). */
static void mappings_check(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct console_identity id;
	struct mlc_store *st;
	int64_t tid;
	struct mlc_error err = {0};
	struct mlc_session *s = NULL;
	json_t *report = NULL;

	if (!console_authorize(arg, req, resp, CONSOLE_VIEWER, &id, &st) ||
	    !console_tenant(st, req, resp, &tid, NULL))
		return;
	if (console_flow_session(arg, st, http_request_param(req, "tenant"), true, true, &s, &err) <
		0 ||
	    mapping_check_run(s, &report, &err) < 0) {
		http_response_error(resp, 502, "check_failed", "%s", err.msg);
		goto out;
	}
	json_object_set_new(report, "ok", json_boolean(!mapping_check_failed(report)));
	http_response_json(resp, 200, report);
	report = NULL;
out:
	json_decref(report);
	session_free(s);
}

static const struct mapping_kind *kind_arg(struct mlc_http_request *req,
					   struct mlc_http_response *resp)
{
	const char *name = http_request_query(req, "kind");
	const struct mapping_kind *k = mapping_kind_find(name && *name ? name : CCA);

	if (!k)
		http_response_error(resp, 400, "bad_request", "no mapping kind '%s'", name);
	return k;
}

static void mappings_export(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct console_identity id;
	struct mlc_store *st;
	int64_t tid;
	struct mlc_error err = {0};
	const struct mapping_kind *k;

	if (!console_authorize(arg, req, resp, CONSOLE_VIEWER, &id, &st) ||
	    !console_tenant(st, req, resp, &tid, NULL))
		return;
	k = kind_arg(req, resp);
	if (!k)
		return;
	if (mapping_export(st, tid, k, &resp->body, &err) < 0) {
		http_response_error(resp, 503, "unavailable", "%s", err.msg);
		return;
	}
	resp->status = 200;
	free(resp->content_type);
	resp->content_type = xstrdup("text/csv; charset=utf-8");
	http_response_header(resp, "Content-Disposition", "attachment; filename=\"mappings.csv\"");
}

/* Imports CSV (the body, or one row built from a JSON body) and records
 * it in the audit with the user. */
static void import_csv(struct mlc_http_request *req, struct mlc_http_response *resp,
		       struct mlc_store *st, int64_t tid, const struct console_identity *id,
		       const struct mapping_kind *k, const char *csv, size_t len, bool replace,
		       const char *target)
{
	struct mlc_error err = {0};
	size_t n = 0;

	if (mapping_import(st, tid, k, csv, len, "console", replace, false, &n, &err) < 0) {
		console_audit(st, tid, id, req, "mapping", target, "error", err.msg);
		http_response_error(resp, 422, "invalid_mapping", "%s", err.msg);
		return;
	}
	console_audit(st, tid, id, req, "mapping", target, "ok", NULL);
	http_response_json(resp, 200,
			   json_pack("{s:s, s:I, s:b}", "kind", k->name, "imported", (json_int_t)n,
				     "replaced", replace));
}

static void mappings_import(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct console_identity id;
	struct mlc_store *st;
	int64_t tid;
	const struct mapping_kind *k;
	const char *replace = http_request_query(req, "replace");

	if (!console_authorize(arg, req, resp, CONSOLE_ADMIN, &id, &st) ||
	    !console_tenant(st, req, resp, &tid, NULL))
		return;
	k = kind_arg(req, resp);
	if (k)
		import_csv(req, resp, st, tid, &id, k, req->body, req->body_len,
			   replace && !strcmp(replace, "true"), k->name);
}

/*
 * One cost-code-account row from the page: {cost_code, cost_type?,
 * account, department?}.  The account must be in the catalog, active and
 * postable (what `mapping check` would refuse is refused here).
 */
static void mapping_put_one(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct console_identity id;
	struct mlc_store *st;
	int64_t tid, account = 0;
	struct mlc_error err = {0};
	json_t *body = NULL, *catalog = NULL, *a;
	struct mlc_buf csv = MLC_BUF_INIT;
	char acct[32], dept[32] = "";
	const char *code;

	if (!console_authorize(arg, req, resp, CONSOLE_ADMIN, &id, &st) ||
	    !console_tenant(st, req, resp, &tid, NULL))
		return;
	body = http_request_json(req, &err);
	code = jsonx_str(body, "cost_code");
	if (!code || !*code || jsonx_id(body, "account", &account) < 0 || account <= 0) {
		http_response_error(resp, 400, "bad_request",
				    "give {\"cost_code\", \"account\": id, \"cost_type\"?, "
				    "\"department\"?}");
		goto out;
	}
	snprintf(acct, sizeof(acct), "%lld", (long long)account);
	if (console_catalog(st, tid, &catalog, &err) < 0) {
		http_response_error(resp, 503, "unavailable", "%s", err.msg);
		goto out;
	}
	a = json_object_get(catalog, acct);
	if (!a || json_is_true(json_object_get(a, "inactive")) ||
	    json_is_true(json_object_get(a, "summary"))) {
		const char *why = !a ? "is not in the chart of accounts (run the accounts flow)"
				  : json_is_true(json_object_get(a, "inactive"))
				      ? "is inactive"
				      : "is a summary account (not postable)";
		console_audit(st, tid, &id, req, "mapping", code, "error", why);
		http_response_error(resp, 422, "invalid_mapping", "account %s %s", acct, why);
		goto out;
	}
	if (json_object_get(body, "department")) {
		int64_t d = 0;
		if (jsonx_id(body, "department", &d) == MLC_OK)
			snprintf(dept, sizeof(dept), "%lld", (long long)d);
	}
	buf_addstr(&csv, "cost_code,cost_type,account,department\n");
	csv_add_field(&csv, code, 1);
	csv_add_field(&csv, jsonx_str(body, "cost_type") ? jsonx_str(body, "cost_type") : "", 0);
	csv_add_field(&csv, acct, 0);
	csv_add_field(&csv, dept, 0);
	buf_addch(&csv, '\n');
	import_csv(req, resp, st, tid, &id, mapping_kind_find(CCA), csv.data, csv.len, false, code);
out:
	buf_release(&csv);
	json_decref(body);
	json_decref(catalog);
}

int api_mappings_register(struct mlc_console *c, struct mlc_http_server *http,
			  struct mlc_error *err)
{
	static const struct {
		const char *method, *pattern;
		mlc_http_handler fn;
	} routes[] = {
	    {"GET", "/api/v1/tenants/{tenant}/mappings", mappings_list},
	    {"GET", "/api/v1/tenants/{tenant}/mappings/check", mappings_check},
	    {"GET", "/api/v1/tenants/{tenant}/mappings/export", mappings_export},
	    {"POST", "/api/v1/tenants/{tenant}/mappings/import", mappings_import},
	    {"POST", "/api/v1/tenants/{tenant}/mappings", mapping_put_one},
	};
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		int rc =
		    http_server_route(http, routes[i].method, routes[i].pattern, routes[i].fn, c);
		if (rc < 0)
			return error_set(err, rc, "cannot register %s", routes[i].pattern);
	}
	return MLC_OK;
}
