#include <stdlib.h>
#include <string.h>

#include "net/http_router.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/banned.h"

/* Splits "/a/b/c" into segments "a","b","c"; "/" gives none.  A trailing
 * slash gives a final empty segment so "/a/" does not match "/a". */
static char **split_path(const char *path, size_t *n)
{
	char **segs = NULL;
	const char *p = path;

	*n = 0;
	if (*p == '/')
		p++;
	if (!*p)
		return NULL;
	for (;;) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		segs = xrealloc(segs, (*n + 1) * sizeof(*segs));
		segs[(*n)++] = xstrndup(p, len);
		if (!end)
			break;
		p = end + 1;
	}
	return segs;
}

static void free_segs(char **segs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(segs[i]);
	free(segs);
}

static bool is_param(const char *seg)
{
	size_t len = strlen(seg);
	return len > 2 && seg[0] == '{' && seg[len - 1] == '}';
}

int router_add(struct mlc_http_router *r, const char *method, const char *pattern,
	       mlc_http_handler fn, void *arg, struct mlc_error *err)
{
	struct mlc_http_route rt;

	if (!method || !pattern || pattern[0] != '/' || !fn)
		return error_set(err, MLC_EINVAL,
				 "route needs a method, a pattern starting "
				 "with '/' and a handler");
	memset(&rt, 0, sizeof(rt));
	rt.segs = split_path(pattern, &rt.nsegs);
	if (rt.nsegs && strcmp(rt.segs[rt.nsegs - 1], "*") == 0) {
		rt.tail = true;
		free(rt.segs[--rt.nsegs]);
	}
	for (size_t i = 0; i < rt.nsegs; i++) {
		if (strchr(rt.segs[i], '*') || (strchr(rt.segs[i], '{') && !is_param(rt.segs[i]))) {
			free_segs(rt.segs, rt.nsegs);
			return error_set(err, MLC_EINVAL, "route '%s': bad segment '%s'", pattern,
					 rt.segs[i]);
		}
	}
	rt.method = xstrdup(method);
	rt.pattern = xstrdup(pattern);
	rt.fn = fn;
	rt.arg = arg;
	r->routes = xrealloc(r->routes, (r->n + 1) * sizeof(*r->routes));
	r->routes[r->n++] = rt;
	return MLC_OK;
}

static void add_param(struct mlc_http_params *p, const char *name, size_t name_len,
		      const char *value)
{
	p->items = xrealloc(p->items, (p->n + 1) * sizeof(*p->items));
	p->items[p->n].name = xstrndup(name, name_len);
	p->items[p->n].value = xstrdup(value);
	p->n++;
}

/* Matches the path segments against one route, capturing into params. */
static bool route_matches(const struct mlc_http_route *rt, char **segs, size_t nsegs,
			  struct mlc_http_params *params)
{
	if (nsegs < rt->nsegs || (!rt->tail && nsegs != rt->nsegs))
		return false;
	for (size_t i = 0; i < rt->nsegs; i++) {
		if (is_param(rt->segs[i])) {
			if (!*segs[i])
				return false;
		} else if (strcmp(rt->segs[i], segs[i]) != 0) {
			return false;
		}
	}
	if (!params)
		return true;
	for (size_t i = 0; i < rt->nsegs; i++)
		if (is_param(rt->segs[i]))
			add_param(params, rt->segs[i] + 1, strlen(rt->segs[i]) - 2, segs[i]);
	if (rt->tail) {
		struct mlc_buf rest = MLC_BUF_INIT;
		for (size_t i = rt->nsegs; i < nsegs; i++) {
			if (i > rt->nsegs)
				buf_addch(&rest, '/');
			buf_addstr(&rest, segs[i]);
		}
		add_param(params, "*", 1, rest.data);
		buf_release(&rest);
	}
	return true;
}

/* True if method is an item of the ", "-separated list. */
static bool method_listed(const char *list, const char *method)
{
	size_t n = strlen(method);

	for (const char *p = list; (p = strstr(p, method)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

const struct mlc_http_route *router_match(const struct mlc_http_router *r, const char *method,
					  const char *path, struct mlc_http_params *params,
					  bool *path_known, const char **route_pattern,
					  struct mlc_buf *allow)
{
	const struct mlc_http_route *found = NULL;
	size_t nsegs;
	char **segs = split_path(path, &nsegs);

	*path_known = false;
	*route_pattern = NULL;
	for (size_t i = 0; i < r->n && !found; i++) {
		const struct mlc_http_route *rt = &r->routes[i];
		bool same = strcmp(rt->method, method) == 0 ||
			    (strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0);
		if (!route_matches(rt, segs, nsegs, same ? params : NULL))
			continue;
		if (same) {
			found = rt;
			*route_pattern = rt->pattern;
			continue;
		}
		if (!*path_known) {
			*path_known = true;
			*route_pattern = rt->pattern;
		}
		if (allow && !method_listed(allow->data, rt->method)) {
			if (allow->len)
				buf_addstr(allow, ", ");
			buf_addstr(allow, rt->method);
		}
	}
	if (found)
		*path_known = true;
	free_segs(segs, nsegs);
	return found;
}

void router_params_release(struct mlc_http_params *p)
{
	for (size_t i = 0; p && i < p->n; i++) {
		free(p->items[i].name);
		free(p->items[i].value);
	}
	if (p) {
		free(p->items);
		p->items = NULL;
		p->n = 0;
	}
}

void router_release(struct mlc_http_router *r)
{
	for (size_t i = 0; r && i < r->n; i++) {
		free(r->routes[i].method);
		free(r->routes[i].pattern);
		free_segs(r->routes[i].segs, r->routes[i].nsegs);
	}
	if (r) {
		free(r->routes);
		r->routes = NULL;
		r->n = 0;
	}
}
