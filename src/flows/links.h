#ifndef MLC_LINKS_H
#define MLC_LINKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/project.h"
#include "flows/session.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Project links checked against both systems: what NetSuite needs for a
 * journal entry of a project to be accepted (the job, its subsidiary, and
 * dimensions available to that subsidiary) and the Procore project the
 * link names.  `project link` fills a link from its job; `ping` and
 * `mapping check` run links_check; the costs flow refuses to post a link
 * that links_postable rejects.
 *
 * Facts relied on (docs/reference/netsuite.md, "Verified facts"; records.json):
 *  - the REST job record carries `subsidiary` and `parent` (the customer);
 *    SuiteQL's `job` table documents no subsidiary, so the job is read over REST;
 *  - department, classification and location have `isinactive`, a
 *    multi-select `subsidiary` ("1, 3", suiteql.md V8) and `includechildren`,
 *    which extends the record to every sub-subsidiary of each listed
 *    subsidiary (SuiteScript Records Browser, Department/Classification:
 *    "Include Children");
 *  - subsidiaries form a tree through `parent`.
 */

/* The job as a link needs it. */
struct mlc_link_job {
	int64_t id;
	int64_t subsidiary_id; /* 0: the job names none */
	int64_t customer_id;   /* the job's parent; 0: none */
	bool inactive;
	char name[160];
};

/*
 * GET /record/v1/job/<id>.  MLC_ENOTFOUND (with a sentence) when NetSuite
 * has no such job; any other failure as the adapter gives it.
 */
int links_read_job(struct mlc_session *s, int64_t job_id, struct mlc_link_job *out,
		   struct mlc_error *err) MLC_MUST_CHECK;

/*
 * Completes a link from its job before it is stored: subsidiary_id (unless
 * set) and customer_id.  A subsidiary given by the caller must be the job's:
 * MLC_EINVAL naming both otherwise.  A missing or inactive job, or a job
 * without a subsidiary, is MLC_EINVAL too.  *job (may be NULL) gets what
 * was read.  Nothing is stored here.
 */
int links_resolve(struct mlc_session *s, struct mlc_project_link *l, struct mlc_link_job *job,
		  struct mlc_error *err) MLC_MUST_CHECK;

/*
 * Checks every active link of the session's tenant (module comment).
 * *results (caller decrefs) has one object per link, in Procore project
 * order: {procore_project_id, netsuite_job_id, ok, procore_ok (the Procore
 * project answered), problems: [text], detail: text, fix: text or null}.  detail is "project P ->
 * job J: ..." : what was found when ok, else the problems and the exact command that fixes them.
 * Fails only when the checks cannot run at all (NetSuite or Procore unreachable, the store
 * unreadable).
 */
int links_check(struct mlc_session *s, json_t **results, struct mlc_error *err) MLC_MUST_CHECK;

/*
 * Whether journal entries for the link can be posted without NetSuite
 * rejecting them for a missing subsidiary: MLC_ECONFIG with the fix
 * (relink, which reads the subsidiary from the job) when the link has none.
 */
int links_postable(const struct mlc_project_link *l, const char *tenant,
		   struct mlc_error *err) MLC_MUST_CHECK;

/*
 * Is a department / class / location whose multi-select subsidiary
 * column is subs ("1, 3"; NULL or empty: no restriction) available to
 * subsidiary sub?  With include_children, sub-subsidiaries of the listed
 * ones are too; parents maps a subsidiary id (text) to its parent id
 * (integer), as read from the subsidiary table.
 */
bool links_available(const char *subs, bool include_children, int64_t sub, const json_t *parents);

#endif
