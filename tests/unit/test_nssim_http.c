/*
 * Conformance of the NetSuite simulator, driven over HTTP against an
 * in-process sandbox on free loopback ports.  Each test names the line of
 * docs/reference/netsuite.md (or docs/reference/netsuite/suiteql.md) it checks.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "nssim_test.h"
#include "net/metrics.h"
#include "util/log.h"
#include "util/banned.h"

static struct nst T;

/* The push receiver: a second server recording what arrives. */
static struct mlc_http_server *recv_srv;
static pthread_mutex_t recv_lock = PTHREAD_MUTEX_INITIALIZER;
static json_t *recv_events;

static void h_push(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct mlc_error err;
	json_t *j = http_request_json(req, &err);
	const char *secret = http_request_header(req, "X-MLC-Webhook-Secret");

	MLC_UNUSED(arg);
	pthread_mutex_lock(&recv_lock);
	json_array_append_new(recv_events, json_pack("{s:o*,s:s,s:s}", "body", j, "secret",
						     secret ? secret : "", "ip", req->client_ip));
	pthread_mutex_unlock(&recv_lock);
	http_response_text(resp, 200, NULL, "ok");
}

static int group_setup(void **state)
{
	struct mlc_http_server_opts ro = {.listen = "127.0.0.1:0", .name = "push-receiver"};
	struct mlc_sandbox_opts o = {0};
	struct mlc_error err = {0};
	char push_url[128];

	MLC_UNUSED(state);
	recv_events = json_array();
	if (http_server_new(&ro, &recv_srv, &err) < 0 ||
	    http_server_route(recv_srv, "POST", "/hooks/netsuite", h_push, NULL) < 0 ||
	    http_server_start(recv_srv, &err) < 0)
		return -1;
	snprintf(push_url, sizeof(push_url), "http://127.0.0.1:%d/hooks/netsuite",
		 http_server_port(recv_srv));
	snprintf(T.dir, sizeof(T.dir), "/tmp/mlc-nssim-test-XXXXXX");
	if (!mkdtemp(T.dir))
		return -1;
	o.netsuite_listen = "127.0.0.1:0";
	o.procore_listen = "127.0.0.1:0";
	o.data_dir = T.dir;
	o.seed = 7;
	o.push_url = push_url;
	o.push_secret = "s3cret-push";
	if (sandbox_start(&o, &T.sb, &err) < 0) {
		fprintf(stderr, "sandbox_start: %s\n", err.msg);
		return -1;
	}
	snprintf(T.base, sizeof(T.base), "http://127.0.0.1:%d", http_server_port(T.sb->ns.http));
	nst_login(&T);
	return 0;
}

static int group_teardown(void **state)
{
	MLC_UNUSED(state);
	sandbox_free(T.sb);
	http_server_free(recv_srv);
	json_decref(recv_events);
	nst_rmrf(T.dir);
	return 0;
}

/* docs/reference/netsuite.md "Auth": alg one of PS256..ES512; RS256 rejected; kid, iss,
 * aud, iat/exp rules; errors {"error": ...} 400/401. */
static void test_token_rules(void **state)
{
	struct nssim_cert *rsa = &T.sb->nssim->certs[0], *ec = &T.sb->nssim->certs[1];
	int64_t now = nst_now(&T);
	struct {
		struct nssim_cert *cert;
		const char *alg, *kid;
		int64_t iat, exp;
		const char *iss, *aud;
		long status;
		const char *error;
	} cases[] = {
	    {rsa, "PS256", rsa->kid, now, now + 3600, NULL, NULL, 200, NULL},
	    {ec, "ES256", ec->kid, now, now + 600, NULL, NULL, 200, NULL},
	    {rsa, "RS256", rsa->kid, now, now + 600, NULL, NULL, 401, "invalid_client"},
	    {rsa, "PS256", "no-such-certificate", now, now + 600, NULL, NULL, 401,
	     "invalid_client"},
	    {ec, "PS256", ec->kid, now, now + 600, NULL, NULL, 401, "invalid_client"},
	    {rsa, "PS256", rsa->kid, now, now + 600, "someone-else", NULL, 401, "invalid_client"},
	    {rsa, "PS256", rsa->kid, now, now + 600, NULL, "https://example.com/token", 400,
	     "invalid_grant"},
	    {rsa, "PS256", rsa->kid, now, now + 3601, NULL, NULL, 400, "invalid_grant"},
	    {rsa, "PS256", rsa->kid, now - 4000, now - 400, NULL, NULL, 400, "invalid_grant"},
	    {rsa, "PS256", rsa->kid, now + 600, now + 1200, NULL, NULL, 400, "invalid_grant"},
	};

	MLC_UNUSED(state);
	for (size_t i = 0; i < MLC_ARRAY_LEN(cases); i++) {
		json_t *c = nst_claims(&T, cases[i].iat, cases[i].exp), *j;
		struct mlc_buf out = MLC_BUF_INIT;
		char *jwt;
		long st;
		if (cases[i].iss)
			json_object_set_new(c, "iss", json_string(cases[i].iss));
		if (cases[i].aud)
			json_object_set_new(c, "aud", json_string(cases[i].aud));
		jwt = nst_jwt(cases[i].cert, cases[i].alg, cases[i].kid, c);
		st = nst_token_post(&T, jwt, &out);
		j = json_loads(out.data, 0, NULL);
		if (st != cases[i].status)
			fprintf(stderr, "case %zu: %ld %s\n", i, st, out.data);
		assert_int_equal(st, cases[i].status);
		if (cases[i].error) {
			assert_string_equal(json_string_value(json_object_get(j, "error")),
					    cases[i].error);
		} else {
			assert_string_equal(json_string_value(json_object_get(j, "token_type")),
					    "bearer");
			assert_int_equal(json_integer_value(json_object_get(j, "expires_in")),
					 3600);
			assert_null(json_object_get(j, "refresh_token"));
		}
		json_decref(j);
		json_decref(c);
		free(jwt);
		buf_release(&out);
	}
	{
		/* Not a JWT at all: invalid_request. */
		struct mlc_buf out = MLC_BUF_INIT;
		assert_int_equal(nst_token_post(&T, "garbage", &out), 400);
		assert_non_null(strstr(out.data, "invalid_request"));
		buf_release(&out);
	}
}

/* docs/reference/netsuite.md "Errors": 401 INVALID_LOGIN when the bearer is missing. */
static void test_invalid_login(void **state)
{
	char url[128];
	struct mlc_buf out = MLC_BUF_INIT;
	json_t *j;

	MLC_UNUSED(state);
	snprintf(url, sizeof(url), "%s/services/rest/record/v1/vendor/21", T.base);
	assert_int_equal(ht_request("GET", url, NULL, NULL, &out), 401);
	j = json_loads(out.data, 0, NULL);
	assert_string_equal(nst_err(j, "o:errorCode"), "INVALID_LOGIN");
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 401);
	assert_non_null(json_object_get(j, "title"));
	assert_non_null(json_object_get(j, "type"));
	json_decref(j);
	buf_release(&out);
}

/* docs/reference/netsuite/suiteql.md V1-V6: strings for numbers and ids, "T"/"F", M/D/YYYY dates,
 * NULLs left out, lowercase keys, links on items; TO_CHAR for timestamps. */
static void test_suiteql_values(void **state)
{
	json_t *j = NULL, *it;

	MLC_UNUSED(state);
	assert_int_equal(nst_suiteql(&T, "limit=5",
				     "SELECT ID, periodname, startdate, closed, parent, "
				     "TO_CHAR(startdate, 'YYYY-MM-DD HH24:MI:SS') AS ts FROM "
				     "accountingperiod WHERE periodname = 'Jan 2026'",
				     &j),
			 200);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 1);
	assert_true(json_is_false(json_object_get(j, "hasMore")));
	assert_int_equal(json_integer_value(json_object_get(j, "totalResults")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "offset")), 0);
	assert_true(json_is_array(json_object_get(j, "links")));
	it = json_array_get(json_object_get(j, "items"), 0);
	assert_true(json_is_string(json_object_get(it, "id")));
	assert_string_equal(json_string_value(json_object_get(it, "startdate")), "1/1/2026");
	assert_string_equal(json_string_value(json_object_get(it, "closed")), "T");
	assert_string_equal(json_string_value(json_object_get(it, "ts")), "2026-01-01 00:00:00");
	assert_true(json_is_string(json_object_get(it, "parent")));
	assert_true(json_is_array(json_object_get(it, "links")));
	json_decref(j);
	/* NULL columns are left out; amounts are strings; BUILTIN.DF and exprN. */
	assert_int_equal(
	    nst_suiteql(&T, NULL,
			"SELECT t.id, t.memo, t.foreigntotal, BUILTIN.DF(t.entity) AS "
			"vendorname, COUNT(*) FROM transaction t WHERE t.type = 'PurchOrd' "
			"GROUP BY t.id, t.memo, t.foreigntotal, t.entity ORDER BY t.id",
			&j),
	    200);
	it = json_array_get(json_object_get(j, "items"), 0);
	assert_null(json_object_get(it, "memo"));
	assert_true(json_is_string(json_object_get(it, "foreigntotal")));
	assert_true(json_is_string(json_object_get(it, "vendorname")));
	assert_string_equal(json_string_value(json_object_get(it, "expr1")), "1");
	json_decref(j);
}

/* docs/reference/netsuite.md "SuiteQL": limit <= 1000, offset a multiple of limit,
 * 100,000-row cap; unknown identifiers and non-SELECT rejected (V9). */
static void test_suiteql_paging(void **state)
{
	json_t *j = NULL;
	int64_t total;

	MLC_UNUSED(state);
	assert_int_equal(
	    nst_suiteql(&T, "limit=10&offset=20", "SELECT id FROM vendor ORDER BY id", &j), 200);
	total = json_integer_value(json_object_get(j, "totalResults"));
	assert_true(total > 250);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 10);
	assert_int_equal(json_integer_value(json_object_get(j, "offset")), 20);
	assert_true(json_is_true(json_object_get(j, "hasMore")));
	json_decref(j);
	assert_int_equal(nst_suiteql(&T, "limit=1001", "SELECT id FROM vendor", &j), 400);
	assert_string_equal(nst_err(j, "o:errorCode"), "INVALID_PARAMETER");
	json_decref(j);
	assert_int_equal(nst_suiteql(&T, "limit=10&offset=15", "SELECT id FROM vendor", &j), 400);
	json_decref(j);
	assert_int_equal(nst_suiteql(&T, "limit=1000&offset=100000", "SELECT id FROM vendor", &j),
			 400);
	json_decref(j);
	assert_int_equal(nst_suiteql(&T, NULL, "SELECT balance FROM vendor", &j), 400);
	assert_non_null(strstr(nst_err(j, "detail"), "Unknown identifier 'balance'"));
	json_decref(j);
	/* createdfrom is a transactionline column only (docs/reference/netsuite.md: reports say
	 * transaction.createdfrom fails); bills made from a PO carry it on their lines */
	assert_int_equal(nst_suiteql(&T, NULL, "SELECT createdfrom FROM transaction", &j), 400);
	assert_non_null(strstr(nst_err(j, "detail"), "Unknown identifier 'createdfrom'"));
	json_decref(j);
	assert_int_equal(
	    nst_suiteql(&T, NULL,
			"SELECT id FROM transaction WHERE type = 'VendBill' AND id IN "
			"(SELECT transaction FROM transactionline WHERE createdfrom IS "
			"NOT NULL)",
			&j),
	    200);
	assert_true(json_integer_value(json_object_get(j, "totalResults")) > 0);
	json_decref(j);
	assert_int_equal(nst_suiteql(&T, NULL, "SELECT id FROM nosuchtable", &j), 400);
	json_decref(j);
	assert_int_equal(nst_suiteql(&T, NULL, "DELETE FROM vendor", &j), 400);
	json_decref(j);
	assert_int_equal(nst_suiteql(&T, NULL, "SELECT id FROM vendor; DROP TABLE vendor", &j),
			 400);
	json_decref(j);
	/* Incremental read with TO_TIMESTAMP (docs/reference/netsuite.md "Incremental reads"). */
	assert_int_equal(nst_suiteql(&T, "limit=1",
				     "SELECT id FROM transaction WHERE lastmodifieddate >= "
				     "TO_TIMESTAMP('2026-01-01 00:00:00', 'YYYY-MM-DD HH24:MI:SS') "
				     "ORDER BY lastmodifieddate, id",
				     &j),
			 200);
	assert_true(json_integer_value(json_object_get(j, "totalResults")) >= 200);
	json_decref(j);
}

/* docs/reference/netsuite.md "REST record service": POST -> 204 + Location, GET, PATCH,
 * unknown field -> 400 INVALID_CONTENT with o:errorPath, 404 NONEXISTENT_ID. */
static void test_vendor_crud(void **state)
{
	json_t *j = NULL;
	char url[256], want[256];
	struct mlc_buf out = MLC_BUF_INIT, hdr = MLC_BUF_INIT;
	const char *hdrs[] = {T.auth, "Content-Type: application/json", NULL};
	CURL *c;
	struct curl_slist *hl = NULL;
	long st;

	MLC_UNUSED(state);
	/* POST with the Location header read by curl. */
	snprintf(url, sizeof(url), "%s/services/rest/record/v1/vendor", T.base);
	c = curl_easy_init();
	for (int i = 0; hdrs[i]; i++)
		hl = curl_slist_append(hl, hdrs[i]);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS,
			 "{\"companyName\":\"O'Brien Drywall, Inc.\",\"subsidiary\":{\"id\":\"1\"},"
			 "\"externalId\":\"pc:1:vendor:77\",\"email\":\"ap@obrien.example\"}");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ht_write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, ht_write_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hdr);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
	assert_int_equal(st, 204);
	snprintf(want, sizeof(want), "Location: %s/services/rest/record/v1/vendor/", T.base);
	assert_non_null(strcasestr(hdr.data, want));
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	buf_release(&out);
	buf_release(&hdr);
	/* Read back through SuiteQL with a doubled quote (docs/reference/netsuite.md "Values from
	 * data"). */
	assert_int_equal(nst_suiteql(&T, NULL,
				     "SELECT id, companyname, isinactive FROM vendor WHERE "
				     "companyname = 'O''Brien Drywall, Inc.'",
				     &j),
			 200);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 1);
	snprintf(url, sizeof(url), "/services/rest/record/v1/vendor/%s",
		 json_string_value(
		     json_object_get(json_array_get(json_object_get(j, "items"), 0), "id")));
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(j, "items"), 0), "isinactive")),
			    "F");
	json_decref(j);
	assert_int_equal(nst_req(&T, "GET", url, NULL, &j), 200);
	assert_string_equal(json_string_value(json_object_get(j, "companyName")),
			    "O'Brien Drywall, Inc.");
	assert_true(json_is_false(json_object_get(j, "isInactive")));
	assert_true(json_is_object(json_object_get(j, "subsidiary")));
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(j, "subsidiary"), "id")), "1");
	assert_non_null(json_object_get(j, "lastModifiedDate"));
	json_decref(j);
	assert_int_equal(nst_req(&T, "PATCH", url, "{\"isInactive\":true}", NULL), 204);
	assert_int_equal(nst_req(&T, "GET", url, NULL, &j), 200);
	assert_true(json_is_true(json_object_get(j, "isInactive")));
	assert_string_equal(json_string_value(json_object_get(j, "email")), "ap@obrien.example");
	json_decref(j);
	assert_int_equal(nst_req(&T, "PATCH", url, "{\"colour\":\"blue\"}", &j), 400);
	assert_string_equal(nst_err(j, "o:errorCode"), "INVALID_CONTENT");
	assert_string_equal(nst_err(j, "o:errorPath"), "colour");
	json_decref(j);
	/* A docs/reference/netsuite/records.json field the simulator does not model is kept, typed.
	 */
	assert_int_equal(nst_req(&T, "PATCH", url, "{\"fax\":42}", &j), 400);
	assert_string_equal(nst_err(j, "o:errorPath"), "fax");
	json_decref(j);
	assert_int_equal(nst_req(&T, "PATCH", url, "{\"fax\":\"916-555-0100\"}", NULL), 204);
	assert_int_equal(nst_req(&T, "GET", url, NULL, &j), 200);
	assert_string_equal(json_string_value(json_object_get(j, "fax")), "916-555-0100");
	json_decref(j);
	assert_int_equal(nst_req(&T, "PATCH", url, "{\"subsidiary\":{\"id\":\"999\"}}", &j), 400);
	assert_string_equal(nst_err(j, "o:errorPath"), "subsidiary");
	json_decref(j);
	assert_int_equal(nst_req(&T, "GET", "/services/rest/record/v1/vendor/99999999", NULL, &j),
			 404);
	assert_string_equal(nst_err(j, "o:errorCode"), "NONEXISTENT_ID");
	json_decref(j);
	/* List with q returns ids and links only. */
	assert_int_equal(
	    nst_req(&T, "GET",
		    "/services/rest/record/v1/vendor?q=externalId%20IS%20%22pc:1:vendor:77%22",
		    NULL, &j),
	    200);
	assert_int_equal(json_integer_value(json_object_get(j, "totalResults")), 1);
	json_decref(j);
}

#define JE_BODY(eid, date, d, c)                                                                   \
	"{\"externalId\":\"" eid "\",\"subsidiary\":{\"id\":\"1\"},\"tranDate\":\"" date "\","     \
	"\"memo\":\"Procore costs\",\"line\":{\"items\":["                                         \
	"{\"account\":{\"id\":\"13\"},\"debit\":" d ",\"cseg_mlc_costcode\":{\"id\":\"6\"},"       \
	"\"entity\":{\"id\":\"2\"}},"                                                              \
	"{\"account\":{\"id\":\"6\"},\"credit\":" c "}]}}"

/* docs/reference/netsuite.md "journalEntry" + issue 4: JEs balance to the cent and post to
 * an open period; PUT eid: upserts (docs/intended-shape.md "Idempotency"). */
static void test_journal_entries(void **state)
{
	json_t *j = NULL;

	MLC_UNUSED(state);
	assert_int_equal(nst_req(&T, "POST", "/services/rest/record/v1/journalEntry",
				 JE_BODY("je-unbalanced", "2026-03-10", "100.01", "100.00"), &j),
			 400);
	assert_string_equal(nst_err(j, "o:errorCode"), "USER_ERROR");
	assert_non_null(strstr(nst_err(j, "detail"), "out of balance"));
	json_decref(j);
	/* January 2026 is closed in the seed. */
	assert_int_equal(nst_req(&T, "POST", "/services/rest/record/v1/journalEntry",
				 JE_BODY("je-closed", "2026-01-15", "50.00", "50.00"), &j),
			 400);
	assert_string_equal(nst_err(j, "o:errorPath"), "postingPeriod");
	assert_non_null(strstr(nst_err(j, "detail"), "closed"));
	json_decref(j);
	/* Sub-cent amounts are not money. */
	assert_int_equal(nst_req(&T, "POST", "/services/rest/record/v1/journalEntry",
				 JE_BODY("je-subcent", "2026-03-10", "1.005", "1.005"), &j),
			 400);
	assert_string_equal(nst_err(j, "o:errorCode"), "INVALID_CONTENT");
	json_decref(j);
	/* Upsert twice: one record, second write updates it. */
	assert_int_equal(nst_req(&T, "PUT",
				 "/services/rest/record/v1/journalEntry/eid:pc:1:je:2026-03-10",
				 JE_BODY("x", "2026-03-10", "1234.56", "1234.56"), NULL),
			 204);
	assert_int_equal(
	    nst_req(&T, "PUT",
		    "/services/rest/record/v1/journalEntry/eid:pc:1:je:2026-03-10?replace=line",
		    JE_BODY("x", "2026-03-10", "99.90", "99.90"), NULL),
	    204);
	assert_int_equal(
	    nst_suiteql(&T, NULL,
			"SELECT t.id, t.foreigntotal, tal.debit FROM transaction t JOIN "
			"transactionaccountingline tal ON tal.transaction = t.id WHERE "
			"t.externalid = 'pc:1:je:2026-03-10' AND tal.debit IS NOT NULL",
			&j),
	    200);
	assert_int_equal(json_integer_value(json_object_get(j, "totalResults")), 1);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(j, "items"), 0), "debit")),
			    "99.9");
	json_decref(j);
	assert_int_equal(nst_req(&T, "GET",
				 "/services/rest/record/v1/journalEntry/"
				 "eid:pc:1:je:2026-03-10?expandSubResources=true",
				 NULL, &j),
			 200);
	assert_int_equal(json_array_size(json_object_get(json_object_get(j, "line"), "items")), 2);
	assert_true(json_is_object(
	    json_object_get(json_array_get(json_object_get(json_object_get(j, "line"), "items"), 0),
			    "cseg_mlc_costcode")));
	json_decref(j);
	/* Closing a period through the admin API turns it away too. */
	{
		char url[128];
		struct mlc_buf out = MLC_BUF_INIT;
		snprintf(url, sizeof(url), "%s/_sandbox/netsuite/periods/%d/close", T.base, 9);
		assert_int_equal(ht_request("POST", url, "", NULL, &out), 200);
		buf_release(&out);
		assert_int_equal(nst_req(&T, "POST", "/services/rest/record/v1/journalEntry",
					 JE_BODY("je-apr", "2026-04-02", "5.00", "5.00"), &j),
				 400);
		assert_string_equal(nst_err(j, "o:errorPath"), "postingPeriod");
		json_decref(j);
	}
}

/* docs/reference/netsuite.md "purchaseOrder" / "vendorBill": item and expense sublists,
 * expandSubResources, transform to a bill. */
static void test_purchase_order(void **state)
{
	json_t *j = NULL;
	const char *body =
	    "{\"entity\":{\"id\":\"21\"},\"tranDate\":\"2026-05-04\",\"externalId\":\"pc:1:po:9\","
	    "\"item\":{\"items\":[{\"item\":{\"id\":\"3\"},\"quantity\":2,\"rate\":1250.5,"
	    "\"customer\":{\"id\":\"2\"},\"cseg_mlc_costcode\":{\"id\":\"6\"}}]},"
	    "\"expense\":{\"items\":[{\"account\":{\"id\":\"12\"},\"amount\":99.95}]}}";

	MLC_UNUSED(state);
	assert_int_equal(nst_req(&T, "POST", "/services/rest/record/v1/purchaseOrder", body, &j),
			 204);
	json_decref(j);
	assert_int_equal(
	    nst_req(&T, "GET",
		    "/services/rest/record/v1/purchaseOrder/eid:pc:1:po:9?expandSubResources=true",
		    NULL, &j),
	    200);
	assert_true(json_is_number(json_object_get(j, "total")));
	assert_int_equal((int64_t)(json_number_value(json_object_get(j, "total")) * 100 + 0.5),
			 260095);
	assert_int_equal(json_array_size(json_object_get(json_object_get(j, "item"), "items")), 1);
	assert_int_equal(json_array_size(json_object_get(json_object_get(j, "expense"), "items")),
			 1);
	json_decref(j);
	/* Unexpanded: sublists are links only. */
	assert_int_equal(
	    nst_req(&T, "GET", "/services/rest/record/v1/purchaseOrder/eid:pc:1:po:9", NULL, &j),
	    200);
	assert_null(json_object_get(json_object_get(j, "item"), "items"));
	json_decref(j);
	/* Header fields kept verbatim survive a PATCH of other fields. */
	assert_int_equal(nst_req(&T, "PATCH",
				 "/services/rest/record/v1/purchaseOrder/eid:pc:1:po:9",
				 "{\"toBeEmailed\":true}", NULL),
			 204);
	assert_int_equal(nst_req(&T, "PATCH",
				 "/services/rest/record/v1/purchaseOrder/eid:pc:1:po:9",
				 "{\"memo\":\"revised\"}", NULL),
			 204);
	assert_int_equal(
	    nst_req(&T, "GET", "/services/rest/record/v1/purchaseOrder/eid:pc:1:po:9", NULL, &j),
	    200);
	assert_true(json_is_true(json_object_get(j, "toBeEmailed")));
	assert_string_equal(json_string_value(json_object_get(j, "memo")), "revised");
	json_decref(j);
	/* Bad reference inside a sublist names its path. */
	assert_int_equal(nst_req(&T, "POST", "/services/rest/record/v1/purchaseOrder",
				 "{\"entity\":{\"id\":\"21\"},\"expense\":{\"items\":[{\"account\":"
				 "{\"id\":\"777\"},\"amount\":1}]}}",
				 &j),
			 400);
	assert_string_equal(nst_err(j, "o:errorPath"), "expense.items[0].account");
	json_decref(j);
}

/* docs/reference/netsuite.md "Record types": the master records and a bill written
 * directly; docs/reference/netsuite/records.json field names and JSON types on GET. */
static void test_other_records(void **state)
{
	json_t *j = NULL;

	MLC_UNUSED(state);
	assert_int_equal(nst_req(&T, "POST", "/services/rest/record/v1/department",
				 "{\"name\":\"Field Ops\",\"parent\":{\"id\":\"1\"}}", NULL),
			 204);
	assert_int_equal(nst_req(&T, "POST", "/services/rest/record/v1/account",
				 "{\"acctNumber\":\"5600\",\"acctName\":\"Job Cost - Permits\","
				 "\"acctType\":{\"id\":\"COGS\"}}",
				 NULL),
			 204);
	assert_int_equal(
	    nst_suiteql(&T, NULL,
			"SELECT id, accttype, fullname FROM account WHERE acctnumber = "
			"'5600'",
			&j),
	    200);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(j, "items"), 0), "accttype")),
			    "COGS");
	json_decref(j);
	assert_int_equal(nst_req(&T, "POST", "/services/rest/record/v1/job",
				 "{\"companyName\":\"Warehouse Annex\",\"entityId\":\"MBG-2411\","
				 "\"parent\":{\"id\":\"1\"},\"subsidiary\":{\"id\":\"1\"},"
				 "\"startDate\":\"2026-06-01\"}",
				 NULL),
			 204);
	assert_int_equal(
	    nst_req(&T, "POST", "/services/rest/record/v1/customrecord_cseg_mlc_costcode",
		    "{\"name\":\"99-100 Contingency\",\"externalId\":\"99-100\"}", NULL),
	    204);
	assert_int_equal(
	    nst_req(&T, "GET", "/services/rest/record/v1/accountingPeriod/6", NULL, &j), 200);
	assert_true(json_is_true(json_object_get(j, "closed")));
	assert_string_equal(json_string_value(json_object_get(j, "startDate")), "2026-01-01");
	json_decref(j);
	assert_int_equal(nst_req(&T, "POST", "/services/rest/record/v1/subsidiary",
				 "{\"name\":\"Other\"}", NULL),
			 400);
	assert_int_equal(nst_req(&T, "POST", "/services/rest/record/v1/vendorBill",
				 "{\"entity\":{\"id\":\"22\"},\"tranId\":\"INV-778\","
				 "\"tranDate\":\"2026-06-15\",\"expense\":{\"items\":[{\"account\":"
				 "{\"id\":\"12\"},\"amount\":10.10,\"customer\":{\"id\":\"4\"}}]}}",
				 &j),
			 204);
	json_decref(j);
	assert_int_equal(
	    nst_suiteql(&T, NULL,
			"SELECT SUM(tal.amount) AS net, COUNT(*) AS n FROM transaction t "
			"JOIN transactionaccountingline tal ON tal.transaction = t.id "
			"WHERE t.tranid = 'INV-778'",
			&j),
	    200);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(j, "items"), 0), "net")),
			    "0");
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "n")),
	    "2");
	json_decref(j);
	assert_int_equal(
	    nst_req(
		&T, "GET",
		"/services/rest/record/v1/vendorBill?q=tranDate%20ON_OR_AFTER%20%222026-06-15%22"
		"%20AND%20tranId%20START_WITH%20%22INV-77%22",
		NULL, &j),
	    200);
	assert_int_equal(json_integer_value(json_object_get(j, "totalResults")), 1);
	json_decref(j);
	assert_int_equal(
	    nst_req(&T, "GET", "/services/rest/record/v1/vendorBill?q=bogus%20IS%201", NULL, &j),
	    400);
	json_decref(j);
}

/* docs/reference/netsuite.md "Async": Prefer: respond-async -> 202 + job Location; a
 * repeated X-NetSuite-Idempotency-Key -> 400 IDEMPOTENCY_ERROR. */
static long async_post(const char *key, struct mlc_buf *hdr, json_t **body)
{
	char url[160], keyh[128];
	const char *hdrs[] = {T.auth, "Content-Type: application/json", "Prefer: respond-async",
			      keyh, NULL};
	struct mlc_buf out = MLC_BUF_INIT;
	CURL *c = curl_easy_init();
	struct curl_slist *hl = NULL;
	long st = 0;

	snprintf(keyh, sizeof(keyh), "X-NetSuite-Idempotency-Key: %s", key);
	snprintf(url, sizeof(url), "%s/services/rest/record/v1/vendor", T.base);
	for (int i = 0; hdrs[i]; i++)
		hl = curl_slist_append(hl, hdrs[i]);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS,
			 "{\"companyName\":\"Async Glazing\",\"subsidiary\":{\"id\":\"1\"}}");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ht_write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, ht_write_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, hdr);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
	*body = out.len ? json_loads(out.data, 0, NULL) : NULL;
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	buf_release(&out);
	return st;
}

static void test_async_idempotency(void **state)
{
	struct mlc_buf hdr = MLC_BUF_INIT;
	json_t *j = NULL;
	const char *loc;
	char path[200];

	MLC_UNUSED(state);
	assert_int_equal(async_post("7f0c2a9e-4d1b-4c55-9d6e-0a1b2c3d4e5f", &hdr, &j), 202);
	json_decref(j);
	loc = strcasestr(hdr.data, "Location: ");
	assert_non_null(loc);
	assert_non_null(strstr(loc, "/services/rest/async/v1/job/"));
	snprintf(path, sizeof(path), "%.*s", (int)strcspn(loc + 10 + strlen(T.base), "\r\n"),
		 loc + 10 + strlen(T.base));
	assert_int_equal(nst_req(&T, "GET", path, NULL, &j), 200);
	assert_true(json_is_true(json_object_get(j, "completed")));
	assert_string_equal(json_string_value(json_object_get(j, "progress")), "succeeded");
	json_decref(j);
	{
		char result[300];
		snprintf(result, sizeof(result), "%s/task/%s/result", path, strrchr(path, '/') + 1);
		assert_int_equal(nst_req(&T, "GET", result, NULL, NULL), 204);
	}
	buf_reset(&hdr);
	assert_int_equal(async_post("7f0c2a9e-4d1b-4c55-9d6e-0a1b2c3d4e5f", &hdr, &j), 400);
	assert_string_equal(nst_err(j, "o:errorCode"), "IDEMPOTENCY_ERROR");
	json_decref(j);
	assert_int_equal(
	    nst_suiteql(&T, NULL, "SELECT id FROM vendor WHERE companyname = 'Async Glazing'", &j),
	    200);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 1);
	json_decref(j);
	buf_release(&hdr);
}

/* Governance: more than --ns-concurrency requests in flight get 429
 * CONCURRENCY_LIMIT_EXCEEDED without Retry-After (docs/reference/netsuite.md "Governance"). */
struct par {
	long status;
	bool retry_after;
	char code[64];
};

static size_t hdr_cb(char *p, size_t size, size_t n, void *arg)
{
	if (n * size >= 12 && strncasecmp(p, "Retry-After:", 12) == 0)
		((struct par *)arg)->retry_after = true;
	return size * n;
}

static void *par_main(void *arg)
{
	struct par *p = arg;
	struct mlc_buf out = MLC_BUF_INIT;
	char url[128];
	CURL *c = curl_easy_init();
	struct curl_slist *hl = curl_slist_append(NULL, T.auth);
	json_t *j;

	snprintf(url, sizeof(url), "%s/services/rest/record/v1/vendor/21", T.base);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ht_write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, hdr_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, p);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &p->status);
	j = json_loads(out.data, 0, NULL);
	snprintf(p->code, sizeof(p->code), "%s", nst_err(j, "o:errorCode"));
	json_decref(j);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	buf_release(&out);
	return NULL;
}

static void set_faults(const char *json)
{
	char url[128];
	struct mlc_buf out = MLC_BUF_INIT;

	snprintf(url, sizeof(url), "%s/_sandbox/faults", T.base);
	assert_int_equal(ht_request("POST", url, json, NULL, &out), 200);
	buf_release(&out);
}

static void test_concurrency_429(void **state)
{
	pthread_t th[12];
	struct par p[12];
	int ok = 0, limited = 0;
	json_t *stats;
	char url[128];
	struct mlc_buf out = MLC_BUF_INIT;

	MLC_UNUSED(state);
	snprintf(url, sizeof(url), "%s/_sandbox/reset-stats", T.base);
	assert_int_equal(ht_request("POST", url, "", NULL, &out), 200);
	set_faults("{\"faults\":\"\",\"latency_ms\":300}");
	memset(p, 0, sizeof(p));
	for (int i = 0; i < 12; i++)
		pthread_create(&th[i], NULL, par_main, &p[i]);
	for (int i = 0; i < 12; i++) {
		pthread_join(th[i], NULL);
		if (p[i].status == 200)
			ok++;
		if (p[i].status == 429) {
			limited++;
			assert_string_equal(p[i].code, "CONCURRENCY_LIMIT_EXCEEDED");
			assert_false(p[i].retry_after);
		}
	}
	set_faults("{\"faults\":\"\",\"latency_ms\":0}");
	assert_true(ok >= 5);
	assert_true(limited >= 1);
	assert_int_equal(ok + limited, 12);
	buf_reset(&out);
	snprintf(url, sizeof(url), "%s/_sandbox/stats", T.base);
	assert_int_equal(ht_request("GET", url, NULL, NULL, &out), 200);
	stats = json_loads(out.data, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(stats, "rejected_429")), limited);
	assert_true(json_integer_value(json_object_get(stats, "max_concurrency")) > 5);
	/* Rejected calls count under their path template too. */
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(stats, "calls"),
					       "GET /services/rest/record/v1/{type}/{id}")),
	    12);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(stats, "status"), "429")), limited);
	json_decref(stats);
	buf_release(&out);
}

/* Issue 4 "lost": the write commits, then the connection drops; the
 * client saw no response but the record exists. */
static void test_lost_response(void **state)
{
	json_t *j = NULL;
	long st;

	MLC_UNUSED(state);
	set_faults("{\"faults\":\"ns:lost=1\"}");
	st = nst_req(&T, "POST", "/services/rest/record/v1/vendor",
		     "{\"companyName\":\"Lost Reply Electric\",\"subsidiary\":{\"id\":\"1\"},"
		     "\"externalId\":\"pc:1:vendor:lost\"}",
		     NULL);
	set_faults("{\"faults\":\"\"}");
	assert_true(st < 0); /* no HTTP response at all */
	assert_int_equal(nst_suiteql(&T, NULL,
				     "SELECT id FROM vendor WHERE externalid = 'pc:1:vendor:lost'",
				     &j),
			 200);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 1);
	json_decref(j);
	/* The retry upserts by external id: still one vendor. */
	assert_int_equal(
	    nst_req(&T, "PUT", "/services/rest/record/v1/vendor/eid:pc:1:vendor:lost",
		    "{\"companyName\":\"Lost Reply Electric\",\"subsidiary\":{\"id\":\"1\"}}",
		    NULL),
	    204);
	assert_int_equal(
	    nst_suiteql(&T, NULL, "SELECT id FROM vendor WHERE companyname = 'Lost Reply Electric'",
			&j),
	    200);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 1);
	json_decref(j);
}

/* Issue 4 "--faults": reset drops the connection before handling (no
 * write); 5xx answers 500/502/503. */
static void test_reset_and_5xx(void **state)
{
	json_t *j = NULL;
	long st;

	MLC_UNUSED(state);
	set_faults("{\"faults\":\"ns:reset=1\"}");
	st = nst_req(&T, "POST", "/services/rest/record/v1/vendor",
		     "{\"companyName\":\"Reset Roofing\",\"subsidiary\":{\"id\":\"1\"}}", NULL);
	set_faults("{\"faults\":\"ns:5xx=1\"}");
	assert_true(st < 0);
	st = nst_req(&T, "GET", "/services/rest/record/v1/vendor/21", NULL, NULL);
	set_faults("{\"faults\":\"\"}");
	assert_true(st == 500 || st == 502 || st == 503);
	assert_int_equal(
	    nst_suiteql(&T, NULL, "SELECT id FROM vendor WHERE companyname = 'Reset Roofing'", &j),
	    200);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 0);
	json_decref(j);
	/* The sublist link of a record answers with the lines. */
	assert_int_equal(
	    nst_req(&T, "GET", "/services/rest/record/v1/purchaseOrder/1/item", NULL, &j), 200);
	assert_true(json_array_size(json_object_get(j, "items")) >= 1);
	json_decref(j);
}

/* docs/reference/netsuite.md "Outbound events": a push with the shared secret from
 * 127.0.0.1 after each create/update. */
static void test_push(void **state)
{
	bool seen = false;

	MLC_UNUSED(state);
	assert_int_equal(
	    nst_req(&T, "POST", "/services/rest/record/v1/vendor",
		    "{\"companyName\":\"Pushy Plumbing\",\"subsidiary\":{\"id\":\"1\"}}", NULL),
	    204);
	for (int i = 0; i < 100 && !seen; i++) {
		size_t k;
		json_t *e;
		pthread_mutex_lock(&recv_lock);
		json_array_foreach (recv_events, k, e) {
			json_t *b = json_object_get(e, "body");
			if (strcmp(json_string_value(json_object_get(b, "recordType")), "vendor") ==
				0 &&
			    json_is_string(json_object_get(b, "id")) &&
			    json_is_string(json_object_get(b, "lastModifiedDate"))) {
				assert_string_equal(json_string_value(json_object_get(e, "secret")),
						    "s3cret-push");
				assert_string_equal(json_string_value(json_object_get(e, "ip")),
						    "127.0.0.1");
				seen = true;
			}
		}
		pthread_mutex_unlock(&recv_lock);
		if (!seen)
			time_sleep_ms(50);
	}
	assert_true(seen);
	/* A user's edit in the UI (admin route) is visible and pushed too. */
	{
		char url[160];
		struct mlc_buf out = MLC_BUF_INIT;
		json_t *j = NULL;
		size_t before;
		pthread_mutex_lock(&recv_lock);
		before = json_array_size(recv_events);
		pthread_mutex_unlock(&recv_lock);
		snprintf(url, sizeof(url), "%s/_sandbox/netsuite/records/vendor/21", T.base);
		assert_int_equal(
		    ht_request("PATCH", url, "{\"phone\":\"916-555-0199\"}", NULL, &out), 200);
		buf_release(&out);
		assert_int_equal(nst_req(&T, "GET", "/services/rest/record/v1/vendor/21", NULL, &j),
				 200);
		assert_string_equal(json_string_value(json_object_get(j, "phone")), "916-555-0199");
		json_decref(j);
		for (int i = 0; i < 100; i++) {
			size_t now;
			pthread_mutex_lock(&recv_lock);
			now = json_array_size(recv_events);
			pthread_mutex_unlock(&recv_lock);
			if (now > before)
				break;
			time_sleep_ms(50);
		}
		pthread_mutex_lock(&recv_lock);
		assert_true(json_array_size(recv_events) > before);
		pthread_mutex_unlock(&recv_lock);
	}
}

/* docs/reference/netsuite.md "Auth": tokens expire after --token-ttl; time travel. */
static void test_token_expiry(void **state)
{
	char url[128];
	struct mlc_buf out = MLC_BUF_INIT;

	MLC_UNUSED(state);
	assert_int_equal(nst_req(&T, "GET", "/services/rest/record/v1/vendor/21", NULL, NULL), 200);
	snprintf(url, sizeof(url), "%s/_sandbox/time/advance?seconds=3601", T.base);
	assert_int_equal(ht_request("POST", url, "", NULL, &out), 200);
	buf_release(&out);
	assert_int_equal(nst_req(&T, "GET", "/services/rest/record/v1/vendor/21", NULL, NULL), 401);
	nst_login(&T);
	assert_int_equal(nst_req(&T, "GET", "/services/rest/record/v1/vendor/21", NULL, NULL), 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_token_rules),
	    cmocka_unit_test(test_invalid_login),
	    cmocka_unit_test(test_suiteql_values),
	    cmocka_unit_test(test_suiteql_paging),
	    cmocka_unit_test(test_vendor_crud),
	    cmocka_unit_test(test_journal_entries),
	    cmocka_unit_test(test_purchase_order),
	    cmocka_unit_test(test_other_records),
	    cmocka_unit_test(test_async_idempotency),
	    cmocka_unit_test(test_concurrency_429),
	    cmocka_unit_test(test_lost_response),
	    cmocka_unit_test(test_reset_and_5xx),
	    cmocka_unit_test(test_push),
	    cmocka_unit_test(test_token_expiry),
	};
	int rc;

	log_setup(MLC_LOG_WARN, MLC_LOG_LOGFMT, NULL);
	curl_global_init(CURL_GLOBAL_ALL);
	rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
	metrics_reset();
	curl_global_cleanup();
	return rc;
}
