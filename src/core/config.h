#ifndef MLC_CONFIG_H
#define MLC_CONFIG_H

#include <stdbool.h>

#include "util/buf.h"
#include "util/compat.h"
#include "util/error.h"
#include "util/log.h"

/*
 * Process-wide settings (never per-tenant: those live in the store).
 *
 * Sources, later ones winning: built-in defaults, the YAML file, then one
 * environment variable per key (MLC_ + the key upper-cased with '.' -> '_',
 * e.g. log.level -> MLC_LOG_LEVEL).  The file is the -c argument, else
 * $MLC_CONFIG, else ./ml-connector.yaml; the default file may be absent,
 * a named one may not.
 *
 * Relative paths: data_dir is relative to the config file's folder (or
 * the working directory when there is no file); store and master_key_file
 * are relative to data_dir.  After config_load() every path is absolute.
 *
 * Errors name the file, line and key ("cfg.yaml:7: log.level: ...").
 */
struct mlc_config {
	char *file;                   /* the file read, NULL if none */
	char *data_dir;               /* absolute */
	char *store;                  /* "sqlite:/abs/path.db" or a postgres:// URL */
	char *redis;                  /* redis://host:port/db, or "" for none */
	int redis_fallback_processes; /* API budget share without Redis (auth/api_budget.h) */
	char *http_listen;            /* ADDR:PORT for serve */
	char *http_ops_listen;        /* ADDR:PORT for health and metrics, "" = http_listen */
	char *http_trusted_proxies;   /* CIDR list trusted for X-Forwarded-For, "" none */
	char *master_key_file;        /* absolute */
	enum mlc_log_level log_level;
	enum mlc_log_format log_format;
	int workers;
	int retry_backoff_ms;       /* base of the API retry backoff */
	int job_lease_s;            /* a running job is retaken after this */
	int audit_retention_days;   /* 0: keep everything */
	int http_per_client;        /* open connections per client address on serve's port */
	int http_read_timeout_s;    /* a connection silent this long is closed */
	bool http_access_log;       /* serve: one log line per request */
	bool console_enabled;       /* serve answers /console and /api/v1 */
	char *console_listen;       /* ADDR:PORT of the console, "" = http_listen */
	bool console_secure_cookie; /* the session cookie is Secure (TLS in front) */
};

#define MLC_CONFIG_DEFAULT_FILE "ml-connector.yaml"

/*
 * Loads configuration.  path is the -c argument or NULL.  On failure cfg
 * is released and err says where.  Caller releases with config_release().
 */
int config_load(struct mlc_config *cfg, const char *path, struct mlc_error *err) MLC_MUST_CHECK;
/* Loads from a YAML text (for tests); file_label names it in errors. */
int config_load_text(struct mlc_config *cfg, const char *text, const char *file_label,
		     const char *base_dir, struct mlc_error *err) MLC_MUST_CHECK;
void config_release(struct mlc_config *cfg);
/* Writes the effective configuration as YAML (or JSON), secrets masked
 * (passwords inside store and redis URLs). */
void config_dump(const struct mlc_config *cfg, struct mlc_buf *out, bool json);
/* Writes the commented default file used by `init`. */
void config_default_text(struct mlc_buf *out);
/* Copies url with any user:password@ password replaced by "***". */
void config_mask_url(const char *url, struct mlc_buf *out);
/* The SQLite path of a "sqlite:" store, or NULL for another backend. */
const char *config_sqlite_path(const struct mlc_config *cfg);

#endif
