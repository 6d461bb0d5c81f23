#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "auth/clock.h"
#include "net/http_client.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

/* Read and written only at start-up (clock_set()), read-only afterwards. */
static struct mlc_clock process_clock;
static bool process_clock_set;

void clock_set(const struct mlc_clock *c)
{
	process_clock_set = c != NULL && c->now_ms != NULL;
	if (process_clock_set)
		process_clock = *c;
}

const struct mlc_clock *clock_get(void)
{
	return process_clock_set ? &process_clock : NULL;
}

struct mlc_url_clock {
	char *url;
	struct mlc_http_upstream *up;
	pthread_mutex_t lock;
	int64_t offset_ms; /* last seen: remote - wall */
	bool warned;
};

int url_clock_new(const char *url, struct mlc_url_clock **out, struct mlc_error *err)
{
	struct mlc_http_upstream_opts uo = {0};
	struct mlc_url_clock *c;
	int rc;

	*out = NULL;
	if (!str_starts_with(url, "http://127.0.0.1:") &&
	    !str_starts_with(url, "http://localhost:") && !str_starts_with(url, "http://[::1]:"))
		return error_set(
		    err, MLC_ECONFIG,
		    "the clock URL must be a loopback http:// URL (the sandbox's clock), not '%s'",
		    url);
	c = xcalloc(1, sizeof(*c));
	c->url = xstrdup(url);
	pthread_mutex_init(&c->lock, NULL);
	uo.name = "clock";
	uo.base_url = url;
	uo.timeout_ms = 2000;
	uo.max_attempts = 2;
	uo.max_retry_ms = 3000;
	rc = http_upstream_new(&uo, &c->up, err);
	if (rc < 0) {
		url_clock_free(c);
		return rc;
	}
	*out = c;
	return MLC_OK;
}

void url_clock_free(struct mlc_url_clock *c)
{
	if (!c)
		return;
	http_upstream_free(c->up);
	pthread_mutex_destroy(&c->lock);
	free(c->url);
	free(c);
}

/* The remote time in the answer, in ms; false when there is none. */
static bool read_time(const json_t *j, int64_t wall, int64_t *out)
{
	const json_t *v;

	v = json_object_get(j, "now_ms");
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	v = json_object_get(j, "offset_seconds");
	if (json_is_integer(v)) {
		*out = wall + json_integer_value(v) * 1000;
		return true;
	}
	v = json_object_get(j, "offset_ms");
	if (json_is_integer(v)) {
		*out = wall + json_integer_value(v);
		return true;
	}
	v = json_object_get(j, "now");
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	return json_is_string(v) && time_parse_rfc3339(json_string_value(v), out, NULL) == 0;
}

int64_t url_clock_now(void *arg)
{
	struct mlc_url_clock *c = arg;
	struct mlc_http_req req;
	struct mlc_http_resp resp;
	struct mlc_error err = {0};
	json_t *j = NULL;
	int64_t wall, remote = 0, off;
	bool ok;

	http_req_init(&req, "GET", c->url);
	http_resp_init(&resp);
	ok = http_upstream_send(c->up, &req, &resp, &err) == 0 && resp.status == 200 &&
	     (j = json_loadb(resp.body.data, resp.body.len, 0, NULL)) != NULL;
	/* read after the answer: the remote time is at most this old */
	wall = time_now_ms();
	ok = ok && read_time(j, wall, &remote);
	json_decref(j);
	http_req_release(&req);
	http_resp_release(&resp);
	pthread_mutex_lock(&c->lock);
	if (ok) {
		c->offset_ms = remote - wall;
		c->warned = false;
	} else if (!c->warned) {
		c->warned = true;
		log_warn("clock URL does not answer; using the last offset", "url", c->url);
	}
	off = c->offset_ms;
	pthread_mutex_unlock(&c->lock);
	return wall + off;
}
