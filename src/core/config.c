#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <jansson.h>
#include <yaml.h>

#include "core/config.h"
#include "net/cidr.h"
#include "util/num.h"
#include "util/str.h"
#include "util/banned.h"

/* KT_LISTEN and KT_CIDRS are strings checked once the file and the
 * environment are read (check_addresses), so that `config check` refuses
 * what serve would refuse (issue 21, item 21). */
enum key_type {
	KT_STRING,
	KT_LOG_LEVEL,
	KT_LOG_FORMAT,
	KT_INT,
	KT_DAYS,
	KT_LISTEN,
	KT_CIDRS,
	KT_BOOL
};

struct key_spec {
	const char *key; /* dotted path in the YAML file */
	const char *env; /* environment variable */
	enum key_type type;
	size_t offset;
	const char *def; /* default, as text */
	const char *help;
};

#define OFF(f) offsetof(struct mlc_config, f)

static const struct key_spec keys[] = {
    {"data_dir", "MLC_DATA_DIR", KT_STRING, OFF(data_dir), ".",
     "Folder for the database and master key (relative to this file)."},
    {"store", "MLC_STORE", KT_STRING, OFF(store), "sqlite:ml-connector.db",
     "sqlite:PATH (relative to data_dir) or postgres://user:pass@host/db."},
    {"redis", "MLC_REDIS", KT_STRING, OFF(redis), "",
     "redis://host:port/db for the shared token cache and rate budgets; empty: in process."},
    {"redis_fallback_processes", "MLC_REDIS_FALLBACK_PROCESSES", KT_INT,
     OFF(redis_fallback_processes), "1",
     "While Redis is unreachable each process keeps 1/N of an API limit; N when the store "
     "does not list the live processes (1-1024)."},
    {"http.listen", "MLC_HTTP_LISTEN", KT_LISTEN, OFF(http_listen), "127.0.0.1:8080",
     "Address serve listens on for webhooks, health, metrics and the console."},
    {"http.ops_listen", "MLC_HTTP_OPS_LISTEN", KT_LISTEN, OFF(http_ops_listen), "",
     "Address for /healthz, /readyz and /metrics only (then not served on http.listen); "
     "empty: all on http.listen."},
    {"http.trusted_proxies", "MLC_HTTP_TRUSTED_PROXIES", KT_CIDRS, OFF(http_trusted_proxies), "",
     "Comma-separated CIDRs whose X-Forwarded-For is believed; empty: none."},
    {"http.max_connections_per_client", "MLC_HTTP_MAX_CONNECTIONS_PER_CLIENT", KT_INT,
     OFF(http_per_client), "64",
     "Connections one client address may hold open on serve's port (1-1024); more are "
     "closed at once. Behind a proxy every client is the proxy."},
    {"http.read_timeout_seconds", "MLC_HTTP_READ_TIMEOUT_SECONDS", KT_INT, OFF(http_read_timeout_s),
     "10", "A connection that sends nothing for this many seconds (1-1024) is closed."},
    {"http.access_log", "MLC_HTTP_ACCESS_LOG", KT_BOOL, OFF(http_access_log), "false",
     "true: serve logs one info line per request (off by default: /metrics counts them)."},
    {"console.enabled", "MLC_CONSOLE_ENABLED", KT_BOOL, OFF(console_enabled), "false",
     "true: serve answers the web console (/console, /api/v1); off by default."},
    {"console.listen", "MLC_CONSOLE_LISTEN", KT_LISTEN, OFF(console_listen), "",
     "Address of the console's own listener; empty: on http.listen with the webhooks."},
    {"console.secure_cookie", "MLC_CONSOLE_SECURE_COOKIE", KT_BOOL, OFF(console_secure_cookie),
     "false", "true: the session cookie is marked Secure (set it when TLS is in front)."},
    {"retry.backoff_ms", "MLC_RETRY_BACKOFF_MS", KT_INT, OFF(retry_backoff_ms), "500",
     "Base of the backoff between retries of an API call, in milliseconds (1-1024): retry n "
     "waits a random time up to base x 2^(n-1), at most 30 s. A 429's own wait is kept."},
    {"workers", "MLC_WORKERS", KT_INT, OFF(workers), "4", "Worker threads in serve."},
    {"jobs.lease_seconds", "MLC_JOBS_LEASE_SECONDS", KT_INT, OFF(job_lease_s), "600",
     "A job whose worker died is taken again after this many seconds (1-1024)."},
    {"audit.retention_days", "MLC_AUDIT_RETENTION_DAYS", KT_DAYS, OFF(audit_retention_days), "0",
     "Audit rows, finished runs and processed inbox events older than this are deleted "
     "by serve; 0 keeps everything."},
    {"log.level", "MLC_LOG_LEVEL", KT_LOG_LEVEL, OFF(log_level), "info",
     "debug, info, warn or error."},
    {"log.format", "MLC_LOG_FORMAT", KT_LOG_FORMAT, OFF(log_format), "logfmt", "logfmt or json."},
    {"master_key_file", "MLC_MASTER_KEY_FILE", KT_STRING, OFF(master_key_file), "master.key",
     "32-byte key (mode 0600) that encrypts stored secrets (relative to data_dir)."},
};

static int set_value(struct mlc_config *cfg, const struct key_spec *k, const char *value,
		     struct mlc_error *err)
{
	char *base = (char *)cfg + k->offset;

	switch (k->type) {
	case KT_STRING:
	case KT_LISTEN:
	case KT_CIDRS: {
		char **slot = (char **)(void *)base;
		free(*slot);
		*slot = xstrdup(value);
		return MLC_OK;
	}
	case KT_LOG_LEVEL:
		if (log_level_parse(value, (enum mlc_log_level *)(void *)base) < 0)
			return error_set(err, MLC_ECONFIG,
					 "%s: '%s' is not one of debug, info, warn, error", k->key,
					 value);
		return MLC_OK;
	case KT_LOG_FORMAT:
		if (log_format_parse(value, (enum mlc_log_format *)(void *)base) < 0)
			return error_set(err, MLC_ECONFIG, "%s: '%s' is not one of logfmt, json",
					 k->key, value);
		return MLC_OK;
	case KT_INT:
		if (num_parse_int(value, 1, 1024, (int *)(void *)base, err) < 0)
			return error_set(err, MLC_ECONFIG,
					 "%s: '%s' is not a whole number from 1 to 1024", k->key,
					 value);
		return MLC_OK;
	case KT_BOOL:
		if (strcmp(value, "true") && strcmp(value, "false"))
			return error_set(err, MLC_ECONFIG, "%s: '%s' is not true or false", k->key,
					 value);
		*(bool *)(void *)base = strcmp(value, "true") == 0;
		return MLC_OK;
	case KT_DAYS:
		if (num_parse_int(value, 0, 36500, (int *)(void *)base, err) < 0)
			return error_set(
			    err, MLC_ECONFIG,
			    "%s: '%s' is not a number of days from 0 (keep all) to 36500", k->key,
			    value);
		return MLC_OK;
	}
	return MLC_EINVAL;
}

static const struct key_spec *find_key(const char *key)
{
	for (size_t i = 0; i < MLC_ARRAY_LEN(keys); i++)
		if (strcmp(keys[i].key, key) == 0)
			return &keys[i];
	return NULL;
}

static int is_section(const char *prefix)
{
	size_t n = strlen(prefix);
	for (size_t i = 0; i < MLC_ARRAY_LEN(keys); i++)
		if (strncmp(keys[i].key, prefix, n) == 0 && keys[i].key[n] == '.')
			return 1;
	return 0;
}

/* Walks one mapping node, recursing into sections. */
static int walk_mapping(struct mlc_config *cfg, yaml_document_t *doc, yaml_node_t *map,
			const char *prefix, const char *label, struct mlc_error *err)
{
	for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *kn = yaml_document_get_node(doc, pair->key);
		yaml_node_t *vn = yaml_document_get_node(doc, pair->value);
		char full[256];
		int line = kn ? (int)kn->start_mark.line + 1 : 0;

		if (!kn || kn->type != YAML_SCALAR_NODE)
			return error_set(err, MLC_ECONFIG, "%s:%d: keys must be plain words", label,
					 line);
		snprintf(full, sizeof(full), "%s%s%s", prefix, *prefix ? "." : "",
			 (const char *)kn->data.scalar.value);
		if (vn && vn->type == YAML_MAPPING_NODE) {
			if (!is_section(full))
				return error_set(err, MLC_ECONFIG, "%s:%d: %s: unknown section",
						 label, line, full);
			int rc = walk_mapping(cfg, doc, vn, full, label, err);
			if (rc < 0)
				return rc;
			continue;
		}
		const struct key_spec *k = find_key(full);
		if (!k && is_section(full))
			return error_set(err, MLC_ECONFIG,
					 "%s:%d: %s: is a section; expected indented keys below it",
					 label, line, full);
		if (!k)
			return error_set(err, MLC_ECONFIG, "%s:%d: %s: unknown key", label, line,
					 full);
		if (!vn || vn->type != YAML_SCALAR_NODE)
			return error_set(err, MLC_ECONFIG, "%s:%d: %s: expected a single value",
					 label, line, full);
		if (set_value(cfg, k, (const char *)vn->data.scalar.value, err) < 0)
			return error_prefix(err, "%s:%d: ", label, (int)vn->start_mark.line + 1);
	}
	return MLC_OK;
}

static int parse_yaml(struct mlc_config *cfg, const char *text, size_t len, const char *label,
		      struct mlc_error *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	int rc = MLC_OK;

	if (!yaml_parser_initialize(&parser))
		return error_set(err, MLC_ENOMEM, "cannot start the YAML parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = error_set(err, MLC_ECONFIG, "%s:%zu: %s", label, parser.problem_mark.line + 1,
			       parser.problem ? parser.problem : "malformed YAML");
		yaml_parser_delete(&parser);
		return rc;
	}
	root = yaml_document_get_root_node(&doc);
	if (root && !(root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0)) {
		if (root->type != YAML_MAPPING_NODE)
			rc =
			    error_set(err, MLC_ECONFIG, "%s:%d: the file must be a mapping of keys",
				      label, (int)root->start_mark.line + 1);
		else
			rc = walk_mapping(cfg, &doc, root, "", label, err);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

static int apply_env(struct mlc_config *cfg, struct mlc_error *err)
{
	for (size_t i = 0; i < MLC_ARRAY_LEN(keys); i++) {
		const char *v = getenv(keys[i].env);
		if (v && set_value(cfg, &keys[i], v, err) < 0)
			return error_prefix(err, "environment %s: ", keys[i].env);
	}
	return MLC_OK;
}

/* The listen address and the trusted proxies, checked with the parsers
 * serve uses; the error names where the value came from, the key, the
 * value and what is wrong with it. */
static int check_addresses(const struct mlc_config *cfg, const char *file_label,
			   struct mlc_error *err)
{
	for (size_t i = 0; i < MLC_ARRAY_LEN(keys); i++) {
		const struct key_spec *k = &keys[i];
		const char *v;
		struct mlc_error why = {0};
		int rc = MLC_OK;

		if (k->type != KT_LISTEN && k->type != KT_CIDRS)
			continue;
		v = *(char *const *)(const void *)((const char *)cfg + k->offset);
		/* a listen key whose default is empty is optional (http.ops_listen) */
		if (k->type == KT_LISTEN && k->def[0] == '\0' && (!v || !*v))
			continue;
		if (k->type == KT_LISTEN) {
			struct sockaddr_storage ss;
			rc = listen_parse(v, &ss, &why);
		} else if (k->type == KT_CIDRS) {
			struct mlc_cidr_list cl = {0};
			rc = cidr_list_parse(v, &cl, &why);
			cidr_list_release(&cl);
			if (rc < 0)
				error_prefix(&why, "'%s': ", v ? v : "");
		}
		if (rc == MLC_OK)
			continue;
		if (getenv(k->env))
			return error_set(err, MLC_ECONFIG, "environment %s: %s: %s", k->env, k->key,
					 why.msg);
		return error_set(err, MLC_ECONFIG, "%s: %s: %s",
				 file_label ? file_label : "defaults", k->key, why.msg);
	}
	return MLC_OK;
}

static char *join_path(const char *base, const char *rel)
{
	struct mlc_buf b = MLC_BUF_INIT;

	if (rel[0] == '/' || !base)
		return xstrdup(rel);
	buf_addstr(&b, base);
	if (b.len && b.data[b.len - 1] != '/')
		buf_addch(&b, '/');
	buf_addstr(&b, rel);
	return buf_detach(&b, NULL);
}

/* Makes paths absolute: data_dir against base_dir, the rest against data_dir. */
static int resolve_paths(struct mlc_config *cfg, const char *base_dir, struct mlc_error *err)
{
	char *p;
	char cwd[PATH_MAX];

	if (!base_dir) {
		if (!getcwd(cwd, sizeof(cwd)))
			return error_set(err, MLC_EIO, "cannot read the working directory: %s",
					 strerror(errno));
		base_dir = cwd;
	}
	p = join_path(base_dir, cfg->data_dir);
	free(cfg->data_dir);
	cfg->data_dir = p;
	p = join_path(cfg->data_dir, cfg->master_key_file);
	free(cfg->master_key_file);
	cfg->master_key_file = p;
	if (str_starts_with(cfg->store, "sqlite:")) {
		char *sp = join_path(cfg->data_dir, cfg->store + 7);
		struct mlc_buf b = MLC_BUF_INIT;
		buf_addf(&b, "sqlite:%s", sp);
		free(sp);
		free(cfg->store);
		cfg->store = buf_detach(&b, NULL);
	} else if (!str_starts_with(cfg->store, "postgres://") &&
		   !str_starts_with(cfg->store, "postgresql://")) {
		return error_set(err, MLC_ECONFIG,
				 "store: '%s' must start with sqlite: or postgres://", cfg->store);
	}
	return MLC_OK;
}

static void set_defaults(struct mlc_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < MLC_ARRAY_LEN(keys); i++) {
		int rc = set_value(cfg, &keys[i], keys[i].def, NULL);
		MLC_UNUSED(rc);
	}
}

int config_load_text(struct mlc_config *cfg, const char *text, const char *file_label,
		     const char *base_dir, struct mlc_error *err)
{
	int rc;

	set_defaults(cfg);
	if (text) {
		rc = parse_yaml(cfg, text, strlen(text), file_label, err);
		if (rc < 0)
			goto fail;
	}
	rc = apply_env(cfg, err);
	if (rc < 0)
		goto fail;
	rc = check_addresses(cfg, text ? file_label : NULL, err);
	if (rc < 0)
		goto fail;
	rc = resolve_paths(cfg, base_dir, err);
	if (rc < 0)
		goto fail;
	return MLC_OK;
fail:
	config_release(cfg);
	return rc;
}

int config_load(struct mlc_config *cfg, const char *path, struct mlc_error *err)
{
	const char *file = path;
	int required = 1, rc;
	FILE *f = NULL;
	struct mlc_buf text = MLC_BUF_INIT;
	char *dir = NULL, *abs = NULL;
	char chunk[4096];
	size_t n;

	if (!file) {
		file = getenv("MLC_CONFIG");
		if (!file || !*file) {
			file = MLC_CONFIG_DEFAULT_FILE;
			required = 0;
		}
	}
	f = fopen(file, "r");
	if (!f) {
		if (required || errno != ENOENT) {
			rc = error_set(err, MLC_ECONFIG, "%s: cannot read config file: %s", file,
				       strerror(errno));
			memset(cfg, 0, sizeof(*cfg));
			goto out;
		}
		rc = config_load_text(cfg, NULL, file, NULL, err);
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&text, chunk, n);
	abs = realpath(file, NULL);
	if (abs) {
		char *slash = strrchr(abs, '/');
		dir = xstrndup(abs, slash && slash != abs ? (size_t)(slash - abs) : 1);
	}
	rc = config_load_text(cfg, text.data, file, dir, err);
	if (rc == MLC_OK)
		cfg->file = xstrdup(abs ? abs : file);
out:
	if (f)
		fclose(f);
	free(dir);
	free(abs);
	buf_release(&text);
	return rc;
}

void config_release(struct mlc_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->file);
	for (size_t i = 0; i < MLC_ARRAY_LEN(keys); i++) {
		if (keys[i].type == KT_STRING || keys[i].type == KT_LISTEN ||
		    keys[i].type == KT_CIDRS) {
			char **slot = (char **)(void *)((char *)cfg + keys[i].offset);
			free(*slot);
		}
	}
	memset(cfg, 0, sizeof(*cfg));
}

void config_mask_url(const char *url, struct mlc_buf *out)
{
	const char *scheme = strstr(url, "://");
	const char *at, *colon;

	if (!scheme) {
		buf_addstr(out, url);
		return;
	}
	at = strchr(scheme + 3, '@');
	colon = at ? memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) : NULL;
	if (!colon) {
		buf_addstr(out, url);
		return;
	}
	buf_add(out, url, (size_t)(colon - url) + 1);
	buf_addstr(out, "***");
	buf_addstr(out, at);
}

const char *config_sqlite_path(const struct mlc_config *cfg)
{
	return str_starts_with(cfg->store, "sqlite:") ? cfg->store + 7 : NULL;
}

static void value_text(const struct mlc_config *cfg, const struct key_spec *k, struct mlc_buf *v)
{
	const char *base = (const char *)cfg + k->offset;

	switch (k->type) {
	case KT_STRING:
	case KT_LISTEN:
	case KT_CIDRS: {
		const char *s = *(char *const *)(const void *)base;
		if (strcmp(k->key, "store") == 0 || strcmp(k->key, "redis") == 0)
			config_mask_url(s ? s : "", v);
		else
			buf_addstr(v, s ? s : "");
		break;
	}
	case KT_LOG_LEVEL:
		buf_addstr(v, log_level_name(*(const enum mlc_log_level *)(const void *)base));
		break;
	case KT_LOG_FORMAT:
		buf_addstr(v, *(const enum mlc_log_format *)(const void *)base == MLC_LOG_JSON
				  ? "json"
				  : "logfmt");
		break;
	case KT_INT:
	case KT_DAYS:
		buf_addf(v, "%d", *(const int *)(const void *)base);
		break;
	case KT_BOOL:
		buf_addstr(v, *(const bool *)(const void *)base ? "true" : "false");
		break;
	}
}

void config_dump(const struct mlc_config *cfg, struct mlc_buf *out, bool json)
{
	json_t *root = json ? json_object() : NULL;
	const char *section = "";

	if (!json)
		buf_addf(out, "# effective configuration (file: %s)\n",
			 cfg->file ? cfg->file : "none");
	for (size_t i = 0; i < MLC_ARRAY_LEN(keys); i++) {
		struct mlc_buf v = MLC_BUF_INIT;
		const char *dot = strchr(keys[i].key, '.');
		value_text(cfg, &keys[i], &v);
		if (json) {
			json_object_set_new(root, keys[i].key, json_string(v.data));
		} else if (dot) {
			size_t sl = (size_t)(dot - keys[i].key);
			if (strncmp(section, keys[i].key, sl) != 0 || section[sl] != '.')
				buf_addf(out, "%.*s:\n", (int)sl, keys[i].key);
			section = keys[i].key;
			buf_addf(out, "  %s: \"", dot + 1);
			buf_add_json_escaped(out, v.data);
			buf_addstr(out, "\"\n");
		} else {
			section = "";
			buf_addf(out, "%s: \"", keys[i].key);
			buf_add_json_escaped(out, v.data);
			buf_addstr(out, "\"\n");
		}
		buf_release(&v);
	}
	if (json) {
		json_object_set_new(root, "file", cfg->file ? json_string(cfg->file) : json_null());
		char *s = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
		buf_addstr(out, s);
		buf_addch(out, '\n');
		free(s);
		json_decref(root);
	}
}

void config_default_text(struct mlc_buf *out)
{
	const char *section = "";

	buf_addstr(out, "# ml-connector configuration: process-wide settings only.\n"
			"# Tenants, projects, mappings and secrets live in the store.\n"
			"# Every key can be overridden by an environment variable (shown).\n\n");
	for (size_t i = 0; i < MLC_ARRAY_LEN(keys); i++) {
		const char *dot = strchr(keys[i].key, '.');
		if (dot) {
			size_t sl = (size_t)(dot - keys[i].key);
			if (strncmp(section, keys[i].key, sl) != 0 || section[sl] != '.')
				buf_addf(out, "%.*s:\n", (int)sl, keys[i].key);
			section = keys[i].key;
			buf_addf(out, "  # %s (%s)\n  %s: \"%s\"\n", keys[i].help, keys[i].env,
				 dot + 1, keys[i].def);
		} else {
			section = "";
			buf_addf(out, "# %s (%s)\n%s: \"%s\"\n", keys[i].help, keys[i].env,
				 keys[i].key, keys[i].def);
		}
	}
}
