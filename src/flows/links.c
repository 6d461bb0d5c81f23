/*
 * Project links against both systems (flows/links.h): filling a link from
 * its NetSuite job, and the check that ping and mapping check share.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flows/links.h"
#include "netsuite/ns_refdata.h"
#include "procore/pc_directory.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/str.h"
#include "util/banned.h"

int links_read_job(struct mlc_session *s, int64_t job_id, struct mlc_link_job *out,
		   struct mlc_error *err)
{
	char id[24];
	json_t *rec = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	out->id = job_id;
	snprintf(id, sizeof(id), "%lld", (long long)job_id);
	rc = netsuite_get(s->ns, "job", id, false, &rec, err);
	if (rc == MLC_ENOTFOUND)
		return error_set(err, MLC_ENOTFOUND, "NetSuite has no job %lld", (long long)job_id);
	if (rc < 0)
		return rc;
	if (jsonx_id(json_object_get(rec, "subsidiary"), "id", &out->subsidiary_id) < 0 ||
	    jsonx_id(json_object_get(rec, "parent"), "id", &out->customer_id) < 0) {
		json_decref(rec);
		return error_set(err, MLC_EPERM,
				 "NetSuite job %lld: subsidiary or parent is not a record reference",
				 (long long)job_id);
	}
	out->inactive = jsonx_bool(rec, "isInactive");
	str_copy(out->name, sizeof(out->name),
		 jsonx_str(rec, "companyName") ? jsonx_str(rec, "companyName")
		 : jsonx_str(rec, "entityId") ? jsonx_str(rec, "entityId") : "");
	json_decref(rec);
	return MLC_OK;
}

int links_resolve(struct mlc_session *s, struct mlc_project_link *l, struct mlc_link_job *job,
		  struct mlc_error *err)
{
	struct mlc_link_job j;
	int rc = links_read_job(s, l->netsuite_job_id, &j, err);

	if (job)
		*job = j;
	if (rc == MLC_ENOTFOUND)
		return error_set(err, MLC_EINVAL, "NetSuite has no job %lld: check --netsuite-job",
				 (long long)l->netsuite_job_id);
	if (rc < 0)
		return error_prefix(err, "cannot read NetSuite job %lld (nothing was saved): ",
				    (long long)l->netsuite_job_id);
	if (j.inactive)
		return error_set(err, MLC_EINVAL,
				 "NetSuite job %lld is inactive: reactivate it or link another job",
				 (long long)l->netsuite_job_id);
	if (!j.subsidiary_id)
		return error_set(err, MLC_EINVAL,
				 "NetSuite job %lld names no subsidiary: set one on the job in NetSuite "
				 "(journal entries need it)",
				 (long long)l->netsuite_job_id);
	if (l->subsidiary_id && l->subsidiary_id != j.subsidiary_id)
		return error_set(err, MLC_EINVAL,
				 "--subsidiary %lld does not match NetSuite job %lld, which belongs to "
				 "subsidiary %lld: leave --subsidiary out to use the job's",
				 (long long)l->subsidiary_id, (long long)l->netsuite_job_id,
				 (long long)j.subsidiary_id);
	l->subsidiary_id = j.subsidiary_id;
	l->customer_id = j.customer_id;
	return MLC_OK;
}

/* Does the id list "1, 3, 4" hold id? */
static bool list_has(const char *list, int64_t id)
{
	const char *p = list;

	while (p && *p) {
		char *end;
		long long v = strtoll(p, &end, 10);
		if (end == p) {
			p++;
			continue;
		}
		if (v == id)
			return true;
		p = end;
	}
	return false;
}

bool links_available(const char *subs, bool include_children, int64_t sub, const json_t *parents)
{
	int64_t at = sub;

	if (!subs || !*subs)
		return true;
	/* up the tree from sub: itself, then (with include_children) each ancestor;
	 * the bound stops a cycle in bad data */
	for (int depth = 0; at && depth < 64; depth++) {
		char key[24];
		if (list_has(subs, at))
			return true;
		if (!include_children)
			return false;
		snprintf(key, sizeof(key), "%lld", (long long)at);
		at = json_integer_value(json_object_get(parents, key));
	}
	return false;
}

/* ---- links_check ------------------------------------------------------------------------- */

/* The dimensions a link carries, with the SuiteQL table and CLI option of each. */
static const struct dim {
	const char *what, *table, *opt;
	size_t off;
} dims[] = {
	{ "department", "department", "--department", offsetof(struct mlc_project_link, department_id) },
	{ "class", "classification", "--class", offsetof(struct mlc_project_link, class_id) },
	{ "location", "location", "--location", offsetof(struct mlc_project_link, location_id) },
};
#define NDIMS (sizeof(dims) / sizeof(dims[0]))

static int64_t dim_id(const struct mlc_project_link *l, size_t d)
{
	return *(const int64_t *)(const void *)((const char *)l + dims[d].off);
}

/* What links_check reads once for all links. */
struct check_ctx {
	struct mlc_session *s;
	json_t *subs;          /* "<id>": {isinactive, parent} */
	json_t *parents;       /* "<id>": parent id */
	json_t *rows[NDIMS];   /* "<id>": {isinactive, includechildren, subsidiary}, or NULL */
	char *unread[NDIMS];   /* why a table could not be read (feature off), or NULL */
};

/* A whole small table, as the adapter read it (rc, rows), keyed by id
 * (caller decrefs *out). */
static int by_id(int rc, json_t *rows, json_t **out)
{
	json_t *row;
	size_t i;

	*out = NULL;
	if (rc < 0) {
		json_decref(rows);
		return rc;
	}
	*out = json_object();
	json_array_foreach(rows, i, row) {
		const char *id = jsonx_str(row, "id");
		if (id)
			json_object_set(*out, id, row);
	}
	json_decref(rows);
	return MLC_OK;
}

static int ctx_load(struct check_ctx *c, const struct mlc_project_link *links, size_t n,
		    struct mlc_error *err)
{
	const char *k;
	json_t *v, *rows = NULL;
	int rc;

	rc = netsuite_read_subsidiaries(c->s->ns, &rows, err);
	if ((rc = by_id(rc, rows, &c->subs)) < 0)
		return rc;
	c->parents = json_object();
	json_object_foreach(c->subs, k, v) {
		int64_t p = 0;
		if (jsonx_id(v, "parent", &p) == 0 && p)
			json_object_set_new(c->parents, k, json_integer(p));
	}
	for (size_t d = 0; d < NDIMS; d++) {
		bool used = false;
		for (size_t i = 0; i < n && !used; i++)
			used = links[i].active && dim_id(&links[i], d);
		if (!used)
			continue;
		rows = NULL;
		rc = netsuite_read_dimension(c->s->ns, dims[d].table, &rows, err);
		rc = by_id(rc, rows, &c->rows[d]);
		/* a refusal (the feature is off: "Record 'classification' was not
		 * found", suiteql.md V9) is a problem of the links that use it */
		if (rc == MLC_EPERM) {
			c->unread[d] = xstrdup(err->msg);
			continue;
		}
		if (rc < 0)
			return rc;
	}
	return MLC_OK;
}

static void ctx_release(struct check_ctx *c)
{
	json_decref(c->subs);
	json_decref(c->parents);
	for (size_t d = 0; d < NDIMS; d++) {
		json_decref(c->rows[d]);
		free(c->unread[d]);
	}
}

/* Appends one problem to the list (and to the text, comma separated). */
static void problem(json_t *list, struct mlc_buf *text, const char *fmt, ...) MLC_PRINTF(3, 4);
static void problem(json_t *list, struct mlc_buf *text, const char *fmt, ...)
{
	struct mlc_buf b = MLC_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	json_array_append_new(list, json_string(b.data));
	buf_addf(text, "%s%s", text->len ? ", " : "", b.data);
	buf_release(&b);
}

/* `ml-connector project link ...` keeping the link's good values and
 * asking for new ones where they are bad (bit 0: job, bit 1 + d: dimension d). */
static void fix_command(struct mlc_buf *b, const char *tenant, const struct mlc_project_link *l,
			unsigned bad)
{
	buf_addf(b, "ml-connector project link %s --procore-project %lld --netsuite-job ", tenant,
		 (long long)l->procore_project_id);
	if (bad & 1u)
		buf_addstr(b, "<id>");
	else
		buf_addf(b, "%lld", (long long)l->netsuite_job_id);
	for (size_t d = 0; d < NDIMS; d++) {
		if (bad & (2u << d))
			buf_addf(b, " %s <id>", dims[d].opt);
		else if (dim_id(l, d))
			buf_addf(b, " %s %lld", dims[d].opt, (long long)dim_id(l, d));
	}
}

int links_postable(const struct mlc_project_link *l, const char *tenant, struct mlc_error *err)
{
	struct mlc_buf cmd = MLC_BUF_INIT;

	if (l->subsidiary_id)
		return MLC_OK;
	fix_command(&cmd, tenant, l, 0);
	error_set(err, MLC_ECONFIG,
		  "project %lld -> job %lld: the link has no subsidiary, so NetSuite would refuse "
		  "its journal entries; run `%s`, which reads it from the job",
		  (long long)l->procore_project_id, (long long)l->netsuite_job_id, cmd.data);
	buf_release(&cmd);
	return MLC_ECONFIG;
}

/* The Procore side: the project in the tenant's company.  Returns < 0 only
 * when Procore could not be asked; a refusal is a problem of the link. */
static int check_procore(struct check_ctx *c, const struct mlc_project_link *l, json_t *problems,
			 struct mlc_buf *text, bool *bad, struct mlc_error *err)
{
	char company[24];
	json_t *p = NULL;
	int rc;

	*bad = false;
	snprintf(company, sizeof(company), "%lld", (long long)c->s->tenant.procore_company_id);
	rc = procore_read_project(c->s->pc, l->procore_project_id, &p, err);
	json_decref(p);
	if (rc == MLC_EPERM) {
		problem(problems, text,
			"Procore project %lld is not in company %s or the service account cannot "
			"see it (%s)",
			(long long)l->procore_project_id, company, err->msg);
		*bad = true;
		return MLC_OK;
	}
	return rc;
}

static int check_link(struct check_ctx *c, const struct mlc_project_link *l, json_t **out,
		      struct mlc_error *err)
{
	const char *tenant = c->s->tenant.name;
	struct mlc_buf text = MLC_BUF_INIT, fix = MLC_BUF_INIT, cmd = MLC_BUF_INIT,
		       detail = MLC_BUF_INIT;
	json_t *problems = json_array();
	struct mlc_link_job job;
	struct mlc_error e2 = { 0 };
	unsigned bad = 0;
	bool job_found = false, relink = false, in_netsuite = false, pc_bad = false;
	int64_t sub;
	int rc;

	*out = NULL;
	rc = links_read_job(c->s, l->netsuite_job_id, &job, &e2);
	if (rc == MLC_ENOTFOUND) {
		problem(problems, &text, "job %lld does not exist in NetSuite",
			(long long)l->netsuite_job_id);
		bad |= 1u;
	} else if (rc < 0) {
		error_set(err, rc, "%s", e2.msg);
		goto out;
	} else {
		job_found = true;
		if (job.inactive) {
			problem(problems, &text, "job %lld is inactive", (long long)l->netsuite_job_id);
			bad |= 1u;
		}
	}
	/* the subsidiary: the link's must be the job's */
	sub = job_found && job.subsidiary_id ? job.subsidiary_id : l->subsidiary_id;
	if (!l->subsidiary_id) {
		problem(problems, &text,
			"the link has no subsidiary (made before links read it from the job)");
		relink = true;
	} else if (job_found && job.subsidiary_id && job.subsidiary_id != l->subsidiary_id) {
		problem(problems, &text, "the link's subsidiary %lld is not the job's (%lld)",
			(long long)l->subsidiary_id, (long long)job.subsidiary_id);
		relink = true;
	}
	if (job_found && !job.subsidiary_id) {
		problem(problems, &text, "job %lld names no subsidiary",
			(long long)l->netsuite_job_id);
		in_netsuite = true;
	}
	if (sub) {
		char key[24];
		json_t *row;
		snprintf(key, sizeof(key), "%lld", (long long)sub);
		row = json_object_get(c->subs, key);
		if (!row) {
			problem(problems, &text, "subsidiary %lld does not exist", (long long)sub);
			in_netsuite = true;
		} else if (jsonx_bool(row, "isinactive")) {
			problem(problems, &text, "subsidiary %lld is inactive", (long long)sub);
			in_netsuite = true;
		}
	}
	/* each dimension: exists, active, available to the subsidiary */
	for (size_t d = 0; d < NDIMS; d++) {
		int64_t id = dim_id(l, d);
		char key[24];
		json_t *row;
		if (!id)
			continue;
		if (c->unread[d]) {
			problem(problems, &text, "%s %lld cannot be read (%s)", dims[d].what,
				(long long)id, c->unread[d]);
			bad |= 2u << d;
			continue;
		}
		snprintf(key, sizeof(key), "%lld", (long long)id);
		row = json_object_get(c->rows[d], key);
		if (!row)
			problem(problems, &text, "%s %lld does not exist", dims[d].what, (long long)id);
		else if (jsonx_bool(row, "isinactive"))
			problem(problems, &text, "%s %lld is inactive", dims[d].what, (long long)id);
		else if (sub && !links_available(jsonx_str(row, "subsidiary"),
						 jsonx_bool(row, "includechildren"), sub, c->parents))
			problem(problems, &text, "%s %lld is not available to subsidiary %lld",
				dims[d].what, (long long)id, (long long)sub);
		else
			continue;
		bad |= 2u << d;
	}
	if ((rc = check_procore(c, l, problems, &text, &pc_bad, err)) < 0)
		goto out;

	fix_command(&cmd, tenant, l, bad);
	if (in_netsuite)
		buf_addf(&fix, "in NetSuite, give job %lld an active subsidiary, then run `%s`",
			 (long long)l->netsuite_job_id, cmd.data);
	else if (bad || relink)
		buf_addf(&fix, "run `%s`", cmd.data);
	if (pc_bad)
		buf_addf(&fix,
			 "%sadd the service account to Procore project %lld, or remove the link with "
			 "`ml-connector project unlink %s --procore-project %lld`",
			 fix.len ? "; " : "", (long long)l->procore_project_id, tenant,
			 (long long)l->procore_project_id);

	buf_addf(&detail, "project %lld -> job %lld: ", (long long)l->procore_project_id,
		 (long long)l->netsuite_job_id);
	if (json_array_size(problems)) {
		buf_addf(&detail, "%s; %s", text.data, fix.data);
	} else {
		buf_addf(&detail, "\"%s\", subsidiary %lld", job.name, (long long)sub);
		for (size_t d = 0; d < NDIMS; d++)
			if (dim_id(l, d))
				buf_addf(&detail, ", %s %lld", dims[d].what, (long long)dim_id(l, d));
		buf_addstr(&detail, ": active and available to the subsidiary; Procore project found");
	}
	*out = json_pack("{s:I, s:I, s:b, s:b, s:O, s:s, s:o}", "procore_project_id",
			 (json_int_t)l->procore_project_id, "netsuite_job_id",
			 (json_int_t)l->netsuite_job_id, "ok", json_array_size(problems) == 0,
			 "procore_ok", !pc_bad,
			 "problems", problems, "detail", detail.data, "fix",
			 fix.len ? json_string(fix.data) : json_null());
	rc = MLC_OK;
out:
	json_decref(problems);
	buf_release(&text);
	buf_release(&fix);
	buf_release(&cmd);
	buf_release(&detail);
	return rc;
}

int links_check(struct mlc_session *s, json_t **results, struct mlc_error *err)
{
	struct check_ctx c = { .s = s };
	struct mlc_project_link *links = NULL;
	size_t n = 0;
	int rc;

	*results = NULL;
	if (!s->ns || !s->pc)
		return error_set(err, MLC_EINVAL, "checking links needs NetSuite and Procore");
	if ((rc = project_list(s->store, s->tenant.id, &links, &n, err)) < 0)
		goto out;
	*results = json_array();
	if (n && (rc = ctx_load(&c, links, n, err)) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		json_t *one = NULL;
		if (!links[i].active)
			continue;
		if ((rc = check_link(&c, &links[i], &one, err)) < 0)
			goto out;
		json_array_append_new(*results, one);
	}
	rc = MLC_OK;
out:
	if (rc < 0) {
		json_decref(*results);
		*results = NULL;
	}
	ctx_release(&c);
	free(links);
	return rc;
}
