#ifndef MLC_IDMAP_H
#define MLC_IDMAP_H

#include <stdint.h>

#include <jansson.h>

#include "core/store.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The id map: which record in NetSuite is which record in Procore, per
 * tenant and entity ("vendor", "po", "poline", "direct_cost", "je", ...),
 * with the content hash of the last version synced.  Keys are text so
 * that composite keys ("1234:3" for a PO line) fit.  Each side's key is
 * unique per tenant and entity.
 */
struct mlc_idmap_entry {
	char *netsuite_key; /* NULL until known */
	char *procore_key;  /* NULL until known */
	char *content_hash; /* NULL if never synced */
	int64_t updated_at;
};

void idmap_entry_release(struct mlc_idmap_entry *e);
/* Looks up by one side's key.  MLC_ENOTFOUND when absent. */
int idmap_by_netsuite(struct mlc_store *s, int64_t tenant_id, const char *entity,
		      const char *netsuite_key, struct mlc_idmap_entry *out,
		      struct mlc_error *err) MLC_MUST_CHECK;
int idmap_by_procore(struct mlc_store *s, int64_t tenant_id, const char *entity,
		     const char *procore_key, struct mlc_idmap_entry *out,
		     struct mlc_error *err) MLC_MUST_CHECK;
/*
 * Every complete link of an entity as {netsuite_key: procore_key} (rows
 * that know only one side are left out).  Caller decrefs *links.
 */
int idmap_all(struct mlc_store *s, int64_t tenant_id, const char *entity, json_t **links,
	      struct mlc_error *err) MLC_MUST_CHECK;
/*
 * Records a link and its content hash.  The row found by either key is
 * updated (so a record first seen from one side gains the other side's
 * key); otherwise a row is inserted.  Either key may be NULL (not yet
 * known), not both.  MLC_EEXIST if the keys belong to two different rows
 * (a link conflict the caller must park for review).
 */
int idmap_put(struct mlc_store *s, int64_t tenant_id, const char *entity, const char *netsuite_key,
	      const char *procore_key, const char *content_hash,
	      struct mlc_error *err) MLC_MUST_CHECK;

#endif
