#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sandbox/nssim.h"
#include "util/log.h"
#include "util/time.h"
#include "util/banned.h"

/*
 * The SuiteQL-visible schema.  Names and columns follow docs/reference/netsuite/suiteql.md (the
 * sources there); values are stored the way they are compared: ids as
 * INTEGER, amounts as REAL in currency units (the record layer converts
 * to and from integer cents at its edges), booleans as 'T'/'F', dates and
 * timestamps as "YYYY-MM-DD HH:MM:SS" text so TO_DATE/TO_TIMESTAMP results
 * compare correctly.  Newer tables (budgets) keep amounts as INTEGER cents
 * in CENTS columns, which SuiteQL renders as decimals ("12345.67"); a
 * CENTS column compared with a decimal literal in a WHERE clause compares
 * cents, a limit of the simulator that no flow relies on.  The declared type (DATE, TIMESTAMP, BOOL) tells the
 * SuiteQL layer how to format a column it returns.
 */

#define C(n, t)                                                                                    \
	{                                                                                          \
		n, NS_##t, NULL                                                                    \
	}
#define R(n, ref)                                                                                  \
	{                                                                                          \
		n, NS_INT, ref                                                                     \
	}

static const struct ns_column subsidiary_cols[] = {
    C("id", INT),
    C("name", TEXT),
    C("fullname", TEXT),
    C("legalname", TEXT),
    C("isinactive", BOOL),
    C("iselimination", BOOL),
    R("parent", "subsidiary"),
    R("currency", "currency"),
    C("country", TEXT),
    C("state", TEXT),
    C("externalid", TEXT),
    C("lastmodifieddate", TS),
};
static const struct ns_column currency_cols[] = {
    C("id", INT),          C("name", TEXT),           C("symbol", TEXT), C("isbasecurrency", BOOL),
    C("isinactive", BOOL), C("lastmodifieddate", TS),
};
#define SEGMENT_COLS(parent_table)                                                                 \
	C("id", INT), C("name", TEXT), C("fullname", TEXT), C("isinactive", BOOL),                 \
	    C("includechildren", BOOL), R("parent", parent_table), C("subsidiary", TEXT),          \
	    C("externalid", TEXT), C("lastmodifieddate", TS)
static const struct ns_column department_cols[] = {SEGMENT_COLS("department")};
static const struct ns_column classification_cols[] = {SEGMENT_COLS("classification")};
static const struct ns_column location_cols[] = {SEGMENT_COLS("location")};
static const struct ns_column account_cols[] = {
    C("id", INT),
    C("acctnumber", TEXT),
    C("acctname", TEXT),
    C("fullname", TEXT),
    C("accountsearchdisplayname", TEXT),
    C("displaynamewithhierarchy", TEXT),
    C("accttype", TEXT),
    C("description", TEXT),
    C("isinactive", BOOL),
    C("issummary", BOOL),
    R("parent", "account"),
    C("subsidiary", TEXT),
    R("currency", "currency"),
    C("externalid", TEXT),
    C("lastmodifieddate", TS),
};
static const struct ns_column period_cols[] = {
    C("id", INT),
    C("periodname", TEXT),
    R("parent", "accountingperiod"),
    C("startdate", DATE),
    C("enddate", DATE),
    C("isposting", BOOL),
    C("isadjust", BOOL),
    C("isquarter", BOOL),
    C("isyear", BOOL),
    C("isinactive", BOOL),
    C("closed", BOOL),
    C("alllocked", BOOL),
    C("aplocked", BOOL),
    C("arlocked", BOOL),
    C("allownonglchanges", BOOL),
    C("closedondate", DATE),
    C("lastmodifieddate", TS),
};
static const struct ns_column entity_cols[] = {
    C("id", INT),    C("entityid", TEXT),   C("altname", TEXT),    C("entitytitle", TEXT),
    C("type", TEXT), C("isinactive", BOOL), C("externalid", TEXT), C("lastmodifieddate", TS),
};
static const struct ns_column vendor_cols[] = {
    C("id", INT),
    C("entityid", TEXT),
    C("companyname", TEXT),
    C("altname", TEXT),
    C("legalname", TEXT),
    C("printoncheckas", TEXT),
    C("isperson", BOOL),
    C("isinactive", BOOL),
    C("email", TEXT),
    C("phone", TEXT),
    C("url", TEXT),
    C("comments", TEXT),
    R("subsidiary", "subsidiary"),
    R("currency", "currency"),
    R("payablesaccount", "account"),
    R("expenseaccount", "account"),
    R("category", "vendorcategory"),
    C("is1099eligible", BOOL),
    C("externalid", TEXT),
    C("datecreated", TS),
    C("lastmodifieddate", TS),
};
/* Vendor categories (Setup > Accounting > Accounting Lists): vendor.category refers here. */
static const struct ns_column vendorcategory_cols[] = {
    C("id", INT),          C("name", TEXT),           C("isinactive", BOOL),
    C("externalid", TEXT), C("lastmodifieddate", TS),
};
static const struct ns_column vsr_cols[] = {
    R("entity", "vendor"),
    R("subsidiary", "subsidiary"),
    C("isprimarysub", BOOL),
};
static const struct ns_column customer_cols[] = {
    C("id", INT),
    C("entityid", TEXT),
    C("companyname", TEXT),
    C("altname", TEXT),
    C("isperson", BOOL),
    C("isinactive", BOOL),
    C("email", TEXT),
    C("phone", TEXT),
    R("parent", "customer"),
    R("subsidiary", "subsidiary"),
    R("currency", "currency"),
    C("externalid", TEXT),
    C("datecreated", TS),
    C("lastmodifieddate", TS),
};
static const struct ns_column job_cols[] = {
    C("id", INT),
    C("entityid", TEXT),
    C("companyname", TEXT),
    C("altname", TEXT),
    R("customer", "customer"),
    R("parent", "customer"),
    C("isinactive", BOOL),
    C("startdate", DATE),
    C("enddate", DATE),
    C("projectedenddate", DATE),
    C("entitystatus", INT),
    R("subsidiary", "subsidiary"),
    R("currency", "currency"),
    C("comments", TEXT),
    C("externalid", TEXT),
    C("datecreated", TS),
    C("lastmodifieddate", TS),
};
static const struct ns_column item_cols[] = {
    C("id", INT),          C("itemid", TEXT),         C("displayname", TEXT),
    C("itemtype", TEXT),   C("isinactive", BOOL),     R("expenseaccount", "account"),
    C("externalid", TEXT), C("lastmodifieddate", TS),
};
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
	if ((rc = seg_id_check(id, err)) < 0)
		return rc;
	snprintf(nsdb_seg_field, sizeof(nsdb_seg_field), "%s", id);
	snprintf(nsdb_seg_table, sizeof(nsdb_seg_table), "customrecord_%s", id);
	nsdb_seg_present = true;
	return MLC_OK;
}

static const struct ns_column costcode_cols[] = {
    C("id", INT),          C("name", TEXT),
    C("isinactive", BOOL), R("parent", nsdb_seg_table),
    C("externalid", TEXT), C("created", TS),
    C("lastmodified", TS),
};
/* Custom segment definitions (docs/reference/netsuite/suiteql.md, "Custom
 * segments"): the account's cost-code segment when it has one. */
static const struct ns_column customsegment_cols[] = {
    C("id", INT),         C("name", TEXT),      C("scriptid", TEXT), C("recordtype", INT),
    C("glimpact", BOOL),  C("isinactive", BOOL),
};
static const struct ns_column transaction_cols[] = {
    C("id", INT),
    C("tranid", TEXT),
    C("transactionnumber", TEXT),
    C("trandate", DATE),
    C("type", TEXT),
    C("recordtype", TEXT),
    R("entity", "entity"),
    C("status", TEXT),
    C("memo", TEXT),
    C("externalid", TEXT),
    R("postingperiod", "accountingperiod"),
    C("approvalstatus", INT),
    R("currency", "currency"),
    C("exchangerate", REAL),
    C("duedate", DATE),
    C("foreigntotal", REAL),
    C("posting", BOOL),
    C("voided", BOOL),
    C("otherrefnum", TEXT),
    /* no createdfrom: NetSuite has it on transactionline only
     * (docs/reference/netsuite.md, netsuite/suiteql.md) */
    C("createddate", TS),
    C("lastmodifieddate", TS),
};
static const struct ns_column tline_cols[] = {
    R("transaction", "transaction"),
    C("id", INT),
    C("linesequencenumber", INT),
    C("mainline", BOOL),
    C("taxline", BOOL),
    R("item", "item"),
    C("quantity", REAL),
    C("rate", REAL),
    C("netamount", REAL),
    C("foreignamount", REAL),
    C("amount", REAL),
    C("debitforeignamount", REAL),
    C("creditforeignamount", REAL),
    C("memo", TEXT),
    R("department", "department"),
    R("class", "classification"),
    R("location", "location"),
    R("entity", "entity"),
    R("subsidiary", "subsidiary"),
    R("expenseaccount", "account"),
    R(nsdb_seg_field, nsdb_seg_table),
    C("isclosed", BOOL),
    C("isbillable", BOOL),
    R("createdfrom", "transaction"),
    C("uniquekey", INT),
    C("linecreateddate", TS),
    C("linelastmodifieddate", TS),
};
static const struct ns_column tal_cols[] = {
    R("transaction", "transaction"),
    C("transactionline", INT),
    C("accountingbook", INT),
    R("account", "account"),
    C("amount", REAL),
    C("netamount", REAL),
    C("debit", REAL),
    C("credit", REAL),
    C("posting", BOOL),
    C("lastmodifieddate", TS),
};

/* Budget lines (Multiple Budgets): one row per account line and criteria;
 * the per-period amounts are in budgetsmachine. */
static const struct ns_column budgets_cols[] = {
    C("id", INT),
    R("account", "account"),
    C("accountingbook", INT),
    C("category", INT),
    R("class", "classification"),
    R("currency", "currency"),
    R("customer", "entity"),
    R("department", "department"),
    R("item", "item"),
    R("location", "location"),
    R("subsidiary", "subsidiary"),
    C("total", CENTS),
    R("year", "accountingperiod"),
    R(nsdb_seg_field, nsdb_seg_table),
    C("lastmodifieddate", TS),
};
static const struct ns_column budgetsmachine_cols[] = {
    R("budget", "budgets"),
    R("period", "accountingperiod"),
    C("amount", CENTS),
};

#define T(n, cols, df)                                                                             \
	{                                                                                          \
		n, cols, MLC_ARRAY_LEN(cols), df                                                   \
	}
static const struct ns_table tables[] = {
    T("subsidiary", subsidiary_cols, "name"),
    T("currency", currency_cols, "name"),
    T("department", department_cols, "fullname"),
    T("classification", classification_cols, "fullname"),
    T("location", location_cols, "fullname"),
    T("account", account_cols, "accountsearchdisplayname"),
    T("accountingperiod", period_cols, "periodname"),
    T("entity", entity_cols, "entitytitle"),
    T("vendorcategory", vendorcategory_cols, "name"),
    T("vendor", vendor_cols, "companyname"),
    T("vendorsubsidiaryrelationship", vsr_cols, NULL),
    T("customer", customer_cols, "companyname"),
    T("job", job_cols, "companyname"),
    T("item", item_cols, "itemid"),
    T(nsdb_seg_table, costcode_cols, "name"),
    T("customsegment", customsegment_cols, "name"),
    T("transaction", transaction_cols, "tranid"),
    T("transactionline", tline_cols, NULL),
    T("transactionaccountingline", tal_cols, NULL),
    T("budgets", budgets_cols, NULL),
    T("budgetsmachine", budgetsmachine_cols, NULL),
};

const struct ns_table *nsdb_tables(size_t *n)
{
	*n = MLC_ARRAY_LEN(tables);
	return tables;
}

const struct ns_table *nsdb_table(const char *name)
{
	for (size_t i = 0; i < MLC_ARRAY_LEN(tables); i++)
		if (strcasecmp(tables[i].name, name) == 0)
			return tables[i].name == nsdb_seg_table && !nsdb_seg_present ? NULL
			                                                             : &tables[i];
	return NULL;
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

	for (size_t i = 0; i < MLC_ARRAY_LEN(tables); i++) {
		const struct ns_table *t = &tables[i];
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
