#include <pthread.h>
#include <stdarg.h>
#include <string.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/redact.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static enum mlc_log_level cur_level = MLC_LOG_INFO;
static enum mlc_log_format cur_format = MLC_LOG_LOGFMT;
static FILE *cur_out;

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};

void log_setup(enum mlc_log_level level, enum mlc_log_format format, FILE *out)
{
	pthread_mutex_lock(&log_lock);
	cur_level = level;
	cur_format = format;
	cur_out = out;
	pthread_mutex_unlock(&log_lock);
}

enum mlc_log_level log_get_level(void)
{
	return cur_level;
}

int log_enabled(enum mlc_log_level level)
{
	return level >= cur_level && cur_level != MLC_LOG_OFF;
}

const char *log_level_name(enum mlc_log_level level)
{
	return level <= MLC_LOG_OFF ? level_names[level] : "?";
}

int log_level_parse(const char *s, enum mlc_log_level *out)
{
	for (int i = 0; i <= MLC_LOG_OFF; i++) {
		if (s && str_ieq(s, level_names[i])) {
			*out = (enum mlc_log_level)i;
			return MLC_OK;
		}
	}
	if (s && str_ieq(s, "warning")) {
		*out = MLC_LOG_WARN;
		return MLC_OK;
	}
	return MLC_EINVAL;
}

int log_format_parse(const char *s, enum mlc_log_format *out)
{
	if (s && str_ieq(s, "logfmt")) {
		*out = MLC_LOG_LOGFMT;
		return MLC_OK;
	}
	if (s && str_ieq(s, "json")) {
		*out = MLC_LOG_JSON;
		return MLC_OK;
	}
	return MLC_EINVAL;
}

static void add_logfmt_value(struct mlc_buf *line, const char *v)
{
	int quote = !*v;

	for (const char *p = v; *p && !quote; p++)
		quote = *p == ' ' || *p == '=' || *p == '"' || (unsigned char)*p < 0x20;
	if (!quote) {
		buf_addstr(line, v);
		return;
	}
	buf_addch(line, '"');
	buf_add_json_escaped(line, v);
	buf_addch(line, '"');
}

static void add_field(struct mlc_buf *line, const char *key, const char *value)
{
	struct mlc_buf clean = MLC_BUF_INIT;

	if (redact_key_is_secret(key) && value && *value)
		buf_addstr(&clean, REDACTED_MARK);
	else
		redact_text(&clean, value ? value : "");
	if (cur_format == MLC_LOG_JSON) {
		buf_addstr(line, ",\"");
		buf_add_json_escaped(line, key);
		buf_addstr(line, "\":\"");
		buf_add_json_escaped(line, clean.data);
		buf_addch(line, '"');
	} else {
		buf_addch(line, ' ');
		buf_addstr(line, key);
		buf_addch(line, '=');
		add_logfmt_value(line, clean.data);
	}
	buf_release(&clean);
}

void log_kv(enum mlc_log_level level, const char *msg, ...)
{
	struct mlc_buf line = MLC_BUF_INIT;
	char ts[MLC_TIME_FMT_MAX];
	va_list ap;
	const char *key;

	if (!log_enabled(level))
		return;
	time_format_rfc3339(time_now_ms(), ts);
	if (cur_format == MLC_LOG_JSON) {
		buf_addf(&line, "{\"ts\":\"%s\",\"level\":\"%s\"", ts, level_names[level]);
		add_field(&line, "msg", msg);
	} else {
		buf_addf(&line, "ts=%s level=%s", ts, level_names[level]);
		add_field(&line, "msg", msg);
	}
	va_start(ap, msg);
	while ((key = va_arg(ap, const char *)) != NULL) {
		const char *value = va_arg(ap, const char *);
		add_field(&line, key, value);
	}
	va_end(ap);
	if (cur_format == MLC_LOG_JSON)
		buf_addch(&line, '}');
	buf_addch(&line, '\n');
	pthread_mutex_lock(&log_lock);
	fwrite(line.data, 1, line.len, cur_out ? cur_out : stderr);
	fflush(cur_out ? cur_out : stderr);
	pthread_mutex_unlock(&log_lock);
	buf_release(&line);
}
