#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_pool.h"
#include "auth/oauth.h"
#include "core/project.h"
#include "flows/links.h"
#include "flows/ping.h"
#include "flows/ping_fit.h"
#include "flows/session.h"
#include "netsuite/ns_probe.h"
#include "procore/pc_probe.h"
#include "util/buf.h"
#include "util/num.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

#define MAX_PROJECT_CHECKS 25

struct ping_run {
	const struct mlc_ping_opts *o;
	struct mlc_ping_report *r;
	struct mlc_auth_pool *pool;
	ping_fit_flows flows; /* the enabled flows whose fit is checked */
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

/* The message of a Procore error body, or "" when there is none. */
static void pc_error_text(const json_t *body, struct mlc_buf *out)
{
	if (body)
		procore_error_text(body, out);
}

static void ping_token(struct ping_run *p, struct mlc_session *s, struct mlc_oauth *a,
		       const char *check, const char *what)
{
	struct mlc_buf tok = MLC_BUF_INIT;
	struct mlc_error err = {0};
	int64_t left;

	if (oauth_token(a, &tok, &err) < 0) {
		add_check(p, check, false, true, "%s", err.msg);
	} else {
		const char *alg = oauth_jwt_alg(a);
		int64_t now = s->clock ? s->clock(s->clock_arg) : time_now_ms();
		left = (token_cache_refresh_at(oauth_cache(a)) - now + 30000) / 60000;
		add_check(p, check, true, true,
			  "%s%s%s accepted; token cached, refreshed in %lld min", what,
			  alg ? " signed with " : "", alg ? alg : "", (long long)left);
	}
	buf_release_wipe(&tok);
}

static void ping_suiteql(struct ping_run *p, struct mlc_netsuite *ns)
{
	struct mlc_buf names = MLC_BUF_INIT;
	struct mlc_ns_answer r;
	struct mlc_error err = {0};
	const char *code, *detail;
	json_t *items, *it;
	json_int_t total;
	size_t i;

	if (netsuite_probe_subsidiaries(ns, &r, &err) < 0) {
		add_check(p, "netsuite.suiteql", false, true, "%s", err.msg);
		goto out;
	}
	code = r.code;
	detail = r.detail;
	items = r.status == 200 ? json_object_get(r.json, "items") : NULL;
	if (json_is_array(items)) {
		json_array_foreach (items, i, it) {
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
out:
	netsuite_answer_release(&r);
	buf_release(&names);
}

static void ping_limits(struct ping_run *p, struct mlc_netsuite *ns)
{
	struct mlc_ns_answer r;
	struct mlc_error err = {0};
	json_t *lim;

	if (netsuite_probe_limits(ns, &r, &err) < 0) {
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
	}
	netsuite_answer_release(&r);
}

/* " (rate limit: 3598 of 3600 left)" from Procore's headers. */
static void pc_headroom(const struct mlc_pc_answer *r, struct mlc_buf *out)
{
	const char *rem = http_resp_header(&r->resp, "X-Rate-Limit-Remaining");
	const char *lim = http_resp_header(&r->resp, "X-Rate-Limit-Limit");

	if (rem && lim)
		buf_addf(out, " (rate limit: %s of %s left)", rem, lim);
}

static void ping_company(struct ping_run *p, struct mlc_procore *pc)
{
	const struct mlc_tenant *t = p->o->tenant;
	struct mlc_buf found = MLC_BUF_INIT, head = MLC_BUF_INIT;
	struct mlc_pc_answer r;
	struct mlc_error err = {0};
	json_t *c, *mine = NULL;
	size_t i;

	if (procore_probe_companies(pc, &r, &err) < 0) {
		add_check(p, "procore.company", false, true, "%s", err.msg);
		goto out;
	}
	pc_headroom(&r, &head);
	if (r.status == 200 && json_is_array(r.json)) {
		json_array_foreach (r.json, i, c) {
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
		pc_error_text(r.json, &found);
		add_check(p, "procore.company", false, true,
			  "Procore answered %d for company %lld: %s%s", r.status,
			  (long long)t->procore_company_id, found.data,
			  r.status == 403 ? " (the app is not installed in that company, or the "
					    "service account has no access to it)"
					  : "");
	}
out:
	procore_answer_release(&r);
	buf_release(&found);
	buf_release(&head);
}

/* One linked project by id; returns false (and records why) when it fails. */
static bool ping_project(struct ping_run *p, struct mlc_procore *pc, int64_t id,
			 struct mlc_buf *names)
{
	const struct mlc_tenant *t = p->o->tenant;
	struct mlc_buf msg = MLC_BUF_INIT, check = MLC_BUF_INIT;
	struct mlc_pc_answer r;
	struct mlc_error err = {0};
	bool ok = false;

	buf_addf(&check, "procore.project.%lld", (long long)id);
	if (procore_probe_project(pc, id, &r, &err) < 0) {
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
		pc_error_text(r.json, &msg);
		add_check(p, check.data, false, true, "Procore answered %d for project %lld: %s",
			  r.status, (long long)id, msg.data);
	}
out:
	procore_answer_release(&r);
	buf_release(&msg);
	buf_release(&check);
	return ok;
}

static void ping_projects(struct ping_run *p, struct mlc_procore *pc)
{
	const struct mlc_tenant *t = p->o->tenant;
	struct mlc_project_link *links = NULL;
	struct mlc_buf names = MLC_BUF_INIT, msg = MLC_BUF_INIT;
	struct mlc_pc_answer r;
	struct mlc_error err = {0};
	size_t n = 0, good = 0, checked = 0;
	const char *total_hdr;
	char total[32];

	if (procore_probe_projects(pc, &r, &err) < 0) {
		add_check(p, "procore.projects", false, true, "%s", err.msg);
		goto out;
	}
	if (r.status != 200 || !json_is_array(r.json)) {
		pc_error_text(r.json, &msg);
		add_check(p, "procore.projects", false, true,
			  "Procore answered %d to the project list: %s", r.status, msg.data);
		goto out;
	}
	total_hdr = http_resp_header(&r.resp, "Total");
	if (total_hdr)
		snprintf(total, sizeof(total), "%s", total_hdr);
	else
		snprintf(total, sizeof(total), "%zu", json_array_size(r.json));
	procore_answer_release(&r);
	if (project_list(p->o->store, t->id, &links, &n, &err) < 0) {
		add_check(p, "procore.projects", false, true, "%s", err.msg);
		goto out;
	}
	for (size_t i = 0; i < n && checked < MAX_PROJECT_CHECKS; i++) {
		if (!links[i].active)
			continue;
		checked++;
		good += ping_project(p, pc, links[i].procore_project_id, &names);
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
	procore_answer_release(&r);
	free(links);
	buf_release(&names);
	buf_release(&msg);
}

/* A session on one or both systems, its providers from the ping's pool.
 * ping wants an answer soon: short timeouts, few attempts. */
static int ping_session(struct ping_run *p, bool ns, bool pc, struct mlc_session **out,
			struct mlc_error *err)
{
	const struct mlc_ping_opts *o = p->o;
	struct mlc_session_opts so = {0};

	so.store = o->store;
	so.vault = o->vault;
	so.shared = o->shared;
	so.pool = p->pool;
	so.tenant = o->tenant->name;
	so.need_netsuite = ns;
	so.need_procore = pc;
	so.timeout_ms = o->timeout_ms ? o->timeout_ms : 30000;
	so.max_attempts = 3;
	so.clock = o->clock;
	so.clock_arg = o->clock_arg;
	return session_open(&so, out, err);
}

static bool passed(const struct mlc_ping_report *r, const char *name);

static void ping_netsuite(struct ping_run *p)
{
	struct mlc_session *s = NULL;
	struct mlc_error e = {0};

	if (ping_session(p, true, false, &s, &e) < 0) {
		add_check(p, "netsuite.token", false, true, "%s", e.msg);
		goto out;
	}
	ping_token(p, s, s->ns_auth, "netsuite.token", "JWT client assertion");
	if (p->r->checks[p->r->n - 1].ok) {
		ping_suiteql(p, s->ns);
		ping_limits(p, s->ns);
		ping_fit_netsuite(s, p->flows, p->r);
	}
out:
	session_free(s);
}

static void ping_procore(struct ping_run *p)
{
	struct mlc_session *s = NULL;
	struct mlc_error e = {0};

	if (ping_session(p, false, true, &s, &e) < 0) {
		add_check(p, "procore.token", false, true, "%s", e.msg);
		goto out;
	}
	ping_token(p, s, s->pc_auth, "procore.token", "client credentials");
	if (p->r->checks[p->r->n - 1].ok) {
		ping_company(p, s->pc);
		ping_projects(p, s->pc);
		if (passed(p->r, "procore.company"))
			ping_fit_procore(s, p->flows, p->r);
	}
out:
	session_free(s);
}

/* Has the check called name passed? */
static bool passed(const struct mlc_ping_report *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->checks[i].name, name) == 0)
			return r->checks[i].ok;
	return false;
}

/* One check per project link (flows/links.h), when both systems answered. */
static void ping_links(struct ping_run *p)
{
	struct mlc_session *s = NULL;
	struct mlc_error err = {0};
	json_t *results = NULL, *one;
	size_t i;

	if (!passed(p->r, "netsuite.suiteql") || !passed(p->r, "procore.company"))
		return; /* the failures above say why; the links cannot be read */
	if (ping_session(p, true, true, &s, &err) < 0 || links_check(s, &results, &err) < 0) {
		add_check(p, "links", false, true, "%s", err.msg);
		goto out;
	}
	json_array_foreach (results, i, one) {
		char name[48];
		snprintf(name, sizeof(name), "link.%lld",
			 (long long)json_integer_value(json_object_get(one, "procore_project_id")));
		add_check(p, name, json_is_true(json_object_get(one, "ok")), true, "%s",
			  str_field(one, "detail", ""));
	}
out:
	json_decref(results);
	session_free(s);
}

int ping_run(const struct mlc_ping_opts *o, struct mlc_ping_report *out, struct mlc_error *err)
{
	struct ping_run p = {o, out, NULL, 0};
	int rc;

	memset(out, 0, sizeof(*out));
	out->ok = true;
	if (!o->store || !o->vault || !o->tenant)
		return error_set(err, MLC_EINVAL, "ping needs a store, a vault and a tenant");
	rc = ping_fit_flows_of(o->tenant, o->flows, &p.flows, err);
	if (rc < 0)
		return rc;
	/* one provider per system for every session of this ping */
	p.pool = auth_pool_new(o->vault, o->shared);
	ping_netsuite(&p);
	ping_procore(&p);
	if (o->links)
		ping_links(&p);
	auth_pool_free(p.pool);
	return MLC_OK;
}

void ping_report_add(struct mlc_ping_report *r, const char *name, bool ok, bool required,
		     const char *detail)
{
	struct ping_run p = {NULL, r, NULL, 0};

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
