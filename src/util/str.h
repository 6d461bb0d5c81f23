#ifndef MLC_STR_H
#define MLC_STR_H

#include <stdbool.h>
#include <stddef.h>

/* Small string helpers.  None allocates unless its name says dup. */

bool str_starts_with(const char *s, const char *prefix);
bool str_ends_with(const char *s, const char *suffix);
/* Case-insensitive ASCII equality. */
bool str_ieq(const char *a, const char *b);
/* Removes leading and trailing ASCII white space in place; returns s. */
char *str_trim(char *s);
/* True if s is NULL or only white space. */
bool str_blank(const char *s);
/*
 * Compares two secrets in time that depends only on their lengths, never
 * on where they differ (for webhook secrets and Authorization headers).
 * NULL equals nothing.
 */
bool str_eq_ct(const char *a, const char *b);
/* Copies src into dst of size n, always terminating; returns false if cut. */
bool str_copy(char *dst, size_t n, const char *src);
/* xstrdup of s, or NULL for NULL. */
char *str_dup_or_null(const char *s);
/* True if s is a name fit for tenants and keys: 1-64 of [A-Za-z0-9_.-],
 * starting with a letter or digit. */
bool str_is_name(const char *s);

#endif
