/* libFuzzer target: vendor names from either system (name_fold,
 * name_normalize: NFKC, case folding, legal suffixes). */
#include "fuzz_common.h"
#include "util/buf.h"
#include "util/normalize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct mlc_buf a = MLC_BUF_INIT, b = MLC_BUF_INIT;
	int fa, fb;

	fa = name_fold(text, &a, NULL);
	fb = name_normalize(text, &b, NULL);
	/* both refuse exactly the invalid UTF-8 */
	if ((fa == 0) != (fb == 0))
		abort();
	if (fa == 0 && strlen(a.data) != a.len)
		abort();
	if (fb == 0 && strlen(b.data) != b.len)
		abort();
	/* a folded name is valid UTF-8 and folds again */
	if (fa == 0) {
		struct mlc_buf c = MLC_BUF_INIT;
		if (name_fold(a.data, &c, NULL) != 0)
			abort();
		buf_release(&c);
	}
	buf_release(&a);
	buf_release(&b);
	free(text);
	return 0;
}
