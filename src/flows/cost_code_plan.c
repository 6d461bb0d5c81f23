/*
 * The plan of one cost code (flows/cost_code_plan.h).
 */
#include <string.h>

#include "flows/cost_code_plan.h"
#include "util/banned.h"

static bool str_same(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

/* Procore's view of the code across the lists. */
static void procore_view(const struct ccp_in *in, struct ccp_plan *p)
{
	const char *bname = in->has_base ? in->base_name : NULL;
	const char *changed = NULL, *first = NULL;
	bool any = false, dropped = false;

	for (size_t i = 0; i < in->nlists; i++) {
		const struct ccp_list *l = &in->lists[i];
		if (!l->name) {
			if (in->has_base && l->in_base)
				dropped = true;
			continue;
		}
		any = true;
		if (!first)
			first = l->name;
		if (!changed && bname && strcmp(l->name, bname) != 0)
			changed = l->name;
	}
	if (!in->has_base) {
		p->has_pc = any;
		p->pc_name = first;
		p->pc_active = true;
		return;
	}
	p->has_pc = true;
	p->pc_name = changed ? changed : first ? first : bname ? bname : "";
	p->pc_active = in->base_active ? !dropped : any;
}

static void merge(const struct ccp_in *in, struct ccp_plan *p)
{
	struct field_cmp name = {
	    .has_base = in->has_base,
	    .n_eq_p = str_same(in->ns_name, p->pc_name),
	    .n_eq_b = in->has_base && str_same(in->ns_name, in->base_name),
	    .p_eq_b = in->has_base && str_same(p->pc_name, in->base_name),
	};
	struct field_cmp active = {
	    .has_base = in->has_base,
	    .n_eq_p = in->ns_active == p->pc_active,
	    .n_eq_b = in->has_base && in->ns_active == in->base_active,
	    .p_eq_b = in->has_base && p->pc_active == in->base_active,
	};
	enum field_win wn = field_pick(&name, in->master, in->own_name, &p->conflict[0]);
	enum field_win wa = field_pick(&active, in->master, in->own_active, &p->conflict[1]);

	p->winner[CCP_FIELD_NAME] = wn == FIELD_PROCORE ? MD_PROCORE : MD_NETSUITE;
	p->winner[CCP_FIELD_ACTIVE] = wa == FIELD_PROCORE ? MD_PROCORE : MD_NETSUITE;
	p->name = wn == FIELD_PROCORE ? p->pc_name : in->ns_name;
	p->active = wa == FIELD_PROCORE ? p->pc_active : in->ns_active;
	p->ns_name = wn == FIELD_PROCORE;
	p->ns_active = wa == FIELD_PROCORE;
	p->ns = p->ns_name || p->ns_active ? CCP_NS_UPDATE : CCP_NS_NONE;
}

static enum ccp_list_op list_op(const struct ccp_in *in, const struct ccp_plan *p,
				const struct ccp_list *l)
{
	/* a code without a division part that names a division here is that
	 * division: never created again beside it */
	if (!l->name && !strchr(in->code, '-') && l->division_named)
		return CCP_KEEP;
	if (!p->active)
		return l->name ? CCP_DELETE : CCP_KEEP;
	if (l->name && strcmp(l->name, p->name) == 0)
		return CCP_KEEP;
	return l->name ? CCP_RENAME : CCP_CREATE;
}

void cost_code_plan(const struct ccp_in *in, struct ccp_plan *out, enum ccp_list_op *ops)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < in->nlists; i++)
		ops[i] = CCP_KEEP;
	procore_view(in, out);
	if (!in->has_ns && !out->has_pc)
		return; /* CCP_GONE */
	if (!in->has_base && !in->has_ns && in->master == MD_NETSUITE) {
		out->verdict = CCP_PARK_PC;
		return;
	}
	if (!in->has_base && !out->has_pc && in->master == MD_PROCORE) {
		out->verdict = CCP_PARK_NS;
		return;
	}
	if (in->has_ns && out->has_pc) {
		out->verdict = CCP_MERGED;
		merge(in, out);
	} else {
		/* one side only: it is the value; the other side is created */
		out->verdict = CCP_ONE_SIDED;
		out->name = in->has_ns ? in->ns_name : out->pc_name;
		out->active = in->has_ns ? in->ns_active : out->pc_active;
		/* never create a value only to make it inactive */
		out->ns = !in->has_ns && out->active ? CCP_NS_CREATE : CCP_NS_NONE;
	}
	for (size_t i = 0; i < in->nlists; i++)
		ops[i] = list_op(in, out, &in->lists[i]);
}

const char *ccp_op_name(enum ccp_list_op op)
{
	switch (op) {
	case CCP_CREATE:
		return "create";
	case CCP_RENAME:
		return "rename";
	case CCP_DELETE:
		return "delete";
	case CCP_KEEP:
		break;
	}
	return NULL;
}
