#include <stdarg.h>
#include <stdlib.h>

#include "net/http_router.h"
#include "net/http_server.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/banned.h"

/* The response helpers of http_server.h. */

void http_response_header(struct mlc_http_response *resp, const char *name, const char *value)
{
	if (str_ieq(name, "Content-Type")) {
		free(resp->content_type);
		resp->content_type = xstrdup(value);
		return;
	}
	http_headers_add(&resp->headers, &resp->nheaders, name, value);
}

void http_response_json(struct mlc_http_response *resp, int status, json_t *body)
{
	resp->status = status;
	free(resp->content_type);
	resp->content_type = NULL;
	buf_reset(&resp->body);
	if (body) {
		char *text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
		if (text)
			buf_addstr(&resp->body, text);
		free(text);
		json_decref(body);
	}
}

void http_response_error(struct mlc_http_response *resp, int status, const char *code,
			 const char *fmt, ...)
{
	struct mlc_buf msg = MLC_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	http_response_json(resp, status,
			   json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg.data));
	buf_release(&msg);
}

void http_response_text(struct mlc_http_response *resp, int status, const char *content_type,
			const char *text)
{
	resp->status = status;
	free(resp->content_type);
	resp->content_type = xstrdup(content_type ? content_type : "text/plain; charset=utf-8");
	buf_reset(&resp->body);
	buf_addstr(&resp->body, text ? text : "");
}

void http_response_release(struct mlc_http_response *resp)
{
	http_headers_free(&resp->headers, &resp->nheaders);
	free(resp->content_type);
	buf_release(&resp->body);
}
