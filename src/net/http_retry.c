#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "net/http_retry.h"
#include "util/error.h"
#include "util/num.h"
#include "util/banned.h"

int64_t retry_after_ms(const char *value, int64_t now_wall_ms)
{
	int64_t secs;
	time_t when;

	if (!value || !*value)
		return -1;
	if (num_parse_i64(value, &secs, NULL) == MLC_OK) {
		if (secs < 0)
			return -1;
		/* compared before multiplying: no overflow */
		return secs >= RETRY_AFTER_MAX_MS / 1000 ? RETRY_AFTER_MAX_MS : secs * 1000;
	}
	when = curl_getdate(value, NULL);
	if (when == (time_t)-1)
		return -1;
	/* the same cap for a date (a 2100 date was a 27,057-day pause) */
	if ((int64_t)when >= (now_wall_ms + RETRY_AFTER_MAX_MS) / 1000 + 1)
		return RETRY_AFTER_MAX_MS;
	secs = (int64_t)when * 1000 - now_wall_ms;
	if (secs > RETRY_AFTER_MAX_MS)
		secs = RETRY_AFTER_MAX_MS;
	return secs < 0 ? 0 : secs;
}

int64_t server_now_ms(const char *date, int64_t now_wall_ms)
{
	time_t when;

	if (!date || !*date)
		return now_wall_ms;
	when = curl_getdate(date, NULL);
	/* a date past year 9999 is no server's clock (and would overflow the
	 * ms; found by fuzz/fuzz_retry.c): ours then */
	if (when == (time_t)-1 || (int64_t)when > 253402300799 || (int64_t)when < -62167219200)
		return now_wall_ms;
	return (int64_t)when * 1000;
}

int64_t rate_reset_ms(const char *value, int64_t now_wall_ms)
{
	int64_t v, ms;

	if (!value || num_parse_i64(value, &v, NULL) != MLC_OK || v < 0)
		return -1;
	/* a unix time is > 1e9; anything smaller is a number of seconds */
	/* checked: the header is the peer's (issue 21, item 11); a product
	 * beyond int64 is past any cap */
	if (num_mul_i64(v, 1000, &ms) < 0)
		return RATE_RESET_MAX_MS;
	if (v >= 1000000000)
		ms = num_add_i64_sat(ms, -now_wall_ms);
	/* Procore's longest window is an hour: a reset further away is a clock
	 * we cannot trust, and must not park the upstream for days */
	if (ms > RATE_RESET_MAX_MS)
		ms = RATE_RESET_MAX_MS;
	return ms < 0 ? 0 : ms;
}

int64_t retry_backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms)
{
	int64_t ceiling = base_ms;

	for (int i = 1; i < attempt && ceiling < cap_ms; i++)
		ceiling *= 2;
	if (ceiling > cap_ms)
		ceiling = cap_ms;
	if (ceiling <= 0)
		return 0;
	if (ceiling > UINT32_MAX - 1)
		ceiling = UINT32_MAX - 1;
	return (int64_t)randombytes_uniform((uint32_t)ceiling + 1);
}

static void verdict(struct mlc_retry_verdict *out, enum mlc_retry_action action, int rc,
		    const char *reason)
{
	out->action = action;
	out->rc = rc;
	out->reason = reason;
}

/* No HTTP response: the transport failed. */
static void classify_transport(const struct mlc_retry_input *in, struct mlc_retry_verdict *out)
{
	switch (in->curl_code) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		verdict(out, RETRY_BACKOFF, MLC_ETRANSIENT, "connect");
		return;
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		if (!in->sent) {
			verdict(out, RETRY_BACKOFF, MLC_ETRANSIENT,
				in->curl_code == CURLE_OPERATION_TIMEDOUT ? "connect_timeout"
									  : "connect");
			return;
		}
		/* sent, no answer: it may have been applied */
		verdict(out, in->idempotent ? RETRY_BACKOFF : RETRY_NO, MLC_EUNKNOWN,
			in->curl_code == CURLE_OPERATION_TIMEDOUT ? "timeout" : "no_response");
		return;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CIPHER:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		verdict(out, RETRY_NO, MLC_EPERM, "tls_or_url");
		return;
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		verdict(out, RETRY_NO, MLC_EPERM, "response_too_large");
		return;
	default:
		verdict(out, in->sent && !in->idempotent ? RETRY_NO : RETRY_BACKOFF,
			in->sent ? MLC_EUNKNOWN : MLC_ETRANSIENT, "transport");
		return;
	}
}

void retry_classify(const struct mlc_retry_input *in, struct mlc_retry_verdict *out)
{
	const char *body = in->body ? in->body : "";
	int s = in->status;

	out->wait_ms = -1;
	out->throttled = false;
	if (in->curl_code != 0) {
		classify_transport(in, out);
		return;
	}
	if (s < 400) {
		verdict(out, RETRY_NO, MLC_OK, "ok");
		return;
	}
	if (s == 429 || (s < 500 && strstr(body, "CONCURRENCY_LIMIT_EXCEEDED"))) {
		out->throttled = true;
		out->wait_ms = retry_after_ms(in->retry_after, in->now_wall_ms);
		if (out->wait_ms < 0)
			out->wait_ms = rate_reset_ms(in->rate_reset, in->now_wall_ms);
		verdict(out, RETRY_BACKOFF, MLC_ERATELIMIT, "429");
		return;
	}
	if (s == 401) {
		if (in->can_refresh)
			verdict(out, RETRY_REFRESH, MLC_EAUTH, "401");
		else if (in->login_401_budget && strstr(body, "Invalid login attempt"))
			verdict(out, RETRY_LOGIN_401, MLC_EAUTH, "401_concurrency");
		else
			verdict(out, RETRY_NO, MLC_EAUTH, "401");
		return;
	}
	if (s == 403) {
		verdict(out, RETRY_NO, MLC_EAUTH, "403");
		return;
	}
	if (s < 500) {
		verdict(out, RETRY_NO, MLC_EPERM, "4xx");
		return;
	}
	out->wait_ms = retry_after_ms(in->retry_after, in->now_wall_ms);
	if (s == 503) {
		/* Procore's platform throttling; never processed */
		out->throttled = out->wait_ms >= 0;
		verdict(out, RETRY_BACKOFF, MLC_ETRANSIENT, "503");
		return;
	}
	if (in->idempotent)
		verdict(out, RETRY_BACKOFF, MLC_ETRANSIENT, "5xx");
	else
		verdict(out, RETRY_NO, MLC_EUNKNOWN, "5xx");
}
