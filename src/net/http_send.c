#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "net/http_client.h"
#include "net/http_client_int.h"
#include "net/http_limits.h"
#include "net/http_retry.h"
#include "net/metrics.h"
#include "util/log.h"
#include "util/num.h"
#include "util/redact.h"
#include "util/time.h"
#include "util/banned.h"

/*
 * Sending: every request is a slot that goes through attempts until it
 * has an outcome; one loop on a curl multi handle drives all the slots
 * of a call within the upstream's limits.
 */

/* ---- outcomes ---- */

static void slot_finish(struct slot *s, int rc)
{
	if (s->entered)
		http_limits_leave(&s->up->limits);
	s->entered = false;
	s->state = SLOT_DONE;
	s->resp->elapsed_ms = time_mono_ms() - s->start_ms;
	*s->rc_out = rc;
	curl_slist_free_all(s->hdrs);
	s->hdrs = NULL;
	buf_release(&s->url);
	buf_release_wipe(&s->auth);
}

/* Fills the slot's error with what the last attempt got, for a person. */
static void describe_failure(struct slot *s, int rc, const char *reason, bool gave_up)
{
	struct mlc_buf what = MLC_BUF_INIT, body = MLC_BUF_INIT;

	if (s->resp->status) {
		buf_add(&body, s->resp->body.data,
			s->resp->body.len > ERR_BODY_MAX ? ERR_BODY_MAX : s->resp->body.len);
		buf_addf(&what, "HTTP %d: ", s->resp->status);
		redact_text(&what, body.data);
	} else {
		buf_addf(&what, "%s (%s)", reason, s->errbuf[0] ? s->errbuf : "no response");
	}
	error_set(s->err, rc, "%s %s %s: %s%s%s after %d attempt%s", s->up->name, s->req->method,
		  s->req->path, what.data, rc == MLC_EUNKNOWN ? "; outcome unknown" : "",
		  gave_up ? "; gave up" : "", s->resp->attempts, s->resp->attempts == 1 ? "" : "s");
	buf_release_wipe(&body);
	buf_release(&what);
}

static void observe_rate_headers(struct slot *s)
{
	const char *rem = http_resp_header(s->resp, "X-Rate-Limit-Remaining");
	const char *lim = http_resp_header(s->resp, "X-Rate-Limit-Limit");
	int64_t remaining, limit = -1, reset_ms;

	if (!rem || num_parse_i64(rem, &remaining, NULL) != MLC_OK)
		return;
	if (lim && num_parse_i64(lim, &limit, NULL) != MLC_OK)
		limit = -1;
	reset_ms = rate_reset_ms(http_resp_header(s->resp, "X-Rate-Limit-Reset"),
				 server_now_ms(http_resp_header(s->resp, "Date"), time_now_ms()));
	if (reset_ms >= 0)
		http_limits_observe(&s->up->limits, limit, remaining, time_now_ms() + reset_ms);
	if (reset_ms >= 0 && s->admitted)
		http_limits_gate_observe(&s->up->limits, s->ticket, limit, remaining, reset_ms);
}

/* Appends what the attempt got to resp->retried (see http_client.h). */
static void note_retried(struct mlc_http_resp *resp, CURLcode cc, const char *code,
			 const char *reason)
{
	size_t len = strlen(resp->retried), room = sizeof(resp->retried) - len;
	const char *what = cc == CURLE_OK ? code : reason;
	int n;

	if (!strcmp(what, "no_response"))
		what = "reset";
	if (len >= 3 && !strcmp(resp->retried + len - 3, "..."))
		return;
	n = snprintf(resp->retried + len, room, "%s%s", len ? "," : "", what);
	if (n < 0 || (size_t)n >= room) {
		/* cut: say so in the last 3 bytes that hold */
		size_t at = len + 4 <= sizeof(resp->retried) ? len : sizeof(resp->retried) - 4;
		snprintf(resp->retried + at, sizeof(resp->retried) - at, "...");
	}
}

/* One attempt ended: classify, then finish the slot or schedule a retry. */
static void attempt_done(struct slot *s, CURLM *multi, CURLcode cc)
{
	struct mlc_http_upstream *up = s->up;
	struct mlc_retry_input in;
	struct mlc_retry_verdict v;
	struct mlc_buf labels = MLC_BUF_INIT;
	int64_t now = time_mono_ms(), delay = 0;
	long status = 0, sent = 0, connects = 0;
	char code[16];

	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(s->easy, CURLINFO_REQUEST_SIZE, &sent);
	curl_easy_getinfo(s->easy, CURLINFO_NUM_CONNECTS, &connects);
	if (connects > 0)
		http_int_upstream_count("mlc_http_client_connections_total",
					"New connections opened (keep-alive reuse keeps this low)",
					up, NULL, NULL, (double)connects);
	curl_multi_remove_handle(multi, s->easy);
	http_int_upstream_handle_put(up, s->easy);
	s->easy = NULL;
	s->resp->status = cc == CURLE_OK ? (int)status : 0;
	/* sends curl made again inside the transfer: each lost its answer */
	for (; s->sends > 1; s->sends--) {
		s->resp->attempts++;
		note_retried(s->resp, CURLE_RECV_ERROR, "0", "reset");
		http_int_upstream_count("mlc_http_client_retries_total",
					"Requests sent again, by reason", up, "reason", "reset", 1);
	}
	observe_rate_headers(s);
	http_limits_leave(&up->limits);
	s->entered = false;
	s->reserved = false;
	s->admitted = false;

	memset(&in, 0, sizeof(in));
	in.curl_code = (int)cc;
	in.sent = sent > 0;
	in.status = s->resp->status;
	in.body = s->resp->body.data;
	in.retry_after = http_resp_header(s->resp, "Retry-After");
	in.rate_reset = http_resp_header(s->resp, "X-Rate-Limit-Reset");
	in.idempotent = s->idempotent;
	in.can_refresh = up->auth && !s->refreshed;
	in.login_401_budget = s->login_401_left > 0;
	in.now_wall_ms = server_now_ms(http_resp_header(s->resp, "Date"), time_now_ms());
	retry_classify(&in, &v);

	snprintf(code, sizeof(code), "%d", s->resp->status);
	http_int_attempt_log_response(s, cc == CURLE_OK ? code : v.reason, now - s->attempt_ms);
	http_int_upstream_count("mlc_http_client_requests_total",
				"HTTP requests sent, by upstream and status", up, "status",
				cc == CURLE_OK ? code : v.reason, 1);
	metrics_labels(&labels, "upstream", up->name, (const char *)NULL);
	metrics_histogram_observe("mlc_http_client_request_duration_seconds",
				  "Duration of one HTTP attempt", labels.data,
				  (double)(now - s->attempt_ms) / 1000.0);
	buf_release(&labels);
	if (v.throttled) {
		http_int_upstream_count(
		    "mlc_http_client_throttled_total",
		    "Responses asking us to slow down (429, CONCURRENCY_LIMIT_EXCEEDED, 503 "
		    "with Retry-After)",
		    up, "status", code, 1);
		if (v.wait_ms > 0)
			http_limits_pause(&up->limits, v.wait_ms);
	}
	s->resp->retry_after_ms = v.wait_ms;
	if (v.action == RETRY_NO) {
		if (v.rc != MLC_OK)
			describe_failure(s, v.rc, v.reason, false);
		slot_finish(s, v.rc);
		return;
	}
	if (v.action == RETRY_REFRESH) {
		s->refresh = s->refreshed = true;
	} else {
		if (v.action == RETRY_LOGIN_401)
			s->login_401_left--;
		if (v.wait_ms >= 0)
			delay =
			    v.wait_ms +
			    retry_backoff_ms(
				1, up->backoff_base_ms < 1000 ? up->backoff_base_ms : 1000, 1000);
		else
			delay = retry_backoff_ms(s->resp->attempts, up->backoff_base_ms,
						 up->backoff_max_ms);
	}
	if (s->resp->attempts >= up->max_attempts || now + delay - s->start_ms > up->max_retry_ms) {
		describe_failure(s, v.rc, v.reason, true);
		slot_finish(s, v.rc);
		return;
	}
	note_retried(s->resp, cc, code, v.reason);
	http_int_upstream_count("mlc_http_client_retries_total", "Requests sent again, by reason",
				up, "reason", v.reason, 1);
	{
		char attempt[16], wait[32];
		snprintf(attempt, sizeof(attempt), "%d", s->resp->attempts);
		snprintf(wait, sizeof(wait), "%lld", (long long)delay);
		log_info("http retry", "upstream", up->name, "method", s->req->method, "path",
			 s->req->path, "reason", cc == CURLE_OK ? code : v.reason, "attempt",
			 attempt, "wait_ms", wait);
	}
	s->state = SLOT_WAIT;
	s->ready_ms = now + delay;
	s->wait_from_ms = s->ready_ms;
}

/* ---- the send loop ---- */

static void slot_begin(struct slot *s, int64_t now)
{
	const char *m = s->req->method;

	s->state = SLOT_WAIT;
	s->start_ms = s->ready_ms = s->wait_from_ms = now;
	s->resp->attempts = 0;
	s->resp->retried[0] = '\0';
	s->resp->limit_wait_ms = 0;
	s->resp->retry_after_ms = -1;
	s->resp->status = 0;
	s->idempotent =
	    s->req->idempotent == MLC_HTTP_IDEM_YES ||
	    (s->req->idempotent == MLC_HTTP_IDEM_AUTO && http_int_method_is_idempotent(m));
	s->login_401_left = s->up->login_401_retries;
	error_clear(s->err);
}

/*
 * A pause (Retry-After, a spent rate window) beyond the request's budget
 * is not slept through: the slot finishes with MLC_ERATELIMIT and the
 * caller gets the wait to reschedule.  True when it finished.
 */
static bool wait_beyond_budget(struct slot *s, int64_t now, int64_t w)
{
	struct mlc_http_upstream *up = s->up;

	if (w <= 0 || now + w - s->start_ms <= up->max_retry_ms)
		return false;
	s->resp->retry_after_ms = w;
	error_set(s->err, MLC_ERATELIMIT,
		  "%s: upstream paused by its rate limit for %lld ms more, beyond the retry "
		  "budget of %d ms",
		  up->name, (long long)w, up->max_retry_ms);
	slot_finish(s, MLC_ERATELIMIT);
	return true;
}

/* Tries to start every slot whose wait is over; returns how many finished
 * without starting (a failed auth hook, a bad URL). */
static size_t start_ready(struct mlc_http_upstream *up, struct slot *slots, size_t n, CURLM *multi)
{
	int64_t now = time_mono_ms();
	size_t finished = 0;

	for (size_t i = 0; i < n; i++) {
		struct slot *s = &slots[i];
		int rc;
		if (s->state != SLOT_WAIT || s->ready_ms > now)
			continue;
		/*
		 * The cap first, then the token: a token taken while waiting for
		 * the cap would let long waiters go out in a bunch later.
		 */
		if (!s->entered && !http_limits_try_enter(&up->limits))
			continue;
		s->entered = true;
		if (!s->reserved) {
			int64_t w = http_limits_reserve(&up->limits);
			s->reserved = true;
			if (wait_beyond_budget(s, now, w)) {
				finished++;
				continue;
			}
			if (w > 0) {
				s->ready_ms = now + w;
				continue;
			}
		}
		if (!s->admitted) {
			/* the shared budget last: it is spent only by a send that goes */
			int64_t w = http_limits_admit(&up->limits, &s->ticket);
			if (wait_beyond_budget(s, now, w)) {
				finished++;
				continue;
			}
			if (w > 0) {
				s->ready_ms = now + w;
				continue;
			}
			s->admitted = true;
		}
		rc = http_int_attempt_start(s, multi);
		if (rc != MLC_OK) {
			slot_finish(s, rc);
			finished++;
		}
	}
	return finished;
}

/* How to wait for the next event: returns the ms until the next slot is
 * due and sets *running and *blocked (a due slot waiting for the cap). */
static int64_t next_event(struct slot *slots, size_t n, int *running, struct slot **blocked)
{
	int64_t now = time_mono_ms(), wake = 1000;

	*running = 0;
	*blocked = NULL;
	for (size_t i = 0; i < n; i++) {
		struct slot *s = &slots[i];
		if (s->state == SLOT_RUN)
			(*running)++;
		if (s->state != SLOT_WAIT)
			continue;
		if (s->ready_ms > now) {
			if (s->ready_ms - now < wake)
				wake = s->ready_ms - now;
		} else if (!s->entered) {
			if (!*blocked)
				*blocked = s;
		} else {
			wake = 0;
		}
	}
	return wake;
}

static void run_slots(struct mlc_http_upstream *up, struct slot *slots, size_t n, int parallel,
		      CURLM *multi)
{
	size_t next = 0, done = 0;
	int active = 0;

	while (done < n) {
		struct slot *blocked;
		int running, still, queued;
		int64_t wait;
		CURLMsg *msg;
		size_t failed;

		while (active < parallel && next < n) {
			slot_begin(&slots[next++], time_mono_ms());
			active++;
		}
		failed = start_ready(up, slots, n, multi);
		done += failed;
		active -= (int)failed;
		curl_multi_perform(multi, &still);
		while ((msg = curl_multi_info_read(multi, &queued)) != NULL) {
			struct slot *s = NULL;
			CURL *easy = msg->easy_handle;
			CURLcode cc = msg->data.result;
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&s);
			attempt_done(s, multi, cc);
			if (s->state == SLOT_DONE) {
				done++;
				active--;
			}
		}
		if (done == n)
			break;
		if (active < parallel && next < n)
			continue;
		wait = next_event(slots, n, &running, &blocked);
		if (wait == 0)
			continue;
		if (running == 0 && blocked) {
			/* nothing of ours in flight: sleep on the cap itself */
			if (http_limits_enter_wait(&up->limits, wait))
				blocked->entered = true;
		} else if (running == 0) {
			time_sleep_ms(wait);
		} else {
			/* others may free the cap: look again soon */
			curl_multi_poll(multi, NULL, 0, (int)(blocked && wait > 10 ? 10 : wait),
					NULL);
		}
	}
}

int http_upstream_send_many(struct mlc_http_upstream *up, const struct mlc_http_req *reqs,
			    struct mlc_http_resp *resps, int *rcs, struct mlc_error *errs, size_t n,
			    int parallel)
{
	struct slot *slots = NULL;
	struct mlc_error *own = NULL;
	CURLM *multi = NULL;
	int rc = MLC_OK;

	if (n == 0)
		return MLC_OK;
	multi = http_int_upstream_multi_get(up);
	if (!multi)
		return MLC_ENOMEM;
	if (!errs)
		errs = own = xcalloc(n, sizeof(*own));
	slots = xcalloc(n, sizeof(*slots));
	for (size_t i = 0; i < n; i++) {
		slots[i].up = up;
		slots[i].req = &reqs[i];
		slots[i].resp = &resps[i];
		slots[i].rc_out = &rcs[i];
		slots[i].err = &errs[i];
		buf_init(&slots[i].url);
		buf_init(&slots[i].auth);
		rcs[i] = MLC_ESTATE;
	}
	run_slots(up, slots, n, parallel > 0 ? parallel : 1, multi);
	http_int_upstream_multi_put(up, multi);
	free(slots);
	free(own);
	return rc;
}

int http_upstream_send(struct mlc_http_upstream *up, const struct mlc_http_req *req,
		       struct mlc_http_resp *resp, struct mlc_error *err)
{
	struct mlc_error local;
	int rc = MLC_ESTATE, brc;

	brc = http_upstream_send_many(up, req, resp, &rc, err ? err : &local, 1, 1);
	return brc != MLC_OK ? brc : rc;
}
