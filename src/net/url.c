#include <ctype.h>
#include <string.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "net/cidr.h"
#include "net/url.h"
#include "util/str.h"
#include "util/banned.h"

static const char hexdigits[] = "0123456789ABCDEF";

static bool unreserved(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static void encode(struct mlc_buf *out, const char *s, bool form)
{
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if (unreserved(*p)) {
			buf_addch(out, (char)*p);
		} else if (form && *p == ' ') {
			buf_addch(out, '+');
		} else {
			buf_addch(out, '%');
			buf_addch(out, hexdigits[*p >> 4]);
			buf_addch(out, hexdigits[*p & 15]);
		}
	}
}

void url_encode(struct mlc_buf *out, const char *s)
{
	encode(out, s, false);
}

void url_form_encode(struct mlc_buf *out, const char *s)
{
	encode(out, s, true);
}

void url_query_add(struct mlc_buf *out, const char *key, const char *value, bool form)
{
	if (out->len)
		buf_addch(out, '&');
	encode(out, key, form);
	if (value) {
		buf_addch(out, '=');
		encode(out, value, form);
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int url_decode(struct mlc_buf *out, const char *s, bool form)
{
	for (const char *p = s; *p; p++) {
		if (*p == '%') {
			int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return MLC_EINVAL;
			buf_addch(out, (char)(hi * 16 + lo));
			p += 2;
		} else if (form && *p == '+') {
			buf_addch(out, ' ');
		} else {
			buf_addch(out, *p);
		}
	}
	return MLC_OK;
}

bool url_host_is_loopback(const char *host)
{
	char bare[64];
	size_t len;
	uint8_t addr[16];
	int family;

	if (!host)
		return false;
	if (str_ieq(host, "localhost"))
		return true;
	len = strlen(host);
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len >= sizeof(bare))
		return false;
	memcpy(bare, host, len);
	bare[len] = '\0';
	if (ip_parse(bare, &family, addr) != MLC_OK)
		return false;
	if (family == AF_INET)
		return addr[0] == 127;
	for (int i = 0; i < 15; i++)
		if (addr[i])
			return false;
	return addr[15] == 1;
}

int url_check_transport(const char *url, struct mlc_buf *scheme_host_port, struct mlc_error *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	int rc = MLC_OK;

	if (!u)
		return error_set(err, MLC_ENOMEM, "out of memory parsing a URL");
	if (!url || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
		rc = error_set(err, MLC_EINVAL, "'%s' is not an absolute URL", url ? url : "");
		goto out;
	}
	if (!str_ieq(scheme, "https") && !str_ieq(scheme, "http")) {
		rc = error_set(err, MLC_EINVAL, "'%s': only http and https URLs are allowed", url);
		goto out;
	}
	if (str_ieq(scheme, "http") && !url_host_is_loopback(host)) {
		rc =
		    error_set(err, MLC_EINVAL,
			      "'%s': plain http is allowed only to loopback hosts; use https", url);
		goto out;
	}
	if (scheme_host_port) {
		size_t start = scheme_host_port->len;
		buf_addf(scheme_host_port, "%s://%s:%s", scheme, host, port);
		for (size_t i = start; i < scheme_host_port->len; i++)
			scheme_host_port->data[i] =
			    (char)tolower((unsigned char)scheme_host_port->data[i]);
	}
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}
