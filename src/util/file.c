#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/file.h"
#include "util/banned.h"

int file_write_new(const char *path, const void *data, size_t n, mode_t mode, struct mlc_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	const char *p = data;
	int rc;

	if (fd < 0)
		return error_set(err, MLC_EIO, "cannot create %s: %s", path, strerror(errno));
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = error_set(err, MLC_EIO, "cannot write %s: %s", path,
				       strerror(w < 0 ? errno : EIO));
			goto fail;
		}
		p += w;
		n -= (size_t)w;
	}
	if (fsync(fd) < 0) {
		rc = error_set(err, MLC_EIO, "cannot write %s: %s", path, strerror(errno));
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = error_set(err, MLC_EIO, "cannot write %s: %s", path, strerror(errno));
		goto fail;
	}
	return MLC_OK;
fail:
	if (fd >= 0)
		close(fd);
	unlink(path);
	return rc;
}

int file_sync_dir_of(const char *path, struct mlc_error *err)
{
	const char *slash = strrchr(path, '/');
	char *dir =
	    slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
	int fd, rc = MLC_OK;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		rc = error_set(err, MLC_EIO, "cannot sync folder %s: %s", dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

int file_rename_durable(const char *from, const char *to, struct mlc_error *err)
{
	if (rename(from, to) < 0)
		return error_set(err, MLC_EIO, "cannot rename %s to %s: %s", from, to,
				 strerror(errno));
	return file_sync_dir_of(to, err);
}

int file_replace(const char *path, const void *data, size_t n, mode_t mode, struct mlc_error *err)
{
	struct mlc_buf tmp = MLC_BUF_INIT;
	int rc;

	buf_addf(&tmp, "%s.tmp", path);
	unlink(tmp.data); /* a leftover of a crashed write */
	rc = file_write_new(tmp.data, data, n, mode, err);
	if (rc < 0)
		goto out;
	rc = file_rename_durable(tmp.data, path, err);
	if (rc < 0)
		unlink(tmp.data);
out:
	buf_release(&tmp);
	return rc;
}
