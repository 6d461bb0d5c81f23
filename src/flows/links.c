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
		return error_set(
		    err, MLC_EPERM,
		    "NetSuite job %lld: subsidiary or parent is not a record reference",
		    (long long)job_id);
	}
	out->inactive = jsonx_bool(rec, "isInactive");
	str_copy(out->name, sizeof(out->name),
		 jsonx_str(rec, "companyName") ? jsonx_str(rec, "companyName")
		 : jsonx_str(rec, "entityId")  ? jsonx_str(rec, "entityId")
					       : "");
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
		return error_set(
		    err, MLC_EINVAL,
		    "NetSuite job %lld names no subsidiary: set one on the job in NetSuite "
		    "(journal entries need it)",
		    (long long)l->netsuite_job_id);
	if (l->subsidiary_id && l->subsidiary_id != j.subsidiary_id)
		return error_set(
		    err, MLC_EINVAL,
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
    {"department", "department", "--department", offsetof(struct mlc_project_link, department_id)},
    {"class", "classification", "--class", offsetof(struct mlc_project_link, class_id)},
    {"location", "location", "--location", offsetof(struct mlc_project_link, location_id)},
};
#define NDIMS (sizeof(dims) / sizeof(dims[0]))

static int64_t dim_id(const struct mlc_project_link *l, size_t d)
{
	return *(const int64_t *)(const void *)((const char *)l + dims[d].off);
}

/* What links_check reads once for all links. */
struct check_ctx {
	struct mlc_session *s;
	json_t *subs;        /* "<id>": {isinactive, parent} */
	json_t *parents;     /* "<id>": parent id */
	json_t *rows[NDIMS]; /* "<id>": {isinactive, includechildren, subsidiary}, or NULL */
	char *unread[NDIMS]; /* why a table could not be read (feature off), or NULL */
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
	json_array_foreach (rows, i, row) {
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
	rc = by_id(rc, rows, &c->subs);
	if (rc < 0)
		return rc;
	c->parents = json_object();
	json_object_foreach (c->subs, k, v) {
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

/* What check_link() found about one link, step by step. */
struct link_verdict {
	json_t *problems;    /* the problems, one string each */
	struct mlc_buf text; /* the same, comma separated */
	struct mlc_link_job job;
	bool job_found;
	int64_t sub;      /* the subsidiary the link is checked against, or 0 */
	unsigned bad;     /* bit 0: the job, bit 1 + d: dimension d */
	bool relink;      /* linking again reads the subsidiary from the job */
	bool in_netsuite; /* the fix is in NetSuite before linking again */
	bool pc_bad;      /* the Procore project is out of reach */
};

/* The NetSuite job: exists and is active.  Returns < 0 only when NetSuite
 * could not be asked. */
static int check_job(struct check_ctx *c, const struct mlc_project_link *l, struct link_verdict *v,
		     struct mlc_error *err)
{
	struct mlc_error e2 = {0};
	int rc = links_read_job(c->s, l->netsuite_job_id, &v->job, &e2);

	if (rc == MLC_ENOTFOUND) {
		problem(v->problems, &v->text, "job %lld does not exist in NetSuite",
			(long long)l->netsuite_job_id);
		v->bad |= 1u;
	} else if (rc < 0) {
		return error_set(err, rc, "%s", e2.msg);
	} else {
		v->job_found = true;
		if (v->job.inactive) {
			problem(v->problems, &v->text, "job %lld is inactive",
				(long long)l->netsuite_job_id);
			v->bad |= 1u;
		}
	}
	return MLC_OK;
}

/* The subsidiary: the link's must be the job's, and exist, active. */
static void check_subsidiary(struct check_ctx *c, const struct mlc_project_link *l,
			     struct link_verdict *v)
{
	const struct mlc_link_job *job = &v->job;

	v->sub = v->job_found && job->subsidiary_id ? job->subsidiary_id : l->subsidiary_id;
	if (!l->subsidiary_id) {
		problem(v->problems, &v->text,
			"the link has no subsidiary (made before links read it from the job)");
		v->relink = true;
	} else if (v->job_found && job->subsidiary_id && job->subsidiary_id != l->subsidiary_id) {
		problem(v->problems, &v->text, "the link's subsidiary %lld is not the job's (%lld)",
			(long long)l->subsidiary_id, (long long)job->subsidiary_id);
		v->relink = true;
	}
	if (v->job_found && !job->subsidiary_id) {
		problem(v->problems, &v->text, "job %lld names no subsidiary",
			(long long)l->netsuite_job_id);
		v->in_netsuite = true;
	}
	if (v->sub) {
		char key[24];
		json_t *row;
		snprintf(key, sizeof(key), "%lld", (long long)v->sub);
		row = json_object_get(c->subs, key);
		if (!row) {
			problem(v->problems, &v->text, "subsidiary %lld does not exist",
				(long long)v->sub);
			v->in_netsuite = true;
		} else if (jsonx_bool(row, "isinactive")) {
			problem(v->problems, &v->text, "subsidiary %lld is inactive",
				(long long)v->sub);
			v->in_netsuite = true;
		}
	}
}

/* Each dimension: exists, active, available to the subsidiary. */
static void check_dims(struct check_ctx *c, const struct mlc_project_link *l,
		       struct link_verdict *v)
{
	for (size_t d = 0; d < NDIMS; d++) {
		int64_t id = dim_id(l, d);
		char key[24];
		json_t *row;
		if (!id)
			continue;
		if (c->unread[d]) {
			problem(v->problems, &v->text, "%s %lld cannot be read (%s)", dims[d].what,
				(long long)id, c->unread[d]);
			v->bad |= 2u << d;
			continue;
		}
		snprintf(key, sizeof(key), "%lld", (long long)id);
		row = json_object_get(c->rows[d], key);
		if (!row)
			problem(v->problems, &v->text, "%s %lld does not exist", dims[d].what,
				(long long)id);
		else if (jsonx_bool(row, "isinactive"))
			problem(v->problems, &v->text, "%s %lld is inactive", dims[d].what,
				(long long)id);
		else if (v->sub &&
			 !links_available(jsonx_str(row, "subsidiary"),
					  jsonx_bool(row, "includechildren"), v->sub, c->parents))
			problem(v->problems, &v->text,
				"%s %lld is not available to subsidiary %lld", dims[d].what,
				(long long)id, (long long)v->sub);
		else
			continue;
		v->bad |= 2u << d;
	}
}

/* What to do about the problems found, or "" when there are none. */
static void write_fix(const struct link_verdict *v, const char *tenant,
		      const struct mlc_project_link *l, struct mlc_buf *fix)
{
	struct mlc_buf cmd = MLC_BUF_INIT;

	fix_command(&cmd, tenant, l, v->bad);
	if (v->in_netsuite)
		buf_addf(fix, "in NetSuite, give job %lld an active subsidiary, then run `%s`",
			 (long long)l->netsuite_job_id, cmd.data);
	else if (v->bad || v->relink)
		buf_addf(fix, "run `%s`", cmd.data);
	if (v->pc_bad)
		buf_addf(
		    fix,
		    "%sadd the service account to Procore project %lld, or remove the link with "
		    "`ml-connector project unlink %s --procore-project %lld`",
		    fix->len ? "; " : "", (long long)l->procore_project_id, tenant,
		    (long long)l->procore_project_id);
	buf_release(&cmd);
}

/* One line about the link: its problems and their fix, or what was found good. */
static void write_detail(const struct link_verdict *v, const struct mlc_project_link *l,
			 const struct mlc_buf *fix, struct mlc_buf *detail)
{
	buf_addf(detail, "project %lld -> job %lld: ", (long long)l->procore_project_id,
		 (long long)l->netsuite_job_id);
	if (json_array_size(v->problems)) {
		buf_addf(detail, "%s; %s", v->text.data, fix->data);
		return;
	}
	buf_addf(detail, "\"%s\", subsidiary %lld", v->job.name, (long long)v->sub);
	for (size_t d = 0; d < NDIMS; d++)
		if (dim_id(l, d))
			buf_addf(detail, ", %s %lld", dims[d].what, (long long)dim_id(l, d));
	buf_addstr(detail, ": active and available to the subsidiary; Procore project found");
}

static int check_link(struct check_ctx *c, const struct mlc_project_link *l, json_t **out,
		      struct mlc_error *err)
{
	struct link_verdict v = {.problems = json_array(), .text = MLC_BUF_INIT};
	struct mlc_buf fix = MLC_BUF_INIT, detail = MLC_BUF_INIT;
	int rc;

	*out = NULL;
	rc = check_job(c, l, &v, err);
	if (rc < 0)
		goto out;
	check_subsidiary(c, l, &v);
	check_dims(c, l, &v);
	rc = check_procore(c, l, v.problems, &v.text, &v.pc_bad, err);
	if (rc < 0)
		goto out;
	write_fix(&v, c->s->tenant.name, l, &fix);
	write_detail(&v, l, &fix, &detail);
	*out = json_pack("{s:I, s:I, s:b, s:b, s:O, s:s, s:o}", "procore_project_id",
			 (json_int_t)l->procore_project_id, "netsuite_job_id",
			 (json_int_t)l->netsuite_job_id, "ok", json_array_size(v.problems) == 0,
			 "procore_ok", !v.pc_bad, "problems", v.problems, "detail", detail.data,
			 "fix", fix.len ? json_string(fix.data) : json_null());
	rc = MLC_OK;
out:
	json_decref(v.problems);
	buf_release(&v.text);
	buf_release(&fix);
	buf_release(&detail);
	return rc;
}

int links_check(struct mlc_session *s, json_t **results, struct mlc_error *err)
{
	struct check_ctx c = {.s = s};
	struct mlc_project_link *links = NULL;
	size_t n = 0;
	int rc;

	*results = NULL;
	if (!s->ns || !s->pc)
		return error_set(err, MLC_EINVAL, "checking links needs NetSuite and Procore");
	rc = project_list(s->store, s->tenant.id, &links, &n, err);
	if (rc < 0)
		goto out;
	*results = json_array();
	if (n) {
		rc = ctx_load(&c, links, n, err);
		if (rc < 0)
			goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *one = NULL;
		if (!links[i].active)
			continue;
		rc = check_link(&c, &links[i], &one, err);
		if (rc < 0)
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
