#ifndef MLC_LOG_H
#define MLC_LOG_H

#include <stdio.h>

#include "util/compat.h"
#include "util/error.h"

/*
 * Structured logging: one line per event, logfmt (default) or JSON lines,
 * to stderr unless log_setup() names another stream.  Every key and value
 * goes through redact_text(); values of secret-named keys are replaced
 * outright.  Thread-safe: lines never interleave.
 *
 *   log_info("tenant added", "tenant", name, "company", id_text);
 *
 * The variadic part is key, value pairs of strings (a NULL value prints as
 * empty); the macros add the terminating NULL.
 */
enum mlc_log_level { MLC_LOG_DEBUG = 0, MLC_LOG_INFO, MLC_LOG_WARN, MLC_LOG_ERROR, MLC_LOG_OFF };
enum mlc_log_format { MLC_LOG_LOGFMT = 0, MLC_LOG_JSON };

void log_setup(enum mlc_log_level level, enum mlc_log_format format, FILE *out);
enum mlc_log_level log_get_level(void);
int log_level_parse(const char *s, enum mlc_log_level *out) MLC_MUST_CHECK;
int log_format_parse(const char *s, enum mlc_log_format *out) MLC_MUST_CHECK;
const char *log_level_name(enum mlc_log_level level);
int log_enabled(enum mlc_log_level level);

void log_kv(enum mlc_log_level level, const char *msg, ...);

#define log_debug(...) log_kv(MLC_LOG_DEBUG, __VA_ARGS__, (const char *)NULL)
#define log_info(...)  log_kv(MLC_LOG_INFO, __VA_ARGS__, (const char *)NULL)
#define log_warn(...)  log_kv(MLC_LOG_WARN, __VA_ARGS__, (const char *)NULL)
#define log_error(...) log_kv(MLC_LOG_ERROR, __VA_ARGS__, (const char *)NULL)

#endif
