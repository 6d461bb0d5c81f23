#ifndef MLC_REDACT_H
#define MLC_REDACT_H

#include <stdbool.h>

#include "util/buf.h"

/*
 * Redaction of secrets in anything that may be logged or shown.
 *
 * Three nets, applied in order by redact_text():
 *  1. values registered with redact_register() (decrypted secrets, tokens
 *     just received) are replaced wherever they appear;
 *  2. PEM blocks (-----BEGIN ...----- to -----END ...-----), the password
 *     of a URL's user:password@ (redis://:pw@host), "Bearer <token>" /
 *     "Basic <creds>" and JWT-shaped strings (eyJ....eyJ....sig) are
 *     replaced;
 *  3. values of secret-named keys in form, query and JSON text
 *     (client_secret=..., "access_token": "...", and URL-encoded
 *     client_secret%3D...) are replaced.
 * The replacement is always the literal REDACTED_MARK.
 */
#define REDACTED_MARK "[REDACTED]"

/* True if a field or header of this name holds a secret
 * (authorization, *token*, *secret*, password, assertion, private_key, ...). */
bool redact_key_is_secret(const char *key);
/* Remembers value (a copy, in locked memory) so that it is redacted from
 * every later log line.  Values shorter than 6 bytes are ignored (they
 * would redact ordinary words).  Thread-safe. */
void redact_register(const char *value);
/* Like redact_register, for a value that stays in use for the life of the
 * process (a stored secret: client secrets, private keys, webhook secrets):
 * never evicted, however many tokens are registered after it. */
void redact_register_lasting(const char *value);
/* Forgets every registered value (tests). */
void redact_reset(void);
/* Appends in to out with every secret replaced. */
void redact_text(struct mlc_buf *out, const char *in);

#endif
