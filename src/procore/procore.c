#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/http_note.h"
#include "procore/procore.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/str.h"
#include "util/banned.h"

int procore_open(const struct mlc_tenant *t, const struct mlc_procore_opts *o,
		 struct mlc_procore **out, struct mlc_error *err)
{
	struct mlc_procore *pc = xcalloc(1, sizeof(*pc));
	struct mlc_http_upstream_opts uo = {0};
	char name[512];
	int rc;

	uo.name = "procore";
	uo.base_url = tenant_procore_api_url(t);
	uo.timeout_ms = o->timeout_ms;
	uo.max_attempts = o->max_attempts;
	uo.max_concurrency = o->max_concurrency ? o->max_concurrency : 8;
	uo.rate_per_sec = o->rate_per_sec;
	uo.auth = o->auth;
	uo.auth_arg = o->auth_arg;
	/* one bucket per app (its API host) and company, in Redis when shared */
	snprintf(name, sizeof(name), "%s:%lld", uo.base_url, (long long)t->procore_company_id);
	pc->quota = pc_quota_get(name);
	uo.gate = (struct mlc_http_gate){pc_quota_admit, pc_quota_observe, pc->quota};
	rc = http_upstream_new(&uo, &pc->up, err);
	if (rc < 0) {
		pc_quota_put(pc->quota);
		free(pc);
		return rc;
	}
	pc->company_id = t->procore_company_id;
	snprintf(pc->company_header, sizeof(pc->company_header), "%lld",
		 (long long)t->procore_company_id);
	pc->per_page = 1000;
	*out = pc;
	return MLC_OK;
}

void procore_free(struct mlc_procore *pc)
{
	if (!pc)
		return;
	http_upstream_free(pc->up);
	pc_quota_put(pc->quota);
	free(pc);
}

void procore_error_text(const json_t *body, struct mlc_buf *out)
{
	json_t *e;
	const char *s;

	if (!body) {
		buf_addstr(out, "no details");
		return;
	}
	s = jsonx_str(body, "errors");
	if (!s)
		s = jsonx_str(body, "message");
	if (!s)
		s = jsonx_str(body, "error");
	if (s) {
		buf_addstr(out, s);
		return;
	}
	e = json_object_get(body, "errors");
	if (!json_is_object(e))
		e = json_object_get(body, "fields");
	if (json_is_object(e) && json_object_size(e)) {
		const char *key;
		json_t *v;
		int first = 1;
		json_object_foreach (e, key, v) {
			buf_addf(out, "%s%s: ", first ? "" : "; ", key);
			if (json_is_array(v) && json_is_string(json_array_get(v, 0)))
				buf_addstr(out, json_string_value(json_array_get(v, 0)));
			else if (json_is_string(v))
				buf_addstr(out, json_string_value(v));
			else
				buf_addstr(out, "invalid");
			first = 0;
		}
		return;
	}
	char *text = json_dumps(body, JSON_COMPACT);
	buf_add(out, text ? text : "?", text ? (strlen(text) > 300 ? 300 : strlen(text)) : 1);
	free(text);
}

static void add_query(struct mlc_http_req *r, procore_query q)
{
	for (; q && q[0]; q += 2)
		http_req_query(r, q[0], q[1]);
}

/* Sends r; fills *out with the JSON body (any status) and err on failure. */
static int pc_send(struct mlc_procore *pc, struct mlc_http_req *r, json_t **out, int *status,
		   struct mlc_error *err)
{
	struct mlc_http_resp resp;
	int rc;

	http_req_header(r, "Procore-Company-Id", pc->company_header);
	http_req_header(r, "Accept", "application/json");
	http_resp_init(&resp);
	rc = http_upstream_send(pc->up, r, &resp, err);
	if (strcmp(r->method, "GET") == 0)
		__atomic_add_fetch(&pc->reads, resp.attempts ? resp.attempts : 1, __ATOMIC_RELAXED);
	else
		__atomic_add_fetch(&pc->writes, resp.attempts ? resp.attempts : 1,
				   __ATOMIC_RELAXED);
	if (strcmp(r->method, "GET") != 0)
		http_write_note_set(r, &resp); /* its attempts go to the audit row */
	if (status)
		*status = resp.status;
	if (out)
		*out = resp.body.len ? json_loadb(resp.body.data, resp.body.len, 0, NULL) : NULL;
	if (rc == MLC_EPERM && resp.status >= 400) {
		struct mlc_buf msg = MLC_BUF_INIT;
		json_t *b = json_loadb(resp.body.data, resp.body.len, 0, NULL);
		procore_error_text(b, &msg);
		error_set(err, MLC_EPERM, "Procore answered %d to %s %s: %s", resp.status,
			  r->method, r->path, msg.data);
		json_decref(b);
		buf_release(&msg);
	}
	http_resp_release(&resp);
	return rc;
}

int procore_get(struct mlc_procore *pc, const char *path, procore_query q, json_t **out,
		struct mlc_error *err)
{
	return procore_get_status(pc, path, q, out, NULL, err);
}

int procore_get_status(struct mlc_procore *pc, const char *path, procore_query q, json_t **out,
		       int *status, struct mlc_error *err)
{
	struct mlc_http_req r;
	int rc;

	http_req_init(&r, "GET", path);
	add_query(&r, q);
	rc = pc_send(pc, &r, out, status, err);
	http_req_release(&r);
	if (rc == MLC_OK && !*out)
		rc = error_set(err, MLC_EPERM, "Procore sent no JSON for GET %s", path);
	if (rc < 0 && *out) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int procore_list(struct mlc_procore *pc, const char *path, procore_query q, json_t **items,
		 struct mlc_error *err)
{
	json_t *all = json_array();
	int rc = MLC_OK;

	for (int page = 1;; page++) {
		struct mlc_http_req r;
		struct mlc_http_resp resp;
		char pg[16], pp[16];
		json_t *body;
		const char *link;
		int more;

		snprintf(pg, sizeof(pg), "%d", page);
		snprintf(pp, sizeof(pp), "%d", pc->per_page);
		http_req_init(&r, "GET", path);
		add_query(&r, q);
		http_req_query(&r, "page", pg);
		http_req_query(&r, "per_page", pp);
		http_req_header(&r, "Procore-Company-Id", pc->company_header);
		http_resp_init(&resp);
		rc = http_upstream_send(pc->up, &r, &resp, err);
		__atomic_add_fetch(&pc->reads, resp.attempts ? resp.attempts : 1, __ATOMIC_RELAXED);
		http_req_release(&r);
		if (rc < 0) {
			http_resp_release(&resp);
			break;
		}
		body = json_loadb(resp.body.data, resp.body.len, 0, NULL);
		link = http_resp_header(&resp, "Link");
		if (!json_is_array(body)) {
			json_decref(body);
			http_resp_release(&resp);
			rc = error_set(err, MLC_EPERM, "Procore list %s did not return an array",
				       path);
			break;
		}
		/* Link has no rel="next" on the last page (docs/reference/procore.md, Pagination)
		 */
		more = link ? strstr(link, "rel=\"next\"") != NULL
			    : json_array_size(body) == (size_t)pc->per_page;
		json_array_extend(all, body);
		json_decref(body);
		http_resp_release(&resp);
		if (!more)
			break;
	}
	if (rc < 0) {
		json_decref(all);
		*items = NULL;
		return rc;
	}
	*items = all;
	return MLC_OK;
}

int procore_write(struct mlc_procore *pc, const char *method, const char *path, procore_query q,
		  json_t *body, json_t **out, int *status, struct mlc_error *err)
{
	struct mlc_http_req r;
	int rc;

	http_req_init(&r, method, path);
	add_query(&r, q);
	/* a sync call matches by id / origin_id (docs/reference/procore.md, Sync): sending it
	 * twice changes nothing, so it may be retried like a GET */
	if (strstr(path, "/sync"))
		r.idempotent = MLC_HTTP_IDEM_YES;
	if (body) {
		/* jsonx_dumps: amounts built with jsonx_money go out digit-exact */
		char *text = jsonx_dumps(body, JSON_COMPACT);
		http_req_body(&r, "application/json", text, strlen(text));
		free(text);
		json_decref(body);
	}
	rc = pc_send(pc, &r, out, status, err);
	http_req_release(&r);
	return rc;
}

int procore_sync(struct mlc_procore *pc, const char *method, const char *path, json_t *body,
		 json_t **entities, json_t **errors, struct mlc_error *err)
{
	json_t *out = NULL;
	int status = 0, rc;

	*entities = NULL;
	*errors = NULL;
	rc = procore_write(pc, method, path, NULL, body, &out, &status, err);
	if (rc < 0) {
		json_decref(out);
		return rc;
	}
	if (!json_is_object(out)) {
		json_decref(out);
		return error_set(err, MLC_EPERM, "Procore sync %s returned no object", path);
	}
	*entities = json_incref(json_object_get(out, "entities"));
	*errors = json_incref(json_object_get(out, "errors"));
	if (!*entities)
		*entities = json_array();
	if (!*errors)
		*errors = json_array();
	json_decref(out);
	return MLC_OK;
}
