#include <string.h>

#include "netsuite/ns_since.h"
#include "util/banned.h"

static int since_ok(const char *since)
{
	for (const char *p = since; *p; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '-' || *p == ':' || *p == ' '))
			return 0;
	return 1;
}

int netsuite_since_query(const char *select_from, const char *changed_col, const char *since,
			 const char *key_col, struct mlc_buf *out, struct mlc_error *err)
{
	if (since && *since && !since_ok(since))
		return error_set(err, MLC_EINVAL, "'%s' is not a YYYY-MM-DD HH:MM:SS time", since);
	for (const char *p = select_from; *p; p++) {
		if (*p == '%')
			buf_addch(out, '%');
		buf_addch(out, *p);
	}
	buf_addstr(out, " WHERE ");
	if (since && *since)
		buf_addf(out, "%s >= TO_TIMESTAMP('%s', 'YYYY-MM-DD HH24:MI:SS') AND ", changed_col,
			 since);
	buf_addf(out, "%%s ORDER BY %s", key_col);
	return MLC_OK;
}

int netsuite_read_since(struct mlc_netsuite *ns, const char *select_from, const char *changed_col,
			const char *since, const char *key_col, int (*fn)(void *arg, json_t *rows),
			void *arg, struct mlc_error *err)
{
	struct mlc_buf q = MLC_BUF_INIT;
	int rc = netsuite_since_query(select_from, changed_col, since, key_col, &q, err);

	if (rc == MLC_OK)
		rc = netsuite_suiteql_keyset(ns, q.data, key_col, fn, arg, err);
	buf_release(&q);
	return rc;
}
