/*
 * The plan of one NetSuite vendor (vendor_plan.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flows/vendor_plan.h"
#include "util/banned.h"

/* Why a NetSuite vendor is parked, for the kinds that park. */
static void park_reason(const struct vendor_plan_in *in, char *why, size_t n)
{
	const char *name = in->name ? in->name : "";

	if (in->kind == VENDOR_AMBIGUOUS)
		snprintf(why, n, "%zu Procore vendors match the name '%s'; choose one", in->ncand,
			 name);
	else if (in->kind == VENDOR_TAKEN)
		snprintf(why, n,
			 "the Procore vendor named like '%s' is linked to another NetSuite vendor",
			 name);
	else if (in->kind == VENDOR_CONTESTED)
		snprintf(why, n,
			 "the Procore vendor named like '%s' matches other NetSuite vendors too "
			 "(another legal suffix); choose",
			 name);
	else if (in->kind == VENDOR_DUPLICATE)
		snprintf(why, n,
			 "NetSuite vendor ns:vendor:%lld has the same name '%s' and is the one "
			 "made in Procore; merge the two in NetSuite or link this one",
			 (long long)in->first_id, name);
	else
		snprintf(why, n, "the vendor name is not valid UTF-8; correct it in NetSuite");
}

void vendor_plan_make(const struct vendor_plan_in *in, struct vendor_plan *out)
{
	memset(out, 0, sizeof(*out));
	switch (in->kind) {
	case VENDOR_AMBIGUOUS:
	case VENDOR_TAKEN:
	case VENDOR_CONTESTED:
	case VENDOR_DUPLICATE:
	case VENDOR_BADNAME:
		out->action = VENDOR_PLAN_PARK;
		park_reason(in, out->why, sizeof(out->why));
		return;
	case VENDOR_LINK_ORIGIN:
	case VENDOR_LINK_KNOWN:
	case VENDOR_LINK_TWIN:
	case VENDOR_LINK_NAME:
		/* unchanged only when the link is the same one and the hash too */
		out->action = in->known_pc_key && in->known_hash && in->hash &&
				      strcmp(in->known_hash, in->hash) == 0 &&
				      strtoll(in->known_pc_key, NULL, 10) == in->pc_id
				  ? VENDOR_PLAN_SKIP
				  : VENDOR_PLAN_SETTLE;
		return;
	case VENDOR_CREATE:
	case VENDOR_PASSIVE:
		break;
	}
	if (in->master == MD_PROCORE) {
		out->action = VENDOR_PLAN_PARK_MASTER;
		snprintf(out->why, sizeof(out->why), "%s",
			 "a NetSuite vendor with no Procore twin, and Procore masters vendors "
			 "(master.vendors): add it in Procore or link it");
		return;
	}
	out->action = VENDOR_PLAN_CREATE;
}
