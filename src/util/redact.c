#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util/redact.h"
#include "util/str.h"
#include "util/banned.h"

#define MAX_SECRETS 256

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* short-lived values (tokens), oldest first out */
static char *secrets[MAX_SECRETS];
static size_t nsecrets;
/* long-lived values (stored secrets), never evicted: one per distinct
 * secret the process opened */
static char **lasting;
static size_t nlasting, caplasting;

static const char *const secret_words[] = {
    "authorization", "token",   "secret", "password", "passwd",     "assertion",  "private_key",
    "privatekey",    "api_key", "apikey", "cookie",   "master_key", "credential",
};

bool redact_key_is_secret(const char *key)
{
	char low[128];
	size_t i;

	if (!key)
		return false;
	/* '-' counts as '_' so header names (X-Api-Key) match too */
	for (i = 0; key[i] && i < sizeof(low) - 1; i++)
		low[i] = key[i] == '-' ? '_' : (char)tolower((unsigned char)key[i]);
	low[i] = '\0';
	for (i = 0; i < MLC_ARRAY_LEN(secret_words); i++)
		if (strstr(low, secret_words[i]))
			return true;
	return false;
}

/* Under lock: is value already registered, in either set? */
static bool known(const char *value)
{
	for (size_t i = 0; i < nlasting; i++)
		if (strcmp(lasting[i], value) == 0)
			return true;
	for (size_t i = 0; i < nsecrets; i++)
		if (strcmp(secrets[i], value) == 0)
			return true;
	return false;
}

void redact_register_lasting(const char *value)
{
	size_t n = value ? strlen(value) : 0;

	if (n < 6)
		return;
	if (sodium_init() < 0)
		abort();
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nlasting; i++)
		if (strcmp(lasting[i], value) == 0)
			goto out;
	if (nlasting == caplasting) {
		size_t cap = caplasting ? caplasting * 2 : 16;
		char **grown = realloc(lasting, cap * sizeof(*grown));
		if (!grown)
			abort();
		lasting = grown;
		caplasting = cap;
	}
	char *copy = sodium_malloc(n + 1);
	if (copy) {
		memcpy(copy, value, n + 1);
		lasting[nlasting++] = copy;
	}
out:
	pthread_mutex_unlock(&lock);
}

void redact_register(const char *value)
{
	size_t n = value ? strlen(value) : 0;

	if (n < 6)
		return;
	if (sodium_init() < 0)
		abort();
	pthread_mutex_lock(&lock);
	if (known(value))
		goto out;
	if (nsecrets == MAX_SECRETS) {
		/* oldest first out: tokens rotate, the newest matter most */
		sodium_free(secrets[0]);
		memmove(secrets, secrets + 1, (MAX_SECRETS - 1) * sizeof(*secrets));
		nsecrets--;
	}
	char *copy = sodium_malloc(n + 1);
	if (copy) {
		memcpy(copy, value, n + 1);
		secrets[nsecrets++] = copy;
	}
out:
	pthread_mutex_unlock(&lock);
}

void redact_reset(void)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nsecrets; i++)
		sodium_free(secrets[i]);
	nsecrets = 0;
	for (size_t i = 0; i < nlasting; i++)
		sodium_free(lasting[i]);
	free(lasting);
	lasting = NULL;
	nlasting = caplasting = 0;
	pthread_mutex_unlock(&lock);
}

static bool is_tok(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.' || c == '~' ||
	       c == '+' || c == '/' || c == '=' || c == '%';
}

/* Length of a JWT-shaped run at p ("eyJ" + b64url '.' b64url '.' b64url). */
static size_t jwt_len(const char *p)
{
	size_t n = 0;
	int dots = 0;

	if (strncmp(p, "eyJ", 3) != 0)
		return 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '-' || p[n] == '_' || p[n] == '.') {
		dots += p[n] == '.';
		n++;
	}
	return dots >= 1 ? n : 0;
}

/* Length of a PEM block at p ("-----BEGIN X-----" through "-----END
 * X-----", or to the end of the text when it is cut short). */
static size_t pem_len(const char *p)
{
	const char *end, *close;

	if (strncmp(p, "-----BEGIN ", 11) != 0)
		return 0;
	end = strstr(p + 11, "-----END ");
	if (!end)
		return strlen(p);
	close = strstr(end + 9, "-----");
	return close ? (size_t)(close + 5 - p) : strlen(p);
}

/* At "://" followed by user:password@ (redis://:pw@host, https://u:p@h):
 * the length of the password; 0 otherwise. */
static size_t userinfo_password(const char *p)
{
	const char *q, *colon = NULL;

	if (strncmp(p, "://", 3) != 0)
		return 0;
	for (q = p + 3; *q && !strchr("/?#@ \t\r\n\"'<>", *q); q++)
		if (*q == ':' && !colon)
			colon = q;
	if (*q != '@' || !colon || q == colon + 1)
		return 0;
	return (size_t)(q - colon - 1);
}

/* True if the text before p ends with a URL-encoded '&', '?' or '='
 * ("%26", "%3F", "%3D"): an encoded key starts at p. */
static bool after_encoded_sep(const char *in, const char *p)
{
	return p - in >= 3 && p[-3] == '%' &&
	       (strncasecmp(p - 2, "26", 2) == 0 || strncasecmp(p - 2, "3F", 2) == 0 ||
		strncasecmp(p - 2, "3D", 2) == 0);
}

/* Pass 2 and 3 on a string that has had registered secrets removed. */
static void redact_patterns(struct mlc_buf *out, const char *in)
{
	const char *p = in;

	while (*p) {
		size_t n;
		n = pem_len(p);
		if (n > 0) {
			buf_addstr(out, REDACTED_MARK);
			p += n;
			continue;
		}
		n = userinfo_password(p);
		if (n > 0) {
			/* scheme://user:password@ -> scheme://user:[REDACTED]@ */
			size_t keep = (size_t)(strchr(p + 3, ':') - p) + 1;
			buf_add(out, p, keep);
			buf_addstr(out, REDACTED_MARK);
			p += keep + n;
			continue;
		}
		if ((strncasecmp(p, "Bearer ", 7) == 0 || strncasecmp(p, "Basic ", 6) == 0) &&
		    (p == in || !isalnum((unsigned char)p[-1]))) {
			size_t w = tolower((unsigned char)p[1]) == 'e' ? 7 : 6;
			buf_add(out, p, w);
			p += w;
			if (strncmp(p, REDACTED_MARK, strlen(REDACTED_MARK)) == 0)
				continue;
			while (*p && is_tok(*p))
				p++;
			buf_addstr(out, REDACTED_MARK);
			continue;
		}
		n = jwt_len(p);
		if (n > 0 && (p == in || !isalnum((unsigned char)p[-1]))) {
			buf_addstr(out, REDACTED_MARK);
			p += n;
			continue;
		}
		/* key=value or "key": "value" with a secret-named key */
		if (isalpha((unsigned char)*p) &&
		    (p == in || !isalnum((unsigned char)p[-1]) || after_encoded_sep(in, p))) {
			const char *k = p;
			while (isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == '.')
				p++;
			size_t klen = (size_t)(p - k);
			char key[128];
			const char *q = p;
			int quoted = 0, encoded = 0;
			if (*q == '"')
				q++;
			while (*q == ' ')
				q++;
			if (strncasecmp(q, "%3D", 3) == 0) {
				/* client_secret%3D...: a form inside a URL-encoded value */
				q += 3;
				encoded = 1;
			} else if (*q == '=' || *q == ':') {
				q++;
				while (*q == ' ')
					q++;
				if (*q == '"') {
					quoted = 1;
					q++;
				}
			} else {
				q = NULL;
			}
			str_copy(key, sizeof(key) < klen + 1 ? sizeof(key) : klen + 1, k);
			if (q && klen < sizeof(key) && redact_key_is_secret(key) && *q &&
			    *q != ',' && *q != '&' && *q != '}' && *q != '{' && *q != '[') {
				int header = !quoted && !encoded && q[-1] != '=';
				buf_add(out, k, (size_t)(q - k));
				if (strncasecmp(q, "Bearer ", 7) == 0 ||
				    strncasecmp(q, "Basic ", 6) == 0) {
					/* the scheme rule below redacts the credential */
					p = q;
					continue;
				}
				if (quoted) {
					while (*q && *q != '"') {
						if (*q == '\\' && q[1])
							q++;
						q++;
					}
				} else if (header) {
					/* "Name: value" runs to the end of the line */
					while (*q && *q != '\n' && *q != '\r')
						q++;
				} else {
					while (*q && *q != '&' && *q != ' ' && *q != ',' &&
					       *q != '"' && *q != '}' && *q != '\n' &&
					       !(encoded && strncasecmp(q, "%26", 3) == 0))
						q++;
				}
				buf_addstr(out, REDACTED_MARK);
				p = q;
				continue;
			}
			buf_add(out, k, klen);
			continue;
		}
		buf_addch(out, *p++);
	}
}

void redact_text(struct mlc_buf *out, const char *in)
{
	struct mlc_buf tmp = MLC_BUF_INIT;
	const char *p = in;

	if (!in)
		return;
	pthread_mutex_lock(&lock);
	if (nsecrets || nlasting) {
		while (*p) {
			size_t hit = 0;
			for (size_t i = 0; i < nlasting && !hit; i++) {
				size_t n = strlen(lasting[i]);
				if (strncmp(p, lasting[i], n) == 0)
					hit = n;
			}
			for (size_t i = 0; i < nsecrets && !hit; i++) {
				size_t n = strlen(secrets[i]);
				if (strncmp(p, secrets[i], n) == 0)
					hit = n;
			}
			if (hit) {
				buf_addstr(&tmp, REDACTED_MARK);
				p += hit;
			} else {
				buf_addch(&tmp, *p++);
			}
		}
		p = tmp.data;
	}
	pthread_mutex_unlock(&lock);
	redact_patterns(out, p);
	buf_release(&tmp);
}
