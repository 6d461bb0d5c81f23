#ifndef MLC_ACCOUNTS_H
#define MLC_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "flows/session.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The NetSuite chart of accounts as the connector sees it: read by
 * SuiteQL into the tenant's account_catalog, and every account the
 * mappings name checked to be postable where the postings go.
 */

/*
 * Reads the chart of accounts and replaces the tenant's catalog with it
 * (one transaction) unless !keep (a dry run).  *catalog (caller decrefs) is {"<id>": {id, number,
 * name, type, inactive, summary, subsidiaries: [ids]}}.
 */
int accounts_refresh(struct mlc_session *s, bool keep, json_t **catalog,
		     struct mlc_error *err) MLC_MUST_CHECK;

/* The mapping kinds whose targets are GL accounts (NULL-terminated). */
extern const char *const accounts_mapping_kinds[];

/*
 * Every mapped account against the catalog: mappings is {kind: {key:
 * target}} for the kinds above; subsidiaries the linked projects'
 * subsidiaries (an account must be available to each).  Returns the
 * problems (caller decrefs): [{kind, mapping, account, problem}] with
 * problem "no such account", "inactive", "summary (not postable)" or
 * "not available to subsidiary N".
 */
json_t *accounts_check(const json_t *catalog, const json_t *mappings, const int64_t *subsidiaries,
		       size_t nsub);

/* Loads the account mappings of a tenant as accounts_check wants them. */
int accounts_mappings(struct mlc_session *s, json_t **mappings,
		      struct mlc_error *err) MLC_MUST_CHECK;

/* The distinct subsidiaries of a tenant's active project links (malloc'd). */
int accounts_subsidiaries(struct mlc_session *s, int64_t **subs, size_t *n,
			  struct mlc_error *err) MLC_MUST_CHECK;

#endif
