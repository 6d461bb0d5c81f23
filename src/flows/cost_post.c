#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "core/mapping.h"
#include "flows/cost_post.h"
#include "util/jsonx.h"
#include "util/money.h"
#include "util/num.h"
#include "util/banned.h"

void cost_post_memo(const struct canon_cost_doc *doc, const char *project_label,
		    struct mlc_buf *out)
{
	int pa = doc->kind && strcmp(doc->kind, "payment_application") == 0;

	buf_addf(out, "Procore %s %lld", pa ? "payment application" : "direct cost",
		 (long long)doc->id);
	if (project_label)
		buf_addf(out, " | project %s", project_label);
	if (doc->number && *doc->number)
		buf_addf(out, " | inv %s", doc->number);
	if (doc->vendor_name && *doc->vendor_name)
		buf_addf(out, " | %s", doc->vendor_name);
}

/* Looks up an account id in a mapping kind, trying keys in order. */
static int lookup(const struct cost_post_ctx *ctx, const char *kind, const char *key,
		  const char *fallback, json_t **target, struct mlc_error *err)
{
	int rc = mapping_get(ctx->store, ctx->tenant_id, kind, key, target, err);
	if (rc == MLC_ENOTFOUND && fallback)
		rc = mapping_get(ctx->store, ctx->tenant_id, kind, fallback, target, err);
	return rc;
}

static void base_dims(const struct cost_post_ctx *ctx, struct je_line *l)
{
	memset(l, 0, sizeof(*l));
	l->entity = ctx->link->netsuite_job_id;
	l->department = ctx->link->department_id;
	l->class_id = ctx->link->class_id;
	l->location = ctx->link->location_id;
}

/* The cost-code segment value of a code when the tenant uses the segment
 * (else *seg stays 0). */
static int code_segment(const struct cost_post_ctx *ctx, const char *code, int64_t *seg,
			struct mlc_error *err)
{
	json_t *t = NULL;
	int rc, brc;

	if (!ctx->use_segment)
		return MLC_OK;
	rc = mapping_get(ctx->store, ctx->tenant_id, "cost-code-segment", code, &t, err);
	if (rc == MLC_ENOTFOUND && ctx->code_seg &&
	    json_is_integer(json_object_get(ctx->code_seg, code))) {
		*seg = json_integer_value(json_object_get(ctx->code_seg, code));
		return MLC_OK;
	}
	if (rc == MLC_ENOTFOUND)
		return error_set(err, MLC_ENOTFOUND,
				 "cost code %s has no NetSuite cost-code segment value "
				 "(mapping cost-code-segment)",
				 code);
	if (rc < 0)
		return rc;
	brc = jsonx_id(t, "segment_value", seg);
	json_decref(t);
	if (brc < 0 || !*seg)
		return error_set(err, MLC_EINVAL, "cost code %s has a bad segment value", code);
	return MLC_OK;
}

/* Fills account, department override and segment for one cost line. */
static int line_dims(const struct cost_post_ctx *ctx, const struct canon_cost_line *cl,
		     struct je_line *l, struct mlc_error *err)
{
	char key[160], fallback[160];
	json_t *t = NULL;
	int rc;

	base_dims(ctx, l);
	if (!cl->cost_code || !*cl->cost_code)
		return error_set(err, MLC_ENOTFOUND, "line %lld has no cost code",
				 (long long)cl->id);
	snprintf(key, sizeof(key), "%s|%s", cl->cost_code, cl->cost_type ? cl->cost_type : "");
	snprintf(fallback, sizeof(fallback), "%s|", cl->cost_code);
	rc = lookup(ctx, "cost-code-account", key, fallback, &t, err);
	if (rc == MLC_ENOTFOUND)
		return error_set(err, MLC_ENOTFOUND,
				 "cost code %s%s%s%s has no NetSuite expense account (mapping "
				 "cost-code-account)%s%s",
				 cl->cost_code, cl->cost_type ? " (type " : "",
				 cl->cost_type ? cl->cost_type : "", cl->cost_type ? ")" : "",
				 ctx->project_label ? " in project " : "",
				 ctx->project_label ? ctx->project_label : "");
	if (rc < 0)
		return rc;
	if (jsonx_id(t, "account", &l->account) < 0 || !l->account) {
		json_decref(t);
		return error_set(err, MLC_EINVAL, "mapping for cost code %s has a bad account",
				 cl->cost_code);
	}
	int64_t dep = 0;
	if (jsonx_id(t, "department", &dep) == 0 && dep)
		l->department = dep;
	json_decref(t);
	return code_segment(ctx, cl->cost_code, &l->segment, err);
}

/* A line's memo: the document's, led by the cost code when no segment
 * carries it ("cost code 03-300 | Procore direct cost 12 | ..."), so the
 * GL keeps the code either way.  Returns the text (valid until the next
 * call with the same buffer). */
static char *line_memo(const struct cost_post_ctx *ctx, const char *cost_code,
		       const struct mlc_buf *doc_memo, struct mlc_buf *out)
{
	buf_reset(out);
	if (!ctx->use_segment && cost_code && *cost_code)
		buf_addf(out, "cost code %s | ", cost_code);
	buf_addstr(out, doc_memo->data ? doc_memo->data : "");
	return out->data;
}

static int offset_account(const struct cost_post_ctx *ctx, const char *key, int64_t *account,
			  struct mlc_error *err)
{
	json_t *t = NULL;
	int rc = lookup(ctx, "offset-account", key, strchr(key, '.') ? NULL : "default", &t, err);

	if (rc == MLC_ENOTFOUND)
		return error_set(err, MLC_ENOTFOUND,
				 "no offset account for '%s' (mapping offset-account)", key);
	if (rc < 0)
		return rc;
	rc = jsonx_id(t, "account", account);
	json_decref(t);
	if (rc < 0 || !*account)
		return error_set(err, MLC_EINVAL, "offset-account '%s' has a bad account", key);
	return MLC_OK;
}

/* Every amount is posted negated on one side and the lines are summed:
 * a total that overflows, or an INT64_MIN (which has no negation), refuses
 * the document, naming the amount. */
static int amounts_fit(const struct canon_cost_doc *doc, struct mlc_error *err)
{
	int64_t total;
	char a[MONEY_FMT_MAX];

	money_format(INT64_MIN, a);
	if (canon_cost_doc_total(doc, &total) < 0)
		return error_set(err, MLC_ERANGE, "document %lld total overflows",
				 (long long)doc->id);
	for (size_t i = 0; i < doc->nlines; i++)
		if (doc->lines[i].amount == INT64_MIN)
			return error_set(err, MLC_ERANGE,
					 "document %lld line %zu: amount %s overflows",
					 (long long)doc->id, i + 1, a);
	if (doc->retainage == INT64_MIN)
		return error_set(err, MLC_ERANGE, "document %lld retainage %s overflows",
				 (long long)doc->id, a);
	return MLC_OK;
}

/*
 * One owner invoice line, on the link's dimensions and its cost code's
 * segment: revenue credited with the work billed, the receivable debited
 * with that less the retainage held, the retainage receivable debited with
 * the retainage (payment_application.retainage; the receivable when
 * unmapped).  A line without a cost code is posted on the project's
 * dimensions alone.
 */
static int pa_line(const struct cost_post_ctx *ctx, const struct canon_cost_line *cl,
		   int64_t revenue, int64_t receivable, const struct mlc_buf *memo,
		   struct mlc_buf *lmemo, struct journal *tmp, struct mlc_error *err)
{
	struct mlc_error e2 = {0};
	struct je_line l;
	int64_t ret_acct = 0, net;
	int rc;

	base_dims(ctx, &l);
	if (cl->cost_code && *cl->cost_code) {
		rc = code_segment(ctx, cl->cost_code, &l.segment, err);
		if (rc < 0)
			return rc;
	}
	if (cl->retainage == INT64_MIN || num_add_i64(cl->amount, -cl->retainage, &net) < 0)
		return error_set(err, MLC_ERANGE, "line %lld: retainage overflows",
				 (long long)cl->id);
	if (offset_account(ctx, "payment_application.retainage", &ret_acct, &e2) < 0)
		ret_acct = receivable;
	l.cost_code = cl->cost_code;
	l.memo = line_memo(ctx, cl->cost_code, memo, lmemo);
	l.account = revenue;
	journal_add(tmp, &l, -cl->amount);
	l.account = receivable;
	journal_add(tmp, &l, net);
	l.account = ret_acct;
	journal_add(tmp, &l, cl->retainage);
	return MLC_OK;
}

int cost_post_lines(const struct cost_post_ctx *ctx, const struct canon_cost_doc *doc,
		    struct journal *j, struct mlc_error *err)
{
	struct journal tmp;
	struct mlc_buf memo = MLC_BUF_INIT, lmemo = MLC_BUF_INIT;
	int pa = doc->kind && strcmp(doc->kind, "payment_application") == 0;
	const char *credit_kind = pa              ? "payment_application.credit"
				  : doc->doc_type ? doc->doc_type
						  : "default";
	int64_t offset = 0, debit_acct = 0;
	int rc;

	rc = amounts_fit(doc, err);
	if (rc < 0)
		return rc;
	cost_post_memo(doc, ctx->project_label, &memo);
	journal_init(&tmp, "tmp", "", 0, NULL);
	rc = pa ? offset_account(ctx, "payment_application.debit", &debit_acct, err) : MLC_OK;
	if (rc >= 0)
		rc = offset_account(ctx, credit_kind, &offset, err);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < doc->nlines; i++) {
		const struct canon_cost_line *cl = &doc->lines[i];
		struct je_line l;
		if (cl->amount == 0 && (!pa || cl->retainage == 0))
			continue;
		if (pa) {
			rc = pa_line(ctx, cl, offset, debit_acct, &memo, &lmemo, &tmp, err);
			if (rc < 0)
				goto out;
			continue;
		}
		rc = line_dims(ctx, cl, &l, err); /* rc >= 0 before: failures leave */
		if (rc < 0)
			goto out;
		l.cost_code = cl->cost_code;
		l.memo = line_memo(ctx, cl->cost_code, &memo, &lmemo);
		journal_add(&tmp, &l, cl->amount);
		/* the offset carries the same job, dimensions and segment so
		 * that per-cost-code GL balances tie out on both sides */
		l.account = offset;
		journal_add(&tmp, &l, -cl->amount);
	}
	if (pa && doc->retainage) {
		/* retainage withheld by the owner: receivable, but not yet billable */
		int64_t ret_acct = 0;
		struct je_line l;
		struct mlc_error e2 = {0};
		if (offset_account(ctx, "payment_application.retainage", &ret_acct, &e2) < 0)
			ret_acct = debit_acct;
		base_dims(ctx, &l);
		l.memo = memo.data;
		l.account = debit_acct;
		journal_add(&tmp, &l, -doc->retainage);
		l.account = ret_acct;
		journal_add(&tmp, &l, doc->retainage);
	}
	/* success: move the lines over */
	for (size_t i = 0; i < tmp.nlines; i++)
		journal_add(j, &tmp.lines[i], tmp.lines[i].debit - tmp.lines[i].credit);
	rc = MLC_OK;
out:
	journal_release(&tmp);
	buf_release(&memo);
	buf_release(&lmemo);
	return rc;
}

int cost_post_account(const struct cost_post_ctx *ctx, const char *cost_code, const char *cost_type,
		      int64_t *account, struct mlc_error *err)
{
	struct canon_cost_line cl = {0};
	struct je_line l;
	struct cost_post_ctx c2 = *ctx;
	int rc;

	cl.cost_code = (char *)cost_code;
	cl.cost_type = (char *)cost_type;
	c2.use_segment = false;
	rc = line_dims(&c2, &cl, &l, err);
	*account = rc == MLC_OK ? l.account : 0;
	return rc;
}

int cost_post_offset(const struct cost_post_ctx *ctx, const char *key, int64_t *account,
		     struct mlc_error *err)
{
	return offset_account(ctx, key, account, err);
}
