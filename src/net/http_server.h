#ifndef MLC_HTTP_SERVER_H
#define MLC_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "net/http_header.h"
#include "util/buf.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The HTTP server (libmicrohttpd): a router by method + path pattern with
 * path parameters, a request body limit (413 before any handler runs),
 * JSON error bodies {"error":{"code","message"}}, one access-log line per
 * request, the client IP for allowlists (X-Forwarded-For believed only
 * from configured trusted proxies), and a graceful stop that finishes the
 * requests in flight.
 *
 * Handlers run on the server's worker threads, several at once: they must
 * be thread-safe.  Routes are registered before http_server_start().
 *
 * Patterns: literal segments and {name} segments, e.g.
 * "/rest/v1.0/projects/{project_id}/direct_costs"; a final "*" segment
 * matches any rest of the path.  A {name} segment matches one non-empty
 * segment (so ".../vendor/{id}" captures "eid:ABC-1" too).  When several
 * routes match, the one registered first wins.  A path that matches a
 * pattern but not its method gets 405; no pattern at all, 404.
 */

struct mlc_http_server;

struct mlc_http_request {
	const char *method; /* "GET", "POST", ... */
	const char *path;   /* URL path without the query, percent-decoded */
	const char *route;  /* the matched pattern, for stats and logs */
	const char *body;   /* NUL-terminated (the NUL is not counted); "" when none */
	size_t body_len;
	char client_ip[64]; /* textual IPv4 or IPv6 */
	void *internal;     /* server-private */
};

/* Header value (name case-insensitive), or NULL. */
const char *http_request_header(const struct mlc_http_request *r, const char *name);
/* Path parameter {name}, or NULL. */
const char *http_request_param(const struct mlc_http_request *r, const char *name);
/* First query argument with that exact (decoded) key, e.g.
 * "filters[origin_id]", or NULL.  "?a" gives "" for a. */
const char *http_request_query(const struct mlc_http_request *r, const char *name);
/* Calls fn for each query argument in order (decoded key and value). */
void http_request_query_each(const struct mlc_http_request *r,
			     void (*fn)(const char *key, const char *value, void *arg), void *arg);
/* Parses the body as JSON.  Returns NULL and fills err for a bad body. */
json_t *http_request_json(const struct mlc_http_request *r, struct mlc_error *err);

struct mlc_http_response {
	int status;         /* 200 unless set */
	char *content_type; /* NULL: application/json */
	struct mlc_buf body;
	struct mlc_http_header *headers;
	size_t nheaders;
	/*
	 * When set, the server closes the connection without sending any
	 * response (after the handler ran).  The sandbox uses it for its
	 * "reset" and "lost" faults.
	 */
	bool drop_connection;
};

void http_response_header(struct mlc_http_response *resp, const char *name, const char *value);
/* Sets status and a JSON body.  Takes ownership of body (may be NULL for
 * an empty body). */
void http_response_json(struct mlc_http_response *resp, int status, json_t *body);
/* Sets status and {"error":{"code":code,"message":msg}}. */
void http_response_error(struct mlc_http_response *resp, int status, const char *code,
			 const char *fmt, ...) MLC_PRINTF(4, 5);
void http_response_text(struct mlc_http_response *resp, int status, const char *content_type,
			const char *text);

typedef void (*mlc_http_handler)(struct mlc_http_request *req, struct mlc_http_response *resp,
				 void *arg);

/*
 * Optional hooks around every request (the sandbox's faults, latency,
 * concurrency limit and counters use them).  before runs ahead of routing
 * (req->route is NULL then); when it returns true it has answered and the
 * handler is skipped.  after runs once the response is final, with the
 * matched route (NULL for 404).
 */
struct mlc_http_hooks {
	bool (*before)(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg);
	void (*after)(const struct mlc_http_request *req, const struct mlc_http_response *resp,
		      int64_t duration_us, void *arg);
	void *arg;
};

struct mlc_http_server_opts {
	const char *listen;          /* "127.0.0.1:8080", "[::1]:0"; port 0 = any free port;
				      * "[::]:PORT" is every IPv6 and IPv4 address */
	size_t body_limit;           /* bytes; 0 = 1 MiB */
	int threads;                 /* worker threads; 0 = 8 */
	const char *trusted_proxies; /* comma-separated CIDRs or NULL */
	const char *name;            /* for logs: "serve", "netsuite-sim", ... */
	bool access_log;             /* one info line per request */
	bool builtin_routes;         /* /healthz, /readyz, /metrics */
	bool health_only;            /* with builtin_routes: /healthz only (another
				      * listener serves /readyz and /metrics) */
	bool (*ready)(void *arg);    /* /readyz probe, NULL = always ready */
	void *ready_arg;
	/* Connections one client address may hold open at once; more are
	 * closed at accept.  0 = no limit (MHD_OPTION_PER_IP_CONNECTION_LIMIT). */
	unsigned int per_client_limit;
	/* A connection that sends nothing for this many seconds (headers or
	 * body half sent, or idle keep-alive) is closed.  0 = 120
	 * (MHD_OPTION_CONNECTION_TIMEOUT). */
	unsigned int idle_timeout_s;
	/* Threads doing the sockets' I/O (and the fast handlers); 0 = 1.
	 * More than one: MHD's thread pool, connections spread over them. */
	int io_threads;
};

int http_server_new(const struct mlc_http_server_opts *opts, struct mlc_http_server **out,
		    struct mlc_error *err) MLC_MUST_CHECK;
int http_server_route(struct mlc_http_server *s, const char *method, const char *pattern,
		      mlc_http_handler fn, void *arg) MLC_MUST_CHECK;
void http_server_set_hooks(struct mlc_http_server *s, const struct mlc_http_hooks *hooks);

/*
 * Fast path (issue 20, webhook intake).  A fast handler runs on the
 * server's I/O thread as soon as the request is in, ahead of the workers'
 * queue, so that a request it can answer costs no hand-over to a worker
 * and back.  It must not block (no store, no network, no lock held for
 * long).  It returns:
 *  - HTTP_FAST_ANSWERED: resp is final; it is sent at once;
 *  - HTTP_FAST_WORKER: it declines (resp untouched): the route's handler
 *    runs on a worker as for any route;
 *  - HTTP_FAST_DEFERRED: it called http_request_defer() and handed the
 *    request to someone who calls http_request_resume() exactly once,
 *    from any thread.
 * Fast handlers are skipped while hooks with a before function are set.
 */
enum http_fast {
	HTTP_FAST_ANSWERED,
	HTTP_FAST_WORKER,
	HTTP_FAST_DEFERRED,
};
typedef enum http_fast (*mlc_http_fast)(struct mlc_http_request *req,
					struct mlc_http_response *resp, void *arg);
/* Registers the route (fn, as http_server_route) with a fast handler
 * fast(req, resp, fast_arg) tried first. */
int http_server_route_fast(struct mlc_http_server *s, const char *method, const char *pattern,
			   mlc_http_fast fast, void *fast_arg, mlc_http_handler fn,
			   void *arg) MLC_MUST_CHECK;
/* In a fast handler or a continuation only (the I/O thread): keeps the
 * connection waiting, sending nothing, until http_request_resume(). */
void http_request_defer(struct mlc_http_request *req);
/* Any thread, once per http_request_defer(): the I/O thread then runs
 * cont(req, resp, arg), a continuation with a fast handler's contract
 * (it may answer, hand the request to a worker, or defer again).  req and
 * resp stay valid until cont has run.  cont runs exactly once: also when
 * the client went away meanwhile, then its answer is dropped and it must
 * not defer (what it owns is released all the same). */
void http_request_resume(struct mlc_http_request *req, mlc_http_fast cont, void *arg);
int http_server_start(struct mlc_http_server *s, struct mlc_error *err) MLC_MUST_CHECK;
/* The bound port (useful after listening on port 0). */
int http_server_port(const struct mlc_http_server *s);
/* Stops accepting, waits for requests in flight to finish, then returns. */
void http_server_stop(struct mlc_http_server *s);
/* Stops if running and frees.  Accepts NULL. */
void http_server_free(struct mlc_http_server *s);

#endif
