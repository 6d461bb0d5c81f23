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
 * States (enum inbox_state; the text is the stored `state` column):
 *  - new: stored, no sync job enqueued for it yet.  The webhook handler
 *    marks the flow the registry names (flows/flow.h) pending in memory;
 *    the scheduler's drain (server/scheduler.c) enqueues one run per
 *    tenant and flow and marks the rows done, and its scan picks up what
 *    is left 'new' (a crash, a failed enqueue) later.  An event no flow
 *    routes is stored as ignored at once.
 *  - done: a sync job for its flow was enqueued, or (a record event,
 *    server/record_events.h) the record it names was posted.  The outcome
 *    is in the run and audit tables, not here.
 *  - ignored: an echo of the connector's own write, an event no flow
 *    routes, or one whose tenant is gone; kept so the record of what
 *    arrived is complete.
 *  - unusable: stored as it arrived, with the reason the connector cannot
 *    act on it (a field missing or unknown), so the sender got its 2xx and
 *    a person can see what came (inbox_mark_unusable).
 * Nothing leaves done, ignored or unusable.
 */
enum inbox_state {
	INBOX_NEW,
	INBOX_DONE,
	INBOX_IGNORED,
	INBOX_UNUSABLE,
};

/* The stored text of a state ("new", "done", "ignored", "unusable"). */
const char *inbox_state_name(enum inbox_state st);
/* The state of a stored text; MLC_EINVAL for any other text. */
int inbox_state_parse(const char *text, enum inbox_state *st) MLC_MUST_CHECK;

struct mlc_inbox_event {
	int64_t id;
	int64_t tenant_id;
	char *source; /* "procore" | "netsuite" */
	char *event_key;
	json_t *payload; /* owned */
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
/* inbox_pending() for events received before before_ms only. */
int inbox_pending_before(struct mlc_store *s, int max, int64_t before_ms,
			 struct mlc_inbox_event **out, size_t *n,
			 struct mlc_error *err) MLC_MUST_CHECK;
/* One event for inbox_insert_many(). */
struct mlc_inbox_new {
	int64_t tenant_id;
	const char *source; /* "procore" | "netsuite" */
	const char *event_key;
	const char *payload;    /* JSON text */
	enum inbox_state state; /* stored as: new, ignored or unusable */
	const char *reason;     /* unusable: the reason (one sentence, no secret) */
	/* results */
	int duplicate; /* the key was stored already: nothing written */
	int64_t id;
};

/*
 * Inserts rows (NULL entries are skipped) with one prepared statement, in
 * the state each names (a row not 'new' gets its processed time too).
 * Meant for a caller's transaction, whose commit decides: the webhook
 * intake's group commit (server/intake.h).  On error the caller rolls
 * back; the results of the rows before it mean nothing then.
 */
int inbox_insert_many(struct mlc_store *s, struct mlc_inbox_new **rows, size_t n,
		      struct mlc_error *err) MLC_MUST_CHECK;
/* Marks the rows ids done that are still 'new' (one prepared statement). */
int inbox_mark_done_many(struct mlc_store *s, const int64_t *ids, size_t n,
			 struct mlc_error *err) MLC_MUST_CHECK;

/* Moves an event to done or ignored (unusable needs a reason:
 * inbox_mark_unusable; new is never set again): MLC_EINVAL otherwise. */
int inbox_set_state(struct mlc_store *s, int64_t id, enum inbox_state state,
		    struct mlc_error *err) MLC_MUST_CHECK;
/* inbox_set_state() by the state's text; MLC_EINVAL for an unknown one. */
int inbox_mark(struct mlc_store *s, int64_t id, const char *state,
	       struct mlc_error *err) MLC_MUST_CHECK;

/* Marks a stored event unusable with its reason (one sentence, no secret). */
int inbox_mark_unusable(struct mlc_store *s, int64_t id, const char *reason,
			struct mlc_error *err) MLC_MUST_CHECK;

/* The tenant's unusable events: how many, and the latest one's reason and
 * receive time (*last_reason NULL and *last_at 0 when there is none).
 * Caller frees *last_reason. */
int inbox_unusable_summary(struct mlc_store *s, int64_t tenant_id, int64_t *count,
			   char **last_reason, int64_t *last_at,
			   struct mlc_error *err) MLC_MUST_CHECK;

#endif
