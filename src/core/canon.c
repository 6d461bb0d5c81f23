#include <stdlib.h>
#include <string.h>

#include "core/canon.h"
#include "util/error.h"
#include "util/money.h"
#include "util/banned.h"

void canon_cost_doc_release(struct canon_cost_doc *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nlines; i++) {
		free(d->lines[i].cost_code);
		free(d->lines[i].cost_type);
		free(d->lines[i].description);
	}
	free(d->lines);
	free(d->kind);
	free(d->doc_type);
	free(d->status);
	free(d->date);
	free(d->number);
	free(d->vendor_name);
	free(d->description);
	free(d->updated_at);
	memset(d, 0, sizeof(*d));
}

int canon_cost_doc_total(const struct canon_cost_doc *d, int64_t *total)
{
	int64_t t = 0;

	for (size_t i = 0; i < d->nlines; i++)
		if (money_add(t, d->lines[i].amount, &t) < 0)
			return MLC_ERANGE;
	*total = t;
	return MLC_OK;
}
