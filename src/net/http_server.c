#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "net/cidr.h"
#include "net/http_router.h"
#include "net/http_server.h"
#include "net/metrics.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/num.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

#define DEFAULT_BODY_LIMIT     ((size_t)1 << 20)
#define DEFAULT_THREADS        8
#define DEFAULT_IDLE_TIMEOUT_S 120
/* How long http_server_stop() waits for requests in flight. */
#define DRAIN_TIMEOUT_MS 30000
/* A declared body this far over the limit is refused without reading it. */
#define BODY_READ_SLACK ((size_t)256 << 10)

/* A route's fast handler (http_server_route_fast). */
struct fast_route {
	char *method;
	char *pattern;
	mlc_http_fast fast;
	void *arg;
};

struct mlc_http_server {
	char *name;
	char *listen;
	size_t body_limit;
	int threads;
	bool access_log;
	bool builtin_routes;
	bool health_only;
	bool (*ready)(void *arg);
	void *ready_arg;
	unsigned int per_client_limit;
	unsigned int idle_timeout_s;
	unsigned int io_threads;
	bool inline_health; /* the built-in /healthz and /metrics are routed */
	struct mlc_cidr_list trusted;
	struct mlc_http_router router;
	struct mlc_http_hooks hooks;
	struct fast_route *fast;
	size_t nfast;
	struct MHD_Daemon *daemon;
	int port;
	pthread_mutex_t lock;
	pthread_cond_t idle;
	int in_flight;
	/*
	 * Handlers run on these workers, not on MHD's thread: the connection
	 * is suspended while its request waits in the queue or runs, so slow
	 * handlers never hold up other connections.  Under qlock: the queue
	 * and qstop (set while stopping; later requests are answered 503 on
	 * MHD's thread).
	 */
	pthread_t *workers;
	int nworkers;
	pthread_mutex_t qlock;
	pthread_cond_t qcond;
	struct req_ctx *qhead, *qtail;
	bool qstop;
};

/* Per-request state, from the first header callback to completion. */
struct req_ctx {
	struct mlc_http_request req;
	struct mlc_http_server *srv;
	struct MHD_Connection *conn;
	struct mlc_buf body;
	bool too_large;
	bool processed; /* resp is final (the handler ran) */
	bool responded; /* resp queued or the connection refused */
	char *path;
	struct mlc_http_params params;
	/* copied on MHD's thread so that handlers never touch the connection */
	struct mlc_http_header *hdrs, *args;
	size_t nhdrs, nargs;
	struct mlc_http_response resp;
	int64_t start_us;
	/* set by http_request_resume(), run on the I/O thread */
	mlc_http_fast cont;
	void *cont_arg;
	struct req_ctx *next; /* work queue */
};

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- request accessors ---- */

const char *http_request_header(const struct mlc_http_request *r, const char *name)
{
	const struct req_ctx *ctx = r->internal;

	return http_headers_get(ctx->hdrs, ctx->nhdrs, name);
}

const char *http_request_param(const struct mlc_http_request *r, const char *name)
{
	const struct req_ctx *ctx = r->internal;

	for (size_t i = 0; i < ctx->params.n; i++)
		if (strcmp(ctx->params.items[i].name, name) == 0)
			return ctx->params.items[i].value;
	return NULL;
}

const char *http_request_query(const struct mlc_http_request *r, const char *name)
{
	const struct req_ctx *ctx = r->internal;

	for (size_t i = 0; i < ctx->nargs; i++)
		if (strcmp(ctx->args[i].name, name) == 0)
			return ctx->args[i].value;
	return NULL;
}

void http_request_query_each(const struct mlc_http_request *r,
			     void (*fn)(const char *key, const char *value, void *arg), void *arg)
{
	const struct req_ctx *ctx = r->internal;

	for (size_t i = 0; i < ctx->nargs; i++)
		fn(ctx->args[i].name, ctx->args[i].value, arg);
}

json_t *http_request_json(const struct mlc_http_request *r, struct mlc_error *err)
{
	json_error_t jerr;
	json_t *j;

	if (r->body_len == 0) {
		error_set(err, MLC_EINVAL, "request body is empty, JSON expected");
		return NULL;
	}
	j = json_loadb(r->body, r->body_len, 0, &jerr);
	if (!j)
		error_set(err, MLC_EINVAL,
			  "request body is not valid JSON: %s (line %d, column %d)", jerr.text,
			  jerr.line, jerr.column);
	return j;
}

/* ---- request processing ---- */

struct copy_values {
	struct mlc_http_header **arr;
	size_t *n;
};

static enum MHD_Result copy_value(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *value)
{
	struct copy_values *cv = cls;

	MLC_UNUSED(kind);
	if (key)
		http_headers_add(cv->arr, cv->n, key, value ? value : "");
	return MHD_YES;
}

static void find_client_ip(struct req_ctx *ctx, char *out, size_t outlen);

/* Copies what handlers may read out of the connection (MHD's thread). */
static void snapshot(struct req_ctx *ctx)
{
	struct copy_values h = {&ctx->hdrs, &ctx->nhdrs}, a = {&ctx->args, &ctx->nargs};

	MHD_get_connection_values(ctx->conn, MHD_HEADER_KIND, copy_value, &h);
	MHD_get_connection_values(ctx->conn, MHD_GET_ARGUMENT_KIND, copy_value, &a);
	find_client_ip(ctx, ctx->req.client_ip, sizeof(ctx->req.client_ip));
	ctx->req.body = ctx->body.data;
	ctx->req.body_len = ctx->body.len;
}

/* The peer's address, or the client named by X-Forwarded-For when the peer
 * is a trusted proxy (xff_resolve: every header line, walked from the right). */
static void find_client_ip(struct req_ctx *ctx, char *out, size_t outlen)
{
	const union MHD_ConnectionInfo *ci;
	const char **lines;
	char peer[64] = "unknown";
	struct mlc_buf chain = MLC_BUF_INIT;
	size_t n = 0;

	str_copy(out, outlen, "unknown");
	ci = MHD_get_connection_info(ctx->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr)
		return;
	if (ci->client_addr->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ci->client_addr;
		inet_ntop(AF_INET, &sin->sin_addr, peer, (socklen_t)sizeof(peer));
	} else if (ci->client_addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)ci->client_addr;
		inet_ntop(AF_INET6, &sin6->sin6_addr, peer, (socklen_t)sizeof(peer));
	}
	/* MHD keeps a repeated header as separate values, in order */
	lines = xcalloc(ctx->nhdrs + 1, sizeof(*lines));
	for (size_t i = 0; i < ctx->nhdrs; i++)
		if (str_ieq(ctx->hdrs[i].name, "X-Forwarded-For"))
			lines[n++] = ctx->hdrs[i].value;
	xff_resolve(&ctx->srv->trusted, peer, lines, n, out, outlen);
	if (n && log_enabled(MLC_LOG_DEBUG)) {
		for (size_t i = 0; i < n; i++)
			buf_addf(&chain, "%s%s", i ? " | " : "", lines[i]);
		log_debug("http client address", "server", ctx->srv->name, "peer", peer,
			  "x_forwarded_for", chain.data, "client", out);
	}
	buf_release(&chain);
	free(lines);
}

/* The request methods of RFC 9110 section 9 and PATCH (RFC 5789); any
 * other method is counted as "other" (issue 21 item 3). */
static const char *const known_methods[] = {"GET",     "HEAD",    "POST",  "PUT",   "DELETE",
					    "CONNECT", "OPTIONS", "TRACE", "PATCH", NULL};

static void record_metrics(struct req_ctx *ctx, const struct mlc_http_response *resp,
			   int64_t dur_us)
{
	struct mlc_buf labels = MLC_BUF_INIT;
	char status[16];
	const char *route = ctx->req.route ? ctx->req.route : "unmatched";

	snprintf(status, sizeof(status), "%d", resp->drop_connection ? 0 : resp->status);
	/* route is a registered pattern or "unmatched", status one our
	 * handlers chose: only the method comes from the client as sent */
	metrics_labels(&labels, "server", ctx->srv->name, "method",
		       metrics_bounded(ctx->req.method, known_methods), "route", route, "status",
		       status, (const char *)NULL);
	metrics_counter_add("mlc_http_server_requests_total", "HTTP requests served", labels.data,
			    1);
	buf_reset(&labels);
	metrics_labels(&labels, "server", ctx->srv->name, "route", route, (const char *)NULL);
	metrics_histogram_observe("mlc_http_server_request_duration_seconds",
				  "Time from request start to response", labels.data,
				  (double)dur_us / 1e6);
	buf_release(&labels);
	if (ctx->srv->access_log) {
		char ms[32], bytes[32];
		snprintf(ms, sizeof(ms), "%.1f", (double)dur_us / 1000.0);
		snprintf(bytes, sizeof(bytes), "%zu", resp->body.len);
		log_info("http request", "server", ctx->srv->name, "client", ctx->req.client_ip,
			 "method", ctx->req.method, "path", ctx->req.path, "route", route, "status",
			 resp->drop_connection ? "dropped" : status, "ms", ms, "bytes", bytes);
	}
}

static void dispatch(struct req_ctx *ctx, struct mlc_http_response *resp)
{
	struct mlc_http_server *s = ctx->srv;
	const struct mlc_http_route *rt;
	struct mlc_buf allow = MLC_BUF_INIT;
	const char *pattern;
	bool known, answered;

	answered =
	    !ctx->too_large && s->hooks.before && s->hooks.before(&ctx->req, resp, s->hooks.arg);
	/* matched even when the hook answered, so stats and the after hook
	 * see the route */
	rt = router_match(&s->router, ctx->req.method, ctx->req.path, &ctx->params, &known,
			  &pattern, &allow);
	ctx->req.route = pattern;
	if (answered)
		goto out;
	if (ctx->too_large) {
		http_response_error(resp, 413, "body_too_large",
				    "request body exceeds the limit of %zu bytes", s->body_limit);
	} else if (!rt && known) {
		http_response_error(resp, 405, "method_not_allowed",
				    "method %s is not allowed on %s", ctx->req.method,
				    ctx->req.path);
		http_response_header(resp, "Allow", allow.data);
	} else if (!rt) {
		http_response_error(resp, 404, "not_found", "no route for %s", ctx->req.path);
	} else {
		rt->fn(&ctx->req, resp, rt->arg);
	}
out:
	buf_release(&allow);
}

/* The after hook and the metrics, once resp is final. */
static void finish(struct req_ctx *ctx)
{
	struct mlc_http_server *s = ctx->srv;
	int64_t dur;

	if (ctx->resp.status < 100 || ctx->resp.status > 999)
		ctx->resp.status = 500;
	dur = mono_us() - ctx->start_us;
	if (s->hooks.after)
		s->hooks.after(&ctx->req, &ctx->resp, dur, s->hooks.arg);
	record_metrics(ctx, &ctx->resp, dur);
	ctx->processed = true;
}

/* Routes and runs the handler and hooks; resp is final afterwards. */
static void process(struct req_ctx *ctx)
{
	dispatch(ctx, &ctx->resp);
	finish(ctx);
}

/* Hands the final response to MHD (MHD's thread). */
static enum MHD_Result queue_response(struct req_ctx *ctx)
{
	struct mlc_http_response *resp = &ctx->resp;
	struct MHD_Response *mr;
	enum MHD_Result ret;

	ctx->responded = true;
	if (resp->drop_connection)
		return MHD_NO; /* close the socket with nothing sent */
	mr =
	    MHD_create_response_from_buffer(resp->body.len, resp->body.data, MHD_RESPMEM_MUST_COPY);
	if (!mr)
		return MHD_NO;
	for (size_t i = 0; i < resp->nheaders; i++)
		MHD_add_response_header(mr, resp->headers[i].name, resp->headers[i].value);
	MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE,
				resp->content_type ? resp->content_type : "application/json");
	ret = MHD_queue_response(ctx->conn, (unsigned int)resp->status, mr);
	MHD_destroy_response(mr);
	return ret;
}

/* Runs the request right here, on MHD's thread. */
static enum MHD_Result respond_inline(struct req_ctx *ctx)
{
	snapshot(ctx);
	process(ctx);
	return queue_response(ctx);
}

static void *worker_main(void *arg)
{
	struct mlc_http_server *s = arg;
	struct req_ctx *ctx;

	for (;;) {
		pthread_mutex_lock(&s->qlock);
		while (!s->qhead && !s->qstop)
			pthread_cond_wait(&s->qcond, &s->qlock);
		ctx = s->qhead;
		if (ctx) {
			s->qhead = ctx->next;
			if (!s->qhead)
				s->qtail = NULL;
		}
		pthread_mutex_unlock(&s->qlock);
		if (!ctx)
			return NULL; /* stopping and the queue is empty */
		process(ctx);
		MHD_resume_connection(ctx->conn);
	}
}

/* Suspends the connection and queues its request for a worker; false
 * when the workers are stopping. */
static bool hand_to_worker(struct req_ctx *ctx)
{
	struct mlc_http_server *s = ctx->srv;
	bool ok;

	pthread_mutex_lock(&s->qlock);
	ok = !s->qstop;
	if (ok) {
		MHD_suspend_connection(ctx->conn);
		ctx->next = NULL;
		if (s->qtail)
			s->qtail->next = ctx;
		else
			s->qhead = ctx;
		s->qtail = ctx;
		pthread_cond_signal(&s->qcond);
	}
	pthread_mutex_unlock(&s->qlock);
	return ok;
}

/*
 * /healthz and /metrics answer on MHD's thread, never behind the workers'
 * queue: they take no lock a handler holds for long and touch no store,
 * so a flood of slow webhook requests cannot make the process look dead
 * (issue 21, item 4).  /readyz probes the store and stays on a worker.
 */
static bool is_health(const struct req_ctx *ctx)
{
	return ctx->srv->inline_health && strcmp(ctx->req.method, "GET") == 0 &&
	       (strcmp(ctx->path, "/healthz") == 0 || strcmp(ctx->path, "/metrics") == 0);
}

/* Acts on what a fast handler or a continuation returned (I/O thread). */
static enum MHD_Result fast_outcome(struct req_ctx *ctx, enum http_fast r)
{
	if (r == HTTP_FAST_DEFERRED)
		return MHD_YES; /* suspended until http_request_resume() */
	if (r == HTTP_FAST_ANSWERED) {
		finish(ctx);
		return queue_response(ctx);
	}
	/* declined: a worker routes it again and runs the handler */
	router_params_release(&ctx->params);
	ctx->req.route = NULL;
	if (hand_to_worker(ctx))
		return MHD_YES;
	http_response_error(&ctx->resp, 503, "shutting_down", "the server is stopping");
	ctx->processed = true;
	return queue_response(ctx);
}

/* Runs the route's fast handler when it has one; false (nothing done)
 * when the request goes to a worker as usual. */
static bool try_fast(struct req_ctx *ctx, enum MHD_Result *ret)
{
	struct mlc_http_server *s = ctx->srv;
	const struct mlc_http_route *rt;
	const char *pattern;
	bool known;

	if (!s->nfast || s->hooks.before)
		return false;
	rt = router_match(&s->router, ctx->req.method, ctx->req.path, &ctx->params, &known,
			  &pattern, NULL);
	for (size_t i = 0; rt && i < s->nfast; i++)
		if (strcmp(s->fast[i].pattern, rt->pattern) == 0 &&
		    strcmp(s->fast[i].method, rt->method) == 0) {
			ctx->req.route = rt->pattern;
			*ret = fast_outcome(ctx,
					    s->fast[i].fast(&ctx->req, &ctx->resp, s->fast[i].arg));
			return true;
		}
	router_params_release(&ctx->params);
	return false;
}

void http_request_defer(struct mlc_http_request *req)
{
	struct req_ctx *ctx = req->internal;

	MHD_suspend_connection(ctx->conn);
}

void http_request_resume(struct mlc_http_request *req, mlc_http_fast cont, void *arg)
{
	struct req_ctx *ctx = req->internal;

	ctx->cont = cont;
	ctx->cont_arg = arg;
	MHD_resume_connection(ctx->conn);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct mlc_http_server *s = cls;
	struct req_ctx *ctx = *con_cls;

	MLC_UNUSED(version);
	if (!ctx) {
		const char *cl;
		uint64_t declared;
		ctx = xcalloc(1, sizeof(*ctx));
		ctx->srv = s;
		ctx->conn = conn;
		ctx->start_us = mono_us();
		buf_init(&ctx->body);
		ctx->path = xstrdup(url ? url : "/");
		ctx->req.method = method;
		ctx->req.path = ctx->path;
		ctx->resp.status = 200;
		buf_init(&ctx->resp.body);
		ctx->req.body = mlc_buf_empty;
		ctx->req.internal = ctx;
		pthread_mutex_lock(&s->lock);
		s->in_flight++;
		pthread_mutex_unlock(&s->lock);
		*con_cls = ctx;
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && num_parse_u64(cl, &declared, NULL) == MLC_OK &&
		    declared > s->body_limit) {
			ctx->too_large = true;
			/* Far too big to be worth reading: answer now, MHD then
			 * closes the connection instead of reading the rest. */
			if (declared > s->body_limit + BODY_READ_SLACK)
				return respond_inline(ctx);
		}
		return MHD_YES;
	}
	if (ctx->responded) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (ctx->processed)
		return queue_response(ctx); /* resumed after a worker ran it */
	if (ctx->cont) {
		/* resumed by http_request_resume() */
		mlc_http_fast cont = ctx->cont;
		ctx->cont = NULL;
		return fast_outcome(ctx, cont(&ctx->req, &ctx->resp, ctx->cont_arg));
	}
	if (*upload_data_size) {
		if (!ctx->too_large && ctx->body.len + *upload_data_size > s->body_limit) {
			ctx->too_large = true;
			buf_release(&ctx->body);
		}
		if (!ctx->too_large)
			buf_add(&ctx->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	/* the whole request is in */
	if (ctx->too_large || is_health(ctx))
		return respond_inline(ctx);
	snapshot(ctx);
	{
		enum MHD_Result ret;
		if (try_fast(ctx, &ret))
			return ret;
	}
	if (hand_to_worker(ctx))
		return MHD_YES;
	http_response_error(&ctx->resp, 503, "shutting_down", "the server is stopping");
	ctx->processed = true;
	return queue_response(ctx);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct mlc_http_server *s = cls;
	struct req_ctx *ctx = *con_cls;

	MLC_UNUSED(conn);
	MLC_UNUSED(toe);
	if (!ctx)
		return;
	*con_cls = NULL;
	if (ctx->cont) {
		/* resumed, but the connection ended before the I/O thread ran
		 * the continuation (the client went away): it runs anyway, so
		 * that what it owns is released; its answer goes nowhere */
		mlc_http_fast cont = ctx->cont;
		ctx->cont = NULL;
		(void)cont(&ctx->req, &ctx->resp, ctx->cont_arg);
	}
	buf_release(&ctx->body);
	router_params_release(&ctx->params);
	http_headers_free(&ctx->hdrs, &ctx->nhdrs);
	http_headers_free(&ctx->args, &ctx->nargs);
	http_response_release(&ctx->resp);
	free(ctx->path);
	free(ctx);
	pthread_mutex_lock(&s->lock);
	if (--s->in_flight == 0)
		pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->lock);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct mlc_http_server *s = cls;
	struct mlc_buf msg = MLC_BUF_INIT;

	buf_vaddf(&msg, fmt, ap);
	str_trim(msg.data);
	/* drop_connection is reported by MHD as an application error */
	if (strstr(msg.data, "Application reported internal error"))
		log_debug("http server", "server", s->name, "detail", msg.data);
	else
		log_warn("http server", "server", s->name, "detail", msg.data);
	buf_release(&msg);
}

/* ---- builtin routes ---- */

static void route_healthz(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	MLC_UNUSED(req);
	MLC_UNUSED(arg);
	http_response_json(resp, 200, json_pack("{s:s}", "status", "ok"));
}

static void route_readyz(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct mlc_http_server *s = arg;
	bool ready = !s->ready || s->ready(s->ready_arg);

	MLC_UNUSED(req);
	http_response_json(resp, ready ? 200 : 503,
			   json_pack("{s:s}", "status", ready ? "ready" : "not ready"));
}

static void route_metrics(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct mlc_buf text = MLC_BUF_INIT;

	MLC_UNUSED(req);
	MLC_UNUSED(arg);
	metrics_render(&text);
	http_response_text(resp, 200, "text/plain; version=0.0.4; charset=utf-8", text.data);
	buf_release(&text);
}

/* ---- lifecycle ---- */

/* Parses "host:port" / "[v6]:port" into a socket address (net/cidr.h). */
static int parse_listen(const char *listen, struct sockaddr_storage *ss, struct mlc_error *err)
{
	int rc = listen_parse(listen, ss, err);

	return rc < 0 ? error_prefix(err, "listen address ") : rc;
}

int http_server_new(const struct mlc_http_server_opts *opts, struct mlc_http_server **out,
		    struct mlc_error *err)
{
	struct mlc_http_server *s = xcalloc(1, sizeof(*s));
	struct sockaddr_storage ss;
	int rc;

	*out = NULL;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->idle, NULL);
	pthread_mutex_init(&s->qlock, NULL);
	pthread_cond_init(&s->qcond, NULL);
	s->name = xstrdup(opts->name ? opts->name : "http");
	s->listen = xstrdup(opts->listen ? opts->listen : "127.0.0.1:0");
	s->body_limit = opts->body_limit ? opts->body_limit : DEFAULT_BODY_LIMIT;
	s->threads = opts->threads > 0 ? opts->threads : DEFAULT_THREADS;
	s->access_log = opts->access_log;
	s->builtin_routes = opts->builtin_routes;
	s->health_only = opts->health_only;
	s->ready = opts->ready;
	s->ready_arg = opts->ready_arg;
	s->per_client_limit = opts->per_client_limit;
	s->idle_timeout_s = opts->idle_timeout_s ? opts->idle_timeout_s : DEFAULT_IDLE_TIMEOUT_S;
	s->io_threads = opts->io_threads > 1 ? (unsigned int)opts->io_threads : 1;
	rc = parse_listen(s->listen, &ss, err);
	if (rc != MLC_OK)
		goto out;
	rc = cidr_list_parse(opts->trusted_proxies, &s->trusted, err);
	if (rc != MLC_OK) {
		error_prefix(err, "trusted_proxies: ");
		goto out;
	}
	*out = s;
	s = NULL;
out:
	http_server_free(s);
	return rc;
}

int http_server_route(struct mlc_http_server *s, const char *method, const char *pattern,
		      mlc_http_handler fn, void *arg)
{
	struct mlc_error err;
	int rc;

	if (s->daemon)
		return MLC_ESTATE;
	rc = router_add(&s->router, method, pattern, fn, arg, &err);
	if (rc != MLC_OK)
		log_error("http route rejected", "server", s->name, "detail", err.msg);
	return rc;
}

int http_server_route_fast(struct mlc_http_server *s, const char *method, const char *pattern,
			   mlc_http_fast fast, void *fast_arg, mlc_http_handler fn, void *arg)
{
	struct fast_route *f;
	int rc = http_server_route(s, method, pattern, fn, arg);

	if (rc != MLC_OK)
		return rc;
	s->fast = xrealloc(s->fast, (s->nfast + 1) * sizeof(*s->fast));
	f = &s->fast[s->nfast++];
	f->method = xstrdup(method);
	f->pattern = xstrdup(pattern);
	f->fast = fast;
	f->arg = fast_arg;
	return MLC_OK;
}

void http_server_set_hooks(struct mlc_http_server *s, const struct mlc_http_hooks *hooks)
{
	if (hooks)
		s->hooks = *hooks;
	else
		memset(&s->hooks, 0, sizeof(s->hooks));
}

static int add_builtin_routes(struct mlc_http_server *s, struct mlc_error *err)
{
	int rc;

	rc = router_add(&s->router, "GET", "/healthz", route_healthz, s, err);
	if (s->health_only)
		return rc;
	if (rc == MLC_OK)
		rc = router_add(&s->router, "GET", "/readyz", route_readyz, s, err);
	if (rc == MLC_OK)
		rc = router_add(&s->router, "GET", "/metrics", route_metrics, s, err);
	return rc;
}

int http_server_start(struct mlc_http_server *s, struct mlc_error *err)
{
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *di;
	/*
	 * One MHD thread does all socket I/O (poll: MHD 0.9.75 has aborted in
	 * MHD_quiesce_daemon() with epoll); handlers run on our workers.
	 */
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
			     MHD_USE_POLL | MHD_ALLOW_SUSPEND_RESUME;
	int rc;

	if (s->daemon)
		return error_set(err, MLC_ESTATE, "%s: server already started", s->name);
	rc = parse_listen(s->listen, &ss, err);
	if (rc != MLC_OK)
		return rc;
	if (s->builtin_routes) {
		rc = add_builtin_routes(s, err);
		if (rc != MLC_OK)
			return rc;
		s->builtin_routes = false; /* added once, even across restarts */
		s->inline_health = true;
	}
	/* "[::]" means every address, IPv4 too: the socket is dual stack
	 * (IPV6_V6ONLY off), so IPv4 clients reach it as ::ffff:a.b.c.d, which
	 * cidr.c matches as the IPv4 address (issue 21, item 17) */
	if (ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)&ss)->sin6_addr))
		flags |= MHD_USE_DUAL_STACK;
	else if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->daemon = MHD_start_daemon(
	    flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
	    s, MHD_OPTION_CONNECTION_TIMEOUT, s->idle_timeout_s, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    s->per_client_limit, MHD_OPTION_THREAD_POOL_SIZE, s->io_threads, MHD_OPTION_END);
	if (!s->daemon)
		return error_set(err, MLC_EIO, "%s: cannot listen on %s: %s", s->name, s->listen,
				 strerror(errno));
	s->qstop = false;
	s->workers = xcalloc((size_t)s->threads, sizeof(*s->workers));
	for (s->nworkers = 0; s->nworkers < s->threads; s->nworkers++)
		if (pthread_create(&s->workers[s->nworkers], NULL, worker_main, s) != 0)
			break;
	if (s->nworkers == 0) {
		http_server_stop(s);
		return error_set(err, MLC_EIO, "%s: cannot start worker threads", s->name);
	}
	di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : 0;
	{
		char port[16];
		snprintf(port, sizeof(port), "%d", s->port);
		log_info("http server listening", "server", s->name, "listen", s->listen, "port",
			 port);
	}
	return MLC_OK;
}

int http_server_port(const struct mlc_http_server *s)
{
	return s ? s->port : 0;
}

void http_server_stop(struct mlc_http_server *s)
{
	struct timespec deadline;
	MHD_socket fd;

	if (!s || !s->daemon)
		return;
	fd = MHD_quiesce_daemon(s->daemon);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += DRAIN_TIMEOUT_MS / 1000;
	pthread_mutex_lock(&s->lock);
	while (s->in_flight > 0)
		if (pthread_cond_timedwait(&s->idle, &s->lock, &deadline) == ETIMEDOUT)
			break;
	if (s->in_flight > 0)
		log_warn("http server stopping with requests in flight", "server", s->name);
	pthread_mutex_unlock(&s->lock);
	/* workers finish what is queued, so no connection stays suspended
	 * (MHD_stop_daemon() aborts on a suspended one) */
	pthread_mutex_lock(&s->qlock);
	s->qstop = true;
	pthread_cond_broadcast(&s->qcond);
	pthread_mutex_unlock(&s->qlock);
	for (int i = 0; i < s->nworkers; i++)
		pthread_join(s->workers[i], NULL);
	free(s->workers);
	s->workers = NULL;
	s->nworkers = 0;
	MHD_stop_daemon(s->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	s->daemon = NULL;
	log_info("http server stopped", "server", s->name);
}

void http_server_free(struct mlc_http_server *s)
{
	if (!s)
		return;
	http_server_stop(s);
	router_release(&s->router);
	for (size_t i = 0; i < s->nfast; i++) {
		free(s->fast[i].method);
		free(s->fast[i].pattern);
	}
	free(s->fast);
	cidr_list_release(&s->trusted);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->idle);
	pthread_mutex_destroy(&s->qlock);
	pthread_cond_destroy(&s->qcond);
	free(s->name);
	free(s->listen);
	free(s);
}
