/*
 * Webhook endpoints.  Both write an accepted event to the durable inbox,
 * committed, before the 2xx goes back, then enqueue the flow it feeds
 * (deduplicated while one is pending, so a burst is one run).  Bad input
 * gets a 4xx, a log line naming the reason, and nothing stored; for
 * Procore, "bad" means only a wrong Authorization, a body over the limit
 * or one that is not a JSON object.  Any JSON object from Procore is
 * stored and answered 200: one the connector cannot use is marked
 * unusable with the reason, since a 4xx pauses all deliveries.
 *
 * NetSuite signs nothing (docs/reference/netsuite.md, Outbound events): the source IP
 * must be in the tenant's allowlist and the shared secret must match
 * (X-MLC-Webhook-Secret header or ?token=), compared in constant time.
 * Procore sends a static Authorization header value the integrator chose
 * (docs/reference/procore.md, Webhooks), compared in constant time.
 * Until a request has proved it comes from the tenant's sender, every
 * refusal is the same 401 (refuse_unproven), so answers do not tell which
 * tenants exist (issue 21, item 8).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/inbox.h"
#include "core/tenant.h"
#include "core/vault.h"
#include "flows/flow.h"
#include "net/cidr.h"
#include "net/metrics.h"
#include "server/serve.h"
#include "server/webhook_parse.h"
#include "server/webhook_resources.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

const char *webhooks_flow_for_netsuite(const char *record_type)
{
	return flow_for_netsuite_type(record_type);
}

/* mlc_webhook_events_total{source, outcome}: received, rejected by
 * reason, duplicates, echoes of our own writes. */
static void count(const char *source, const char *outcome)
{
	struct mlc_buf l = MLC_BUF_INIT;
	metrics_labels(&l, "source", source, "outcome", outcome, NULL);
	metrics_counter_add("mlc_webhook_events_total", "Webhook events by source and outcome",
			    l.data, 1);
	buf_release(&l);
}

/* Refuses with a logged reason.  The reason never holds a secret. */
static void refuse(struct mlc_http_request *req, struct mlc_http_response *resp, int status,
		   const char *code, const char *tenant, const char *why)
{
	count(strstr(req->path, "/procore/") ? "procore" : "netsuite", code);
	log_warn("webhook refused", "path", req->path, "client", req->client_ip, "tenant", tenant,
		 "status", code, "reason", why);
	http_response_error(resp, status, code, "%s", why);
}

/*
 * Refuses a request that did not prove it comes from the tenant's sender:
 * an unknown tenant, a tenant without the secret, a source outside the
 * allowlist and a wrong or missing secret all get the same status and
 * body (and the same metrics outcome, /metrics being unauthenticated), so
 * that nobody can learn which tenants exist or how they are set up.  The
 * log line keeps the real reason for the operator.
 */
static void refuse_unproven(struct mlc_http_request *req, struct mlc_http_response *resp,
			    const char *tenant, const char *why)
{
	const char *source = strstr(req->path, "/procore/") ? "procore" : "netsuite";

	count(source, "unauthorized");
	log_warn("webhook refused", "path", req->path, "client", req->client_ip, "tenant", tenant,
		 "status", "unauthorized", "reason", why);
	http_response_error(resp, 401, "unauthorized",
			    "unknown tenant, or missing or wrong credentials");
}

/*
 * Answers a failure on our side (the store, the vault) with 503, so that
 * the sender retries the delivery later: never a 4xx, which would tell
 * the sender the event itself is bad and have it dropped (issue 21, item
 * 7).  The reason is logged for the operator; it never holds a secret.
 */
static void unavailable(struct mlc_http_request *req, struct mlc_http_response *resp,
			const char *tenant, const char *why)
{
	count(strstr(req->path, "/procore/") ? "procore" : "netsuite", "unavailable");
	log_error("webhook not stored: failure on our side", "path", req->path, "tenant", tenant,
		  "reason", why);
	http_response_error(resp, 503, "unavailable", "could not store the event; retry");
}

/* Loads the tenant named in the path and a decrypted secret of it. */
static int load(struct mlc_serve *sv, struct mlc_http_request *req,
		struct mlc_http_response *resp, struct mlc_store **st, struct mlc_tenant *t,
		const char *secret_name, struct mlc_secret **secret)
{
	struct mlc_error err = { 0 };
	const char *name = http_request_param(req, "tenant");
	int rc;

	*secret = NULL;
	*st = serve_store(sv, &err);
	if (!*st) {
		log_error("webhook: store unavailable", "error", err.msg);
		http_response_error(resp, 503, "unavailable", "the store is unavailable; retry");
		return -1;
	}
	memset(t, 0, sizeof(*t));
	if (!name) {
		refuse_unproven(req, resp, name, "no such tenant");
		return -1;
	}
	if ((rc = tenant_get(*st, name, t, &err)) < 0) {
		if (rc == MLC_ENOTFOUND)
			refuse_unproven(req, resp, name, "no such tenant");
		else
			unavailable(req, resp, name, err.msg);
		return -1;
	}
	if ((rc = secret_get(*st, sv->vault, t->id, secret_name, secret, &err)) < 0) {
		char why[160];
		if (rc == MLC_ENOTFOUND) {
			snprintf(why, sizeof(why), "the tenant has no %s secret", secret_name);
			refuse_unproven(req, resp, name, why);
		} else {
			/* the row is there but we cannot read or open it (a store
			 * error, or a master key rotated under a running serve):
			 * our failure, so the sender must retry */
			unavailable(req, resp, name, err.msg);
		}
		tenant_release(t);
		return -1;
	}
	return 0;
}

/* Stores the event and enqueues its flow; answers 200. */
static void accept_event(struct mlc_serve *sv, struct mlc_store *st,
			 struct mlc_http_response *resp, const struct mlc_tenant *t,
			 const char *source, const char *key, json_t *payload, const char *flow)
{
	struct mlc_error err = { 0 };
	int dup = 0;
	int64_t id = 0;

	if (inbox_add(st, t->id, source, key, payload, &dup, &id, &err) < 0) {
		log_error("webhook: inbox write failed", "tenant", t->name, "error", err.msg);
		/* not stored: the sender must retry, so no 2xx */
		http_response_error(resp, 503, "unavailable", "could not store the event; retry");
		return;
	}
	count(source, dup ? "duplicate" : "accepted");
	if (!dup && flow && flow_find(flow)) {
		if (serve_enqueue_sync(sv, st, t->id, t->name, flow, "webhook", &err) < 0)
			log_warn("webhook: enqueue failed (polling will catch up)", "tenant", t->name,
				 "flow", flow, "error", err.msg);
		else if (inbox_set_state(st, id, INBOX_DONE, &err) < 0)
			log_warn("webhook: inbox mark failed", "error", err.msg);
	}
	http_response_json(resp, 200,
			   json_pack("{s:s, s:s}", "status", dup ? "duplicate" : "accepted", "flow",
				     flow ? flow : "none"));
}

static bool allowlisted(const struct mlc_tenant *t, const char *ip)
{
	json_t *ns = json_object_get(t->settings, "netsuite");
	const char *list = jsonx_str(ns, "allowlist");
	struct mlc_cidr_list cl = { 0 };
	bool ok;

	if (!list || !*list || cidr_list_parse(list, &cl, NULL) < 0)
		return false;
	ok = cidr_list_match(&cl, ip);
	cidr_list_release(&cl);
	return ok;
}

/* An event caused by our own write: recorded as ignored (the audit of what
 * arrived stays complete), counted, answered 200. */
static void ignore_echo(struct mlc_store *st, struct mlc_http_response *resp,
			const struct mlc_tenant *t, const char *source, const char *key,
			json_t *payload)
{
	struct mlc_error err = { 0 };
	int dup = 0;
	int64_t id = 0;

	if (inbox_add(st, t->id, source, key, payload, &dup, &id, &err) < 0) {
		/* not recorded: no 2xx, the sender retries */
		log_error("webhook: inbox write failed", "tenant", t->name, "error", err.msg);
		http_response_error(resp, 503, "unavailable", "could not store the event; retry");
		return;
	}
	count(source, "echo_ignored");
	if (!dup && inbox_set_state(st, id, INBOX_IGNORED, &err) < 0)
		log_warn("webhook: inbox mark failed", "error", err.msg);
	http_response_json(resp, 200, json_pack("{s:s}", "status", "ignored"));
}

static void netsuite_hook(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct mlc_serve *sv = arg;
	struct mlc_store *st;
	struct mlc_tenant t;
	struct mlc_secret *secret = NULL;
	struct netsuite_event ev;
	struct mlc_error err = { 0 };
	json_t *payload = NULL;
	const char *given;

	if (load(sv, req, resp, &st, &t, "webhook.netsuite_secret", &secret) < 0)
		return;
	if (!allowlisted(&t, req->client_ip)) {
		refuse_unproven(req, resp, t.name, "source address is not in the allowlist");
		goto out;
	}
	given = http_request_header(req, "X-MLC-Webhook-Secret");
	if (!given)
		given = http_request_query(req, "token");
	if (!given || !str_eq_ct(given, secret->data)) {
		refuse_unproven(req, resp, t.name, "missing or wrong shared secret");
		goto out;
	}
	if (webhook_parse_netsuite(req->body, req->body_len, &ev, &payload, &err) < 0) {
		refuse(req, resp, 400, "bad_request", t.name, err.msg);
		goto out;
	}
	/* our own writes come back as pushes too: the script reports the user
	 * who made the change, and ours is the integration's user */
	{
		int64_t own_user = 0;
		json_t *u = json_object_get(json_object_get(t.settings, "netsuite"),
					    "integration_user_id");
		if (json_is_integer(u))
			own_user = json_integer_value(u);
		if (u && ev.has_user && ev.user == own_user) {
			ignore_echo(st, resp, &t, "netsuite", ev.key, payload);
			goto out;
		}
	}
	accept_event(sv, st, resp, &t, "netsuite", ev.key, payload,
		     webhooks_flow_for_netsuite(ev.record_type));
out:
	json_decref(payload);
	secret_free(secret);
	tenant_release(&t);
}

/*
 * The tenant's own Procore application, as Procore names it in v2/v3
 * metadata.source_application_id: the OAuth client id.  A string setting
 * procore.application_id overrides; otherwise it is the stored
 * procore.client_id secret (compared here, never logged).
 */
static bool own_application(struct mlc_serve *sv, struct mlc_store *st,
			    const struct mlc_tenant *t, const char *app)
{
	const char *set = jsonx_str(json_object_get(t->settings, "procore"), "application_id");
	struct mlc_secret *cid = NULL;
	struct mlc_error err = { 0 };
	bool own;

	if (!app || !*app)
		return false;
	if (set && *set)
		return str_eq_ct(app, set);
	if (secret_get(st, sv->vault, t->id, "procore.client_id", &cid, &err) < 0)
		return false;
	own = str_eq_ct(app, cid->data);
	secret_free(cid);
	return own;
}

/* Was this event caused by the connector's own write?  v2/v3: the
 * application that made the change is ours; any version: the user is the
 * service account's (procore.service_user_id; v4 has no metadata, so this
 * is its only signal: docs/reference/procore/webhook-payloads.md). */
static bool procore_echo(struct mlc_serve *sv, struct mlc_store *st, const struct mlc_tenant *t,
			 const struct procore_event *ev)
{
	int64_t service_user = 0;

	if (ev->version != 4 && own_application(sv, st, t, ev->source_application_id))
		return true;
	if (jsonx_id(json_object_get(t->settings, "procore"), "service_user_id", &service_user) < 0)
		service_user = 0;
	return service_user && ev->user_id == service_user;
}

/* An event the connector cannot act on: stored with the reason, counted,
 * answered 200 so that Procore keeps delivering (a 4xx would pause every
 * delivery to the endpoint and discard them after 12 h). */
static void keep_unusable(struct mlc_store *st, struct mlc_http_response *resp,
			  const struct mlc_tenant *t, const struct procore_event *ev,
			  json_t *payload)
{
	struct mlc_error err = { 0 };
	int dup = 0;
	int64_t id = 0;

	if (inbox_add(st, t->id, "procore", ev->key, payload, &dup, &id, &err) < 0) {
		log_error("webhook: inbox write failed", "tenant", t->name, "error", err.msg);
		http_response_error(resp, 503, "unavailable", "could not store the event; retry");
		return;
	}
	count("procore", dup ? "duplicate" : "unusable");
	if (!dup) {
		log_warn("webhook event unusable", "tenant", t->name, "event", ev->key, "reason",
			 ev->unusable);
		if (inbox_mark_unusable(st, id, ev->unusable, &err) < 0)
			log_warn("webhook: inbox mark failed", "error", err.msg);
	}
	http_response_json(resp, 200,
			   json_pack("{s:s, s:s}", "status", dup ? "duplicate" : "unusable", "reason",
				     ev->unusable));
}

static void procore_hook(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct mlc_serve *sv = arg;
	struct mlc_store *st;
	struct mlc_tenant t;
	struct mlc_secret *secret = NULL;
	struct procore_event ev;
	struct mlc_error err = { 0 };
	json_t *payload = NULL;
	const char *given, *flow;

	if (load(sv, req, resp, &st, &t, "webhook.procore_authorization", &secret) < 0)
		return;
	given = http_request_header(req, "Authorization");
	if (!given || !str_eq_ct(given, secret->data)) {
		refuse_unproven(req, resp, t.name, "missing or wrong Authorization");
		goto out;
	}
	if (webhook_parse_procore(req->body, req->body_len, &ev, &payload, &err) < 0) {
		refuse(req, resp, 400, "bad_request", t.name, err.msg);
		goto out;
	}
	flow = webhook_resource_flow(ev.resource_name);
	if (!ev.unusable[0] && ev.company_id != t.procore_company_id)
		snprintf(ev.unusable, sizeof(ev.unusable),
			 "company_id %lld is not the tenant's company", (long long)ev.company_id);
	if (!ev.unusable[0] && !flow)
		snprintf(ev.unusable, sizeof(ev.unusable),
			 "resource '%.96s' is not one the connector routes", ev.resource_name);
	if (ev.unusable[0]) {
		keep_unusable(st, resp, &t, &ev, payload);
		goto out;
	}
	/* our own writes come back as events: nothing to do */
	if (procore_echo(sv, st, &t, &ev)) {
		ignore_echo(st, resp, &t, "procore", ev.key, payload);
		goto out;
	}
	accept_event(sv, st, resp, &t, "procore", ev.key, payload, flow);
out:
	json_decref(payload);
	secret_free(secret);
	tenant_release(&t);
}

int webhooks_register(struct mlc_serve *sv, struct mlc_error *err)
{
	int rc;

	if ((rc = http_server_route(sv->http, "POST", "/webhooks/netsuite/{tenant}", netsuite_hook,
				    sv)) < 0 ||
	    (rc = http_server_route(sv->http, "POST", "/webhooks/procore/{tenant}", procore_hook,
				    sv)) < 0)
		return error_set(err, rc, "cannot register webhook routes");
	return MLC_OK;
}
