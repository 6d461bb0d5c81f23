#ifndef MLC_PROCORE_H
#define MLC_PROCORE_H

#include <stdint.h>

#include <jansson.h>

#include "auth/pc_quota.h"
#include "core/tenant.h"
#include "net/http_client.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The Procore adapter's transport: one upstream per tenant to the API
 * host, the Procore-Company-Id header on every call (docs/reference/procore.md: required
 * even when company_id is in the path or query), bearer tokens through
 * the OAuth hook, page walking by page/per_page and the Link header, and
 * the sync endpoints' {entities, errors} replies.  Rate limits are paced
 * by the upstream from X-Rate-Limit-* headers.  Thread-safe.
 *
 * Counters (reads, writes) are what the demo and tests compare with the
 * figures of the issues.
 */
struct mlc_procore {
	struct mlc_http_upstream *up;
	struct pc_quota *quota; /* the app's and company's limits, shared (auth/pc_quota.h) */
	int64_t company_id;
	char company_header[24];
	int per_page;
	int64_t reads, writes; /* updated atomically */
};

struct mlc_procore_opts {
	mlc_http_auth_fn auth;
	void *auth_arg;
	double rate_per_sec; /* 0: pace by headers only */
	int max_concurrency; /* 0: 8 */
	int timeout_ms;      /* 0: 60 s */
	int max_attempts;    /* 0: the client's default */
};

int procore_open(const struct mlc_tenant *t, const struct mlc_procore_opts *o,
		 struct mlc_procore **out, struct mlc_error *err) MLC_MUST_CHECK;
void procore_free(struct mlc_procore *pc);

/* A query as key, value pairs ending with NULL: { "project_id", "12", NULL }. */
typedef const char *const *procore_query;

/* GET one resource or list page.  *out is the parsed body (caller decrefs). */
int procore_get(struct mlc_procore *pc, const char *path, procore_query q, json_t **out,
		struct mlc_error *err) MLC_MUST_CHECK;
/* As procore_get(); *status is the HTTP status (a 404 is MLC_EPERM, *status 404). */
int procore_get_status(struct mlc_procore *pc, const char *path, procore_query q, json_t **out,
		       int *status, struct mlc_error *err) MLC_MUST_CHECK;
/* GET every page of a list into one JSON array (caller decrefs). */
int procore_list(struct mlc_procore *pc, const char *path, procore_query q, json_t **items,
		 struct mlc_error *err) MLC_MUST_CHECK;
/*
 * A write (POST / PATCH / PUT / DELETE) with a JSON body (taken).  *out
 * is the parsed reply or NULL; *status the HTTP status.  A 4xx comes back
 * as MLC_EPERM with the reply in *out and Procore's message in err.
 */
int procore_write(struct mlc_procore *pc, const char *method, const char *path, procore_query q,
		  json_t *body, json_t **out, int *status, struct mlc_error *err) MLC_MUST_CHECK;
/*
 * A sync call (PATCH .../sync, or POST for budget line items): at most
 * 1000 records.  *entities and *errors are the reply's arrays (caller
 * decrefs both); per-record errors are not a failure of the call.
 */
int procore_sync(struct mlc_procore *pc, const char *method, const char *path, json_t *body,
		 json_t **entities, json_t **errors, struct mlc_error *err) MLC_MUST_CHECK;
/* Procore's error bodies vary (docs/reference/procore.md): a readable message from any. */
void procore_error_text(const json_t *body, struct mlc_buf *out);

#endif
