#ifndef MLC_CSEG_H
#define MLC_CSEG_H

#include <stddef.h>

#include "util/compat.h"
#include "util/error.h"

/*
 * NetSuite custom segment script ids: the one place that knows the
 * connector's default cost-code segment and the rules a script id obeys.
 *
 * A custom segment's script id is its field id on transaction lines
 * (SuiteQL transactionline.<id>, REST line field <id>); its values are the
 * records of the custom record type "customrecord_<id>"
 * (docs/reference/netsuite.md, "Custom segment").
 *
 * Rules (Oracle Help Center, SDF XML reference "customsegment": the
 * scriptid attribute "can be up to 19 characters long. The default value
 * is 'cseg'"; "Using the Script ID to Access Custom Segment Body, Line, and
 * Filter By Fields": "The field ID of custom segments is prefixed with
 * cseg"; the generated SDF type of salto-io/salto's NetSuite adapter
 * restricts it to ^cseg[0-9a-z_]+): "cseg" followed by at least one of
 * a-z, 0-9 and '_', at most CSEG_MAX characters in all.
 */
#define CSEG_DEFAULT "cseg_mlc_costcode"
#define CSEG_MAX     19
/* Room for "customrecord_" + a script id + NUL. */
#define CSEG_TABLE_MAX (13 + CSEG_MAX + 1)

/* MLC_EINVAL with the reason in err unless id is a valid script id. */
int cseg_check(const char *id, struct mlc_error *err) MLC_MUST_CHECK;
/* "customrecord_<id>" into out (n >= CSEG_TABLE_MAX). */
void cseg_values_table(const char *id, char *out, size_t n);

#endif
