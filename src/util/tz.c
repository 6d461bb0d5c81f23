#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/str.h"
#include "util/tz.h"
#include "util/banned.h"

#define ZONEINFO "/usr/share/zoneinfo/"

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

void tz_release(struct mlc_tz *tz)
{
	if (!tz)
		return;
	free(tz->at);
	free(tz->offset);
	memset(tz, 0, sizeof(*tz));
}

int tz_load(const char *name, struct mlc_tz *tz, struct mlc_error *err)
{
	char path[512];
	FILE *f;
	struct mlc_buf b = MLC_BUF_INIT;
	unsigned char chunk[4096];
	size_t got, off;
	int rc = MLC_OK;

	memset(tz, 0, sizeof(*tz));
	if (!name || !*name || !strcmp(name, "UTC") || !strcmp(name, "Etc/UTC"))
		return MLC_OK;
	/* a zone name, never a path: letters, digits, '_', '-', '+', '/' */
	for (const char *p = name; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '+' || *p == '/'))
			return error_set(err, MLC_EINVAL, "'%s' is not an IANA time zone name",
					 name);
	snprintf(path, sizeof(path), ZONEINFO "%s", name);
	f = fopen(path, "rb");
	if (!f)
		return error_set(err, MLC_EINVAL,
				 "unknown time zone '%s' (no %s; is tzdata installed?)", name,
				 path);
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, got);
	fclose(f);
	const unsigned char *d = (const unsigned char *)b.data;
	if (b.len < 44 || memcmp(d, "TZif", 4) != 0) {
		rc = error_set(err, MLC_EINVAL, "%s is not a TZif file", path);
		goto out;
	}
	/* skip the v1 (32-bit) block to the v2 header when there is one */
	{
		uint32_t isut = be32(d + 20), isstd = be32(d + 24), leap = be32(d + 28);
		uint32_t timecnt = be32(d + 32), typecnt = be32(d + 36), charcnt = be32(d + 40);
		off = 44;
		if (d[4] >= '2') {
			off += timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isut;
			if (off + 44 > b.len || memcmp(d + off, "TZif", 4) != 0) {
				rc = error_set(err, MLC_EINVAL, "%s: bad TZif v2 header", path);
				goto out;
			}
			off += 44;
		}
	}
	{
		const unsigned char *h = d + off - 44;
		int v2 = off > 44;
		uint32_t timecnt = be32(h + 32), typecnt = be32(h + 36);
		size_t tsz = v2 ? 8 : 4;
		const unsigned char *times = d + off, *idx = times + timecnt * tsz,
				    *types = idx + timecnt;
		if ((size_t)(types + typecnt * 6 - d) > b.len || typecnt == 0) {
			rc = error_set(err, MLC_EINVAL, "%s: truncated", path);
			goto out;
		}
		tz->n = (int)timecnt;
		tz->at = xcalloc(timecnt + 1, sizeof(*tz->at));
		tz->offset = xcalloc(timecnt + 1, sizeof(*tz->offset));
		tz->base = (int32_t)be32(types);
		for (uint32_t i = 0; i < typecnt; i++)
			if (!types[i * 6 +
				   4]) { /* first standard-time type: before any transition */
				tz->base = (int32_t)be32(types + i * 6);
				break;
			}
		for (uint32_t i = 0; i < timecnt; i++) {
			unsigned t = idx[i];
			tz->at[i] = v2 ? be64(times + i * 8) : (int32_t)be32(times + i * 4);
			tz->offset[i] = t < typecnt ? (int32_t)be32(types + t * 6) : tz->base;
		}
	}
out:
	buf_release(&b);
	if (rc < 0)
		tz_release(tz);
	return rc;
}

int32_t tz_offset(const struct mlc_tz *tz, int64_t utc_s)
{
	int lo = 0, hi = tz->n - 1, found = -1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (tz->at[mid] <= utc_s) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return found < 0 ? tz->base : tz->offset[found];
}

void civil_from_seconds(int64_t s, struct mlc_civil *c)
{
	int64_t days = s / 86400, rem = s % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	c->hour = (int)(rem / 3600);
	c->minute = (int)(rem % 3600 / 60);
	c->wday = (int)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
	/* days -> y/m/d (Howard Hinnant's civil_from_days) */
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t doe = days - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	c->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	c->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	c->year = (int)(y + (c->month <= 2));
}
