#ifndef MLC_ERROR_H
#define MLC_ERROR_H

#include "util/compat.h"

/*
 * One error vocabulary for the whole program.  Fallible functions return
 * 0 on success or a negative MLC_E* code, and, where a person needs the
 * reason, fill a caller-owned struct mlc_error.
 */
enum mlc_errcode {
	MLC_OK = 0,
	MLC_EINVAL = -1,      /* bad input from a person or a peer */
	MLC_ENOMEM = -2,      /* allocation failed */
	MLC_EIO = -3,         /* file or socket error */
	MLC_ENOTFOUND = -4,   /* the named thing does not exist */
	MLC_EEXIST = -5,      /* the thing already exists */
	MLC_ESTORE = -6,      /* database error */
	MLC_ECONFIG = -7,     /* configuration error */
	MLC_ERANGE = -8,      /* number out of range */
	MLC_EAUTH = -9,       /* authentication failed */
	MLC_ETRANSIENT = -10, /* temporary failure; retrying may help */
	MLC_ERATELIMIT = -11, /* rate limited; retry after a wait */
	MLC_EPERM = -12,      /* permanent failure from a peer */
	MLC_EUNKNOWN = -13,   /* outcome unknown (e.g. timeout after sending) */
	MLC_ECRYPTO = -14,    /* encryption / signing failure */
	MLC_EBUSY = -15,      /* resource busy / lease held */
	MLC_ESTATE = -16,     /* operation not valid in the current state */
};

/*
 * A caller-owned error: code is one of enum mlc_errcode and msg a complete
 * sentence fragment meant for a person ("tenant 'acme' not found").
 * msg never contains secrets.
 */
struct mlc_error {
	int code;
	char msg[512];
};

/* Sets err (if not NULL) and returns code, so callers can write
 * `return error_set(err, MLC_EINVAL, "...")`. */
int error_set(struct mlc_error *err, int code, const char *fmt, ...) MLC_PRINTF(3, 4);

/* Prefixes the existing message with a context ("config.yaml: %s"). */
int error_prefix(struct mlc_error *err, const char *fmt, ...) MLC_PRINTF(2, 3);

/* Clears err to "no error". */
void error_clear(struct mlc_error *err);

/* A short name for code ("invalid", "not found", ...). */
const char *error_name(int code);

#endif
