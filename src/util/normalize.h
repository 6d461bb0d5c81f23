#ifndef MLC_NORMALIZE_H
#define MLC_NORMALIZE_H

#include "util/buf.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Company-name normalisation for vendor matching: Unicode NFKC with case
 * folding (utf8proc), punctuation removed, '&' read as "and", legal
 * suffixes (Inc, Incorporated, LLC, LLP, Ltd, Limited, Co, Company, Corp,
 * Corporation, LP, PLLC, PC) dropped from the end, white space collapsed.
 * "Acme Concrete, Inc." and "ACME CONCRETE INC" both become "acme concrete".
 * A name that is only a suffix ("Company") keeps it rather than becoming
 * empty.  Invalid UTF-8 is an error.
 */
int name_normalize(const char *name, struct mlc_buf *out, struct mlc_error *err) MLC_MUST_CHECK;

#endif
