#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli/cli.h"
#include "netsuite/cseg.h"
#include "sandbox/sandbox.h"
#include "util/num.h"
#include "util/banned.h"

/*
 * `ml-connector sandbox`: runs both simulators until SIGINT/SIGTERM.
 * Prints the URLs and the seeded credentials, and writes them to
 * DATA/credentials.json and DATA/seed.json (scripts read those files).
 */

static int parse_int_opt(const char *opt, const char *text, int min, int max, int *out)
{
	struct mlc_error err = {0};

	if (!text)
		return CLI_OK;
	if (num_parse_int(text, min, max, out, &err) < 0) {
		fprintf(stderr, "ml-connector sandbox: %s: %s\n", opt, err.msg);
		return CLI_USAGE;
	}
	return CLI_OK;
}

static int parse_latency(const char *text, int *ms, int *jitter)
{
	char buf[64];
	char *colon;

	if (!text)
		return CLI_OK;
	snprintf(buf, sizeof(buf), "%s", text);
	colon = strchr(buf, ':');
	if (colon)
		*colon++ = '\0';
	if (parse_int_opt("--latency-ms", buf, 0, 600000, ms) != CLI_OK ||
	    parse_int_opt("--latency-ms", colon, 0, 600000, jitter) != CLI_OK)
		return CLI_USAGE;
	return CLI_OK;
}

static void print_banner(const struct mlc_sandbox *sb)
{
	char path[4096];
	FILE *f;
	json_t *cred, *ns, *pc, *c;
	size_t i;

	snprintf(path, sizeof(path), "%s/credentials.json", sb->data_dir);
	f = fopen(path, "r");
	cred = f ? json_loadf(f, 0, NULL) : NULL;
	if (f)
		fclose(f);
	ns = json_object_get(cred, "netsuite");
	pc = json_object_get(cred, "procore");
	printf("ml-connector sandbox: data in %s\n", sb->data_dir);
	printf("NetSuite  %s  account %s  client id %s\n",
	       json_string_value(json_object_get(ns, "url")),
	       json_string_value(json_object_get(ns, "account_id")),
	       json_string_value(json_object_get(ns, "client_id")));
	json_array_foreach(json_object_get(ns, "certificates"), i, c)
	    printf("  certificate %s  %s %s  key %s\n",
	           json_string_value(json_object_get(c, "certificate_id")),
	           json_string_value(json_object_get(c, "key_type")),
	           json_string_value(json_object_get(c, "algorithm")),
	           json_string_value(json_object_get(c, "private_key_path")));
	if (json_object_get(ns, "push_secret"))
		printf("  push secret %s\n", json_string_value(json_object_get(ns, "push_secret")));
	printf("Procore   %s  client id %s  client secret %s  company %lld  service user %lld\n",
	       json_string_value(json_object_get(pc, "url"))
	           ? json_string_value(json_object_get(pc, "url"))
	           : "-",
	       json_string_value(json_object_get(pc, "client_id"))
	           ? json_string_value(json_object_get(pc, "client_id"))
	           : "-",
	       json_string_value(json_object_get(pc, "client_secret"))
	           ? json_string_value(json_object_get(pc, "client_secret"))
	           : "-",
	       (long long)json_integer_value(json_object_get(pc, "company_id")),
	       (long long)json_integer_value(json_object_get(pc, "service_user_id")));
	printf("credentials: %s\nseed:        %s/seed.json\nready (Ctrl-C stops)\n", path,
	       sb->data_dir);
	fflush(stdout);
	json_decref(cred);
}

int cmd_sandbox(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *ns = NULL, *pc = NULL, *data = NULL, *seed = NULL, *scale = NULL;
	const char *latency = NULL, *faults = NULL, *ttl = NULL, *conc = NULL, *push = NULL;
	const char *push_secret = NULL, *pc_ttl = NULL, *pc_rate = NULL, *segment = NULL;
	const struct cli_opt opts[] = {
	    {"netsuite", "ADDR:PORT", "NetSuite simulator address (default 127.0.0.1:8701)", &ns,
	     NULL},
	    {"procore", "ADDR:PORT", "Procore simulator address (default 127.0.0.1:8702)", &pc,
	     NULL},
	    {"data", "DIR", "state directory (default: a new temporary directory)", &data, NULL},
	    {"seed", "N", "seed of the generated data and of fault draws (default 1)", &seed, NULL},
	    {"scale", "N", "multiply the seeded records (default 1)", &scale, NULL},
	    {"latency-ms", "N[:JITTER]", "added latency per response", &latency, NULL},
	    {"faults", "SPEC", "e.g. ns:5xx=0.05,ns:lost=0.01,ns:push_drop=0.2,pc:throttle=0.1",
	     &faults, NULL},
	    {"token-ttl", "S", "NetSuite access token lifetime (default 3600)", &ttl, NULL},
	    {"ns-concurrency", "N", "NetSuite requests in flight before 429 (default 5)", &conc,
	     NULL},
	    {"push-url", "URL", "NetSuite event pushes go to URL", &push, NULL},
	    {"push-secret", "S", "shared secret header value of pushes (default derived)",
	     &push_secret, NULL},
	    {"pc-token-ttl", "S", "Procore access token lifetime (default 5400)", &pc_ttl, NULL},
	    {"pc-rate", "SPEC", "Procore rate limits, e.g. 3600/h,25/10s", &pc_rate, NULL},
	    {"netsuite-segment", "ID|none",
	     "the NetSuite account's cost-code custom segment script id (default " CSEG_DEFAULT
	     "), or none for an account without it",
	     &segment, NULL},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {
	    "sandbox [options]",
	    "Serves faithful simulators of NetSuite and Procore on loopback, with seeded data,\n"
	    "fault injection and an admin API under /_sandbox/.  Writes DATA/credentials.json\n"
	    "and DATA/seed.json.  Runs until interrupted.",
	    opts,
	    0,
	    0,
	};
	struct mlc_sandbox_opts o = {0};
	struct mlc_sandbox *sb = NULL;
	struct mlc_error err = {0};
	sigset_t set;
	int npos, rc, sig, iv;
	uint64_t seedv = 1;

	MLC_UNUSED(ctx);
	if ((rc = cli_parse(&spec, argc, argv, NULL, &npos)) != CLI_OK)
		return rc;
	if (seed && num_parse_u64(seed, &seedv, &err) < 0) {
		fprintf(stderr, "ml-connector sandbox: --seed: %s\n", err.msg);
		return CLI_USAGE;
	}
	o.netsuite_listen = ns;
	o.procore_listen = pc;
	o.data_dir = data;
	o.seed = seedv;
	o.faults = faults;
	o.push_url = push;
	o.push_secret = push_secret;
	o.pc_rate = pc_rate;
	o.ns_segment = segment;
	if (parse_int_opt("--scale", scale, 1, 1000, &o.scale) != CLI_OK ||
	    parse_latency(latency, &o.latency_ms, &o.latency_jitter_ms) != CLI_OK ||
	    parse_int_opt("--token-ttl", ttl, 1, 86400, &o.ns_token_ttl) != CLI_OK ||
	    parse_int_opt("--ns-concurrency", conc, 1, 1000, &o.ns_concurrency) != CLI_OK ||
	    parse_int_opt("--pc-token-ttl", pc_ttl, 1, 86400, &o.pc_token_ttl) != CLI_OK)
		return CLI_USAGE;
	iv = 0;
	MLC_UNUSED(iv);
	/* Block the stop signals before any thread starts, then wait for one. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (sandbox_start(&o, &sb, &err) < 0) {
		curl_global_cleanup();
		return cli_fail(&err);
	}
	print_banner(sb);
	sigwait(&set, &sig);
	fprintf(stderr, "ml-connector sandbox: stopping\n");
	sandbox_free(sb);
	curl_global_cleanup();
	return CLI_OK;
}
