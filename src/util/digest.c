#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util/digest.h"
#include "util/banned.h"

void digest_bytes(const void *data, size_t n, char out[MLC_DIGEST_HEX])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), data, n, NULL, 0);
	sodium_bin2hex(out, MLC_DIGEST_HEX, h, sizeof(h));
}

void digest_json(const json_t *v, char out[MLC_DIGEST_HEX])
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

	digest_bytes(text ? text : "", text ? strlen(text) : 0, out);
	free(text);
}
