#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sandbox/nssim.h"
#include "util/num.h"
#include "util/str.h"
#include "util/banned.h"

/*
 * SuiteQL over SQLite.  The query is tokenised and checked before SQLite
 * sees it: one SELECT, no statement separators or comments, tables and
 * columns only from nssim_db.c's schema, functions from a fixed list.
 * Oracle-isms are rewritten (NVL, TO_DATE, TO_TIMESTAMP, TO_CHAR,
 * BUILTIN.DF, FETCH FIRST n ROWS ONLY).  Values come back as NetSuite sends
 * them (docs/reference/netsuite.md "SuiteQL values"; docs/reference/netsuite/suiteql.md V1-V6):
 * every value a string, booleans "T"/"F", dates in the account format, NULLs left out, lowercase
 * keys, "links": [] on each item.
 */

enum tok_kind { TK_IDENT, TK_NUM, TK_STR, TK_OP };

struct tok {
	enum tok_kind kind;
	const char *s;
	size_t n;
};

struct toks {
	struct tok *v;
	size_t n, cap;
};

static const char *const keywords[] = {
    "SELECT", "FROM",  "WHERE",    "AND",    "OR",    "NOT",   "IN",    "IS",
    "NULL",   "LIKE",  "BETWEEN",  "JOIN",   "LEFT",  "RIGHT", "INNER", "OUTER",
    "FULL",   "CROSS", "ON",       "AS",     "ORDER", "BY",    "GROUP", "HAVING",
    "ASC",    "DESC",  "DISTINCT", "CASE",   "WHEN",  "THEN",  "ELSE",  "END",
    "UNION",  "ALL",   "EXISTS",   "ESCAPE", "NULLS", "FIRST", "LAST",  "INTERSECT",
    "EXCEPT", "FETCH", "NEXT",     "ROWS",   "ROW",   "ONLY",
};

static const char *const banned_words[] = {
    "INSERT", "UPDATE",   "DELETE",  "DROP",   "CREATE",    "ALTER",   "ATTACH",
    "DETACH", "PRAGMA",   "REPLACE", "VACUUM", "REINDEX",   "ANALYZE", "BEGIN",
    "COMMIT", "ROLLBACK", "EXPLAIN", "WITH",   "SAVEPOINT", "RELEASE",
};

/* SuiteQL function -> SQLite function. */
static const struct {
	const char *from, *to;
} functions[] = {
    {"COUNT", "COUNT"},
    {"SUM", "SUM"},
    {"MIN", "MIN"},
    {"MAX", "MAX"},
    {"AVG", "AVG"},
    {"UPPER", "UPPER"},
    {"LOWER", "LOWER"},
    {"NVL", "IFNULL"},
    {"COALESCE", "COALESCE"},
    {"SUBSTR", "SUBSTR"},
    {"LENGTH", "LENGTH"},
    {"TRIM", "TRIM"},
    {"ROUND", "ROUND"},
    {"ABS", "ABS"},
    {"CAST", "CAST"},
    {"TO_CHAR", "mlc_to_char"},
    {"TO_DATE", "mlc_to_date"},
    {"TO_TIMESTAMP", "mlc_to_timestamp"},
    {"TO_NUMBER", "mlc_to_number"},
};

static bool tok_is(const struct tok *t, const char *word)
{
	return t->kind == TK_IDENT && strlen(word) == t->n && strncasecmp(t->s, word, t->n) == 0;
}

static bool tok_op(const struct tok *t, const char *op)
{
	return t->kind == TK_OP && strlen(op) == t->n && strncmp(t->s, op, t->n) == 0;
}

static bool in_list(const struct tok *t, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (tok_is(t, list[i]))
			return true;
	return false;
}

static bool is_keyword(const struct tok *t)
{
	return in_list(t, keywords, MLC_ARRAY_LEN(keywords));
}

static void push(struct toks *ts, enum tok_kind k, const char *s, size_t n)
{
	if (ts->n == ts->cap) {
		ts->cap = ts->cap ? ts->cap * 2 : 64;
		ts->v = xrealloc(ts->v, ts->cap * sizeof(*ts->v));
	}
	ts->v[ts->n++] = (struct tok){k, s, n};
}

static int tokenize(const char *q, struct toks *ts, struct mlc_error *err)
{
	const char *p = q;

	while (*p) {
		const char *s = p;
		if (isspace((unsigned char)*p)) {
			p++;
		} else if (isalpha((unsigned char)*p) || *p == '_') {
			while (isalnum((unsigned char)*p) || *p == '_' || *p == '$' || *p == '#')
				p++;
			push(ts, TK_IDENT, s, (size_t)(p - s));
		} else if (isdigit((unsigned char)*p) ||
			   (*p == '.' && isdigit((unsigned char)p[1]))) {
			while (isdigit((unsigned char)*p) || *p == '.')
				p++;
			push(ts, TK_NUM, s, (size_t)(p - s));
		} else if (*p == '\'') {
			p++;
			for (;;) {
				if (!*p)
					return error_set(err, MLC_EINVAL,
							 "Unterminated string literal");
				if (*p == '\'' && p[1] == '\'') {
					p += 2;
					continue;
				}
				if (*p++ == '\'')
					break;
			}
			push(ts, TK_STR, s, (size_t)(p - s));
		} else if ((p[0] == '-' && p[1] == '-') || (p[0] == '/' && p[1] == '*')) {
			return error_set(err, MLC_EINVAL, "Comments are not supported");
		} else if (strncmp(p, "<=", 2) == 0 || strncmp(p, ">=", 2) == 0 ||
			   strncmp(p, "<>", 2) == 0 || strncmp(p, "!=", 2) == 0 ||
			   strncmp(p, "||", 2) == 0) {
			push(ts, TK_OP, s, 2);
			p += 2;
		} else if (strchr("(),.*+-/=<>", *p)) {
			push(ts, TK_OP, s, 1);
			p++;
		} else {
			return error_set(err, MLC_EINVAL, "Invalid character '%c' in the query",
					 *p);
		}
	}
	return MLC_OK;
}

struct scope_entry {
	char alias[64];
	const struct ns_table *table;
};

struct xlate {
	struct toks ts;
	struct scope_entry scope[32];
	size_t nscope;
	char aliases[32][64]; /* select-list AS names */
	size_t naliases;
	struct mlc_buf out;
	struct mlc_error *err;
};

static void tok_copy(const struct tok *t, char *out, size_t n)
{
	size_t k = t->n < n - 1 ? t->n : n - 1;

	memcpy(out, t->s, k);
	out[k] = '\0';
}

static const struct ns_table *scope_find(struct xlate *x, const struct tok *t)
{
	char name[64];

	tok_copy(t, name, sizeof(name));
	for (size_t i = 0; i < x->nscope; i++)
		if (strcasecmp(x->scope[i].alias, name) == 0)
			return x->scope[i].table;
	return NULL;
}

/* Pass 1: tables after FROM/JOIN (and comma lists in FROM), their aliases,
 * and the select-list aliases. */
static int collect_scope(struct xlate *x)
{
	struct tok *v = x->ts.v;
	size_t n = x->ts.n;
	bool in_from = false;

	for (size_t i = 0; i < n; i++) {
		bool table_next = false;
		if (tok_is(&v[i], "FROM") || tok_is(&v[i], "JOIN")) {
			in_from = true;
			table_next = true;
		} else if (in_from && tok_op(&v[i], ",")) {
			table_next = true;
		} else if (tok_is(&v[i], "WHERE") || tok_is(&v[i], "ON") ||
			   tok_is(&v[i], "GROUP") || tok_is(&v[i], "ORDER") ||
			   tok_is(&v[i], "HAVING") || tok_is(&v[i], "UNION") ||
			   tok_op(&v[i], ")") || tok_is(&v[i], "SELECT")) {
			in_from = false;
		} else if (tok_is(&v[i], "AS") && i + 1 < n && v[i + 1].kind == TK_IDENT &&
			   x->naliases < MLC_ARRAY_LEN(x->aliases)) {
			tok_copy(&v[i + 1], x->aliases[x->naliases++], 64);
		}
		if (!table_next || i + 1 >= n || v[i + 1].kind != TK_IDENT)
			continue;
		{
			char name[64];
			const struct ns_table *t;
			struct scope_entry *e;
			size_t a = i + 2;
			tok_copy(&v[i + 1], name, sizeof(name));
			t = nsdb_suiteql_table(name);
			if (!t)
				return error_set(x->err, MLC_EINVAL, "Record '%s' was not found.",
						 name);
			if (x->nscope + 2 > MLC_ARRAY_LEN(x->scope))
				return error_set(x->err, MLC_EINVAL,
						 "Too many tables in the query");
			e = &x->scope[x->nscope++];
			snprintf(e->alias, sizeof(e->alias), "%s", t->name);
			e->table = t;
			if (a < n && tok_is(&v[a], "AS"))
				a++;
			if (a < n && v[a].kind == TK_IDENT && !is_keyword(&v[a])) {
				e = &x->scope[x->nscope++];
				tok_copy(&v[a], e->alias, sizeof(e->alias));
				e->table = t;
			}
		}
	}
	return MLC_OK;
}

static bool is_select_alias(struct xlate *x, const struct tok *t)
{
	for (size_t i = 0; i < x->naliases; i++)
		if (strlen(x->aliases[i]) == t->n && strncasecmp(x->aliases[i], t->s, t->n) == 0)
			return true;
	return false;
}

static bool column_in_scope(struct xlate *x, const char *col)
{
	for (size_t i = 0; i < x->nscope; i++)
		if (nsdb_suiteql_column(x->scope[i].table, col))
			return true;
	return false;
}

/* Resolves "alias.col" or "col" to the referenced table of a column
 * (for BUILTIN.DF); "" when the column is not a reference. */
static void df_target(struct xlate *x, const struct tok *qual, const struct tok *col, char *out,
		      size_t n)
{
	char name[64];

	tok_copy(col, name, sizeof(name));
	out[0] = '\0';
	for (size_t i = 0; i < x->nscope; i++) {
		const struct ns_column *c;
		if (qual && scope_find(x, qual) != x->scope[i].table)
			continue;
		c = nsdb_suiteql_column(x->scope[i].table, name);
		if (c && c->ref) {
			snprintf(out, n, "%s", c->ref);
			return;
		}
		if (c) {
			snprintf(out, n, "%s.%s", x->scope[i].table->name, c->name);
			return;
		}
	}
}

static void emit(struct xlate *x, const struct tok *t)
{
	if (x->out.len && t->kind != TK_OP)
		buf_addch(&x->out, ' ');
	else if (x->out.len && t->kind == TK_OP && !tok_op(t, ".") && !tok_op(t, ")") &&
		 !tok_op(t, ","))
		buf_addch(&x->out, ' ');
	buf_add(&x->out, t->s, t->n);
}

/* Identifiers are quoted: SuiteQL's "transaction" is an SQLite keyword. */
static void emit_ident(struct xlate *x, const struct tok *t)
{
	if (x->out.len && !(x->out.data[x->out.len - 1] == '.'))
		buf_addch(&x->out, ' ');
	buf_addch(&x->out, '"');
	buf_add(&x->out, t->s, t->n);
	buf_addch(&x->out, '"');
}

/* Index of the top-level FROM of the first SELECT (n if none). */
static size_t top_from(const struct toks *ts)
{
	int depth = 0;

	for (size_t i = 1; i < ts->n; i++) {
		if (tok_op(&ts->v[i], "("))
			depth++;
		else if (tok_op(&ts->v[i], ")"))
			depth--;
		else if (depth == 0 && tok_is(&ts->v[i], "FROM"))
			return i;
	}
	return ts->n;
}

/* True when tokens [s, e) are a plain column reference or star. */
static bool plain_item(const struct tok *v, size_t s, size_t e)
{
	if (e - s == 1)
		return v[s].kind == TK_IDENT || tok_op(&v[s], "*");
	if (e - s == 3)
		return v[s].kind == TK_IDENT && tok_op(&v[s + 1], ".") &&
		       (v[s + 2].kind == TK_IDENT || tok_op(&v[s + 2], "*"));
	return false;
}

static bool has_alias(const struct tok *v, size_t s, size_t e)
{
	return e - s >= 3 && tok_is(&v[e - 2], "AS");
}

int suiteql_translate(const char *q, char **out, struct mlc_error *err)
{
	struct xlate x = {.out = MLC_BUF_INIT, .err = err};
	struct tok *v;
	size_t n, from, item_start = 1;
	int rc, depth = 0, nexpr = 0;
	int64_t rownum_limit = -1;

	*out = NULL;
	rc = tokenize(q, &x.ts, err);
	if (rc < 0)
		goto out;
	v = x.ts.v;
	n = x.ts.n;
	if (n == 0 || !tok_is(&v[0], "SELECT")) {
		rc = error_set(err, MLC_EINVAL, "Only SELECT queries are supported");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (in_list(&v[i], banned_words, MLC_ARRAY_LEN(banned_words))) {
			rc = error_set(err, MLC_EINVAL, "Only SELECT queries are supported");
			goto out;
		}
	}
	rc = collect_scope(&x);
	if (rc < 0)
		goto out;
	from = top_from(&x.ts);
	if (n > 1 && tok_is(&v[1], "DISTINCT"))
		item_start = 2;
	for (size_t i = 0; i < n; i++) {
		struct tok *t = &v[i];
		bool prev_dot = i > 0 && tok_op(&v[i - 1], ".");

		if (tok_op(t, "("))
			depth++;
		else if (tok_op(t, ")"))
			depth--;
		/* Unaliased expressions in the top select list become exprN. */
		if (i <= from && i > item_start && depth == 0 && (tok_op(t, ",") || i == from) &&
		    !plain_item(v, item_start, i) && !has_alias(v, item_start, i)) {
			buf_addf(&x.out, " AS expr%d", ++nexpr);
		}
		if (i <= from && depth == 0 && tok_op(t, ","))
			item_start = i + 1;
		if (t->kind != TK_IDENT || prev_dot) {
			if (prev_dot && t->kind == TK_IDENT) {
				/* qualifier.column */
				const struct ns_table *tab = scope_find(&x, &v[i - 2]);
				char col[64];
				tok_copy(t, col, sizeof(col));
				if (!tab || !nsdb_suiteql_column(tab, col)) {
					rc = error_set(err, MLC_EINVAL, "Unknown identifier '%s'",
						       col);
					goto out;
				}
				emit_ident(&x, t);
				continue;
			}
			emit(&x, t);
			continue;
		}
		/* Top-level "ROWNUM <= n" / "< n" / "= 1": the condition becomes true
		 * and the statement gets LIMIT (Oracle numbers rows before ORDER BY;
		 * close enough for the usual "first rows" probes). */
		if (tok_is(t, "ROWNUM")) {
			int64_t lim = -1;
			struct mlc_error nerr;
			if (depth == 0 && i + 2 < n && v[i + 2].kind == TK_NUM) {
				char num[32];
				tok_copy(&v[i + 2], num, sizeof(num));
				if (num_parse_i64(num, &lim, &nerr) < 0)
					lim = -1;
				else if (tok_op(&v[i + 1], "<"))
					lim -= 1;
				else if (tok_op(&v[i + 1], "=") && lim != 1)
					lim = -1;
				else if (!tok_op(&v[i + 1], "<=") && !tok_op(&v[i + 1], "="))
					lim = -1;
			}
			if (lim < 0) {
				rc = error_set(
				    err, MLC_EINVAL,
				    "ROWNUM is supported only as a top-level ROWNUM <= n");
				goto out;
			}
			rownum_limit = lim;
			buf_addstr(&x.out, " 1 = 1");
			i += 2;
			continue;
		}
		/* FETCH FIRST n ROWS ONLY -> LIMIT n */
		if (tok_is(t, "FETCH") && i + 4 < n && v[i + 2].kind == TK_NUM &&
		    tok_is(&v[i + 4], "ONLY")) {
			buf_addstr(&x.out, " LIMIT ");
			buf_add(&x.out, v[i + 2].s, v[i + 2].n);
			i += 4;
			continue;
		}
		if (tok_is(t, "BUILTIN") && i + 3 < n && tok_op(&v[i + 1], ".") &&
		    tok_is(&v[i + 2], "DF") && tok_op(&v[i + 3], "(")) {
			const struct tok *qual = NULL, *col = NULL;
			char target[96];
			if (i + 5 < n && v[i + 4].kind == TK_IDENT && tok_op(&v[i + 5], "."))
				qual = &v[i + 4], col = i + 6 < n ? &v[i + 6] : NULL;
			else if (i + 4 < n)
				col = &v[i + 4];
			if (!col || col->kind != TK_IDENT) {
				rc = error_set(err, MLC_EINVAL, "BUILTIN.DF needs a column");
				goto out;
			}
			df_target(&x, qual, col, target, sizeof(target));
			buf_addf(&x.out, " mlc_df('%s', ", target);
			i += 3;
			depth++;
			continue;
		}
		if (i + 1 < n && tok_op(&v[i + 1], "(") && !is_keyword(t)) {
			size_t f;
			for (f = 0; f < MLC_ARRAY_LEN(functions); f++)
				if (tok_is(t, functions[f].from))
					break;
			if (f == MLC_ARRAY_LEN(functions)) {
				char name[64];
				tok_copy(t, name, sizeof(name));
				rc = error_set(err, MLC_EINVAL, "Unknown function '%s'", name);
				goto out;
			}
			buf_addf(&x.out, " %s", functions[f].to);
			continue;
		}
		if (is_keyword(t)) {
			emit(&x, t);
			continue;
		}
		if (i > 0 && tok_is(&v[i - 1], "AS")) {
			emit_ident(&x, t);
			continue;
		}
		if (i + 1 < n && tok_op(&v[i + 1], ".")) {
			if (!scope_find(&x, t)) {
				char name[64];
				tok_copy(t, name, sizeof(name));
				rc = error_set(err, MLC_EINVAL, "Unknown identifier '%s'", name);
				goto out;
			}
			emit_ident(&x, t);
			continue;
		}
		{
			char name[64];
			tok_copy(t, name, sizeof(name));
			/* table names and their aliases in FROM, CAST types */
			if (tok_is(t, "INTEGER") || tok_is(t, "VARCHAR")) {
				emit(&x, t);
				continue;
			}
			if (scope_find(&x, t) || is_select_alias(&x, t) ||
			    column_in_scope(&x, name)) {
				emit_ident(&x, t);
				continue;
			}
			rc = error_set(err, MLC_EINVAL, "Unknown identifier '%s'", name);
			goto out;
		}
	}
	if (depth != 0) {
		rc = error_set(err, MLC_EINVAL, "Unbalanced parentheses");
		goto out;
	}
	if (rownum_limit >= 0)
		buf_addf(&x.out, " LIMIT %lld", (long long)rownum_limit);
	*out = buf_detach(&x.out, NULL);
	rc = MLC_OK;
out:
	free(x.ts.v);
	buf_release(&x.out);
	return rc;
}

/* ---- date helpers (SQL functions) ---- */

struct ymdhms {
	int y, mo, d, h, mi, s;
};

static const char *const months[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
				     "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};

static int read_num(const char **p, int maxd, int *out)
{
	int v = 0, k = 0;

	while (k < maxd && isdigit((unsigned char)**p)) {
		v = v * 10 + (**p - '0');
		(*p)++;
		k++;
	}
	if (!k)
		return -1;
	*out = v;
	return 0;
}

/* Parses text by an Oracle format (YYYY MM DD HH24 HH MI SS MON). */
static int parse_by_format(const char *s, const char *fmt, struct ymdhms *t)
{
	memset(t, 0, sizeof(*t));
	t->mo = t->d = 1;
	while (*fmt) {
		if (strncasecmp(fmt, "YYYY", 4) == 0) {
			if (read_num(&s, 4, &t->y))
				return -1;
			fmt += 4;
		} else if (strncasecmp(fmt, "MON", 3) == 0) {
			int k;
			for (k = 0; k < 12 && strncasecmp(s, months[k], 3); k++)
				;
			if (k == 12)
				return -1;
			t->mo = k + 1;
			s += 3;
			fmt += 3;
		} else if (strncasecmp(fmt, "MM", 2) == 0) {
			if (read_num(&s, 2, &t->mo))
				return -1;
			fmt += 2;
		} else if (strncasecmp(fmt, "DD", 2) == 0) {
			if (read_num(&s, 2, &t->d))
				return -1;
			fmt += 2;
		} else if (strncasecmp(fmt, "HH24", 4) == 0 || strncasecmp(fmt, "HH", 2) == 0) {
			if (read_num(&s, 2, &t->h))
				return -1;
			fmt += strncasecmp(fmt, "HH24", 4) == 0 ? 4 : 2;
		} else if (strncasecmp(fmt, "MI", 2) == 0) {
			if (read_num(&s, 2, &t->mi))
				return -1;
			fmt += 2;
		} else if (strncasecmp(fmt, "SS", 2) == 0) {
			if (read_num(&s, 2, &t->s))
				return -1;
			fmt += 2;
		} else {
			if (*s != *fmt && !(*fmt == ' ' && *s == 'T'))
				return -1;
			s++;
			fmt++;
		}
	}
	if (*s || t->mo < 1 || t->mo > 12 || t->d < 1 || t->d > 31 || t->h > 23 || t->mi > 59 ||
	    t->s > 60)
		return -1;
	return 0;
}

static int parse_stored(const char *s, struct ymdhms *t)
{
	if (!s || strlen(s) < 10)
		return -1;
	if (strlen(s) == 10)
		return parse_by_format(s, "YYYY-MM-DD", t);
	return parse_by_format(s, "YYYY-MM-DD HH24:MI:SS", t);
}

static void format_by(const struct ymdhms *t, const char *fmt, struct mlc_buf *b)
{
	while (*fmt) {
		if (strncasecmp(fmt, "YYYY", 4) == 0) {
			buf_addf(b, "%04d", t->y);
			fmt += 4;
		} else if (strncasecmp(fmt, "YY", 2) == 0) {
			buf_addf(b, "%02d", t->y % 100);
			fmt += 2;
		} else if (strncasecmp(fmt, "MON", 3) == 0) {
			buf_addstr(b, months[t->mo - 1]);
			fmt += 3;
		} else if (strncasecmp(fmt, "MM", 2) == 0) {
			buf_addf(b, "%02d", t->mo);
			fmt += 2;
		} else if (strncasecmp(fmt, "DD", 2) == 0) {
			buf_addf(b, "%02d", t->d);
			fmt += 2;
		} else if (strncasecmp(fmt, "HH24", 4) == 0) {
			buf_addf(b, "%02d", t->h);
			fmt += 4;
		} else if (strncasecmp(fmt, "HH", 2) == 0) {
			buf_addf(b, "%02d", t->h % 12 ? t->h % 12 : 12);
			fmt += 2;
		} else if (strncasecmp(fmt, "MI", 2) == 0) {
			buf_addf(b, "%02d", t->mi);
			fmt += 2;
		} else if (strncasecmp(fmt, "SS", 2) == 0) {
			buf_addf(b, "%02d", t->s);
			fmt += 2;
		} else {
			buf_addch(b, *fmt++);
		}
	}
}

void suiteql_format_date(const char *stored, char *out, size_t n)
{
	struct ymdhms t;

	if (parse_stored(stored, &t) < 0) {
		snprintf(out, n, "%s", stored ? stored : "");
		return;
	}
	/* M/D/YYYY: the seeded account's preference, month not padded. */
	snprintf(out, n, "%d/%d/%04d", t.mo, t.d, t.y);
}

static void fn_to_ts(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *s = (const char *)sqlite3_value_text(argv[0]);
	const char *fmt = argc > 1 ? (const char *)sqlite3_value_text(argv[1]) : NULL;
	struct ymdhms t;
	char out[32];

	if (!s) {
		sqlite3_result_null(ctx);
		return;
	}
	if (fmt ? parse_by_format(s, fmt, &t) < 0
		: (parse_by_format(s, "MM/DD/YYYY", &t) < 0 && parse_stored(s, &t) < 0)) {
		sqlite3_result_error(ctx, "date does not match the format", -1);
		return;
	}
	snprintf(out, sizeof(out), "%04d-%02d-%02d %02d:%02d:%02d", t.y, t.mo, t.d, t.h, t.mi, t.s);
	sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

static void fn_to_char(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *fmt = argc > 1 ? (const char *)sqlite3_value_text(argv[1]) : NULL;
	struct ymdhms t;

	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	if (sqlite3_value_type(argv[0]) == SQLITE_TEXT && fmt &&
	    parse_stored((const char *)sqlite3_value_text(argv[0]), &t) == 0) {
		struct mlc_buf b = MLC_BUF_INIT;
		format_by(&t, fmt, &b);
		sqlite3_result_text(ctx, b.data, (int)b.len, SQLITE_TRANSIENT);
		buf_release(&b);
		return;
	}
	sqlite3_result_text(ctx, (const char *)sqlite3_value_text(argv[0]), -1, SQLITE_TRANSIENT);
}

static void fn_to_number(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	MLC_UNUSED(argc);
	sqlite3_result_double(ctx, sqlite3_value_double(argv[0]));
}

/* BUILTIN.DF: display text of a reference, or of a code column. */
static void fn_df(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	static const struct {
		const char *col, *code, *text;
	} codes[] = {
	    {"transaction.type", "PurchOrd", "Purchase Order"},
	    {"transaction.type", "VendBill", "Bill"},
	    {"transaction.type", "Journal", "Journal"},
	    {"transaction.status", "A", "Open"},
	    {"transaction.status", "B", "Pending Receipt"},
	    {"transaction.status", "F", "Pending Bill"},
	    {"transaction.status", "G", "Fully Billed"},
	    {"transaction.status", "H", "Closed"},
	};
	const char *target = (const char *)sqlite3_value_text(argv[0]);
	const struct ns_table *t;
	sqlite3_stmt *st = NULL;
	char sql[256];

	MLC_UNUSED(argc);
	if (sqlite3_value_type(argv[1]) == SQLITE_NULL || !target) {
		sqlite3_result_null(ctx);
		return;
	}
	for (size_t i = 0; i < MLC_ARRAY_LEN(codes); i++) {
		if (strcmp(codes[i].col, target) == 0 &&
		    strcmp(codes[i].code, (const char *)sqlite3_value_text(argv[1])) == 0) {
			sqlite3_result_text(ctx, codes[i].text, -1, SQLITE_STATIC);
			return;
		}
	}
	t = nsdb_table(target);
	if (!t || !t->df_col) {
		sqlite3_result_value(ctx, argv[1]);
		return;
	}
	snprintf(sql, sizeof(sql), "SELECT %s FROM \"%s\" WHERE id = ?", t->df_col, t->name);
	if (sqlite3_prepare_v2(sqlite3_context_db_handle(ctx), sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_value(st, 1, argv[1]);
		if (sqlite3_step(st) == SQLITE_ROW) {
			sqlite3_result_value(ctx, sqlite3_column_value(st, 0));
			sqlite3_finalize(st);
			return;
		}
	}
	sqlite3_finalize(st);
	sqlite3_result_null(ctx);
}

int suiteql_register(sqlite3 *db)
{
	int f = SQLITE_UTF8 | SQLITE_DETERMINISTIC;

	if (sqlite3_create_function(db, "mlc_to_timestamp", -1, f, NULL, fn_to_ts, NULL, NULL) ||
	    sqlite3_create_function(db, "mlc_to_date", -1, f, NULL, fn_to_ts, NULL, NULL) ||
	    sqlite3_create_function(db, "mlc_to_char", -1, f, NULL, fn_to_char, NULL, NULL) ||
	    sqlite3_create_function(db, "mlc_to_number", 1, f, NULL, fn_to_number, NULL, NULL) ||
	    sqlite3_create_function(db, "mlc_df", 2, SQLITE_UTF8, NULL, fn_df, NULL, NULL))
		return MLC_ESTORE;
	return MLC_OK;
}
