/*
 * Replaying records (flows/replay.h).
 */
#include <stdlib.h>
#include <string.h>

#include "flows/replay.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/banned.h"

/* The action of source src in a run's plan; "unchanged" when absent. */
static const char *plan_action(const json_t *res, const char *src)
{
	const char *now = "unchanged";
	json_t *p;
	size_t k;

	json_array_foreach (json_object_get(res, "plan"), k, p)
		if (src && jsonx_str(p, "source") && !strcmp(jsonx_str(p, "source"), src))
			now = jsonx_str(p, "action");
	return now;
}

/* Runs one flow in full; appends each of its rows' outcomes to out. */
static void replay_flow(const struct flow_def *fd, const json_t *rows, replay_open_fn open,
			void *arg, json_t *out, size_t *still)
{
	struct flow_opts fo = {false, true, "replay"};
	struct mlc_session *s = NULL;
	struct mlc_error err = {0};
	json_t *res = NULL, *r;
	bool failed;
	size_t i;

	/* a flow that fails as a whole still answers its plan: each record's
	 * outcome is read from it; without a plan every record failed */
	failed = open(arg, fd, &s, &err) < 0 || flow_execute(s, fd, &fo, &res, &err) < 0;
	if (failed)
		log_warn("replay: the flow failed", "flow", fd->name, "error", err.msg);
	json_array_foreach (rows, i, r) {
		const char *src = jsonx_str(r, "source_ref");
		const char *now = res ? plan_action(res, src) : "fail";
		if (!jsonx_str(r, "flow") || strcmp(jsonx_str(r, "flow"), fd->name))
			continue;
		if (!strcmp(now, "fail"))
			(*still)++;
		json_array_append_new(out, json_pack("{s:O, s:s?, s:s, s:s, s:s?}", "id",
						     json_object_get(r, "id"), "source_ref", src,
						     "flow", fd->name, "outcome", now, "error",
						     failed ? err.msg : NULL));
	}
	json_decref(res);
	session_free(s);
}

json_t *replay_records(const json_t *rows, replay_open_fn open, void *arg, size_t *still)
{
	json_t *flows = json_object(), *out = json_array(), *r;
	const char *name;
	size_t i;

	*still = 0;
	json_array_foreach (rows, i, r)
		if (jsonx_str(r, "flow") && flow_find(jsonx_str(r, "flow")))
			json_object_set_new(flows, jsonx_str(r, "flow"), json_true());
	json_object_foreach (flows, name, r)
		replay_flow(flow_find(name), rows, open, arg, out, still);
	json_decref(flows);
	return out;
}
