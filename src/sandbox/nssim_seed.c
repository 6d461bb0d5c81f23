#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sandbox/contractor.h"
#include "sandbox/nssim.h"
#include "util/money.h"
#include "util/banned.h"

/*
 * The seeded NetSuite account of the contractor (contractor.h): one
 * subsidiary, ten jobs, a construction chart of accounts, 2026 periods
 * (January closed), cost-code segment values, one vendor category per
 * trade, ~300 * scale vendors (each in its trade's category) with
 * NetSuite-internal near-duplicates, ~200 * scale purchase orders and some
 * vendor bills.  Transactions go through the REST write path (nsrec_write)
 * so that seeded rows look exactly like API-created ones.
 */

struct seed_ctx {
	struct nssim *ns;
	sqlite3_stmt *st;
	char now[32];
	int64_t next_entity;
	struct mlc_error *err;
	int rc;
};

/* Runs a printf-built statement; remembers the first failure. */
static void run(struct seed_ctx *s, const char *fmt, ...) MLC_PRINTF(2, 3);
static void run(struct seed_ctx *s, const char *fmt, ...)
{
	struct mlc_buf b = MLC_BUF_INIT;
	va_list ap;
	char *q;

	if (s->rc)
		return;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	/* %Q-style quoting through sqlite3_mprintf would need its own format
	 * string; the seed's inputs are our own constants, quoted by sqlq(). */
	q = b.data;
	s->rc = nsdb_exec(s->ns->db, q, s->err);
	buf_release(&b);
}

/* SQL string literal of s (single quotes doubled), in a rotating buffer. */
static const char *sqlq(const char *s)
{
	static _Thread_local char bufs[4][600];
	static _Thread_local int k;
	char *o = bufs[k++ & 3];
	size_t n = 0;

	if (!s)
		return "NULL";
	o[n++] = '\'';
	for (; *s && n < 590; s++) {
		if (*s == '\'')
			o[n++] = '\'';
		o[n++] = *s;
	}
	o[n++] = '\'';
	o[n] = '\0';
	return o;
}

static int64_t add_entity(struct seed_ctx *s, const char *type, const char *entityid,
			  const char *title)
{
	int64_t id = s->next_entity++;

	run(s,
	    "INSERT INTO entity (id, entityid, altname, entitytitle, type, isinactive, "
	    "lastmodifieddate) VALUES (%lld, %s, %s, %s, '%s', 'F', '%s')",
	    (long long)id, sqlq(entityid), sqlq(title), sqlq(title), type, s->now);
	return id;
}

/* A fiscal year: the year (id first), four quarters, twelve months
 * (posting periods).  close_jan closes and locks the year's January. */
static void seed_year(struct seed_ctx *s, int y, int first, bool close_jan)
{
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	run(s,
	    "INSERT INTO accountingperiod VALUES (%d, 'FY %d', NULL, '%d-01-01 00:00:00', "
	    "'%d-12-31 00:00:00', 'F', 'F', 'F', 'T', 'F', 'F', 'F', 'F', 'F', 'F', NULL, '%s')",
	    first, y, y, y, s->now);
	for (int q = 0; q < 4; q++)
		run(s,
		    "INSERT INTO accountingperiod VALUES (%d, 'Q%d %d', %d, '%d-%02d-01 00:00:00', "
		    "'%d-%02d-%02d 00:00:00', 'F', 'F', 'T', 'F', 'F', 'F', 'F', 'F', 'F', 'F', "
		    "NULL, "
		    "'%s')",
		    first + 1 + q, q + 1, y, first, y, q * 3 + 1, y, q * 3 + 3, days[q * 3 + 2],
		    s->now);
	for (int m = 0; m < 12; m++) {
		const char *c = close_jan && m == 0 ? "T" : "F";
		run(s,
		    "INSERT INTO accountingperiod VALUES (%d, '%s %d', %d, '%d-%02d-01 00:00:00', "
		    "'%d-%02d-%02d 00:00:00', 'T', 'F', 'F', 'F', 'F', '%s', '%s', '%s', '%s', "
		    "'F', "
		    "%s, '%s')",
		    first + 5 + m, mon[m], y, first + 1 + m / 3, y, m + 1, y, m + 1, days[m], c, c,
		    c, c, *c == 'T' ? "'2026-02-10 00:00:00'" : "NULL", s->now);
	}
}

/* The push script of netsuite/ as deployed: its script record and one
 * released deployment per record type of
 * netsuite/src/Objects/customscript_mlc_push.xml, ids upper-case as SuiteQL
 * may return script ids.  --misfits ns:no-push-script removes them again
 * on every start (nssim.c). */
static void seed_push_script(struct seed_ctx *s)
{
	static const char *const types[][2] = {
	    {"VENDOR", "VENDOR"},
	    {"PURCHASEORDER", "PURCHASEORDER"},
	    {"VENDORBILL", "VENDORBILL"},
	    {"JOURNALENTRY", "JOURNALENTRY"},
	    {"JOB", "JOB"},
	    {"COSTCODE", NULL},
	};
	char seg[NSDB_SEG_TABLE_MAX];
	size_t k;

	for (k = 0; nsdb_seg_table[k] && k + 1 < sizeof(seg); k++)
		seg[k] = (char)toupper((unsigned char)nsdb_seg_table[k]);
	seg[k] = '\0';
	run(s, "INSERT INTO script VALUES (701, 'CUSTOMSCRIPT_MLC_PUSH', 'ml-connector push', "
	       "'USEREVENT', 'F')");
	for (k = 0; k < MLC_ARRAY_LEN(types); k++)
		run(s,
		    "INSERT INTO scriptdeployment VALUES (%zu, %zu, 'CUSTOMDEPLOY_MLC_PUSH_%s', "
		    "701, '%s', 'T', 'RELEASED')",
		    k + 1101, k + 1101, types[k][0], types[k][1] ? types[k][1] : seg);
}

static void seed_master(struct seed_ctx *s)
{
	size_t n, i;
	const char *const *names;
	const struct contractor_cost_type *ct;
	const struct contractor_cost_code *cc;

	run(s, "INSERT INTO currency VALUES (1, 'USA', 'USD', 'T', 'F', '%s')", s->now);
	run(s,
	    "INSERT INTO subsidiary VALUES (1, %s, %s, %s, 'F', 'F', NULL, 1, 'US', 'CA', NULL, "
	    "'%s')",
	    sqlq(CONTRACTOR_NAME), sqlq(CONTRACTOR_NAME), sqlq(CONTRACTOR_NAME " Inc."), s->now);
	{
		static const char *const segtables[] = {"department", "classification", "location"};
		const char *const *(*fns[])(size_t *) = {contractor_departments, contractor_classes,
							 contractor_locations};
		for (size_t t = 0; t < 3; t++) {
			names = fns[t](&n);
			for (i = 0; i < n; i++)
				run(s,
				    "INSERT INTO %s VALUES (%zu, %s, %s, 'F', 'F', NULL, '1', "
				    "NULL, "
				    "'%s')",
				    segtables[t], i + 1, sqlq(names[i]), sqlq(names[i]), s->now);
		}
	}
	/* Chart of accounts (docs/reference/construction-accounting.md), job cost by cost type. */
	{
		static const struct {
			const char *num, *name, *type;
		} coa[] = {
		    {"1000", "Operating Cash", "Bank"},
		    {"1200", "Accounts Receivable", "AcctRec"},
		    {"1250", "Retainage Receivable", "AcctRec"},
		    {"1300", "Costs in Excess of Billings", "OthCurrAsset"},
		    {"2000", "Accounts Payable", "AcctPay"},
		    {"2050", "Accrued Job Costs", "OthCurrLiab"},
		    {"2100", "Retainage Payable", "OthCurrLiab"},
		    {"2300", "Billings in Excess of Costs", "OthCurrLiab"},
		    {"4000", "Contract Revenue", "Income"},
		    {"6100", "Office Expense", "Expense"},
		};
		int64_t id = 1;
		for (i = 0; i < MLC_ARRAY_LEN(coa); i++, id++)
			run(s,
			    "INSERT INTO account VALUES (%lld, '%s', '%s', '%s %s', '%s %s', '%s "
			    "%s', "
			    "'%s', NULL, 'F', 'F', NULL, '1', 1, NULL, '%s')",
			    (long long)id, coa[i].num, coa[i].name, coa[i].num, coa[i].name,
			    coa[i].num, coa[i].name, coa[i].num, coa[i].name, coa[i].type, s->now);
		ct = contractor_cost_types(&n);
		for (i = 0; i < n; i++, id++)
			run(s,
			    "INSERT INTO account VALUES (%lld, '%s', 'Job Cost - %s', "
			    "'%s Job Cost - %s', '%s Job Cost - %s', '%s Job Cost - %s', 'COGS', "
			    "'Cost type %s', 'F', 'F', NULL, '1', 1, NULL, '%s')",
			    (long long)id, ct[i].account_number, ct[i].name, ct[i].account_number,
			    ct[i].name, ct[i].account_number, ct[i].name, ct[i].account_number,
			    ct[i].name, ct[i].code, s->now);
		/* One non-inventory item per cost type for PO item lines. */
		for (i = 0; i < n; i++)
			run(s,
			    "INSERT INTO item VALUES (%zu, 'Job Cost - %s', '%s', 'NonInvtPart', "
			    "'F', "
			    "(SELECT id FROM account WHERE acctnumber = '%s'), NULL, '%s')",
			    i + 1, ct[i].name, ct[i].name, ct[i].account_number, s->now);
	}
	/* 2026 (January closed and locked) and 2027, so that "today" keeps
	 * finding an open period after the new year. */
	seed_year(s, 2026, 1, true);
	seed_year(s, 2027, 18, false);
	cc = contractor_cost_codes(&n);
	for (i = 0; i < n; i++) {
		char name[160];
		snprintf(name, sizeof(name), "%s %s", cc[i].code, cc[i].name);
		run(s, "INSERT INTO \"%s\" VALUES (%zu, %s, 'F', NULL, %s, '%s', '%s')",
		    nsdb_seg_table, i + 1, sqlq(name), sqlq(cc[i].code), s->now, s->now);
	}
	/* the segment's definition; script ids may come back upper-case
	 * (docs/reference/netsuite/suiteql.md, "Custom segments") */
	if (nsdb_seg_present) {
		char up[NSDB_SEG_MAX + 1];
		size_t k;
		for (k = 0; nsdb_seg_field[k] && k + 1 < sizeof(up); k++)
			up[k] = (char)toupper((unsigned char)nsdb_seg_field[k]);
		up[k] = '\0';
		run(s, "INSERT INTO customsegment VALUES (1, 'Cost Code', '%s', 1, 'T', 'F')", up);
	}
	seed_push_script(s);
}

static void seed_jobs(struct seed_ctx *s)
{
	static const char *const owners[] = {
	    "Sutter Health Partners",
	    "Bayline Residential LLC",
	    "Fresno Unified School District",
	    "Summit Logistics Properties",
	    "Cedar Grove Living Inc.",
	    "City of San Jose",
	    "Valley Tech Holdings",
	    "Mission Street Partners",
	    "Delta County",
	    "City of Sacramento",
	};
	const struct contractor_project *p = contractor_projects(&(size_t){0});

	for (size_t i = 0; i < CONTRACTOR_PROJECTS; i++) {
		char eid[32];
		int64_t cust, job;
		snprintf(eid, sizeof(eid), "CUST-%03zu", i + 1);
		cust = add_entity(s, "CustJob", eid, owners[i]);
		run(s,
		    "INSERT INTO customer VALUES (%lld, %s, %s, %s, 'F', 'F', NULL, NULL, NULL, 1, "
		    "1, "
		    "NULL, '%s', '%s')",
		    (long long)cust, sqlq(eid), sqlq(owners[i]), sqlq(owners[i]), s->now, s->now);
		job = add_entity(s, "Job", p[i].number, p[i].name);
		run(s,
		    "INSERT INTO job VALUES (%lld, %s, %s, %s, %lld, %lld, 'F', "
		    "'2026-0%zu-01 00:00:00', NULL, '2027-06-30 00:00:00', 2, 1, 1, NULL, NULL, "
		    "'%s', "
		    "'%s')",
		    (long long)job, sqlq(p[i].number), sqlq(p[i].name), sqlq(p[i].name),
		    (long long)cust, (long long)cust, 1 + i % 9, s->now, s->now);
	}
}

/* One vendor category per contractor trade, ids from 1 in the list's order. */
static void seed_vendor_categories(struct seed_ctx *s)
{
	const char *t;

	for (size_t i = 0; (t = contractor_trade(i)); i++)
		run(s,
		    "INSERT INTO vendorcategory (id, name, isinactive, externalid, "
		    "lastmodifieddate) "
		    "VALUES (%zu, %s, 'F', NULL, '%s')",
		    i + 1, sqlq(t), s->now);
}

/* A vendor with the category of its trade (NULL or unknown: none). */
static void add_vendor(struct seed_ctx *s, const char *name, const char *trade, bool inactive)
{
	int64_t id = add_entity(s, "Vendor", name, name);
	/* sqlq's buffers rotate: quote each value once */
	const char *qn = sqlq(name), *qt = sqlq(trade);

	run(s,
	    "INSERT INTO vendor (id, entityid, companyname, altname, legalname, printoncheckas, "
	    "isperson, isinactive, email, phone, url, comments, subsidiary, currency, "
	    "payablesaccount, expenseaccount, category, is1099eligible, externalid, datecreated, "
	    "lastmodifieddate) VALUES (%lld, %s, %s, %s, %s, %s, 'F', '%s', NULL, NULL, NULL, "
	    "NULL, 1, 1, 5, NULL, (SELECT id FROM vendorcategory WHERE name = %s), 'T', NULL, "
	    "'%s', '%s')",
	    (long long)id, qn, qn, qn, qn, qn, inactive ? "T" : "F", qt, s->now, s->now);
	run(s, "INSERT INTO vendorsubsidiaryrelationship VALUES (%lld, 1, 'T')", (long long)id);
}

/* "Acme Concrete, Inc." -> "ACME CONCRETE INC" */
static void shout(const char *in, char *out, size_t n)
{
	size_t k = 0;

	for (; *in && k + 1 < n; in++) {
		if (*in == ',' || *in == '.')
			continue;
		out[k++] = (char)toupper((unsigned char)*in);
	}
	out[k] = '\0';
}

static void seed_vendors(struct seed_ctx *s)
{
	size_t n;
	struct contractor_vendor *v = contractor_vendors(s->ns->cfg.seed, s->ns->cfg.scale, &n);

	seed_vendor_categories(s);
	for (size_t i = 0; i < n && !s->rc; i++) {
		if (v[i].procore_only)
			continue;
		add_vendor(s, v[i].name, v[i].trade, false);
		/* A clerk entered some vendors twice (one copy later inactivated). */
		if (i % 37 == 5) {
			char dup[160];
			shout(v[i].name, dup, sizeof(dup));
			if (strcmp(dup, v[i].name))
				add_vendor(s, dup, v[i].trade, i % 2 == 0);
		}
	}
	/* The classic pair, always present. */
	add_vendor(s, "Acme Concrete, Inc.", "Concrete", false);
	add_vendor(s, "ACME CONCRETE INC", "Concrete", false);
	free(v);
}

static json_t *ref(int64_t id)
{
	char b[24];

	snprintf(b, sizeof(b), "%lld", (long long)id);
	return json_pack("{s:s}", "id", b);
}

/* Remembers a failed seeding write (the simulator's own error body). */
static bool seed_ok(struct seed_ctx *s, struct ns_result *r, const char *what)
{
	char *t;

	if (r->status < 300)
		return true;
	t = r->body ? json_dumps(r->body, 0) : NULL;
	s->rc = error_set(s->err, MLC_EINVAL, "seeding %s: %s", what, t ? t : "error");
	free(t);
	return false;
}

static void seed_transactions(struct seed_ctx *s)
{
	struct nssim *ns = s->ns;
	uint64_t rng = ns->cfg.seed ^ 0x6e737472616e73ULL;
	int npo = 200 * ns->cfg.scale;
	int64_t nvendors = nsdb_int(ns->db, "SELECT COUNT(*) FROM vendor", NULL, 1);
	int64_t vmin = nsdb_int(ns->db, "SELECT MIN(id) FROM vendor", NULL, 1);
	size_t ncc, nct;
	const struct contractor_cost_code *cc = contractor_cost_codes(&ncc);
	const struct contractor_project *p = contractor_projects(&(size_t){0});
	struct ns_result r = {0};

	contractor_cost_types(&nct);
	for (int i = 0; i < npo && !s->rc; i++) {
		int pi = (int)contractor_rand_range(&rng, 0, CONTRACTOR_PROJECTS - 1);
		int64_t job =
		    nsdb_int(ns->db, "SELECT id FROM job WHERE entityid = ?", p[pi].number, 0);
		int64_t dep = nsdb_int(ns->db, "SELECT id FROM department WHERE name = ?",
				       p[pi].department, 0);
		int64_t cls = nsdb_int(ns->db, "SELECT id FROM classification WHERE name = ?",
				       p[pi].class_name, 0);
		int64_t loc =
		    nsdb_int(ns->db, "SELECT id FROM location WHERE name = ?", p[pi].location, 0);
		int64_t vendor = vmin + contractor_rand_range(&rng, 0, nvendors - 1);
		int month = (int)contractor_rand_range(&rng, 2, 10), day;
		int nlines = (int)contractor_rand_range(&rng, 1, 4);
		char date[16], tranid[32], poid[24];
		json_t *items = json_array(), *body;

		day = (int)contractor_rand_range(&rng, 1, 28);
		snprintf(date, sizeof(date), "2026-%02d-%02d", month, day);
		snprintf(tranid, sizeof(tranid), "PO%05d", 1001 + i);
		for (int l = 0; l < nlines; l++) {
			int64_t cents = contractor_rand_range(&rng, 500, 250000) * 100 +
					contractor_rand_range(&rng, 0, 99);
			int64_t item = contractor_rand_range(&rng, 1, (int64_t)nct);
			int64_t code = contractor_rand_range(&rng, 1, (int64_t)ncc);
			double amt = (double)cents / 100.0;
			json_array_append_new(
			    items, json_pack("{s:o,s:i,s:f,s:f,s:o,s:o,s:o,s:o,s:o,s:s}", "item",
					     ref(item), "quantity", 1, "rate", amt, "amount", amt,
					     "customer", ref(job), "department", ref(dep), "class",
					     ref(cls), "location", ref(loc), nsdb_seg_field,
					     ref(code), "description", cc[code - 1].name));
			if (!nsdb_seg_present)
				json_object_del(json_array_get(items, json_array_size(items) - 1),
						nsdb_seg_field);
		}
		body = json_pack("{s:o,s:s,s:s,s:o,s:o,s:{s:o}}", "entity", ref(vendor), "tranId",
				 tranid, "tranDate", date, "subsidiary", ref(1), "department",
				 ref(dep), "item", "items", items);
		nsrec_write(ns, "purchaseOrder", NULL, false, body, NULL, &r);
		json_decref(body);
		if (!seed_ok(s, &r, "purchase order")) {
			ns_result_release(&r);
			break;
		}
		/* One in five POs already has a bill (in an open period). */
		snprintf(poid, sizeof(poid), "%s", strrchr(r.location, '/') + 1);
		ns_result_release(&r);
		if (i % 5 == 0) {
			char path[64];
			snprintf(path, sizeof(path), "%s/!transform/vendorBill", poid);
			snprintf(tranid, sizeof(tranid), "INV-%05d", 5001 + i);
			body = json_pack("{s:s,s:s}", "tranId", tranid, "tranDate", date);
			nsrec_write(ns, "purchaseOrder", path, false, body, NULL, &r);
			json_decref(body);
			seed_ok(s, &r, "vendor bill");
			ns_result_release(&r);
		}
	}
}

/*
 * FY 2026 budget lines for the first project's first four cost codes,
 * shaped like the Procore simulator's seeded budget (pcsim_seed.c: every
 * leaf code gets 92% of the contract spread evenly, whole dollars, cost
 * type L for every third code and S otherwise), on the job, the project's
 * dimensions, the cost type's account and the code's segment value.  The
 * third line differs by 1,234.56 so that a first budgets run finds both
 * agreeing and differing figures.
 */
static void seed_budgets(struct seed_ctx *s)
{
	struct nssim *ns = s->ns;
	size_t ncc, nct;
	const struct contractor_cost_code *cc = contractor_cost_codes(&ncc);
	const struct contractor_cost_type *ct = contractor_cost_types(&nct);
	const struct contractor_project *p = contractor_projects(&(size_t){0});
	int64_t each = p[0].contract_cents * 92 / 100 / (int64_t)ncc;
	int64_t job = nsdb_int(ns->db, "SELECT id FROM job WHERE entityid = ?", p[0].number, 0);
	int64_t dep =
	    nsdb_int(ns->db, "SELECT id FROM department WHERE name = ?", p[0].department, 0);
	int64_t cls =
	    nsdb_int(ns->db, "SELECT id FROM classification WHERE name = ?", p[0].class_name, 0);
	int64_t loc = nsdb_int(ns->db, "SELECT id FROM location WHERE name = ?", p[0].location, 0);
	struct ns_result r = {0};

	each -= each % 100;
	for (size_t i = 0; i < 4 && i < ncc && !s->rc; i++) {
		const char *type = i % 3 ? "S" : "L";
		int64_t acct = 0, seg, cents = each + (i == 2 ? 123456 : 0);
		json_t *body;
		for (size_t t = 0; t < nct; t++)
			if (strcmp(ct[t].code, type) == 0)
				acct =
				    nsdb_int(ns->db, "SELECT id FROM account WHERE acctnumber = ?",
					     ct[t].account_number, 0);
		{
			char q[96];
			snprintf(q, sizeof(q), "SELECT id FROM \"%s\" WHERE externalid = ?",
				 nsdb_seg_table);
			seg = nsdb_int(ns->db, q, cc[i].code, 0);
		}
		/* a JSON real, as a client sends it: the write path reads it exactly */
		body =
		    json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "account", ref(acct), "year",
			      ref(1), "subsidiary", ref(1), "customer", ref(job), "department",
			      ref(dep), "class", ref(cls), "location", ref(loc), nsdb_seg_field,
			      ref(seg), "amount", json_real((double)cents / 100.0));
		if (!nsdb_seg_present)
			json_object_del(body, nsdb_seg_field);
		nsrec_write(ns, "budgetImport", NULL, false, body, NULL, &r);
		json_decref(body);
		seed_ok(s, &r, "budget line");
		ns_result_release(&r);
	}
}

int nsdb_seed(struct nssim *ns, struct mlc_error *err)
{
	struct seed_ctx s = {.ns = ns, .next_entity = 1, .err = err};

	nsdb_ts(nssim_now_ms(ns), s.now);
	run(&s, "BEGIN");
	seed_master(&s);
	seed_jobs(&s);
	seed_vendors(&s);
	seed_transactions(&s);
	seed_budgets(&s);
	run(&s, "INSERT INTO _meta VALUES ('seeded', '1')");
	if (s.rc) {
		nsdb_run(ns->db, "ROLLBACK");
		return s.rc;
	}
	return nsdb_exec(ns->db, "COMMIT", err);
}
