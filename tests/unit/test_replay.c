/*
 * flows/replay.h, the replay the CLI and the console share: each flow the
 * chosen audit rows name is opened once (the rows of an unknown flow are
 * left out), and when a flow cannot run every one of its records is
 * reported as failed, with the flow's error, and counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flows/replay.h"
#include "util/jsonx.h"

struct opened {
	json_t *flows; /* the flow of each open() call, in order */
};

static int refuse_open(void *arg, const struct flow_def *fd, struct mlc_session **s,
		       struct mlc_error *err)
{
	struct opened *o = arg;

	json_array_append_new(o->flows, json_string(fd->name));
	*s = NULL;
	return error_set(err, MLC_EAUTH, "no credentials for %s", fd->name);
}

static void test_unrunnable_flows_fail_each_record(void **state)
{
	struct opened o = {json_array()};
	size_t still = 99;
	json_t *rows =
	    json_pack("[{s:i, s:s, s:s}, {s:i, s:s, s:s}, {s:i, s:s, s:s}, {s:i, s:s}]", "id", 11,
		      "flow", "costs", "source_ref", "pc:1:dc:7", "id", 12, "flow", "vendors",
		      "source_ref", "ns:vendor:3", "id", 13, "flow", "costs", "source_ref",
		      "pc:1:dc:8", "id", 14, "flow", "no-such-flow");
	json_t *out, *r;
	size_t i, costs = 0;
	(void)state;

	out = replay_records(rows, refuse_open, &o, &still);
	/* one open per flow named, none for the unknown flow */
	assert_int_equal(json_array_size(o.flows), 2);
	assert_int_equal(json_array_size(out), 3);
	assert_int_equal(still, 3);
	json_array_foreach (out, i, r) {
		assert_string_equal(jsonx_str(r, "outcome"), "fail");
		assert_non_null(strstr(jsonx_str(r, "error"), "no credentials for"));
		assert_non_null(strstr(jsonx_str(r, "error"), jsonx_str(r, "flow")));
		if (!strcmp(jsonx_str(r, "flow"), "costs")) {
			costs++;
			assert_true(json_integer_value(json_object_get(r, "id")) == 11 ||
				    json_integer_value(json_object_get(r, "id")) == 13);
		} else {
			assert_string_equal(jsonx_str(r, "source_ref"), "ns:vendor:3");
		}
	}
	assert_int_equal(costs, 2);
	json_decref(out);
	json_decref(rows);
	json_decref(o.flows);
}

static void test_nothing_to_replay(void **state)
{
	struct opened o = {json_array()};
	size_t still = 5;
	json_t *rows = json_array();
	json_t *out = replay_records(rows, refuse_open, &o, &still);
	(void)state;

	assert_int_equal(json_array_size(out), 0);
	assert_int_equal(json_array_size(o.flows), 0);
	assert_int_equal(still, 0);
	json_decref(out);
	json_decref(rows);
	json_decref(o.flows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unrunnable_flows_fail_each_record),
	    cmocka_unit_test(test_nothing_to_replay),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
