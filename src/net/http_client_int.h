#ifndef MLC_HTTP_CLIENT_INT_H
#define MLC_HTTP_CLIENT_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <curl/curl.h>

#include "net/http_client.h"
#include "net/http_limits.h"

/*
 * Internals of the HTTP client shared by http_client.c (upstreams,
 * handle pools, preparing one attempt) and http_send.c (outcomes,
 * retries and the send loop).  Not for use outside net/.
 */

#define IDLE_HANDLES_MAX 32
/* How much of a body goes into debug logs and error messages. */
#define LOG_BODY_MAX 2048
#define ERR_BODY_MAX 300

struct mlc_http_upstream {
	char *name;
	char *base_url;        /* without a trailing '/' */
	struct mlc_buf origin; /* "scheme://host:port" of base_url */
	char *ca_file;
	char *user_agent;
	int connect_timeout_ms, timeout_ms, max_attempts, max_retry_ms;
	int backoff_base_ms, backoff_max_ms, login_401_retries;
	size_t max_response;
	mlc_http_auth_fn auth;
	void *auth_arg;
	struct mlc_http_limits limits;
	CURLSH *share;
	pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
	pthread_mutex_t pool_lock;
	CURL *idle[IDLE_HANDLES_MAX];
	size_t nidle;
	CURLM *idle_multi[IDLE_HANDLES_MAX];
	size_t nidle_multi;
};

enum slot_state { SLOT_NEW = 0, SLOT_WAIT, SLOT_RUN, SLOT_DONE };

/* One request's progress through its attempts. */
struct slot {
	const struct mlc_http_req *req;
	struct mlc_http_resp *resp;
	struct mlc_error *err;
	int *rc_out;
	enum slot_state state;
	CURL *easy;
	struct curl_slist *hdrs;
	struct mlc_buf url;
	struct mlc_buf auth;
	char errbuf[CURL_ERROR_SIZE];
	bool idempotent, reserved, entered, refresh, refreshed, overflow;
	bool admitted;  /* the shared gate let this attempt go */
	int64_t ticket; /* the gate's name for that admission */
	int login_401_left;
	int sends; /* times curl sent this attempt's request (it re-sends on a dead reused
		      connection) */
	int64_t start_ms, ready_ms, wait_from_ms, attempt_ms;
	struct mlc_http_upstream *up;
};

/* Adds delta to counter name{upstream=..., key2=val2} (key2 may be NULL). */
void http_int_upstream_count(const char *name, const char *help, const struct mlc_http_upstream *up,
			     const char *key2, const char *val2, double delta);
/* A multi handle with its kept-alive connections, or NULL; give it back
 * with http_int_upstream_multi_put(). */
CURLM *http_int_upstream_multi_get(struct mlc_http_upstream *up);
void http_int_upstream_multi_put(struct mlc_http_upstream *up, CURLM *m);
/* Returns an easy handle (removed from its multi) to the idle pool. */
void http_int_upstream_handle_put(struct mlc_http_upstream *up, CURL *h);
bool http_int_method_is_idempotent(const char *method);
/* Prepares the slot's next attempt and adds it to multi; on failure the
 * slot's error is set and the caller finishes the slot with the code. */
int http_int_attempt_start(struct slot *s, CURLM *multi) MLC_MUST_CHECK;
void http_int_attempt_log_response(const struct slot *s, const char *what, int64_t ms);

#endif
