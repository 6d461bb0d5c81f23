#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "sandbox/nssim.h"
#include "sandbox/sandbox.h"
#include "sandbox/sandbox_latency.h"
#include "util/log.h"
#include "util/num.h"
#include "util/banned.h"

/*
 * mlc-sandbox: the entry point of the simulator program.  Runs both
 * simulators until SIGINT/SIGTERM.  Prints the URLs and the seeded
 * credentials, and writes them to DATA/credentials.json and
 * DATA/seed.json (scripts read those files).  `ml-connector sandbox`
 * execs this program with the same arguments (src/cli/cli_sandbox.c).
 *
 * Exit status: 0 after a stop signal, 1 when the sandbox cannot start,
 * 2 on a usage error.
 */

enum { SBX_OK = 0, SBX_FAIL = 1, SBX_USAGE = 2, SBX_HELP = -1 };

struct sbx_opt {
	const char *name;
	const char *arg;
	const char *help;
	const char **value;
};

static const char summary[] =
    "Serves faithful simulators of NetSuite and Procore on loopback, with seeded data,\n"
    "fault injection and an admin API under /_sandbox/.  Writes DATA/credentials.json\n"
    "and DATA/seed.json.  Runs until interrupted.";

static void print_help(const struct sbx_opt *opts, FILE *out)
{
	fprintf(out, "usage: mlc-sandbox [options]\n\n%s\n\noptions:\n", summary);
	for (const struct sbx_opt *o = opts; o->name; o++) {
		char left[64];
		snprintf(left, sizeof(left), "--%s %s", o->name, o->arg);
		fprintf(out, "  %-28s %s\n", left, o->help);
	}
	fprintf(out, "  %-28s %s\n", "--help", "show this help");
}

static const struct sbx_opt *find_opt(const struct sbx_opt *opts, const char *name, size_t len)
{
	for (const struct sbx_opt *o = opts; o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

/* Every option takes a value, as "--name VALUE" or "--name=VALUE"; no
 * positional arguments. */
static int parse_args(const struct sbx_opt *opts, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *name, *eq;
		const struct sbx_opt *o;
		size_t len;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			print_help(opts, stdout);
			return SBX_HELP;
		}
		name = a + 2;
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		o = strncmp(a, "--", 2) == 0 ? find_opt(opts, name, len) : NULL;
		if (!o) {
			fprintf(stderr, "mlc-sandbox: %s '%s'\nusage: mlc-sandbox [options]\n",
				a[0] == '-' ? "unknown option" : "unexpected argument", a);
			return SBX_USAGE;
		}
		if (eq) {
			*o->value = eq + 1;
		} else if (i + 1 < argc) {
			*o->value = argv[++i];
		} else {
			fprintf(stderr, "mlc-sandbox: --%s needs a value (%s)\n", o->name, o->arg);
			return SBX_USAGE;
		}
	}
	return SBX_OK;
}

static int parse_int_opt(const char *opt, const char *text, int min, int max, int *out)
{
	struct mlc_error err = {0};

	if (!text)
		return SBX_OK;
	if (num_parse_int(text, min, max, out, &err) < 0) {
		fprintf(stderr, "mlc-sandbox: %s: %s\n", opt, err.msg);
		return SBX_USAGE;
	}
	return SBX_OK;
}

static int parse_latency(const char *text, int *ms, int *jitter)
{
	char buf[64];
	char *colon;

	if (!text)
		return SBX_OK;
	snprintf(buf, sizeof(buf), "%s", text);
	colon = strchr(buf, ':');
	if (colon)
		*colon++ = '\0';
	if (parse_int_opt("--latency-ms", buf, 0, 600000, ms) != SBX_OK ||
	    parse_int_opt("--latency-ms", colon, 0, 600000, jitter) != SBX_OK)
		return SBX_USAGE;
	return SBX_OK;
}

static const char *str_or_dash(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
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
	json_array_foreach (json_object_get(ns, "certificates"), i, c)
		printf("  certificate %s  %s %s  key %s\n",
		       json_string_value(json_object_get(c, "certificate_id")),
		       json_string_value(json_object_get(c, "key_type")),
		       json_string_value(json_object_get(c, "algorithm")),
		       json_string_value(json_object_get(c, "private_key_path")));
	if (json_object_get(ns, "push_secret"))
		printf("  push secret %s\n", json_string_value(json_object_get(ns, "push_secret")));
	printf("Procore   %s  client id %s  client secret %s  company %lld  service user %lld\n",
	       str_or_dash(pc, "url"), str_or_dash(pc, "client_id"),
	       str_or_dash(pc, "client_secret"),
	       (long long)json_integer_value(json_object_get(pc, "company_id")),
	       (long long)json_integer_value(json_object_get(pc, "service_user_id")));
	printf("credentials: %s\nseed:        %s/seed.json\nready (Ctrl-C stops)\n", path,
	       sb->data_dir);
	fflush(stdout);
	json_decref(cred);
}

/* Runs the sandbox until a stop signal. */
static int run(const struct mlc_sandbox_opts *o)
{
	struct mlc_sandbox *sb = NULL;
	struct mlc_error err = {0};
	sigset_t set;
	int sig;

	/* Block the stop signals before any thread starts, then wait for one. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (sandbox_start(o, &sb, &err) < 0) {
		curl_global_cleanup();
		fprintf(stderr, "mlc-sandbox: %s\n", err.msg[0] ? err.msg : error_name(err.code));
		return SBX_FAIL;
	}
	print_banner(sb);
	sigwait(&set, &sig);
	fprintf(stderr, "ml-connector sandbox: stopping\n");
	sandbox_free(sb);
	curl_global_cleanup();
	return SBX_OK;
}

int main(int argc, char **argv)
{
	const char *ns = NULL, *pc = NULL, *data = NULL, *seed = NULL, *scale = NULL;
	const char *latency = NULL, *faults = NULL, *ttl = NULL, *conc = NULL, *push = NULL;
	const char *push_secret = NULL, *pc_ttl = NULL, *pc_rate = NULL, *segment = NULL;
	const char *misfits = NULL, *latency_spec = NULL;
	const struct sbx_opt opts[] = {
	    {"netsuite", "ADDR:PORT", "NetSuite simulator address (default 127.0.0.1:8701)", &ns},
	    {"procore", "ADDR:PORT", "Procore simulator address (default 127.0.0.1:8702)", &pc},
	    {"data", "DIR", "state directory (default: a new temporary directory)", &data},
	    {"seed", "N", "seed of the generated data and of fault draws (default 1)", &seed},
	    {"scale", "N", "multiply the seeded records (default 1)", &scale},
	    {"latency-ms", "N[:JITTER]", "added latency per response", &latency},
	    {"latency", "SPEC",
	     "latency per side and kind, e.g. ns:read=200,ns:write=300-800,pc=150", &latency_spec},
	    {"faults", "SPEC", "e.g. ns:5xx=0.05,ns:lost=0.01,ns:push_drop=0.2,pc:throttle=0.1",
	     &faults},
	    {"token-ttl", "S", "NetSuite access token lifetime (default 3600)", &ttl},
	    {"ns-concurrency", "N", "NetSuite requests in flight before 429 (default 5)", &conc},
	    {"push-url", "URL", "NetSuite event pushes go to URL", &push},
	    {"push-secret", "S", "shared secret header value of pushes (default derived)",
	     &push_secret},
	    {"pc-token-ttl", "S", "Procore access token lifetime (default 5400)", &pc_ttl},
	    {"pc-rate", "SPEC", "Procore rate limits, e.g. 3600/h,25/10s", &pc_rate},
	    {"netsuite-segment", "ID|none",
	     "the NetSuite account's cost-code custom segment script id (default " NSDB_SEG_DEFAULT
	     "), or none for an account without it",
	     &segment},
	    {"misfits", "SPEC",
	     "account setups ping must catch, e.g. ns:deny=vendor,ns:segment-lines,"
	     "ns:segment-budgets,ns:no-push-script,pc:deny=budget,pc:foreign-origin",
	     &misfits},
	    {NULL, NULL, NULL, NULL},
	};
	struct mlc_sandbox_opts o = {0};
	struct mlc_error err = {0};
	uint64_t seedv = 1;
	int rc;

	if (sodium_init() < 0) {
		fprintf(stderr, "mlc-sandbox: cannot initialise libsodium\n");
		return SBX_FAIL;
	}
	log_setup(MLC_LOG_INFO, MLC_LOG_LOGFMT, stderr);
	rc = parse_args(opts, argc, argv);
	if (rc != SBX_OK)
		return rc == SBX_HELP ? SBX_OK : rc;
	if (seed && num_parse_u64(seed, &seedv, &err) < 0) {
		fprintf(stderr, "mlc-sandbox: --seed: %s\n", err.msg);
		return SBX_USAGE;
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
	o.misfits = misfits;
	if (parse_int_opt("--scale", scale, 1, 1000, &o.scale) != SBX_OK ||
	    parse_latency(latency, &o.latency_ms, &o.latency_jitter_ms) != SBX_OK ||
	    parse_int_opt("--token-ttl", ttl, 1, 86400, &o.ns_token_ttl) != SBX_OK ||
	    parse_int_opt("--ns-concurrency", conc, 1, 1000, &o.ns_concurrency) != SBX_OK ||
	    parse_int_opt("--pc-token-ttl", pc_ttl, 1, 86400, &o.pc_token_ttl) != SBX_OK)
		return SBX_USAGE;
	if (sbx_latency_set(latency_spec, &err) < 0) {
		fprintf(stderr, "mlc-sandbox: %s\n", err.msg);
		return SBX_USAGE;
	}
	return run(&o);
}
