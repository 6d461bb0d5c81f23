/*
 * Procore simulator: lifecycle, the request gate (bearer token, rate
 * limits, platform throttling, Procore-Company-Id) and the
 * credentials.json / seed.json parts.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sandbox/contractor.h"
#include "sandbox/pcsim.h"
#include "util/buf.h"
#include "util/num.h"
#include "util/banned.h"

#define PC_DEFAULT_RATE "3600/h,100/10s"
#define PC_RATE_BODY                                                                               \
	"You have surpassed the max number of requests for an hour. Please wait until your limit " \
	"resets."

struct pc_route_arg {
	struct pcsim *pc;
	pc_handler fn;
	bool admin;
	const struct pc_param_rule *rule; /* NULL: no parameter checks */
};

static void add_header_i64(struct mlc_http_response *resp, const char *name, int64_t v)
{
	char s[32];
	snprintf(s, sizeof(s), "%" PRId64, v);
	http_response_header(resp, name, s);
}

/*
 * The gate every API call passes, in Procore's order: a valid bearer
 * token, then the rate limits (every call counts, failed ones included),
 * then platform throttling (pc:throttle), then the company header.
 * Returns true when the handler may run; otherwise resp is answered.
 */
static bool gate(struct pcsim *pc, struct pc_ctx *c)
{
	const char *hdr;
	int64_t limit, remaining, reset, now_s, company;
	bool ok;
	struct mlc_error err;
	json_t *co;

	switch (pc_token_check(pc, c->req)) {
	case PC_TOKEN_OK:
		break;
	case PC_TOKEN_EXPIRED:
		http_response_header(c->resp, "WWW-Authenticate",
				     "Bearer realm=\"Doorkeeper\", error=\"invalid_token\", "
				     "error_description=\"The access token expired\"");
		pc_reply_errors(c, 401, "The access token expired");
		return false;
	default:
		http_response_header(c->resp, "WWW-Authenticate",
				     "Bearer realm=\"Doorkeeper\", error=\"invalid_token\", "
				     "error_description=\"The access token is invalid\"");
		pc_reply_errors(c, 401, "The access token is invalid");
		return false;
	}
	now_s = sbx_clock_now(pc->clock) / 1000;
	{
		/* the server's clock, on which X-Rate-Limit-Reset is counted */
		char date[64];
		time_t t = (time_t)now_s;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		http_response_header(c->resp, "Date", date);
	}
	ok = pc_rate_take(&pc->rate, now_s, &limit, &remaining, &reset);
	add_header_i64(c->resp, "X-Rate-Limit-Limit", limit);
	add_header_i64(c->resp, "X-Rate-Limit-Remaining", remaining);
	add_header_i64(c->resp, "X-Rate-Limit-Reset", reset);
	if (!ok) {
		/* Docs disagree on Retry-After with 429: both happen. */
		if (sbx_random(pc->sim) < 0.5)
			add_header_i64(c->resp, "Retry-After", reset > now_s ? reset - now_s : 1);
		sbx_count_429(pc->sim);
		http_response_text(c->resp, 429, "text/plain; charset=utf-8", PC_RATE_BODY);
		return false;
	}
	if (pc->sim->faults.throttle > 0 && sbx_random(pc->sim) < pc->sim->faults.throttle) {
		add_header_i64(c->resp, "Retry-After", 1 + (int64_t)(sbx_random(pc->sim) * 3));
		http_response_text(c->resp, 503, "text/html",
				   "<html><body><h1>503 Service Unavailable</h1>"
				   "No server is available to handle this request."
				   "</body></html>");
		return false;
	}
	hdr = http_request_header(c->req, "Procore-Company-Id");
	if (!hdr || !*hdr) {
		pc_reply_errors(c, 400, "Missing Procore-Company-Id header!");
		return false;
	}
	co = num_parse_id(hdr, &company, &err) == 0 ? pc_get(pc, PC_COMPANY, company) : NULL;
	if (!co || !json_is_true(json_object_get(co, "_installed"))) {
		pc_reply_errors(c, 403, "You do not have access to this company.");
		return false;
	}
	c->company_id = company;
	hdr = http_request_query(c->req, "company_id");
	if (hdr && (num_parse_id(hdr, &company, &err) != 0 || company != c->company_id)) {
		pc_reply_errors(c, 403, "You do not have access to this company.");
		return false;
	}
	return true;
}

static void dispatch(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct pc_route_arg *ra = arg;
	struct pcsim *pc = ra->pc;
	struct pc_ctx c = {.pc = pc, .req = req, .resp = resp, .via_api = !ra->admin};
	bool logged = !ra->admin; /* API requests past the gate go to the request log */

	pthread_mutex_lock(&pc->lock);
	if (ra->admin) {
		c.company_id = pc->company_id;
	} else if (!gate(pc, &c)) {
		logged = false;
		goto out;
	}
	if (req->body_len) {
		struct mlc_error err;
		c.body = http_request_json(req, &err);
		if (!c.body || !json_is_object(c.body)) {
			pc_reply_errors(&c, 400, "The request body is not a valid JSON object.");
			goto out;
		}
	}
	if (!ra->admin && pc->sb && sandbox_misfits_pc_denied(&pc->sb->misfits, req->path))
		/* --misfits pc:deny=TOOL: the 403 of the endpoint files
		 * (docs/reference/procore/endpoints/RestV10CommitmentsGet.json) */
		pc_reply_errors(&c, 403, "User does not have correct permissions.");
	else if (pc_params_check(&c, ra->rule))
		ra->fn(&c);
out:
	if (logged)
		pc_reqlog_add(pc, &c);
	pthread_mutex_unlock(&pc->lock);
	json_decref(c.body);
}

/* Registers through the frame when it owns this server, so that its
 * counters know the route even for requests answered before routing. */
static int reg(struct pcsim *pc, struct mlc_http_server *http, const char *method,
	       const char *pattern, mlc_http_handler fn, void *arg)
{
	if (pc->sim->http == http)
		return sbx_route(pc->sim, method, pattern, fn, arg);
	return http_server_route(http, method, pattern, fn, arg);
}

static int add_route(struct pcsim *pc, struct mlc_http_server *http, const char *method,
		     const char *pattern, pc_handler fn, bool admin, struct mlc_error *err)
{
	struct pc_route_arg *ra = xcalloc(1, sizeof(*ra));
	ra->pc = pc;
	ra->fn = fn;
	ra->admin = admin;
	ra->rule = admin ? NULL : pc_param_rule_find(method, pattern);
	if (!admin)
		json_array_append_new(pc->api_routes, json_sprintf("%s %s", method, pattern));
	pc->route_args = xrealloc(pc->route_args, (pc->nroute_args + 1) * sizeof(*pc->route_args));
	pc->route_args[pc->nroute_args++] = ra;
	if (reg(pc, http, method, pattern, dispatch, ra))
		return error_set(err, MLC_EINVAL, "procore: cannot register %s %s", method,
				 pattern);
	return 0;
}

int pc_route(struct pcsim *pc, struct mlc_http_server *http, const char *method,
	     const char *pattern, pc_handler fn, struct mlc_error *err)
{
	return add_route(pc, http, method, pattern, fn, false, err);
}

int pc_route_admin(struct pcsim *pc, struct mlc_http_server *http, const char *method,
		   const char *pattern, pc_handler fn, struct mlc_error *err)
{
	return add_route(pc, http, method, pattern, fn, true, err);
}

int pc_routes_add(struct pcsim *pc, struct mlc_http_server *http, const struct pc_route_def *defs,
		  size_t n, bool admin, struct mlc_error *err)
{
	for (size_t i = 0; i < n; i++) {
		int rc =
		    add_route(pc, http, defs[i].method, defs[i].pattern, defs[i].fn, admin, err);
		if (rc)
			return rc;
	}
	return 0;
}

static void token_info(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct pcsim *pc = arg;
	const char *auth = http_request_header(req, "Authorization");
	json_t *exp;
	int64_t now;

	pthread_mutex_lock(&pc->lock);
	now = sbx_clock_now(pc->clock);
	exp = (auth && strncmp(auth, "Bearer ", 7) == 0) ? json_object_get(pc->tokens, auth + 7)
							 : NULL;
	if (!exp || json_integer_value(exp) <= now) {
		pthread_mutex_unlock(&pc->lock);
		http_response_json(resp, 401,
				   json_pack("{s:s,s:s}", "error", "invalid_token",
					     "error_description", "The access token is invalid"));
		return;
	}
	http_response_json(
	    resp, 200,
	    json_pack(
		"{s:I,s:[],s:I,s:{s:s},s:I}", "resource_owner_id", (json_int_t)pc->service_user_id,
		"scope", "expires_in_seconds", (json_int_t)((json_integer_value(exp) - now) / 1000),
		"application", "uid", pc->client_id, "created_at",
		(json_int_t)((json_integer_value(exp) - (int64_t)pc->token_ttl * 1000) / 1000)));
	pthread_mutex_unlock(&pc->lock);
}

static void token_revoke(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct pcsim *pc = arg;
	struct mlc_error err;
	json_t *in = http_request_json(req, &err);
	const char *tok = json_string_value(json_object_get(in, "token"));

	pthread_mutex_lock(&pc->lock);
	if (tok)
		json_object_del(pc->tokens, tok);
	pthread_mutex_unlock(&pc->lock);
	json_decref(in);
	http_response_json(resp, 200, json_object());
}

static void companies_list(struct pc_ctx *c)
{
	json_t *items = json_array(), *co;
	size_t i;
	/* A DMSA token sees the companies where the app is installed. */
	json_array_foreach (c->pc->t[PC_COMPANY].rows, i, co) {
		if (json_is_true(json_object_get(co, "_installed")))
			json_array_append_new(items, pc_public(co));
	}
	pc_reply_page(c, items);
}

static void describe(struct pcsim *pc, json_t *credentials, json_t *seed)
{
	json_t *projects = json_array(), *lits = json_array(), *p;
	size_t i, nvendors = 0, ncc = 0;

	json_object_set_new(credentials, "procore",
			    json_pack("{s:s,s:s,s:I,s:I}", "client_id", pc->client_id,
				      "client_secret", pc->client_secret, "company_id",
				      (json_int_t)pc->company_id, "service_user_id",
				      (json_int_t)pc->service_user_id));
	json_array_foreach (pc->t[PC_PROJECT].rows, i, p) {
		if (pc_int(p, "_company_id") != pc->company_id)
			continue;
		json_array_append_new(
		    projects, json_pack("{s:I,s:O,s:O,s:I}", "id", (json_int_t)pc_int(p, "id"),
					"project_number", json_object_get(p, "project_number"),
					"name", json_object_get(p, "name"), "prime_contract_id",
					(json_int_t)pc_int(p, "_prime_contract_id")));
	}
	json_array_foreach (pc->t[PC_LIT].rows, i, p) {
		if (pc_int(p, "_company_id") == pc->company_id)
			json_array_append_new(lits, json_pack("{s:I,s:O,s:O}", "id",
							      (json_int_t)pc_int(p, "id"), "code",
							      json_object_get(p, "code"), "name",
							      json_object_get(p, "name")));
	}
	json_array_foreach (pc->t[PC_VENDOR].rows, i, p) {
		if (pc_int(p, "_company_id") == pc->company_id)
			nvendors++;
	}
	json_array_foreach (pc->t[PC_COST_CODE].rows, i, p) {
		if (pc_int(p, "_company_id") == pc->company_id && json_object_get(p, "parent") &&
		    !json_is_null(json_object_get(p, "parent")))
			ncc++;
	}
	json_object_set_new(seed, "procore_company_id", json_integer(pc->company_id));
	json_object_set_new(seed, "procore_projects", projects);
	json_object_set_new(seed, "procore_line_item_types", lits);
	json_object_set_new(seed, "procore_cost_codes", json_integer((json_int_t)ncc));
	json_object_set_new(seed, "procore_vendors", json_integer((json_int_t)nvendors));
	json_object_set_new(seed, "procore_budget_view_id",
			    json_integer(pc_int(json_array_get(pc->t[PC_BVIEW].rows, 0), "id")));
}

/* --misfits pc:foreign-origin: another integration owns the first
 * company vendor and the first purchase order contract of each project
 * (an origin_id not of the connector's "ns:..." forms).  Applied on every
 * start, so it holds over a saved state too. */
static void foreign_origins(struct pcsim *pc)
{
	json_t *r, *done = json_object();
	size_t i;
	char key[32];

	json_array_foreach (pc->t[PC_VENDOR].rows, i, r) {
		if (pc_int(r, "_company_id") != pc->company_id)
			continue;
		json_object_set_new(r, "origin_id",
				    json_sprintf("sage:V-%lld", (long long)pc_int(r, "id")));
		break;
	}
	json_array_foreach (pc->t[PC_PO].rows, i, r) {
		if (pc_int(r, "_company_id") != pc->company_id)
			continue;
		snprintf(key, sizeof(key), "%lld", (long long)pc_int(r, "_project_id"));
		if (json_object_get(done, key))
			continue;
		json_object_set_new(done, key, json_true());
		json_object_set_new(r, "origin_id",
				    json_sprintf("sage:PO-%lld", (long long)pc_int(r, "id")));
	}
	json_decref(done);
}

static int routes(struct pcsim *pc, struct mlc_http_server *http, struct mlc_error *err)
{
	int rc;

	if (reg(pc, http, "POST", "/oauth/token", pc_handle_token, pc) ||
	    reg(pc, http, "GET", "/oauth/token/info", token_info, pc) ||
	    reg(pc, http, "POST", "/oauth/revoke", token_revoke, pc))
		return error_set(err, MLC_EINVAL, "procore: cannot register the oauth routes");
	rc = pc_route(pc, http, "GET", "/rest/v1.0/companies", companies_list, err);
	if (!rc)
		rc = pc_routes_directory(pc, http, err);
	if (!rc)
		rc = pc_routes_standard(pc, http, err);
	if (!rc)
		rc = pc_routes_contracts(pc, http, err);
	if (!rc)
		rc = pc_routes_change_orders(pc, http, err);
	if (!rc)
		rc = pc_routes_requisitions(pc, http, err);
	if (!rc)
		rc = pc_routes_costs(pc, http, err);
	if (!rc)
		rc = pc_routes_prime(pc, http, err);
	if (!rc)
		rc = pc_routes_webhooks(pc, http, err);
	if (!rc)
		rc = pc_routes_admin(pc, http, err);
	if (!rc)
		rc = pc_routes_reqlog(pc, http, err);
	return rc;
}

int pcsim_new(struct mlc_sandbox *sb, struct mlc_http_server *http, json_t *credentials,
	      json_t *seed, struct pcsim **out, struct mlc_error *err)
{
	struct pcsim *pc = xcalloc(1, sizeof(*pc));
	uint64_t s;
	int rc;

	*out = NULL;
	pc->sb = sb;
	pc->sim = &sb->pc;
	pc->clock = &sb->clock;
	pthread_mutex_init(&pc->lock, NULL);
	pc->rng = (sb->opts.seed ? sb->opts.seed : 1) * 0x9E3779B97F4A7C15ULL + 0x5043;
	pc->token_ttl = sb->opts.pc_token_ttl > 0 ? sb->opts.pc_token_ttl : 5400;
	pc->tokens = json_object();
	pc->reqlog = json_array();
	pc->reqlog_sizes = json_array();
	pc->api_routes = json_array();
	pc_tables_init(pc);
	rc = pc_rate_parse(sb->opts.pc_rate ? sb->opts.pc_rate : PC_DEFAULT_RATE, &pc->rate, err);
	if (rc)
		goto out;
	s = pc->rng;
	snprintf(pc->client_id, sizeof(pc->client_id), "pcsim-%016" PRIx64, contractor_rand(&s));
	snprintf(pc->client_secret, sizeof(pc->client_secret), "%016" PRIx64 "%016" PRIx64,
		 contractor_rand(&s), contractor_rand(&s));
	pc->rng = s;
	pc->service_user_id = 11620993;
	pc->field_user_id = 11620417;
	if (sb->data_dir) {
		struct mlc_buf b = MLC_BUF_INIT;
		buf_addf(&b, "%s/procore.db", sb->data_dir);
		pc->state_path = buf_detach(&b, NULL);
	}
	if (!pc_state_load(pc))
		pc_seed(pc, sb->opts.seed ? sb->opts.seed : 1,
			sb->opts.scale > 0 ? sb->opts.scale : 1);
	if (sb->misfits.pc_foreign_origin)
		foreign_origins(pc);
	rc = routes(pc, http, err);
	if (rc)
		goto out;
	rc = pc_webhooks_start(pc, err);
	if (rc)
		goto out;
	if (credentials && seed)
		describe(pc, credentials, seed);
	*out = pc;
	pc = NULL;
out:
	pcsim_free(pc);
	return rc;
}

void pcsim_free(struct pcsim *pc)
{
	if (!pc)
		return;
	pc_webhooks_stop(pc);
	if (pc->state_path && pc->t[0].rows && pc_state_save(pc) != 0)
		fprintf(stderr, "procore: cannot write %s\n", pc->state_path);
	pc_tables_release(pc);
	json_decref(pc->tokens);
	json_decref(pc->reqlog);
	json_decref(pc->reqlog_sizes);
	json_decref(pc->api_routes);
	for (size_t i = 0; i < pc->nroute_args; i++)
		free(pc->route_args[i]);
	free(pc->route_args);
	free(pc->state_path);
	pthread_mutex_destroy(&pc->lock);
	free(pc);
}
