/*
 * One cost code for a webhook event (flows/cost_codes_one.h): the
 * cost-codes flow's read (cc_load), then cc_sync_code() for the code the
 * event names, under its lock; for a NetSuite push, the value it names
 * read alone (ns_cost_code_one) in place of the segment's list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/project.h"
#include "flows/cost_codes_int.h"
#include "flows/cost_codes_one.h"
#include "flows/doc_lock.h"
#include "util/banned.h"

/* The full code of code id in the project's list (caller frees), or NULL
 * when the list does not hold it as a code. */
static char *code_named(const struct cc_ctx *c, int64_t project_id, int64_t id)
{
	for (size_t i = 0; i < c->npj; i++) {
		const struct pc_cc_list *cl = &c->pj[i].cl;
		if (c->pj[i].sc.standard || c->pj[i].sc.id != project_id)
			continue;
		for (size_t j = 0; j < cl->ncodes; j++)
			if (cl->codes[j].id == id)
				return xstrdup(cl->codes[j].full_code);
	}
	return NULL;
}

/* Aligns code under its lock, as a run does each code. */
static int sync_one(struct cc_ctx *c, const char *code, struct mlc_error *err)
{
	char key[160];

	cc_lock_key(c, code, key, sizeof(key));
	doc_lock(key);
	cc_sync_code(c, code);
	doc_unlock(key);
	if (c->failed)
		return error_set(err, MLC_ETRANSIENT,
				 "cost code %s was not aligned; the next run of cost-codes retries",
				 code);
	return MLC_OK;
}

int cost_codes_one(struct flow_run *r, int64_t project_id, int64_t code_id, bool *handled,
		   struct mlc_error *err)
{
	struct mlc_session *s = r->s;
	struct cc_ctx c = {.r = r, .event = true};
	struct mlc_project_link link;
	char *code = NULL;
	int rc;

	*handled = false;
	rc = project_get(s->store, s->tenant.id, project_id, &link, err);
	if (rc == MLC_ENOTFOUND || (rc >= 0 && !link.active)) {
		*handled = true; /* not a linked project: its codes are not synced */
		error_clear(err);
		return MLC_OK;
	}
	if (rc < 0)
		return rc;
	rc = segment_resolve(s, &c.seg, err);
	if (rc < 0 || !c.seg.use)
		goto out; /* no segment: the flow parks that */
	rc = cc_load(&c, err);
	if (rc < 0)
		goto out;
	code = code_named(&c, project_id, code_id);
	if (!code)
		goto out;
	*handled = true;
	rc = sync_one(&c, code, err);
out:
	free(code);
	cc_release(&c);
	return rc;
}

int cost_codes_one_netsuite(struct flow_run *r, const char *record_type, int64_t value_id,
			    bool *handled, struct mlc_error *err)
{
	struct mlc_session *s = r->s;
	struct cc_ctx c = {.r = r, .event = true, .ns_given = true};
	struct ns_cost_code v;
	bool found = false;
	int rc;

	*handled = false;
	rc = segment_resolve(s, &c.seg, err);
	if (rc < 0 || !c.seg.use)
		goto out; /* no segment: the flow parks that */
	if (strcasecmp(record_type, c.seg.table) != 0) {
		*handled = true; /* another segment's value: the flow reads only its own */
		goto out;
	}
	rc = ns_cost_code_one(s->ns, c.seg.table, value_id, &v, &found, err);
	if (rc < 0 || !found)
		goto out;
	c.ns = xcalloc(1, sizeof(*c.ns));
	c.ns[0] = v;
	c.nns = 1;
	rc = cc_load(&c, err);
	if (rc < 0)
		goto out;
	*handled = true;
	rc = sync_one(&c, c.ns[0].code, err);
out:
	cc_release(&c);
	return rc;
}
