#include <stdlib.h>
#include <string.h>

#include "util/jsonx.h"
#include "util/money.h"
#include "util/num.h"
#include "util/banned.h"

/* The placeholder is a string that cannot come from outside data: it
 * starts with a control character, which jansson writes as \u0001. */
#define MARK "\x01mlc-dec:"
#define MARK_ESCAPED "\"\\u0001mlc-dec:"

json_t *jsonx_decimal(int64_t value, int scale)
{
	char num[48], text[64];

	dec_format(value, scale, num, sizeof(num));
	snprintf(text, sizeof(text), MARK "%s", num);
	return json_string(text);
}

json_t *jsonx_money(int64_t cents)
{
	return jsonx_decimal(cents, MONEY_SCALE);
}

char *jsonx_dumps(const json_t *v, size_t flags)
{
	char *raw = json_dumps(v, flags | JSON_ENCODE_ANY);
	struct mlc_buf out = MLC_BUF_INIT;
	const char *p, *hit;
	size_t mlen = strlen(MARK_ESCAPED);

	if (!raw)
		return NULL;
	if (!strstr(raw, MARK_ESCAPED))
		return raw;
	for (p = raw; (hit = strstr(p, MARK_ESCAPED)) != NULL;) {
		const char *num = hit + mlen, *end = strchr(num, '"');
		buf_add(&out, p, (size_t)(hit - p));
		if (!end) { /* cannot happen with jansson output; keep the text */
			p = hit;
			break;
		}
		buf_add(&out, num, (size_t)(end - num));
		p = end + 1;
	}
	buf_addstr(&out, p);
	free(raw);
	return buf_detach(&out, NULL);
}

json_t *jsonx_clean(const json_t *v)
{
	char *text;
	json_t *out;

	if (!v)
		return NULL;
	text = jsonx_dumps(v, JSON_COMPACT);
	out = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
	free(text);
	return out ? out : json_null();
}

const char *jsonx_str(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

int jsonx_id(const json_t *obj, const char *key, int64_t *out)
{
	json_t *v = json_object_get(obj, key);

	*out = 0;
	if (!v || json_is_null(v))
		return MLC_OK;
	if (json_is_integer(v)) {
		if (json_integer_value(v) <= 0)
			return MLC_EINVAL;
		*out = json_integer_value(v);
		return MLC_OK;
	}
	if (json_is_string(v))
		return num_parse_id(json_string_value(v), out, NULL) < 0 ? MLC_EINVAL : MLC_OK;
	return MLC_EINVAL;
}

int jsonx_money_get(const json_t *obj, const char *key, bool optional, int64_t *cents,
		    struct mlc_error *err)
{
	json_t *v = json_object_get(obj, key);

	*cents = 0;
	if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v))) {
		if (optional)
			return MLC_OK;
		return error_set(err, MLC_EINVAL, "%s: missing amount", key);
	}
	if (money_from_json(v, cents, err) < 0)
		return error_prefix(err, "%s: ", key);
	return MLC_OK;
}

bool jsonx_bool(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (json_is_boolean(v))
		return json_is_true(v);
	return json_is_string(v) && strcmp(json_string_value(v), "T") == 0;
}
