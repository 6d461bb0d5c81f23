#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sandbox/nssim.h"
#include "util/log.h"
#include "util/time.h"
#include "util/banned.h"

/*
 * The SuiteQL-visible schema: the tables themselves are generated into
 * nssim_fields.c from nssim_schema.json (tools/gen_nssim_fields.py).
 * Names and columns follow docs/reference/netsuite/suiteql.md (the
 * sources there); values are stored the way they are compared: ids as
 * INTEGER, amounts as REAL in currency units (the record layer converts
 * to and from integer cents at its edges), booleans as 'T'/'F', dates and
 * timestamps as "YYYY-MM-DD HH:MM:SS" text so TO_DATE/TO_TIMESTAMP results
 * compare correctly.  Newer tables (budgets) keep amounts as INTEGER cents
 * in CENTS columns, which SuiteQL renders as decimals ("12345.67"); a
 * CENTS column compared with a decimal literal in a WHERE clause compares
 * cents, a limit of the simulator that no flow relies on.  The declared type (DATE, TIMESTAMP,
 * BOOL) tells the SuiteQL layer how to format a column it returns.
 */

char nsdb_seg_field[NSDB_SEG_MAX + 1] = NSDB_SEG_DEFAULT;
char nsdb_seg_table[NSDB_SEG_TABLE_MAX] = "customrecord_" NSDB_SEG_DEFAULT;
bool nsdb_seg_present = true;

/* The account's own rule for a script id (see nsdb_segment_set()). */
static int seg_id_check(const char *id, struct mlc_error *err)
{
	size_t n = strlen(id);

	if (n <= 4 || n > NSDB_SEG_MAX || strncmp(id, "cseg", 4) != 0 ||
	    strspn(id + 4, "abcdefghijklmnopqrstuvwxyz0123456789_") != n - 4)
		return error_set(err, MLC_EINVAL,
				 "'%s' is not a custom segment script id: 'cseg' then lowercase "
				 "letters, digits or '_', at most %d characters",
				 id, NSDB_SEG_MAX);
	return MLC_OK;
}

int nsdb_segment_set(const char *id, struct mlc_error *err)
{
	int rc;

	if (!id) {
		nsdb_seg_present = false;
		return MLC_OK;
	}
	rc = seg_id_check(id, err);
	if (rc < 0)
		return rc;
	snprintf(nsdb_seg_field, sizeof(nsdb_seg_field), "%s", id);
	snprintf(nsdb_seg_table, sizeof(nsdb_seg_table), "customrecord_%s", id);
	nsdb_seg_present = true;
	return MLC_OK;
}

const struct ns_table *nsdb_tables(size_t *n)
{
	*n = nsdb_schema_n;
	return nsdb_schema;
}

const struct ns_table *nsdb_table(const char *name)
{
	for (size_t i = 0; i < nsdb_schema_n; i++)
		if (strcasecmp(nsdb_schema[i].name, name) == 0)
			return nsdb_schema[i].name == nsdb_seg_table && !nsdb_seg_present
				   ? NULL
				   : &nsdb_schema[i];
	return NULL;
}

static struct sbx_misfits misfits;

void nsdb_misfits_set(const struct sbx_misfits *m)
{
	if (m)
		misfits = *m;
	else
		memset(&misfits, 0, sizeof(misfits));
}

const struct ns_table *nsdb_suiteql_table(const char *name)
{
	for (size_t i = 0; name && i < misfits.n_ns_deny; i++)
		if (strcasecmp(misfits.ns_deny[i], name) == 0)
			return NULL;
	return nsdb_table(name);
}

const struct ns_column *nsdb_suiteql_column(const struct ns_table *t, const char *name)
{
	const struct ns_column *c = nsdb_column(t, name);

	if (c && c->name == nsdb_seg_field &&
	    ((misfits.ns_segment_no_lines && strcmp(t->name, "transactionline") == 0) ||
	     (misfits.ns_segment_no_budgets && strcmp(t->name, "budgets") == 0)))
		return NULL;
	return c;
}

bool nsdb_push_script_deployed(void)
{
	return !misfits.ns_no_push_script;
}

const struct ns_column *nsdb_column(const struct ns_table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcasecmp(t->cols[i].name, name) == 0)
			return t->cols[i].name == nsdb_seg_field && !nsdb_seg_present ? NULL
										      : &t->cols[i];
	return NULL;
}

static const char *decltype(enum ns_coltype t)
{
	switch (t) {
	case NS_INT:
		return "INTEGER";
	case NS_REAL:
		return "REAL";
	case NS_BOOL:
		return "BOOL";
	case NS_DATE:
		return "DATE";
	case NS_TS:
		return "TIMESTAMP";
	case NS_CENTS:
		return "CENTS";
	case NS_TEXT:
		break;
	}
	return "TEXT";
}

int nsdb_exec(sqlite3 *db, const char *sql, struct mlc_error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		error_set(err, MLC_ESTORE, "netsuite simulator database: %s", msg ? msg : "error");
		sqlite3_free(msg);
		return MLC_ESTORE;
	}
	return MLC_OK;
}

void nsdb_run(sqlite3 *db, const char *sql)
{
	struct mlc_error err = {0};

	if (nsdb_exec(db, sql, &err) < 0)
		log_warn("netsuite simulator statement failed", "error", err.msg);
}

int64_t nsdb_int(sqlite3 *db, const char *sql, const char *param, int64_t def)
{
	sqlite3_stmt *st = NULL;
	int64_t v = def;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return def;
	if (param)
		sqlite3_bind_text(st, 1, param, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

void nsdb_ts(int64_t ms, char out[32])
{
	char buf[MLC_TIME_FMT_MAX];

	time_format_rfc3339(ms - ms % 1000, buf);
	/* "2026-11-26T16:12:48Z" -> "2026-11-26 16:12:48" */
	buf[10] = ' ';
	buf[19] = '\0';
	memcpy(out, buf, 20);
}

int nsdb_create(sqlite3 *db, struct mlc_error *err)
{
	struct mlc_buf sql = MLC_BUF_INIT;
	int rc;

	for (size_t i = 0; i < nsdb_schema_n; i++) {
		const struct ns_table *t = &nsdb_schema[i];
		buf_addf(&sql, "CREATE TABLE \"%s\" (", t->name);
		for (size_t c = 0; c < t->ncols; c++) {
			buf_addf(&sql, "%s\"%s\" %s", c ? ", " : "", t->cols[c].name,
				 decltype(t->cols[c].type));
			if (strcmp(t->cols[c].name, "id") == 0 &&
			    strcmp(t->name, "transactionline") && strcmp(t->name, "budgetsmachine"))
				buf_addstr(&sql, " PRIMARY KEY");
		}
		if (strcmp(t->name, "transactionline") == 0)
			buf_addstr(&sql, ", PRIMARY KEY (\"transaction\", id)");
		if (strcmp(t->name, "budgetsmachine") == 0)
			buf_addstr(&sql, ", PRIMARY KEY (budget, period)");
		buf_addstr(&sql, ");\n");
	}
	/* Private tables (not reachable from SuiteQL: unknown names). */
	buf_addstr(&sql, "CREATE TABLE _extra (rectype TEXT, id INTEGER, body TEXT, PRIMARY KEY "
			 "(rectype, id));\n"
			 "CREATE TABLE _token (token TEXT PRIMARY KEY, expires_ms INTEGER);\n"
			 "CREATE TABLE _meta (k TEXT PRIMARY KEY, v TEXT);\n"
			 "CREATE INDEX tl_tx ON transactionline(\"transaction\");\n"
			 "CREATE INDEX tl_uk ON transactionline(uniquekey);\n"
			 "CREATE INDEX tl_lmd ON transactionline(linelastmodifieddate);\n"
			 "CREATE INDEX tal_tx ON transactionaccountingline(\"transaction\");\n"
			 "CREATE INDEX tx_lmd ON \"transaction\"(lastmodifieddate, id);\n"
			 "CREATE UNIQUE INDEX tx_eid ON \"transaction\"(recordtype, externalid);\n"
			 "CREATE UNIQUE INDEX v_eid ON vendor(externalid);\n"
			 "CREATE INDEX v_lmd ON vendor(lastmodifieddate, id);\n");
	rc = nsdb_exec(db, sql.data, err);
	buf_release(&sql);
	return rc;
}
