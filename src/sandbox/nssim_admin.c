#include <stdio.h>
#include <string.h>

#include "sandbox/nssim.h"
#include "util/num.h"
#include "util/banned.h"

/*
 * NetSuite-specific sandbox controls (not part of the real API):
 *   GET   /_sandbox/netsuite/state              row counts, push counters
 *   GET   /_sandbox/netsuite/dump/{table}       a SuiteQL table's rows, raw
 *   POST  /_sandbox/netsuite/periods/{id}/close close and lock a period
 *   POST  /_sandbox/netsuite/periods/{id}/open  reopen it
 *   POST  /_sandbox/netsuite/records/{type}      create as a user in the UI
 *   PATCH /_sandbox/netsuite/records/{type}/{id} edit as a user in the UI
 * User edits go through the same write path as the API (and push events).
 */

static void h_state(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct nssim *ns = arg;
	json_t *counts = json_object();
	size_t n;
	const struct ns_table *t = nsdb_tables(&n);

	MLC_UNUSED(req);
	pthread_mutex_lock(&ns->db_lock);
	for (size_t i = 0; i < n; i++) {
		char sql[128];
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM \"%s\"", t[i].name);
		json_object_set_new(counts, t[i].name,
				    json_integer(nsdb_int(ns->db, sql, NULL, 0)));
	}
	pthread_mutex_unlock(&ns->db_lock);
	pthread_mutex_lock(&ns->push_lock);
	http_response_json(resp, 200,
			   json_pack("{s:o,s:{s:I,s:I,s:I},s:s,s:s}", "tables", counts, "pushes",
				     "sent", (json_int_t)ns->pushes_sent, "dropped",
				     (json_int_t)ns->pushes_dropped, "failed",
				     (json_int_t)ns->pushes_failed, "account_id", ns->account_id,
				     "client_id", ns->client_id));
	pthread_mutex_unlock(&ns->push_lock);
}

static void h_dump(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct nssim *ns = arg;
	const struct ns_table *t = nsdb_table(http_request_param(req, "table"));
	sqlite3_stmt *st = NULL;
	json_t *rows;
	char sql[160];

	if (!t) {
		http_response_error(resp, 404, "not_found", "no such table");
		return;
	}
	rows = json_array();
	snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" LIMIT 100000", t->name);
	pthread_mutex_lock(&ns->db_lock);
	if (sqlite3_prepare_v2(ns->db, sql, -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			json_t *row = json_object();
			for (int c = 0; c < sqlite3_column_count(st); c++) {
				json_t *v;
				switch (sqlite3_column_type(st, c)) {
				case SQLITE_INTEGER:
					v = json_integer(sqlite3_column_int64(st, c));
					break;
				case SQLITE_FLOAT:
					v = json_real(sqlite3_column_double(st, c));
					break;
				case SQLITE_NULL:
					v = json_null();
					break;
				default:
					v = json_string((const char *)sqlite3_column_text(st, c));
					break;
				}
				json_object_set_new(row, sqlite3_column_name(st, c), v);
			}
			json_array_append_new(rows, row);
		}
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&ns->db_lock);
	http_response_json(resp, 200, json_pack("{s:o}", "rows", rows));
}

static void h_period(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct nssim *ns = arg;
	bool close = strstr(req->path, "/close") != NULL;
	struct mlc_error err;
	int64_t id;
	char sql[256], now[32];

	if (num_parse_id(http_request_param(req, "id"), &id, &err) < 0) {
		http_response_error(resp, 400, "bad_request", "%s", err.msg);
		return;
	}
	nsdb_ts(nssim_now_ms(ns), now);
	snprintf(sql, sizeof(sql),
		 "UPDATE accountingperiod SET closed = '%s', alllocked = '%s', aplocked = '%s', "
		 "arlocked = '%s', closedondate = %s, lastmodifieddate = '%s' WHERE id = %lld",
		 close ? "T" : "F", close ? "T" : "F", close ? "T" : "F", close ? "T" : "F",
		 close ? "date('now')" : "NULL", now, (long long)id);
	pthread_mutex_lock(&ns->db_lock);
	nsdb_run(ns->db, sql);
	id = sqlite3_changes(ns->db) ? id : 0;
	pthread_mutex_unlock(&ns->db_lock);
	if (!id) {
		http_response_error(resp, 404, "not_found", "no such period");
		return;
	}
	http_response_json(resp, 200,
			   json_pack("{s:I,s:b}", "id", (json_int_t)id, "closed", close));
}

static void h_user_edit(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct nssim *ns = arg;
	struct ns_result r = {0};
	struct mlc_error err;
	json_t *body = http_request_json(req, &err);
	const char *type = http_request_param(req, "type");

	if (!body) {
		http_response_error(resp, 400, "bad_request", "%s", err.msg);
		return;
	}
	if (!nsrec_known_type(type)) {
		json_decref(body);
		http_response_error(resp, 404, "not_found", "unknown record type");
		return;
	}
	/* ?replace=item drops the lines a person deleted, as the UI does */
	nsrec_write(ns, type, http_request_param(req, "id"), false, body,
		    http_request_query(req, "replace"), &r);
	json_decref(body);
	if (r.status == 204) {
		const char *slash = strrchr(r.location, '/');
		json_decref(r.body);
		http_response_json(
		    resp, 200, json_pack("{s:s,s:s}", "type", type, "id", slash ? slash + 1 : ""));
		return;
	}
	http_response_json(resp, r.status, r.body);
}

int nssim_admin_routes(struct nssim *ns, struct mlc_http_server *http, struct mlc_error *err)
{
	if (http_server_route(http, "GET", "/_sandbox/netsuite/state", h_state, ns) < 0 ||
	    http_server_route(http, "GET", "/_sandbox/netsuite/dump/{table}", h_dump, ns) < 0 ||
	    http_server_route(http, "POST", "/_sandbox/netsuite/periods/{id}/close", h_period, ns) <
		0 ||
	    http_server_route(http, "POST", "/_sandbox/netsuite/periods/{id}/open", h_period, ns) <
		0 ||
	    http_server_route(http, "POST", "/_sandbox/netsuite/records/{type}", h_user_edit, ns) <
		0 ||
	    http_server_route(http, "PATCH", "/_sandbox/netsuite/records/{type}/{id}", h_user_edit,
			      ns) < 0)
		return error_set(err, MLC_EINVAL, "cannot register the NetSuite sandbox routes");
	return MLC_OK;
}
