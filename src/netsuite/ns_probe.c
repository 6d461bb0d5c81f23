#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netsuite/ns_probe.h"
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
	rc = http_upstream_send(ns->up, r, &out->resp, err);
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

int netsuite_probe_limits(struct mlc_netsuite *ns, struct mlc_ns_answer *out,
			  struct mlc_error *err)
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
