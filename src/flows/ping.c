#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "auth/oauth.h"
#include "core/ping.h"
#include "core/project.h"
#include "net/http_client.h"
#include "util/buf.h"
#include "util/num.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

#define MAX_PROJECT_CHECKS 25

struct ping_run {
	const struct mlc_ping_opts *o;
	struct mlc_ping_report *r;
};

/* A response as the checks read it: status, JSON body, headers. */
struct reply {
	int status;
	json_t *json;
	struct mlc_http_resp resp;
};

/* The string value of key in o, or dflt. */
static const char *str_field(const json_t *o, const char *key, const char *dflt)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? v : dflt;
}

static void add_check(struct ping_run *p, const char *name, bool ok, bool required, const char *fmt,
                      ...) MLC_PRINTF(5, 6);

static void add_check(struct ping_run *p, const char *name, bool ok, bool required, const char *fmt,
                      ...)
{
	struct mlc_ping_report *r = p->r;
	struct mlc_ping_check *c;
	struct mlc_buf d = MLC_BUF_INIT;
	va_list ap;

	r->checks = xrealloc(r->checks, (r->n + 1) * sizeof(*r->checks));
	c = &r->checks[r->n++];
	va_start(ap, fmt);
	buf_vaddf(&d, fmt, ap);
	va_end(ap);
	c->name = xstrdup(name);
	c->ok = ok;
	c->required = required;
	c->detail = buf_detach(&d, NULL);
	if (!ok && required)
		r->ok = false;
}

/*
 * One call through an upstream whose auth hook adds the bearer token (the
 * client answers a 401 once by refreshing it).  Returns 0 when any HTTP
 * answer arrived (look at out->status), else the client's code with err.
 */
static int api_call(struct mlc_http_upstream *up, const char *method, const char *path,
                    const char *const *headers, const char *json_body, struct reply *out,
                    struct mlc_error *err)
{
	struct mlc_http_req req;
	int rc;

	memset(out, 0, sizeof(*out));
	http_resp_init(&out->resp);
	http_req_init(&req, method, path);
	http_req_header(&req, "Accept", "application/json");
	for (size_t i = 0; headers && headers[i]; i += 2)
		http_req_header(&req, headers[i], headers[i + 1]);
	if (json_body)
		http_req_body(&req, "application/json", json_body, strlen(json_body));
	/* a SuiteQL POST only reads */
	req.idempotent = MLC_HTTP_IDEM_YES;
	rc = http_upstream_send(up, &req, &out->resp, err);
	http_req_release(&req);
	out->status = out->resp.status;
	if (out->status == 0)
		return rc < 0 ? rc : MLC_ETRANSIENT;
	out->json = json_loadb(out->resp.body.data, out->resp.body.len, 0, NULL);
	return MLC_OK;
}

static void reply_release(struct reply *r)
{
	json_decref(r->json);
	http_resp_release(&r->resp);
	r->json = NULL;
}

/* The first detail of a NetSuite error body ("o:errorDetails"). */
static const char *ns_error_detail(const struct reply *r, const char **code)
{
	json_t *d = json_array_get(json_object_get(r->json, "o:errorDetails"), 0);
	const char *t = json_string_value(json_object_get(d, "detail"));

	*code = json_string_value(json_object_get(d, "o:errorCode"));
	if (!*code)
		*code = "";
	if (!t)
		t = json_string_value(json_object_get(r->json, "title"));
	return t ? t : "";
}

/* The message of a Procore error body, whatever its shape. */
static void pc_error_text(const struct reply *r, struct mlc_buf *out)
{
	json_t *e = json_object_get(r->json, "errors");
	const char *s = json_string_value(e);

	if (!s)
		s = json_string_value(json_object_get(r->json, "message"));
	if (!s)
		s = json_string_value(json_object_get(r->json, "error"));
	if (s)
		buf_addstr(out, s);
	else if (e) {
		char *t = json_dumps(e, JSON_COMPACT);
		buf_addstr(out, t ? t : "");
		free(t);
	}
}

static void ping_token(struct ping_run *p, struct mlc_oauth *a, const char *check, const char *what)
{
	struct mlc_buf tok = MLC_BUF_INIT;
	struct mlc_error err = {0};
	int64_t left;

	if (oauth_token(a, &tok, &err) < 0) {
		add_check(p, check, false, true, "%s", err.msg);
	} else {
		const char *alg = oauth_jwt_alg(a);
		int64_t now = p->o->clock ? p->o->clock(p->o->clock_arg) : time_now_ms();
		left = (token_cache_refresh_at(oauth_cache(a)) - now + 30000) / 60000;
		add_check(p, check, true, true,
		          "%s%s%s accepted; token cached, refreshed in %lld min", what,
		          alg ? " signed with " : "", alg ? alg : "", (long long)left);
	}
	buf_release_wipe(&tok);
}

static void ping_suiteql(struct ping_run *p, struct mlc_http_upstream *up)
{
	static const char *const hdrs[] = {"Prefer", "transient", NULL};
	struct mlc_buf names = MLC_BUF_INIT;
	struct reply r;
	struct mlc_error err = {0};
	const char *code, *detail;
	json_t *items, *it;
	json_int_t total;
	size_t i;

	if (api_call(up, "POST", "/services/rest/query/v1/suiteql?limit=10", hdrs,
	             "{\"q\":\"SELECT id, name FROM subsidiary\"}", &r, &err) < 0) {
		add_check(p, "netsuite.suiteql", false, true, "%s", err.msg);
		goto out;
	}
	detail = ns_error_detail(&r, &code);
	if (r.status == 200 && json_is_array(items = json_object_get(r.json, "items"))) {
		json_array_foreach(items, i, it)
		{
			if (i == 3) {
				buf_addstr(&names, ", ...");
				break;
			}
			buf_addf(&names, "%s%s (%s)", i ? ", " : "", str_field(it, "name", "?"),
			         str_field(it, "id", "?"));
		}
		total = json_integer_value(json_object_get(r.json, "totalResults"));
		if (total <= 0)
			total = (json_int_t)json_array_size(items);
		add_check(p, "netsuite.suiteql", true, true, "SuiteQL works: %lld subsidiar%s: %s",
		          (long long)total, total == 1 ? "y" : "ies", names.data);
	} else if (r.status == 401) {
		add_check(p, "netsuite.suiteql", false, true,
		          "NetSuite answered 401 %s to a fresh token: check that the integration "
		          "record allows the client credentials (M2M) grant and that the mapping's "
		          "role has the REST Web Services permission",
		          code);
	} else if (r.status == 403) {
		add_check(p, "netsuite.suiteql", false, true,
		          "NetSuite answered 403 to SuiteQL (%s): give the M2M mapping's role the "
		          "REST Web Services permission and read access to subsidiaries",
		          detail);
	} else if (r.status == 429) {
		add_check(p, "netsuite.suiteql", false, true,
		          "NetSuite answered 429 %s: the account's concurrency limit is used up by "
		          "other integrations; try again",
		          code);
	} else {
		add_check(p, "netsuite.suiteql", false, true,
		          "NetSuite answered %d to SuiteQL: %s%s%s", r.status, code,
		          *code ? ": " : "", detail);
	}
	reply_release(&r);
out:
	buf_release(&names);
}

static void ping_limits(struct ping_run *p, struct mlc_http_upstream *up)
{
	struct reply r;
	struct mlc_error err = {0};
	json_t *lim;

	if (api_call(up, "GET", "/services/rest/system/v1/governanceLimits", NULL, NULL, &r, &err) <
	    0) {
		add_check(p, "netsuite.limits", false, false, "%s", err.msg);
	} else {
		lim = json_object_get(r.json, "accountConcurrencyLimit");
		if (r.status == 200 && json_is_integer(lim))
			add_check(p, "netsuite.limits", true, false,
			          "account concurrency limit %lld (integration %lld)",
			          (long long)json_integer_value(lim),
			          (long long)json_integer_value(
			              json_object_get(r.json, "integrationConcurrencyLimit")));
		else
			add_check(p, "netsuite.limits", false, false,
			          "governance limits not readable (HTTP %d); the sync paces itself "
			          "by 429s instead",
			          r.status);
		reply_release(&r);
	}
}

/* " (rate limit: 3598 of 3600 left)" from Procore's headers. */
static void pc_headroom(const struct reply *r, struct mlc_buf *out)
{
	const char *rem = http_resp_header(&r->resp, "X-Rate-Limit-Remaining");
	const char *lim = http_resp_header(&r->resp, "X-Rate-Limit-Limit");

	if (rem && lim)
		buf_addf(out, " (rate limit: %s of %s left)", rem, lim);
}

static void ping_company(struct ping_run *p, struct mlc_http_upstream *up, const char *const *hdrs)
{
	const struct mlc_tenant *t = p->o->tenant;
	struct mlc_buf found = MLC_BUF_INIT, head = MLC_BUF_INIT;
	struct reply r;
	struct mlc_error err = {0};
	json_t *c, *mine = NULL;
	size_t i;

	if (api_call(up, "GET", "/rest/v1.0/companies", hdrs, NULL, &r, &err) < 0) {
		add_check(p, "procore.company", false, true, "%s", err.msg);
		goto out;
	}
	pc_headroom(&r, &head);
	if (r.status == 200 && json_is_array(r.json)) {
		json_array_foreach(r.json, i, c)
		{
			if (json_integer_value(json_object_get(c, "id")) == t->procore_company_id)
				mine = c;
			if (i < 5)
				buf_addf(&found, "%s%lld", i ? ", " : "",
				         (long long)json_integer_value(json_object_get(c, "id")));
		}
		if (mine)
			add_check(p, "procore.company", true, true, "company %lld \"%s\"%s",
			          (long long)t->procore_company_id, str_field(mine, "name", ""),
			          head.data);
		else
			add_check(
			    p, "procore.company", false, true,
			    "Procore company %lld is not among the companies where the app is "
			    "installed (%s): install the app there, or fix the tenant with "
			    "'ml-connector tenant set %s --procore-company ID'",
			    (long long)t->procore_company_id, found.len ? found.data : "none",
			    t->name);
	} else {
		buf_reset(&found);
		pc_error_text(&r, &found);
		add_check(p, "procore.company", false, true,
		          "Procore answered %d for company %lld: %s%s", r.status,
		          (long long)t->procore_company_id, found.data,
		          r.status == 403 ? " (the app is not installed in that company, or the "
		                            "service account has no access to it)"
		                          : "");
	}
	reply_release(&r);
out:
	buf_release(&found);
	buf_release(&head);
}

/* One linked project by id; returns false (and records why) when it fails. */
static bool ping_project(struct ping_run *p, struct mlc_http_upstream *up, const char *const *hdrs,
                         int64_t id, struct mlc_buf *names)
{
	const struct mlc_tenant *t = p->o->tenant;
	struct mlc_buf url = MLC_BUF_INIT, msg = MLC_BUF_INIT, check = MLC_BUF_INIT;
	struct reply r;
	struct mlc_error err = {0};
	bool ok = false;

	buf_addf(&check, "procore.project.%lld", (long long)id);
	buf_addf(&url, "/rest/v1.0/projects/%lld?company_id=%lld", (long long)id,
	         (long long)t->procore_company_id);
	if (api_call(up, "GET", url.data, hdrs, NULL, &r, &err) < 0) {
		add_check(p, check.data, false, true, "%s", err.msg);
		goto out;
	}
	if (r.status == 200) {
		if (names->len < 200)
			buf_addf(names, "%s%lld \"%s\"", names->len ? ", " : "", (long long)id,
			         str_field(r.json, "name", ""));
		ok = true;
	} else if (r.status == 403) {
		add_check(p, check.data, false, true,
		          "Procore answered 403 for project %lld: the service account is not a "
		          "member of that project; add it to the project's directory",
		          (long long)id);
	} else if (r.status == 404) {
		add_check(
		    p, check.data, false, true,
		    "Procore has no project %lld in company %lld: fix or remove the link with "
		    "'ml-connector project'",
		    (long long)id, (long long)t->procore_company_id);
	} else {
		pc_error_text(&r, &msg);
		add_check(p, check.data, false, true, "Procore answered %d for project %lld: %s",
		          r.status, (long long)id, msg.data);
	}
	reply_release(&r);
out:
	buf_release(&url);
	buf_release(&msg);
	buf_release(&check);
	return ok;
}

static void ping_projects(struct ping_run *p, struct mlc_http_upstream *up, const char *const *hdrs)
{
	const struct mlc_tenant *t = p->o->tenant;
	struct mlc_project_link *links = NULL;
	struct mlc_buf url = MLC_BUF_INIT, names = MLC_BUF_INIT, msg = MLC_BUF_INIT;
	struct reply r;
	struct mlc_error err = {0};
	size_t n = 0, good = 0, checked = 0;
	const char *total_hdr;
	char total[32];

	buf_addf(&url, "/rest/v1.0/projects?company_id=%lld&per_page=100",
	         (long long)t->procore_company_id);
	if (api_call(up, "GET", url.data, hdrs, NULL, &r, &err) < 0) {
		add_check(p, "procore.projects", false, true, "%s", err.msg);
		goto out;
	}
	if (r.status != 200 || !json_is_array(r.json)) {
		pc_error_text(&r, &msg);
		add_check(p, "procore.projects", false, true,
		          "Procore answered %d to the project list: %s", r.status, msg.data);
		reply_release(&r);
		goto out;
	}
	total_hdr = http_resp_header(&r.resp, "Total");
	if (total_hdr)
		snprintf(total, sizeof(total), "%s", total_hdr);
	else
		snprintf(total, sizeof(total), "%zu", json_array_size(r.json));
	reply_release(&r);
	if (project_list(p->o->store, t->id, &links, &n, &err) < 0) {
		add_check(p, "procore.projects", false, true, "%s", err.msg);
		goto out;
	}
	for (size_t i = 0; i < n && checked < MAX_PROJECT_CHECKS; i++) {
		if (!links[i].active)
			continue;
		checked++;
		good += ping_project(p, up, hdrs, links[i].procore_project_id, &names);
	}
	if (checked == 0)
		add_check(p, "procore.projects", true, true,
		          "%s project(s) visible; none linked yet (link them with 'ml-connector "
		          "project link')",
		          total);
	else
		add_check(p, "procore.projects", good == checked, true,
		          "%s project(s) visible; %zu of %zu linked project(s) reachable%s%s",
		          total, good, checked, names.len ? ": " : "", names.data);
out:
	free(links);
	buf_release(&url);
	buf_release(&names);
	buf_release(&msg);
}

/* An API upstream whose requests carry a's bearer token.  ping wants an
 * answer soon: few attempts. */
static int api_upstream(const char *name, const char *base, struct mlc_oauth *a,
                        const struct mlc_ping_opts *o, struct mlc_http_upstream **out,
                        struct mlc_error *err)
{
	struct mlc_http_upstream_opts uo = {0};

	uo.name = name;
	uo.base_url = base;
	uo.timeout_ms = o->timeout_ms ? o->timeout_ms : 30000;
	uo.max_attempts = 3;
	uo.max_retry_ms = 30000;
	uo.auth = oauth_auth_hook;
	uo.auth_arg = a;
	return http_upstream_new(&uo, out, err);
}

static void ping_netsuite(struct ping_run *p, struct mlc_oauth_opts *ao)
{
	struct mlc_oauth *ns = NULL;
	struct mlc_http_upstream *up = NULL;
	struct mlc_error e = {0};
	char *base = tenant_netsuite_url(p->o->tenant);

	if (oauth_new(MLC_OAUTH_NETSUITE, ao, &ns, &e) < 0) {
		add_check(p, "netsuite.token", false, true, "%s", e.msg);
		goto out;
	}
	if (api_upstream("netsuite", base, ns, p->o, &up, &e) < 0) {
		add_check(p, "netsuite.token", false, true, "%s", e.msg);
		goto out;
	}
	ping_token(p, ns, "netsuite.token", "JWT client assertion");
	if (p->r->checks[p->r->n - 1].ok) {
		ping_suiteql(p, up);
		ping_limits(p, up);
	}
out:
	http_upstream_free(up);
	oauth_free(ns);
	free(base);
}

static void ping_procore(struct ping_run *p, struct mlc_oauth_opts *ao)
{
	struct mlc_oauth *pc = NULL;
	struct mlc_http_upstream *up = NULL;
	struct mlc_error e = {0};
	char company[32];
	const char *const hdrs[] = {"Procore-Company-Id", company, NULL};

	snprintf(company, sizeof(company), "%lld", (long long)p->o->tenant->procore_company_id);
	if (oauth_new(MLC_OAUTH_PROCORE, ao, &pc, &e) < 0) {
		add_check(p, "procore.token", false, true, "%s", e.msg);
		goto out;
	}
	if (api_upstream("procore", tenant_procore_api_url(p->o->tenant), pc, p->o, &up, &e) < 0) {
		add_check(p, "procore.token", false, true, "%s", e.msg);
		goto out;
	}
	ping_token(p, pc, "procore.token", "client credentials");
	if (p->r->checks[p->r->n - 1].ok) {
		ping_company(p, up, hdrs);
		ping_projects(p, up, hdrs);
	}
out:
	http_upstream_free(up);
	oauth_free(pc);
}

int ping_run(const struct mlc_ping_opts *o, struct mlc_ping_report *out, struct mlc_error *err)
{
	struct ping_run p = {o, out};
	struct mlc_oauth_opts ao = {0};

	memset(out, 0, sizeof(*out));
	out->ok = true;
	if (!o->store || !o->vault || !o->tenant)
		return error_set(err, MLC_EINVAL, "ping needs a store, a vault and a tenant");
	ao.store = o->store;
	ao.vault = o->vault;
	ao.tenant = o->tenant;
	ao.shared = o->shared;
	ao.clock = o->clock;
	ao.clock_arg = o->clock_arg;
	ao.timeout_ms = o->timeout_ms;
	ping_netsuite(&p, &ao);
	ping_procore(&p, &ao);
	return MLC_OK;
}

void ping_report_add(struct mlc_ping_report *r, const char *name, bool ok, bool required,
                     const char *detail)
{
	struct ping_run p = {NULL, r};

	add_check(&p, name, ok, required, "%s", detail);
}

void ping_report_release(struct mlc_ping_report *r)
{
	for (size_t i = 0; r && i < r->n; i++) {
		free(r->checks[i].name);
		free(r->checks[i].detail);
	}
	if (r) {
		free(r->checks);
		memset(r, 0, sizeof(*r));
	}
}

json_t *ping_report_to_json(const struct mlc_ping_report *r, const char *tenant)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < r->n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:b, s:b, s:s}", "check",
		                                     r->checks[i].name, "ok", r->checks[i].ok,
		                                     "required", r->checks[i].required, "detail",
		                                     r->checks[i].detail));
	return json_pack("{s:s, s:b, s:o}", "tenant", tenant, "ok", r->ok, "checks", arr);
}
