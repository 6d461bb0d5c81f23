/* Procore simulator: tables, ids, JSON helpers, paging and filters. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sandbox/contractor.h"
#include "sandbox/pcsim.h"
#include "util/buf.h"
#include "util/money.h"
#include "util/num.h"
#include "util/time.h"
#include "util/banned.h"

/*
 * Id bases per kind.  Procore ids are 64-bit; direct cost line items,
 * deliveries and webhook events start above 2^53 so that a client which
 * parses ids through a double gets them wrong (reference: "IDs can exceed
 * 2^32 and even 2^53").
 */
static const int64_t id_base[PC_KIND_COUNT] = {
    [PC_COMPANY] = 4264807, [PC_PROJECT] = 598134325870,
    [PC_VENDOR] = 28541201, [PC_COST_CODE] = 411520081,
    [PC_LIT] = 318004,      [PC_WBS] = 77010001,
    [PC_PO] = 5531001,      [PC_WO] = 5731001,
    [PC_CLI] = 91003001,    [PC_REQ] = 3320001,
    [PC_DC] = 4460001,      [PC_DCLI] = 9007199254740993LL, /* 2^53 + 1 */
    [PC_PAYAPP] = 1820001,  [PC_BVIEW] = 220101,
    [PC_BLI] = 68810001,    [PC_HOOK] = 702001,
    [PC_TRIGGER] = 9102001, [PC_DELIVERY] = 9007199254760001LL,
    [PC_SCCL] = 88120001,   [PC_SCC] = 88131001,
    [PC_PRIME] = 77900001,  [PC_PRIMELI] = 78100001,
    [PC_PALI] = 1830001,    [PC_CPAY] = 1840001,
    [PC_CCO] = 6640001,     [PC_CCOLI] = 93007001,
    [PC_BPERIOD] = 6120001, [PC_REQITEM] = 33400001,
    [PC_BCHANGE] = 563001,  [PC_BADJ] = 1480001,
    [PC_BMOD] = 7710001,
};

static const char *const kind_names[PC_KIND_COUNT] = {
    "companies",
    "projects",
    "vendors",
    "cost_codes",
    "line_item_types",
    "wbs_codes",
    "purchase_order_contracts",
    "work_order_contracts",
    "commitment_line_items",
    "requisitions",
    "direct_costs",
    "direct_cost_line_items",
    "payment_applications",
    "budget_views",
    "budget_line_items",
    "webhook_hooks",
    "webhook_triggers",
    "webhook_deliveries",
    "standard_cost_code_lists",
    "standard_cost_codes",
    "prime_contracts",
    "prime_contract_line_items",
    "payment_application_line_items",
    "contract_payments",
    "commitment_change_orders",
    "commitment_change_order_line_items",
    "billing_periods",
    "requisition_items",
    "budget_changes",
    "budget_change_adjustments",
    "budget_modifications",
};

const char *pc_kind_name(enum pc_kind k)
{
	return kind_names[k];
}

void pc_tables_init(struct pcsim *pc)
{
	for (int k = 0; k < PC_KIND_COUNT; k++) {
		pc->t[k].rows = json_array();
		pc->t[k].by_id = json_object();
		pc->t[k].by_holder = json_object();
		pc->next_id[k] = id_base[k];
	}
}

void pc_tables_release(struct pcsim *pc)
{
	for (int k = 0; k < PC_KIND_COUNT; k++) {
		json_decref(pc->t[k].rows);
		json_decref(pc->t[k].by_id);
		json_decref(pc->t[k].by_holder);
		pc->t[k].rows = pc->t[k].by_id = pc->t[k].by_holder = NULL;
	}
}

int64_t pc_next_id(struct pcsim *pc, enum pc_kind k)
{
	/* Gaps between ids, as real ids are never dense. */
	int64_t id = pc->next_id[k];
	pc->next_id[k] += 1 + (int64_t)(contractor_rand(&pc->rng) % 7);
	return id;
}

json_t *pc_insert(struct pcsim *pc, enum pc_kind k, json_t *rec)
{
	char key[32];
	snprintf(key, sizeof(key), "%" PRId64, pc_int(rec, "id"));
	json_object_set(pc->t[k].by_id, key, rec);
	if (json_object_get(rec, "_holder_id")) {
		json_t *list;
		snprintf(key, sizeof(key), "%" PRId64, pc_int(rec, "_holder_id"));
		list = json_object_get(pc->t[k].by_holder, key);
		if (!list) {
			list = json_array();
			json_object_set_new(pc->t[k].by_holder, key, list);
		}
		json_array_append(list, rec);
	}
	json_array_append_new(pc->t[k].rows, rec);
	return rec;
}

json_t *pc_lines(struct pcsim *pc, enum pc_kind k, int64_t holder_id)
{
	char key[32];
	snprintf(key, sizeof(key), "%" PRId64, holder_id);
	return json_object_get(pc->t[k].by_holder, key);
}

json_t *pc_get(struct pcsim *pc, enum pc_kind k, int64_t id)
{
	char key[32];
	snprintf(key, sizeof(key), "%" PRId64, id);
	return json_object_get(pc->t[k].by_id, key);
}

void pc_delete(struct pcsim *pc, enum pc_kind k, int64_t id)
{
	char key[32];
	size_t i;
	json_t *rec;

	snprintf(key, sizeof(key), "%" PRId64, id);
	rec = json_object_get(pc->t[k].by_id, key);
	if (rec && json_object_get(rec, "_holder_id")) {
		char hkey[32];
		json_t *list, *li;
		size_t j;
		snprintf(hkey, sizeof(hkey), "%" PRId64, pc_int(rec, "_holder_id"));
		list = json_object_get(pc->t[k].by_holder, hkey);
		json_array_foreach (list, j, li) {
			if (li == rec) {
				json_array_remove(list, j);
				break;
			}
		}
	}
	json_object_del(pc->t[k].by_id, key);
	json_array_foreach (pc->t[k].rows, i, rec) {
		if (pc_int(rec, "id") == id) {
			json_array_remove(pc->t[k].rows, i);
			break;
		}
	}
}

json_t *pc_find_origin(struct pcsim *pc, enum pc_kind k, int64_t company_id, const char *origin_id)
{
	size_t i;
	json_t *rec;

	if (!origin_id || !*origin_id)
		return NULL;
	json_array_foreach (pc->t[k].rows, i, rec) {
		const char *o = pc_str(rec, "origin_id");
		/* a deleted record (deleted_at set) no longer holds its origin id */
		if (o && strcmp(o, origin_id) == 0 && pc_int(rec, "_company_id") == company_id &&
		    !json_is_string(json_object_get(rec, "deleted_at")))
			return rec;
	}
	return NULL;
}

int64_t pc_int(const json_t *rec, const char *key)
{
	json_t *v = json_object_get(rec, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

const char *pc_str(const json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

json_t *pc_public(const json_t *rec)
{
	json_t *out = json_object();
	const char *key;
	json_t *v;

	json_object_foreach ((json_t *)rec, key, v) {
		if (key[0] != '_')
			json_object_set(out, key, v);
	}
	return out;
}

void pc_now_text(struct pcsim *pc, char *out, size_t n)
{
	char t[MLC_TIME_FMT_MAX];
	/* Procore timestamps have whole seconds. */
	int64_t ms = sbx_clock_now(pc->clock);
	time_format_rfc3339(ms - ms % 1000, t);
	snprintf(out, n, "%s", t);
}

json_t *pc_now_json(struct pcsim *pc)
{
	char t[MLC_TIME_FMT_MAX];
	pc_now_text(pc, t, sizeof(t));
	return json_string(t);
}

json_t *pc_money(int64_t cents)
{
	char s[MONEY_FMT_MAX];
	money_format(cents, s);
	return json_string(s);
}

json_t *pc_money_num(int64_t cents)
{
	if (cents % 100 == 0)
		return json_integer(cents / 100);
	return json_real((double)cents / 100.0);
}

int pc_cents(const json_t *v, int64_t *out)
{
	struct mlc_error err;
	return money_from_json(v, out, &err);
}

int64_t pc_rand(struct pcsim *pc, int64_t lo, int64_t hi)
{
	return contractor_rand_range(&pc->rng, lo, hi);
}

void pc_reply(struct pc_ctx *c, int status, json_t *body)
{
	http_response_json(c->resp, status, body);
}

void pc_reply_errors(struct pc_ctx *c, int status, const char *msg)
{
	pc_reply(c, status, json_pack("{s:s}", "errors", msg));
}

void pc_add_error(json_t *errors, const char *field, const char *msg)
{
	json_t *list = json_object_get(errors, field);
	if (!list) {
		list = json_array();
		json_object_set_new(errors, field, list);
	}
	json_array_append_new(list, json_string(msg));
}

void pc_reply_field_error(struct pc_ctx *c, int status, const char *field, const char *msg)
{
	json_t *errors = json_object();
	pc_add_error(errors, field, msg);
	pc_reply(c, status, json_pack("{s:o}", "errors", errors));
}

bool pc_param_id(struct pc_ctx *c, const char *name, int64_t *out)
{
	const char *s = http_request_param(c->req, name);
	json_t *v;
	struct mlc_error err;

	if (!s)
		s = http_request_query(c->req, name);
	if (s)
		return num_parse_id(s, out, &err) == 0;
	v = json_object_get(c->body, name);
	if (json_is_integer(v) && json_integer_value(v) > 0) {
		*out = json_integer_value(v);
		return true;
	}
	if (json_is_string(v))
		return num_parse_id(json_string_value(v), out, &err) == 0;
	return false;
}

json_t *pc_need_project(struct pc_ctx *c)
{
	int64_t id;
	json_t *p;

	if (!pc_param_id(c, "project_id", &id)) {
		pc_reply_errors(c, 400, "param is missing or the value is empty: project_id");
		return NULL;
	}
	p = pc_get(c->pc, PC_PROJECT, id);
	if (!p || pc_int(p, "_company_id") != c->company_id) {
		/* Another company's project is invisible, exactly like a missing one. */
		pc_reply_errors(c, 404, "Project not found");
		return NULL;
	}
	return p;
}

static bool parse_time(const char *s, int64_t *ms)
{
	struct mlc_error err;
	return time_parse_rfc3339(s, ms, &err) == 0;
}

bool pc_updated_filter_ok(struct pc_ctx *c, const json_t *rec)
{
	const char *f = http_request_query(c->req, "filters[updated_at]");
	const char *dots;
	int64_t lo = INT64_MIN, hi = INT64_MAX, at;
	char a[64];

	if (!f || !*f)
		return true;
	if (!parse_time(pc_str(rec, "updated_at") ? pc_str(rec, "updated_at") : "", &at))
		return false;
	dots = strstr(f, "...");
	if (dots) {
		size_t n = (size_t)(dots - f);
		if (n >= sizeof(a))
			return false;
		memcpy(a, f, n);
		a[n] = '\0';
		if (n && !parse_time(a, &lo))
			return false;
		if (dots[3] && !parse_time(dots + 3, &hi))
			return false;
	} else if (!parse_time(f, &lo)) {
		return false;
	}
	return at >= lo && at <= hi;
}

bool pc_origin_filter_ok(struct pc_ctx *c, const json_t *rec)
{
	const char *f = http_request_query(c->req, "filters[origin_id]");
	const char *o;

	if (!f)
		return true;
	o = pc_str(rec, "origin_id");
	return o && strcmp(o, f) == 0;
}

bool pc_id_filter_ok(struct pc_ctx *c, const json_t *rec)
{
	const char *f = http_request_query(c->req, "filters[id]");
	int64_t id;
	struct mlc_error err;

	if (!f)
		f = http_request_query(c->req, "filters[id][]");
	if (!f)
		return true;
	return num_parse_id(f, &id, &err) == 0 && id == pc_int(rec, "id");
}

static void url_add_escaped(struct mlc_buf *b, const char *s, bool keep_slash)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '~' ||
		    (keep_slash && ch == '/'))
			buf_addch(b, (char)ch);
		else
			buf_addf(b, "%%%02X", ch);
	}
}

struct link_ctx {
	struct mlc_buf *b;
	bool first;
};

static void link_arg(const char *key, const char *value, void *arg)
{
	struct link_ctx *lc = arg;
	if (strcmp(key, "page") == 0)
		return;
	buf_addch(lc->b, lc->first ? '?' : '&');
	lc->first = false;
	url_add_escaped(lc->b, key, false);
	buf_addch(lc->b, '=');
	url_add_escaped(lc->b, value, false);
}

static void link_add(struct pc_ctx *c, struct mlc_buf *b, int page, const char *rel)
{
	const char *host = http_request_header(c->req, "Host");
	struct link_ctx lc = {b, true};

	if (b->len)
		buf_addstr(b, ", ");
	buf_addf(b, "<http://%s", host ? host : "127.0.0.1");
	url_add_escaped(b, c->req->path, true);
	http_request_query_each(c->req, link_arg, &lc);
	buf_addf(b, "%cpage=%d>; rel=\"%s\"", lc.first ? '?' : '&', page, rel);
}

void pc_reply_page(struct pc_ctx *c, json_t *items)
{
	const char *ps = http_request_query(c->req, "page");
	const char *pps = http_request_query(c->req, "per_page");
	int page = 1, per_page = 100, last;
	size_t total = json_array_size(items);
	struct mlc_error err;
	struct mlc_buf link = MLC_BUF_INIT;
	json_t *out = json_array();
	char num[32];

	if (ps && num_parse_int(ps, 1, 1000000, &page, &err) != 0)
		page = 1;
	/* Procore clamps per_page rather than refusing a large one. */
	if (pps && num_parse_int(pps, 1, 1000000, &per_page, &err) != 0)
		per_page = 100;
	if (per_page > 1000)
		per_page = 1000;
	last = total ? (int)((total + (size_t)per_page - 1) / (size_t)per_page) : 1;
	for (size_t i = (size_t)(page - 1) * (size_t)per_page;
	     i < total && i < (size_t)page * (size_t)per_page; i++)
		json_array_append(out, json_array_get(items, i));
	json_decref(items);

	snprintf(num, sizeof(num), "%zu", total);
	http_response_header(c->resp, "Total", num);
	snprintf(num, sizeof(num), "%d", per_page);
	http_response_header(c->resp, "Per-Page", num);
	if (last > 1) {
		link_add(c, &link, 1, "first");
		if (page > 1)
			link_add(c, &link, page - 1 <= last ? page - 1 : last, "prev");
		if (page < last)
			link_add(c, &link, page + 1, "next");
		link_add(c, &link, last, "last");
		http_response_header(c->resp, "Link", link.data);
	}
	buf_release(&link);
	pc_reply(c, 200, out);
}

static bool is_date(const char *s)
{
	/* YYYY-MM-DD, optionally followed by a time. */
	if (strlen(s) < 10)
		return false;
	for (int i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return false;
		} else if (s[i] < '0' || s[i] > '9') {
			return false;
		}
	}
	return true;
}

static bool enum_has(const char *values, const char *v)
{
	size_t n = strlen(v);
	const char *p = values;
	while (p && *p) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && strncmp(p, v, n) == 0)
			return true;
		p = bar ? bar + 1 : NULL;
	}
	return false;
}

bool pc_apply_fields(json_t *rec, const json_t *in, const struct pc_field *fields, json_t *errs)
{
	size_t nerr0 = json_object_size(errs);
	const struct pc_field *f;

	for (f = fields; f->name; f++) {
		json_t *v = json_object_get(in, f->name);
		int64_t cents;
		if (!v || json_is_null(v))
			continue;
		switch (f->type) {
		case 's':
			if (!json_is_string(v))
				pc_add_error(errs, f->name, "must be a string");
			break;
		case 'i':
			if (!json_is_integer(v))
				pc_add_error(errs, f->name, "is not a number");
			break;
		case 'b':
			if (!json_is_boolean(v))
				pc_add_error(errs, f->name, "must be true or false");
			break;
		case 'n':
		case 'N':
			if (pc_cents(v, &cents) != 0)
				pc_add_error(errs, f->name, "is not a number");
			break;
		case 'd':
			if (!json_is_string(v) || !is_date(json_string_value(v)))
				pc_add_error(errs, f->name, "is not a valid date");
			break;
		case 'e':
			if (!json_is_string(v) || !enum_has(f->values, json_string_value(v)))
				pc_add_error(errs, f->name, "is not included in the list");
			break;
		}
	}
	if (json_object_size(errs) > nerr0)
		return false;
	for (f = fields; f->name; f++) {
		json_t *v = json_object_get(in, f->name);
		int64_t cents = 0;
		if (!v)
			continue;
		if (json_is_null(v) || f->type == 's' || f->type == 'i' || f->type == 'b' ||
		    f->type == 'e') {
			json_object_set(rec, f->name, v);
		} else if (f->type == 'd') {
			json_object_set_new(rec, f->name, json_stringn(json_string_value(v), 10));
		} else {
			if (pc_cents(v, &cents) != 0)
				continue;
			json_object_set_new(rec, f->name,
					    f->type == 'n' ? pc_money(cents) : pc_money_num(cents));
		}
	}
	return true;
}

void pc_require(const json_t *in, const char *const *names, json_t *errs)
{
	for (; *names; names++) {
		json_t *v = json_object_get(in, *names);
		if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)))
			pc_add_error(errs, *names, "can't be blank");
	}
}

bool pc_body_company_ok(struct pc_ctx *c)
{
	json_t *v = json_object_get(c->body, "company_id");
	if (!v)
		return true;
	if ((json_is_integer(v) && json_integer_value(v) == c->company_id))
		return true;
	if (json_is_string(v)) {
		int64_t id;
		struct mlc_error err;
		if (num_parse_id(json_string_value(v), &id, &err) == 0 && id == c->company_id)
			return true;
	}
	pc_reply_errors(c, 403, "You do not have access to this company.");
	return false;
}

json_t *pc_wrapper(struct pc_ctx *c, const char *name)
{
	json_t *in = json_object_get(c->body, name);
	if (!json_is_object(in)) {
		char msg[128];
		snprintf(msg, sizeof(msg), "param is missing or the value is empty: %s", name);
		pc_reply_errors(c, 400, msg);
		return NULL;
	}
	return in;
}

void pc_reply_422(struct pc_ctx *c, json_t *errs)
{
	pc_reply(c, 422, json_pack("{s:o}", "errors", errs));
}
