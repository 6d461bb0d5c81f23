#ifndef MLC_NS_PROBE_H
#define MLC_NS_PROBE_H

#include <stdbool.h>
#include <stddef.h>

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
/*
 * The fit checks' probes (src/flows/ping_fit.c), each a SuiteQL query
 * built here from fixed text and the names given, which must be SuiteQL
 * identifiers (letters, digits, '_'; else MLC_EINVAL with err, *out
 * initialised and empty).  Each returns as netsuite_probe_subsidiaries().
 *   segment:  the custom segment whose script id is scriptid, matched
 *             without case (script ids may come back upper-case,
 *             docs/reference/netsuite.md): one row when it exists;
 *   column:   the first row of table's column field (200: the segment
 *             field is applied to that record type);
 *   table:    the first row of table (200: the role reads it);
 *   push_deployments: every deployment of the push script
 *             customscript_mlc_push, up to 100 (the script and
 *             scriptdeployment tables: docs/netsuite-setup.md, section 8);
 *             read them with netsuite_answer_rows() and
 *             netsuite_deployment_live().
 */
int netsuite_probe_segment(struct mlc_netsuite *ns, const char *scriptid, struct mlc_ns_answer *out,
			   struct mlc_error *err) MLC_MUST_CHECK;
int netsuite_probe_column(struct mlc_netsuite *ns, const char *table, const char *field,
			  struct mlc_ns_answer *out, struct mlc_error *err) MLC_MUST_CHECK;
int netsuite_probe_table(struct mlc_netsuite *ns, const char *table, struct mlc_ns_answer *out,
			 struct mlc_error *err) MLC_MUST_CHECK;
int netsuite_probe_push_deployments(struct mlc_netsuite *ns, struct mlc_ns_answer *out,
				    struct mlc_error *err) MLC_MUST_CHECK;
/* The number of rows ("items") of a SuiteQL answer; 0 when it has none. */
size_t netsuite_answer_rows(const struct mlc_ns_answer *a);
/*
 * Whether a netsuite_probe_push_deployments() answer holds a deployment
 * for recordtype (without case) that is deployed and released.
 */
bool netsuite_deployment_live(const struct mlc_ns_answer *a, const char *recordtype);
/* GET the account's governance limits (docs/reference/netsuite.md, Governance). */
int netsuite_probe_limits(struct mlc_netsuite *ns, struct mlc_ns_answer *out,
			  struct mlc_error *err) MLC_MUST_CHECK;
void netsuite_answer_release(struct mlc_ns_answer *a);

#endif
