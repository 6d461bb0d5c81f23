#ifndef MLC_FILE_H
#define MLC_FILE_H

#include <stddef.h>
#include <sys/types.h>

#include "util/compat.h"
#include "util/error.h"

/*
 * Durable file writes.  Both functions fsync the data before they return
 * success, so a crash never leaves a half-written key or config behind.
 */

/* Creates path with mode and writes n bytes; never overwrites (O_EXCL).
 * On failure the partial file is removed. */
int file_write_new(const char *path, const void *data, size_t n, mode_t mode,
		   struct mlc_error *err) MLC_MUST_CHECK;
/* Replaces path atomically: writes path.tmp, fsyncs it, renames it over
 * path and fsyncs the folder.  Readers see the old or the new content,
 * never a mix. */
int file_replace(const char *path, const void *data, size_t n, mode_t mode,
		 struct mlc_error *err) MLC_MUST_CHECK;
/* Renames from over to and fsyncs the folder of to. */
int file_rename_durable(const char *from, const char *to, struct mlc_error *err) MLC_MUST_CHECK;
/* fsyncs the folder holding path (after a rename or unlink). */
int file_sync_dir_of(const char *path, struct mlc_error *err) MLC_MUST_CHECK;

#endif
