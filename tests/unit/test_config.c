#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"

static void clear_env(void)
{
	unsetenv("MLC_LOG_LEVEL");
	unsetenv("MLC_STORE");
	unsetenv("MLC_DATA_DIR");
	unsetenv("MLC_CONFIG");
	unsetenv("MLC_WORKERS");
}

static void test_defaults(void **state)
{
	struct mlc_config c;
	struct mlc_error err = {0};
	(void)state;
	clear_env();
	assert_int_equal(config_load_text(&c, NULL, "none", "/srv/mlc", &err), 0);
	assert_string_equal(c.data_dir, "/srv/mlc/.");
	assert_string_equal(c.store, "sqlite:/srv/mlc/./ml-connector.db");
	assert_string_equal(c.master_key_file, "/srv/mlc/./master.key");
	assert_string_equal(c.http_listen, "127.0.0.1:8080");
	assert_int_equal(c.log_level, MLC_LOG_INFO);
	assert_int_equal(c.log_format, MLC_LOG_LOGFMT);
	assert_int_equal(c.workers, 4);
	config_release(&c);
}

static void test_file_values(void **state)
{
	struct mlc_config c;
	struct mlc_error err = {0};
	const char *yaml = "# comment\n"
			   "data_dir: /var/lib/mlc\n"
			   "store: sqlite:db/main.db\n"
			   "http:\n"
			   "  listen: 0.0.0.0:9000\n"
			   "log:\n"
			   "  level: debug\n"
			   "  format: json\n"
			   "workers: 12\n";
	(void)state;
	clear_env();
	assert_int_equal(config_load_text(&c, yaml, "t.yaml", "/etc", &err), 0);
	assert_string_equal(c.data_dir, "/var/lib/mlc");
	assert_string_equal(c.store, "sqlite:/var/lib/mlc/db/main.db");
	assert_string_equal(c.http_listen, "0.0.0.0:9000");
	assert_int_equal(c.log_level, MLC_LOG_DEBUG);
	assert_int_equal(c.log_format, MLC_LOG_JSON);
	assert_int_equal(c.workers, 12);
	config_release(&c);
}

static void expect_error(const char *yaml, const char *msg)
{
	struct mlc_config c;
	struct mlc_error err = {0};
	assert_true(config_load_text(&c, yaml, "bad.yaml", "/tmp", &err) < 0);
	assert_int_equal(err.code, MLC_ECONFIG);
	if (!strstr(err.msg, msg))
		fail_msg("expected '%s' in '%s'", msg, err.msg);
}

static void test_errors_name_line_and_key(void **state)
{
	(void)state;
	clear_env();
	expect_error("data_dir: /x\nlog:\n  level: loud\n", "bad.yaml:3: log.level: 'loud'");
	expect_error("data_dir: /x\n\ncolour: red\n", "bad.yaml:3: colour: unknown key");
	expect_error("http:\n  listen: a\n  port: 5\n", "bad.yaml:3: http.port: unknown key");
	expect_error("workers: many\n", "bad.yaml:1: workers:");
	expect_error("workers: 0\n", "bad.yaml:1: workers:");
	expect_error("log: [1, 2]\n", "bad.yaml:1: log: is a section");
	expect_error("workers: [1, 2]\n", "bad.yaml:1: workers: expected a single value");
	expect_error("store: mysql://x\n",
		     "store: 'mysql://x' must start with sqlite: or postgres://");
	expect_error("data_dir: [unclosed\n", "bad.yaml:2:");
	expect_error("- a\n- b\n", "bad.yaml:1: the file must be a mapping");
}

static void test_env_overrides(void **state)
{
	struct mlc_config c;
	struct mlc_error err = {0};
	(void)state;
	clear_env();
	setenv("MLC_LOG_LEVEL", "warn", 1);
	setenv("MLC_STORE", "postgres://mlc:pw@db.local/mlc", 1);
	assert_int_equal(config_load_text(&c, "log:\n  level: debug\n", "t.yaml", "/", &err), 0);
	assert_int_equal(c.log_level, MLC_LOG_WARN);
	assert_string_equal(c.store, "postgres://mlc:pw@db.local/mlc");
	{
		struct mlc_buf out = MLC_BUF_INIT;
		config_dump(&c, &out, false);
		assert_null(strstr(out.data, "pw@"));
		assert_non_null(strstr(out.data, "postgres://mlc:***@db.local/mlc"));
		buf_release(&out);
	}
	config_release(&c);
	setenv("MLC_LOG_LEVEL", "loud", 1);
	assert_true(config_load_text(&c, NULL, "t.yaml", "/", &err) < 0);
	assert_non_null(strstr(err.msg, "environment MLC_LOG_LEVEL"));
	clear_env();
}

static void test_load_file(void **state)
{
	char dir[] = "/tmp/mlc-config-XXXXXX";
	char path[256];
	struct mlc_config c;
	struct mlc_error err = {0};
	FILE *f;
	(void)state;
	clear_env();
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ml-connector.yaml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("data_dir: data\n", f);
	fclose(f);
	assert_int_equal(config_load(&c, path, &err), 0);
	assert_non_null(strstr(c.data_dir, "/data"));
	assert_int_equal(strncmp(c.data_dir, dir, strlen(dir)), 0);
	assert_non_null(c.file);
	config_release(&c);
	/* MLC_CONFIG names the file when -c does not */
	setenv("MLC_CONFIG", path, 1);
	assert_int_equal(config_load(&c, NULL, &err), 0);
	assert_non_null(strstr(c.file, "ml-connector.yaml"));
	config_release(&c);
	/* a named file must exist */
	snprintf(path, sizeof(path), "%s/missing.yaml", dir);
	assert_true(config_load(&c, path, &err) < 0);
	assert_non_null(strstr(err.msg, "missing.yaml"));
	clear_env();
	snprintf(path, sizeof(path), "%s/ml-connector.yaml", dir);
	unlink(path);
	rmdir(dir);
}

static void test_default_text_parses(void **state)
{
	struct mlc_buf text = MLC_BUF_INIT;
	struct mlc_config c;
	struct mlc_error err = {0};
	(void)state;
	clear_env();
	config_default_text(&text);
	assert_int_equal(config_load_text(&c, text.data, "default", "/x", &err), 0);
	assert_string_equal(c.http_listen, "127.0.0.1:8080");
	config_release(&c);
	buf_release(&text);
}

/* http.ops_listen (issue 21, item 18): empty by default, read from the
 * file, and checked with the parser http.listen uses. */
static void test_ops_listen(void **state)
{
	struct mlc_config c;
	struct mlc_error err = {0};
	(void)state;
	clear_env();
	unsetenv("MLC_HTTP_OPS_LISTEN");
	assert_int_equal(config_load_text(&c, NULL, "none", "/x", &err), 0);
	assert_string_equal(c.http_ops_listen, "");
	config_release(&c);
	assert_int_equal(
	    config_load_text(&c, "http:\n  ops_listen: \"[::1]:9100\"\n", "t.yaml", "/x", &err), 0);
	assert_string_equal(c.http_ops_listen, "[::1]:9100");
	assert_string_equal(c.http_listen, "127.0.0.1:8080");
	config_release(&c);
	expect_error("http:\n  ops_listen: \"127.0.0.1:70000\"\n", "http.ops_listen: ");
	expect_error("http:\n  ops_listen: \"[::1:80\"\n", "http.ops_listen: ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_file_values),
	    cmocka_unit_test(test_errors_name_line_and_key),
	    cmocka_unit_test(test_env_overrides),
	    cmocka_unit_test(test_load_file),
	    cmocka_unit_test(test_default_text_parses),
	    cmocka_unit_test(test_ops_listen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
