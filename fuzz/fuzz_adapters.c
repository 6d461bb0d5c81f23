/* libFuzzer target: NetSuite and Procore responses as the adapters read
 * them into typed records (src/netsuite/ns_*.c, src/procore/pc_*.c).  The
 * record readers are internal to each adapter and run behind an HTTP
 * exchange, so this target answers the adapter's request from a loopback
 * server (libmicrohttpd) with the input as a 200 JSON body.
 *
 * First input byte: which adapter call; the rest: the body. */
#include <stdbool.h>
#include <stdio.h>

#include "core/tenant.h"
#include "fuzz_common.h"
#include "fuzz_http.h"
#include "netsuite/netsuite.h"
#include "netsuite/ns_bills.h"
#include "netsuite/ns_budget.h"
#include "netsuite/ns_purchasing.h"
#include "netsuite/ns_segment_values.h"
#include "netsuite/ns_vendors.h"
#include "procore/pc_budget.h"
#include "procore/pc_requisitions.h"
#include "procore/pc_vendors.h"
#include "procore/procore.h"
#include "util/buf.h"
#include "util/log.h"

static struct mlc_procore *pc;
static struct mlc_netsuite *ns;

static int auth(void *arg, struct mlc_buf *header_value, bool force_refresh)
{
	(void)arg;
	(void)force_refresh;
	buf_addstr(header_value, "Bearer fuzz");
	return 0;
}

static void start(void)
{
	static char url[64], name[] = "fuzz", account[] = "1", env[] = "sandbox";
	static struct mlc_tenant t;
	struct mlc_procore_opts po;
	struct mlc_netsuite_opts no;
	FILE *devnull;

	/* logs on (to nowhere): the log paths read what the server said */
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	log_setup(MLC_LOG_DEBUG, MLC_LOG_LOGFMT, devnull);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", fuzz_http_start());
	t.id = 1;
	t.name = name;
	t.procore_company_id = 8;
	t.netsuite_account = account;
	t.netsuite_url = url;
	t.procore_api_url = url;
	t.procore_auth_url = url;
	t.procore_env = env;
	t.settings = json_object();
	memset(&po, 0, sizeof(po));
	po.auth = auth;
	po.max_attempts = 1;
	po.timeout_ms = 5000;
	memset(&no, 0, sizeof(no));
	no.auth = auth;
	no.max_attempts = 1;
	no.timeout_ms = 5000;
	if (procore_open(&t, &po, &pc, NULL) != 0 || netsuite_open(&t, &no, &ns, NULL) != 0)
		abort();
}

static void call(int which)
{
	size_t n = 0;
	int64_t id = 0;

	switch (which) {
	case 0: {
		struct pc_line_item_type *v = NULL;
		if (pc_line_item_types(pc, 8, &v, &n, NULL) == 0)
			free(v);
		break;
	}
	case 1:
		(void)pc_budget_view_first(pc, 12, &id, NULL);
		break;
	case 2: {
		struct pc_code_ref *v = NULL;
		if (pc_project_code_refs(pc, 12, &v, &n, NULL) == 0)
			free(v);
		break;
	}
	case 3: {
		struct pc_budget_row *v = NULL;
		if (pc_budget_rows(pc, 3, 12, &v, &n, NULL) == 0)
			free(v);
		break;
	}
	case 4: {
		json_t *list = NULL;
		if (procore_vendors(pc, 8, "2026-01-01T00:00:00Z", &list, NULL) == 0)
			json_decref(list);
		break;
	}
	case 5: {
		bool complete = false;
		(void)procore_requisition_find(pc, 12, 7, "ns:bill:1", &id, &complete, NULL);
		break;
	}
	case 6: {
		struct ns_fiscal_year *v = NULL;
		if (ns_fiscal_years(ns, &v, &n, NULL) == 0)
			free(v);
		break;
	}
	case 7: {
		struct ns_budget_line *v = NULL;
		if (ns_budget_lines(ns, "cseg_cost_code", 5, 2026, &v, &n, NULL) == 0)
			free(v);
		break;
	}
	case 8: {
		struct ns_po *v = NULL;
		if (netsuite_purchase_orders_since(ns, "2026-01-01", &v, &n, NULL) == 0) {
			(void)netsuite_purchase_order_lines(ns, "cseg_cost_code", v, n, NULL);
			for (size_t i = 0; i < n; i++)
				json_decref(ns_purchase_order_json(&v[i]));
			ns_purchase_orders_free(v, n);
		}
		break;
	}
	case 9: {
		struct ns_bill *v = NULL;
		if (netsuite_po_bills_since(ns, "2026-01-01", &v, &n, NULL) == 0) {
			(void)netsuite_po_bill_lines(ns, "cseg_cost_code", v, n, NULL);
			for (size_t i = 0; i < n; i++)
				json_decref(ns_bill_json(&v[i]));
			ns_bills_free(v, n);
		}
		break;
	}
	case 10: {
		struct ns_cost_code *v = NULL;
		if (ns_cost_codes_read(ns, "customrecord_cseg_cost_code", &v, &n, NULL) == 0)
			ns_cost_codes_free(v, n);
		break;
	}
	default: {
		/* the vendor rows, then the typed records the vendor flows read */
		json_t *rows = json_array();
		struct ns_vendors typed = {0};
		if (netsuite_vendors_all(ns, rows, NULL) == 0)
			ns_vendors_add_rows(&typed, rows);
		ns_vendors_release(&typed);
		json_decref(rows);
		break;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;

	if (!ready) {
		start();
		ready = true;
	}
	if (size < 1)
		return 0;
	fuzz_http_set(200, data + 1, size - 1);
	call(data[0] % 12);
	return 0;
}
