/*
 * /api/v1 review items (issue 23), over flows/review_resolve.h, as
 * `review show` and `review resolve` are:
 *   GET  review/{item}          (viewer): review_show(), the candidates read
 *        from Procore (offline, from the item, with ?offline=1 or when
 *        Procore cannot be reached: "offline": true says so);
 *   POST review/{item}/resolve  (operator): {"action", "arg"?, "why"},
 *        decided by the logged-in user; review_resolve_item() checks the
 *        action against the item and the systems, stores the decision and
 *        its audit row (by = the user), and for map posts at once.
 * The resolve, refused or not, is also in the audit as a console action
 * with the user (server/console.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/review.h"
#include "flows/review_resolve.h"
#include "flows/session.h"
#include "server/console.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/num.h"
#include "util/banned.h"

/* The {item} of the path, an item of the tenant: answers 400 or 404 itself
 * and returns false otherwise. */
static bool item_of(struct mlc_store *st, int64_t tid, struct mlc_http_request *req,
		    struct mlc_http_response *resp, int64_t *id, json_t **item)
{
	struct mlc_error err = {0};

	if (num_parse_id(http_request_param(req, "item"), id, &err) < 0) {
		http_response_error(resp, 400, "bad_request", "item: %s", err.msg);
		return false;
	}
	if (review_get(st, tid, *id, item, &err) < 0) {
		if (err.code == MLC_ENOTFOUND)
			http_response_error(resp, 404, "not_found", "no review item %lld",
					    (long long)*id);
		else
			http_response_error(resp, 503, "unavailable", "%s", err.msg);
		return false;
	}
	return true;
}

static void review_item(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct console_identity id;
	struct mlc_store *st;
	struct mlc_session *s = NULL;
	struct mlc_error err = {0};
	int64_t tid, item_id;
	char *tenant = NULL;
	json_t *item = NULL, *out = NULL;
	const char *off = http_request_query(req, "offline");
	bool offline = off && *off && strcmp(off, "0");
	bool cands;

	if (!console_authorize(arg, req, resp, CONSOLE_VIEWER, &id, &st) ||
	    !console_tenant(st, req, resp, &tid, &tenant) ||
	    !item_of(st, tid, req, resp, &item_id, &item))
		goto out;
	cands = json_array_size(json_object_get(item, "candidates")) > 0;
	if (cands && !offline &&
	    (console_flow_session(arg, st, tenant, false, true, &s, &err) < 0 ||
	     review_show(s, item_id, &out, &err) < 0)) {
		log_warn("console review: candidates read from the item, Procore failed", "error",
			 err.msg);
		session_free(s);
		s = NULL;
		offline = true;
	}
	if (!out && (console_flow_session(arg, st, tenant, false, false, &s, &err) < 0 ||
		     review_show(s, item_id, &out, &err) < 0)) {
		http_response_error(resp, 503, "unavailable", "%s", err.msg);
		goto out;
	}
	json_object_set_new(out, "offline", json_boolean(cands && offline));
	http_response_json(resp, 200, out);
	out = NULL;
out:
	free(tenant);
	json_decref(item);
	json_decref(out);
	session_free(s);
}

/* The HTTP status of a refused decision: the item or the systems said no
 * (422), or a system could not be asked (502). */
static int refusal_status(const struct mlc_error *err)
{
	switch (err->code) {
	case MLC_EINVAL:
	case MLC_ENOTFOUND:
	case MLC_ESTATE:
		return 422;
	default:
		return 502;
	}
}

static void resolve_item(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct console_identity id;
	struct mlc_store *st;
	struct mlc_session *s = NULL;
	struct mlc_error err = {0};
	struct review_action a = {0};
	int64_t tid, item_id;
	char *tenant = NULL, target[48];
	json_t *item = NULL, *body = NULL, *out = NULL;
	bool ns, pc;

	if (!console_authorize(arg, req, resp, CONSOLE_OPERATOR, &id, &st) ||
	    !console_tenant(st, req, resp, &tid, &tenant) ||
	    !item_of(st, tid, req, resp, &item_id, &item))
		goto out;
	body = http_request_json(req, &err);
	a.action = jsonx_str(body, "action");
	a.arg = jsonx_str(body, "arg");
	a.why = jsonx_str(body, "why");
	a.by = id.name;
	if (a.arg && !*a.arg)
		a.arg = NULL;
	if (!a.action || !a.why || !*a.why) {
		http_response_error(resp, 400, "bad_request",
				    "give {\"action\", \"arg\"?, \"why\"}: why is required");
		goto out;
	}
	snprintf(target, sizeof(target), "review item %lld", (long long)item_id);
	ns = !strcmp(a.action, "map") || (!strcmp(a.action, "post-in") && a.arg);
	pc = !strcmp(a.action, "map") || !strcmp(a.action, "link");
	if (console_flow_session(arg, st, tenant, ns, pc, &s, &err) < 0) {
		http_response_error(resp, 502, "unavailable", "%s", err.msg);
		goto out;
	}
	if (review_resolve_item(s, item_id, &a, &out, &err) < 0) {
		console_audit(st, tid, &id, req, "resolve", target, "error", err.msg);
		http_response_error(resp, refusal_status(&err), "refused", "%s", err.msg);
		goto out;
	}
	console_audit(st, tid, &id, req, "resolve", target, "ok", NULL);
	http_response_json(resp, 200, out);
	out = NULL;
out:
	free(tenant);
	json_decref(item);
	json_decref(body);
	json_decref(out);
	session_free(s);
}

int api_review_register(struct mlc_console *c, struct mlc_http_server *http, struct mlc_error *err)
{
	int rc = http_server_route(http, "GET", "/api/v1/tenants/{tenant}/review/{item}",
				   review_item, c);
	if (rc >= 0)
		rc = http_server_route(http, "POST",
				       "/api/v1/tenants/{tenant}/review/{item}/resolve",
				       resolve_item, c);
	if (rc < 0)
		return error_set(err, rc, "cannot register the review routes");
	return MLC_OK;
}
