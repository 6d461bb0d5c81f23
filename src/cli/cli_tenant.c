#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "flows/segment.h"
#include "net/cidr.h"
#include "server/serve.h"
#include "util/str.h"
#include "util/tz.h"
#include "util/banned.h"

/* The options shared by `tenant add` and `tenant set`. */
struct tenant_args {
	const char *company, *account, *ns_url, *api_url, *auth_url, *env;
	const char *allowlist, *schedules, *app_id, *service_user, *setting, *timezone;
};

#define TENANT_OPTS(a)                                                                             \
	{"procore-company", "ID", "Procore company id", &(a).company, NULL},                       \
	    {"netsuite-account", "ACCT", "NetSuite account id (e.g. 1234567 or 1234567_SB1)",      \
	     &(a).account, NULL},                                                                  \
	    {"netsuite-url", "URL", "NetSuite REST base URL (default: derived from the account)",  \
	     &(a).ns_url, NULL},                                                                   \
	    {"procore-api-url", "URL", "Procore API base URL (default: from --procore-env)",       \
	     &(a).api_url, NULL},                                                                  \
	    {"procore-auth-url", "URL", "Procore login base URL (default: from --procore-env)",    \
	     &(a).auth_url, NULL},                                                                 \
	    {"procore-env", "ENV", "production, sandbox or monthly (default production)",          \
	     &(a).env, NULL},                                                                      \
	    {"netsuite-allowlist", "CIDR,...", "source ranges allowed to push NetSuite events",    \
	     &(a).allowlist, NULL},                                                                \
	    {"schedules", "FLOW=EVERY,...",                                                        \
	     "polling schedule per flow, e.g. vendors=15m,costs=5m", &(a).schedules, NULL},        \
	    {"procore-application-id", "CLIENT_ID",                                                \
	     "the client id Procore puts in source_application_id of our writes (default: the "    \
	     "procore.client_id secret)",                                                          \
	     &(a).app_id, NULL},                                                                   \
	    {"procore-service-user-id", "ID",                                                      \
	     "the service account's Procore user id (v4 events it caused are skipped)",            \
	     &(a).service_user, NULL},                                                             \
	    {"setting", "KEY=VALUE", "one tenant setting, e.g. costs.mode=daily (JSON value)",     \
	     &(a).setting, NULL},                                                                  \
	{                                                                                          \
		"timezone", "ZONE", "IANA time zone of the tenant's schedules (default UTC)",      \
		    &(a).timezone, NULL                                                            \
	}

static int to_changes(const struct tenant_args *a, struct mlc_tenant_changes *c)
{
	memset(c, 0, sizeof(*c));
	if (a->company && cli_parse_id("--procore-company", a->company, &c->procore_company_id))
		return CLI_FAIL;
	c->netsuite_account = a->account;
	c->netsuite_url = a->ns_url;
	c->procore_api_url = a->api_url;
	c->procore_auth_url = a->auth_url;
	c->procore_env = a->env;
	return CLI_OK;
}

/*
 * Procore sends metadata.source_application_id as a string, the client id
 * of the app that made the change (docs/reference/procore/
 * webhook-payloads.md).  This option used to take an integer application
 * id, which never matches it: say so instead of storing it.
 */
static int check_client_id(const char *v)
{
	bool digits = *v != '\0';

	for (const char *p = v; *p; p++) {
		if ((unsigned char)*p <= 0x20 || *p == 0x7f) {
			fprintf(stderr,
				"ml-connector: --procore-application-id must be a client id "
				"without spaces or control characters\n");
			return CLI_FAIL;
		}
		digits = digits && *p >= '0' && *p <= '9';
	}
	if (!*v || strlen(v) >= 128 || digits) {
		fprintf(stderr,
			"ml-connector: --procore-application-id takes the app's client id "
			"(the string Procore sends as metadata.source_application_id), not a "
			"numeric application id; leave it out to use the tenant's "
			"procore.client_id secret\n");
		return CLI_FAIL;
	}
	return CLI_OK;
}

/* Checks the settings options before anything is written. */
static int validate_settings(const struct tenant_args *a)
{
	struct mlc_error err = {0};
	struct mlc_cidr_list cl = {0};
	int64_t id;
	int rc = CLI_OK;

	if (a->allowlist) {
		if (cidr_list_parse(a->allowlist, &cl, &err) < 0) {
			fprintf(stderr, "ml-connector: --netsuite-allowlist: %s\n", err.msg);
			return CLI_FAIL;
		}
		cidr_list_release(&cl);
	}
	if (a->app_id) {
		rc = check_client_id(a->app_id);
		if (rc != CLI_OK)
			return rc;
	}
	if (a->service_user) {
		rc = cli_parse_id("--procore-service-user-id", a->service_user, &id);
		if (rc != CLI_OK)
			return rc;
	}
	if (a->timezone) {
		struct mlc_tz tz;
		if (tz_load(a->timezone, &tz, &err) < 0) {
			fprintf(stderr, "ml-connector: --timezone: %s\n", err.msg);
			return CLI_FAIL;
		}
		tz_release(&tz);
	}
	if (a->setting) {
		const char *eq = strchr(a->setting, '=');
		if (!eq || eq == a->setting || eq[-1] == '.' || a->setting[0] == '.') {
			fprintf(stderr, "ml-connector: --setting '%s' is not KEY=VALUE\n",
				a->setting);
			return CLI_FAIL;
		}
		/* settings with rules are checked here, before anything is stored */
		char *key = xstrndup(a->setting, (size_t)(eq - a->setting));
		json_t *val = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
		if (!val)
			val = json_string(eq + 1);
		rc = segment_setting_check(key, val, &err) < 0 ? CLI_FAIL : CLI_OK;
		if (rc != CLI_OK)
			fprintf(stderr, "ml-connector: --setting: %s\n", err.msg);
		json_decref(val);
		free(key);
		if (rc != CLI_OK)
			return rc;
	}
	if (a->schedules) {
		char *copy = xstrdup(a->schedules), *save = NULL;
		for (char *item = strtok_r(copy, ",", &save); item && rc == CLI_OK;
		     item = strtok_r(NULL, ",", &save)) {
			char *eq = strchr(item, '=');
			int64_t ms;
			if (!eq || eq == item || schedule_parse(eq + 1, &ms, &err) < 0) {
				fprintf(stderr, "ml-connector: --schedules: '%s': %s\n", item,
					eq && eq != item ? err.msg
							 : "expected FLOW=EVERY, e.g. costs=5m");
				rc = CLI_FAIL;
			}
		}
		free(copy);
	}
	return rc;
}

/* Applies the options kept in the tenant's settings JSON (validated). */
static int apply_settings(struct cli_ctx *ctx, const char *name, const struct tenant_args *a)
{
	struct mlc_tenant t;
	struct mlc_error err = {0};
	json_t *ns, *pc;
	int rc;

	if (!a->allowlist && !a->schedules && !a->app_id && !a->service_user && !a->setting &&
	    !a->timezone)
		return CLI_OK;
	rc = cli_get_tenant(ctx, name, &t);
	if (rc != CLI_OK)
		return rc;
	if (a->allowlist) {
		struct mlc_cidr_list cl = {0};
		if (cidr_list_parse(a->allowlist, &cl, &err) < 0) {
			fprintf(stderr, "ml-connector: --netsuite-allowlist: %s\n", err.msg);
			rc = CLI_FAIL;
			goto out;
		}
		cidr_list_release(&cl);
		ns = json_object_get(t.settings, "netsuite");
		if (!json_is_object(ns)) {
			ns = json_object();
			json_object_set_new(t.settings, "netsuite", ns);
		}
		json_object_set_new(ns, "allowlist", json_string(a->allowlist));
	}
	if (a->app_id || a->service_user) {
		int64_t id = 0;
		/* rc is CLI_OK here (cli_get_tenant) */
		if (a->app_id)
			rc = check_client_id(a->app_id);
		if (rc == CLI_OK && a->service_user)
			rc = cli_parse_id("--procore-service-user-id", a->service_user, &id);
		if (rc != CLI_OK)
			goto out;
		pc = json_object_get(t.settings, "procore");
		if (!json_is_object(pc)) {
			pc = json_object();
			json_object_set_new(t.settings, "procore", pc);
		}
		if (a->app_id)
			json_object_set_new(pc, "application_id", json_string(a->app_id));
		if (a->service_user)
			json_object_set_new(pc, "service_user_id", json_integer(id));
	}
	if (a->schedules) {
		json_t *sched = json_object();
		char *copy = xstrdup(a->schedules), *save = NULL;
		for (char *item = strtok_r(copy, ",", &save); item;
		     item = strtok_r(NULL, ",", &save)) {
			char *eq = strchr(item, '=');
			int64_t ms;
			if (!eq || eq == item || schedule_parse(eq + 1, &ms, &err) < 0) {
				fprintf(stderr, "ml-connector: --schedules: '%s': %s\n", item,
					eq ? err.msg : "expected FLOW=EVERY, e.g. costs=5m");
				json_decref(sched);
				free(copy);
				rc = CLI_FAIL;
				goto out;
			}
			*eq = '\0';
			json_object_set_new(sched, str_trim(item), json_string(str_trim(eq + 1)));
		}
		free(copy);
		json_object_set_new(t.settings, "schedules", sched);
	}
	if (a->timezone)
		json_object_set_new(t.settings, "timezone", json_string(a->timezone));
	if (a->setting) {
		/* KEY=VALUE: a dotted path into the settings object; VALUE as JSON
		 * when it parses (true, 5, "x", [..]), else as a string */
		char *copy = xstrdup(a->setting), *eq = strchr(copy, '='), *p, *dot;
		json_t *obj = t.settings, *val;
		*eq = '\0';
		val = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
		if (!val)
			val = json_string(eq + 1);
		for (p = copy; (dot = strchr(p, '.')) != NULL; p = dot + 1) {
			json_t *next;
			*dot = '\0';
			next = json_object_get(obj, p);
			if (!json_is_object(next)) {
				next = json_object();
				json_object_set_new(obj, p, next);
			}
			obj = next;
		}
		json_object_set_new(obj, p, val);
		free(copy);
	}
	rc = tenant_set_settings(ctx->store, t.id, t.settings, &err) < 0 ? cli_fail(&err) : CLI_OK;
out:
	tenant_release(&t);
	return rc;
}

/* `tenant add` and `tenant set` differ only in what is required and which
 * core call applies the changes. */
static int tenant_write(struct cli_ctx *ctx, int argc, char **argv, bool adding)
{
	struct tenant_args a = {0};
	const struct cli_opt opts[] = {TENANT_OPTS(a), {NULL, NULL, NULL, NULL, NULL}};
	const struct cli_spec add_spec = {
	    "tenant add NAME --procore-company ID --netsuite-account ACCT [options]",
	    "Adds a tenant: one customer with its Procore company and NetSuite account.",
	    opts,
	    1,
	    1,
	};
	const struct cli_spec set_spec = {
	    "tenant set NAME [options]",
	    "Changes a tenant's settings; options not given are left as they are.",
	    opts,
	    1,
	    1,
	};
	const char *pos[1];
	int npos, rc;
	struct mlc_tenant_changes c;
	struct mlc_error err = {0};

	rc = cli_parse(adding ? &add_spec : &set_spec, argc, argv, pos, &npos);
	if (rc != CLI_OK)
		return rc;
	if (adding && (!a.company || !a.account)) {
		fprintf(stderr, "ml-connector tenant add: --procore-company and --netsuite-account "
				"are required\n");
		return CLI_USAGE;
	}
	rc = to_changes(&a, &c);
	if (rc == CLI_OK)
		rc = validate_settings(&a);
	if (rc == CLI_OK)
		rc = cli_open_store(ctx);
	if (rc != CLI_OK)
		return rc;
	rc = adding ? tenant_add(ctx->store, pos[0], &c, &err)
		    : tenant_update(ctx->store, pos[0], &c, &err);
	if (rc < 0)
		return cli_fail(&err);
	rc = apply_settings(ctx, pos[0], &a);
	if (rc != CLI_OK)
		return rc;
	printf("tenant %s %s\n", pos[0], adding ? "added" : "updated");
	return CLI_OK;
}

static int tenant_add_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	return tenant_write(ctx, argc, argv, true);
}

static int tenant_set_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	return tenant_write(ctx, argc, argv, false);
}

static int tenant_list_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	bool json = false;
	const struct cli_opt opts[] = {
	    {"json", NULL, "print as JSON", NULL, &json},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"tenant list [--json]", "Lists tenants.", opts, 0, 0};
	const char *pos[1];
	int npos, rc;
	struct mlc_tenant *list = NULL;
	size_t n = 0;
	struct mlc_error err = {0};

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc == CLI_OK)
		rc = cli_open_store(ctx);
	if (rc != CLI_OK)
		return rc;
	if (tenant_list(ctx->store, &list, &n, &err) < 0)
		return cli_fail(&err);
	if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, tenant_to_json(&list[i]));
		cli_print_json(arr);
	} else if (n == 0) {
		printf("no tenants (add one with 'ml-connector tenant add')\n");
	} else {
		printf("%-20s %-20s %-16s %s\n", "NAME", "PROCORE COMPANY", "NETSUITE ACCOUNT",
		       "PROCORE ENV");
		for (size_t i = 0; i < n; i++)
			printf("%-20s %-20lld %-16s %s\n", list[i].name,
			       (long long)list[i].procore_company_id, list[i].netsuite_account,
			       list[i].procore_env);
	}
	tenant_list_free(list, n);
	return CLI_OK;
}

static int tenant_show_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	bool json = false;
	const struct cli_opt opts[] = {
	    {"json", NULL, "print as JSON", NULL, &json},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"tenant show NAME [--json]", "Shows one tenant.", opts, 1, 1};
	const char *pos[1];
	int npos, rc;
	struct mlc_tenant t;

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc == CLI_OK)
		rc = cli_get_tenant(ctx, pos[0], &t);
	if (rc != CLI_OK)
		return rc;
	if (json) {
		cli_print_json(tenant_to_json(&t));
	} else {
		char *ns = tenant_netsuite_url(&t);
		char *settings = json_dumps(t.settings, JSON_COMPACT | JSON_SORT_KEYS);
		printf("name:               %s\n", t.name);
		printf("procore company:    %lld\n", (long long)t.procore_company_id);
		printf("procore env:        %s\n", t.procore_env);
		printf("procore api url:    %s\n", tenant_procore_api_url(&t));
		printf("procore auth url:   %s\n", tenant_procore_auth_url(&t));
		printf("netsuite account:   %s\n", t.netsuite_account);
		printf("netsuite url:       %s\n", ns);
		printf("settings:           %s\n", settings ? settings : "{}");
		free(ns);
		free(settings);
	}
	tenant_release(&t);
	return CLI_OK;
}

static int tenant_remove_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_spec spec = {
	    "tenant remove NAME",
	    "Removes a tenant with its project links, secrets, mappings and history.",
	    NULL,
	    1,
	    1,
	};
	const char *pos[1];
	int npos, rc;
	struct mlc_error err = {0};

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc == CLI_OK)
		rc = cli_open_store(ctx);
	if (rc != CLI_OK)
		return rc;
	if (tenant_remove(ctx->store, pos[0], &err) < 0)
		return cli_fail(&err);
	printf("tenant %s removed\n", pos[0]);
	return CLI_OK;
}

int cmd_tenant(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct cli_command cmds[] = {
	    {"add", "add a tenant", tenant_add_cmd},
	    {"list", "list tenants", tenant_list_cmd},
	    {"show", "show one tenant", tenant_show_cmd},
	    {"set", "change a tenant", tenant_set_cmd},
	    {"remove", "remove a tenant and everything it owns", tenant_remove_cmd},
	    {NULL, NULL, NULL},
	};
	return cli_dispatch(ctx, "tenant", "Tenants: one per customer.", cmds, argc, argv);
}
