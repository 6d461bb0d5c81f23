/*
 * /api/v1 reads (issue 23), shaped like the CLI's --json output: the
 * tenants, the overview (`status --json` per tenant, plus webhooks per
 * source and outcome), runs with their record counts and records, the
 * audit trail searched and exported as CSV, failed records, the review
 * queue.  Every route needs a session (viewer and up).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/console_queries.h"
#include "core/review.h"
#include "core/tenant.h"
#include "server/console.h"
#include "util/csv.h"
#include "util/jsonx.h"
#include "util/num.h"
#include "util/time.h"
#include "util/banned.h"

/* The start of a read handler: the session, the store and the tenant. */
static bool begin(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg,
		  struct mlc_store **st, int64_t *tenant_id)
{
	struct console_identity id;

	return console_authorize(arg, req, resp, CONSOLE_VIEWER, &id, st) &&
	       console_tenant(*st, req, resp, tenant_id, NULL);
}

static void store_failed(struct mlc_http_response *resp, const struct mlc_error *err)
{
	http_response_error(resp, 503, "unavailable", "%s", err->msg);
}

static void tenants(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct console_identity id;
	struct mlc_store *st;
	struct mlc_tenant *list = NULL;
	size_t n = 0;
	struct mlc_error err = {0};
	json_t *out;

	if (!console_authorize(arg, req, resp, CONSOLE_VIEWER, &id, &st))
		return;
	if (tenant_list(st, &list, &n, &err) < 0) {
		store_failed(resp, &err);
		return;
	}
	out = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(out, json_string(list[i].name));
	tenant_list_free(list, n);
	http_response_json(resp, 200,
			   json_pack("{s:o, s:s, s:s}", "tenants", out, "user", id.name, "role",
				     console_role_name(id.role)));
}

/* Per flow: the last run, its age (the lag), its failed records; and the
 * open review items per flow. */
static json_t *flows_overview(struct mlc_store *st, const json_t *runs, const json_t *items)
{
	json_t *flows = json_object(), *r;
	size_t k;
	int64_t now = time_now_ms();

	json_array_foreach (runs, k, r) {
		const char *f = jsonx_str(r, "flow");
		json_t *counts = NULL;
		int64_t at = 0;
		struct mlc_error err = {0};
		if (!f || json_object_get(flows, f))
			continue;
		if (time_parse_rfc3339(jsonx_str(r, "finished_at") ? jsonx_str(r, "finished_at")
								   : jsonx_str(r, "started_at"),
				       &at, NULL) < 0)
			at = now;
		if (console_run_counts(st, json_integer_value(json_object_get(r, "id")), &counts,
				       &err) < 0)
			counts = json_object();
		json_object_set_new(flows, f,
				    json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:o}", "run_id",
					      json_integer_value(json_object_get(r, "id")),
					      "status", jsonx_str(r, "status"), "at",
					      jsonx_str(r, "started_at"), "lag_s",
					      (json_int_t)((now - at) / 1000), "failures",
					      json_integer_value(json_object_get(counts, "error")),
					      "parked", 0, "records", counts));
	}
	json_array_foreach (items, k, r) {
		const char *f = jsonx_str(r, "flow");
		json_t *fo = f ? json_object_get(flows, f) : NULL;
		if (!f)
			continue;
		if (!fo) {
			fo = json_pack("{s:n, s:n, s:n, s:n, s:I, s:I}", "run_id", "status", "at",
				       "lag_s", "failures", (json_int_t)0, "parked", (json_int_t)0);
			json_object_set_new(flows, f, fo);
		}
		json_object_set_new(
		    fo, "parked",
		    json_integer(json_integer_value(json_object_get(fo, "parked")) + 1));
	}
	return flows;
}

static void overview(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct mlc_store *st;
	int64_t tid;
	struct mlc_error err = {0};
	json_t *runs = NULL, *items = NULL, *hooks = NULL;

	if (!begin(req, resp, arg, &st, &tid))
		return;
	if (run_list(st, tid, 500, &runs, &err) < 0 ||
	    review_list(st, tid, "open", &items, &err) < 0 ||
	    console_inbox_counts(st, tid, &hooks, &err) < 0) {
		store_failed(resp, &err);
		goto out;
	}
	http_response_json(resp, 200,
			   json_pack("{s:s, s:o, s:I, s:o}", "tenant",
				     http_request_param(req, "tenant"), "flows",
				     flows_overview(st, runs, items), "parked",
				     (json_int_t)json_array_size(items), "webhooks", hooks));
	hooks = NULL;
out:
	json_decref(runs);
	json_decref(items);
	json_decref(hooks);
}

static void runs_list(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct mlc_store *st;
	int64_t tid;
	struct mlc_error err = {0};
	json_t *runs = NULL, *r;
	size_t i;

	if (!begin(req, resp, arg, &st, &tid))
		return;
	if (run_list(st, tid, 200, &runs, &err) < 0) {
		store_failed(resp, &err);
		return;
	}
	json_array_foreach (runs, i, r) {
		json_t *counts = NULL;
		if (console_run_counts(st, json_integer_value(json_object_get(r, "id")), &counts,
				       &err) == MLC_OK)
			json_object_set_new(r, "records", counts);
	}
	http_response_json(resp, 200, runs);
}

/* Query arguments of an audit search, checked (answers 400 itself). */
static bool audit_query_args(struct mlc_http_request *req, struct mlc_http_response *resp,
			     struct console_audit_query *q)
{
	struct mlc_error err = {0};
	const char *since = http_request_query(req, "since");
	const char *until = http_request_query(req, "until");
	const char *limit = http_request_query(req, "limit");
	const char *status = http_request_query(req, "status");

	memset(q, 0, sizeof(*q));
	q->doc = http_request_query(req, "doc");
	q->vendor = http_request_query(req, "vendor");
	q->project = http_request_query(req, "project");
	q->flow = http_request_query(req, "flow");
	/* "failed" reads better than the stored "error" (as in the CLI) */
	q->result = status && !strcmp(status, "failed") ? "error" : status;
	if ((since && *since && time_parse_rfc3339(since, &q->since_ms, &err) < 0) ||
	    (until && *until && time_parse_rfc3339(until, &q->until_ms, &err) < 0) ||
	    (limit && *limit && num_parse_int(limit, 1, 5000, &q->limit, &err) < 0)) {
		http_response_error(resp, 400, "bad_request", "%s", err.msg);
		return false;
	}
	return true;
}

/* A spreadsheet would run a field that starts like a formula: such a
 * field gets a leading quote (CSV injection). */
static void csv_safe_field(struct mlc_buf *out, const char *v, int first)
{
	struct mlc_buf tmp = MLC_BUF_INIT;

	if (v && strchr("=+-@\t\r", v[0]) && v[0]) {
		buf_addch(&tmp, '\'');
		buf_addstr(&tmp, v);
		csv_add_field(out, tmp.data, first);
	} else {
		csv_add_field(out, v ? v : "", first);
	}
	buf_release(&tmp);
}

static void audit_csv(struct mlc_http_response *resp, const json_t *rows)
{
	static const char *const cols[] = {"id",     "created_at",     "flow",       "entity",
					   "action", "result",         "source_ref", "target_ref",
					   "error",  "request_summary"};
	const size_t ncols = sizeof(cols) / sizeof(cols[0]);
	json_t *r;
	size_t i;

	for (size_t c = 0; c < ncols; c++)
		csv_add_field(&resp->body, cols[c], c == 0);
	buf_addch(&resp->body, '\n');
	json_array_foreach (rows, i, r) {
		char id[32];
		snprintf(id, sizeof(id), "%lld",
			 (long long)json_integer_value(json_object_get(r, "id")));
		csv_add_field(&resp->body, id, 1);
		for (size_t c = 1; c < ncols; c++)
			csv_safe_field(&resp->body, jsonx_str(r, cols[c]), 0);
		buf_addch(&resp->body, '\n');
	}
	resp->status = 200;
	free(resp->content_type);
	resp->content_type = xstrdup("text/csv; charset=utf-8");
	http_response_header(resp, "Content-Disposition", "attachment; filename=\"audit.csv\"");
}

static void audit_search(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct mlc_store *st;
	int64_t tid;
	struct mlc_error err = {0};
	struct console_audit_query q;
	json_t *rows = NULL;
	const char *format = http_request_query(req, "format");
	const char *run = http_request_param(req, "run");

	if (!begin(req, resp, arg, &st, &tid) || !audit_query_args(req, resp, &q))
		return;
	if (run && num_parse_id(run, &q.run_id, &err) < 0) {
		http_response_error(resp, 400, "bad_request", "run: %s", err.msg);
		return;
	}
	if (strstr(req->path, "/failed"))
		q.result = "error";
	if (console_audit_search(st, tid, &q, &rows, &err) < 0) {
		store_failed(resp, &err);
		return;
	}
	if (format && !strcmp(format, "csv")) {
		audit_csv(resp, rows);
		json_decref(rows);
		return;
	}
	http_response_json(resp, 200, rows);
}

static void review_queue(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct mlc_store *st;
	int64_t tid;
	struct mlc_error err = {0};
	json_t *items = NULL;
	const char *state = http_request_query(req, "state");

	if (!begin(req, resp, arg, &st, &tid))
		return;
	if (review_list(st, tid, state && !strcmp(state, "all") ? NULL : "open", &items, &err) <
	    0) {
		store_failed(resp, &err);
		return;
	}
	http_response_json(resp, 200, items);
}

int api_read_register(struct mlc_console *c, struct mlc_http_server *http, struct mlc_error *err)
{
	static const struct {
		const char *pattern;
		mlc_http_handler fn;
	} routes[] = {
	    {"/api/v1/tenants", tenants},
	    {"/api/v1/tenants/{tenant}/overview", overview},
	    {"/api/v1/tenants/{tenant}/runs", runs_list},
	    {"/api/v1/tenants/{tenant}/runs/{run}/records", audit_search},
	    {"/api/v1/tenants/{tenant}/audit", audit_search},
	    {"/api/v1/tenants/{tenant}/failed", audit_search},
	    {"/api/v1/tenants/{tenant}/review", review_queue},
	};
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		int rc = http_server_route(http, "GET", routes[i].pattern, routes[i].fn, c);
		if (rc < 0)
			return error_set(err, rc, "cannot register %s", routes[i].pattern);
	}
	return MLC_OK;
}
