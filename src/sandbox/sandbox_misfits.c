#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sandbox/sandbox_misfits.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/banned.h"

/* The routes of each Procore tool the connector uses: a path prefix, or
 * "*" then a fragment for project-scoped paths (pcsim_*.c route tables). */
static const struct {
	const char *tool;
	const char *paths[4];
} pc_tools[] = {
    {"vendors", {"/rest/v1.0/vendors", NULL}},
    {"commitments",
     {"/rest/v1.0/commitments", "/rest/v1.0/purchase_order_contracts",
      "/rest/v1.0/work_order_contracts", NULL}},
    {"requisitions", {"/rest/v1.0/requisitions", "/rest/v1.1/requisitions", NULL}},
    {"direct_costs", {"*/direct_costs", NULL}},
    {"budget",
     {"/rest/v1.0/budget_views", "/rest/v1.0/budget_line_items", "/rest/v1.1/budget_line_items",
      NULL}},
    {"prime_contracts", {"/rest/v1.0/payment_applications", "/rest/v1.0/prime_contract", NULL}},
    {"cost_codes", {"/rest/v1.0/cost_codes", NULL}},
};

static bool known_tool(const char *t)
{
	for (size_t i = 0; i < MLC_ARRAY_LEN(pc_tools); i++)
		if (strcmp(pc_tools[i].tool, t) == 0)
			return true;
	return false;
}

/* A SuiteQL table name: letters, digits and '_'. */
static bool table_name(const char *t)
{
	size_t n = strlen(t);
	return n > 0 && n < 40 && strspn(t, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

static int item(char *p, struct sbx_misfits *m, struct mlc_error *err)
{
	if (strncmp(p, "ns:deny=", 8) == 0 && table_name(p + 8) && m->n_ns_deny < SBX_MISFITS_MAX) {
		(void)str_copy(m->ns_deny[m->n_ns_deny++], sizeof(m->ns_deny[0]), p + 8);
	} else if (strcmp(p, "ns:segment-lines") == 0) {
		m->ns_segment_no_lines = true;
	} else if (strcmp(p, "ns:segment-budgets") == 0) {
		m->ns_segment_no_budgets = true;
	} else if (strcmp(p, "ns:no-push-script") == 0) {
		m->ns_no_push_script = true;
	} else if (strncmp(p, "pc:deny=", 8) == 0 && known_tool(p + 8) &&
		   m->n_pc_deny < SBX_MISFITS_MAX) {
		(void)str_copy(m->pc_deny[m->n_pc_deny++], sizeof(m->pc_deny[0]), p + 8);
	} else if (strcmp(p, "pc:foreign-origin") == 0) {
		m->pc_foreign_origin = true;
	} else {
		return error_set(
		    err, MLC_EINVAL,
		    "--misfits: '%s' is not one of ns:deny=TABLE, ns:segment-lines, "
		    "ns:segment-budgets, ns:no-push-script, pc:deny=TOOL (vendors, "
		    "commitments, requisitions, direct_costs, budget, prime_contracts, "
		    "cost_codes), pc:foreign-origin (at most %d of each list)",
		    p, SBX_MISFITS_MAX);
	}
	return MLC_OK;
}

int sandbox_misfits_parse(const char *spec, struct sbx_misfits *out, struct mlc_error *err)
{
	char *dup, *p, *next;
	int rc = MLC_OK;

	memset(out, 0, sizeof(*out));
	if (!spec || !*spec)
		return MLC_OK;
	dup = xstrdup(spec);
	for (p = dup; p && *p && rc == MLC_OK; p = next) {
		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		str_trim(p);
		rc = item(p, out, err);
	}
	free(dup);
	return rc;
}

const char *sandbox_misfits_pc_denied(const struct sbx_misfits *m, const char *path)
{
	for (size_t i = 0; m && path && i < m->n_pc_deny; i++)
		for (size_t t = 0; t < MLC_ARRAY_LEN(pc_tools); t++) {
			if (strcmp(pc_tools[t].tool, m->pc_deny[i]) != 0)
				continue;
			for (const char *const *pp = pc_tools[t].paths; *pp; pp++)
				if ((**pp == '*' && strstr(path, *pp + 1)) ||
				    (**pp != '*' && strncmp(path, *pp, strlen(*pp)) == 0))
					return pc_tools[t].tool;
		}
	return NULL;
}
