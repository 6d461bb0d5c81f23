#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Procore tools: the adapter's tool probed (its list endpoint lives in
 * src/procore/pc_probe.c) and the permission to give
 * (docs/reference/procore.md, Resources the connector uses). */
static const struct fit_tool {
	const char *id;
	enum mlc_pc_tool tool;
	const char *permission;
} fit_tools[] = {
    {"vendors", MLC_PC_TOOL_VENDORS, "the company Directory tool (Read Only or higher)"},
    {"commitments", MLC_PC_TOOL_COMMITMENTS, "the project Commitments tool"},
    {"requisitions", MLC_PC_TOOL_REQUISITIONS,
     "the project Commitments tool (subcontractor invoices)"},
    {"direct_costs", MLC_PC_TOOL_DIRECT_COSTS, "the project Direct Costs tool"},
    {"budget", MLC_PC_TOOL_BUDGET, "the project Budget tool"},
    {"prime_contracts", MLC_PC_TOOL_PRIME_CONTRACTS,
     "the project Prime Contracts tool (payment applications)"},
    {"cost_codes", MLC_PC_TOOL_COST_CODES, "the project Admin tool (cost codes)"},
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
	static const struct {
		unsigned bit;
		const char *check, *table, *where, *fix;
	} applied[] = {
	    {SEG_LINES, "netsuite.segment.lines", "transactionline", "transaction lines",
	     "Application & Sourcing > Transactions: apply it to Journal and Purchase lines"},
	    {SEG_BUDGETS, "netsuite.segment.budgets", "budgets", "budgets",
	     "Application & Sourcing > Other Records: apply it to Budget Import"},
	};

	if (netsuite_probe_segment(f->s->ns, f->seg.field, &a, &err) < 0) {
		add(f->r, "netsuite.segment", false, required, "%s", err.msg);
		netsuite_answer_release(&a);
		return;
	}
	if (a.status == 200 && netsuite_answer_rows(&a) == 1) {
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
		required = (strict & applied[i].bit) != 0;
		if (netsuite_probe_column(f->s->ns, applied[i].table, f->seg.field, &a, &err) < 0)
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
			struct mlc_buf name = MLC_BUF_INIT;
			size_t k;

			for (k = 0; k < ndone && strcmp(done[k], table) != 0; k++)
				;
			/* a missing segment is the segment check's failure, not a permission */
			if (k < ndone || ndone == MLC_ARRAY_LEN(done) ||
			    (table == f->seg.table && !f->seg_ok))
				continue;
			done[ndone++] = table;
			buf_addf(&name, "netsuite.read.%s", table);
			if (netsuite_probe_table(f->s->ns, table, &a, &err) < 0)
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
	size_t n = 0;

	if (netsuite_probe_push_deployments(f->s->ns, &a, &err) < 0) {
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
	for (size_t k = 0; k < MLC_ARRAY_LEN(fit_flows); k++) {
		const char *want = fit_flows[k].deploy;
		bool ok;
		if (!(flows & (1u << k)) || !want)
			continue;
		if (strcmp(want, "$SEG") == 0)
			want = f->seg.table;
		ok = netsuite_deployment_live(&a, want);
		n++;
		buf_addf(ok ? &found : &missing, "%s%s", (ok ? found.len : missing.len) ? ", " : "",
			 want);
	}
	if (netsuite_answer_rows(&a) == 0)
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

static void fit_tool(struct mlc_session *s, const struct fit_tool *t, int64_t pid,
		     struct mlc_ping_report *r)
{
	struct mlc_pc_answer a;
	struct mlc_error err = {0};
	struct mlc_buf name = MLC_BUF_INIT, msg = MLC_BUF_INIT;
	bool company = procore_tool_company(t->tool);

	buf_addf(&name, "procore.tool.%s", t->id);
	if (!company && !pid) {
		add(r, name.data, true, false,
		    "not probed: no linked project yet (link one with 'ml-connector project "
		    "link')");
		goto out;
	}
	if (procore_probe_tool(s->pc, t->tool, pid, 1, &a, &err) < 0) {
		add(r, name.data, false, true, "%s", err.msg);
	} else if (a.status == 200) {
		add(r, name.data, true, true, "the service account reaches %s%s", t->permission,
		    company ? "" : " (first linked project)");
	} else {
		if (a.json)
			procore_error_text(a.json, &msg);
		add(r, name.data, false, true,
		    "Procore answered %d to %s%s%s%s: give the service account %s%s", a.status,
		    procore_tool_path(t->tool), msg.len ? " (" : "", msg.data, msg.len ? ")" : "",
		    t->permission, company ? "" : " in every linked project");
	}
	procore_answer_release(&a);
out:
	buf_release(&name);
	buf_release(&msg);
}

/* Counts (and names the first few of) the foreign objects of one list:
 * the connector's origin ids are "ns:<kind>:..." (src/flows/flow_*.c).
 * A list that cannot be read is the tool check's failure, not this one's. */
static void scan_owned(struct mlc_session *s, enum mlc_pc_owned kind, const char *what, int64_t pid,
		       size_t *count, struct mlc_buf *names)
{
	struct mlc_pc_origin *o = NULL;
	struct mlc_error err = {0};
	size_t n = 0;

	if (procore_origins(s->pc, kind, pid, &o, &n, &err) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (strncmp(o[i].origin_id, "ns:", 3) == 0)
			continue;
		if (++*count <= 5)
			buf_addf(names, "%s%s %lld (%s)", names->len ? ", " : "", what,
				 (long long)o[i].id, o[i].origin_id);
	}
	procore_origins_free(o, n);
}

/* No vendor (vendors) and no commitment of the linked projects
 * (commitments) is owned by another integration. */
static void fit_foreign(struct mlc_session *s, bool vendors, bool commitments, const int64_t *pids,
			size_t np, struct mlc_ping_report *r)
{
	struct mlc_buf names = MLC_BUF_INIT;
	size_t count = 0;

	if (vendors)
		scan_owned(s, MLC_PC_OWNED_VENDORS, "vendor", 0, &count, &names);
	for (size_t i = 0; commitments && i < np; i++) {
		scan_owned(s, MLC_PC_OWNED_PURCHASE_ORDERS, "purchase order", pids[i], &count,
			   &names);
		scan_owned(s, MLC_PC_OWNED_SUBCONTRACTS, "subcontract", pids[i], &count, &names);
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
		    "no %s%s%s carries another integration's origin_id", vendors ? "vendor" : "",
		    vendors && commitments ? " and no commitment" : "",
		    commitments && np == 0 ? " (no linked project yet)" : "");
	buf_release(&names);
}

/* How many of the linked projects' commitments are approved (a fact). */
static void fit_approved(struct mlc_session *s, const int64_t *pids, size_t np,
			 struct mlc_ping_report *r)
{
	size_t approved = 0, total = 0;

	for (size_t i = 0; i < np; i++) {
		struct mlc_error err = {0};
		size_t t, a;
		if (procore_commitment_approvals(s->pc, pids[i], &t, &a, &err) == 0) {
			total += t;
			approved += a;
		}
	}
	if (np)
		add(r, "procore.approved_commitments", true, false,
		    "%zu of %zu commitment(s) in %zu linked project(s) are approved: their "
		    "schedule of "
		    "values and company are locked, so changes from NetSuite go through change "
		    "orders "
		    "(docs/reference/procore.md)",
		    approved, total, np);
}

void ping_fit_procore(struct mlc_session *s, ping_fit_flows flows, struct mlc_ping_report *r)
{
	struct mlc_project_link *links = NULL;
	struct mlc_error err = {0};
	int64_t pids[MAX_PROJECTS];
	size_t n = 0, np = 0;
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
	if (vendors || commitments)
		fit_foreign(s, vendors, commitments, pids, np, r);
	if (facts)
		fit_approved(s, pids, np, r);
out:
	free(links);
}
