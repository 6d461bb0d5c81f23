#ifndef MLC_TIME_H
#define MLC_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "util/compat.h"
#include "util/error.h"

/*
 * Time as int64 milliseconds since the Unix epoch, UTC.  RFC 3339 is the
 * text form everywhere (logs, audit, API timestamps).
 */
#define MLC_TIME_FMT_MAX 80

/* Wall-clock now, ms since the epoch. */
int64_t time_now_ms(void);
/* Monotonic clock in ms, for timeouts and durations. */
int64_t time_mono_ms(void);
/* "2026-11-26T16:12:48Z" (millis shown when not zero: ".250Z"). */
void time_format_rfc3339(int64_t ms, char out[MLC_TIME_FMT_MAX]);
/* "2026-11-26" */
void time_format_date(int64_t ms, char out[MLC_TIME_FMT_MAX]);
/*
 * Parses RFC 3339: "2026-11-26T16:12:48Z", with optional fraction and a
 * numeric offset ("+05:30"); also accepts a space instead of 'T' and a
 * bare date "2026-11-26" (midnight UTC).
 */
int time_parse_rfc3339(const char *s, int64_t *ms, struct mlc_error *err) MLC_MUST_CHECK;
/* Sleeps ms milliseconds (restarting on EINTR). */
void time_sleep_ms(int64_t ms);

#endif
