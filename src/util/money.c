#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/money.h"
#include "util/banned.h"

static const int64_t pow10_tab[] = {
    1LL,
    10LL,
    100LL,
    1000LL,
    10000LL,
    100000LL,
    1000000LL,
    10000000LL,
    100000000LL,
    1000000000LL,
    10000000000LL,
    100000000000LL,
    1000000000000LL,
    10000000000000LL,
    100000000000000LL,
    1000000000000000LL,
    10000000000000000LL,
    100000000000000000LL,
    1000000000000000000LL,
};

/* Decides whether to bump a truncated magnitude given the first dropped
 * digit, whether any later dropped digit is non-zero, and the last kept
 * digit's parity. */
static int round_up(enum dec_rounding mode, int first, int rest_nonzero, int64_t kept)
{
	switch (mode) {
	case DEC_EXACT:
		return 0;
	case DEC_HALF_UP:
		return first >= 5;
	case DEC_HALF_EVEN:
		if (first > 5 || (first == 5 && rest_nonzero))
			return 1;
		if (first == 5)
			return kept % 2 != 0;
		return 0;
	}
	return 0;
}

int dec_parse(const char *s, int scale, enum dec_rounding mode, int64_t *out, struct mlc_error *err)
{
	const char *p = s;
	int neg = 0, digits = 0, frac = 0, first_dropped = -1, rest_nonzero = 0;
	uint64_t mag = 0;
	long exp = 0;
	/* Mantissa digits are collected as text so an exponent can shift them. */
	char mant[64];
	int mlen = 0, point = -1;

	if (!s || !*s)
		return error_set(err, MLC_EINVAL, "empty amount");
	if (scale < 0 || scale > 18)
		return error_set(err, MLC_EINVAL, "bad scale %d", scale);
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	for (; *p; p++) {
		if (isdigit((unsigned char)*p)) {
			if (mlen == 0 && *p == '0' && point < 0)
				continue; /* leading zeros carry nothing */
			if (mlen >= (int)sizeof(mant) - 1)
				return error_set(err, MLC_ERANGE, "'%s' has too many digits", s);
			mant[mlen++] = *p;
			digits++;
		} else if (*p == '.' && point < 0) {
			point = mlen;
		} else {
			break;
		}
	}
	/* a number needs at least one digit, leading zeros included */
	if (digits == 0) {
		const char *q = s + (s[0] == '-' || s[0] == '+');
		int any = 0;
		for (; *q && *q != 'e' && *q != 'E'; q++)
			any |= isdigit((unsigned char)*q);
		if (!any)
			return error_set(err, MLC_EINVAL, "'%s' is not a decimal number", s);
	}
	if (*p == 'e' || *p == 'E') {
		char *end;
		p++;
		exp = strtol(p, &end, 10);
		if (end == p || *end || exp > 40 || exp < -40)
			return error_set(err, MLC_EINVAL, "'%s' is not a decimal number", s);
		p = end;
	}
	if (*p)
		return error_set(err, MLC_EINVAL, "'%s' is not a decimal number", s);
	if (point < 0)
		point = mlen;
	/* position of the decimal point after applying the exponent and scale */
	long int_digits = (long)point + exp + scale;
	if (int_digits < 0 && mlen > 0) {
		/* every kept digit lies beyond implicit zeros: 5e-5 -> 0.00005 */
		first_dropped = 0;
		for (int i = 0; i < mlen; i++)
			rest_nonzero |= mant[i] != '0';
		mlen = 0;
		frac = 1;
	}
	for (int i = 0; i < mlen; i++) {
		int d = mant[i] - '0';
		if (i < int_digits) {
			if (mag > (UINT64_MAX - (uint64_t)d) / 10)
				return error_set(err, MLC_ERANGE, "'%s' is too large", s);
			mag = mag * 10 + (uint64_t)d;
		} else if (first_dropped < 0) {
			first_dropped = d;
		} else if (d) {
			rest_nonzero = 1;
		}
	}
	if (mlen > int_digits)
		frac = 1;
	/* pad with zeros when the digits end before the point */
	for (long i = mlen; i < int_digits; i++) {
		if (mag > UINT64_MAX / 10)
			return error_set(err, MLC_ERANGE, "'%s' is too large", s);
		mag *= 10;
	}
	if (frac && (first_dropped > 0 || rest_nonzero)) {
		if (mode == DEC_EXACT)
			return error_set(err, MLC_EINVAL, "'%s' has more than %d decimal places", s,
					 scale);
		if (round_up(mode, first_dropped, rest_nonzero, (int64_t)(mag % 10)))
			mag++;
	}
	if (mag > (uint64_t)INT64_MAX)
		return error_set(err, MLC_ERANGE, "'%s' is too large", s);
	*out = neg ? -(int64_t)mag : (int64_t)mag;
	return MLC_OK;
}

void dec_format(int64_t v, int scale, char *out, size_t n)
{
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	uint64_t p = (uint64_t)pow10_tab[scale];

	if (scale == 0)
		snprintf(out, n, "%s%" PRIu64, v < 0 ? "-" : "", mag);
	else
		snprintf(out, n, "%s%" PRIu64 ".%0*" PRIu64, v < 0 ? "-" : "", mag / p, scale,
			 mag % p);
}

void dec_format_trim(int64_t v, int scale, int min_scale, char *out, size_t n)
{
	size_t len;

	dec_format(v, scale, out, n);
	if (scale <= min_scale)
		return;
	len = strlen(out);
	int dropped = 0;
	while (dropped < scale - min_scale && len > 0 && out[len - 1] == '0') {
		out[--len] = '\0';
		dropped++;
	}
	if (len > 0 && out[len - 1] == '.')
		out[len - 1] = '\0';
}

int money_parse(const char *s, int64_t *cents, struct mlc_error *err)
{
	return dec_parse(s, MONEY_SCALE, DEC_EXACT, cents, err);
}

void money_format(int64_t cents, char out[MONEY_FMT_MAX])
{
	dec_format(cents, MONEY_SCALE, out, MONEY_FMT_MAX);
}

int dec_from_json(const json_t *v, int scale, enum dec_rounding mode, int64_t *out,
		  struct mlc_error *err)
{
	char text[64];

	if (json_is_string(v))
		return dec_parse(json_string_value(v), scale, mode, out, err);
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i > INT64_MAX / pow10_tab[scale] || i < -(INT64_MAX / pow10_tab[scale]))
			return error_set(err, MLC_ERANGE, "%" JSON_INTEGER_FORMAT " is too large",
					 i);
		*out = (int64_t)i * pow10_tab[scale];
		return MLC_OK;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (!isfinite(d))
			return error_set(err, MLC_EINVAL, "amount is not finite");
		snprintf(text, sizeof(text), "%.15g", d);
		if (strtod(text, NULL) != d)
			return error_set(err, MLC_EINVAL,
					 "amount %.17g has more than 15 significant digits", d);
		return dec_parse(text, scale, mode, out, err);
	}
	return error_set(err, MLC_EINVAL, "amount is not a number or numeric string");
}

int money_from_json(const json_t *v, int64_t *cents, struct mlc_error *err)
{
	return dec_from_json(v, MONEY_SCALE, DEC_EXACT, cents, err);
}

int money_add(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return MLC_ERANGE;
	*out = r;
	return MLC_OK;
}

int money_mul_dec(int64_t cents, int64_t factor, int factor_scale, enum dec_rounding mode,
		  int64_t *out)
{
	__int128 prod = (__int128)cents * factor;
	__int128 div = pow10_tab[factor_scale];
	__int128 q = prod / div, r = prod % div;
	int neg = prod < 0;
	__int128 ar = r < 0 ? -r : r;

	if (ar) {
		int first = (int)((ar * 10) / div);
		int rest = (ar * 10) % div != 0;
		__int128 aq = q < 0 ? -q : q;
		if (mode == DEC_EXACT)
			return MLC_EINVAL;
		if (round_up(mode, first, rest, (int64_t)(aq % 10)))
			q += neg ? -1 : 1;
	}
	if (q > INT64_MAX || q < INT64_MIN)
		return MLC_ERANGE;
	*out = (int64_t)q;
	return MLC_OK;
}
