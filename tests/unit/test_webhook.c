#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store_test.h"

#include "core/inbox.h"
#include "core/tenant.h"
#include "flows/flow.h"
#include "server/webhook_parse.h"
#include "server/webhook_resources.h"

/*
 * Procore's documented sample events (docs/reference/procore/
 * webhook-payloads.md; procore/documentation plan_your_app/webhooks.md,
 * "Payload Formats", copied as published), and the 2020 sample of
 * webhooks/webhooks.md with the documented v2 event id above 2^53 [D2].
 */
static const char *v2_doc =
    "{\n  \"id\": 123456789,\n  \"ulid\": \"0A1B2C3D4F5G6H7I8J9K0LMN\",\n"
    "  \"timestamp\": \"2025-02-06T23:34:12.246562Z\",\n  \"metadata\": {\n"
    "    \"source_user_id\": 987654321,\n    \"source_project_id\": 2468013579,\n"
    "    \"source_operation_id\": null,\n    \"source_company_id\": 1357908642,\n"
    "    \"source_application_id\": null\n  },\n  \"user_id\": 987654321,\n"
    "  \"company_id\": 1357908642,\n  \"project_id\": 2468013579,\n"
    "  \"api_version\": \"v2.0\",\n  \"event_type\": \"update\",\n"
    "  \"resource_name\": \"RFIs\",\n  \"resource_id\": 54321\n}\n";

static const char *v2_2020 =
    "{\n  \"api_version\": \"v2\",\n  \"company_id\": 6452,\n  \"event_type\": \"create\",\n"
    "  \"id\": 5982324300946918154,\n  \"metadata\": {\n"
    "        \"source_application_id\": null,\n        \"source_company_id\": 6452,\n"
    "        \"source_operation_id\": null,\n        \"source_project_id\": 219542,\n"
    "        \"source_user_id\": 1469242\n  },\n  \"project_id\": 219542,\n"
    "  \"resource_id\": 245510722,\n"
    "  \"resource_name\": \"Purchase Order Contract Line Items\",\n"
    "  \"dependent_resources\": [\n    {\n      \"name\": \"Purchase Order Contracts\",\n"
    "      \"id\": 1517\n    }\n  ],\n  \"timestamp\": \"2020-07-20T15:22:01.353581Z\",\n"
    "  \"ulid\": \"01EDPD2J6SBY1163N77H95GW09\",\n  \"user_id\": 1469242\n}\n";

static const char *v3_doc =
    "{\n  \"id\": 123456789,\n  \"ulid\": \"0A1B2C3D4F5G6H7I8J9K0LMN\",\n"
    "  \"timestamp\": \"2025-02-06T23:34:12.246562Z\",\n  \"metadata\": {\n"
    "    \"source_user_id\": 987654321,\n    \"source_project_id\": 2468013579,\n"
    "    \"source_operation_id\": null,\n    \"source_company_id\": 1357908642,\n"
    "    \"source_application_id\": null\n  },\n  \"user_id\": 987654321,\n"
    "  \"company_id\": 1357908642,\n  \"project_id\": 2468013579,\n"
    "  \"api_version\": \"v3.0\",\n  \"event_type\": \"update\",\n"
    "  \"resource_name\": \"Direct Cost Line Items\",\n  \"resource_id\": 379913,\n"
    "  \"related_resources\": [\n    { \"id\": 1234, \"name\": \"Direct Costs\" }\n  ]\n}\n";

static const char *v4_doc =
    "{\n  \"id\": \"01JMYXMZRBVKK0PC6XS8SA4QRE\",\n"
    "  \"timestamp\": \"2025-02-25T16:04:43.619085Z\",\n  \"reason\": \"update\",\n"
    "  \"company_id\": \"8\",\n  \"project_id\": \"6778\",\n  \"user_id\": \"5447\",\n"
    "  \"resource_type\": \"Direct Cost Line Items\",\n  \"resource_id\": \"379913\"\n}\n";

/* Parses body, which must be a JSON object; returns the payload. */
static json_t *parse(const char *body, struct procore_event *ev)
{
	json_t *payload = NULL;
	struct mlc_error err = {0};

	if (webhook_parse_procore(body, strlen(body), ev, &payload, &err) != 0)
		fail_msg("parse failed: %s", err.msg);
	assert_non_null(payload);
	assert_true(ev->key[0] != '\0');
	return payload;
}

/* body with one member replaced (jansson does the editing). */
static char *edit(const char *body, const char *key, json_t *value)
{
	json_t *o = json_loads(body, 0, NULL);
	char *out;

	assert_non_null(o);
	if (value)
		json_object_set_new(o, key, value);
	else
		json_object_del(o, key);
	out = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return out;
}

static void test_procore_v2_documented(void **state)
{
	struct procore_event ev;
	json_t *payload;
	(void)state;

	payload = parse(v2_doc, &ev);
	assert_int_equal(ev.version, 2);
	assert_string_equal(ev.unusable, "");
	assert_string_equal(ev.key, "0A1B2C3D4F5G6H7I8J9K0LMN"); /* the ulid dedupes */
	assert_int_equal(ev.id, 123456789);
	assert_int_equal(ev.company_id, 1357908642);
	assert_int_equal(ev.project_id, 2468013579LL);
	assert_int_equal(ev.user_id, 987654321);
	assert_int_equal(ev.resource_id, 54321);
	assert_string_equal(ev.resource_name, "RFIs");
	assert_string_equal(ev.event_type, "update");
	assert_string_equal(ev.source_application_id, "");
	assert_string_equal(ev.timestamp, "2025-02-06T23:34:12.246562Z");
	/* a resource the connector does not route: the caller marks it */
	assert_null(webhook_resource_flow(ev.resource_name));
	assert_string_equal(webhook_procore_resource(payload), "RFIs");
	json_decref(payload);
}

static void test_procore_v2_id_above_2_53(void **state)
{
	struct procore_event ev;
	json_t *payload;
	char *text;
	(void)state;

	payload = parse(v2_2020, &ev);
	assert_int_equal(ev.version, 2); /* "v2", the older spelling */
	assert_string_equal(ev.unusable, "");
	assert_true(ev.id == 5982324300946918154LL); /* exact: no double on the way */
	assert_string_equal(ev.key, "01EDPD2J6SBY1163N77H95GW09");
	/* the stored payload keeps it exactly too */
	text = json_dumps(payload, JSON_COMPACT);
	assert_non_null(strstr(text, "\"id\":5982324300946918154"));
	free(text);
	json_decref(payload);
	/* without a ulid the id is the key, in full */
	text = edit(v2_2020, "ulid", NULL);
	payload = parse(text, &ev);
	assert_string_equal(ev.key, "5982324300946918154");
	json_decref(payload);
	free(text);
	/* the same id as a numeric string */
	text = edit(v2_2020, "id", json_string("5982324300946918154"));
	payload = parse(text, &ev);
	assert_true(ev.id == 5982324300946918154LL);
	json_decref(payload);
	free(text);
}

static void test_procore_v3_documented(void **state)
{
	struct procore_event ev;
	json_t *payload;
	char *text;
	(void)state;

	payload = parse(v3_doc, &ev);
	assert_int_equal(ev.version, 3);
	assert_string_equal(ev.unusable, "");
	assert_string_equal(ev.resource_name, "Direct Cost Line Items");
	assert_int_equal(ev.resource_id, 379913);
	assert_int_equal(ev.parent_id, 1234); /* the parent is kept */
	assert_string_equal(ev.parent_name, "Direct Costs");
	assert_string_equal(webhook_resource_flow(ev.resource_name), "costs");
	json_decref(payload);
	/* usually empty */
	text = edit(v3_doc, "related_resources", json_array());
	payload = parse(text, &ev);
	assert_string_equal(ev.unusable, "");
	assert_int_equal(ev.parent_id, 0);
	json_decref(payload);
	free(text);
}

static void test_procore_v4_documented(void **state)
{
	struct procore_event ev;
	json_t *payload;
	(void)state;

	payload = parse(v4_doc, &ev);
	assert_int_equal(ev.version, 4);
	assert_string_equal(ev.unusable, "");
	assert_string_equal(ev.key, "01JMYXMZRBVKK0PC6XS8SA4QRE");
	assert_int_equal(ev.id, 0); /* a ULID is not an integer */
	assert_int_equal(ev.company_id, 8);
	assert_int_equal(ev.project_id, 6778);
	assert_int_equal(ev.user_id, 5447);
	assert_int_equal(ev.resource_id, 379913);
	assert_string_equal(ev.resource_name, "Direct Cost Line Items");
	assert_string_equal(ev.event_type, "update");
	assert_string_equal(ev.source_application_id, "");
	assert_string_equal(webhook_procore_resource(payload), "Direct Cost Line Items");
	json_decref(payload);
}

/* The v4 schema allows more fields than the sample: ulid, metadata, data
 * and anything else are tolerated, and the string id stays the key. */
static void test_procore_v4_extra_fields(void **state)
{
	const char *b = "{\"id\":\"01JMYXMZRBVKK0PC6XS8SA4QRE\",\"ulid\":\"01OTHER\","
			"\"timestamp\":\"2025-02-25T16:04:43.619085Z\",\"reason\":\"create\","
			"\"company_id\":\"8\",\"project_id\":null,\"user_id\":\"5447\","
			"\"resource_type\":\"Company Vendors\",\"resource_id\":\"5\","
			"\"metadata\":{\"source_application_id\":\"abc\"},"
			"\"data\":{\"changes\":[1,2]},\"something_new\":[true]}";
	struct procore_event ev;
	json_t *payload;
	(void)state;

	payload = parse(b, &ev);
	assert_int_equal(ev.version, 4);
	assert_string_equal(ev.unusable, "");
	assert_string_equal(ev.key, "01JMYXMZRBVKK0PC6XS8SA4QRE");
	assert_int_equal(ev.project_id, 0); /* company-level: null accepted */
	/* v4 has no metadata: a stray one is not trusted for echoes */
	assert_string_equal(ev.source_application_id, "");
	json_decref(payload);
}

static void test_procore_source_application(void **state)
{
	struct procore_event ev;
	json_t *payload, *o;
	char *text;
	(void)state;

	/* a string: the client id of the app that made the change */
	o = json_loads(v2_doc, 0, NULL);
	json_object_set_new(json_object_get(o, "metadata"), "source_application_id",
			    json_string("pcsim-4f2a9c0d11e7b3a8"));
	json_object_set_new(json_object_get(o, "metadata"), "source_operation_id",
			    json_string("op-77"));
	text = json_dumps(o, JSON_COMPACT);
	payload = parse(text, &ev);
	assert_string_equal(ev.unusable, "");
	assert_string_equal(ev.source_application_id, "pcsim-4f2a9c0d11e7b3a8");
	json_decref(payload);
	free(text);
	/* an integer (what older code sent) is tolerated, as its digits */
	json_object_set_new(json_object_get(o, "metadata"), "source_application_id",
			    json_integer(4242));
	text = json_dumps(o, JSON_COMPACT);
	payload = parse(text, &ev);
	assert_string_equal(ev.unusable, "");
	assert_string_equal(ev.source_application_id, "4242");
	json_decref(payload);
	free(text);
	json_decref(o);
}

/* Parses as a JSON object but with a field the connector cannot use:
 * stored, marked unusable with a reason naming the problem. */
static void unusable_procore(const char *b, const char *why)
{
	struct procore_event ev;
	json_t *payload = parse(b, &ev);

	if (!strstr(ev.unusable, why))
		fail_msg("wanted '%s' in '%s' for %s", why, ev.unusable, b);
	json_decref(payload);
}

static void test_procore_unusable(void **state)
{
	struct procore_event a, b;
	json_t *pa, *pb;
	char *text;
	(void)state;

	unusable_procore("{\"hello\":\"world\"}", "neither event_type");
	unusable_procore("{\"id\":1,\"company_id\":8,\"resource_id\":5,\"resource_name\":\"X\"}",
			 "event_type");
	unusable_procore("{\"id\":1,\"company_id\":8,\"resource_id\":5,\"resource_name\":\"X\","
			 "\"event_type\":\"explode\"}",
			 "not create, update or delete");
	unusable_procore("{\"id\":-1,\"company_id\":8,\"resource_id\":5,\"resource_name\":\"X\","
			 "\"event_type\":\"create\"}",
			 "'id'");
	unusable_procore("{\"id\":1.5,\"company_id\":8,\"resource_id\":5,\"resource_name\":\"X\","
			 "\"event_type\":\"create\"}",
			 "'id'");
	unusable_procore(
	    "{\"id\":1,\"company_id\":8,\"resource_id\":5,\"resource_name\":\"X\\u0001\","
	    "\"event_type\":\"create\"}",
	    "control characters");
	unusable_procore("{\"id\":1,\"company_id\":\"eight\",\"resource_id\":5,"
			 "\"resource_name\":\"X\",\"event_type\":\"create\"}",
			 "'company_id'");
	unusable_procore("{\"id\":1,\"company_id\":8,\"resource_name\":\"X\","
			 "\"event_type\":\"create\"}",
			 "missing 'resource_id'");
	unusable_procore("{\"id\":1,\"api_version\":\"v9\",\"company_id\":8,\"resource_id\":5,"
			 "\"resource_name\":\"X\",\"event_type\":\"create\"}",
			 "api_version 'v9'");
	text = edit(v4_doc, "reason", json_string("archive"));
	unusable_procore(text, "reason 'archive'");
	free(text);
	text = edit(v4_doc, "resource_type", NULL);
	unusable_procore(text, "'resource_type'");
	free(text);
	text = edit(v3_doc, "related_resources", json_string("Direct Costs"));
	unusable_procore(text, "related_resources");
	free(text);
	/* no usable id: keyed by the body, so a redelivery still dedupes */
	text = edit(v4_doc, "id", json_object());
	pa = parse(text, &a);
	pb = parse(text, &b);
	assert_non_null(strstr(a.unusable, "'id'"));
	assert_true(strncmp(a.key, "body:", 5) == 0);
	assert_string_equal(a.key, b.key);
	json_decref(pa);
	json_decref(pb);
	free(text);
}

static void bad_procore(const char *b, const char *why)
{
	struct procore_event ev;
	json_t *payload = (json_t *)1;
	struct mlc_error err = {0};
	assert_int_equal(webhook_parse_procore(b, strlen(b), &ev, &payload, &err), MLC_EINVAL);
	assert_null(payload);
	if (!strstr(err.msg, why))
		fail_msg("wanted '%s' in '%s'", why, err.msg);
}

/* Only a body that is not a JSON object is refused (400). */
static void test_procore_rejects(void **state)
{
	(void)state;
	bad_procore("", "not valid JSON");
	bad_procore("{\"id\":1", "not valid JSON");
	bad_procore("[1,2]", "must be a JSON object");
	bad_procore("\"v2\"", "JSON");                        /* a scalar: not an object either */
	bad_procore("{\"id\":1,\"id\":2}", "not valid JSON"); /* duplicate keys refused */
}

/* One table: every resource registered with Procore is routed to a flow
 * the connector has, once. */
static void test_resource_table(void **state)
{
	size_t n = 0;
	const struct mlc_webhook_resource *r = webhook_resources(&n);
	(void)state;

	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(r[i].flow);
		if (!flow_find(r[i].flow))
			fail_msg("'%s' is registered but routed to unknown flow '%s'", r[i].name,
				 r[i].flow);
		assert_string_equal(webhook_resource_flow(r[i].name), r[i].flow);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(r[i].name, r[j].name);
	}
	assert_null(webhook_resource_flow("Purchase Order Contracts"));
	assert_null(webhook_resource_flow(NULL));
}

static void test_netsuite_push(void **state)
{
	const char *b = "{\"recordType\":\"purchaseOrder\",\"id\":\"1442\","
			"\"lastModifiedDate\":\"2026-11-26T16:12:48Z\"}";
	struct netsuite_event ev;
	json_t *payload;
	struct mlc_error err = {0};
	(void)state;

	assert_int_equal(webhook_parse_netsuite(b, strlen(b), &ev, &payload, &err), 0);
	assert_int_equal(ev.id, 1442);
	assert_string_equal(ev.key, "purchaseOrder:1442:2026-11-26T16:12:48Z");
	json_decref(payload);
	const char *bad = "{\"recordType\":\"po'; DROP\",\"id\":1,\"lastModifiedDate\":"
			  "\"2026-11-26T16:12:48Z\"}";
	assert_int_equal(webhook_parse_netsuite(bad, strlen(bad), &ev, &payload, &err), MLC_EINVAL);
	const char *baddate = "{\"recordType\":\"vendor\",\"id\":1,\"lastModifiedDate\":\"soon\"}";
	assert_int_equal(webhook_parse_netsuite(baddate, strlen(baddate), &ev, &payload, &err),
			 MLC_EINVAL);
	assert_non_null(strstr(err.msg, "lastModifiedDate"));
}

static void test_inbox_dedupe(void **state)
{
	struct mlc_store *s;
	struct mlc_error err = {0};
	struct mlc_tenant_changes c = {.procore_company_id = 8, .netsuite_account = "1"};
	struct mlc_tenant t;
	json_t *p = json_pack("{s:i}", "id", 1);
	int dup;
	int64_t id1, id2;
	struct mlc_inbox_event *ev;
	size_t n;
	(void)state;

	assert_int_equal(test_store_open(&s, &err), 0);
	assert_int_equal(tenant_add(s, "acme", &c, &err), 0);
	assert_int_equal(tenant_get(s, "acme", &t, &err), 0);
	assert_int_equal(inbox_add(s, t.id, "procore", "01JD", p, &dup, &id1, &err), 0);
	assert_int_equal(dup, 0);
	assert_true(id1 > 0);
	/* at-least-once delivery: the same event again stores nothing */
	assert_int_equal(inbox_add(s, t.id, "procore", "01JD", p, &dup, &id2, &err), 0);
	assert_int_equal(dup, 1);
	assert_int_equal(inbox_add(s, t.id, "netsuite", "01JD", p, &dup, &id2, &err), 0);
	assert_int_equal(dup, 0);
	assert_int_equal(inbox_pending(s, 10, &ev, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ev[0].id, id1);
	assert_int_equal(json_integer_value(json_object_get(ev[0].payload, "id")), 1);
	assert_int_equal(inbox_mark(s, ev[0].id, "done", &err), 0);
	for (size_t i = 0; i < n; i++)
		inbox_event_release(&ev[i]);
	free(ev);
	assert_int_equal(inbox_pending(s, 10, &ev, &n, &err), 0);
	assert_int_equal(n, 1);
	inbox_event_release(&ev[0]);
	free(ev);
	json_decref(p);
	tenant_release(&t);
	store_free(s);
}

/* v4 deliveries dedupe on the string id, whatever else differs; an
 * unusable event keeps its reason and is summarised for `status`. */
static void test_inbox_v4_dedupe_and_unusable(void **state)
{
	struct mlc_store *s;
	struct mlc_error err = {0};
	struct mlc_tenant_changes c = {.procore_company_id = 8, .netsuite_account = "1"};
	struct mlc_tenant t;
	struct procore_event a, b;
	json_t *pa, *pb;
	char *again = edit(v4_doc, "timestamp", json_string("2025-02-25T16:05:00Z"));
	int dup;
	int64_t id, count, at;
	char *reason;
	(void)state;

	assert_int_equal(test_store_open(&s, &err), 0);
	assert_int_equal(tenant_add(s, "acme", &c, &err), 0);
	assert_int_equal(tenant_get(s, "acme", &t, &err), 0);
	pa = parse(v4_doc, &a);
	pb = parse(again, &b);
	assert_string_equal(a.key, b.key);
	assert_int_equal(inbox_add(s, t.id, "procore", a.key, pa, &dup, &id, &err), 0);
	assert_int_equal(dup, 0);
	assert_int_equal(inbox_add(s, t.id, "procore", b.key, pb, &dup, &id, &err), 0);
	assert_int_equal(dup, 1);
	json_decref(pa);
	json_decref(pb);

	assert_int_equal(inbox_unusable_summary(s, t.id, &count, &reason, &at, &err), 0);
	assert_int_equal(count, 0);
	assert_null(reason);
	pa = parse(v2_doc, &a);
	assert_int_equal(inbox_add(s, t.id, "procore", a.key, pa, &dup, &id, &err), 0);
	assert_int_equal(
	    inbox_mark_unusable(s, id, "resource 'RFIs' is not one the connector routes", &err), 0);
	assert_int_equal(inbox_unusable_summary(s, t.id, &count, &reason, &at, &err), 0);
	assert_int_equal(count, 1);
	assert_string_equal(reason, "resource 'RFIs' is not one the connector routes");
	assert_true(at > 0);
	free(reason);
	json_decref(pa);
	free(again);
	tenant_release(&t);
	store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_procore_v2_documented),
	    cmocka_unit_test(test_procore_v2_id_above_2_53),
	    cmocka_unit_test(test_procore_v3_documented),
	    cmocka_unit_test(test_procore_v4_documented),
	    cmocka_unit_test(test_procore_v4_extra_fields),
	    cmocka_unit_test(test_procore_source_application),
	    cmocka_unit_test(test_procore_unusable),
	    cmocka_unit_test(test_procore_rejects),
	    cmocka_unit_test(test_resource_table),
	    cmocka_unit_test(test_inbox_v4_dedupe_and_unusable),
	    cmocka_unit_test(test_netsuite_push),
	    cmocka_unit_test(test_inbox_dedupe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
