#include <stdio.h>
#include <string.h>

#include "netsuite/cseg.h"
#include "util/banned.h"

int cseg_check(const char *id, struct mlc_error *err)
{
	size_t n = id ? strlen(id) : 0;

	if (n <= 4 || strncmp(id, "cseg", 4) != 0)
		return error_set(
		    err, MLC_EINVAL,
		    "'%s' is not a custom segment script id: it starts with 'cseg' and "
		    "has more after it, e.g. " CSEG_DEFAULT,
		    id ? id : "");
	if (n > CSEG_MAX)
		return error_set(
		    err, MLC_EINVAL,
		    "'%s' is %zu characters; NetSuite custom segment script ids have at "
		    "most %d",
		    id, n, CSEG_MAX);
	for (size_t i = 4; i < n; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') ||
		      id[i] == '_'))
			return error_set(
			    err, MLC_EINVAL,
			    "'%s' has '%c': custom segment script ids hold only lowercase "
			    "letters, digits and '_'",
			    id, id[i]);
	return MLC_OK;
}

void cseg_values_table(const char *id, char *out, size_t n)
{
	snprintf(out, n, "customrecord_%s", id);
}
