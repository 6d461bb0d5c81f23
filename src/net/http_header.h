#ifndef MLC_HTTP_HEADER_H
#define MLC_HTTP_HEADER_H

#include <stddef.h>

/*
 * A header list shared by the server's responses and the client's
 * requests and responses: an array of owned name/value pairs, kept in
 * the order added.  Names compare case-insensitively.
 */
struct mlc_http_header {
	char *name;
	char *value;
};

/* Appends copies of name and value; *arr grows as needed. */
void http_headers_add(struct mlc_http_header **arr, size_t *n, const char *name, const char *value);
/* The first value of name, or NULL. */
const char *http_headers_get(const struct mlc_http_header *arr, size_t n, const char *name);
/* Frees every pair and the array; leaves *arr NULL and *n 0. */
void http_headers_free(struct mlc_http_header **arr, size_t *n);

#endif
