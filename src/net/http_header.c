#include <stdlib.h>

#include "net/http_header.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/banned.h"

void http_headers_add(struct mlc_http_header **arr, size_t *n, const char *name, const char *value)
{
	*arr = xrealloc(*arr, (*n + 1) * sizeof(**arr));
	(*arr)[*n].name = xstrdup(name);
	(*arr)[*n].value = xstrdup(value ? value : "");
	(*n)++;
}

const char *http_headers_get(const struct mlc_http_header *arr, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (str_ieq(arr[i].name, name))
			return arr[i].value;
	return NULL;
}

void http_headers_free(struct mlc_http_header **arr, size_t *n)
{
	for (size_t i = 0; i < *n; i++) {
		free((*arr)[i].name);
		free((*arr)[i].value);
	}
	free(*arr);
	*arr = NULL;
	*n = 0;
}
