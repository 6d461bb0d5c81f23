#ifndef MLC_REVIEW_RESOLVE_H
#define MLC_REVIEW_RESOLVE_H

#include <jansson.h>

#include "flows/session.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Review items seen and decided by a person (`review show`, `review
 * resolve`; the console calls the same functions).  The decision is
 * stored (core/review.h) and applied by the flow that parked the record,
 * on its next run (flows/flow_park.h).
 *
 * Actions per kind of item (review_actions() lists them for an item):
 *   vendor (flow vendors)      link PROCORE_ID | create | ignore
 *   vendor (flow vendors-back, parked with candidates)
 *                              link NETSUITE_ID | create | ignore
 *   budget or cost code, a conflict (setting review.conflicts)
 *                              take netsuite|procore | ignore
 *   cost code only on the side its master does not accept
 *                              take SIDE (the side holding it: copied to
 *                              the other) | ignore
 *   costs, a closed period     post-in [PERIOD] | drop
 *   costs, an unmapped code    map ACCOUNT (writes cost-code-account and
 *                              runs the costs flow) | drop
 *   any other item             ignore
 */
struct review_action {
	const char *action; /* one of the words above */
	const char *arg;    /* its argument, or NULL */
	const char *by;     /* who decides (required) */
	const char *why;    /* why (required) */
};

/* The actions item (a review_get() result) accepts, as a JSON array of
 * strings (caller decrefs). */
json_t *review_actions(const json_t *item);

/*
 * The item id of the session's tenant with what a person needs to decide
 * (caller decrefs *out): the item (review_list's shape) plus
 *   "actions": review_actions(),
 *   "compare": for candidates, {"fields": [name], "rows": [{"id", "values":
 *       {field: value}, "differs": [field]}]}, the first row being the
 *       record itself ("id": "record") and each candidate marked where it
 *       differs from it; with a session (s->pc set) the candidates' fields
 *       are read from Procore, else from the item,
 *   "blocks": the open items and the latest failed or parked audit rows of
 *       the tenant whose reason names this record (up to 50).
 * s->pc may be NULL (offline).
 */
int review_show(struct mlc_session *s, int64_t id, json_t **out,
		struct mlc_error *err) MLC_MUST_CHECK;

/*
 * Checks action a against item id and the systems (a link names a Procore
 * vendor that exists, or for vendors-back a NetSuite vendor; post-in names an open NetSuite period;
 * map names an account that passes the checks `mapping check` makes), then stores the decision and
 * its audit row (core/review.h).  map also writes the mapping and runs the costs flow at once, so
 * the record posts now. *out (caller decrefs) is {"item": id, "action", "arg"?, "by", "why",
 * "replay"?: the costs run's result}.  The session must hold the systems
 * the check needs (Procore for link, NetSuite for a vendors-back link,
 * post-in and map).
 */
int review_resolve_item(struct mlc_session *s, int64_t id, const struct review_action *a,
			json_t **out, struct mlc_error *err) MLC_MUST_CHECK;

#endif
