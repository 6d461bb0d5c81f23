/*
 * /api/v1 actions and live reads (issue 23):
 *   POST replay {"ids": [audit ids]} or {"run_id": n}  (operator): the
 *        failed records' flows run again in full, idempotently, as
 *        `ml-connector replay` does (flows/replay.h), and each record's
 *        new outcome is answered;
 *   POST sync/{flow}   (operator): enqueues a run now (the schedule's job);
 *   GET  reconcile     (viewer): `reconcile --json` with the posted cost
 *        per period for the chart;
 * (review items: server/api_review.c).
 * Each write is in the tenant's audit with the user.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/console_queries.h"
#include "flows/flow.h"
#include "flows/reconcile.h"
#include "flows/replay.h"
#include "flows/session.h"
#include "server/console.h"
#include "server/serve.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/num.h"
#include "util/banned.h"

/* The audit rows a replay body names: its ids, or a run's failed rows. */
static int replay_rows(struct mlc_store *st, int64_t tid, const json_t *body, json_t **rows,
		       struct mlc_error *err)
{
	json_t *ids = json_object_get(body, "ids"), *v;
	int64_t run = 0;
	size_t i;

	*rows = NULL;
	if (jsonx_id(body, "run_id", &run) < 0)
		return error_set(err, MLC_EINVAL, "run_id: not an id");
	if (run) {
		struct console_audit_query q = {0};
		q.run_id = run;
		q.result = "error";
		q.limit = 5000;
		return console_audit_search(st, tid, &q, rows, err);
	}
	if (!json_is_array(ids) || !json_array_size(ids))
		return error_set(err, MLC_EINVAL, "give {\"ids\": [audit ids]} or {\"run_id\": n}");
	*rows = json_array();
	json_array_foreach (ids, i, v) {
		json_t *row = NULL;
		int rc = json_is_integer(v) ? audit_get(st, json_integer_value(v), &row, err)
					    : error_set(err, MLC_EINVAL, "ids: not an id");
		if (rc == MLC_OK && json_integer_value(json_object_get(row, "tenant_id")) != tid) {
			json_decref(row);
			rc = error_set(err, MLC_ENOTFOUND, "audit row %lld is not this tenant's",
				       (long long)json_integer_value(v));
		}
		if (rc < 0) {
			json_decref(*rows);
			*rows = NULL;
			return rc;
		}
		json_array_append_new(*rows, row);
	}
	return MLC_OK;
}

struct replay_ctx {
	struct mlc_console *c;
	struct mlc_store *st;
	const char *tenant;
};

static int replay_open(void *arg, const struct flow_def *fd, struct mlc_session **s,
		       struct mlc_error *err)
{
	struct replay_ctx *x = arg;

	return console_flow_session(x->c, x->st, x->tenant, fd->need_netsuite, fd->need_procore, s,
				    err);
}

static void replay(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct console_identity id;
	struct mlc_store *st;
	int64_t tid;
	char *tenant = NULL;
	struct mlc_error err = {0};
	json_t *body = NULL, *rows = NULL, *outcomes = NULL;
	struct replay_ctx x;
	size_t still = 0;

	if (!console_authorize(arg, req, resp, CONSOLE_OPERATOR, &id, &st) ||
	    !console_tenant(st, req, resp, &tid, &tenant))
		goto out;
	body = http_request_json(req, &err);
	if (!body || replay_rows(st, tid, body, &rows, &err) < 0) {
		http_response_error(resp, err.code == MLC_ENOTFOUND ? 404 : 400, "bad_request",
				    "%s", err.msg);
		goto out;
	}
	x = (struct replay_ctx){arg, st, tenant};
	outcomes = replay_records(rows, replay_open, &x, &still);
	{
		char target[64];
		snprintf(target, sizeof(target), "%zu record(s)", json_array_size(outcomes));
		console_audit(st, tid, &id, req, "replay", target, still ? "error" : "ok",
			      still ? "some records failed again" : NULL);
	}
	http_response_json(
	    resp, 200,
	    json_pack("{s:o, s:I}", "records", outcomes, "still_failing", (json_int_t)still));
	outcomes = NULL;
out:
	free(tenant);
	json_decref(body);
	json_decref(rows);
	json_decref(outcomes);
}

static void sync_now(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct mlc_console *c = arg;
	struct console_identity id;
	struct mlc_store *st;
	int64_t tid;
	char *tenant = NULL;
	struct mlc_error err = {0};
	const char *flow = http_request_param(req, "flow");

	if (!console_authorize(c, req, resp, CONSOLE_OPERATOR, &id, &st) ||
	    !console_tenant(st, req, resp, &tid, &tenant))
		goto out;
	if (!flow_find(flow)) {
		http_response_error(resp, 404, "not_found", "no flow '%s'", flow);
		goto out;
	}
	if (serve_enqueue_sync(c->sv, st, tid, tenant, flow, "console", &err) < 0) {
		http_response_error(resp, 503, "unavailable", "%s", err.msg);
		goto out;
	}
	console_audit(st, tid, &id, req, "sync", flow, "ok", NULL);
	http_response_json(resp, 202, json_pack("{s:s, s:b}", "flow", flow, "queued", 1));
out:
	free(tenant);
}

static void reconcile(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct console_identity id;
	struct mlc_store *st;
	int64_t tid;
	struct mlc_error err = {0};
	struct mlc_session *s = NULL;
	struct reconcile_opts o = {0};
	json_t *report = NULL, *series = NULL;
	const char *project = http_request_query(req, "project");

	if (!console_authorize(arg, req, resp, CONSOLE_VIEWER, &id, &st) ||
	    !console_tenant(st, req, resp, &tid, NULL))
		return;
	o.period = http_request_query(req, "period");
	if (o.period && !*o.period)
		o.period = NULL;
	if (project && *project && num_parse_id(project, &o.project_id, &err) < 0) {
		http_response_error(resp, 400, "bad_request", "project: %s", err.msg);
		return;
	}
	if (console_flow_session(arg, st, http_request_param(req, "tenant"), true, true, &s, &err) <
		0 ||
	    reconcile_run(s, &o, &report, &err) < 0 ||
	    console_posted_by_period(st, tid, &series, &err) < 0) {
		http_response_error(resp, 502, "reconcile_failed", "%s", err.msg);
		goto out;
	}
	json_object_set_new(report, "posted_by_period", series);
	http_response_json(resp, 200, report);
	report = NULL;
out:
	json_decref(report);
	session_free(s);
}

int api_actions_register(struct mlc_console *c, struct mlc_http_server *http, struct mlc_error *err)
{
	static const struct {
		const char *method, *pattern;
		mlc_http_handler fn;
	} routes[] = {
	    {"POST", "/api/v1/tenants/{tenant}/replay", replay},
	    {"POST", "/api/v1/tenants/{tenant}/sync/{flow}", sync_now},
	    {"GET", "/api/v1/tenants/{tenant}/reconcile", reconcile},
	};
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		int rc =
		    http_server_route(http, routes[i].method, routes[i].pattern, routes[i].fn, c);
		if (rc < 0)
			return error_set(err, rc, "cannot register %s", routes[i].pattern);
	}
	return MLC_OK;
}
