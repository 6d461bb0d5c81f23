#ifndef MLC_CIDR_H
#define MLC_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/compat.h"
#include "util/error.h"

/*
 * IPv4 and IPv6 address ranges in CIDR notation ("10.0.0.0/8",
 * "2001:db8::/32"), for the trusted-proxy list of the HTTP server and the
 * webhook source allowlists.  A bare address is a range of one.
 *
 * Invariants: family is AF_INET (4 significant bytes in addr) or AF_INET6
 * (16 bytes); prefix is within 0..32 or 0..128; the bits of addr beyond
 * the prefix are zero.  An IPv4-mapped IPv6 address ("::ffff:10.1.2.3")
 * is matched as the IPv4 address it carries.
 */
struct mlc_cidr {
	int family;
	uint8_t addr[16];
	int prefix;
};

/* A parsed comma-separated list.  Release with cidr_list_release(). */
struct mlc_cidr_list {
	struct mlc_cidr *items;
	size_t n;
};

/* Parses one range ("192.168.0.0/16", "::1", "fd00::/8"). */
int cidr_parse(const char *text, struct mlc_cidr *out, struct mlc_error *err) MLC_MUST_CHECK;
/* True if the textual address ip lies within c.  A malformed ip never matches. */
bool cidr_match(const struct mlc_cidr *c, const char *ip);
/*
 * Parses a comma-separated list (spaces allowed; NULL or "" gives an
 * empty list).  On failure out is left empty and err names the bad entry.
 */
int cidr_list_parse(const char *csv, struct mlc_cidr_list *out,
		    struct mlc_error *err) MLC_MUST_CHECK;
/* True if ip lies within any range of the list. */
bool cidr_list_match(const struct mlc_cidr_list *list, const char *ip);
/* Frees the list's items and leaves it empty.  Accepts NULL. */
void cidr_list_release(struct mlc_cidr_list *list);

/*
 * The client address of a request that came in from peer (the connection's
 * textual address) with the X-Forwarded-For header lines lines[0..n-1], in
 * the order received.  Unless peer is in trusted, the client is peer and
 * the header is ignored.  Otherwise the entries of all lines, joined in
 * order, are walked from the right, skipping trusted addresses: the first
 * other entry is the client.  An entry that is not a bare address
 * ("garbage", "1.2.3.4:5555", "[2001:db8::9]", "") is not trusted either,
 * so it becomes the client (its text, unprintable bytes as '?', or
 * "(empty)"), which matches no allowlist.  When every entry is trusted the
 * left-most is the client.  out gets at most outlen bytes, NUL-terminated.
 */
void xff_resolve(const struct mlc_cidr_list *trusted, const char *peer, const char *const *lines,
		 size_t n, char *out, size_t outlen);

struct sockaddr_storage;
/*
 * Parses a listen address "HOST:PORT" into *ss.  HOST is an IPv4 address,
 * an IPv6 address in brackets ("[::1]", "[::]") or bare ("::1:8080" takes
 * the last ':' as the port's), "*" or "" (every IPv4 address) or
 * "localhost" (127.0.0.1); PORT is 0 to 65535 (0: any free port).  On
 * failure err says what is wrong with text, naming it.
 */
int listen_parse(const char *text, struct sockaddr_storage *ss,
		 struct mlc_error *err) MLC_MUST_CHECK;

/*
 * Parses a textual IPv4 or IPv6 address (no brackets, no zone) into
 * family and 16 bytes; IPv4-mapped IPv6 is reported as AF_INET.
 */
int ip_parse(const char *ip, int *family, uint8_t addr[16]) MLC_MUST_CHECK;

#endif
