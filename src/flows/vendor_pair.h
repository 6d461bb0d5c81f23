#ifndef MLC_VENDOR_PAIR_H
#define MLC_VENDOR_PAIR_H

#include <stdint.h>

#include <jansson.h>

#include "flows/flow.h"
#include "flows/masterdata.h"
#include "flows/vendor_match.h"
#include "net/http_note.h"
#include "netsuite/ns_vendors.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Writing vendor pairs, shared by the flows "vendors" and "vendors-back".
 *
 * Procore's side goes through the vendors sync endpoint
 * (procore/pc_vendors.h) in batches of
 * at most 1000, keyed by origin_id "ns:vendor:<NetSuite id>" (so a
 * Procore vendor linked from either direction carries the link); a
 * confirmed record keeps its id map row (entity "vendor", with the content
 * hash of the Procore body) and its md_base "vendors" row.  A record the
 * reply neither confirms nor refuses is a failure (not settled).
 *
 * Settling a linked pair: the NetSuite and Procore views
 * (flows/vendor_fields.h) are merged against the base (none yet: the empty
 * view, so blanks are filled and differences go to the field's owner);
 * conflicts are audited; NetSuite's side is PATCHed at once; Procore's side
 * is queued with the merged values as the next base.  A pair already equal
 * costs no write.
 */
struct vendor_pc_index {
	int64_t id;
	size_t at; /* index into pcv */
};

/*
 * One NetSuite vendor write sent ahead of its record (issue 20: a bulk
 * write keeps the account's pool full).  The flow fills it on its own
 * thread, vendor_ns_writes_send() sends a list of them at once through
 * netsuite_run_many() (the adapter only: no store, no audit on the pool's
 * threads), and the flow then handles its records in order as before,
 * each taking its write's outcome instead of sending it (vendor_pairs.pre).
 *   update  ns_id set: PATCH body (the merge's NetSuite side).
 *   create  ns_id 0: upsert by externalId eid, then the vendor read back
 *           by it into row.
 * sent is a copy of the body as planned, for the record to check that it
 * would send the same; outcome: rc, code, err, and the write's audit note.
 */
struct vendor_ns_write {
	int64_t ns_id;
	char eid[64];
	json_t *body; /* taken by the send */
	json_t *sent; /* owned */
	json_t *row;  /* create: the vendor read back; owned */
	bool planned, used;
	int rc;
	char code[NS_CODE_MAX];
	struct mlc_error err;
	bool noted;
	struct mlc_http_write_note note;
};

/* Sends every planned write of w[0..n) at once (netsuite_run_many). */
void vendor_ns_writes_send(struct mlc_netsuite *ns, struct vendor_ns_write *w, size_t n);
/* Releases the contents of w[0..n) (not w). */
void vendor_ns_writes_release(struct vendor_ns_write *w, size_t n);
/* Makes w's audit note this thread's last write again, so the record of
 * its outcome carries its attempts (net/http_note.h). */
void vendor_ns_write_note(const struct vendor_ns_write *w);

struct vendor_pairs {
	struct flow_run *r;
	enum md_side master;
	json_t *bases;   /* md_base "vendors" {NetSuite id: view}; owned, set by the flow */
	json_t *pcv;     /* the Procore vendors settle() looks pairs up in; owned */
	json_t *updates; /* bodies for the next sync call */
	json_t *meta;    /* per origin_id: {ns_key, hash, action, detail, base} */
	int failed;      /* a record failed: the flow keeps its watermark */
	struct vendor_pc_index *pc_index; /* pcv sorted by id (vendor_pairs_find) */
	size_t npc_index;
	const json_t *pc_indexed;    /* the pcv that pc_index describes */
	struct vendor_ns_write *pre; /* the current record's write sent ahead, or NULL */
	bool hold;                   /* queue() leaves a full batch for vendor_pairs_flush_due() */
};

/* Empty batch for a run; master MD_NETSUITE until the flow sets it. */
void vendor_pairs_init(struct vendor_pairs *vp, struct flow_run *r);
void vendor_pairs_release(struct vendor_pairs *vp);

/* The Procore vendor body for a view of NetSuite vendor ns_id: its values
 * (nulls left out), origin_id and origin_code (the entity id eid, may be
 * NULL).  Caller decrefs. */
json_t *vendor_pc_body(const json_t *view, int64_t ns_id, const char *eid);
/* {field: {from, to}} for each field of body that differs in current (may
 * be NULL).  Caller decrefs. */
json_t *vendor_changed_fields(const json_t *body, const json_t *current);
/* The vendor with this id in vp->pcv, or NULL (borrowed).  The list is
 * indexed by id on first use (and again if vp->pcv is replaced). */
const json_t *vendor_pairs_find(struct vendor_pairs *vp, int64_t id);

/* Queues one Procore write (body not taken, detail taken, base copied),
 * sending the batch when full. */
int vendor_pairs_queue(struct vendor_pairs *vp, json_t *body, const char *src, const char *ns_key,
		       const char *hash, const char *action, json_t *detail, const json_t *base,
		       struct mlc_error *err) MLC_MUST_CHECK;
/* Sends the batch and settles every record in it (its store writes in
 * one transaction). */
int vendor_pairs_flush(struct vendor_pairs *vp, struct mlc_error *err) MLC_MUST_CHECK;
/* Flushes when vp->hold left a full batch queued. */
int vendor_pairs_flush_due(struct vendor_pairs *vp, struct mlc_error *err) MLC_MUST_CHECK;
/*
 * Settles NetSuite vendor nv (its view is made here, for the merge) with
 * Procore vendor pc_id (in vp->pcv), as described above.  src is "ns:vendor:<id>".  A failed write
 * is recorded and counted in vp->failed, not returned; < 0 only when the batch could not be sent at
 * all.  With vp->pre an update of ns_id with the same body, its outcome
 * is taken instead of sending the PATCH (and vp->pre is marked used).
 */
int vendor_pairs_settle(struct vendor_pairs *vp, const struct ns_vendor *nv, int64_t ns_id,
			const char *ns_key, const char *src, int64_t pc_id,
			struct mlc_error *err) MLC_MUST_CHECK;

/*
 * The NetSuite body vendor_pairs_settle() would PATCH for this pair now
 * (NULL: none), for a write sent ahead.  Same merge, no record, no write.
 * Caller decrefs.
 */
json_t *vendor_pairs_ns_patch(struct vendor_pairs *vp, const struct ns_vendor *nv,
			      const char *ns_key, int64_t pc_id);

/* Links for vendor_match_all(), grown as needed. */
struct vendor_links {
	struct vendor_link *v;
	size_t n, cap;
};

void vendor_links_add(struct vendor_links *l, int64_t src, int64_t dst, bool origin);
void vendor_links_release(struct vendor_links *l);
/* Adds every vendor link of the tenant's id map (tier 2); ns_is_src says
 * whether NetSuite ids are the source side. */
int vendor_links_idmap(struct mlc_session *s, struct vendor_links *l, bool ns_is_src,
		       struct mlc_error *err) MLC_MUST_CHECK;
/* The NetSuite vendor id an origin_id "ns:vendor:<id>" names; 0 for any
 * other text or NULL. */
int64_t vendor_origin_parse(const char *origin);

#endif
