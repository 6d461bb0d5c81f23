#ifndef MLC_MONEY_H
#define MLC_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/compat.h"
#include "util/error.h"

/*
 * Money is an int64 count of minor units (cents).  No floating point is
 * used on any path that computes with money; the only place a double is
 * ever looked at is money_from_json() for a JSON real, which jansson has
 * already turned into a double: see there.
 *
 * The fixed-point helpers (dec_*) serve quantities and unit costs too: a
 * value with scale s is stored as value * 10^s in an int64.
 */

#define MONEY_SCALE 2
/* Room for "-92233720368547758.08" and a terminator. */
#define MONEY_FMT_MAX 32

enum dec_rounding {
	DEC_EXACT,     /* reject digits beyond the scale unless they are zeros */
	DEC_HALF_EVEN, /* banker's rounding, for quantities and rates */
	DEC_HALF_UP,   /* round half away from zero */
};

/*
 * Parses a plain decimal ("1234.5", "-0.07", "+12", "1,234.56" is refused,
 * ".5" and "5." accepted) into value * 10^scale.  Exponents ("1e3") are
 * accepted only when the result is exact.  Overflow is an error.
 */
int dec_parse(const char *s, int scale, enum dec_rounding mode, int64_t *out,
	      struct mlc_error *err) MLC_MUST_CHECK;
/* Formats v with exactly scale decimals ("-12.50" for -1250, scale 2). */
void dec_format(int64_t v, int scale, char *out, size_t n);
/* Formats v with at least min_scale decimals, trailing zeros dropped past it. */
void dec_format_trim(int64_t v, int scale, int min_scale, char *out, size_t n);

/* money_parse("1234.5") -> 123450; sub-cent digits must be zeros. */
int money_parse(const char *s, int64_t *cents, struct mlc_error *err) MLC_MUST_CHECK;
/* "1234.50"; always two decimals, '-' for negatives, no grouping. */
void money_format(int64_t cents, char out[MONEY_FMT_MAX]);

/*
 * Reads a JSON amount into cents: a string ("12.34"), an integer (12 ->
 * 1200) or a real.  For a real, the decimal text is recovered with 15
 * significant digits (every decimal of <= 15 significant digits survives
 * the trip through a double exactly, DBL_DIG) and then parsed as text; a
 * value that does not round-trip, or has sub-cent digits, is refused
 * rather than rounded.  null is refused; use json_is_null first when an
 * amount is optional.
 */
int money_from_json(const json_t *v, int64_t *cents, struct mlc_error *err) MLC_MUST_CHECK;
/* Same, with any scale and rounding (quantities, unit costs). */
int dec_from_json(const json_t *v, int scale, enum dec_rounding mode, int64_t *out,
		  struct mlc_error *err) MLC_MUST_CHECK;

/* Checked arithmetic: returns MLC_ERANGE on overflow, *out untouched. */
int money_add(int64_t a, int64_t b, int64_t *out) MLC_MUST_CHECK;
int money_mul_dec(int64_t cents, int64_t factor, int factor_scale, enum dec_rounding mode,
		  int64_t *out) MLC_MUST_CHECK;

#endif
