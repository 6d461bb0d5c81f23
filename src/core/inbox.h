#ifndef MLC_INBOX_H
#define MLC_INBOX_H

#include <stdint.h>

#include <jansson.h>

#include "core/store.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The durable webhook inbox.  An accepted event is written here, and
 * committed, before the HTTP 2xx goes back; processing is at-least-once
 * and deduplicated by (tenant, source, event_key): Procore's ulid (or id),
 * NetSuite's record type + id + lastmodifieddate.
 *
 * States: new -> done | failed (kept for replay).
 */
struct mlc_inbox_event {
	int64_t id;
	int64_t tenant_id;
	char *source;     /* "procore" | "netsuite" */
	char *event_key;
	json_t *payload;  /* owned */
	int64_t received_at;
};

void inbox_event_release(struct mlc_inbox_event *e);
/* Stores an event.  *duplicate is set when the key was already stored
 * (nothing written then; not an error). */
int inbox_add(struct mlc_store *s, int64_t tenant_id, const char *source, const char *event_key,
	      const json_t *payload, int *duplicate, int64_t *id,
	      struct mlc_error *err) MLC_MUST_CHECK;
/* Up to max events in state 'new', oldest first.  Caller frees the array
 * and releases each event. */
int inbox_pending(struct mlc_store *s, int max, struct mlc_inbox_event **out, size_t *n,
		  struct mlc_error *err) MLC_MUST_CHECK;
int inbox_mark(struct mlc_store *s, int64_t id, const char *state,
	       struct mlc_error *err) MLC_MUST_CHECK;

#endif
