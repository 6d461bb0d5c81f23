#ifndef MLC_HTTP_ROUTER_H
#define MLC_HTTP_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "net/http_server.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Server internals (private to net/).  The routing table: patterns split into
 * segments once at registration, matched in registration order.  See
 * http_server.h for the pattern language.  Not locked: routes are added
 * before the server starts and only read afterwards.
 */
struct mlc_http_route {
	char *method;
	char *pattern;
	char **segs; /* literal text, or "{name}" for a parameter */
	size_t nsegs;
	bool tail; /* the pattern ends in a star segment */
	mlc_http_handler fn;
	void *arg;
};

struct mlc_http_router {
	struct mlc_http_route *routes;
	size_t n;
};

/* One captured path parameter; "*" holds the tail of a "*" pattern. */
struct mlc_http_param {
	char *name;
	char *value;
};

struct mlc_http_params {
	struct mlc_http_param *items;
	size_t n;
};

int router_add(struct mlc_http_router *r, const char *method, const char *pattern,
	       mlc_http_handler fn, void *arg, struct mlc_error *err) MLC_MUST_CHECK;
/*
 * Finds the first route whose pattern matches path and whose method is
 * method (HEAD also matches GET routes).  Returns it and fills params
 * (released by the caller with router_params_release()), or returns NULL
 * and sets *path_known when some pattern matched with another method
 * (405) rather than none (404); *route_pattern is then that pattern and
 * allow (when not NULL) gets the methods that would match ("GET, POST").
 */
const struct mlc_http_route *router_match(const struct mlc_http_router *r, const char *method,
					  const char *path, struct mlc_http_params *params,
					  bool *path_known, const char **route_pattern,
					  struct mlc_buf *allow);
void router_params_release(struct mlc_http_params *p);
/* Frees a response's headers, body and content type (http_response.c). */
void http_response_release(struct mlc_http_response *resp);
void router_release(struct mlc_http_router *r);

#endif
