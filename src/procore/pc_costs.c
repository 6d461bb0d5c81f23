#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procore/pc_costs.h"
#include "util/idset.h"
#include "util/jsonx.h"
#include "util/num.h"
#include "util/str.h"
#include "util/banned.h"

static char *dupstr(const json_t *o, const char *k)
{
	return str_dup_or_null(jsonx_str(o, k));
}

static bool is_approved(const json_t *v)
{
	const char *st = jsonx_str(v, "status");
	return st && strcmp(st, "approved") == 0;
}

static int list(struct mlc_procore *pc, int64_t project_id, bool lines, const char *since,
		json_t **items, struct mlc_error *err)
{
	char path[160];
	const char *q[] = {"filters[updated_at]", since, NULL};

	snprintf(path, sizeof(path), "/rest/v1.0/projects/%lld/direct_costs%s",
		 (long long)project_id, lines ? "/line_items" : "");
	return procore_list(pc, path, since && *since ? q : NULL, items, err);
}

static void head(const json_t *dc, int64_t project_id, struct pc_cost_head *h)
{
	struct canon_cost_doc *d = &h->doc;
	const json_t *del = json_object_get(dc, "deleted_at");

	h->approved = is_approved(dc);
	h->deleted = del && !json_is_null(del);
	d->project_id = project_id;
	d->kind = xstrdup("direct_cost");
	d->doc_type = dupstr(dc, "direct_cost_type");
	d->status = dupstr(dc, "status");
	d->date = dupstr(dc, "direct_cost_date");
	d->number = dupstr(dc, "invoice_number");
	d->vendor_name = dupstr(dc, "vendor_name");
	if (!d->vendor_name && json_is_object(json_object_get(dc, "vendor")))
		d->vendor_name = dupstr(json_object_get(dc, "vendor"), "name");
	d->description = dupstr(dc, "description");
	d->updated_at = dupstr(dc, "updated_at");
}

int procore_direct_costs(struct mlc_procore *pc, int64_t project_id, const char *since,
			 struct pc_cost_heads *out, struct mlc_error *err)
{
	json_t *items = NULL, *v;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = list(pc, project_id, false, since, &items, err);
	if (rc < 0)
		return rc;
	out->v = xcalloc(json_array_size(items) + 1, sizeof(*out->v));
	json_array_foreach (items, i, v) {
		struct pc_cost_head *h = &out->v[out->n];
		if (jsonx_id(v, "id", &h->doc.id) < 0 || !h->doc.id) {
			/* no id: a change time still counts for the watermark */
			h->doc.id = 0;
		}
		head(v, project_id, h);
		out->n++;
	}
	json_decref(items);
	return MLC_OK;
}

static void line(const json_t *li, struct pc_cost_line *l)
{
	struct mlc_error e = {0};

	if (jsonx_id(json_object_get(li, "holder"), "id", &l->holder) < 0)
		l->holder = 0;
	l->updated_at = dupstr(li, "updated_at");
	l->id_ok = jsonx_id(li, "id", &l->line.id) == 0;
	if (jsonx_money_get(li, "amount", false, &l->line.amount, &e) < 0)
		l->error = xstrdup(e.msg);
	l->line.cost_code = dupstr(json_object_get(li, "cost_code"), "full_code");
	l->line.cost_type = dupstr(json_object_get(li, "line_item_type"), "code");
	l->line.description = dupstr(li, "description");
}

int procore_direct_cost_lines(struct mlc_procore *pc, int64_t project_id, const char *since,
			      struct pc_cost_lines *out, struct mlc_error *err)
{
	json_t *items = NULL, *v;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = list(pc, project_id, true, since, &items, err);
	if (rc < 0)
		return rc;
	out->v = xcalloc(json_array_size(items) + 1, sizeof(*out->v));
	json_array_foreach (items, i, v)
		line(v, &out->v[out->n++]);
	json_decref(items);
	return MLC_OK;
}

/* A list call of the project's direct costs (or their line items) with
 * one filter. */
static int list_by(struct mlc_procore *pc, int64_t project_id, bool lines, const char *filter,
		   int64_t id, json_t **items, struct mlc_error *err)
{
	char path[160], num[24];
	const char *q[] = {filter, num, NULL};

	snprintf(num, sizeof(num), "%lld", (long long)id);
	snprintf(path, sizeof(path), "/rest/v1.0/projects/%lld/direct_costs%s",
		 (long long)project_id, lines ? "/line_items" : "");
	return procore_list(pc, path, q, items, err);
}

int procore_direct_cost_one(struct mlc_procore *pc, int64_t project_id, int64_t id,
			    struct pc_cost_heads *out, struct pc_cost_lines *lines,
			    struct mlc_error *err)
{
	json_t *items = NULL, *v;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(lines, 0, sizeof(*lines));
	rc = list_by(pc, project_id, false, "filters[id]", id, &items, err);
	if (rc < 0)
		return rc;
	out->v = xcalloc(json_array_size(items) + 1, sizeof(*out->v));
	json_array_foreach (items, i, v) {
		struct pc_cost_head *h = &out->v[out->n];
		/* a filter the server ignored must not post another document */
		if (jsonx_id(v, "id", &h->doc.id) < 0 || h->doc.id != id) {
			h->doc.id = 0;
			continue;
		}
		head(v, project_id, h);
		out->n++;
	}
	json_decref(items);
	items = NULL;
	if (!out->n)
		return MLC_OK;
	rc = list_by(pc, project_id, true, "filters[direct_cost_id]", id, &items, err);
	if (rc < 0) {
		pc_cost_heads_release(out);
		return rc;
	}
	lines->v = xcalloc(json_array_size(items) + 1, sizeof(*lines->v));
	json_array_foreach (items, i, v)
		line(v, &lines->v[lines->n++]);
	json_decref(items);
	return MLC_OK;
}

int procore_direct_cost_line_holder(struct mlc_procore *pc, int64_t project_id, int64_t line_id,
				    int64_t *holder, struct mlc_error *err)
{
	json_t *items = NULL, *v;
	size_t i;
	int rc = list_by(pc, project_id, true, "filters[id]", line_id, &items, err);

	*holder = 0;
	if (rc < 0)
		return rc;
	json_array_foreach (items, i, v) {
		int64_t lid = 0, h = 0;
		if (jsonx_id(v, "id", &lid) == 0 && lid == line_id &&
		    jsonx_id(json_object_get(v, "holder"), "id", &h) == 0)
			*holder = h;
	}
	json_decref(items);
	return MLC_OK;
}

void pc_cost_heads_release(struct pc_cost_heads *h)
{
	for (size_t i = 0; h && i < h->n; i++)
		canon_cost_doc_release(&h->v[i].doc);
	if (h) {
		free(h->v);
		memset(h, 0, sizeof(*h));
	}
}

void pc_cost_lines_release(struct pc_cost_lines *l)
{
	for (size_t i = 0; l && i < l->n; i++) {
		free(l->v[i].updated_at);
		free(l->v[i].error);
		free(l->v[i].line.cost_code);
		free(l->v[i].line.cost_type);
		free(l->v[i].line.description);
	}
	if (l) {
		free(l->v);
		memset(l, 0, sizeof(*l));
	}
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* A copy of head h, without lines yet (room for n). */
static void canon_copy(const struct pc_cost_head *h, size_t n, struct canon_cost_doc *d)
{
	const struct canon_cost_doc *s = &h->doc;

	memset(d, 0, sizeof(*d));
	d->id = s->id;
	d->project_id = s->project_id;
	d->kind = dup_or_null(s->kind);
	d->doc_type = dup_or_null(s->doc_type);
	d->status = dup_or_null(s->status);
	d->date = dup_or_null(s->date);
	d->number = dup_or_null(s->number);
	d->vendor_name = dup_or_null(s->vendor_name);
	d->description = dup_or_null(s->description);
	d->updated_at = dup_or_null(s->updated_at);
	d->lines = xcalloc(n + 1, sizeof(*d->lines));
}

/* Copies each line into its document (docs indexed by id in ix), in list order. */
static int attach_lines(const struct pc_cost_lines *lines, const struct mlc_idset *ix,
			struct canon_cost_doc *docs, struct mlc_error *err)
{
	for (size_t j = 0; j < lines->n; j++) {
		const struct pc_cost_line *l = &lines->v[j];
		struct canon_cost_line *c;
		size_t k;
		if (!idset_get(ix, l->holder, &k))
			continue;
		if (!l->id_ok || l->error)
			return error_set(err, MLC_EINVAL, "direct cost %lld line: %s",
					 (long long)l->holder,
					 l->error ? l->error : "no usable id");
		c = &docs[k].lines[docs[k].nlines++];
		*c = l->line;
		c->cost_code = dup_or_null(l->line.cost_code);
		c->cost_type = dup_or_null(l->line.cost_type);
		c->description = dup_or_null(l->line.description);
	}
	return MLC_OK;
}

int pc_costs_canon(const struct pc_cost_heads *heads, const struct pc_cost_lines *lines,
		   struct canon_cost_doc **docs, size_t *n, struct mlc_error *err)
{
	struct canon_cost_doc *out = xcalloc(heads->n + 1, sizeof(*out));
	struct mlc_idset ix = {0}, count = {0};
	size_t *nlines = xcalloc(heads->n + 1, sizeof(*nlines)), len = 0, k;
	int rc;

	for (size_t i = 0; i < heads->n; i++) {
		const struct pc_cost_head *h = &heads->v[i];
		if (h->approved && !h->deleted && h->doc.id && h->doc.date)
			len += idset_put(&count, h->doc.id, len);
	}
	for (size_t j = 0; j < lines->n; j++)
		if (idset_get(&count, lines->v[j].holder, &k))
			nlines[k]++;
	len = 0;
	for (size_t i = 0; i < heads->n; i++) {
		const struct pc_cost_head *h = &heads->v[i];
		if (!idset_get(&count, h->doc.id, &k) || !idset_put(&ix, h->doc.id, len))
			continue;
		canon_copy(h, nlines[k], &out[len++]);
	}
	rc = attach_lines(lines, &ix, out, err);
	if (rc < 0) {
		for (k = 0; k < len; k++)
			canon_cost_doc_release(&out[k]);
		free(out);
		out = NULL;
		len = 0;
	}
	*docs = out;
	*n = len;
	idset_release(&ix);
	idset_release(&count);
	free(nlines);
	return rc;
}

/* One contract item of an owner invoice; < 0 with the reason in e. */
static int payapp_line(const json_t *li, struct canon_cost_line *l, struct mlc_error *e)
{
	static const char *const billed[] = {"work_completed_this_period",
					     "materials_presently_stored"};
	static const char *const held[] = {"work_completed_retainage_retained_this_period",
					   "materials_stored_retainage_retained_this_period",
					   "work_completed_retainage_released_this_period"};
	int64_t v;

	memset(l, 0, sizeof(*l));
	if (jsonx_id(li, "id", &l->id) < 0 || !l->id)
		return error_set(e, MLC_EINVAL, "a contract item has no usable id");
	for (size_t i = 0; i < MLC_ARRAY_LEN(billed); i++) {
		if (jsonx_money_get(li, billed[i], false, &v, e) < 0 ||
		    num_add_i64(l->amount, v, &l->amount) < 0)
			return error_set(e, MLC_EINVAL, "contract item %lld: %s is not money",
					 (long long)l->id, billed[i]);
	}
	for (size_t i = 0; i < MLC_ARRAY_LEN(held); i++) {
		if (jsonx_money_get(li, held[i], false, &v, e) < 0 ||
		    num_add_i64(l->retainage, i == 2 ? -v : v, &l->retainage) < 0)
			return error_set(e, MLC_EINVAL, "contract item %lld: %s is not money",
					 (long long)l->id, held[i]);
	}
	l->cost_code = dupstr(json_object_get(li, "cost_code"), "full_code");
	l->description = dupstr(li, "description_of_work");
	return MLC_OK;
}

/* The header of an approved, dated payment application (list item or
 * show); 0 when it is not one, 1 when it is (p->error set when its total
 * is not money). */
static int payapp_head(const json_t *v, int64_t project_id, struct pc_payapp *p)
{
	struct mlc_error e = {0};
	const char *date = jsonx_str(v, "billing_date");
	struct canon_cost_doc *d = &p->doc;

	memset(p, 0, sizeof(*p));
	if (!is_approved(v) || jsonx_id(v, "id", &d->id) < 0 || !d->id || !date)
		return 0;
	d->project_id = project_id;
	d->kind = xstrdup("payment_application");
	d->doc_type = xstrdup("payment_application");
	d->date = xstrdup(date);
	d->number = dupstr(v, "invoice_number");
	if (jsonx_money_get(v, "total_amount_accrued_this_period", true, &p->header, &e) < 0)
		p->error = xstrdup(e.msg);
	return 1;
}

/* The contract items of a show into p's lines (p->error on a bad amount). */
static void payapp_items(const json_t *show, struct pc_payapp *p)
{
	struct mlc_error e = {0};
	struct canon_cost_doc *d = &p->doc;
	json_t *items = json_object_get(show, "line_items"), *li;
	size_t i;

	d->lines = xcalloc(json_array_size(items) + 1, sizeof(*d->lines));
	json_array_foreach (items, i, li) {
		if (payapp_line(li, &d->lines[d->nlines], &e) < 0) {
			p->error = xstrdup(e.msg);
			break;
		}
		d->nlines++;
	}
}

/* The show of payment application id in its project (*out, caller
 * decrefs); *status its HTTP status. */
static int payapp_show(struct mlc_procore *pc, int64_t project_id, int64_t id, json_t **out,
		       int *status, struct mlc_error *err)
{
	char path[96], pid[32];
	const char *q[] = {"project_id", pid, NULL};

	snprintf(pid, sizeof(pid), "%lld", (long long)project_id);
	snprintf(path, sizeof(path), "/rest/v1.0/payment_applications/%lld", (long long)id);
	return procore_get_status(pc, path, q, out, status, err);
}

/* One approved, dated payment application (its show read for the items);
 * 0 when it is not one, < 0 when the show cannot be read. */
static int payapp(struct mlc_procore *pc, const json_t *v, int64_t project_id, struct pc_payapp *p,
		  struct mlc_error *err)
{
	json_t *show = NULL;
	int rc = payapp_head(v, project_id, p);

	if (rc <= 0 || p->error)
		return rc;
	rc = payapp_show(pc, project_id, p->doc.id, &show, NULL, err);
	if (rc < 0)
		return rc;
	payapp_items(show, p);
	json_decref(show);
	return 1;
}

int procore_payment_application_one(struct mlc_procore *pc, int64_t project_id, int64_t id,
				    struct pc_payapp *out, bool *found, struct mlc_error *err)
{
	json_t *show = NULL;
	int status = 0;
	int64_t got = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	*found = false;
	rc = payapp_show(pc, project_id, id, &show, &status, err);
	if (rc < 0 && status == 404) {
		error_clear(err);
		return MLC_OK; /* not in that project (or gone) */
	}
	if (rc < 0)
		return rc;
	/* an answer about another record must not post it */
	if (jsonx_id(show, "id", &got) < 0 || got != id) {
		json_decref(show);
		return MLC_OK;
	}
	*found = true;
	if (payapp_head(show, project_id, out) <= 0)
		memset(out, 0, sizeof(*out)); /* nothing allocated: not one to post */
	else if (!out->error)
		payapp_items(show, out);
	json_decref(show);
	return MLC_OK;
}

int procore_payment_applications(struct mlc_procore *pc, int64_t project_id, struct pc_payapp **out,
				 size_t *n, struct mlc_error *err)
{
	char pid[32];
	const char *q[] = {"project_id", pid, NULL};
	json_t *list = NULL, *v;
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	snprintf(pid, sizeof(pid), "%lld", (long long)project_id);
	rc = procore_list(pc, "/rest/v1.0/payment_applications", q, &list, err);
	if (rc < 0)
		return rc;
	*out = xcalloc(json_array_size(list) + 1, sizeof(**out));
	json_array_foreach (list, i, v) {
		rc = payapp(pc, v, project_id, &(*out)[*n], err);
		if (rc < 0) {
			canon_cost_doc_release(&(*out)[*n].doc);
			break;
		}
		*n += (size_t)rc;
	}
	json_decref(list);
	if (rc < 0) {
		pc_payapps_free(*out, *n);
		*out = NULL;
		*n = 0;
		return rc;
	}
	return MLC_OK;
}

void pc_payapp_release(struct pc_payapp *p)
{
	canon_cost_doc_release(&p->doc);
	free(p->error);
	p->error = NULL;
}

void pc_payapps_free(struct pc_payapp *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++)
		pc_payapp_release(&p[i]);
	free(p);
}
