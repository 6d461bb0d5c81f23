/*
 * What a costs run decides once (flows/costs_one.h): the settings, the
 * cost-code segment, the reference data and the periods, loaded for the
 * flow's run or kept by a record event between events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flows/costs_one.h"
#include "netsuite/ns_costs.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

void costs_doc_ref(int64_t company, int64_t doc_id, char *out, size_t n)
{
	snprintf(out, n, "pc:%lld:dc:%lld", (long long)company, (long long)doc_id);
}

void costs_payapp_ref(int64_t company, int64_t pa_id, char *out, size_t n)
{
	snprintf(out, n, "pc:%lld:pa:%lld", (long long)company, (long long)pa_id);
}

static int costs_init(struct costs *c, struct flow_run *r, struct mlc_error *err)
{
	struct mlc_session *s = r->s;
	const char *mode = session_setting_str(s, "costs.mode", "per-document");
	const char *policy = session_setting_str(s, "costs.closed_period", "adjust");

	memset(c, 0, sizeof(*c));
	costs_bind(c, r);
	c->daily = strcmp(mode, "daily") == 0;
	c->hold = strcmp(policy, "hold") == 0;
	if (strcmp(mode, "daily") && strcmp(mode, "per-document"))
		return error_set(err, MLC_ECONFIG,
				 "setting costs.mode '%s' is not per-document or daily", mode);
	if (strcmp(policy, "adjust") && strcmp(policy, "hold"))
		return error_set(err, MLC_ECONFIG,
				 "setting costs.closed_period '%s' is not adjust or hold", policy);
	return MLC_OK;
}

void costs_bind(struct costs *c, struct flow_run *r)
{
	char t[MLC_TIME_FMT_MAX];

	c->r = r;
	c->rd.r = r;
	time_format_date(time_now_ms(), t);
	str_copy(c->today, sizeof(c->today), t);
}

int costs_load(struct costs *c, struct flow_run *r, struct mlc_error *err)
{
	struct mlc_session *s = r->s;
	int rc = costs_init(c, r, err);

	if (rc >= 0)
		rc = segment_resolve(s, &c->seg, err);
	if (rc >= 0)
		rc = refdata_load(&c->rd, r, c->seg.use, c->seg.use ? c->seg.table : NULL, err);
	if (rc >= 0)
		rc = netsuite_accounting_periods(s->ns, &c->periods, &c->nperiods, err);
	return rc;
}

void costs_release(struct costs *c)
{
	free(c->periods);
	refdata_release(&c->rd);
	c->periods = NULL;
	c->nperiods = 0;
}
