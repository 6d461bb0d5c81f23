/*
 * Master data both ways: direction per data type, field ownership and the
 * three-way merge (flows/masterdata.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flows/masterdata.h"
#include "util/time.h"
#include "util/banned.h"

const char *md_side_name(enum md_side s)
{
	switch (s) {
	case MD_NETSUITE:
		return "netsuite";
	case MD_PROCORE:
		return "procore";
	case MD_BOTH:
		return "both";
	case MD_NONE:
		break;
	}
	return "none";
}

static enum md_side side_parse(const char *v)
{
	if (!v)
		return MD_NONE;
	if (strcmp(v, "netsuite") == 0)
		return MD_NETSUITE;
	if (strcmp(v, "procore") == 0)
		return MD_PROCORE;
	if (strcmp(v, "both") == 0)
		return MD_BOTH;
	return MD_NONE;
}

int md_master(const struct mlc_session *s, const char *type, enum md_side def, enum md_side *out,
	      struct mlc_error *err)
{
	char path[96];
	const char *v;

	snprintf(path, sizeof(path), "master.%s", type);
	v = session_setting_str(s, path, NULL);
	*out = v ? side_parse(v) : def;
	if (*out == MD_NONE)
		return error_set(err, MLC_EINVAL,
				 "tenant %s: setting %s is '%s'; use netsuite, procore or both",
				 s->tenant.name, path, v);
	return MLC_OK;
}

static enum md_side field_owner(const struct mlc_session *s, const char *type,
				const struct md_field *f)
{
	char path[128];
	enum md_side o;

	snprintf(path, sizeof(path), "owners.%s.%s", type, f->name);
	o = side_parse(session_setting_str(s, path, NULL));
	if (o == MD_NETSUITE || o == MD_PROCORE)
		return o;
	return f->owner == MD_PROCORE ? MD_PROCORE : MD_NETSUITE;
}

static bool same(const json_t *a, const json_t *b)
{
	if (!a || json_is_null(a))
		return !b || json_is_null(b);
	return b && json_equal((json_t *)a, (json_t *)b);
}

static json_t *val(const json_t *v)
{
	return v ? json_incref((json_t *)v) : json_null();
}

void md_merge(const struct mlc_session *s, const char *type, enum md_side master,
	      const struct md_field *fields, const json_t *base, const json_t *ns, const json_t *pc,
	      struct md_merge *m)
{
	m->to_ns = json_object();
	m->to_pc = json_object();
	m->merged = json_object();
	m->conflicts = json_array();
	for (const struct md_field *f = fields; f->name; f++) {
		const json_t *n = json_object_get(ns, f->name), *p = json_object_get(pc, f->name);
		const json_t *b = base ? json_object_get(base, f->name) : NULL;
		bool n_changed, p_changed;
		enum md_side winner;

		if (same(n, p)) {
			json_object_set_new(m->merged, f->name, val(n));
			continue;
		}
		if (master == MD_NETSUITE || master == MD_PROCORE) {
			winner = master;
		} else {
			n_changed = !base || !same(n, b);
			p_changed = !base || !same(p, b);
			if (n_changed && !p_changed) {
				winner = MD_NETSUITE;
			} else if (p_changed && !n_changed) {
				winner = MD_PROCORE;
			} else {
				winner = field_owner(s, type, f);
				json_array_append_new(
				    m->conflicts,
				    json_pack("{s:s, s:o, s:o, s:o, s:s, s:o}", "field", f->name,
					      "base", val(b), "netsuite", val(n), "procore", val(p),
					      "owner", md_side_name(winner), "value",
					      val(winner == MD_NETSUITE ? n : p)));
			}
		}
		if (winner == MD_NETSUITE) {
			json_object_set_new(m->to_pc, f->name, val(n));
			json_object_set_new(m->merged, f->name, val(n));
		} else {
			json_object_set_new(m->to_ns, f->name, val(p));
			json_object_set_new(m->merged, f->name, val(p));
		}
	}
}

void md_merge_release(struct md_merge *m)
{
	json_decref(m->to_ns);
	json_decref(m->to_pc);
	json_decref(m->merged);
	json_decref(m->conflicts);
	memset(m, 0, sizeof(*m));
}

void md_record_conflicts(struct flow_run *r, const char *entity, const char *source_ref,
			 const char *target_ref, const struct md_merge *m)
{
	size_t i;
	json_t *c;

	json_array_foreach (m->conflicts, i, c) {
		char why[160];
		snprintf(why, sizeof(why), "both sides changed %s; %s owns it and wins",
			 json_string_value(json_object_get(c, "field")),
			 json_string_value(json_object_get(c, "owner")));
		flow_record(r, FLOW_CONFLICT, entity, source_ref, target_ref, c, why);
	}
}
