#ifndef MLC_HTTP_NOTE_H
#define MLC_HTTP_NOTE_H

#include <stdbool.h>

#include "net/http_client.h"

/*
 * The last write this thread sent, for the audit (issue 21: every retry
 * in the audit).  The client reports attempts per request in struct
 * mlc_http_resp (attempts, retried); the adapters note each write they
 * send (never reads, SuiteQL included) and the flow that records the
 * write's outcome takes the note into that record's audit row.  net
 * calls nothing above it: the note is a thread-local the upper layers
 * read, one per thread (a flow runs on one thread).
 *
 * Taking clears it, so a request's retries are counted once: of the
 * records one batch call wrote, the first recorded carries the attempts.
 */
struct mlc_http_write_note {
	int attempts;                   /* sends made, 1 when none was retried */
	char retried[HTTP_RETRIED_MAX]; /* as mlc_http_resp.retried: "503,reset" */
	char summary[HTTP_SUMMARY_MAX]; /* "PATCH /rest/v1.0/vendors/sync" */
};

/* Notes req's outcome in resp as this thread's last write (replacing any). */
void http_write_note_set(const struct mlc_http_req *req, const struct mlc_http_resp *resp);
/* Moves the note into *out and clears it; false (and *out zeroed) when
 * no write was noted since the last take or clear. */
bool http_write_note_take(struct mlc_http_write_note *out);
void http_write_note_clear(void);

#endif
