#ifndef MLC_CRON_H
#define MLC_CRON_H

#include <stdbool.h>
#include <stdint.h>

#include "util/compat.h"
#include "util/error.h"
#include "util/tz.h"

/*
 * Five-field cron expressions (minute hour day-of-month month day-of-week)
 * with lists, ranges and steps ("0-59/15", "1-5", "0,30", "9-17/2", a star with a step), day
 * names are numbers 0-7 (0 and 7 are Sunday), and the shorthands @hourly,
 * @daily (@midnight), @weekly, @monthly, @yearly.  As in Vixie cron, when
 * both day fields are restricted a day matching either one matches.
 *
 * Next run: the first minute after a given instant whose local time (in
 * the schedule's zone) matches.  A local time that does not exist (the
 * spring-forward gap) does not run; a local time that happens twice (fall
 * back) runs once.
 */
struct mlc_cron {
	uint64_t minute; /* bit per value */
	uint32_t hour;
	uint32_t mday;
	uint16_t month;
	uint8_t wday;
	bool mday_star, wday_star;
};

int cron_parse(const char *expr, struct mlc_cron *c, struct mlc_error *err) MLC_MUST_CHECK;
/* True if local civil time c matches. */
bool cron_match(const struct mlc_cron *cr, const struct mlc_civil *c);
/* The next matching UTC second after after_s (in tz), or -1 if none
 * within 5 years. */
int64_t cron_next(const struct mlc_cron *cr, const struct mlc_tz *tz, int64_t after_s);

#endif
