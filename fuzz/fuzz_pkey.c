/* libFuzzer target: the NetSuite signing key as PEM text (pkey_load_pem),
 * as stored with `secret set` from a file the operator was given. */
#include "auth/pkey.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlc_pkey k;

	memset(&k, 0, sizeof(k));
	if (pkey_load_pem((const char *)data, size, &k, NULL) == 0) {
		if (!k.pkey || !k.alg)
			abort();
	}
	pkey_release(&k);
	return 0;
}
