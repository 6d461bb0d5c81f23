#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net/cidr.h"
#include "util/buf.h"
#include "util/num.h"
#include "util/str.h"
#include "util/banned.h"

static const uint8_t v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int ip_parse(const char *ip, int *family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (!ip || !*ip)
		return MLC_EINVAL;
	if (inet_pton(AF_INET, ip, addr) == 1) {
		*family = AF_INET;
		return MLC_OK;
	}
	if (inet_pton(AF_INET6, ip, addr) == 1) {
		if (memcmp(addr, v4_mapped_prefix, sizeof(v4_mapped_prefix)) == 0) {
			memmove(addr, addr + 12, 4);
			memset(addr + 4, 0, 12);
			*family = AF_INET;
		} else {
			*family = AF_INET6;
		}
		return MLC_OK;
	}
	return MLC_EINVAL;
}

/* Clears every bit of addr beyond prefix. */
static void mask_bits(uint8_t addr[16], int prefix)
{
	for (int i = 0; i < 16; i++) {
		int keep = prefix - i * 8;
		if (keep >= 8)
			continue;
		addr[i] &= keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
	}
}

int cidr_parse(const char *text, struct mlc_cidr *out, struct mlc_error *err)
{
	char host[INET6_ADDRSTRLEN + 8];
	const char *slash;
	size_t len;
	int max, prefix;
	int rc;

	if (!text)
		return error_set(err, MLC_EINVAL, "empty CIDR");
	slash = strchr(text, '/');
	len = slash ? (size_t)(slash - text) : strlen(text);
	if (len >= sizeof(host))
		return error_set(err, MLC_EINVAL, "'%s' is not an IP range", text);
	memcpy(host, text, len);
	host[len] = '\0';
	if (ip_parse(host, &out->family, out->addr) != MLC_OK)
		return error_set(err, MLC_EINVAL, "'%s' is not an IP range", text);
	max = out->family == AF_INET ? 32 : 128;
	prefix = max;
	if (slash) {
		rc = num_parse_int(slash + 1, 0, max, &prefix, NULL);
		if (rc != MLC_OK)
			return error_set(err, MLC_EINVAL, "'%s': prefix must be 0..%d", text, max);
	}
	out->prefix = prefix;
	mask_bits(out->addr, prefix);
	return MLC_OK;
}

bool cidr_match(const struct mlc_cidr *c, const char *ip)
{
	uint8_t addr[16];
	int family;

	if (ip_parse(ip, &family, addr) != MLC_OK || family != c->family)
		return false;
	mask_bits(addr, c->prefix);
	return memcmp(addr, c->addr, 16) == 0;
}

int cidr_list_parse(const char *csv, struct mlc_cidr_list *out, struct mlc_error *err)
{
	struct mlc_buf item = MLC_BUF_INIT;
	const char *p = csv;
	int rc = MLC_OK;

	out->items = NULL;
	out->n = 0;
	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		buf_reset(&item);
		buf_add(&item, p, len);
		/* an empty item (",", "a,,b") leaves item.data the shared read-only
		 * "": nothing to trim (found by fuzz/fuzz_xff.c) */
		if (item.len)
			str_trim(item.data);
		if (*item.data) {
			out->items = xrealloc(out->items, (out->n + 1) * sizeof(*out->items));
			rc = cidr_parse(item.data, &out->items[out->n], err);
			if (rc != MLC_OK) {
				cidr_list_release(out);
				goto out;
			}
			out->n++;
		}
		p = end ? end + 1 : NULL;
	}
out:
	buf_release(&item);
	return rc;
}

bool cidr_list_match(const struct mlc_cidr_list *list, const char *ip)
{
	for (size_t i = 0; list && i < list->n; i++)
		if (cidr_match(&list->items[i], ip))
			return true;
	return false;
}

void cidr_list_release(struct mlc_cidr_list *list)
{
	if (!list)
		return;
	free(list->items);
	list->items = NULL;
	list->n = 0;
}

/* Copies an X-Forwarded-For entry for logs and allowlists: bytes outside
 * printable ASCII, quotes and backslashes become '?', truncated to fit. */
static void xff_copy_entry(char *out, size_t outlen, const char *entry)
{
	size_t i;

	if (outlen == 0)
		return;
	if (!*entry) {
		str_copy(out, outlen, "(empty)");
		return;
	}
	for (i = 0; entry[i] && i + 1 < outlen; i++) {
		unsigned char c = (unsigned char)entry[i];
		out[i] = (c < 0x21 || c > 0x7e || c == '"' || c == '\\') ? '?' : (char)c;
	}
	out[i] = '\0';
}

void xff_resolve(const struct mlc_cidr_list *trusted, const char *peer, const char *const *lines,
		 size_t n, char *out, size_t outlen)
{
	struct mlc_buf chain = MLC_BUF_INIT;

	str_copy(out, outlen, peer ? peer : "unknown");
	if (!peer || !trusted || n == 0 || !cidr_list_match(trusted, peer))
		return;
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addch(&chain, ',');
		buf_addstr(&chain, lines[i] ? lines[i] : "");
	}
	if (!chain.len) {
		/* only empty lines: one empty entry (chain.data is still the
		 * shared read-only "", not to be trimmed in place; found by
		 * fuzz/fuzz_xff.c) */
		xff_copy_entry(out, outlen, "");
		return;
	}
	for (;;) {
		char *comma = strrchr(chain.data, ',');
		char *entry = str_trim(comma ? comma + 1 : chain.data);

		xff_copy_entry(out, outlen, entry);
		/* an unparsable entry never matches, so it ends the walk */
		if (!cidr_list_match(trusted, entry) || !comma)
			break;
		*comma = '\0';
	}
	buf_release(&chain);
}

int listen_parse(const char *text, struct sockaddr_storage *ss, struct mlc_error *err)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *hs = text;
	size_t hlen;
	int port;

	memset(ss, 0, sizeof(*ss));
	colon = text ? strrchr(text, ':') : NULL;
	if (!colon)
		return error_set(err, MLC_EINVAL, "'%s' is not HOST:PORT (no ':PORT')",
				 text ? text : "");
	hlen = (size_t)(colon - text);
	if (hlen >= 1 && text[0] == '[') {
		if (hlen < 2 || text[hlen - 1] != ']')
			return error_set(err, MLC_EINVAL,
					 "'%s' is not HOST:PORT: '[' without its ']' before the "
					 ":PORT (an IPv6 address is written [::1]:8080)",
					 text);
		hs++;
		hlen -= 2;
	} else if (memchr(text, ']', hlen)) {
		return error_set(err, MLC_EINVAL, "'%s' is not HOST:PORT: ']' without its '['",
				 text);
	}
	if (num_parse_int(colon + 1, 0, 65535, &port, NULL) != MLC_OK)
		return error_set(err, MLC_EINVAL,
				 "'%s': the port '%s' is not a whole number from 0 to 65535", text,
				 colon + 1);
	if (hlen >= sizeof(host))
		return error_set(err, MLC_EINVAL, "'%s': the host is not an IP address", text);
	memcpy(host, hs, hlen);
	host[hlen] = '\0';
	if (!*host || strcmp(host, "*") == 0)
		str_copy(host, sizeof(host), "0.0.0.0");
	else if (strcmp(host, "localhost") == 0)
		str_copy(host, sizeof(host), "127.0.0.1");
	if (strchr(host, ':')) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			goto bad;
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			goto bad;
	}
	return MLC_OK;
bad:
	memset(ss, 0, sizeof(*ss));
	return error_set(err, MLC_EINVAL, "'%s': '%s' is not an IP address", text, host);
}
