#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/project.h"
#include "flows/ping_fit.h"
#include "flows/segment.h"
#include "netsuite/ns_probe.h"
#include "procore/pc_probe.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/banned.h"

#define MAX_PROJECTS 25

/* What each flow needs, from its code (src/flows/flow_*.c) and the table of
 * docs/netsuite-setup.md, section 2.  "$SEG" stands for the segment's
 * values: their table and their push deployment's record type. */
enum { SEG_VALUES = 1, SEG_LINES = 2, SEG_BUDGETS = 4 };

struct fit_flow {
	const char *name;
	const char *reads[5]; /* SuiteQL tables */
	const char *writes;   /* what it writes in NetSuite, or NULL */
	unsigned seg;         /* SEG_* it uses */
	bool seg_required;    /* needs the segment whatever costs.use_segment says */
	const char *deploy;   /* the push deployment's record type that wakes it */
	const char *tools[3]; /* Procore tools (fit_tools) */
	bool owns_vendors, owns_commitments, commitments;
};

static const struct fit_flow fit_flows[] = {
    {"vendors", {"vendor"}, "vendors", 0, false, "VENDOR", {"vendors"}, true, false, false},
    {"vendors-back", {"vendor"}, "vendors", 0, false, NULL, {"vendors"}, true, false, false},
    {"purchase-orders",
     {"transaction", "transactionline", "vendor", "job"},
     NULL,
     SEG_VALUES | SEG_LINES,
     false,
     "PURCHASEORDER",
     {"commitments"},
     false,
     true,
     true},
    {"requisitions",
     {"transaction", "transactionline"},
     NULL,
     0,
     false,
     "VENDORBILL",
     {"requisitions", "commitments"},
     false,
     false,
     true},
    {"costs",
     {"account", "accountingperiod", "job", "subsidiary"},
     "journal entries",
     SEG_VALUES | SEG_LINES,
     false,
     NULL,
     {"direct_costs", "prime_contracts"},
     false,
     false,
     false},
    {"cost-codes",
     {"$SEG"},
     "cost-code segment values",
     SEG_VALUES,
     true,
     "$SEG",
     {"cost_codes"},
     false,
     false,
     false},
    {"accounts", {"account"}, NULL, 0, false, NULL, {NULL}, false, false, false},
    {"budgets",
     {"budgets", "accountingperiod", "account"},
     "budgets (budget import)",
     SEG_VALUES | SEG_BUDGETS,
     false,
     NULL,
     {"budget"},
     false,
     false,
     false},
};

/* Procore tools: the list endpoint probed and the permission to give
 * (docs/reference/procore.md, Resources the connector uses). */
static const struct fit_tool {
	const char *id;
	const char *path; /* "%lld": the project id in the path */
	bool company;     /* company_id instead of project_id */
	const char *permission;
} fit_tools[] = {
    {"vendors", "/rest/v1.0/vendors", true, "the company Directory tool (Read Only or higher)"},
    {"commitments", "/rest/v1.0/commitments", false, "the project Commitments tool"},
    {"requisitions", "/rest/v1.0/requisitions", false,
     "the project Commitments tool (subcontractor invoices)"},
    {"direct_costs", "/rest/v1.0/projects/%lld/direct_costs", false,
     "the project Direct Costs tool"},
    {"budget", "/rest/v1.0/budget_views", false, "the project Budget tool"},
    {"prime_contracts", "/rest/v1.0/payment_applications", false,
     "the project Prime Contracts tool (payment applications)"},
    {"cost_codes", "/rest/v1.0/cost_codes", false, "the project Admin tool (cost codes)"},
};

/* Where to grant read access to a SuiteQL table (the role's Permissions
 * subtab; names vary by account, docs/netsuite-setup.md, section 2). */
static const char *ns_permission(const char *table)
{
	static const char *const perms[][2] = {
	    {"vendor", "Lists > Vendors"},
	    {"transaction", "Transactions > Find Transaction and each transaction type"},
	    {"transactionline", "Transactions > Find Transaction and each transaction type"},
	    {"job", "Lists > Projects"},
	    {"account", "Lists > Accounts"},
	    {"accountingperiod", "Setup > Manage Accounting Periods"},
	    {"subsidiary", "Lists > Subsidiaries"},
	    {"budgets", "Transactions > Set Up Budgets"},
	};
	for (size_t i = 0; i < MLC_ARRAY_LEN(perms); i++)
		if (strcmp(perms[i][0], table) == 0)
			return perms[i][1];
	return "Custom Record > Cost Code";
}

static void add(struct mlc_ping_report *r, const char *name, bool ok, bool required,
                const char *fmt, ...) MLC_PRINTF(5, 6);

static void add(struct mlc_ping_report *r, const char *name, bool ok, bool required,
                const char *fmt, ...)
{
	struct mlc_buf d = MLC_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&d, fmt, ap);
	va_end(ap);
	ping_report_add(r, name, ok, required, d.data);
	buf_release(&d);
}

int ping_fit_flows_of(const struct mlc_tenant *t, const char *list, ping_fit_flows *out,
                      struct mlc_error *err)
{
	json_t *sched = json_object_get(t->settings, "schedules");
	char *dup = NULL, *p, *next;
	int rc = MLC_OK;

	*out = 0;
	for (size_t i = 0; i < MLC_ARRAY_LEN(fit_flows); i++)
		if ((list && strcmp(list, "all") == 0) ||
		    (!list && json_object_get(sched, fit_flows[i].name)))
			*out |= 1u << i;
	if (!list || strcmp(list, "all") == 0)
		return MLC_OK;
	dup = xstrdup(list);
	for (p = dup; p && *p; p = next) {
		size_t i;
		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		str_trim(p);
		for (i = 0; i < MLC_ARRAY_LEN(fit_flows); i++)
			if (strcmp(fit_flows[i].name, p) == 0)
				break;
		if (i == MLC_ARRAY_LEN(fit_flows)) {
			rc = error_set(
			    err, MLC_EINVAL,
			    "--flows: no flow '%s' (all, or a list of: "
			    "vendors, vendors-back, purchase-orders, requisitions, costs, "
			    "cost-codes, accounts, budgets)",
			    p);
			break;
		}
		*out |= 1u << i;
	}
	free(dup);
	return rc;
}

/* A tenant setting group.key. */
static const json_t *setting(const struct mlc_session *s, const char *group, const char *key)
{
	return json_object_get(json_object_get(s->tenant.settings, group), key);
}

/* The SuiteQL answer's error in a few words, for a detail. */
static const char *ns_why(const struct mlc_ns_answer *a)
{
	return a->detail && *a->detail ? a->detail : a->code;
}

/* ---- NetSuite ---- */

struct ns_fit {
	struct mlc_session *s;
	struct mlc_ping_report *r;
	struct mlc_segment seg;
	bool seg_ok; /* the segment exists */
};

/* The segment checks: exists, then applied where the flows use it; each
 * required when a flow cannot do without it (strict), else a warning. */
static void fit_segment(struct ns_fit *f, unsigned uses, unsigned strict)
{
	bool required = strict != 0;
	struct mlc_ns_answer a;
	struct mlc_error err = {0};
	struct mlc_buf q = MLC_BUF_INIT, up = MLC_BUF_INIT;
	static const struct {
		unsigned bit;
		const char *check, *table, *where, *fix;
	} applied[] = {
	    {SEG_LINES, "netsuite.segment.lines", "transactionline", "transaction lines",
	     "Application & Sourcing > Transactions: apply it to Journal and Purchase lines"},
	    {SEG_BUDGETS, "netsuite.segment.budgets", "budgets", "budgets",
	     "Application & Sourcing > Other Records: apply it to Budget Import"},
	};

	for (const char *c = f->seg.field; *c; c++)
		buf_addch(&up, (char)toupper((unsigned char)*c));
	/* script ids may come back upper-case (docs/reference/netsuite.md) */
	buf_addf(&q, "SELECT id, scriptid FROM customsegment WHERE UPPER(scriptid) = '%s'",
	         up.data);
	if (netsuite_probe_query(f->s->ns, q.data, 1, &a, &err) < 0) {
		add(f->r, "netsuite.segment", false, required, "%s", err.msg);
		goto out;
	}
	if (a.status == 200 && json_array_size(json_object_get(a.json, "items")) == 1) {
		f->seg_ok = true;
		add(f->r, "netsuite.segment", true, required, "custom segment %s exists",
		    f->seg.field);
	} else if (a.status == 200 || strstr(ns_why(&a), "'customsegment' was not found")) {
		add(f->r, "netsuite.segment", false, required,
		    "NetSuite has no custom segment %s%s: deploy netsuite/ "
		    "(docs/netsuite-setup.md, "
		    "section 5), or name yours with 'ml-connector tenant set %s --setting "
		    "netsuite.cost_code_segment=cseg_...'",
		    f->seg.field, a.status == 200 ? "" : " (the Custom Segments feature is off)",
		    f->s->tenant.name);
	} else {
		add(f->r, "netsuite.segment", false, required,
		    "NetSuite answered %d to the custom segment query: %s", a.status, ns_why(&a));
	}
	netsuite_answer_release(&a);
	for (size_t i = 0; f->seg_ok && i < MLC_ARRAY_LEN(applied); i++) {
		if (!(uses & applied[i].bit))
			continue;
		buf_reset(&q);
		buf_addf(&q, "SELECT %s FROM %s", f->seg.field, applied[i].table);
		required = (strict & applied[i].bit) != 0;
		if (netsuite_probe_query(f->s->ns, q.data, 1, &a, &err) < 0)
			add(f->r, applied[i].check, false, required, "%s", err.msg);
		else if (a.status == 200)
			add(f->r, applied[i].check, true, required,
			    "segment %s is on %s (SuiteQL %s.%s)", f->seg.field, applied[i].where,
			    applied[i].table, f->seg.field);
		else
			add(f->r, applied[i].check, false, required,
			    "segment %s is not applied to %s (%s): Customization > Lists, Records, "
			    "& "
			    "Fields > Custom Segments > %s > %s (netsuite/src/Objects/%s.xml)",
			    f->seg.field, applied[i].where, ns_why(&a), f->seg.field,
			    applied[i].fix, f->seg.field);
		netsuite_answer_release(&a);
	}
out:
	buf_release(&q);
	buf_release(&up);
}

/* One read probe per table the flows read; writes are named, not probed. */
static void fit_reads(struct ns_fit *f, ping_fit_flows flows)
{
	const char *done[32];
	size_t ndone = 0;
	struct mlc_error err = {0};

	for (size_t i = 0; i < MLC_ARRAY_LEN(fit_flows); i++) {
		if (!(flows & (1u << i)))
			continue;
		for (const char *const *t = fit_flows[i].reads; *t; t++) {
			const char *table = strcmp(*t, "$SEG") == 0 ? f->seg.table : *t;
			struct mlc_ns_answer a;
			struct mlc_buf q = MLC_BUF_INIT, name = MLC_BUF_INIT;
			size_t k;

			for (k = 0; k < ndone && strcmp(done[k], table) != 0; k++)
				;
			/* a missing segment is the segment check's failure, not a permission */
			if (k < ndone || ndone == MLC_ARRAY_LEN(done) ||
			    (table == f->seg.table && !f->seg_ok))
				continue;
			done[ndone++] = table;
			buf_addf(&name, "netsuite.read.%s", table);
			buf_addf(&q, "SELECT id FROM %s", table);
			if (netsuite_probe_query(f->s->ns, q.data, 1, &a, &err) < 0)
				add(f->r, name.data, false, true, "%s", err.msg);
			else if (a.status == 200)
				add(f->r, name.data, true, true, "the role reads %s (SuiteQL)",
				    table);
			else
				add(f->r, name.data, false, true,
				    "the role cannot read %s (NetSuite answered %d: %s): give the "
				    "integration role View on %s (docs/netsuite-setup.md, section "
				    "2)",
				    table, a.status, ns_why(&a), ns_permission(table));
			netsuite_answer_release(&a);
			buf_release(&q);
			buf_release(&name);
		}
	}
}

/* Write permission cannot be proven without writing a record (NetSuite's
 * REST record service has no dry run, docs/reference/netsuite.md): an
 * informational check names what the enabled flows write. */
static void fit_writes(struct ns_fit *f, ping_fit_flows flows)
{
	struct mlc_buf w = MLC_BUF_INIT;

	for (size_t i = 0; i < MLC_ARRAY_LEN(fit_flows); i++)
		if ((flows & (1u << i)) && fit_flows[i].writes)
			buf_addf(&w, "%s%s (%s)", w.len ? ", " : "", fit_flows[i].writes,
			         fit_flows[i].name);
	if (w.len)
		add(f->r, "netsuite.write", true, false,
		    "not probed (a write permission shows only by writing): the enabled flows "
		    "write "
		    "%s; give the integration role Create and Edit on them "
		    "(docs/netsuite-setup.md, section 2)",
		    w.data);
	buf_release(&w);
}

/* The push script has a deployed, released deployment for each record
 * type whose push wakes an enabled flow.  The script and scriptdeployment
 * tables and their columns: docs/netsuite-setup.md, section 8. */
static void fit_push_script(struct ns_fit *f, ping_fit_flows flows)
{
	struct mlc_ns_answer a;
	struct mlc_error err = {0};
	struct mlc_buf missing = MLC_BUF_INIT, found = MLC_BUF_INIT;
	json_t *items, *it;
	size_t i, n = 0;

	if (netsuite_probe_query(f->s->ns,
	                         "SELECT d.scriptid AS deployment, d.recordtype AS recordtype, "
	                         "d.isdeployed AS isdeployed, d.status AS status FROM "
	                         "scriptdeployment d INNER JOIN script s ON s.id = d.script "
	                         "WHERE UPPER(s.scriptid) = 'CUSTOMSCRIPT_MLC_PUSH'",
	                         100, &a, &err) < 0) {
		add(f->r, "netsuite.push_script", false, true, "%s", err.msg);
		goto out;
	}
	if (a.status != 200) {
		add(f->r, "netsuite.push_script", false, true,
		    "the script records are not readable (NetSuite answered %d: %s): give the "
		    "integration role View on Setup > SuiteScript, or check the deployments by "
		    "hand (docs/netsuite-setup.md, section 5)",
		    a.status, ns_why(&a));
		goto out;
	}
	items = json_object_get(a.json, "items");
	for (size_t k = 0; k < MLC_ARRAY_LEN(fit_flows); k++) {
		const char *want = fit_flows[k].deploy;
		bool ok = false;
		if (!(flows & (1u << k)) || !want)
			continue;
		if (strcmp(want, "$SEG") == 0)
			want = f->seg.table;
		json_array_foreach(items, i, it)
		{
			const char *rt = json_string_value(json_object_get(it, "recordtype"));
			const char *st = json_string_value(json_object_get(it, "status"));
			const char *dep = json_string_value(json_object_get(it, "isdeployed"));
			if (rt && strcasecmp(rt, want) == 0 && dep && strcmp(dep, "T") == 0 && st &&
			    strcasecmp(st, "RELEASED") == 0)
				ok = true;
		}
		n++;
		buf_addf(ok ? &found : &missing, "%s%s", (ok ? found.len : missing.len) ? ", " : "",
		         want);
	}
	if (json_array_size(items) == 0)
		add(f->r, "netsuite.push_script", false, true,
		    "the push script customscript_mlc_push is not deployed (no deployment "
		    "visible): "
		    "deploy netsuite/ with 'suitecloud project:deploy' (docs/netsuite-setup.md, "
		    "section 5)");
	else if (missing.len)
		add(f->r, "netsuite.push_script", false, true,
		    "customscript_mlc_push has no deployed, released deployment for %s: set its "
		    "status to Released under Customization > Scripting > Script Deployments, or "
		    "deploy netsuite/ again",
		    missing.data);
	else
		add(f->r, "netsuite.push_script", true, true,
		    "customscript_mlc_push is deployed and released for %s (%zu record type%s)",
		    found.data, n, n == 1 ? "" : "s");
out:
	netsuite_answer_release(&a);
	buf_release(&missing);
	buf_release(&found);
}

static void fit_integration_user(struct ns_fit *f)
{
	const json_t *u = setting(f->s, "netsuite", "integration_user_id");

	if (json_is_integer(u) && json_integer_value(u) > 0)
		add(f->r, "netsuite.integration_user", true, true,
		    "integration user %lld: its saves are not pushed back",
		    (long long)json_integer_value(u));
	else
		add(f->r, "netsuite.integration_user", false, true,
		    "netsuite.integration_user_id is not set, so the connector's own saves can "
		    "come back as pushes: 'ml-connector tenant set %s --setting "
		    "netsuite.integration_user_id=ID' with the employee of the M2M mapping "
		    "(docs/netsuite-setup.md, section 6)",
		    f->s->tenant.name);
}

void ping_fit_netsuite(struct mlc_session *s, ping_fit_flows flows, struct mlc_ping_report *r)
{
	struct ns_fit f = {.s = s, .r = r};
	struct mlc_error err = {0};
	const json_t *use = setting(s, "costs", "use_segment");
	unsigned uses = 0, strict = 0;
	bool pushed = false;

	if (!flows)
		return;
	if (segment_settings(s, &f.seg, &err) < 0) {
		add(r, "netsuite.segment", false, true, "%s", err.msg);
		return;
	}
	for (size_t i = 0; i < MLC_ARRAY_LEN(fit_flows); i++) {
		if (!(flows & (1u << i)))
			continue;
		/* costs.use_segment false: only the flows that need it use it */
		if (fit_flows[i].seg_required || !json_is_false(use))
			uses |= fit_flows[i].seg;
		if (fit_flows[i].seg_required || json_is_true(use))
			strict |= fit_flows[i].seg;
		pushed |= fit_flows[i].deploy != NULL;
	}
	if (uses)
		fit_segment(&f, uses, strict);
	fit_reads(&f, flows);
	fit_writes(&f, flows);
	if (pushed) {
		fit_push_script(&f, flows);
		fit_integration_user(&f);
	}
}

/* ---- Procore ---- */

static const struct fit_tool *tool_by_id(const char *id)
{
	for (size_t i = 0; i < MLC_ARRAY_LEN(fit_tools); i++)
		if (strcmp(fit_tools[i].id, id) == 0)
			return &fit_tools[i];
	return NULL;
}

/* GET the first page of a tool's list, in project pid (or the company). */
static int tool_get(struct mlc_session *s, const struct fit_tool *t, int64_t pid, int per_page,
                    struct mlc_pc_answer *a, struct mlc_error *err)
{
	char path[96], proj[24], company[24], pp[16];
	const char *q[] = {"company_id", company, "per_page", pp, NULL, NULL, NULL};

	snprintf(path, sizeof(path), t->path, (long long)pid);
	snprintf(proj, sizeof(proj), "%lld", (long long)pid);
	snprintf(company, sizeof(company), "%lld", (long long)s->tenant.procore_company_id);
	snprintf(pp, sizeof(pp), "%d", per_page);
	if (!t->company && !strstr(t->path, "%lld")) {
		q[4] = "project_id";
		q[5] = proj;
	}
	return procore_probe_get(s->pc, path, q, a, err);
}

static void fit_tool(struct mlc_session *s, const struct fit_tool *t, int64_t pid,
                     struct mlc_ping_report *r)
{
	struct mlc_pc_answer a;
	struct mlc_error err = {0};
	struct mlc_buf name = MLC_BUF_INIT, msg = MLC_BUF_INIT;

	buf_addf(&name, "procore.tool.%s", t->id);
	if (!t->company && !pid) {
		add(r, name.data, true, false,
		    "not probed: no linked project yet (link one with 'ml-connector project "
		    "link')");
		goto out;
	}
	if (tool_get(s, t, pid, 1, &a, &err) < 0) {
		add(r, name.data, false, true, "%s", err.msg);
	} else if (a.status == 200) {
		add(r, name.data, true, true, "the service account reaches %s%s", t->permission,
		    t->company ? "" : " (first linked project)");
	} else {
		if (a.json)
			procore_error_text(a.json, &msg);
		add(r, name.data, false, true,
		    "Procore answered %d to %s%s%s%s: give the service account %s%s", a.status,
		    t->path, msg.len ? " (" : "", msg.data, msg.len ? ")" : "", t->permission,
		    t->company ? "" : " in every linked project");
	}
	procore_answer_release(&a);
out:
	buf_release(&name);
	buf_release(&msg);
}

/* The connector's origin ids are "ns:<kind>:..." (src/flows/flow_*.c). */
static bool foreign(const json_t *o)
{
	const char *v = json_string_value(json_object_get(o, "origin_id"));
	return v && *v && strncmp(v, "ns:", 3) != 0;
}

/* Counts (and names the first few of) the foreign objects of one list. */
static void scan_owned(struct mlc_session *s, const char *path, const char *what, bool company,
                       int64_t pid, size_t *count, struct mlc_buf *names)
{
	struct fit_tool t = {what, path, company, NULL};
	struct mlc_pc_answer a;
	struct mlc_error err = {0};
	json_t *o;
	size_t i;

	if (tool_get(s, &t, pid, 1000, &a, &err) == 0 && a.status == 200)
		json_array_foreach(a.json, i, o)
		{
			if (!foreign(o))
				continue;
			if (++*count <= 5)
				buf_addf(names, "%s%s %lld (%s)", names->len ? ", " : "", what,
				         (long long)json_integer_value(json_object_get(o, "id")),
				         json_string_value(json_object_get(o, "origin_id")));
		}
	procore_answer_release(&a);
}

void ping_fit_procore(struct mlc_session *s, ping_fit_flows flows, struct mlc_ping_report *r)
{
	struct mlc_project_link *links = NULL;
	struct mlc_error err = {0};
	struct mlc_buf names = MLC_BUF_INIT;
	int64_t pids[MAX_PROJECTS];
	size_t n = 0, np = 0, count = 0, approved = 0, total = 0;
	bool vendors = false, commitments = false, facts = false;
	unsigned used = 0;

	if (!flows)
		return;
	if (project_list(s->store, s->tenant.id, &links, &n, &err) < 0) {
		add(r, "procore.fit", false, true, "%s", err.msg);
		goto out;
	}
	for (size_t i = 0; i < n && np < MAX_PROJECTS; i++)
		if (links[i].active)
			pids[np++] = links[i].procore_project_id;
	for (size_t i = 0; i < MLC_ARRAY_LEN(fit_flows); i++) {
		if (!(flows & (1u << i)))
			continue;
		for (const char *const *t = fit_flows[i].tools; *t; t++)
			for (size_t k = 0; k < MLC_ARRAY_LEN(fit_tools); k++)
				if (strcmp(fit_tools[k].id, *t) == 0)
					used |= 1u << k;
		vendors |= fit_flows[i].owns_vendors;
		commitments |= fit_flows[i].owns_commitments;
		facts |= fit_flows[i].commitments;
	}
	for (size_t k = 0; k < MLC_ARRAY_LEN(fit_tools); k++)
		if (used & (1u << k))
			fit_tool(s, &fit_tools[k], np ? pids[0] : 0, r);
	if (vendors || commitments) {
		if (vendors)
			scan_owned(s, "/rest/v1.0/vendors", "vendor", true, 0, &count, &names);
		for (size_t i = 0; commitments && i < np; i++) {
			scan_owned(s, "/rest/v1.0/purchase_order_contracts", "purchase order",
			           false, pids[i], &count, &names);
			scan_owned(s, "/rest/v1.0/work_order_contracts", "subcontract", false,
			           pids[i], &count, &names);
		}
		if (count)
			add(r, "procore.foreign_origin", false, true,
			    "%zu object(s) carry another integration's origin_id, and Procore lets "
			    "one "
			    "integration own an object: %s%s. The connector cannot take them over: "
			    "unlink them in that integration, or keep them out of the linked "
			    "projects",
			    count, names.data, count > 5 ? ", ..." : "");
		else
			add(r, "procore.foreign_origin", true, true,
			    "no %s%s%s carries another integration's origin_id",
			    vendors ? "vendor" : "",
			    vendors && commitments ? " and no commitment" : "",
			    commitments && np == 0 ? " (no linked project yet)" : "");
	}
	for (size_t i = 0; facts && i < np; i++) {
		struct mlc_pc_answer a;
		json_t *o;
		size_t j;
		if (tool_get(s, tool_by_id("commitments"), pids[i], 1000, &a, &err) == 0 &&
		    a.status == 200)
			json_array_foreach(a.json, j, o)
			{
				const char *st = json_string_value(json_object_get(o, "status"));
				total++;
				approved += st && strcmp(st, "Approved") == 0;
			}
		procore_answer_release(&a);
	}
	if (facts && np)
		add(r, "procore.approved_commitments", true, false,
		    "%zu of %zu commitment(s) in %zu linked project(s) are approved: their "
		    "schedule of "
		    "values and company are locked, so changes from NetSuite go through change "
		    "orders "
		    "(docs/reference/procore.md)",
		    approved, total, np);
out:
	free(links);
	buf_release(&names);
}
