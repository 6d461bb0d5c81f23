#ifndef MLC_NS_PROBE_H
#define MLC_NS_PROBE_H

#include <jansson.h>

#include "net/http_client.h"
#include "netsuite/netsuite.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Setup probes for `ping`: the cheapest calls that show whether a
 * tenant's NetSuite access works, sent through the adapter's own upstream
 * (the same pool, bearer hook and 401 refresh the flows use).  Unlike the
 * other adapter calls, a probe hands back whatever NetSuite answered,
 * status included, so the caller can say why a setup is wrong.
 */
struct mlc_ns_answer {
	int status;             /* 0 only when the call failed (see the return) */
	json_t *json;           /* the parsed body, or NULL; owned */
	char code[NS_CODE_MAX]; /* o:errorCode of an error body, "" when none */
	char *detail;           /* first error detail, else the title, else ""; owned */
	struct mlc_http_resp resp;
};

/*
 * SELECT id, name FROM subsidiary, first page of 10 (Prefer: transient;
 * docs/reference/netsuite.md, SuiteQL).  Returns 0 when any HTTP answer
 * arrived (read out->status), else the transport's code with err.  The
 * caller releases *out with netsuite_answer_release() in both cases.
 */
int netsuite_probe_subsidiaries(struct mlc_netsuite *ns, struct mlc_ns_answer *out,
				struct mlc_error *err) MLC_MUST_CHECK;
/*
 * One SuiteQL query q (built by the caller from fixed text and checked
 * ids only), first page of limit rows (Prefer: transient): the fit
 * checks' probes of a record type, the segment and the push script.
 * Returns as netsuite_probe_subsidiaries().
 */
int netsuite_probe_query(struct mlc_netsuite *ns, const char *q, int limit,
			 struct mlc_ns_answer *out, struct mlc_error *err) MLC_MUST_CHECK;
/* GET the account's governance limits (docs/reference/netsuite.md, Governance). */
int netsuite_probe_limits(struct mlc_netsuite *ns, struct mlc_ns_answer *out,
			  struct mlc_error *err) MLC_MUST_CHECK;
void netsuite_answer_release(struct mlc_ns_answer *a);

#endif
