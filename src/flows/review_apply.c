/*
 * Decisions in the flows' plans (flows/review_apply.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flows/flow_park.h"
#include "flows/review_apply.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/num.h"
#include "util/banned.h"

void review_apply_vendor(struct flow_run *r, struct vendor_pairs *vp, const char *src,
			 struct vendor_plan *plan, int64_t *pc_id)
{
	struct review_decision d;
	struct mlc_error err = {0};
	int64_t id = 0;

	if (plan->action != VENDOR_PLAN_PARK && plan->action != VENDOR_PLAN_PARK_MASTER)
		return;
	if (flow_decision(r, "vendor", src, &d) < 0)
		return;
	if (!strcmp(d.action, "create")) {
		plan->action = VENDOR_PLAN_CREATE;
	} else if (!strcmp(d.action, "link")) {
		if (!d.arg || num_parse_id(d.arg, &id, &err) < 0 || !vendor_pairs_find(vp, id)) {
			snprintf(plan->why, sizeof(plan->why),
				 "%s chose Procore vendor %s, which Procore no longer lists", d.by,
				 d.arg ? d.arg : "-");
			goto out;
		}
		plan->action = VENDOR_PLAN_SETTLE;
		*pc_id = id;
	} else {
		goto out; /* ignore: the frame skips the park */
	}
	flow_decision_applied(r, "vendor", src);
out:
	review_decision_release(&d);
}

void review_apply_costs(struct flow_run *r, const char *doc_ref, struct cost_unit_in *in,
			struct canon_period **copy)
{
	struct review_decision d;
	struct canon_period *p;

	*copy = NULL;
	if (flow_decision(r, "costs", doc_ref, &d) < 0)
		return;
	/* once applied, a later edit to a closed period is a new question */
	if (strcmp(d.action, "post-in") || strcmp(d.state, "pending"))
		goto out;
	in->hold = false;
	if (!d.arg)
		goto out;
	p = xcalloc(in->nperiods ? in->nperiods : 1, sizeof(*p));
	for (size_t i = 0; i < in->nperiods; i++) {
		p[i] = in->periods[i];
		p[i].open = p[i].open && !strcmp(p[i].name, d.arg);
	}
	in->periods = p;
	*copy = p;
out:
	review_decision_release(&d);
}

static bool parks(enum vendor_match_kind k)
{
	return k == VENDOR_AMBIGUOUS || k == VENDOR_TAKEN || k == VENDOR_CONTESTED ||
	       k == VENDOR_DUPLICATE;
}

/* The index in rows of the NetSuite vendor with id text, or -1. */
static long row_of(const json_t *rows, const char *id)
{
	int64_t want = 0, have = 0;
	const json_t *v;
	size_t i;

	if (!id || num_parse_id(id, &want, NULL) < 0)
		return -1;
	json_array_foreach (rows, i, v)
		if (jsonx_id(v, "id", &have) == 0 && have == want)
			return (long)i;
	return -1;
}

void review_apply_vendor_back(struct flow_run *r, const json_t *pv, const json_t *ns_rows,
			      struct vendor_match *m)
{
	struct review_decision d;
	char src[48];
	int64_t pc_id = 0;
	long ix;

	if (!parks(m->kind) || jsonx_id(pv, "id", &pc_id) < 0 || !pc_id)
		return;
	snprintf(src, sizeof(src), "pc:vendor:%lld", (long long)pc_id);
	if (flow_decision(r, "vendor", src, &d) < 0)
		return;
	if (!strcmp(d.action, "create")) {
		m->kind = VENDOR_CREATE;
	} else if (!strcmp(d.action, "link")) {
		ix = row_of(ns_rows, d.arg);
		if (ix < 0) {
			log_warn("review decision names a NetSuite vendor that is gone", "flow",
				 r->flow, "vendor", src, "netsuite", d.arg ? d.arg : "-");
			goto out;
		}
		m->kind = VENDOR_LINK_KNOWN;
		m->dst = (size_t)ix;
	} else {
		goto out; /* ignore: the frame skips the park */
	}
	flow_decision_applied(r, "vendor", src);
out:
	review_decision_release(&d);
}

enum md_side review_apply_take(struct flow_run *r, const char *entity, const char *src,
			       bool pending_only)
{
	struct review_decision d;
	enum md_side side = MD_NONE;

	if (flow_decision(r, entity, src, &d) < 0)
		return MD_NONE;
	if (!strcmp(d.action, "take") && d.arg && (!pending_only || !strcmp(d.state, "pending")))
		side = !strcmp(d.arg, "netsuite")  ? MD_NETSUITE
		       : !strcmp(d.arg, "procore") ? MD_PROCORE
						   : MD_NONE;
	review_decision_release(&d);
	return side;
}
