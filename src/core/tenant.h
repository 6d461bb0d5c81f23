#ifndef MLC_TENANT_H
#define MLC_TENANT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/store.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * A tenant: one customer, with its Procore company and NetSuite account.
 * URLs are stored only when set explicitly; tenant_*_url() give the
 * effective value (the real hosts by default, NetSuite's derived from the
 * account id).  settings is a JSON object of per-tenant options that
 * later flows define (schedules, offsets, modes).
 */
struct mlc_tenant {
	int64_t id;
	char *name;
	int64_t procore_company_id;
	char *netsuite_account;
	char *netsuite_url;     /* NULL: derived */
	char *procore_api_url;  /* NULL: from procore_env */
	char *procore_auth_url; /* NULL: from procore_env */
	char *procore_env;      /* production | sandbox | monthly */
	json_t *settings;       /* owned reference, never NULL after a load */
	int64_t created_at;
	int64_t updated_at;
};

/* Fields a `tenant add/set` may change; NULL / 0 means "leave as is". */
struct mlc_tenant_changes {
	int64_t procore_company_id;
	const char *netsuite_account;
	const char *netsuite_url;
	const char *procore_api_url;
	const char *procore_auth_url;
	const char *procore_env;
};

void tenant_release(struct mlc_tenant *t);

/* Validates the changes (URLs, env names, account id shape). */
int tenant_validate_changes(const struct mlc_tenant_changes *c,
			    struct mlc_error *err) MLC_MUST_CHECK;
/* Adds a tenant; company id and account are required.  MLC_EEXIST if the
 * name is taken. */
int tenant_add(struct mlc_store *s, const char *name, const struct mlc_tenant_changes *c,
	       struct mlc_error *err) MLC_MUST_CHECK;
int tenant_update(struct mlc_store *s, const char *name, const struct mlc_tenant_changes *c,
		  struct mlc_error *err) MLC_MUST_CHECK;
/* Replaces the settings JSON object. */
int tenant_set_settings(struct mlc_store *s, int64_t tenant_id, const json_t *settings,
			struct mlc_error *err) MLC_MUST_CHECK;
/* Loads by name into t (caller releases).  MLC_ENOTFOUND if absent. */
int tenant_get(struct mlc_store *s, const char *name, struct mlc_tenant *t,
	       struct mlc_error *err) MLC_MUST_CHECK;
/* Loads by id. */
int tenant_get_by_id(struct mlc_store *s, int64_t id, struct mlc_tenant *t,
		     struct mlc_error *err) MLC_MUST_CHECK;
int tenant_remove(struct mlc_store *s, const char *name, struct mlc_error *err) MLC_MUST_CHECK;
/* Loads every tenant, ordered by name, into a malloc'd array (caller frees
 * with tenant_list_free()). */
int tenant_list(struct mlc_store *s, struct mlc_tenant **out, size_t *n,
		struct mlc_error *err) MLC_MUST_CHECK;
void tenant_list_free(struct mlc_tenant *list, size_t n);

/* Effective URLs.  Caller frees. */
char *tenant_netsuite_url(const struct mlc_tenant *t);
const char *tenant_procore_api_url(const struct mlc_tenant *t);
const char *tenant_procore_auth_url(const struct mlc_tenant *t);
/* The tenant as JSON (effective URLs included).  Caller decrefs. */
json_t *tenant_to_json(const struct mlc_tenant *t);

#endif
