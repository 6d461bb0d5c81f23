#ifndef MLC_STORE_TEST_H
#define MLC_STORE_TEST_H

/*
 * The store a unit test runs on: SQLite in memory, or, when MLC_STORE names
 * a PostgreSQL database (the `pg` ctest label, tests/integration/lib/pg.sh
 * run), a new empty schema in it for each call, so that every fixture
 * starts from nothing as an in-memory SQLite does.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/store.h"

static inline int test_store_is_pg(void)
{
	const char *u = getenv("MLC_STORE");
	return u && (strncmp(u, "postgres://", 11) == 0 || strncmp(u, "postgresql://", 13) == 0);
}

/* The URL of a fresh store (an empty schema on PostgreSQL); fallback is
 * used on SQLite.  Caller frees. */
static inline char *test_store_url(const char *fallback)
{
	static int seq;
	const char *base = getenv("MLC_STORE");
	char schema[64], *url;
	PGconn *c;
	PGresult *r;
	size_t n;

	if (!test_store_is_pg())
		return strdup(fallback);
	snprintf(schema, sizeof(schema), "t%ld_%d", (long)getpid(), ++seq);
	c = PQconnectdb(base);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "test store: %s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	{
		char sql[128];
		snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", schema);
		r = PQexec(c, sql);
	}
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fprintf(stderr, "test store: %s", PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
	n = strlen(base) + strlen(schema) + 64;
	url = malloc(n);
	snprintf(url, n, "%s%coptions=-csearch_path%%3D%s", base, strchr(base, '?') ? '&' : '?',
		 schema);
	return url;
}

/*
 * The one list of store unit tests that do not run on PostgreSQL, with the
 * reason.  Each calls TEST_PG_UNSUPPORTED() first, which skips it (cmocka
 * reports SKIPPED) when the store is PostgreSQL and it is listed here.
 */
static const struct {
	const char *test, *why;
} test_pg_unsupported[] = {
    {"test_inbox_insert_is_durable",
     "checks SQLite's synchronous pragma through a temp trigger; PostgreSQL commits are "
     "durable by default (store_pg.c has no durable switch)"},
    {"test_group_commit",
     "relies on SQLite's BEGIN IMMEDIATE write lock blocking the intake writer; PostgreSQL "
     "(READ COMMITTED, MVCC) takes no lock at BEGIN"},
    {"test_async_submit",
     "relies on SQLite's BEGIN IMMEDIATE write lock blocking the intake writer, as "
     "test_group_commit"},
    {"test_failed_commit_fails_all",
     "injects the failure with a SQLite trigger (CREATE TRIGGER ... BEGIN SELECT RAISE)"},
    {"test_write_failure_at_row_9999_stores_nothing",
     "injects the failure with a SQLite trigger (CREATE TRIGGER ... BEGIN SELECT RAISE)"},
};

static inline void test_pg_unsupported_check(const char *test)
{
	if (!test_store_is_pg())
		return;
	for (size_t i = 0; i < sizeof(test_pg_unsupported) / sizeof(test_pg_unsupported[0]); i++)
		if (strcmp(test_pg_unsupported[i].test, test) == 0) {
			printf("SKIPPED on PostgreSQL: %s: %s\n", test, test_pg_unsupported[i].why);
			skip();
		}
}

#define TEST_PG_UNSUPPORTED() test_pg_unsupported_check(__func__)

/* store_open() on a fresh test store. */
static inline int test_store_open(struct mlc_store **out, struct mlc_error *err)
{
	char *url = test_store_url("sqlite::memory:");
	int rc = url ? store_open(url, out, err) : MLC_ESTORE;
	free(url);
	return rc;
}

#endif
