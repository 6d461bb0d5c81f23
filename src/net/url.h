#ifndef MLC_URL_H
#define MLC_URL_H

#include <stdbool.h>

#include "util/buf.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * URL text helpers for the HTTP client: percent-encoding (RFC 3986),
 * form encoding (application/x-www-form-urlencoded), query building and
 * the transport rule (https everywhere, plain http only to loopback).
 * None of these keeps state; all append to a caller's buffer.
 */

/* Appends s with every byte outside RFC 3986 "unreserved"
 * (A-Z a-z 0-9 - . _ ~) written as %XX (upper-case hex). */
void url_encode(struct mlc_buf *out, const char *s);
/* Appends s form-encoded: as url_encode, but a space becomes '+'. */
void url_form_encode(struct mlc_buf *out, const char *s);
/*
 * Appends "key=value" to a query or form text, with '&' first when out
 * is not empty.  Both parts are encoded (form-style when form is true),
 * so "filters[origin_id]" is sent as "filters%5Borigin_id%5D".  A NULL
 * value appends the bare key.
 */
void url_query_add(struct mlc_buf *out, const char *key, const char *value, bool form);
/* Decodes %XX (and '+' as space when form is true) into out.  Fails on a
 * malformed escape or an encoded NUL. */
int url_decode(struct mlc_buf *out, const char *s, bool form) MLC_MUST_CHECK;
/* True for "localhost", 127.0.0.0/8, ::1 (also "[::1]") and their
 * IPv4-mapped forms. */
bool url_host_is_loopback(const char *host);
/*
 * Checks that url is absolute http(s) with a host, and that plain http
 * goes only to a loopback host.  On success, when scheme_host_port is not
 * NULL, appends "scheme://host:port" (lower-case, port made explicit) so
 * two URLs can be compared for the same origin.
 */
int url_check_transport(const char *url, struct mlc_buf *scheme_host_port,
			struct mlc_error *err) MLC_MUST_CHECK;

#endif
