/* A loopback HTTP server for the fuzz targets that reach a parser only
 * through an HTTP exchange (fuzz_adapters.c, fuzz_oauth.c): every request
 * is answered with the status and JSON body last set.  Header only, one
 * server per target binary. */
#ifndef MLC_FUZZ_HTTP_H
#define MLC_FUZZ_HTTP_H

#include <pthread.h>
#include <stdlib.h>

#include <microhttpd.h>

#include "util/buf.h"

static pthread_mutex_t fuzz_http_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mlc_buf fuzz_http_body = MLC_BUF_INIT;
static unsigned fuzz_http_status = 200;

static enum MHD_Result fuzz_http_answer(void *cls, struct MHD_Connection *c, const char *url,
					const char *method, const char *version, const char *upload,
					size_t *upload_size, void **ctx)
{
	struct MHD_Response *r;
	enum MHD_Result rc;
	unsigned status;

	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)upload;
	if (!*ctx) { /* first call: headers only */
		*ctx = c;
		return MHD_YES;
	}
	if (*upload_size) { /* a request body: taken, not read */
		*upload_size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&fuzz_http_lock);
	r = MHD_create_response_from_buffer(fuzz_http_body.len, fuzz_http_body.data,
					    MHD_RESPMEM_MUST_COPY);
	status = fuzz_http_status;
	pthread_mutex_unlock(&fuzz_http_lock);
	MHD_add_response_header(r, "Content-Type", "application/json");
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* Starts the server; returns its port (aborts on failure). */
static inline unsigned fuzz_http_start(void)
{
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
						fuzz_http_answer, NULL, MHD_OPTION_END);

	if (!d)
		abort();
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (!info)
		abort();
	return info->port;
}

/* The answer to every request from now on. */
static inline void fuzz_http_set(unsigned status, const void *body, size_t len)
{
	pthread_mutex_lock(&fuzz_http_lock);
	fuzz_http_status = status;
	buf_reset(&fuzz_http_body);
	buf_add(&fuzz_http_body, body, len);
	pthread_mutex_unlock(&fuzz_http_lock);
}

#endif
