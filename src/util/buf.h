#ifndef MLC_BUF_H
#define MLC_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "util/compat.h"

/*
 * A growable byte buffer (git's strbuf, curl's dynbuf).
 *
 * Invariants: data is never NULL after buf_init (it points at a shared
 * empty string until the first write), data[len] == '\0' always, so data
 * can be used as a C string when the content has no NUL bytes.  cap is the
 * allocated size, 0 while data points at the shared empty string.
 *
 * Allocation failure aborts the process (as git's xmalloc does): a buffer
 * that silently dropped bytes would corrupt a request or a record.
 */
struct mlc_buf {
	char *data;
	size_t len;
	size_t cap;
};

#define MLC_BUF_INIT                                                                               \
	{                                                                                          \
		(char *)mlc_buf_empty, 0, 0                                                        \
	}
extern const char mlc_buf_empty[1];

void buf_init(struct mlc_buf *b);
/* Frees the contents and leaves b as after buf_init.  Accepts NULL. */
void buf_release(struct mlc_buf *b);
/* Frees the contents after overwriting them with zeros (for secrets). */
void buf_release_wipe(struct mlc_buf *b);
/* Empties b without freeing its memory. */
void buf_reset(struct mlc_buf *b);
/* Ensures room for extra more bytes plus the terminator. */
void buf_grow(struct mlc_buf *b, size_t extra);
void buf_add(struct mlc_buf *b, const void *data, size_t len);
void buf_addstr(struct mlc_buf *b, const char *s);
void buf_addch(struct mlc_buf *b, char c);
void buf_addf(struct mlc_buf *b, const char *fmt, ...) MLC_PRINTF(2, 3);
void buf_vaddf(struct mlc_buf *b, const char *fmt, va_list ap) MLC_PRINTF(2, 0);
/* Shortens b to len bytes (len <= b->len). */
void buf_setlen(struct mlc_buf *b, size_t len);
/* Returns the contents as a malloc'd string and leaves b empty.  Caller
 * frees with free(). Never NULL. */
char *buf_detach(struct mlc_buf *b, size_t *len);
/* Appends s with JSON string escaping (no surrounding quotes). */
void buf_add_json_escaped(struct mlc_buf *b, const char *s);

/* Allocation helpers that abort on failure, for the same reason as above. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
