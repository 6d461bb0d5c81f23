#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "sandbox/contractor.h"
#include "sandbox/nssim.h"
#include "util/log.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

/*
 * The NetSuite simulator: lifecycle, HTTP routes on the real paths, the
 * bearer check (401 INVALID_LOGIN), the concurrency 429 shape, and event
 * pushes (docs/reference/netsuite.md "Outbound events": fire-and-forget POSTs from
 * 127.0.0.1 with a shared secret header).
 */

#define NS_ACCOUNT_ID "4701234_SB1"

int64_t nssim_now_ms(struct nssim *ns)
{
	return ns->sb ? sbx_clock_now(&ns->sb->clock) : time_now_ms() + ns->clock_offset_ms;
}

/* ---- lifecycle ---- */

static void hex_digest(const char *text, char *out, size_t n)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	size_t k = 0;

	SHA256((const unsigned char *)text, strlen(text), md);
	for (size_t i = 0; i < sizeof(md) && k + 3 <= n; i++, k += 2)
		snprintf(out + k, 3, "%02x", md[i]);
}

int nssim_core_new(const struct nssim_config *cfg, struct mlc_sandbox *sb, struct nssim **out,
		   struct mlc_error *err)
{
	struct nssim *ns = xcalloc(1, sizeof(*ns));
	char path[4096], seedtxt[64];
	bool fresh;
	int rc;

	*out = NULL;
	ns->sb = sb;
	ns->cfg = *cfg;
	if (ns->cfg.scale < 1)
		ns->cfg.scale = 1;
	if (ns->cfg.token_ttl <= 0)
		ns->cfg.token_ttl = 3600;
	ns->data_dir = xstrdup(cfg->data_dir);
	ns->cfg.data_dir = ns->data_dir;
	ns->push_url = str_dup_or_null(cfg->push_url);
	ns->push_secret = str_dup_or_null(cfg->push_secret);
	pthread_mutex_init(&ns->db_lock, NULL);
	pthread_mutex_init(&ns->push_lock, NULL);
	pthread_cond_init(&ns->push_cond, NULL);
	snprintf(ns->account_id, sizeof(ns->account_id), "%s", NS_ACCOUNT_ID);
	snprintf(seedtxt, sizeof(seedtxt), "mlc-netsuite-client-%llu",
		 (unsigned long long)cfg->seed);
	hex_digest(seedtxt, ns->client_id, sizeof(ns->client_id));

	snprintf(path, sizeof(path), "%s/netsuite.db", ns->data_dir);
	fresh = access(path, F_OK) != 0;
	if (sqlite3_open_v2(path, &ns->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
			    NULL) != SQLITE_OK) {
		rc = error_set(err, MLC_ESTORE, "%s: %s", path,
			       ns->db ? sqlite3_errmsg(ns->db) : "cannot open");
		goto out;
	}
	sqlite3_busy_timeout(ns->db, 10000);
	rc = nsdb_exec(ns->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL", err);
	if (rc < 0)
		goto out;
	rc = nsasync_create_table(ns->db, err);
	if (rc < 0)
		goto out;
	if (suiteql_register(ns->db) < 0) {
		rc = error_set(err, MLC_ESTORE, "cannot register SuiteQL functions");
		goto out;
	}
	rc = nsjwt_load_keys(ns, err);
	if (rc < 0)
		goto out;
	if (fresh) {
		rc = nsdb_create(ns->db, err);
		if (rc >= 0)
			rc = nsdb_seed(ns, err);
	}
	if (rc < 0) {
		/* A half-seeded database must not be mistaken for a good one. */
		sqlite3_close(ns->db);
		ns->db = NULL;
		unlink(path);
		goto out;
	}
	/* a misfit of this start, whatever the database was seeded with */
	if (!nsdb_push_script_deployed())
		nsdb_run(ns->db, "DELETE FROM scriptdeployment; DELETE FROM script");
	if (ns->push_url) {
		if (!ns->push_secret) {
			char s[80];
			hex_digest(ns->client_id, s, 41);
			ns->push_secret = xstrdup(s);
		}
		nssim_push_start(ns);
	}
	*out = ns;
	ns = NULL;
	rc = MLC_OK;
out:
	nssim_free(ns);
	return rc;
}

void nssim_free(struct nssim *ns)
{
	if (!ns)
		return;
	nssim_push_stop(ns);
	sqlite3_close(ns->db);
	nsjwt_free_keys(ns);
	pthread_mutex_destroy(&ns->db_lock);
	pthread_mutex_destroy(&ns->push_lock);
	pthread_cond_destroy(&ns->push_cond);
	free(ns->data_dir);
	free(ns->push_url);
	free(ns->push_secret);
	free(ns);
}

/* ---- HTTP ---- */

static void base_url(const struct mlc_http_request *req, char *out, size_t n)
{
	const char *host = http_request_header(req, "Host");

	snprintf(out, n, "http://%s", host ? host : "127.0.0.1");
}

static void send_result(struct mlc_http_response *resp, struct ns_result *r, const char *base)
{
	if (r->location[0]) {
		char loc[512];
		snprintf(loc, sizeof(loc), "%s%s", base, r->location);
		http_response_header(resp, "Location", loc);
	}
	if (r->status == 204) {
		http_response_text(resp, 204, "application/json", "");
		json_decref(r->body);
	} else {
		http_response_json(resp, r->status, r->body);
	}
	r->body = NULL;
}

static bool authorized(struct nssim *ns, struct mlc_http_request *req,
		       struct mlc_http_response *resp)
{
	if (nsjwt_bearer_ok(ns, http_request_header(req, "Authorization")) == 0)
		return true;
	http_response_json(
	    resp, 401,
	    nserr_body(401, "INVALID_LOGIN", NULL,
		       "Invalid login attempt. For more details, see the Login Audit "
		       "Trail in the NetSuite UI at Setup > Users/Roles > User "
		       "Management > View Login Audit Trail."));
	return false;
}

static void over_limit(struct mlc_http_response *resp)
{
	http_response_json(resp, 429,
			   nserr_body(429, "CONCURRENCY_LIMIT_EXCEEDED", NULL,
				      "Concurrent request limit exceeded. Request blocked."));
}

static void h_token(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct nssim *ns = arg;
	char base[300], url[400], detail[256];
	const char *error = NULL;
	char *token = NULL;
	int status;

	if (ns->sim)
		sbx_count_token(ns->sim);
	base_url(req, base, sizeof(base));
	snprintf(url, sizeof(url), "%s/services/rest/auth/oauth2/v1/token", base);
	status = nsjwt_token_request(ns, req->body, url, &token, &error, detail, sizeof(detail));
	if (status) {
		log_info("netsuite token refused", "error", error, "reason", detail);
		http_response_json(resp, status, json_pack("{s:s}", "error", error));
		return;
	}
	http_response_json(resp, 200,
			   json_pack("{s:s,s:i,s:s}", "access_token", token, "expires_in",
				     ns->cfg.token_ttl, "token_type", "bearer"));
	free(token);
}

static void h_suiteql(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct nssim *ns = arg;
	struct ns_result r = {0};
	struct mlc_error err;
	const char *prefer = http_request_header(req, "Prefer");
	char base[300];
	json_t *body;

	if (!authorized(ns, req, resp))
		return;
	base_url(req, base, sizeof(base));
	if (!prefer || !strstr(prefer, "transient")) {
		http_response_json(resp, 400,
				   nserr_body(400, "INVALID_HEADER", NULL,
					      "The request header 'Prefer: transient' is required "
					      "for SuiteQL queries."));
		return;
	}
	body = http_request_json(req, &err);
	suiteql_run(ns, json_string_value(json_object_get(body, "q")),
		    http_request_query(req, "limit"), http_request_query(req, "offset"), base, &r);
	json_decref(body);
	send_result(resp, &r, base);
}

static bool type_ok(struct nssim *ns, const char *type, struct mlc_http_response *resp)
{
	MLC_UNUSED(ns);
	if (type && nsrec_known_type(type))
		return true;
	http_response_json(resp, 404,
			   nserr_body(404, "INVALID_RCRD_TYPE", NULL,
				      "Record type '%s' does not exist.", type ? type : ""));
	return false;
}

/* Prefer: respond-async (docs/reference/netsuite.md "Async"): 202 + the job's Location. */
static void write_async(struct nssim *ns, struct mlc_http_request *req,
			struct mlc_http_response *resp, const char *type, const char *id,
			const json_t *body, const char *base)
{
	const char *key = http_request_header(req, "X-NetSuite-Idempotency-Key");
	struct ns_result r = {0};
	char loc[400];
	int64_t job;

	if (nsasync_key_used(ns, key, &r)) {
		send_result(resp, &r, base);
		return;
	}
	nsrec_write_as(ns, &nssim_actor_rest, type, id, strcmp(req->method, "PUT") == 0, body,
		       http_request_query(req, "replace"), &r);
	job = nsasync_record(ns, key, &r);
	ns_result_release(&r);
	snprintf(loc, sizeof(loc), "%s/services/rest/async/v1/job/%lld", base, (long long)job);
	http_response_header(resp, "Location", loc);
	http_response_header(resp, "Preference-Applied", "respond-async");
	http_response_text(resp, 202, "application/json", "");
}

static void h_record(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct nssim *ns = arg;
	struct ns_result r = {0};
	const char *type = http_request_param(req, "type");
	const char *id = http_request_param(req, "id");
	const char *target = http_request_param(req, "target");
	const char *prefer = http_request_header(req, "Prefer");
	char base[300], transform[256];

	if (!authorized(ns, req, resp) || !type_ok(ns, type, resp))
		return;
	base_url(req, base, sizeof(base));
	if (strcmp(req->method, "GET") == 0) {
		const char *ex = http_request_query(req, "expandSubResources");
		if (id)
			nsrec_get(ns, type, id, ex && strcmp(ex, "true") == 0, base, &r);
		else
			nsrec_list(ns, type, http_request_query(req, "q"),
				   http_request_query(req, "limit"),
				   http_request_query(req, "offset"), base, &r);
	} else {
		struct mlc_error err;
		json_t *body = req->body_len ? http_request_json(req, &err) : json_object();
		if (!body) {
			http_response_json(
			    resp, 400,
			    nserr_body(400, "INVALID_CONTENT", NULL,
				       "Error while accessing a resource. The request "
				       "body is not valid JSON: %s",
				       err.msg));
			return;
		}
		if (target) {
			snprintf(transform, sizeof(transform), "%s/!transform/%s", id, target);
			id = transform;
		}
		if (prefer && strstr(prefer, "respond-async")) {
			write_async(ns, req, resp, type, id, body, base);
			json_decref(body);
			return;
		}
		nsrec_write_as(ns, &nssim_actor_rest, type, id, strcmp(req->method, "PUT") == 0,
			       body, http_request_query(req, "replace"), &r);
		json_decref(body);
	}
	send_result(resp, &r, base);
}

static void h_async(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct nssim *ns = arg;
	struct ns_result r = {0};
	const char *task = http_request_param(req, "task");
	char base[300], loc[256];

	if (!authorized(ns, req, resp))
		return;
	base_url(req, base, sizeof(base));
	nsasync_get(ns, http_request_param(req, "job"), task, task != NULL, base, &r, loc,
		    sizeof(loc));
	snprintf(r.location, sizeof(r.location), "%s", loc);
	send_result(resp, &r, base);
}

/* GET /record/v1/<type>/<id>/<sublist>: one sublist, expanded. */
static void h_sublist(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct nssim *ns = arg;
	struct ns_result r = {0};
	const char *type = http_request_param(req, "type");
	const char *sub = http_request_param(req, "sublist");
	char base[300];
	json_t *sl;

	if (!authorized(ns, req, resp) || !type_ok(ns, type, resp))
		return;
	base_url(req, base, sizeof(base));
	nsrec_get(ns, type, http_request_param(req, "id"), true, base, &r);
	if (r.status == 200) {
		sl = json_object_get(r.body, sub);
		if (!json_is_object(sl) || !json_object_get(sl, "items")) {
			ns_result_error(&r, 404, "NONEXISTENT_ID", NULL,
					"The sublist '%s' does not exist on this record.", sub);
		} else {
			json_incref(sl);
			json_decref(r.body);
			r.body = sl;
		}
	}
	send_result(resp, &r, base);
}

static void h_governance(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct nssim *ns = arg;
	int limit = ns->sb ? ns->sb->opts.ns_concurrency : 5;

	if (!authorized(ns, req, resp))
		return;
	http_response_json(resp, 200,
			   json_pack("{s:i,s:i}", "accountConcurrencyLimit", limit,
				     "integrationConcurrencyLimit", limit));
}

/* seed.json parts: jobs with their dimensions by project number (paired
 * with Procore in sandbox.c), and the GL accounts a tenant maps to. */
static void describe_seed(struct nssim *ns, json_t *seed)
{
	const struct contractor_project *p = contractor_projects(&(size_t){0});
	size_t nct;
	const struct contractor_cost_type *ct = contractor_cost_types(&nct);
	json_t *jobs = json_object(), *exp = json_object();

	for (size_t i = 0; i < CONTRACTOR_PROJECTS; i++)
		json_object_set_new(
		    jobs, p[i].number,
		    json_pack(
			"{s:I,s:I,s:I,s:I,s:I}", "netsuite_job_id",
			(json_int_t)nsdb_int(ns->db, "SELECT id FROM job WHERE entityid = ?",
					     p[i].number, 0),
			"subsidiary_id", (json_int_t)1, "department_id",
			(json_int_t)nsdb_int(ns->db, "SELECT id FROM department WHERE name = ?",
					     p[i].department, 0),
			"class_id",
			(json_int_t)nsdb_int(ns->db, "SELECT id FROM classification WHERE name = ?",
					     p[i].class_name, 0),
			"location_id",
			(json_int_t)nsdb_int(ns->db, "SELECT id FROM location WHERE name = ?",
					     p[i].location, 0)));
	for (size_t i = 0; i < nct; i++)
		json_object_set_new(
		    exp, ct[i].code,
		    json_pack("{s:I,s:s,s:s}", "account_id",
			      (json_int_t)nsdb_int(ns->db,
						   "SELECT id FROM account WHERE acctnumber = ?",
						   ct[i].account_number, 0),
			      "account_number", ct[i].account_number, "cost_type", ct[i].name));
	{
		/* the cost-code segment value of every contractor code, for the
		 * ready-to-import mapping files */
		size_t ncc;
		const struct contractor_cost_code *cc = contractor_cost_codes(&ncc);
		json_t *segs = json_object();
		char q[96];
		snprintf(q, sizeof(q), "SELECT id FROM \"%s\" WHERE externalid = ?",
			 nsdb_seg_table);
		/* an account without the segment has no values to map */
		for (size_t i = 0; nsdb_seg_present && i < ncc; i++)
			json_object_set_new(segs, cc[i].code,
					    json_integer(nsdb_int(ns->db, q, cc[i].code, 0)));
		json_object_set_new(seed, "netsuite_cost_code_segments", segs);
		json_object_set_new(seed, "netsuite_cost_code_segment",
				    nsdb_seg_present ? json_string(nsdb_seg_field) : json_null());
		json_object_set_new(
		    seed, "netsuite_receivable_account_id",
		    json_integer(nsdb_int(ns->db, "SELECT id FROM account WHERE acctnumber = ?",
					  "1200", 0)));
		json_object_set_new(
		    seed, "netsuite_retainage_receivable_account_id",
		    json_integer(nsdb_int(ns->db, "SELECT id FROM account WHERE acctnumber = ?",
					  "1250", 0)));
		json_object_set_new(
		    seed, "netsuite_revenue_account_id",
		    json_integer(nsdb_int(ns->db, "SELECT id FROM account WHERE acctnumber = ?",
					  "4000", 0)));
	}
	json_object_set_new(seed, "netsuite_jobs", jobs);
	json_object_set_new(
	    seed, "gl",
	    json_pack("{s:I,s:s,s:I,s:I,s:o}", "offset_account_id",
		      (json_int_t)nsdb_int(ns->db, "SELECT id FROM account WHERE acctnumber = ?",
					   "2050", 0),
		      "offset_account_number", "2050", "ap_account_id",
		      (json_int_t)nsdb_int(ns->db, "SELECT id FROM account WHERE acctnumber = ?",
					   "2000", 0),
		      "retainage_payable_account_id",
		      (json_int_t)nsdb_int(ns->db, "SELECT id FROM account WHERE acctnumber = ?",
					   "2100", 0),
		      "expense_accounts", exp));
	json_object_set_new(seed, "netsuite_subsidiary_id", json_integer(1));
	json_object_set_new(
	    seed, "netsuite_closed_period_id",
	    json_integer(nsdb_int(ns->db,
				  "SELECT MIN(id) FROM accountingperiod WHERE closed = 'T' "
				  "AND isposting = 'T'",
				  NULL, 0)));
}

int nssim_new(struct mlc_sandbox *sb, struct mlc_http_server *http, json_t *credentials,
	      json_t *seed, struct nssim **out, struct mlc_error *err)
{
	struct nssim_config cfg = {
	    .data_dir = sb->data_dir,
	    .seed = sb->opts.seed,
	    .scale = sb->opts.scale,
	    .token_ttl = sb->opts.ns_token_ttl,
	    .push_url = sb->opts.push_url,
	    .push_secret = sb->opts.push_secret,
	};
	static const char *const rec = "/services/rest/record/v1/{type}";
	struct nssim *ns = NULL;
	char p[200];
	int rc;

	*out = NULL;
	rc = nssim_core_new(&cfg, sb, &ns, err);
	if (rc < 0)
		return rc;
	ns->sim = &sb->ns;
	sb->ns.limit_in_flight = sb->opts.ns_concurrency > 0 ? sb->opts.ns_concurrency : 5;
	sb->ns.over_limit = over_limit;
	sb->ns.api_prefix = "/services/";
	snprintf(p, sizeof(p), "%s/{id}", rec);
	const struct {
		const char *method, *pattern;
		mlc_http_handler fn;
	} routes[] = {
	    {"POST", "/services/rest/auth/oauth2/v1/token", h_token},
	    {"POST", "/services/rest/query/v1/suiteql", h_suiteql},
	    {"GET", "/services/rest/system/v1/governanceLimits", h_governance},
	    {"GET", rec, h_record},
	    {"POST", rec, h_record},
	    {"GET", p, h_record},
	    {"PATCH", p, h_record},
	    {"PUT", p, h_record},
	    {"POST", "/services/rest/record/v1/{type}/{id}/!transform/{target}", h_record},
	    {"GET", "/services/rest/record/v1/{type}/{id}/{sublist}", h_sublist},
	    {"GET", "/services/rest/async/v1/job/{job}", h_async},
	    {"GET", "/services/rest/async/v1/job/{job}/task/{task}/result", h_async},
	};
	rc = MLC_OK;
	for (size_t i = 0; i < MLC_ARRAY_LEN(routes) && rc >= 0; i++)
		rc = sbx_route(&sb->ns, routes[i].method, routes[i].pattern, routes[i].fn, ns);
	if (rc >= 0)
		rc = nssim_admin_routes(ns, http, err);
	if (rc < 0) {
		if (!err || !err->msg[0])
			error_set(err, rc, "cannot register the NetSuite routes");
		nssim_free(ns);
		return rc;
	}
	{
		json_t *certs = json_array();
		for (int i = 0; i < NSSIM_CERTS; i++)
			json_array_append_new(certs,
					      json_pack("{s:s,s:s,s:s,s:s}", "certificate_id",
							ns->certs[i].kid, "key_type",
							i == 0 ? "RSA-3072" : "EC-P256",
							"algorithm", i == 0 ? "PS256" : "ES256",
							"private_key_path", ns->certs[i].key_path));
		json_object_set_new(credentials, "netsuite",
				    json_pack("{s:s,s:s,s:o,s:s*,s:i}", "account_id",
					      ns->account_id, "client_id", ns->client_id,
					      "certificates", certs, "push_secret", ns->push_secret,
					      "integration_user_id", NSSIM_INTEGRATION_USER));
	}
	pthread_mutex_lock(&ns->db_lock);
	describe_seed(ns, seed);
	pthread_mutex_unlock(&ns->db_lock);
	*out = ns;
	return MLC_OK;
}
