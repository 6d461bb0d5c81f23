/*
 * Decisions in the flows' plans (flows/review_apply.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flows/flow_park.h"
#include "flows/review_apply.h"
#include "util/buf.h"
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
