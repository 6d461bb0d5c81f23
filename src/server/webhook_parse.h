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
 * limit) and either fill the event or return MLC_EINVAL with a reason fit
 * for a 400 body and a log line.
 */

/* A Procore v2 delivery (reference: docs/reference/procore.md, Webhooks). */
struct procore_event {
	char key[64];            /* ulid, or the id in decimal when no ulid */
	int64_t id;
	int64_t company_id;
	int64_t project_id;      /* 0: company-level (Company Vendors) */
	int64_t resource_id;
	int64_t source_application_id; /* 0 when absent */
	char resource_name[96];  /* "Direct Costs" */
	char event_type[16];     /* create | update | delete */
	char timestamp[48];
};

int webhook_parse_procore(const char *body, size_t len, struct procore_event *ev,
			  json_t **payload, struct mlc_error *err) MLC_MUST_CHECK;

/* A NetSuite push from our user event script: {recordType, id,
 * lastModifiedDate} (+ optional "event", and "user" / "executionContext"
 * from N/runtime: who made the change). */
struct netsuite_event {
	char key[160];           /* "<recordType>:<id>:<lastModifiedDate>" */
	char record_type[48];
	int64_t id;
	char last_modified[48];
	bool has_user;
	int64_t user;            /* the entity that made the change (may be negative: -4 system) */
	char context[32];        /* "RESTWEBSERVICES", "USERINTERFACE", ... or "" */
};

int webhook_parse_netsuite(const char *body, size_t len, struct netsuite_event *ev,
			   json_t **payload, struct mlc_error *err) MLC_MUST_CHECK;

#endif
