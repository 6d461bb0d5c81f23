/*
 * The vendor fields both directories carry and how each side spells them
 * (flows/vendor_fields.h).
 */
#include <stdio.h>
#include <string.h>

#include "flows/vendor_fields.h"
#include "util/jsonx.h"
#include "util/num.h"
#include "util/str.h"
#include "util/banned.h"

const struct md_field vendor_md_fields[] = {
    {"name", MD_NETSUITE}, {"is_active", MD_NETSUITE}, {"email", MD_PROCORE}, {"phone", MD_PROCORE},
    {NULL, MD_NONE},
};

/* A text value or null: "" and absent both read as null. */
static json_t *text_or_null(const char *v)
{
	return v && *v ? json_string(v) : json_null();
}

json_t *vendor_view_ns(const json_t *row)
{
	const char *name = jsonx_str(row, "companyname");

	if (!name || !*name)
		name = jsonx_str(row, "entityid");
	return json_pack("{s:s, s:b, s:o, s:o}", "name", name ? name : "", "is_active",
			 !jsonx_bool(row, "isinactive"), "email",
			 text_or_null(jsonx_str(row, "email")), "phone",
			 text_or_null(jsonx_str(row, "phone")));
}

json_t *vendor_view_pc(const json_t *v)
{
	const json_t *active = json_object_get(v, "is_active");
	const char *name = jsonx_str(v, "name");

	return json_pack("{s:s, s:b, s:o, s:o}", "name", name ? name : "", "is_active",
			 !json_is_boolean(active) || json_is_true(active), "email",
			 text_or_null(jsonx_str(v, "email_address")), "phone",
			 text_or_null(jsonx_str(v, "business_phone")));
}

json_t *vendor_view_empty(void)
{
	return json_pack("{s:n, s:n, s:n, s:n}", "name", "is_active", "email", "phone");
}

static void put(json_t *out, const char *key, json_t *v, bool nulls)
{
	if (!v)
		return;
	if (json_is_null(v) && !nulls)
		return;
	json_object_set(out, key, v);
}

json_t *vendor_pc_fields(const json_t *view, bool nulls)
{
	json_t *b = json_object();

	put(b, "name", json_object_get(view, "name"), nulls);
	put(b, "is_active", json_object_get(view, "is_active"), nulls);
	put(b, "email_address", json_object_get(view, "email"), nulls);
	put(b, "business_phone", json_object_get(view, "phone"), nulls);
	return b;
}

json_t *vendor_ns_fields(const json_t *view)
{
	json_t *b = json_object(), *v;

	put(b, "companyName", json_object_get(view, "name"), true);
	v = json_object_get(view, "is_active");
	if (v && json_is_boolean(v))
		json_object_set_new(b, "isInactive", json_boolean(!json_is_true(v)));
	put(b, "email", json_object_get(view, "email"), true);
	put(b, "phone", json_object_get(view, "phone"), true);
	return b;
}

int vendor_master(const struct mlc_session *s, enum md_side *master, bool *back,
		  struct mlc_error *err)
{
	*back = session_setting_bool(s, "vendors_back.enabled", false);
	if (!*back) {
		*master = MD_NETSUITE;
		return MLC_OK;
	}
	return md_master(s, "vendors", MD_BOTH, master, err);
}

void vendor_back_eid(const struct mlc_session *s, int64_t procore_id, char *out, size_t n)
{
	snprintf(out, n, "pc:%lld:vendor:%lld", (long long)s->tenant.procore_company_id,
		 (long long)procore_id);
}

int64_t vendor_back_eid_parse(const struct mlc_session *s, const char *eid)
{
	char prefix[48];
	int64_t id = 0;

	if (!eid)
		return 0;
	snprintf(prefix, sizeof(prefix),
		 "pc:%lld:vendor:", (long long)s->tenant.procore_company_id);
	if (!str_starts_with(eid, prefix) || num_parse_id(eid + strlen(prefix), &id, NULL) < 0)
		return 0;
	return id;
}
