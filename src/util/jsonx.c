#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util/jsonx.h"
#include "util/money.h"
#include "util/num.h"
#include "util/banned.h"

/*
 * The placeholder is a JSON string "\x01mlc-dec:<nonce>:<number>".  The
 * nonce is 16 random bytes (32 hex digits) drawn once per process, so
 * remote text cannot forge it: a NetSuite or Procore string that starts
 * with "\u0001mlc-dec:" carries some other nonce (or none) and is written
 * as the ordinary quoted string it is (issue #21 item 9).  The nonce is
 * never logged and is compared in constant time; it leaves the process
 * only if a placeholder is dumped with json_dumps() instead of
 * jsonx_dumps()/jsonx_clean(), which jsonx.h forbids.
 */
#define MARK         "\x01mlc-dec:"
#define MARK_ESCAPED "\\u0001mlc-dec:" /* as jansson writes MARK */
#define NONCE_BYTES  16
#define NONCE_HEX    (2 * NONCE_BYTES)

static pthread_once_t nonce_once = PTHREAD_ONCE_INIT;
static char nonce_hex[NONCE_HEX + 1];

static void nonce_init(void)
{
	unsigned char raw[NONCE_BYTES];

	if (sodium_init() < 0)
		abort(); /* no random source: nothing here can be trusted */
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(nonce_hex, sizeof(nonce_hex), raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
}

static const char *nonce(void)
{
	pthread_once(&nonce_once, nonce_init);
	return nonce_hex;
}

json_t *jsonx_decimal(int64_t value, int scale)
{
	char num[48], text[sizeof(MARK) + NONCE_HEX + 1 + sizeof(num)];

	dec_format(value, scale, num, sizeof(num));
	snprintf(text, sizeof(text), MARK "%s:%s", nonce(), num);
	return json_string(text);
}

json_t *jsonx_money(int64_t cents)
{
	return jsonx_decimal(cents, MONEY_SCALE);
}

/* s points after the opening quote of a string in jansson's output: the
 * closing quote (or the terminating NUL if there is none). */
static const char *string_end(const char *s)
{
	for (; *s && *s != '"'; s++)
		if (*s == '\\' && s[1])
			s++;
	return s;
}

/* The number of a placeholder whose text (escaped, between the quotes) is
 * [s, end), or NULL when it is not one of ours. */
static const char *placeholder_number(const char *s, const char *end)
{
	size_t mlen = strlen(MARK_ESCAPED), n = (size_t)(end - s);
	const char *num, *p;

	if (n < mlen + NONCE_HEX + 2 || memcmp(s, MARK_ESCAPED, mlen) != 0)
		return NULL;
	if (sodium_memcmp(s + mlen, nonce(), NONCE_HEX) != 0 || s[mlen + NONCE_HEX] != ':')
		return NULL;
	num = s + mlen + NONCE_HEX + 1;
	/* dec_format's shape: optional '-', digits, optional '.' digits */
	p = num + (*num == '-');
	if (p == end || *p < '0' || *p > '9')
		return NULL;
	for (; p < end; p++)
		if ((*p < '0' || *p > '9') && *p != '.')
			return NULL;
	return num;
}

char *jsonx_dumps(const json_t *v, size_t flags)
{
	char *raw = json_dumps(v, flags | JSON_ENCODE_ANY);
	struct mlc_buf out = MLC_BUF_INIT;
	const char *p, *q;

	if (!raw)
		return NULL;
	if (!strstr(raw, MARK_ESCAPED))
		return raw;
	/* Outside strings jansson writes no quote, so each '"' seen here opens
	 * a string (key or value); placeholders are whole strings. */
	for (p = raw; (q = strchr(p, '"')) != NULL;) {
		const char *end = string_end(q + 1), *num;
		buf_add(&out, p, (size_t)(q - p));
		if (!*end) { /* cannot happen with jansson output; keep the text */
			p = q;
			break;
		}
		num = placeholder_number(q + 1, end);
		if (num)
			buf_add(&out, num, (size_t)(end - num));
		else
			buf_add(&out, q, (size_t)(end + 1 - q));
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

int64_t jsonx_id_or0(const json_t *obj, const char *key)
{
	int64_t v = 0;

	if (!obj || !key || jsonx_id(obj, key, &v) < 0)
		return 0;
	return v;
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
