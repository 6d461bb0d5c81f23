#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/webhook_parse.h"
#include "util/digest.h"
#include "util/jsonx.h"
#include "util/num.h"
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

/* Printable, non-empty and shorter than n: fit for a key or a label. */
static bool short_text(const char *v, size_t n)
{
	if (!v || !*v || strlen(v) >= n)
		return false;
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* The first field problem wins; later ones are not worth a second line. */
static void unusable(struct procore_event *ev, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void unusable(struct procore_event *ev, const char *fmt, ...)
{
	va_list ap;

	if (ev->unusable[0])
		return;
	va_start(ap, fmt);
	vsnprintf(ev->unusable, sizeof(ev->unusable), fmt, ap);
	va_end(ap);
}

/* Copies a text member the event needs; marks the event when it is
 * missing or unfit. */
static void need_text(struct procore_event *ev, const json_t *o, const char *key, char *out,
		      size_t n)
{
	const char *v = jsonx_str(o, key);

	if (!v || !*v)
		unusable(ev, "missing or non-string '%s'", key);
	else if (!short_text(v, n))
		unusable(ev, "'%s' is too long or holds control characters", key);
	else
		str_copy(out, n, v);
}

static void need_id(struct procore_event *ev, const json_t *o, const char *key, int required,
		    int64_t *out)
{
	struct mlc_error e = {0};

	if (id_member(o, key, required, out, &e) < 0)
		unusable(ev, "%s", e.msg);
}

/* v2/v3 carry api_version; v4 carries none and says reason/resource_type. */
static int payload_version(const json_t *root, struct procore_event *ev)
{
	json_t *v = json_object_get(root, "api_version");
	const char *s = json_string_value(v);

	if (s) {
		if (!strcmp(s, "v2") || !strcmp(s, "v2.0"))
			return 2;
		if (!strcmp(s, "v3") || !strcmp(s, "v3.0"))
			return 3;
		if (!strcmp(s, "v4") || !strcmp(s, "v4.0"))
			return 4;
		unusable(ev, "api_version '%.40s' is not v2, v3 or v4", s);
		return 0;
	}
	if (v && !json_is_null(v)) {
		unusable(ev, "api_version is not a string");
		return 0;
	}
	if (json_object_get(root, "reason") || json_object_get(root, "resource_type"))
		return 4;
	if (json_object_get(root, "related_resources"))
		return 3;
	if (json_object_get(root, "event_type") || json_object_get(root, "resource_name"))
		return 2;
	unusable(ev, "neither event_type/resource_name (v2, v3) nor reason/resource_type (v4)");
	return 0;
}

/* The dedup key: v2/v3 ulid, else the id; v4 the string id.  A body with
 * no usable id is keyed by its hash, so a redelivery still dedupes. */
static void event_key(const char *body, size_t len, const json_t *root, struct procore_event *ev)
{
	json_t *id = json_object_get(root, "id");
	const char *ulid = jsonx_str(root, "ulid");

	if (ev->version != 4 && ulid && *ulid) {
		if (short_text(ulid, 64)) {
			str_copy(ev->key, sizeof(ev->key), ulid);
		} else {
			unusable(ev, "'ulid' is too long or holds control characters");
		}
	}
	if (json_is_integer(id) && json_integer_value(id) > 0) {
		ev->id = json_integer_value(id);
	} else if (json_is_string(id) && short_text(json_string_value(id), 64)) {
		/* v4 ids are strings (a ULID in Procore's sample); a numeric
		 * one is an integer too */
		if (num_parse_id(json_string_value(id), &ev->id, NULL) < 0)
			ev->id = 0;
	} else {
		unusable(ev, "'id' is missing or not an event id");
	}
	if (!ev->key[0]) {
		if (json_is_string(id) && short_text(json_string_value(id), 64))
			str_copy(ev->key, sizeof(ev->key), json_string_value(id));
		else if (ev->id)
			snprintf(ev->key, sizeof(ev->key), "%lld", (long long)ev->id);
	}
	if (!ev->key[0]) {
		char hex[MLC_DIGEST_HEX];
		digest_bytes(body, len, hex);
		snprintf(ev->key, sizeof(ev->key), "body:%s", hex);
	}
}

/* metadata.source_application_id is the client id (a string) of the app
 * that made the change, or null; an integer is tolerated as its digits.
 * source_operation_id (string or null) is not used. */
static void source_application(const json_t *root, struct procore_event *ev)
{
	json_t *meta = json_object_get(root, "metadata");
	json_t *app = json_object_get(meta, "source_application_id");

	if (!json_is_object(meta))
		return;
	if (json_is_string(app) &&
	    short_text(json_string_value(app), sizeof(ev->source_application_id)))
		str_copy(ev->source_application_id, sizeof(ev->source_application_id),
			 json_string_value(app));
	else if (json_is_integer(app))
		snprintf(ev->source_application_id, sizeof(ev->source_application_id), "%lld",
			 (long long)json_integer_value(app));
}

/* v3: the parent of a line item, when Procore names one. */
static void related(const json_t *root, struct procore_event *ev)
{
	json_t *rel = json_object_get(root, "related_resources"), *first;

	if (!rel || json_is_null(rel))
		return;
	if (!json_is_array(rel)) {
		unusable(ev, "'related_resources' is not an array");
		return;
	}
	first = json_array_get(rel, 0);
	if (!first)
		return;
	if (!json_is_object(first) || jsonx_id(first, "id", &ev->parent_id) < 0) {
		ev->parent_id = 0;
		unusable(ev, "related_resources[0] has no usable 'id'");
		return;
	}
	if (short_text(jsonx_str(first, "name"), sizeof(ev->parent_name)))
		str_copy(ev->parent_name, sizeof(ev->parent_name), jsonx_str(first, "name"));
}

int webhook_parse_procore(const char *body, size_t len, struct procore_event *ev, json_t **payload,
			  struct mlc_error *err)
{
	json_t *root = load_object(body, len, err);
	bool v4;

	memset(ev, 0, sizeof(*ev));
	*payload = NULL;
	if (!root)
		return MLC_EINVAL;
	ev->version = payload_version(root, ev);
	v4 = ev->version == 4;
	event_key(body, len, root, ev);
	need_id(ev, root, "company_id", 1, &ev->company_id);
	need_id(ev, root, "project_id", 0, &ev->project_id);
	need_id(ev, root, "resource_id", 1, &ev->resource_id);
	need_id(ev, root, "user_id", 0, &ev->user_id);
	need_text(ev, root, v4 ? "resource_type" : "resource_name", ev->resource_name,
		  sizeof(ev->resource_name));
	need_text(ev, root, v4 ? "reason" : "event_type", ev->event_type, sizeof(ev->event_type));
	/* v4 reason "can hold values other than create/update/delete"
	 * (webhook-payloads.md section 4): those are stored, not acted on */
	if (ev->event_type[0] && strcmp(ev->event_type, "create") &&
	    strcmp(ev->event_type, "update") && strcmp(ev->event_type, "delete"))
		unusable(ev, "%s '%s' is not create, update or delete",
			 v4 ? "reason" : "event_type", ev->event_type);
	if (short_text(jsonx_str(root, "timestamp"), sizeof(ev->timestamp)))
		str_copy(ev->timestamp, sizeof(ev->timestamp), jsonx_str(root, "timestamp"));
	if (!v4)
		source_application(root, ev);
	if (ev->version == 3 || json_object_get(root, "related_resources"))
		related(root, ev);
	*payload = root;
	return MLC_OK;
}

const char *webhook_procore_resource(const json_t *payload)
{
	const char *name = jsonx_str(payload, "resource_name");

	return name ? name : jsonx_str(payload, "resource_type");
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
	rc = req_text(root, "recordType", ev->record_type, sizeof(ev->record_type), err);
	if (rc >= 0)
		rc = id_member(root, "id", 1, &ev->id, err);
	if (rc >= 0)
		rc = req_text(root, "lastModifiedDate", ev->last_modified,
			      sizeof(ev->last_modified), err);
	if (rc < 0)
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
