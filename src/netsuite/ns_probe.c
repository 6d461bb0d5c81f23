#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "netsuite/ns_probe.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/str.h"
#include "util/banned.h"

/* Sends r on the adapter's upstream and decodes whatever came back. */
static int probe(struct mlc_netsuite *ns, struct mlc_http_req *r, struct mlc_ns_answer *out,
		 struct mlc_error *err)
{
	json_t *d;
	const char *t;
	int rc;

	http_req_header(r, "Accept", "application/json");
	rc = netsuite_send(ns, r, &out->resp, err);
	__atomic_add_fetch(&ns->reads, out->resp.attempts ? out->resp.attempts : 1,
			   __ATOMIC_RELAXED);
	out->status = out->resp.status;
	if (out->status == 0)
		return rc < 0 ? rc : MLC_ETRANSIENT;
	out->json = json_loadb(out->resp.body.data, out->resp.body.len, 0, NULL);
	d = json_array_get(json_object_get(out->json, "o:errorDetails"), 0);
	netsuite_error_code(out->resp.body.data, out->resp.body.len, out->code, sizeof(out->code));
	t = jsonx_str(d, "detail");
	if (!t)
		t = jsonx_str(out->json, "title");
	out->detail = xstrdup(t ? t : "");
	return MLC_OK;
}

static void answer_init(struct mlc_ns_answer *a)
{
	memset(a, 0, sizeof(*a));
	http_resp_init(&a->resp);
}

int netsuite_probe_query(struct mlc_netsuite *ns, const char *q, int limit,
			 struct mlc_ns_answer *out, struct mlc_error *err)
{
	struct mlc_http_req r;
	char lim[16];
	int rc;

	answer_init(out);
	snprintf(lim, sizeof(lim), "%d", limit > 0 && limit <= 1000 ? limit : 1);
	http_req_init(&r, "POST", "/services/rest/query/v1/suiteql");
	http_req_query(&r, "limit", lim);
	http_req_header(&r, "Prefer", "transient");
	/* a query only reads: safe to send again */
	r.idempotent = MLC_HTTP_IDEM_YES;
	http_req_json(&r, json_pack("{s:s}", "q", q));
	rc = probe(ns, &r, out, err);
	http_req_release(&r);
	return rc;
}

int netsuite_probe_subsidiaries(struct mlc_netsuite *ns, struct mlc_ns_answer *out,
				struct mlc_error *err)
{
	return netsuite_probe_query(ns, "SELECT id, name FROM subsidiary", 10, out, err);
}

/* Letters, digits and '_' only: safe to put into SuiteQL text. */
static int ident(const char *name, struct mlc_error *err)
{
	const char *c = name;

	for (; c && *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_')
			break;
	if (!name || !*name || *c)
		return error_set(err, MLC_EINVAL, "'%s' is not a SuiteQL identifier",
				 name ? name : "");
	return MLC_OK;
}

int netsuite_probe_segment(struct mlc_netsuite *ns, const char *scriptid, struct mlc_ns_answer *out,
			   struct mlc_error *err)
{
	struct mlc_buf q = MLC_BUF_INIT;
	int rc;

	answer_init(out);
	rc = ident(scriptid, err);
	if (rc < 0)
		return rc;
	buf_addstr(&q, "SELECT id, scriptid FROM customsegment WHERE UPPER(scriptid) = '");
	for (const char *c = scriptid; *c; c++)
		buf_addch(&q, (char)toupper((unsigned char)*c));
	buf_addch(&q, '\'');
	rc = netsuite_probe_query(ns, q.data, 1, out, err);
	buf_release(&q);
	return rc;
}

int netsuite_probe_column(struct mlc_netsuite *ns, const char *table, const char *field,
			  struct mlc_ns_answer *out, struct mlc_error *err)
{
	struct mlc_buf q = MLC_BUF_INIT;
	int rc;

	answer_init(out);
	rc = ident(table, err);
	if (rc >= 0)
		rc = ident(field, err);
	if (rc < 0)
		return rc;
	buf_addf(&q, "SELECT %s FROM %s", field, table);
	rc = netsuite_probe_query(ns, q.data, 1, out, err);
	buf_release(&q);
	return rc;
}

int netsuite_probe_table(struct mlc_netsuite *ns, const char *table, struct mlc_ns_answer *out,
			 struct mlc_error *err)
{
	struct mlc_buf q = MLC_BUF_INIT;
	int rc;

	answer_init(out);
	rc = ident(table, err);
	if (rc < 0)
		return rc;
	buf_addf(&q, "SELECT id FROM %s", table);
	rc = netsuite_probe_query(ns, q.data, 1, out, err);
	buf_release(&q);
	return rc;
}

int netsuite_probe_push_deployments(struct mlc_netsuite *ns, struct mlc_ns_answer *out,
				    struct mlc_error *err)
{
	return netsuite_probe_query(ns,
				    "SELECT d.scriptid AS deployment, d.recordtype AS recordtype, "
				    "d.isdeployed AS isdeployed, d.status AS status FROM "
				    "scriptdeployment d INNER JOIN script s ON s.id = d.script "
				    "WHERE UPPER(s.scriptid) = 'CUSTOMSCRIPT_MLC_PUSH'",
				    100, out, err);
}

size_t netsuite_answer_rows(const struct mlc_ns_answer *a)
{
	return json_array_size(json_object_get(a->json, "items"));
}

bool netsuite_deployment_live(const struct mlc_ns_answer *a, const char *recordtype)
{
	json_t *it;
	size_t i;

	json_array_foreach (json_object_get(a->json, "items"), i, it) {
		const char *rt = jsonx_str(it, "recordtype");
		const char *st = jsonx_str(it, "status");
		const char *dep = jsonx_str(it, "isdeployed");
		if (rt && strcasecmp(rt, recordtype) == 0 && dep && strcmp(dep, "T") == 0 && st &&
		    strcasecmp(st, "RELEASED") == 0)
			return true;
	}
	return false;
}

int netsuite_probe_limits(struct mlc_netsuite *ns, struct mlc_ns_answer *out, struct mlc_error *err)
{
	struct mlc_http_req r;
	int rc;

	answer_init(out);
	http_req_init(&r, "GET", "/services/rest/system/v1/governanceLimits");
	rc = probe(ns, &r, out, err);
	http_req_release(&r);
	return rc;
}

void netsuite_answer_release(struct mlc_ns_answer *a)
{
	if (!a)
		return;
	json_decref(a->json);
	free(a->detail);
	http_resp_release(&a->resp); /* leaves it empty, ready again */
	a->json = NULL;
	a->status = 0;
	a->detail = NULL;
	a->code[0] = '\0';
}
