#ifndef MLC_NSSIM_H
#define MLC_NSSIM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "sandbox/sandbox.h"
#include "util/buf.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The NetSuite simulator's internals, shared by its files:
 *   nssim.c         lifecycle, routes, bearer check, the 429 shape
 *   nssim_push.c    event pushes to --push-url
 *   nssim_jwt.c     certificates and the OAuth 2.0 M2M token endpoint
 *   nssim_db.c      the SQLite schema (tables shaped like SuiteQL's) and seed
 *   nssim_suiteql.c the validated SuiteQL -> SQLite translation and paging
 *   nssim_record.c  the REST record service (GET/POST/PATCH/PUT eid:)
 *   nssim_fieldio.c field conversion REST JSON <-> columns
 *   nssim_list.c    record lists with q/limit/offset
 *   nssim_query.c   SuiteQL paging and the NetSuite error body
 *   nssim_seed.c    the seeded account
 *   nssim_txn.c     transactions: model, rendering, merge, PO -> bill
 *   nssim_txn_write.c  transactions: validation, balance, periods, rows
 *   nssim_fields.c  REST field names and types (from docs/reference/netsuite/records.json)
 *   nssim_async.c   Prefer: respond-async jobs and idempotency keys
 *   nssim_admin.c   the /_sandbox/ routes specific to NetSuite
 *
 * All state lives in one SQLite database (DATA/netsuite.db) behind one
 * connection; db_lock serialises every use of it, so handlers running on
 * several server threads at once stay consistent.  Concurrency as the
 * client sees it (the 429 governance) is counted in the HTTP hooks, not
 * here.
 */

#define NSSIM_CERTS       2
#define NSSIM_DATE_FORMAT "M/D/YYYY" /* the seeded account's date preference */

struct nssim_cert {
	char kid[64];        /* certificate id from the M2M mapping */
	char alg_family[4];  /* "RSA" or "EC" */
	char key_path[4096]; /* private key PEM under the data dir */
	EVP_PKEY *key;       /* key pair; the simulator verifies with its public half */
};

struct nssim_push_item;

struct nssim_config {
	const char *data_dir; /* where netsuite.db and the keys live */
	uint64_t seed;
	int scale;
	int token_ttl;        /* seconds */
	const char *push_url; /* NULL: no pushes */
	const char *push_secret;
};

struct nssim {
	struct mlc_sandbox *sb; /* NULL in unit tests: wall clock, no faults */
	struct sbx_sim *sim;    /* the sandbox's NetSuite controls, or NULL */
	struct nssim_config cfg;
	char *data_dir;
	char *push_url, *push_secret;
	sqlite3 *db;
	pthread_mutex_t db_lock;
	char account_id[32]; /* "1234567_SB1" */
	char client_id[80];
	struct nssim_cert certs[NSSIM_CERTS];
	int64_t clock_offset_ms; /* used only without a sandbox */

	/* Event pushes: one worker thread drains a queue. */
	pthread_t push_thread;
	bool push_running, push_stop;
	pthread_mutex_t push_lock;
	pthread_cond_t push_cond;
	struct nssim_push_item *push_head, *push_tail;
	int64_t pushes_sent, pushes_dropped, pushes_failed;
};

/* Creates the simulator's state without any HTTP: opens (and seeds, when
 * new) DATA/netsuite.db, loads or generates the certificates.  Caller
 * frees with nssim_free(). */
int nssim_core_new(const struct nssim_config *cfg, struct mlc_sandbox *sb, struct nssim **out,
		   struct mlc_error *err) MLC_MUST_CHECK;
/* The sandbox clock in ms (time travel included). */
int64_t nssim_now_ms(struct nssim *ns);

/* ---- nssim_db.c ---- */

/* Column declared types: they drive SuiteQL value formatting. */
/* NS_CENTS: an amount stored as INTEGER cents, rendered as a decimal. */
enum ns_coltype { NS_INT, NS_TEXT, NS_REAL, NS_BOOL, NS_DATE, NS_TS, NS_CENTS };

struct ns_column {
	const char *name;
	enum ns_coltype type;
	const char *ref; /* table that BUILTIN.DF resolves against, or NULL */
};

struct ns_table {
	const char *name;
	const struct ns_column *cols;
	size_t ncols;
	const char *df_col; /* display column for BUILTIN.DF on a reference to this table */
};

/*
 * The account's cost-code custom segment, one per process (set by
 * nsdb_segment_set() before any simulator starts; default NSDB_SEG_DEFAULT):
 * its script id is the line field and SuiteQL column, nsdb_seg_table the
 * values' record type and table.  With the segment absent, neither is
 * visible through the API (an unknown table, column or field, as in an
 * account without it) and customsegment has no row.
 */
#define NSDB_SEG_DEFAULT "cseg_mlc_costcode"
/* NetSuite's longest script id; the values' table adds "customrecord_". */
#define NSDB_SEG_MAX       19
#define NSDB_SEG_TABLE_MAX (13 + NSDB_SEG_MAX + 1)
extern char nsdb_seg_field[NSDB_SEG_MAX + 1];
extern char nsdb_seg_table[NSDB_SEG_TABLE_MAX];
extern bool nsdb_seg_present;
/* id: a script id, or NULL for an account without it.  MLC_EINVAL for an
 * id NetSuite would refuse: "cseg" then at least one of a-z, 0-9 and '_',
 * at most NSDB_SEG_MAX characters (docs/reference/netsuite.md, "Custom
 * segment"). */
int nsdb_segment_set(const char *id, struct mlc_error *err) MLC_MUST_CHECK;
/*
 * The account's misfits (sandbox_misfits.h), one set per process like the
 * segment, set before any simulator starts (NULL: none).  They change
 * what SuiteQL sees, through the two lookups below, and whether the push
 * script is deployed (nsdb_push_script_deployed()).
 */
void nsdb_misfits_set(const struct sbx_misfits *m);
/* nsdb_table() as SuiteQL sees it: NULL for a table the role is denied. */
const struct ns_table *nsdb_suiteql_table(const char *name);
/* nsdb_column() as SuiteQL sees it: the segment's column is absent from
 * transactionline or budgets when the segment is not applied there. */
const struct ns_column *nsdb_suiteql_column(const struct ns_table *t, const char *name);
bool nsdb_push_script_deployed(void);

/* Every SuiteQL table, generated from nssim_schema.json into nssim_fields.c
 * (tools/gen_nssim_fields.py); use nsdb_table() / nsdb_tables(), which
 * hide the segment's table when the account has none. */
extern const struct ns_table nsdb_schema[];
extern const size_t nsdb_schema_n;
/* The SuiteQL-visible tables (NULL when unknown); name is case-insensitive. */
const struct ns_table *nsdb_table(const char *name);
const struct ns_table *nsdb_tables(size_t *n);
const struct ns_column *nsdb_column(const struct ns_table *t, const char *name);
int nsdb_create(sqlite3 *db, struct mlc_error *err) MLC_MUST_CHECK;
int nsdb_seed(struct nssim *ns, struct mlc_error *err) MLC_MUST_CHECK;
/* Timestamp text as stored: "2026-11-26 16:12:48". */
void nsdb_ts(int64_t ms, char out[32]);
/* Runs sql with no result; on failure fills err with the SQLite message. */
int nsdb_exec(sqlite3 *db, const char *sql, struct mlc_error *err) MLC_MUST_CHECK;
/* Best effort (savepoints, rollbacks): a failure is logged, not returned. */
void nsdb_run(sqlite3 *db, const char *sql);
/* Single integer result of a query with optional text parameter, or def. */
int64_t nsdb_int(sqlite3 *db, const char *sql, const char *param, int64_t def);

/* ---- nssim_jwt.c ---- */

/* Loads DATA/netsuite_{rsa,ec}_key.pem or generates them (RSA 3072,
 * EC P-256) with mode 0600. */
int nsjwt_load_keys(struct nssim *ns, struct mlc_error *err) MLC_MUST_CHECK;
void nsjwt_free_keys(struct nssim *ns);

/*
 * The token endpoint's decision for one form body.  On success fills
 * *token (caller frees) and returns 0.  On failure returns the HTTP status
 * (400/401) and sets *error to the OAuth error token ("invalid_request",
 * "invalid_client", "invalid_grant", "unsupported_grant_type") and
 * detail to a human reason (kept in logs, not sent: NetSuite only sends
 * the token).
 */
int nsjwt_token_request(struct nssim *ns, const char *form, const char *token_url, char **token,
			const char **error, char *detail, size_t detail_n);
/* Checks a bearer token: 0 if valid now, -1 otherwise. */
int nsjwt_bearer_ok(struct nssim *ns, const char *authorization);
/* base64url helpers (no padding). */
char *nsjwt_b64url_encode(const unsigned char *data, size_t n);
unsigned char *nsjwt_b64url_decode(const char *s, size_t len, size_t *out_n);

/* ---- errors in NetSuite's shape ---- */

/*
 * {"type","title","status","o:errorDetails":[{"detail","o:errorCode",
 * "o:errorPath"?}]}.  path may be NULL.
 */
json_t *nserr_body(int status, const char *code, const char *path, const char *fmt, ...)
    MLC_PRINTF(4, 5);

/*
 * The outcome of a record or query operation, independent of HTTP: status
 * (200, 204, 400, 404), body (owned; NULL for 204) and, for creates, the
 * new record's Location path.
 */
struct ns_result {
	int status;
	json_t *body;
	char location[256];
};

void ns_result_release(struct ns_result *r);
void ns_result_error(struct ns_result *r, int status, const char *code, const char *path,
		     const char *fmt, ...) MLC_PRINTF(5, 6);

/* ---- nssim_suiteql.c ---- */

/*
 * Translates SuiteQL into SQLite SQL after validating it: one SELECT, known
 * tables and columns only, a fixed set of functions.  On failure returns
 * MLC_EINVAL with err naming the problem the way NetSuite does ("Unknown
 * identifier 'x'").  *out is malloc'd.
 */
int suiteql_translate(const char *q, char **out, struct mlc_error *err) MLC_MUST_CHECK;
/* Registers TO_DATE/TO_TIMESTAMP/TO_CHAR/BUILTIN.DF helpers on db. */
int suiteql_register(sqlite3 *db) MLC_MUST_CHECK;
/* Runs a query with NetSuite's paging rules and value formats.  base is
 * "http://host" for links. */
void suiteql_run(struct nssim *ns, const char *q, const char *limit, const char *offset,
		 const char *base, struct ns_result *r);
/* Formats stored date text ("2026-11-26 ...") in the account's format. */
void suiteql_format_date(const char *stored, char *out, size_t n);

/* ---- nssim_fields.c ---- */

struct ns_fielddef {
	const char *name;
	const char *type; /* docs/reference/netsuite/records.json type string */
};

/* Field definitions of a docs/reference/netsuite/records.json definition ("vendor",
 * "purchaseOrder-itemElement"), or NULL. */
const struct ns_fielddef *nsfields_get(const char *definition, const char *field);
bool nsfields_known_definition(const char *definition);

/* ---- nssim_record.c / nssim_txn.c ---- */

/* REST record types served, with their SQL table. */
bool nsrec_known_type(const char *type);
void nsrec_get(struct nssim *ns, const char *type, const char *id, bool expand, const char *base,
	       struct ns_result *r);
void nsrec_list(struct nssim *ns, const char *type, const char *q, const char *limit,
		const char *offset, const char *base, struct ns_result *r);
/* Create (id NULL), update (PATCH: id), or upsert (id "eid:X"). replace
 * names sublists to replace ("line", "item,expense"), or NULL. */
struct ns_actor;
void nsrec_write(struct nssim *ns, const char *type, const char *id, bool is_put,
		 const json_t *body, const char *replace, struct ns_result *r);
/* The same, made by actor (nsrec_write is a person in the UI). */
void nsrec_write_as(struct nssim *ns, const struct ns_actor *actor, const char *type,
		    const char *id, bool is_put, const json_t *body, const char *replace,
		    struct ns_result *r);

/* Internals shared by nssim_record.c and nssim_txn.c. */
/*
 * Who makes a change, as a User Event script sees it (runtime.getCurrentUser
 * and runtime.executionContext): REST calls run as the integration's user
 * (the entity the M2M certificate maps to), /_sandbox/ edits stand for a
 * person in the UI.  Pushes carry both, so a receiver can tell its own
 * writes from other people's.
 */
#define NSSIM_INTEGRATION_USER 7
#define NSSIM_UI_USER          3
struct ns_actor {
	int64_t user;
	const char *context; /* "RESTWEBSERVICES", "USERINTERFACE" */
};
extern const struct ns_actor nssim_actor_rest, nssim_actor_ui;

struct ns_write_ctx {
	struct nssim *ns;
	const struct ns_actor *actor;
	const char *type;
	int64_t id; /* 0 while creating */
	bool creating;
	int64_t created_from; /* purchase order a bill is transformed from, or 0 */
	char now[32];
	struct ns_result *r;
};

/* Resolves a reference object ({"id":..} or {"externalId":..}) against a
 * table.  Returns the id, or 0 after filling r with a 400 naming path. */
int64_t nsrec_ref(struct ns_write_ctx *w, const char *table, const json_t *v, const char *path);
bool nstxn_is_transaction(const char *type);
/* budgetImport (nssim_budget.c): creates or replaces the budget line with
 * the body's criteria; w->id gets its budgets.id.  Call under db_lock. */
void nsbudget_import(struct ns_write_ctx *w, const json_t *body);
/* One budget line as a budgetImport record, or NULL.  Call under db_lock. */
json_t *nsbudget_get(struct nssim *ns, int64_t id, const char *base);
void nstxn_write(struct ns_write_ctx *w, const json_t *body, const char *replace);
json_t *nstxn_get(struct nssim *ns, const char *type, int64_t id, bool expand, const char *base);
/* Merges a PATCH/PUT body over a rendered record: body fields replace,
 * sublist lines with a matching "line" are updated, others appended;
 * sublists named in replace are replaced whole. */
void nstxn_merge(json_t *existing, const json_t *body, const char *replace);
/* A vendorBill body built from a purchase order (lines copied), with
 * body's header fields laid over it; NULL with r filled on failure. */
json_t *nstxn_transform_bill(struct nssim *ns, int64_t po_id, const json_t *body,
			     struct ns_result *r);
json_t *nsrec_refjson(struct nssim *ns, const char *base, const char *type, const char *table,
		      int64_t id);

/* ---- pushes (nssim.c) ---- */

/* Queues an event push for a record change (when --push-url is set). */
void nssim_push(struct nssim *ns, const char *record_type, int64_t id, const char *lastmod,
		const struct ns_actor *actor);
/* Starts / stops (joins) the push worker; stop drops what is still queued. */
void nssim_push_start(struct nssim *ns);
void nssim_push_stop(struct nssim *ns);

/* ---- asynchronous writes (nssim_async.c) ---- */

int nsasync_create_table(sqlite3 *db, struct mlc_error *err) MLC_MUST_CHECK;
/* True (r filled with 400 IDEMPOTENCY_ERROR) when key was used before. */
bool nsasync_key_used(struct nssim *ns, const char *key, struct ns_result *r);
/* Stores a finished write as a job; returns the job id (0 on failure). */
int64_t nsasync_record(struct nssim *ns, const char *key, const struct ns_result *done);
/* The job (result false) or the write's own response (result true; its
 * Location path goes to location). */
void nsasync_get(struct nssim *ns, const char *job, const char *task, bool result, const char *base,
		 struct ns_result *r, char *location, size_t location_n);

/* ---- admin (nssim_admin.c) ---- */

int nssim_admin_routes(struct nssim *ns, struct mlc_http_server *http,
		       struct mlc_error *err) MLC_MUST_CHECK;

#endif
