/*
 * A locked commitment's change order (po_cco.h).  The state Procore holds
 * (the schedule of values and every change order of the contract) is read
 * first; po_cco_plan() turns it into the lines to write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/idmap.h"
#include "flows/po_cco.h"
#include "flows/session.h"
#include "procore/pc_change_orders.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/banned.h"

struct cco_work {
	struct flow_run *r;
	const struct po_plan *p;
	struct pc_sov_line *sov;
	size_t nsov;
	struct pc_cco *ccos;
	size_t nccos;
	const struct pc_cco *mine;
	char number[96];
};

/* A change order line belongs to PO line origin when its description
 * starts with it (the connector writes "<origin> <memo>"). */
static bool line_of(const struct pc_cco_line *l, const char *origin)
{
	size_t n = strlen(origin);
	return strncmp(l->description, origin, n) == 0 &&
	       (l->description[n] == ' ' || l->description[n] == '\0');
}

static bool counts(const struct pc_cco *c)
{
	return strcmp(c->status, "void") != 0 && strcmp(c->status, "rejected") != 0;
}

/* What Procore holds for plan line i. */
static void state_of(const struct cco_work *w, size_t i, struct po_cco_state *st)
{
	const struct po_line_plan *lp = &w->p->lines[i];
	size_t k, j;

	memset(st, 0, sizeof(*st));
	for (k = 0; k < w->nsov; k++) {
		const struct pc_sov_line *s = &w->sov[k];
		if (strcmp(s->origin_id, lp->origin) == 0) {
			st->sov_line_id = s->id;
			st->wbs_code_id = s->wbs_code_id;
			st->held = s->amount;
		} else if (!st->wbs_code_id && s->cost_code_id == lp->line.cost_code_id &&
			   s->line_item_type_id == lp->line.line_item_type_id) {
			st->wbs_code_id = s->wbs_code_id; /* a new line: a sibling's WBS code */
		}
	}
	for (k = 0; k < w->nccos; k++) {
		const struct pc_cco *c = &w->ccos[k];
		for (j = 0; j < c->nlines; j++) {
			if (!line_of(&c->lines[j], lp->origin))
				continue;
			if (c == w->mine) {
				st->mine_id = c->lines[j].id;
				st->mine = c->lines[j].amount;
			} else if (counts(c)) {
				st->held += c->lines[j].amount;
			}
		}
	}
}

/* Finds or creates the order and writes its lines.  < 0 on failure (err set). */
static int write_order(struct cco_work *w, const struct po_cco_write *wr, int n, int64_t *cco_id,
		       struct mlc_error *err)
{
	struct mlc_procore *pc = w->r->s->pc;
	const struct po_plan *p = w->p;
	char title[160];
	int rc = MLC_OK;

	*cco_id = w->mine ? w->mine->id : 0;
	if (!*cco_id && n > 0) {
		snprintf(title, sizeof(title), "NetSuite change to %.120s", p->title);
		rc = procore_cco_create(pc, p->project_id, p->contract_id, w->number, title, cco_id,
					err);
		if (rc < 0)
			return rc;
		flow_record(w->r, FLOW_CREATE, "cco", p->src, NULL, NULL, NULL);
	}
	for (int k = 0; k < n && rc == MLC_OK; k++) {
		const struct po_line_plan *lp = &p->lines[wr[k].line];
		struct pc_cco_line l = {.id = wr[k].id,
					.commitment_line_item_id = wr[k].sov_line_id,
					.wbs_code_id = wr[k].wbs_code_id,
					.amount = wr[k].delta};
		snprintf(l.description, sizeof(l.description), "%.63s%s%.90s", lp->origin,
			 lp->line.description ? " " : "",
			 lp->line.description ? lp->line.description : "");
		rc = procore_cco_line_write(pc, p->project_id, *cco_id, &l, err);
	}
	return rc;
}

/* The status of the tenant setting, once the lines are in. */
static int settle_status(struct cco_work *w, int64_t cco_id, struct mlc_error *err)
{
	const char *want = session_setting_str(w->r->s, "commitments.change_order_status", "draft");
	const char *have = w->mine ? w->mine->status : "draft";

	if (!cco_id || strcmp(want, have) == 0)
		return MLC_OK;
	return procore_cco_set_status(w->r->s->pc, w->p->project_id, cco_id, want, err);
}

static void settle_lines(struct cco_work *w, const struct po_cco_state *st, int64_t cco_id,
			 int *failed)
{
	struct mlc_session *s = w->r->s;
	char pk[32], target[64];
	size_t i;

	snprintf(target, sizeof(target), "pc:commitment_change_order:%lld", (long long)cco_id);
	for (i = 0; i < w->p->nlines; i++) {
		const struct po_line_plan *lp = &w->p->lines[i];
		struct mlc_error e2 = {0};
		snprintf(pk, sizeof(pk), "%lld",
			 (long long)(st[i].sov_line_id ? st[i].sov_line_id : lp->line.id));
		if (idmap_put(s->store, s->tenant.id, "poline", lp->origin + strlen("ns:poline:"),
			      pk, lp->hash, &e2) < 0) {
			flow_record(w->r, FLOW_FAIL, "poline", lp->origin, target, NULL, e2.msg);
			*failed = 1;
			continue;
		}
		flow_record(w->r, FLOW_UPDATE, "poline", lp->origin, target, NULL,
			    "the commitment is locked: changed by change order");
	}
}

static int read_state(struct cco_work *w, struct mlc_error *err)
{
	struct mlc_procore *pc = w->r->s->pc;
	int rc;

	rc = procore_sov_lines(pc, w->p->project_id, w->p->contract_id, &w->sov, &w->nsov, err);
	if (rc >= 0)
		rc =
		    procore_ccos(pc, w->p->project_id, w->p->contract_id, &w->ccos, &w->nccos, err);
	po_cco_number(w->p, w->p->header.number, w->number, sizeof(w->number));
	for (size_t k = 0; rc >= 0 && k < w->nccos; k++)
		if (strcmp(w->ccos[k].number, w->number) == 0)
			w->mine = &w->ccos[k];
	return rc;
}

void po_cco_apply(struct flow_run *r, const struct po_plan *p, int *failed)
{
	struct cco_work w = {.r = r, .p = p};
	struct po_cco_state *st = xcalloc(p->nlines + 1, sizeof(*st));
	struct po_cco_write *wr = xcalloc(p->nlines + 1, sizeof(*wr));
	struct mlc_error err = {0};
	char why[512];
	int64_t cco_id = 0;
	int n;

	if (read_state(&w, &err) < 0)
		goto fail;
	for (size_t i = 0; i < p->nlines; i++)
		state_of(&w, i, &st[i]);
	n = po_cco_plan(p, st, wr, why, sizeof(why));
	if (n < 0) {
		if (flow_park(r, "po", p->src, NULL, why, NULL) < 0)
			*failed = 1;
		goto out;
	}
	if (write_order(&w, wr, n, &cco_id, &err) < 0 || settle_status(&w, cco_id, &err) < 0)
		goto fail;
	settle_lines(&w, st, cco_id, failed);
	goto out;
fail:
	flow_record(r, FLOW_FAIL, "cco", p->src, NULL, NULL, err.msg);
	*failed = 1;
out:
	free(w.sov);
	pc_ccos_free(w.ccos, w.nccos);
	free(st);
	free(wr);
}
