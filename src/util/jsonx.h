#ifndef MLC_JSONX_H
#define MLC_JSONX_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "util/buf.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * JSON helpers on top of jansson.
 *
 * Exact money out: jansson can only write numbers it holds as double or
 * integer, and an amount must never pass through a double.  jsonx_money()
 * makes a placeholder value that jsonx_dumps() writes as a bare decimal
 * number ("debit": 1234.56), digit for digit from the cents.  Dump bodies
 * that carry amounts with jsonx_dumps() (or jsonx_clean() them first),
 * never json_dumps(): a placeholder carries a per-process secret nonce
 * that only those two may turn into a number and that must not leave the
 * process.  Remote strings are always written as strings, whatever they
 * hold (a remote "\u0001mlc-dec:..." cannot pass for a placeholder).
 *
 * Lenient reading: NetSuite's SuiteQL returns ids and numbers as strings,
 * its record service as numbers; Procore's ids are integers that may pass
 * 2^53.  The getters accept both forms and never go through a double.
 */

/* A placeholder for an exact decimal number (value with scale decimals). */
json_t *jsonx_decimal(int64_t value, int scale);
/* jsonx_decimal(cents, 2). */
json_t *jsonx_money(int64_t cents);
/* Dumps like json_dumps(flags) with placeholders written as numbers.
 * Caller frees.  Never NULL for a valid value. */
char *jsonx_dumps(const json_t *v, size_t flags);

/* A copy of v for display (plans, audit payloads): placeholders become
 * plain JSON numbers.  Caller decrefs; NULL for NULL. */
json_t *jsonx_clean(const json_t *v);

/* String member or NULL (also NULL when the member is not a string). */
const char *jsonx_str(const json_t *obj, const char *key);
/* Id member: a JSON integer, or a string of digits.  0 when absent;
 * MLC_EINVAL when present but not a positive int64. */
int jsonx_id(const json_t *obj, const char *key, int64_t *out) MLC_MUST_CHECK;
/* The id member, or 0 when obj or key is NULL, the member is absent, or it is
 * not a positive int64 (for readers where a bad id means "no record"). */
int64_t jsonx_id_or0(const json_t *obj, const char *key);
/* Money member (string, integer or real; see money_from_json).  Absent or
 * null gives 0 when optional, an error otherwise. */
int jsonx_money_get(const json_t *obj, const char *key, bool optional, int64_t *cents,
		    struct mlc_error *err) MLC_MUST_CHECK;
/* Boolean member: JSON true/false or NetSuite's "T"/"F". */
bool jsonx_bool(const json_t *obj, const char *key);

#endif
