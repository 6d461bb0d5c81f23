#ifndef MLC_STORE_COPY_H
#define MLC_STORE_COPY_H

#include <stddef.h>
#include <stdint.h>

#include "core/store.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Moving an installation from a SQLite store to a PostgreSQL one
 * (`ml-connector store migrate`): every table, every row, ids as they are
 * (identity columns then continue after the largest), secrets as stored
 * (still sealed by the master key).  One transaction on the target.
 */
struct mlc_store_copy_table {
	char *name;
	int64_t rows;
};

struct mlc_store_copy {
	struct mlc_store_copy_table *tables;
	size_t ntables;
	int64_t rows;
};

/*
 * Copies from (sqlite:) into to (postgres://), both open, hence migrated
 * to this build's schema.  Refuses (MLC_EEXIST, nothing written) a target
 * with any row in any table.  Fills report (caller releases with
 * store_copy_release(), also after a failure).
 */
int store_copy(struct mlc_store *from, struct mlc_store *to, struct mlc_store_copy *report,
	       struct mlc_error *err) MLC_MUST_CHECK;
void store_copy_release(struct mlc_store_copy *report);

#endif
