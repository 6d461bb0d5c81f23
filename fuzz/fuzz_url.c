/* libFuzzer target: URL text (net/url.h): percent-decoding, the transport
 * rule for configured and registered URLs, loopback hosts, and the
 * encode/decode round trip. */
#include <stdbool.h>

#include "fuzz_common.h"
#include "net/url.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct mlc_buf a = MLC_BUF_INIT, b = MLC_BUF_INIT;

	for (int form = 0; form < 2; form++) {
		buf_reset(&a);
		if (url_decode(&a, text, form) == 0 && a.len && strlen(a.data) != a.len)
			abort(); /* "fails on an encoded NUL" */
		/* whatever the text, encoding then decoding gives it back */
		buf_reset(&a);
		buf_reset(&b);
		if (form)
			url_form_encode(&a, text);
		else
			url_encode(&a, text);
		if (url_decode(&b, a.len ? a.data : "", form) != 0)
			abort();
		if (b.len != strlen(text) || (b.len && memcmp(b.data, text, b.len) != 0))
			abort();
	}
	(void)url_host_is_loopback(text);
	buf_reset(&a);
	if (url_check_transport(text, &a, NULL) == 0 && (!a.len || !strstr(a.data, "://")))
		abort();
	buf_reset(&a);
	url_query_add(&a, text, text, true);
	buf_release(&a);
	buf_release(&b);
	free(text);
	return 0;
}
