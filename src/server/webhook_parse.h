#ifndef MLC_WEBHOOK_PARSE_H
#define MLC_WEBHOOK_PARSE_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "util/compat.h"
#include "util/error.h"

/*
 * Validation of webhook bodies from outside, before anything is stored.
 * Both parsers take raw bytes (any content, any size up to the server's
 * limit).
 */

/*
 * A Procore delivery in any of the three payload versions
 * (docs/reference/procore/webhook-payloads.md):
 *   v2  int ids, ulid, metadata{source_application_id: string|null},
 *       event_type, resource_name, api_version "v2" or "v2.0";
 *   v3  v2 plus related_resources[{id, name}], api_version "v3.0";
 *   v4  string ids, reason (for event_type), resource_type (for
 *       resource_name), no ulid/metadata/api_version, optional data{}.
 * Every id is read as int64 from a JSON integer or a numeric string, never
 * through a double.  Fields beyond these are tolerated.
 *
 * Invariant: key is never empty after a successful parse.  When unusable
 * is empty the event names a resource, an event type the connector knows,
 * a company and a resource id; otherwise unusable says, in one sentence
 * fit for logs and `status`, what the connector cannot use.
 */
struct procore_event {
	int version;  /* 2, 3 or 4; 0 when the body says none we know */
	char key[80]; /* dedup: v2/v3 ulid, else the id in decimal; v4 the string id;
			 "body:<hash>" when there is no usable id */
	int64_t id;   /* the event id as an integer, 0 if it is not one (v4 ULIDs) */
	int64_t company_id;
	int64_t project_id; /* 0: company-level (Company Vendors) or absent */
	int64_t user_id;    /* who made the change; 0 when absent */
	int64_t resource_id;
	int64_t parent_id;               /* v3: the first related_resources id, else 0 */
	char parent_name[96];            /* v3: its name ("Direct Costs"), else "" */
	char source_application_id[128]; /* v2/v3 metadata: the client id of the app that made
					    the change; "" when null or absent */
	char resource_name[96];          /* v2/v3 resource_name, v4 resource_type */
	char event_type[32];             /* v2/v3 event_type, v4 reason */
	char timestamp[48];
	char unusable[224]; /* "" when the event is usable, else why not */
};

/*
 * Parses a Procore delivery.  Returns MLC_EINVAL (err filled, *payload
 * NULL) only when the body is not JSON or not a JSON object: the sender
 * gets a 400.  Every JSON object returns MLC_OK with *payload set (caller
 * decrefs) and ev filled as far as it goes; ev->unusable tells whether the
 * connector can act on it.  Whether the resource is one the connector
 * routes is decided by the caller (server/webhook_resources.h).
 */
int webhook_parse_procore(const char *body, size_t len, struct procore_event *ev, json_t **payload,
			  struct mlc_error *err) MLC_MUST_CHECK;

/* The resource name of a stored Procore payload of any version
 * (resource_name, or v4 resource_type), or NULL. */
const char *webhook_procore_resource(const json_t *payload);

/* A NetSuite push from our user event script: {recordType, id,
 * lastModifiedDate} (+ optional "event", and "user" / "executionContext"
 * from N/runtime: who made the change). */
struct netsuite_event {
	char key[160]; /* "<recordType>:<id>:<lastModifiedDate>" */
	char record_type[48];
	int64_t id;
	char last_modified[48];
	bool has_user;
	int64_t user;     /* the entity that made the change (may be negative: -4 system) */
	char context[32]; /* "RESTWEBSERVICES", "USERINTERFACE", ... or "" */
};

int webhook_parse_netsuite(const char *body, size_t len, struct netsuite_event *ev,
			   json_t **payload, struct mlc_error *err) MLC_MUST_CHECK;

#endif
