#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/vault.h"
#include "util/str.h"
#include "util/banned.h"

void vault_key_id(const unsigned char *key, char *out)
{
	unsigned char h[VAULT_KEY_ID_LEN / 2];

	/* A hash of the key, not the key: safe to store next to ciphertext. */
	crypto_generichash(h, sizeof(h), key, VAULT_KEY_BYTES, NULL, 0);
	sodium_bin2hex(out, VAULT_KEY_ID_LEN + 1, h, sizeof(h));
}

int vault_new(const unsigned char *key, size_t len, struct mlc_vault **out, struct mlc_error *err)
{
	struct mlc_vault *v;

	*out = NULL;
	if (len != VAULT_KEY_BYTES)
		return error_set(err, MLC_ECONFIG, "a master key must be %d bytes, not %zu",
				 VAULT_KEY_BYTES, len);
	v = xcalloc(1, sizeof(*v));
	v->key = sodium_malloc(VAULT_KEY_BYTES);
	if (!v->key) {
		free(v);
		return error_set(err, MLC_ENOMEM,
				 "cannot allocate protected memory for the master key");
	}
	memcpy(v->key, key, VAULT_KEY_BYTES);
	sodium_mprotect_readonly(v->key);
	vault_key_id(v->key, v->key_id);
	*out = v;
	return MLC_OK;
}

void vault_free(struct mlc_vault *v)
{
	if (!v)
		return;
	sodium_free(v->key); /* wipes before freeing */
	free(v);
}

int vault_parse_key_text(const char *text, unsigned char *key, struct mlc_error *err)
{
	size_t len = 0, tlen;
	const char *end = NULL;
	static const int variants[] = {
	    sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
	    sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING};

	tlen = strlen(text);
	while (tlen && (text[tlen - 1] == '\n' || text[tlen - 1] == '\r' || text[tlen - 1] == ' '))
		tlen--;
	if (tlen == VAULT_KEY_BYTES * 2 &&
	    sodium_hex2bin(key, VAULT_KEY_BYTES, text, tlen, NULL, &len, &end) == 0 &&
	    len == VAULT_KEY_BYTES && end == text + tlen)
		return MLC_OK;
	for (size_t i = 0; i < MLC_ARRAY_LEN(variants); i++) {
		if (sodium_base642bin(key, VAULT_KEY_BYTES, text, tlen, NULL, &len, &end,
				      variants[i]) == 0 &&
		    len == VAULT_KEY_BYTES && end == text + tlen)
			return MLC_OK;
	}
	sodium_memzero(key, VAULT_KEY_BYTES);
	return error_set(err, MLC_ECONFIG,
			 "%s is not a master key: expected 64 hex digits or the base64 of 32 bytes",
			 VAULT_ENV_KEY);
}

int vault_read_key_file(const char *path, unsigned char *key, struct mlc_error *err)
{
	int fd = -1, rc;
	struct stat sb;
	unsigned char extra;
	size_t got = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			rc = error_set(err, MLC_ECONFIG,
				       "master key %s does not exist: run 'ml-connector init' to "
				       "create one, or set %s",
				       path, VAULT_ENV_KEY);
		else
			rc = error_set(err, MLC_ECONFIG, "cannot read master key %s: %s", path,
				       strerror(errno));
		goto out;
	}
	if (fstat(fd, &sb) < 0) {
		rc = error_set(err, MLC_ECONFIG, "cannot stat master key %s: %s", path,
			       strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		rc = error_set(err, MLC_ECONFIG, "master key %s is not a regular file", path);
		goto out;
	}
	if (sb.st_mode & 077) {
		rc = error_set(err, MLC_ECONFIG,
			       "master key %s is readable by others (mode %04o); it must be "
			       "private to its owner: chmod 600 %s",
			       path, (unsigned)(sb.st_mode & 07777), path);
		goto out;
	}
	while (got < VAULT_KEY_BYTES) {
		ssize_t r = read(fd, key + got, VAULT_KEY_BYTES - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = error_set(err, MLC_ECONFIG, "cannot read master key %s: %s", path,
				       strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	if (got != VAULT_KEY_BYTES || read(fd, &extra, 1) != 0) {
		rc = error_set(err, MLC_ECONFIG,
			       "master key %s is damaged: it must hold exactly %d raw bytes "
			       "(as written by 'ml-connector init')",
			       path, VAULT_KEY_BYTES);
		goto out;
	}
	rc = MLC_OK;
out:
	if (rc < 0)
		sodium_memzero(key, VAULT_KEY_BYTES);
	if (fd >= 0)
		close(fd);
	return rc;
}

/*
 * Takes $MLC_MASTER_KEY out of the environment and wipes its "NAME=value"
 * text where it lies (the start-up environment, which /proc/PID/environ
 * shows, or setenv()'s copy; both writable and never freed), so that
 * neither a child process nor a reader of /proc sees the key.  value is
 * what getenv() returned: it follows "NAME=" in the same string.
 */
static void env_key_forget(const char *value)
{
	char *entry = (char *)value - sizeof(VAULT_ENV_KEY); /* NAME and '=' */
	size_t n = sizeof(VAULT_ENV_KEY) + strlen(value);

	unsetenv(VAULT_ENV_KEY);
	sodium_memzero(entry, n);
}

int vault_open(const struct mlc_config *cfg, struct mlc_vault **out, struct mlc_error *err)
{
	unsigned char *key = NULL;
	const char *env = getenv(VAULT_ENV_KEY);
	bool from_env = env && *env;
	int rc;

	*out = NULL;
	key = sodium_malloc(VAULT_KEY_BYTES);
	if (!key)
		return error_set(err, MLC_ENOMEM,
				 "cannot allocate protected memory for the master key");
	if (from_env) {
		rc = vault_parse_key_text(env, key, err);
		env_key_forget(env);
	} else if (!cfg || !cfg->master_key_file)
		rc = error_set(err, MLC_ECONFIG, "no master key: set master_key_file or %s",
			       VAULT_ENV_KEY);
	else
		rc = vault_read_key_file(cfg->master_key_file, key, err);
	if (rc == MLC_OK)
		rc = vault_new(key, VAULT_KEY_BYTES, out, err);
	if (rc == MLC_OK)
		(*out)->from_env = from_env;
	sodium_free(key);
	return rc;
}

struct mlc_secret *secret_new(const void *data, size_t n)
{
	struct mlc_secret *s = xcalloc(1, sizeof(*s));

	s->data = sodium_malloc(n + 1);
	if (!s->data) {
		/* as xmalloc does: a secret silently lost is worse than a stop */
		free(s);
		abort();
	}
	if (data && n)
		memcpy(s->data, data, n);
	s->data[n] = '\0';
	s->len = n;
	return s;
}

void secret_free(struct mlc_secret *s)
{
	if (!s)
		return;
	sodium_free(s->data);
	free(s);
}

int vault_seal(const struct mlc_vault *v, const void *ad, size_t ad_len, const void *plain,
	       size_t n, struct mlc_buf *out, struct mlc_error *err)
{
	unsigned char nonce[VAULT_NONCE_BYTES];
	unsigned long long clen = 0;
	size_t start = out->len;

	randombytes_buf(nonce, sizeof(nonce));
	buf_add(out, nonce, sizeof(nonce));
	buf_grow(out, n + VAULT_TAG_BYTES);
	if (crypto_aead_xchacha20poly1305_ietf_encrypt((unsigned char *)out->data + out->len, &clen,
						       plain, n, ad, ad_len, NULL, nonce,
						       v->key) != 0) {
		buf_setlen(out, start);
		return error_set(err, MLC_ECRYPTO, "encryption failed");
	}
	out->len += (size_t)clen;
	out->data[out->len] = '\0';
	return MLC_OK;
}

int vault_unseal(const struct mlc_vault *v, const void *ad, size_t ad_len, const void *box,
		 size_t box_len, struct mlc_secret **out, struct mlc_error *err)
{
	const unsigned char *b = box;
	struct mlc_secret *s;
	unsigned long long plen = 0;
	size_t n;

	*out = NULL;
	if (box_len < VAULT_NONCE_BYTES + VAULT_TAG_BYTES)
		return error_set(err, MLC_ECRYPTO, "ciphertext is truncated");
	n = box_len - VAULT_NONCE_BYTES - VAULT_TAG_BYTES;
	s = secret_new(NULL, n);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		(unsigned char *)s->data, &plen, NULL, b + VAULT_NONCE_BYTES,
		box_len - VAULT_NONCE_BYTES, ad, ad_len, b, v->key) != 0) {
		secret_free(s);
		return error_set(err, MLC_ECRYPTO,
				 "ciphertext does not open: wrong master key, or damaged");
	}
	s->len = (size_t)plen;
	s->data[s->len] = '\0';
	*out = s;
	return MLC_OK;
}
