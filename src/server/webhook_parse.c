#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/webhook_parse.h"
#include "util/jsonx.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

static json_t *load_object(const char *body, size_t len, struct mlc_error *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);

	if (!root) {
		error_set(err, MLC_EINVAL, "body is not valid JSON: %s (line %d)", jerr.text,
			  jerr.line);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		error_set(err, MLC_EINVAL, "body must be a JSON object");
		return NULL;
	}
	return root;
}

/* Copies a string member that must be present, printable and short. */
static int req_text(const json_t *o, const char *key, char *out, size_t n, struct mlc_error *err)
{
	const char *v = jsonx_str(o, key);

	if (!v || !*v)
		return error_set(err, MLC_EINVAL, "missing or non-string '%s'", key);
	if (strlen(v) >= n)
		return error_set(err, MLC_EINVAL, "'%s' is too long", key);
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20)
			return error_set(err, MLC_EINVAL, "'%s' holds control characters", key);
	str_copy(out, n, v);
	return MLC_OK;
}

/* ids may come as integers (v2) or strings (v4); both parse to int64. */
static int id_member(const json_t *o, const char *key, int required, int64_t *out,
		     struct mlc_error *err)
{
	if (jsonx_id(o, key, out) < 0)
		return error_set(err, MLC_EINVAL, "'%s' is not a positive 64-bit id", key);
	if (required && !*out)
		return error_set(err, MLC_EINVAL, "missing '%s'", key);
	return MLC_OK;
}

int webhook_parse_procore(const char *body, size_t len, struct procore_event *ev,
			  json_t **payload, struct mlc_error *err)
{
	json_t *root = load_object(body, len, err), *meta;
	const char *ulid;
	int rc;

	memset(ev, 0, sizeof(*ev));
	*payload = NULL;
	if (!root)
		return MLC_EINVAL;
	if ((rc = id_member(root, "id", 1, &ev->id, err)) < 0 ||
	    (rc = id_member(root, "company_id", 1, &ev->company_id, err)) < 0 ||
	    (rc = id_member(root, "project_id", 0, &ev->project_id, err)) < 0 ||
	    (rc = id_member(root, "resource_id", 1, &ev->resource_id, err)) < 0 ||
	    (rc = req_text(root, "resource_name", ev->resource_name, sizeof(ev->resource_name),
			   err)) < 0 ||
	    (rc = req_text(root, "event_type", ev->event_type, sizeof(ev->event_type), err)) < 0)
		goto fail;
	if (strcmp(ev->event_type, "create") && strcmp(ev->event_type, "update") &&
	    strcmp(ev->event_type, "delete")) {
		rc = error_set(err, MLC_EINVAL, "event_type '%s' is not create, update or delete",
			       ev->event_type);
		goto fail;
	}
	ulid = jsonx_str(root, "ulid");
	if (ulid && *ulid) {
		if ((rc = req_text(root, "ulid", ev->key, sizeof(ev->key), err)) < 0)
			goto fail;
	} else {
		snprintf(ev->key, sizeof(ev->key), "%lld", (long long)ev->id);
	}
	if (jsonx_str(root, "timestamp"))
		str_copy(ev->timestamp, sizeof(ev->timestamp), jsonx_str(root, "timestamp"));
	meta = json_object_get(root, "metadata");
	if (json_is_object(meta) && id_member(meta, "source_application_id", 0,
					      &ev->source_application_id, err) < 0) {
		rc = MLC_EINVAL;
		goto fail;
	}
	*payload = root;
	return MLC_OK;
fail:
	json_decref(root);
	return rc;
}

int webhook_parse_netsuite(const char *body, size_t len, struct netsuite_event *ev,
			   json_t **payload, struct mlc_error *err)
{
	json_t *root = load_object(body, len, err);
	int64_t ms;
	int rc;

	memset(ev, 0, sizeof(*ev));
	*payload = NULL;
	if (!root)
		return MLC_EINVAL;
	if ((rc = req_text(root, "recordType", ev->record_type, sizeof(ev->record_type), err)) < 0 ||
	    (rc = id_member(root, "id", 1, &ev->id, err)) < 0 ||
	    (rc = req_text(root, "lastModifiedDate", ev->last_modified, sizeof(ev->last_modified),
			   err)) < 0)
		goto fail;
	for (const char *p = ev->record_type; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '_') {
			rc = error_set(err, MLC_EINVAL, "recordType '%s' is not a record type name",
				       ev->record_type);
			goto fail;
		}
	}
	if (time_parse_rfc3339(ev->last_modified, &ms, err) < 0) {
		rc = error_prefix(err, "lastModifiedDate: ");
		goto fail;
	}
	{
		/* optional: who made the change (a number, or its text) */
		json_t *u = json_object_get(root, "user");
		const char *ctx = json_string_value(json_object_get(root, "executionContext"));
		if (json_is_integer(u)) {
			ev->has_user = true;
			ev->user = json_integer_value(u);
		} else if (json_is_string(u) && *json_string_value(u)) {
			char *end;
			long long v = strtoll(json_string_value(u), &end, 10);
			if (*end) {
				rc = error_set(err, MLC_EINVAL, "'user' is not an entity id");
				goto fail;
			}
			ev->has_user = true;
			ev->user = v;
		} else if (u && !json_is_null(u)) {
			rc = error_set(err, MLC_EINVAL, "'user' is not an entity id");
			goto fail;
		}
		if (ctx)
			snprintf(ev->context, sizeof(ev->context), "%s", ctx);
	}
	snprintf(ev->key, sizeof(ev->key), "%s:%lld:%s", ev->record_type, (long long)ev->id,
		 ev->last_modified);
	*payload = root;
	return MLC_OK;
fail:
	json_decref(root);
	return rc;
}
