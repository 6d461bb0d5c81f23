#ifndef MLC_TEST_FAKE_HTTP_H
#define MLC_TEST_FAKE_HTTP_H

/*
 * A loopback HTTP server for unit tests (libmicrohttpd directly, so the
 * tests do not depend on net/).  The test supplies one handler that sees
 * method, path, the request and its whole body and answers with
 * fake_reply().  Header-only: each test binary gets its own copy.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "util/buf.h"

typedef enum MHD_Result (*fake_handler)(struct MHD_Connection *c, const char *method,
					const char *path, const char *body);

static fake_handler fake_handle;
static struct MHD_Daemon *fake_server;
static int fake_port;

/* Answers with a JSON body and optional extra headers ("Name", "value",
 * ..., NULL). */
static inline enum MHD_Result fake_reply(struct MHD_Connection *c, unsigned code, const char *json,
					 ...)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(strlen(json), (void *)json, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;
	va_list ap;
	const char *k;

	MHD_add_response_header(r, "Content-Type", "application/json");
	va_start(ap, json);
	while ((k = va_arg(ap, const char *)) != NULL)
		MHD_add_response_header(r, k, va_arg(ap, const char *));
	va_end(ap);
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static inline const char *fake_header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

static inline enum MHD_Result fake_access(void *cls, struct MHD_Connection *c, const char *url,
					  const char *method, const char *version, const char *data,
					  size_t *size, void **con_cls)
{
	struct mlc_buf *body = *con_cls;

	(void)cls;
	(void)version;
	if (!body) {
		body = calloc(1, sizeof(*body));
		buf_init(body);
		*con_cls = body;
		return MHD_YES;
	}
	if (*size) {
		buf_add(body, data, *size);
		*size = 0;
		return MHD_YES;
	}
	return fake_handle(c, method, url, body->data);
}

static inline void fake_completed(void *cls, struct MHD_Connection *c, void **con_cls,
				  enum MHD_RequestTerminationCode toe)
{
	struct mlc_buf *body = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (body) {
		buf_release(body);
		free(body);
	}
}

static inline int fake_start(fake_handler h)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fake_handle = h;
	fake_server =
	    MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
			     NULL, NULL, fake_access, NULL, MHD_OPTION_SOCK_ADDR, &a,
			     MHD_OPTION_NOTIFY_COMPLETED, fake_completed, NULL, MHD_OPTION_END);
	if (!fake_server)
		return -1;
	fake_port = MHD_get_daemon_info(fake_server, MHD_DAEMON_INFO_BIND_PORT)->port;
	return 0;
}

static inline void fake_stop(void)
{
	MHD_stop_daemon(fake_server);
	fake_server = NULL;
}

/* The value of key in a form body, copied (still percent-encoded). */
static inline const char *fake_form_value(const char *form, const char *key, char *out, size_t n)
{
	const char *p = form;
	size_t kl = strlen(key), i = 0;

	while (p && !(strncmp(p, key, kl) == 0 && p[kl] == '=' && (p == form || p[-1] == '&')))
		p = strchr(p + 1, *key);
	if (!p)
		return NULL;
	for (p += kl + 1; *p && *p != '&' && i + 1 < n; p++)
		out[i++] = *p;
	out[i] = '\0';
	return out;
}

#endif
