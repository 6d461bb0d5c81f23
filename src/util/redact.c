#include <ctype.h>
#include <pthread.h>
#include <string.h>

#include <sodium.h>

#include "util/redact.h"
#include "util/str.h"
#include "util/banned.h"

#define MAX_SECRETS 256

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *secrets[MAX_SECRETS];
static size_t nsecrets;

static const char *const secret_words[] = {
	"authorization", "token", "secret", "password", "passwd", "assertion",
	"private_key", "privatekey", "api_key", "apikey", "cookie", "master_key",
	"credential",
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

void redact_register(const char *value)
{
	size_t n;

	if (!value || (n = strlen(value)) < 6)
		return;
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nsecrets; i++)
		if (strcmp(secrets[i], value) == 0)
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

/* Pass 2 and 3 on a string that has had registered secrets removed. */
static void redact_patterns(struct mlc_buf *out, const char *in)
{
	const char *p = in;

	while (*p) {
		size_t n;
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
		if ((n = jwt_len(p)) > 0 && (p == in || !isalnum((unsigned char)p[-1]))) {
			buf_addstr(out, REDACTED_MARK);
			p += n;
			continue;
		}
		/* key=value or "key": "value" with a secret-named key */
		if (isalpha((unsigned char)*p) && (p == in || !isalnum((unsigned char)p[-1]))) {
			const char *k = p;
			while (isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == '.')
				p++;
			size_t klen = (size_t)(p - k);
			char key[128];
			const char *q = p;
			int quoted = 0;
			if (*q == '"')
				q++;
			while (*q == ' ')
				q++;
			if (*q == '=' || *q == ':') {
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
			if (q && klen < sizeof(key) && redact_key_is_secret(key) &&
			    *q && *q != ',' && *q != '&' && *q != '}' && *q != '{' && *q != '[') {
				buf_add(out, k, (size_t)(q - k));
				if (quoted) {
					while (*q && *q != '"') {
						if (*q == '\\' && q[1])
							q++;
						q++;
					}
				} else {
					while (*q && *q != '&' && *q != ' ' && *q != ',' && *q != '"' &&
					       *q != '}' && *q != '\n')
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
	if (nsecrets) {
		while (*p) {
			size_t hit = 0;
			for (size_t i = 0; i < nsecrets; i++) {
				size_t n = strlen(secrets[i]);
				if (strncmp(p, secrets[i], n) == 0) {
					hit = n;
					break;
				}
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
