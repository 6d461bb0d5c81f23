/*
 * The typed three-way merge of one field (flows/field_merge.h).
 */
#include <stdio.h>
#include <string.h>

#include "flows/field_merge.h"
#include "util/banned.h"

enum field_win field_pick(const struct field_cmp *c, enum md_side master, enum md_side owner,
			  bool *conflict)
{
	bool n_changed, p_changed;

	*conflict = false;
	if (c->n_eq_p)
		return FIELD_SAME;
	if (master == MD_NETSUITE)
		return FIELD_NETSUITE;
	if (master == MD_PROCORE)
		return FIELD_PROCORE;
	n_changed = !c->has_base || !c->n_eq_b;
	p_changed = !c->has_base || !c->p_eq_b;
	if (n_changed && !p_changed)
		return FIELD_NETSUITE;
	if (p_changed && !n_changed)
		return FIELD_PROCORE;
	*conflict = true;
	return owner == MD_PROCORE ? FIELD_PROCORE : FIELD_NETSUITE;
}

enum md_side field_owner(const struct mlc_session *s, const char *type, const char *field,
			 enum md_side def)
{
	char path[128];
	const char *v;

	snprintf(path, sizeof(path), "owners.%s.%s", type, field);
	v = session_setting_str(s, path, NULL);
	if (v && strcmp(v, md_side_name(MD_NETSUITE)) == 0)
		return MD_NETSUITE;
	if (v && strcmp(v, md_side_name(MD_PROCORE)) == 0)
		return MD_PROCORE;
	return def == MD_PROCORE ? MD_PROCORE : MD_NETSUITE;
}
