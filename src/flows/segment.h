#ifndef MLC_SEGMENT_H
#define MLC_SEGMENT_H

#include <stdbool.h>

#include <jansson.h>

#include "flows/session.h"
#include "netsuite/cseg.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The cost-code dimension on the GL: whether journal, budget and
 * commitment lines carry the cost code in a NetSuite custom segment, and
 * which one.  Two tenant settings decide it:
 *
 *   netsuite.cost_code_segment  the segment's script id (default
 *                               CSEG_DEFAULT, rules in netsuite/cseg.h)
 *   costs.use_segment           "auto" (default): use the segment when the
 *                               account has it; true: require it (a run
 *                               fails when it is missing); false: never.
 *
 * segment_resolve() asks NetSuite once (SuiteQL
 * "SELECT scriptid FROM customsegment", compared case-insensitively since
 * script ids may come back upper-case; a disabled Custom Segments feature
 * answers "Record 'customsegment' was not found", which means absent).
 * Without the segment, journal lines carry the cost code in their memo and
 * reconcile compares per project x GL account.
 */
struct mlc_segment {
	bool use;                   /* lines carry the segment */
	bool exists;                /* NetSuite has it (false when not asked) */
	char field[CSEG_MAX + 1];   /* line field / SuiteQL column: the script id */
	char table[CSEG_TABLE_MAX]; /* values: record type and SuiteQL table */
	char why[200];              /* how it was decided, for logs and reports */
};

/*
 * Checks one tenant setting before it is stored: MLC_ECONFIG with a
 * message naming the setting when key is one of the two above and value is
 * not valid for it; MLC_OK for any other key.
 */
int segment_setting_check(const char *key, const json_t *value,
			  struct mlc_error *err) MLC_MUST_CHECK;

/* Reads the settings into seg without asking NetSuite (seg->use is true
 * unless costs.use_segment is false).  MLC_ECONFIG on a bad setting. */
int segment_settings(const struct mlc_session *s, struct mlc_segment *seg,
		     struct mlc_error *err) MLC_MUST_CHECK;

/*
 * segment_settings(), then, unless costs.use_segment is false, asks
 * NetSuite whether the segment exists and decides seg->use.  MLC_ECONFIG
 * naming the setting when it is true and the segment is missing.
 */
int segment_resolve(struct mlc_session *s, struct mlc_segment *seg,
		    struct mlc_error *err) MLC_MUST_CHECK;

#endif
