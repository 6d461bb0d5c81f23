#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sandbox/nssim_rec.h"
#include "util/num.h"
#include "util/banned.h"

/*
 * GET /record/v1/<type>?q=&limit=&offset=: ids and links only
 * (docs/reference/netsuite.md "REST record service").  q is NetSuite's record filter
 * syntax: `field OP value` joined by AND/OR, e.g.
 * `companyName CONTAIN "acme" AND lastModifiedDate ON_OR_AFTER "2026-11-01"`.
 * Operators: IS IS_NOT CONTAIN DOES_NOT_CONTAIN START_WITH EMPTY EMPTY_NOT
 * EQUAL GREATER LESS GREATER_OR_EQUAL LESS_OR_EQUAL AFTER BEFORE ON_OR_AFTER
 * ON_OR_BEFORE ANY_OF.
 */

#define LIST_MAX 1000

struct qparse {
	const char *p;
	struct mlc_buf sql;
	char *params[64];
	int nparams;
	const struct ns_table *table;
};

static void skip_ws(struct qparse *q)
{
	while (isspace((unsigned char)*q->p))
		q->p++;
}

static bool word(struct qparse *q, char *out, size_t n)
{
	size_t k = 0;

	skip_ws(q);
	while ((isalnum((unsigned char)*q->p) || *q->p == '_') && k + 1 < n)
		out[k++] = *q->p++;
	out[k] = '\0';
	return k > 0;
}

static bool value(struct qparse *q, char *out, size_t n)
{
	size_t k = 0;

	skip_ws(q);
	if (*q->p == '"' || *q->p == '\'') {
		char quote = *q->p++;
		while (*q->p && *q->p != quote && k + 1 < n)
			out[k++] = *q->p++;
		if (*q->p != quote)
			return false;
		q->p++;
	} else {
		while (*q->p && !isspace((unsigned char)*q->p) && *q->p != ',' && *q->p != ']' &&
		       k + 1 < n)
			out[k++] = *q->p++;
	}
	out[k] = '\0';
	return true;
}

static void param(struct qparse *q, const char *v)
{
	if (q->nparams < (int)MLC_ARRAY_LEN(q->params))
		q->params[q->nparams++] = xstrdup(v);
	buf_addstr(&q->sql, "?");
}

/* Dates as stored ("YYYY-MM-DD HH:MM:SS"); accepts ISO input with T/Z. */
static void norm_date(char *v)
{
	for (char *p = v; *p; p++)
		if (*p == 'T')
			*p = ' ';
	if (strlen(v) > 19)
		v[19] = '\0';
}

static bool condition(struct qparse *q)
{
	static const struct {
		const char *op, *sql;
	} ops[] = {
	    {"IS", "="},     {"IS_NOT", "<>"},           {"EQUAL", "="},          {"GREATER", ">"},
	    {"LESS", "<"},   {"GREATER_OR_EQUAL", ">="}, {"LESS_OR_EQUAL", "<="}, {"AFTER", ">"},
	    {"BEFORE", "<"}, {"ON_OR_AFTER", ">="},      {"ON_OR_BEFORE", "<="},
	};
	char field[64], col[64], op[32], v[256];
	const struct ns_column *c;
	size_t k;

	if (!word(q, field, sizeof(field)) || !word(q, op, sizeof(op)))
		return false;
	for (k = 0; field[k]; k++)
		col[k] = (char)tolower((unsigned char)field[k]);
	col[k] = '\0';
	c = nsdb_column(q->table, col);
	if (!c)
		return false;
	if (strcasecmp(op, "EMPTY") == 0 || strcasecmp(op, "EMPTY_NOT") == 0) {
		buf_addf(&q->sql, "\"%s\" IS %s", c->name,
			 strcasecmp(op, "EMPTY") ? "NOT NULL" : "NULL");
		return true;
	}
	if (strcasecmp(op, "ANY_OF") == 0) {
		skip_ws(q);
		if (*q->p++ != '[')
			return false;
		buf_addf(&q->sql, "\"%s\" IN (", c->name);
		for (int i = 0;; i++) {
			if (!value(q, v, sizeof(v)))
				return false;
			if (i)
				buf_addstr(&q->sql, ", ");
			param(q, v);
			skip_ws(q);
			if (*q->p == ',') {
				q->p++;
				continue;
			}
			if (*q->p++ != ']')
				return false;
			break;
		}
		buf_addstr(&q->sql, ")");
		return true;
	}
	if (!value(q, v, sizeof(v)))
		return false;
	if (c->type == NS_BOOL && (strcmp(v, "true") == 0 || strcmp(v, "false") == 0))
		snprintf(v, sizeof(v), "%s", v[0] == 't' ? "T" : "F");
	if (c->type == NS_DATE || c->type == NS_TS)
		norm_date(v);
	if (strcasecmp(op, "CONTAIN") == 0 || strcasecmp(op, "DOES_NOT_CONTAIN") == 0 ||
	    strcasecmp(op, "START_WITH") == 0) {
		struct mlc_buf pat = MLC_BUF_INIT;
		buf_addf(&pat, "%s%s%%", strcasecmp(op, "START_WITH") ? "%" : "", v);
		buf_addf(&q->sql, "\"%s\" %sLIKE ", c->name,
			 strcasecmp(op, "DOES_NOT_CONTAIN") ? "" : "NOT ");
		param(q, pat.data);
		buf_release(&pat);
		return true;
	}
	for (k = 0; k < MLC_ARRAY_LEN(ops); k++) {
		if (strcasecmp(op, ops[k].op) == 0) {
			buf_addf(&q->sql, "\"%s\" %s ", c->name, ops[k].sql);
			param(q, v);
			return true;
		}
	}
	return false;
}

static bool parse_q(struct qparse *q)
{
	char conj[8];

	for (;;) {
		if (!condition(q))
			return false;
		skip_ws(q);
		if (!*q->p)
			return true;
		if (!word(q, conj, sizeof(conj)) ||
		    (strcasecmp(conj, "AND") && strcasecmp(conj, "OR")))
			return false;
		buf_addf(&q->sql, " %s ", strcasecmp(conj, "AND") ? "OR" : "AND");
	}
}

void nsrec_list(struct nssim *ns, const char *type, const char *qtext, const char *limit_s,
		const char *offset_s, const char *base, struct ns_result *r)
{
	struct qparse q = {.sql = MLC_BUF_INIT};
	bool txn = nstxn_is_transaction(type);
	const char *tname = txn ? "transaction" : NULL;
	struct mlc_error err;
	int64_t limit = LIST_MAX, offset = 0, total = 0;
	json_t *items = json_array(), *links;
	sqlite3_stmt *st = NULL;
	char href[512];

	memset(r, 0, sizeof(*r));
	if (!tname) {
		static const struct {
			const char *rest, *table;
		} map[] = {{"accountingPeriod", "accountingperiod"}, {"budgetImport", "budgets"}};
		tname = type;
		for (size_t i = 0; i < MLC_ARRAY_LEN(map); i++)
			if (strcmp(map[i].rest, type) == 0)
				tname = map[i].table;
	}
	q.table = nsdb_table(tname);
	if ((limit_s &&
	     (num_parse_i64(limit_s, &limit, &err) < 0 || limit < 1 || limit > LIST_MAX)) ||
	    (offset_s &&
	     (num_parse_i64(offset_s, &offset, &err) < 0 || offset < 0 || offset % limit))) {
		ns_result_error(r, 400, "INVALID_PARAMETER", NULL,
				"Invalid 'limit' or 'offset': limit is 1..%d and offset a "
				"multiple of limit.",
				LIST_MAX);
		goto out;
	}
	buf_addf(&q.sql, "SELECT id FROM \"%s\" WHERE ", q.table->name);
	if (txn)
		buf_addf(&q.sql, "recordtype = lower('%s') AND ", type);
	buf_addstr(&q.sql, "(");
	if (qtext && *qtext) {
		q.p = qtext;
		if (!parse_q(&q)) {
			ns_result_error(r, 400, "INVALID_PARAMETER", "q",
					"Invalid query parameter 'q': %s", qtext);
			goto out;
		}
	} else {
		buf_addstr(&q.sql, "1");
	}
	buf_addstr(&q.sql, ") ORDER BY id");
	pthread_mutex_lock(&ns->db_lock);
	if (sqlite3_prepare_v2(ns->db, q.sql.data, -1, &st, NULL) == SQLITE_OK) {
		for (int i = 0; i < q.nparams; i++)
			sqlite3_bind_text(st, i + 1, q.params[i], -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (total >= offset && total < offset + limit) {
				int64_t id = sqlite3_column_int64(st, 0);
				char idt[24];
				snprintf(idt, sizeof(idt), "%lld", (long long)id);
				json_array_append_new(
				    items,
				    json_pack("{s:o,s:s}", "links",
					      nsrec_self_links(base, type, id, NULL), "id", idt));
			}
			total++;
		}
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&ns->db_lock);
	snprintf(href, sizeof(href), "%s/services/rest/record/v1/%s?limit=%lld&offset=%lld", base,
		 type, (long long)limit, (long long)offset);
	links = json_pack("[{s:s,s:s}]", "rel", "self", "href", href);
	if (offset + (int64_t)json_array_size(items) < total) {
		snprintf(href, sizeof(href), "%s/services/rest/record/v1/%s?limit=%lld&offset=%lld",
			 base, type, (long long)limit, (long long)(offset + limit));
		json_array_append_new(links, json_pack("{s:s,s:s}", "rel", "next", "href", href));
	}
	r->status = 200;
	r->body = json_pack("{s:o,s:I,s:b,s:O,s:I,s:I}", "links", links, "count",
			    (json_int_t)json_array_size(items), "hasMore",
			    offset + (int64_t)json_array_size(items) < total, "items", items,
			    "offset", (json_int_t)offset, "totalResults", (json_int_t)total);
out:
	for (int i = 0; i < q.nparams; i++)
		free(q.params[i]);
	buf_release(&q.sql);
	json_decref(items);
}
