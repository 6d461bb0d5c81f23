#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "flows/segment.h"
#include "netsuite/ns_refdata.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/banned.h"

#define SETTING_ID  "netsuite.cost_code_segment"
#define SETTING_USE "costs.use_segment"

enum use_mode { USE_AUTO, USE_ON, USE_OFF };

static int parse_use(const json_t *v, enum use_mode *mode, struct mlc_error *err)
{
	if (!v || (json_is_string(v) && strcmp(json_string_value(v), "auto") == 0)) {
		*mode = USE_AUTO;
		return MLC_OK;
	}
	if (json_is_boolean(v)) {
		*mode = json_is_true(v) ? USE_ON : USE_OFF;
		return MLC_OK;
	}
	return error_set(err, MLC_ECONFIG, "setting " SETTING_USE " must be auto, true or false");
}

static int check_id(const json_t *v, struct mlc_error *err)
{
	struct mlc_error e = {0};

	if (!json_is_string(v))
		return error_set(err, MLC_ECONFIG,
				 "setting " SETTING_ID " must be a custom segment script id such "
				 "as " CSEG_DEFAULT);
	if (cseg_check(json_string_value(v), &e) < 0)
		return error_set(err, MLC_ECONFIG, "setting " SETTING_ID ": %s", e.msg);
	return MLC_OK;
}

int segment_setting_check(const char *key, const json_t *value, struct mlc_error *err)
{
	enum use_mode mode;

	if (strcmp(key, SETTING_ID) == 0)
		return check_id(value, err);
	if (strcmp(key, SETTING_USE) == 0)
		return parse_use(value, &mode, err);
	return MLC_OK;
}

/* The setting as stored (tenant settings nest by dots). */
static const json_t *setting(const struct mlc_session *s, const char *group, const char *key)
{
	return json_object_get(json_object_get(s->tenant.settings, group), key);
}

static int read_settings(const struct mlc_session *s, struct mlc_segment *seg, enum use_mode *mode,
			 struct mlc_error *err)
{
	const json_t *id = setting(s, "netsuite", "cost_code_segment");
	int rc;

	memset(seg, 0, sizeof(*seg));
	if (id) {
		rc = check_id(id, err);
		if (rc < 0)
			return rc;
	}
	rc = parse_use(setting(s, "costs", "use_segment"), mode, err);
	if (rc < 0)
		return rc;
	snprintf(seg->field, sizeof(seg->field), "%s", id ? json_string_value(id) : CSEG_DEFAULT);
	cseg_values_table(seg->field, seg->table, sizeof(seg->table));
	seg->use = *mode != USE_OFF;
	return MLC_OK;
}

int segment_settings(const struct mlc_session *s, struct mlc_segment *seg, struct mlc_error *err)
{
	enum use_mode mode;
	int rc = read_settings(s, seg, &mode, err);

	if (rc == MLC_OK)
		snprintf(seg->why, sizeof(seg->why), "%s (" SETTING_USE " %s)", seg->field,
			 mode == USE_OFF  ? "false"
			 : mode == USE_ON ? "true"
					  : "auto");
	return rc;
}

/* Whether NetSuite has a custom segment with script id `id`. */
static int segment_exists(struct mlc_session *s, const char *id, bool *exists,
			  struct mlc_error *err)
{
	json_t *rows = NULL, *row;
	size_t i;
	int rc;

	*exists = false;
	rc = netsuite_read_custom_segments(s->ns, &rows, err);
	if (rc < 0) {
		/* the Custom Segments feature is off: no segment at all
		 * (docs/reference/netsuite/suiteql.md, V9) */
		if (strstr(err->msg, "'customsegment' was not found")) {
			error_clear(err);
			return MLC_OK;
		}
		return rc;
	}
	json_array_foreach (rows, i, row) {
		const char *sid = jsonx_str(row, "scriptid");
		if (sid && strcasecmp(sid, id) == 0)
			*exists = true;
	}
	json_decref(rows);
	return MLC_OK;
}

int segment_resolve(struct mlc_session *s, struct mlc_segment *seg, struct mlc_error *err)
{
	enum use_mode mode;
	int rc;

	rc = read_settings(s, seg, &mode, err);
	if (rc < 0)
		return rc;
	if (mode == USE_OFF) {
		snprintf(seg->why, sizeof(seg->why), "not used (" SETTING_USE " false)");
		return MLC_OK;
	}
	rc = segment_exists(s, seg->field, &seg->exists, err);
	if (rc < 0)
		return rc;
	if (!seg->exists && mode == USE_ON)
		return error_set(err, MLC_ECONFIG,
				 "setting " SETTING_USE
				 " is true but NetSuite has no custom segment "
				 "'%s' (customsegment record): create it, set " SETTING_ID
				 " to its script id, or set " SETTING_USE "=auto",
				 seg->field);
	seg->use = seg->exists;
	if (seg->use)
		snprintf(seg->why, sizeof(seg->why), "custom segment %s", seg->field);
	else
		snprintf(seg->why, sizeof(seg->why),
			 "NetSuite has no custom segment %s (" SETTING_USE " auto)", seg->field);
	log_info("cost-code dimension", "tenant", s->tenant.name, "segment", seg->field, "used",
		 seg->use ? "yes" : "no");
	return MLC_OK;
}
