#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "util/num.h"
#include "util/banned.h"

int num_parse_i64(const char *s, int64_t *out, struct mlc_error *err)
{
	char *end;
	long long v;

	if (!s || !*s)
		return error_set(err, MLC_EINVAL, "empty number");
	if (!(isdigit((unsigned char)s[0]) ||
	      ((s[0] == '-' || s[0] == '+') && isdigit((unsigned char)s[1]))))
		return error_set(err, MLC_EINVAL, "'%s' is not an integer", s);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return error_set(err, MLC_ERANGE, "'%s' does not fit in 64 bits", s);
	if (*end)
		return error_set(err, MLC_EINVAL, "'%s' is not an integer", s);
	*out = v;
	return MLC_OK;
}

int num_parse_u64(const char *s, uint64_t *out, struct mlc_error *err)
{
	char *end;
	unsigned long long v;

	if (!s || !*s)
		return error_set(err, MLC_EINVAL, "empty number");
	if (!isdigit((unsigned char)s[0]))
		return error_set(err, MLC_EINVAL, "'%s' is not a non-negative integer", s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return error_set(err, MLC_ERANGE, "'%s' does not fit in 64 bits", s);
	if (*end)
		return error_set(err, MLC_EINVAL, "'%s' is not a non-negative integer", s);
	*out = v;
	return MLC_OK;
}

int num_parse_id(const char *s, int64_t *out, struct mlc_error *err)
{
	uint64_t v = 0;

	if (num_parse_u64(s, &v, err) < 0 || v == 0 || v > INT64_MAX)
		return error_set(err, MLC_EINVAL,
				 "'%s' is not a valid id (a positive 64-bit integer)", s ? s : "");
	*out = (int64_t)v;
	return MLC_OK;
}

int num_parse_int(const char *s, int min, int max, int *out, struct mlc_error *err)
{
	int64_t v = 0;
	int rc = num_parse_i64(s, &v, err);

	if (rc < 0)
		return rc;
	if (v < min || v > max)
		return error_set(err, MLC_ERANGE, "%s is out of range %d..%d", s, min, max);
	*out = (int)v;
	return MLC_OK;
}

int num_mul_i64(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_mul_overflow(a, b, &r))
		return MLC_ERANGE;
	*out = r;
	return MLC_OK;
}

int num_add_i64(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return MLC_ERANGE;
	*out = r;
	return MLC_OK;
}

int64_t num_mul_i64_sat(int64_t a, int64_t b)
{
	int64_t r;

	if (num_mul_i64(a, b, &r) == MLC_OK)
		return r;
	return (a < 0) != (b < 0) ? INT64_MIN : INT64_MAX;
}

int64_t num_add_i64_sat(int64_t a, int64_t b)
{
	int64_t r;

	if (num_add_i64(a, b, &r) == MLC_OK)
		return r;
	return a < 0 ? INT64_MIN : INT64_MAX;
}
