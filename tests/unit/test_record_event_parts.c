/*
 * Issue 20, record events: the parts below serve (which
 * tests/integration/test_record_events.sh drives whole).
 *  - the sandbox's latency per side and kind (sandbox/sandbox_latency.h):
 *    the spec's grammar, ranges drawn inside their bounds, a side or kind
 *    left out gets nothing;
 *  - the document lock (flows/doc_lock.h): a second taker of the same
 *    document waits until the first lets go; another document does not;
 *  - which resources are posted record by record (flows/flow_event.h).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "flows/doc_lock.h"
#include "flows/flow_event.h"
#include "sandbox/sandbox_latency.h"

static void latency_spec(void **state)
{
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(sbx_latency_set("ns:read=200,ns:write=300-800,pc=150", &err), 0);
	assert_int_equal(sbx_latency_ms("netsuite", false, 0.0), 200);
	assert_int_equal(sbx_latency_ms("netsuite", false, 0.99), 200);
	assert_int_equal(sbx_latency_ms("netsuite", true, 0.0), 300);
	assert_int_equal(sbx_latency_ms("netsuite", true, 0.999999), 800);
	for (int i = 0; i < 100; i++) {
		int64_t ms = sbx_latency_ms("netsuite", true, i / 100.0);
		assert_true(ms >= 300 && ms <= 800);
	}
	assert_int_equal(sbx_latency_ms("procore", false, 0.5), 150);
	assert_int_equal(sbx_latency_ms("procore", true, 0.5), 150);
	assert_int_equal(sbx_latency_set("pc:write=40", &err), 0);
	assert_int_equal(sbx_latency_ms("procore", true, 0.5), 40);
	assert_int_equal(sbx_latency_ms("procore", false, 0.5), 0);
	assert_int_equal(sbx_latency_ms("netsuite", true, 0.5), 0);
	assert_true(sbx_latency_on());
	assert_int_equal(sbx_latency_set(NULL, &err), 0);
	assert_false(sbx_latency_on()); /* no draw is made: the seeded faults stay */
	assert_int_equal(sbx_latency_ms("procore", true, 0.5), 0);
}

static void latency_spec_refused(void **state)
{
	static const char *const bad[] = {"ns",         "xx=5",  "ns:update=5", "ns=abc",
					  "ns=800-300", "ns=-5", "pc=1-999999", "ns:read=1,pc"};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mlc_error err = {0};
		assert_true(sbx_latency_set(bad[i], &err) < 0);
		assert_true(strstr(err.msg, "--latency") != NULL);
		assert_false(sbx_latency_on());
	}
}

struct taker {
	const char *key;
	int entered; /* atomic */
};

static void *take_lock(void *arg)
{
	struct taker *t = arg;

	doc_lock(t->key);
	__atomic_store_n(&t->entered, 1, __ATOMIC_RELEASE);
	doc_unlock(t->key);
	return NULL;
}

/* Whether t got in within ms. */
static bool entered_within(struct taker *t, int ms)
{
	for (int i = 0; i < ms / 10; i++) {
		if (__atomic_load_n(&t->entered, __ATOMIC_ACQUIRE))
			return true;
		usleep(10000);
	}
	return __atomic_load_n(&t->entered, __ATOMIC_ACQUIRE) != 0;
}

static void doc_lock_serialises_one_document(void **state)
{
	/* the two keys hash to different stripes (FNV-1a mod 64: 3 and 54) */
	struct taker same = {"pc:42:dc:1001", 0}, other = {"pc:42:dc:1002", 0};
	pthread_t a, b;

	(void)state;
	doc_lock("pc:42:dc:1001");
	assert_int_equal(pthread_create(&a, NULL, take_lock, &same), 0);
	assert_int_equal(pthread_create(&b, NULL, take_lock, &other), 0);
	assert_true(entered_within(&other, 2000)); /* another document goes on */
	assert_false(entered_within(&same, 300));  /* the same document waits */
	doc_unlock("pc:42:dc:1001");
	assert_true(entered_within(&same, 2000)); /* and goes on once it is let go */
	pthread_join(a, NULL);
	pthread_join(b, NULL);
}

static void event_resources(void **state)
{
	(void)state;
	assert_true(flow_event_takes("Direct Costs"));
	assert_true(flow_event_takes("Direct Cost Line Items"));
	/* issue 20, beyond direct costs: owner invoices and cost codes too */
	assert_true(flow_event_takes("Payment Applications"));
	assert_true(flow_event_takes("Cost Codes"));
	/* these still wake their whole flow */
	assert_false(flow_event_takes("Budget Line Items"));
	assert_false(flow_event_takes("Company Vendors"));
	assert_false(flow_event_takes(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(latency_spec),
	    cmocka_unit_test(latency_spec_refused),
	    cmocka_unit_test(doc_lock_serialises_one_document),
	    cmocka_unit_test(event_resources),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
