#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mapping.h"
#include "core/project.h"
#include "flows/refdata.h"
#include "netsuite/ns_refdata.h"
#include "procore/pc_directory.h"
#include "procore/pc_project_codes.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/banned.h"

int64_t refdata_id(const json_t *map, const char *key)
{
	json_t *v = key ? json_object_get(map, key) : NULL;
	return json_is_integer(v) ? json_integer_value(v) : 0;
}

int64_t refdata_id_num(const json_t *map, int64_t key)
{
	char k[32];
	snprintf(k, sizeof(k), "%lld", (long long)key);
	return refdata_id(map, k);
}

const char *refdata_text_num(const json_t *map, int64_t key)
{
	char k[32];
	snprintf(k, sizeof(k), "%lld", (long long)key);
	json_t *v = json_object_get(map, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void set_num(json_t *map, int64_t key, json_t *v)
{
	char k[32];
	snprintf(k, sizeof(k), "%lld", (long long)key);
	json_object_set_new(map, k, v);
}

/* "03-300 Cast-in-Place Concrete" -> "03-300" */
static void code_of(const json_t *row, char *out, size_t n)
{
	const char *ext = jsonx_str(row, "externalid"), *name = jsonx_str(row, "name");
	const char *src = ext && *ext ? ext : name ? name : "";
	size_t i = 0;

	while (src[i] && !isspace((unsigned char)src[i]) && i + 1 < n) {
		out[i] = src[i];
		i++;
	}
	out[i] = '\0';
}

static int load_netsuite(struct refdata *rd, const char *seg_table, struct mlc_error *err)
{
	struct mlc_session *s = rd->r->s;
	json_t *rows = NULL, *row;
	size_t i;
	int rc;

	if (seg_table) {
		rc = netsuite_read_segment_values(s->ns, seg_table, &rows, err);
		if (rc < 0)
			return rc;
	}
	json_array_foreach (rows, i, row) {
		int64_t id = 0;
		char code[64];
		if (jsonx_id(row, "id", &id) < 0 || !id)
			continue;
		code_of(row, code, sizeof(code));
		set_num(rd->seg_code, id, json_string(code));
		if (!json_object_get(rd->code_seg, code))
			json_object_set_new(rd->code_seg, code, json_integer(id));
	}
	json_decref(rows);
	rows = NULL;
	rc = netsuite_read_item_accounts(s->ns, &rows, err);
	if (rc < 0)
		return rc;
	json_array_foreach (rows, i, row) {
		int64_t id = 0, acct = 0;
		if (jsonx_id(row, "id", &id) == 0 && id &&
		    jsonx_id(row, "expenseaccount", &acct) == 0 && acct)
			set_num(rd->item_account, id, json_integer(acct));
	}
	json_decref(rows);
	return MLC_OK;
}

int refdata_load(struct refdata *rd, struct flow_run *r, bool netsuite_side, const char *seg_table,
		 struct mlc_error *err)
{
	struct mlc_session *s = r->s;
	json_t *m = NULL, *v, *lits = NULL;
	const char *k;
	struct mlc_project_link *links = NULL;
	size_t n = 0, i;
	int rc;

	memset(rd, 0, sizeof(*rd));
	rd->r = r;
	rd->seg_code = json_object();
	rd->code_seg = json_object();
	rd->item_account = json_object();
	rd->account_type = json_object();
	rd->type_account = json_object();
	rd->lit = json_object();
	rd->links = json_object();
	rd->project_codes = json_object();
	rd->projects = json_object();
	rc = netsuite_side ? load_netsuite(rd, seg_table, err) : MLC_OK;
	if (rc < 0)
		return rc;
	/* mapping rows override the automatic code match */
	rc = mapping_all(s->store, s->tenant.id, "cost-code-segment", &m, err);
	if (rc < 0)
		return rc;
	json_object_foreach (m, k, v) {
		int64_t seg = 0;
		if (jsonx_id(v, "segment_value", &seg) == 0 && seg) {
			json_object_set_new(rd->code_seg, k, json_integer(seg));
			set_num(rd->seg_code, seg, json_string(k));
		}
	}
	json_decref(m);
	rc = mapping_all(s->store, s->tenant.id, "cost-type-account", &m, err);
	if (rc < 0)
		return rc;
	json_object_foreach (m, k, v) {
		int64_t acct = 0;
		if (jsonx_id(v, "account", &acct) == 0 && acct) {
			json_object_set_new(rd->type_account, k, json_integer(acct));
			set_num(rd->account_type, acct, json_string(k));
		}
	}
	json_decref(m);
	rc = project_list(s->store, s->tenant.id, &links, &n, err);
	if (rc < 0)
		return rc;
	for (i = 0; i < n; i++)
		set_num(rd->links, links[i].netsuite_job_id,
			json_pack("{s:I, s:I, s:I, s:I, s:I}", "procore_project_id",
				  (json_int_t)links[i].procore_project_id, "subsidiary",
				  (json_int_t)links[i].subsidiary_id, "department",
				  (json_int_t)links[i].department_id, "class",
				  (json_int_t)links[i].class_id, "location",
				  (json_int_t)links[i].location_id));
	free(links);
	rc = procore_read_line_item_types(s->pc, &lits, err);
	if (rc < 0)
		return rc;
	json_array_foreach (lits, i, v) {
		int64_t id = 0;
		if (jsonx_str(v, "code") && jsonx_id(v, "id", &id) == 0 && id)
			json_object_set_new(rd->lit, jsonx_str(v, "code"), json_integer(id));
	}
	json_decref(lits);
	json_t *projects = NULL;
	rc = procore_read_projects(s->pc, &projects, err);
	if (rc < 0)
		return rc;
	json_array_foreach (projects, i, v) {
		int64_t id = 0;
		if (jsonx_id(v, "id", &id) == 0 && id)
			set_num(rd->projects, id, json_incref(v));
	}
	json_decref(projects);
	return MLC_OK;
}

void refdata_release(struct refdata *rd)
{
	json_decref(rd->seg_code);
	json_decref(rd->code_seg);
	json_decref(rd->item_account);
	json_decref(rd->account_type);
	json_decref(rd->type_account);
	json_decref(rd->lit);
	json_decref(rd->links);
	json_decref(rd->project_codes);
	json_decref(rd->projects);
	memset(rd, 0, sizeof(*rd));
}

int refdata_project_code(struct refdata *rd, int64_t project_id, const char *code, int64_t *id,
			 struct mlc_error *err)
{
	char k[32];
	json_t *codes;

	*id = 0;
	snprintf(k, sizeof(k), "%lld", (long long)project_id);
	codes = json_object_get(rd->project_codes, k);
	if (!codes) {
		json_t *list = NULL, *v;
		size_t i;
		int rc;
		rc = procore_project_cost_codes(rd->r->s->pc, project_id, &list, err);
		if (rc < 0)
			return rc;
		codes = json_object();
		json_array_foreach (list, i, v) {
			int64_t cid = 0;
			const char *fc = jsonx_str(v, "full_code");
			if (fc && jsonx_id(v, "id", &cid) == 0 && cid)
				json_object_set_new(codes, fc, json_integer(cid));
		}
		json_decref(list);
		json_object_set_new(rd->project_codes, k, codes);
	}
	*id = refdata_id(codes, code);
	return MLC_OK;
}

void refdata_project_label(struct refdata *rd, int64_t project_id, char *out, size_t n)
{
	char k[32];
	snprintf(k, sizeof(k), "%lld", (long long)project_id);
	json_t *p = json_object_get(rd->projects, k);
	if (p)
		snprintf(out, n, "'%s' (#%s)", jsonx_str(p, "name") ? jsonx_str(p, "name") : "?",
			 jsonx_str(p, "project_number") ? jsonx_str(p, "project_number") : "?");
	else
		snprintf(out, n, "#%lld", (long long)project_id);
}
