/*
 * Typed NetSuite vendors in the vendor flows (flows/vendor_ns.h).
 */
#include "flows/vendor_ns.h"
#include "util/banned.h"

/* As vendor_fields reads the row: an empty text is null. */
static json_t *text_or_null(const char *v)
{
	return v && *v ? json_string(v) : json_null();
}

const char *vendor_ns_name(const struct ns_vendor *v)
{
	const char *name = v->companyname;

	if (!name || !*name)
		name = v->entityid;
	return name ? name : "";
}

json_t *vendor_view_of_ns(const struct ns_vendor *v)
{
	return json_pack("{s:s, s:b, s:o, s:o}", "name", vendor_ns_name(v), "is_active",
			 !v->inactive, "email", text_or_null(v->email), "phone",
			 text_or_null(v->phone));
}
