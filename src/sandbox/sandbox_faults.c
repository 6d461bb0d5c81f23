#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sandbox/contractor.h"
#include "sandbox/sandbox.h"
#include "sandbox/sandbox_latency.h"
#include "util/num.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

/*
 * The controls both simulators share (issue 4, "Sandbox controls"): the
 * --faults spec, latency, the in-flight limit, counters, and the admin
 * routes /_sandbox/stats, /_sandbox/reset-stats, /_sandbox/time/advance.
 * Faults and limits apply to API paths only (sim->api_prefix), never to
 * /_sandbox/, and admin calls are not counted.
 */

/* How long a "timeout" fault holds a request before dropping it: past any
 * sane client timeout.  MLC_SANDBOX_TIMEOUT_MS overrides it for tests. */
#define SBX_TIMEOUT_HOLD_MS 30000

int sandbox_faults_parse(const char *spec, struct sbx_faults *ns, struct sbx_faults *pc,
			 struct mlc_error *err)
{
	char *dup, *p, *next;
	int rc = MLC_OK;

	memset(ns, 0, sizeof(*ns));
	memset(pc, 0, sizeof(*pc));
	if (!spec || !*spec)
		return MLC_OK;
	dup = xstrdup(spec);
	for (p = dup; p && *p; p = next) {
		char *eq, *colon, *end;
		struct sbx_faults *f;
		double v, *slot = NULL;

		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		str_trim(p);
		colon = strchr(p, ':');
		eq = strchr(p, '=');
		if (!colon || !eq || eq < colon) {
			rc = error_set(
			    err, MLC_EINVAL,
			    "--faults: '%s' is not SIM:KIND=PROBABILITY (e.g. ns:5xx=0.05)", p);
			break;
		}
		*colon = '\0';
		*eq = '\0';
		if (strcmp(p, "ns") == 0) {
			f = ns;
		} else if (strcmp(p, "pc") == 0) {
			f = pc;
		} else {
			rc = error_set(err, MLC_EINVAL,
				       "--faults: unknown simulator '%s' (ns or pc)", p);
			break;
		}
		if (strcmp(colon + 1, "5xx") == 0)
			slot = &f->err5xx;
		else if (strcmp(colon + 1, "timeout") == 0)
			slot = &f->timeout;
		else if (strcmp(colon + 1, "reset") == 0)
			slot = &f->reset;
		else if (strcmp(colon + 1, "lost") == 0)
			slot = &f->lost;
		else if (strcmp(colon + 1, "push_drop") == 0)
			slot = &f->push_drop;
		else if (strcmp(colon + 1, "throttle") == 0)
			slot = &f->throttle;
		else if (strcmp(colon + 1, "dup") == 0)
			slot = &f->dup;
		else if (strcmp(colon + 1, "reject") == 0)
			slot = &f->reject;
		else if (strcmp(colon + 1, "429") == 0)
			slot = &f->rate429;
		if (!slot) {
			rc = error_set(err, MLC_EINVAL,
				       "--faults: unknown fault '%s' (5xx, timeout, reset, lost, "
				       "push_drop, throttle, dup, reject, 429)",
				       colon + 1);
			break;
		}
		v = strtod(eq + 1, &end);
		if (end == eq + 1 || *end || !(v >= 0.0 && v <= 1.0)) {
			rc = error_set(err, MLC_EINVAL,
				       "--faults: '%s' is not a probability in [0,1]", eq + 1);
			break;
		}
		*slot = v;
	}
	free(dup);
	return rc;
}

double sbx_random(struct sbx_sim *sim)
{
	uint64_t r;

	pthread_mutex_lock(&sim->lock);
	r = contractor_rand(&sim->rng);
	pthread_mutex_unlock(&sim->lock);
	return (double)(r >> 11) * (1.0 / 9007199254740992.0);
}

void sbx_count_token(struct sbx_sim *sim)
{
	pthread_mutex_lock(&sim->lock);
	sim->token_requests++;
	pthread_mutex_unlock(&sim->lock);
}

void sbx_count_429(struct sbx_sim *sim)
{
	pthread_mutex_lock(&sim->lock);
	sim->rejected_429++;
	pthread_mutex_unlock(&sim->lock);
}

static bool is_admin(const struct mlc_http_request *req)
{
	return str_starts_with(req->path, "/_sandbox/");
}

static bool is_api(const struct sbx_sim *sim, const struct mlc_http_request *req)
{
	return !is_admin(req) && (!sim->api_prefix || str_starts_with(req->path, sim->api_prefix));
}

static int64_t timeout_hold_ms(void)
{
	const char *e = getenv("MLC_SANDBOX_TIMEOUT_MS");
	int64_t v;
	struct mlc_error err;

	if (e && num_parse_i64(e, &v, &err) == 0 && v >= 0)
		return v;
	return SBX_TIMEOUT_HOLD_MS;
}

static bool is_token_request(const struct mlc_http_request *req)
{
	return strstr(req->path, "/oauth") || strstr(req->path, "/auth/");
}

static void add_header_i64(struct mlc_http_response *resp, const char *name, int64_t v)
{
	char s[32];

	snprintf(s, sizeof(s), "%" PRId64, v);
	http_response_header(resp, name, s);
}

/*
 * Procore's rate-limit answer (docs/reference/procore.md, "Pagination,
 * rate limits, errors"): 429, X-Rate-Limit-Limit/-Remaining/-Reset (unix
 * seconds) and, since the docs disagree, Retry-After on half of them.
 * Date carries the sandbox clock, on which the reset is counted.
 */
static void pc_rate_limited(struct sbx_sim *sim, struct mlc_http_response *resp)
{
	int64_t now_s = sbx_clock_now(&sim->sandbox->clock) / 1000;
	int64_t wait_s = 1 + (int64_t)(sbx_random(sim) * 3);
	char date[64];
	time_t t = (time_t)now_s;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	http_response_header(resp, "Date", date);
	add_header_i64(resp, "X-Rate-Limit-Limit", 3600);
	add_header_i64(resp, "X-Rate-Limit-Remaining", 0);
	add_header_i64(resp, "X-Rate-Limit-Reset", now_s + wait_s);
	if (sbx_random(sim) < 0.5)
		add_header_i64(resp, "Retry-After", wait_s);
	http_response_text(resp, 429, "text/plain; charset=utf-8",
			   "You have surpassed the max number of requests for an hour. "
			   "Please wait until your limit resets.");
}

static bool hook_before(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct sbx_sim *sim = arg;
	struct mlc_sandbox *sb = sim->sandbox;
	struct sbx_faults f;
	int in_flight;
	double r;

	if (is_admin(req))
		return false;
	pthread_mutex_lock(&sim->lock);
	in_flight = ++sim->in_flight;
	if (in_flight > sim->max_concurrency)
		sim->max_concurrency = in_flight;
	if (is_api(sim, req))
		sbx_busy_enter(&sim->busy, sbx_busy_is_write(req->method, req->path),
			       sim->limit_in_flight);
	f = sim->faults;
	pthread_mutex_unlock(&sim->lock);
	if (!is_api(sim, req))
		return false;
	if (sim->limit_in_flight > 0 && in_flight > sim->limit_in_flight && sim->over_limit) {
		sim->over_limit(resp);
		sbx_count_429(sim);
		return true;
	}
	{
		/* --latency-ms, plus --latency per side and kind (sandbox_latency.h) */
		int64_t ms = sb ? sb->opts.latency_ms : 0;
		if (sb && ms > 0 && sb->opts.latency_jitter_ms > 0)
			ms += (int64_t)(sbx_random(sim) * (sb->opts.latency_jitter_ms + 1));
		if (sbx_latency_on())
			ms += sbx_latency_ms(sim->name, sbx_busy_is_write(req->method, req->path),
					     sbx_random(sim));
		if (ms > 0)
			time_sleep_ms(ms);
	}
	/* token requests are not writes: logging in still works */
	if (f.reject > 0 && strcmp(req->method, "GET") != 0 && !strstr(req->path, "/oauth") &&
	    !strstr(req->path, "/auth/") && !strstr(req->path, "/query/") &&
	    sbx_random(sim) < f.reject) {
		http_response_error(resp, 400, "sandbox_fault", "injected refusal of a write");
		return true;
	}
	r = sbx_random(sim);
	if (r < f.err5xx) {
		static const int codes[] = {500, 502, 503};
		int code = codes[(int)(sbx_random(sim) * 3) % 3];
		http_response_error(resp, code, "sandbox_fault", "injected %d", code);
		return true;
	}
	r -= f.err5xx;
	if (r < f.timeout) {
		time_sleep_ms(timeout_hold_ms());
		resp->drop_connection = true;
		return true;
	}
	r -= f.timeout;
	if (r < f.reset) {
		resp->drop_connection = true;
		return true;
	}
	r -= f.reset;
	if (r < f.lost && strcmp(req->method, "GET") != 0) {
		/* Handled (the write commits), then the connection is dropped. */
		resp->drop_connection = true;
		return false;
	}
	r -= f.lost;
	/* Last band, so that specs without 429 draw as before.  r < 0 here is
	 * a GET in the "lost" band: not a 429. */
	if (r >= 0 && r < f.rate429 && !is_token_request(req)) {
		if (strcmp(sim->name, "procore") == 0)
			pc_rate_limited(sim, resp);
		else if (sim->over_limit)
			sim->over_limit(resp);
		else
			http_response_error(resp, 429, "sandbox_fault", "injected 429");
		sbx_count_429(sim);
		return true;
	}
	return false;
}

int sbx_route(struct sbx_sim *sim, const char *method, const char *pattern, mlc_http_handler fn,
	      void *arg)
{
	struct mlc_buf b = MLC_BUF_INIT;
	int rc = http_server_route(sim->http, method, pattern, fn, arg);

	if (rc < 0)
		return rc;
	buf_addf(&b, "%s %s", method, pattern);
	sim->routes = xrealloc(sim->routes, (sim->nroutes + 1) * sizeof(*sim->routes));
	sim->routes[sim->nroutes++] = buf_detach(&b, NULL);
	return MLC_OK;
}

/* True when path matches pattern: literal segments, {x} = one segment. */
static bool pattern_match(const char *pattern, const char *path)
{
	const char *p = pattern, *q = path;

	while (*p && *q) {
		if (*p == '{') {
			const char *pe = strchr(p, '}');
			size_t n = strcspn(q, "/");
			if (!pe || n == 0)
				return false;
			p = pe + 1;
			q += n;
		} else if (*p++ != *q++) {
			return false;
		}
	}
	return !*p && !*q;
}

/* The stats key of a request answered before routing. */
static void route_key(const struct sbx_sim *sim, const struct mlc_http_request *req, char *out,
		      size_t n)
{
	size_t ml = strlen(req->method);

	for (size_t i = 0; i < sim->nroutes; i++) {
		const char *r = sim->routes[i];
		if (strncmp(r, req->method, ml) == 0 && r[ml] == ' ' &&
		    pattern_match(r + ml + 1, req->path)) {
			snprintf(out, n, "%s", r);
			return;
		}
	}
	snprintf(out, n, "%s %s", req->method, req->path);
}

static void bump(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	json_object_set_new(obj, key, json_integer(v ? json_integer_value(v) + 1 : 1));
}

static void hook_after(const struct mlc_http_request *req, const struct mlc_http_response *resp,
		       int64_t duration_us, void *arg)
{
	struct sbx_sim *sim = arg;
	char key[512], code[16];

	MLC_UNUSED(duration_us);
	if (is_admin(req))
		return;
	if (req->route)
		snprintf(key, sizeof(key), "%s %s", req->method, req->route);
	else
		route_key(sim, req, key, sizeof(key));
	snprintf(code, sizeof(code), "%d", resp->drop_connection ? 0 : resp->status);
	pthread_mutex_lock(&sim->lock);
	sim->in_flight--;
	if (is_api(sim, req))
		sbx_busy_leave(&sim->busy, sbx_busy_is_write(req->method, req->path),
			       sim->limit_in_flight);
	bump(sim->calls, key);
	bump(sim->status, code);
	if (!json_object_get(sim->calls_status, key))
		json_object_set_new(sim->calls_status, key, json_object());
	bump(json_object_get(sim->calls_status, key), code);
	pthread_mutex_unlock(&sim->lock);
}

static void h_stats(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct sbx_sim *sim = arg;
	json_t *body;

	MLC_UNUSED(req);
	pthread_mutex_lock(&sim->lock);
	body = json_pack("{s:o,s:o,s:o,s:i,s:I,s:I}", "calls", json_deep_copy(sim->calls), "status",
			 json_deep_copy(sim->status), "calls_status",
			 json_deep_copy(sim->calls_status), "max_concurrency", sim->max_concurrency,
			 "token_requests", (json_int_t)sim->token_requests, "rejected_429",
			 (json_int_t)sim->rejected_429);
	pthread_mutex_unlock(&sim->lock);
	http_response_json(resp, 200, body);
}

static void h_reset(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct sbx_sim *sim = arg;

	MLC_UNUSED(req);
	pthread_mutex_lock(&sim->lock);
	json_object_clear(sim->calls);
	json_object_clear(sim->status);
	json_object_clear(sim->calls_status);
	sim->max_concurrency = sim->in_flight;
	sbx_busy_reset(&sim->busy);
	sim->token_requests = 0;
	sim->rejected_429 = 0;
	pthread_mutex_unlock(&sim->lock);
	http_response_json(resp, 200, json_pack("{s:b}", "reset", 1));
}

static void h_busy(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct sbx_sim *sim = arg;
	json_t *body;

	MLC_UNUSED(req);
	pthread_mutex_lock(&sim->lock);
	body = sbx_busy_json(&sim->busy, sim->limit_in_flight);
	pthread_mutex_unlock(&sim->lock);
	http_response_json(resp, 200, body);
}

static void h_time(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct sbx_sim *sim = arg;
	struct mlc_error err;
	int64_t secs = 0;
	char now[MLC_TIME_FMT_MAX];

	if (strcmp(req->method, "POST") == 0) {
		const char *q = http_request_query(req, "seconds");
		json_t *body = q ? NULL : http_request_json(req, &err);
		json_t *s = json_object_get(body, "seconds");
		if (q ? num_parse_i64(q, &secs, &err) < 0 : !json_is_integer(s)) {
			json_decref(body);
			http_response_error(resp, 400, "bad_request",
					    "give seconds: ?seconds=N or {\"seconds\": N}");
			return;
		}
		if (!q)
			secs = json_integer_value(s);
		json_decref(body);
		sbx_clock_advance(&sim->sandbox->clock, secs * 1000);
	}
	time_format_rfc3339(sbx_clock_now(&sim->sandbox->clock), now);
	http_response_json(resp, 200,
			   json_pack("{s:s,s:I}", "now", now, "offset_seconds",
				     (json_int_t)(sbx_clock_offset(&sim->sandbox->clock) / 1000)));
}

/* POST /_sandbox/faults {"faults": SPEC, "latency_ms": N, "jitter_ms": N}:
 * replaces this simulator's faults (its "ns:"/"pc:" part of SPEC) and the
 * added latency at run time, so one sandbox can serve every test. */
static void h_faults(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct sbx_sim *sim = arg;
	struct mlc_error err = {0};
	struct sbx_faults ns, pc;
	json_t *body = http_request_json(req, &err);
	json_t *lat, *jit;

	if (!body) {
		http_response_error(resp, 400, "bad_request", "%s", err.msg);
		return;
	}
	if (sandbox_faults_parse(json_string_value(json_object_get(body, "faults")), &ns, &pc,
				 &err) < 0) {
		json_decref(body);
		http_response_error(resp, 400, "bad_request", "%s", err.msg);
		return;
	}
	lat = json_object_get(body, "latency_ms");
	jit = json_object_get(body, "jitter_ms");
	pthread_mutex_lock(&sim->lock);
	sim->faults = strcmp(sim->name, "netsuite") == 0 ? ns : pc;
	pthread_mutex_unlock(&sim->lock);
	if (json_is_integer(lat))
		sim->sandbox->opts.latency_ms = (int)json_integer_value(lat);
	if (json_is_integer(jit))
		sim->sandbox->opts.latency_jitter_ms = (int)json_integer_value(jit);
	json_decref(body);
	http_response_json(resp, 200, json_pack("{s:b}", "ok", 1));
}

int sbx_sim_install(struct sbx_sim *sim, struct mlc_http_server *http, struct mlc_error *err)
{
	struct mlc_http_hooks hooks = {hook_before, hook_after, sim};

	sim->http = http;
	http_server_set_hooks(http, &hooks);
	if (http_server_route(http, "GET", "/_sandbox/stats", h_stats, sim) < 0 ||
	    http_server_route(http, "POST", "/_sandbox/reset-stats", h_reset, sim) < 0 ||
	    http_server_route(http, "GET", "/_sandbox/busy", h_busy, sim) < 0 ||
	    http_server_route(http, "POST", "/_sandbox/time/advance", h_time, sim) < 0 ||
	    http_server_route(http, "GET", "/_sandbox/time", h_time, sim) < 0 ||
	    http_server_route(http, "POST", "/_sandbox/faults", h_faults, sim) < 0)
		return error_set(err, MLC_EINVAL, "%s: cannot register the sandbox routes",
				 sim->name);
	return MLC_OK;
}
