#ifndef MLC_PCSIM_H
#define MLC_PCSIM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "net/http_server.h"
#include "sandbox/sandbox.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Internals of the Procore simulator (pcsim_*.c), not a public API.
 *
 * Files: pcsim.c (lifecycle, the gate: token -> rate limits -> pc:throttle
 * -> Procore-Company-Id), pcsim_auth.c (OAuth client credentials, rate
 * limiter), pcsim_store.c (tables, paging, filters, field rules, state
 * file), pcsim_records.c (record constructors in the schemas' shapes),
 * pcsim_serial.c (line items, totals, list/show/v1.1 views), pcsim_seed.c,
 * pcsim_sync.c (the sync action), pcsim_directory.c (projects, vendors,
 * cost codes, line item types), pcsim_contracts.c (PO/WO contracts,
 * commitments, requisitions), pcsim_costs.c (direct costs, payment
 * applications), pcsim_budget.c, pcsim_budget_changes*.c (budget
 * changes, locked budgets, budget modifications), pcsim_webhooks.c (events, delivery
 * thread), pcsim_webhooks_api.c, pcsim_admin.c (/_sandbox/ routes),
 * pcsim_params.c (each route's required parameters, the request log).
 *
 * Simulator assumptions where the reference is silent: the rate limits
 * count per app (client_id), fixed windows aligned on the epoch; the
 * commitments index maps PO statuses onto its WO status enum; webhook
 * retries pause one hook (not one URL); a failed attempt is recorded as
 * "failed", later failures as "retried"; trigger event types are stored
 * upper case (schema enum) while events say "create"/"update"/"delete".
 *
 * State lives in memory as jansson objects, one table per resource kind,
 * guarded by one mutex (pcsim.lock).  A record is stored in the shape of
 * Procore's "show" response plus hidden keys starting with '_' (scope:
 * "_company_id", "_project_id", "_holder_id", ...).  pc_public() strips
 * the hidden keys; per-kind serialisers (pc_ser) derive list views.
 * A snapshot of the state is written to SQLite, DATA/procore.db, on
 * demand (POST /_sandbox/state/save) and on pcsim_free(), and read back
 * by pcsim_new() when present, so a restart with the same --data keeps it
 * (pcsim_state.c).
 *
 * Every function here except pcsim_new/pcsim_free and the webhook thread
 * expects pcsim.lock to be held by the caller.
 */

enum pc_kind {
	PC_COMPANY,
	PC_PROJECT,
	PC_VENDOR,
	PC_COST_CODE,
	PC_LIT,    /* line item types (cost types) */
	PC_WBS,    /* cost code x line item type combinations */
	PC_PO,     /* purchase order contracts */
	PC_WO,     /* work order contracts */
	PC_CLI,    /* commitment (contract) line items */
	PC_REQ,    /* requisitions */
	PC_DC,     /* direct costs */
	PC_DCLI,   /* direct cost line items */
	PC_PAYAPP, /* owner payment applications */
	PC_BVIEW,  /* budget views (company level) */
	PC_BLI,    /* budget line items */
	PC_HOOK,
	PC_TRIGGER,
	PC_DELIVERY,
	PC_SCCL,    /* standard cost code lists (company level) */
	PC_SCC,     /* standard cost codes */
	PC_PRIME,   /* prime contracts (pcsim_prime.c) */
	PC_PRIMELI, /* prime contract line items */
	PC_PALI,    /* payment application (owner invoice) line items */
	PC_CPAY,    /* contract payments */
	PC_CCO,     /* commitment change orders (pcsim_change_orders.c) */
	PC_CCOLI,   /* their line items (v2.0) */
	PC_BPERIOD, /* billing periods (pcsim_requisitions.c) */
	PC_REQITEM, /* requisition items */
	PC_BCHANGE, /* budget changes (pcsim_budget_changes.c) */
	PC_BADJ,    /* budget change adjustment line items */
	PC_BMOD,    /* budget modifications (before the migration) */
	PC_KIND_COUNT
};

/* A table: rows in creation order and an index by id.  Both hold a
 * reference to each record. */
struct pc_table {
	json_t *rows;
	json_t *by_id;
	json_t *by_holder; /* line items only: {"<holder id>": [lines]} */
};

/* Rate limiter: two fixed windows (hourly and spike), per client_id. */
struct pc_rate {
	int hour_limit, hour_window_s;
	int spike_limit, spike_window_s;
	int64_t hour_start, spike_start; /* window starts, unix s */
	int hour_used, spike_used;
};

struct pc_webhooks; /* pcsim_webhooks.c */

struct pcsim {
	struct mlc_sandbox *sb;
	struct sbx_sim *sim;
	struct sbx_clock *clock; /* &sb->clock */
	pthread_mutex_t lock;
	struct pc_table t[PC_KIND_COUNT];
	int64_t next_id[PC_KIND_COUNT];
	uint64_t rng;
	int64_t company_id, other_company_id;
	int64_t service_user_id;               /* the DMSA's user */
	int64_t field_user_id;                 /* the admin API's "field user" */
	char client_id[48], client_secret[64]; /* client_id: source_application_id of API writes */
	int token_ttl;
	json_t *tokens; /* {"token": expires_ms} */
	struct pc_rate rate;
	struct pc_webhooks *wh;
	char *state_path;
	void **route_args; /* per-route handler closures, freed with pc */
	size_t nroute_args;
	/* The request log (pcsim_params.c): entries, their accounted sizes,
	 * the sum of those and how many old entries were dropped. */
	json_t *reqlog, *reqlog_sizes;
	/* "METHOD pattern" of every API route (not /_sandbox/), as registered */
	json_t *api_routes;
	size_t reqlog_bytes;
	int64_t reqlog_dropped;
};

/* Request context handed to each API handler (after the gate passed). */
struct pc_ctx {
	struct pcsim *pc;
	struct mlc_http_request *req;
	struct mlc_http_response *resp;
	int64_t company_id; /* from Procore-Company-Id */
	json_t *body;       /* parsed body or NULL */
	bool via_api;       /* false for /_sandbox/ admin calls */
};

typedef void (*pc_handler)(struct pc_ctx *c);

/* ---- pcsim_store.c ---- */
void pc_tables_init(struct pcsim *pc);
void pc_tables_release(struct pcsim *pc);
/* The table's name in state dumps ("direct_costs", ...). */
const char *pc_kind_name(enum pc_kind k);
/* ---- pcsim_state.c ---- */
/* Writes every table, hidden keys included, and the id counters to
 * DATA/procore.db.  0 or MLC_EIO. */
int pc_state_save(struct pcsim *pc) MLC_MUST_CHECK;
/* Loads DATA/procore.db into empty tables (a restart keeps the state);
 * false (tables left empty) when there is no complete snapshot. */
bool pc_state_load(struct pcsim *pc);
/* Allocates the next id of a kind. */
int64_t pc_next_id(struct pcsim *pc, enum pc_kind k);
/* Inserts rec (takes the reference) under its "id". Returns rec (borrowed). */
json_t *pc_insert(struct pcsim *pc, enum pc_kind k, json_t *rec);
/* The line items of a holder in creation order (borrowed; may be NULL
 * when there are none). */
json_t *pc_lines(struct pcsim *pc, enum pc_kind k, int64_t holder_id);
/* Record by id or NULL (borrowed). */
json_t *pc_get(struct pcsim *pc, enum pc_kind k, int64_t id);
void pc_delete(struct pcsim *pc, enum pc_kind k, int64_t id);
/* Record with this origin_id in the company (any project), or NULL. */
json_t *pc_find_origin(struct pcsim *pc, enum pc_kind k, int64_t company_id, const char *origin_id);
/* Integer field (0 if missing). */
int64_t pc_int(const json_t *rec, const char *key);
const char *pc_str(const json_t *rec, const char *key);
/* Copy without the hidden '_' keys (new reference). */
json_t *pc_public(const json_t *rec);
/* "2026-11-26T16:12:48Z" for the sandbox clock. */
json_t *pc_now_json(struct pcsim *pc);
void pc_now_text(struct pcsim *pc, char *out, size_t n);
json_t *pc_money(int64_t cents);     /* "1234.50" */
json_t *pc_money_num(int64_t cents); /* 1234.5 as a JSON number */
/* Cents from a JSON amount (string or number); -1 when invalid. */
int pc_cents(const json_t *v, int64_t *out);
/* Deterministic draw in [lo, hi] from the simulator's own generator. */
int64_t pc_rand(struct pcsim *pc, int64_t lo, int64_t hi);

/* Paging: answers 200 with the page of items and the Total, Per-Page and
 * Link headers.  Takes ownership of items (an array). */
void pc_reply_page(struct pc_ctx *c, json_t *items);
void pc_reply(struct pc_ctx *c, int status, json_t *body);
/* {"errors": "msg"} */
void pc_reply_errors(struct pc_ctx *c, int status, const char *msg);
/* {"errors": {field: [msg]}} */
void pc_reply_field_error(struct pc_ctx *c, int status, const char *field, const char *msg);
/* Integer query or path parameter; false if absent or not an id. */
bool pc_param_id(struct pc_ctx *c, const char *name, int64_t *out);
/* project_id from path, query or body; answers 400/404 itself when
 * missing or invisible and returns NULL. */
json_t *pc_need_project(struct pc_ctx *c);
/* True when filters[updated_at] (range "a...b" or a single time, meaning
 * "since") admits rec. */
bool pc_updated_filter_ok(struct pc_ctx *c, const json_t *rec);
/* True when filters[origin_id] (if given) equals rec's origin_id. */
bool pc_origin_filter_ok(struct pc_ctx *c, const json_t *rec);
bool pc_id_filter_ok(struct pc_ctx *c, const json_t *rec);

/*
 * Field rules for create/update bodies: type 's' string, 'i' integer id,
 * 'b' boolean, 'n' number (stored as a money string), 'N' number (stored
 * as a JSON number), 'd' date "YYYY-MM-DD", 'e' enum (values "a|b|c").
 * Unknown fields are ignored, as Procore ignores them.
 */
struct pc_field {
	const char *name;
	char type;
	const char *values;
};
/* Validates every present field of in, then (if all are valid) copies
 * them into rec.  Returns false with errs filled otherwise. */
bool pc_apply_fields(json_t *rec, const json_t *in, const struct pc_field *fields, json_t *errs);
/* Adds "can't be blank" for each required name missing or empty in in. */
void pc_require(const json_t *in, const char *const *names, json_t *errs);
/* A company_id in the body, if any, must be the header's company. */
bool pc_body_company_ok(struct pc_ctx *c);

/* ---- pcsim_serial.c: serialisers by kind ---- */
enum pc_view { PC_VIEW_SHOW, PC_VIEW_LIST, PC_VIEW_V11 };
json_t *pc_ser(struct pcsim *pc, enum pc_kind k, const json_t *rec, enum pc_view v);
/* Builders used by the seed, the API and the admin routes. */
json_t *pc_line_item_new(struct pcsim *pc, enum pc_kind k, const json_t *project, int64_t holder_id,
			 const char *holder_type);
/* Applies {amount, cost_code_id, line_item_type_id, wbs_code_id, quantity,
 * unit_cost, uom, description, origin_id, origin_data} to a line item.
 * Fills errors (object field -> [msg]) and returns false on bad input. */
bool pc_line_item_apply(struct pcsim *pc, json_t *li, const json_t *in, json_t *errors,
			bool create);
/* Recomputes grand_total / line_items_count of a holder. */
void pc_holder_recompute(struct pcsim *pc, enum pc_kind holder_kind, json_t *holder);
void pc_add_error(json_t *errors, const char *field, const char *msg);

/* ---- pcsim_seed.c ---- */
void pc_seed(struct pcsim *pc, uint64_t seed, int scale);
/* pcsim_prime.c: the project's prime contract with line items by cost code
 * (id the project's _prime_contract_id), and line items for each payment
 * application the seed made, the header recomputed from them. */
void pc_seed_prime(struct pcsim *pc, const json_t *project, int64_t contract_cents);
/* Spreads amount_cents (work billed this period) of payment application pa
 * over its prime contract's lines, 5% retained, and recomputes the header. */
void pc_payapp_spread(struct pcsim *pc, json_t *pa, int64_t amount_cents);
/* The contract items of a payment application (new reference). */
json_t *pc_payapp_lines_json(struct pcsim *pc, const json_t *pa);

/* ---- pcsim_sync.c ---- */
struct pc_sync_spec {
	enum pc_kind kind;
	const char *list_key; /* "updates" or "budget_line_items" */
	/* Creates a new record from in (NULL and errors filled on failure). */
	json_t *(*create)(struct pc_ctx *c, const json_t *scope, const json_t *in, json_t *errors);
	/* Applies in to rec; returns false (errors filled) on failure. */
	bool (*update)(struct pc_ctx *c, json_t *rec, const json_t *in, json_t *errors);
	/* Whether rec belongs to the scope (project, contract, company). */
	bool (*in_scope)(const json_t *rec, const json_t *scope, int64_t company_id);
	enum pc_view view;
	const char *webhook_resource;
};
/* Runs a sync call: checks the size limit, matches each input by id /
 * origin_id, and answers 200 {"entities":[...],"errors":[...]}. */
void pc_sync_run(struct pc_ctx *c, const struct pc_sync_spec *spec, const json_t *scope,
		 const json_t *updates);

/* ---- pcsim_directory.c, pcsim_contracts.c, pcsim_costs.c, pcsim_webhooks.c, pcsim_admin.c ---- */
int pc_routes_directory(struct pcsim *pc, struct mlc_http_server *http,
			struct mlc_error *err) MLC_MUST_CHECK;
int pc_routes_contracts(struct pcsim *pc, struct mlc_http_server *http,
			struct mlc_error *err) MLC_MUST_CHECK;
/* Requisitions, their items, billing periods (pcsim_requisitions.c). */
int pc_routes_requisitions(struct pcsim *pc, struct mlc_http_server *http,
			   struct mlc_error *err) MLC_MUST_CHECK;
json_t *pc_billing_period_new(struct pcsim *pc, const json_t *project, const char *start,
			      const char *end, const char *due, const char *status);
void pc_seed_billing_periods(struct pcsim *pc);
int pc_routes_costs(struct pcsim *pc, struct mlc_http_server *http,
		    struct mlc_error *err) MLC_MUST_CHECK;
int pc_routes_standard(struct pcsim *pc, struct mlc_http_server *http,
		       struct mlc_error *err) MLC_MUST_CHECK;
/* A standard cost code in a list (parent NULL for a division). */
json_t *pc_scc_new(struct pcsim *pc, const json_t *list, const json_t *parent, const char *code,
		   const char *name);
/* Commitment change orders and the commitment locks (pcsim_change_orders.c). */
int pc_routes_change_orders(struct pcsim *pc, struct mlc_http_server *http,
			    struct mlc_error *err) MLC_MUST_CHECK;
/* Whether the schedule of values and the contract company of a PO/WO
 * contract are locked (status, and the company's "Restrict non-draft
 * edits" setting). */
bool pc_commitment_locked(struct pcsim *pc, const json_t *contract);
int pc_routes_budget(struct pcsim *pc, struct mlc_http_server *http,
		     struct mlc_error *err) MLC_MUST_CHECK;
int pc_routes_webhooks(struct pcsim *pc, struct mlc_http_server *http,
		       struct mlc_error *err) MLC_MUST_CHECK;
int pc_routes_prime(struct pcsim *pc, struct mlc_http_server *http,
		    struct mlc_error *err) MLC_MUST_CHECK;
int pc_routes_admin(struct pcsim *pc, struct mlc_http_server *http,
		    struct mlc_error *err) MLC_MUST_CHECK;
/* A table of routes for pc_routes_add(). */
struct pc_route_def {
	const char *method, *pattern;
	pc_handler fn;
};
/* Registers n routes, behind the gate (admin false) or as admin routes. */
int pc_routes_add(struct pcsim *pc, struct mlc_http_server *http, const struct pc_route_def *defs,
		  size_t n, bool admin, struct mlc_error *err) MLC_MUST_CHECK;
/* The wrapper object of a write body ("item", "vendor", ...); answers 400
 * "param is missing or the value is empty: NAME" and returns NULL when
 * absent. */
json_t *pc_wrapper(struct pc_ctx *c, const char *name);
/* 422 {"errors": errs}; takes ownership of errs. */
void pc_reply_422(struct pc_ctx *c, json_t *errs);
/* Registers an API route behind the gate (auth, company, rate limit). */
int pc_route(struct pcsim *pc, struct mlc_http_server *http, const char *method,
	     const char *pattern, pc_handler fn, struct mlc_error *err) MLC_MUST_CHECK;
/* Registers an admin route (no auth, no rate limit, via_api = false). */
int pc_route_admin(struct pcsim *pc, struct mlc_http_server *http, const char *method,
		   const char *pattern, pc_handler fn, struct mlc_error *err) MLC_MUST_CHECK;

/* Direct cost edits shared by the API and the admin routes (pcsim_costs.c). */
json_t *pc_dc_create(struct pc_ctx *c, const json_t *project, const json_t *in, json_t *errors);
bool pc_dc_update(struct pc_ctx *c, json_t *dc, const json_t *in, json_t *errors);

/* ---- pcsim_params.c ---- */
/*
 * What a simulated API route requires, from its endpoint file in
 * docs/reference/procore/endpoints/: query and body are space-separated
 * names ("" for none); a query word "a|b" is satisfied by either name.
 */
struct pc_param_rule {
	const char *method, *pattern;
	const char *query; /* required query parameters */
	const char *body;  /* required top-level members of the JSON body */
};
/* Every rule (static storage); *n gets their number. */
const struct pc_param_rule *pc_param_rules(size_t *n);
/* The rule of a route as registered ("GET", "/rest/v1.0/vendors"), or NULL. */
const struct pc_param_rule *pc_param_rule_find(const char *method, const char *pattern);
/* True when the request has what r requires (r NULL: nothing); otherwise
 * answers 400 {"errors": "param is missing or the value is empty: NAME"}. */
bool pc_params_check(struct pc_ctx *c, const struct pc_param_rule *r);
/* Appends the request of c (after its handler ran) to the request log. */
void pc_reqlog_add(struct pcsim *pc, const struct pc_ctx *c);
/* GET and DELETE /_sandbox/requests. */
int pc_routes_reqlog(struct pcsim *pc, struct mlc_http_server *http,
		     struct mlc_error *err) MLC_MUST_CHECK;

/* ---- pcsim_auth.c ---- */
int pc_rate_parse(const char *spec, struct pc_rate *r, struct mlc_error *err) MLC_MUST_CHECK;
/* Counts one call; returns true when allowed.  Fills the X-Rate-Limit-*
 * values of the closer limit. */
bool pc_rate_take(struct pc_rate *r, int64_t now_s, int64_t *limit, int64_t *remaining,
		  int64_t *reset);
void pc_handle_token(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg);
/* The state of the request's bearer token on the sandbox clock. */
enum { PC_TOKEN_OK, PC_TOKEN_MISSING, PC_TOKEN_INVALID, PC_TOKEN_EXPIRED };
int pc_token_check(struct pcsim *pc, const struct mlc_http_request *req);

/* ---- pcsim_webhooks.c ---- */
int pc_webhooks_start(struct pcsim *pc, struct mlc_error *err) MLC_MUST_CHECK;
void pc_webhooks_stop(struct pcsim *pc);
/* Events waiting for delivery (or a retry). */
size_t pc_webhooks_pending(struct pcsim *pc);
/* Queues the event for every matching hook and trigger.  event_type is
 * "create", "update" or "delete"; project_id 0 for company resources. */
void pc_emit(struct pc_ctx *c, const char *resource_name, const char *event_type,
	     int64_t resource_id, int64_t project_id);

#endif
