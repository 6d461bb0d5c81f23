#include <stdlib.h>
#include <string.h>

#include "netsuite/ns_costs.h"
#include "util/buf.h"
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
	json_array_foreach (rows, i, row) {
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

	*closed_period =
	    rc < 0 && strcmp(code, "USER_ERROR") == 0 && strstr(err->msg, "closed or locked");
	return rc;
}

struct gl_ctx {
	const char *segment_field;
	int (*fn)(void *arg, const struct ns_gl_line *l);
	void *arg;
};

static int gl_page(void *arg, json_t *rows)
{
	struct gl_ctx *c = arg;
	struct mlc_error e = {0};
	size_t i;
	json_t *v;
	int rc = MLC_OK;

	json_array_foreach (rows, i, v) {
		struct ns_gl_line l = {0};
		if (jsonx_id(v, "account", &l.account) < 0 ||
		    jsonx_id(v, "entity", &l.entity) < 0 ||
		    (c->segment_field && jsonx_id(v, c->segment_field, &l.segment) < 0))
			continue;
		if (jsonx_id(v, "id", &l.transaction) < 0)
			l.transaction = 0;
		str_copy(l.trandate, sizeof(l.trandate),
			 jsonx_str(v, "trandate") ? jsonx_str(v, "trandate") : "");
		if (jsonx_money_get(v, "debit", true, &l.debit, &e) < 0 ||
		    jsonx_money_get(v, "credit", true, &l.credit, &e) < 0)
			str_copy(l.error, sizeof(l.error), e.msg);
		rc = c->fn(c->arg, &l);
		if (rc < 0)
			break;
	}
	return rc;
}

int netsuite_cost_gl_lines(struct mlc_netsuite *ns, int64_t company_id, const char *segment_field,
			   int page_rows, int (*fn)(void *arg, const struct ns_gl_line *l),
			   void *arg, struct mlc_error *err)
{
	struct mlc_buf q = MLC_BUF_INIT;
	struct gl_ctx c = {segment_field, fn, arg};
	bool seg = segment_field && *segment_field;
	int rc;

	/* the GL impact of our entries (docs/reference/netsuite.md: transactionaccountingline),
	 * paged by entry so that any number of lines is read (no 100,000-row cap) */
	buf_addf(&q,
		 "SELECT t.id, TO_CHAR(t.trandate, 'YYYY-MM-DD') AS trandate, tl.entity, "
		 "%s%s%stal.account, tal.debit, tal.credit FROM transaction t "
		 "JOIN transactionline tl ON tl.transaction = t.id "
		 "JOIN transactionaccountingline tal ON tal.transaction = tl.transaction AND "
		 "tal.transactionline = tl.id "
		 "WHERE t.type = 'Journal' AND t.externalid LIKE 'pc:%lld:%%' AND %%s "
		 "ORDER BY t.id, tl.id, tal.account",
		 seg ? "tl." : "", seg ? segment_field : "", seg ? ", " : "",
		 (long long)company_id);
	if (!seg)
		c.segment_field = NULL;
	rc = netsuite_suiteql_groups(ns, q.data, "t.id", "id", page_rows, gl_page, &c, err);
	buf_release(&q);
	return rc < 0 ? rc : MLC_OK;
}

int netsuite_segment_values(struct mlc_netsuite *ns, const char *table,
			    struct ns_segment_value **out, size_t *n, struct mlc_error *err)
{
	struct mlc_buf q = MLC_BUF_INIT;
	json_t *rows = NULL, *v;
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	buf_addf(&q, "SELECT id, name, externalid FROM %s ORDER BY id", table);
	rc = netsuite_suiteql_all(ns, q.data, &rows, err);
	buf_release(&q);
	if (rc < 0)
		return rc;
	*out = xcalloc(json_array_size(rows) + 1, sizeof(**out));
	json_array_foreach (rows, i, v) {
		struct ns_segment_value *s = &(*out)[(*n)++];
		s->id = str_dup_or_null(jsonx_str(v, "id"));
		s->name = str_dup_or_null(jsonx_str(v, "name"));
		s->externalid = str_dup_or_null(jsonx_str(v, "externalid"));
	}
	json_decref(rows);
	return MLC_OK;
}

void ns_segment_values_free(struct ns_segment_value *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].id);
		free(v[i].name);
		free(v[i].externalid);
	}
	free(v);
}
