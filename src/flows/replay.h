#ifndef MLC_REPLAY_H
#define MLC_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "flows/flow.h"
#include "flows/session.h"
#include "util/error.h"

/*
 * Replaying records (`ml-connector replay` in cli/cli_audit.c and the
 * console's POST replay in server/api_actions.c): the flows of the chosen
 * audit rows run again, once each, in full (trigger "replay"): what is
 * unchanged is skipped, what failed is written again, idempotently
 * (origin ids, externalIds).
 *
 * The caller opens the sessions: open(arg, fd, &s, err) gives a session
 * for the tenant with the systems flow fd needs (replay_records frees it).
 */
typedef int (*replay_open_fn)(void *arg, const struct flow_def *fd, struct mlc_session **s,
			      struct mlc_error *err);

/*
 * rows: audit rows (audit_get's shape).  Each flow they name runs once;
 * the answer (caller decrefs) has, for each row of a known flow, in the
 * order of the flows, {"id", "source_ref"?, "flow", "outcome", "error"?}:
 * outcome is the record's action in this run's plan, "unchanged" when the
 * run did not touch it, "fail" when its flow gave no plan (the session
 * could not be opened, or the flow failed before planning); error is the
 * flow's error when it failed.  *still counts the outcomes "fail".
 */
json_t *replay_records(const json_t *rows, replay_open_fn open, void *arg, size_t *still);

#endif
