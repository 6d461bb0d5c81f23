#include <ctype.h>
#include <string.h>

#include <sodium.h>

#include "util/buf.h"
#include "util/str.h"
#include "util/banned.h"

bool str_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

bool str_ieq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

char *str_trim(char *s)
{
	size_t n;
	char *p = s;

	while (*p && isspace((unsigned char)*p))
		p++;
	n = strlen(p);
	while (n && isspace((unsigned char)p[n - 1]))
		n--;
	memmove(s, p, n);
	s[n] = '\0';
	return s;
}

bool str_blank(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

bool str_eq_ct(const char *a, const char *b)
{
	size_t la, lb;

	if (!a || !b)
		return false;
	la = strlen(a);
	lb = strlen(b);
	if (la != lb)
		return false;
	if (la == 0)
		return true;
	return sodium_memcmp(a, b, la) == 0;
}

bool str_copy(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src);

	if (!n)
		return false;
	if (len >= n) {
		memcpy(dst, src, n - 1);
		dst[n - 1] = '\0';
		return false;
	}
	memcpy(dst, src, len + 1);
	return true;
}

char *str_dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

bool str_is_name(const char *s)
{
	size_t n = 0;

	if (!s || !isalnum((unsigned char)s[0]))
		return false;
	for (; *s; s++, n++) {
		unsigned char c = (unsigned char)*s;
		if (!isalnum(c) && c != '_' && c != '-' && c != '.')
			return false;
	}
	return n <= 64;
}
