#ifndef MLC_TEST_SCHEMA_TYPES_H
#define MLC_TEST_SCHEMA_TYPES_H

/*
 * The JSON-type rule shared by the two tests that hold the simulator and the
 * connector to Procore's endpoint files (test_pcsim_schema: responses;
 * test_procore_requests: requests).  A value conforms to a schema node when
 * the node has no type, the value is null, the node is a leaf cut at depth 3
 * ("(nested object)", type unknown), or the value has the node's type
 * ("integer" an integer, "number" any number, ...) and, for a string with an
 * enum, one of its values.  Also where both find the endpoint files.
 * Header-only: each test includes it once.
 */
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

static inline bool schema_enum_ok(const json_t *en, const json_t *v)
{
	size_t i;
	json_t *e;

	if (!json_is_array(en) || !json_is_string(v))
		return true;
	json_array_foreach (en, i, e) {
		if (json_is_string(e) && strcmp(json_string_value(e), json_string_value(v)) == 0)
			return true;
	}
	return false;
}

/*
 * Checks v against schema's type: 1 when it conforms and its members are to
 * be checked, 0 when nothing more can be checked (no type, null, a cut leaf),
 * -1 when it does not conform.  *type gets the node's type (or NULL).
 */
static inline int schema_type_check(const json_t *schema, const json_t *v, const char **type)
{
	const char *t = json_string_value(json_object_get(schema, "type"));
	const char *desc = json_string_value(json_object_get(schema, "description"));

	*type = t;
	if (!t || json_is_null(v) || (desc && strcmp(desc, "(nested object)") == 0))
		return 0;
	if (strcmp(t, "integer") == 0)
		return json_is_integer(v) ? 1 : -1;
	if (strcmp(t, "number") == 0)
		return json_is_number(v) ? 1 : -1;
	if (strcmp(t, "string") == 0)
		return json_is_string(v) && schema_enum_ok(json_object_get(schema, "enum"), v) ? 1
											       : -1;
	if (strcmp(t, "boolean") == 0)
		return json_is_boolean(v) ? 1 : -1;
	if (strcmp(t, "object") == 0)
		return json_is_object(v) ? 1 : -1;
	if (strcmp(t, "array") == 0)
		return json_is_array(v) ? 1 : -1;
	return 1;
}

/*
 * Fills dir (n bytes) with the folder of Procore's endpoint files:
 * $MLC_PROCORE_ENDPOINTS, or the repository's own copy
 * (docs/reference/procore/endpoints, found relative to this header in
 * tests/unit/).  True when the folder exists.
 */
static inline bool schema_find_dir(char *dir, size_t n)
{
	const char *env = getenv("MLC_PROCORE_ENDPOINTS");
	char src[1024];
	struct stat st;

	if (env && *env) {
		snprintf(dir, n, "%s", env);
	} else {
		snprintf(src, sizeof(src), "%s", __FILE__);
		snprintf(dir, n, "%s/../../docs/reference/procore/endpoints", dirname(src));
	}
	return stat(dir, &st) == 0;
}

#endif
