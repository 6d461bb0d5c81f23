#ifndef MLC_NORMALIZE_H
#define MLC_NORMALIZE_H

#include "util/buf.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Company-name keys for vendor matching (flows/vendor_match.h).  Both
 * start from the same words: Unicode NFKC with case folding (utf8proc),
 * punctuation removed ("O'Brien" -> "obrien"), '&' read as "and", white
 * space collapsed.  Invalid UTF-8 is an error.  Both append to out.
 *
 * name_fold() keeps the legal suffix and spells it one way (Incorporated ->
 * inc, Company -> co, Corporation -> corp, Limited -> ltd), so a name
 * typed differently is still the same name: "Acme Mechanical Co." and
 * "ACME MECHANICAL COMPANY" both become "acme mechanical co", while
 * "Acme Mechanical Corp." stays "acme mechanical corp".
 *
 * name_normalize() drops the legal suffixes (Inc, Incorporated, LLC, LLP,
 * LLLP, Ltd, Limited, Co, Company, Corp, Corporation, LP, PLLC, PC, PLC)
 * from the end: "Acme Concrete, Inc." and "ACME CONCRETE LLC" both become
 * "acme concrete".  A name that is only a suffix ("Company") keeps it
 * rather than becoming empty.
 */
int name_fold(const char *name, struct mlc_buf *out, struct mlc_error *err) MLC_MUST_CHECK;
int name_normalize(const char *name, struct mlc_buf *out, struct mlc_error *err) MLC_MUST_CHECK;

#endif
