#ifndef MLC_NETSUITE_H
#define MLC_NETSUITE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/tenant.h"
#include "net/http_client.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The NetSuite adapter's transport: one upstream per session, every
 * request through the account's concurrency pool (netsuite/ns_limiter.h:
 * one per account in the process, shared by every session, run and
 * worker), bearer tokens through the OAuth hook, SuiteQL paging, record
 * upserts by external id, and NetSuite's error bodies
 * {"type","title","status","o:errorDetails":[{"detail","o:errorCode"}]}
 * decoded into messages that name the error code.  Thread-safe.
 */
struct ns_limiter;

struct mlc_netsuite {
	struct mlc_http_upstream *up;
	struct ns_limiter *limit; /* the account's pool; a reference */
	int concurrency;
	int64_t reads, writes; /* calls made, updated atomically */
};

struct mlc_netsuite_opts {
	mlc_http_auth_fn auth;
	void *auth_arg;
	int concurrency;  /* the account's pool; 0: 5 (docs/reference/netsuite.md, Governance);
			   * shared by every session of the account (ns_limiter.h) */
	int timeout_ms;   /* 0: 120 s */
	int max_attempts; /* 0: the client's default */
};

int netsuite_open(const struct mlc_tenant *t, const struct mlc_netsuite_opts *o,
		  struct mlc_netsuite **out, struct mlc_error *err) MLC_MUST_CHECK;
void netsuite_free(struct mlc_netsuite *ns);

/*
 * Sends one request through the account's pool (waits for a slot, holds
 * it until the outcome is in, retries included).  For the adapter's own
 * files (ns_*.c); flows use the typed calls.
 */
int netsuite_send(struct mlc_netsuite *ns, const struct mlc_http_req *r, struct mlc_http_resp *resp,
		  struct mlc_error *err) MLC_MUST_CHECK;
/*
 * Runs fn(arg, i) for i in [0, n) on up to the pool's size of threads at
 * once (the caller's among them), so that a bulk write keeps every slot
 * of the account's pool busy until its last request.  fn may call only
 * the thread-safe adapter (no store handle, no flow_record): it keeps its
 * outcome in arg for the caller to act on after this returns.
 */
void netsuite_run_many(struct mlc_netsuite *ns, size_t n, void (*fn)(void *arg, size_t i),
		       void *arg);

/* SuiteQL's page rules (docs/reference/netsuite.md, SuiteQL). */
#define SUITEQL_MAX_LIMIT 1000
#define SUITEQL_ROW_CAP   100000

/*
 * Runs one SuiteQL page (limit <= 1000, offset a multiple of limit).
 * *items is the page's items (caller decrefs); *has_more from the reply.
 */
int netsuite_suiteql_page(struct mlc_netsuite *ns, const char *q, int limit, int offset,
			  json_t **items, bool *has_more, int64_t *total,
			  struct mlc_error *err) MLC_MUST_CHECK;
/*
 * Runs a query to the end by offset paging into one array.  A result
 * larger than the 100,000-row cap is an error: such reads must page by
 * key (see netsuite_suiteql_keyset).
 */
int netsuite_suiteql_all(struct mlc_netsuite *ns, const char *q, json_t **items,
			 struct mlc_error *err) MLC_MUST_CHECK;
/*
 * Runs n queries at once, keeping up to the account's concurrency pool
 * busy (curl multi through the upstream's cap).  results[i] gets query
 * i's rows (all pages).  Returns the first failure, results released.
 */
int netsuite_suiteql_many(struct mlc_netsuite *ns, const char *const *qs, size_t n,
			  json_t **results, struct mlc_error *err) MLC_MUST_CHECK;
/*
 * The non-main, non-tax lines of many transactions ({"id": ...} objects):
 * SELECT cols FROM transactionline for a hundred transactions per query,
 * the queries at once (netsuite_suiteql_many).  *by_tx maps each
 * transaction id (text) to its lines in id order.  cols must include
 * "transaction".  Caller decrefs *by_tx.
 */
int netsuite_lines_by_transaction(struct mlc_netsuite *ns, const char *cols,
				  const json_t *transactions, json_t **by_tx,
				  struct mlc_error *err) MLC_MUST_CHECK;
/*
 * Keyset paging for backfills of any size: q_fmt is a query with one %s
 * where the key condition goes and ORDER BY the key, e.g.
 *   "SELECT id, ... FROM vendor WHERE %s ORDER BY id"
 * The condition is "id > <last>" after the first page.  Rows come to fn
 * a page at a time; fn returns < 0 to stop.
 */
int netsuite_suiteql_keyset(struct mlc_netsuite *ns, const char *q_fmt, const char *key_col,
			    int (*fn)(void *arg, json_t *items), void *arg,
			    struct mlc_error *err) MLC_MUST_CHECK;

/*
 * Keyset paging for reads whose rows come in groups that must stay
 * together (the lines of one transaction): q_fmt has one %s for the key
 * condition on key_expr ("t.id") and orders by it first; key_col is the
 * key's column in the rows ("id").  A page that ends inside a group is cut
 * before it and the next page starts at that group (>=); a group larger
 * than a page is read whole by offset paging.  No 100,000-row cap.  Rows
 * come to fn a page at a time; page_rows 0: 1000.
 */
int netsuite_suiteql_groups(struct mlc_netsuite *ns, const char *q_fmt, const char *key_expr,
			    const char *key_col, int page_rows, int (*fn)(void *arg, json_t *items),
			    void *arg, struct mlc_error *err) MLC_MUST_CHECK;

/*
 * Upserts a record by external id: PUT /record/v1/<type>/eid:<externalId>
 * (docs/reference/netsuite.md, REST record service).  The body is written with
 * jsonx_dumps (exact amounts).  Takes body.  *id_out (may be NULL) gets
 * the record's internal id from the Location header when NetSuite gives it.
 */
#define NS_CODE_MAX 64
int netsuite_upsert(struct mlc_netsuite *ns, const char *type, const char *external_id,
		    json_t *body, int64_t *id_out, char code[NS_CODE_MAX],
		    struct mlc_error *err) MLC_MUST_CHECK;
/* POST a new record; *id_out from Location.  code (may be NULL) gets the
 * o:errorCode of a refusal ("" when none). */
int netsuite_create(struct mlc_netsuite *ns, const char *type, json_t *body, int64_t *id_out,
		    char code[NS_CODE_MAX], struct mlc_error *err) MLC_MUST_CHECK;
/* PATCH /record/v1/<type>/<id>: only the fields in body change.  Takes body. */
int netsuite_update(struct mlc_netsuite *ns, const char *type, int64_t id, json_t *body,
		    char code[NS_CODE_MAX], struct mlc_error *err) MLC_MUST_CHECK;
/* GET a record (expandSubResources when expand); caller decrefs *out.
 * MLC_ENOTFOUND for 404 NONEXISTENT_ID. */
int netsuite_get(struct mlc_netsuite *ns, const char *type, const char *id, bool expand,
		 json_t **out, struct mlc_error *err) MLC_MUST_CHECK;
/* DELETE a record (by id or "eid:..."). MLC_ENOTFOUND when absent. */
int netsuite_delete(struct mlc_netsuite *ns, const char *type, const char *id,
		    struct mlc_error *err) MLC_MUST_CHECK;

/* The o:errorCode of an error body (closed periods, INVALID_CONTENT...). */
void netsuite_error_code(const char *body, size_t len, char *code, size_t n);
/* Appends "CODE: detail" from an error body. */
void netsuite_error_text(const char *body, size_t len, struct mlc_buf *out);
/* A SuiteQL string literal: quotes doubled (docs/reference/netsuite.md: never build a
 * query from unchecked input). */
void netsuite_sql_quote(const char *s, struct mlc_buf *out);

#endif
