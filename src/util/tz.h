#ifndef MLC_TZ_H
#define MLC_TZ_H

#include <stdint.h>

#include "util/compat.h"
#include "util/error.h"

/*
 * IANA time zones read from the system's TZif files (tzdata), so a
 * tenant's schedule runs in its own zone without touching the process-wide
 * TZ (localtime is banned; setting TZ is not thread-safe).  Transitions
 * from the file's 64-bit section; past the last transition the last
 * offset holds (tzdata lists transitions up to 2037).
 */
struct mlc_tz {
	int64_t *at;     /* transition times, UTC seconds, ascending */
	int32_t *offset; /* UTC offset in seconds in force from at[i] */
	int n;
	int32_t base; /* offset before the first transition */
};

/* Loads "America/Los_Angeles" (or "UTC").  Release with tz_release(). */
int tz_load(const char *name, struct mlc_tz *tz, struct mlc_error *err) MLC_MUST_CHECK;
void tz_release(struct mlc_tz *tz);
/* UTC offset (seconds) in force at a UTC instant. */
int32_t tz_offset(const struct mlc_tz *tz, int64_t utc_s);

/* Civil time fields (UTC or local), no time zone arithmetic. */
struct mlc_civil {
	int year, month, day, hour, minute, wday; /* month 1-12, wday 0 = Sunday */
};
/* Seconds since the epoch -> civil fields (proleptic Gregorian). */
void civil_from_seconds(int64_t s, struct mlc_civil *c);

#endif
