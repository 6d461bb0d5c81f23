/*
 * One NetSuite vendor for a webhook push (flows/vendors_one.h): the
 * one-record reads, then the vendors flow's own per-vendor code
 * (vendors_fwd_linked) under the vendor's lock.
 */
#include <stdio.h>

#include "core/md_base.h"
#include "flows/doc_lock.h"
#include "flows/vendor_fields.h"
#include "flows/vendors_one.h"
#include "netsuite/ns_vendor_one.h"
#include "procore/pc_vendor_one.h"
#include "util/banned.h"

/* The reads and the answer; the caller holds the vendor's lock. */
static int one_locked(struct flow_run *r, struct vendor_pairs *f, int64_t ns_id, bool *handled,
		      struct mlc_error *err)
{
	struct mlc_session *s = r->s;
	struct ns_vendors nsv = {0};
	char origin[48], key[32];
	json_t *base = NULL;
	bool back;
	int rc;

	rc = vendor_master(s, &f->master, &back, err);
	if (rc >= 0)
		rc = netsuite_vendor_one(s->ns, ns_id, &nsv, err);
	if (rc < 0 || nsv.n != 1)
		goto out; /* gone: only the flow's read can tell what that means */
	snprintf(origin, sizeof(origin), "ns:vendor:%lld", (long long)ns_id);
	rc = procore_vendor_by_origin(s->pc, s->tenant.procore_company_id, origin, &f->pcv, err);
	if (rc < 0 || json_array_size(f->pcv) != 1)
		goto out;
	snprintf(key, sizeof(key), "%lld", (long long)ns_id);
	rc = md_base_get(s->store, s->tenant.id, "vendors", key, &base, err);
	if (rc < 0)
		goto out;
	f->bases = json_object();
	if (base)
		json_object_set(f->bases, key, base);
	rc = vendors_fwd_linked(r, f, &nsv, handled, err);
	if (rc >= 0 && f->failed)
		rc = error_set(err, MLC_ETRANSIENT,
			       "vendor %lld was not settled; the next run of vendors retries",
			       (long long)ns_id);
out:
	json_decref(base);
	ns_vendors_release(&nsv);
	return rc;
}

int vendors_one(struct flow_run *r, int64_t ns_id, bool *handled, struct mlc_error *err)
{
	struct vendor_pairs f;
	char key[64];
	int rc;

	*handled = false;
	vendor_pairs_init(&f, r);
	snprintf(key, sizeof(key), "vendor:%lld:%lld", (long long)r->s->tenant.id,
		 (long long)ns_id);
	doc_lock(key);
	rc = one_locked(r, &f, ns_id, handled, err);
	doc_unlock(key);
	vendor_pairs_release(&f);
	return rc;
}
