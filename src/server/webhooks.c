/*
 * Webhook endpoints.  Both write an accepted event to the durable inbox,
 * committed, before the 2xx goes back (through the group-commit writer,
 * server/intake.h: one write per event, one fsync per group of events),
 * then mark the flow it feeds pending in memory (serve_pending_add; the
 * scheduler's drain enqueues one run per tenant and flow).  Tenants and
 * secrets come from intake's cache, which follows changes by any process.  Bad input
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
#include "server/intake.h"
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

/* Checks once per request whether the cached tenants and secrets are
 * current (before a refusal): 1 when they were not and were dropped. */
static int serve_recheck(struct mlc_serve *sv, struct mlc_store *st, bool *rechecked)
{
	struct mlc_error err = {0};
	int rc = intake_recheck(&sv->intake, st, &err);

	*rechecked = true;
	if (rc < 0)
		log_warn("webhook: cannot check the tenant cache", "error", err.msg);
	return rc;
}

/* What one pass of a handler ended with. */
enum pass {
	PASS_DONE,  /* answered */
	PASS_RETRY, /* the tenants or secrets changed under it: validate again */
};

/*
 * The cached tenant named in the path, with the secret it needs; answers
 * the refusal itself (returns -1) when there is none.  An unknown tenant
 * or a missing secret is refused only once the cache is known current
 * (*rechecked): otherwise the cache is checked and the pass retried.
 */
static int load(struct mlc_serve *sv, struct mlc_http_request *req, struct mlc_http_response *resp,
		struct mlc_store **st, struct mlc_intake_tenant **ct, enum intake_secret which,
		bool *rechecked, enum pass *pass)
{
	struct mlc_error err = {0};
	const char *name = http_request_param(req, "tenant");
	int rc;

	*ct = NULL;
	*pass = PASS_DONE;
	*st = serve_store(sv, &err);
	if (!*st) {
		log_error("webhook: store unavailable", "error", err.msg);
		http_response_error(resp, 503, "unavailable", "the store is unavailable; retry");
		return -1;
	}
	if (!name) {
		refuse_unproven(req, resp, name, "no such tenant");
		return -1;
	}
	rc = intake_tenant_get(&sv->intake, *st, name, ct, &err);
	if (rc < 0) {
		if (rc != MLC_ENOTFOUND)
			unavailable(req, resp, name, err.msg);
		else if (!*rechecked && serve_recheck(sv, *st, rechecked) > 0)
			*pass = PASS_RETRY;
		else
			refuse_unproven(req, resp, name, "no such tenant");
		return -1;
	}
	rc = (*ct)->secret_rc[which];
	if (rc < 0) {
		char why[160];
		if (rc != MLC_ENOTFOUND) {
			/* the row is there but we cannot read or open it (a store
			 * error, or a master key rotated under a running serve):
			 * our failure, so the sender must retry */
			unavailable(req, resp, name, (*ct)->secret_err[which]);
		} else if (!*rechecked && serve_recheck(sv, *st, rechecked) > 0) {
			*pass = PASS_RETRY;
		} else {
			snprintf(why, sizeof(why), "the tenant has no %s secret",
				 which == INTAKE_SECRET_NETSUITE ? "webhook.netsuite_secret"
								 : "webhook.procore_authorization");
			refuse_unproven(req, resp, name, why);
		}
		intake_tenant_put(&sv->intake, *ct);
		*ct = NULL;
		return -1;
	}
	return 0;
}

/* Does the secret given match the tenant's?  A mismatch under a cache not
 * known current is checked again (*pass PASS_RETRY when it changed). */
static bool secret_ok(struct mlc_serve *sv, struct mlc_store *st, const char *given,
		      const struct mlc_intake_tenant *ct, enum intake_secret which, bool *rechecked,
		      enum pass *pass)
{
	*pass = PASS_DONE;
	if (given && str_eq_ct(given, ct->secret[which]->data))
		return true;
	if (!*rechecked && serve_recheck(sv, st, rechecked) > 0)
		*pass = PASS_RETRY;
	return false;
}

/*
 * Writes the event through the group-commit writer (one durable commit
 * shared with the events that arrived with it).  0: written (or a
 * duplicate, *dup); -1: answered 503; 1: validated under tenants or
 * secrets that have changed since, nothing written, validate again.
 */
static int store_event(struct mlc_serve *sv, struct mlc_http_request *req,
		       struct mlc_http_response *resp, const struct mlc_intake_tenant *ct,
		       const char *source, const char *key, const json_t *payload,
		       enum inbox_state state, const char *reason, int *dup, int64_t *id)
{
	struct mlc_intake_event ev = {0};
	char *text = json_dumps(payload, JSON_COMPACT);
	int rc = -1;

	ev.row.tenant_id = ct->t.id;
	ev.row.source = source;
	ev.row.event_key = key;
	ev.row.payload = text ? text : "{}";
	ev.row.state = state;
	ev.row.reason = reason;
	ev.fingerprint = ct->fingerprint;
	if (intake_submit(&sv->intake, &ev) < 0) {
		/* not stored: the sender must retry, so no 2xx */
		unavailable(req, resp, ct->t.name, ev.err.msg);
		goto out;
	}
	if (ev.stale) {
		intake_invalidate(&sv->intake);
		rc = 1;
		goto out;
	}
	*dup = ev.row.duplicate;
	*id = ev.row.id;
	rc = 0;
out:
	free(text);
	return rc;
}

/* The state an accepted event is stored in: an event no flow takes is
 * recorded as ignored at once (what the drain would do with it). */
static enum inbox_state accepted_state(const char *flow)
{
	return flow && flow_find(flow) ? INBOX_NEW : INBOX_IGNORED;
}

/* After an accepted event was stored (row id, or a duplicate): marks its
 * flow pending and answers 200. */
static void accepted(struct mlc_serve *sv, struct mlc_http_response *resp,
		     const struct mlc_intake_tenant *ct, const char *source, const char *flow,
		     const struct procore_event *pe, const struct netsuite_event *ne, int dup,
		     int64_t id)
{
	bool routed = accepted_state(flow) == INBOX_NEW;

	count(source, dup ? "duplicate" : "accepted");
	/* one pending run per tenant and flow, in memory; the inbox row is
	 * the durable record (the drain turns it into a job) */
	if (!dup && routed &&
	    !(pe && record_events_submit(sv, ct->t.id, ct->t.name, flow, pe, id)) &&
	    !(ne && record_events_submit_netsuite(sv, ct->t.id, ct->t.name, flow, ne, id)))
		serve_pending_add(sv, ct->t.id, ct->t.name, flow, id);
	http_response_json(resp, 200,
			   json_pack("{s:s, s:s}", "status", dup ? "duplicate" : "accepted", "flow",
				     flow ? flow : "none"));
}

/* Stores the event and marks its flow pending; answers 200. */
static enum pass accept_event(struct mlc_serve *sv, struct mlc_http_request *req,
			      struct mlc_http_response *resp, const struct mlc_intake_tenant *ct,
			      const char *source, const char *key, json_t *payload,
			      const char *flow, const struct procore_event *pe,
			      const struct netsuite_event *ne)
{
	int dup = 0, rc;
	int64_t id = 0;

	rc = store_event(sv, req, resp, ct, source, key, payload, accepted_state(flow), NULL, &dup,
			 &id);
	if (rc != 0)
		return rc > 0 ? PASS_RETRY : PASS_DONE;
	accepted(sv, resp, ct, source, flow, pe, ne, dup, id);
	return PASS_DONE;
}

static bool allowlisted(const struct mlc_tenant *t, const char *ip)
{
	json_t *ns = json_object_get(t->settings, "netsuite");
	const char *list = jsonx_str(ns, "allowlist");
	struct mlc_cidr_list cl = {0};
	bool ok;

	if (!list || !*list || cidr_list_parse(list, &cl, NULL) < 0)
		return false;
	ok = cidr_list_match(&cl, ip);
	cidr_list_release(&cl);
	return ok;
}

static void echo_ignored(struct mlc_http_response *resp, const char *source)
{
	count(source, "echo_ignored");
	http_response_json(resp, 200, json_pack("{s:s}", "status", "ignored"));
}

/* An event caused by our own write: recorded as ignored (the audit of what
 * arrived stays complete), counted, answered 200. */
static enum pass ignore_echo(struct mlc_serve *sv, struct mlc_http_request *req,
			     struct mlc_http_response *resp, const struct mlc_intake_tenant *ct,
			     const char *source, const char *key, json_t *payload)
{
	int dup = 0, rc;
	int64_t id = 0;

	rc = store_event(sv, req, resp, ct, source, key, payload, INBOX_IGNORED, NULL, &dup, &id);
	if (rc != 0)
		return rc > 0 ? PASS_RETRY : PASS_DONE;
	echo_ignored(resp, source);
	return PASS_DONE;
}

static enum pass netsuite_once(struct mlc_serve *sv, struct mlc_http_request *req,
			       struct mlc_http_response *resp, bool *rechecked)
{
	struct mlc_store *st;
	struct mlc_intake_tenant *ct = NULL;
	struct netsuite_event ev;
	struct mlc_error err = {0};
	json_t *payload = NULL;
	const char *given;
	enum pass pass = PASS_DONE;

	if (load(sv, req, resp, &st, &ct, INTAKE_SECRET_NETSUITE, rechecked, &pass) < 0)
		return pass;
	if (!allowlisted(&ct->t, req->client_ip)) {
		if (!*rechecked && serve_recheck(sv, st, rechecked) > 0)
			pass = PASS_RETRY;
		else
			refuse_unproven(req, resp, ct->t.name,
					"source address is not in the allowlist");
		goto out;
	}
	given = http_request_header(req, "X-MLC-Webhook-Secret");
	if (!given)
		given = http_request_query(req, "token");
	if (!secret_ok(sv, st, given, ct, INTAKE_SECRET_NETSUITE, rechecked, &pass)) {
		if (pass == PASS_DONE)
			refuse_unproven(req, resp, ct->t.name, "missing or wrong shared secret");
		goto out;
	}
	if (webhook_parse_netsuite(req->body, req->body_len, &ev, &payload, &err) < 0) {
		refuse(req, resp, 400, "bad_request", ct->t.name, err.msg);
		goto out;
	}
	/* our own writes come back as pushes too: the script reports the user
	 * who made the change, and ours is the integration's user */
	{
		int64_t own_user = 0;
		json_t *u = json_object_get(json_object_get(ct->t.settings, "netsuite"),
					    "integration_user_id");
		if (json_is_integer(u))
			own_user = json_integer_value(u);
		if (u && ev.has_user && ev.user == own_user) {
			pass = ignore_echo(sv, req, resp, ct, "netsuite", ev.key, payload);
			goto out;
		}
	}
	pass = accept_event(sv, req, resp, ct, "netsuite", ev.key, payload,
			    webhooks_flow_for_netsuite(ev.record_type), NULL, &ev);
out:
	json_decref(payload);
	intake_tenant_put(&sv->intake, ct);
	return pass;
}

/*
 * The tenant's own Procore application, as Procore names it in v2/v3
 * metadata.source_application_id: the OAuth client id.  A string setting
 * procore.application_id overrides; otherwise it is the stored
 * procore.client_id secret (compared here, never logged).
 */
static bool own_application(const struct mlc_intake_tenant *ct, const char *app)
{
	const char *set = jsonx_str(json_object_get(ct->t.settings, "procore"), "application_id");

	if (!app || !*app)
		return false;
	if (set && *set)
		return str_eq_ct(app, set);
	if (ct->secret_rc[INTAKE_SECRET_PROCORE_CLIENT] < 0)
		return false;
	return str_eq_ct(app, ct->secret[INTAKE_SECRET_PROCORE_CLIENT]->data);
}

/* Was this event caused by the connector's own write?  v2/v3: the
 * application that made the change is ours; any version: the user is the
 * service account's (procore.service_user_id; v4 has no metadata, so this
 * is its only signal: docs/reference/procore/webhook-payloads.md). */
static bool procore_echo(const struct mlc_intake_tenant *ct, const struct procore_event *ev)
{
	int64_t service_user = 0;

	if (ev->version != 4 && own_application(ct, ev->source_application_id))
		return true;
	if (jsonx_id(json_object_get(ct->t.settings, "procore"), "service_user_id", &service_user) <
	    0)
		service_user = 0;
	return service_user && ev->user_id == service_user;
}

/* After an unusable event was stored: counts, logs and answers 200. */
static void unusable_kept(struct mlc_http_response *resp, const struct mlc_intake_tenant *ct,
			  const struct procore_event *ev, int dup)
{
	count("procore", dup ? "duplicate" : "unusable");
	if (!dup)
		log_warn("webhook event unusable", "tenant", ct->t.name, "event", ev->key, "reason",
			 ev->unusable);
	http_response_json(resp, 200,
			   json_pack("{s:s, s:s}", "status", dup ? "duplicate" : "unusable",
				     "reason", ev->unusable));
}

/* An event the connector cannot act on: stored with the reason, counted,
 * answered 200 so that Procore keeps delivering (a 4xx would pause every
 * delivery to the endpoint and discard them after 12 h). */
static enum pass keep_unusable(struct mlc_serve *sv, struct mlc_http_request *req,
			       struct mlc_http_response *resp, const struct mlc_intake_tenant *ct,
			       const struct procore_event *ev, json_t *payload)
{
	int dup = 0, rc;
	int64_t id = 0;

	rc = store_event(sv, req, resp, ct, "procore", ev->key, payload, INBOX_UNUSABLE,
			 ev->unusable, &dup, &id);
	if (rc != 0)
		return rc > 0 ? PASS_RETRY : PASS_DONE;
	unusable_kept(resp, ct, ev, dup);
	return PASS_DONE;
}

/* What a parsed Procore event is for the tenant. */
enum procore_kind {
	PROCORE_UNUSABLE, /* ev->unusable says why */
	PROCORE_ECHO,     /* caused by our own write */
	PROCORE_ACCEPT,   /* for *flow */
};

static enum procore_kind procore_classify(const struct mlc_intake_tenant *ct,
					  struct procore_event *ev, const char **flow)
{
	*flow = webhook_resource_flow(ev->resource_name);
	if (!ev->unusable[0] && ev->company_id != ct->t.procore_company_id)
		snprintf(ev->unusable, sizeof(ev->unusable),
			 "company_id %lld is not the tenant's company", (long long)ev->company_id);
	if (!ev->unusable[0] && !*flow)
		snprintf(ev->unusable, sizeof(ev->unusable),
			 "resource '%.96s' is not one the connector routes", ev->resource_name);
	if (ev->unusable[0])
		return PROCORE_UNUSABLE;
	/* our own writes come back as events: nothing to do */
	return procore_echo(ct, ev) ? PROCORE_ECHO : PROCORE_ACCEPT;
}

static enum pass procore_once(struct mlc_serve *sv, struct mlc_http_request *req,
			      struct mlc_http_response *resp, bool *rechecked)
{
	struct mlc_store *st;
	struct mlc_intake_tenant *ct = NULL;
	struct procore_event ev;
	struct mlc_error err = {0};
	json_t *payload = NULL;
	const char *flow;
	enum pass pass = PASS_DONE;

	if (load(sv, req, resp, &st, &ct, INTAKE_SECRET_PROCORE_AUTH, rechecked, &pass) < 0)
		return pass;
	if (!secret_ok(sv, st, http_request_header(req, "Authorization"), ct,
		       INTAKE_SECRET_PROCORE_AUTH, rechecked, &pass)) {
		if (pass == PASS_DONE)
			refuse_unproven(req, resp, ct->t.name, "missing or wrong Authorization");
		goto out;
	}
	if (webhook_parse_procore(req->body, req->body_len, &ev, &payload, &err) < 0) {
		refuse(req, resp, 400, "bad_request", ct->t.name, err.msg);
		goto out;
	}
	switch (procore_classify(ct, &ev, &flow)) {
	case PROCORE_UNUSABLE:
		pass = keep_unusable(sv, req, resp, ct, &ev, payload);
		break;
	case PROCORE_ECHO:
		pass = ignore_echo(sv, req, resp, ct, "procore", ev.key, payload);
		break;
	case PROCORE_ACCEPT:
		pass = accept_event(sv, req, resp, ct, "procore", ev.key, payload, flow, &ev, NULL);
		break;
	}
out:
	json_decref(payload);
	intake_tenant_put(&sv->intake, ct);
	return pass;
}

/*
 * A pass is retried when the cached tenants or secrets turned out to be
 * older than the store's (another process changed them); a few times at
 * most, then the sender is told to retry.
 */
static void netsuite_hook(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	bool rechecked = false;

	for (int i = 0; i < 4; i++)
		if (netsuite_once(arg, req, resp, &rechecked) == PASS_DONE)
			return;
	unavailable(req, resp, http_request_param(req, "tenant"),
		    "the tenant's settings kept changing");
}

static void procore_hook(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	bool rechecked = false;

	for (int i = 0; i < 4; i++)
		if (procore_once(arg, req, resp, &rechecked) == PASS_DONE)
			return;
	unavailable(req, resp, http_request_param(req, "tenant"),
		    "the tenant's settings kept changing");
}

/*
 * The fast path of the Procore endpoint (issue 20): on the HTTP server's
 * I/O thread, with no hand-over to a handler thread and back.  It takes
 * the common case only: a cached tenant whose secret matches and a JSON
 * object body.  It hands the event to the group-commit writer without
 * waiting and defers the request; the writer's callback resumes it and
 * the answer is made on the I/O thread (fast_written), after the durable
 * commit as ever.  Anything else (a tenant not cached, a wrong or missing
 * Authorization, a body that is not JSON, an event validated under
 * credentials that changed meanwhile, a stopping writer) goes to
 * procore_hook on a handler thread, which rechecks the cache and refuses
 * or stores as before.
 */
struct fast_event {
	struct mlc_intake_event ev;
	struct mlc_serve *sv;
	struct mlc_http_request *req;
	struct mlc_intake_tenant *ct;
	enum procore_kind kind;
	const char *flow;
	struct procore_event pe;
	char *text; /* the payload as stored */
};

static void fast_free(struct fast_event *fe)
{
	intake_tenant_put(&fe->sv->intake, fe->ct);
	free(fe->text);
	free(fe);
}

/* Continuation on the I/O thread: the handler thread takes it after all. */
static enum http_fast fast_to_worker(struct mlc_http_request *req, struct mlc_http_response *resp,
				     void *arg)
{
	MLC_UNUSED(req);
	MLC_UNUSED(resp);
	fast_free(arg);
	return HTTP_FAST_WORKER;
}

/* Continuation on the I/O thread once the writer committed (or failed). */
static enum http_fast fast_answer(struct mlc_http_request *req, struct mlc_http_response *resp,
				  void *arg)
{
	struct fast_event *fe = arg;
	int dup = fe->ev.row.duplicate;

	if (fe->ev.stale) {
		/* validated under credentials that changed: the handler
		 * thread validates again against the store */
		intake_invalidate(&fe->sv->intake);
		fast_free(fe);
		return HTTP_FAST_WORKER;
	}
	if (fe->ev.rc < 0)
		unavailable(req, resp, fe->ct->t.name, fe->ev.err.msg);
	else if (fe->kind == PROCORE_UNUSABLE)
		unusable_kept(resp, fe->ct, &fe->pe, dup);
	else if (fe->kind == PROCORE_ECHO)
		echo_ignored(resp, "procore");
	else
		accepted(fe->sv, resp, fe->ct, "procore", fe->flow, &fe->pe, NULL, dup,
			 fe->ev.row.id);
	fast_free(fe);
	return HTTP_FAST_ANSWERED;
}

/* The writer's callback (its thread): back to the I/O thread. */
static void fast_written(struct mlc_intake_event *ev, void *arg)
{
	struct fast_event *fe = arg;

	MLC_UNUSED(ev);
	http_request_resume(fe->req, fast_answer, fe);
}

/* The stored row of a parsed event (what procore_once stores). */
static void fast_row(struct fast_event *fe, json_t *payload)
{
	fe->text = json_dumps(payload, JSON_COMPACT);
	fe->ev.row.tenant_id = fe->ct->t.id;
	fe->ev.row.source = "procore";
	fe->ev.row.event_key = fe->pe.key;
	fe->ev.row.payload = fe->text ? fe->text : "{}";
	fe->ev.row.state = fe->kind == PROCORE_UNUSABLE ? INBOX_UNUSABLE
			   : fe->kind == PROCORE_ECHO   ? INBOX_IGNORED
							: accepted_state(fe->flow);
	fe->ev.row.reason = fe->kind == PROCORE_UNUSABLE ? fe->pe.unusable : NULL;
	fe->ev.fingerprint = fe->ct->fingerprint;
}

static enum http_fast procore_fast(struct mlc_http_request *req, struct mlc_http_response *resp,
				   void *arg)
{
	struct mlc_serve *sv = arg;
	const char *name = http_request_param(req, "tenant");
	const char *given = http_request_header(req, "Authorization");
	struct mlc_intake_tenant *ct = name ? intake_tenant_peek(&sv->intake, name) : NULL;
	struct fast_event *fe;
	struct mlc_error err = {0};
	json_t *payload = NULL;

	MLC_UNUSED(resp);
	if (!ct)
		return HTTP_FAST_WORKER;
	if (ct->secret_rc[INTAKE_SECRET_PROCORE_AUTH] < 0 || !given ||
	    !str_eq_ct(given, ct->secret[INTAKE_SECRET_PROCORE_AUTH]->data)) {
		intake_tenant_put(&sv->intake, ct);
		return HTTP_FAST_WORKER;
	}
	fe = xcalloc(1, sizeof(*fe));
	fe->sv = sv;
	fe->req = req;
	fe->ct = ct;
	if (webhook_parse_procore(req->body, req->body_len, &fe->pe, &payload, &err) < 0) {
		fast_free(fe);
		return HTTP_FAST_WORKER;
	}
	fe->kind = procore_classify(ct, &fe->pe, &fe->flow);
	fast_row(fe, payload);
	json_decref(payload);
	/* deferred before the writer can call back */
	http_request_defer(req);
	if (intake_submit_async(&sv->intake, &fe->ev, fast_written, fe) < 0)
		http_request_resume(req, fast_to_worker, fe);
	return HTTP_FAST_DEFERRED;
}

int webhooks_register(struct mlc_serve *sv, struct mlc_error *err)
{
	int rc;

	rc = http_server_route(sv->http, "POST", "/webhooks/netsuite/{tenant}", netsuite_hook, sv);
	if (rc >= 0)
		rc = http_server_route_fast(sv->http, "POST", "/webhooks/procore/{tenant}",
					    procore_fast, sv, procore_hook, sv);
	if (rc < 0)
		return error_set(err, rc, "cannot register webhook routes");
	return MLC_OK;
}
