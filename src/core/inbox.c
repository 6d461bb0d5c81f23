#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/inbox.h"
#include "util/buf.h"
#include "util/compat.h"
#include "util/log.h"
#include "util/time.h"
#include "util/banned.h"

void inbox_event_release(struct mlc_inbox_event *e)
{
	if (!e)
		return;
	free(e->source);
	free(e->event_key);
	json_decref(e->payload);
	memset(e, 0, sizeof(*e));
}

int inbox_add(struct mlc_store *s, int64_t tenant_id, const char *source, const char *event_key,
	      const json_t *payload, int *duplicate, int64_t *id, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	char *text = json_dumps(payload, JSON_COMPACT);
	bool durable = false;
	int rc;

	*duplicate = 0;
	*id = 0;
	/* the sender is told 2xx once this commits and will not send the
	 * event again: the commit must survive an OS crash (issue 21, item 6).
	 * Inside a caller's transaction its commit decides. */
	if (!store_in_transaction(s)) {
		rc = store_durable(s, true, err);
		if (rc < 0)
			goto out;
		durable = true;
	}
	rc = store_prepare(s,
			   "INSERT INTO inbox (tenant_id, source, event_key, payload, received_at) "
			   "VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, source, event_key) DO "
			   "NOTHING RETURNING id",
			   &st, err);
	if (rc == MLC_OK) {
		stmt_bind_i64(st, 1, tenant_id);
		stmt_bind_text(st, 2, source);
		stmt_bind_text(st, 3, event_key);
		stmt_bind_text(st, 4, text ? text : "{}");
		stmt_bind_i64(st, 5, time_now_ms());
		rc = stmt_step(st, err);
		if (rc == 1)
			*id = stmt_col_i64(st, 0);
		else if (rc == 0)
			*duplicate = 1;
		stmt_free(st); /* the autocommit ends here */
	}
out:
	if (durable) {
		struct mlc_error ignored = {0};
		if (store_durable(s, false, &ignored) < 0)
			log_warn("store: cannot restore synchronous=NORMAL", "error", ignored.msg);
	}
	free(text);
	return rc < 0 ? rc : MLC_OK;
}

int inbox_pending(struct mlc_store *s, int max, struct mlc_inbox_event **out, size_t *n,
		  struct mlc_error *err)
{
	return inbox_pending_before(s, max, INT64_MAX, out, n, err);
}

int inbox_pending_before(struct mlc_store *s, int max, int64_t before_ms,
			 struct mlc_inbox_event **out, size_t *n, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	struct mlc_inbox_event *list = NULL;
	size_t len = 0;
	json_error_t jerr;
	int rc;

	*out = NULL;
	*n = 0;
	rc = store_prepare(s,
			   "SELECT id, tenant_id, source, event_key, payload, received_at FROM "
			   "inbox WHERE state = 'new' AND received_at < ? ORDER BY id LIMIT ?",
			   &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, before_ms);
	stmt_bind_i64(st, 2, max > 0 ? max : 100);
	list = xcalloc((size_t)(max > 0 ? max : 100), sizeof(*list));
	while ((rc = stmt_step(st, err)) == 1) {
		struct mlc_inbox_event *e = &list[len++];
		e->id = stmt_col_i64(st, 0);
		e->tenant_id = stmt_col_i64(st, 1);
		e->source = stmt_col_dup(st, 2);
		e->event_key = stmt_col_dup(st, 3);
		e->payload = json_loads(stmt_col_text(st, 4), 0, &jerr);
		e->received_at = stmt_col_i64(st, 5);
	}
	stmt_free(st);
	if (rc < 0) {
		for (size_t i = 0; i < len; i++)
			inbox_event_release(&list[i]);
		free(list);
		return rc;
	}
	*out = list;
	*n = len;
	return MLC_OK;
}

static const char *const state_names[] = {
    [INBOX_NEW] = "new",
    [INBOX_DONE] = "done",
    [INBOX_IGNORED] = "ignored",
    [INBOX_UNUSABLE] = "unusable",
};

const char *inbox_state_name(enum inbox_state st)
{
	return (size_t)st < MLC_ARRAY_LEN(state_names) ? state_names[st] : "?";
}

int inbox_state_parse(const char *text, enum inbox_state *st)
{
	for (size_t i = 0; text && i < MLC_ARRAY_LEN(state_names); i++)
		if (strcmp(state_names[i], text) == 0) {
			*st = (enum inbox_state)i;
			return MLC_OK;
		}
	return MLC_EINVAL;
}

int inbox_set_state(struct mlc_store *s, int64_t id, enum inbox_state state, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc;

	if (state != INBOX_DONE && state != INBOX_IGNORED)
		return error_set(err, MLC_EINVAL, "an inbox event is not moved to '%s' this way",
				 inbox_state_name(state));
	rc =
	    store_prepare(s, "UPDATE inbox SET state = ?, processed_at = ? WHERE id = ?", &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_text(st, 1, inbox_state_name(state));
	stmt_bind_i64(st, 2, time_now_ms());
	stmt_bind_i64(st, 3, id);
	rc = stmt_step(st, err);
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}

int inbox_mark(struct mlc_store *s, int64_t id, const char *state, struct mlc_error *err)
{
	enum inbox_state st;

	if (inbox_state_parse(state, &st) < 0)
		return error_set(err, MLC_EINVAL, "'%s' is not an inbox state", state ? state : "");
	return inbox_set_state(s, id, st, err);
}

int inbox_mark_unusable(struct mlc_store *s, int64_t id, const char *reason, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc = store_prepare(s,
			       "UPDATE inbox SET state = 'unusable', reason = ?, processed_at = ? "
			       "WHERE id = ?",
			       &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_text(st, 1, reason);
	stmt_bind_i64(st, 2, time_now_ms());
	stmt_bind_i64(st, 3, id);
	rc = stmt_step(st, err);
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}

int inbox_unusable_summary(struct mlc_store *s, int64_t tenant_id, int64_t *count,
			   char **last_reason, int64_t *last_at, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc;

	*count = 0;
	*last_reason = NULL;
	*last_at = 0;
	rc = store_prepare(
	    s, "SELECT COUNT(*) FROM inbox WHERE tenant_id = ? AND state = 'unusable'", &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	rc = stmt_step(st, err);
	if (rc == 1)
		*count = stmt_col_i64(st, 0);
	stmt_free(st);
	if (rc < 0 || !*count)
		return rc < 0 ? rc : MLC_OK;
	rc = store_prepare(s,
			   "SELECT reason, received_at FROM inbox WHERE tenant_id = ? AND "
			   "state = 'unusable' ORDER BY id DESC LIMIT 1",
			   &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	rc = stmt_step(st, err);
	if (rc == 1) {
		*last_reason = stmt_col_dup(st, 0);
		*last_at = stmt_col_i64(st, 1);
	}
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}

int inbox_insert_many(struct mlc_store *s, struct mlc_inbox_new **rows, size_t n,
		      struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc;

	if (!n)
		return MLC_OK;
	rc = store_prepare(s,
			   "INSERT INTO inbox (tenant_id, source, event_key, payload, state, "
			   "reason, received_at, processed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON "
			   "CONFLICT (tenant_id, source, event_key) DO NOTHING RETURNING id",
			   &st, err);
	for (size_t i = 0; i < n && rc >= 0; i++) {
		struct mlc_inbox_new *r = rows[i];
		int64_t now = time_now_ms();
		if (!r)
			continue;
		stmt_reset(st);
		stmt_bind_i64(st, 1, r->tenant_id);
		stmt_bind_text(st, 2, r->source);
		stmt_bind_text(st, 3, r->event_key);
		stmt_bind_text(st, 4, r->payload);
		stmt_bind_text(st, 5, inbox_state_name(r->state));
		stmt_bind_text(st, 6, r->state == INBOX_UNUSABLE ? r->reason : NULL);
		stmt_bind_i64(st, 7, now);
		if (r->state == INBOX_NEW)
			stmt_bind_null(st, 8);
		else
			stmt_bind_i64(st, 8, now);
		rc = stmt_step(st, err);
		if (rc < 0)
			break;
		r->duplicate = rc == 0;
		r->id = rc == 1 ? stmt_col_i64(st, 0) : 0;
		/* past the RETURNING row, so that the insert is complete */
		if (rc == 1)
			rc = stmt_step(st, err);
	}
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}

int inbox_mark_done_many(struct mlc_store *s, const int64_t *ids, size_t n, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc;

	if (!n)
		return MLC_OK;
	rc = store_prepare(s,
			   "UPDATE inbox SET state = 'done', processed_at = ? WHERE id = ? AND "
			   "state = 'new'",
			   &st, err);
	for (size_t i = 0; i < n && rc >= 0; i++) {
		stmt_reset(st);
		stmt_bind_i64(st, 1, time_now_ms());
		stmt_bind_i64(st, 2, ids[i]);
		rc = stmt_step(st, err);
	}
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}
