#include <stdlib.h>
#include <string.h>

#include "netsuite/ns_costs.h"
#include "util/jsonx.h"
#include "util/str.h"
#include "util/banned.h"

int netsuite_accounting_periods(struct mlc_netsuite *ns, struct canon_period **out, size_t *n,
				struct mlc_error *err)
{
	json_t *rows = NULL, *row;
	size_t i;
	int rc = netsuite_suiteql_all(
		ns,
		"SELECT id, periodname, TO_CHAR(startdate, 'YYYY-MM-DD') AS s, "
		"TO_CHAR(enddate, 'YYYY-MM-DD') AS e, closed, alllocked FROM accountingperiod "
		"WHERE isposting = 'T' AND isquarter = 'F' AND isyear = 'F' ORDER BY startdate",
		&rows, err);

	*out = NULL;
	*n = 0;
	if (rc < 0)
		return rc;
	*out = xcalloc(json_array_size(rows) + 1, sizeof(**out));
	json_array_foreach(rows, i, row) {
		struct canon_period *p = &(*out)[*n];
		if (!jsonx_str(row, "s") || !jsonx_str(row, "e"))
			continue;
		str_copy(p->start, sizeof(p->start), jsonx_str(row, "s"));
		str_copy(p->end, sizeof(p->end), jsonx_str(row, "e"));
		str_copy(p->name, sizeof(p->name),
			 jsonx_str(row, "periodname") ? jsonx_str(row, "periodname") : p->start);
		p->open = !jsonx_bool(row, "closed") && !jsonx_bool(row, "alllocked");
		(*n)++;
	}
	json_decref(rows);
	return MLC_OK;
}

int netsuite_journal_upsert(struct mlc_netsuite *ns, const char *external_id, json_t *body,
			    int64_t *id, bool *closed_period, struct mlc_error *err)
{
	char code[NS_CODE_MAX] = "";
	int rc = netsuite_upsert(ns, "journalEntry", external_id, body, id, code, err);

	*closed_period = rc < 0 && strcmp(code, "USER_ERROR") == 0 && strstr(err->msg, "closed or locked");
	return rc;
}
