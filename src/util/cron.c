#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cron.h"
#include "util/str.h"
#include "util/banned.h"

/* Parses one field into a bit set over [lo, hi]. */
static int field(const char *text, int lo, int hi, uint64_t *bits, bool *star, const char *name,
		 struct mlc_error *err)
{
	char buf[128];
	char *save = NULL, *item;

	*bits = 0;
	*star = strcmp(text, "*") == 0;
	if (!str_copy(buf, sizeof(buf), text))
		return error_set(err, MLC_EINVAL, "cron %s field is too long", name);
	for (item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		int a = lo, b = hi, step = 1;
		char *slash = strchr(item, '/'), *dash, *end;
		if (slash) {
			*slash = '\0';
			step = (int)strtol(slash + 1, &end, 10);
			if (*end || step < 1 || end == slash + 1)
				return error_set(err, MLC_EINVAL, "cron %s: bad step '%s'", name,
						 slash + 1);
		}
		if (strcmp(item, "*") != 0) {
			dash = strchr(item, '-');
			a = (int)strtol(item, &end, 10);
			if (end == item || (dash ? end != dash : *end != '\0'))
				return error_set(err, MLC_EINVAL,
						 "cron %s: '%s' is not a number or range", name,
						 item);
			b = slash && !dash ? hi : a;
			if (dash) {
				b = (int)strtol(dash + 1, &end, 10);
				if (*end || end == dash + 1)
					return error_set(err, MLC_EINVAL, "cron %s: bad range '%s'",
							 name, item);
			}
		}
		if (a < lo || b > hi || a > b)
			return error_set(err, MLC_EINVAL, "cron %s: %d-%d is outside %d-%d", name,
					 a, b, lo, hi);
		for (int v = a; v <= b; v += step)
			*bits |= (uint64_t)1 << v;
	}
	return MLC_OK;
}

int cron_parse(const char *expr, struct mlc_cron *c, struct mlc_error *err)
{
	static const struct {
		const char *name, *expr;
	} shorthands[] = {
	    {"@hourly", "0 * * * *"},   {"@daily", "0 0 * * *"},   {"@midnight", "0 0 * * *"},
	    {"@weekly", "0 0 * * 0"},   {"@monthly", "0 0 1 * *"}, {"@yearly", "0 0 1 1 *"},
	    {"@annually", "0 0 1 1 *"},
	};
	char buf[256], *f[6], *save = NULL;
	uint64_t bits;
	bool star;
	int n = 0, rc;

	memset(c, 0, sizeof(*c));
	if (!expr)
		return error_set(err, MLC_EINVAL, "empty cron expression");
	for (size_t i = 0; i < MLC_ARRAY_LEN(shorthands); i++)
		if (!strcmp(expr, shorthands[i].name))
			expr = shorthands[i].expr;
	if (!str_copy(buf, sizeof(buf), expr))
		return error_set(err, MLC_EINVAL, "cron expression is too long");
	for (char *t = strtok_r(buf, " \t", &save); t && n < 6; t = strtok_r(NULL, " \t", &save))
		f[n++] = t;
	if (n != 5)
		return error_set(err, MLC_EINVAL,
				 "'%s' is not five cron fields (minute hour day month weekday)",
				 expr);
	rc = field(f[0], 0, 59, &bits, &star, "minute", err);
	if (rc < 0)
		return rc;
	c->minute = bits;
	rc = field(f[1], 0, 23, &bits, &star, "hour", err);
	if (rc < 0)
		return rc;
	c->hour = (uint32_t)bits;
	rc = field(f[2], 1, 31, &bits, &c->mday_star, "day-of-month", err);
	if (rc < 0)
		return rc;
	c->mday = (uint32_t)bits;
	rc = field(f[3], 1, 12, &bits, &star, "month", err);
	if (rc < 0)
		return rc;
	c->month = (uint16_t)bits;
	rc = field(f[4], 0, 7, &bits, &c->wday_star, "day-of-week", err);
	if (rc < 0)
		return rc;
	if (bits & (1u << 7))
		bits |= 1; /* 7 is Sunday too */
	c->wday = (uint8_t)(bits & 0x7f);
	return MLC_OK;
}

bool cron_match(const struct mlc_cron *cr, const struct mlc_civil *c)
{
	bool md = cr->mday >> c->day & 1, wd = cr->wday >> c->wday & 1, day;

	if (!(cr->minute >> c->minute & 1) || !(cr->hour >> c->hour & 1) ||
	    !(cr->month >> c->month & 1))
		return false;
	if (cr->mday_star || cr->wday_star)
		day = md && wd;
	else
		day = md || wd;
	return day;
}

int64_t cron_next(const struct mlc_cron *cr, const struct mlc_tz *tz, int64_t after_s)
{
	int64_t t = after_s - after_s % 60 + 60, limit = after_s + 5 * 366 * 86400LL;
	int64_t last_local = INT64_MIN;

	/* walk UTC minutes; a local minute seen again (fall back) does not count
	 * twice, a local minute skipped (spring forward) is never seen */
	for (; t <= limit; t += 60) {
		int64_t local = t + tz_offset(tz, t);
		struct mlc_civil c;
		if (local <= last_local)
			continue;
		last_local = local;
		civil_from_seconds(local, &c);
		if (!(cr->month >> c.month & 1)) {
			/* skip to the next local midnight quickly */
			int64_t skip = 86400 - (local % 86400 + 86400) % 86400 - 60;
			if (skip > 0)
				t += skip;
			continue;
		}
		if (cron_match(cr, &c))
			return t;
	}
	return -1;
}
