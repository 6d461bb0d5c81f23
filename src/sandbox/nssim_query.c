#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sandbox/nssim.h"
#include "util/money.h"
#include "util/num.h"
#include "util/banned.h"

/*
 * Running SuiteQL with NetSuite's paging rules (docs/reference/netsuite.md "SuiteQL";
 * docs/reference/netsuite/suiteql.md V6): limit 1..1000 (default 1000), offset a multiple of
 * limit, at most 100,000 results readable per query; the envelope
 * {links, count, hasMore, items, offset, totalResults}.  Also the error
 * body shared by every NetSuite route.
 */

#define SUITEQL_MAX_LIMIT 1000
#define SUITEQL_CAP       100000

json_t *nserr_body(int status, const char *code, const char *path, const char *fmt, ...)
{
	char detail[1024];
	const char *title;
	json_t *d;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	switch (status) {
	case 400:
		title = "Bad Request";
		break;
	case 401:
		title = "Unauthorized";
		break;
	case 403:
		title = "Forbidden";
		break;
	case 404:
		title = "Record not found";
		break;
	case 405:
		title = "Method Not Allowed";
		break;
	case 429:
		title = "Too Many Requests";
		break;
	default:
		title = "Internal Server Error";
		break;
	}
	d = json_pack("{s:s,s:s}", "detail", detail, "o:errorCode", code);
	if (path)
		json_object_set_new(d, "o:errorPath", json_string(path));
	return json_pack("{s:s,s:s,s:i,s:[o]}", "type",
			 "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1", "title",
			 title, "status", status, "o:errorDetails", d);
}

void ns_result_release(struct ns_result *r)
{
	json_decref(r->body);
	r->body = NULL;
}

void ns_result_error(struct ns_result *r, int status, const char *code, const char *path,
		     const char *fmt, ...)
{
	char detail[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	json_decref(r->body);
	r->status = status;
	r->body = nserr_body(status, code, path, "%s", detail);
}

static json_t *page_link(const char *rel, const char *base, int limit, int64_t offset)
{
	char href[512];

	snprintf(href, sizeof(href), "%s/services/rest/query/v1/suiteql?limit=%d&offset=%lld", base,
		 limit, (long long)offset);
	return json_pack("{s:s,s:s}", "rel", rel, "href", href);
}

static json_t *row_item(sqlite3_stmt *st)
{
	json_t *item = json_object();
	int nc = sqlite3_column_count(st);

	for (int c = 0; c < nc; c++) {
		const char *dt = sqlite3_column_decltype(st, c);
		char key[128], val[64];
		const char *name = sqlite3_column_name(st, c);
		size_t k;

		for (k = 0; name[k] && k + 1 < sizeof(key); k++)
			key[k] =
			    (char)((name[k] >= 'A' && name[k] <= 'Z') ? name[k] + 32 : name[k]);
		key[k] = '\0';
		switch (sqlite3_column_type(st, c)) {
		case SQLITE_NULL:
			continue; /* V4: NULL columns are left out */
		case SQLITE_INTEGER:
			if (dt && strcmp(dt, "CENTS") == 0)
				dec_format_trim(sqlite3_column_int64(st, c), 2, 0, val,
						sizeof(val));
			else
				snprintf(val, sizeof(val), "%lld",
					 (long long)sqlite3_column_int64(st, c));
			json_object_set_new(item, key, json_string(val));
			break;
		case SQLITE_FLOAT:
			snprintf(val, sizeof(val), "%.15g", sqlite3_column_double(st, c));
			json_object_set_new(item, key, json_string(val));
			break;
		default: {
			const char *s = (const char *)sqlite3_column_text(st, c);
			if (dt && (strcmp(dt, "DATE") == 0 || strcmp(dt, "TIMESTAMP") == 0)) {
				char d[32];
				suiteql_format_date(s, d, sizeof(d));
				json_object_set_new(item, key, json_string(d));
			} else {
				json_object_set_new(item, key, json_string(s ? s : ""));
			}
		}
		}
	}
	json_object_set_new(item, "links", json_array());
	return item;
}

static int parse_paging(const char *text, int def, int64_t max, int64_t *out)
{
	struct mlc_error err;

	if (!text || !*text) {
		*out = def;
		return 0;
	}
	if (num_parse_i64(text, out, &err) < 0 || *out < 0 || *out > max)
		return -1;
	return 0;
}

void suiteql_run(struct nssim *ns, const char *q, const char *limit_s, const char *offset_s,
		 const char *base, struct ns_result *r)
{
	struct mlc_error err = {0};
	sqlite3_stmt *st = NULL;
	char *sql = NULL;
	int64_t limit, offset, total = 0;
	json_t *items = NULL, *links;
	int rc;

	memset(r, 0, sizeof(*r));
	if (parse_paging(limit_s, SUITEQL_MAX_LIMIT, SUITEQL_MAX_LIMIT, &limit) < 0 || limit < 1) {
		ns_result_error(r, 400, "INVALID_PARAMETER", NULL,
				"Invalid 'limit' parameter value. The value must be an integer "
				"between 1 and %d.",
				SUITEQL_MAX_LIMIT);
		return;
	}
	if (parse_paging(offset_s, 0, INT64_MAX / 2, &offset) < 0) {
		ns_result_error(r, 400, "INVALID_PARAMETER", NULL,
				"Invalid 'offset' parameter value. The value must be a "
				"non-negative integer.");
		return;
	}
	if (offset % limit != 0) {
		ns_result_error(r, 400, "INVALID_PARAMETER", NULL,
				"Invalid 'offset' parameter value. The offset must be a multiple "
				"of the limit.");
		return;
	}
	if (offset >= SUITEQL_CAP) {
		ns_result_error(r, 400, "INVALID_PARAMETER", NULL,
				"Invalid 'offset' parameter value. A query can return at most "
				"%d results; narrow the query and page again from offset 0.",
				SUITEQL_CAP);
		return;
	}
	if (!q || !*q) {
		ns_result_error(r, 400, "INVALID_PARAMETER", "q",
				"Invalid search query. The request body must contain 'q'.");
		return;
	}
	if (suiteql_translate(q, &sql, &err) < 0) {
		ns_result_error(r, 400, "INVALID_PARAMETER", NULL,
				"Invalid search query. Detailed unprocessed description follows. "
				"Search error occurred: %s.",
				err.msg);
		return;
	}
	items = json_array();
	pthread_mutex_lock(&ns->db_lock);
	rc = sqlite3_prepare_v2(ns->db, sql, -1, &st, NULL);
	/* Step every row: the total is the real count; only the window is built. */
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (total >= offset && total < offset + limit)
			json_array_append_new(items, row_item(st));
		total++;
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_DONE) {
		ns_result_error(r, 400, "INVALID_PARAMETER", NULL,
				"Invalid search query. Detailed unprocessed description follows. "
				"Search error occurred: %s.",
				sqlite3_errmsg(ns->db));
		goto out;
	}
	{
		int64_t readable = total < SUITEQL_CAP ? total : SUITEQL_CAP;
		int64_t count = (int64_t)json_array_size(items);
		bool more = offset + count < readable;
		int64_t last = readable > 0 ? (readable - 1) / limit * limit : 0;

		links = json_array();
		if (offset > 0) {
			json_array_append_new(
			    links, page_link("previous", base, (int)limit, offset - limit));
			json_array_append_new(links, page_link("first", base, (int)limit, 0));
		}
		if (more) {
			json_array_append_new(links,
					      page_link("next", base, (int)limit, offset + limit));
			json_array_append_new(links, page_link("last", base, (int)limit, last));
		}
		json_array_append_new(links, page_link("self", base, (int)limit, offset));
		r->status = 200;
		r->body = json_pack("{s:o,s:I,s:b,s:O,s:I,s:I}", "links", links, "count",
				    (json_int_t)count, "hasMore", more, "items", items, "offset",
				    (json_int_t)offset, "totalResults", (json_int_t)total);
	}
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&ns->db_lock);
	json_decref(items);
	free(sql);
}
