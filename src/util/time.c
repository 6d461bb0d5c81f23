#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/time.h"
#include "util/banned.h"

int64_t time_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void split(int64_t ms, struct tm *tm, int *millis)
{
	int64_t sec = ms / 1000;
	int m = (int)(ms % 1000);
	time_t t;

	if (m < 0) {
		m += 1000;
		sec--;
	}
	t = (time_t)sec;
	gmtime_r(&t, tm);
	*millis = m;
}

void time_format_rfc3339(int64_t ms, char out[MLC_TIME_FMT_MAX])
{
	struct tm tm;
	int millis;

	split(ms, &tm, &millis);
	if (millis)
		snprintf(out, MLC_TIME_FMT_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, millis);
	else
		snprintf(out, MLC_TIME_FMT_MAX, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void time_format_date(int64_t ms, char out[MLC_TIME_FMT_MAX])
{
	struct tm tm;
	int millis;

	split(ms, &tm, &millis);
	snprintf(out, MLC_TIME_FMT_MAX, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday);
}

static int digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : d[m - 1];
}

int time_parse_rfc3339(const char *s, int64_t *ms, struct mlc_error *err)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, se = 0, millis = 0, off = 0;
	struct tm tm;
	time_t t;

	if (!s)
		goto bad;
	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
	    digits(&p, 2, &d))
		goto bad;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		goto bad;
	if (*p) {
		if (*p != 'T' && *p != 't' && *p != ' ')
			goto bad;
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) || *p++ != ':' ||
		    digits(&p, 2, &se))
			goto bad;
		if (h > 23 || mi > 59 || se > 60)
			goto bad;
		if (*p == '.') {
			int n = 0;
			p++;
			if (!isdigit((unsigned char)*p))
				goto bad;
			while (isdigit((unsigned char)*p)) {
				if (n < 3)
					millis = millis * 10 + (*p - '0');
				n++;
				p++;
			}
			for (; n < 3; n++)
				millis *= 10;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1, oh, om;
			if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om) || oh > 23 ||
			    om > 59)
				goto bad;
			off = sign * (oh * 60 + om);
		} else {
			goto bad;
		}
		if (*p)
			goto bad;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	t = timegm(&tm);
	/* a leap second or an offset can carry 9999-12-31 into year 10000 (or
	 * 0000-01-01 into year -1), which time_format_rfc3339() cannot write
	 * back as RFC 3339 (found by fuzz/fuzz_number.c): refused */
	if ((int64_t)t - (int64_t)off * 60 < -62167219200 ||
	    (int64_t)t - (int64_t)off * 60 > 253402300799)
		goto bad;
	*ms = ((int64_t)t - (int64_t)off * 60) * 1000 + millis;
	return MLC_OK;
bad:
	return error_set(err, MLC_EINVAL, "'%s' is not an RFC 3339 time", s ? s : "(null)");
}

void time_sleep_ms(int64_t ms)
{
	struct timespec req, rem;

	if (ms <= 0)
		return;
	req.tv_sec = (time_t)(ms / 1000);
	req.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&req, &rem) < 0 && errno == EINTR)
		req = rem;
}
