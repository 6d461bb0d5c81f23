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

/* store_open() on a fresh test store. */
static inline int test_store_open(struct mlc_store **out, struct mlc_error *err)
{
	char *url = test_store_url("sqlite::memory:");
	int rc = url ? store_open(url, out, err) : MLC_ESTORE;
	free(url);
	return rc;
}

#endif
