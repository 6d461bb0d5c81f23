#ifndef MLC_NUM_H
#define MLC_NUM_H

#include <stdint.h>

#include "util/compat.h"
#include "util/error.h"

/*
 * Checked number parsing.  The whole string must be the number: no
 * leading or trailing space, no sign on unsigned values, no overflow.
 * On failure *out is untouched and err names what was wrong.
 */
int num_parse_i64(const char *s, int64_t *out, struct mlc_error *err) MLC_MUST_CHECK;
int num_parse_u64(const char *s, uint64_t *out, struct mlc_error *err) MLC_MUST_CHECK;
/* A record id: a positive 64-bit integer (1 .. INT64_MAX). */
int num_parse_id(const char *s, int64_t *out, struct mlc_error *err) MLC_MUST_CHECK;
/* An int in [min, max]. */
int num_parse_int(const char *s, int min, int max, int *out, struct mlc_error *err) MLC_MUST_CHECK;

/*
 * Checked 64-bit arithmetic for values that come from outside (a header,
 * an API answer): 0 and *out = the result, or MLC_ERANGE with *out
 * untouched when it does not fit.  The _sat forms give the nearest
 * int64 (INT64_MIN or INT64_MAX) instead of failing.
 */
int num_mul_i64(int64_t a, int64_t b, int64_t *out) MLC_MUST_CHECK;
int num_add_i64(int64_t a, int64_t b, int64_t *out) MLC_MUST_CHECK;
int64_t num_mul_i64_sat(int64_t a, int64_t b);
int64_t num_add_i64_sat(int64_t a, int64_t b);

#endif
