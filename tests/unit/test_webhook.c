#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/inbox.h"
#include "core/tenant.h"
#include "server/webhook_parse.h"

/* A v2 payload as docs/reference/procore.md "Webhooks" describes it. */
static const char *v2 =
	"{\"id\":9007199254740993,\"ulid\":\"01JD5X3W8KZQ9V2N6R4T7Y1B0C\","
	"\"timestamp\":\"2026-11-26T16:00:00.123Z\","
	"\"metadata\":{\"source_user_id\":1,\"source_project_id\":2783,"
	"\"source_operation_id\":null,\"source_company_id\":8,\"source_application_id\":4242},"
	"\"user_id\":1,\"company_id\":8,\"project_id\":2783,\"api_version\":\"v2\","
	"\"event_type\":\"update\",\"resource_name\":\"Direct Costs\",\"resource_id\":77}";

static void test_procore_v2(void **state)
{
	struct procore_event ev;
	json_t *payload;
	struct mlc_error err = { 0 };
	(void)state;

	assert_int_equal(webhook_parse_procore(v2, strlen(v2), &ev, &payload, &err), 0);
	assert_int_equal(ev.id, 9007199254740993LL); /* > 2^53, exact */
	assert_string_equal(ev.key, "01JD5X3W8KZQ9V2N6R4T7Y1B0C");
	assert_int_equal(ev.company_id, 8);
	assert_int_equal(ev.project_id, 2783);
	assert_int_equal(ev.resource_id, 77);
	assert_int_equal(ev.source_application_id, 4242);
	assert_string_equal(ev.resource_name, "Direct Costs");
	assert_string_equal(ev.event_type, "update");
	json_decref(payload);
}

static void test_procore_v4_strings_and_company_level(void **state)
{
	const char *b = "{\"id\":\"12\",\"company_id\":\"8\",\"resource_id\":\"5\","
			"\"resource_name\":\"Company Vendors\",\"event_type\":\"create\"}";
	struct procore_event ev;
	json_t *payload;
	(void)state;

	assert_int_equal(webhook_parse_procore(b, strlen(b), &ev, &payload, NULL), 0);
	assert_int_equal(ev.project_id, 0);
	assert_string_equal(ev.key, "12"); /* no ulid: the id dedupes */
	json_decref(payload);
}

static void bad_procore(const char *b, const char *why)
{
	struct procore_event ev;
	json_t *payload = (json_t *)1;
	struct mlc_error err = { 0 };
	assert_int_equal(webhook_parse_procore(b, strlen(b), &ev, &payload, &err), MLC_EINVAL);
	assert_null(payload);
	if (!strstr(err.msg, why))
		fail_msg("wanted '%s' in '%s'", why, err.msg);
}

static void test_procore_rejects(void **state)
{
	(void)state;
	bad_procore("", "not valid JSON");
	bad_procore("{\"id\":1", "not valid JSON");
	bad_procore("[1,2]", "must be a JSON object");
	bad_procore("{\"id\":1,\"company_id\":8,\"resource_id\":5,\"resource_name\":\"X\"}",
		    "event_type");
	bad_procore("{\"id\":1,\"company_id\":8,\"resource_id\":5,\"resource_name\":\"X\","
		    "\"event_type\":\"explode\"}", "not create, update or delete");
	bad_procore("{\"id\":-1,\"company_id\":8,\"resource_id\":5,\"resource_name\":\"X\","
		    "\"event_type\":\"create\"}", "'id' is not a positive 64-bit id");
	bad_procore("{\"id\":1.5,\"company_id\":8,\"resource_id\":5,\"resource_name\":\"X\","
		    "\"event_type\":\"create\"}", "'id'");
	bad_procore("{\"id\":1,\"company_id\":8,\"resource_id\":5,\"resource_name\":\"X\\u0001\","
		    "\"event_type\":\"create\"}", "control characters");
	bad_procore("{\"id\":1,\"id\":2}", "not valid JSON"); /* duplicate keys refused */
}

static void test_netsuite_push(void **state)
{
	const char *b = "{\"recordType\":\"purchaseOrder\",\"id\":\"1442\","
			"\"lastModifiedDate\":\"2026-11-26T16:12:48Z\"}";
	struct netsuite_event ev;
	json_t *payload;
	struct mlc_error err = { 0 };
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
	struct mlc_error err = { 0 };
	struct mlc_tenant_changes c = { .procore_company_id = 8, .netsuite_account = "1" };
	struct mlc_tenant t;
	json_t *p = json_pack("{s:i}", "id", 1);
	int dup;
	int64_t id1, id2;
	struct mlc_inbox_event *ev;
	size_t n;
	(void)state;

	assert_int_equal(store_open("sqlite::memory:", &s, &err), 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_procore_v2),
		cmocka_unit_test(test_procore_v4_strings_and_company_level),
		cmocka_unit_test(test_procore_rejects),
		cmocka_unit_test(test_netsuite_push),
		cmocka_unit_test(test_inbox_dedupe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
