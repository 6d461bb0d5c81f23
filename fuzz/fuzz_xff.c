/* libFuzzer target: the trusted-proxy list (cidr_list_parse, cidr_parse,
 * ip_parse) and the client address behind X-Forwarded-For (xff_resolve).
 * Input lines: trusted list, peer address, then the header lines. */
#include <stdbool.h>
#include <sys/socket.h>

#include "fuzz_common.h"
#include "net/cidr.h"

#define MAX_LINES 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	char *f[2 + MAX_LINES];
	struct mlc_cidr_list trusted = {0};
	struct mlc_cidr one;
	char client[64];
	const char *peer = "127.0.0.1";
	size_t n = fuzz_split(text, f, 2 + MAX_LINES);
	int family;
	uint8_t addr[16];

	if (cidr_list_parse(f[0], &trusted, NULL) != 0) {
		if (trusted.n != 0)
			abort(); /* "on failure out is left empty" */
		if (cidr_list_parse("10.0.0.0/8, 127.0.0.1, ::1, fd00::/8", &trusted, NULL) != 0)
			abort();
	}
	for (size_t i = 0; i < trusted.n; i++) {
		const struct mlc_cidr *c = &trusted.items[i];
		if (c->family == AF_INET ? c->prefix < 0 || c->prefix > 32
					 : c->prefix < 0 || c->prefix > 128)
			abort();
	}
	for (size_t i = 0; i < n; i++) {
		if (cidr_parse(f[i], &one, NULL) == 0)
			(void)cidr_match(&one, f[(i + 1) % n]);
		if (ip_parse(f[i], &family, addr) == 0)
			(void)cidr_list_match(&trusted, f[i]);
	}
	/* the peer is the socket's address, never remote text: a valid one */
	if (n > 1 && ip_parse(f[1], &family, addr) == 0)
		peer = f[1];
	memset(client, 'x', sizeof(client));
	xff_resolve(&trusted, peer, (const char *const *)(f + 2), n > 2 ? n - 2 : 0, client,
		    sizeof(client));
	if (!memchr(client, '\0', sizeof(client)))
		abort();
	/* the resolved client goes into logs: printable only */
	for (const char *p = client; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
			abort();
	cidr_list_release(&trusted);
	free(text);
	return 0;
}
