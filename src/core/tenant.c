#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/tenant.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

struct procore_env {
	const char *name, *auth, *api;
};

/* docs/reference/procore.md, "Hosts". */
static const struct procore_env envs[] = {
    {"production", "https://login.procore.com", "https://api.procore.com"},
    {"sandbox", "https://login-sandbox.procore.com", "https://sandbox.procore.com"},
    {"monthly", "https://login-sandbox-monthly.procore.com", "https://api-monthly.procore.com"},
};

static const struct procore_env *find_env(const char *name)
{
	for (size_t i = 0; i < MLC_ARRAY_LEN(envs); i++)
		if (name && strcmp(envs[i].name, name) == 0)
			return &envs[i];
	return NULL;
}

void tenant_release(struct mlc_tenant *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->netsuite_account);
	free(t->netsuite_url);
	free(t->procore_api_url);
	free(t->procore_auth_url);
	free(t->procore_env);
	json_decref(t->settings);
	memset(t, 0, sizeof(*t));
}

static int check_url(const char *what, const char *url, struct mlc_error *err)
{
	if (!url)
		return MLC_OK;
	if (!str_starts_with(url, "https://") && !str_starts_with(url, "http://"))
		return error_set(err, MLC_EINVAL, "%s '%s' must start with https:// or http://",
				 what, url);
	if (strlen(url) > 512 || strchr(url, ' '))
		return error_set(err, MLC_EINVAL, "%s '%s' is not a valid URL", what, url);
	return MLC_OK;
}

int tenant_validate_changes(const struct mlc_tenant_changes *c, struct mlc_error *err)
{
	int rc;

	if (c->netsuite_account) {
		const char *a = c->netsuite_account;
		if (!*a || strlen(a) > 64)
			return error_set(err, MLC_EINVAL, "NetSuite account id '%s' is not valid",
					 a);
		for (; *a; a++)
			if (!isalnum((unsigned char)*a) && *a != '_' && *a != '-')
				return error_set(
				    err, MLC_EINVAL,
				    "NetSuite account id '%s' may hold only letters, digits, "
				    "'_' and '-' (e.g. 1234567 or 1234567_SB1)",
				    c->netsuite_account);
	}
	if (c->procore_company_id < 0)
		return error_set(err, MLC_EINVAL, "Procore company id must be positive");
	rc = check_url("--netsuite-url", c->netsuite_url, err);
	if (rc >= 0)
		rc = check_url("--procore-api-url", c->procore_api_url, err);
	if (rc >= 0)
		rc = check_url("--procore-auth-url", c->procore_auth_url, err);
	if (rc < 0)
		return rc;
	if (c->procore_env && !find_env(c->procore_env))
		return error_set(err, MLC_EINVAL,
				 "--procore-env '%s' is not one of production, sandbox, monthly",
				 c->procore_env);
	return MLC_OK;
}

int tenant_add(struct mlc_store *s, const char *name, const struct mlc_tenant_changes *c,
	       struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int64_t now = time_now_ms();
	int rc;

	if (!str_is_name(name))
		return error_set(err, MLC_EINVAL,
				 "tenant name '%s' must be 1-64 letters, digits, '_', '-' or '.', "
				 "starting with a letter or digit",
				 name);
	if (c->procore_company_id <= 0)
		return error_set(err, MLC_EINVAL, "--procore-company is required");
	if (!c->netsuite_account)
		return error_set(err, MLC_EINVAL, "--netsuite-account is required");
	rc = tenant_validate_changes(c, err);
	if (rc < 0)
		return rc;
	rc =
	    store_prepare(s,
			  "INSERT INTO tenants (name, procore_company_id, netsuite_account, "
			  "netsuite_url, procore_api_url, procore_auth_url, procore_env, settings, "
			  "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, '{}', ?, ?)",
			  &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_text(st, 1, name);
	stmt_bind_i64(st, 2, c->procore_company_id);
	stmt_bind_text(st, 3, c->netsuite_account);
	stmt_bind_text(st, 4, c->netsuite_url);
	stmt_bind_text(st, 5, c->procore_api_url);
	stmt_bind_text(st, 6, c->procore_auth_url);
	stmt_bind_text(st, 7, c->procore_env ? c->procore_env : "production");
	stmt_bind_i64(st, 8, now);
	stmt_bind_i64(st, 9, now);
	rc = stmt_step(st, err);
	stmt_free(st);
	if (rc == MLC_EEXIST)
		return error_set(err, MLC_EEXIST, "tenant '%s' already exists", name);
	return rc < 0 ? rc : MLC_OK;
}

/* Sets one column when the change is present. */
static int update_col(struct mlc_store *s, const char *name, const char *col, const char *text,
		      int64_t num, struct mlc_error *err)
{
	struct mlc_buf sql = MLC_BUF_INIT;
	struct mlc_stmt *st = NULL;
	int rc;

	buf_addf(&sql, "UPDATE tenants SET %s = ?, updated_at = ? WHERE name = ?", col);
	rc = store_prepare(s, sql.data, &st, err);
	buf_release(&sql);
	if (rc < 0)
		return rc;
	if (text)
		stmt_bind_text(st, 1, text);
	else
		stmt_bind_i64(st, 1, num);
	stmt_bind_i64(st, 2, time_now_ms());
	stmt_bind_text(st, 3, name);
	rc = stmt_step(st, err);
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}

int tenant_update(struct mlc_store *s, const char *name, const struct mlc_tenant_changes *c,
		  struct mlc_error *err)
{
	struct mlc_tenant t = {0};
	int rc;

	rc = tenant_validate_changes(c, err);
	if (rc < 0)
		return rc;
	rc = tenant_get(s, name, &t, err);
	if (rc < 0)
		return rc;
	tenant_release(&t);
	rc = store_begin(s, err);
	if (rc < 0)
		return rc;
	if (c->procore_company_id > 0)
		rc = update_col(s, name, "procore_company_id", NULL, c->procore_company_id, err);
	if (rc == MLC_OK && c->netsuite_account)
		rc = update_col(s, name, "netsuite_account", c->netsuite_account, 0, err);
	if (rc == MLC_OK && c->netsuite_url)
		rc = update_col(s, name, "netsuite_url", c->netsuite_url, 0, err);
	if (rc == MLC_OK && c->procore_api_url)
		rc = update_col(s, name, "procore_api_url", c->procore_api_url, 0, err);
	if (rc == MLC_OK && c->procore_auth_url)
		rc = update_col(s, name, "procore_auth_url", c->procore_auth_url, 0, err);
	if (rc == MLC_OK && c->procore_env)
		rc = update_col(s, name, "procore_env", c->procore_env, 0, err);
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, err);
}

int tenant_set_settings(struct mlc_store *s, int64_t tenant_id, const json_t *settings,
			struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	char *text;
	int rc;

	if (!json_is_object(settings))
		return error_set(err, MLC_EINVAL, "tenant settings must be a JSON object");
	text = json_dumps(settings, JSON_COMPACT | JSON_SORT_KEYS);
	rc = store_prepare(s, "UPDATE tenants SET settings = ?, updated_at = ? WHERE id = ?", &st,
			   err);
	if (rc == MLC_OK) {
		stmt_bind_text(st, 1, text);
		stmt_bind_i64(st, 2, time_now_ms());
		stmt_bind_i64(st, 3, tenant_id);
		rc = stmt_step(st, err);
		stmt_free(st);
	}
	free(text);
	return rc < 0 ? rc : MLC_OK;
}

#define TENANT_COLS                                                                                \
	"id, name, procore_company_id, netsuite_account, netsuite_url, procore_api_url, "          \
	"procore_auth_url, procore_env, settings, created_at, updated_at"

static void load_row(struct mlc_stmt *st, struct mlc_tenant *t)
{
	json_error_t jerr;

	t->id = stmt_col_i64(st, 0);
	t->name = stmt_col_dup(st, 1);
	t->procore_company_id = stmt_col_i64(st, 2);
	t->netsuite_account = stmt_col_dup(st, 3);
	t->netsuite_url = stmt_col_dup(st, 4);
	t->procore_api_url = stmt_col_dup(st, 5);
	t->procore_auth_url = stmt_col_dup(st, 6);
	t->procore_env = stmt_col_dup(st, 7);
	t->settings = json_loads(stmt_col_text(st, 8), 0, &jerr);
	if (!json_is_object(t->settings)) {
		json_decref(t->settings);
		t->settings = json_object();
	}
	t->created_at = stmt_col_i64(st, 9);
	t->updated_at = stmt_col_i64(st, 10);
}

/* Loads the one tenant matching "name = ?" (by name) or "id = ?". */
static int get_one(struct mlc_store *s, const char *name, int64_t id, struct mlc_tenant *t,
		   struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc;

	memset(t, 0, sizeof(*t));
	rc = store_prepare(s,
			   name ? "SELECT " TENANT_COLS " FROM tenants WHERE name = ?"
				: "SELECT " TENANT_COLS " FROM tenants WHERE id = ?",
			   &st, err);
	if (rc < 0)
		return rc;
	if (name)
		stmt_bind_text(st, 1, name);
	else
		stmt_bind_i64(st, 1, id);
	rc = stmt_step(st, err);
	if (rc == 1) {
		load_row(st, t);
		rc = MLC_OK;
	} else if (rc == 0) {
		rc = name ? error_set(err, MLC_ENOTFOUND, "tenant '%s' not found", name)
			  : error_set(err, MLC_ENOTFOUND, "tenant %lld not found", (long long)id);
	}
	stmt_free(st);
	return rc;
}

int tenant_get(struct mlc_store *s, const char *name, struct mlc_tenant *t, struct mlc_error *err)
{
	return get_one(s, name, 0, t, err);
}

int tenant_get_by_id(struct mlc_store *s, int64_t id, struct mlc_tenant *t, struct mlc_error *err)
{
	return get_one(s, NULL, id, t, err);
}

int tenant_remove(struct mlc_store *s, const char *name, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc;

	rc = store_prepare(s, "DELETE FROM tenants WHERE name = ?", &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_text(st, 1, name);
	rc = stmt_step(st, err);
	stmt_free(st);
	if (rc < 0)
		return rc;
	if (store_changes(s) == 0)
		return error_set(err, MLC_ENOTFOUND, "tenant '%s' not found", name);
	return MLC_OK;
}

int tenant_list(struct mlc_store *s, struct mlc_tenant **out, size_t *n, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	struct mlc_tenant *list = NULL;
	size_t len = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	rc = store_prepare(s, "SELECT " TENANT_COLS " FROM tenants ORDER BY name", &st, err);
	if (rc < 0)
		return rc;
	while ((rc = stmt_step(st, err)) == 1) {
		if (len == cap) {
			cap = cap ? cap * 2 : 8;
			list = xrealloc(list, cap * sizeof(*list));
		}
		memset(&list[len], 0, sizeof(*list));
		load_row(st, &list[len++]);
	}
	stmt_free(st);
	if (rc < 0) {
		tenant_list_free(list, len);
		return rc;
	}
	*out = list;
	*n = len;
	return MLC_OK;
}

void tenant_list_free(struct mlc_tenant *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tenant_release(&list[i]);
	free(list);
}

char *tenant_netsuite_url(const struct mlc_tenant *t)
{
	struct mlc_buf b = MLC_BUF_INIT;

	if (t->netsuite_url)
		return xstrdup(t->netsuite_url);
	/* docs/reference/netsuite.md: lowercased, '_' becomes '-' */
	buf_addstr(&b, "https://");
	for (const char *p = t->netsuite_account; *p; p++)
		buf_addch(&b, *p == '_' ? '-' : (char)tolower((unsigned char)*p));
	buf_addstr(&b, ".suitetalk.api.netsuite.com");
	return buf_detach(&b, NULL);
}

const char *tenant_procore_api_url(const struct mlc_tenant *t)
{
	const struct procore_env *e = find_env(t->procore_env);
	if (t->procore_api_url)
		return t->procore_api_url;
	return e ? e->api : envs[0].api;
}

const char *tenant_procore_auth_url(const struct mlc_tenant *t)
{
	const struct procore_env *e = find_env(t->procore_env);
	if (t->procore_auth_url)
		return t->procore_auth_url;
	return e ? e->auth : envs[0].auth;
}

json_t *tenant_to_json(const struct mlc_tenant *t)
{
	char *ns = tenant_netsuite_url(t);
	json_t *o = json_pack(
	    "{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:O}", "name", t->name, "procore_company_id",
	    (json_int_t)t->procore_company_id, "netsuite_account", t->netsuite_account,
	    "netsuite_url", ns, "procore_api_url", tenant_procore_api_url(t), "procore_auth_url",
	    tenant_procore_auth_url(t), "procore_env", t->procore_env, "settings", t->settings);
	free(ns);
	return o;
}
