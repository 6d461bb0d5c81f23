#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/contractor.h"
#include "sandbox/nssim.h"
#include "sandbox/sandbox.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

/*
 * The sandbox frame: data directory, both simulators on their own ports,
 * the shared clock (time travel), and DATA/credentials.json + seed.json so
 * that scripts never parse console output.
 */

int64_t sandbox_now_ms(struct mlc_sandbox *sb)
{
	return sbx_clock_now(sb ? &sb->clock : NULL);
}

void sandbox_advance(struct mlc_sandbox *sb, int64_t ms)
{
	sbx_clock_advance(&sb->clock, ms);
}

static int mkdir_p(const char *path, struct mlc_error *err)
{
	char *dup = xstrdup(path);
	int rc = MLC_OK;

	for (char *p = dup + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dup, 0700) < 0 && errno != EEXIST) {
			rc = error_set(err, MLC_EIO, "%s: %s", dup, strerror(errno));
			break;
		}
		*p = '/';
	}
	if (rc == MLC_OK && mkdir(dup, 0700) < 0 && errno != EEXIST)
		rc = error_set(err, MLC_EIO, "%s: %s", dup, strerror(errno));
	free(dup);
	return rc;
}

/* Writes JSON to DIR/name atomically (temporary file + rename). */
static int write_json(const char *dir, const char *name, json_t *v, mode_t mode,
		      struct mlc_error *err)
{
	struct mlc_buf path = MLC_BUF_INIT, tmp = MLC_BUF_INIT;
	char *text = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	int fd = -1, rc = MLC_OK;
	size_t len = text ? strlen(text) : 0;

	buf_addf(&path, "%s/%s", dir, name);
	buf_addf(&tmp, "%s.tmp", path.data);
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0 || !text || write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 ||
	    fsync(fd) < 0) {
		rc = error_set(err, MLC_EIO, "%s: %s", tmp.data, strerror(errno));
		goto out;
	}
	close(fd);
	fd = -1;
	if (rename(tmp.data, path.data) < 0)
		rc = error_set(err, MLC_EIO, "%s: %s", path.data, strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	free(text);
	buf_release(&path);
	buf_release(&tmp);
	return rc;
}

static void sim_init(struct sbx_sim *sim, const char *name, struct mlc_sandbox *sb, uint64_t salt)
{
	sim->name = name;
	sim->sandbox = sb;
	pthread_mutex_init(&sim->lock, NULL);
	sim->rng = sb->opts.seed * 0x9e3779b97f4a7c15ULL ^ salt;
	sim->calls = json_object();
	sim->status = json_object();
	sim->calls_status = json_object();
}

static void sim_release(struct sbx_sim *sim)
{
	if (!sim->name)
		return;
	http_server_free(sim->http);
	sim->http = NULL;
	json_decref(sim->calls);
	json_decref(sim->status);
	json_decref(sim->calls_status);
	for (size_t i = 0; i < sim->nroutes; i++)
		free(sim->routes[i]);
	free(sim->routes);
	pthread_mutex_destroy(&sim->lock);
}

static int new_server(struct sbx_sim *sim, const char *listen, const char *name,
		      struct mlc_error *err)
{
	struct mlc_http_server_opts o = {
	    .listen = listen,
	    .body_limit = 8u << 20,
	    .threads = 32,
	    .name = name,
	};
	struct mlc_http_server *http = NULL;
	int rc = http_server_new(&o, &http, err);

	if (rc < 0)
		return rc;
	sim->http = http;
	return sbx_sim_install(sim, http, err);
}

/* Writes text to DIR/mappings/NAME (replacing it). */
static int write_text(const char *dir, const char *name, const struct mlc_buf *text,
		      struct mlc_error *err)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/mappings/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return error_set(err, MLC_EIO, "%s: %s", path, strerror(errno));
	fwrite(text->data, 1, text->len, f);
	if (fclose(f) != 0)
		return error_set(err, MLC_EIO, "%s: %s", path, strerror(errno));
	return MLC_OK;
}

/*
 * DATA/mappings/<kind>.csv: the seeded contractor's mappings, one file per
 * mapping kind, ready for `ml-connector mapping import TENANT <kind> FILE`.
 * Expense accounts follow the cost type (docs/reference/construction-accounting.md), the
 * offset is 2050 Accrued Job Costs, payment applications debit 1200 (and
 * 1250 for retainage) and credit 4000.
 */
static int write_mappings(const char *dir, const json_t *seed, struct mlc_error *err)
{
	char path[PATH_MAX];
	size_t ncc, nct;
	const struct contractor_cost_code *cc = contractor_cost_codes(&ncc);
	const struct contractor_cost_type *ct = contractor_cost_types(&nct);
	json_t *gl = json_object_get(seed, "gl"), *exp = json_object_get(gl, "expense_accounts");
	json_t *segs = json_object_get(seed, "netsuite_cost_code_segments");
	struct mlc_buf b = MLC_BUF_INIT;
	int rc;

	snprintf(path, sizeof(path), "%s/mappings", dir);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return error_set(err, MLC_EIO, "%s: %s", path, strerror(errno));
	buf_addstr(&b, "cost_code,cost_type,account\n");
	for (size_t i = 0; i < ncc; i++)
		for (size_t j = 0; j < nct; j++)
			buf_addf(&b, "%s,%s,%lld\n", cc[i].code, ct[j].code,
				 (long long)json_integer_value(json_object_get(
				     json_object_get(exp, ct[j].code), "account_id")));
	rc = write_text(dir, "cost-code-account.csv", &b, err);
	if (rc < 0)
		goto out;
	buf_reset(&b);
	buf_addstr(&b, "cost_code,segment_value\n");
	for (size_t i = 0; i < ncc; i++)
		if (json_integer_value(json_object_get(segs, cc[i].code)))
			buf_addf(&b, "%s,%lld\n", cc[i].code,
				 (long long)json_integer_value(json_object_get(segs, cc[i].code)));
	rc = write_text(dir, "cost-code-segment.csv", &b, err);
	if (rc < 0)
		goto out;
	buf_reset(&b);
	buf_addstr(&b, "cost_type,account\n");
	for (size_t j = 0; j < nct; j++)
		buf_addf(&b, "%s,%lld\n", ct[j].code,
			 (long long)json_integer_value(
			     json_object_get(json_object_get(exp, ct[j].code), "account_id")));
	rc = write_text(dir, "cost-type-account.csv", &b, err);
	if (rc < 0)
		goto out;
	buf_reset(&b);
	buf_addf(&b, "document_type,account\ndefault,%lld\n",
		 (long long)json_integer_value(json_object_get(gl, "offset_account_id")));
	if (json_integer_value(json_object_get(seed, "netsuite_receivable_account_id")))
		buf_addf(&b, "payment_application.debit,%lld\n",
			 (long long)json_integer_value(
			     json_object_get(seed, "netsuite_receivable_account_id")));
	if (json_integer_value(json_object_get(seed, "netsuite_retainage_receivable_account_id")))
		buf_addf(&b, "payment_application.retainage,%lld\n",
			 (long long)json_integer_value(
			     json_object_get(seed, "netsuite_retainage_receivable_account_id")));
	if (json_integer_value(json_object_get(seed, "netsuite_revenue_account_id")))
		buf_addf(&b, "payment_application.credit,%lld\n",
			 (long long)json_integer_value(
			     json_object_get(seed, "netsuite_revenue_account_id")));
	rc = write_text(dir, "offset-account.csv", &b, err);
out:
	buf_release(&b);
	return rc;
}

/* seed.json's project pairs, joined by project number. */
static void assemble_seed(json_t *seed)
{
	json_t *jobs = json_object_get(seed, "netsuite_jobs");
	json_t *pcp = json_object_get(seed, "procore_projects");
	json_t *pairs = json_array(), *p;
	size_t i;

	json_array_foreach (pcp, i, p) {
		const char *num = json_string_value(json_object_get(p, "project_number"));
		json_t *job = num ? json_object_get(jobs, num) : NULL;
		json_t *pair;
		if (!job)
			continue;
		pair = json_pack("{s:s,s:O}", "project_number", num, "name",
				 json_object_get(p, "name"));
		json_object_set(pair, "procore_project_id", json_object_get(p, "id"));
		json_object_update(pair, job);
		json_array_append_new(pairs, pair);
	}
	json_object_set_new(seed, "projects", pairs);
	json_object_del(seed, "netsuite_jobs");
}

int sandbox_start(const struct mlc_sandbox_opts *opts, struct mlc_sandbox **out,
		  struct mlc_error *err)
{
	struct mlc_sandbox *sb = xcalloc(1, sizeof(*sb));
	json_t *cred = json_object(), *seed = json_object();
	char real[PATH_MAX], url[128];
	int rc;

	*out = NULL;
	sb->opts = *opts;
	if (!sb->opts.netsuite_listen)
		sb->opts.netsuite_listen = "127.0.0.1:8701";
	if (!sb->opts.procore_listen)
		sb->opts.procore_listen = "127.0.0.1:8702";
	if (!sb->opts.seed)
		sb->opts.seed = 1;
	if (sb->opts.scale < 1)
		sb->opts.scale = 1;
	if (sb->opts.ns_token_ttl <= 0)
		sb->opts.ns_token_ttl = 3600;
	if (sb->opts.pc_token_ttl <= 0)
		sb->opts.pc_token_ttl = 5400;
	if (sb->opts.ns_concurrency <= 0)
		sb->opts.ns_concurrency = 5;
	pthread_mutex_init(&sb->lock, NULL);
	sbx_clock_init(&sb->clock);
	sim_init(&sb->ns, "netsuite", sb, 0x6e73);
	sim_init(&sb->pc, "procore", sb, 0x7063);
	rc = sandbox_faults_parse(sb->opts.faults, &sb->ns.faults, &sb->pc.faults, err);
	if (rc < 0)
		goto out;
	if (sb->opts.ns_segment) {
		rc = nsdb_segment_set(
		    strcmp(sb->opts.ns_segment, "none") ? sb->opts.ns_segment : NULL, err);
		if (rc < 0) {
			error_prefix(err, "--netsuite-segment: ");
			goto out;
		}
	}
	rc = sandbox_misfits_parse(sb->opts.misfits, &sb->misfits, err);
	if (rc < 0)
		goto out;
	nsdb_misfits_set(&sb->misfits);
	if (opts->data_dir) {
		rc = mkdir_p(opts->data_dir, err);
		if (rc < 0)
			goto out;
		if (!realpath(opts->data_dir, real)) {
			rc = error_set(err, MLC_EIO, "%s: %s", opts->data_dir, strerror(errno));
			goto out;
		}
		sb->data_dir = xstrdup(real);
	} else {
		char tmpl[] = "/tmp/mlc-sandbox-XXXXXX";
		if (!mkdtemp(tmpl)) {
			rc = error_set(err, MLC_EIO, "cannot create a temporary directory: %s",
				       strerror(errno));
			goto out;
		}
		sb->data_dir = xstrdup(tmpl);
	}
	sb->opts.data_dir = sb->data_dir;
	rc = new_server(&sb->ns, sb->opts.netsuite_listen, "netsuite-sim", err);
	if (rc >= 0)
		rc = nssim_new(sb, sb->ns.http, cred, seed, &sb->nssim, err);
	if (rc >= 0)
		rc = new_server(&sb->pc, sb->opts.procore_listen, "procore-sim", err);
	if (rc >= 0)
		rc = pcsim_new(sb, sb->pc.http, cred, seed, &sb->pcsim, err);
	if (rc < 0)
		goto out;
	rc = http_server_start(sb->ns.http, err);
	if (rc >= 0)
		rc = http_server_start(sb->pc.http, err);
	if (rc < 0)
		goto out;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", http_server_port(sb->ns.http));
	json_object_set_new(json_object_get(cred, "netsuite"), "url", json_string(url));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/services/rest/auth/oauth2/v1/token",
		 http_server_port(sb->ns.http));
	json_object_set_new(json_object_get(cred, "netsuite"), "token_url", json_string(url));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", http_server_port(sb->pc.http));
	if (json_object_get(cred, "procore"))
		json_object_set_new(json_object_get(cred, "procore"), "url", json_string(url));
	assemble_seed(seed);
	rc = write_json(sb->data_dir, "credentials.json", cred, 0600, err);
	if (rc >= 0)
		rc = write_json(sb->data_dir, "seed.json", seed, 0644, err);
	if (rc >= 0)
		rc = write_mappings(sb->data_dir, seed, err);
	if (rc < 0)
		goto out;
	*out = sb;
	sb = NULL;
out:
	json_decref(cred);
	json_decref(seed);
	sandbox_free(sb);
	return rc;
}

void sandbox_free(struct mlc_sandbox *sb)
{
	if (!sb)
		return;
	/* Servers first: no handler may run once the simulators are gone. */
	if (sb->ns.http)
		http_server_stop(sb->ns.http);
	if (sb->pc.http)
		http_server_stop(sb->pc.http);
	nssim_free(sb->nssim);
	pcsim_free(sb->pcsim);
	sim_release(&sb->ns);
	sim_release(&sb->pc);
	sbx_clock_destroy(&sb->clock);
	pthread_mutex_destroy(&sb->lock);
	free(sb->data_dir);
	free(sb);
}
