/* Procore simulator: OAuth client credentials and the rate limiter. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "sandbox/contractor.h"
#include "sandbox/pcsim.h"
#include "util/buf.h"
#include "util/num.h"
#include "util/str.h"
#include "util/banned.h"

static int parse_one(const char *item, size_t len, int *limit, int *window, struct mlc_error *err)
{
	char tmp[64], *slash, *unit;
	int n, mult = 1;

	if (len == 0 || len >= sizeof(tmp))
		return error_set(err, MLC_EINVAL, "bad rate item");
	memcpy(tmp, item, len);
	tmp[len] = '\0';
	slash = strchr(tmp, '/');
	if (!slash)
		return error_set(err, MLC_EINVAL, "rate '%s': expected N/unit", tmp);
	*slash = '\0';
	if (num_parse_int(tmp, 1, INT_MAX, &n, err) != 0)
		return error_prefix(err, "rate count");
	unit = slash + 1;
	if (*unit >= '0' && *unit <= '9') {
		char digits[16];
		size_t i = 0;
		while (unit[i] >= '0' && unit[i] <= '9' && i < sizeof(digits) - 1) {
			digits[i] = unit[i];
			i++;
		}
		digits[i] = '\0';
		if (num_parse_int(digits, 1, 1000000, &mult, err) != 0)
			return error_prefix(err, "rate window");
		unit += i;
	}
	if (strcmp(unit, "h") == 0)
		*window = 3600 * mult;
	else if (strcmp(unit, "m") == 0 || strcmp(unit, "min") == 0)
		*window = 60 * mult;
	else if (strcmp(unit, "s") == 0)
		*window = mult;
	else
		return error_set(err, MLC_EINVAL, "rate unit '%s': expected h, m or s", unit);
	*limit = n;
	return 0;
}

int pc_rate_parse(const char *spec, struct pc_rate *r, struct mlc_error *err)
{
	int lim[2] = {0, 0}, win[2] = {0, 0}, n = 0, rc;
	const char *p = spec;

	memset(r, 0, sizeof(*r));
	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (n == 2)
			return error_set(err, MLC_EINVAL, "--pc-rate: at most two limits");
		rc = parse_one(p, len, &lim[n], &win[n], err);
		if (rc)
			return rc;
		n++;
		p = comma ? comma + 1 : NULL;
	}
	if (n == 0)
		return error_set(err, MLC_EINVAL, "--pc-rate: empty");
	if (n == 1) {
		lim[1] = INT_MAX;
		win[1] = 10;
	}
	/* The longer window is the hourly limit, the shorter the spike limit. */
	int h = win[0] >= win[1] ? 0 : 1;
	r->hour_limit = lim[h];
	r->hour_window_s = win[h];
	r->spike_limit = lim[1 - h];
	r->spike_window_s = win[1 - h];
	return 0;
}

bool pc_rate_take(struct pc_rate *r, int64_t now_s, int64_t *limit, int64_t *remaining,
		  int64_t *reset)
{
	int64_t hs = now_s - now_s % r->hour_window_s;
	int64_t ss = now_s - now_s % r->spike_window_s;
	bool ok;
	int64_t hrem, srem;

	if (hs != r->hour_start) {
		r->hour_start = hs;
		r->hour_used = 0;
	}
	if (ss != r->spike_start) {
		r->spike_start = ss;
		r->spike_used = 0;
	}
	ok = r->hour_used < r->hour_limit && r->spike_used < r->spike_limit;
	/* Every call counts, refused ones included (reference: "Failed calls
	 * count against the quota"). */
	if (r->hour_used < INT_MAX)
		r->hour_used++;
	if (r->spike_used < INT_MAX)
		r->spike_used++;
	hrem = r->hour_limit > r->hour_used ? r->hour_limit - r->hour_used : 0;
	srem = r->spike_limit > r->spike_used ? r->spike_limit - r->spike_used : 0;
	/* Describe whichever limit is closer to running out. */
	if (hrem < srem || r->spike_limit == INT_MAX) {
		*limit = r->hour_limit;
		*remaining = hrem;
		*reset = hs + r->hour_window_s;
	} else {
		*limit = r->spike_limit;
		*remaining = srem;
		*reset = ss + r->spike_window_s;
	}
	return ok;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static char *form_decode(const char *s, size_t n)
{
	struct mlc_buf b = MLC_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			buf_addch(&b, ' ');
		} else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
			   hexval(s[i + 2]) >= 0) {
			buf_addch(&b, (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
			i += 2;
		} else {
			buf_addch(&b, s[i]);
		}
	}
	return buf_detach(&b, NULL);
}

/* Parses a form body into a JSON object of strings. */
static json_t *form_parse(const char *body)
{
	json_t *o = json_object();
	const char *p = body;
	while (p && *p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		if (eq) {
			char *k = form_decode(p, (size_t)(eq - p));
			char *v = form_decode(eq + 1, len - (size_t)(eq - p) - 1);
			json_object_set_new(o, k, json_string(v));
			free(k);
			free(v);
		}
		p = amp ? amp + 1 : NULL;
	}
	return o;
}

static void oauth_error(struct mlc_http_response *resp, int status, const char *error,
			const char *desc)
{
	http_response_json(resp, status,
			   json_pack("{s:s,s:s}", "error", error, "error_description", desc));
}

void pc_handle_token(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct pcsim *pc = arg;
	const char *ct = http_request_header(req, "Content-Type");
	json_t *in = NULL;
	const char *grant, *cid, *secret;
	char token[80];
	int64_t now;

	sbx_count_token(pc->sim);
	if (ct && strstr(ct, "json")) {
		struct mlc_error err;
		in = http_request_json(req, &err);
	} else {
		in = form_parse(req->body);
	}
	if (!in) {
		oauth_error(resp, 400, "invalid_request",
			    "The request is missing a required parameter.");
		return;
	}
	grant = json_string_value(json_object_get(in, "grant_type"));
	cid = json_string_value(json_object_get(in, "client_id"));
	secret = json_string_value(json_object_get(in, "client_secret"));
	if (!grant) {
		oauth_error(resp, 400, "invalid_request",
			    "The request is missing a required parameter, "
			    "includes an unsupported parameter value, or is otherwise malformed.");
		goto out;
	}
	if (strcmp(grant, "client_credentials") != 0) {
		oauth_error(
		    resp, 400, "unsupported_grant_type",
		    "The authorization grant type is not supported by the authorization server.");
		goto out;
	}
	pthread_mutex_lock(&pc->lock);
	if (!cid || !secret || strcmp(cid, pc->client_id) != 0 ||
	    !str_eq_ct(secret, pc->client_secret)) {
		pthread_mutex_unlock(&pc->lock);
		oauth_error(
		    resp, 401, "invalid_client",
		    "Client authentication failed due to unknown client, no client authentication "
		    "included, or unsupported authentication method.");
		goto out;
	}
	now = sbx_clock_now(pc->clock);
	snprintf(token, sizeof(token), "pcsim.%016" PRIx64 "%016" PRIx64, contractor_rand(&pc->rng),
		 contractor_rand(&pc->rng));
	json_object_set_new(pc->tokens, token, json_integer(now + (int64_t)pc->token_ttl * 1000));
	pthread_mutex_unlock(&pc->lock);
	/* No refresh token: the client asks again (reference, "Auth"). */
	http_response_json(resp, 200,
			   json_pack("{s:s,s:s,s:i,s:I}", "access_token", token, "token_type",
				     "bearer", "expires_in", pc->token_ttl, "created_at",
				     (json_int_t)(now / 1000)));
out:
	json_decref(in);
}

int pc_token_check(struct pcsim *pc, const struct mlc_http_request *req)
{
	const char *auth = http_request_header(req, "Authorization");
	json_t *exp;

	if (!auth || strncmp(auth, "Bearer ", 7) != 0)
		return PC_TOKEN_MISSING;
	exp = json_object_get(pc->tokens, auth + 7);
	if (!exp)
		return PC_TOKEN_INVALID;
	return json_integer_value(exp) > sbx_clock_now(pc->clock) ? PC_TOKEN_OK : PC_TOKEN_EXPIRED;
}
