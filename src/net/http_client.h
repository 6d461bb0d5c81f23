#ifndef MLC_HTTP_CLIENT_H
#define MLC_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "net/http_header.h"
#include "util/buf.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The HTTP client (libcurl).  Everything goes through an upstream: one
 * remote API (a NetSuite account, Procore's API host, an OAuth token
 * endpoint) with its base URL, TLS settings, timeouts, retry policy and
 * send limits.  An upstream is shared by every thread of the process and
 * is thread-safe; its limits (concurrency cap, pacing) hold across all of
 * them, so the connector itself never pushes an upstream into 429s.
 *
 * Connections are kept alive and reused by later sends from any thread
 * (a pool of libcurl multi handles per upstream, DNS and TLS sessions
 * shared).  TLS peer and host verification are always on; plain http is
 * accepted only for loopback hosts (tests, the sandbox).
 *
 * Outcome of a send (return value):
 *   0               a 2xx/3xx response is in resp
 *   MLC_EPERM       a 4xx other than 401/403/429 (resp holds it; never
 *                   retried), or a TLS / URL error
 *   MLC_EAUTH       401 after one credential refresh, or 403, or the auth
 *                   hook failed
 *   MLC_ERATELIMIT  429 (or NetSuite CONCURRENCY_LIMIT_EXCEEDED) still
 *                   there when attempts or time ran out
 *   MLC_ETRANSIENT  connection failures and 5xx still there at the end
 *   MLC_EUNKNOWN    the request was sent but no answer came (timeout,
 *                   reset), or a 5xx other than 503 to a request that is
 *                   not idempotent: it may or may not have been applied,
 *                   so the caller must look before it writes again
 *                   (lost-response recovery by externalId / origin_id)
 *   MLC_EINVAL      a bad request (URL to another host, ...)
 * resp->status is the last HTTP status (0 when none arrived) and err
 * says what happened in words, without secrets.
 *
 * Retries: connection errors, 5xx and 429 / CONCURRENCY_LIMIT_EXCEEDED,
 * with exponential backoff and full jitter, bounded by max_attempts and
 * max_retry_ms.  Retry-After (seconds or HTTP-date) and
 * X-Rate-Limit-Reset are honoured: the wait is at least that long
 * (capped at an hour), and the whole upstream pauses with it; a request
 * whose budget that pause would outlive fails at once with
 * MLC_ERATELIMIT and the wait left in resp->retry_after_ms.  Requests that are not idempotent
 * are never re-sent once they may have reached the server (timeouts
 * after sending, 500/502/504); 503 and 429 mean "not processed" and are
 * retried for every method.
 */

/* Whether a request may be sent twice. */
enum mlc_http_idempotency {
	MLC_HTTP_IDEM_AUTO = 0, /* by method: GET HEAD PUT DELETE OPTIONS yes */
	MLC_HTTP_IDEM_YES,      /* e.g. a POST with an idempotency key */
	MLC_HTTP_IDEM_NO,
};

/*
 * Supplies the Authorization header value for one attempt ("Bearer ...").
 * force_refresh is true after the upstream answered 401: the hook must
 * fetch a new credential rather than return a cached one.  Returns 0 or
 * a negative MLC_E* code (the send then fails with it).  Called from any
 * sending thread: must be thread-safe.  The value is wiped after use.
 */
typedef int (*mlc_http_auth_fn)(void *arg, struct mlc_buf *header_value, bool force_refresh);

/*
 * A limiter shared beyond this process (a Procore token bucket in Redis,
 * auth/pc_quota.h), asked after the upstream's own cap and pacer let an
 * attempt go.  admit returns 0 to send now (*ticket then names the
 * admission) or how many ms to wait before asking again; observe gets
 * the X-Rate-Limit-* headers of the answer to the attempt admitted as
 * ticket (limit -1 when absent; reset_in_ms counted on the upstream's
 * clock, from its Date header).  Both are called from any sending thread.
 */
struct mlc_http_gate {
	int64_t (*admit)(void *arg, int64_t *ticket);
	void (*observe)(void *arg, int64_t ticket, int64_t limit, int64_t remaining,
			int64_t reset_in_ms);
	void *arg;
};

struct mlc_http_upstream_opts {
	const char *name;       /* for logs and metrics: "netsuite", "procore" */
	const char *base_url;   /* "https://api.procore.com"; paths are appended */
	const char *ca_file;    /* PEM bundle; NULL: the system store */
	const char *user_agent; /* NULL: "ml-connector/<version>" */
	int connect_timeout_ms; /* 0: 10000 */
	int timeout_ms;         /* whole attempt; 0: 60000 */
	int max_attempts;       /* 0: 5; 1 disables retries */
	int max_retry_ms;       /* all attempts and waits; 0: 300000 */
	int backoff_base_ms;    /* 0: 500 */
	int backoff_max_ms;     /* 0: 30000 */
	int max_concurrency;    /* requests in flight, 0: no cap */
	double rate_per_sec;    /* pacing, 0: only what the headers say */
	int burst;              /* token bucket size; 0: the rate (min 1) */
	/*
	 * NetSuite: a 401 "Invalid login attempt" can mean the concurrency
	 * pool was full.  After the one credential refresh, that many more
	 * such 401s are retried with backoff like a 429; 0: none.
	 */
	int login_401_retries;
	size_t max_response_bytes; /* 0: 64 MiB */
	mlc_http_auth_fn auth;     /* NULL: no Authorization header */
	void *auth_arg;
	struct mlc_http_gate gate; /* admit NULL: none; arg outlives the upstream */
};

struct mlc_http_upstream;

/*
 * One request.  Initialise with http_req_init(), fill with the helpers,
 * release with http_req_release().  The struct owns every field.
 * A request can be sent any number of times and is not changed by it.
 */
struct mlc_http_req {
	char *method;
	char *path;           /* "/rest/v1.0/vendors", or an absolute URL
			       * with the upstream's scheme, host and port */
	struct mlc_buf query; /* encoded "a=1&b=2", see http_req_query() */
	struct mlc_http_header *headers;
	size_t nheaders;
	struct mlc_buf body;
	enum mlc_http_idempotency idempotent;
	int timeout_ms; /* 0: the upstream's */
};

void http_req_init(struct mlc_http_req *r, const char *method, const char *path);
void http_req_release(struct mlc_http_req *r);
void http_req_header(struct mlc_http_req *r, const char *name, const char *value);
/* Adds key=value to the query, percent-encoded (value NULL: bare key). */
void http_req_query(struct mlc_http_req *r, const char *key, const char *value);
/* Sets a JSON body and Content-Type.  Takes ownership of body. */
void http_req_json(struct mlc_http_req *r, json_t *body);
/* Adds key=value to a form body (application/x-www-form-urlencoded). */
void http_req_form(struct mlc_http_req *r, const char *key, const char *value);
/* Sets a raw body (copied) with its Content-Type. */
void http_req_body(struct mlc_http_req *r, const char *content_type, const void *data, size_t len);

/* Room for the retried answers of one request ("503,reset,429,...") and
 * for "METHOD path" in a write's audit note (net/http_note.h). */
#define HTTP_RETRIED_MAX 96
#define HTTP_SUMMARY_MAX 192

/* One response.  Initialise with http_resp_init(), release with
 * http_resp_release(); a send replaces the previous contents. */
struct mlc_http_resp {
	int status; /* 0: no HTTP response */
	struct mlc_http_header *headers;
	size_t nheaders;
	struct mlc_buf body;
	int attempts; /* sends made, including the last */
	/*
	 * What each attempt that was sent again got, oldest first, comma
	 * separated: an HTTP status ("503", "429", "401") or, with no answer,
	 * "reset" (connection dropped after sending), "timeout", "connect",
	 * "connect_timeout", "transport"; "" when the first attempt was the
	 * last.  Ends in "..." when cut.  attempts - 1 entries unless cut.
	 */
	char retried[HTTP_RETRIED_MAX];
	int64_t elapsed_ms;    /* from the call to the outcome */
	int64_t limit_wait_ms; /* of which waiting on pacing / the cap */
	/*
	 * The wait the upstream last asked for (Retry-After, rate-limit
	 * reset) in ms, -1 if none.  When a send fails with MLC_ERATELIMIT
	 * because that wait is beyond max_retry_ms, reschedule after it.
	 */
	int64_t retry_after_ms;
};

void http_resp_init(struct mlc_http_resp *r);
void http_resp_release(struct mlc_http_resp *r);
/* Header value of the final response (name case-insensitive), or NULL. */
const char *http_resp_header(const struct mlc_http_resp *r, const char *name);
/* Parses the body as JSON; NULL and err filled when it is not. */
json_t *http_resp_json(const struct mlc_http_resp *r, struct mlc_error *err);

/* Creates an upstream.  Caller frees with http_upstream_free(). */
int http_upstream_new(const struct mlc_http_upstream_opts *opts, struct mlc_http_upstream **out,
		      struct mlc_error *err) MLC_MUST_CHECK;
/* Frees an upstream no thread is sending through any more.  Accepts NULL. */
void http_upstream_free(struct mlc_http_upstream *up);

/* The backoff base for upstreams opened after this call whose options
 * leave backoff_base_ms at 0 (the process's `retry.backoff_ms`, set where
 * the program is assembled); base_ms <= 0 keeps 500. */
void http_client_default_backoff(int base_ms);
const char *http_upstream_name(const struct mlc_http_upstream *up);

/* Sends one request with retries; blocks.  See the outcome table above. */
int http_upstream_send(struct mlc_http_upstream *up, const struct mlc_http_req *req,
		       struct mlc_http_resp *resp, struct mlc_error *err) MLC_MUST_CHECK;

/*
 * Sends n requests keeping up to parallel of them in flight (curl multi,
 * on the calling thread), each with its own retries, all within the
 * upstream's limits.  resps[i] and rcs[i] receive request i's outcome
 * (as http_upstream_send would return it); errs may be NULL, else it has
 * n entries.  Returns 0 when every request got its outcome (look at rcs),
 * or a negative code when the batch itself could not run.
 */
int http_upstream_send_many(struct mlc_http_upstream *up, const struct mlc_http_req *reqs,
			    struct mlc_http_resp *resps, int *rcs, struct mlc_error *errs, size_t n,
			    int parallel) MLC_MUST_CHECK;

#endif
