/*
 * Procore requests as Procore documents them (issue 16 section 2).
 *
 * The checker: a request {method, path, query: [[key, value]...], body}
 * is matched to its endpoint file in docs/reference/procore/endpoints/
 * (same method, same number of path segments, literal segments equal,
 * the most literal segments winning), then checked against it:
 *   - path parameters typed integer are integers;
 *   - every required query parameter is present and not empty, and every
 *     query parameter is one the endpoint knows (an array parameter may be
 *     sent as "name[]"), typed as it says (integer, boolean);
 *   - the body: only where the endpoint takes one; each member's name is
 *     a property of the request schema and its JSON type the schema's
 *     (integer / number / string / boolean / array / object; string enums
 *     checked; null accepted: Procore's schemas carry no nullable flag and
 *     its examples send null for empty fields), every required member
 *     present, nested objects and array items checked the same way.
 * A request with no endpoint file is a failure unless listed in
 * `exceptions` below.
 *
 * Tests:
 *   - the checker itself finds what it should (a conforming request passes;
 *     a missing required parameter, an unknown parameter, a wrong type, an
 *     unknown body field and an unknown endpoint each fail);
 *   - pcsim's compiled-in parameter table (src/sandbox/pcsim_params.c)
 *     agrees with the endpoint files, and every simulated API route has a
 *     rule (or is listed below);
 *   - pcsim refuses a missing required parameter with 400 and Procore's
 *     {"errors": "..."} body;
 *   - with MLC_PROCORE_REQUEST_LOG=FILE (the JSON of GET /_sandbox/requests,
 *     written by tests/integration/test_procore_requests.sh after running
 *     the connector's flows), every logged request conforms.  That mode
 *     runs only this check; without the variable the binary runs the
 *     others (nothing is skipped in either mode).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <libgen.h>
#include <sys/stat.h>

#include "pcsim_test.h"
#include "schema_types.h"
#include "sandbox/pcsim.h"

/*
 * Requests the connector makes (or routes pcsim serves) that the endpoint
 * files do not describe as they are.  kind "no-file": no endpoint file
 * exists; the request is accepted as it is.  kind "either": the file marks
 * every name of `names` required while its text says one of them is enough
 * (the test checks the text says "either"); at least one must be sent.
 */
struct exception {
	const char *method, *path;
	const char *kind;
	const char *names;
	const char *why;
};

static const struct exception exceptions[] = {
    {"GET", "/rest/v1.0/line_item_types", "either", "company_id project_id",
     "RestV10LineItemTypesGet.json: \"You must supply either a company_id or project_id\"; "
     "docs/reference/procore.md (Resources the connector uses) says the same"},
    {"GET", "/rest/v1.0/webhooks/hooks", "either", "company_id project_id",
     "webhooks: owned by section 1. RestV10WebhooksHooksGet.json: \"You must supply either a "
     "company_id or project_id\" (a hook is at company or project scope)"},
    {"GET", "/rest/v1.0/webhooks/hooks/{hook_id}/triggers", "either", "company_id project_id",
     "webhooks: owned by section 1. Same text as the hooks list"},
    {"GET", "/rest/v1.0/webhooks/hooks/{hook_id}/deliveries", "either", "company_id project_id",
     "webhooks: owned by section 1. Same text as the hooks list"},
    {"DELETE", "/rest/v1.0/webhooks/hooks/{id}", "either", "company_id project_id",
     "webhooks: owned by section 1. Same text as the hooks list"},
    {"GET", "/rest/v1.0/webhooks/resources", "either", "company_id project_id",
     "webhooks: owned by section 1. Same text as the hooks list"},
    {"GET", "/rest/v1.0/webhooks/resources/api_versions", "either", "company_id project_id",
     "webhooks: owned by section 1. Same text as the hooks list"},
    /* The company's standard cost code list (flow cost-codes keeps the ERP
     * list in step; commit fb143e5).  Procore has these endpoints
     * (developers.procore.com, Core > Cost Codes: List Standard Cost Code
     * Lists, List / Delete / Sync Standard Cost Codes; deprecated in favour
     * of WBS segment items), the reference folder does not.  Their required
     * parameters are in pcsim's table with that source. */
    {"GET", "/rest/v1.0/standard_cost_code_lists", "no-file", NULL,
     "not in the reference: Procore's List Standard Cost Code Lists (company_id required)"},
    {"GET", "/rest/v1.0/standard_cost_codes", "no-file", NULL,
     "not in the reference: Procore's List Standard Cost Codes (company_id, "
     "standard_cost_code_list_id required)"},
    {"PATCH", "/rest/v1.0/standard_cost_codes/sync", "no-file", NULL,
     "not in the reference: Procore's Sync Standard Cost Codes (body company_id, "
     "standard_cost_code_list_id, updates required)"},
    {"DELETE", "/rest/v1.0/standard_cost_codes/{id}", "no-file", NULL,
     "not in the reference: Procore's Delete Standard Cost Code (company_id required)"},
    /* Deleting a project cost code (flow cost-codes removes a code that
     * left NetSuite; commit 3525311).  No endpoint file, and the cost code
     * section of Procore's published OpenAPI we could read lists no delete
     * either: kept as the simulator models it until the real API is tried. */
    {"DELETE", "/rest/v1.0/cost_codes/{id}", "no-file", NULL,
     "not in the reference (see docs/architecture.md: cost codes)"},
    /* Work order contract line items: pcsim serves them like the purchase
     * order ones; the reference has no file for them. */
    {"GET", "/rest/v1.0/work_order_contracts/{work_order_contract_id}/line_items", "no-file", NULL,
     "not in the reference; same shape as purchase order contract line items"},
    {"POST", "/rest/v1.0/work_order_contracts/{work_order_contract_id}/line_items", "no-file", NULL,
     "not in the reference; same shape as purchase order contract line items"},
    {"PATCH", "/rest/v1.0/work_order_contracts/{work_order_contract_id}/line_items/sync", "no-file",
     NULL, "not in the reference; same shape as purchase order contract line items"},
};

/* Simulated API routes that need no rule in pcsim's table. */
static const char *const no_rule_ok[] = {
    /* webhooks: owned by section 1 (src/sandbox/pcsim_webhooks_api.c) */
    "/rest/v1.0/webhooks/",
    "/rest/v2.0/companies/{company_id}/webhooks/",
    "/rest/v2.0/companies/{company_id}/projects/{project_id}/webhooks/",
};

static char schema_dir[1024];
static json_t *endpoints; /* [{method, path, segs: [..], doc}] */
static struct pct T;

static bool find_schema_dir(void)
{
	return schema_find_dir(schema_dir, sizeof(schema_dir));
}

static json_t *split_path(const char *path)
{
	json_t *segs = json_array();
	const char *p = path;
	while (*p) {
		size_t n;
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n)
			json_array_append_new(segs, json_stringn(p, n));
		p += n;
	}
	return segs;
}

static bool is_param_seg(const char *s)
{
	return s[0] == '{';
}

static int load_endpoints(void)
{
	DIR *d = opendir(schema_dir);
	struct dirent *e;

	if (!d)
		return -1;
	endpoints = json_array();
	while ((e = readdir(d)) != NULL) {
		char path[1400];
		json_error_t jerr;
		json_t *doc;
		size_t n = strlen(e->d_name);

		if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", schema_dir, e->d_name);
		doc = json_load_file(path, 0, &jerr);
		if (!doc) {
			fprintf(stderr, "cannot read %s: %s\n", path, jerr.text);
			closedir(d);
			return -1;
		}
		json_object_del(doc, "responses");
		json_array_append_new(
		    endpoints,
		    json_pack("{s:O,s:O,s:o,s:o,s:s}", "method", json_object_get(doc, "method"),
			      "path", json_object_get(doc, "path"), "segs",
			      split_path(json_string_value(json_object_get(doc, "path"))), "doc",
			      doc, "file", e->d_name));
	}
	closedir(d);
	return json_array_size(endpoints) > 100 ? 0 : -1;
}

/*
 * The endpoint for method + path.  A path of a request has values in its
 * parameter segments; a path of a route template has "{name}" there, which
 * only a template's parameter segment matches (templates == true).
 */
static json_t *match_endpoint(const char *method, const char *path, bool templates)
{
	json_t *segs = split_path(path), *best = NULL, *ep;
	int best_score = -1;
	size_t i;

	json_array_foreach (endpoints, i, ep) {
		json_t *es = json_object_get(ep, "segs");
		int score = 0;
		bool ok = true;

		if (strcmp(json_string_value(json_object_get(ep, "method")), method) != 0 ||
		    json_array_size(es) != json_array_size(segs))
			continue;
		for (size_t k = 0; k < json_array_size(segs) && ok; k++) {
			const char *a = json_string_value(json_array_get(es, k));
			const char *b = json_string_value(json_array_get(segs, k));
			if (is_param_seg(a))
				ok = !templates || is_param_seg(b);
			else if (strcmp(a, b) == 0)
				score++;
			else
				ok = false;
		}
		if (ok && score > best_score) {
			best = ep;
			best_score = score;
		}
	}
	json_decref(segs);
	return best;
}

static const struct exception *find_exception(const char *method, const char *tpath)
{
	for (size_t i = 0; i < MLC_ARRAY_LEN(exceptions); i++) {
		if (strcmp(exceptions[i].method, method) == 0 &&
		    strcmp(exceptions[i].path, tpath) == 0)
			return &exceptions[i];
	}
	return NULL;
}

static bool word_in(const char *list, const char *w)
{
	size_t n = strlen(w);
	const char *p = list;
	while (p && (p = strstr(p, w)) != NULL) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

static bool is_int_text(const char *s)
{
	if (*s == '-')
		s++;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
	}
	return true;
}

static void check_value(const json_t *schema, const json_t *v, const char *where,
			struct mlc_buf *problems);

static void check_object(const json_t *schema, const json_t *v, const char *where,
			 struct mlc_buf *problems)
{
	const json_t *props = json_object_get(schema, "properties");
	const json_t *req = json_object_get(schema, "required");
	const char *key;
	json_t *fv, *r;
	size_t i;

	if (!json_is_object(props))
		return; /* no listed members: nothing to hold the names to */
	json_object_foreach ((json_t *)v, key, fv) {
		char sub[512];
		const json_t *ps = json_object_get(props, key);
		snprintf(sub, sizeof(sub), "%s.%s", where, key);
		if (!ps)
			buf_addf(problems, "  %s: not a field of the request schema\n", sub);
		else
			check_value(ps, fv, sub, problems);
	}
	json_array_foreach (req, i, r) {
		if (!json_object_get(v, json_string_value(r)))
			buf_addf(problems, "  %s.%s: required, missing\n", where,
				 json_string_value(r));
	}
}

static void check_value(const json_t *schema, const json_t *v, const char *where,
			struct mlc_buf *problems)
{
	const json_t *en = json_object_get(schema, "enum");
	const char *type;
	int tc = schema_type_check(schema, v, &type);

	if (tc == 0)
		return;
	if (tc < 0) {
		char *dump = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		buf_addf(problems, "  %s: want %s%s, got %.80s\n", where, type,
			 json_is_array(en) && json_is_string(v) ? " from its enum" : "", dump);
		free(dump);
		return;
	}
	if (json_is_object(v))
		check_object(schema, v, where, problems);
	if (json_is_array(v)) {
		size_t i;
		json_t *item;
		json_array_foreach (v, i, item) {
			char sub[512];
			snprintf(sub, sizeof(sub), "%s[%zu]", where, i);
			check_value(json_object_get(schema, "items"), item, sub, problems);
		}
	}
}

static const json_t *query_param(const json_t *doc, const char *key)
{
	size_t i, n = strlen(key);
	json_t *p;
	json_array_foreach (json_object_get(doc, "parameters"), i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));
		if (strcmp(json_string_value(json_object_get(p, "in")), "query") != 0 || !name)
			continue;
		if (strcmp(name, key) == 0 ||
		    (n > 2 && strcmp(key + n - 2, "[]") == 0 && strncmp(name, key, n - 2) == 0 &&
		     name[n - 2] == '\0'))
			return p;
	}
	return NULL;
}

static const char *query_value(const json_t *query, const char *key)
{
	size_t i;
	json_t *kv;
	json_array_foreach (query, i, kv) {
		if (strcmp(json_string_value(json_array_get(kv, 0)), key) == 0)
			return json_string_value(json_array_get(kv, 1));
	}
	return NULL;
}

/*
 * Checks one logged request; appends a paragraph to problems when it does
 * not conform.  Returns the number of problems found.
 */
static int check_request(const json_t *r, struct mlc_buf *problems)
{
	const char *method = json_string_value(json_object_get(r, "method"));
	const char *path = json_string_value(json_object_get(r, "path"));
	const json_t *query = json_object_get(r, "query");
	const json_t *body = json_object_get(r, "body");
	struct mlc_buf p = MLC_BUF_INIT;
	const struct exception *ex;
	const json_t *ep, *doc, *prm, *kv, *rb;
	const char *tpath;
	json_t *segs, *esegs;
	size_t i;
	int n = 0;

	ep = match_endpoint(method, path, false);
	if (!ep) {
		/* A no-file exception is written as a template: match it by shape. */
		const char *route = json_string_value(json_object_get(r, "route"));
		ex = route ? find_exception(method, route) : NULL;
		if (ex && strcmp(ex->kind, "no-file") == 0)
			return 0;
		buf_addf(problems, "%s %s: no endpoint file matches\n", method, path);
		return 1;
	}
	doc = json_object_get(ep, "doc");
	tpath = json_string_value(json_object_get(ep, "path"));
	ex = find_exception(method, tpath);
	segs = split_path(path);
	esegs = json_object_get(ep, "segs");
	json_array_foreach (json_object_get(doc, "parameters"), i, prm) {
		const char *name = json_string_value(json_object_get(prm, "name"));
		const char *in = json_string_value(json_object_get(prm, "in"));
		const char *type =
		    json_string_value(json_object_get(json_object_get(prm, "schema"), "type"));
		if (strcmp(in, "path") == 0 && type && strcmp(type, "integer") == 0) {
			for (size_t k = 0; k < json_array_size(esegs); k++) {
				char want[128];
				snprintf(want, sizeof(want), "{%s}", name);
				if (strcmp(json_string_value(json_array_get(esegs, k)), want) ==
					0 &&
				    !is_int_text(json_string_value(json_array_get(segs, k))))
					buf_addf(&p, "  path {%s}: want integer, got %s\n", name,
						 json_string_value(json_array_get(segs, k)));
			}
		}
		if (strcmp(in, "query") == 0 && json_is_true(json_object_get(prm, "required"))) {
			const char *v = query_value(query, name);
			if (ex && strcmp(ex->kind, "either") == 0 && word_in(ex->names, name))
				continue;
			if (!v || !*v)
				buf_addf(&p, "  query %s: required, missing\n", name);
		}
	}
	json_decref(segs);
	if (ex && strcmp(ex->kind, "either") == 0) {
		bool any = false;
		char names[128];
		const char *w = ex->names;
		while (*w) {
			size_t l = strcspn(w, " ");
			snprintf(names, sizeof(names), "%.*s", (int)l, w);
			const char *v = query_value(query, names);
			any = any || (v && *v);
			w += l;
			while (*w == ' ')
				w++;
		}
		if (!any)
			buf_addf(&p, "  query: one of %s is required\n", ex->names);
	}
	json_array_foreach (query, i, kv) {
		const char *key = json_string_value(json_array_get(kv, 0));
		const char *val = json_string_value(json_array_get(kv, 1));
		const json_t *qp = query_param(doc, key);
		const char *type =
		    qp ? json_string_value(json_object_get(json_object_get(qp, "schema"), "type"))
		       : NULL;
		if (!qp && ex && strcmp(ex->kind, "either") == 0 && word_in(ex->names, key))
			continue; /* named by the file's text, not its list */
		if (!qp) {
			buf_addf(&p, "  query %s: not a parameter of this endpoint\n", key);
			continue;
		}
		if (type && strcmp(type, "integer") == 0 && !is_int_text(val))
			buf_addf(&p, "  query %s: want integer, got %s\n", key, val);
		if (type && strcmp(type, "boolean") == 0 && strcmp(val, "true") != 0 &&
		    strcmp(val, "false") != 0)
			buf_addf(&p, "  query %s: want boolean, got %s\n", key, val);
	}
	rb = json_object_get(json_object_get(doc, "requestBody"), "schema");
	if (body && !json_is_null(body)) {
		if (!rb)
			buf_addf(&p, "  body: this endpoint takes none\n");
		else
			check_value(rb, body, "body", &p);
	} else if (rb &&
		   json_is_true(json_object_get(json_object_get(doc, "requestBody"), "required"))) {
		buf_addf(&p, "  body: required, missing\n");
	}
	if (json_is_true(json_object_get(r, "body_invalid")))
		buf_addf(&p, "  body: not a JSON object\n");
	if (p.len) {
		const char *s = p.data;
		buf_addf(problems, "%s %s (%s, %s):\n%s", method, path, tpath,
			 json_string_value(json_object_get(ep, "file")), p.data);
		for (; *s; s++)
			n += *s == '\n';
	}
	buf_release(&p);
	return n;
}

static int setup(void **state)
{
	(void)state;
	if (!find_schema_dir() || load_endpoints() != 0) {
		fprintf(stderr, "endpoint schemas not found (set MLC_PROCORE_ENDPOINTS): %s\n",
			schema_dir);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(endpoints);
	return 0;
}

static int checked(const char *json)
{
	json_error_t jerr;
	json_t *r = json_loads(json, 0, &jerr);
	struct mlc_buf problems = MLC_BUF_INIT;
	int n;

	assert_non_null(r);
	n = check_request(r, &problems);
	if (n)
		printf("(expected) %s", problems.data);
	buf_release(&problems);
	json_decref(r);
	return n;
}

/* The checker can fail: each kind of mistake is found. */
static void test_checker(void **state)
{
	(void)state;
	/* conforming */
	assert_int_equal(checked("{\"method\":\"GET\",\"path\":\"/rest/v1.0/cost_codes\","
				 "\"query\":[[\"project_id\",\"12\"],[\"page\",\"1\"]]}"),
			 0);
	assert_int_equal(
	    checked("{\"method\":\"PATCH\",\"path\":\"/rest/v1.0/vendors/sync\",\"query\":[],"
		    "\"body\":{\"company_id\":4,\"updates\":[{\"name\":\"A\",\"origin_id\":\"x\","
		    "\"is_active\":true,\"origin_data\":null}]}}"),
	    0);
	/* "either": one of the two is enough, none is not */
	assert_int_equal(checked("{\"method\":\"GET\",\"path\":\"/rest/v1.0/line_item_types\","
				 "\"query\":[[\"company_id\",\"4\"]]}"),
			 0);
	assert_int_equal(checked("{\"method\":\"GET\",\"path\":\"/rest/v1.0/line_item_types\","
				 "\"query\":[[\"per_page\",\"100\"]]}"),
			 1);
	/* a missing required query parameter */
	assert_int_equal(checked("{\"method\":\"GET\",\"path\":\"/rest/v1.0/cost_codes\","
				 "\"query\":[[\"page\",\"1\"]]}"),
			 1);
	/* a parameter the endpoint does not know */
	assert_int_equal(checked("{\"method\":\"GET\",\"path\":\"/rest/v1.0/cost_codes\","
				 "\"query\":[[\"project_id\",\"12\"],[\"company_id\",\"4\"]]}"),
			 1);
	/* a query integer that is not one; a path integer that is not one */
	assert_int_equal(checked("{\"method\":\"GET\",\"path\":\"/rest/v1.0/cost_codes\","
				 "\"query\":[[\"project_id\",\"x12\"]]}"),
			 1);
	assert_int_equal(checked("{\"method\":\"GET\",\"path\":\"/rest/v1.0/vendors/abc\","
				 "\"query\":[[\"company_id\",\"4\"]]}"),
			 1);
	/* body: a wrong type, an unknown field, a missing required member */
	assert_int_equal(
	    checked("{\"method\":\"PATCH\",\"path\":\"/rest/v1.0/vendors/sync\",\"query\":[],"
		    "\"body\":{\"company_id\":\"4\",\"updates\":[]}}"),
	    1);
	assert_int_equal(
	    checked("{\"method\":\"PATCH\",\"path\":\"/rest/v1.0/vendors/sync\",\"query\":[],"
		    "\"body\":{\"company_id\":4,\"updates\":[{\"nickname\":\"A\"}]}}"),
	    1);
	assert_int_equal(checked("{\"method\":\"PATCH\",\"path\":\"/rest/v1.0/vendors/sync\","
				 "\"query\":[],\"body\":{\"updates\":[]}}"),
			 1);
	/* a string outside its enum */
	assert_int_equal(
	    checked("{\"method\":\"POST\",\"path\":\"/rest/v1.0/projects/5/direct_costs\","
		    "\"query\":[],\"body\":{\"item\":{\"direct_cost_type\":\"gift\","
		    "\"invoice_number\":\"I-1\",\"vendor_id\":3}}}"),
	    1);
	/* a body where the endpoint takes none */
	assert_int_equal(checked("{\"method\":\"GET\",\"path\":\"/rest/v1.0/companies\","
				 "\"query\":[],\"body\":{\"a\":1}}"),
			 1);
	/* no endpoint file, not an exception */
	assert_int_equal(checked("{\"method\":\"GET\",\"path\":\"/rest/v1.0/no_such_things\","
				 "\"query\":[]}"),
			 1);
	/* no endpoint file, an exception (matched by the logged route) */
	assert_int_equal(checked("{\"method\":\"DELETE\",\"path\":\"/rest/v1.0/cost_codes/9\","
				 "\"route\":\"/rest/v1.0/cost_codes/{id}\",\"query\":[]}"),
			 0);
}

/* Each exception is still needed and says what the file says. */
static void test_exceptions_hold(void **state)
{
	(void)state;
	for (size_t i = 0; i < MLC_ARRAY_LEN(exceptions); i++) {
		const struct exception *ex = &exceptions[i];
		json_t *ep = match_endpoint(ex->method, ex->path, true);
		if (strcmp(ex->kind, "no-file") == 0) {
			if (ep)
				fprintf(stderr, "%s %s has a file now: drop the exception\n",
					ex->method, ex->path);
			assert_null(ep);
			continue;
		}
		assert_string_equal(ex->kind, "either");
		assert_non_null(ep);
		/* every name the file lists is marked required and described as
		 * "either" (the webhook resources files list project_id only) */
		const char *w = ex->names;
		int seen = 0;
		while (*w) {
			size_t l = strcspn(w, " ");
			size_t k;
			json_t *prm;
			json_array_foreach (
			    json_object_get(json_object_get(ep, "doc"), "parameters"), k, prm) {
				const char *name = json_string_value(json_object_get(prm, "name"));
				const char *desc =
				    json_string_value(json_object_get(prm, "description"));
				if (strlen(name) == l && strncmp(name, w, l) == 0) {
					seen++;
					assert_true(json_is_true(json_object_get(prm, "required")));
					assert_non_null(desc);
					assert_non_null(strstr(desc, "either"));
				}
			}
			w += l;
			while (*w == ' ')
				w++;
		}
		assert_true(seen > 0);
	}
}

/* The words of a rule list ("a b|c") in the order they come, as "a", "b|c". */
static json_t *words(const char *list)
{
	json_t *out = json_array();
	const char *w = list;
	while (*w) {
		size_t l = strcspn(w, " ");
		if (l)
			json_array_append_new(out, json_stringn(w, l));
		w += l;
		while (*w == ' ')
			w++;
	}
	return out;
}

static bool words_have(const json_t *ws, const char *name)
{
	size_t i;
	json_t *w;
	json_array_foreach (ws, i, w) {
		if (strcmp(json_string_value(w), name) == 0)
			return true;
	}
	return false;
}

/* pcsim's compiled-in table agrees with the endpoint files. */
static void test_pcsim_table_agrees(void **state)
{
	size_t n, i;
	const struct pc_param_rule *rules = pc_param_rules(&n);
	int bad = 0;

	(void)state;
	assert_true(n > 50);
	for (i = 0; i < n; i++) {
		const struct pc_param_rule *r = &rules[i];
		json_t *ep = match_endpoint(r->method, r->pattern, true);
		const struct exception *ex = find_exception(r->method, r->pattern);
		json_t *q = words(r->query), *b = words(r->body), *want_q = json_array(),
		       *want_b = json_array(), *prm, *req;
		size_t k;
		char *a, *c;

		if (!ep) {
			if (!ex || strcmp(ex->kind, "no-file") != 0) {
				fprintf(stderr, "%s %s: no endpoint file and no exception\n",
					r->method, r->pattern);
				bad++;
			}
			goto next;
		}
		ex = find_exception(r->method, json_string_value(json_object_get(ep, "path")));
		json_array_foreach (json_object_get(json_object_get(ep, "doc"), "parameters"), k,
				    prm) {
			if (strcmp(json_string_value(json_object_get(prm, "in")), "query") == 0 &&
			    json_is_true(json_object_get(prm, "required")))
				json_array_append(want_q, json_object_get(prm, "name"));
		}
		if (ex && strcmp(ex->kind, "either") == 0) {
			/* the file's "a" and "b" are the table's one word "a|b" */
			char alt[128];
			snprintf(alt, sizeof(alt), "%s", ex->names);
			for (char *s = alt; *s; s++)
				if (*s == ' ')
					*s = '|';
			json_decref(want_q);
			want_q = json_array();
			json_array_foreach (
			    json_object_get(json_object_get(ep, "doc"), "parameters"), k, prm) {
				const char *name = json_string_value(json_object_get(prm, "name"));
				if (strcmp(json_string_value(json_object_get(prm, "in")),
					   "query") == 0 &&
				    json_is_true(json_object_get(prm, "required")) &&
				    !word_in(ex->names, name))
					json_array_append_new(want_q, json_string(name));
			}
			json_array_append_new(want_q, json_string(alt));
		}
		req = json_object_get(
		    json_object_get(json_object_get(json_object_get(ep, "doc"), "requestBody"),
				    "schema"),
		    "required");
		json_array_foreach (req, k, prm)
			json_array_append(want_b, prm);
		/* same sets, whatever the order */
		if (json_array_size(q) != json_array_size(want_q) ||
		    json_array_size(b) != json_array_size(want_b))
			goto differ;
		json_array_foreach (want_q, k, prm) {
			if (!words_have(q, json_string_value(prm)))
				goto differ;
		}
		json_array_foreach (want_b, k, prm) {
			if (!words_have(b, json_string_value(prm)))
				goto differ;
		}
		goto next;
	differ:
		a = json_dumps(want_q, JSON_COMPACT);
		c = json_dumps(want_b, JSON_COMPACT);
		fprintf(stderr,
			"%s %s: table says query \"%s\" body \"%s\"; %s says query %s body %s\n",
			r->method, r->pattern, r->query, r->body,
			json_string_value(json_object_get(ep, "file")), a, c);
		free(a);
		free(c);
		bad++;
	next:
		json_decref(q);
		json_decref(b);
		json_decref(want_q);
		json_decref(want_b);
	}
	assert_int_equal(bad, 0);
}

/* Every API route pcsim serves has a rule (or needs none, listed above). */
static void test_every_route_has_a_rule(void **state)
{
	size_t i;
	json_t *rt;
	int bad = 0;

	(void)state;
	assert_int_equal(pct_start(&T, NULL, 0, 0, 0), 0);
	assert_true(json_array_size(T.pc->api_routes) > 50);
	json_array_foreach (T.pc->api_routes, i, rt) {
		char method[16], pattern[512];
		bool excused = false;
		assert_int_equal(sscanf(json_string_value(rt), "%15s %511s", method, pattern), 2);
		for (size_t k = 0; k < MLC_ARRAY_LEN(no_rule_ok); k++)
			excused =
			    excused || strncmp(pattern, no_rule_ok[k], strlen(no_rule_ok[k])) == 0;
		if (!excused && !pc_param_rule_find(method, pattern)) {
			fprintf(stderr, "pcsim serves %s with no rule in pcsim_params.c\n",
				json_string_value(rt));
			bad++;
		}
	}
	assert_int_equal(bad, 0);
	pct_stop(&T);
}

/* pcsim refuses what Procore refuses: a missing required parameter. */
static void test_pcsim_refuses_missing(void **state)
{
	json_t *r;
	(void)state;
	assert_int_equal(pct_start(&T, NULL, 0, 0, 0), 0);
	r = pct_call(&T, "GET", "/rest/v1.0/cost_codes", NULL, 0);
	assert_int_equal(T.status, 400);
	assert_string_equal(json_string_value(json_object_get(r, "errors")),
			    "param is missing or the value is empty: project_id");
	json_decref(r);
	r = pct_call(&T, "GET", "/rest/v1.0/line_item_types", NULL, 0);
	assert_int_equal(T.status, 400);
	assert_string_equal(json_string_value(json_object_get(r, "errors")),
			    "param is missing or the value is empty: company_id");
	json_decref(r);
	r = pct_callf(&T, "GET", NULL, 0, "/rest/v1.0/line_item_types?company_id=%lld",
		      (long long)T.company_id);
	assert_int_equal(T.status, 200);
	json_decref(r);
	r = pct_call(&T, "PATCH", "/rest/v1.0/vendors/sync", "{\"updates\":[]}", 0);
	assert_int_equal(T.status, 400);
	assert_string_equal(json_string_value(json_object_get(r, "errors")),
			    "param is missing or the value is empty: company_id");
	json_decref(r);
	/* and logs what it was sent */
	r = pct_call(&T, "GET", "/_sandbox/requests", NULL, PCT_NOAUTH | PCT_NOCOMPANY);
	assert_int_equal(T.status, 200);
	assert_int_equal(json_array_size(json_object_get(r, "requests")), 4);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(r, "requests"), 3), "route")),
			    "/rest/v1.0/vendors/sync");
	json_decref(r);
	pct_stop(&T);
}

/* Every request in the log the integration test wrote conforms. */
static void test_request_log(void **state)
{
	const char *file = getenv("MLC_PROCORE_REQUEST_LOG");
	json_error_t jerr;
	json_t *log, *r;
	struct mlc_buf problems = MLC_BUF_INIT;
	size_t i;
	int n = 0;

	(void)state;
	assert_non_null(file);
	log = json_load_file(file, 0, &jerr);
	if (!log)
		fprintf(stderr, "cannot read %s: %s\n", file, jerr.text);
	assert_non_null(log);
	assert_true(json_array_size(json_object_get(log, "requests")) > 0);
	json_array_foreach (json_object_get(log, "requests"), i, r)
		n += check_request(r, &problems);
	if (n)
		printf("%d problems in %zu requests:\n%s", n,
		       json_array_size(json_object_get(log, "requests")), problems.data);
	buf_release(&problems);
	json_decref(log);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_checker),
	    cmocka_unit_test(test_exceptions_hold),
	    cmocka_unit_test(test_pcsim_table_agrees),
	    cmocka_unit_test(test_every_route_has_a_rule),
	    cmocka_unit_test(test_pcsim_refuses_missing),
	};
	const struct CMUnitTest log_tests[] = {
	    cmocka_unit_test(test_request_log),
	};
	const char *log = getenv("MLC_PROCORE_REQUEST_LOG");

	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (log && *log)
		return cmocka_run_group_tests(log_tests, setup, teardown);
	return cmocka_run_group_tests(tests, setup, teardown);
}
